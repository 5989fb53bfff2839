package io.driftlake.drift.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The multivariate drift settings ({@code driftlake.drift.multivariate}): whether a drift run
 * also fits the domain classifier and the PCA reconstruction, on how large a sample, and their
 * thresholds. Defaults live in lib-drift's reference.conf.
 *
 * @param enabled whether a drift run computes multivariate drift (it reads a sample of both
 *     sides' rows and fits models, so it is off by default)
 * @param sampleRows rows sampled per side, at most (seeded Bernoulli sample)
 * @param folds cross-validation folds of the domain classifier
 * @param trees boosting iterations (trees) of the domain classifier
 * @param maxDepth depth of each tree
 * @param maxCategories a categorical feature with more distinct values than this in the sample
 *     is left out of the classifier (listed with the reason)
 * @param aucThreshold the domain classifier drifts when its mean held-out ROC AUC exceeds this
 * @param varianceKept PCA keeps the fewest components that explain at least this share of the
 *     reference's standardized variance
 * @param chunks the reference sample is cut into this many chunks for the error band
 * @param sigmas the band is the chunks' mean error ± this many standard deviations
 * @param seed the seed of the samples, the folds, the chunks and the trees
 */
public record MultivariateSettings(boolean enabled, int sampleRows, int folds, int trees,
                                   int maxDepth, int maxCategories, double aucThreshold,
                                   double varianceKept, int chunks, double sigmas, long seed) {
  public static final String PATH = DriftSettings.PATH + ".multivariate";

  public MultivariateSettings {
    check(sampleRows >= 10, "sample-rows", "at least 10", sampleRows);
    check(folds >= 2, "folds", "at least 2", folds);
    check(trees >= 1, "trees", "at least 1", trees);
    check(maxDepth >= 1 && maxDepth <= 30, "max-depth", "in [1, 30]", maxDepth);
    check(maxCategories >= 2, "max-categories", "at least 2", maxCategories);
    check(aucThreshold >= 0.5 && aucThreshold < 1, "auc-threshold", "in [0.5, 1)", aucThreshold);
    check(varianceKept > 0 && varianceKept <= 1, "pca.variance-kept", "in (0, 1]", varianceKept);
    check(chunks >= 2, "pca.chunks", "at least 2", chunks);
    check(sigmas > 0 && Double.isFinite(sigmas), "pca.sigmas", "positive and finite", sigmas);
  }

  /** The settings under {@value #PATH} of {@code config} (resolved, defaults included). */
  public static MultivariateSettings from(Config config) {
    Config c = config.getConfig(PATH);
    return new MultivariateSettings(c.getBoolean("enabled"), c.getInt("sample-rows"),
        c.getInt("folds"), c.getInt("trees"), c.getInt("max-depth"), c.getInt("max-categories"),
        c.getDouble("auc-threshold"), c.getDouble("pca.variance-kept"), c.getInt("pca.chunks"),
        c.getDouble("pca.sigmas"), c.getLong("seed"));
  }

  /** lib-drift's defaults (its reference.conf alone, whatever else is on the classpath). */
  public static MultivariateSettings defaults() {
    return from(ConfigFactory.defaultReference());
  }

  /** These settings with {@code enabled} set. */
  public MultivariateSettings enabled(boolean on) {
    return new MultivariateSettings(on, sampleRows, folds, trees, maxDepth, maxCategories,
        aucThreshold, varianceKept, chunks, sigmas, seed);
  }

  private static void check(boolean ok, String key, String rule, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(String.format("%s.%s must be %s: %s", PATH, key, rule,
          value));
    }
  }
}
