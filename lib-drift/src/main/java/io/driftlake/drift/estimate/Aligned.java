package io.driftlake.drift.estimate;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.PooledValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Two profiles' bins side by side over the union of their keys, in key order: one merge walk of
 * the two sorted maps, so the statistics loop over arrays instead of looking keys up.
 */
public final class Aligned {
  final long[] keys;
  /** The reference's and current's bin under each key, null where a side has none. */
  final NumericProfile.Bin[] ref;
  final NumericProfile.Bin[] cur;
  final int size;

  private Aligned(long[] keys, NumericProfile.Bin[] ref, NumericProfile.Bin[] cur, int size) {
    this.keys = keys;
    this.ref = ref;
    this.cur = cur;
    this.size = size;
  }

  static Aligned of(NumericProfile reference, NumericProfile current) {
    int capacity = reference.bins().size() + current.bins().size();
    long[] keys = new long[capacity];
    NumericProfile.Bin[] r = new NumericProfile.Bin[capacity];
    NumericProfile.Bin[] c = new NumericProfile.Bin[capacity];
    Iterator<Map.Entry<Long, NumericProfile.Bin>> a = reference.bins().entrySet().iterator();
    Iterator<Map.Entry<Long, NumericProfile.Bin>> b = current.bins().entrySet().iterator();
    Map.Entry<Long, NumericProfile.Bin> x = a.hasNext() ? a.next() : null;
    Map.Entry<Long, NumericProfile.Bin> y = b.hasNext() ? b.next() : null;
    int n = 0;
    while (x != null || y != null) {
      int order = x == null ? 1 : y == null ? -1 : Long.compare(x.getKey(), y.getKey());
      keys[n] = order <= 0 ? x.getKey() : y.getKey();
      if (order <= 0) {
        r[n] = x.getValue();
        x = a.hasNext() ? a.next() : null;
      }
      if (order >= 0) {
        c[n] = y.getValue();
        y = b.hasNext() ? b.next() : null;
      }
      n++;
    }
    return new Aligned(keys, r, c, n);
  }

  /** Like {@link #of}, without the ±∞ bins. */
  static Aligned finite(NumericProfile reference, NumericProfile current) {
    Aligned all = of(reference, current);
    int from = all.size > 0 && all.keys[0] == -FineBins.INFINITY_KEY ? 1 : 0;
    int to = all.size > from && all.keys[all.size - 1] == FineBins.INFINITY_KEY
        ? all.size - 1 : all.size;
    return new Aligned(java.util.Arrays.copyOfRange(all.keys, from, to),
        java.util.Arrays.copyOfRange(all.ref, from, to),
        java.util.Arrays.copyOfRange(all.cur, from, to), to - from);
  }

  /**
   * Every distinct value of both profiles' data with its counts: ±0 and ±∞ from their bins, every
   * other fine bin's values from {@code fetched} (by profile key) or, where the profile fixes
   * them, from the profiles ({@link ExactRefinement#valuesOf}). Null when some bin's values are
   * neither fetched nor fixed.
   *
   * @throws IllegalStateException when fetched values disagree with the profiles' counts (the
   *     data changed between the profiling and the pass)
   */
  public static PooledValues pooled(NumericProfile reference, NumericProfile current,
                                    Map<Long, ExactRefinement.Values> fetched) {
    Aligned bins = of(reference, current);
    List<ExactRefinement.Values> parts = new ArrayList<>();
    int size = 0;
    for (int i = 0; i < bins.size; i++) {
      long key = bins.keys[i];
      ExactRefinement.Values v;
      if (key == 0 || Math.abs(key) == FineBins.INFINITY_KEY) {
        double value = key == 0 ? 0.0 : key > 0 ? Double.POSITIVE_INFINITY
            : Double.NEGATIVE_INFINITY;
        v = new ExactRefinement.Values(new double[] {value}, new long[] {count(bins.ref[i])},
            new long[] {count(bins.cur[i])});
      } else {
        v = fetched == null ? null : fetched.get(key);
        if (v == null) {
          v = ExactRefinement.valuesOf(bins.ref[i], bins.cur[i]);
        }
        if (v == null) {
          return null;
        }
        if (Arrays.stream(v.refCounts()).sum() != count(bins.ref[i])
            || Arrays.stream(v.curCounts()).sum() != count(bins.cur[i])) {
          throw new IllegalStateException(String.format("Feature '%s': fine bin %d holds %d and "
              + "%d values in the profiles but %d and %d in the pass (the data changed)",
              reference.feature(), key, count(bins.ref[i]), count(bins.cur[i]),
              Arrays.stream(v.refCounts()).sum(), Arrays.stream(v.curCounts()).sum()));
        }
      }
      parts.add(v);
      size += v.values().length;
    }
    double[] values = new double[size];
    long[] ref = new long[size];
    long[] cur = new long[size];
    int at = 0;
    for (ExactRefinement.Values v : parts) {
      int n = v.values().length;
      System.arraycopy(v.values(), 0, values, at, n);
      System.arraycopy(v.refCounts(), 0, ref, at, n);
      System.arraycopy(v.curCounts(), 0, cur, at, n);
      at += n;
    }
    return new PooledValues(values, ref, cur);
  }

  static long count(NumericProfile.Bin bin) {
    return bin == null ? 0 : bin.count();
  }
}
