package io.driftlake.drift.compare;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.estimate.Aligned;
import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.Bins;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.MethodInput;
import io.driftlake.drift.method.Score;
import io.driftlake.drift.method.ScoreKind;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.stat.PooledValues;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
     * ({@link NumericBinning#needed}), which make their edges and counts exact, and of every fine
     * bin the profiles do not fix when a method reads every value ({@link MethodInput#values}).
     */
    public Statistics withBinValues(Map<Long, ExactRefinement.Values> values) {
      return new Statistics(ks, wasserstein, failure, values);
    }

    public static Statistics none() {
      return new Statistics(null, null);
    }
  }

  /** Compares one feature with the methods and thresholds its {@link DriftSettings#policy} gives. */
  public FeatureDrift compare(FeatureProfile reference, FeatureProfile current, Statistics exact) {
    FeatureType type = reference.type();
    DriftSettings.FeaturePolicy policy = settings.policy(reference.feature(), type);
    Input input = new Input(reference, current, exact);
    List<MethodResult> results = new ArrayList<>();
    for (DriftMethod method : policy.methods()) {
      DriftSettings.Threshold threshold = policy.threshold(method);
      MethodResult result;
      try {
        result = result(method, threshold, input);
        if (method.binned()) {
          result = bounded(method, input.bins(), result);
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
                              MethodInput input) {
    double threshold = resolved.value();
    Map<String, String> conventions = new LinkedHashMap<>();
    conventions.put("threshold_source", resolved.source());
    if (resolved.source().equals("calibrated")) {
      conventions.put("threshold_calibration", settings.calibrated().provenance());
    }
    if (input.reference().valid() == 0 || input.current().valid() == 0) {
      String empty = input.reference().valid() == 0 ? "reference" : "current";
      return MethodResult.notComputable(method.id(), threshold,
          "not computable: the " + empty + " selection has no non-null values", conventions);
    }
    if (method.binned() && input.bins().unavailable() != null) {
      return MethodResult.notComputable(method.id(), threshold, input.bins().unavailable(),
          input.bins().conventions());
    }
    Score scored = method.scorer().score(input, conventions);
    if (scored.notComputable() != null) {
      return MethodResult.notComputable(method.id(), threshold, scored.notComputable(),
          conventions);
    }
    double decisionValue = method.kind() == ScoreKind.P_VALUE ? scored.pValue() : scored.score();
    Verdict verdict = Verdict.of(method.direction().drifted(decisionValue, threshold));
    String note = null;
    double[] interval = scored.interval();
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
    if (method.effect() != null && scored.effect() != null) {
      EffectFloor.Decision floored = EffectFloor.apply(method, settings, threshold, scored,
          verdict, note, conventions);
      verdict = floored.verdict();
      note = floored.note();
    }
    return new MethodResult(method.id(), scored.score(), scored.pValue(), threshold, verdict,
        note, conventions);
  }

  /**
   * What the methods score one feature from: the bins are made once, on first use, and only
   * for the methods that bin (a failure there fails those methods, not the feature).
   */
  private final class Input implements MethodInput {
    private final FeatureProfile reference;
    private final FeatureProfile current;
    private final Statistics statistics;
    private Bins bins;
    private PooledValues values;
    private boolean pooled;

    Input(FeatureProfile reference, FeatureProfile current, Statistics statistics) {
      this.reference = reference;
      this.current = current;
      this.statistics = statistics;
    }

    @Override
    public FeatureProfile reference() {
      return reference;
    }

    @Override
    public FeatureProfile current() {
      return current;
    }

    @Override
    public Bins bins() {
      if (bins == null) {
        bins = FeatureBins.of(reference, current, statistics.binValues(), settings.bins(),
            settings.binClosed());
      }
      return bins;
    }

    @Override
    public Estimate ks() {
      return statistics.ks();
    }

    @Override
    public Estimate wasserstein() {
      return statistics.wasserstein();
    }

    @Override
    public String failure() {
      return statistics.failure();
    }

    @Override
    public PooledValues values() {
      if (!pooled && reference instanceof NumericProfile r
          && current instanceof NumericProfile c) {
        values = Aligned.pooled(r, c, statistics.binValues());
      }
      pooled = true;
      return values;
    }

    @Override
    public double psiEpsilon() {
      return settings.psiEpsilon();
    }
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

  /**
   * A verdict from hash buckets stands only where it is honest: merging categories into buckets
   * can only lower PSI, JS and TVD, and a χ² test on buckets is a valid test on coarser bins, so
   * a drifted verdict stands, and a not-drifted one only when an upper bound of the true value
   * (the method's {@link DriftMethod.Bucketed}) is below the threshold too. A method whose
   * bucket score bounds nothing either way (L∞) gives a lower bound as well, and both decide;
   * else the verdict is unknown and the note says so.
   */
  private MethodResult bounded(DriftMethod method, Bins bins, MethodResult r) {
    if (!bins.approximate() || !r.computable() || !method.binned()) {
      return r;
    }
    double threshold = r.threshold();
    DriftMethod.Range range = method.bucketed().range(bins, settings.psiEpsilon());
    Double lower = range.lower();
    Double upper = range.upper();
    Map<String, String> conventions = new LinkedHashMap<>(r.conventions());
    Verdict verdict;
    if (lower != null) {
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
    String note = null;
    if (verdict == Verdict.UNKNOWN) {
      note = String.format(Locale.ROOT, "undecided: from hash buckets of capped profiles "
          + "(approximate; the true value may be %s), not past the threshold %s; exact mode "
          + "counts every category", lower != null ? "anywhere from " + lower + " to " + upper
          : method.kind() == ScoreKind.P_VALUE ? "lower"
          : upper != null ? "up to " + upper : "higher", threshold);
    }
    return new MethodResult(r.method(), r.score(), r.pValue(), r.threshold(), verdict, note,
        conventions);
  }
}
