package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.RefinementPlan;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.GoldenChecks;
import io.driftlake.drift.testing.GoldenFormula;
import io.driftlake.drift.testing.InMemoryRefinement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scipy edge-case goldens (nulls, NaN, ±∞, constant columns, n = 1) through the pure code
 * path: profiles as a scan builds them, {@link ExactRefinement} with its passes done in memory
 * (as {@link TestExactRefinement} does), then {@link FeatureComparator} — the same steps as
 * {@code DriftAnalysis.compareExact}, without Spark.
 */
class TestGoldenEdgesInMemory {
  private static final FeatureComparator COMPARATOR =
      new FeatureComparator(DriftSettings.from(ConfigFactory.defaultReference()));

  static Stream<JsonNode> edgeGolden() {
    return Golden.cases("numeric_edge").stream();
  }

  static double[] nonNull(Double[] column) {
    return Arrays.stream(column).filter(Objects::nonNull).mapToDouble(x -> x).toArray();
  }

  static FeatureDrift compare(Double[] refColumn, Double[] curColumn, long budget,
                              long exactLimit) {
    double[] a = nonNull(refColumn);
    double[] b = nonNull(curColumn);
    return compare(a, refColumn.length - a.length, b, curColumn.length - b.length, budget,
        exactLimit);
  }

  /**
   * KS and W1 as {@code compareExact} gets them: refined to the end with the given budgets, W1
   * only when both sides have finite values, then compared. The passes see what a Spark pass
   * sees: every non-null value (NaN skipped by the pass).
   */
  static FeatureDrift compare(double[] a, long refNulls, double[] b, long curNulls, long budget,
                              long exactLimit) {
    return compare(a, refNulls, b, curNulls, budget, exactLimit, SETTINGS);
  }

  static final DriftSettings SETTINGS = DriftSettings.from(ConfigFactory.defaultReference());
  static final DriftSettings RIGHT = DriftSettings.from(ConfigFactory
      .parseString("driftlake.drift.bin-closed = right")
      .withFallback(ConfigFactory.defaultReference()));

