package io.driftlake.bench;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One bench run: writes the synthetic versions once (untimed setup), then times each step and
 * prints the table {@code bin/bench-cluster} reads ({@code step  seconds  x scan  x paired}).
 */
final class Bench {
  private final Lake lake;
  private final long rows;
  private final int numeric;
  private final int categorical;
  private final SyntheticData synthetic;
  private final List<FeatureSpec> features;
  private final Timings timings;
  private final Map<String, Double> seconds;

  Bench(Lake lake, long rows, int numeric, int categorical, long seed, int repeat) {
    this.lake = lake;
    this.rows = rows;
    this.numeric = numeric;
    this.categorical = categorical;
    this.synthetic = new SyntheticData(lake.spark(), rows, numeric, categorical, seed);
    this.features = synthetic.features();
    this.timings = new Timings(lake, repeat);
    this.seconds = timings.seconds();
  }

  void run() throws Exception {
    // v2 appends 1 % of v1's snapshot (2N rows); tables of earlier layouts had other names.
    String table = String.format(Locale.ROOT, "bench_%d_%d_%d_append1pct", rows, numeric,
        categorical);
    if (!lake.exists(table)) {
      timings.time("write v0 + v1 + v2 (setup)", false, () -> {
        lake.append(table, synthetic.data(0.0, rows),
            new CommitStamp("bench", "bench", "v0", null));
        lake.append(table, synthetic.data(1.0, rows),
            new CommitStamp("bench", "bench", "v1", null));
        lake.append(table, synthetic.data(1.0, 2 * rows / 100),
            new CommitStamp("bench", "bench", "v2", null));
        return null;
      });
    }
    if (lake.latestVersion(table).getAsLong() == 2) {
      // v3 deletes 1 % of v2's rows, picked by a hash of every feature (deterministic).
      timings.time("DELETE 1 % of v2 as v3 (setup)", false, () -> lake.spark().sql(String.format(
          "DELETE FROM delta.`%s` WHERE pmod(hash(%s), 100) = 0",
          lake.path(table).replace("`", "``"), String.join(", ", features.stream()
              .map(f -> ColumnNames.quote(f.name())).toList()))).collectAsList());
    }
    deleteProfiles();
    Dataset<Row> v0 = lake.read(TableRef.parse(table + "@0"));
    Dataset<Row> v1 = lake.read(TableRef.parse(table + "@1:added"));
    System.out.printf(Locale.ROOT, "bench: %s at %s, %d rows per version, %d numeric + %d "
        + "categorical features, %d cores%n", table, lake.path(table), rows, numeric, categorical,
        lake.spark().sparkContext().defaultParallelism());
    DriftAnalysis analysis = new DriftAnalysis(lake.settings().drift());
    ProfileStore store = new ProfileStore(lake, analysis, lake.settings().drift().profile());

    // Every step is timed warm: a JVM's first scan pays for Delta's snapshots and Spark's code
    // generation, and its first profile and exact pass for compiling ours.
    timings.time("scan v0 (warm-up, not counted)", false, () -> synthetic.scan(v0));
    timings.time("end-to-end drift (warm-up, not counted)", false,
        () -> analysis.run(v0, v1, features));
    timings.time("scan v0", () -> synthetic.scan(v0));
    timings.time("scan v1 added rows", () -> synthetic.scan(v1));
    double scan = seconds.get("scan v0");
    double scanBoth = scan + seconds.get("scan v1 added rows");
    Map<String, FeatureProfile> ref =
        timings.time("profile v0", () -> analysis.profile(v0, features));
    Map<String, FeatureProfile> cur =
        timings.time("profile v1 added rows", () -> analysis.profile(v1, features));
    DriftReport exact = timings.time("exact KS + W1 pass (profiles given)",
        () -> analysis.compareExact(ref, cur, features, v0, v1));
    DriftReport approximate = timings.time("approximate drift from profiles in memory",
        () -> analysis.compare(ref, cur, features));
    store.put(TableRef.parse(table + "@0"), ref);
    store.put(TableRef.parse(table + "@1:added"), cur);
    store.put(TableRef.parse(table + "@1"), merged(ref, cur));
    store.save("bench");
    ProfileStore fresh = new ProfileStore(lake, analysis, lake.settings().drift().profile());
    List<TableRef> stored = List.of(lake.resolve(TableRef.parse(table + "@0")),
        lake.resolve(TableRef.parse(table + "@1:added")));
    // Once: only the first read after the commit pays for the new Delta snapshot.
    timings.time("read stored profiles (new Delta snapshot)", true, 1, () -> {
      fresh.prefetch(stored);
      return null;
    });
    timings.time("drift from stored profiles (read again)", () -> {
      ProfileStore again = new ProfileStore(lake, analysis, lake.settings().drift().profile());
      again.prefetch(stored);
      return analysis.compare(again.load(table, 0, "snapshot", features).orElseThrow(),
          again.load(table, 1, "added", features).orElseThrow(), features);
    });
    DriftReport report = timings.time("end-to-end drift v0 vs v1 added (exact)",
        () -> analysis.run(v0, v1, features));
    // The same two unprofiled selections in approximate mode: one profile job, no exact pass.
    DriftAnalysis approximateMode = new DriftAnalysis(lake.settings().drift()
        .withStatisticsMode(DriftSettings.StatisticsMode.APPROXIMATE));
    timings.time("end-to-end drift v0 vs v1 added (approx.)",
        () -> approximateMode.run(v0, v1, features));
    // As a new job would: a fresh store, nothing of the profiles table in memory.
    ProfileStore.Profiles incremental = timings.time("incremental profile v2 (1 % append)",
        () -> new ProfileStore(lake, analysis, lake.settings().drift().profile())
            .profiles(lake.resolve(TableRef.parse(table + "@2")), features));
    timings.time("profile v2's added rows alone",
        () -> analysis.profile(lake.readAdded(table, 2, 2), features));
    // What the incremental profile replaces: one scan of the whole v2 snapshot (2N + 2N/100).
    TableRef v2 = lake.resolve(TableRef.parse(table + "@2"));
    Map<String, FeatureProfile> fullV2 = timings.time("profile v2 in full (its snapshot)",
        () -> analysis.profile(lake.read(v2), features));
    // v3 from the stored profile of v2: minus the 1 % deleted rows (change data feed); fine
    // bins that lost a min or max keep it as a bound, and only a feature whose own min or max
    // was deleted is profiled again from the snapshot.
    ProfileStore v2Store = new ProfileStore(lake, analysis, lake.settings().drift().profile());
    v2Store.put(v2, fullV2);
    v2Store.save("bench");
    ProfileStore.Profiles afterDelete = timings.time("incremental profile v3 (1 % DELETE)",
        () -> new ProfileStore(lake, analysis, lake.settings().drift().profile())
            .profiles(lake.resolve(TableRef.parse(table + "@3")), features));
    timings.time("profile v3's deleted rows alone", () -> analysis.profile(
        lake.changes(table, 3, 3).orElseThrow().deleted().orElseThrow(), features));
    timings.time("profile v3 in full (its snapshot)", () -> analysis.profile(
        lake.read(lake.resolve(TableRef.parse(table + "@3"))), features));

    // The targets are ratios to a scan, and this machine's speed drifts by ±20 % within
    // minutes: each ratio again from runs paired with their own scans, side by side.
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("exact KS + W1 pass (profiles given)", timings.paired("exact KS + W1 pass",
        () -> synthetic.scan(v0), () -> analysis.compareExact(ref, cur, features, v0, v1)));
    // Issue 19 item 7: could Spark's own sketch aggregates replace the profile pass's
    // hand-fused states? Spark's KLL (per numeric) plus HLL and approx_top_k (per categorical)
    // alone, against the whole profile pass that also keeps moments, fine histograms and counts.
    double sketchesRatio = timings.paired("Spark's sketches alone", "our profile pass", "profile",
        () -> analysis.profile(v0, features), () -> synthetic.sparkSketches(v0));
    ratios.put("end-to-end drift v0 vs v1 added (exact)", timings.paired("end-to-end drift (exact)",
        () -> {
          synthetic.scan(v0);
          return synthetic.scan(v1);
        }, () -> analysis.run(v0, v1, features)));

    System.out.printf(Locale.ROOT, "%n%-42s %10s %10s %10s%n", "step", "seconds", "x scan",
        "x paired");
    seconds.forEach((step, s) -> System.out.printf(Locale.ROOT, "%-42s %10.2f %10.2f %10s%n",
        step, s, s / (step.startsWith("end-to-end") ? scanBoth : scan),
        ratios.containsKey(step) ? String.format(Locale.ROOT, "%.2f", ratios.get(step)) : ""));
    System.out.printf(Locale.ROOT, "(end-to-end is divided by the scan of both sides, %.2f s)%n",
        scanBoth);
    double full = seconds.get("profile v2 in full (its snapshot)");
    System.out.printf(Locale.ROOT, "incremental v2 / full profile of v2: %.1f %% (%s; of which "
            + "profiling the added rows %.1f %%, the rest finding the stored profile and the "
            + "added files); / full profile of v0 (N rows): %.1f %%%n",
        100 * seconds.get("incremental profile v2 (1 % append)") / full, incremental.detail(),
        100 * seconds.get("profile v2's added rows alone") / full,
        100 * seconds.get("incremental profile v2 (1 % append)") / seconds.get("profile v0"));
    System.out.printf(Locale.ROOT, "incremental v3 (1 %% DELETE) / full profile of v3: %.1f %% "
            + "(%s; of which profiling the deleted rows from the change data feed %.1f %%)%n",
        100 * seconds.get("incremental profile v3 (1 % DELETE)")
            / seconds.get("profile v3 in full (its snapshot)"), afterDelete.detail(),
        100 * seconds.get("profile v3's deleted rows alone")
            / seconds.get("profile v3 in full (its snapshot)"));
    System.out.printf(Locale.ROOT, "approximate KS: largest error bound %.2e over %d features%n",
        ApproximateErrors.maxBound(approximate, "ks"), numeric);
    ApproximateErrors.falseFlags(approximate, exact);
    System.out.printf(Locale.ROOT, "Spark's sketches alone (KLL per numeric, HLL + approx_top_k "
        + "per categorical) / our whole profile pass: %.2f (paired median)%n", sketchesRatio);
    System.out.printf(Locale.ROOT, "drift verdict: %s%n", report.reason());
    System.out.printf(Locale.ROOT, "driver heap after GC: at most %d MiB after any step (compare "
        + "across --rows: flat in N is the target)%n", timings.retainedMaxMib());
    MultivariateBench.run(lake, timings, v0, v1, report, scan);
    CalibrateBench.run(lake, timings, synthetic, ref, cur);
    EstimateBench.run(timings, v0, v1);
    BenchSlices.run(timings, v0, features, lake.settings().drift().profile());
  }

  private Map<String, FeatureProfile> merged(Map<String, FeatureProfile> a,
                                             Map<String, FeatureProfile> b) {
    Map<String, FeatureProfile> out = new LinkedHashMap<>();
    for (FeatureSpec f : features) {
      FeatureProfile x = a.get(f.name());
      FeatureProfile y = b.get(f.name());
      out.put(f.name(), x.merge(y, lake.settings().drift().profile().maxCategories()));
    }
    return out;
  }

  private void deleteProfiles() throws java.io.IOException {
    Path profiles = Path.of(lake.path(lake.settings().tables().profiles()));
    if (java.nio.file.Files.exists(profiles)) {
      try (var walk = java.nio.file.Files.walk(profiles)) {
        walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile)
            .forEach(java.io.File::delete);
      }
    }
  }
}
