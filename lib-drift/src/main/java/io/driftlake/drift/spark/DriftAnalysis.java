package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.compare.HistogramKs;
import io.driftlake.drift.compare.HistogramWasserstein;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Entry point: drift between a reference and a current selection. One profiling scan per side;
 * for exact KS and Wasserstein, one more filtered scan per side, only when some fine bin needs its
 * exact values.
 */
public final class DriftAnalysis {
  private final DriftSettings settings;
  private final FeatureComparator comparator;

  public DriftAnalysis(DriftSettings settings) {
    this.settings = settings;
    this.comparator = new FeatureComparator(settings);
  }

  public DriftReport run(Dataset<Row> reference, Dataset<Row> current, List<FeatureSpec> features) {
    Set<String> names = new TreeSet<>();
    features.forEach(f -> names.add(f.name()));
    for (String configured : settings.features().keySet()) {
      if (!names.contains(configured)) {
        throw new IllegalArgumentException(String.format(
            "%s.features: no feature '%s' in the compared selections; features: %s",
            DriftSettings.PATH, configured, names));
      }
    }
    var context = reference.sparkSession().sparkContext();
    context.setJobDescription("driftlake: profile reference");
    Map<String, FeatureProfile> ref = SparkProfiler.profile(reference, features);
    context.setJobDescription("driftlake: profile current");
    Map<String, FeatureProfile> cur = SparkProfiler.profile(current, features);

    Map<String, HistogramKs.Certificate> certificates = new HashMap<>();
    Map<String, SortedSet<Long>> wassersteinBins = new HashMap<>();
    Map<String, Set<Long>> candidates = new HashMap<>();
    for (FeatureSpec f : features) {
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      if (ref.get(f.name()) instanceof NumericProfile r
          && cur.get(f.name()) instanceof NumericProfile c && r.valid() > 0 && c.valid() > 0) {
        Set<Long> keys = new TreeSet<>();
        if (policy.uses(DriftMethods.KS)) {
          HistogramKs.Certificate certificate = HistogramKs.certify(r, c);
          certificates.put(f.name(), certificate);
          keys.addAll(certificate.candidateKeys());
        }
        if (policy.uses(DriftMethods.WASSERSTEIN) && r.finiteCount() > 0 && c.finiteCount() > 0) {
          SortedSet<Long> bins = HistogramWasserstein.candidates(r, c);
          wassersteinBins.put(f.name(), bins);
          keys.addAll(bins);
        }
        candidates.put(f.name(), keys);
      }
    }
    context.setJobDescription("driftlake: exact values (reference)");
    var refValues = SparkProfiler.exactValues(reference, candidates);
    context.setJobDescription("driftlake: exact values (current)");
    var curValues = SparkProfiler.exactValues(current, candidates);
    context.setJobDescription(null);

    List<FeatureDrift> results = new ArrayList<>();
    long referenceRows = 0;
    long currentRows = 0;
    for (FeatureSpec f : features) {
      FeatureProfile r = ref.get(f.name());
      FeatureProfile c = cur.get(f.name());
      referenceRows = r.rows();
      currentRows = c.rows();
      Map<Long, TreeMap<Double, Long>> refIn = refValues.getOrDefault(f.name(), new TreeMap<>());
      Map<Long, TreeMap<Double, Long>> curIn = curValues.getOrDefault(f.name(), new TreeMap<>());
      Double ks = null;
      HistogramKs.Certificate certificate = certificates.get(f.name());
      if (certificate != null) {
        ks = HistogramKs.statistic((NumericProfile) r, (NumericProfile) c, certificate, refIn, curIn);
      }
      Double w1 = null;
      SortedSet<Long> bins = wassersteinBins.get(f.name());
      if (bins != null) {
        w1 = HistogramWasserstein.distance((NumericProfile) r, (NumericProfile) c, bins, refIn, curIn);
      }
      results.add(comparator.compare(r, c, new FeatureComparator.Exact(ks, w1)));
    }
    return comparator.decide(referenceRows, currentRows, results);
  }
}
