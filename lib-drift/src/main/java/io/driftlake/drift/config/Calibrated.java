package io.driftlake.drift.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Thresholds learned from a table's own history (the jobs' {@code calibrate}): feature → method
 * → threshold, and where they came from ({@code provenance}, recorded on every result row that
 * uses one as {@code threshold_calibration}). In the threshold cascade they sit below an
 * explicit per-feature threshold and above the type, global and default levels
 * ({@link DriftSettings#policy}); their level is {@code calibrated}.
 */
public record Calibrated(Map<String, Map<String, Double>> thresholds, String provenance) {
  public Calibrated {
    Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
    thresholds.forEach((feature, byMethod) -> copy.put(feature, Map.copyOf(byMethod)));
    thresholds = java.util.Collections.unmodifiableMap(copy);
    Objects.requireNonNull(provenance, "provenance");
  }

  /** No calibrated thresholds. */
  public static Calibrated none() {
    return new Calibrated(Map.of(), "none");
  }

  /** The calibrated threshold of one feature and method, or null. */
  public Double threshold(String feature, String method) {
    return thresholds.getOrDefault(feature, Map.of()).get(method);
  }
}
