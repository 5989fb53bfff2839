package io.driftlake.drift.quality;

import io.driftlake.drift.profile.NumericProfile;

/**
 * How many current values lie below the reference min or above the reference max, from the fine
 * histograms alone. A fine bin whose own min and max are both inside the range, or that lies
 * wholly outside it, is counted exactly. Only the bin holding the reference min and the one
 * holding the reference max can straddle an end: of such a bin, only its extreme values are
 * certainly outside, so {@code lower} counts those and {@code upper} counts the whole bin (an
 * extreme that a subtraction left as a bound, {@link NumericProfile.Bin#minExact}, is not
 * certain: such a bin straddles by its bounds and {@code lower} does not count it).
 * The share is therefore exact up to one fine bin (at most 0.78 % relative width) at each end.
 */
public record OutOfRange(long lower, long upper, long total, double min, double max) {
  public OutOfRange {
    if (lower < 0 || lower > upper || upper > total) {
      throw new IllegalArgumentException(String.format(
          "Out-of-range counts must satisfy 0 <= lower <= upper <= total: %d, %d, %d",
          lower, upper, total));
    }
  }

  /**
   * Counts {@code current}'s values outside [{@code reference.min()}, {@code reference.max()}].
   * Both profiles must have values.
   */
  public static OutOfRange of(NumericProfile reference, NumericProfile current) {
    if (reference.valid() == 0 || current.valid() == 0) {
      throw new IllegalArgumentException(String.format(
          "Out-of-range share of '%s' needs values on both sides: reference %d, current %d",
          reference.feature(), reference.valid(), current.valid()));
    }
    double min = reference.min();
    double max = reference.max();
    long lower = 0;
    long upper = 0;
    for (NumericProfile.Bin bin : current.bins().values()) {
      if (bin.max() < min || bin.min() > max) {
        lower += bin.count();
        upper += bin.count();
      } else if (bin.min() < min || bin.max() > max) {
        // Straddles an end: its extremes outside the range are certain, the rest unknown.
        // (Both ends at once means min != max, so the bin holds at least two values.)
        // An extreme kept only as a bound (after a subtraction) is not certainly outside.
        lower += (bin.min() < min && bin.minExact() ? 1 : 0)
            + (bin.max() > max && bin.maxExact() ? 1 : 0);
        upper += bin.count();
      }
    }
    return new OutOfRange(lower, upper, current.valid(), min, max);
  }

  public boolean exact() {
    return lower == upper;
  }

  /** The reported share: the upper bound, so a straddling bin never hides values outside. */
  public double share() {
    return (double) upper / total;
  }
}
