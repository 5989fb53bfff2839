package io.driftlake.drift.quality;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Number and list formatting for check details: never "NaN" or "Infinity" text. */
public final class Text {
  /** Most names a detail lists before "… and N more". */
  static final int MAX_LISTED = 20;

  private Text() {}

  /** Up to 6 significant digits, trailing zeros dropped; ±∞ as "+∞"/"-∞", NaN as "n/a". */
  public static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+∞" : "-∞";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e")) {
      String[] parts = s.split("e");
      return strip(parts[0]) + "e" + parts[1];
    }
    return strip(s);
  }

  private static String strip(String decimal) {
    return new BigDecimal(decimal).stripTrailingZeros().toPlainString();
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
