package io.driftlake.drift.compare;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.method.ScoreKind;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.CategoryShares;
import io.driftlake.drift.stat.ChiSquare;
import io.driftlake.drift.stat.DivergenceBounds;
import io.driftlake.drift.stat.JensenShannon;
import io.driftlake.drift.stat.KolmogorovSmirnov;
import io.driftlake.drift.stat.Psi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns a reference and a current profile of one feature into method results, and a set of
 * features into a dataset-level decision. Pure: no Spark.
 */
public final class FeatureComparator {
  private final DriftSettings settings;

  public FeatureComparator(DriftSettings settings) {
    this.settings = settings;
  }

  /**
   * The KS D and the Wasserstein-1 distance of a numeric feature, exact (from the exact-values
   * pass) or estimated from the histograms with an error bound; each null when not configured or
   * not computable. {@code failure}, when not null, says why a statistic that was asked for
   * could not be computed (its method is then not computable with that reason).
   */
  public record Statistics(Estimate ks, Estimate wasserstein, String failure,
                           Map<Long, ExactRefinement.Values> binValues) {
    public Statistics(Estimate ks, Estimate wasserstein, String failure) {
      this(ks, wasserstein, failure, null);
    }

    public Statistics(Estimate ks, Estimate wasserstein) {
      this(ks, wasserstein, null);
    }

    /**
     * The same statistics with the exact values of the fine bins PSI/JS binning needs
     * ({@link NumericBinning#needed}), which make their edges and counts exact.
     */
    public Statistics withBinValues(Map<Long, ExactRefinement.Values> values) {
      return new Statistics(ks, wasserstein, failure, values);
    }

    public static Statistics none() {
      return new Statistics(null, null);
    }
  }

  /** W1 of finite values that span more than a double holds: ∞, so not computable. */
  public static final String W1_OVERFLOW = "not computable: W1 overflows a double (the finite "
      + "values span more than " + Double.MAX_VALUE + ")";

  /** Compares one feature with the methods and thresholds its {@link DriftSettings#policy} gives. */
  public FeatureDrift compare(FeatureProfile reference, FeatureProfile current, Statistics exact) {
    FeatureType type = reference.type();
    DriftSettings.FeaturePolicy policy = settings.policy(reference.feature(), type);
    // Binned once, on first use, and only for the methods that bin: a failure there fails
    // those methods, not the feature.
    Supplier<Binned> binned = new Supplier<>() {
      private Binned value;

      @Override
      public Binned get() {
        if (value == null) {
          value = binned(reference, current, exact.binValues());
        }
        return value;
      }
    };
    List<MethodResult> results = new ArrayList<>();
    for (DriftMethod method : policy.methods()) {
      DriftSettings.Threshold threshold = policy.threshold(method);
      MethodResult result;
      try {
        result = result(method, threshold, reference, current, binned, exact);
        if (BINNED.contains(method)) {
          result = bounded(method, binned.get(), result);
        }
      } catch (RuntimeException e) {
        // One method's failure is that method's "not computable" on this feature: the other
        // methods and features are still scored, and the run says it is incomplete.
        result = MethodResult.notComputable(method.id(), threshold.value(), String.format(
            "not computable: %s failed on feature '%s': %s", method.id(), reference.feature(),
            e.getMessage() == null ? e.getClass().getName() : e.getMessage()),
            Map.of("threshold_source", threshold.source()));
      }
      results.add(recorded(result));
    }
    DriftMethod decider = policy.decideBy();
    Verdict verdict = results.stream().filter(r -> r.method().equals(decider.id()))
        .map(MethodResult::verdict).findFirst().orElse(Verdict.UNKNOWN);
    return new FeatureDrift(reference.feature(), type, reference.rows(), current.rows(),
        reference.nullShare(), current.nullShare(), results, decider.id(), verdict,
        policy.critical());
  }

