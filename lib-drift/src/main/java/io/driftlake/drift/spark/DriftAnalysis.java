package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.compare.Estimate;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.compare.HistogramKs;
import io.driftlake.drift.compare.HistogramWasserstein;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Entry point: drift between a reference and a current selection. {@link #profile} is one Spark
 * scan of a selection; {@link #compare} works on two profiles. In exact mode KS and Wasserstein
 * need one more filtered scan per side, only when some fine bin needs its exact values; in
 * approximate mode they come from the profiles alone (with an error bound), so stored profiles
 * suffice and no data is read.
 */
public final class DriftAnalysis {
  private final DriftSettings settings;
  private final FeatureComparator comparator;

  public DriftAnalysis(DriftSettings settings) {
    this.settings = settings;
    this.comparator = new FeatureComparator(settings);
  }

  /** What was compared: the report and both sides' profiles. */
  public record Outcome(DriftReport report, Map<String, FeatureProfile> reference,
                        Map<String, FeatureProfile> current) {
    public Outcome {
      // Feature order is kept: Map.copyOf would iterate in a per-JVM random order.
      reference = Collections.unmodifiableMap(new LinkedHashMap<>(reference));
      current = Collections.unmodifiableMap(new LinkedHashMap<>(current));
    }
  }

  /** Profiles both selections (one scan each) and compares them in the configured mode. */
  public DriftReport run(Dataset<Row> reference, Dataset<Row> current, List<FeatureSpec> features) {
    return analyse(reference, current, features).report();
  }

  public Outcome analyse(Dataset<Row> reference, Dataset<Row> current,
                         List<FeatureSpec> features) {
    checkConfiguredFeatures(features);
    var context = reference.sparkSession().sparkContext();
    context.setJobDescription("driftlake: profile reference");
    Map<String, FeatureProfile> ref = profile(reference, features);
    context.setJobDescription("driftlake: profile current");
    Map<String, FeatureProfile> cur = profile(current, features);
    context.setJobDescription(null);
    DriftReport report = settings.statisticsMode() == DriftSettings.StatisticsMode.EXACT
        ? compareExact(ref, cur, features, reference, current)
        : compare(ref, cur, features);
    return new Outcome(report, ref, cur);
  }

  /** One scan: every feature's profile, with this analysis's profile options. */
  public Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features) {
    return SparkProfiler.profile(data, features, settings.profile());
  }

  /**
   * Compares two profiles without touching any data: KS and Wasserstein are the histogram
   * estimates with their error bounds, whatever the configured mode.
   */
  public DriftReport compare(Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
                             List<FeatureSpec> features) {
    checkConfiguredFeatures(features);
    List<FeatureDrift> results = new ArrayList<>();
    for (FeatureSpec f : features) {
      FeatureProfile r = profileOf(ref, f, "reference");
      FeatureProfile c = profileOf(cur, f, "current");
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      Estimate ks = null;
      Estimate w1 = null;
      if (r instanceof NumericProfile rn && c instanceof NumericProfile cn && rn.valid() > 0
          && cn.valid() > 0) {
        if (policy.uses(DriftMethods.KS)) {
          ks = HistogramKs.approximate(rn, cn);
        }
        if (policy.uses(DriftMethods.WASSERSTEIN) && rn.finiteCount() > 0
            && cn.finiteCount() > 0) {
          w1 = HistogramWasserstein.approximate(rn, cn);
        }
      }
      results.add(comparator.compare(r, c, new FeatureComparator.Statistics(ks, w1)));
    }
    return comparator.decide(rows(ref, features), rows(cur, features), results);
  }

  /**
   * Compares two profiles with exact KS and Wasserstein: the histograms settle most fine bins,
   * and one filtered pass over {@code reference} and {@code current} (the data the profiles were
   * made from) supplies the values of the bins they cannot settle.
   */
  public DriftReport compareExact(Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
                                  List<FeatureSpec> features, Dataset<Row> reference,
                                  Dataset<Row> current) {
    checkConfiguredFeatures(features);
    Map<String, HistogramKs.Certificate> certificates = new HashMap<>();
    Map<String, SortedSet<Long>> exactBins = new HashMap<>();
    List<SparkProfiler.BinStart> plan = new ArrayList<>();
    Set<String> wasserstein = new TreeSet<>();
    for (FeatureSpec f : features) {
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      if (profileOf(ref, f, "reference") instanceof NumericProfile r
          && profileOf(cur, f, "current") instanceof NumericProfile c && r.valid() > 0
          && c.valid() > 0) {
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
    var context = reference.sparkSession().sparkContext();
    context.setJobDescription("driftlake: exact KS and Wasserstein in candidate bins");
    Map<String, SparkProfiler.BinStatistics> exact =
        SparkProfiler.binStatistics(reference, current, plan);
    context.setJobDescription(null);

    List<FeatureDrift> results = new ArrayList<>();
    for (FeatureSpec f : features) {
      FeatureProfile r = ref.get(f.name());
      FeatureProfile c = cur.get(f.name());
      SortedSet<Long> keys = exactBins.getOrDefault(f.name(), new TreeSet<>());
      SparkProfiler.BinStatistics stats = exact.getOrDefault(f.name(),
          new SparkProfiler.BinStatistics(0, 0, 0, 0));
      if (!keys.isEmpty()) {
        checkComplete(f.name(), "reference", (NumericProfile) r, keys, stats.refCount());
        checkComplete(f.name(), "current", (NumericProfile) c, keys, stats.curCount());
      }
      Estimate ks = null;
      HistogramKs.Certificate certificate = certificates.get(f.name());
      if (certificate != null) {
        ks = Estimate.exact(Math.max(certificate.lowerBound(), stats.ksMax()));
      }
      Estimate w1 = null;
      if (wasserstein.contains(f.name())) {
        w1 = Estimate.exact(HistogramWasserstein.distance((NumericProfile) r, (NumericProfile) c,
            keys, stats.area()));
      }
      results.add(comparator.compare(r, c, new FeatureComparator.Statistics(ks, w1)));
    }
    return comparator.decide(rows(ref, features), rows(cur, features), results);
  }

  private void checkConfiguredFeatures(List<FeatureSpec> features) {
    Set<String> names = new TreeSet<>();
    features.forEach(f -> names.add(f.name()));
    for (String configured : settings.features().keySet()) {
      if (!names.contains(configured)) {
        throw new IllegalArgumentException(String.format(
            "%s.features: no feature '%s' in the compared selections; features: %s",
            DriftSettings.PATH, configured, names));
      }
    }
  }

  private static FeatureProfile profileOf(Map<String, FeatureProfile> profiles, FeatureSpec f,
                                          String side) {
    FeatureProfile p = profiles.get(f.name());
    if (p == null) {
      throw new IllegalArgumentException(String.format(
          "No %s profile for feature '%s'; profiled features: %s", side, f.name(),
          new TreeSet<>(profiles.keySet())));
    }
    if (p.type() != f.type()) {
      throw new IllegalArgumentException(String.format(
          "Feature '%s' is %s in the %s profile but %s in the compared schema", f.name(),
          p.type().id(), side, f.type().id()));
    }
    return p;
  }

  private static long rows(Map<String, FeatureProfile> profiles, List<FeatureSpec> features) {
    return features.isEmpty() ? 0 : profiles.get(features.get(0).name()).rows();
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
