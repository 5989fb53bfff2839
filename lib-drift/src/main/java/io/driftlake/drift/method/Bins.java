package io.driftlake.drift.method;

import io.driftlake.drift.stat.DivergenceBounds;
import java.util.Arrays;
import java.util.Map;

/**
 * Bin counts of both sides, for the methods on bins. For categories, {@code exactBins} leading
 * bins are single categories; when {@code approximate}, the bins after them are hash buckets of
 * the other categories (several categories may share one). {@code unavailable} (else null) says
 * why no bins can be compared honestly. {@code ranges} (else null) holds each numeric count's
 * interval where the counts are estimates (approximate mode).
 */
public record Bins(long[] reference, long[] current, Map<String, String> conventions,
                   boolean categorical, boolean approximate, int exactBins, String unavailable,
                   CountRanges ranges) {
  public Bins(long[] reference, long[] current, Map<String, String> conventions,
              boolean categorical, boolean approximate, int exactBins, String unavailable) {
    this(reference, current, conventions, categorical, approximate, exactBins, unavailable,
        null);
  }

  public Bins(long[] reference, long[] current, Map<String, String> conventions) {
    this(reference, current, conventions, false, false, reference.length, null, null);
  }

  /**
   * PSI's proportion floor: epsilon, or for categories, when some non-zero share is below
   * 2 × epsilon, half the smallest non-zero share, so that categories of any cardinality
   * (200 000 categories have shares of 5e-6) are not all floored alike and lost.
   */
  public double psiFloor(double epsilon) {
    if (!categorical) {
      return epsilon;
    }
    double smallest = Math.min(smallestShare(reference), smallestShare(current));
    return Math.min(epsilon, smallest / 2);
  }

  private static double smallestShare(long[] counts) {
    long total = Arrays.stream(counts).sum();
    long min = Arrays.stream(counts).filter(c -> c > 0).min().orElse(total);
    return total == 0 ? 1 : (double) min / total;
  }

  /**
   * Where numeric bin counts are estimates: each count's interval on both sides
   * ({@code low[i] <= exact count <= high[i]}) with the estimates' totals {@code n} and {@code m},
   * and whether numpy's binning may have fewer bins (two exact edges that coincide where their
   * estimates do not), in which case only the upper bound holds.
   */
  public record CountRanges(long[] referenceLow, long[] referenceHigh, long n, long[] currentLow,
                            long[] currentHigh, long m, boolean binsMayMerge) {
    /** PSI's interval (a merge of bins can only lower it: the lower bound is then 0). */
    public double[] psi(double floor) {
      return interval(DivergenceBounds.psi(referenceLow, referenceHigh, n, currentLow,
          currentHigh, m, floor));
    }

    /** Jensen–Shannon's interval (a merge of bins can only lower it: the lower bound is 0). */
    public double[] jensenShannon() {
      return interval(DivergenceBounds.jensenShannon(referenceLow, referenceHigh, n, currentLow,
          currentHigh, m));
    }

    private double[] interval(DivergenceBounds.Interval i) {
      return new double[] {binsMayMerge ? 0 : i.lower(), i.upper()};
    }
  }
}
