package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
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

@ExtendWith(LocalSpark.class)
class TestDriftChecksAndHtml {
  private static final StructType TINY = new StructType()
      .add("customer_id", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("colour", DataTypes.StringType).add("defaulted", DataTypes.IntegerType);

  static Dataset<Row> rows(SparkSession spark, StructType schema, List<Object[]> values) {
    return spark.createDataFrame(values.stream().map(RowFactory::create).toList(), schema);
  }

  static Dataset<Row> tiny(SparkSession spark, double[] xs, String[] colours) {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      rows.add(new Object[] {"k" + i, xs[i], colours[i], i % 2});
    }
    return rows(spark, TINY, rows);
  }

  @Test
  void plantedNewCategoryAndOutOfRangeValuesAreCheckRowsJsonAndHtml(SparkSession spark,
                                                                    @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
        new String[] {"r", "r", "r", "r", "r", "g", "g", "g", "g", "g"}), "b0", "run");
    // Planted: 20 and 30 above the reference max 10 (2 of 10, in fine bins far from 10);
    // category "<i>&" the reference never had (2 of 10; its name also tests HTML escaping).
    IngestJob.ingest(lake, "cur", tiny(spark, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 20, 30},
        new String[] {"r", "r", "r", "r", "g", "g", "g", "g", "<i>&", "<i>&"}), "b0", "run");

    Path reports = dir.resolve("reports");
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")),
        Optional.of(TableRef.parse("cur@0")), Optional.of(reports), "checks-run-1");

    // Severity = PSI (ε = 1e-4). colour: "<i>&" 0 → .2, r and g .5 → .4;
    // x: bin of 9 .1 → 0 (floored), open top bin (10, ∞) .1 → .3 (10, 20, 30), others equal.
    double psiColour = (0.2 - 1e-4) * Math.log(0.2 / 1e-4) + 2 * (0.4 - 0.5) * Math.log(0.4 / 0.5);
    double psiX = (0.3 - 0.1) * Math.log(3) + (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    assertThat(psiColour).isGreaterThan(psiX);
    assertThat(run.report().features()).extracting(FeatureDrift::feature, FeatureDrift::drifted)
        .containsExactly(tuple("colour", true), tuple("x", true));

    Dataset<Row> checks = spark.read().format("delta").load(lake.path("drift_checks"));
    assertThat(checks.schema().fieldNames()).containsExactly("run_id", "computed_at",
        "reference_table", "reference_version", "reference_selection", "current_table",
        "current_version", "current_selection", "feature", "check", "value", "threshold",
        "failed", "detail");
    // Same schema on both sides: no schema rows. x: null share, range; colour: null share, new,
    // vanished; in the order the checks ran (the reference's column order).
    assertThat(checks.orderBy("feature", "check").collectAsList()).extracting(
            r -> r.getAs("feature"), r -> r.getAs("check"), r -> r.getAs("value"),
            r -> r.getAs("threshold"), r -> r.getAs("failed"), r -> r.getAs("detail"))
        .containsExactly(
            tuple("colour", "new_categories", 1.0, 0.0, true,
                "1 category the reference lacks: '<i>&' (2 rows); fails when more than 0"),
            tuple("colour", "null_share_change", 0.0, 0.05, false,
                "null or NaN share 0 in the reference (0 of 10 rows), 0 in the current selection "
                    + "(0 of 10 rows); fails when |change| > 0.05"),
            tuple("colour", "vanished_categories", 0.0, 0.0, false,
                "no reference category vanished; fails when more than 0"),
            tuple("x", "null_share_change", 0.0, 0.05, false,
                "null or NaN share 0 in the reference (0 of 10 rows), 0 in the current selection "
                    + "(0 of 10 rows); fails when |change| > 0.05"),
            tuple("x", "out_of_range_share", 0.2, 0.1, true,
                "2 of 10 current values outside the reference range [1, 10]; fails when share > 0.1"));
    Row any = checks.first();
    assertThat(any.<String>getAs("run_id")).isEqualTo("checks-run-1");
    assertThat(any.<String>getAs("reference_table")).isEqualTo("ref");
    assertThat(any.<Long>getAs("current_version")).isZero();

    JsonNode json = new ObjectMapper().readTree(reports.resolve("drift.json").toFile());
    assertThat(json.get("features")).hasSize(2); // the existing shape is still there
    JsonNode jsonChecks = json.get("checks");
    assertThat(jsonChecks).hasSize(5);
    JsonNode range = jsonChecks.get(1);
    assertThat(range.get("check").asText()).isEqualTo("out_of_range_share");
    assertThat(range.get("feature").asText()).isEqualTo("x");
    assertThat(range.get("value").asDouble()).isEqualTo(0.2);
    assertThat(range.get("threshold").asDouble()).isEqualTo(0.1);
    assertThat(range.get("failed").asBoolean()).isTrue();

    Path html = reports.resolve("drift.html");
    assertThat(run.htmlFile().localPath()).isEqualTo(html.toAbsolutePath());
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg", "Dataset drifted",
            "failed checks</th><td>2 of 5</td>")
        .doesNotContain("http://", "https://", "<script", "NaN", "Infinity", "<i>&")
        .contains("'&lt;i&gt;&amp;' (2 rows)"); // Commons Text's HTML 4 escaping keeps '
    assertThat(page.indexOf("id=\"feature-colour\"")).isPositive()
        .isLessThan(page.indexOf("id=\"feature-x\""));

    // A retried run (same run id) adds no check rows.
    DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")), Optional.of(TableRef.parse("cur@0")),
        Optional.of(reports), "checks-run-1");
    assertThat(spark.read().format("delta").load(lake.path("drift_checks")).count()).isEqualTo(5);
  }

  @Test
  void addedAndRetypedColumnsAreCheckRowsAndOnlySharedFeaturesAreCompared(SparkSession spark,
                                                                          @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, new double[] {1, 2, 3, 4},
        new String[] {"r", "g", "r", "g"}), "b0", "run");
    // Current: x became a string (its feature type changed) and a new numeric column y appears.
    StructType changed = new StructType()
        .add("customer_id", DataTypes.StringType).add("x", DataTypes.StringType)
        .add("colour", DataTypes.StringType).add("defaulted", DataTypes.IntegerType)
        .add("y", DataTypes.DoubleType);
    IngestJob.ingest(lake, "cur", rows(spark, changed, List.of(
        new Object[] {"k0", "1", "r", 0, 0.5}, new Object[] {"k1", "2", "g", 1, 0.7},
        new Object[] {"k2", "3", "r", 0, null}, new Object[] {"k3", "4", "g", 1, 0.1})),
        "b0", "run");

    Path reports = dir.resolve("reports");
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")),
        Optional.of(TableRef.parse("cur@0")), Optional.of(reports), "schema-run");

    assertThat(run.report().features()).extracting(FeatureDrift::feature).containsExactly("colour");
    assertThat(run.schema().onlyInCurrent()).containsExactly("y");
    Dataset<Row> checks = spark.read().format("delta").load(lake.path("drift_checks"));
    assertThat(checks.where("check like 'column_%'").orderBy("check").collectAsList()).extracting(
            r -> r.getAs("feature"), r -> r.getAs("check"), r -> r.getAs("value"),
            r -> r.getAs("failed"), r -> r.getAs("detail"))
        .containsExactly(
            tuple("y", "column_added", null, true,
                "column 'y' (double) is only in the current selection"),
            tuple("x", "column_retyped", null, true,
                "column 'x' is double in the reference but string in the current selection; "
                    + "not compared"));
    // colour: null share, new, vanished; nothing for x or y beyond the schema rows.
    assertThat(checks.where("check not like 'column_%'").select("feature").distinct()
        .collectAsList()).extracting(r -> r.getString(0)).containsExactly("colour");
    assertThat(spark.read().format("delta").load(lake.path("drift_results"))
        .select("feature").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactly("colour");
    String page = Files.readString(reports.resolve("drift.html"));
    assertThat(page).contains("Schema and other column checks", "column_added", "column_retyped")
        .doesNotContain("id=\"feature-x\"", "NaN", "Infinity");
  }
}
