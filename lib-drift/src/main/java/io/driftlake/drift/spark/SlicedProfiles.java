package io.driftlake.drift.spark;

import io.driftlake.drift.api.Slices;
import io.driftlake.drift.profile.FeatureProfile;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One selection's profiles from a sliced profile pass ({@link SliceProfiler}): the whole data's
 * and every slice's, made in the same scan.
 *
 * @param whole every feature's profile over all rows
 * @param slices slice name → feature → profile, in spec order (a column's values sorted)
 * @param specs slice name → the {@code driftlake.drift.slices} entry it comes from
 * @param skipped the specs not profiled (a column with too many values), with the reason
 */
public record SlicedProfiles(Map<String, FeatureProfile> whole,
                             Map<String, Map<String, FeatureProfile>> slices,
                             Map<String, SliceSpec> specs, List<Slices.SkippedSlice> skipped) {
  public SlicedProfiles {
    whole = Collections.unmodifiableMap(new LinkedHashMap<>(whole));
    slices = Collections.unmodifiableMap(new LinkedHashMap<>(slices));
    specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
    skipped = List.copyOf(skipped);
  }
}
