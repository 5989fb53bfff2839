package io.driftlake.drift.quality;

import io.driftlake.drift.feature.FeatureType;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The data-quality checks, by the stable id stored in results, drift.json and drift_checks. */
public enum Check {
  /** Current minus reference share of rows that are null (or NaN); fails when |change| > limit. */
  NULL_SHARE_CHANGE("null_share_change", EnumSet.allOf(FeatureType.class)),
  /** Share of current values below the reference min or above its max; fails when > limit. */
  OUT_OF_RANGE_SHARE("out_of_range_share", EnumSet.of(FeatureType.NUMERIC)),
  /** Number of categories the current selection has and the reference lacks; fails when > limit. */
  NEW_CATEGORIES("new_categories", EnumSet.of(FeatureType.CATEGORICAL)),
  /** Number of reference categories the current selection lacks; fails when > limit. */
  VANISHED_CATEGORIES("vanished_categories", EnumSet.of(FeatureType.CATEGORICAL)),
  /** Share of one category (or, for a numeric column, one value) in the current selection. */
  CATEGORY_SHARE("category_share", EnumSet.allOf(FeatureType.class)),
  /** A column only the current selection has. */
  COLUMN_ADDED("column_added", EnumSet.noneOf(FeatureType.class)),
  /** A column only the reference has. */
  COLUMN_REMOVED("column_removed", EnumSet.noneOf(FeatureType.class)),
  /** A column whose type differs between the selections. */
  COLUMN_RETYPED("column_retyped", EnumSet.noneOf(FeatureType.class));

  private final String id;
  private final Set<FeatureType> appliesTo;

  Check(String id, Set<FeatureType> appliesTo) {
    this.id = id;
    this.appliesTo = appliesTo;
  }

  public String id() {
    return id;
  }

  /** Feature types the check measures; empty for the schema checks. */
  public Set<FeatureType> appliesTo() {
    return Set.copyOf(appliesTo);
  }

  public boolean appliesTo(FeatureType type) {
    return appliesTo.contains(type);
  }

  public static Check byId(String id) {
    return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(String.format(
            "Unknown check '%s'; known checks: %s", id, ids(List.of(values())))));
  }

  static List<String> ids(List<Check> checks) {
    return checks.stream().map(Check::id).toList();
  }
}
