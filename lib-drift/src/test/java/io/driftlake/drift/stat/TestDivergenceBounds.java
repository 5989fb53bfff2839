package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestDivergenceBounds {
  /** PSI written out as the textbook formula, floors as numpy users apply them. */
  private static double psi(long[] r, long[] c, double floor) {
    double n = 0;
    double m = 0;
    for (int i = 0; i < r.length; i++) {
      n += r[i];
      m += c[i];
    }
    double sum = 0;
    for (int i = 0; i < r.length; i++) {
      double p = Math.max(r[i] / n, floor);
      double q = Math.max(c[i] / m, floor);
      sum += (q - p) * Math.log(q / p);
    }
    return sum;
  }

  /** JS divergence base 2 as scipy's jensenshannon(p, q, base=2) ** 2. */
  private static double js(long[] r, long[] c) {
    double n = 0;
    double m = 0;
    for (int i = 0; i < r.length; i++) {
      n += r[i];
      m += c[i];
    }
    double sum = 0;
    for (int i = 0; i < r.length; i++) {
      double p = r[i] / n;
      double q = c[i] / m;
      double mid = (p + q) / 2;
      sum += (p > 0 ? p * Math.log(p / mid) : 0) + (q > 0 ? q * Math.log(q / mid) : 0);
    }
    return sum / 2 / Math.log(2);
  }

  /** Every count vector with low[i] <= x[i] <= high[i] and sum(x) = total. */
  private static List<long[]> vectors(long[] low, long[] high, long total) {
    List<long[]> out = new ArrayList<>();
    fill(low, high, total, 0, new long[low.length], out);
    return out;
  }

  private static void fill(long[] low, long[] high, long left, int i, long[] x, List<long[]> out) {
    if (i == low.length - 1) {
      if (left >= low[i] && left <= high[i]) {
        x[i] = left;
        out.add(x.clone());
      }
      return;
    }
    for (long v = low[i]; v <= Math.min(high[i], left); v++) {
      x[i] = v;
      fill(low, high, left - v, i + 1, x, out);
    }
  }

  @Test
  void exactCountsGiveThePointValue() {
    long[] r = {10, 0, 25, 65};
    long[] c = {30, 5, 25, 40};
    DivergenceBounds.Interval psi = DivergenceBounds.psi(r, r, 100, c, c, 100, 1e-4);
    assertThat(psi.lower()).isEqualTo(psi.upper()).isEqualTo(psi(r, c, 1e-4));
    DivergenceBounds.Interval js = DivergenceBounds.jensenShannon(r, r, 100, c, c, 100);
    assertThat(js.lower()).isCloseTo(js(r, c), org.assertj.core.data.Offset.offset(1e-15));
    assertThat(js.upper()).isCloseTo(js(r, c), org.assertj.core.data.Offset.offset(1e-15));
  }

  /**
   * Random boxes around random counts, 3 or 4 bins, totals up to 24: every count vector in the
   * boxes that adds up to the totals (all enumerated) has its PSI and JS inside the bounds.
   */
  @Test
  void everyCountVectorInTheBoxesHasItsScoreInsideTheBounds() {
    SplittableRandom random = new SplittableRandom(18);
    for (int round = 0; round < 300; round++) {
      int bins = 3 + random.nextInt(2);
      long[][] sides = new long[4][bins];
      long[] totals = new long[2];
      for (int side = 0; side < 2; side++) {
        for (int i = 0; i < bins; i++) {
          long count = random.nextInt(7);
          sides[2 * side][i] = Math.max(0, count - random.nextInt(3));
          sides[2 * side + 1][i] = count + random.nextInt(3);
          totals[side] += count;
        }
        if (totals[side] == 0) {
          sides[2 * side][0] = 1;
          sides[2 * side + 1][0] = Math.max(1, sides[2 * side + 1][0]);
          totals[side] = 1;
        }
      }
      double floor = random.nextBoolean() ? 1e-4 : 0.05;
      DivergenceBounds.Interval psi = DivergenceBounds.psi(sides[0], sides[1], totals[0],
          sides[2], sides[3], totals[1], floor);
      DivergenceBounds.Interval js = DivergenceBounds.jensenShannon(sides[0], sides[1],
          totals[0], sides[2], sides[3], totals[1]);
      for (long[] r : vectors(sides[0], sides[1], totals[0])) {
        for (long[] c : vectors(sides[2], sides[3], totals[1])) {
          String what = "round " + round + " ref " + java.util.Arrays.toString(r) + " cur "
              + java.util.Arrays.toString(c);
          assertThat(psi(r, c, floor)).as(what + " psi")
              .isBetween(psi.lower() - 1e-12, psi.upper() + 1e-12);
          assertThat(js(r, c)).as(what + " js").isBetween(js.lower() - 1e-12, js.upper() + 1e-12);
        }
      }
    }
  }

  @Test
  void aBoxWithBothSharesOverlappingHasNoLowerTerm() {
    // Bin 0: reference share in [0.1, 0.3], current in [0.2, 0.2]: the term can be 0.
    DivergenceBounds.Interval i = DivergenceBounds.psi(new long[] {1, 7}, new long[] {3, 9}, 10,
        new long[] {2, 8}, new long[] {2, 8}, 10, 1e-4);
    assertThat(i.lower()).isEqualTo(0.0);
    // The upper bound is the worse corner of each bin: 0.1 vs 0.2 in bin 0 (0.0693 against
    // 0.0405 for 0.3 vs 0.2), 0.7 vs 0.8 in bin 1 (0.0134 against 0.0118 for 0.9 vs 0.8).
    assertThat(i.upper()).isEqualTo((0.2 - 0.1) * Math.log(0.2 / 0.1)
        + (0.8 - 0.7) * Math.log(0.8 / 0.7));
  }

  @Test
  void boxesThatAreNoIntervalsAreRefused() {
    assertThatThrownBy(() -> DivergenceBounds.psi(new long[] {3, 1}, new long[] {2, 1}, 3,
        new long[] {1, 1}, new long[] {1, 1}, 2, 1e-4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bin 0: counts [3, 2] and [1, 1] are no intervals");
  }
}
