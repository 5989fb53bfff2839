package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * Writers that replace the same key of a table that does not exist yet (as two drift runs
 * storing the same profiles in a fresh lake do) race to create it: whichever lands, the key is
 * held once. A plain append as the creating write appended a second copy when the writer had
 * found no table but its transaction started after the other writer had created it.
 *
 * <p>The race needs one writer's check to fall just before the other's commit, so each round
 * starts the second writer later by a step that sweeps the first writer's whole write.
 */
@ExtendWith(LocalSpark.class)
class TestConcurrentCreation {
  private static final int ROUNDS = 12;
  private static final long STEP_MILLIS = 80;

  @Test
  void racingCreatorsOfOneKeyLeaveOneCopy(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<String> doubled = new ArrayList<>();
    try {
      for (int round = 0; round < ROUNDS; round++) {
        String table = "created_" + round;
        long delay = round * STEP_MILLIS;
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<Future<Lake.Append>> writes = new ArrayList<>();
        for (String writer : List.of("a", "b")) {
          long wait = writer.equals("a") ? 0 : delay;
          Dataset<Row> rows = spark.sql(
              "SELECT 'k' AS key, id AS value, '" + writer + "' AS writer FROM range(3)");
          writes.add(pool.submit(() -> {
            barrier.await();
            Thread.sleep(wait);
            return lake.replace(table, rows, "key = 'k'",
                new CommitStamp("test", "run-" + writer, null, null));
          }));
        }
        for (Future<Lake.Append> w : writes) {
          assertThat(w.get().written()).isTrue();
        }
        Dataset<Row> stored = spark.read().format("delta").load(lake.path(table));
        long writers = stored.select("writer").distinct().count();
        if (stored.count() != 3 || writers != 1) {
          doubled.add(table + ": " + stored.count() + " rows from " + writers + " writers");
        }
      }
    } finally {
      pool.shutdown();
    }
    assertThat(doubled).as("tables holding key 'k' more than once").isEmpty();
  }
}
