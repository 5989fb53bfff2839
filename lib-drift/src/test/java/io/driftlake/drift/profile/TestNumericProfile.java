package io.driftlake.drift.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class TestNumericProfile {
  private static NumericProfile profile(double... values) {
    FineHistogram histogram = new FineHistogram();
    for (double v : values) {
      histogram.add(v);
    }
    return new NumericProfile("x", values.length, 0, 0, histogram.toBins());
  }

  /** Two-pass population variance of the finite values, the textbook way. */
  private static double variance(double... values) {
    double sum = 0;
    int n = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    double mean = sum / n;
    double squares = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        squares += (v - mean) * (v - mean);
      }
    }
    return squares / n;
  }

  private static byte[] kll(double... values) {
    org.apache.datasketches.kll.KllDoublesSketch sketch =
        org.apache.datasketches.kll.KllDoublesSketch.newHeapInstance(200);
    for (double v : values) {
      sketch.update(v);
    }
    return sketch.toByteArray();
  }

  private static NumericProfile withKll(NumericProfile p, byte[] kll) {
    return new NumericProfile(p.feature(), p.rows(), p.nulls(), p.nans(), p.bins(), kll);
  }

  @Test
  void aMergeKeepsAKllSketchOnlyWhenItCoversEveryRow() {
    NumericProfile a = withKll(profile(1, 2, 3), kll(1, 2, 3));
    NumericProfile b = withKll(profile(10, 20), kll(10, 20));
    // Both sketched: the merge's sketch has all five values (median 3).
    assertThat(Sketches.kllQuantile(a.merge(b).kll(), 0.5)).isEqualTo(3.0);
    // Rows profiled without a sketch would be missing from it: no sketch at all.
    assertThat(a.merge(profile(10, 20)).kll()).isNull();
    assertThat(profile(10, 20).merge(a).kll()).isNull();
    // An empty side adds no rows: the sketch still covers every one.
    assertThat(a.merge(NumericProfile.empty("x")).kll()).isEqualTo(a.kll());
    assertThat(NumericProfile.empty("x").merge(a).kll()).isEqualTo(a.kll());
  }

  @Test
  void meanAndVarianceOfTheFiniteValuesMatchATwoPassComputation() {
    double[] values = new double[20_003];
    for (int i = 0; i < 20_000; i++) {
      // A skewed, tied sample: squares of a modular sequence, scaled, some negative.
      long k = (i * 7919L) % 10_007;
      values[i] = (k * k) / 1000.0 - 5_000.0;
    }
    values[20_000] = Double.POSITIVE_INFINITY;
    values[20_001] = Double.NEGATIVE_INFINITY;
    values[20_002] = 0.0;
    NumericProfile p = profile(values);
    assertThat(p.finiteCount()).isEqualTo(20_001);
    double mean = java.util.Arrays.stream(values).filter(Double::isFinite).average().orElseThrow();
    assertThat(p.mean()).isCloseTo(mean, within(Math.abs(mean) * 1e-12));
    assertThat(p.variance()).isCloseTo(variance(values), within(variance(values) * 1e-12));
  }

  @Test
  void varianceFarFromZeroLosesTheDigitsItsJavadocStates() {
    // 1e6 + 0.01·k for k = 0..999 (one fine bin): the variance is 0.01² · (1000² − 1) / 12. The
    // bin's sum of squares is about 1e15, so |mean| / spread ≈ 3.5e5 leaves about 5 digits.
    double[] values = new double[1000];
    for (int k = 0; k < 1000; k++) {
      values[k] = 1e6 + k / 100.0;
    }
    double exact = 1e-4 * (1e6 - 1) / 12;
    assertThat(profile(values).variance()).isCloseTo(exact, Offset.offset(exact * 1e-3));
    // Spread over many fine bins, the bin means carry the variance and the digits stay.
    double[] wide = new double[1000];
    for (int k = 0; k < 1000; k++) {
      wide[k] = 1e6 + k * 100.0;
    }
    assertThat(profile(wide).variance()).isCloseTo(variance(wide), within(variance(wide) * 1e-9));
    assertThat(profile(5, 5, 5).variance()).isZero();
    assertThat(profile(Double.POSITIVE_INFINITY).variance()).isNaN();
  }
}
