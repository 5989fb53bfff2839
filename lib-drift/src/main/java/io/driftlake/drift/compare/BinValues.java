package io.driftlake.drift.compare;

import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;

/** The exact values of one fine bin on both sides, as the refine pass returns them. */
final class BinValues {
  private BinValues() {}

  /**
   * value → {reference count, current count}, in value order; checks each side against the
   * bin's count in its profile.
   */
  static NavigableMap<Double, long[]> merged(long key, SortedMap<Double, Long> reference,
                                             long referenceCount, SortedMap<Double, Long> current,
                                             long currentCount) {
    NavigableMap<Double, long[]> values = new TreeMap<>();
    long ref = add(values, reference, 0);
    long cur = add(values, current, 1);
    checkComplete(key, ref, referenceCount, "reference");
    checkComplete(key, cur, currentCount, "current");
    return values;
  }

  private static long add(NavigableMap<Double, long[]> values, SortedMap<Double, Long> side,
                          int index) {
    long total = 0;
    if (side != null) {
      for (var e : side.entrySet()) {
        values.computeIfAbsent(e.getKey(), x -> new long[2])[index] += e.getValue();
        total += e.getValue();
      }
    }
    return total;
  }

  private static void checkComplete(long key, long got, long expected, String side) {
    if (got != expected) {
      throw new IllegalStateException(String.format(
          "Exact pass for fine bin %s found %s %s values, the profile has %s: did the data change "
              + "between the passes?", key, got, side, expected));
    }
  }
}
