package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.evaluate.Evaluator;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Path;
import java.util.ArrayList;
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

@ExtendWith(LocalSpark.class)
class TestDriftAndTrainJobs {
  private static final StructType TINY = new StructType()
      .add("customer_id", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("colour", DataTypes.StringType).add("defaulted", DataTypes.IntegerType);

  static Dataset<Row> tiny(SparkSession spark, double[] xs, String[] colours) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      rows.add(RowFactory.create("k" + i, xs[i], colours[i], i % 2));
    }
    return spark.createDataFrame(rows, TINY);
  }

  @Test
  void aDriftResultsTableFromBeforeTheStatusColumnsGainsThemAndKeepsItsRows(SparkSession spark,
      @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
        new String[] {"r", "r", "r", "r", "r", "g", "g", "g", "g", "g"}), "b0", "run");
    // drift_results as the jobs wrote it before job, status and reason existed: one old row.
    StructType old = new StructType();
    for (var f : io.driftlake.jobs.drift.DriftResults.SCHEMA.fields()) {
      if (!List.of("job", "status", "reason", "slice").contains(f.name())) {
        old = old.add(f);
      }
    }
    Row oldRow = RowFactory.create("old-run", new java.sql.Timestamp(0), "ref", 0L, "all", 10L,
        "ref", 0L, "all", 10L, "x", "numeric", "psi", 0.0, null, 0.2, false, "psi", false, false,
        0.0, 0.0, null, scala.collection.immutable.Map$.MODULE$.<String, String>empty());
    spark.createDataFrame(List.of(oldRow), old).write().format("delta")
        .save(lake.path("drift_results"));

    DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")), Optional.of(TableRef.parse("ref@0")),
        Optional.of(dir.resolve("reports")), "new-run");

    Dataset<Row> results = spark.read().format("delta").load(lake.path("drift_results"));
    assertThat(results.where("run_id = 'old-run'").select("job", "status", "reason", "slice")
        .collectAsList()).extracting(Row::toString).containsExactly("[null,null,null,null]");
    assertThat(results.where("run_id = 'new-run'").select("job", "status").distinct()
        .collectAsList()).extracting(Row::toString).containsExactly("[drift,no drift]");
  }

  @Test
  void driftBetweenTwoVersionsWritesTypedRowsAndDriftJson(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
        new String[] {"r", "r", "r", "r", "r", "g", "g", "g", "g", "g"}), "b0", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, new double[] {1, 1, 1, 1, 1, 2, 3, 4, 5, 10},
        new String[] {"r", "r", "r", "r", "r", "g", "g", "g", "g", "g"}), "b0", "run");

    Path reports = dir.resolve("reports");
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")),
        Optional.of(TableRef.parse("cur@0")), Optional.of(reports), "drift-run-1");

    // Hand-computed (see TestDriftAnalysis): .4·ln5 + 4·(1e-4 − .1)·ln(1e-4/.1)
    double psiX = 0.4 * Math.log(5) + 4 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    JsonNode json = new ObjectMapper().readTree(reports.resolve("drift.json").toFile());
    assertThat(json.get("reference").get("table").asText()).isEqualTo("ref");
    assertThat(json.get("reference").get("version").asLong()).isZero();
    assertThat(json.get("current").get("rows").asLong()).isEqualTo(10);
    // x drifted, colour did not: 1 of 2 features = 50 % ≥ 25 %
    assertThat(json.get("drifted").asBoolean()).isTrue();
    JsonNode x = json.get("features").get(0);
    assertThat(x.get("feature").asText()).isEqualTo("x");
    assertThat(x.get("type").asText()).isEqualTo("numeric");
    JsonNode psi = x.get("results").get(0);
    assertThat(psi.get("method").asText()).isEqualTo("psi");
    assertThat(psi.get("score").asDouble()).isCloseTo(psiX, within(1e-12));
    assertThat(psi.get("threshold").asDouble()).isEqualTo(0.2);
    assertThat(psi.get("drifted").asBoolean()).isTrue();
    JsonNode ks = x.get("results").get(1);
    assertThat(ks.get("method").asText()).isEqualTo("ks");
    assertThat(ks.get("score").asDouble()).isCloseTo(0.4, within(1e-12)); // 5/10 vs 1/10 at x=1
    assertThat(ks.get("p_value").isNumber()).isTrue();
    JsonNode colour = json.get("features").get(1);
    assertThat(colour.get("results").get(0).get("score").asDouble()).isEqualTo(0.0);
    assertThat(colour.get("results").get(0).get("p_value").isNull()).isTrue();

    Dataset<Row> results = spark.read().format("delta").load(lake.path("drift_results"));
    // x: psi, ks, js, wasserstein; colour: psi, js, chi2, tvd, linf
    assertThat(results.count()).isEqualTo(9);
    Row row = results.where("feature = 'x' and method = 'psi'").first();
    assertThat(row.<Double>getAs("score")).isCloseTo(psiX, within(1e-12));
    assertThat(row.<Long>getAs("current_version")).isZero();
    assertThat(row.<String>getAs("run_id")).isEqualTo("drift-run-1");
    assertThat(row.<String, String>getJavaMap(row.fieldIndex("conventions")))
        .containsEntry("bins", "10").containsEntry("log_base", "e");
    // Every row names the job that compared and the run's status with its reason: what the DAG's
    // decide reads instead of drift.json.
    assertThat(results.select("job", "status", "reason").distinct().collectAsList())
        .extracting(Row::toString)
        .containsExactly("[drift,drifted,1 of 2 features drifted (50%) >= 25%: x]");

    // A retried run (same run id) adds no rows.
    DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")), Optional.of(TableRef.parse("cur@0")),
        Optional.of(reports), "drift-run-1");
    assertThat(spark.read().format("delta").load(lake.path("drift_results")).count()).isEqualTo(9);
  }

  @Test
  void trainPinsTheResolvedVersionAndDriftDefaultsToIt(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 3000, 0, 0.0, 5), "t0", "run");
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 3000, 1, 0.0, 5), "t1", "run");

    Model model = TrainJob.train(lake, TableRef.parse("training@0"), "train-run", "manual");
    assertThat(model.trainingVersion()).isZero();
    assertThat(model.features()).contains("income", "employment_type")
        .doesNotContain("customer_id", "defaulted");
    // The label depends on the features, so a real model beats chance clearly.
    assertThat(model.metric("auc_roc"))
        .hasValueSatisfying(auc -> assertThat(auc).isGreaterThan(0.65));
    assertThat(model.trainRows() + model.testRows()).isEqualTo(3000);
    assertThat(model.testRows()).isBetween(450L, 750L); // 20 % by key hash

    Model latest = TrainJob.train(lake, TableRef.parse("training"), "train-run-2", "manual");
    assertThat(latest.trainingVersion()).isEqualTo(1); // "latest" resolved and recorded

    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 2000, 5, 1.0, 5), "p1", "run");
    DriftRun run = DriftJob.run(lake, Optional.empty(), Optional.empty(),
        Optional.of(dir.resolve("r")), "d1");
    assertThat(run.reference()).isEqualTo(TableRef.parse("training@1"));
    assertThat(run.current()).isEqualTo(TableRef.parse("production@0:added"));
    assertThat(run.report().drifted()).isTrue();

    Map<String, Double> metrics = Evaluator.evaluate(lake, latest, TableRef.parse("production"), "e1");
    assertThat(metrics.get("rows")).isEqualTo(2000.0);
    assertThat(metrics.get("unlabelled_rows")).isEqualTo(0.0);
    assertThat(spark.read().format("delta").load(lake.path("evaluations")).count())
        .isEqualTo(metrics.size());
  }

  @Test
  void evaluatingATableThatLacksAFeatureNamesIt(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 1000, 0, 0.0, 5), "t0", "run");
    Model model = TrainJob.train(lake, TableRef.parse("training"), "r", "manual");
    IngestJob.ingest(lake, "other", GenerateJob.batch(spark, 100, 1, 0.0, 5).drop("income"), "o", "r");
    assertThatThrownBy(() -> Evaluator.evaluate(lake, model, TableRef.parse("other"), "e"))
        .hasMessage("Model " + model.modelId() + " needs feature 'income', which table 'other' "
            + "version 0 lacks");
    assertThat(lake.exists("evaluations")).isFalse();
  }

  /**
   * The label is a role, not a feature: production rows without it (labels arrive later) raise
   * no schema failure, and it is never scored; a real feature missing still fails.
   */
  @Test
  void theLabelMissingFromUnlabelledRowsIsNoSchemaFailure(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 1000, 0, 0.0, 5), "t0", "run");
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 800, 1, 0.0, 5)
        .drop("defaulted"), "p1", "run");
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("production@0")), Optional.of(dir.resolve("r")), "roles");
    assertThat(run.checks()).filteredOn(c -> c.check().startsWith("column_")).isEmpty();
    assertThat(run.report().features()).extracting(f -> f.feature())
        .doesNotContain("defaulted", "customer_id");

    // A scored feed carries the model's outputs beside its features; training never does. The
    // prediction columns are roles: never compared, listed as skipped, no schema failure.
    IngestJob.ingest(lake, "scored", GenerateJob.batch(spark, 800, 1, 0.0, 5).drop("defaulted")
        .withColumn("prediction", org.apache.spark.sql.functions.lit(1.0))
        .withColumn("probability", org.apache.spark.sql.functions.lit(0.7)), "s1", "run");
    DriftRun scored = DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("scored")), Optional.of(dir.resolve("r1")), "roles-1");
    assertThat(scored.checks()).filteredOn(c -> c.check().startsWith("column_")).isEmpty();
    assertThat(scored.report().features()).extracting(f -> f.feature())
        .doesNotContain("defaulted", "customer_id", "prediction", "probability")
        .hasSameSizeAs(run.report().features());
    assertThat(scored.schema().skipped()).extracting(c -> c.column() + ": " + c.reason())
        .contains("customer_id: role: key", "prediction: role: prediction",
            "probability: role: prediction");

    IngestJob.ingest(lake, "other", GenerateJob.batch(spark, 800, 2, 0.0, 5)
        .drop("defaulted").drop("income"), "o1", "run2");
    DriftRun missing = DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("other")), Optional.of(dir.resolve("r2")), "roles-2");
    assertThat(missing.checks()).filteredOn(c -> c.check().startsWith("column_"))
        .extracting(c -> c.check() + " " + c.feature() + " " + c.failed())
        .containsExactly("column_removed income true");
  }
}