  /**
   * The exact values of the fine bins {@link NumericBinning#needed} names, from the raw values
   * (what the Spark fetch pass returns): distinct values ascending, with each side's count.
   */
  static Map<Long, ExactRefinement.Values> binValues(NumericProfile ref, NumericProfile cur,
                                                     double[] a, double[] b,
                                                     DriftSettings settings) {
    Set<Long> keys = NumericBinning.needed(ref, cur, settings.bins(), settings.binClosed());
    Map<Long, TreeMap<Double, long[]>> found = new HashMap<>();
    keys.forEach(k -> found.put(k, new TreeMap<>()));
    for (int side = 0; side < 2; side++) {
      for (double v : side == 0 ? a : b) {
        if (!Double.isNaN(v) && found.containsKey(FineBins.key(v))) {
          found.get(FineBins.key(v)).computeIfAbsent(v, x -> new long[2])[side]++;
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

  static FeatureDrift compare(double[] a, long refNulls, double[] b, long curNulls, long budget,
                              long exactLimit, DriftSettings settings) {
    NumericProfile ref = InMemoryRefinement.profile(a, refNulls);
    NumericProfile cur = InMemoryRefinement.profile(b, curNulls);
    boolean w1 = ref.finiteCount() > 0 && cur.finiteCount() > 0;
    ExactRefinement.State state = ExactRefinement.start(0, ref, cur, true, w1);
    int passes = 0;
    while (!state.settled()) {
      int[][] depths = RefinementPlan.plan(List.of(state), budget, exactLimit);
      state = InMemoryRefinement.pass(state, depths[0], a, b);
      assertThat(++passes).as("passes").isLessThan(46);
    }
    return new FeatureComparator(settings).compare(ref, cur, new FeatureComparator.Statistics(
        Estimate.exact(state.ksLower()), w1 ? Estimate.exact(state.w1Area()) : null)
        .withBinValues(binValues(ref, cur, a, b, settings)));
  }

  static MethodResult method(FeatureDrift f, String id) {
    return f.results().stream().filter(r -> r.method().equals(id)).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeGolden")
  void edgeCasesMatchScipyUnderTheDocumentedConventions(JsonNode c) {
    Double[] ref = Golden.values(c.get("ref"));
    Double[] cur = Golden.values(c.get("cur"));
    // Tiny budgets (many split levels) and the defaults (one or two passes).
    for (long[] limits : new long[][] {{8, 4}, {1 << 21, 2_000_000}}) {
      String what = c.get("name").asText() + " budget " + limits[0] + "/" + limits[1];
      FeatureDrift f = compare(ref, cur, limits[0], limits[1]);
      assertThat(f.referenceRows()).isEqualTo(ref.length);
      GoldenChecks.ks(method(f, "ks"), c.get("ks"), what);
      GoldenChecks.wasserstein(method(f, "wasserstein"), c.get("wasserstein"), what);
      GoldenChecks.binned(method(f, "psi"), method(f, "js"), c.get("binned"), what);
      GoldenChecks.nothingNonFinite(f, what);
    }
    double[] a = nonNull(ref);
    double[] b = nonNull(cur);
    FeatureDrift right = compare(a, ref.length - a.length, b, cur.length - b.length, 1 << 21,
        2_000_000, RIGHT);
    GoldenChecks.binned(method(right, "psi"), method(right, "js"), c.get("binned_right"),
        c.get("name").asText() + " closed right");
  }

  static Stream<JsonNode> binningGolden() {
    return Stream.concat(Golden.cases("numeric_binning").stream(),
        Golden.cases("numeric_edge").stream());
  }

  /**
   * Tied data as daily observations have (counts, values rounded to 0.1, a decile that is a
   * repeated value) and continuous data: with the straddling fine bins' values fetched (exact
   * mode), edges bit for bit and PSI/JS to 1e-12 of numpy's under both conventions.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("binningGolden")
  void tiedDataBinsAsNumpyInExactMode(JsonNode c) {
    double[] a = nonNull(Golden.values(c.get("ref")));
    double[] b = nonNull(Golden.values(c.get("cur")));
    for (DriftSettings settings : List.of(SETTINGS, RIGHT)) {
      String closed = settings.binClosed().id();
      String what = c.get("name").asText() + " closed " + closed;
      FeatureDrift f = compare(a, 0, b, 0, 1 << 21, 2_000_000, settings);
      GoldenChecks.binned(method(f, "psi"), method(f, "js"),
          c.get(closed.equals("left") ? "binned" : "binned_right"), what);
      assertThat(method(f, "psi").conventions().get("closed")).as(what).startsWith(closed + ": ");
    }
  }

  /**
   * From the profiles alone (approximate mode, stored profiles): a result that says it is exact
   * equals numpy's to 1e-12; otherwise numpy's PSI and JS lie within the row's
   * [score_lower, score_upper], and, where the bins are numpy's in number, every bin's count is
   * within the stated uncertain count of numpy's on each side and inside its [low, high].
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("binningGolden")
  void profilesAloneAreExactOnTiesAndWithinTheirBoundOtherwise(JsonNode c) {
    double[] a = nonNull(Golden.values(c.get("ref")));
    double[] b = nonNull(Golden.values(c.get("cur")));
    NumericProfile ref = InMemoryRefinement.profile(a, 0);
    NumericProfile cur = InMemoryRefinement.profile(b, 0);
    if (ref.valid() == 0 || cur.valid() == 0) {
      return;
    }
    for (DriftSettings settings : List.of(SETTINGS, RIGHT)) {
      String closed = settings.binClosed().id();
      String what = c.get("name").asText() + " closed " + closed;
      JsonNode expected = c.get(closed.equals("left") ? "binned" : "binned_right");
      FeatureDrift f = new FeatureComparator(settings).compare(ref, cur,
          FeatureComparator.Statistics.none());
      NumericBinning binning = NumericBinning.fromReference(ref, settings.bins(),
          settings.binClosed(), Map.of());
      NumericBinning.Counts r = binning.counts(ref, 0);
      NumericBinning.Counts k = binning.counts(cur, 1);
      if ("exact".equals(method(f, "psi").conventions().get("mode"))) {
        GoldenChecks.binned(method(f, "psi"), method(f, "js"), expected, what);
        continue;
      }
      assertThat(r.uncertain() + k.uncertain()).as(what).isPositive();
      assertThat(Double.parseDouble(method(f, "psi").conventions()
          .get("uncertain_reference_share"))).as(what)
          .isEqualTo((double) r.uncertain() / ref.valid());
      for (String m : List.of("psi", "js")) {
        MethodResult result = method(f, m);
        double numpy = expected.get(m.equals("psi") ? "psi" : "js_divergence_base2").asDouble();
        double lower = Double.parseDouble(result.conventions().get("score_lower"));
        double upper = Double.parseDouble(result.conventions().get("score_upper"));
        assertThat(numpy).as(what + " numpy's " + m + " in [score_lower, score_upper]")
            .isBetween(lower - 1e-12, upper + 1e-12);
        assertThat(result.score()).as(what + " " + m + " estimate in its bounds")
            .isBetween(lower, upper);
        BOUND_WIDTHS.add(String.format(java.util.Locale.ROOT, "%s %s: numpy %.5f, bounds "
            + "[%.5f, %.5f]", what, m, numpy, lower, upper));
      }
      if (binning.bins() == expected.get("bins").asInt()) {
        long[] er = Golden.longs(expected.get("ref_counts"));
        long[] ec = Golden.longs(expected.get("cur_counts"));
        for (int i = 0; i < er.length; i++) {
          assertThat(Math.abs(r.counts()[i] - er[i])).as(what + " ref bin " + i)
              .isLessThanOrEqualTo(r.uncertain());
          assertThat(Math.abs(k.counts()[i] - ec[i])).as(what + " cur bin " + i)
              .isLessThanOrEqualTo(k.uncertain());
          assertThat(er[i]).as(what + " ref bin " + i + " in [low, high]")
              .isBetween(r.low()[i], r.high()[i]);
          assertThat(ec[i]).as(what + " cur bin " + i + " in [low, high]")
              .isBetween(k.low()[i], k.high()[i]);
        }
      }
    }
  }

  /** The bounds met above, printed once so that their widths can be read in the test log. */
  private static final List<String> BOUND_WIDTHS =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  @org.junit.jupiter.api.AfterAll
  static void printBoundWidths() {
    BOUND_WIDTHS.forEach(line -> System.out.println("approximate PSI/JS bounds: " + line));
  }

  static Stream<JsonNode> categoricalGolden() {
    return Golden.cases("categorical").stream();
  }

  static CategoricalProfile categories(JsonNode counts, long nulls) {
    TreeMap<String, Long> map = new TreeMap<>();
    counts.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asLong()));
    long rows = nulls + map.values().stream().mapToLong(Long::longValue).sum();
    return new CategoricalProfile("c", rows, nulls, map);
  }

  /** Unseen and vanished categories: every categorical method over the category union. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("categoricalGolden")
  void unseenAndVanishedCategoriesMatchScipy(JsonNode c) {
    FeatureDrift f = new FeatureComparator(DriftSettings.from(ConfigFactory.defaultReference()))
        .compare(categories(c.get("ref_counts"), c.get("ref_nulls").asLong()),
            categories(c.get("cur_counts"), c.get("cur_nulls").asLong()),
            FeatureComparator.Statistics.none());
    GoldenChecks.categorical(f, c, c.get("name").asText());
    GoldenChecks.nothingNonFinite(f, c.get("name").asText());
  }

  static Stream<JsonNode> formulaGolden() {
    return Golden.cases("numeric_formula").stream();
  }

  /** Wrapping sum of the values' bit patterns, as the script's fingerprint. */
  static long bitsSum(double[] values) {
    long sum = 0;
    for (double v : values) {
      sum += Double.doubleToRawLongBits(v);
    }
    return sum;
  }

  /**
   * Millions of values a side, rebuilt from the formula (checked against the script's
   * fingerprint first, so a mismatch below is the code's, not the sample's), at the default
   * budgets (two passes) and at smaller ones that take up to ten passes.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("formulaGolden")
  void millionsFromTheFormulaMatchScipy(JsonNode c) {
    GoldenFormula.Values ref = GoldenFormula.values(c.get("ref"));
    GoldenFormula.Values cur = GoldenFormula.values(c.get("cur"));
    for (String side : new String[] {"ref", "cur"}) {
      GoldenFormula.Values v = side.equals("ref") ? ref : cur;
      JsonNode fingerprint = c.get(side + "_fingerprint");
      assertThat(v.nulls()).as(side + " nulls").isEqualTo(fingerprint.get("nulls").asLong());
      assertThat(bitsSum(v.values())).as(side + " sample bits (formula reproduced?)")
          .isEqualTo(fingerprint.get("bits_sum").asLong());
    }
    for (long[] limits : new long[][] {{1 << 21, 2_000_000}, {1 << 18, 200_000}}) {
      String what = c.get("name").asText() + " budget " + limits[0] + "/" + limits[1];
      FeatureDrift f = compare(ref.values(), ref.nulls(), cur.values(), cur.nulls(), limits[0],
          limits[1]);
      GoldenChecks.ks(method(f, "ks"), c.get("ks"), what);
      GoldenChecks.wasserstein(method(f, "wasserstein"), c.get("wasserstein"), what);
      GoldenChecks.binned(method(f, "psi"), method(f, "js"), c.get("binned"), what);
      GoldenChecks.nothingNonFinite(f, what);
    }
  }
}
