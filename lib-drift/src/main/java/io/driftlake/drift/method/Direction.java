package io.driftlake.drift.method;

/** Which side of the threshold means drift. */
public enum Direction {
  /** Drift when score ≥ threshold (distances). */
  HIGHER_IS_DRIFT,
  /** Drift when score &lt; threshold (p-values: the threshold is the significance level). */
  LOWER_IS_DRIFT;

  public boolean drifted(double score, double threshold) {
    return this == HIGHER_IS_DRIFT ? score >= threshold : score < threshold;
  }
}
