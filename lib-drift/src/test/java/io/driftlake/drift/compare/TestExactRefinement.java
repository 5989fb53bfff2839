package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.profile.FineHistogram;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.SortBased;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The refinement arithmetic on its own, with the passes done in memory: every value is counted
 * into its region's sub-bin or its exact value exactly as a Spark pass does. Results are checked
 * against scipy's goldens and against sort-based definitions written here.
 */
class TestExactRefinement {

  /** What the refinement ends with, and how many passes it took. */
  record Outcome(double ks, double w1, int passes) {}

  /** Runs {@link ExactRefinement} to the end, each pass over the arrays in memory. */
  static Outcome refine(double[] ref, double[] cur, long budget, long exactLimit) {
    ExactRefinement.State state = ExactRefinement.start(0, profile(ref), profile(cur), true, true);
    int passes = 0;
    while (!state.settled()) {
      int[][] depths = ExactRefinement.plan(List.of(state), budget, exactLimit);
      state = pass(state, depths[0], ref, cur);
      passes++;
      assertThat(passes).as("passes").isLessThan(46);
    }
    return new Outcome(state.ksLower(), state.w1Area(), passes);
  }

  static NumericProfile profile(double[] values) {
    return profile(values, 0);
  }

  /**
   * A profile as a scan makes it from a column's non-null {@code values} (NaN counted apart, the
   * rest in the histogram) and its null count.
   */
  static NumericProfile profile(double[] values, long nulls) {
    FineHistogram h = new FineHistogram();
    long nans = 0;
    for (double v : values) {
      if (Double.isNaN(v)) {
        nans++;
      } else {
        h.add(v);
      }
    }
    return new NumericProfile("x", values.length + nulls, nulls, nans, h.toBins());
  }

  static ExactRefinement.State pass(ExactRefinement.State state, int[] depths, double[] ref,
                                    double[] cur) {
    List<Region> open = state.open();
    RegionIndex index = new RegionIndex(open);
    ExactRefinement.Split[] splits = new ExactRefinement.Split[open.size()];
    List<TreeMap<Double, long[]>> exact = new ArrayList<>();
    for (int i = 0; i < open.size(); i++) {
      int d = depths[i];
      exact.add(d >= open.get(i).shift() ? new TreeMap<>() : null);
      if (d < open.get(i).shift()) {
        splits[i] = new ExactRefinement.Split(d, new long[1 << d], new long[1 << d],
            new double[1 << d], new double[1 << d]);
      }
    }
    double[][] sides = {ref, cur};
    for (int side = 0; side < 2; side++) {
      for (double v : sides[side]) {
        if (Double.isNaN(v) || v == 0) {
          continue;
        }
        long bits = Double.doubleToRawLongBits(v);
        int i = index.find(bits);
        if (i < 0) {
          continue;
        }
        if (splits[i] == null) {
          exact.get(i).computeIfAbsent(v, k -> new long[2])[side]++;
        } else {
          int j = open.get(i).subBin(bits & Long.MAX_VALUE, depths[i]);
          (side == 0 ? splits[i].refCounts() : splits[i].curCounts())[j]++;
          (side == 0 ? splits[i].refSums() : splits[i].curSums())[j] += v - open.get(i).base();
        }
      }
    }
    ExactRefinement.Values[] values = new ExactRefinement.Values[open.size()];
    for (int i = 0; i < open.size(); i++) {
      if (exact.get(i) != null) {
        TreeMap<Double, long[]> found = exact.get(i);
        values[i] = new ExactRefinement.Values(
            found.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
            found.values().stream().mapToLong(c -> c[0]).toArray(),
            found.values().stream().mapToLong(c -> c[1]).toArray());
      }
    }
    return ExactRefinement.step(state, splits, values);
  }

  static Stream<JsonNode> ksGolden() {
    return Golden.cases("ks").stream();
  }

