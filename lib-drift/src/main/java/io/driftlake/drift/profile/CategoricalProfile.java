package io.driftlake.drift.profile;

import io.driftlake.drift.feature.FeatureType;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Profile of a categorical feature: exact counts per category (as strings) and nulls. */
public record CategoricalProfile(String feature, long rows, long nulls,
                                 SortedMap<String, Long> counts) implements FeatureProfile {
  public CategoricalProfile {
    counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
  }

  public static CategoricalProfile empty(String feature) {
    return new CategoricalProfile(feature, 0, 0, new TreeMap<>());
  }

  @Override
  public FeatureType type() {
    return FeatureType.CATEGORICAL;
  }

  @Override
  public long valid() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public CategoricalProfile merge(CategoricalProfile other) {
    TreeMap<String, Long> merged = new TreeMap<>(counts);
    other.counts.forEach((k, v) -> merged.merge(k, v, Long::sum));
    return new CategoricalProfile(feature, rows + other.rows, nulls + other.nulls, merged);
  }
}
