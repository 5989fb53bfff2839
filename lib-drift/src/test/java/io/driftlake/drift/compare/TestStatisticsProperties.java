package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.stat.CategoryShares;
import io.driftlake.drift.stat.ChiSquare;
import io.driftlake.drift.stat.JensenShannon;
import io.driftlake.drift.stat.KolmogorovSmirnov;
import io.driftlake.drift.stat.Psi;
import io.driftlake.drift.testing.SortBased;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Property-based: every statistic is total (finite, in its range, for any valid counts or
 * samples: ties, one distinct value, one row, 10¹⁰ rows), symmetric where the method is, and 0
 * on identical sides. KS D and W1 are checked against their sort-based definitions.
 */
class TestStatisticsProperties {
  private static final double PSI_EPSILON = 1e-4;

  // ---- KS p-value: any D in [0, 1], any sizes from 1 to 10¹⁰ -------------------------------

  @Property(tries = 400)
  void ksPValueIsAProbabilityForEveryStatisticAndSize(
      @ForAll @DoubleRange(min = 0, max = 1) double d,
      @ForAll("sizes") long n, @ForAll("sizes") long m) {
    // Keep the O(n·m) exact path (both sides ≤ 10 000) to small products: it is exact anyway.
    Assume.that(Math.max(n, m) > KolmogorovSmirnov.EXACT_MAX_N || (double) n * m <= 4e6);
    KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(d, n, m);
    assertThat(r.pValue()).as("p(d=%s, n=%s, m=%s)", d, n, m).isBetween(0.0, 1.0);
    assertThat(KolmogorovSmirnov.test(d, m, n).pValue()).as("symmetric in n, m")
        .isEqualTo(r.pValue());
    assertThat(KolmogorovSmirnov.test(0, n, m).pValue()).as("D = 0").isEqualTo(1.0);
  }

  /** The p-value falls as D grows: what makes p(D − bound) the upper end of its interval. */
  @Property(tries = 300)
  void ksAsymptoticPValueFallsAsTheStatisticGrows(
      @ForAll @DoubleRange(min = 0, max = 1) double a,
      @ForAll @DoubleRange(min = 0, max = 1) double b,
      @ForAll @LongRange(min = 1, max = 10_000_000_000L) long en) {
    double low = Math.min(a, b);
    double high = Math.max(a, b);
    assertThat(KolmogorovSmirnov.kolmogorovSf(en, high))
        .as("sf(%s) vs sf(%s) at n=%s", high, low, en)
        .isLessThanOrEqualTo(KolmogorovSmirnov.kolmogorovSf(en, low) + 1e-9);
  }

  @Provide
  Arbitrary<Long> sizes() {
    return Arbitraries.oneOf(Arbitraries.longs().between(1, 200),
        Arbitraries.longs().between(1, 10_000_000_000L),
        Arbitraries.of(1L, 2L, 10_000L, 10_001L, 2_020_000L, 2_040_000L, 10_000_000_000L));
  }

  // ---- Binned methods on counts: PSI, JS, chi², TVD, L∞, KS D ------------------------------

  /** Two count vectors over the same bins, each side with a positive total. */
  record Counts(long[] reference, long[] current) {
    @Override
    public String toString() {
      return Arrays.toString(reference) + " vs " + Arrays.toString(current);
    }
  }

  @Provide
  Arbitrary<Counts> counts() {
    Arbitrary<Long> count = Arbitraries.oneOf(Arbitraries.longs().between(0, 5),
        Arbitraries.longs().between(0, 1_000_000_000_000L), Arbitraries.of(0L, 1L));
    return Arbitraries.integers().between(1, 12).flatMap(k -> Combinators.combine(
        count.array(long[].class).ofSize(k), count.array(long[].class).ofSize(k))
        .as(Counts::new))
        .filter(c -> Arrays.stream(c.reference()).sum() > 0
            && Arrays.stream(c.current()).sum() > 0);
  }

