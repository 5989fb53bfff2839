package io.driftlake.drift.stat;

import org.apache.commons.math3.special.Gamma;

/**
 * Pearson's chi-square test of homogeneity on the 2×K table (reference counts, current counts),
 * without continuity correction: scipy's {@code chi2_contingency(table, correction=False)}.
 *
 * <p>Columns that are zero on both sides carry no information and are dropped (scipy rejects
 * them); the degrees of freedom are those of the reduced table, K' − 1. With one column left the
 * test has no degrees of freedom: statistic 0, p-value 1 (scipy's answer too). The p-value is the
 * regularized upper incomplete gamma Q(dof/2, χ²/2), accurate far into the tail, and the counts
 * are longs, so there is no limit on the sample size.
 */
public final class ChiSquare {
  private ChiSquare() {}

  public record Result(double statistic, double pValue, int degreesOfFreedom) {}

  public static Result homogeneity(long[] reference, long[] current) {
    Checks.sameLength(reference, current);
    double n = Checks.positiveTotal(reference, "reference");
    double m = Checks.positiveTotal(current, "current");
    double total = n + m;
    double statistic = 0;
    int columns = 0;
    for (int i = 0; i < reference.length; i++) {
      double column = (double) reference[i] + current[i];
      if (column == 0) {
        continue;
      }
      columns++;
      double expectedRef = n * column / total;
      double expectedCur = m * column / total;
      statistic += square(reference[i] - expectedRef) / expectedRef
          + square(current[i] - expectedCur) / expectedCur;
    }
    int dof = columns - 1;
    if (dof == 0) {
      return new Result(0.0, 1.0, 0);
    }
    return new Result(statistic, Gamma.regularizedGammaQ(dof / 2.0, statistic / 2.0), dof);
  }

  private static double square(double x) {
    return x * x;
  }
}