  /**
   * The dataset drifts when at least the configured share of features drift, or when any
   * feature marked critical drifts; the reason says which. A side with fewer rows than
   * {@code min-rows} makes the run not computable: every verdict unknown, the scores kept.
   */
  public DriftReport decide(long referenceRows, long currentRows, List<FeatureDrift> features) {
    // A side with fewer rows than min-rows gives no answer, however its scores look: an empty or
    // tiny batch is never "no drift". Scores are still reported; every verdict is unknown.
    List<String> small = new ArrayList<>();
    if (referenceRows < settings.minRows()) {
      small.add("the reference has " + referenceRows + " rows");
    }
    if (currentRows < settings.minRows()) {
      small.add("the current selection has " + currentRows + " rows");
    }
    if (!small.isEmpty()) {
      String why = String.format(Locale.ROOT, "not computable: %s, fewer than %s.min-rows = %d",
          String.join(" and ", small), DriftSettings.PATH, settings.minRows());
      List<FeatureDrift> unknown = features.stream().map(f -> new FeatureDrift(f.feature(),
          f.type(), f.referenceRows(), f.currentRows(), f.referenceNullShare(),
          f.currentNullShare(), f.results().stream().map(r -> new MethodResult(r.method(),
              r.score(), r.pValue(), r.threshold(), Verdict.UNKNOWN,
              r.note() == null ? why : r.note(), r.conventions())).toList(),
          f.decidedBy(), Verdict.UNKNOWN, f.critical())).toList();
      return new DriftReport(referenceRows, currentRows, unknown, settings.datasetDriftShare(),
          RunStatus.NOT_COMPUTABLE, why, List.of());
    }
    List<FeatureDrift> ranked = features.stream()
        .sorted(Comparator.comparing(FeatureDrift::drifted).reversed()
            .thenComparing(Comparator.comparingDouble(FeatureDrift::exceedance).reversed()))
        .toList();
    List<String> drifted = ranked.stream().filter(FeatureDrift::drifted)
        .map(FeatureDrift::feature).toList();
    List<String> critical = ranked.stream().filter(f -> f.drifted() && f.critical())
        .map(FeatureDrift::feature).toList();
    double share = features.isEmpty() ? 0 : (double) drifted.size() / features.size();
    boolean byShare = !features.isEmpty() && share >= settings.datasetDriftShare();
    String reason = String.format(Locale.ROOT, "%d of %d features drifted (%.0f%%) %s %.0f%%%s",
        drifted.size(), features.size(), share * 100, byShare ? ">=" : "<",
        settings.datasetDriftShare() * 100, drifted.isEmpty() ? "" : ": " + String.join(", ", drifted));
    if (!critical.isEmpty()) {
      reason += "; critical feature(s) drifted: " + String.join(", ", critical);
    }
    // A feature whose deciding method could not decide is unknown, never "no drift": drift the
    // known features establish stands (unknown ones could only add to it); otherwise the run is
    // incomplete, and says which features and why.
    List<FeatureDrift> unknown = ranked.stream().filter(FeatureDrift::unknown).toList();
    if (!unknown.isEmpty()) {
      reason += String.format(Locale.ROOT, "; %d of %d features unknown (their deciding method "
          + "could not decide): %s", unknown.size(), features.size(), unknown.stream()
          .map(f -> f.feature() + " (" + f.decidedBy() + ": " + decidingNote(f) + ")")
          .collect(Collectors.joining(", ")));
    }
    RunStatus status = byShare || !critical.isEmpty() ? RunStatus.DRIFTED
        : unknown.isEmpty() ? RunStatus.NO_DRIFT : RunStatus.INCOMPLETE;
    return new DriftReport(referenceRows, currentRows, ranked, settings.datasetDriftShare(),
        status, reason, List.of());
  }

  private static String decidingNote(FeatureDrift f) {
    return f.results().stream().filter(r -> r.method().equals(f.decidedBy()))
        .map(r -> r.note() == null ? "no verdict" : r.note()).findFirst()
        .orElse("not configured");
  }

