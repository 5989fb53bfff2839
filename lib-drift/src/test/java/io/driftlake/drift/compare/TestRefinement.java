package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.profile.BinCounts;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.Arrays;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestRefinement {
  /**
   * Refining by hand, level by level, lands on the value the sort-based definition gives. Values
   * 1 + i·10⁻⁶: ref takes the even i, cur the odd ones plus a run of ties, so the candidates of
   * the first step (sub-bins of 2⁻¹⁴) hold several values each and need a second step.
   */
  @Test
  void refinesDownToTheSortBasedKs() {
    double[] ref = new double[4000];
    double[] cur = new double[3000];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = 1 + 2 * i / 1e6;
    }
    for (int i = 0; i < cur.length; i++) {
      cur[i] = i < 2000 ? 1 + (2 * i + 1) / 1e6 : 1.002; // 1.002 is also in ref
    }
    NumericProfile r = profile(ref, FineBins.SHIFT);
    NumericProfile c = profile(cur, FineBins.SHIFT);
    int shift = FineBins.SHIFT;
    int passes = 0;
    SortedSet<Long> candidates = Refinement.candidates(r, c, true, true);
    while (!candidates.isEmpty()) {
      int next = Refinement.nextShift(shift, Refinement.values(r, candidates)
          + Refinement.values(c, candidates), 10);
      r = Refinement.apply(r, "reference", candidates, subBins(ref, candidates, shift, next),
          shift, next);
      c = Refinement.apply(c, "current", candidates, subBins(cur, candidates, shift, next),
          shift, next);
      shift = next;
      passes++;
      candidates = Refinement.candidates(r, c, true, true);
    }
    assertThat(passes).isBetween(2, 7);
    assertThat(HistogramKs.certify(r, c).lowerBound()).isEqualTo(sortedKs(ref, cur));
  }

  @Test
  void subBinsThatDoNotAddUpAreAnError() {
    double[] ref = {1.0, 1.001, 1.002};
    NumericProfile r = profile(ref, FineBins.SHIFT);
    Set<Long> all = r.bins().keySet();
    var sub = subBins(new double[] {1.0, 1.001}, all, FineBins.SHIFT, 0);
    assertThatThrownBy(() -> Refinement.apply(r, "reference", all, sub, FineBins.SHIFT, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Exact pass for feature 'x' found 2 reference values in its 1 candidate bins, "
            + "the profile has 3: did the data change between the passes?");
  }

  private static NumericProfile profile(double[] values, int shift) {
    BinCounts counts = new BinCounts();
    for (double v : values) {
      counts.add(FineBins.key(v, shift), v);
    }
    return new NumericProfile("x", values.length, 0, 0, counts.toBins());
  }

  private static TreeMap<Long, NumericProfile.Bin> subBins(double[] values, Set<Long> candidates,
                                                           int shift, int next) {
    BinCounts counts = new BinCounts();
    for (double v : values) {
      if (candidates.contains(FineBins.key(v, shift))) {
        counts.add(FineBins.key(v, next), v);
      }
    }
    return counts.toBins();
  }

  /** max |F − G| over the pooled sorted values, ties as whole groups. */
  private static double sortedKs(double[] a, double[] b) {
    double[] x = a.clone();
    double[] y = b.clone();
    Arrays.sort(x);
    Arrays.sort(y);
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < x.length || j < y.length) {
      double v = Math.min(i < x.length ? x[i] : Double.POSITIVE_INFINITY,
          j < y.length ? y[j] : Double.POSITIVE_INFINITY);
      while (i < x.length && x[i] == v) {
        i++;
      }
      while (j < y.length && y[j] == v) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
    }
    return d;
  }
}
