package io.driftlake.jobs;

import static io.driftlake.jobs.TestDriftAndTrainJobs.tiny;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.drift.ProfiledDrift;
import io.driftlake.jobs.history.CommitHistory;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drift between two selections whose profiles are stored runs with no SparkSession: Delta
 * Kernel resolves them, reads the profiles and appends the rows. Its rows equal those of the
 * same drift on Spark, and where it cannot answer exactly as Spark would it writes nothing and
 * leaves the run to Spark.
 */
@ExtendWith(LocalSpark.class)
class TestProfiledDrift {
  private static final Optional<DriftSettings.StatisticsMode> APPROXIMATE =
      Optional.of(DriftSettings.StatisticsMode.APPROXIMATE);
  /** The compared columns of drift_results: all but the run's id and clock. */
  private static final String[] COMPARED = {"reference_table", "reference_version",
      "reference_selection", "reference_rows", "current_table", "current_version",
      "current_selection", "current_rows", "feature", "feature_type", "method", "score", "p_value",
      "threshold", "drifted", "decided_by", "feature_drifted", "dataset_drifted",
      "reference_null_share", "current_null_share", "note", "conventions", "job", "status",
      "reason"};

  /** 0, 0.1, …, 39.9, shifted by {@code shift}: spread over many fine bins. */
  private static double[] tenths(double shift) {
    return IntStream.range(0, 400).mapToDouble(i -> i / 10.0 + shift).toArray();
  }

  private static String[] colours(String... palette) {
    return IntStream.range(0, 400).mapToObj(i -> palette[i % palette.length])
        .toArray(String[]::new);
  }

