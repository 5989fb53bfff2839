package io.driftlake.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
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
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.SparkProfiler;
import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Benchmark, not a test: N rows × F numeric + C categorical features written as two Delta
 * versions (the second shifted), then wall-clock times of a plain scan, profiling, drift from
 * profiles, the exact KS/Wasserstein pass and end-to-end drift, each also as a ratio to the scan.
 */
public final class BenchJob {
  private BenchJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("bench", args, Set.of("rows", "numeric", "categorical", "dir", "seed"));
    JobSettings defaults = JobSettings.load(a.option("config"));
    long rows = a.longOption("rows", 10_000_000);
    int numeric = (int) a.longOption("numeric", 20);
    int categorical = (int) a.longOption("categorical", 5);
    long seed = a.longOption("seed", 11);
    Path dir = Path.of(a.option("dir").orElse(
        Path.of(System.getProperty("java.io.tmpdir"), "driftlake-bench").toString())).toAbsolutePath();
    JobSettings settings = defaults.withLakeRoot(dir);
    try (SparkSession spark = Sparks.session(settings, "bench")) {
      new Bench(new Lake(spark, settings), rows, numeric, categorical, seed).run();
    }
  }

  private static final class Bench {
    private final Lake lake;
    private final long rows;
    private final int numeric;
    private final int categorical;
    private final long seed;
    private final List<FeatureSpec> features = new ArrayList<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    Bench(Lake lake, long rows, int numeric, int categorical, long seed) {
      this.lake = lake;
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
      String table = String.format(Locale.ROOT, "bench_%d_%d_%d", rows, numeric, categorical);
      if (!lake.exists(table)) {
        time("write v0 + v1 (setup)", false, () -> {
          lake.append(table, data(0.0), new CommitStamp("bench", "bench", "v0", null));
          lake.append(table, data(1.0), new CommitStamp("bench", "bench", "v1", null));
          return null;
        });
      }
      Dataset<Row> v0 = lake.read(TableRef.parse(table + "@0"));
      Dataset<Row> v1 = lake.read(TableRef.parse(table + "@1:added"));
      System.out.printf(Locale.ROOT, "bench: %s at %s, %d rows per version, %d numeric + %d "
          + "categorical features, %d cores%n", table, lake.path(table), rows, numeric, categorical,
          lake.spark().sparkContext().defaultParallelism());

      time("scan v0 (warm-up, not counted)", false, () -> scan(v0));
      time("scan v0", () -> scan(v0));
      time("scan v1 added rows", () -> scan(v1));
      double scan = seconds.get("scan v0");
      double scanBoth = scan + seconds.get("scan v1 added rows");
      Map<String, FeatureProfile> ref = time("profile v0", () -> SparkProfiler.profile(v0, features));
      Map<String, FeatureProfile> cur =
          time("profile v1 added rows", () -> SparkProfiler.profile(v1, features));
      FeatureComparator comparator = new FeatureComparator(lake.settings().drift());
      time("drift from profiles (no data read)", () -> {
        List<FeatureDrift> out = new ArrayList<>();
        for (FeatureSpec f : features) {
          out.add(comparator.compare(ref.get(f.name()), cur.get(f.name()), FeatureComparator.Exact.none()));
        }
        return comparator.decide(rows, rows, out);
      });
      DriftReport report = time("end-to-end drift v0 vs v1 added",
          () -> new DriftAnalysis(lake.settings().drift()).run(v0, v1, features));

      seconds.put("exact KS + W1 (end-to-end - profiles)", seconds.get("end-to-end drift v0 vs v1 added")
          - seconds.get("profile v0") - seconds.get("profile v1 added rows"));
      System.out.printf(Locale.ROOT, "%n%-40s %10s %10s%n", "step", "seconds", "x scan");
      seconds.forEach((step, s) -> System.out.printf(Locale.ROOT, "%-40s %10.2f %10.2f%n", step, s,
          s / (step.startsWith("end-to-end") ? scanBoth : scan)));
      System.out.printf(Locale.ROOT, "(end-to-end is divided by the scan of both sides, %.2f s)%n",
          scanBoth);
      System.out.printf(Locale.ROOT, "drift verdict: %s%n", report.reason());
      Runtime rt = Runtime.getRuntime();
      System.out.printf(Locale.ROOT, "driver heap in use at the end: %d MiB%n",
          (rt.totalMemory() - rt.freeMemory()) >> 20);
    }

    private Object scan(Dataset<Row> data) {
      List<Column> aggs = new ArrayList<>();
      for (FeatureSpec f : features) {
        aggs.add(f.type() == FeatureType.NUMERIC ? sum(col(f.name())) : count(col(f.name())));
      }
      return data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).collectAsList();
    }

    /** Seeded columns of four shapes (normal, lognormal, counts, rounded uniform), 1 % nulls. */
    private Dataset<Row> data(double shift) {
      int partitions = (int) Math.max(2, rows / 1_000_000);
      long base = seed * 1000 + (shift == 0 ? 0 : 500);
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
      return lake.spark().range(0, rows, 1, partitions).select(cols.toArray(Column[]::new));
    }

    private <T> T time(String step, Supplier<T> work) {
      return time(step, true, work);
    }

    private <T> T time(String step, boolean recorded, Supplier<T> work) {
      lake.spark().sparkContext().setJobDescription("bench: " + step);
      long start = System.nanoTime();
      T result = work.get();
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "  %-40s %8.2f s%n", step, s);
      if (recorded) {
        seconds.put(step, s);
      }
      return result;
    }
  }
}
