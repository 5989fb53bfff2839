package io.driftlake.bench;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.spark.multivariate.MultivariateAnalysis;
import io.driftlake.jobs.lake.Lake;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Issue 21 item 2's cost: multivariate drift (a seeded sample of both sides, the domain
 * classifier's k GBT fits and the PCA reconstruction) on the bench's v0 vs v1 added rows, with
 * the config's multivariate settings (turned on), as a ratio to the plain scan of v0.
 */
final class MultivariateBench {
  private MultivariateBench() {}

  static void run(Lake lake, Timings timings, Dataset<Row> v0, Dataset<Row> v1,
                  DriftReport report, double scan) {
    MultivariateSettings settings = MultivariateSettings.from(lake.settings().config())
        .enabled(true);
    String step = String.format(Locale.ROOT, "multivariate (%d rows/side, %d folds x %d trees)",
        settings.sampleRows(), settings.folds(), settings.trees());
    MultivariateDrift drift = timings.time(step, () -> MultivariateAnalysis.run(v0, v1,
        report.referenceRows(), report.currentRows(), report.features(), settings));
    double seconds = timings.seconds().get(step);
    System.out.printf(Locale.ROOT, "%-42s %10.2f %10.2f%n", step, seconds, seconds / scan);
    for (MethodResult r : drift.results()) {
      System.out.printf(Locale.ROOT, "  %s: score %s, threshold %s, %s%n", r.method(), r.score(),
          r.threshold(), r.verdict().id());
    }
  }
}
