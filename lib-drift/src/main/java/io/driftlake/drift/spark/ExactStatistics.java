package io.driftlake.drift.spark;

import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.compare.NumericBinning;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.RefinementPlan;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.Estimate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The exact passes of {@link DriftAnalysis#compareExact}: refinement passes until every KS and
 * W1 region is settled, and one pass that fetches the fine bins PSI/JS binning and value-ranking
 * methods need, each within a memory budget.
 */
final class ExactStatistics {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ExactStatistics.class);

  private final DriftSettings settings;

  ExactStatistics(DriftSettings settings) {
    this.settings = settings;
  }

  /**
   * The exact values of the fine bins that numeric PSI/JS binning cannot settle from the
   * profiles ({@link NumericBinning#needed}: those holding an edge or straddling one), and of
   * every fine bin the profiles do not fix for a method that ranks every value
   * ({@link DriftMethod#readsValues}, e.g. cvm), fetched in one pass over both sides that reads
   * only those features' columns; none when every edge and count is exact from the profiles
   * already (ties, integers, values on a coarse grid).
   */
  Map<String, Map<Long, ExactRefinement.Values>> binValues(
      Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur,
      List<FeatureSpec> features, Dataset<Row> reference, Dataset<Row> current) {
    List<String> names = new ArrayList<>();
    List<TreeSet<Long>> keys = new ArrayList<>();
    for (FeatureSpec f : features) {
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      if (ref.get(f.name()) instanceof NumericProfile r
          && cur.get(f.name()) instanceof NumericProfile c && r.valid() > 0 && c.valid() > 0) {
        TreeSet<Long> needed = new TreeSet<>();
        if (policy.methods().stream().anyMatch(DriftMethod::binned)) {
          // A method on bins (psi, js): the fine bins that numpy's edges and counts need.
          needed.addAll(NumericBinning.needed(r, c, settings.bins(), settings.binClosed()));
        }
        if (policy.methods().stream().anyMatch(DriftMethod::readsValues)) {
          // A method that ranks every value: every fine bin whose values the profiles do not fix.
          needed.addAll(ExactRefinement.unfixedKeys(r, c));
        }
        if (!needed.isEmpty()) {
          names.add(f.name());
          keys.add(needed);
        }
      }
    }
    Map<String, Map<Long, ExactRefinement.Values>> out = new HashMap<>();
    if (names.isEmpty()) {
      return out;
    }
    var context = reference.sparkSession().sparkContext();
    context.setJobDescription(String.format(
        "driftlake: exact PSI/JS bins and ranked values: %d fine bins of %d features",
        keys.stream().mapToInt(Set::size).sum(), names.size()));
    long start = System.nanoTime();
    List<Map<Long, ExactRefinement.Values>> fetched =
        ExactPass.fetch(reference, current, names, keys);
    LOG.info("Exact PSI/JS bins and ranked values: {} fine bins of {} features in {} ms",
        keys.stream().mapToInt(Set::size).sum(), names.size(),
        (System.nanoTime() - start) / 1_000_000);
    context.setJobDescription(null);
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), fetched.get(i));
    }
    return out;
  }

  /** Exact KS and W1 of {@code features}, by feature name. */
  Map<String, FeatureComparator.Statistics> statistics(
      Map<String, FeatureProfile> ref, Map<String, FeatureProfile> cur, List<FeatureSpec> features,
      Dataset<Row> reference, Dataset<Row> current) {
    Map<String, ExactRefinement.State> states = new LinkedHashMap<>();
    for (FeatureSpec f : features) {
      DriftSettings.FeaturePolicy policy = settings.policy(f.name(), f.type());
      if (DriftAnalysis.profileOf(ref, f, "reference") instanceof NumericProfile r
          && DriftAnalysis.profileOf(cur, f, "current") instanceof NumericProfile c && r.valid() > 0
          && c.valid() > 0) {
        boolean ks = policy.uses(DriftMethods.KS);
        boolean w1 = policy.uses(DriftMethods.WASSERSTEIN) && r.finiteCount() > 0
            && c.finiteCount() > 0;
        if (ks || w1) {
          states.put(f.name(), ExactRefinement.start(states.size(), r, c, ks, w1));
        }
      }
    }
    var context = reference.sparkSession().sparkContext();
    for (int pass = 1; ; pass++) {
      List<ExactRefinement.State> open = new ArrayList<>();
      for (ExactRefinement.State s : states.values()) {
        if (!s.settled()) {
          // Re-indexed within the pass: a pass reads only the features still open.
          open.add(new ExactRefinement.State(s.feature(), open.size(), s.totals(), s.ks(), s.w1(),
              s.ksLower(), s.w1Area(), s.open().stream().map(r -> r.withFeature(open.size()))
                  .toList()));
        }
      }
      if (open.isEmpty()) {
        break;
      }
      if (pass > MAX_PASSES) {
        throw new IllegalStateException("Exact pass left unsettled bins for features "
            + open.stream().map(ExactRefinement.State::feature).toList());
      }
      int[][] depths = RefinementPlan.plan(open, SUB_BIN_BUDGET, EXACT_VALUES_LIMIT);
      long values = open.stream().mapToLong(ExactRefinement.State::openValues).sum();
      int regions = open.stream().mapToInt(s -> s.open().size()).sum();
      context.setJobDescription(String.format(
          "driftlake: exact KS and Wasserstein, pass %d: %d values in %d bins of %d features",
          pass, values, regions, open.size()));
      long start = System.nanoTime();
      for (ExactRefinement.State s : ExactPass.run(reference, current, open, depths)) {
        states.put(s.feature(), s);
      }
      LOG.info("Exact pass {}: {} values in {} bins of {} features in {} ms", pass, values,
          regions, open.size(), (System.nanoTime() - start) / 1_000_000);
      context.setJobDescription(null);
    }

    Map<String, FeatureComparator.Statistics> exact = new HashMap<>();
    for (FeatureSpec f : features) {
      ExactRefinement.State s = states.get(f.name());
      Estimate ks = s != null && s.ks() ? Estimate.exact(s.ksLower()) : null;
      // An ∞ area (finite values spanning more than a double) is left out: not computable.
      Estimate w1 = s != null && s.w1() && Double.isFinite(s.w1Area())
          ? Estimate.exact(s.w1Area()) : null;
      exact.put(f.name(), new FeatureComparator.Statistics(ks, w1));
    }
    return exact;
  }

  /**
   * Sub-bins one exact pass may count, over all features (16 bytes each per task: 32 MiB), and
   * values it may fetch exactly (8 bytes each as a task appends them, 16 once sorted and counted:
   * about 100 MiB over all of the pass's tasks and merges). Bound the executors' memory and the
   * shuffle, never the result: what does not fit is settled by one more pass.
   */
  static final long SUB_BIN_BUDGET = 1L << 21;
  static final long EXACT_VALUES_LIMIT = 6_000_000;
  /** Every pass splits each open bin by at least one bit: 45 passes reach single values. */
  private static final int MAX_PASSES = 46;
}
