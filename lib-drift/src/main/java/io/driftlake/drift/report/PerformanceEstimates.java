package io.driftlake.drift.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The model performance estimated without labels on the current side of a drift run (CBPE, the
 * {@code estimate} job), as the reports show it beside the drift: per model, the latest estimate
 * of exactly the current selection, each metric with its confidence band and, once the delayed
 * labels landed, the realized value. Empty, with {@code note} saying why, when there is none.
 *
 * @param models the latest estimate of each model, newest first
 * @param note where the estimates come from, or why there are none
 */
public record PerformanceEstimates(List<ModelEstimate> models, String note) {
  /** What a report built without a lookup shows: nothing, and why. */
  public static final PerformanceEstimates NOT_LOOKED_UP = new PerformanceEstimates(List.of(),
      "not looked up: the drift job adds the latest estimate of the current selection");

  /** Checks that nothing is missing. */
  public PerformanceEstimates {
    models = List.copyOf(models);
    Objects.requireNonNull(note, "note");
  }

  /** None, and why. */
  public static PerformanceEstimates none(String why) {
    return new PerformanceEstimates(List.of(), why);
  }

  /** Whether any model's estimate is here. */
  public boolean available() {
    return !models.isEmpty();
  }

  /**
   * One model's latest estimate of the selection.
   *
   * @param modelId the model
   * @param runId the estimate's run
   * @param estimatedAt when it was estimated
   * @param calibrated whether the probabilities were calibrated (isotonic) first
   * @param metrics its metrics, in the order they were stored
   */
  public record ModelEstimate(String modelId, String runId, Instant estimatedAt,
                              boolean calibrated, List<Metric> metrics) {
    /** Checks that nothing is missing. */
    public ModelEstimate {
      Objects.requireNonNull(modelId, "modelId");
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(estimatedAt, "estimatedAt");
      metrics = List.copyOf(metrics);
    }
  }

  /**
   * One estimated metric.
   *
   * @param metric its name, e.g. {@code roc_auc}
   * @param estimate the estimate
   * @param lower the band's lower end, null for a figure without one (a row count)
   * @param upper the band's upper end, null likewise
   * @param realized the metric from the labels of the same predictions, null until they land
   */
  public record Metric(String metric, double estimate, Double lower, Double upper,
                       Double realized) {
    /** Checks that nothing is missing. */
    public Metric {
      Objects.requireNonNull(metric, "metric");
    }

    /** Whether the realized value is known and inside the band. */
    public Boolean realizedInBand() {
      return realized == null || lower == null ? null
          : realized >= lower && realized <= upper;
    }
  }
}
