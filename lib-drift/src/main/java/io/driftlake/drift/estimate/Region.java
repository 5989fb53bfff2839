package io.driftlake.drift.estimate;

import io.driftlake.drift.profile.FineBins;

/**
 * A stretch of one feature's values that the histograms cannot settle: the values whose bit
 * pattern without the sign, shifted right by {@code shift}, equals {@code magnitude} (with the
 * given sign). At {@link FineBins#SHIFT} that is one fine bin; a smaller shift is a sub-bin of
 * one. Carries what the next pass needs to settle it without seeing the rest of the data: how
 * many values of each side lie below it and inside it, and the interval [lo, hi] that holds its
 * values (over which W1 integrates it).
 *
 * @param feature index of the feature in the exact pass
 * @param refBefore reference values (all non-null, non-NaN, ±∞ included) below the region
 * @param ks whether KS may still have its maximum inside
 * @param w1 whether F − G may change sign inside (so W1 needs it)
 */
public record Region(int feature, boolean negative, long magnitude, int shift, double lo,
                     double hi, long refBefore, long curBefore, long refCount, long curCount,
                     boolean ks, boolean w1) implements java.io.Serializable {

  public Region {
    if (shift < 0 || shift > FineBins.SHIFT) {
      throw new IllegalArgumentException("Region shift must be in [0, 45]: " + shift);
    }
  }

  /** The same region under another feature index. */
  public Region withFeature(int index) {
    return new Region(index, negative, magnitude, shift, lo, hi, refBefore, curBefore, refCount,
        curCount, ks, w1);
  }

  public long values() {
    return refCount + curCount;
  }

  /** Magnitude of the fine bin (shift 45) that holds the region. */
  public long fineMagnitude() {
    return magnitude >>> (FineBins.SHIFT - shift);
  }

  /**
   * The origin of the region's local coordinate: the edge of its fine bin nearest zero. Every
   * value of the fine bin lies within a factor of 2 of it, so {@code value − base} is exact.
   */
  public double base() {
    double edge = Double.longBitsToDouble(fineMagnitude() << FineBins.SHIFT);
    return negative ? -edge : edge;
  }

  /** The sub-bin index, at {@code depth} more bits, of a value inside this region. */
  public int subBin(long absoluteBits, int depth) {
    return (int) ((absoluteBits >>> (shift - depth)) & ((1L << depth) - 1));
  }

  /**
   * The values' interval of sub-bin {@code j} at {@code depth}: [lower, upper] in value order
   * (for a negative region, sub-bin 0 is the one nearest zero, so the highest).
   */
  public double[] subBinEdges(int j, int depth) {
    int to = shift - depth;
    long first = ((magnitude << depth) | j) << to;
    long next = (((magnitude << depth) | j) + 1) << to;
    double a = Double.longBitsToDouble(first);
    double b = Double.longBitsToDouble(next);
    return negative ? new double[] {-b, -a} : new double[] {a, b};
  }
}
