package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.evaluate.Evaluator;
import io.driftlake.jobs.feedback.FeedbackJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.models.Promotions;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.score.ScoreJob;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The champion scores production; labels arrive later; predictions are judged by them. */
@ExtendWith(LocalSpark.class)
class TestScoreAndFeedback {
  private static final String PSI_ONLY = "driftlake.drift.methods { numeric = [psi], categorical = [psi] }\n";

  @Test
  void scoreFeedbackAndEvaluateOnProduction(SparkSession spark, @TempDir Path dir) {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING + PSI_ONLY));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 1000, 0, 0.0, 5), "t0", "run");
    Model model = TrainJob.train(lake, TableRef.parse("training"), "train", "manual");
    Promotions.gate(lake, model, Optional.empty(), "gate");
    Dataset<Row> batch = GenerateJob.batch(spark, 400, 1, 0.5, 5);
    IngestJob.ingest(lake, "production", batch.drop("defaulted"), "p1", "daily");

    // A table without one of the model's features: an error naming it, nothing written.
    IngestJob.ingest(lake, "other", batch.drop("defaulted", "income"), "o1", "daily");
    Model champion = Registry.model(lake, "champion");
    assertThatThrownBy(() -> ScoreJob.score(lake, champion, TableRef.parse("other"), "s0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Model " + model.modelId() + " needs feature 'income', which table 'other' "
            + "version 0 lacks");
    assertThat(lake.exists("predictions")).isFalse();
    assertThat(lake.exists("drift_results")).isFalse();

    ScoreJob.Result scored = ScoreJob.score(lake, champion, TableRef.parse("production@latest:added"), "s1");
    assertThat(scored.written()).isTrue();
    assertThat(scored.rows()).isEqualTo(400);
    assertThat(scored.source()).isEqualTo(TableRef.parse("production@0:added"));
    Dataset<Row> predictions = spark.read().format("delta").load(lake.path("predictions"));
    assertThat(predictions.count()).isEqualTo(400);
    Row one = predictions.first();
    assertThat(one.<String>getAs("model_id")).isEqualTo(model.modelId());
    assertThat(one.<Long>getAs("source_version")).isZero();
    assertThat(one.<Double>getAs("probability"))
        .isCloseTo(one.<Double>getList(one.fieldIndex("probabilities")).get(1), within(1e-15));
    // Prediction drift went through lib-drift and into drift_results, like any feature.
    Dataset<Row> drift = spark.read().format("delta").load(lake.path("drift_results"))
        .where("run_id = 's1'");
    assertThat(drift.select("feature").distinct().as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList()).containsExactlyInAnyOrder("prediction", "probability");
    assertThat(drift.where("feature = 'probability'").first().<String>getAs("reference_table"))
        .isEqualTo("training");
    assertThat(scored.predictionDrift()).hasSize(2);

    // A rerun (even under another run id) adds no duplicates.
    ScoreJob.Result again = ScoreJob.score(lake, champion, TableRef.parse("production@0:added"), "s2");
    assertThat(again.written()).isFalse();
    assertThat(again.message()).isEqualTo("score: model " + model.modelId()
        + " already scored production@0:added (table 'predictions' version 0); nothing written");
    assertThat(again.version()).isZero();
    assertThat(spark.read().format("delta").load(lake.path("predictions")).count()).isEqualTo(400);

    // Feedback without the label column: a clear error, nothing written.
    Dataset<Row> keysOnly = batch.select("customer_id");
    assertThatThrownBy(() -> FeedbackJob.ingest(lake, keysOnly, "labels-0", "f0"))
        .hasMessage("Feedback batch 'labels-0' has no label column 'defaulted' "
            + "(driftlake.schema.label); its columns: [customer_id]; nothing written");
    assertThat(lake.exists("labels")).isFalse();

    // Labels arrive for the first 250 rows, plus 3 for row keys nobody scored.
    Dataset<Row> arrived = batch.select("customer_id", "defaulted")
        .where(functions.expr("cast(split(customer_id, '-')[1] as int) < 250"))
        .union(unknownKeys(spark));
    FeedbackJob.Result fed = FeedbackJob.ingest(lake, arrived, "labels-1", "f1");
    assertThat(fed.written()).isTrue();
    assertThat(fed.labels()).isEqualTo(253);
    assertThat(fed.unknownKeys()).isEqualTo(3);
    assertThat(fed.message()).isEqualTo("feedback: batch 'labels-1' written to table 'labels' as "
        + "version 0; 3 of 253 label(s) are for row keys no model has scored");
    FeedbackJob.Result refed = FeedbackJob.ingest(lake, arrived, "labels-1", "f1-retry");
    assertThat(refed.written()).isFalse();
    assertThat(lake.latestVersion("labels").getAsLong()).isZero();

    Evaluator.Production judged = Evaluator.production(lake, champion, Optional.empty(), "e1");
    assertThat(judged.predictions()).isEqualTo(400);
    assertThat(judged.labelled()).isEqualTo(250);
    assertThat(judged.unlabelled()).isEqualTo(150);
    assertThat(judged.labelsWithoutPrediction()).isEqualTo(3);
    Map<String, Double> m = judged.evaluation().metrics();
    assertThat(m).containsEntry("predictions", 400.0).containsEntry("unlabelled_rows", 150.0)
        .containsEntry("labels_without_prediction", 3.0).containsEntry("rows", 250.0);
    assertThat(judged.evaluation().labelsVersion()).isZero();
    assertThat(judged.evaluation().data()).isEqualTo(TableRef.parse("production@0"));

    // Accuracy recomputed here from the raw tables by a plain loop.
    Map<String, Double> labels = new HashMap<>();
    for (Row r : arrived.collectAsList()) {
      labels.put(r.getString(0), (double) r.getInt(1));
    }
    int correct = 0;
    int matched = 0;
    for (Row r : predictions.collectAsList()) {
      Double y = labels.get(r.<String>getAs("row_key"));
      if (y != null) {
        matched++;
        correct += y.equals(r.<Double>getAs("prediction")) ? 1 : 0;
      }
    }
    assertThat(matched).isEqualTo(250);
    assertThat(m.get("accuracy")).isCloseTo(correct / 250.0, within(1e-12));

    // Recorded: one evaluation commit, and label drift in drift_results.
    Dataset<Row> evaluations = spark.read().format("delta").load(lake.path("evaluations"))
        .where("run_id = 'e1'");
    assertThat(evaluations.where("metric = 'unlabelled_rows'").first().<Double>getAs("value"))
        .isEqualTo(150.0);
    assertThat(evaluations.first().<String>getAs("split")).isEqualTo("labelled");
    assertThat(judged.labelDrift()).isPresent();
    assertThat(spark.read().format("delta").load(lake.path("drift_results"))
        .where("run_id = 'e1' and feature = 'defaulted'").count()).isPositive();

    // The next batch, judged alone: its rows have no labels yet (counted, not dropped), and the
    // first batch's labels are not "unknown keys": the model scored those rows too.
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 100, 2, 0.5, 5)
        .drop("defaulted"), "p2", "daily");
    ScoreJob.score(lake, champion, TableRef.parse("production@latest:added"), "s3");
    Evaluator.Production next = Evaluator.production(lake, champion,
        Optional.of(TableRef.parse("production@1:added")), "e2");
    assertThat(next.predictions()).isEqualTo(100);
    assertThat(next.unlabelled()).isEqualTo(100);
    assertThat(next.labelsWithoutPrediction()).isEqualTo(3);
    assertThat(next.labelDrift()).isEmpty();
    assertThat(next.evaluation().metrics()).containsEntry("rows", 0.0);
  }

  private static Dataset<Row> unknownKeys(SparkSession spark) {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType)
        .add("defaulted", DataTypes.IntegerType);
    return spark.createDataFrame(List.of(RowFactory.create("zz-1", 1), RowFactory.create("zz-2", 0),
        RowFactory.create("zz-3", 0)), schema);
  }
}
