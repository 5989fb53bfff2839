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
   * Share of the rows left out of the distribution: nulls, and for numerics NaN (what drift.json
   * reports as {@code null_share} and the null-share check compares).
   */
  default double nullShare() {
    return rows() == 0 ? 0.0 : (double) (rows() - valid()) / rows();
  }
}
