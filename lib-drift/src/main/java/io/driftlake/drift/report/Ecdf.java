package io.driftlake.drift.report;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Both sides' empirical CDFs as their fine histograms give them, and where they differ most. F
 * (reference) and G (current) count every non-null value, ±∞ included, as KS does. Inside a fine
 * bin the CDF rises from the bin's min to its max (drawn straight: the bin is at most 0.78 % of
 * its values' magnitude wide, and one holding one value is a plain step); the largest |F − G| at
 * the fine-bin boundaries is D exactly when every bin holds one value, and otherwise at most one
 * bin's share below it.
 *
 * @param reference the reference CDF's rises, in value order, finite bins only
 * @param current the current CDF's rises
 * @param referenceStart F below every finite value (the share of −∞)
 * @param currentStart G below every finite value
 * @param low the smallest finite value of either side
 * @param high the largest finite value of either side
 * @param gap where |F − G| is largest at a fine-bin boundary (the leftmost such boundary)
 */
record Ecdf(List<Rise> reference, List<Rise> current, double referenceStart,
            double currentStart, double low, double high, Gap gap) {
  /** Gaps closer than this are one gap: far below a pixel, far above a double's rounding. */
  private static final double TIE = 1e-12;

  /** The CDF goes from {@code before} at {@code from} to {@code after} at {@code to}. */
  record Rise(double from, double to, double before, double after) {}

  /** F and G just after the values at {@code at}. */
  record Gap(double at, double f, double g) {
    double size() {
      return Math.abs(f - g);
    }
  }

  /** The CDFs of two profiles with finite values on both sides. */
  static Ecdf of(NumericProfile reference, NumericProfile current) {
    if (reference.finiteCount() == 0 || current.finiteCount() == 0) {
      throw new IllegalArgumentException(String.format("No ECDF of '%s': %d finite reference "
          + "and %d finite current values", reference.feature(), reference.finiteCount(),
          current.finiteCount()));
    }
    TreeSet<Long> keys = new TreeSet<>(reference.bins().keySet());
    keys.addAll(current.bins().keySet());
    Side ref = new Side(reference.valid());
    Side cur = new Side(current.valid());
    Gap largest = null;
    for (long key : keys) {
      NumericProfile.Bin r = reference.bins().get(key);
      NumericProfile.Bin c = current.bins().get(key);
      boolean finite = Math.abs(key) != FineBins.INFINITY_KEY;
      ref.add(r, finite);
      cur.add(c, finite);
      double at = Math.max(r == null ? Double.NEGATIVE_INFINITY : r.max(),
          c == null ? Double.NEGATIVE_INFINITY : c.max());
      Gap here = new Gap(at, ref.share(), cur.share());
      // Equal gaps may differ in the last bit (0.51 − 0.01 vs 0.5): the leftmost one is kept.
      if (largest == null || here.size() > largest.size() + TIE) {
        largest = here;
      }
    }
    return new Ecdf(ref.rises, cur.rises,
        (double) reference.negativeInfinities() / reference.valid(),
        (double) current.negativeInfinities() / current.valid(),
        Math.min(ref.low, cur.low), Math.max(ref.high, cur.high), largest);
  }

  /** One side's walk through the bins: its count so far, its rises and finite extremes. */
  private static final class Side {
    private final long total;
    private final List<Rise> rises = new ArrayList<>();
    private long count;
    private double low = Double.POSITIVE_INFINITY;
    private double high = Double.NEGATIVE_INFINITY;

    Side(long total) {
      this.total = total;
    }

    void add(NumericProfile.Bin bin, boolean finite) {
      if (bin == null) {
        return;
      }
      if (finite) {
        rises.add(new Rise(bin.min(), bin.max(), share(), (double) (count + bin.count()) / total));
        low = Math.min(low, bin.min());
        high = Math.max(high, bin.max());
      }
      count += bin.count();
    }

    /** The CDF after the bins added so far. */
    double share() {
      return (double) count / total;
    }
  }
}
