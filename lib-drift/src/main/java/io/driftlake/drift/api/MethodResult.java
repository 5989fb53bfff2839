package io.driftlake.drift.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One method's verdict on one feature. {@code score} and {@code pValue} are null when the method
 * could not be computed ({@code note} says why) or has no p-value; never NaN or infinite.
 * {@code conventions} records exactly what was computed (bins, edge source, smoothing, …).
 */
public record MethodResult(String method, Double score, Double pValue, double threshold,
                           boolean drifted, String note, Map<String, String> conventions) {
  private static final java.util.regex.Pattern NON_FINITE =
      java.util.regex.Pattern.compile("\\b(NaN|Infinity)\\b");

  public MethodResult {
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

  public boolean computable() {
    return score != null;
  }
}
