package io.driftlake.drift.profile;

import io.driftlake.drift.feature.FeatureType;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Profile of a categorical feature: counts per category (as strings), nulls, and — when the
 * feature has more distinct values than a profile keeps — the count of the values folded into
 * "other" and a distinct-count estimate.
 *
 * <p>While {@code otherCount} is 0 the counts are exact and complete. Once capped, the kept
 * categories are the most frequent ones and their counts are exact lower bounds (a partition
 * that met more categories than it tracks folds the later ones into "other"); totals stay exact.
 *
 * <p>A capped profile also counts every value, kept or folded, in one of {@link #BUCKETS} hash
 * buckets ({@link #bucket}): a mergeable sketch that sees past the top-k, so two capped profiles
 * can still be compared over all their values (approximately: categories sharing a bucket are
 * merged). An uncapped profile derives its buckets from its counts ({@link #bucketCounts}).
 *
 * @param distinctSketch a serialized HLL sketch (Apache DataSketches HllSketch, the format of
 *     Spark's {@code hll_sketch_agg}) of the distinct values, or null when not computed
 * @param buckets the count of values per hash bucket ({@link #BUCKETS} of them) when capped;
 *     null when not capped (derived from the counts) or for a capped profile made before buckets
 */
public record CategoricalProfile(String feature, long rows, long nulls,
                                 SortedMap<String, Long> counts, long otherCount,
                                 byte[] distinctSketch, long[] buckets) implements FeatureProfile {
  /** Hash buckets of the category sketch: 4096 counts (32 KiB) per capped profile. */
  public static final int BUCKETS = 4096;
  /** Seed of the bucket hash (MurmurHash3 x64 128 of the category's UTF-8 bytes). */
  public static final long BUCKET_SEED = 9001L;

  public CategoricalProfile {
    counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
    if (otherCount < 0) {
      throw new IllegalArgumentException("Negative other count for " + feature + ": " + otherCount);
    }
    if (buckets != null && buckets.length != BUCKETS) {
      throw new IllegalArgumentException(String.format(
          "Category buckets of %s: %d, expected %d", feature, buckets.length, BUCKETS));
    }
  }

  /** A profile without bucket counts (exact when not capped). */
  public CategoricalProfile(String feature, long rows, long nulls, SortedMap<String, Long> counts,
                            long otherCount, byte[] distinctSketch) {
    this(feature, rows, nulls, counts, otherCount, distinctSketch, null);
  }

  /**
   * The hash bucket of a category: the top 12 bits of MurmurHash3 (x64, 128-bit, first half) of
   * its UTF-8 bytes with seed {@link #BUCKET_SEED}; the same on every side and every run.
   */
  public static int bucket(byte[] utf8) {
    return (int) (MurmurHash3.hash(utf8, BUCKET_SEED)[0] >>> (64 - 12));
  }

  public static int bucket(String category) {
    return bucket(category.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Values per hash bucket, over every non-null value: the stored buckets when capped, derived
   * from the counts when not; null for a capped profile without buckets (made before them).
   */
  public long[] bucketCounts() {
    if (buckets != null) {
      return buckets.clone();
    }
    if (capped()) {
      return null;
    }
    long[] out = new long[BUCKETS];
    counts.forEach((k, v) -> out[bucket(k)] += v);
    return out;
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

  @Override
  public CategoricalProfile merge(FeatureProfile other, int maxCategories) {
    return merge(FeatureProfile.sameType(this, other, CategoricalProfile.class), maxCategories);
  }

  /** Adds the other profile's counts; keeps at most {@code maxCategories}, the rest is "other". */
  public CategoricalProfile merge(CategoricalProfile other, int maxCategories) {
    TreeMap<String, Long> all = new TreeMap<>(counts);
    other.counts.forEach((k, v) -> all.merge(k, v, Long::sum));
    TreeMap<String, Long> merged = all;
    long folded = otherCount + other.otherCount;
    long[] mergedBuckets = null;
    if (folded > 0 || merged.size() > maxCategories) {
      // Capped: every value of both sides in its bucket, unless a side predates buckets.
      long[] a = bucketCounts();
      long[] b = other.bucketCounts();
      if (a != null && b != null) {
        for (int i = 0; i < BUCKETS; i++) {
          a[i] += b[i];
        }
        mergedBuckets = a;
      }
    }
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
        Sketches.hllUnion(distinctSketch, other.distinctSketch), mergedBuckets);
  }

  public CategoricalProfile merge(CategoricalProfile other) {
    return merge(other, Integer.MAX_VALUE);
  }

  /**
   * This profile without the rows {@code removed} profiles (rows that this profile counted: a
   * removed category this one lacks, or more of it than counted, is an error naming the feature
   * and category). Exact when neither side is capped: counts and nulls subtract, a category left
   * at 0 disappears, and the HLL sketch is rebuilt from the remaining categories (the counts
   * hold every one). A capped side is {@linkplain Subtraction#stale stale}: its kept counts are a
   * top-k, and neither its "other" count, its buckets' split nor its HLL sketch can say which
   * values the removed rows took away.
   */
  public Subtraction subtract(CategoricalProfile removed) {
    if (capped() || removed.capped()) {
      return Subtraction.stale(String.format("the categories of '%s' are capped (a top-k with "
          + "%d values folded into other), which cannot subtract", feature,
          capped() ? otherCount : removed.otherCount));
    }
    if (removed.rows > rows || removed.nulls > nulls) {
      throw new IllegalArgumentException(String.format("Feature '%s': cannot remove %d rows "
          + "(%d null) from a profile of %d rows (%d null)", feature, removed.rows,
          removed.nulls, rows, nulls));
    }
    TreeMap<String, Long> left = new TreeMap<>(counts);
    for (Map.Entry<String, Long> e : removed.counts.entrySet()) {
      long count = left.getOrDefault(e.getKey(), 0L);
      if (count < e.getValue()) {
        throw new IllegalArgumentException(String.format("Feature '%s': cannot remove %d values "
            + "'%s' from a profile that counts %d", feature, e.getValue(), e.getKey(), count));
      }
      if (count == e.getValue()) {
        left.remove(e.getKey());
      } else {
        left.put(e.getKey(), count - e.getValue());
      }
    }
    byte[] hll = null;
    if (!left.isEmpty()) {
      org.apache.datasketches.hll.HllSketch sketch = Sketches.newHll();
      left.keySet().forEach(sketch::update);
      hll = sketch.toUpdatableByteArray();
    }
    return Subtraction.exact(new CategoricalProfile(feature, rows - removed.rows,
        nulls - removed.nulls, left, 0, hll, null));
  }

  @Override
  public Subtraction change(FeatureProfile inserted, FeatureProfile removed, int maxCategories) {
    return change(FeatureProfile.sameType(this, inserted, CategoricalProfile.class),
        FeatureProfile.sameType(this, removed, CategoricalProfile.class), maxCategories);
  }

  /**
   * This profile plus the rows {@code inserted} profiles minus those {@code removed} profiles,
   * then capped at {@code maxCategories} as {@link #merge(CategoricalProfile, int)} caps: exact
   * when no side is capped ({@link #subtract}), else {@linkplain Subtraction#stale stale}.
   */
  public Subtraction change(CategoricalProfile inserted, CategoricalProfile removed,
                            int maxCategories) {
    if (removed.rows == 0) {
      return Subtraction.exact(merge(inserted, maxCategories));
    }
    Subtraction left = merge(inserted).subtract(removed);
    return left.exact() ? Subtraction.exact(((CategoricalProfile) left.profile())
        .merge(empty(feature), maxCategories)) : left;
  }
}
