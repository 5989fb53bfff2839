package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.estimate.HistogramKs;
import io.driftlake.drift.estimate.HistogramWasserstein;
import io.driftlake.drift.stat.CategoryShares;
import io.driftlake.drift.stat.ChiSquare;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.stat.JensenShannon;
import io.driftlake.drift.stat.KolmogorovSmirnov;
import io.driftlake.drift.stat.Psi;
import io.driftlake.drift.testing.InMemoryRefinement;
import io.driftlake.drift.testing.RandomCases;
import io.driftlake.drift.testing.SortBased;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Property-based: every statistic is total (finite, in its range, for any valid counts or
 * samples: ties, one distinct value, one row, 10¹⁰ rows), symmetric where the method is, and 0
 * on identical sides. KS D and W1 are checked against their sort-based definitions. Inputs are
 * the edge cases listed here plus seeded random cases ({@link RandomCases}): the same on every
 * run, and every assertion message prints the case it failed on.
 */
class TestStatisticsProperties {
  private static final double PSI_EPSILON = 1e-4;

  // ---- KS p-value: any D in [0, 1], any sizes from 1 to 10¹⁰ -------------------------------

  private static final long[] EDGE_SIZES =
      {1L, 2L, 10_000L, 10_001L, 2_020_000L, 2_040_000L, 10_000_000_000L};

  record KsCase(double d, long n, long m) {}

  /** Keeps the O(n·m) exact path (both sides ≤ 10 000) to small products: it is exact anyway. */
  private static boolean affordable(long n, long m) {
    return Math.max(n, m) > KolmogorovSmirnov.EXACT_MAX_N || (double) n * m <= 4e6;
  }

  private static long size(RandomCases r) {
    return switch (r.choose(4)) {
      case 0 -> r.between(1L, 200L);
      case 1 -> r.between(1L, 10_000_000_000L);
      case 2 -> r.magnitude(1L, 10_000_000_000L);
      default -> EDGE_SIZES[r.between(0, EDGE_SIZES.length - 1)];
    };
  }

  /** A statistic in [0, 1]: uniform, or log-uniform down to 10⁻¹² (near-identical sides). */
  private static double unit(RandomCases r) {
    return r.choose(4) == 0 ? r.logUniform(1e-12, 1) : r.uniform(0, 1);
  }

  @Test
  void ksPValueIsAProbabilityForEveryStatisticAndSize() {
    List<KsCase> edges = new ArrayList<>();
    for (double d : new double[] {0, 1e-12, 0.5, 1}) {
      for (long n : EDGE_SIZES) {
        for (long m : EDGE_SIZES) {
          if (affordable(n, m)) {
            edges.add(new KsCase(d, n, m));
          }
        }
      }
    }
    List<KsCase> cases = RandomCases.of(edges, 0x5eed_0001L, 400, r -> {
      while (true) {
        long n = size(r);
        long m = size(r);
        if (affordable(n, m)) {
          return new KsCase(unit(r), n, m);
        }
      }
    });
    for (KsCase c : cases) {
      double p = KolmogorovSmirnov.test(c.d(), c.n(), c.m()).pValue();
      assertThat(p).as("p(%s)", c).isBetween(0.0, 1.0);
      assertThat(KolmogorovSmirnov.test(c.d(), c.m(), c.n()).pValue())
          .as("symmetric in n, m: %s", c).isEqualTo(p);
      assertThat(KolmogorovSmirnov.test(0, c.n(), c.m()).pValue()).as("D = 0: %s", c)
          .isEqualTo(1.0);
    }
  }

  record SfCase(double a, double b, long en) {}

  /** The p-value falls as D grows: what makes p(D − bound) the upper end of its interval. */
  @Test
  void ksAsymptoticPValueFallsAsTheStatisticGrows() {
    // Every pair of statistics at the sizes and points where the algorithm changes: n·D = 1,
    // √n·D = 0.042, n·D² = 2.2 and 370, Durbin's n = 140 and 10⁵.
    List<SfCase> edges = new ArrayList<>();
    for (long en : new long[] {1, 2, 140, 141, 100_000, 100_001, 10_000_000_000L}) {
      double root = Math.sqrt(en);
      double[] ds = {0, 1e-12, 0.042 / root, 1.0 / en, 0.5 / root, Math.sqrt(2.2 / en),
          Math.sqrt(370.0 / en), 0.5, 1};
      for (double a : ds) {
        for (double b : ds) {
          if (a < b && b <= 1) {
            edges.add(new SfCase(a, b, en));
          }
        }
      }
    }
    List<SfCase> cases = RandomCases.of(edges, 0x5eed_0002L, 300, r -> {
      long en = r.choose(2) == 0 ? r.between(1L, 10_000_000_000L)
          : r.magnitude(1L, 10_000_000_000L);
      // Around 1/√n too, where sf falls from 1 to 0 (a uniform D is mostly far in the tail).
      double scale = Math.min(1, 1 / Math.sqrt(en));
      return r.choose(2) == 0 ? new SfCase(unit(r), unit(r), en)
          : new SfCase(Math.min(1, scale * r.logUniform(1e-3, 40)),
              Math.min(1, scale * r.logUniform(1e-3, 40)), en);
    });
    for (SfCase c : cases) {
      double low = Math.min(c.a(), c.b());
      double high = Math.max(c.a(), c.b());
      assertThat(KolmogorovSmirnov.kolmogorovSf(c.en(), high))
          .as("sf(%s) vs sf(%s) at n=%s", high, low, c.en())
          .isLessThanOrEqualTo(KolmogorovSmirnov.kolmogorovSf(c.en(), low) + 1e-9);
    }
  }

