package io.driftlake.drift.method;

import io.driftlake.drift.feature.FeatureType;
import java.util.Set;

/**
 * A declared drift method: a stable id stored on every result row, the feature types it applies
 * to, what its score is and which direction is drift, and the threshold used when config sets
 * none.
 */
public record DriftMethod(String id, Set<FeatureType> appliesTo, ScoreKind kind,
                          Direction direction, double defaultThreshold) {
  public DriftMethod {
    appliesTo = Set.copyOf(appliesTo);
  }

  public boolean appliesTo(FeatureType type) {
    return appliesTo.contains(type);
  }
}
