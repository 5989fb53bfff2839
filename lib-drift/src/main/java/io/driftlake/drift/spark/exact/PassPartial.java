package io.driftlake.drift.spark.exact;

import java.io.Serializable;

/** One feature's counts from some tasks of either side of an exact pass; merged by adding. */
public final class PassPartial implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int feature;
  /** [side][region][sub-bin], null where that side has not been seen. */
  final long[][][] counts = new long[2][][];
  final double[][][] sums = new double[2][][];
  final SortedValues[] exact = new SortedValues[2];

  /** No counts yet of feature {@code feature} (its index in the pass). */
  public PassPartial(int feature) {
    this.feature = feature;
  }

  public int feature() {
    return feature;
  }

  /** Adds {@code other}'s counts (of the same feature) to these; returns this. */
  public PassPartial merge(PassPartial other) {
    for (int side = 0; side < 2; side++) {
      if (other.counts[side] != null) {
        if (counts[side] == null) {
          counts[side] = other.counts[side];
          sums[side] = other.sums[side];
        } else {
          for (int i = 0; i < counts[side].length; i++) {
            long[] c = counts[side][i];
            if (c != null) {
              long[] o = other.counts[side][i];
              double[] s = sums[side][i];
              double[] os = other.sums[side][i];
              for (int j = 0; j < c.length; j++) {
                c[j] += o[j];
              }
              if (s != null) {
                for (int j = 0; j < s.length; j++) {
                  s[j] += os[j];
                }
              }
            }
          }
        }
      }
      if (other.exact[side] != null) {
        exact[side] = exact[side] == null ? other.exact[side]
            : exact[side].merge(other.exact[side]);
      }
    }
    return this;
  }
}
