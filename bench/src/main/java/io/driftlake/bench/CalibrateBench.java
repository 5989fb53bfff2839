package io.driftlake.bench;

import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.jobs.calibrate.Calibration;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileStore;
import java.util.Map;
import java.util.Set;

/**
 * The cost of {@code calibrate} (issue 21 item 4): 100 versions of a table whose {@code added}
 * profiles are stored (the bench's own v0 and v1-added profiles of N rows, alternating), and one
 * calibration over their 99 consecutive pairs at rate 0.01, timed. It reads stored profiles only:
 * the cost follows pairs × features, not rows, and is compared with the scan of v0.
 */
final class CalibrateBench {
  private static final int VERSIONS = 100;

  private CalibrateBench() {}

  static void run(Lake lake, Timings timings, SyntheticData synthetic,
                  Map<String, FeatureProfile> even, Map<String, FeatureProfile> odd) {
    String table = "bench_calibrate_" + even.size() + "_features";
    if (!lake.exists(table)) {
      timings.time("write 100 one-row versions (calibrate setup)", false, () -> {
        for (int v = 0; v < VERSIONS; v++) {
          lake.append(table, synthetic.data(0.0, 1), new CommitStamp("bench", "bench", "c" + v,
              null));
        }
        return null;
      });
    }
    ProfileStore store = new ProfileStore(lake, new DriftAnalysis(lake.settings().drift()),
        lake.settings().drift().profile());
    for (int v = 0; v < VERSIONS; v++) {
      store.put(TableRef.parse(table + "@" + v + ":added"), v % 2 == 0 ? even : odd);
    }
    store.save("bench-calibrate");
    timings.time("calibrate 99 pairs from stored profiles", () -> Calibration.run(
        new KernelLake(lake.settings()), table, "added", 0.01, Set.of()));
  }
}
