package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two drift runs at once over the same selections write to the same profiles, drift_results and
 * drift_checks tables: both complete, each run's rows land once, and the profiles table holds
 * one profile per (selection, feature), whichever run stored it.
 */
@ExtendWith(LocalSpark.class)
class TestConcurrentDrift {
  @Test
  void twoDriftRunsAtOnceBothLandOnce(SparkSession spark, @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 2000, 0, 0.0, 3), "t0", "r");
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 2000, 1, 0.5, 3), "p0", "r");
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<DriftRun>> runs = new ArrayList<>();
    for (String id : List.of("run-a", "run-b")) {
      runs.add(pool.submit(() -> {
        barrier.await();
        return DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
            Optional.of(TableRef.parse("production@0")), Optional.of(dir.resolve(id)), id);
      }));
    }
    List<DriftRun> done = new ArrayList<>();
    for (Future<DriftRun> f : runs) {
      done.add(f.get());
    }
    pool.shutdown();

    var results = spark.read().format("delta").load(lake.path("drift_results"));
    long perRun = done.get(0).report().features().stream().mapToLong(f -> f.results().size())
        .sum();
    assertThat(results.where("run_id = 'run-a'").count()).isEqualTo(perRun);
    assertThat(results.where("run_id = 'run-b'").count()).isEqualTo(perRun);
    assertThat(done.get(0).report().features()).extracting(f -> f.feature() + " " + f.verdict())
        .containsExactlyElementsOf(done.get(1).report().features().stream()
            .map(f -> f.feature() + " " + f.verdict()).toList());
    var checks = spark.read().format("delta").load(lake.path("drift_checks"));
    assertThat(checks.where("run_id = 'run-a'").count())
        .isEqualTo(checks.where("run_id = 'run-b'").count()).isPositive();
    var profiles = spark.read().format("delta").load(lake.path("profiles"));
    assertThat(profiles.groupBy("table", "version", "selection", "feature").count()
        .where("count > 1").count()).as("no profile stored twice").isZero();
  }
}
