package io.driftlake.drift.api;

import io.driftlake.drift.feature.FeatureType;
import java.util.List;

/**
 * All method results for one feature. {@code drifted} is the verdict of the feature type's
 * deciding method ({@code decidedBy}); the other methods are reported beside it. A drifted
 * {@code critical} feature makes the whole dataset drift.
 */
public record FeatureDrift(String feature, FeatureType type, long referenceRows, long currentRows,
                           double referenceNullShare, double currentNullShare,
                           List<MethodResult> results, String decidedBy, boolean drifted,
                           boolean critical) {
  public FeatureDrift {
    results = List.copyOf(results);
  }

  /** The deciding method's score, or 0 when it was not computable; for ranking. */
  public double severity() {
    return results.stream().filter(r -> r.method().equals(decidedBy) && r.computable())
        .mapToDouble(MethodResult::score).findFirst().orElse(0.0);
  }
}
