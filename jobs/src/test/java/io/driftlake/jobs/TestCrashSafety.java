package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.doctor.DoctorJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.history.CommitHistory;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real ingest process while it writes its data files, before its commit: the table
 * stays at its previous version (the files it left are in no commit, so no reader sees them),
 * and the rerun of the same batch writes exactly one version holding every row once.
 */
@ExtendWith(LocalSpark.class)
class TestCrashSafety {
  private static final long ROWS = 1_500_000;

  @Test
  void killedIngestLeavesThePreviousVersionAndTheRerunWritesTheBatchOnce(SparkSession spark,
                                                                        @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 100, 0, 0.0, 3), "b0", "r0");
    Path landing = dir.resolve("landing");
    GenerateJob.write(GenerateJob.batch(spark, ROWS, 1, 0.0, 3).repartition(4), landing.toString(),
        "parquet");
    Path table = dir.resolve("lake/production");
    long filesBefore = dataFiles(table);

    Process ingest = TestProcesses.job(IngestJob.class, "--config",
        dir.resolve("test.conf").toString(), "--table", "production", "--input",
        landing.toString(), "--batch-id", "b1", "--run-id", "killed");
    // The kill point: the job has started writing data files of its batch.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (dataFiles(table) == filesBefore && ingest.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    boolean killedMidWrite = ingest.isAlive() && lake.latestVersion("production").getAsLong() == 0;
    ingest.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
    assertThat(ingest.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(killedMidWrite).as("killed while writing data files, before the commit").isTrue();
    assertThat(dataFiles(table)).as("the killed job left data files").isGreaterThan(filesBefore);
    // doctor lists them (VACUUM's to remove): every file the kill left, none a commit names.
    assertThat(DoctorJob.uncommitted(table)).hasSize((int) (dataFiles(table) - filesBefore));
    assertThat(DoctorJob.examine(lake.settings(), Duration.ZERO)).singleElement()
        .extracting(DoctorJob.Leftover::kind).isEqualTo(DoctorJob.Kind.UNCOMMITTED_FILES);

    assertThat(lake.latestVersion("production").getAsLong()).isZero();
    assertThat(spark.read().format("delta").load(table.toString()).count()).isEqualTo(100);

    IngestJob.Result rerun = IngestJob.ingest(lake, "production",
        spark.read().parquet(landing.toString()), "b1", "rerun");
    assertThat(rerun.written()).isTrue();
    assertThat(rerun.version()).isEqualTo(1);
    IngestJob.Result again = IngestJob.ingest(lake, "production",
        spark.read().parquet(landing.toString()), "b1", "rerun-2");
    assertThat(again.written()).isFalse();
    assertThat(again.version()).isEqualTo(1);
    List<Row> snapshot = spark.read().format("delta").load(table.toString())
        .groupBy().agg(org.apache.spark.sql.functions.count("*"),
            org.apache.spark.sql.functions.countDistinct("customer_id")).collectAsList();
    assertThat(snapshot.get(0).getLong(0)).isEqualTo(100 + ROWS);
    assertThat(snapshot.get(0).getLong(1)).isEqualTo(100 + ROWS);
    assertThat(CommitHistory.of(lake, "production").collectAsList())
        .extracting(r -> r.<String>getAs("batch_id")).containsExactly("b0", "b1");
  }

  private static long dataFiles(Path table) throws IOException {
    if (!Files.isDirectory(table)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(table)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")
          && !p.toString().contains("_delta_log")).count();
    }
  }
}
