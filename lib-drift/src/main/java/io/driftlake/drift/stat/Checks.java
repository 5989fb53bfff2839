package io.driftlake.drift.stat;

/** Argument checks for the pure-math package, with the offending values in the message. */
final class Checks {
  private Checks() {}

  static void argument(boolean condition, String message, Object... values) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(message, values));
    }
  }

  static void sameLength(long[] reference, long[] current) {
    argument(reference.length == current.length,
        "Histograms differ in length: reference %s, current %s", reference.length, current.length);
  }

  static double positiveTotal(long[] counts, String side) {
    long total = 0;
    for (long c : counts) {
      argument(c >= 0, "Negative count in %s histogram: %s", side, c);
      total += c;
    }
    argument(total > 0, "Empty %s histogram", side);
    return total;
  }
}
