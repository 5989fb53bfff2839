package io.driftlake.drift.feature;

import java.util.Locale;

/** How a feature's distribution is summarised and compared. */
public enum FeatureType {
  NUMERIC,
  CATEGORICAL;

  /** The lower-case id used in config, results and drift.json. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FeatureType of(String id) {
    for (FeatureType type : values()) {
      if (type.id().equals(id)) {
        return type;
      }
    }
    throw new IllegalArgumentException(String.format("Unknown feature type '%s'; known: %s", id,
        java.util.Arrays.stream(values()).map(FeatureType::id).toList()));
  }
}