  private MethodResult result(DriftMethod method, DriftSettings.Threshold resolved,
                              FeatureProfile reference, FeatureProfile current,
                              Supplier<Binned> binnedOnce, Statistics exact) {
    double threshold = resolved.value();
    Map<String, String> conventions = new LinkedHashMap<>();
    conventions.put("threshold_source", resolved.source());
    if (reference.valid() == 0 || current.valid() == 0) {
      String empty = reference.valid() == 0 ? "reference" : "current";
      return MethodResult.notComputable(method.id(), threshold,
          "not computable: the " + empty + " selection has no non-null values", conventions);
    }
    double score;
    Double pValue = null;
    // An approximate statistic's decision value (p-value or score) lies in [low, high].
    double[] interval = null;
    Binned binned = method.equals(DriftMethods.KS) || method.equals(DriftMethods.WASSERSTEIN)
        ? null : binnedOnce.get();
    if (binned != null && binned.unavailable() != null && BINNED.contains(method)) {
      return MethodResult.notComputable(method.id(), threshold, binned.unavailable(),
          binned.conventions());
    }
    if (method.equals(DriftMethods.PSI) || method.equals(DriftMethods.JS)) {
      conventions.putAll(binned.conventions());
      if (method.equals(DriftMethods.PSI)) {
        double floor = binned.psiFloor(settings.psiEpsilon());
        conventions.put("smoothing", floor == settings.psiEpsilon()
            ? "proportions floored at " + floor
            : "proportions floored at " + floor + " (half the smallest non-zero category "
                + "share, below " + settings.psiEpsilon() + ")");
        conventions.put("log_base", "e");
        score = Psi.of(binned.reference(), binned.current(), floor);
        if (binned.bounds() != null) {
          interval = binned.bounds().interval(true, floor);
        }
      } else {
        conventions.put("smoothing", "none");
        conventions.put("log_base", "2");
        score = JensenShannon.divergence(binned.reference(), binned.current());
        conventions.put("js_distance", Double.toString(Math.sqrt(score)));
        if (binned.bounds() != null) {
          interval = binned.bounds().interval(false, 0);
        }
      }
      if (interval != null) {
        // The estimate (from counts spread evenly) lies inside; the bounds hold the exact
        // score, and they decide.
        conventions.put("score_lower", Double.toString(interval[0]));
        conventions.put("score_upper", Double.toString(interval[1]));
      }
    } else if (method.equals(DriftMethods.KS)) {
      if (exact.ks() == null && exact.failure() != null) {
        return MethodResult.notComputable(method.id(), threshold, exact.failure(), conventions);
      }
      if (exact.ks() == null) {
        return MethodResult.notComputable(method.id(), threshold,
            "not computable: no KS statistic was supplied", conventions);
      }
      KolmogorovSmirnov.Result ks = KolmogorovSmirnov.test(
          Math.min(1, Math.max(0, exact.ks().value())), reference.valid(), current.valid());
      score = ks.statistic();
      pValue = ks.pValue();
      putMode(conventions, exact.ks());
      conventions.put("p_value", ks.mode().name().toLowerCase(Locale.ROOT));
      if (!exact.ks().exact()) {
        // The p-value falls as D grows: D's bounds give the p-value's.
        double bound = exact.ks().errorBound();
        double lower = KolmogorovSmirnov.test(Math.min(1, score + bound), reference.valid(),
            current.valid()).pValue();
        double upper = KolmogorovSmirnov.test(Math.max(0, score - bound), reference.valid(),
            current.valid()).pValue();
        conventions.put("p_value_lower", Double.toString(lower));
        conventions.put("p_value_upper", Double.toString(upper));
        interval = new double[] {lower, upper};
      }
      conventions.put("alternative", "two-sided");
    } else if (method.equals(DriftMethods.WASSERSTEIN)) {
      NumericProfile ref = (NumericProfile) reference;
      NumericProfile cur = (NumericProfile) current;
      if (exact.wasserstein() != null) {
        putMode(conventions, exact.wasserstein());
      }
      conventions.put("values", String.format(Locale.ROOT,
          "finite only (infinities left out: reference %d, current %d)",
          ref.valid() - ref.finiteCount(), cur.valid() - cur.finiteCount()));
      conventions.put("normalisation", "W1 / reference standard deviation (ddof 0)");
      double std = HistogramWasserstein.standardDeviation(ref);
      if (ref.finiteCount() == 0 || cur.finiteCount() == 0) {
        return MethodResult.notComputable(method.id(), threshold,
            "not computable: a selection has no finite values", conventions);
      }
      if (exact.wasserstein() == null && exact.failure() != null) {
        return MethodResult.notComputable(method.id(), threshold, exact.failure(), conventions);
      }
      if (exact.wasserstein() == null) {
        // Both sides have finite values, so the statistic was left out because it overflows.
        return MethodResult.notComputable(method.id(), threshold, W1_OVERFLOW,
            conventions);
      }
      double w1 = exact.wasserstein().value();
      conventions.put("w1", Double.toString(w1));
      if (!Double.isFinite(std)) {
        // Squares of finite values beyond ~1.3e154 overflow: the profile's sums of squares
        // are ∞, and an ∞ std would make the score 0.
        return MethodResult.notComputable(method.id(), threshold,
            "not computable: the reference standard deviation overflows a double (squares of "
                + "values beyond about 1.3e154)", conventions);
      }
      if (!(std > 0)) {
        return MethodResult.notComputable(method.id(), threshold,
            "not computable: the reference standard deviation is " + std, conventions);
      }
      if (!Double.isFinite(w1 / std)) {
        return MethodResult.notComputable(method.id(), threshold, String.format(
            Locale.ROOT, "not computable: W1 / reference standard deviation overflows a double "
                + "(W1 %s, std %s)", w1, std), conventions);
      }
      conventions.put("reference_std", Double.toString(std));
      score = w1 / std;
      if (!exact.wasserstein().exact()) {
        double bound = exact.wasserstein().errorBound() / std;
        conventions.put("error_bound", Double.toString(bound));
        conventions.put("w1_error_bound", Double.toString(exact.wasserstein().errorBound()));
        interval = new double[] {Math.max(0, score - bound), score + bound};
      }
    } else if (method.equals(DriftMethods.CHI2)) {
      conventions.putAll(binned.conventions());
      conventions.put("correction", "none");
      ChiSquare.Result chi2 = ChiSquare.homogeneity(binned.reference(), binned.current());
      conventions.put("dof", Integer.toString(chi2.degreesOfFreedom()));
      score = chi2.statistic();
      pValue = chi2.pValue();
    } else if (method.equals(DriftMethods.TVD)) {
      conventions.putAll(binned.conventions());
      score = CategoryShares.totalVariation(binned.reference(), binned.current());
    } else if (method.equals(DriftMethods.LINF)) {
      conventions.putAll(binned.conventions());
      score = CategoryShares.lInfinity(binned.reference(), binned.current());
    } else {
      throw new IllegalArgumentException("No implementation for drift method " + method.id());
    }
    double decisionValue = method.kind() == ScoreKind.P_VALUE ? pValue : score;
    Verdict verdict = Verdict.of(method.direction().drifted(decisionValue, threshold));
    String note = null;
    if (interval != null) {
      // Approximate: decided only when the whole error interval is on one side of the threshold
      // (a p-value flags only if its upper end, at D − bound, is below it; W1 only if
      // (w1 − bound)/std reaches it). Otherwise undecided: never the estimate's own verdict.
      boolean lowDrifts = method.direction().drifted(interval[0], threshold);
      boolean highDrifts = method.direction().drifted(interval[1], threshold);
      if (lowDrifts == highDrifts) {
        verdict = Verdict.of(lowDrifts);
        conventions.put("decision", "error interval clear of the threshold");
      } else {
        verdict = Verdict.UNKNOWN;
        conventions.put("decision", UNDECIDED);
        note = String.format(Locale.ROOT, "%s: the error interval [%s, %s] straddles the "
            + "threshold %s", UNDECIDED, interval[0], interval[1], threshold);
      }
    }
    return new MethodResult(method.id(), score, pValue, threshold, verdict, note, conventions);
  }

