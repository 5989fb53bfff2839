package io.driftlake.drift.compare;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.method.ScoreKind;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
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
   * Compares one feature. {@code ksStatistic} is the exact KS D for numeric features (null when
   * KS is not configured or not computable).
   */
  public FeatureDrift compare(FeatureProfile reference, FeatureProfile current, Double ksStatistic) {
    FeatureType type = reference.type();
    Binned binned = binned(reference, current);
    List<MethodResult> results = new ArrayList<>();
    for (DriftMethod method : settings.methods().get(type)) {
      results.add(result(method, reference, current, binned, ksStatistic));
    }
    DriftMethod decider = settings.decideBy().get(type);
    boolean drifted = results.stream()
        .anyMatch(r -> r.method().equals(decider.id()) && r.drifted());
    return new FeatureDrift(reference.feature(), type, reference.rows(), current.rows(),
        reference.nullShare(), current.nullShare(), results, decider.id(), drifted);
  }

  public DriftReport decide(long referenceRows, long currentRows, List<FeatureDrift> features) {
    List<FeatureDrift> ranked = features.stream()
        .sorted(Comparator.comparing(FeatureDrift::drifted).reversed()
            .thenComparing(Comparator.comparingDouble(FeatureDrift::severity).reversed()))
        .toList();
    List<String> drifted = ranked.stream().filter(FeatureDrift::drifted)
        .map(FeatureDrift::feature).toList();
    double share = features.isEmpty() ? 0 : (double) drifted.size() / features.size();
    boolean datasetDrifted = !features.isEmpty() && share >= settings.datasetDriftShare();
    String reason = String.format(Locale.ROOT, "%d of %d features drifted (%.0f%%) %s %.0f%%%s",
        drifted.size(), features.size(), share * 100, datasetDrifted ? ">=" : "<",
        settings.datasetDriftShare() * 100, drifted.isEmpty() ? "" : ": " + String.join(", ", drifted));
    return new DriftReport(referenceRows, currentRows, ranked, settings.datasetDriftShare(),
        datasetDrifted, reason);
  }

  private MethodResult result(DriftMethod method, FeatureProfile reference, FeatureProfile current,
                              Binned binned, Double ksStatistic) {
    double threshold = settings.threshold(method);
    Map<String, String> conventions = new LinkedHashMap<>();
    if (reference.valid() == 0 || current.valid() == 0) {
      String empty = reference.valid() == 0 ? "reference" : "current";
      return new MethodResult(method.id(), null, null, threshold, false,
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
      if (ksStatistic == null) {
        return new MethodResult(method.id(), null, null, threshold, false,
            "not computable: no exact statistic was supplied", conventions);
      }
      KolmogorovSmirnov.Result ks =
          KolmogorovSmirnov.test(ksStatistic, reference.valid(), current.valid());
      score = ks.statistic();
      pValue = ks.pValue();
      conventions.put("mode", "exact");
      conventions.put("p_value", ks.mode().name().toLowerCase(Locale.ROOT));
      conventions.put("alternative", "two-sided");
    } else {
      throw new IllegalArgumentException("No implementation for drift method " + method.id());
    }
    double decisionValue = method.kind() == ScoreKind.P_VALUE ? pValue : score;
    return new MethodResult(method.id(), score, pValue, threshold,
        method.direction().drifted(decisionValue, threshold), null, conventions);
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
      long[] r = union.stream().mapToLong(k -> ref.counts().getOrDefault(k, 0L)).toArray();
      long[] c = union.stream().mapToLong(k -> cur.counts().getOrDefault(k, 0L)).toArray();
      conventions.put("bins", Integer.toString(union.size()));
      conventions.put("edge_source", "category union");
      return new Binned(r, c, conventions);
    }
    throw new IllegalArgumentException(String.format(
        "Feature '%s' is %s in the reference but %s in the current selection",
        reference.feature(), reference.type().id(), current.type().id()));
  }
}
