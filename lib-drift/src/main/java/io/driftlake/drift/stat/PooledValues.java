package io.driftlake.drift.stat;

/**
 * Every distinct non-NaN value of two samples, ascending (±∞ included, −0.0 counted as 0.0),
 * with each sample's count of it: both empirical distributions exactly, for rank statistics.
 */
public record PooledValues(double[] values, long[] reference, long[] current) {
  public PooledValues {
    if (values.length != reference.length || values.length != current.length) {
      throw new IllegalArgumentException(String.format(
          "Pooled values need one count per value on both sides: %d values, %d and %d counts",
          values.length, reference.length, current.length));
    }
  }
}