  /**
   * The {@code decision} convention (and the note's start) of an approximate result whose error
   * interval straddles the threshold: its verdict is unknown until an exact pass settles it.
   */
  public static final String UNDECIDED = "undecided";

  /** Whether any of the feature's results is an approximate one its error interval left open. */
  public static boolean undecided(FeatureDrift feature) {
    return feature.results().stream()
        .anyMatch(r -> UNDECIDED.equals(r.conventions().get("decision")));
  }

  /** Conventions every result row carries, whatever its method. */
  private static final List<String> RECORDED = List.of("bins", "edge_source", "smoothing", "log_base",
      "mode");

  /**
   * The result with every {@link #RECORDED} convention present: methods on the empirical
   * distributions (KS, Wasserstein) have no bins, edges, smoothing or logarithm, and methods on
   * the profiles' bin counts are exact; a result that was not computed says so.
   */
  private static MethodResult recorded(MethodResult r) {
    Map<String, String> conventions = new LinkedHashMap<>(r.conventions());
    if (!r.computable()) {
      RECORDED.forEach(key -> conventions.putIfAbsent(key, "not computed"));
    } else {
      // The binned methods put their bins and edge source; KS and Wasserstein have none.
      conventions.putIfAbsent("bins", "none (empirical distribution functions)");
      conventions.putIfAbsent("edge_source", "none");
      conventions.putIfAbsent("smoothing", "none");
      conventions.putIfAbsent("log_base", "none");
      conventions.putIfAbsent("mode", "exact");
    }
    return new MethodResult(r.method(), r.score(), r.pValue(), r.threshold(), r.verdict(),
        r.note(), conventions);
  }

