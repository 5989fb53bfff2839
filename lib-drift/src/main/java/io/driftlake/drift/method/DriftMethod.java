package io.driftlake.drift.method;

import io.driftlake.drift.feature.FeatureType;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A declared drift method, complete: a stable id stored on every result row, the feature types
 * it applies to, what its score is and which direction is drift, the threshold used when config
 * sets none, and the function that scores it. {@code binned} methods score the bins of both sides
 * ({@link MethodInput#bins}); their {@code bucketed} function bounds the true score when
 * categories share hash buckets (capped profiles), and is null for the other methods.
 */
public record DriftMethod(String id, Set<FeatureType> appliesTo, ScoreKind kind,
                          Direction direction, double defaultThreshold, boolean binned,
                          Scorer scorer, Bucketed bucketed) {
  public DriftMethod {
    appliesTo = Set.copyOf(appliesTo);
    Objects.requireNonNull(scorer, "scorer");
    if (binned != (bucketed != null)) {
      throw new IllegalArgumentException(String.format(
          "Drift method '%s': a method on bins needs bucket bounds, and only it (binned %s)",
          id, binned));
    }
  }

  public boolean appliesTo(FeatureType type) {
    return appliesTo.contains(type);
  }

  /**
   * Scores one feature, putting what it computed (bins, smoothing, error bounds, …) into
   * {@code conventions}.
   */
  @FunctionalInterface
  public interface Scorer {
    Score score(MethodInput input, Map<String, String> conventions);
  }

  /**
   * Bounds of the true score of a method on bins when the bins after {@link Bins#exactBins} are
   * hash buckets of several categories: a null lower bound means a drifted verdict from the
   * buckets stands (merging categories can only lower the score, or a test on coarser bins is
   * still valid); a null upper bound means a not-drifted verdict from them never stands.
   */
  @FunctionalInterface
  public interface Bucketed {
    Range range(Bins bins, double psiEpsilon);
  }

  /** A score's bounds; either may be null (unknown). */
  public record Range(Double lower, Double upper) {}
}
