package io.driftlake.drift.spark.exact;

import java.io.Serializable;

/**
 * Distinct values with their counts, in ascending value order. A task appends each value's raw
 * bits to a flat array (one store, no hashing: fetching millions of values exactly costs about
 * what counting them in sub-bins does); {@link #seal} sorts what was appended once, as
 * order-preserving bits (one primitive sort), and run-length counts it. Sealed values merge by
 * one linear merge and are serialized as two primitive arrays.
 */
final class SortedValues implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Sealed: distinct order-preserving bits ascending, and their counts, {@code size} of them. */
  private long[] keys = new long[0];
  private long[] counts = new long[0];
  private int size;

  /** Appended since the last seal, raw bits, unsorted. */
  private transient long[] pending = new long[16];
  private transient int pendingSize;

  /** Appends one occurrence of the (non-NaN) value with raw bits {@code bits}. */
  void add(long bits) {
    if (pendingSize == pending.length) {
      if (pending.length >= Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("More than " + pendingSize + " exact values in a task");
      }
      pending = java.util.Arrays.copyOf(pending,
          (int) Math.min(Integer.MAX_VALUE - 8, 2L * pending.length));
    }
    pending[pendingSize++] = bits;
  }

  /** Distinct values (after {@link #seal}). */
  int size() {
    return size;
  }

  /** The i-th smallest distinct value's raw bits (after {@link #seal}). */
  long bits(int i) {
    return unsortable(keys[i]);
  }

  /** The i-th smallest distinct value's order-preserving bits (after {@link #seal}). */
  long key(int i) {
    return keys[i];
  }

  /** The i-th smallest distinct value's count (after {@link #seal}). */
  long count(int i) {
    return counts[i];
  }

  /** Sorts and counts what was appended, merged into what was sealed before. */
  SortedValues seal() {
    if (pendingSize == 0) {
      return this;
    }
    long[] sorted = new long[pendingSize];
    for (int i = 0; i < pendingSize; i++) {
      sorted[i] = sortable(pending[i]);
    }
    java.util.Arrays.sort(sorted);
    long[] k = new long[sorted.length];
    long[] c = new long[sorted.length];
    int n = 0;
    for (int i = 0; i < sorted.length; ) {
      int j = i + 1;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      k[n] = sorted[i];
      c[n++] = j - i;
      i = j;
    }
    pending = new long[16];
    pendingSize = 0;
    merge(k, c, n);
    return this;
  }

  /** Adds {@code other}'s values to these (both sealed first); returns this. */
  SortedValues merge(SortedValues other) {
    seal();
    other.seal();
    merge(other.keys, other.counts, other.size);
    return this;
  }

  private void merge(long[] otherKeys, long[] otherCounts, int otherSize) {
    if (size == 0) {
      keys = java.util.Arrays.copyOf(otherKeys, otherSize);
      counts = java.util.Arrays.copyOf(otherCounts, otherSize);
      size = otherSize;
      return;
    }
    long[] k = new long[size + otherSize];
    long[] c = new long[size + otherSize];
    int n = 0;
    int i = 0;
    int j = 0;
    while (i < size || j < otherSize) {
      long a = i < size ? keys[i] : Long.MAX_VALUE;
      long b = j < otherSize ? otherKeys[j] : Long.MAX_VALUE;
      if (i < size && (j >= otherSize || a <= b)) {
        k[n] = a;
        c[n] = counts[i++];
        if (j < otherSize && a == b) {
          c[n] += otherCounts[j++];
        }
      } else {
        k[n] = b;
        c[n] = otherCounts[j++];
      }
      n++;
    }
    keys = n == k.length ? k : java.util.Arrays.copyOf(k, n);
    counts = n == c.length ? c : java.util.Arrays.copyOf(c, n);
    size = n;
  }

  /** Bits that order as signed longs like their doubles order (for non-NaN values). */
  static long sortable(long bits) {
    return bits < 0 ? bits ^ Long.MAX_VALUE : bits;
  }

  static long unsortable(long key) {
    return key < 0 ? key ^ Long.MAX_VALUE : key;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    seal();
    if (keys.length != size) {
      keys = java.util.Arrays.copyOf(keys, size);
      counts = java.util.Arrays.copyOf(counts, size);
    }
    out.defaultWriteObject();
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.IOException,
      ClassNotFoundException {
    in.defaultReadObject();
    pending = new long[16];
    pendingSize = 0;
  }
}
