package io.driftlake.drift.compare;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.Iterator;
import java.util.Map;

/**
 * Two profiles' bins side by side over the union of their keys, in key order: one merge walk of
 * the two sorted maps, so the statistics loop over arrays instead of looking keys up.
 */
final class Aligned {
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

  static long count(NumericProfile.Bin bin) {
    return bin == null ? 0 : bin.count();
  }
}
