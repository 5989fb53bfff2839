package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.HistogramKs;
import io.driftlake.drift.estimate.HistogramWasserstein;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.Estimate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    context.setJobDescription("driftlake: profile reference and current");
    List<Map<String, FeatureProfile>> both = profileAll(List.of(reference, current), features);
    Map<String, FeatureProfile> ref = both.get(0);
    Map<String, FeatureProfile> cur = both.get(1);
    context.setJobDescription(null);
    if (settings.statisticsMode() == DriftSettings.StatisticsMode.EXACT) {
      // What was compared: every category of a capped categorical feature, counted.
      List<Map<String, FeatureProfile>> counted = exactCategories(ref, cur, features, reference,
          current);
      ref = counted.get(0);
      cur = counted.get(1);
    }
    DriftReport report = switch (settings.statisticsMode()) {
      case EXACT -> compareExact(ref, cur, features, reference, current);
      case APPROXIMATE -> refineUndecided(compare(ref, cur, features), ref, cur, features,
          reference, current);
      case PROFILES -> compare(ref, cur, features);
    };
    return new Outcome(report, ref, cur);
  }

  /**
   * An approximate report with its undecided features (an approximate KS, W1, PSI or JS whose
   * error interval straddles the threshold) compared again with exact statistics and numpy's
   * exact PSI/JS bins, from passes over
   * {@code reference} and {@code current} (the data the profiles were made from) that read
   * only those features: every verdict is then one the bound supports or an exact one. The
   * report itself when no feature is undecided (no data is read).
   */
  public DriftReport refineUndecided(DriftReport approximate, Map<String, FeatureProfile> ref,
                                     Map<String, FeatureProfile> cur, List<FeatureSpec> features,
                                     Dataset<Row> reference, Dataset<Row> current) {
    Set<String> undecided = new TreeSet<>();
    approximate.features().stream().filter(FeatureComparator::undecided)
        .forEach(f -> undecided.add(f.feature()));
    if (undecided.isEmpty()) {
      return approximate;
    }
    LOG.info("Approximate drift left {} feature(s) undecided, refining them exactly: {}",
        undecided.size(), undecided);
    List<FeatureSpec> open = features.stream().filter(f -> undecided.contains(f.name())).toList();
    ExactStatistics passes = new ExactStatistics(settings);
    Map<String, FeatureComparator.Statistics> exact =
        passes.statistics(ref, cur, open, reference, current);
    Map<String, Map<Long, ExactRefinement.Values>> binValues =
        passes.binValues(ref, cur, open, reference, current);
    Map<String, FeatureDrift> byName = new HashMap<>();
    approximate.features().forEach(f -> byName.put(f.feature(), f));
    List<FeatureDrift> results = new ArrayList<>();
    for (FeatureSpec f : features) {
      if (!byName.containsKey(f.name())) {
        continue; // skipped (an identifier-like column): listed in the report's skipped columns
      }
      Map<Long, ExactRefinement.Values> values = binValues.get(f.name());
      results.add(!undecided.contains(f.name()) ? byName.get(f.name())
          : comparator.compare(ref.get(f.name()), cur.get(f.name()), values == null
              ? exact.get(f.name()) : exact.get(f.name()).withBinValues(values)));
    }
    return comparator.decide(rows(ref, features), rows(cur, features), results)
        .withSkipped(approximate.skipped());
  }

  /** One scan: every feature's profile, with this analysis's profile options. */
  public Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features) {
    return SparkProfiler.profile(data, features, settings.profile());
  }

  /** Several selections profiled in one Spark job, one scan each, in the order given. */
  public List<Map<String, FeatureProfile>> profileAll(List<Dataset<Row>> data,
                                                      List<FeatureSpec> features) {
    return SparkProfiler.profileAll(data, features, settings.profile());
  }

  /**
   * Compares two profiles without touching any data: KS and Wasserstein are the histogram
   * estimates with their error bounds, whatever the configured mode; a feature whose error
   * interval straddles its threshold is left undecided ({@link #refineUndecided} settles it
   * when the data is at hand).
   */
  public DriftReport compare(Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
                             List<FeatureSpec> features) {
    checkConfiguredFeatures(features);
    Scoring scoring = scoring(ref, cur, features);
    List<FeatureDrift> results = new ArrayList<>();
    for (FeatureSpec f : scoring.scored()) {
      FeatureProfile r = profileOf(ref, f, "reference");
      FeatureProfile c = profileOf(cur, f, "current");
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      Estimate ks = null;
      Estimate w1 = null;
      String failure = null;
      if (r instanceof NumericProfile rn && c instanceof NumericProfile cn && rn.valid() > 0
          && cn.valid() > 0) {
        try {
          if (policy.uses(DriftMethods.KS)) {
            ks = HistogramKs.approximate(rn, cn);
          }
          if (policy.uses(DriftMethods.WASSERSTEIN) && rn.finiteCount() > 0
              && cn.finiteCount() > 0) {
            w1 = HistogramWasserstein.approximate(rn, cn);
          }
        } catch (RuntimeException e) {
          // A corrupt profile fails this feature's KS/W1 only: the run goes on, incomplete.
          failure = String.format("not computable: the histogram estimates failed on feature "
              + "'%s': %s", f.name(), e.getMessage() == null ? e.getClass().getName()
              : e.getMessage());
          ks = null;
          w1 = null;
        }
      }
      results.add(comparator.compare(r, c, new FeatureComparator.Statistics(ks, w1, failure)));
    }
    return comparator.decide(rows(ref, features), rows(cur, features), results)
        .withSkipped(scoring.skipped());
  }

  /** The features to score, and the ones skipped because they look like identifiers. */
  public record Scoring(List<FeatureSpec> scored, List<SkippedColumn> skipped) {
    public Scoring {
      scored = List.copyOf(scored);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * Splits the features into the ones to score and the categorical ones that look like
   * identifiers ({@link DriftSettings.IdLike}) on both sides, unless configured to be scored:
   * nearly every value distinct, so every category is new and drift says nothing.
   */
  public Scoring scoring(Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
                         List<FeatureSpec> features) {
    List<FeatureSpec> scored = new ArrayList<>();
    List<SkippedColumn> skipped = new ArrayList<>();
    DriftSettings.IdLike idLike = settings.idLike();
    for (FeatureSpec f : features) {
      if (profileOf(ref, f, "reference") instanceof CategoricalProfile r
          && profileOf(cur, f, "current") instanceof CategoricalProfile c
          && !settings.scoresIdLike(f.name()) && idLike(r, idLike) && idLike(c, idLike)) {
        skipped.add(new SkippedColumn(f.name(), f.type().id(), String.format(Locale.ROOT,
            "looks like an identifier: %.0f distinct of %d rows in the reference, %.0f of %d in "
                + "the current selection (distinct >= %s of non-null rows; set %s.features.%s."
                + "score-id-like = true to score it)", r.distinct(), r.valid(), c.distinct(),
            c.valid(), idLike.share(), DriftSettings.PATH, f.name())));
      } else {
        scored.add(f);
      }
    }
    return new Scoring(scored, skipped);
  }

  private static boolean idLike(CategoricalProfile p, DriftSettings.IdLike idLike) {
    return p.valid() >= idLike.minRows() && p.distinct() >= idLike.share() * p.valid();
  }

  /**
   * Exact mode's category counts: the profiles with every scored categorical feature whose
   * profile is capped on either side replaced, on both sides, by complete counts of every
   * category ({@link CategoryCounts}: one Spark job, one scan of each side, one grouped
   * aggregation), so that no verdict or category check is drawn from a top-k. The stored
   * profiles stay capped; other features' profiles are returned as they are.
   */
  public List<Map<String, FeatureProfile>> exactCategories(Map<String, FeatureProfile> ref,
                                                           Map<String, FeatureProfile> cur,
                                                           List<FeatureSpec> features,
                                                           Dataset<Row> reference,
                                                           Dataset<Row> current) {
    List<String> capped = new ArrayList<>();
    for (FeatureSpec f : scoring(ref, cur, features).scored()) {
      if (profileOf(ref, f, "reference") instanceof CategoricalProfile r
          && profileOf(cur, f, "current") instanceof CategoricalProfile c
          && (r.capped() || c.capped())) {
        capped.add(f.name());
      }
    }
    if (capped.isEmpty()) {
      return List.of(ref, cur);
    }
    var context = reference.sparkSession().sparkContext();
    context.setJobDescription("driftlake: count every category of capped features " + capped);
    long start = System.nanoTime();
    List<Map<String, FeatureProfile>> counted = CategoryCounts.count(reference, current, capped,
        ref, cur);
    LOG.info("Exact category counts of {} in {} ms", capped,
        (System.nanoTime() - start) / 1_000_000);
    context.setJobDescription(null);
    Map<String, FeatureProfile> r = new LinkedHashMap<>(ref);
    Map<String, FeatureProfile> c = new LinkedHashMap<>(cur);
    r.putAll(counted.get(0));
    c.putAll(counted.get(1));
    return List.of(r, c);
  }

  /**
   * Compares two profiles with exact KS and Wasserstein: the fine histograms settle most bins
   * ({@link ExactRefinement#start}), and passes over {@code reference} and {@code current} (the
   * data the profiles were made from), each over both sides at once and over only the columns
   * still open, split the rest finer each time until every one is settled: usually one pass that
   * splits and one that fetches the few values left. Numeric PSI/JS bins are numpy's: the fine
   * bins the profiles cannot settle (an edge inside one, or one straddling an edge) are fetched
   * exactly by one more pass, none when the data is tied as counts or rounded values are.
   */
  public DriftReport compareExact(Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
                                  List<FeatureSpec> features, Dataset<Row> reference,
                                  Dataset<Row> current) {
    checkConfiguredFeatures(features);
    List<Map<String, FeatureProfile>> counted = exactCategories(ref, cur, features, reference,
        current);
    ref = counted.get(0);
    cur = counted.get(1);
    Scoring scoring = scoring(ref, cur, features);
    ExactStatistics passes = new ExactStatistics(settings);
    Map<String, FeatureComparator.Statistics> exact =
        passes.statistics(ref, cur, scoring.scored(), reference, current);
    Map<String, Map<Long, ExactRefinement.Values>> binValues =
        passes.binValues(ref, cur, scoring.scored(), reference, current);
    List<FeatureDrift> results = new ArrayList<>();
    for (FeatureSpec f : scoring.scored()) {
      FeatureComparator.Statistics s = exact.get(f.name());
      Map<Long, ExactRefinement.Values> values = binValues.get(f.name());
      results.add(comparator.compare(ref.get(f.name()), cur.get(f.name()),
          values == null ? s : s.withBinValues(values)));
    }
    return comparator.decide(rows(ref, features), rows(cur, features), results)
        .withSkipped(scoring.skipped());
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

  static FeatureProfile profileOf(Map<String, FeatureProfile> profiles, FeatureSpec f,
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