  private static Lake profiledLake(SparkSession spark, Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, tenths(0), colours("r", "g")), "b0", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, tenths(20), colours("r", "g", "b")), "b0", "run");
    ProfileJob.profile(lake, TableRef.parse("ref@0"), "p0");
    ProfileJob.profile(lake, TableRef.parse("cur@0"), "p1");
    return lake;
  }

  private static Dataset<Row> rows(SparkSession spark, Lake lake, String table, String runId,
                                   String... columns) {
    return spark.read().format("delta").load(lake.path(table))
        .where(col("run_id").equalTo(runId))
        .selectExpr(columns).orderBy(columns[0], columns.length > 1 ? columns[1] : columns[0]);
  }

  @Test
  void driftBetweenProfiledSelectionsRunsWithoutSparkAndWritesWhatSparkWould(
      SparkSession spark, @TempDir Path dir) throws Exception {
    Lake lake = profiledLake(spark, dir);
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> cur = Optional.of(TableRef.parse("cur"));
    DriftRun viaSpark = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("spark")),
        "via-spark", APPROXIMATE);
    long resultsBefore = lake.latestVersion("drift_results").getAsLong();
    long checksBefore = lake.latestVersion("drift_checks").getAsLong();

    // As a user runs it: its own JVM, which must not need Spark.
    Process p = TestProcesses.command(DriftJob.class, "--config",
        dir.resolve("test.conf").toString(), "--reference", "ref@0", "--current", "cur",
        "--mode", "approximate", "--run-id", "via-kernel",
        "--report-dir", dir.resolve("kernel").toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("drift: both sides' profiles are stored; compared and written "
        + "with Delta Kernel, no SparkSession");
    assertThat(out).doesNotContain("SparkContext", "WARN");

    // One commit each, right after Spark's; history names the run and job.
    assertThat(lake.latestVersion("drift_results").getAsLong()).isEqualTo(resultsBefore + 1);
    assertThat(lake.latestVersion("drift_checks").getAsLong()).isEqualTo(checksBefore + 1);
    Row commit = CommitHistory.of(lake, "drift_results")
        .where(col("version").equalTo(resultsBefore + 1)).first();
    assertThat(commit.<String>getAs("run_id")).isEqualTo("via-kernel");
    assertThat(commit.<String>getAs("job")).isEqualTo("drift");

    // Every column of every row as the Spark path wrote it, the current side resolved to 0.
    assertThat(rows(spark, lake, "drift_results", "via-kernel", COMPARED).collectAsList())
        .isEqualTo(rows(spark, lake, "drift_results", "via-spark", COMPARED).collectAsList())
        .hasSize(viaSpark.report().features().stream().mapToInt(f -> f.results().size()).sum());
    String[] checkColumns = {"feature", "check", "value", "threshold", "failed", "detail",
        "current_version"};
    assertThat(rows(spark, lake, "drift_checks", "via-kernel", checkColumns).collectAsList())
        .isEqualTo(rows(spark, lake, "drift_checks", "via-spark", checkColumns).collectAsList())
        .isNotEmpty();
    // Independent figures: D of 0..39.9 against 20..59.9 (steps of 0.1) is 200/400; the
    // approximate D is within its bound of it. The timestamp reads back to the microsecond.
    Row ks = rows(spark, lake, "drift_results", "via-kernel", "feature", "method", "score",
        "conventions['error_bound']", "current_version", "computed_at")
        .where(col("feature").equalTo("x").and(col("method").equalTo("ks"))).first();
    assertThat(ks.getDouble(2)).isCloseTo(0.5, within(Double.parseDouble(ks.getString(3))));
    assertThat(ks.getLong(4)).isZero();
    java.sql.Timestamp at = ks.getTimestamp(5);
    assertThat(Files.readString(dir.resolve("kernel/drift.json")))
        .contains("\"run_id\" : \"via-kernel\"", "\"statistics_mode\" : \"approximate\"",
            // No estimate of the current selection (no evaluations table): said, not left out.
            "\"performance_estimate\" : {\n    \"available\" : false,\n    \"note\" : \"no "
                + "estimate of cur@0 in table 'evaluations'");
    assertThat(Files.readString(dir.resolve("kernel/drift.html"))).contains("cur@0");
    assertThat(at.toInstant()).isBefore(java.time.Instant.now())
        .isAfter(viaSpark.computedAt().toInstant());

    // A rerun of the run id is Spark's: it completes what is missing, and adds no row.
    JobSettings settings = lake.settings();
    assertThat(ProfiledDrift.run(settings, ref, cur, Optional.empty(), "via-kernel", APPROXIMATE))
        .isEmpty();
    DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("again")), "via-kernel", APPROXIMATE);
    assertThat(lake.latestVersion("drift_results").getAsLong()).isEqualTo(resultsBefore + 1);
    assertThat(rows(spark, lake, "drift_results", "via-kernel", "feature").count())
        .isEqualTo(viaSpark.report().features().stream().mapToInt(f -> f.results().size())
            .sum());
  }

  /** Where the answer needs data, Spark or the Delta log's transactions, nothing is written. */
  @Test
  void whatNeedsSparkIsLeftToSparkWithNothingWritten(SparkSession spark, @TempDir Path dir) {
    Lake lake = profiledLake(spark, dir);
    JobSettings settings = lake.settings();
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> cur = Optional.of(TableRef.parse("cur@0"));
    // No drift_results table yet: Spark creates it.
    assertThat(ProfiledDrift.run(settings, ref, cur, Optional.empty(), "r0", APPROXIMATE))
        .isEmpty();
    assertThat(lake.exists("drift_results")).isFalse();
    DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r1")), "r1", APPROXIMATE);
    long results = lake.latestVersion("drift_results").getAsLong();

    IngestJob.ingest(lake, "cur", tiny(spark, tenths(30), colours("r")), "b1", "run");
    List<Optional<TableRef>> needSpark = List.of(
        Optional.of(TableRef.parse("cur@1")), // not profiled
        Optional.of(TableRef.parse("cur@1:added")), // not profiled
        Optional.of(TableRef.parse("cur@batch=b0")), // found from the log's transactions
        Optional.of(TableRef.parse("cur@7")), // no such version: Spark names it
        Optional.of(TableRef.parse("cur@0").where(Optional.of("x > 1")))); // Spark's parser
    for (Optional<TableRef> other : needSpark) {
      assertThat(ProfiledDrift.run(settings, ref, other, Optional.empty(), "r2", APPROXIMATE))
          .as(other.toString()).isEmpty();
    }
    // Exact statistics read the data; the default reference comes from the registry.
    assertThat(ProfiledDrift.run(settings, ref, cur, Optional.empty(), "r2",
        Optional.of(DriftSettings.StatisticsMode.EXACT))).isEmpty();
    assertThat(ProfiledDrift.run(settings, Optional.empty(), cur, Optional.empty(), "r2",
        APPROXIMATE)).isEmpty();
    assertThat(lake.latestVersion("drift_results").getAsLong()).isEqualTo(results);
    assertThat(ProfiledDrift.run(settings, ref, cur, Optional.empty(), "r2", APPROXIMATE))
        .isPresent();
    assertThat(lake.latestVersion("drift_results").getAsLong()).isEqualTo(results + 1);
  }

  /**
   * 400 values 10⁻⁶ apart share one fine bin: from the profiles alone KS cannot tell D = 40/400
   * from 0, so its verdict is undecided. Mode profiles keeps it unknown, without Spark and as
   * Spark's path would; mode approximate reads the column on Spark and settles it exactly.
   */
  @Test
  void anUndecidedVerdictStaysUnknownInModeProfilesAndIsSettledOnSparkInModeApproximate(
      SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    double[] ref = IntStream.range(0, 400).mapToDouble(i -> 1 + i * 1e-6).toArray();
    double[] cur = IntStream.range(40, 440).mapToDouble(i -> 1 + i * 1e-6).toArray();
    IngestJob.ingest(lake, "ref", tiny(spark, ref, colours("r", "g")), "b0", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, cur, colours("r", "g")), "b0", "run");
    ProfileJob.profile(lake, TableRef.parse("ref@0"), "p0");
    ProfileJob.profile(lake, TableRef.parse("cur@0"), "p1");
    Optional<TableRef> refSel = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> curSel = Optional.of(TableRef.parse("cur@0"));
    Optional<DriftSettings.StatisticsMode> profiles =
        Optional.of(DriftSettings.StatisticsMode.PROFILES);
    DriftRun viaSpark = DriftJob.run(lake, refSel, curSel,
        Optional.of(dir.resolve("spark")), "via-spark", profiles);
    assertThat(ProfiledDrift.run(lake.settings(), refSel, curSel, Optional.empty(), "approx",
        APPROXIMATE)).isEmpty();
    DriftRun viaKernel = ProfiledDrift.run(lake.settings(), refSel, curSel,
        Optional.empty(), "via-kernel", profiles).orElseThrow();

    assertThat(viaKernel.mode()).isEqualTo(DriftSettings.StatisticsMode.PROFILES);
    assertThat(viaKernel.modeNote()).isEqualTo(viaSpark.modeNote()).isEqualTo(
        "undecided features stay unknown: mode profiles reads no data row to settle their "
            + "intervals [x]");
    assertThat(viaKernel.report().status().id()).isEqualTo("incomplete");
    assertThat(rows(spark, lake, "drift_results", "via-kernel", COMPARED).collectAsList())
        .isEqualTo(rows(spark, lake, "drift_results", "via-spark", COMPARED).collectAsList());
    Row ks = rows(spark, lake, "drift_results", "via-kernel", "feature", "method",
        "conventions['decision']").where(col("method").equalTo("ks")).first();
    assertThat(ks.getString(2)).isEqualTo("undecided");

    // Approximate mode reads x's column and settles it: D = 40/400 exactly.
    DriftRun settled = DriftJob.run(lake, refSel, curSel,
        Optional.of(dir.resolve("approx")), "approx", APPROXIMATE);
    assertThat(settled.report().features().stream().filter(f -> f.feature().equals("x"))
        .findFirst().orElseThrow().results().stream().filter(r -> r.method().equals("ks"))
        .findFirst().orElseThrow().score()).isCloseTo(0.1, within(1e-12));
  }
}