  // ---- Binned methods on counts: PSI, JS, chi², TVD, L∞, KS D ------------------------------

  /** Two count vectors over the same bins, each side with a positive total. */
  record Counts(long[] reference, long[] current) {
    @Override
    public String toString() {
      return Arrays.toString(reference) + " vs " + Arrays.toString(current);
    }
  }

  private static final List<Counts> EDGE_COUNTS = List.of(
      new Counts(new long[] {1}, new long[] {1}),
      new Counts(new long[] {10_000_000_000L}, new long[] {1}),
      new Counts(new long[] {1, 0}, new long[] {0, 1}),
      new Counts(new long[] {0, 0, 5}, new long[] {5, 0, 0}),
      new Counts(new long[] {1, 1, 1}, new long[] {1, 1, 1}),
      new Counts(new long[] {0, 1, 0}, new long[] {0, 1_000_000_000_000L, 0}),
      new Counts(new long[] {5_000_000_000L, 5_000_000_000L}, new long[] {1, 9_999_999_999L}),
      new Counts(new long[] {1_000_000_000_000L, 0, 1}, new long[] {0, 1_000_000_000_000L, 1}),
      new Counts(filled(12, 1_000_000_000_000L), filled(12, 1)),
      new Counts(new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
          new long[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));

  private static long[] filled(int k, long value) {
    long[] a = new long[k];
    Arrays.fill(a, value);
    return a;
  }

  private static long[] counts(RandomCases r, int k) {
    long[] a = new long[k];
    for (int i = 0; i < k; i++) {
      a[i] = switch (r.choose(4)) {
        case 0 -> r.between(0L, 5L);
        case 1 -> r.between(0L, 1_000_000_000_000L);
        case 2 -> r.magnitude(1L, 1_000_000_000_000L);
        default -> r.pick(0L, 1L);
      };
    }
    return a;
  }

  private static List<Counts> counts(long seed, int tries) {
    return RandomCases.of(EDGE_COUNTS, seed, tries, r -> {
      while (true) {
        int k = r.between(1, 12);
        Counts c = new Counts(counts(r, k), counts(r, k));
        if (Arrays.stream(c.reference()).sum() > 0 && Arrays.stream(c.current()).sum() > 0) {
          return c;
        }
      }
    });
  }

  @Test
  void binnedMethodsAreFiniteInRangeAndSymmetric() {
    for (Counts c : counts(0x5eed_0003L, 500)) {
      long[] r = c.reference();
      long[] q = c.current();
      double psi = Psi.of(r, q, PSI_EPSILON);
      assertThat(psi).as("psi(%s)", c).isFinite().isGreaterThanOrEqualTo(0);
      assertThat(Psi.of(q, r, PSI_EPSILON)).as("psi symmetric: %s", c)
          .isCloseTo(psi, within(1e-12 * Math.max(1, psi)));
      double js = JensenShannon.divergence(r, q);
      assertThat(js).as("js(%s)", c).isBetween(0.0, 1.0 + 1e-12);
      assertThat(JensenShannon.divergence(q, r)).as("js symmetric: %s", c)
          .isCloseTo(js, within(1e-12));
      ChiSquare.Result chi2 = ChiSquare.homogeneity(r, q);
      assertThat(chi2.statistic()).as("chi2(%s)", c).isFinite().isGreaterThanOrEqualTo(0);
      assertThat(chi2.pValue()).as("chi2 p(%s)", c).isBetween(0.0, 1.0);
      ChiSquare.Result swapped = ChiSquare.homogeneity(q, r);
      assertThat(swapped.statistic()).as("chi2 symmetric: %s", c)
          .isCloseTo(chi2.statistic(), within(1e-9 * Math.max(1, chi2.statistic())));
      assertThat(swapped.pValue()).as("chi2 p symmetric: %s", c)
          .isCloseTo(chi2.pValue(), within(1e-9));
      double tvd = CategoryShares.totalVariation(r, q);
      assertThat(tvd).as("tvd(%s)", c).isBetween(0.0, 1.0);
      assertThat(CategoryShares.totalVariation(q, r)).as("tvd symmetric: %s", c)
          .isCloseTo(tvd, within(1e-12));
      double linf = CategoryShares.lInfinity(r, q);
      assertThat(linf).as("linf(%s) within [0, tvd]", c).isBetween(0.0, tvd + 1e-12);
      assertThat(CategoryShares.lInfinity(q, r)).as("linf symmetric: %s", c).isEqualTo(linf);
      double d = KolmogorovSmirnov.statistic(r, q);
      assertThat(d).as("ks D(%s)", c).isBetween(0.0, 1.0);
      assertThat(KolmogorovSmirnov.statistic(q, r)).as("ks D symmetric: %s", c).isEqualTo(d);
    }
  }

  @Test
  void binnedMethodsAreZeroOnIdenticalSides() {
    for (Counts c : counts(0x5eed_0004L, 300)) {
      long[] r = c.reference();
      // The same shares at another total: identical distributions.
      long[] scaled = Arrays.stream(r).map(x -> 3 * x).toArray();
      for (long[] q : List.of(r, scaled)) {
        String at = Arrays.toString(r) + " vs " + Arrays.toString(q);
        assertThat(Psi.of(r, q, PSI_EPSILON)).as("psi(%s)", at).isCloseTo(0, within(1e-15));
        assertThat(JensenShannon.divergence(r, q)).as("js(%s)", at).isCloseTo(0, within(1e-15));
        assertThat(ChiSquare.homogeneity(r, q).statistic()).as("chi2(%s)", at)
            .isCloseTo(0, within(1e-9));
        assertThat(ChiSquare.homogeneity(r, q).pValue()).as("chi2 p(%s)", at)
            .isCloseTo(1, within(1e-9));
        assertThat(CategoryShares.totalVariation(r, q)).as("tvd(%s)", at)
            .isCloseTo(0, within(1e-15));
        assertThat(CategoryShares.lInfinity(r, q)).as("linf(%s)", at)
            .isCloseTo(0, within(1e-15));
        assertThat(KolmogorovSmirnov.statistic(r, q)).as("ks D(%s)", at)
            .isCloseTo(0, within(1e-15));
      }
    }
  }

  // ---- Numeric features through FeatureComparator: PSI, KS, JS, W1 -------------------------

  private static final List<double[]> EDGE_SAMPLES = List.of(
      new double[] {0.0},
      new double[] {-0.0},
      new double[] {1.0},
      new double[] {1e300},
      new double[] {0.0, -0.0},
      new double[] {1e300, -1e300},
      constant(50, 1.0),
      constant(2, -1e300),
      new double[] {-3, -2, -1, 0, 1, 2, 3},
      new double[] {1, 1, 1, 2},
      new double[] {-1e6, 1e6},
      new double[] {-1e-3, 1e-9, 1e-3});

  private static double[] constant(int k, double v) {
    double[] a = new double[k];
    Arrays.fill(a, v);
    return a;
  }

  /** Integers (ties), scale-6 numbers up to 10⁶, scale-9 ones up to 10⁻³, or a special value. */
  private static double value(RandomCases r) {
    return switch (r.choose(4)) {
      case 0 -> r.between(-3, 3);
      case 1 -> r.between(-1_000_000_000_000L, 1_000_000_000_000L) / 1e6;
      case 2 -> r.between(-1_000_000L, 1_000_000L) / 1e9;
      default -> r.pick(0.0, -0.0, 1.0, 1e300, -1e300);
    };
  }

  /** Samples with ties, one distinct value or one row included; values any finite double. */
  private static double[] sample(RandomCases r) {
    return switch (r.choose(3)) {
      case 0 -> {
        double[] a = new double[r.between(1, 120)];
        for (int i = 0; i < a.length; i++) {
          a[i] = value(r);
        }
        yield a;
      }
      case 1 -> new double[] {value(r)};
      default -> constant(r.between(1, 50), value(r));
    };
  }

  record Samples(double[] a, double[] b) {
    @Override
    public String toString() {
      return Arrays.toString(a) + " vs " + Arrays.toString(b);
    }
  }

  /** Every pair of edge samples, then {@code tries} random pairs. */
  private static List<Samples> samplePairs(long seed, int tries) {
    List<Samples> edges = new ArrayList<>();
    for (double[] a : EDGE_SAMPLES) {
      for (double[] b : EDGE_SAMPLES) {
        edges.add(new Samples(a, b));
      }
    }
    return RandomCases.of(edges, seed, tries, r -> new Samples(sample(r), sample(r)));
  }

  private static FeatureDrift compare(double[] a, double[] b) {
    return TestGoldenEdgesInMemory.compare(a, 0, b, 0, 1 << 21, 2_000_000);
  }

  private static MethodResult method(FeatureDrift f, String id) {
    return TestGoldenEdgesInMemory.method(f, id);
  }

  @Test
  void numericFeaturesAreTotalAndKsAndW1MatchTheirDefinitions() {
    for (Samples c : samplePairs(0x5eed_0005L, 150)) {
      double[] a = c.a();
      double[] b = c.b();
      FeatureDrift ab = compare(a, b);
      FeatureDrift ba = compare(b, a);
      for (FeatureDrift f : List.of(ab, ba)) {
        for (MethodResult r : f.results()) {
          if (r.computable()) {
            assertThat(r.score()).as("%s score: %s", r.method(), c)
                .isFinite().isGreaterThanOrEqualTo(0);
            if (r.pValue() != null) {
              assertThat(r.pValue()).as("%s p: %s", r.method(), c).isBetween(0.0, 1.0);
            }
          } else {
            assertThat(r.note()).as("%s note: %s", r.method(), c)
                .startsWith("not computable: ");
            assertThat(r.verdict()).as("%s verdict: %s", r.method(), c)
                .isEqualTo(Verdict.UNKNOWN);
          }
        }
      }
      MethodResult ks = method(ab, "ks");
      assertThat(ks.score()).as("ks D: %s", c).isCloseTo(SortBased.ks(a, b), within(1e-12));
      assertThat(method(ba, "ks").score()).as("ks D symmetric: %s", c).isEqualTo(ks.score());
      assertThat(method(ba, "ks").pValue()).as("ks p symmetric: %s", c)
          .isEqualTo(ks.pValue());
      // W1 itself is symmetric (the score divides by the reference's std, which is not).
      String w1 = method(ab, "wasserstein").conventions().get("w1");
      double expected = SortBased.w1(a, b);
      if (w1 != null && Double.isFinite(expected)) {
        assertThat(Double.parseDouble(w1)).as("w1: %s", c)
            .isCloseTo(expected, within(1e-9 * Math.max(1e-300, Math.abs(expected)) + 1e-300));
        assertThat(Double.parseDouble(method(ba, "wasserstein").conventions().get("w1")))
            .as("w1 symmetric: %s", c)
            .isCloseTo(Double.parseDouble(w1), within(1e-12 * Math.abs(expected)));
      }
    }
  }

  @Test
  void numericFeaturesAreZeroOnIdenticalSides() {
    for (double[] a : RandomCases.of(EDGE_SAMPLES, 0x5eed_0006L, 100,
        TestStatisticsProperties::sample)) {
      String at = Arrays.toString(a);
      double[] reversed = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        reversed[i] = a[a.length - 1 - i];
      }
      FeatureDrift f = compare(a, reversed);
      assertThat(method(f, "psi").score()).as("psi(%s)", at).isCloseTo(0, within(1e-15));
      assertThat(method(f, "js").score()).as("js(%s)", at).isCloseTo(0, within(1e-15));
      assertThat(method(f, "ks").score()).as("ks D(%s)", at).isEqualTo(0.0);
      assertThat(method(f, "ks").pValue()).as("ks p(%s)", at).isEqualTo(1.0);
      MethodResult w = method(f, "wasserstein");
      if (w.computable()) {
        assertThat(w.score()).as("wasserstein(%s)", at).isEqualTo(0.0);
      } else {
        // One distinct value (std 0), or values beyond 1.3e154 (their squares overflow).
        assertThat(w.note()).as("wasserstein note(%s)", at)
            .startsWith("not computable: the reference standard deviation ");
      }
      assertThat(f.verdict()).as("verdict(%s)", at).isEqualTo(Verdict.NOT_DRIFTED);
    }
  }

  /** Approximate KS and W1: the stated bound always contains the exact value. */
  @Test
  void approximateStatisticsAreWithinTheirStatedBound() {
    for (Samples c : samplePairs(0x5eed_0007L, 150)) {
      var ref = InMemoryRefinement.profile(c.a(), 0);
      var cur = InMemoryRefinement.profile(c.b(), 0);
      Estimate ks = HistogramKs.approximate(ref, cur);
      assertThat(Math.abs(ks.value() - SortBased.ks(c.a(), c.b())))
          .as("ks %s: %s", ks, c).isLessThanOrEqualTo(ks.errorBound());
      Estimate w1 = HistogramWasserstein.approximate(ref, cur);
      double exact = SortBased.w1(c.a(), c.b());
      if (w1 != null && Double.isFinite(exact)) { // null: the bounds overflow a double
        assertThat(Math.abs(w1.value() - exact)).as("w1 %s vs %s: %s", w1, exact, c)
            .isLessThanOrEqualTo(w1.errorBound() * (1 + 1e-9) + 1e-300);
      }
    }
  }
}
