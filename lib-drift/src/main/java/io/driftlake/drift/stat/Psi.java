package io.driftlake.drift.stat;

/**
 * Population stability index between two binned distributions.
 *
 * <p>Convention (recorded on every result): proportions are taken over non-null values; a
 * proportion below {@code epsilon} is floored to {@code epsilon} (no renormalisation), so an
 * empty bin contributes a large but finite term instead of infinity.
 */
public final class Psi {
  private Psi() {}

  public static double of(long[] reference, long[] current, double epsilon) {
    Checks.sameLength(reference, current);
    Checks.argument(epsilon > 0 && epsilon < 1, "PSI epsilon must be in (0, 1): %s", epsilon);
    double n = Checks.positiveTotal(reference, "reference");
    double m = Checks.positiveTotal(current, "current");
    double psi = 0;
    for (int i = 0; i < reference.length; i++) {
      double p = Math.max(reference[i] / n, epsilon);
      double q = Math.max(current[i] / m, epsilon);
      psi += (q - p) * Math.log(q / p);
    }
    return psi;
  }
}
