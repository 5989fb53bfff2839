package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.profile.BinClosed;
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
  void edgesAreTheReferenceDecilesAsNumpyInterpolatesThem() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = i + 1;
    }
    NumericBinning binning = NumericBinning.fromReference(profile(values), 10);
    assertThat(binning.bins()).isEqualTo(10);
    assertThat(binning.edgesExact()).isTrue();
    // np.quantile(np.arange(1, 101.0), np.arange(1, 10) / 10)
    assertThat(binning.edges()).containsExactly(10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2,
        90.10000000000001);
    assertThat(binning.counts(profile(values))).containsOnly(10L);
    // A current profile is cut at the same edges: everything above 90.1 falls in the open last
    // bin.
    assertThat(binning.counts(profile(0.5, 95, 1e9, 2e9)))
        .containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 3);
  }

  @Test
  void aValueEqualToAnEdgeGoesUpWhenClosedLeftAndDownWhenClosedRight() {
    // 1..5 each twice: np.quantile(v, np.arange(1, 10) / 10) has the edges 1, 2, 3, 4 and 5,
    // values of the sample, between the interpolated ones.
    double[] values = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    NumericBinning left = NumericBinning.fromReference(profile(values), 10,
        BinClosed.LEFT, Map.of());
    assertThat(left.edges()).containsExactly(1.0, 1.8, 2.0, 2.6, 3.0, 3.3999999999999995,
        4.0, 4.2, 5.0);
    // np.bincount(np.searchsorted(edges, values, side='right')) and side='left'.
    assertThat(left.counts(profile(values))).containsExactly(0, 2, 0, 2, 0, 2, 0, 2, 0, 2);
    NumericBinning right = NumericBinning.fromReference(profile(values), 10,
        BinClosed.RIGHT, Map.of());
    assertThat(right.counts(profile(values))).containsExactly(2, 0, 2, 0, 2, 0, 2, 0, 2, 0);
  }

  @Test
  void infiniteQuantilesGiveNoEdgeSoEveryEdgeIsFinite() {
    // 30 % −∞ and 20 % +∞: numpy's quantiles next to an infinity are ±∞ or NaN.
    double[] values = new double[10];
    java.util.Arrays.fill(values, 0, 3, Double.NEGATIVE_INFINITY);
    java.util.Arrays.fill(values, 8, 10, Double.POSITIVE_INFINITY);
    for (int i = 3; i < 8; i++) {
      values[i] = i;
    }
    NumericBinning binning = NumericBinning.fromReference(profile(values), 10);
    // np.quantile(x, np.arange(1, 10) / 10) = [nan, nan, -inf, 3.6, 4.5, 5.4, 6.3, inf, nan]
    assertThat(binning.edges()).containsExactly(3.6, 4.5, 5.3999999999999995, 6.3);
    // −∞ joins the open first bin (with 3), +∞ the open last one (with 7).
    assertThat(binning.counts(profile(values))).containsExactly(4, 1, 1, 1, 3);
  }

  @Test
  void anEdgeInsideAFineBinIsAnEstimateAndItsBinsValuesAreUncertain() {
    // 1000 values in [1, 1.004): one fine bin (1/128 wide), many distinct values in it.
    double[] values = new double[1000];
    for (int i = 0; i < 1000; i++) {
      values[i] = 1 + i * 4e-6;
    }
    NumericProfile p = profile(values);
    assertThat(p.bins()).hasSize(1);
    NumericBinning binning = NumericBinning.fromReference(p, 10, BinClosed.LEFT,
        Map.of());
    assertThat(binning.edgesExact()).isFalse();
    NumericBinning.Counts counts = binning.counts(p, 0);
    assertThat(counts.uncertain()).isEqualTo(1000);
    assertThat(java.util.Arrays.stream(counts.counts()).sum()).isEqualTo(1000);
    assertThat(NumericBinning.needed(p, p, 10, BinClosed.LEFT))
        .containsExactly(FineBins.key(1.0));
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
