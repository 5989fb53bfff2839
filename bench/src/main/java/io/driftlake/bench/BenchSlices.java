package io.driftlake.bench;

import io.driftlake.drift.config.SliceSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.spark.SliceProfiler;
import io.driftlake.drift.spark.SliceSpec;
import io.driftlake.drift.spark.SliceSpecs;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Issue 21 item 3's cost: the profile pass with two slice specs (the 5-valued column c0 and the
 * predicate {@code n0 > 100}, about half the rows) against the same pass without slices, and
 * against the plain scan and the columnar profile pass of v0 the bench timed before.
 */
final class BenchSlices {
  private static final List<String> SPECS = List.of("c0", "n0 > 100");

  private BenchSlices() {}

  static void run(Timings timings, Dataset<Row> v0, List<FeatureSpec> features,
                  ProfileOptions options) {
    int maxValues = 20;
    List<SliceSpec> two = SliceSpecs.resolve(new SliceSettings(SPECS, maxValues), v0, v0);
    timings.time("profile v0, sliced pass, no slice", () -> SliceProfiler.profileAll(
        List.of(v0), features, options, List.of(), maxValues));
    timings.time("profile v0 + slices c0, n0 > 100", () -> SliceProfiler.profileAll(
        List.of(v0), features, options, two, maxValues));
    Map<String, Double> s = timings.seconds();
    double sliced = s.get("profile v0 + slices c0, n0 > 100");
    System.out.printf(Locale.ROOT, "slices %s: profile pass with them / without: %.2f (sliced "
            + "pass), %.2f (the columnar profile v0); / scan v0: %.2f%n", SPECS,
        sliced / s.get("profile v0, sliced pass, no slice"), sliced / s.get("profile v0"),
        sliced / s.get("scan v0"));
  }
}
