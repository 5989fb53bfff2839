package io.driftlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.spark.multivariate.MultivariateAnalysis;
import io.driftlake.drift.testing.Correlated;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftResults;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.drift.ProfiledDrift;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Multivariate drift through the drift job on real Delta tables. Injected answer: two versions
 * whose columns hold exactly the same values, x and y re-paired from correlation 0.8 to −0.8:
 * the dataset-level rows of {@code drift_results} say drifted for both methods, every
 * per-feature row says not drifted, and drift.json and drift.html show it. With
 * {@code --mode profiles} (Spark path and Kernel path) both rows are there, unknown, with why.
 */
@ExtendWith(LocalSpark.class)
class TestMultivariateDriftJob {
  private static final String CONFIG = "driftlake.drift.multivariate { enabled = true, "
      + "sample-rows = 100000, trees = 5, max-depth = 3 }\n";

  private static Dataset<Row> table(SparkSession spark, List<Row> rows) {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType);
    for (var f : Correlated.SCHEMA.fields()) {
      schema = schema.add(f);
    }
    schema = schema.add("defaulted", DataTypes.IntegerType);
    List<Row> keyed = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      keyed.add(RowFactory.create("k" + i, r.get(0), r.get(1), r.get(2), r.get(3), i % 2));
    }
    return spark.createDataFrame(keyed, schema);
  }

  @Test
  void correlationFlipIsTwoDatasetRowsJsonAndHtmlAndUnknownFromProfiles(SparkSession spark,
                                                                        @TempDir Path dir)
      throws Exception {
    JobSettings settings = TestLakes.settings(dir, CONFIG);
    Lake lake = new Lake(spark, settings);
    List<Row> reference = Correlated.rows(1500, 0.8, 1);
    IngestJob.ingest(lake, "ref", table(spark, reference), "b0", "run");
    IngestJob.ingest(lake, "cur", table(spark, Correlated.reordered(reference, -0.8, 2)), "b0",
        "run");
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> cur = Optional.of(TableRef.parse("cur@0"));

    DriftRun run = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("exact")), "mv-exact");

    Dataset<Row> results = spark.read().format("delta").load(lake.path("drift_results"))
        .where(col("run_id").equalTo("mv-exact"));
    assertThat(results.where(col("feature").notEqual(DriftResults.DATASET))
        .select("drifted").distinct().collectAsList())
        .extracting(r -> r.getBoolean(0)).containsExactly(false);
    List<Row> dataset = results.where(col("feature").equalTo(DriftResults.DATASET))
        .orderBy("method").collectAsList();
    assertThat(dataset).extracting(r -> r.getAs("feature_type"), r -> r.getAs("method"),
            r -> r.getAs("drifted"), r -> r.getAs("decided_by"), r -> r.getAs("feature_drifted"),
            r -> r.getAs("dataset_drifted"))
        .containsExactly(
            tuple("dataset", "domain_classifier", true, "domain_classifier", false, false),
            tuple("dataset", "pca_reconstruction", true, "pca_reconstruction", false, false));
    Row classifier = dataset.get(0);
    assertThat(classifier.<Double>getAs("score")).isGreaterThan(0.7);
    assertThat(classifier.<Double>getAs("threshold")).isEqualTo(0.55);
    scala.collection.Map<String, String> conventions = classifier.getAs("conventions");
    assertThat(conventions.get("folds").get()).isEqualTo("3");
    assertThat(conventions.get("reference_sample_rows").get()).isEqualTo("1500");
    assertThat(conventions.get("features").get()).isEqualTo("x, y, w, channel");
    Row pca = dataset.get(1);
    assertThat(pca.<Double>getAs("score")).isGreaterThan(pca.<Double>getAs("threshold"));

    JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("exact/drift.json")));
    JsonNode multivariate = json.get("multivariate");
    assertThat(multivariate.get("drifted").asBoolean()).isTrue();
    assertThat(multivariate.get("results").get(0).get("verdict").asText()).isEqualTo("drifted");
    assertThat(multivariate.get("results").get(0).get("score").asDouble())
        .isEqualTo(classifier.<Double>getAs("score"));
    assertThat(List.of(multivariate.get("top_features").get(0).get("feature").asText(),
        multivariate.get("top_features").get(1).get("feature").asText()))
        .containsExactlyInAnyOrder("x", "y");
    String html = Files.readString(dir.resolve("exact/drift.html"));
    assertThat(html).contains("<h2 id=\"multivariate\">Multivariate drift</h2>",
        "<figure class=\"importances\">", "<figure class=\"pca-band\">");
    assertThat(run.report().multivariate().drifted()).isTrue();

    // Mode profiles: on Spark, and from the stored profiles with Kernel alone.
    DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("spark-profiles")), "mv-profiles",
        Optional.of(DriftSettings.StatisticsMode.PROFILES));
    Optional<DriftRun> kernel = ProfiledDrift.run(settings, ref, cur,
        Optional.of(io.driftlake.jobs.common.Location.of(dir.resolve("kernel-profiles"))),
        "mv-kernel", Optional.of(DriftSettings.StatisticsMode.PROFILES));
    assertThat(kernel).isPresent();
    for (String runId : List.of("mv-profiles", "mv-kernel")) {
      assertThat(spark.read().format("delta").load(lake.path("drift_results"))
          .where(col("run_id").equalTo(runId).and(col("feature").equalTo(DriftResults.DATASET)))
          .orderBy("method").collectAsList())
          .extracting(r -> r.getAs("method"), r -> r.getAs("score"), r -> r.getAs("drifted"),
              r -> r.getAs("note"))
          .containsExactly(
              tuple("domain_classifier", null, false, MultivariateAnalysis.PROFILES_MODE),
              tuple("pca_reconstruction", null, false, MultivariateAnalysis.PROFILES_MODE));
    }
    assertThat(new ObjectMapper().readTree(Files.readString(dir.resolve(
            "kernel-profiles/drift.json"))).get("multivariate").get("results").get(1)
        .get("verdict").asText()).isEqualTo("unknown");
  }
}
