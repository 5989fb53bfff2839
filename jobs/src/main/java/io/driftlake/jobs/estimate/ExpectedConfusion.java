package io.driftlake.jobs.estimate;

/**
 * The expected confusion matrix of a binary classifier's predictions from calibrated
 * probabilities, as NannyML's CBPE builds it, with the variance of each realized count.
 *
 * <p>Row i has predicted class ŷᵢ (fixed: the model's threshold already chose it) and calibrated
 * P(yᵢ = 1) = pᵢ. Given the probabilities, the labels are independent Bernoulli draws, so the
 * realized TP = Σ_{ŷ=1} yᵢ and FN = Σ_{ŷ=0} yᵢ are independent Poisson-binomial counts with means
 * {@code tp} = Σ_{ŷ=1} pᵢ, {@code fn} = Σ_{ŷ=0} pᵢ and variances {@code tpVariance} =
 * Σ_{ŷ=1} pᵢ(1 − pᵢ), {@code fnVariance} = Σ_{ŷ=0} pᵢ(1 − pᵢ). FP = (predicted positives) − TP and
 * TN = (predicted negatives) − FN follow. Each metric is the metric of the expected counts
 * (NannyML's point estimate); its standard error is the delta method on (TP, FN), exact for
 * accuracy and precision (linear in TP and FN).
 */
public record ExpectedConfusion(long rows, long predictedPositive, double tp, double tpVariance,
                                double fn, double fnVariance) {
  public ExpectedConfusion {
    if (rows <= 0) {
      throw new IllegalArgumentException("No rows to estimate on: " + rows);
    }
    if (predictedPositive < 0 || predictedPositive > rows) {
      throw new IllegalArgumentException(String.format(
          "Predicted positives %d not in [0, %d]", predictedPositive, rows));
    }
  }

  public long predictedNegative() {
    return rows - predictedPositive;
  }

  public double fp() {
    return predictedPositive - tp;
  }

  public double tn() {
    return predictedNegative() - fn;
  }

  /** (TP + TN) / n; its variance is (Var TP + Var FN) / n². */
  public double accuracy() {
    return (tp + tn()) / rows;
  }

  public double accuracyError() {
    return Math.sqrt(tpVariance + fnVariance) / rows;
  }

  /** TP / (TP + FP); NaN when nothing is predicted positive. */
  public double precision() {
    return predictedPositive == 0 ? Double.NaN : tp / predictedPositive;
  }

  public double precisionError() {
    return predictedPositive == 0 ? Double.NaN : Math.sqrt(tpVariance) / predictedPositive;
  }

  /** TP / (TP + FN); NaN when no positive is expected. */
  public double recall() {
    return tp + fn == 0 ? Double.NaN : tp / (tp + fn);
  }

  /** Delta method: ∂/∂TP = FN / (TP + FN)², ∂/∂FN = −TP / (TP + FN)². */
  public double recallError() {
    double d = tp + fn;
    return d == 0 ? Double.NaN
        : Math.sqrt(fn * fn * tpVariance + tp * tp * fnVariance) / (d * d);
  }

  /** 2TP / (2TP + FP + FN) = 2TP / (predicted positives + TP + FN). */
  public double f1() {
    double d = predictedPositive + tp + fn;
    return d == 0 ? Double.NaN : 2 * tp / d;
  }

  /** Delta method: ∂/∂TP = 2(P̂ + FN) / D², ∂/∂FN = −2TP / D², D = P̂ + TP + FN. */
  public double f1Error() {
    double d = predictedPositive + tp + fn;
    double a = predictedPositive + fn;
    return d == 0 ? Double.NaN : 2 * Math.sqrt(a * a * tpVariance + tp * tp * fnVariance) / (d * d);
  }

  /** The expected number of actual positives, Σ pᵢ. */
  public double positives() {
    return tp + fn;
  }

  /**
   * Hanley and McNeil's (1982) standard error of an ROC AUC {@code auc} with {@code positives}
   * and {@code negatives} (here their expected numbers): √[(A(1 − A) + (n₁ − 1)(Q₁ − A²) +
   * (n₀ − 1)(Q₂ − A²)) / (n₁n₀)], Q₁ = A / (2 − A), Q₂ = 2A² / (1 + A). NaN with fewer than one
   * of either.
   */
  public static double aucError(double auc, double positives, double negatives) {
    if (!(positives >= 1 && negatives >= 1) || Double.isNaN(auc)) {
      return Double.NaN;
    }
    double q1 = auc / (2 - auc);
    double q2 = 2 * auc * auc / (1 + auc);
    double v = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc)
        + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
    return Math.sqrt(Math.max(v, 0));
  }
}
