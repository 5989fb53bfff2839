package io.driftlake.drift.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestFineHistogram {
  /**
   * The direct-indexed histogram puts every value under {@link FineBins#key(double)} with the
   * bin's count, extremes and finite sums, as a map keyed by that function does.
   */
  @Test
  void binsAreKeyedAndSummedLikeTheKeyFunction() {
    SplittableRandom random = new SplittableRandom(5);
    FineHistogram histogram = new FineHistogram();
    TreeMap<Long, double[]> expected = new TreeMap<>();
    double[] special = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -Double.MIN_VALUE, -0.0, 0.0,
        Double.MIN_VALUE, Double.MIN_NORMAL, 1.0, Math.nextDown(1.0078125), 1.0078125,
        Double.MAX_VALUE, Double.POSITIVE_INFINITY};
    for (int i = 0; i < 20_000; i++) {
      double v = i < special.length ? special[i]
          : (random.nextBoolean() ? 1 : -1) * Math.exp(random.nextDouble(-700, 700));
      histogram.add(v);
      double[] bin = expected.computeIfAbsent(FineBins.key(v), k -> new double[] {0,
          Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0});
      double x = v == 0 ? 0.0 : v;
      bin[0]++;
      bin[1] = Math.min(bin[1], x);
      bin[2] = Math.max(bin[2], x);
      if (Double.isFinite(x)) {
        bin[3] += x;
        bin[4] += x * x;
      }
    }
    TreeMap<Long, NumericProfile.Bin> bins = histogram.toBins();
    assertThat(bins.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach((key, e) -> {
      NumericProfile.Bin b = bins.get(key);
      assertThat(b.count()).as("count of %d", key).isEqualTo((long) e[0]);
      assertThat(b.min()).as("min of %d", key).isEqualTo(e[1]);
      assertThat(b.max()).as("max of %d", key).isEqualTo(e[2]);
      assertThat(b.sum()).as("sum of %d", key).isEqualTo(e[3]);
      assertThat(b.sumSquares()).as("sum of squares of %d", key).isEqualTo(e[4]);
    });
    assertThat(bins.get(0L).count()).isEqualTo(2);
    assertThat(bins.get(FineBins.INFINITY_KEY).count()).isEqualTo(1);
  }
}
