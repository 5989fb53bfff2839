package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestNumericBinning {
  private static NumericProfile profile(double... values) {
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    for (double v : values) {
      double finite = Double.isFinite(v) ? v : 0.0;
      bins.merge(FineBins.key(v), new NumericProfile.Bin(1, v, v, finite, finite * finite),
          NumericProfile.Bin::merge);
    }
    return new NumericProfile("x", values.length, 0, 0, bins);
  }

  @Test
  void edgesAreDecilesOfTheReferenceSnappedToFineBins() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = i + 1; // 1..100: the i-th decile ends at 10·i, a value with a fine bin of its own
    }
    NumericBinning binning = NumericBinning.fromReference(profile(values), 10);
    assertThat(binning.bins()).isEqualTo(10);
    for (int i = 0; i < 9; i++) {
      // Bin i holds 10(i)+1 .. 10(i+1); its upper edge is the upper boundary of 10(i+1)'s fine bin.
      assertThat(binning.edges()[i]).isEqualTo(FineBins.upperEdge(FineBins.key(10.0 * (i + 1))));
    }
    assertThat(binning.counts(profile(values))).containsOnly(10L);
    // A current profile is cut at the same edges: everything above 90 falls in the open last bin.
    assertThat(binning.counts(profile(0.5, 95, 1e9, 2e9)))
        .containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 3);
  }

  @Test
  void infiniteQuantilesGiveNoEdgeSoEveryEdgeIsFinite() {
    // 30 % −∞ and 20 % +∞: the first three deciles and the last one lie at an infinity.
    double[] values = new double[10];
    java.util.Arrays.fill(values, 0, 3, Double.NEGATIVE_INFINITY);
    java.util.Arrays.fill(values, 8, 10, Double.POSITIVE_INFINITY);
    for (int i = 3; i < 8; i++) {
      values[i] = i;
    }
    NumericBinning binning = NumericBinning.fromReference(profile(values), 10);
    assertThat(java.util.Arrays.stream(binning.edges()).allMatch(Double::isFinite)).isTrue();
    assertThat(binning.edges()).containsExactly(FineBins.upperEdge(FineBins.key(3.0)),
        FineBins.upperEdge(FineBins.key(4.0)),
        FineBins.upperEdge(FineBins.key(5.0)), FineBins.upperEdge(FineBins.key(6.0)),
        FineBins.upperEdge(FineBins.key(7.0)));
    // −∞ joins the open first bin (with 3), +∞ the open last one (above 7).
    assertThat(binning.counts(profile(values))).containsExactly(4, 1, 1, 1, 1, 2);
  }

  @Test
  void methodResultsRefuseNonFiniteNumbers() {
    assertThatThrownBy(() -> new MethodResult("psi", Double.NaN, null, 0.2, Verdict.NOT_DRIFTED, null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Method 'psi' gave a non-finite result: score NaN, p-value null");
    assertThatThrownBy(() -> new MethodResult("ks", 0.5, Double.POSITIVE_INFINITY, 0.05, Verdict.NOT_DRIFTED,
        null, Map.of())).hasMessage(
            "Method 'ks' gave a non-finite result: score 0.5, p-value Infinity");
    assertThatThrownBy(() -> new MethodResult("psi", 0.1, null, 0.2, Verdict.NOT_DRIFTED, null,
        Map.of("edges", "[1.0,Infinity]"))).hasMessage(
            "Method 'psi' recorded a non-finite convention edges = [1.0,Infinity]");
    assertThat(new MethodResult("wasserstein", 0.1, null, 0.1, Verdict.NOT_DRIFTED, null,
        Map.of("values", "finite only (infinities left out: reference 1, current 0)"))
        .conventions()).hasSize(1);
  }
}
