package io.driftlake.jobs.estimate;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Estimates a binary model's accuracy, precision, recall, F1 and ROC AUC on its predictions of a
 * table selection before the labels land (CBPE, {@link Cbpe}), and records them in
 * {@code evaluations} as estimated rows with their confidence band. Run after {@code score}; when
 * the labels land, {@code evaluate --mode production --table} of the same selection records the
 * realized metrics beside them.
 */
@Command(name = "estimate", sortOptions = false,
    description = "Estimates a binary model's performance on its predictions without labels "
    + "(CBPE), with a confidence band; recorded in the evaluations table.")
public final class EstimateJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--model", paramLabel = "SEL", description = "Model: an id, champion, "
      + "previous or latest (default: champion).")
  private String model;

  @Option(names = "--table", paramLabel = "REF", description = "The scored selection whose "
      + "predictions to estimate on (default: production@latest:added, what score scores).")
  private String table;

  @Option(names = "--report-dir", paramLabel = "DIR", description = "Where estimate.html goes: "
      + "the model's estimates vs the realized metrics over its batches (default: none).")
  private String reportDir;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  private EstimateJob() {}

  public static void main(String[] args) {
    JobMain.run(new EstimateJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "estimate")) {
      Lake lake = new Lake(spark, settings);
      Model model = Registry.model(lake, Optional.ofNullable(this.model).orElse(Registry.CHAMPION));
      TableRef ref = TableRef.parse(Optional.ofNullable(table)
          .orElse(settings.tables().production() + "@latest:added"));
      System.out.println(Estimator.estimate(lake, model, ref, runId).message());
      if (reportDir != null) {
        Location page = Estimator.writePage(lake, model.modelId(),
            Location.parse(reportDir, "--report-dir"));
        System.out.println("estimate: estimated vs realized over the model's batches in " + page);
      }
    }
    return 0;
  }
}
