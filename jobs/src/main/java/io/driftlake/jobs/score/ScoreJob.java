package io.driftlake.jobs.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.common.Console;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.ColumnDrift;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.Task;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.train.Metrics;
import io.driftlake.jobs.train.Scored;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A model (the champion by default) scores a table selection (by default the rows the latest
 * production version added) into {@code predictions}, and the prediction distribution is compared
 * with the model's predictions on its own training version through lib-drift, like any feature:
 * rows in {@code drift_results} for the columns {@code prediction} (categorical for classifiers,
 * numeric for regression) and, for binary models, {@code probability} (numeric). Everything is
 * checked and computed before the first write; one (model, source version, selection) is scored
 * once, and a rerun writes nothing.
 */
@Command(name = "score", sortOptions = false,
    description = "Scores a table selection with a model into the "
    + "predictions table, once per model and selection, with the prediction drift.")
public final class ScoreJob implements Callable<Integer> {

  @Mixin private JobOptions options;

  @Option(names = "--model", paramLabel = "SEL", description = "Model: an id, champion, "
      + "previous or latest (default: champion).")
  private String model;

  @Option(names = "--table", paramLabel = "REF",
      description = "Rows to score (default: production@latest:added).")
  private String table;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  private ScoreJob() {}

  public static void main(String[] args) {
    JobMain.run(new ScoreJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "score")) {
      Lake lake = new Lake(spark, settings);
      Model model = Registry.model(lake, Optional.ofNullable(this.model).orElse(Registry.CHAMPION));
      TableRef ref = TableRef.parse(Optional.ofNullable(table)
          .orElse(settings.tables().production() + "@latest:added"));
      Result result = Console.stage("score", "scoring " + ref + " with model " + model.modelId(),
          () -> score(lake, model, ref, runId));
      System.out.println(result.message());
    }
    return 0;
  }

  /**
   * The outcome: rows written (0 when already scored), the version of {@code predictions} whose
   * commit holds this scoring (this run's own commit, found by its token; when already scored,
   * the commit that scored it, -1 if its log entry was cleaned up), and the prediction drift.
   */
  public record Result(String modelId, TableRef source, long rows, boolean written, String table,
                       long version, List<FeatureDrift> predictionDrift) {
    public String message() {
      if (!written) {
        return String.format("score: model %s already scored %s%s; nothing written", modelId,
            source, version >= 0 ? String.format(" (table '%s' version %d)", table, version) : "");
      }
      return String.format(Locale.ROOT, "score: model %s scored %d rows of %s into table '%s' as "
          + "version %d; prediction drift vs its training data: %s", modelId, rows, source, table,
          version, predictionDrift.stream()
          .map(f -> String.format(Locale.ROOT, "%s %s %.4f%s", f.feature(), f.decidedBy(),
              f.severity(), f.drifted() ? " (drifted)" : ""))
          .collect(Collectors.joining(", ")));
    }
  }

  public static Result score(Lake lake, Model model, TableRef selection, String runId) {
    TableRef ref = lake.resolve(selection);
    String table = lake.settings().tables().predictions();
    String scoringKey = "driftlake-score:" + model.modelId() + ":" + ref;
    if (Predictions.exists(lake, model.modelId(), ref)) {
      return new Result(model.modelId(), ref, 0, false, table,
          lake.versionOfKey(table, scoringKey).orElse(-1), List.of());
    }
    Dataset<Row> data = lake.read(ref);
    model.checkServes(ref, data.schema());
    String key = lake.settings().schema().key();
    if (!Arrays.asList(data.columns()).contains(key)) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' version %d has no key column '%s' (driftlake.schema.key) to key predictions by",
          ref.table(), ref.version().getAsLong(), key));
    }
    var context = lake.spark().sparkContext();
    context.setJobDescription("driftlake: score " + ref + " with " + model.modelId());
    PipelineModel pipeline = model.load();
    Timestamp now = CommitStamp.now();
    Dataset<Row> scored = predictions(pipeline, data, model, key, ref, now, runId).cache();
    try {
      Row counts = scored.agg(count(lit(1)),
          sum(when(col("row_key").isNull(), 1).otherwise(0))).first();
      long rows = counts.getLong(0);
      long nullKeys = counts.isNullAt(1) ? 0 : counts.getLong(1);
      if (nullKeys > 0) {
        throw new IllegalArgumentException(String.format(
            "Table '%s' version %d has %d row(s) without a key in '%s'; nothing written",
            ref.table(), ref.version().getAsLong(), nullKeys, key));
      }
      TableRef training = lake.resolve(model.trainingRef());
      Dataset<Row> reference = predictions(pipeline, lake.read(training), model, key, training, now,
          runId);
      List<FeatureSpec> columns = new ArrayList<>();
      columns.add(new FeatureSpec(Predictions.PREDICTION,
          model.task().classification() ? FeatureType.CATEGORICAL : FeatureType.NUMERIC));
      if (model.task() == Task.BINARY) {
        columns.add(new FeatureSpec(Predictions.PROBABILITY, FeatureType.NUMERIC));
      }
      DriftRun drift = ColumnDrift.compare(lake, training, driftColumns(reference, model),
          ref, driftColumns(scored, model), columns, runId);
      Lake.Append append = lake.append(table, scored,
          new CommitStamp("score", runId, null, scoringKey));
      if (!append.written()) {
        // A concurrent run scored the same selection first (its commit holds the key): that one
        // records the prediction drift too.
        return new Result(model.modelId(), ref, 0, false, table, append.version(), List.of());
      }
      ColumnDrift.record(lake, "score", drift, "driftlake-prediction-drift:" + model.modelId() + ":" + ref);
      return new Result(model.modelId(), ref, rows, true, table, append.version(),
          drift.report().features());
    } finally {
      scored.unpersist();
      context.setJobDescription(null);
    }
  }

  private static Dataset<Row> predictions(PipelineModel pipeline, Dataset<Row> data, Model model,
                                          String key, TableRef ref, Timestamp now, String runId) {
    Dataset<Row> out = Scored.of(pipeline.transform(data), model.task());
    Column probabilities = col(Metrics.PROBABILITIES)
        .cast(DataTypes.createArrayType(DataTypes.DoubleType));
    return out.select(ColumnNames.col(key).cast("string").as("row_key"),
        col("prediction").cast("double").as(Predictions.PREDICTION),
        (model.task() == Task.BINARY ? element_at(col(Metrics.PROBABILITIES), 2)
            : lit(null)).cast("double").as(Predictions.PROBABILITY),
        probabilities.as("probabilities"),
        lit(model.modelId()).as("model_id"), lit(ref.table()).as("source_table"),
        lit(ref.version().getAsLong()).as("source_version"),
        lit(ref.selection()).as("source_selection"), lit(now).as("scored_at"),
        lit(runId).as("run_id"));
  }

  /** Predicted classes are categories ("0", "1", ...); regression predictions stay numbers. */
  private static Dataset<Row> driftColumns(Dataset<Row> predictions, Model model) {
    Column prediction = model.task().classification()
        ? col(Predictions.PREDICTION).cast("int").cast("string").as(Predictions.PREDICTION)
        : col(Predictions.PREDICTION);
    return model.task() == Task.BINARY
        ? predictions.select(prediction, col(Predictions.PROBABILITY))
        : predictions.select(prediction);
  }
}
