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

  default double nullShare() {
    return rows() == 0 ? 0.0 : (double) nulls() / rows();
  }
}
