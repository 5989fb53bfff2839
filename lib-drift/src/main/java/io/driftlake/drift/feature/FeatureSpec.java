package io.driftlake.drift.feature;

import java.util.Objects;

/** One column to profile and compare, with the type that decides how. */
public record FeatureSpec(String name, FeatureType type) {
  public FeatureSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
