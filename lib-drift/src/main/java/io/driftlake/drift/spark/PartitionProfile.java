package io.driftlake.drift.spark;

import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineHistogram;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.profile.Sketches;
import java.util.HashMap;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Every feature's profile of one partition under construction, fed either a column vector at a
 * time (a columnar scan) or a value at a time (rows). A categorical feature tracks at most
 * {@link ProfileOptions#partitionCategories()} categories per partition; values of categories
 * met after that are counted as "other", each in its hash bucket
 * ({@link CategoricalProfile#bucket}), so a capped profile's bucket counts see every value. The
 * HLL sketch sees every distinct value.
 */
final class PartitionProfile {
  private final String[] names;
  private final boolean[] numeric;
  private final int tracked;
  private long rows;
  private final long[] nulls;
  private final long[] nans;
  private final long[] others;
  private final FineHistogram[] histograms;
  private final KllDoublesSketch[] kll;
  private final HashMap<UTF8String, long[]>[] categories;
  private final HllSketch[] hll;
  /** Per categorical feature: the values folded into "other" by hash bucket, once any are. */
  private final long[][] otherBuckets;
  /** Per categorical feature: counts by dictionary id within one batch (see {@link #strings}). */
  private final int[][] idCounts;
  private final int[][] idFirstRow;

  @SuppressWarnings("unchecked")
  PartitionProfile(String[] names, boolean[] numeric, ProfileOptions options) {
    this.names = names;
    this.numeric = numeric;
    this.tracked = options.partitionCategories();
    int width = names.length;
    nulls = new long[width];
    nans = new long[width];
    others = new long[width];
    histograms = new FineHistogram[width];
    kll = new KllDoublesSketch[width];
    categories = new HashMap[width];
    hll = new HllSketch[width];
    otherBuckets = new long[width][];
    idCounts = new int[width][];
    idFirstRow = new int[width][];
    for (int i = 0; i < width; i++) {
      if (numeric[i]) {
        histograms[i] = new FineHistogram();
        if (options.kll()) {
          kll[i] = KllDoublesSketch.newHeapInstance(options.kllK());
        }
      } else {
        categories[i] = new HashMap<>();
        hll[i] = Sketches.newHll();
      }
    }
  }

  void rows(long n) {
    rows += n;
  }

  /**
   * Counts one row whose first fields are the features, as {@link SparkProfiler#typed} selects
   * them (a double per numeric feature, a string per categorical one).
   */
  void add(org.apache.spark.sql.catalyst.InternalRow row) {
    rows++;
    for (int i = 0; i < names.length; i++) {
      if (row.isNullAt(i)) {
        addNull(i);
      } else if (numeric[i]) {
        addNumber(i, row.getDouble(i));
      } else {
        addCategory(i, row.getUTF8String(i));
      }
    }
  }

  void addNull(int feature) {
    nulls[feature]++;
  }

  void addNumber(int feature, double v) {
    if (v != v) {
      nans[feature]++;
      return;
    }
    histograms[feature].add(v);
    if (kll[feature] != null && Double.isFinite(v)) {
      kll[feature].update(v);
    }
  }

  /** Counts one category; {@code value} may be a reused buffer (it is copied when kept). */
  void addCategory(int feature, UTF8String value) {
    addCategory(feature, value, 1);
  }

  private void addCategory(int feature, UTF8String value, long count) {
    long[] c = categories[feature].get(value);
    if (c != null) {
      c[0] += count;
      return;
    }
    hll[feature].update(value.toString());
    if (categories[feature].size() < tracked) {
      categories[feature].put(value.clone(), new long[] {count});
    } else {
      others[feature] += count;
      if (otherBuckets[feature] == null) {
        otherBuckets[feature] = new long[CategoricalProfile.BUCKETS];
      }
      otherBuckets[feature][CategoricalProfile.bucket(value.getBytes())] += count;
    }
  }

  /** The first {@code n} values of a numeric vector of the given kind. */
  void numbers(int feature, ColumnVector v, ColumnarScan.Kind kind, int n) {
    boolean mayBeNull = v.hasNull();
    FineHistogram histogram = histograms[feature];
    if (kind == ColumnarScan.Kind.DOUBLE && kll[feature] == null) {
      // The common case, kept tight: NaN and null checks, then the histogram.
      long nanCount = 0;
      long nullCount = 0;
      for (int r = 0; r < n; r++) {
        if (mayBeNull && v.isNullAt(r)) {
          nullCount++;
          continue;
        }
        double x = v.getDouble(r);
        if (x != x) {
          nanCount++;
        } else {
          histogram.add(x);
        }
      }
      nans[feature] += nanCount;
      nulls[feature] += nullCount;
      return;
    }
    for (int r = 0; r < n; r++) {
      if (mayBeNull && v.isNullAt(r)) {
        nulls[feature]++;
        continue;
      }
      addNumber(feature, ColumnarScan.number(v, kind, r));
    }
  }

  /**
   * The first {@code n} values of a string vector. A dictionary-encoded vector is counted by
   * dictionary id, and each id seen in the batch is decoded once.
   */
  void strings(int feature, ColumnVector v, int n) {
    boolean mayBeNull = v.hasNull();
    if (v instanceof WritableColumnVector w && w.hasDictionary()) {
      WritableColumnVector ids = w.getDictionaryIds();
      int[] counts = idCounts[feature];
      int[] first = idFirstRow[feature];
      if (counts == null) {
        counts = idCounts[feature] = new int[64];
        first = idFirstRow[feature] = new int[64];
      }
      int maxId = -1;
      for (int r = 0; r < n; r++) {
        if (mayBeNull && v.isNullAt(r)) {
          nulls[feature]++;
          continue;
        }
        int id = ids.getDictId(r);
        if (id >= counts.length) {
          int size = Math.max(2 * counts.length, id + 1);
          counts = idCounts[feature] = java.util.Arrays.copyOf(counts, size);
          first = idFirstRow[feature] = java.util.Arrays.copyOf(first, size);
        }
        if (counts[id]++ == 0) {
          first[id] = r;
        }
        maxId = Math.max(maxId, id);
      }
      for (int id = 0; id <= maxId; id++) {
        if (counts[id] > 0) {
          addCategory(feature, v.getUTF8String(first[id]), counts[id]);
          counts[id] = 0;
        }
      }
      return;
    }
    for (int r = 0; r < n; r++) {
      if (mayBeNull && v.isNullAt(r)) {
        nulls[feature]++;
      } else {
        addCategory(feature, v.getUTF8String(r));
      }
    }
  }

  private static final UTF8String TRUE = UTF8String.fromString("true");
  private static final UTF8String FALSE = UTF8String.fromString("false");

  /** The first {@code n} values of a boolean vector, as the categories "true" and "false". */
  void booleans(int feature, ColumnVector v, int n) {
    boolean mayBeNull = v.hasNull();
    long yes = 0;
    long no = 0;
    for (int r = 0; r < n; r++) {
      if (mayBeNull && v.isNullAt(r)) {
        nulls[feature]++;
      } else if (v.getBoolean(r)) {
        yes++;
      } else {
        no++;
      }
    }
    if (yes > 0) {
      addCategory(feature, TRUE, yes);
    }
    if (no > 0) {
      addCategory(feature, FALSE, no);
    }
  }

  /** The partition's profile of feature {@code i}. */
  FeatureProfile profile(int i) {
    if (numeric[i]) {
      return new NumericProfile(names[i], rows, nulls[i], nans[i], histograms[i].toBins(),
          kll[i] == null ? null : kll[i].toByteArray());
    }
    TreeMap<String, Long> counts = new TreeMap<>();
    categories[i].forEach((value, c) -> counts.put(value.toString(), c[0]));
    long[] buckets = null;
    if (others[i] > 0) {
      // Capped: the kept categories join the folded values in their buckets.
      buckets = otherBuckets[i].clone();
      for (var e : categories[i].entrySet()) {
        buckets[CategoricalProfile.bucket(e.getKey().getBytes())] += e.getValue()[0];
      }
    }
    return new CategoricalProfile(names[i], rows, nulls[i], counts, others[i],
        hll[i].isEmpty() ? null : hll[i].toUpdatableByteArray(), buckets);
  }
}
