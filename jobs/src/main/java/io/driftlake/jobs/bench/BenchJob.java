package io.driftlake.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.profile.ProfileStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Benchmark, not a test: N rows × F numeric + C categorical features written as two Delta
 * versions (the second shifted), then wall-clock times of a plain scan, profiling, drift from
 * profiles (in memory and read back from the profiles table), the exact KS/Wasserstein pass,
 * end-to-end drift, an incremental profile after a 1 % append (a third version) and after a 1 %
 * DELETE (a fourth), each also as a ratio to the scan (the incremental ones to a full profile of
 * the same version).
 */
@Command(name = "bench", sortOptions = false,
    description = "Times drift on synthetic tables: exact, "
    + "approximate and stored profiles.")
public final class BenchJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "10000000",
      description = "Rows (default: ${DEFAULT-VALUE}).")
  private long rows;

  @Option(names = "--numeric", paramLabel = "F", defaultValue = "20",
      description = "Numeric features (default: ${DEFAULT-VALUE}).")
  private int numeric;

  @Option(names = "--categorical", paramLabel = "C", defaultValue = "5",
      description = "Categorical features (default: ${DEFAULT-VALUE}).")
  private int categorical;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Lake folder (default: <tmp>/driftlake-bench).")
  private String dir;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "11",
      description = "Seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--repeat", paramLabel = "K", defaultValue = "3",
      description = "Timed repetitions (default: ${DEFAULT-VALUE}).")
  private int repeat;

  private BenchJob() {}

  public static void main(String[] args) {
    JobMain.run(new BenchJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings defaults = JobSettings.load(options.config());
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be at least 1: " + repeat);
    }
    Path dir = Path.of(Optional.ofNullable(this.dir).orElse(
        Path.of(System.getProperty("java.io.tmpdir"), "driftlake-bench").toString())).toAbsolutePath();
    JobSettings settings = defaults.withLakeRoot(dir);
    try (SparkSession spark = Sparks.session(settings, "bench")) {
      new Bench(new Lake(spark, settings), rows, numeric, categorical, seed, repeat).run();
    }
    return 0;
  }

  private static final class Bench {
    private final Lake lake;
    private final long rows;
    private final int numeric;
    private final int categorical;
    private final long seed;
    private final int repeat;
    private final List<FeatureSpec> features = new ArrayList<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private long retainedMaxMib;

    Bench(Lake lake, long rows, int numeric, int categorical, long seed, int repeat) {
      this.lake = lake;
      this.repeat = repeat;
      this.rows = rows;
      this.numeric = numeric;
      this.categorical = categorical;
      this.seed = seed;
      for (int i = 0; i < numeric; i++) {
        features.add(new FeatureSpec("n" + i, FeatureType.NUMERIC));
      }
      for (int j = 0; j < categorical; j++) {
        features.add(new FeatureSpec("c" + j, FeatureType.CATEGORICAL));
      }
    }

    void run() throws Exception {
      // v2 appends 1 % of v1's snapshot (2N rows); tables of earlier layouts had other names.
      String table = String.format(Locale.ROOT, "bench_%d_%d_%d_append1pct", rows, numeric,
          categorical);
      if (!lake.exists(table)) {
        time("write v0 + v1 + v2 (setup)", false, () -> {
          lake.append(table, data(0.0, rows), new CommitStamp("bench", "bench", "v0", null));
          lake.append(table, data(1.0, rows), new CommitStamp("bench", "bench", "v1", null));
          lake.append(table, data(1.0, 2 * rows / 100),
              new CommitStamp("bench", "bench", "v2", null));
          return null;
        });
      }
      if (lake.latestVersion(table).getAsLong() == 2) {
        // v3 deletes 1 % of v2's rows, picked by a hash of every feature (deterministic).
        time("DELETE 1 % of v2 as v3 (setup)", false, () -> lake.spark().sql(String.format(
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
      time("scan v0 (warm-up, not counted)", false, () -> scan(v0));
      time("end-to-end drift (warm-up, not counted)", false,
          () -> analysis.run(v0, v1, features));
      time("scan v0", () -> scan(v0));
      time("scan v1 added rows", () -> scan(v1));
      double scan = seconds.get("scan v0");
      double scanBoth = scan + seconds.get("scan v1 added rows");
      Map<String, FeatureProfile> ref = time("profile v0", () -> analysis.profile(v0, features));
      Map<String, FeatureProfile> cur =
          time("profile v1 added rows", () -> analysis.profile(v1, features));
      DriftReport exact = time("exact KS + W1 pass (profiles given)",
          () -> analysis.compareExact(ref, cur, features, v0, v1));
      DriftReport approximate = time("approximate drift from profiles in memory",
          () -> analysis.compare(ref, cur, features));
      store.put(TableRef.parse(table + "@0"), ref);
      store.put(TableRef.parse(table + "@1:added"), cur);
      store.put(TableRef.parse(table + "@1"), merged(ref, cur));
      store.save("bench");
      ProfileStore fresh = new ProfileStore(lake, analysis, lake.settings().drift().profile());
      List<TableRef> stored = List.of(lake.resolve(TableRef.parse(table + "@0")),
          lake.resolve(TableRef.parse(table + "@1:added")));
      // Once: only the first read after the commit pays for the new Delta snapshot.
      time("read stored profiles (new Delta snapshot)", true, 1, () -> {
        fresh.prefetch(stored);
        return null;
      });
      time("drift from stored profiles (read again)", () -> {
        ProfileStore again = new ProfileStore(lake, analysis, lake.settings().drift().profile());
        again.prefetch(stored);
        return analysis.compare(again.load(table, 0, "snapshot", features).orElseThrow(),
            again.load(table, 1, "added", features).orElseThrow(), features);
      });
      DriftReport report = time("end-to-end drift v0 vs v1 added (exact)",
          () -> analysis.run(v0, v1, features));
      // The same two unprofiled selections in approximate mode: one profile job, no exact pass.
      DriftAnalysis approximateMode = new DriftAnalysis(lake.settings().drift()
          .withStatisticsMode(DriftSettings.StatisticsMode.APPROXIMATE));
      time("end-to-end drift v0 vs v1 added (approx.)",
          () -> approximateMode.run(v0, v1, features));
      // As a new job would: a fresh store, nothing of the profiles table in memory.
      ProfileStore.Profiles incremental = time("incremental profile v2 (1 % append)",
          () -> new ProfileStore(lake, analysis, lake.settings().drift().profile())
              .profiles(lake.resolve(TableRef.parse(table + "@2")), features));
      time("profile v2's added rows alone", () -> analysis.profile(lake.readAdded(table, 2, 2),
          features));
      // What the incremental profile replaces: one scan of the whole v2 snapshot (2N + 2N/100).
      TableRef v2 = lake.resolve(TableRef.parse(table + "@2"));
      Map<String, FeatureProfile> fullV2 = time("profile v2 in full (its snapshot)",
          () -> analysis.profile(lake.read(v2), features));
      // v3 from the stored profile of v2: minus the 1 % deleted rows (change data feed); fine
      // bins that lost a min or max keep it as a bound, and only a feature whose own min or max
      // was deleted is profiled again from the snapshot.
      ProfileStore v2Store = new ProfileStore(lake, analysis, lake.settings().drift().profile());
      v2Store.put(v2, fullV2);
      v2Store.save("bench");
      ProfileStore.Profiles afterDelete = time("incremental profile v3 (1 % DELETE)",
          () -> new ProfileStore(lake, analysis, lake.settings().drift().profile())
              .profiles(lake.resolve(TableRef.parse(table + "@3")), features));
      time("profile v3's deleted rows alone", () -> analysis.profile(
          lake.changes(table, 3, 3).orElseThrow().deleted().orElseThrow(), features));
      time("profile v3 in full (its snapshot)", () -> analysis.profile(
          lake.read(lake.resolve(TableRef.parse(table + "@3"))), features));

      // The targets are ratios to a scan, and this machine's speed drifts by ±20 % within
      // minutes: each ratio again from runs paired with their own scans, side by side.
      Map<String, Double> ratios = new LinkedHashMap<>();
      ratios.put("exact KS + W1 pass (profiles given)", paired("exact KS + W1 pass",
          () -> scan(v0), () -> analysis.compareExact(ref, cur, features, v0, v1)));
      // Issue 19 item 7: could Spark's own sketch aggregates replace the profile pass's
      // hand-fused states? Spark's KLL (per numeric) plus HLL and approx_top_k (per categorical)
      // alone, against the whole profile pass that also keeps moments, fine histograms and counts.
      double sketchesRatio = paired("Spark's sketches alone", "our profile pass", "profile",
          () -> analysis.profile(v0, features), () -> sparkSketches(v0));
      ratios.put("end-to-end drift v0 vs v1 added (exact)", paired("end-to-end drift (exact)",
          () -> {
            scan(v0);
            return scan(v1);
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
          maxBound(approximate, "ks"), numeric);
      falseFlags(approximate, exact);
      System.out.printf(Locale.ROOT, "Spark's sketches alone (KLL per numeric, HLL + approx_top_k "
          + "per categorical) / our whole profile pass: %.2f (paired median)%n", sketchesRatio);
      System.out.printf(Locale.ROOT, "drift verdict: %s%n", report.reason());
      System.out.printf(Locale.ROOT, "driver heap after GC: at most %d MiB after any step (compare "
          + "across --rows: flat in N is the target)%n", retainedMaxMib);
    }

    private Map<String, FeatureProfile> merged(Map<String, FeatureProfile> a,
                                               Map<String, FeatureProfile> b) {
      Map<String, FeatureProfile> out = new LinkedHashMap<>();
      for (FeatureSpec f : features) {
        FeatureProfile x = a.get(f.name());
        FeatureProfile y = b.get(f.name());
        out.put(f.name(), x instanceof NumericProfile n ? n.merge((NumericProfile) y)
            : ((CategoricalProfile) x).merge((CategoricalProfile) y,
                lake.settings().drift().profile().maxCategories()));
      }
      return out;
    }

    /**
     * The median over {@code repeat} rounds of {@code work}'s time divided by the time of
     * {@code scan} run right beside it (first before it, then after it, alternately, so that a
     * drift of the machine's speed within a round favours neither).
     */
    private double paired(String step, Supplier<Object> scan, Supplier<Object> work) {
      return paired(step, "its scans", "scan", scan, work);
    }

    private double paired(String step, String against, String unit, Supplier<Object> scan,
                          Supplier<Object> work) {
      double[] ratios = new double[repeat];
      List<String> rounds = new ArrayList<>();
      for (int i = 0; i < repeat; i++) {
        double s;
        double w;
        if (i % 2 == 0) {
          s = seconds(scan);
          w = seconds(work);
        } else {
          w = seconds(work);
          s = seconds(scan);
        }
        ratios[i] = w / s;
        rounds.add(String.format(Locale.ROOT, "%.2f/%.2f", w, s));
      }
      double[] sorted = ratios.clone();
      java.util.Arrays.sort(sorted);
      double median = sorted[sorted.length / 2];
      System.out.printf(Locale.ROOT, "  %-40s %8.2f x %s, paired runs (step/%s s) %s%n",
          step, median, against, unit, rounds);
      return median;
    }

    private static double seconds(Supplier<?> work) {
      long start = System.nanoTime();
      work.get();
      return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Approximate mode's false flags: KS and W1 results (and features) that the profiles-only
     * comparison flags but the exact one does not, and how many it leaves undecided (their error
     * interval straddles the threshold; {@code analyse} refines those exactly). Beside them, what
     * taking the verdict from the estimate itself (the rule before) would have flagged falsely.
     */
    private static void falseFlags(DriftReport approximate, DriftReport exact) {
      Map<String, io.driftlake.drift.api.MethodResult> exactResults = new LinkedHashMap<>();
      exact.features().forEach(f -> f.results().forEach(
          r -> exactResults.put(f.feature() + "/" + r.method(), r)));
      int results = 0;
      int falseFlags = 0;
      int undecided = 0;
      int estimateFalseFlags = 0;
      for (FeatureDrift f : approximate.features()) {
        for (io.driftlake.drift.api.MethodResult r : f.results()) {
          if (!r.computable() || !"approximate".equals(r.conventions().get("mode"))) {
            continue;
          }
          results++;
          io.driftlake.drift.api.MethodResult e = exactResults.get(f.feature() + "/" + r.method());
          boolean exactFlags = e != null && e.drifted();
          falseFlags += r.drifted() && !exactFlags ? 1 : 0;
          undecided += r.verdict() == io.driftlake.drift.api.Verdict.UNKNOWN ? 1 : 0;
          boolean estimateFlags = r.pValue() != null ? r.pValue() < r.threshold()
              : r.score() >= r.threshold();
          estimateFalseFlags += estimateFlags && !exactFlags ? 1 : 0;
        }
      }
      long featureFalseFlags = approximate.features().stream().filter(FeatureDrift::drifted)
          .filter(f -> exact.features().stream().noneMatch(
              e -> e.feature().equals(f.feature()) && e.drifted()))
          .count();
      long featuresUndecided = approximate.features().stream().filter(FeatureDrift::unknown)
          .count();
      System.out.printf(Locale.ROOT, "approximate mode false flags: %d of %d approximate KS/W1 "
              + "results (%d undecided, refined exactly when the data is readable); features: %d "
              + "false flags, %d undecided of %d; a verdict from the estimate itself would have "
              + "flagged %d falsely%n", falseFlags, results, undecided, featureFalseFlags,
          featuresUndecided, approximate.features().size(), estimateFalseFlags);
    }

    private static double maxBound(DriftReport report, String method) {
      return report.features().stream().flatMap(f -> f.results().stream())
          .filter(r -> r.method().equals(method) && r.conventions().containsKey("error_bound"))
          .mapToDouble(r -> Double.parseDouble(r.conventions().get("error_bound")))
          .max().orElse(0);
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

    /**
     * Spark's own sketch aggregates over every feature in one aggregation: kll_sketch_agg_double
     * per numeric (k = 200, as our optional KLL), hll_sketch_agg (lgConfigK 12, as ours) and
     * approx_top_k_accumulate (1 000 items, our categorical cap) per categorical.
     */
    private Object sparkSketches(Dataset<Row> data) {
      List<Column> aggs = new ArrayList<>();
      for (FeatureSpec f : features) {
        String c = ColumnNames.quote(f.name());
        if (f.type() == FeatureType.NUMERIC) {
          aggs.add(expr("kll_sketch_agg_double(CAST(" + c + " AS DOUBLE), 200)"));
        } else {
          aggs.add(expr("hll_sketch_agg(" + c + ", 12)"));
          aggs.add(expr("approx_top_k_accumulate(" + c + ", 1000)"));
        }
      }
      return data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).collectAsList();
    }

    private Object scan(Dataset<Row> data) {
      List<Column> aggs = new ArrayList<>();
      for (FeatureSpec f : features) {
        aggs.add(f.type() == FeatureType.NUMERIC ? sum(ColumnNames.col(f.name())) : count(ColumnNames.col(f.name())));
      }
      return data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).collectAsList();
    }

    /** Seeded columns of four shapes (normal, lognormal, counts, rounded uniform), 1 % nulls. */
    private Dataset<Row> data(double shift, long n) {
      int partitions = (int) Math.max(2, n / 1_000_000);
      long base = seed * 1000 + (shift == 0 ? 0 : 500) + (n == rows ? 0 : 300);
      List<Column> cols = new ArrayList<>();
      for (int i = 0; i < numeric; i++) {
        double s = shift * 0.05 * (i % 3);
        Column v = switch (i % 4) {
          case 0 -> randn(base + i).plus(s).multiply(10).plus(100);
          case 1 -> exp(randn(base + i).multiply(0.8).plus(3 + s));
          case 2 -> floor(exp(randn(base + i).plus(s)).multiply(3));
          default -> round(rand(base + i).plus(s), 2);
        };
        cols.add(when(rand(base + 100 + i).lt(0.01), lit(null)).otherwise(v).cast("double")
            .as("n" + i));
      }
      for (int j = 0; j < categorical; j++) {
        int k = 5 + 10 * j;
        Column u = shift == 0 ? pow(rand(base + 200 + j), 2) : pow(rand(base + 200 + j), 1.8);
        cols.add(concat(lit("k"), floor(u.multiply(k)).cast("string")).as("c" + j));
      }
      return lake.spark().range(0, n, 1, partitions).select(cols.toArray(Column[]::new));
    }

    private <T> T time(String step, Supplier<T> work) {
      return time(step, true, repeat, work);
    }

    private <T> T time(String step, boolean recorded, Supplier<T> work) {
      return time(step, recorded, recorded ? repeat : 1, work);
    }

    /**
     * Runs a step {@code times} times and keeps the median time: one run on a small shared
     * machine varies by ±15 %.
     */
    private <T> T time(String step, boolean recorded, int times, Supplier<T> work) {
      lake.spark().sparkContext().setJobDescription("bench: " + step);
      T result = null;
      double[] runs = new double[times];
      long retained = 0;
      for (int i = 0; i < runs.length; i++) {
        long start = System.nanoTime();
        result = work.get();
        runs[i] = (System.nanoTime() - start) / 1e9;
        // What the driver still holds once the step is done (results included), after a full
        // GC: with profiles of a fixed size this must not grow with N.
        System.gc();
        retained = Math.max(retained, java.lang.management.ManagementFactory.getMemoryMXBean()
            .getHeapMemoryUsage().getUsed() >> 20);
      }
      retainedMaxMib = Math.max(retainedMaxMib, retained);
      double[] sorted = runs.clone();
      java.util.Arrays.sort(sorted);
      double median = sorted[sorted.length / 2];
      System.out.printf(Locale.ROOT, "  %-40s %8.2f s   driver heap after GC %5d MiB   runs %s%n",
          step, median, retained, java.util.Arrays.stream(runs)
              .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
      if (recorded) {
        seconds.put(step, median);
      }
      return result;
    }
  }
}
