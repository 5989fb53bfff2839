package io.driftlake.drift.stat;

/**
 * Two-sample Kolmogorov–Smirnov test on counted values (ties are whole groups, as in scipy's
 * {@code ks_2samp}). Sample sizes are {@code long}: p-values stay valid beyond 2^31 rows.
 *
 * <p>p-value mode follows scipy's {@code method='auto'}: exact when both samples have at most
 * {@value #EXACT_MAX_N} values, otherwise asymptotic — the one-sample Kolmogorov distribution at
 * n = round(n·m/(n+m)) as scipy's {@code kstwo.sf}: in the upper tail (n·d² ≥ 2.2, or d ≥ ½)
 * twice the one-sided Smirnov tail, so that small p-values keep their digits; elsewhere
 * 1 − cdf by Durbin's matrix or the Pelz–Good series: see {@link KolmogorovDistribution}, our
 * own port of scipy's {@code kstwo} (Commons Math's Pelz–Good fails for tiny d, from near-identical
 * samples).
 */
public final class KolmogorovSmirnov {
  public static final int EXACT_MAX_N = 10_000;

  private KolmogorovSmirnov() {}

  public enum PValueMode { EXACT, ASYMPTOTIC }

  public record Result(double statistic, double pValue, PValueMode mode) {}

  /**
   * The statistic from ascending distinct values with their counts on each side. Values must be
   * strictly increasing; a value absent from one side has count 0 there.
   */
  public static double statistic(long[] referenceCounts, long[] currentCounts) {
    Checks.sameLength(referenceCounts, currentCounts);
    double n = Checks.positiveTotal(referenceCounts, "reference");
    double m = Checks.positiveTotal(currentCounts, "current");
    long cumRef = 0;
    long cumCur = 0;
    double d = 0;
    for (int i = 0; i < referenceCounts.length; i++) {
      cumRef += referenceCounts[i];
      cumCur += currentCounts[i];
      d = Math.max(d, Math.abs(cumRef / n - cumCur / m));
    }
    return d;
  }

  public static Result test(double statistic, long n, long m) {
    Checks.argument(n > 0 && m > 0, "KS needs non-empty samples: n=%s, m=%s", n, m);
    Checks.argument(statistic >= 0 && statistic <= 1, "KS statistic out of [0, 1]: %s", statistic);
    if (Math.max(n, m) <= EXACT_MAX_N) {
      return new Result(statistic, exactPValue(statistic, (int) n, (int) m), PValueMode.EXACT);
    }
    return new Result(statistic, asymptoticPValue(statistic, n, m), PValueMode.ASYMPTOTIC);
  }

  /**
   * P(D ≥ d) under H0 for continuous data by the lattice-path recursion (Hodges; Kim &amp;
   * Jennrich). Each cell holds u(i, j) = P(a uniformly random path to (i, j) stays strictly inside
   * the band), so u(i, j) = [i·u(i−1, j) + j·u(i, j−1)] / (i + j): every value is a probability and
   * nothing underflows (R's row-normalised variant does once n·m is large). O(n·m) time,
   * O(max(n, m)) memory.
   */
  static double exactPValue(double d, int n, int m) {
    int small = Math.min(n, m);
    int large = Math.max(n, m);
    double md = small;
    double nd = large;
    // The band: |i/small − j/large| ≤ q with q just below the observed d (tolerance as in R).
    double q = (0.5 + Math.floor(d * md * nd - 1e-7)) / (md * nd);
    double[] u = new double[large + 1];
    u[0] = 1;
    for (int j = 1; j <= large; j++) {
      u[j] = (j / nd) > q ? 0 : u[j - 1];
    }
    for (int i = 1; i <= small; i++) {
      if ((i / md) > q) {
        u[0] = 0;
      }
      for (int j = 1; j <= large; j++) {
        u[j] = Math.abs(i / md - j / nd) > q ? 0 : (i * u[j] + j * u[j - 1]) / (i + j);
      }
    }
    return KolmogorovDistribution.clampProbability(1 - u[large]);
  }

  static double asymptoticPValue(double d, long n, long m) {
    double en = Math.rint((double) n * (double) m / ((double) n + (double) m));
    return kolmogorovSf(en, d);
  }

  /** P(Dₙ ≥ x) of the one-sample statistic: {@link KolmogorovDistribution#sf}. */
  public static double kolmogorovSf(double n, double x) {
    return KolmogorovDistribution.sf(n, x);
  }
}