  @Property(tries = 500)
  void binnedMethodsAreFiniteInRangeAndSymmetric(@ForAll("counts") Counts c) {
    long[] r = c.reference();
    long[] q = c.current();
    double psi = Psi.of(r, q, PSI_EPSILON);
    assertThat(psi).isFinite().isGreaterThanOrEqualTo(0);
    assertThat(Psi.of(q, r, PSI_EPSILON)).isCloseTo(psi, within(1e-12 * Math.max(1, psi)));
    double js = JensenShannon.divergence(r, q);
    assertThat(js).isBetween(0.0, 1.0 + 1e-12);
    assertThat(JensenShannon.divergence(q, r)).isCloseTo(js, within(1e-12));
    ChiSquare.Result chi2 = ChiSquare.homogeneity(r, q);
    assertThat(chi2.statistic()).isFinite().isGreaterThanOrEqualTo(0);
    assertThat(chi2.pValue()).isBetween(0.0, 1.0);
    ChiSquare.Result swapped = ChiSquare.homogeneity(q, r);
    assertThat(swapped.statistic())
        .isCloseTo(chi2.statistic(), within(1e-9 * Math.max(1, chi2.statistic())));
    assertThat(swapped.pValue()).isCloseTo(chi2.pValue(), within(1e-9));
    double tvd = CategoryShares.totalVariation(r, q);
    assertThat(tvd).isBetween(0.0, 1.0);
    assertThat(CategoryShares.totalVariation(q, r)).isCloseTo(tvd, within(1e-12));
    double linf = CategoryShares.lInfinity(r, q);
    assertThat(linf).isBetween(0.0, tvd + 1e-12);
    assertThat(CategoryShares.lInfinity(q, r)).isEqualTo(linf);
    double d = KolmogorovSmirnov.statistic(r, q);
    assertThat(d).isBetween(0.0, 1.0);
    assertThat(KolmogorovSmirnov.statistic(q, r)).isEqualTo(d);
  }

  @Property(tries = 300)
  void binnedMethodsAreZeroOnIdenticalSides(@ForAll("counts") Counts c) {
    long[] r = c.reference();
    // The same shares at another total: identical distributions.
    long[] scaled = Arrays.stream(r).map(x -> 3 * x).toArray();
    for (long[] q : List.of(r, scaled)) {
      assertThat(Psi.of(r, q, PSI_EPSILON)).isCloseTo(0, within(1e-15));
      assertThat(JensenShannon.divergence(r, q)).isCloseTo(0, within(1e-15));
      assertThat(ChiSquare.homogeneity(r, q).statistic()).isCloseTo(0, within(1e-9));
      assertThat(ChiSquare.homogeneity(r, q).pValue()).isCloseTo(1, within(1e-9));
      assertThat(CategoryShares.totalVariation(r, q)).isCloseTo(0, within(1e-15));
      assertThat(CategoryShares.lInfinity(r, q)).isCloseTo(0, within(1e-15));
      assertThat(KolmogorovSmirnov.statistic(r, q)).isCloseTo(0, within(1e-15));
    }
  }

  // ---- Numeric features through FeatureComparator: PSI, KS, JS, W1 -------------------------

  /** Samples with ties, one distinct value or one row included; values any finite double. */
  @Provide
  Arbitrary<double[]> samples() {
    Arbitrary<Double> value = Arbitraries.oneOf(
        Arbitraries.integers().between(-3, 3).map(i -> (double) i),
        Arbitraries.doubles().between(-1e6, 1e6).ofScale(6),
        Arbitraries.doubles().between(-1e-3, 1e-3).ofScale(9),
        Arbitraries.of(0.0, -0.0, 1.0, 1e300, -1e300));
    return Arbitraries.oneOf(value.array(double[].class).ofMinSize(1).ofMaxSize(120),
        value.map(v -> new double[] {v}),
        Combinators.combine(value, Arbitraries.integers().between(1, 50))
            .as((v, k) -> { double[] a = new double[k]; Arrays.fill(a, v); return a; }));
  }

