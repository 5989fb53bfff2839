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
  public MethodResult {
    conventions = Collections.unmodifiableMap(new TreeMap<>(conventions)); // stable order
  }

  public boolean computable() {
    return score != null;
  }
}
