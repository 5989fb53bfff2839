package io.driftlake.drift.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.InMemoryRefinement;
import io.driftlake.drift.testing.SortBased;
import java.util.List;
import java.util.Random;
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

  /** Runs {@link ExactRefinement} to the end, each pass over the arrays in memory. */
  static InMemoryRefinement.Outcome refine(double[] ref, double[] cur, long budget, long exactLimit) {
    ExactRefinement.State state = ExactRefinement.start(0, InMemoryRefinement.profile(ref), InMemoryRefinement.profile(cur), true, true);
    int passes = 0;
    while (!state.settled()) {
      int[][] depths = RefinementPlan.plan(List.of(state), budget, exactLimit);
      state = InMemoryRefinement.pass(state, depths[0], ref, cur);
      passes++;
      assertThat(passes).as("passes").isLessThan(46);
    }
    return new InMemoryRefinement.Outcome(state.ksLower(), state.w1Area(), passes);
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
      InMemoryRefinement.Outcome o = refine(ref, cur, limits[0], limits[1]);
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
      InMemoryRefinement.Outcome o = refine(ref, cur, limits[0], limits[1]);
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
      InMemoryRefinement.Outcome o = refine(ref, cur, budget, exact);
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
    ExactRefinement.State start = ExactRefinement.start(0, InMemoryRefinement.profile(ref), InMemoryRefinement.profile(cur), true,
        true);
    assertThat(start.open()).isEmpty();
    InMemoryRefinement.Outcome o = refine(ref, cur, 1L << 21, 2_000_000);
    assertThat(o.passes()).isZero();
    assertThat(o.ks()).isEqualTo(SortBased.ks(ref, cur)).isCloseTo(2.0 / 3 - 1.0 / 4, within(1e-15));
    assertThat(o.w1()).isCloseTo(SortBased.w1(ref, cur), within(1e-12));
    // Three values of one side in the bin: their middle one is unknown, so a pass reads it.
    double[] three = {1.001, 1.002, 1.003, 5.0};
    assertThat(ExactRefinement.start(0, InMemoryRefinement.profile(three), InMemoryRefinement.profile(cur), true, true).open())
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
    InMemoryRefinement.Outcome o = refine(ref, cur, 1L << 21, 2_000_000);
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
    ExactRefinement.State shifted = ExactRefinement.start(0, InMemoryRefinement.profile(ref), InMemoryRefinement.profile(cur), true,
        true);
    assertThat(RefinementPlan.nearMaximum(shifted)).isTrue();
    int[] depths = RefinementPlan.plan(List.of(shifted), 1L << 21, 200_000)[0];
    long fetched = 0;
    for (int i = 0; i < depths.length; i++) {
      if (depths[i] == shifted.open().get(i).shift() && shifted.open().get(i).values() > 1024) {
        fetched++;
      }
    }
    assertThat(fetched).isEqualTo(RefinementPlan.NEAR_MAXIMUM_BINS);
    InMemoryRefinement.Outcome o = refine(ref, cur, 1L << 21, 200_000);
    assertThat(o.passes()).isEqualTo(1);
    assertThat(o.ks()).isEqualTo(SortBased.ks(ref, cur));
    assertThat(o.w1()).isCloseTo(SortBased.w1(ref, cur), within(1e-9));

    ExactRefinement.State noise = ExactRefinement.start(0, InMemoryRefinement.profile(ref), InMemoryRefinement.profile(same), true,
        true);
    assertThat(RefinementPlan.nearMaximum(noise)).isFalse();
    assertThat(RefinementPlan.nearMaximum(ExactRefinement.start(0, InMemoryRefinement.profile(ref), InMemoryRefinement.profile(same),
        true, false))).isTrue();
    InMemoryRefinement.Outcome n = refine(ref, same, 1L << 21, 200_000);
    assertThat(n.ks()).isEqualTo(SortBased.ks(ref, same));
    assertThat(n.w1()).isCloseTo(SortBased.w1(ref, same), within(1e-9));
  }

  @Test
  void countsThatDoNotMatchThePreviousLevelAreAnError() {
    double[] ref = {1.0, 1.001, 1.002, 1.003};
    double[] cur = {1.0005, 1.0015, 1.0025};
    ExactRefinement.State state = ExactRefinement.start(0, InMemoryRefinement.profile(ref), InMemoryRefinement.profile(cur), true, true);
    assertThat(state.open()).hasSize(1);
    int[] depths = {state.open().get(0).shift()};
    assertThatThrownBy(() -> InMemoryRefinement.pass(state, depths, new double[] {1.0, 1.001}, cur))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Exact pass for feature 'x' found 2 reference and 3 current values in a bin "
            + "where the previous level counted 4 and 3: did the data change between the passes?");
  }
}
