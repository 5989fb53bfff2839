package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.history.CommitHistory;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers at once: each ingest reports the version of its own commit (found by the commit's
 * token in the log), never the latest version after its write, and the same batch id from two
 * writers lands once, the other reporting that version.
 */
@ExtendWith(LocalSpark.class)
class TestConcurrentIngest {
  private static final int ROUNDS = 4;

  @Test
  void concurrentIngestsReportTheirOwnCommits(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 50, 0, 0.0, 3), "init", "r0");
    Dataset<Row> a = GenerateJob.batch(spark, 50, 1, 0.0, 3).cache();
    Dataset<Row> b = GenerateJob.batch(spark, 70, 2, 0.0, 3).cache();
    a.count();
    b.count();
    List<IngestJob.Result> results = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      results.addAll(race(lake, a, "a" + round, b, "b" + round));
    }
    Map<String, Long> committed = batchVersions(lake);
    for (IngestJob.Result r : results) {
      assertThat(r.written()).as("%s; committed %s", r, committed).isTrue();
      assertThat(r.version()).as("version reported for batch %s", r.batchId())
          .isEqualTo(committed.get(r.batchId()));
    }
    assertThat(committed).hasSize(1 + 2 * ROUNDS);
    // A pipeline reads back the batch it wrote by its id, whatever committed after it.
    for (IngestJob.Result r : results) {
      TableRef ref = lake.resolve(TableRef.parse("production@batch=" + r.batchId() + ":added"));
      assertThat(ref.version()).hasValue(r.version());
      assertThat(lake.read(ref).count()).isEqualTo(r.batchId().startsWith("a") ? 50 : 70);
    }
    assertThatThrownBy(() -> lake.resolve(TableRef.parse("production@batch=nope")))
        .hasMessage("Table 'production' has no commit of batch 'nope' (latest version is "
            + 2 * ROUNDS + ")");
  }

  @Test
  void theSameBatchFromTwoWritersLandsOnce(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 50, 0, 0.0, 3), "init", "r0");
    Dataset<Row> a = GenerateJob.batch(spark, 50, 1, 0.0, 3).cache();
    a.count();
    for (int round = 0; round < ROUNDS; round++) {
      List<IngestJob.Result> both = race(lake, a, "same" + round, a, "same" + round);
      Map<String, Long> committed = batchVersions(lake);
      assertThat(both).extracting(IngestJob.Result::written).containsExactlyInAnyOrder(true, false);
      assertThat(both).extracting(IngestJob.Result::version)
          .containsOnly(committed.get("same" + round));
      IngestJob.Result skipped = both.stream().filter(r -> !r.written()).findFirst().orElseThrow();
      assertThat(skipped.message()).isEqualTo(String.format("ingest: batch 'same%d' was already "
          + "ingested into table 'production' as version %d; nothing written", round,
          committed.get("same" + round)));
    }
    assertThat(lake.latestVersion("production").getAsLong()).isEqualTo(ROUNDS);
    assertThat(lake.spark().read().format("delta").load(lake.path("production")).count())
        .isEqualTo(50 + 50L * ROUNDS);
  }

  private static List<IngestJob.Result> race(Lake lake, Dataset<Row> first, String firstBatch,
                                             Dataset<Row> second, String secondBatch)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<IngestJob.Result> one = pool.submit(() -> {
        barrier.await();
        return IngestJob.ingest(lake, "production", first, firstBatch, "run-" + firstBatch);
      });
      Future<IngestJob.Result> two = pool.submit(() -> {
        barrier.await();
        return IngestJob.ingest(lake, "production", second, secondBatch, "run2-" + secondBatch);
      });
      return List.of(one.get(), two.get());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Batch id → the version whose commit carries it, from the table's history. */
  private static Map<String, Long> batchVersions(Lake lake) {
    Map<String, Long> versions = new HashMap<>();
    for (Row r : CommitHistory.of(lake, "production").collectAsList()) {
      Long previous = versions.put(r.getAs("batch_id"), r.<Long>getAs("version"));
      assertThat(previous).as("batch %s committed twice", (Object) r.getAs("batch_id")).isNull();
    }
    return versions;
  }
}
