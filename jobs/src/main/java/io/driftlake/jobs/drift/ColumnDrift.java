package io.driftlake.jobs.drift;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.report.PerformanceEstimates;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Drift of derived columns (a model's predictions, the labels that arrived) through the same
 * engine, settings and {@code drift_results} table as the features. Per-feature overrides in
 * {@code driftlake.drift.features} apply when they name these columns and are ignored otherwise.
 */
public final class ColumnDrift {
  private ColumnDrift() {}

  /** Computes the drift; nothing is written (see {@link #record}). */
  public static DriftRun compare(Lake lake, TableRef referenceRef, Dataset<Row> reference,
                                          TableRef currentRef, Dataset<Row> current,
                                          List<FeatureSpec> columns, String runId) {
    DriftSettings restricted = lake.settings().drift()
        .onlyFeatures(columns.stream().map(FeatureSpec::name).toList());
    DriftAnalysis.Outcome outcome = new DriftAnalysis(restricted).analyse(reference, current,
        columns);
    DriftReport report = outcome.report();
    return new DriftRun(runId, Timestamp.from(Instant.now()), referenceRef,
        report.referenceRows(), currentRef, report.currentRows(), report,
        new FeatureSpecs.Shared(columns, List.of(), List.of()), null,
        new ProfileStore.Profiles(referenceRef, outcome.reference(), ProfileStore.Source.SCANNED,
            "profiled " + referenceRef + " in one scan"),
        new ProfileStore.Profiles(currentRef, outcome.current(), ProfileStore.Source.SCANNED,
            "profiled " + currentRef + " in one scan"),
        restricted.statisticsMode(), "", List.of(), PerformanceEstimates.NOT_LOOKED_UP);
  }

  /**
   * Appends the run's rows to drift_results in one commit, as compared by {@code job}; the same
   * key twice writes nothing.
   */
  public static void record(Lake lake, String job, DriftRun run, String idempotencyKey) {
    DriftResults.append(lake, run, job, idempotencyKey);
  }
}
