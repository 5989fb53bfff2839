package io.driftlake.jobs.evaluate;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Evaluations.Evaluation;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.train.Metrics;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Evaluates a registered model and appends the metrics to {@code evaluations} (one commit).
 *
 * <ul>
 *   <li>{@code --mode table} (default): scores a labelled table selection: every labelled row
 *       ({@code --split all}, default table {@code production}) or the held-out rows
 *       ({@code --split held-out}, default table = the model's training table at its version).
 *       Rows without a label are counted ({@code unlabelled_rows}), not silently dropped.
 *       {@code --slice-by COL[,COL]} adds metrics per value of each categorical column.
 *   <li>{@code --mode production}: joins the model's predictions (of {@code --table REF}, default
 *       all of them) with the delayed labels that have arrived; counts predictions still without a
 *       label and labels for row keys no model scored; records label drift (arrived labels vs the
 *       training labels) in {@code drift_results}.
 * </ul>
 */
@Command(name = "evaluate", sortOptions = false,
    description = "Metrics of a model on a table selection "
    + "(optionally by slice) or on production rows with labels; recorded in the evaluations table.")
public final class EvaluateJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--model", paramLabel = "SEL", description = "Model: an id, champion, "
      + "previous or latest (default: latest).")
  private String model;

  @Option(names = "--table", paramLabel = "REF", description = "Data to evaluate on (default: "
      + "production; with --split held-out, the model's training version).")
  private String table;

  @Option(names = "--split", paramLabel = "all|held-out", defaultValue = "all",
      description = "All rows, or only the rows held out from training (default: ${DEFAULT-VALUE}).")
  private String split;

  @Option(names = "--slice-by", paramLabel = "COL[,COL]", split = ",",
      description = "Metrics per value of these columns too (default: driftlake.evaluate.slice-by).")
  private List<String> sliceBy;

  @Option(names = "--mode", paramLabel = "table|production", defaultValue = "table",
      description = "table: a selection; production: scored rows joined with their labels "
          + "(default: ${DEFAULT-VALUE}).")
  private String mode;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  private EvaluateJob() {}

  public static void main(String[] args) {
    JobMain.run(new EvaluateJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    if (!List.of("table", "production").contains(mode)) {
      throw new UsageException("--mode must be table or production: " + mode);
    }
    if (!List.of(Evaluations.ALL, Evaluations.HELD_OUT).contains(split)) {
      throw new UsageException("--split must be all or held-out: " + split);
    }
    List<String> slices = Optional.ofNullable(sliceBy)
        .orElse(settings.evaluate().sliceBy());
    try (SparkSession spark = Sparks.session(settings, "evaluate")) {
      Lake lake = new Lake(spark, settings);
      Model model = Registry.model(lake, Optional.ofNullable(this.model).orElse("latest"));
      if (mode.equals("production")) {
        if (!slices.isEmpty() || !split.equals(Evaluations.ALL)) {
          throw new UsageException("--slice-by and --split apply to --mode table only");
        }
        Evaluator.Production p = Evaluator.production(lake, model,
            Optional.ofNullable(table).map(TableRef::parse), runId);
        System.out.println(p.summary());
      } else {
        TableRef ref = Optional.ofNullable(table).map(TableRef::parse).orElse(split.equals(Evaluations.HELD_OUT)
            ? model.trainingRef() : TableRef.parse(settings.tables().production()));
        List<Evaluation> done = Evaluator.table(lake, model, ref, split, slices, runId);
        for (Evaluation e : done) {
          System.out.printf(Locale.ROOT, "evaluate: model %s on %s (%s)%s: %s; recorded in table "
                  + "'%s' as version %d%n", model.modelId(), e.data(), e.split(),
              e.sliceColumn() == null ? "" : " by " + e.sliceColumn(),
              e.sliceColumn() == null ? e.metrics() : e.slices(), settings.tables().evaluations(),
              e.version());
        }
      }
    }
    return 0;
  }
}
