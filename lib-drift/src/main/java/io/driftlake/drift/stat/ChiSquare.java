package io.driftlake.drift.stat;

import org.apache.commons.math3.special.Gamma;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * Pearson's chi-square test of homogeneity on the 2×K table (reference counts, current counts),
 * without continuity correction: scipy's {@code chi2_contingency(table, correction=False)}.
 *
 * <p>Columns that are zero on both sides carry no information and are dropped (scipy rejects
 * them); the degrees of freedom are those of the reduced table, K' − 1. With one column left the
 * test has no degrees of freedom: statistic 0, p-value 1 (scipy's answer too). The statistic is
 * Commons Math's {@code chiSquareDataSetsComparison} (for two samples it is Pearson's statistic of
 * the 2×K table); the p-value is the regularized upper incomplete gamma Q(dof/2, χ²/2), accurate
 * far into the tail. The counts are longs, so there is no limit on the sample size.
 */
public final class ChiSquare {
  private static final ChiSquareTest TEST = new ChiSquareTest();

  private ChiSquare() {}

  public record Result(double statistic, double pValue, int degreesOfFreedom) {}

  public static Result homogeneity(long[] reference, long[] current) {
    Checks.sameLength(reference, current);
    Checks.positiveTotal(reference, "reference");
    Checks.positiveTotal(current, "current");
    int columns = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] + current[i] > 0) {
        columns++;
      }
    }
    int dof = columns - 1;
    if (dof == 0) {
      return new Result(0.0, 1.0, 0);
    }
    long[] ref = new long[columns];
    long[] cur = new long[columns];
    for (int i = 0, k = 0; i < reference.length; i++) {
      if (reference[i] + current[i] > 0) {
        ref[k] = reference[i];
        cur[k++] = current[i];
      }
    }
    double statistic = TEST.chiSquareDataSetsComparison(ref, cur);
    // Not TEST.chiSquareTestDataSetsComparison: it returns 1 − cdf, which is 0 for every p below
    // about 1e-16, where scipy's survival function still answers (TestChiSquare
    // .commonsMathPValueUnderflowsWhereScipyAnswers); the regularized upper incomplete gamma is
    // that survival function.
    return new Result(statistic, Gamma.regularizedGammaQ(dof / 2.0, statistic / 2.0), dof);
  }
}
