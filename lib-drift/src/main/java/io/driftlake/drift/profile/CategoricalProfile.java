package io.driftlake.drift.profile;

import io.driftlake.drift.feature.FeatureType;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Profile of a categorical feature: counts per category (as strings), nulls, and — when the
 * feature has more distinct values than a profile keeps — the count of the values folded into
 * "other" and a distinct-count estimate.
 *
 * <p>While {@code otherCount} is 0 the counts are exact and complete. Once capped, the kept
 * categories are the most frequent ones and their counts are exact lower bounds (a partition
 * that met more categories than it tracks folds the later ones into "other"); totals stay exact.
 *
 * @param distinctSketch a serialized HLL sketch (Apache DataSketches HllSketch, the format of
 *     Spark's {@code hll_sketch_agg}) of the distinct values, or null when not computed
 */
public record CategoricalProfile(String feature, long rows, long nulls,
                                 SortedMap<String, Long> counts, long otherCount,
                                 byte[] distinctSketch) implements FeatureProfile {
  public CategoricalProfile {
    counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
    if (otherCount < 0) {
      throw new IllegalArgumentException("Negative other count for " + feature + ": " + otherCount);
    }
  }

  /** An exact, complete profile. */
  public CategoricalProfile(String feature, long rows, long nulls, SortedMap<String, Long> counts) {
    this(feature, rows, nulls, counts, 0, null);
  }

  public static CategoricalProfile empty(String feature) {
    return new CategoricalProfile(feature, 0, 0, new TreeMap<>());
  }

  @Override
  public FeatureType type() {
    return FeatureType.CATEGORICAL;
  }

  @Override
  public long valid() {
    return counts.values().stream().mapToLong(Long::longValue).sum() + otherCount;
  }

  /** True when some values were folded into "other" (the counts are then a top-k). */
  public boolean capped() {
    return otherCount > 0;
  }

  /** Distinct non-null values: exact when not capped, else the sketch's estimate. */
  public double distinct() {
    if (!capped() || distinctSketch == null) {
      return counts.size();
    }
    return Math.max(counts.size(), Sketches.hllEstimate(distinctSketch));
  }

  /** Adds the other profile's counts; keeps at most {@code maxCategories}, the rest is "other". */
  public CategoricalProfile merge(CategoricalProfile other, int maxCategories) {
    TreeMap<String, Long> all = new TreeMap<>(counts);
    other.counts.forEach((k, v) -> all.merge(k, v, Long::sum));
    TreeMap<String, Long> merged = all;
    long folded = otherCount + other.otherCount;
    if (merged.size() > maxCategories) {
      TreeMap<String, Long> kept = new TreeMap<>();
      merged.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
              .thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
          .limit(maxCategories).forEach(e -> kept.put(e.getKey(), e.getValue()));
      for (Map.Entry<String, Long> e : merged.entrySet()) {
        if (!kept.containsKey(e.getKey())) {
          folded += e.getValue();
        }
      }
      merged = kept;
    }
    return new CategoricalProfile(feature, rows + other.rows, nulls + other.nulls, merged, folded,
        Sketches.hllUnion(distinctSketch, other.distinctSketch));
  }

  public CategoricalProfile merge(CategoricalProfile other) {
    return merge(other, Integer.MAX_VALUE);
  }
}
