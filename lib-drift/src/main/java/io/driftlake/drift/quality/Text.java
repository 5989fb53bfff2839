package io.driftlake.drift.quality;

import io.driftlake.drift.format.Numbers;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Number and list formatting for check details: never "NaN" or "Infinity" text. */
public final class Text {
  /** Most names a detail lists before "… and N more". */
  static final int MAX_LISTED = 20;

  private Text() {}

  /**
   * {@link Numbers}' style with 6 significant digits (plain from 0.001 to below a million, else
   * {@code 3.65259e-5}); ±∞ as "+∞"/"-∞", NaN as "n/a".
   */
  public static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+∞" : "-∞";
    }
    return Numbers.number(v, 6);
  }

  /** Categories with their counts, most frequent first, at most {@link #MAX_LISTED}. */
  static String counted(Map<String, Long> counts) {
    List<Map.Entry<String, Long>> sorted = counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .toList();
    String listed = sorted.stream().limit(MAX_LISTED)
        .map(e -> "'" + e.getKey() + "' (" + e.getValue() + (e.getValue() == 1 ? " row)" : " rows)"))
        .collect(Collectors.joining(", "));
    return listed + more(sorted);
  }

  private static String more(Collection<?> all) {
    return all.size() > MAX_LISTED ? " and " + (all.size() - MAX_LISTED) + " more" : "";
  }
}
