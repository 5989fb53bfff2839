package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.models.Promotions;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.ModelAliases;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Racing promotes leave one champion and a coherent decision log: each decision's previous
 * champion is the one the decision before it made, and no sequence number is taken twice.
 */
@ExtendWith(LocalSpark.class)
class TestConcurrentPromote {
  @Test
  void racingPromotesLeaveACoherentLog(SparkSession spark, @TempDir Path dir) throws Exception {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 600, 0, 0.0, 5), "t0", "run");
    List<Model> models = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      models.add(TrainJob.train(lake, TableRef.parse("training"), "train-" + i, "manual"));
    }
    CyclicBarrier barrier = new CyclicBarrier(models.size());
    ExecutorService pool = Executors.newFixedThreadPool(models.size());
    List<Future<ModelAliases.Decision>> racing = new ArrayList<>();
    for (Model m : models) {
      racing.add(pool.submit(() -> {
        barrier.await();
        return Promotions.promote(lake, m, "race", "promote-" + m.modelId());
      }));
    }
    for (Future<ModelAliases.Decision> f : racing) {
      f.get();
    }
    pool.shutdown();

    List<ModelAliases.Decision> log = ModelAliases.history(lake).stream()
        .filter(d -> d.alias().equals(ModelAliases.CHAMPION)).toList();
    assertThat(log).extracting(ModelAliases.Decision::seq).containsExactly(0L, 1L, 2L);
    assertThat(log).extracting(ModelAliases.Decision::modelId)
        .containsExactlyInAnyOrderElementsOf(models.stream().map(Model::modelId).toList());
    assertThat(log.get(0).previousModelId()).isNull();
    for (int i = 1; i < log.size(); i++) {
      assertThat(log.get(i).previousModelId()).isEqualTo(log.get(i - 1).modelId());
    }
    assertThat(ModelAliases.current(ModelAliases.history(lake), ModelAliases.CHAMPION))
        .contains(log.get(2).modelId());
  }
}
