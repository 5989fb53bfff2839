package io.driftlake.bench;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
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
}
