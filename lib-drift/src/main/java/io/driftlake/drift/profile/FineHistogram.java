package io.driftlake.drift.profile;

import java.util.TreeMap;

/**
 * A fine histogram under construction, indexed directly by the bit pattern instead of hashed: a
 * value's sign and 11 exponent bits pick a page, its top 7 mantissa bits the slot in that page
 * ({@link FineBins#SHIFT}), so counting a value is a few array updates and allocates nothing
 * once its octave has a page. Each slot keeps count, min, max and the sum and sum of squares of
 * its finite values; {@link #toBins()} gives the profile's bins under their {@link FineBins} keys.
 * One instance per feature and partition; not thread-safe.
 */
public final class FineHistogram {
  private static final int SLOTS = FineBins.PER_OCTAVE;
  private static final int MANTISSA_SHIFT = FineBins.SHIFT;

  /** Pages by sign and exponent ({@code bits >>> 52}); ±∞ and NaN never get one. */
  private final Page[] pages = new Page[1 << 12];
  private long zeros;
  private long positiveInfinities;
  private long negativeInfinities;

  private static final class Page {
    final long[] counts = new long[SLOTS];
    final double[] mins = new double[SLOTS];
    final double[] maxs = new double[SLOTS];
    final double[] sums = new double[SLOTS];
    final double[] squares = new double[SLOTS];

    Page() {
      java.util.Arrays.fill(mins, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(maxs, Double.NEGATIVE_INFINITY);
    }
  }

  /** Counts one non-NaN value; −0.0 counts as 0.0. */
  public void add(double value) {
    if (value == 0.0) {
      zeros++;
      return;
    }
    long bits = Double.doubleToRawLongBits(value);
    int page = (int) (bits >>> 52);
    if ((page & 0x7FF) == 0x7FF) {
      if (value > 0) {
        positiveInfinities++;
      } else {
        negativeInfinities++;
      }
      return;
    }
    Page p = pages[page];
    if (p == null) {
      p = pages[page] = new Page();
    }
    int slot = (int) (bits >>> MANTISSA_SHIFT) & (SLOTS - 1);
    p.counts[slot]++;
    if (value < p.mins[slot]) {
      p.mins[slot] = value;
    }
    if (value > p.maxs[slot]) {
      p.maxs[slot] = value;
    }
    p.sums[slot] += value;
    p.squares[slot] += value * value;
  }

  /** The bins counted so far, by {@link FineBins#key(double)}. */
  public TreeMap<Long, NumericProfile.Bin> toBins() {
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    if (zeros > 0) {
      bins.put(0L, new NumericProfile.Bin(zeros, 0.0, 0.0, 0.0, 0.0));
    }
    if (positiveInfinities > 0) {
      bins.put(FineBins.INFINITY_KEY, new NumericProfile.Bin(positiveInfinities,
          Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0, 0.0));
    }
    if (negativeInfinities > 0) {
      bins.put(-FineBins.INFINITY_KEY, new NumericProfile.Bin(negativeInfinities,
          Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, 0.0));
    }
    for (int page = 0; page < pages.length; page++) {
      Page p = pages[page];
      if (p == null) {
        continue;
      }
      for (int slot = 0; slot < SLOTS; slot++) {
        if (p.counts[slot] > 0) {
          long magnitude = 1 + (((long) (page & 0x7FF) << (52 - MANTISSA_SHIFT)) | slot);
          bins.put(page >= 0x800 ? -magnitude : magnitude, new NumericProfile.Bin(p.counts[slot],
              p.mins[slot], p.maxs[slot], p.sums[slot], p.squares[slot]));
        }
      }
    }
    return bins;
  }
}
