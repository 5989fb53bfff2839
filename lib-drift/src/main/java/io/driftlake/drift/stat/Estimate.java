package io.driftlake.drift.stat;

/**
 * A statistic and how far from the exact value it may be: {@code |value − exact| ≤ errorBound}.
 * Exact statistics have bound 0.
 */
public record Estimate(double value, double errorBound, boolean exact) {
  public Estimate {
    if (!(errorBound >= 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(String.format(
          "Estimate needs a finite value and a non-negative bound: %s ± %s", value, errorBound));
    }
  }

  public static Estimate exact(double value) {
    return new Estimate(value, 0, true);
  }

  /**
   * The midpoint of [lower, upper], which bounds the error by half the interval, widened by
   * 1e-9 of {@code scale} (the magnitude the bounds were summed from: 1 for ECDF differences) so
   * floating-point rounding in the bounds never makes the stated bound false.
   */
  public static Estimate between(double lower, double upper, double scale) {
    // Halved first, so bounds near Double.MAX_VALUE do not overflow.
    double half = Math.max(0, upper / 2 - lower / 2);
    double value = lower / 2 + upper / 2;
    return new Estimate(value, half + 1e-9 * Math.max(Math.abs(scale), Math.abs(upper)), false);
  }
}
