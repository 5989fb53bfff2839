package io.driftlake.drift.stat;

/**
 * Jensen–Shannon divergence with log base 2 (so it lies in [0, 1]); the JS distance is its
 * square root. Zero proportions need no smoothing: 0 · log 0 = 0.
 */
public final class JensenShannon {
  private JensenShannon() {}

  public static double divergence(long[] reference, long[] current) {
    Checks.sameLength(reference, current);
    double n = Checks.positiveTotal(reference, "reference");
    double m = Checks.positiveTotal(current, "current");
    double sum = 0;
    for (int i = 0; i < reference.length; i++) {
      double p = reference[i] / n;
      double q = current[i] / m;
      double mid = (p + q) / 2;
      sum += term(p, mid) + term(q, mid);
    }
    // Rounding can leave a tiny negative or > 1 value; the divergence is bounded by definition.
    return Math.min(1.0, Math.max(0.0, sum / 2 / Math.log(2)));
  }

  private static double term(double x, double mid) {
    return x == 0 ? 0 : x * Math.log(x / mid);
  }
}
