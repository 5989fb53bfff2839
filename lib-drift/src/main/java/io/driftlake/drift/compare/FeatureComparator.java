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
   * feature marked critical drifts; the reason says which.
   */
  public DriftReport decide(long referenceRows, long currentRows, List<FeatureDrift> features) {
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
    if (method.equals(DriftMethods.PSI) || method.equals(DriftMethods.JS)) {
      conventions.putAll(binned.conventions());
      if (method.equals(DriftMethods.PSI)) {
        conventions.put("smoothing", "proportions floored at " + settings.psiEpsilon());
        conventions.put("log_base", "e");
        score = Psi.of(binned.reference(), binned.current(), settings.psiEpsilon());
      } else {
        conventions.put("smoothing", "none");
        conventions.put("log_base", "2");
        score = JensenShannon.divergence(binned.reference(), binned.current());
        conventions.put("js_distance", Double.toString(Math.sqrt(score)));
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

  private record Binned(long[] reference, long[] current, Map<String, String> conventions) {}

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
            + "evenly over the bin's [min, max])");
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
        return new Binned(r, c, conventions);
      }
      // A capped profile knows only its top categories: compare the categories both profiles
      // count individually, and everything else as one "other" bucket on each side.
      if (ref.capped()) {
        union.retainAll(ref.counts().keySet());
      }
      if (cur.capped()) {
        union.retainAll(cur.counts().keySet());
      }
      long[] r = new long[union.size() + 1];
      long[] c = new long[union.size() + 1];
      int i = 0;
      for (String k : union) {
        r[i] = ref.counts().getOrDefault(k, 0L);
        c[i] = cur.counts().getOrDefault(k, 0L);
        i++;
      }
      r[i] = ref.valid() - Arrays.stream(r).sum();
      c[i] = cur.valid() - Arrays.stream(c).sum();
      conventions.put("bins", Integer.toString(union.size() + 1));
      conventions.put("edge_source",
          "categories counted individually on both sides (top-k of a capped profile) + other");
      return new Binned(r, c, conventions);
    }
    throw new IllegalArgumentException(String.format(
        "Feature '%s' is %s in the reference but %s in the current selection",
        reference.feature(), reference.type().id(), current.type().id()));
  }
}
