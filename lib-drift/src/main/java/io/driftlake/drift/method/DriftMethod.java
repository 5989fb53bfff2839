package io.driftlake.drift.method;

import io.driftlake.drift.feature.FeatureType;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A declared drift method, complete: a stable id stored on every result row, the feature types
 * it applies to, what its score is and which direction is drift, the threshold used when config
 * sets none, and the function that scores it from what it {@code reads}. Methods that read
 * {@link Reads#BINS} score the bins of both sides ({@link MethodInput#bins}); their
 * {@code bucketed} function bounds the true score when categories share hash buckets (capped
 * profiles), and is null for the other methods. A p-value method may declare an
 * {@link Effect}: the effect size its scorer reports beside the p-value and the declared minimum
 * (the effect-size floor) it must reach, besides p &lt; alpha, for a drifted verdict.
 */
public record DriftMethod(String id, Set<FeatureType> appliesTo, ScoreKind kind,
                          Direction direction, double defaultThreshold, Reads reads,
                          Scorer scorer, Bucketed bucketed, Effect effect) {
  public DriftMethod {
    appliesTo = Set.copyOf(appliesTo);
    Objects.requireNonNull(reads, "reads");
    Objects.requireNonNull(scorer, "scorer");
    if (effect != null && kind != ScoreKind.P_VALUE) {
      throw new IllegalArgumentException(String.format(
          "Drift method '%s': only a p-value method has an effect-size floor (it is a %s)",
          id, kind));
    }
    if ((reads == Reads.BINS) != (bucketed != null)) {
      throw new IllegalArgumentException(String.format(
          "Drift method '%s': a method on bins needs bucket bounds, and only it (reads %s)",
          id, reads));
    }
  }

  /** A method without an effect-size floor. */
  public DriftMethod(String id, Set<FeatureType> appliesTo, ScoreKind kind, Direction direction,
                     double defaultThreshold, Reads reads, Scorer scorer, Bucketed bucketed) {
    this(id, appliesTo, kind, direction, defaultThreshold, reads, scorer, bucketed, null);
  }

  /**
   * The effect size of a p-value method: its symbol on result rows ({@code D}, {@code V}), what
   * it is, and the minimum a drifted verdict needs when config sets none
   * ({@code min-effect.<method>} overrides it). Effect sizes are in [0, 1].
   */
  public record Effect(String symbol, String description, double defaultMinimum) {
    public Effect {
      if (!(defaultMinimum >= 0 && defaultMinimum <= 1)) {
        throw new IllegalArgumentException(String.format(
            "Effect %s: the minimum must be in [0, 1]: %s", symbol, defaultMinimum));
      }
    }
  }

  /**
   * What a method scores from, which tells a run what to compute or fetch for it: the bins of
   * both sides; the exact or estimated KS D and W1 of the empirical distributions; or every
   * distinct value of both sides ({@link MethodInput#values}: read by a pass over the data in
   * exact mode only).
   */
  public enum Reads {
    BINS,
    EMPIRICAL,
    VALUES
  }

  /** Whether the method scores the bins of both sides ({@link Reads#BINS}). */
  public boolean binned() {
    return reads == Reads.BINS;
  }

  /** Whether a run must fetch every distinct value of both sides for it ({@link Reads#VALUES}). */
  public boolean readsValues() {
    return reads == Reads.VALUES;
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