  /** Records whether a statistic is exact, or approximate with its stated error bound. */
  private static void putMode(Map<String, String> conventions, Estimate estimate) {
    conventions.put("mode", estimate.exact() ? "exact" : "approximate");
    if (!estimate.exact()) {
      conventions.put("error_bound", Double.toString(estimate.errorBound()));
      conventions.put("error_bound_source", "fine-histogram bounds (|estimate - exact| <= bound)");
    }
  }

  /** The methods computed on {@link Binned} counts. */
  private static final List<DriftMethod> BINNED = List.of(DriftMethods.PSI, DriftMethods.JS,
      DriftMethods.CHI2, DriftMethods.TVD, DriftMethods.LINF);

  /**
   * Bin counts of both sides. For categories, {@code exactBins} leading bins are single
   * categories; when {@code approximate}, the bins after them are hash buckets of the other
   * categories (several categories may share one). {@code unavailable} (else null) says why no
   * bins can be compared honestly.
   */
  private record Binned(long[] reference, long[] current, Map<String, String> conventions,
                        boolean categorical, boolean approximate, int exactBins,
                        String unavailable, CountBounds bounds) {
    Binned(long[] reference, long[] current, Map<String, String> conventions,
           boolean categorical, boolean approximate, int exactBins, String unavailable) {
      this(reference, current, conventions, categorical, approximate, exactBins, unavailable,
          null);
    }

    Binned(long[] reference, long[] current, Map<String, String> conventions) {
      this(reference, current, conventions, false, false, reference.length, null, null);
    }

    /**
     * PSI's proportion floor: epsilon, or for categories, when some non-zero share is below
     * 2 × epsilon, half the smallest non-zero share, so that categories of any cardinality
     * (200 000 categories have shares of 5e-6) are not all floored alike and lost.
     */
    double psiFloor(double epsilon) {
      if (!categorical) {
        return epsilon;
      }
      double smallest = Math.min(smallestShare(reference), smallestShare(current));
      return Math.min(epsilon, smallest / 2);
    }

    private static double smallestShare(long[] counts) {
      long total = Arrays.stream(counts).sum();
      long min = Arrays.stream(counts).filter(c -> c > 0).min().orElse(total);
      return total == 0 ? 1 : (double) min / total;
    }
  }

  /**
   * Where numeric bin counts are estimates (approximate mode): each count's interval on both
   * sides, and whether numpy's binning may have fewer bins (two exact edges that coincide where
   * their estimates do not), in which case only the upper bound holds.
   */
  private record CountBounds(NumericBinning.Counts reference, NumericBinning.Counts current,
                             boolean binsMayMerge) {
    /** PSI's or JS's interval (a merge of bins can only lower either: the lower bound is 0). */
    double[] interval(boolean psi, double floor) {
      long n = Arrays.stream(reference.counts()).sum();
      long m = Arrays.stream(current.counts()).sum();
      DivergenceBounds.Interval i = psi
          ? DivergenceBounds.psi(reference.low(), reference.high(), n, current.low(),
              current.high(), m, floor)
          : DivergenceBounds.jensenShannon(reference.low(), reference.high(), n, current.low(),
              current.high(), m);
      return new double[] {binsMayMerge ? 0 : i.lower(), i.upper()};
    }
  }

