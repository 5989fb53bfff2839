package io.driftlake.drift.api;

import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.method.ScoreKind;
import java.util.List;

/**
 * All method results for one feature. {@code verdict} is the verdict of the feature type's
 * deciding method ({@code decidedBy}), {@link Verdict#UNKNOWN} when that method could not decide;
 * the other methods are reported beside it. A drifted {@code critical} feature makes the whole
 * dataset drift.
 */
public record FeatureDrift(String feature, FeatureType type, long referenceRows, long currentRows,
                           double referenceNullShare, double currentNullShare,
                           List<MethodResult> results, String decidedBy, Verdict verdict,
                           boolean critical) {
  public FeatureDrift {
    results = List.copyOf(results);
    java.util.Objects.requireNonNull(verdict, "verdict");
  }

  public boolean drifted() {
    return verdict == Verdict.DRIFTED;
  }

  public boolean unknown() {
    return verdict == Verdict.UNKNOWN;
  }

  /** The deciding method's score, or 0 when it was not computable. */
  public double severity() {
    return results.stream().filter(r -> r.method().equals(decidedBy) && r.computable())
        .mapToDouble(MethodResult::score).findFirst().orElse(0.0);
  }

  /**
   * How far the deciding method is past its threshold, in one scale for every method, for
   * ranking features whose deciding methods differ: score / threshold for a distance,
   * log p / log threshold for a p-value: 1 at the threshold, more the further past it (a
   * distance drifts from 1 on, a p-value above 1), 0 when it was not computable.
   */
  public double exceedance() {
    for (MethodResult r : results) {
      if (!r.method().equals(decidedBy) || !r.computable()) {
        continue;
      }
      double t = r.threshold();
      if (DriftMethods.byId(r.method()).kind() == ScoreKind.P_VALUE && r.pValue() != null) {
        double p = r.pValue();
        if (p == 0) {
          return Double.MAX_VALUE;
        }
        return t >= 1 ? 1 - Math.log(p) : Math.log(p) / Math.log(t);
      }
      return t > 0 ? r.score() / t : 1 + r.score();
    }
    return 0;
  }
}
