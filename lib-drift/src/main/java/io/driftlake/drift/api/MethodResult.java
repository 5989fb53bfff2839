package io.driftlake.drift.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One method's verdict on one feature. {@code score} and {@code pValue} are null when the method
 * could not be computed ({@code note} says why; the verdict is then {@link Verdict#UNKNOWN}) or
 * has no p-value; never NaN or infinite. A computed score may still have an unknown verdict
 * (an approximate score whose error interval straddles the threshold; the note says so).
 * {@code conventions} records exactly what was computed (bins, edge source, smoothing, …).
 */
public record MethodResult(String method, Double score, Double pValue, double threshold,
                           Verdict verdict, String note, Map<String, String> conventions) {
  private static final java.util.regex.Pattern NON_FINITE =
      java.util.regex.Pattern.compile("\\b(NaN|Infinity)\\b");

  public MethodResult {
    java.util.Objects.requireNonNull(verdict, "verdict");
    if (score == null && verdict != Verdict.UNKNOWN) {
      throw new IllegalArgumentException(String.format(
          "Method '%s' has no score, so its verdict must be unknown, not %s", method, verdict));
    }
    if ((score != null && !Double.isFinite(score))
        || (pValue != null && !Double.isFinite(pValue))) {
      throw new IllegalArgumentException(String.format(
          "Method '%s' gave a non-finite result: score %s, p-value %s", method, score, pValue));
    }
    conventions = Collections.unmodifiableMap(new TreeMap<>(conventions)); // stable order
    for (Map.Entry<String, String> e : conventions.entrySet()) {
      if (NON_FINITE.matcher(e.getValue()).find()) {
        throw new IllegalArgumentException(String.format(
            "Method '%s' recorded a non-finite convention %s = %s", method, e.getKey(),
            e.getValue()));
      }
    }
  }

  /** A result that could not be computed: no score, an unknown verdict, and the reason. */
  public static MethodResult notComputable(String method, double threshold, String note,
                                           Map<String, String> conventions) {
    return new MethodResult(method, null, null, threshold, Verdict.UNKNOWN, note, conventions);
  }

  public boolean computable() {
    return score != null;
  }

  public boolean drifted() {
    return verdict == Verdict.DRIFTED;
  }
}
