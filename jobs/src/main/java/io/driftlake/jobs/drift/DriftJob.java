package io.driftlake.jobs.drift;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Drift of every shared feature between two table selections. Results go to the drift results
 * table and {@code drift.json}; "drift found" is data there, never the exit code.
 *
 * <p>Defaults: reference = the table version the champion (or, with none yet, the latest model)
 * was trained on; current = the rows the latest production version added
 * ({@code production@latest:added}).
 */
public final class DriftJob {
  private DriftJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("drift", args, Set.of("reference", "current", "report-dir", "run-id"));
    JobSettings settings = JobSettings.load(a.option("config"));
    String runId = a.option("run-id").orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "drift")) {
      Lake lake = new Lake(spark, settings);
      DriftRun run = run(lake, a.option("reference").map(TableRef::parse),
          a.option("current").map(TableRef::parse), a.option("report-dir").map(Path::of), runId);
      System.out.print(DriftReportJson.summary(run));
      System.out.println("drift: report written to " + run.reportFile());
    }
  }

  /** A finished drift run: what was compared, the report, and where the JSON went. */
  public record DriftRun(String runId, Timestamp computedAt, TableRef reference, long referenceRows,
                         TableRef current, long currentRows, DriftReport report,
                         FeatureSpecs.Shared schema, Path reportFile) {}

  public static DriftRun run(Lake lake, Optional<TableRef> reference, Optional<TableRef> current,
                             Optional<Path> reportDir, String runId) {
    JobSettings settings = lake.settings();
    TableRef ref = lake.resolve(reference.orElseGet(() -> defaultReference(lake)));
    TableRef cur = lake.resolve(current.orElseGet(
        () -> TableRef.parse(settings.tables().production() + "@latest:added")));
    Dataset<Row> refData = lake.read(ref);
    Dataset<Row> curData = lake.read(cur);
    FeatureSpecs.Shared shared = FeatureSpecs.shared(refData.schema(), curData.schema(),
        settings.schema().nonFeatures());
    if (shared.features().isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "No shared feature columns between %s and %s", ref, cur));
    }
    DriftReport report = new DriftAnalysis(settings.drift()).run(refData, curData, shared.features());
    Path dir = reportDir.orElse(settings.lakeRoot().resolve("reports").resolve(runId));
    DriftRun run = new DriftRun(runId, Timestamp.from(Instant.now()), ref, report.referenceRows(),
        cur, report.currentRows(), report, shared, dir.resolve("drift.json").toAbsolutePath());
    DriftResults.append(lake, run);
    DriftReportJson.write(run);
    return run;
  }

  private static TableRef defaultReference(Lake lake) {
    Model model = Registry.championOrLatest(lake).orElseThrow(() -> new IllegalArgumentException(
        "No --reference given and no model in table '" + lake.settings().tables().models()
            + "' to take the training version from"));
    return TableRef.parse(model.trainingTable() + "@" + model.trainingVersion());
  }
}
