package io.driftlake.drift.profile;

/**
 * Data-independent fine bins cut from the IEEE-754 bit pattern (HDR/DDSketch style): every value
 * of every version falls into the same bins, so profiles of different versions line up and merge
 * by adding counts.
 *
 * <p>Key of x at a given shift s: 0 for ±0; for x &gt; 0, {@code 1 + (bits(x) >>> s)}; for
 * x &lt; 0 the negation of the key of −x; ±∞ get the keys {@code ±INFINITY_KEY}. Profiles use
 * {@link #SHIFT} = 45, which keeps the 11 exponent bits and the top 7 mantissa bits: 128 equal
 * bins per octave, each spanning a relative width between 0.39 % and 0.78 %. Keys order like the
 * values they hold. A smaller shift splits each bin into 2^(difference) sub-bins (the exact pass
 * refines candidate bins this way); at shift 0 every key holds exactly one value. NaN and null
 * have no key: they are counted apart from the distribution.
 */
public final class FineBins {
  /** The shift of profile keys. */
  public static final int SHIFT = 45;
  /** Bins per doubling of |x| at {@link #SHIFT}. */
  public static final int PER_OCTAVE = 1 << (52 - SHIFT);
  /** Larger than the key of any finite value at any shift. */
  public static final long INFINITY_KEY = Long.MAX_VALUE;

  private FineBins() {}

  /** The profile key ({@link #SHIFT}) of a non-NaN value. */
  public static long key(double x) {
    return key(x, SHIFT);
  }

  /** The key of a non-NaN value at {@code shift} (0 to 52). */
  public static long key(double x, int shift) {
    if (x == 0.0) {
      return 0L;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return INFINITY_KEY;
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return -INFINITY_KEY;
    }
    long bits = Double.doubleToRawLongBits(x);
    long k = 1 + ((bits & Long.MAX_VALUE) >>> shift);
    return bits < 0 ? -k : k;
  }

  /**
   * The boundary above a profile key's bin: for a positive key the smallest value of the next bin
   * (the bin holds values below it), for a negative key the largest value the bin holds.
   */
  public static double upperEdge(long key) {
    if (key == INFINITY_KEY) {
      return Double.POSITIVE_INFINITY;
    }
    if (key == -INFINITY_KEY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (key == 0) {
      return 0.0;
    }
    if (key > 0) {
      return Double.longBitsToDouble(key << SHIFT);
    }
    long below = (-key - 1) << SHIFT;
    return below == 0 ? 0.0 : -Double.longBitsToDouble(below);
  }
}
