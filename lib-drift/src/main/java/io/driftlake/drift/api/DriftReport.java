package io.driftlake.drift.api;

import java.util.List;

/**
 * Drift between a reference and a current selection: every feature's results, the columns that
 * were not scored and why, and the dataset-level status with the reason for it.
 * {@code multivariate} is the run's multivariate drift ({@link MultivariateDrift#off()} when not
 * asked for), reported beside the per-feature verdicts; {@code slices} the drift of each
 * configured slice ({@code driftlake.drift.slices}), ranked ({@link Slices#none()} when none is).
 */
public record DriftReport(long referenceRows, long currentRows, List<FeatureDrift> features,
                          double driftedShareThreshold, RunStatus status, String reason,
                          List<SkippedColumn> skipped, MultivariateDrift multivariate,
                          Slices slices) {
  public DriftReport {
    features = List.copyOf(features);
    skipped = List.copyOf(skipped);
    java.util.Objects.requireNonNull(status, "status");
    java.util.Objects.requireNonNull(multivariate, "multivariate");
    java.util.Objects.requireNonNull(slices, "slices");
  }

  /** A report without multivariate drift ({@link MultivariateDrift#off()}) and slices. */
  public DriftReport(long referenceRows, long currentRows, List<FeatureDrift> features,
                     double driftedShareThreshold, RunStatus status, String reason,
                     List<SkippedColumn> skipped) {
    this(referenceRows, currentRows, features, driftedShareThreshold, status, reason, skipped,
        MultivariateDrift.off(), Slices.none());
  }

  /** This report with {@code drift} as its multivariate drift. */
  public DriftReport withMultivariate(MultivariateDrift drift) {
    return new DriftReport(referenceRows, currentRows, features, driftedShareThreshold, status,
        reason, skipped, drift, slices);
  }

  /** This report with {@code sliced} as its slices' drift. */
  public DriftReport withSlices(Slices sliced) {
    return new DriftReport(referenceRows, currentRows, features, driftedShareThreshold, status,
        reason, skipped, multivariate, sliced);
  }

  public boolean drifted() {
    return status == RunStatus.DRIFTED;
  }

  /** This report with {@code more} skipped columns listed after the ones it has. */
  public DriftReport withSkipped(List<SkippedColumn> more) {
    List<SkippedColumn> all = new java.util.ArrayList<>(skipped);
    all.addAll(more);
    return new DriftReport(referenceRows, currentRows, features, driftedShareThreshold, status,
        reason, all, multivariate, slices);
  }

  public List<FeatureDrift> driftedFeatures() {
    return features.stream().filter(FeatureDrift::drifted).toList();
  }
}
