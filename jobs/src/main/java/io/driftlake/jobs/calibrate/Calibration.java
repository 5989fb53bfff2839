package io.driftlake.jobs.calibrate;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.method.Direction;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.method.ScoreKind;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.profile.ProfileStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;

/**
 * Thresholds learned from a table's history: the stored profiles of its consecutive profiled
 * versions (of one selection, {@code added} by default: each batch against the next) are compared
 * pair by pair with every configured method, from the profiles alone (statistics mode
 * {@code profiles}: no data file is read and no Spark job runs), and each feature's and method's
 * past scores give its threshold for a target false-alarm rate.
 *
 * <p>The rule is the split-conformal quantile: with n past scores of stable pairs, a new stable
 * pair's score ranks uniformly among the n + 1, so for a p-value (drift when p &lt; t) the m-th
 * smallest past p-value, m = floor(rate (n + 1)), alarms with probability m / (n + 1) ≤ rate; for
 * a distance (drift when score ≥ t) the threshold is the next double above the k-th smallest
 * score, k = n + 1 − m, so that only a score above it alarms, with probability
 * (n + 1 − k) / (n + 1) ≤ rate. Both need m ≥ 1, that is n ≥ 1/rate − 1 pairs
 * ({@link #minimumPairs}); with fewer the job refuses, naming the table.
 */
public final class Calibration {
  private Calibration() {}

  /** Two consecutive profiled versions: the earlier is the reference. */
  public record Pair(long reference, long current) {
    public String label() {
      return reference + "-" + current;
    }
  }

  /** One learned threshold: its feature, method, value, how it was chosen, and from how many. */
  public record Learned(String feature, String featureType, String method, double threshold,
                        String rule, int scores) {}

  /**
   * A calibration: the table (and its Delta id), the selection, the rate, the pairs used, the
   * versions excluded (by the user) and skipped (no stored profiles), the thresholds, and the
   * feature/method combinations left uncalibrated with why.
   */
  public record Result(String table, String tableId, String selection, double rate,
                       List<Pair> pairs, List<Long> excluded, List<Long> skipped,
                       List<Learned> thresholds, List<String> uncalibrated) {}

  /** The fewest pairs a rate needs: n ≥ 1/rate − 1 (so that m = floor(rate (n + 1)) ≥ 1). */
  public static int minimumPairs(double rate) {
    return (int) Math.ceil(1 / rate - 1 - 1e-9);
  }

