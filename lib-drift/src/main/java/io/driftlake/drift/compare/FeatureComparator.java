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
   * not computable.
   */
  public record Statistics(Estimate ks, Estimate wasserstein) {
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
    Binned binned = binned(reference, current);
    List<MethodResult> results = new ArrayList<>();
    for (DriftMethod method : policy.methods()) {
      results.add(recorded(
          result(method, policy.threshold(method), reference, current, binned, exact)));
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
                              FeatureProfile reference, FeatureProfile current, Binned binned,
                              Statistics exact) {
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
        conventions.put("p_value_lower", Double.toString(KolmogorovSmirnov.test(
            Math.min(1, score + bound), reference.valid(), current.valid()).pValue()));
        conventions.put("p_value_upper", Double.toString(KolmogorovSmirnov.test(
            Math.max(0, score - bound), reference.valid(), current.valid()).pValue()));
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
      if (!exact.wasserstein().exact()) {
        conventions.put("error_bound", Double.toString(exact.wasserstein().errorBound() / std));
        conventions.put("w1_error_bound", Double.toString(exact.wasserstein().errorBound()));
      }
      score = w1 / std;
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
    return new MethodResult(method.id(), score, pValue, threshold,
        Verdict.of(method.direction().drifted(decisionValue, threshold)), null, conventions);
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

  private Binned binned(FeatureProfile reference, FeatureProfile current) {
    Map<String, String> conventions = new LinkedHashMap<>();
    if (reference instanceof NumericProfile ref && current instanceof NumericProfile cur) {
      NumericBinning binning = NumericBinning.fromReference(ref, settings.bins());
      conventions.put("bins", Integer.toString(binning.bins()));
      conventions.put("edge_source", "reference quantiles (fine-bin boundaries, open outer bins)");
      conventions.put("edges", Arrays.stream(binning.edges()).mapToObj(Double::toString)
          .collect(Collectors.joining(",", "[", "]")));
      return new Binned(binning.counts(ref), binning.counts(cur), conventions);
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
