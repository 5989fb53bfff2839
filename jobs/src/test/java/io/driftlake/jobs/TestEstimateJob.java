package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.estimate.Estimator;
import io.driftlake.jobs.evaluate.Evaluator;
import io.driftlake.jobs.feedback.FeedbackJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.models.Promotions;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.score.ScoreJob;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimate job on a real lake: the champion's predictions of a production batch estimated
 * without labels, the labels landing later, and the realized metric beside the estimate.
 */
@ExtendWith(LocalSpark.class)
class TestEstimateJob {
  private static final String PSI_ONLY = "driftlake.drift.methods { numeric = [psi], categorical = [psi] }\n";

  @Test
  void estimateThenRealizedBesideItForTheSameBatch(SparkSession spark, @TempDir Path dir)
      throws java.io.IOException {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING + PSI_ONLY));
    // An evaluations table from before the estimate columns existed: they are added to it.
    StructType old = new StructType().add("model_id", DataTypes.StringType, false)
        .add("table", DataTypes.StringType, false).add("version", DataTypes.LongType, false)
        .add("selection", DataTypes.StringType, false).add("split", DataTypes.StringType, false)
        .add("labels_table", DataTypes.StringType, true)
        .add("labels_version", DataTypes.LongType, true)
        .add("slice_column", DataTypes.StringType, true)
        .add("slice_value", DataTypes.StringType, true).add("metric", DataTypes.StringType, false)
        .add("value", DataTypes.DoubleType, false).add("run_id", DataTypes.StringType, false)
        .add("evaluated_at", DataTypes.TimestampType, false);
    spark.createDataFrame(List.of(RowFactory.create("old-model", "training", 0L, "snapshot", "all",
        null, null, null, null, "accuracy", 0.5, "old", new Timestamp(0))), old)
        .write().format("delta").save(lake.path("evaluations"));
    // The gate's evaluation is the first to write to it since.
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 3000, 0, 0.0, 5), "t0", "run");
    Model model = TrainJob.train(lake, TableRef.parse("training"), "train", "manual");
    Promotions.gate(lake, model, Optional.empty(), "gate");
    Model champion = Registry.model(lake, "champion");

    Dataset<Row> batch = GenerateJob.batch(spark, 2000, 1, 0.0, 5);
    IngestJob.ingest(lake, "production", batch.drop("defaulted"), "p1", "daily");
    ScoreJob.score(lake, champion, TableRef.parse("production@latest:added"), "s1");

    Estimator.Result estimated = Estimator.estimate(lake, champion,
        TableRef.parse("production@latest:added"), "x1");
    assertThat(estimated.evaluation().data()).isEqualTo(TableRef.parse("production@0:added"));
    assertThat(estimated.evaluation().metrics()).containsEntry("rows", 2000.0)
        .containsKeys("accuracy", "precision", "recall", "f1", "auc_roc", "reference_ece");
    Dataset<Row> rows = spark.read().format("delta").load(lake.path("evaluations"));
    assertThat(rows.where("run_id = 'old'").first().<String>getAs("kind")).isNull();
    Row accuracy = rows.where("run_id = 'x1' and metric = 'accuracy'").first();
    assertThat(accuracy.<String>getAs("kind")).isEqualTo("estimated");
    assertThat(accuracy.<String>getAs("split")).isEqualTo("predictions");
    assertThat(accuracy.<String>getAs("selection")).isEqualTo("added");
    assertThat(accuracy.<Double>getAs("lower")).isLessThan(accuracy.<Double>getAs("value"));
    assertThat(accuracy.<Double>getAs("upper")).isGreaterThan(accuracy.<Double>getAs("value"));
    assertThat(accuracy.<Boolean>getAs("calibrated"))
        .isEqualTo(estimated.estimate().calibration().applied());
    assertThat(rows.where("run_id = 'x1' and metric = 'rows'").first().<Double>getAs("lower"))
        .isNull();
    // The promotion gate's "latest table evaluation" never takes an estimate.
    assertThat(Evaluations.latest(lake, champion.modelId(), TableRef.parse("production@0:added"),
        "predictions")).isEmpty();

    // The same run id again writes nothing.
    long version = lake.latestVersion("evaluations").getAsLong();
    Estimator.Result again = Estimator.estimate(lake, champion,
        TableRef.parse("production@0:added"), "x1");
    assertThat(again.evaluation().version()).isEqualTo(estimated.evaluation().version());
    assertThat(lake.latestVersion("evaluations").getAsLong()).isEqualTo(version);

    // Before the labels land, the realized side is empty.
    Row pending = Evaluations.estimateVsRealized(lake, champion.modelId())
        .where("metric = 'accuracy'").first();
    assertThat(pending.<Double>getAs("realized")).isNull();

    // The drift of that batch carries the estimate in drift.json (as the evaluations table
    // holds it), drift.html and the console summary; the realized value is not known yet.
    DriftRun drifted = DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("production@0:added")), Optional.of(dir.resolve("d1")), "d1");
    JsonNode before = estimateIn(dir.resolve("d1"));
    assertThat(before.get("available").asBoolean()).isTrue();
    JsonNode estimate = before.get("models").get(0);
    assertThat(before.get("models")).hasSize(1);
    assertThat(estimate.get("model_id").asText()).isEqualTo(champion.modelId());
    assertThat(estimate.get("run_id").asText()).isEqualTo("x1");
    assertThat(estimate.get("calibrated").asBoolean())
        .isEqualTo(estimated.estimate().calibration().applied());
    JsonNode accuracyIn = metric(estimate, "accuracy");
    assertThat(accuracyIn.get("estimate").asDouble()).isEqualTo(accuracy.<Double>getAs("value"));
    assertThat(accuracyIn.get("lower").asDouble()).isEqualTo(accuracy.<Double>getAs("lower"));
    assertThat(accuracyIn.get("upper").asDouble()).isEqualTo(accuracy.<Double>getAs("upper"));
    assertThat(accuracyIn.get("realized").isNull()).isTrue();
    assertThat(accuracyIn.get("realized_in_band").isNull()).isTrue();
    assertThat(metric(estimate, "rows").get("estimate").asDouble()).isEqualTo(2000.0);
    assertThat(metric(estimate, "rows").get("lower").isNull()).isTrue();
    assertThat(java.nio.file.Files.readString(dir.resolve("d1").resolve("drift.html")))
        .contains("<h2 id=\"estimate\">Model performance without labels (CBPE)</h2>",
            "<h3>model " + champion.modelId() + ", estimate run x1 at ",
            "<td>accuracy</td>", "not yet (labels not landed)",
            // A count has neither a band nor a realized value.
            "<tr><td>rows</td><td class=\"num\">2000</td><td class=\"num\">&ndash;</td>"
                + "<td class=\"num\">&ndash;</td><td class=\"\">&ndash;</td></tr>");
    assertThat(io.driftlake.drift.report.DriftReportText.render(
        drifted.toReport(lake.settings().drift())))
        .contains("estimated without labels (model " + champion.modelId());
    // Another selection of the same version (every row, not the batch's): nothing estimated it.
    DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("production@0")), Optional.of(dir.resolve("d0")), "d0");
    JsonNode none = estimateIn(dir.resolve("d0"));
    assertThat(none.get("available").asBoolean()).isFalse();
    assertThat(none.get("models")).isEmpty();
    assertThat(none.get("note").asText()).isEqualTo("no estimate of production@0 in table "
        + "'evaluations': `driftlake estimate --table production@0` writes one (binary "
        + "classifiers)");

    FeedbackJob.ingest(lake, batch.select("customer_id", "defaulted"), "labels-1", "f1");
    Evaluator.production(lake, champion, Optional.of(TableRef.parse("production@0:added")), "e1");
    List<Row> joined = Evaluations.estimateVsRealized(lake, champion.modelId()).collectAsList();
    assertThat(joined).extracting(r -> r.<String>getAs("metric"))
        .containsExactly("accuracy", "auc_roc", "f1", "precision", "recall");

    // The realized accuracy, from the raw tables by a plain loop, sits beside the estimate.
    Map<String, Integer> labels = new HashMap<>();
    for (Row r : batch.select("customer_id", "defaulted").collectAsList()) {
      labels.put(r.getString(0), r.getInt(1));
    }
    int correct = 0;
    for (Row r : spark.read().format("delta").load(lake.path("predictions")).collectAsList()) {
      correct += labels.get(r.<String>getAs("row_key")) == r.<Double>getAs("prediction").intValue()
          ? 1 : 0;
    }
    Row a = joined.get(0);
    assertThat(a.<Double>getAs("realized")).isCloseTo(correct / 2000.0, within(1e-12));
    assertThat(a.<Double>getAs("estimated")).isEqualTo(accuracy.<Double>getAs("value"));
    assertThat(a.<Long>getAs("version")).isZero();
    assertThat(a.<String>getAs("selection")).isEqualTo("added");
    assertThat(a.<Long>getAs("labels_version")).isZero();
    // The generator's labels follow its own model, which the champion learns: the realized
    // accuracy falls in the band.
    assertThat(a.<Double>getAs("realized")).isBetween(a.<Double>getAs("lower"),
        a.<Double>getAs("upper"));

    // A drift of the batch now shows the realized accuracy beside the estimate, inside its band.
    DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("production@0:added")), Optional.of(dir.resolve("d2")), "d2");
    JsonNode after = metric(estimateIn(dir.resolve("d2")).get("models").get(0), "accuracy");
    assertThat(after.get("realized").asDouble()).isCloseTo(correct / 2000.0, within(1e-12));
    assertThat(after.get("realized_in_band").asBoolean()).isTrue();
    assertThat(metric(estimateIn(dir.resolve("d2")).get("models").get(0), "rows")
        .get("realized").isNull()).isTrue();

    // The page: the batch's estimate and its realized accuracy, side by side.
    Estimator.writePage(lake, champion.modelId(), Location.of(dir.resolve("report")));
    String html = java.nio.file.Files.readString(dir.resolve("report").resolve(Estimator.PAGE));
    assertThat(html).contains("<h2>accuracy</h2>", "<polygon class=\"band\"",
        String.format(java.util.Locale.ROOT, "<td>production@0:added</td><td>%.4f</td>",
            a.<Double>getAs("estimated")),
        String.format(java.util.Locale.ROOT, "<td>%.4f</td></tr>", correct / 2000.0));
  }

  private static JsonNode estimateIn(Path reportDir) throws java.io.IOException {
    return new ObjectMapper().readTree(reportDir.resolve("drift.json").toFile())
        .get("performance_estimate");
  }

  private static JsonNode metric(JsonNode model, String name) {
    for (JsonNode m : model.get("metrics")) {
      if (m.get("metric").asText().equals(name)) {
        return m;
      }
    }
    throw new AssertionError("no metric " + name + " in " + model);
  }

  @Test
  void regressionModelsAreRefused(SparkSession spark, @TempDir Path dir) {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING + PSI_ONLY
        + "driftlake.train.task = regression\ndriftlake.train.algorithm = linear-regression\n"
        + "driftlake.registry.gate.metric = rmse\n"));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 300, 0, 0.0, 5), "t0", "run");
    Model model = TrainJob.train(lake, TableRef.parse("training"), "train", "manual");
    assertThatThrownBy(() -> Estimator.estimate(lake, model, TableRef.parse("training@0"), "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Model " + model.modelId() + " is a regression model; estimating "
            + "performance without labels needs a binary classifier");
  }
}
