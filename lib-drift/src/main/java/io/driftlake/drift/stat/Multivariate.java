package io.driftlake.drift.stat;

/**
 * The plain arithmetic of multivariate drift: the spread of fold AUCs and chunk errors, the
 * sampling noise of an AUC when the two sides do not differ, the PCA error band, and how many
 * principal components a variance share keeps.
 */
public final class Multivariate {
  private Multivariate() {}

  /** The arithmetic mean of {@code values} (at least one). */
  public static double mean(double[] values) {
    Checks.argument(values.length > 0, "No values to average");
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** The sample standard deviation (n − 1) of {@code values} (at least two). */
  public static double sd(double[] values) {
    Checks.argument(values.length > 1, "A standard deviation needs two values: %s",
        values.length);
    double mean = mean(values);
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return Math.sqrt(ss / (values.length - 1));
  }

  /**
   * The standard deviation of the ROC AUC of any scorer on {@code negatives} and
   * {@code positives} held-out rows when both classes come from one distribution: the AUC is the
   * Mann–Whitney U over n₀n₁, whose null variance (no ties) is (n₀ + n₁ + 1) / (12 n₀ n₁).
   */
  public static double nullAucSd(long negatives, long positives) {
    Checks.argument(negatives > 0 && positives > 0,
        "An AUC needs rows of both classes: %s negatives, %s positives", negatives, positives);
    return Math.sqrt((negatives + positives + 1.0) / (12.0 * negatives * positives));
  }

  /** [mean − sigmas·sd, mean + sigmas·sd] of {@code errors} (at least two). */
  public static double[] band(double[] errors, double sigmas) {
    double mean = mean(errors);
    double sd = sd(errors);
    return new double[] {mean - sigmas * sd, mean + sigmas * sd};
  }

  /**
   * The fewest leading components whose explained variance shares (descending, summing to at
   * most 1) reach {@code kept}; all of them when they never do.
   */
  public static int componentsFor(double[] explained, double kept) {
    Checks.argument(explained.length > 0, "No components");
    Checks.argument(kept > 0 && kept <= 1, "Variance share to keep must be in (0, 1]: %s", kept);
    double sum = 0;
    for (int k = 0; k < explained.length; k++) {
      sum += explained[k];
      // A share a rounding error short of the target still reaches it.
      if (sum >= kept - 1e-12) {
        return k + 1;
      }
    }
    return explained.length;
  }
}
