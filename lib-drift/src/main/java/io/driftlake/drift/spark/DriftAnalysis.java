package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.compare.HistogramKs;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Entry point: drift between a reference and a current selection. One profiling scan per side;
 * for exact KS, one more filtered scan per side, only when some fine bin needs its exact values.
 */
public final class DriftAnalysis {
  private final DriftSettings settings;
  private final FeatureComparator comparator;

  public DriftAnalysis(DriftSettings settings) {
    this.settings = settings;
    this.comparator = new FeatureComparator(settings);
  }

  public DriftReport run(Dataset<Row> reference, Dataset<Row> current, List<FeatureSpec> features) {
    var context = reference.sparkSession().sparkContext();
    context.setJobDescription("driftlake: profile reference");
    Map<String, FeatureProfile> ref = SparkProfiler.profile(reference, features);
    context.setJobDescription("driftlake: profile current");
    Map<String, FeatureProfile> cur = SparkProfiler.profile(current, features);

    Map<String, HistogramKs.Certificate> certificates = new HashMap<>();
    Map<String, Set<Long>> candidates = new HashMap<>();
    if (settings.needsKs()) {
      for (FeatureSpec f : features) {
        if (ref.get(f.name()) instanceof NumericProfile r
            && cur.get(f.name()) instanceof NumericProfile c && r.valid() > 0 && c.valid() > 0) {
          HistogramKs.Certificate certificate = HistogramKs.certify(r, c);
          certificates.put(f.name(), certificate);
          candidates.put(f.name(), certificate.candidateKeys());
        }
      }
    }
    context.setJobDescription("driftlake: exact KS values (reference)");
    var refValues = SparkProfiler.exactValues(reference, candidates);
    context.setJobDescription("driftlake: exact KS values (current)");
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
      Double ks = null;
      HistogramKs.Certificate certificate = certificates.get(f.name());
      if (certificate != null) {
        ks = HistogramKs.statistic((NumericProfile) r, (NumericProfile) c, certificate,
            refValues.getOrDefault(f.name(), new TreeMap<>()),
            curValues.getOrDefault(f.name(), new TreeMap<>()));
      }
      results.add(comparator.compare(r, c, ks));
    }
    return comparator.decide(referenceRows, currentRows, results);
  }
}