  /**
   * The threshold of one method from its past scores (p-values for a p-value method): see the
   * class comment; {@code scores} has at least {@link #minimumPairs} values.
   */
  public static double threshold(DriftMethod method, double[] scores, double rate) {
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    int m = (int) Math.floor(rate * (n + 1) + 1e-9);
    if (m < 1) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%d scores are too few for "
          + "a false-alarm rate of %s (at least %d)", n, rate, minimumPairs(rate)));
    }
    return method.direction() == Direction.LOWER_IS_DRIFT ? sorted[m - 1]
        : Math.nextUp(sorted[n - m]);
  }

  private static String rule(DriftMethod method, int n, double rate) {
    int m = (int) Math.floor(rate * (n + 1) + 1e-9);
    return method.direction() == Direction.LOWER_IS_DRIFT
        ? String.format(Locale.ROOT, "p < the %s smallest of %d past p-values", ordinal(m), n)
        : String.format(Locale.ROOT, "score above the %s smallest of %d past scores",
            ordinal(n + 1 - m), n);
  }

  private static String ordinal(int k) {
    String suffix = k % 100 >= 11 && k % 100 <= 13 ? "th"
        : switch (k % 10) {
          case 1 -> "st";
          case 2 -> "nd";
          case 3 -> "rd";
          default -> "th";
        };
    return k + suffix;
  }

  /**
   * Calibrates {@code table}: reads its stored profiles of {@code selection} on the driver,
   * scores every consecutive pair not touching an {@code excluded} version, and learns each
   * feature's and method's threshold. Fails, naming the table, when it does not exist or has
   * fewer pairs than the rate needs.
   */
  public static Result run(KernelLake lake, String table, String selection, double rate,
                           Set<Long> excluded) {
    if (!(rate > 0 && rate < 0.5)) {
      throw new IllegalArgumentException("--rate must be in (0, 0.5): " + rate);
    }
    if (!selection.equals("added") && !selection.equals("snapshot")) {
      throw new IllegalArgumentException("driftlake.calibrate.selection must be added or "
          + "snapshot: " + selection);
    }
    TableRef latest = lake.resolve(TableRef.parse(table)).orElseThrow(() ->
        new IllegalArgumentException(String.format("Table '%s' does not exist (no Delta table "
            + "at %s)", table, lake.path(table))));
    long last = latest.version().getAsLong();
    DriftSettings drift = lake.settings().drift()
        .withStatisticsMode(DriftSettings.StatisticsMode.PROFILES);
    NavigableMap<Long, Map<String, FeatureProfile>> stored =
        ProfileStore.storedOnly(lake, drift.profile()).storedVersions(table, selection);
    List<Long> skipped = new ArrayList<>();
    for (long v = 0; v <= last; v++) {
      if (!stored.containsKey(v)) {
        skipped.add(v);
      }
    }
    List<Pair> pairs = new ArrayList<>();
    Long previous = null;
    for (long v : stored.keySet()) {
      if (previous != null && !excluded.contains(previous) && !excluded.contains(v)) {
        pairs.add(new Pair(previous, v));
      }
      previous = v;
    }
    int minimum = minimumPairs(rate);
    if (pairs.size() < minimum) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "Table '%s': %d pairs of "
          + "consecutive profiled versions (selection %s; %d versions without stored profiles, "
          + "%d excluded), fewer than the %d a false-alarm rate of %s needs (n >= 1/rate - 1); "
          + "profile more versions or raise --rate", table, pairs.size(), selection,
          skipped.size(), excluded.size(), minimum, rate));
    }
    List<FeatureSpec> features = FeatureSpecs.shared(lake.schema(latest), lake.schema(latest),
        lake.settings().schema().nonFeatures()).features();
    Map<String, List<Double>> scores = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (Pair pair : pairs) {
      Map<String, FeatureProfile> ref = stored.get(pair.reference());
      Map<String, FeatureProfile> cur = stored.get(pair.current());
      List<FeatureSpec> both = features.stream().filter(f -> ref.containsKey(f.name())
          && cur.containsKey(f.name()) && ref.get(f.name()).type() == f.type()
          && cur.get(f.name()).type() == f.type()).toList();
      DriftReport report = new DriftAnalysis(drift.onlyFeatures(
          both.stream().map(FeatureSpec::name).toList())).compare(ref, cur, both);
      for (FeatureDrift f : report.features()) {
        for (MethodResult r : f.results()) {
          boolean test = DriftMethods.byId(r.method()).kind() == ScoreKind.P_VALUE;
          Double value = test ? r.pValue() : r.score();
          String key = f.feature() + "\u0000" + r.method();
          types.put(key, f.type().id());
          List<Double> list = scores.computeIfAbsent(key, k -> new ArrayList<>());
          if (value != null) {
            list.add(value);
          }
        }
      }
    }
    List<Learned> learned = new ArrayList<>();
    List<String> uncalibrated = new ArrayList<>();
    scores.forEach((key, values) -> {
      String feature = key.substring(0, key.indexOf('\u0000'));
      DriftMethod method = DriftMethods.byId(key.substring(key.indexOf('\u0000') + 1));
      if (values.size() < minimum) {
        uncalibrated.add(String.format(Locale.ROOT, "%s/%s: %d computable scores of %d pairs, "
            + "fewer than %d", feature, method.id(), values.size(), pairs.size(), minimum));
        return;
      }
      double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
      learned.add(new Learned(feature, types.get(key), method.id(), threshold(method, v, rate),
          rule(method, v.length, rate), v.length));
    });
    return new Result(table, lake.tableId(table), selection, rate, pairs,
        List.copyOf(new TreeSet<>(excluded)), skipped, learned, uncalibrated);
  }
}
