package io.driftlake.drift.api;

import java.util.List;

/**
 * Drift between a reference and a current selection: every feature's results and the
 * dataset-level decision with the reason for it.
 */
public record DriftReport(long referenceRows, long currentRows, List<FeatureDrift> features,
                          double driftedShareThreshold, boolean drifted, String reason) {
  public DriftReport {
    features = List.copyOf(features);
  }

  public List<FeatureDrift> driftedFeatures() {
    return features.stream().filter(FeatureDrift::drifted).toList();
  }
}
