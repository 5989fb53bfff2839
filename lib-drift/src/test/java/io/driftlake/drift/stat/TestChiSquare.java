package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.testing.Golden;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TestChiSquare {
  static Stream<JsonNode> golden() {
    return Golden.cases("chi2").stream();
  }

  /** Golden counts keep the all-zero columns scipy needed dropped; the test must drop them too. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void matchesScipyChi2ContingencyWithoutCorrection(JsonNode c) {
    ChiSquare.Result r = ChiSquare.homogeneity(Golden.longs(c.get("ref_counts")),
        Golden.longs(c.get("cur_counts")));
    assertThat(r.statistic()).isCloseTo(c.get("statistic").asDouble(), within(1e-10));
    double p = c.get("pvalue").asDouble();
    assertThat(r.pValue()).isCloseTo(p, within(Math.max(1e-14, p * 1e-9)));
    assertThat(r.degreesOfFreedom()).isEqualTo(c.get("dof").asInt());
  }

  @Test
  void handComputedTwoByTwo() {
    // ref (30, 10), cur (10, 30): expected 20 everywhere, χ² = 4 · 10²/20 = 20, dof 1,
    // p = P(χ²₁ > 20) = erfc(√10) = 7.744216431044e-06.
    ChiSquare.Result r = ChiSquare.homogeneity(new long[] {30, 10}, new long[] {10, 30});
    assertThat(r.statistic()).isCloseTo(20.0, within(1e-12));
    assertThat(r.pValue()).isCloseTo(7.744216431044e-06, within(1e-17));
  }

  @Test
  void tinyPValuesDoNotUnderflowToZeroEarly() {
    // Disjoint categories of 10 000 each: χ² = 20 000, p ≈ e^(-10 000) — below the smallest
    // double, so 0 is right; one step less extreme must still be positive.
    assertThat(ChiSquare.homogeneity(new long[] {10_000, 0}, new long[] {0, 10_000}).pValue())
        .isZero();
    double p = ChiSquare.homogeneity(new long[] {700, 300}, new long[] {300, 700}).pValue();
    assertThat(p).isPositive().isLessThan(1e-70);
  }

  @Test
  void commonsMathPValueUnderflowsWhereScipyAnswers() {
    // scipy: chi2_contingency([[700, 300], [300, 700]], correction=False)
    //   -> statistic 320.0, pvalue 1.4484424372736818e-71
    long[] ref = {700, 300};
    long[] cur = {300, 700};
    assertThat(new org.apache.commons.math3.stat.inference.ChiSquareTest()
        .chiSquareTestDataSetsComparison(ref, cur)).isZero();
    ChiSquare.Result r = ChiSquare.homogeneity(ref, cur);
    assertThat(r.statistic()).isCloseTo(320.0, within(1e-9));
    assertThat(r.pValue()).isCloseTo(1.4484424372736818e-71, withinPercentage(1e-8));
  }

  @Test
  void aCategoryEmptyOnBothSidesIsDropped() {
    // scipy: chi2_contingency([[120, 80, 0], [90, 110, 5]], correction=False)
    //   -> statistic 13.962956170915092, pvalue 0.0009289291513024133 (dof 2)
    ChiSquare.Result r = ChiSquare.homogeneity(new long[] {120, 0, 80, 0},
        new long[] {90, 0, 110, 5});
    assertThat(r.degreesOfFreedom()).isEqualTo(2);
    assertThat(r.statistic()).isCloseTo(13.962956170915092, within(1e-10));
    assertThat(r.pValue()).isCloseTo(0.0009289291513024133, within(1e-15));
  }

  @Test
  void oneCategoryHasNoDegreesOfFreedom() {
    ChiSquare.Result r = ChiSquare.homogeneity(new long[] {5, 0}, new long[] {9, 0});
    assertThat(r).isEqualTo(new ChiSquare.Result(0.0, 1.0, 0));
  }

  @Test
  void emptySideIsAnError() {
    assertThatThrownBy(() -> ChiSquare.homogeneity(new long[] {0, 0}, new long[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Empty reference histogram");
  }
}
