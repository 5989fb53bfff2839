package io.driftlake.jobs.calibrate;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.lake.Lake;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Learns per-feature, per-method drift thresholds from a table's stored profiles
 * ({@link Calibration}: no data read) and appends them to the thresholds table
 * ({@link Thresholds}), where drift finds them.
 */
@Command(name = "calibrate", sortOptions = false,
    description = "Learns per-feature, per-method drift thresholds for a target false-alarm "
    + "rate from the stored profiles of a table's consecutive versions (no data scan), and "
    + "writes them to the thresholds table.")
public final class CalibrateJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--table", paramLabel = "NAME", required = true,
      description = "The table whose history is replayed (e.g. production).")
  private String table;

  @Option(names = "--rate", paramLabel = "RATE", description = "Target false-alarm rate "
      + "(default: driftlake.calibrate.rate, 0.01; needs at least 1/RATE - 1 pairs).")
  private Double rate;

  @Option(names = "--exclude", paramLabel = "V", split = ",", description = "Versions that "
      + "are real drift, comma-separated: the pairs with them are left out (empty: none).")
  private List<String> exclude = List.of();

  @Option(names = "--selection", paramLabel = "added|snapshot", description = "Which stored "
      + "profiles are paired (default: driftlake.calibrate.selection, added: batch vs next).")
  private String selection;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  private CalibrateJob() {}

  /** The versions of {@code --exclude}, empty entries ignored (a scheduler passes "" for none). */
  static Set<Long> excluded(List<String> values) {
    Set<Long> versions = new java.util.TreeSet<>();
    for (String v : values) {
      if (!v.isBlank()) {
        if (!v.strip().matches("[0-9]+")) {
          throw new UsageException("--exclude takes version numbers, comma-separated: '" + v
              + "'");
        }
        versions.add(Long.parseLong(v.strip()));
      }
    }
    return versions;
  }

  public static void main(String[] args) {
    JobMain.run(new CalibrateJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String id = Optional.ofNullable(runId).orElseGet(CommitStamp::newRunId);
    Calibration.Result result = Calibration.run(new KernelLake(settings), table,
        Optional.ofNullable(selection)
            .orElseGet(() -> settings.config().getString("driftlake.calibrate.selection")),
        Optional.ofNullable(rate)
            .orElseGet(() -> settings.config().getDouble("driftlake.calibrate.rate")),
        excluded(exclude));
    Timestamp at = CommitStamp.now();
    try (SparkSession spark = Sparks.session(settings, "calibrate")) {
      Lake.Append written = Thresholds.append(new Lake(spark, settings), result, id, at);
      System.out.printf("calibrate: %s:%s, %d pairs (rate %s), %d thresholds%s; %s%n",
          result.table(), result.selection(), result.pairs().size(), result.rate(),
          result.thresholds().size(), written.written() ? "" : " (run " + id + " wrote them "
              + "already)", result.skipped().isEmpty() ? "every version profiled"
              : "skipped versions without stored profiles: " + result.skipped());
    }
    for (Calibration.Learned t : result.thresholds()) {
      System.out.printf("  %-20s %-12s %.6g  (%s)%n", t.feature(), t.method(), t.threshold(),
          t.rule());
    }
    for (String u : result.uncalibrated()) {
      System.out.println("  not calibrated: " + u);
    }
    return JobMain.DONE;
  }
}
