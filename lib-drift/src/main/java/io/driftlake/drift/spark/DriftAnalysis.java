package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.compare.Estimate;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.compare.HistogramKs;
import io.driftlake.drift.compare.HistogramWasserstein;
import io.driftlake.drift.compare.Refinement;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
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
 * need filtered passes over both sides (usually two) when some fine bins cannot be settled from
 * the histograms; in approximate mode they come from the profiles alone (with an error bound), so
 * stored profiles suffice and no data is read.
 */
public final class DriftAnalysis {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DriftAnalysis.class);

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
   * and filtered passes over {@code reference} and {@code current} (the data the profiles were
   * made from) split only the bins they cannot settle, finer each time, until every one is settled
   * ({@link Refinement}): usually two passes, each over both sides at once.
   */
  public DriftReport compareExact(Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
                                  List<FeatureSpec> features, Dataset<Row> reference,
                                  Dataset<Row> current) {
    checkConfiguredFeatures(features);
    Map<String, NumericProfile[]> refined = new LinkedHashMap<>();
    Map<String, boolean[]> uses = new HashMap<>();
    for (FeatureSpec f : features) {
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      if (profileOf(ref, f, "reference") instanceof NumericProfile r
          && profileOf(cur, f, "current") instanceof NumericProfile c && r.valid() > 0
          && c.valid() > 0) {
        boolean ks = policy.uses(DriftMethods.KS);
        boolean w1 = policy.uses(DriftMethods.WASSERSTEIN) && r.finiteCount() > 0
            && c.finiteCount() > 0;
        if (ks || w1) {
          refined.put(f.name(), new NumericProfile[] {r, c});
          uses.put(f.name(), new boolean[] {ks, w1});
        }
      }
    }
    var context = reference.sparkSession().sparkContext();
    int shift = FineBins.SHIFT;
    while (shift > 0) {
      Map<String, SortedSet<Long>> candidates = new LinkedHashMap<>();
      long values = 0;
      for (Map.Entry<String, NumericProfile[]> e : refined.entrySet()) {
        NumericProfile[] rc = e.getValue();
        boolean[] u = uses.get(e.getKey());
        SortedSet<Long> keys = Refinement.candidates(rc[0], rc[1], u[0], u[1]);
        if (!keys.isEmpty()) {
          candidates.put(e.getKey(), keys);
          values += Refinement.values(rc[0], keys) + Refinement.values(rc[1], keys);
        }
      }
      if (candidates.isEmpty()) {
        break;
      }
      int next = Refinement.nextShift(shift, values, EXACT_VALUES_LIMIT);
      context.setJobDescription(String.format(
          "driftlake: exact KS and Wasserstein, refine %d values in %d features to shift %d",
          values, candidates.size(), next));
      long start = System.nanoTime();
      SparkProfiler.Refined sub = SparkProfiler.refine(reference, current, candidates, shift, next);
      LOG.info("Exact pass: split {} candidate bins of {} features ({} values) from shift {} to {} "
              + "in {} ms", candidates.values().stream().mapToInt(Set::size).sum(),
          candidates.size(), values, shift, next, (System.nanoTime() - start) / 1_000_000);
      context.setJobDescription(null);
      for (Map.Entry<String, SortedSet<Long>> e : candidates.entrySet()) {
        NumericProfile[] rc = refined.get(e.getKey());
        refined.put(e.getKey(), new NumericProfile[] {
            Refinement.apply(rc[0], "reference", e.getValue(), sub.reference().get(e.getKey()),
                shift, next),
            Refinement.apply(rc[1], "current", e.getValue(), sub.current().get(e.getKey()),
                shift, next)});
      }
      // A feature without candidates is settled at whatever shift its keys have: its statistics
      // only compare its own two sides, so it is never re-keyed.
      shift = next;
    }

    List<FeatureDrift> results = new ArrayList<>();
    for (FeatureSpec f : features) {
      NumericProfile[] rc = refined.get(f.name());
      Estimate ks = null;
      Estimate w1 = null;
      if (rc != null) {
        boolean[] u = uses.get(f.name());
        if (u[0]) {
          HistogramKs.Certificate certificate = HistogramKs.certify(rc[0], rc[1]);
          check(certificate.candidateKeys().isEmpty(), f.name());
          ks = Estimate.exact(certificate.lowerBound());
        }
        if (u[1]) {
          check(HistogramWasserstein.candidates(rc[0], rc[1]).isEmpty(), f.name());
          w1 = Estimate.exact(HistogramWasserstein.distance(rc[0], rc[1], Set.of(), 0.0));
        }
      }
      results.add(comparator.compare(ref.get(f.name()), cur.get(f.name()),
          new FeatureComparator.Statistics(ks, w1)));
    }
    return comparator.decide(rows(ref, features), rows(cur, features), results);
  }

  /**
   * At most this many candidate values (both sides, all features) are fetched as distinct values
   * in one pass; more are split into sub-bins first. Bounds the driver's memory.
   */
  static final long EXACT_VALUES_LIMIT = 1_000_000;

  private static void check(boolean settled, String feature) {
    if (!settled) {
      throw new IllegalStateException("Exact pass left unsettled bins for feature '" + feature
          + "'");
    }
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
}
