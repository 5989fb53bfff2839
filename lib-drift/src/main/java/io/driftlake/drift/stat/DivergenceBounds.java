package io.driftlake.drift.stat;

/**
 * Bounds of PSI and the Jensen–Shannon divergence when each bin's count is known only within an
 * interval: {@code low[i] <= count[i] <= high[i]}, the totals exact.
 *
 * <p>Both are sums of one term per bin, and each term is a jointly convex function of the two
 * shares that is zero where they are equal, falls as the smaller share grows and rises as the
 * larger one grows. Over a bin's box of shares the term's maximum is therefore at a corner, and
 * its minimum is zero where the two share intervals overlap, else at the corner where they are
 * closest. Summing the per-bin extremes gives bounds that hold for every count vector in the
 * boxes (they ignore that the counts add up to the totals, which only makes them wider). PSI's
 * floor applies to the shares before the term, as in {@link Psi#of}.
 */
public final class DivergenceBounds {
  private DivergenceBounds() {}

  /** An interval [lower, upper] that holds the exact value. */
  public record Interval(double lower, double upper) {
    public Interval {
      Checks.argument(lower <= upper, "lower bound %s above upper bound %s", lower, upper);
    }

    public double width() {
      return upper - lower;
    }
  }

  /**
   * PSI's bounds, with each share floored at {@code epsilon} as {@link Psi#of} does; {@code n}
   * and {@code m} are the exact totals of the two sides.
   */
  public static Interval psi(long[] refLow, long[] refHigh, long n, long[] curLow,
                             long[] curHigh, long m, double epsilon) {
    Checks.argument(epsilon > 0 && epsilon < 1, "PSI epsilon must be in (0, 1): %s", epsilon);
    return sum(refLow, refHigh, n, curLow, curHigh, m, epsilon, true);
  }

  /** The Jensen–Shannon divergence's bounds (base 2, as {@link JensenShannon#divergence}). */
  public static Interval jensenShannon(long[] refLow, long[] refHigh, long n, long[] curLow,
                                       long[] curHigh, long m) {
    Interval nats = sum(refLow, refHigh, n, curLow, curHigh, m, 0, false);
    double scale = 2 * Math.log(2);
    return new Interval(Math.min(1, nats.lower() / scale), Math.min(1, nats.upper() / scale));
  }

  private static Interval sum(long[] refLow, long[] refHigh, long n, long[] curLow,
                              long[] curHigh, long m, double floor, boolean psi) {
    Checks.sameLength(refLow, refHigh);
    Checks.sameLength(refLow, curLow);
    Checks.sameLength(refLow, curHigh);
    Checks.argument(n > 0 && m > 0, "totals must be positive: reference %s, current %s", n, m);
    double lower = 0;
    double upper = 0;
    for (int i = 0; i < refLow.length; i++) {
      Checks.argument(0 <= refLow[i] && refLow[i] <= refHigh[i] && 0 <= curLow[i]
              && curLow[i] <= curHigh[i], "bin %s: counts [%s, %s] and [%s, %s] are no intervals",
          i, refLow[i], refHigh[i], curLow[i], curHigh[i]);
      double pl = Math.max((double) Math.min(refLow[i], n) / n, floor);
      double ph = Math.max((double) Math.min(refHigh[i], n) / n, floor);
      double ql = Math.max((double) Math.min(curLow[i], m) / m, floor);
      double qh = Math.max((double) Math.min(curHigh[i], m) / m, floor);
      upper += Math.max(Math.max(term(pl, ql, psi), term(pl, qh, psi)),
          Math.max(term(ph, ql, psi), term(ph, qh, psi)));
      if (ph < ql) {
        lower += term(ph, ql, psi);
      } else if (qh < pl) {
        lower += term(pl, qh, psi);
      }
    }
    lower = Math.max(0, lower);
    return new Interval(lower, Math.max(lower, upper));
  }

  /** PSI's term (q − p)·ln(q / p), or JS's p·ln(2p / (p + q)) + q·ln(2q / (p + q)), in nats. */
  private static double term(double p, double q, boolean psi) {
    if (psi) {
      return (q - p) * Math.log(q / p);
    }
    double mid = (p + q) / 2;
    return (p == 0 ? 0 : p * Math.log(p / mid)) + (q == 0 ? 0 : q * Math.log(q / mid));
  }
}