  /**
   * A verdict from hash buckets stands only where it is honest. Merging categories into buckets
   * can only lower PSI, JS and TVD, and a χ² test on buckets is a valid test on coarser bins:
   * a drifted verdict stands. A not-drifted one stands only when an upper bound of the true value
   * is below the threshold too (PSI, TVD, JS, L∞: each bucket's mass bounds its categories'
   * difference); else the verdict is unknown and the note says so. L∞ of buckets is no bound of
   * L∞ of categories either way: it is decided by the exact bins and the buckets' masses.
   */
  private MethodResult bounded(DriftMethod method, Binned binned, MethodResult r) {
    if (!binned.approximate() || !r.computable() || !BINNED.contains(method)) {
      return r;
    }
    double threshold = r.threshold();
    long[] ref = binned.reference();
    long[] cur = binned.current();
    double n = Arrays.stream(ref).sum();
    double m = Arrays.stream(cur).sum();
    int k = binned.exactBins();
    Double upper = null;
    Double lower = null;
    if (method.equals(DriftMethods.PSI)) {
      // The true floor is at least min(epsilon, 1 / (2 max(n, m))) (half a one-count share),
      // and a category's floored term |q' − p'| · |ln(q' / p')| is at most |q − p| times the log
      // of its larger share over the larger of its smaller share and that floor.
      double floor = Math.min(settings.psiEpsilon(), 1 / (2 * Math.max(n, m)));
      double u = 0;
      for (int i = 0; i < ref.length; i++) {
        double p = ref[i] / n;
        double q = cur[i] / m;
        double high = Math.max(Math.max(p, q), floor);
        u += i >= k ? (p + q) * Math.log(high / floor)
            : Math.abs(p - q) * Math.log(high / Math.max(Math.min(p, q), floor));
      }
      upper = u;
    } else if (method.equals(DriftMethods.TVD) || method.equals(DriftMethods.JS)) {
      double u = 0;
      for (int i = 0; i < ref.length; i++) {
        double p = ref[i] / n;
        double q = cur[i] / m;
        if (i >= k) {
          u += (p + q) / 2; // a bucket's categories contribute at most half their mass
        } else if (method.equals(DriftMethods.TVD)) {
          u += Math.abs(p - q) / 2;
        } else {
          u += jsTerm(p, q);
        }
      }
      upper = u;
    } else if (method.equals(DriftMethods.LINF)) {
      double l = 0;
      double u = 0;
      for (int i = 0; i < ref.length; i++) {
        double p = ref[i] / n;
        double q = cur[i] / m;
        if (i < k) {
          l = Math.max(l, Math.abs(p - q));
        } else {
          u = Math.max(u, Math.max(p, q));
        }
      }
      lower = l;
      upper = Math.max(l, u);
    }
    Map<String, String> conventions = new LinkedHashMap<>(r.conventions());
    Verdict verdict;
    String note = null;
    if (method.equals(DriftMethods.LINF)) {
      conventions.put("lower_bound", Double.toString(lower));
      conventions.put("upper_bound", Double.toString(upper));
      verdict = lower >= threshold ? Verdict.DRIFTED
          : upper < threshold ? Verdict.NOT_DRIFTED : Verdict.UNKNOWN;
    } else {
      if (upper != null) {
        conventions.put("upper_bound", Double.toString(upper));
      }
      verdict = r.verdict() == Verdict.DRIFTED ? Verdict.DRIFTED
          : upper != null && upper < threshold ? Verdict.NOT_DRIFTED : Verdict.UNKNOWN;
    }
    if (verdict == Verdict.UNKNOWN) {
      note = String.format(Locale.ROOT, "undecided: from hash buckets of capped profiles "
          + "(approximate; the true value may be %s), not past the threshold %s; exact mode "
          + "counts every category", method.equals(DriftMethods.LINF) ? "anywhere from "
          + lower + " to " + upper : method.kind() == ScoreKind.P_VALUE ? "lower"
          : upper != null ? "up to " + upper : "higher", threshold);
    }
    return new MethodResult(r.method(), r.score(), r.pValue(), r.threshold(), verdict, note,
        conventions);
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

  private Binned binned(FeatureProfile reference, FeatureProfile current,
                        Map<Long, ExactRefinement.Values> binValues) {
    Map<String, String> conventions = new LinkedHashMap<>();
    if (reference instanceof NumericProfile ref && current instanceof NumericProfile cur) {
      NumericBinning binning = NumericBinning.fromReference(ref, settings.bins(),
          settings.binClosed(), binValues == null ? Map.of() : binValues);
      NumericBinning.Counts r = binning.counts(ref, 0);
      NumericBinning.Counts c = binning.counts(cur, 1);
      conventions.put("bins", Integer.toString(binning.bins()));
      conventions.put("edge_source", String.format(Locale.ROOT, "reference quantiles "
          + "np.quantile(reference, [1/%d, ..., %d/%d]) (method 'linear'), duplicates and "
          + "non-finite ones dropped, open outer bins", settings.bins(), settings.bins() - 1,
          settings.bins()));
      conventions.put("closed", binning.closed().describe());
      conventions.put("edges", Arrays.stream(binning.edges()).mapToObj(Double::toString)
          .collect(Collectors.joining(",", "[", "]")));
      boolean exact = binning.edgesExact() && r.uncertain() == 0 && c.uncertain() == 0;
      conventions.put("mode", exact ? "exact" : "approximate");
      if (!exact) {
        conventions.put("edges_exact", Boolean.toString(binning.edgesExact()));
        conventions.put("uncertain_reference_share",
            Double.toString((double) r.uncertain() / ref.valid()));
        conventions.put("uncertain_current_share",
            Double.toString((double) c.uncertain() / cur.valid()));
        conventions.put("error_bound_source", "each bin's share is within the uncertain share "
            + "of its side of the exact one (values of fine bins that straddle an edge, spread "
            + "evenly over the bin's [min, max]); score_lower and score_upper bound the exact "
            + "score from each bin's least and most possible count");
        return new Binned(r.counts(), c.counts(), conventions, false, false, r.counts().length,
            null, new CountBounds(r, c, binning.binsMayMerge()));
      }
      return new Binned(r.counts(), c.counts(), conventions);
    }
    if (reference instanceof CategoricalProfile ref && current instanceof CategoricalProfile cur) {
      TreeSet<String> union = new TreeSet<>(ref.counts().keySet());
      union.addAll(cur.counts().keySet());
      if (!ref.capped() && !cur.capped()) {
        long[] r = union.stream().mapToLong(k -> ref.counts().getOrDefault(k, 0L)).toArray();
        long[] c = union.stream().mapToLong(k -> cur.counts().getOrDefault(k, 0L)).toArray();
        conventions.put("bins", Integer.toString(union.size()));
        conventions.put("edge_source", "category union");
        return new Binned(r, c, conventions, true, false, r.length, null);
      }
      // A capped profile knows only its top categories individually, and every value by hash
      // bucket: compare the categories both profiles count individually, and the rest by
      // bucket (what is left of each bucket once those categories are taken out), so every
      // value takes part, never only the top categories'.
      if (ref.capped()) {
        union.retainAll(ref.counts().keySet());
      }
      if (cur.capped()) {
        union.retainAll(cur.counts().keySet());
      }
      long[] rb = ref.bucketCounts();
      long[] cb = cur.bucketCounts();
      if (rb == null || cb == null) {
        String side = rb == null ? "reference" : "current";
        conventions.put("bins", "not computed");
        conventions.put("edge_source", "not computed");
        return new Binned(new long[0], new long[0], conventions, true, true, 0, String.format(
            "not computable: the %s profile is capped (its top %d categories; %d values folded "
                + "into 'other') and has no category hash buckets (profiled before them); "
                + "profile it again or use exact mode", side,
            (rb == null ? ref : cur).counts().size(), (rb == null ? ref : cur).otherCount()));
      }
      List<Long> r = new ArrayList<>();
      List<Long> c = new ArrayList<>();
      for (String k : union) {
        long a = ref.counts().getOrDefault(k, 0L);
        long b = cur.counts().getOrDefault(k, 0L);
        r.add(a);
        c.add(b);
        int bucket = CategoricalProfile.bucket(k);
        rb[bucket] -= a;
        cb[bucket] -= b;
      }
      int buckets = 0;
      for (int i = 0; i < CategoricalProfile.BUCKETS; i++) {
        if (rb[i] > 0 || cb[i] > 0) {
          r.add(rb[i]);
          c.add(cb[i]);
          buckets++;
        }
      }
      conventions.put("bins", Integer.toString(r.size()));
      conventions.put("edge_source", String.format(Locale.ROOT, "%d categories counted "
          + "individually on both sides (top-k of the capped profiles) + %d non-empty of %d hash "
          + "buckets of the other categories (MurmurHash3 x64 of the UTF-8 bytes, seed %d)",
          union.size(), buckets, CategoricalProfile.BUCKETS, CategoricalProfile.BUCKET_SEED));
      conventions.put("mode", "approximate");
      conventions.put("approximation", "categories sharing a hash bucket are merged, which can "
          + "only lower PSI, JS, TVD and chi2's power; exact mode counts every category");
      return new Binned(r.stream().mapToLong(Long::longValue).toArray(),
          c.stream().mapToLong(Long::longValue).toArray(), conventions, true, true, union.size(),
          null);
    }
    throw new IllegalArgumentException(String.format(
        "Feature '%s' is %s in the reference but %s in the current selection",
        reference.feature(), reference.type().id(), current.type().id()));
  }
}
