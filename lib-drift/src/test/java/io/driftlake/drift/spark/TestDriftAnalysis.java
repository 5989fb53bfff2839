package io.driftlake.drift.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LocalSpark.class)
class TestDriftAnalysis {
  private static final DriftSettings SETTINGS = DriftSettings.from(ConfigFactory.defaultReference());
  private static final StructType NUMBER = new StructType().add("x", DataTypes.DoubleType, true);
  private static final StructType CATEGORY = new StructType().add("c", DataTypes.StringType, true);

  static Dataset<Row> numbers(SparkSession spark, double... values) {
    List<Row> rows = new ArrayList<>();
    for (double v : values) {
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, NUMBER).repartition(2);
  }

  static MethodResult result(DriftReport report, String feature, String method) {
    FeatureDrift f = report.features().stream().filter(x -> x.feature().equals(feature))
        .findFirst().orElseThrow();
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }

  static Stream<JsonNode> golden() {
    return Golden.cases("ks").stream();
  }

  /** The exact statistic comes from fine histograms + a refine pass, never a global sort. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void ksThroughSparkMatchesScipy(JsonNode c, SparkSession spark) {
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, Golden.doubles(c.get("ref"))), numbers(spark, Golden.doubles(c.get("cur"))),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    MethodResult ks = result(report, "x", "ks");
    assertThat(ks.score()).isCloseTo(c.get("statistic").asDouble(), within(1e-12));
    double p = c.get("pvalue").asDouble();
    assertThat(ks.pValue()).isCloseTo(p, within(Math.max(1e-9, p * 1e-3)));
    assertThat(ks.conventions()).containsEntry("mode", "exact");
  }

  @Test
  void handComputedPsiOnATinyTable(SparkSession spark) {
    // Reference 1..10: ten quantile bins, one value each: (-inf,1], (1,2], ..., (8,9], (9,+inf).
    // Current 1,1,1,1,1,2,3,4,5,10 → shares .5 .1 .1 .1 .1 0 0 0 0 .1 vs .1 each.
    // PSI = .4·ln5 + 4·(1e-4 − .1)·ln(1e-4/.1)   (empty bins floored at 1e-4)
    double expected = 0.4 * Math.log(5) + 4 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    assertThat(expected).isCloseTo(3.4041142, within(1e-6));
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
        numbers(spark, 1, 1, 1, 1, 1, 2, 3, 4, 5, 10),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    MethodResult psi = result(report, "x", "psi");
    assertThat(psi.score()).isCloseTo(expected, within(1e-12));
    assertThat(psi.threshold()).isEqualTo(0.2);
    assertThat(psi.drifted()).isTrue();
    assertThat(psi.conventions()).containsEntry("bins", "10")
        .containsEntry("smoothing", "proportions floored at 1.0E-4");
    assertThat(report.features().get(0).drifted()).isTrue();
  }

  @Test
  void categoricalUsesTheCategoryUnionAndReportsNullsApart(SparkSession spark) {
    Dataset<Row> ref = spark.createDataFrame(Arrays.asList(
        RowFactory.create("a"), RowFactory.create("a"), RowFactory.create("b"),
        RowFactory.create("b"), RowFactory.create((Object) null)), CATEGORY);
    Dataset<Row> cur = spark.createDataFrame(Arrays.asList(
        RowFactory.create("a"), RowFactory.create("b"), RowFactory.create("new"),
        RowFactory.create("new")), CATEGORY);
    DriftReport report = new DriftAnalysis(SETTINGS).run(ref, cur,
        List.of(new FeatureSpec("c", FeatureType.CATEGORICAL)));
    // union [a, b, new]: p = .5 .5 0 → floored 1e-4; q = .25 .25 .5
    double expected = 2 * (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
    assertThat(result(report, "c", "psi").score()).isCloseTo(expected, within(1e-12));
    // JS base 2: m = (.375 .375 .25); ½[KL(p‖m) + KL(q‖m)] / ln 2
    double kl1 = 2 * 0.5 * Math.log(0.5 / 0.375);
    double kl2 = 2 * 0.25 * Math.log(0.25 / 0.375) + 0.5 * Math.log(0.5 / 0.25);
    assertThat(result(report, "c", "js").score())
        .isCloseTo((kl1 + kl2) / 2 / Math.log(2), within(1e-12));
    FeatureDrift c = report.features().get(0);
    assertThat(c.referenceNullShare()).isEqualTo(0.2);
    assertThat(c.currentNullShare()).isEqualTo(0.0);
  }

  @Test
  void emptyCurrentSelectionIsNotComputableNeverNaN(SparkSession spark) {
    DriftReport report = new DriftAnalysis(SETTINGS).run(numbers(spark, 1, 2, 3),
        numbers(spark).limit(0), List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    for (MethodResult r : report.features().get(0).results()) {
      assertThat(r.score()).isNull();
      assertThat(r.drifted()).isFalse();
      assertThat(r.note()).isEqualTo("not computable: the current selection has no non-null values");
    }
    assertThat(report.drifted()).isFalse();
  }

  @Test
  void nanAndInfinityAreHandledAndNothingNonFiniteIsReported(SparkSession spark) {
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, 1, 2, Double.NaN, Double.POSITIVE_INFINITY, 3, 4),
        numbers(spark, 1, Double.NEGATIVE_INFINITY, 2, 2, Double.NaN, Double.NaN),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    // NaN is excluded like null; ±inf are ordinary extreme values for KS (as in scipy):
    // ref {1,2,3,4,+inf}, cur {-inf,1,2,2}: max ECDF gap is 0.6 at x=2 (0.4 vs 1.0).
    MethodResult ks = result(report, "x", "ks");
    assertThat(ks.score()).isCloseTo(0.6, within(1e-12));
    for (MethodResult r : report.features().get(0).results()) {
      assertThat(Double.isFinite(r.score())).isTrue();
    }
  }
}
