package io.driftlake.drift.spark;

import java.io.Serializable;

/**
 * Distinct values (by their raw bits) → count, in primitive arrays with open addressing, so
 * counting a value allocates nothing. Serialized as its used slots only.
 */
final class ValueCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient long[] keys;
  private transient long[] counts; // 0 marks an empty slot
  private transient int size;

  ValueCounts() {
    allocate(16);
  }

  int size() {
    return size;
  }

  void add(long bits, long count) {
    int mask = keys.length - 1;
    int i = hash(bits) & mask;
    while (counts[i] != 0) {
      if (keys[i] == bits) {
        counts[i] += count;
        return;
      }
      i = (i + 1) & mask;
    }
    if (2 * (size + 1) > keys.length) {
      grow();
      add(bits, count);
      return;
    }
    keys[i] = bits;
    counts[i] = count;
    size++;
  }

  /** The count of the value with these bits, 0 when absent. */
  long get(long bits) {
    int mask = keys.length - 1;
    int i = hash(bits) & mask;
    while (counts[i] != 0) {
      if (keys[i] == bits) {
        return counts[i];
      }
      i = (i + 1) & mask;
    }
    return 0;
  }

  ValueCounts merge(ValueCounts other) {
    for (int i = 0; i < other.keys.length; i++) {
      if (other.counts[i] != 0) {
        add(other.keys[i], other.counts[i]);
      }
    }
    return this;
  }

  /** Calls {@code visitor} with each value's bits and count, in no particular order. */
  void forEach(java.util.function.LongBinaryOperator visitor) {
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] != 0) {
        visitor.applyAsLong(keys[i], counts[i]);
      }
    }
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldCounts = counts;
    allocate(keys.length * 2);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldCounts[i] != 0) {
        add(oldKeys[i], oldCounts[i]);
      }
    }
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    counts = new long[capacity];
    size = 0;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    out.defaultWriteObject();
    out.writeInt(size);
    for (int i = 0; i < keys.length; i++) {
      if (counts[i] != 0) {
        out.writeLong(keys[i]);
        out.writeLong(counts[i]);
      }
    }
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.IOException,
      ClassNotFoundException {
    in.defaultReadObject();
    int n = in.readInt();
    allocate(Math.max(16, Integer.highestOneBit(Math.max(1, 2 * n)) << 1));
    for (int i = 0; i < n; i++) {
      add(in.readLong(), in.readLong());
    }
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
