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
    return analyse(reference, current, features).report();
  }

  /** The report with the two profile maps it was computed from (for checks and plots). */
  public record Outcome(DriftReport report, Map<String, FeatureProfile> reference,
                        Map<String, FeatureProfile> current) {}

  public Outcome analyse(Dataset<Row> reference, Dataset<Row> current, List<FeatureSpec> features) {
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
    Map<String, SortedSet<Long>> exactBins = new HashMap<>();
    List<SparkProfiler.BinStart> plan = new ArrayList<>();
    Set<String> wasserstein = new TreeSet<>();
    for (FeatureSpec f : features) {
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      if (ref.get(f.name()) instanceof NumericProfile r
          && cur.get(f.name()) instanceof NumericProfile c && r.valid() > 0 && c.valid() > 0) {
        SortedSet<Long> keys = new TreeSet<>();
        if (policy.uses(DriftMethods.KS)) {
          HistogramKs.Certificate certificate = HistogramKs.certify(r, c);
          certificates.put(f.name(), certificate);
          keys.addAll(certificate.candidateKeys());
        }
        if (policy.uses(DriftMethods.WASSERSTEIN) && r.finiteCount() > 0 && c.finiteCount() > 0) {
          wasserstein.add(f.name());
          keys.addAll(HistogramWasserstein.candidates(r, c));
        }
        exactBins.put(f.name(), keys);
        plan.addAll(binStarts(f.name(), r, c, keys));
      }
    }
    context.setJobDescription("driftlake: exact KS and Wasserstein in candidate bins");
    Map<String, SparkProfiler.BinStatistics> exact =
        SparkProfiler.binStatistics(reference, current, plan);
    context.setJobDescription(null);

    List<FeatureDrift> results = new ArrayList<>();
    long referenceRows = 0;
    long currentRows = 0;
    for (FeatureSpec f : features) {
      FeatureProfile r = ref.get(f.name());
      FeatureProfile c = cur.get(f.name());
      referenceRows = r.rows();
      currentRows = c.rows();
      SortedSet<Long> keys = exactBins.getOrDefault(f.name(), new TreeSet<>());
      SparkProfiler.BinStatistics stats = exact.getOrDefault(f.name(),
          new SparkProfiler.BinStatistics(0, 0, 0, 0));
      if (!keys.isEmpty()) {
        checkComplete(f.name(), "reference", (NumericProfile) r, keys, stats.refCount());
        checkComplete(f.name(), "current", (NumericProfile) c, keys, stats.curCount());
      }
      Double ks = null;
      HistogramKs.Certificate certificate = certificates.get(f.name());
      if (certificate != null) {
        ks = Math.max(certificate.lowerBound(), stats.ksMax());
      }
      Double w1 = null;
      if (wasserstein.contains(f.name())) {
        w1 = HistogramWasserstein.distance((NumericProfile) r, (NumericProfile) c, keys,
            stats.area());
      }
      results.add(comparator.compare(r, c, new FeatureComparator.Exact(ks, w1)));
    }
    return new Outcome(comparator.decide(referenceRows, currentRows, results), ref, cur);
  }

  /** Counts before each of {@code keys} on each side, over all values and over finite ones. */
  private static List<SparkProfiler.BinStart> binStarts(String feature, NumericProfile r,
                                                        NumericProfile c, Set<Long> keys) {
    TreeSet<Long> all = new TreeSet<>(r.bins().keySet());
    all.addAll(c.bins().keySet());
    long refNegInf = r.negativeInfinities();
    long curNegInf = c.negativeInfinities();
    List<SparkProfiler.BinStart> starts = new ArrayList<>();
    long cumRef = 0;
    long cumCur = 0;
    for (long key : all) {
      if (keys.contains(key)) {
        starts.add(new SparkProfiler.BinStart(feature, key, cumRef, cumCur, r.valid(), c.valid(),
            cumRef - refNegInf, cumCur - curNegInf, r.finiteCount(), c.finiteCount()));
      }
      cumRef += count(r, key);
      cumCur += count(c, key);
    }
    return starts;
  }

  private static void checkComplete(String feature, String side, NumericProfile profile,
                                    Set<Long> keys, long got) {
    long expected = keys.stream().mapToLong(k -> count(profile, k)).sum();
    if (got != expected) {
      throw new IllegalStateException(String.format(
          "Exact pass for feature '%s' found %s %s values in its %s candidate bins, the profile "
              + "has %s: did the data change between the passes?", feature, got, side,
          keys.size(), expected));
    }
  }

  private static long count(NumericProfile profile, long key) {
    NumericProfile.Bin bin = profile.bins().get(key);
    return bin == null ? 0 : bin.count();
  }
}
