package io.driftlake.drift.store;

import io.driftlake.drift.profile.FeatureProfile;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One selection's profiles, feature → profile in feature order, and where they came from.
 *
 * @param selection the selection, as {@link ProfileStore#describe} names it
 * @param profiles every compared feature's profile
 * @param source stored, incremental or scanned
 * @param detail a line saying from what, e.g. "stored profiles of t@3"
 */
public record SelectionProfiles(String selection, Map<String, FeatureProfile> profiles,
                                ProfileSource source, String detail) {
  /** Copies {@code profiles}, keeping its order. */
  public SelectionProfiles {
    // In feature order: Map.copyOf would iterate in a per-JVM random order.
    profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
  }

  /** The selection's row count (every profile counts all rows); 0 without features. */
  public long rows() {
    return profiles.values().stream().mapToLong(FeatureProfile::rows).findFirst().orElse(0);
  }
}
