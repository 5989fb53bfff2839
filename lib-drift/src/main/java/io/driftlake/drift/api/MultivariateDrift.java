package io.driftlake.drift.api;

import java.util.List;
import java.util.Map;

/**
 * Multivariate drift of a run: the domain classifier's and the PCA reconstruction's results
 * (method ids {@value #DOMAIN_CLASSIFIER} and {@value #PCA_RECONSTRUCTION}; each result's
 * conventions record its folds, sample sizes, components and band), the classifier's top features
 * by importance, and the columns left out with the reason. Reported beside the per-feature
 * verdicts; it does not change the dataset verdict.
 *
 * @param enabled whether the run was asked to compute it ({@code multivariate.enabled}); when not,
 *     there are no results
 * @param results one result per method, in the order above; unknown with the reason when not
 *     computable (e.g. mode profiles reads no row)
 * @param topFeatures the domain classifier's most important features, most important first
 * @param skipped columns left out of one or both methods, and why
 */
public record MultivariateDrift(boolean enabled, List<MethodResult> results,
                                List<Importance> topFeatures, List<SkippedColumn> skipped) {
  public static final String DOMAIN_CLASSIFIER = "domain_classifier";
  public static final String PCA_RECONSTRUCTION = "pca_reconstruction";

  public MultivariateDrift {
    results = List.copyOf(results);
    topFeatures = List.copyOf(topFeatures);
    skipped = List.copyOf(skipped);
  }

  /** A feature and its share of the classifier's (fold-averaged) importance. */
  public record Importance(String feature, double importance) {}

  /** Not asked for: no results. */
  public static MultivariateDrift off() {
    return new MultivariateDrift(false, List.of(), List.of(), List.of());
  }

  /**
   * Asked for but not computable: both results unknown, with {@code reason}. The classifier's row
   * carries its threshold; the PCA band comes from the reference's rows, so its threshold is 0
   * and its conventions say so.
   */
  public static MultivariateDrift unknown(String reason, double aucThreshold) {
    return new MultivariateDrift(true, List.of(
        MethodResult.notComputable(DOMAIN_CLASSIFIER, aucThreshold, reason,
            Map.of("score", "mean held-out ROC AUC")),
        MethodResult.notComputable(PCA_RECONSTRUCTION, 0, reason,
            Map.of("score", "mean reconstruction error", "threshold",
                "none: the band comes from the reference's rows"))), List.of(), List.of());
  }

  /** Whether a method drifted. */
  public boolean drifted() {
    return results.stream().anyMatch(MethodResult::drifted);
  }
}
