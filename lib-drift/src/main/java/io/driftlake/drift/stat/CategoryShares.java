package io.driftlake.drift.stat;

/**
 * Distances between two distributions given as counts over the same categories (or bins): each
 * side is normalised by its own total first.
 */
public final class CategoryShares {
  private CategoryShares() {}

  /** Total variation distance: ½ Σ |p_i − q_i|, in [0, 1]. */
  public static double totalVariation(long[] reference, long[] current) {
    double[] diff = differences(reference, current);
    double sum = 0;
    for (double d : diff) {
      sum += Math.abs(d);
    }
    return Math.min(1.0, sum / 2);
  }

  /** L-infinity distance: max |p_i − q_i|, in [0, 1]. */
  public static double lInfinity(long[] reference, long[] current) {
    double max = 0;
    for (double d : differences(reference, current)) {
      max = Math.max(max, Math.abs(d));
    }
    return max;
  }

  private static double[] differences(long[] reference, long[] current) {
    Checks.sameLength(reference, current);
    double n = Checks.positiveTotal(reference, "reference");
    double m = Checks.positiveTotal(current, "current");
    double[] diff = new double[reference.length];
    for (int i = 0; i < reference.length; i++) {
      diff[i] = reference[i] / n - current[i] / m;
    }
    return diff;
  }
}