  static Stream<JsonNode> wassersteinGolden() {
    return Golden.cases("wasserstein").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ksGolden")
  void ksMatchesScipyWithTinyBudgets(JsonNode c) {
    double[] ref = Golden.doubles(c.get("ref"));
    double[] cur = Golden.doubles(c.get("cur"));
    // A budget of 8 sub-bins and 4 exact values forces many split levels.
    for (long[] limits : new long[][] {{8, 4}, {1 << 21, 2_000_000}}) {
      Outcome o = refine(ref, cur, limits[0], limits[1]);
      assertThat(o.ks()).isCloseTo(c.get("statistic").asDouble(), within(1e-12));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wassersteinGolden")
  void wassersteinMatchesScipyWithTinyBudgets(JsonNode c) {
    double[] ref = Golden.doubles(c.get("ref"));
    double[] cur = Golden.doubles(c.get("cur"));
    double expected = c.get("value").asDouble();
    for (long[] limits : new long[][] {{8, 4}, {1 << 21, 2_000_000}}) {
      Outcome o = refine(ref, cur, limits[0], limits[1]);
      assertThat(o.w1()).isCloseTo(expected, within(Math.max(1e-12, expected * 1e-10)));
    }
  }

  /**
   * Random samples of many shapes — ties, negative values, values around zero, ±∞, subnormals,
   * heavy tails, one value — with budgets from tiny (many passes) to the default, against the
   * sort-based definitions.
   */
  @Test
  void agreesWithSortBasedDefinitionsOnRandomSamples() {
    Random random = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      double[] ref = sample(random, trial, 1 + random.nextInt(trial % 10 == 0 ? 3 : 3000), 0);
      double[] cur = sample(random, trial, 1 + random.nextInt(trial % 10 == 0 ? 3 : 3000),
          random.nextDouble() * 0.3);
      long budget = 1L << random.nextInt(22);
      long exact = random.nextInt(3) == 0 ? 0 : 1L << random.nextInt(20);
      Outcome o = refine(ref, cur, budget, exact);
      String what = "trial " + trial + " budget " + budget + " exact " + exact;
      assertThat(o.ks()).as(what).isEqualTo(SortBased.ks(ref, cur));
      double w = SortBased.w1(ref, cur);
      assertThat(o.w1()).as(what).isCloseTo(w, within(1e-9 * Math.max(1e-300, w) + 1e-300));
    }
  }

  private static double[] sample(Random random, int trial, int n, double shift) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double g = random.nextGaussian() + shift;
      v[i] = switch (trial % 8) {
        case 0 -> 100 + 10 * g;
        case 1 -> Math.exp(0.8 * g + 3);
        case 2 -> Math.round(g * 4) / 4.0;
        case 3 -> g; // crosses zero: negative and positive bins, tiny magnitudes
        case 4 -> random.nextInt(50) == 0 ? (g > 0 ? Double.POSITIVE_INFINITY
            : Double.NEGATIVE_INFINITY) : g * 1e6;
        case 5 -> g * 1e-310; // subnormal
        case 6 -> g / Math.max(1e-3, Math.abs(random.nextGaussian())); // heavy tails
        default -> 1 + (random.nextInt(20) + shift) * 1e-12; // few distinct values, one fine bin
      };
    }
    return v;
  }

  /**
   * A fine bin whose values the profiles fix — at most two per side (its min and max) or one
   * distinct value — is settled without a pass: here the bin [1, 1 + 1/128) holds 1.001 and
   * 1.002 of the reference and 1.0015 of the current side, and may hold the KS maximum.
   */
  @Test
  void binsWhoseValuesTheProfilesFixNeedNoPass() {
    double[] ref = {1.001, 1.002, 5.0};
    double[] cur = {1.0015, 3.0, 3.0, 7.0};
    ExactRefinement.State start = ExactRefinement.start(0, profile(ref), profile(cur), true,
        true);
    assertThat(start.open()).isEmpty();
    Outcome o = refine(ref, cur, 1L << 21, 2_000_000);
    assertThat(o.passes()).isZero();
    assertThat(o.ks()).isEqualTo(SortBased.ks(ref, cur)).isCloseTo(2.0 / 3 - 1.0 / 4, within(1e-15));
    assertThat(o.w1()).isCloseTo(SortBased.w1(ref, cur), within(1e-12));
    // Three values of one side in the bin: their middle one is unknown, so a pass reads it.
    double[] three = {1.001, 1.002, 1.003, 5.0};
    assertThat(ExactRefinement.start(0, profile(three), profile(cur), true, true).open())
        .hasSize(1);
    assertThat(refine(three, cur, 1L << 21, 2_000_000).passes()).isEqualTo(1);
  }