  private static FeatureDrift compare(double[] a, double[] b) {
    return TestGoldenEdgesInMemory.compare(a, 0, b, 0, 1 << 21, 2_000_000);
  }

  private static MethodResult method(FeatureDrift f, String id) {
    return TestGoldenEdgesInMemory.method(f, id);
  }

  @Property(tries = 150)
  void numericFeaturesAreTotalAndKsAndW1MatchTheirDefinitions(
      @ForAll("samples") double[] a, @ForAll("samples") double[] b) {
    FeatureDrift ab = compare(a, b);
    FeatureDrift ba = compare(b, a);
    for (FeatureDrift f : List.of(ab, ba)) {
      for (MethodResult r : f.results()) {
        if (r.computable()) {
          assertThat(r.score()).as(r.method()).isFinite().isGreaterThanOrEqualTo(0);
          if (r.pValue() != null) {
            assertThat(r.pValue()).as(r.method()).isBetween(0.0, 1.0);
          }
        } else {
          assertThat(r.note()).as(r.method()).startsWith("not computable: ");
          assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        }
      }
    }
    MethodResult ks = method(ab, "ks");
    assertThat(ks.score()).isCloseTo(SortBased.ks(a, b), within(1e-12));
    assertThat(method(ba, "ks").score()).isEqualTo(ks.score());
    assertThat(method(ba, "ks").pValue()).isEqualTo(ks.pValue());
    // W1 itself is symmetric (the score divides by the reference's std, which is not).
    String w1 = method(ab, "wasserstein").conventions().get("w1");
    double expected = SortBased.w1(a, b);
    if (w1 != null && Double.isFinite(expected)) {
      assertThat(Double.parseDouble(w1))
          .isCloseTo(expected, within(1e-9 * Math.max(1e-300, Math.abs(expected)) + 1e-300));
      assertThat(Double.parseDouble(method(ba, "wasserstein").conventions().get("w1")))
          .isCloseTo(Double.parseDouble(w1), within(1e-12 * Math.abs(expected)));
    }
  }

  @Property(tries = 100)
  void numericFeaturesAreZeroOnIdenticalSides(@ForAll("samples") double[] a) {
    double[] reversed = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      reversed[i] = a[a.length - 1 - i];
    }
    FeatureDrift f = compare(a, reversed);
    assertThat(method(f, "psi").score()).isCloseTo(0, within(1e-15));
    assertThat(method(f, "js").score()).isCloseTo(0, within(1e-15));
    assertThat(method(f, "ks").score()).isEqualTo(0.0);
    assertThat(method(f, "ks").pValue()).isEqualTo(1.0);
    MethodResult w = method(f, "wasserstein");
    if (w.computable()) {
      assertThat(w.score()).isEqualTo(0.0);
    } else {
      // One distinct value (std 0), or values beyond 1.3e154 (their squares overflow).
      assertThat(w.note()).startsWith("not computable: the reference standard deviation ");
    }
    assertThat(f.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
  }

  /** Approximate KS and W1: the stated bound always contains the exact value. */
  @Property(tries = 150)
  void approximateStatisticsAreWithinTheirStatedBound(
      @ForAll("samples") double[] a, @ForAll("samples") double[] b) {
    var ref = TestExactRefinement.profile(a, 0);
    var cur = TestExactRefinement.profile(b, 0);
    Estimate ks = HistogramKs.approximate(ref, cur);
    assertThat(Math.abs(ks.value() - SortBased.ks(a, b))).isLessThanOrEqualTo(ks.errorBound());
    Estimate w1 = HistogramWasserstein.approximate(ref, cur);
    double exact = SortBased.w1(a, b);
    if (w1 != null && Double.isFinite(exact)) { // null: the bounds overflow a double
      assertThat(Math.abs(w1.value() - exact))
          .isLessThanOrEqualTo(w1.errorBound() * (1 + 1e-9) + 1e-300);
    }
  }
}
