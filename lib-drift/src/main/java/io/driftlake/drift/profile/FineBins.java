package io.driftlake.drift.profile;

/**
 * Data-independent, log-linear fine bins: every value of every version falls into the same bins,
 * so profiles of different versions line up and merge by adding counts.
 *
 * <p>Key of x: 0 for ±0; for x &gt; 0, {@code 1 + OFFSET + floor(log2(x) · PER_OCTAVE)}; for
 * x &lt; 0 the negation of the key of −x; ±∞ get the keys {@code ±INFINITY_KEY}. Keys order like
 * the values they hold, and a bin spans a relative width of 2^(1/{@value #PER_OCTAVE}) − 1
 * (0.54 %). NaN and null have no key: they are counted apart from the distribution.
 */
public final class FineBins {
  /** Bins per doubling of |x|. */
  public static final int PER_OCTAVE = 128;
  /** Makes every finite non-zero key positive: log2 of the smallest double is −1074. */
  public static final long OFFSET = 140_000L;
  public static final long INFINITY_KEY = 1_000_000L;

  private FineBins() {}

  /**
   * The key of a non-NaN value. Same arithmetic as the SQL expression in SparkProfiler
   * ({@code floor(log2(|x|) · 128)} with Spark's log2 = StrictMath.log(x) / StrictMath.log(2)), so
   * a value gets the same key whether a JVM loop or a Spark expression computes it.
   */
  public static long key(double x) {
    if (x == Double.POSITIVE_INFINITY) {
      return INFINITY_KEY;
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return -INFINITY_KEY;
    }
    if (x == 0.0) {
      return 0L;
    }
    long k = (long) Math.floor(StrictMath.log(Math.abs(x)) / StrictMath.log(2) * PER_OCTAVE)
        + OFFSET + 1;
    return x > 0 ? k : -k;
  }

  /** Smallest value in the bin for positive keys, largest |value| side for negative keys. */
  public static double upperEdge(long key) {
    if (key >= INFINITY_KEY) {
      return Double.POSITIVE_INFINITY;
    }
    if (key <= -INFINITY_KEY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (key == 0) {
      return 0.0;
    }
    if (key > 0) {
      // x in [2^(j/128), 2^((j+1)/128)) with j = key - 1 - OFFSET
      return Math.pow(2, (double) (key - OFFSET) / PER_OCTAVE);
    }
    // x in (-2^((j+1)/128), -2^(j/128)] with j = -key - 1 - OFFSET
    return -Math.pow(2, (double) (-key - 1 - OFFSET) / PER_OCTAVE);
  }
}
