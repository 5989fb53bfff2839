package io.driftlake.drift.estimate;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.Estimate;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Exact Wasserstein-1 distance W1 = ∫ |F(x) − G(x)| dx between the finite values of two
 * selections, without a global sort (scipy's {@code wasserstein_distance}, unweighted).
 *
 * <p>Between fine bins both ECDFs are flat, so a gap contributes |F − G| × its width exactly.
 * Inside a bin spanning [lo, hi], ∫F = F(lo⁻)·(hi − lo) + Σ(hi − v)/n = F(lo⁻)·(hi − lo) +
 * (count·hi − sum)/n, known from the bin's count and sum; when F − G keeps one sign across the
 * bin (it stays within [D − q, D + p] for D = F(lo⁻) − G(lo⁻) and the bin's shares p, q), the
 * bin's contribution is |∫F − ∫G|, exact. Only bins where the sign may change (the candidates)
 * splitting into sub-bins, from the same passes as exact KS ({@link ExactRefinement}). ±∞ are
 * left out.
 */
public final class HistogramWasserstein {
  private HistogramWasserstein() {}

  /** The bins whose exact values the distance needs. */
  public static SortedSet<Long> candidates(NumericProfile reference, NumericProfile current) {
    TreeSet<Long> candidates = new TreeSet<>();
    EcdfWalk walk = new EcdfWalk(finiteCount(reference), finiteCount(current), 0, 0);
    Aligned bins = Aligned.finite(reference, current);
    for (int i = 0; i < bins.size; i++) {
      NumericProfile.Bin r = bins.ref[i];
      NumericProfile.Bin c = bins.cur[i];
      boolean keepsSign = walk.add(Aligned.count(r), Aligned.count(c)).keepsSign();
      boolean sumsFinite = finiteSums(r) && finiteSums(c);
      if ((!keepsSign || !sumsFinite) && lo(r, c) < hi(r, c)) {
        candidates.add(bins.keys[i]);
      }
    }
    return candidates;
  }

  /**
   * W1, given {@code exactArea} = ∫|F − G| inside the bins of {@code exactBins} (computed from
   * their exact values elsewhere, e.g. on Spark executors); every other bin and every gap comes
   * from the histograms. {@code exactBins} must include the {@link #candidates}.
   */
  public static double distance(NumericProfile reference, NumericProfile current,
                                Set<Long> exactBins, double exactArea) {
    double n = finiteCount(reference);
    double m = finiteCount(current);
    double w1 = exactArea;
    double previousHi = Double.NaN;
    EcdfWalk walk = new EcdfWalk(finiteCount(reference), finiteCount(current), 0, 0);
    Aligned bins = Aligned.finite(reference, current);
    for (int i = 0; i < bins.size; i++) {
      NumericProfile.Bin r = bins.ref[i];
      NumericProfile.Bin c = bins.cur[i];
      double lo = lo(r, c);
      double hi = hi(r, c);
      walk.add(Aligned.count(r), Aligned.count(c));
      if (!Double.isNaN(previousHi)) {
        w1 += Math.abs(walk.before()) * (lo - previousHi);
      }
      if (!exactBins.contains(bins.keys[i]) && lo < hi) {
        double refArea = r == null ? 0 : Math.max(0, r.count() * hi - r.sum()) / n;
        double curArea = c == null ? 0 : Math.max(0, c.count() * hi - c.sum()) / m;
        w1 += walk.signedArea(hi - lo, refArea, curArea);
      }
      previousHi = hi;
    }
    return w1;
  }

  /**
   * W1 from the fine histograms alone (no data pass). Bins where F − G keeps one sign, and all
   * gaps, are exact as in {@link #distance(NumericProfile, NumericProfile, Set, double)}; in a bin
   * where the sign may change, ∫|F − G| lies between |∫(F − G)| (known from counts and sums) and
   * max(|D − q|, |D + p|)·(hi − lo). The estimate is the midpoint of the summed bounds and its
   * error bound half their gap; null when the bounds overflow a double (finite values spanning
   * more than {@link Double#MAX_VALUE}).
   */
  public static Estimate approximate(NumericProfile reference, NumericProfile current) {
    double n = finiteCount(reference);
    double m = finiteCount(current);
    SortedSet<Long> uncertain = candidates(reference, current);
    double lowerArea = 0;
    double upperArea = 0;
    EcdfWalk walk = new EcdfWalk(finiteCount(reference), finiteCount(current), 0, 0);
    Aligned bins = Aligned.finite(reference, current);
    for (int i = 0; i < bins.size; i++) {
      NumericProfile.Bin r = bins.ref[i];
      NumericProfile.Bin c = bins.cur[i];
      walk.add(Aligned.count(r), Aligned.count(c));
      if (uncertain.contains(bins.keys[i])) {
        double lo = lo(r, c);
        double hi = hi(r, c);
        double before = walk.before();
        double p = r == null ? 0 : r.count() / n;
        double q = c == null ? 0 : c.count() / m;
        double refArea = r == null ? 0 : Math.max(0, r.count() * hi - r.sum()) / n;
        double curArea = c == null ? 0 : Math.max(0, c.count() * hi - c.sum()) / m;
        double width = hi - lo;
        double signed = walk.signedArea(width, refArea, curArea);
        if (!Double.isFinite(signed)) {
          signed = 0; // sums overflowed: only the trivial lower bound is known
        }
        double most = Math.max(Math.abs(before - q), Math.abs(before + p)) * width;
        lowerArea += Math.min(signed, most);
        upperArea += most;
      }
    }
    double lower = distance(reference, current, uncertain, lowerArea);
    double upper = distance(reference, current, uncertain, upperArea);
    if (!Double.isFinite(upper)) {
      return null; // the area overflows a double: the values span more than Double.MAX_VALUE
    }
    return Estimate.between(lower, upper, upper);
  }

  /**
   * Population standard deviation (ddof 0) of the finite values: per-bin spread plus the spread
   * of the bin means, which keeps precision when the mean is far from zero.
   */
  public static double standardDeviation(NumericProfile profile) {
    return Math.sqrt(profile.variance());
  }

  public static long finiteCount(NumericProfile profile) {
    return profile.finiteCount();
  }

  private static boolean isFinite(long key) {
    return Math.abs(key) < FineBins.INFINITY_KEY;
  }

  private static boolean finiteSums(NumericProfile.Bin bin) {
    return bin == null || Double.isFinite(bin.count() * Math.max(Math.abs(bin.min()),
        Math.abs(bin.max())));
  }

  private static double lo(NumericProfile.Bin r, NumericProfile.Bin c) {
    return r == null ? c.min() : c == null ? r.min() : Math.min(r.min(), c.min());
  }

  private static double hi(NumericProfile.Bin r, NumericProfile.Bin c) {
    return r == null ? c.max() : c == null ? r.max() : Math.max(r.max(), c.max());
  }
}
