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
    long n = reference.valid();
    long m = current.valid();
    if (reference.finiteCount() == 0 || current.finiteCount() == 0) {
      throw new IllegalArgumentException(String.format("No ECDF of '%s': %d finite reference "
          + "and %d finite current values", reference.feature(), reference.finiteCount(),
          current.finiteCount()));
    }
    TreeSet<Long> keys = new TreeSet<>(reference.bins().keySet());
    keys.addAll(current.bins().keySet());
    List<Rise> refRises = new ArrayList<>();
    List<Rise> curRises = new ArrayList<>();
    long refCount = 0;
    long curCount = 0;
    Gap largest = null;
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (long key : keys) {
      NumericProfile.Bin r = reference.bins().get(key);
      NumericProfile.Bin c = current.bins().get(key);
      boolean finite = Math.abs(key) != FineBins.INFINITY_KEY;
      double at = Double.NEGATIVE_INFINITY;
      if (r != null) {
        at = r.max();
        if (finite) {
          refRises.add(new Rise(r.min(), r.max(), (double) refCount / n,
              (double) (refCount + r.count()) / n));
          low = Math.min(low, r.min());
          high = Math.max(high, r.max());
        }
        refCount += r.count();
      }
      if (c != null) {
        at = Math.max(at, c.max());
        if (finite) {
          curRises.add(new Rise(c.min(), c.max(), (double) curCount / m,
              (double) (curCount + c.count()) / m));
          low = Math.min(low, c.min());
          high = Math.max(high, c.max());
        }
        curCount += c.count();
      }
      Gap here = new Gap(at, (double) refCount / n, (double) curCount / m);
      // Equal gaps may differ in the last bit (0.51 − 0.01 vs 0.5): the leftmost one is kept.
      if (largest == null || here.size() > largest.size() + TIE) {
        largest = here;
      }
    }
    return new Ecdf(refRises, curRises,
        (double) reference.negativeInfinities() / n, (double) current.negativeInfinities() / m,
        low, high, largest);
  }
}
