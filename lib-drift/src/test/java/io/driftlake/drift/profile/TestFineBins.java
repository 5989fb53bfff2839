package io.driftlake.drift.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestFineBins {
  private static final double[] SPECIAL = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1e300,
      -3.5, -1.0, -Double.MIN_NORMAL, -Double.MIN_VALUE, 0.0, Double.MIN_VALUE,
      Double.MIN_NORMAL, 1e-300, 0.1, 1.0 / 3, 1.0, 1.0078125, 100.0, 1e6, Double.MAX_VALUE,
      Double.POSITIVE_INFINITY};

  /** Keys never reorder values, at any shift, and a bigger shift never separates equal keys. */
  @Test
  void keysOrderLikeValuesAtEveryShift() {
    double[] values = sample();
    for (int shift : new int[] {FineBins.SHIFT, 38, 31, 7, 0}) {
      for (int i = 1; i < values.length; i++) {
        assertThat(FineBins.key(values[i], shift))
            .as("key of %s vs %s at shift %d", values[i], values[i - 1], shift)
            .isGreaterThanOrEqualTo(FineBins.key(values[i - 1], shift));
      }
    }
    for (int i = 1; i < values.length; i++) {
      if (values[i] != values[i - 1]) {
        assertThat(FineBins.key(values[i], 0)).as("shift 0 keeps %s apart", values[i])
            .isGreaterThan(FineBins.key(values[i - 1], 0));
      }
    }
    assertThat(FineBins.key(-0.0)).isEqualTo(FineBins.key(0.0)).isZero();
  }

  /** 128 bins per octave at the profile shift: [1, 2) splits at 1 + j/128. */
  @Test
  void profileBinsSplitEachOctaveIn128() {
    assertThat(FineBins.PER_OCTAVE).isEqualTo(128);
    assertThat(FineBins.key(1.0)).isEqualTo(FineBins.key(Math.nextDown(1.0078125)));
    assertThat(FineBins.key(1.0078125)).isEqualTo(FineBins.key(1.0) + 1);
    assertThat(FineBins.key(2.0) - FineBins.key(1.0)).isEqualTo(128);
    assertThat(FineBins.key(-1.0)).isEqualTo(-FineBins.key(1.0));
  }

  /** upperEdge is the boundary above a bin: the next bin starts there (positive keys). */
  @Test
  void upperEdgeIsTheBoundaryAboveTheBin() {
    for (double v : sample()) {
      long k = FineBins.key(v);
      if (k == 0 || Math.abs(k) == FineBins.INFINITY_KEY) {
        continue;
      }
      double edge = FineBins.upperEdge(k);
      if (k > 0) {
        assertThat(v).isLessThan(edge);
        if (edge < Double.POSITIVE_INFINITY) {
          assertThat(FineBins.key(edge)).isEqualTo(k + 1);
        }
        assertThat(FineBins.key(Math.nextDown(edge))).isEqualTo(k);
      } else {
        assertThat(v).as("negative %s", v).isLessThanOrEqualTo(edge);
        assertThat(FineBins.key(Math.nextUp(edge))).isGreaterThan(k);
      }
    }
  }

  /** The largest finite value still has a key below +∞'s at every shift. */
  @Test
  void finiteKeysStayBelowInfinity() {
    for (int shift : new int[] {FineBins.SHIFT, 38, 24, 0}) {
      assertThat(FineBins.key(Double.MAX_VALUE, shift)).isLessThan(FineBins.INFINITY_KEY);
      assertThat(FineBins.key(-Double.MAX_VALUE, shift)).isGreaterThan(-FineBins.INFINITY_KEY);
    }
  }

  private static double[] sample() {
    SplittableRandom random = new SplittableRandom(3);
    double[] values = new double[SPECIAL.length + 4000];
    System.arraycopy(SPECIAL, 0, values, 0, SPECIAL.length);
    for (int i = SPECIAL.length; i < values.length; i++) {
      double edge = Math.scalb(1.0 + random.nextInt(128) / 128.0, random.nextInt(-1070, 1020));
      double v = switch (i % 3) {
        case 0 -> edge;
        case 1 -> Math.nextUp(edge);
        default -> Math.nextDown(edge);
      };
      values[i] = random.nextBoolean() ? v : -v;
    }
    Arrays.sort(values);
    return values;
  }
}