  @Test
  void millionsOfValuesSettleInTwoPasses() {
    Random random = new Random(3);
    double[] ref = new double[2_000_000];
    double[] cur = new double[2_000_000];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = 100 + 10 * random.nextGaussian();
      cur[i] = 100 + 10 * random.nextGaussian();
    }
    Outcome o = refine(ref, cur, 1L << 21, 2_000_000);
    assertThat(o.passes()).isEqualTo(2);
    assertThat(o.ks()).isEqualTo(SortBased.ks(ref, cur));
    assertThat(o.w1()).isCloseTo(SortBased.w1(ref, cur), within(1e-9));
  }

  /**
   * A clear shift: the plan fetches the fine bins at the edges where |F − G| peaks, so one pass
   * settles KS (a split would leave the sub-bins right at the maximum for a second pass). Two
   * samples of one distribution: D is noise, F − G changes sign everywhere, no such fetch.
   */
  @Test
  void aClearShiftSettlesInOnePassByFetchingTheBinsAtTheMaximum() {
    Random random = new Random(5);
    double[] ref = new double[500_000];
    double[] cur = new double[500_000];
    double[] same = new double[500_000];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = 100 + 10 * random.nextGaussian();
      cur[i] = 101 + 10 * random.nextGaussian();
      same[i] = 100 + 10 * random.nextGaussian();
    }
    ExactRefinement.State shifted = ExactRefinement.start(0, profile(ref), profile(cur), true,
        true);
    assertThat(ExactRefinement.nearMaximum(shifted)).isTrue();
    int[] depths = ExactRefinement.plan(List.of(shifted), 1L << 21, 200_000)[0];
    long fetched = 0;
    for (int i = 0; i < depths.length; i++) {
      if (depths[i] == shifted.open().get(i).shift() && shifted.open().get(i).values() > 1024) {
        fetched++;
      }
    }
    assertThat(fetched).isEqualTo(ExactRefinement.NEAR_MAXIMUM_BINS);
    Outcome o = refine(ref, cur, 1L << 21, 200_000);
    assertThat(o.passes()).isEqualTo(1);
    assertThat(o.ks()).isEqualTo(SortBased.ks(ref, cur));
    assertThat(o.w1()).isCloseTo(SortBased.w1(ref, cur), within(1e-9));

    ExactRefinement.State noise = ExactRefinement.start(0, profile(ref), profile(same), true,
        true);
    assertThat(ExactRefinement.nearMaximum(noise)).isFalse();
    assertThat(ExactRefinement.nearMaximum(ExactRefinement.start(0, profile(ref), profile(same),
        true, false))).isTrue();
    Outcome n = refine(ref, same, 1L << 21, 200_000);
    assertThat(n.ks()).isEqualTo(SortBased.ks(ref, same));
    assertThat(n.w1()).isCloseTo(SortBased.w1(ref, same), within(1e-9));
  }

  @Test
  void countsThatDoNotMatchThePreviousLevelAreAnError() {
    double[] ref = {1.0, 1.001, 1.002, 1.003};
    double[] cur = {1.0005, 1.0015, 1.0025};
    ExactRefinement.State state = ExactRefinement.start(0, profile(ref), profile(cur), true, true);
    assertThat(state.open()).hasSize(1);
    int[] depths = {state.open().get(0).shift()};
    assertThatThrownBy(() -> pass(state, depths, new double[] {1.0, 1.001}, cur))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Exact pass for feature 'x' found 2 reference and 3 current values in a bin "
            + "where the previous level counted 4 and 3: did the data change between the passes?");
  }
}
