package io.driftlake.jobs.evaluate;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.train.Metrics;
import io.driftlake.jobs.train.Models;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Scores a labelled table selection with a registered model and records the metrics. */
public final class EvaluateJob {
  public static final StructType SCHEMA = new StructType()
      .add("model_id", DataTypes.StringType, false)
      .add("table", DataTypes.StringType, false)
      .add("version", DataTypes.LongType, false)
      .add("selection", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("evaluated_at", DataTypes.TimestampType, false);

  private EvaluateJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("evaluate", args, Set.of("model", "table", "run-id"));
    JobSettings settings = JobSettings.load(a.option("config"));
    String runId = a.option("run-id").orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "evaluate")) {
      Lake lake = new Lake(spark, settings);
      Models.Model model = Models.byId(lake, a.option("model").orElse("latest"));
      TableRef ref = TableRef.parse(a.option("table").orElse(settings.tables().production()));
      Map<String, Double> metrics = evaluate(lake, model, ref, runId);
      System.out.printf("evaluate: model %s on %s: %s%n", model.modelId(), lake.resolve(ref), metrics);
    }
  }

  public static Map<String, Double> evaluate(Lake lake, Models.Model model, TableRef selection,
                                             String runId) {
    TableRef ref = lake.resolve(selection);
    Dataset<Row> data = lake.read(ref);
    List<String> columns = Arrays.asList(data.columns());
    for (String f : model.features()) {
      if (!columns.contains(f)) {
        throw new IllegalArgumentException(String.format(
            "Model %s needs feature '%s', which table '%s' version %d lacks", model.modelId(), f,
            ref.table(), ref.version().getAsLong()));
      }
    }
    if (!columns.contains(model.label())) {
      throw new IllegalArgumentException(String.format("Table '%s' version %d has no label column '%s'",
          ref.table(), ref.version().getAsLong(), model.label()));
    }
    Dataset<Row> labelled = data.where(col(model.label()).isNotNull())
        .withColumn(Metrics.LABEL, col(model.label()).cast("double"));
    Map<String, Double> metrics = Metrics.binary(PipelineModel.load(model.artifactPath())
        .transform(labelled));
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    metrics.forEach((metric, value) -> rows.add(RowFactory.create(model.modelId(), ref.table(),
        ref.version().getAsLong(), ref.selection(), metric, value, runId, now)));
    lake.append(lake.settings().tables().evaluations(), lake.spark().createDataFrame(rows, SCHEMA),
        new CommitStamp("evaluate", runId, null,
            "driftlake-evaluate:" + runId + ":" + model.modelId() + ":" + ref));
    return metrics;
  }
}
