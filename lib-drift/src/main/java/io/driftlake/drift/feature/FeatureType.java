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
}
