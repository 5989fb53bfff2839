package io.driftlake.drift.profile;

import java.io.Serializable;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * A fine histogram under construction: key → (count, min, max, sum, sum of squares) in primitive
 * arrays with open addressing, so counting a value allocates nothing. Sums cover finite values
 * only. Mergeable; {@link #toBins()} gives the profile's sorted bins.
 */
public final class BinCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  // Serialized by writeObject as the used slots only (a table is at most half full).
  private transient long[] keys;
  private transient long[] counts; // 0 marks an empty slot
  private transient double[] mins;
  private transient double[] maxs;
  private transient double[] sums;
  private transient double[] squares;
  private transient int size;

  public BinCounts() {
    allocate(64);
  }

  public int size() {
    return size;
  }

  /** Counts one non-NaN value (−0.0 must already be 0.0) under {@code key}. */
  public void add(long key, double value) {
    int i = slot(key);
    counts[i]++;
    if (value < mins[i]) {
      mins[i] = value;
    }
    if (value > maxs[i]) {
      maxs[i] = value;
    }
    if (Double.isFinite(value)) {
      sums[i] += value;
      squares[i] += value * value;
    }
  }

  /** Adds a whole bin under {@code key}. */
  public void add(long key, long count, double min, double max, double sum, double sumSquares) {
    if (count == 0) {
      return;
    }
    int i = slot(key);
    counts[i] += count;
    mins[i] = Math.min(mins[i], min);
    maxs[i] = Math.max(maxs[i], max);
    sums[i] += sum;
    squares[i] += sumSquares;
  }

  public BinCounts merge(BinCounts other) {
    for (int i = 0; i < other.keys.length; i++) {
      if (other.counts[i] > 0) {
        add(other.keys[i], other.counts[i], other.mins[i], other.maxs[i], other.sums[i],
            other.squares[i]);
      }
    }
    return this;
  }

  public TreeMap<Long, NumericProfile.Bin> toBins() {
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0) {
        bins.put(keys[i], new NumericProfile.Bin(counts[i], mins[i], maxs[i], sums[i], squares[i]));
      }
    }
    return bins;
  }

  /** The slot of {@code key}, claimed (count 0, empty extremes) if the key is new. */
  private int slot(long key) {
    int mask = keys.length - 1;
    int i = hash(key) & mask;
    while (counts[i] != 0) {
      if (keys[i] == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    if (2 * (size + 1) > keys.length) {
      grow();
      return slot(key);
    }
    keys[i] = key;
    mins[i] = Double.POSITIVE_INFINITY;
    maxs[i] = Double.NEGATIVE_INFINITY;
    size++;
    return i; // the caller raises the count at once, so the slot never stays empty
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldCounts = counts;
    double[] oldMins = mins;
    double[] oldMaxs = maxs;
    double[] oldSums = sums;
    double[] oldSquares = squares;
    allocate(keys.length * 2);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldCounts[i] > 0) {
        add(oldKeys[i], oldCounts[i], oldMins[i], oldMaxs[i], oldSums[i], oldSquares[i]);
      }
    }
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    counts = new long[capacity];
    mins = new double[capacity];
    maxs = new double[capacity];
    sums = new double[capacity];
    squares = new double[capacity];
    Arrays.fill(mins, Double.POSITIVE_INFINITY);
    Arrays.fill(maxs, Double.NEGATIVE_INFINITY);
    size = 0;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    out.defaultWriteObject();
    out.writeInt(size);
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] > 0) {
        out.writeLong(keys[i]);
        out.writeLong(counts[i]);
        out.writeDouble(mins[i]);
        out.writeDouble(maxs[i]);
        out.writeDouble(sums[i]);
        out.writeDouble(squares[i]);
      }
    }
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.IOException,
      ClassNotFoundException {
    in.defaultReadObject();
    int n = in.readInt();
    allocate(Math.max(64, Integer.highestOneBit(Math.max(1, 2 * n)) << 1));
    for (int i = 0; i < n; i++) {
      add(in.readLong(), in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(),
          in.readDouble());
    }
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
