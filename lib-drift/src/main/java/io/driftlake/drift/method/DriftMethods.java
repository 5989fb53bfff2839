package io.driftlake.drift.method;

import static io.driftlake.drift.feature.FeatureType.CATEGORICAL;
import static io.driftlake.drift.feature.FeatureType.NUMERIC;

import io.driftlake.drift.method.DriftMethod.Reads;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.CategoryShares;
import io.driftlake.drift.stat.ChiSquare;
import io.driftlake.drift.stat.CramerVonMises;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.stat.JensenShannon;
import io.driftlake.drift.stat.KolmogorovSmirnov;
import io.driftlake.drift.stat.PooledValues;
import io.driftlake.drift.stat.Psi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The registry of drift methods, looked up by stable id. Each method is one declaration here:
 * id, feature types, score kind, direction, default threshold and its scorer. Adding a method
 * is one more declaration (and its entry in {@link #all}); the comparator dispatches through it.
 */
public final class DriftMethods {
  /** Population stability index on the bins, natural log, proportions floored. */
  public static final DriftMethod PSI = new DriftMethod("psi", Set.of(NUMERIC, CATEGORICAL),
      ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.2, Reads.BINS, DriftMethods::psi,
      DriftMethods::psiBuckets);
  /**
   * Two-sample Kolmogorov–Smirnov test (scipy's ks_2samp, two-sided): drifted when its p-value is
   * below alpha and its statistic D reaches the minimum effect (0.05: a normal's mean shifted by
   * about 0.125 standard deviations; docs/METHODS.md).
   */
  public static final DriftMethod KS = new DriftMethod("ks", Set.of(NUMERIC), ScoreKind.P_VALUE,
      Direction.LOWER_IS_DRIFT, 0.05, Reads.EMPIRICAL, DriftMethods::ks, null,
      new DriftMethod.Effect("D", "the KS statistic, the largest gap of the two ECDFs", 0.05));
  /** Jensen–Shannon divergence of the bins, base 2 (its square root is recorded too). */
  public static final DriftMethod JS = new DriftMethod("js", Set.of(NUMERIC, CATEGORICAL),
      ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1, Reads.BINS, DriftMethods::jensenShannon,
      (bins, epsilon) -> upperOfBuckets(bins, DriftMethods::jsTerm));
  /** Wasserstein-1 distance divided by the reference's standard deviation (population, ddof 0). */
  public static final DriftMethod WASSERSTEIN = new DriftMethod("wasserstein", Set.of(NUMERIC),
      ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1, Reads.EMPIRICAL,
      DriftMethods::wasserstein, null);
  /**
   * Chi-square test of homogeneity on the 2×K table of category counts, no continuity
   * correction: drifted when its p-value is below alpha and Cramér's V = sqrt(χ² / n) (n both
   * sides' total; min(2, K) − 1 = 1) reaches the minimum effect (0.1: Cohen's small effect;
   * docs/METHODS.md).
   */
  public static final DriftMethod CHI2 = new DriftMethod("chi2", Set.of(CATEGORICAL),
      ScoreKind.P_VALUE, Direction.LOWER_IS_DRIFT, 0.05, Reads.BINS, DriftMethods::chiSquare,
      (bins, epsilon) -> new DriftMethod.Range(null, null),
      new DriftMethod.Effect("V", "Cramér's V of the 2 x K table of counts", 0.1));
  /** Total variation distance: half the L1 distance between the category shares. */
  public static final DriftMethod TVD = new DriftMethod("tvd", Set.of(CATEGORICAL),
      ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1, Reads.BINS,
      (in, conventions) -> onBins(in, conventions, CategoryShares::totalVariation),
      (bins, epsilon) -> upperOfBuckets(bins, (p, q) -> Math.abs(p - q) / 2));
  /** L-infinity distance: the largest change of any one category's share. */
  public static final DriftMethod LINF = new DriftMethod("linf", Set.of(CATEGORICAL),
      ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1, Reads.BINS,
      (in, conventions) -> onBins(in, conventions, CategoryShares::lInfinity),
      DriftMethods::linfBuckets);
  /**
   * Two-sample Cramér–von Mises test (scipy's cramervonmises_2samp, method 'asymptotic'):
   * statistic T from the pooled midranks, its p-value decides. It reads every value of both
   * sides, so it is not in the default methods: a config enables it ({@code methods}).
   */
  public static final DriftMethod CVM = new DriftMethod("cvm", Set.of(NUMERIC),
      ScoreKind.P_VALUE, Direction.LOWER_IS_DRIFT, 0.05, Reads.VALUES,
      DriftMethods::cramerVonMises, null);

  /** W1 of finite values that span more than a double holds: ∞, so not computable. */
  public static final String W1_OVERFLOW = "not computable: W1 overflows a double (the finite "
      + "values span more than " + Double.MAX_VALUE + ")";

  private static final Map<String, DriftMethod> BY_ID =
      index(List.of(PSI, KS, JS, WASSERSTEIN, CHI2, TVD, LINF, CVM));

  private DriftMethods() {}

  public static DriftMethod byId(String id) {
    DriftMethod method = BY_ID.get(id);
    if (method == null) {
      throw new IllegalArgumentException(
          String.format("Unknown drift method '%s'; known methods: %s", id, BY_ID.keySet()));
    }
    return method;
  }

  public static List<DriftMethod> all() {
    return List.copyOf(BY_ID.values());
  }

  private static Map<String, DriftMethod> index(List<DriftMethod> methods) {
    Map<String, DriftMethod> byId = new LinkedHashMap<>();
    methods.forEach(m -> byId.put(m.id(), m));
    return byId;
  }

  private static Score psi(MethodInput in, Map<String, String> conventions) {
    Bins bins = in.bins();
    conventions.putAll(bins.conventions());
    double epsilon = in.psiEpsilon();
    double floor = bins.psiFloor(epsilon);
    conventions.put("smoothing", floor == epsilon
        ? "proportions floored at " + floor
        : "proportions floored at " + floor + " (half the smallest non-zero category "
            + "share, below " + epsilon + ")");
    conventions.put("log_base", "e");
    double score = Psi.of(bins.reference(), bins.current(), floor);
    return Score.of(score, null, scoreInterval(conventions,
        bins.ranges() == null ? null : bins.ranges().psi(floor)));
  }

  private static Score jensenShannon(MethodInput in, Map<String, String> conventions) {
    Bins bins = in.bins();
    conventions.putAll(bins.conventions());
    conventions.put("smoothing", "none");
    conventions.put("log_base", "2");
    double score = JensenShannon.divergence(bins.reference(), bins.current());
    conventions.put("js_distance", Double.toString(Math.sqrt(score)));
    return Score.of(score, null, scoreInterval(conventions,
        bins.ranges() == null ? null : bins.ranges().jensenShannon()));
  }

  /**
   * The bounds of a score from estimated counts: the estimate (from counts spread evenly) lies
   * inside; the bounds hold the exact score, and they decide.
   */
  private static double[] scoreInterval(Map<String, String> conventions, double[] interval) {
    if (interval != null) {
      conventions.put("score_lower", Double.toString(interval[0]));
      conventions.put("score_upper", Double.toString(interval[1]));
    }
    return interval;
  }

  private static Score chiSquare(MethodInput in, Map<String, String> conventions) {
    Bins bins = in.bins();
    conventions.putAll(bins.conventions());
    conventions.put("correction", "none");
    ChiSquare.Result chi2 = ChiSquare.homogeneity(bins.reference(), bins.current());
    conventions.put("dof", Integer.toString(chi2.degreesOfFreedom()));
    double n = java.util.Arrays.stream(bins.reference()).sum()
        + java.util.Arrays.stream(bins.current()).sum();
    // min(rows, columns) − 1 is 1 for two rows (or 0 with one column: then χ² = 0 and V = 0).
    double v = chi2.degreesOfFreedom() == 0 ? 0 : Math.min(1, Math.sqrt(chi2.statistic() / n));
    return Score.of(chi2.statistic(), chi2.pValue(), null).withEffect(v, null);
  }

  private static Score onBins(MethodInput in, Map<String, String> conventions,
                              java.util.function.ToDoubleBiFunction<long[], long[]> score) {
    Bins bins = in.bins();
    conventions.putAll(bins.conventions());
    return Score.of(score.applyAsDouble(bins.reference(), bins.current()));
  }

  private static Score cramerVonMises(MethodInput in, Map<String, String> conventions) {
    PooledValues values = in.values();
    if (values == null) {
      return Score.notComputable("not computable: cvm ranks every value of both sides, which "
          + "only exact mode reads (statistics-mode = exact); the profiles' fine histograms do "
          + "not fix the ranks");
    }
    if (in.reference().valid() < 2 || in.current().valid() < 2) {
      return Score.notComputable(String.format(Locale.ROOT, "not computable: cvm needs at "
          + "least two values on each side (reference %d, current %d)", in.reference().valid(),
          in.current().valid()));
    }
    CramerVonMises.Result r = CramerVonMises.test(values.reference(), values.current());
    conventions.put("mode", "exact");
    conventions.put("values", "every value but nulls and NaNs (the ranks include infinities); "
        + "tied values get their midrank");
    conventions.put("p_value", "asymptotic (limiting distribution of the normalised T)");
    return Score.of(r.statistic(), r.pValue(), null);
  }

  private static Score ks(MethodInput in, Map<String, String> conventions) {
    Estimate d = in.ks();
    if (d == null) {
      return Score.notComputable(in.failure() != null ? in.failure()
          : "not computable: no KS statistic was supplied");
    }
    long n = in.reference().valid();
    long m = in.current().valid();
    KolmogorovSmirnov.Result ks = KolmogorovSmirnov.test(Math.min(1, Math.max(0, d.value())), n,
        m);
    putMode(conventions, d);
    conventions.put("p_value", ks.mode().name().toLowerCase(Locale.ROOT));
    double[] interval = null;
    if (!d.exact()) {
      // The p-value falls as D grows: D's bounds give the p-value's.
      double lower = KolmogorovSmirnov.test(Math.min(1, ks.statistic() + d.errorBound()), n, m)
          .pValue();
      double upper = KolmogorovSmirnov.test(Math.max(0, ks.statistic() - d.errorBound()), n, m)
          .pValue();
      conventions.put("p_value_lower", Double.toString(lower));
      conventions.put("p_value_upper", Double.toString(upper));
      interval = new double[] {lower, upper};
    }
    conventions.put("alternative", "two-sided");
    double[] effect = d.exact() ? null : new double[] {
        Math.max(0, ks.statistic() - d.errorBound()), Math.min(1, ks.statistic() + d.errorBound())};
    return Score.of(ks.statistic(), ks.pValue(), interval).withEffect(ks.statistic(), effect);
  }

  private static Score wasserstein(MethodInput in, Map<String, String> conventions) {
    NumericProfile ref = (NumericProfile) in.reference();
    NumericProfile cur = (NumericProfile) in.current();
    Estimate w = in.wasserstein();
    if (w != null) {
      putMode(conventions, w);
    }
    conventions.put("values", String.format(Locale.ROOT,
        "finite only (infinities left out: reference %d, current %d)",
        ref.valid() - ref.finiteCount(), cur.valid() - cur.finiteCount()));
    conventions.put("normalisation", "W1 / reference standard deviation (ddof 0)");
    double std = Math.sqrt(ref.variance());
    if (ref.finiteCount() == 0 || cur.finiteCount() == 0) {
      return Score.notComputable("not computable: a selection has no finite values");
    }
    if (w == null) {
      // Both sides have finite values, so without a failure the statistic was left out
      // because it overflows.
      return Score.notComputable(in.failure() != null ? in.failure() : W1_OVERFLOW);
    }
    double w1 = w.value();
    conventions.put("w1", Double.toString(w1));
    if (!Double.isFinite(std)) {
      // Squares of finite values beyond ~1.3e154 overflow: the profile's sums of squares
      // are ∞, and an ∞ std would make the score 0.
      return Score.notComputable("not computable: the reference standard deviation overflows "
          + "a double (squares of values beyond about 1.3e154)");
    }
    if (!(std > 0)) {
      return Score.notComputable("not computable: the reference standard deviation is " + std);
    }
    if (!Double.isFinite(w1 / std)) {
      return Score.notComputable(String.format(Locale.ROOT, "not computable: W1 / reference "
          + "standard deviation overflows a double (W1 %s, std %s)", w1, std));
    }
    conventions.put("reference_std", Double.toString(std));
    double score = w1 / std;
    double[] interval = null;
    if (!w.exact()) {
      double bound = w.errorBound() / std;
      conventions.put("error_bound", Double.toString(bound));
      conventions.put("w1_error_bound", Double.toString(w.errorBound()));
      interval = new double[] {Math.max(0, score - bound), score + bound};
    }
    return Score.of(score, null, interval);
  }

  /** Records whether a statistic is exact, or approximate with its stated error bound. */
  private static void putMode(Map<String, String> conventions, Estimate estimate) {
    conventions.put("mode", estimate.exact() ? "exact" : "approximate");
    if (!estimate.exact()) {
      conventions.put("error_bound", Double.toString(estimate.errorBound()));
      conventions.put("error_bound_source", "fine-histogram bounds (|estimate - exact| <= bound)");
    }
  }

  /**
   * PSI from buckets: the true floor is at least min(epsilon, 1 / (2 max(n, m))) (half a
   * one-count share), and a category's floored term |q' − p'| · |ln(q' / p')| is at most
   * |q − p| times the log of its larger share over the larger of its smaller share and that
   * floor; a bucket's categories at most (p + q) times the log of its larger share over it.
   */
  private static DriftMethod.Range psiBuckets(Bins bins, double epsilon) {
    long[] ref = bins.reference();
    long[] cur = bins.current();
    double n = java.util.Arrays.stream(ref).sum();
    double m = java.util.Arrays.stream(cur).sum();
    double floor = Math.min(epsilon, 1 / (2 * Math.max(n, m)));
    double u = 0;
    for (int i = 0; i < ref.length; i++) {
      double p = ref[i] / n;
      double q = cur[i] / m;
      double high = Math.max(Math.max(p, q), floor);
      u += i >= bins.exactBins() ? (p + q) * Math.log(high / floor)
          : Math.abs(p - q) * Math.log(high / Math.max(Math.min(p, q), floor));
    }
    return new DriftMethod.Range(null, u);
  }

  /** A sum over bins of {@code term}, where a bucket's categories add at most half its mass. */
  private static DriftMethod.Range upperOfBuckets(Bins bins,
                                                  java.util.function.DoubleBinaryOperator term) {
    long[] ref = bins.reference();
    long[] cur = bins.current();
    double n = java.util.Arrays.stream(ref).sum();
    double m = java.util.Arrays.stream(cur).sum();
    double u = 0;
    for (int i = 0; i < ref.length; i++) {
      double p = ref[i] / n;
      double q = cur[i] / m;
      u += i >= bins.exactBins() ? (p + q) / 2 : term.applyAsDouble(p, q);
    }
    return new DriftMethod.Range(null, u);
  }

  /**
   * L∞ of buckets is no bound of L∞ of categories either way: it lies between the largest
   * change of a category counted exactly and the largest bucket share.
   */
  private static DriftMethod.Range linfBuckets(Bins bins, double epsilon) {
    long[] ref = bins.reference();
    long[] cur = bins.current();
    double n = java.util.Arrays.stream(ref).sum();
    double m = java.util.Arrays.stream(cur).sum();
    double l = 0;
    double u = 0;
    for (int i = 0; i < ref.length; i++) {
      double p = ref[i] / n;
      double q = cur[i] / m;
      if (i < bins.exactBins()) {
        l = Math.max(l, Math.abs(p - q));
      } else {
        u = Math.max(u, Math.max(p, q));
      }
    }
    return new DriftMethod.Range(l, Math.max(l, u));
  }

  /** One bin's Jensen–Shannon term, base 2: at most (p + q) / 2. */
  private static double jsTerm(double p, double q) {
    double mid = (p + q) / 2;
    double t = 0;
    if (p > 0) {
      t += p / 2 * Math.log(p / mid);
    }
    if (q > 0) {
      t += q / 2 * Math.log(q / mid);
    }
    return t / Math.log(2);
  }
}
