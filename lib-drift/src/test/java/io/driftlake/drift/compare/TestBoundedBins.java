package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.HistogramKs;
import io.driftlake.drift.estimate.HistogramWasserstein;
import io.driftlake.drift.estimate.RefinementPlan;
import io.driftlake.drift.profile.BinClosed;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.Subtraction;
import io.driftlake.drift.quality.OutOfRange;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.testing.InMemoryRefinement;
import io.driftlake.drift.testing.SortBased;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every consumer of a fine bin's min and max, given a profile whose bins lost their extremes to
 * a DELETE (kept as bounds): exact results stay exact, approximate ones keep their error bounds,
 * checked against sort-based definitions and a profile of the remaining values.
 */
class TestBoundedBins {
  private static final double[] REFERENCE = sample(new Random(7), 3000, 0);
  private static final double[] STORED = sample(new Random(8), 3000, 3);

  /** Normal(100 + shift, 10) values rounded to 1/1024, so that fine bins hold several values. */
  private static double[] sample(Random random, int n, double shift) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.rint((100 + shift + 10 * random.nextGaussian()) * 1024) / 1024;
    }
    return out;
  }

  /** Of every fine bin with three values or more, its min (and of every other one, its max). */
  private static double[] extremes(double[] values) {
    TreeMap<Long, List<Double>> bins = new TreeMap<>();
    for (double v : values) {
      bins.computeIfAbsent(FineBins.key(v), k -> new ArrayList<>()).add(v);
    }
    List<Double> out = new ArrayList<>();
    int i = 0;
    for (Map.Entry<Long, List<Double>> e : bins.entrySet()) {
      List<Double> in = e.getValue();
      if (in.size() >= 3 && e.getKey() != bins.firstKey() && e.getKey() != bins.lastKey()) {
        double min = in.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = in.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        if (min != max) {
          out.add(min);
          if (i++ % 2 == 0) {
            out.add(max);
          }
        }
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double[] without(double[] all, double[] removed) {
    Map<Double, Integer> left = new HashMap<>();
    for (double r : removed) {
      left.merge(r, 1, Integer::sum);
    }
    List<Double> out = new ArrayList<>();
    for (double v : all) {
      if (left.getOrDefault(v, 0) > 0) {
        left.merge(v, -1, Integer::sum);
      } else {
        out.add(v);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static final double[] REMOVED = extremes(STORED);
  private static final double[] CURRENT = without(STORED, REMOVED);
  /** The current profile from the stored one minus the removed rows: bounds in many bins. */
  private static final NumericProfile BOUNDED = bounded();
  /** A profile of the remaining values from one scan. */
  private static final NumericProfile FULL = InMemoryRefinement.profile(CURRENT);
  private static final NumericProfile REF = InMemoryRefinement.profile(REFERENCE);

  private static NumericProfile bounded() {
    Subtraction s = InMemoryRefinement.profile(STORED)
        .subtract(InMemoryRefinement.profile(REMOVED));
    assertThat(s.stale()).isNull();
    return (NumericProfile) s.profile();
  }

  @Test
  void theSubtractedProfileKeepsValidBoundsAndExactCounts() {
    assertThat(REMOVED.length).isGreaterThan(100);
    assertThat(BOUNDED.boundedBins()).isGreaterThan(50);
    assertThat(BOUNDED.bins().keySet()).isEqualTo(FULL.bins().keySet());
    BOUNDED.bins().forEach((k, b) -> {
      NumericProfile.Bin f = FULL.bins().get(k);
      assertThat(b.count()).isEqualTo(f.count());
      // Multiples of 1/1024 far below 2^53 / n: every sum is exact in any order.
      assertThat(b.sum()).isEqualTo(f.sum());
      assertThat(b.sumSquares()).isEqualTo(f.sumSquares());
      assertThat(b.min()).isLessThanOrEqualTo(f.min());
      assertThat(b.max()).isGreaterThanOrEqualTo(f.max());
      if (b.minExact()) {
        assertThat(b.min()).isEqualTo(f.min());
      }
      if (b.maxExact()) {
        assertThat(b.max()).isEqualTo(f.max());
      }
    });
    assertThat(BOUNDED.min()).isEqualTo(Arrays.stream(CURRENT).min().orElseThrow());
    assertThat(BOUNDED.max()).isEqualTo(Arrays.stream(CURRENT).max().orElseThrow());
    assertThat(BOUNDED.mean()).isEqualTo(FULL.mean());
    assertThat(BOUNDED.variance()).isEqualTo(FULL.variance());
  }

  @Test
  void exactKsAndWassersteinRefineToTheSortBasedValues() {
    InMemoryRefinement.Outcome bounded = refine(REF, BOUNDED);
    assertThat(bounded.ks()).isEqualTo(SortBased.ks(REFERENCE, CURRENT));
    assertThat(bounded.w1()).isCloseTo(SortBased.w1(REFERENCE, CURRENT),
        org.assertj.core.data.Percentage.withPercentage(1e-9));
    // The same from the current side as reference: its bins are regions' lower and upper ends.
    InMemoryRefinement.Outcome swapped = refine(BOUNDED, REF);
    assertThat(swapped.ks()).isEqualTo(SortBased.ks(CURRENT, REFERENCE));
    assertThat(swapped.w1()).isCloseTo(SortBased.w1(CURRENT, REFERENCE),
        org.assertj.core.data.Percentage.withPercentage(1e-9));
  }

  private static InMemoryRefinement.Outcome refine(NumericProfile a, NumericProfile b) {
    double[] ra = a == REF ? REFERENCE : CURRENT;
    double[] rb = b == REF ? REFERENCE : CURRENT;
    ExactRefinement.State state = ExactRefinement.start(0, a, b, true, true);
    int passes = 0;
    while (!state.settled()) {
      int[][] depths = RefinementPlan.plan(List.of(state), 1 << 16, 64);
      state = InMemoryRefinement.pass(state, depths[0], ra, rb);
      assertThat(++passes).isLessThan(46);
    }
    return new InMemoryRefinement.Outcome(state.ksLower(), state.w1Area(), passes);
  }

  @Test
  void approximateErrorBoundsContainTheExactValues() {
    for (NumericProfile[] sides : new NumericProfile[][] {{REF, BOUNDED}, {BOUNDED, REF}}) {
      double[] a = sides[0] == REF ? REFERENCE : CURRENT;
      double[] b = sides[1] == REF ? REFERENCE : CURRENT;
      Estimate ks = HistogramKs.approximate(sides[0], sides[1]);
      assertThat(Math.abs(ks.value() - SortBased.ks(a, b))).isLessThanOrEqualTo(ks.errorBound());
      Estimate w1 = HistogramWasserstein.approximate(sides[0], sides[1]);
      assertThat(Math.abs(w1.value() - SortBased.w1(a, b)))
          .isLessThanOrEqualTo(w1.errorBound() * (1 + 1e-12) + 1e-12);
    }
  }

  @Test
  void psiBinsFromTheBoundedProfileAreBoundedAndExactOnceTheNeededBinsAreRead() {
    for (NumericProfile ref : List.of(REF, BOUNDED)) {
      double[] refValues = ref == REF ? REFERENCE : CURRENT;
      NumericProfile cur = ref == REF ? BOUNDED : REF;
      double[] curValues = ref == REF ? CURRENT : REFERENCE;
      NumericProfile fullRef = ref == REF ? REF : FULL;
      NumericProfile fullCur = ref == REF ? FULL : REF;
      // From the profiles alone: every exact count lies within [low, high].
      NumericBinning alone = NumericBinning.fromReference(ref, 10);
      NumericBinning truth = NumericBinning.fromReference(fullRef, 10, BinClosed.LEFT,
          known(NumericBinning.needed(fullRef, fullCur, 10, BinClosed.LEFT),
              refValues, curValues));
      assertThat(truth.edgesExact()).isTrue();
      long[] exact = new long[truth.bins()];
      for (double v : curValues) {
        exact[truth.binOf(v)]++;
      }
      if (alone.edgesExact()) {
        NumericBinning.Counts c = alone.counts(cur, 1);
        for (int i = 0; i < exact.length; i++) {
          assertThat(exact[i]).isBetween(c.low()[i], c.high()[i]);
        }
      }
      // With the needed bins' values read (as the exact pass does), edges and counts are numpy's.
      NumericBinning read = NumericBinning.fromReference(ref, 10, BinClosed.LEFT,
          known(NumericBinning.needed(ref, cur, 10, BinClosed.LEFT), refValues,
              curValues));
      assertThat(read.edges()).isEqualTo(truth.edges());
      NumericBinning.Counts c = read.counts(cur, 1);
      assertThat(c.exact()).isTrue();
      assertThat(c.counts()).isEqualTo(exact);
    }
  }

  /** The exact values of these fine bins, with both sides' counts, from the raw values. */
  private static Map<Long, ExactRefinement.Values> known(java.util.Set<Long> keys, double[] ref,
                                                         double[] cur) {
    Map<Long, TreeMap<Double, long[]>> found = new HashMap<>();
    double[][] sides = {ref, cur};
    for (int side = 0; side < 2; side++) {
      for (double v : sides[side]) {
        if (keys.contains(FineBins.key(v))) {
          found.computeIfAbsent(FineBins.key(v), k -> new TreeMap<>())
              .computeIfAbsent(v, k -> new long[2])[side]++;
        }
      }
    }
    Map<Long, ExactRefinement.Values> out = new HashMap<>();
    found.forEach((k, m) -> out.put(k, new ExactRefinement.Values(
        m.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
        m.values().stream().mapToLong(c -> c[0]).toArray(),
        m.values().stream().mapToLong(c -> c[1]).toArray())));
    return out;
  }

  @Test
  void aBinWithTwoValuesAndABoundIsNotTakenAsKnown() {
    NumericProfile.Bin bounded = new NumericProfile.Bin(2, 100.0, 100.25, 200.125, 0, true, false);
    assertThat(ExactRefinement.valuesOf(bounded, null)).isNull();
    NumericProfile.Bin exact = new NumericProfile.Bin(2, 100.0, 100.25, 200.25, 0);
    assertThat(ExactRefinement.valuesOf(exact, null).values()).containsExactly(100.0, 100.25);
  }

  @Test
  void outOfRangeCountsABoundOnlyAsUncertain() {
    // The reference range ends inside a bin whose current max is a bound: its values may all be
    // inside, so only the upper count holds them.
    double min = REF.min();
    double max = REF.max();
    long outside = Arrays.stream(CURRENT).filter(v -> v < min || v > max).count();
    OutOfRange o = OutOfRange.of(REF, BOUNDED);
    assertThat(outside).isBetween(o.lower(), o.upper());
    NumericProfile.Bin b = new NumericProfile.Bin(3, 100.0, 100.375, 300.5, 0, true, false);
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    bins.put(FineBins.key(99.0), new NumericProfile.Bin(1, 99.0, 99.0, 99.0, 0));
    bins.put(FineBins.key(100.0), b);
    bins.put(FineBins.key(120.0), new NumericProfile.Bin(1, 120.0, 120.0, 120.0, 0));
    NumericProfile current = new NumericProfile("x", 5, 0, 0, bins);
    TreeMap<Long, NumericProfile.Bin> range = new TreeMap<>();
    range.put(FineBins.key(90.0), new NumericProfile.Bin(1, 90.0, 90.0, 90.0, 0));
    range.put(FineBins.key(100.25), new NumericProfile.Bin(1, 100.25, 100.25, 100.25, 0));
    OutOfRange out = OutOfRange.of(new NumericProfile("x", 2, 0, 0, range), current);
    assertThat(out.lower()).isEqualTo(1); // 120 only: 100.375 is a bound, not a value
    assertThat(out.upper()).isEqualTo(4);
  }
}
