package io.driftlake.drift.profile;

/**
 * What a profile keeps beyond counts and fine histograms.
 *
 * @param maxCategories categories kept with exact counts per categorical feature; beyond that the
 *     profile keeps the {@code maxCategories} most frequent, one "other" count for the rest, and a
 *     distinct-count sketch
 * @param kll whether numeric profiles also carry a KLL quantile sketch (Spark's
 *     {@code kll_sketch_*_double} functions read it)
 * @param kllK the KLL sketch's accuracy parameter k: normalized rank error about 3.3 / k (1.65 %
 *     at k = 200; DataSketches' {@code KllSketch.getNormalizedRankError(k, true)}, 99 % confidence)
 */
public record ProfileOptions(int maxCategories, boolean kll, int kllK)
    implements java.io.Serializable {
  /** Where the settings read them from. */
  public static final String PATH = "driftlake.drift.profile";
  public static final ProfileOptions DEFAULT = new ProfileOptions(1000, false, 200);

  public ProfileOptions {
    if (maxCategories < 1) {
      throw new IllegalArgumentException("maxCategories must be at least 1: " + maxCategories);
    }
    if (kllK < 8 || kllK > 65535) {
      throw new IllegalArgumentException("kllK must be in [8, 65535]: " + kllK);
    }
  }

  /**
   * Whether a profile made earlier (perhaps with other options) holds all these options ask
   * for: a KLL sketch when {@link #kll} is on, and for a capped categorical profile at least
   * {@link #maxCategories} kept categories and its hash-bucket counts (an uncapped one is
   * complete whatever the cap; a capped one stored before buckets is profiled again).
   */
  public boolean satisfiedBy(FeatureProfile profile) {
    if (profile instanceof NumericProfile n) {
      return !kll || n.kll() != null;
    }
    CategoricalProfile c = (CategoricalProfile) profile;
    return !c.capped() || (c.counts().size() >= maxCategories && c.buckets() != null);
  }

  /**
   * Categories one partition counts exactly before it folds categories it has not seen yet into
   * "other": 4 × maxCategories, and at least 65 536, so a global top-k is exact unless a single
   * partition holds more distinct values than that (then the kept counts are lower bounds).
   */
  public int partitionCategories() {
    return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(65_536L, 4L * maxCategories));
  }
}
