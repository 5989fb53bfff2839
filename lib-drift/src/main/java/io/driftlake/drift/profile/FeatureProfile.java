package io.driftlake.drift.profile;

import io.driftlake.drift.feature.FeatureType;

/** A mergeable summary of one feature over one data selection. */
public sealed interface FeatureProfile extends java.io.Serializable
    permits NumericProfile, CategoricalProfile {
  String feature();

  FeatureType type();

  /** Rows in the selection, nulls included. */
  long rows();

  long nulls();

  /** Values that take part in the distribution (no nulls, no NaN). */
  long valid();

  /**
   * This profile and {@code other} (the same feature and type) as the profile of both selections'
   * rows together: a categorical keeps at most {@code maxCategories} categories with exact counts
   * and folds the rest into "other" ({@link CategoricalProfile#merge(CategoricalProfile, int)});
   * a numeric has no cap.
   *
   * @throws IllegalArgumentException when {@code other} is of another type
   */
  FeatureProfile merge(FeatureProfile other, int maxCategories);

  /**
   * This profile plus {@code inserted} minus {@code removed} (both of the same feature and
   * type), exact or stale ({@link Subtraction}); a categorical keeps at most
   * {@code maxCategories} categories, a numeric has no cap.
   *
   * @throws IllegalArgumentException when a profile is of another type, or {@code removed} holds
   *     rows this profile plus {@code inserted} cannot
   */
  Subtraction change(FeatureProfile inserted, FeatureProfile removed, int maxCategories);

  /** A profile given to {@link #merge} or {@link #change}, checked to be of this one's type. */
  static <P extends FeatureProfile> P sameType(FeatureProfile self, FeatureProfile other,
                                               Class<P> type) {
    if (!type.isInstance(other)) {
      throw new IllegalArgumentException(String.format(
          "Cannot combine the %s profile of '%s' with the %s profile of '%s'", self.type().id(),
          self.feature(), other.type().id(), other.feature()));
    }
    return type.cast(other);
  }

  /**
   * Share of the rows left out of the distribution: nulls, and for numerics NaN (what drift.json
   * reports as {@code null_share} and the null-share check compares).
   */
  default double nullShare() {
    return rows() == 0 ? 0.0 : (double) (rows() - valid()) / rows();
  }
}
