package io.driftlake.drift.spark;

import static io.driftlake.drift.spark.TestDriftAnalysis.numbers;
import static io.driftlake.drift.spark.TestDriftAnalysis.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.LocalSpark;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Approximate mode (profiles only) against scipy: the stated error bound must hold. And n in the
 * millions against closed forms.
 */
@ExtendWith(LocalSpark.class)
class TestApproximateAndScale {
  private static final DriftSettings APPROXIMATE = DriftSettings.from(ConfigFactory.parseString(
      "driftlake.drift.statistics-mode = approximate").withFallback(ConfigFactory.defaultReference()));
  private static final DriftSettings EXACT = DriftSettings.from(ConfigFactory.defaultReference());
  private static final List<FeatureSpec> X = List.of(new FeatureSpec("x", FeatureType.NUMERIC));

  static Stream<JsonNode> ksGolden() {
    return Golden.cases("ks").stream();
  }

  static Stream<JsonNode> wassersteinGolden() {
    return Golden.cases("wasserstein").stream();
  }

  /**
   * The comparison from the profiles alone, as a drift from stored profiles makes it: no exact
   * refinement of undecided features (which {@code run} in approximate mode would do).
   */
  private static DriftReport profilesOnly(SparkSession spark, JsonNode c) {
    DriftAnalysis analysis = new DriftAnalysis(APPROXIMATE);
    List<Map<String, FeatureProfile>> both = analysis.profileAll(List.of(
        numbers(spark, Golden.doubles(c.get("ref"))),
        numbers(spark, Golden.doubles(c.get("cur")))), X);
    return analysis.compare(both.get(0), both.get(1), X);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ksGolden")
  void approximateKsIsWithinItsStatedBoundOfScipy(JsonNode c, SparkSession spark) {
    DriftReport report = profilesOnly(spark, c);
    MethodResult ks = result(report, "x", "ks");
    double bound = Double.parseDouble(ks.conventions().get("error_bound"));
    assertThat(ks.conventions()).containsEntry("mode", "approximate");
    assertThat(bound).isBetween(0.0, 0.5);
    assertThat(Math.abs(ks.score() - c.get("statistic").asDouble())).isLessThanOrEqualTo(bound + 1e-12);
    assertThat(ks.pValue()).isBetween(0.0, 1.0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wassersteinGolden")
  void approximateWassersteinIsWithinItsStatedBoundOfScipy(JsonNode c, SparkSession spark) {
    DriftReport report = profilesOnly(spark, c);
    MethodResult w = result(report, "x", "wasserstein");
    double w1 = Double.parseDouble(w.conventions().get("w1"));
    double bound = Double.parseDouble(w.conventions().get("w1_error_bound"));
    double scipy = c.get("value").asDouble();
    assertThat(Math.abs(w1 - scipy)).isLessThanOrEqualTo(bound + 1e-9 * Math.max(1, scipy));
    // The bound is informative: within 1 % of the distance for these samples.
    assertThat(bound).isLessThanOrEqualTo(0.01 * scipy + 1e-12);
  }

  /**
   * Two million rows a side. Reference 0..n−1, current the same shifted by k: every closed form
   * is known — KS D = k/n, W1 = k, and the current's nulls and NaN are counted apart.
   */
  @Test
  void millionsOfRowsMatchClosedForms(SparkSession spark) {
    long n = 2_000_000;
    long k = 1_000;
    Dataset<Row> ref = spark.range(0, n, 1, 4).selectExpr("cast(id as double) as x");
    Dataset<Row> cur = spark.range(0, n + 300, 1, 4).selectExpr(
        "case when id >= " + (n + 200) + " then null when id >= " + n
            + " then double('NaN') else cast(id + " + k + " as double) end as x");
    DriftAnalysis analysis = new DriftAnalysis(EXACT);
    Map<String, FeatureProfile> r = analysis.profile(ref, X);
    Map<String, FeatureProfile> c = analysis.profile(cur, X);
    assertThat(c.get("x").rows()).isEqualTo(n + 300);
    assertThat(c.get("x").nulls()).isEqualTo(100);
    assertThat(c.get("x").valid()).isEqualTo(n);

    DriftReport exact = analysis.compareExact(r, c, X, ref, cur);
    MethodResult ks = result(exact, "x", "ks");
    assertThat(ks.score()).isCloseTo((double) k / n, within(1e-12));
    assertThat(ks.conventions()).containsEntry("mode", "exact").containsEntry("p_value", "asymptotic");
    MethodResult w = result(exact, "x", "wasserstein");
    assertThat(Double.parseDouble(w.conventions().get("w1"))).isCloseTo(k, within(1e-6));
    // W1 / population std of 0..n−1 = k / sqrt((n² − 1) / 12)
    assertThat(w.score()).isCloseTo(k / Math.sqrt((n * (double) n - 1) / 12), within(1e-9));

    DriftReport approximate = analysis.compare(r, c, X);
    MethodResult aks = result(approximate, "x", "ks");
    double bound = Double.parseDouble(aks.conventions().get("error_bound"));
    assertThat(Math.abs(aks.score() - (double) k / n)).isLessThanOrEqualTo(bound);
    MethodResult aw = result(approximate, "x", "wasserstein");
    assertThat(Math.abs(Double.parseDouble(aw.conventions().get("w1")) - k))
        .isLessThanOrEqualTo(Double.parseDouble(aw.conventions().get("w1_error_bound")) + 1e-6);
  }
}
