package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.Task;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Models;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalSpark.class)
class TestTrainJob {
  @Test
  void sameVersionParamsAndSeedGiveTheSameModelAndMetrics(SparkSession spark, @TempDir Path dir) {
    Lake lake = new Lake(spark, TestLakes.settings(dir, """
        driftlake.train {
          algorithm = random-forest
          params.random-forest { numTrees = 8, maxDepth = 4, subsamplingRate = 0.7 }
          seed = 3
          search { method = cross-validation, folds = 2, parallelism = 2, grid { maxDepth = [2, 4] } }
        }
        """));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 1500, 0, 0.0, 5), "t0", "run");
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 500, 1, 0.0, 5), "t1", "run");

    Model first = TrainJob.train(lake, TableRef.parse("training@0"), "train-a", "manual");
    Model second = TrainJob.train(lake, TableRef.parse("training@0"), "train-b", "schedule");

    assertThat(second.modelId()).isNotEqualTo(first.modelId());
    // Equal up to the order of floating-point sums (Spark merges partial sums as tasks finish).
    assertThat(second.metrics()).containsOnlyKeys(first.metrics().keySet());
    first.metrics().forEach((metric, value) ->
        assertThat(second.metrics().get(metric)).as(metric).isCloseTo(value, within(1e-12)));
    assertThat(first.metrics()).containsKeys("auc_roc", "auc_pr", "accuracy", "precision", "recall",
        "f1", "log_loss", "confusion_0_0", "confusion_1_1");
    assertThat(second.params()).isEqualTo(first.params());
    assertThat(first.params()).containsEntry("numTrees", "8").containsEntry("subsamplingRate", "0.7")
        .containsKey("maxDepth");
    assertThat(first.search()).containsEntry("method", "cross-validation")
        .containsEntry("folds", "2").containsEntry("grid.maxDepth", "[2, 4]")
        .containsEntry("metric", "auc_roc").containsEntry("parallelism", "2");
    assertThat(first.task()).isEqualTo(Task.BINARY);
    assertThat(first.algorithm()).isEqualTo("random-forest");
    assertThat(first.seed()).isEqualTo(3);
    // Pinned: version 0 although version 1 exists; the feature schema is recorded with types.
    assertThat(first.trainingVersion()).isZero();
    assertThat(first.featureSchema()).contains(new Model.Feature("age", "int", "numeric"),
        new Model.Feature(GenerateJob.REGION, "string", "categorical"));
    assertThat(first.trainRows() + first.testRows()).isEqualTo(1500);
    // The registry reads back what was written.
    assertThat(Models.byId(lake, first.modelId())).contains(first);
  }

  @Test
  void aRerunOfTheSameRunReturnsItsModelAndTrainsNothing(SparkSession spark, @TempDir Path dir) {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 800, 0, 0.0, 5), "t0", "run");
    Model model = TrainJob.train(lake, TableRef.parse("training"), "train-1", "manual");
    Model again = TrainJob.train(lake, TableRef.parse("training"), "train-1", "manual");
    assertThat(again).isEqualTo(model);
    assertThat(Models.all(lake)).hasSize(1);
  }

  @Test
  void regressionFromConfig(SparkSession spark, @TempDir Path dir) {
    Lake lake = new Lake(spark, TestLakes.settings(dir, """
        driftlake.schema { label = loan_amount, exclude = [defaulted] }
        driftlake.train { task = regression, algorithm = linear-regression, features = [income, age] }
        driftlake.registry.gate.metric = rmse
        """));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 800, 0, 0.0, 5), "t0", "run");
    Model model = TrainJob.train(lake, TableRef.parse("training"), "r", "manual");
    assertThat(model.features()).containsExactly("income", "age");
    assertThat(model.metrics()).containsOnlyKeys("rows", "rmse", "mae", "r2");
    assertThat(model.params()).containsEntry("regParam", "0.0").containsEntry("maxIter", "100");
  }

  @Test
  void aMissingLabelColumnIsAClearErrorAndRegistersNothing(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "nolabel", GenerateJob.batch(spark, 200, 0, 0.0, 5).drop("defaulted"),
        "t0", "run");
    assertThatThrownBy(() -> TrainJob.train(lake, TableRef.parse("nolabel"), "r", "manual"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Table 'nolabel' version 0 has no column 'defaulted' (configured as "
            + "driftlake.schema.label)");
    assertThat(lake.exists("models")).isFalse();
  }

  @Test
  void labelsThatDoNotFitTheTaskAreAClearError(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 200, 0, 0.0, 5)
        .withColumn("defaulted", functions.col("defaulted").multiply(2)), "t0", "run");
    assertThatThrownBy(() -> TrainJob.train(lake, TableRef.parse("training"), "r", "manual"))
        .hasMessage("Label column 'defaulted' of table 'training' version 0 does not fit task "
            + "'binary' (0 or 1): values from 0.0 to 2.0, 0 not integral");
    assertThat(lake.exists("models")).isFalse();
  }
}
