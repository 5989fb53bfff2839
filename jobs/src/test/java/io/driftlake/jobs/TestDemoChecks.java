package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobSettings;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's batches (its generator, drift strengths and seed) through ingest and drift as the
 * demo runs them, on small batches: its drift reports raise no false alarm.
 * Production batches come without their label (it arrives later, as feedback) and the key is no
 * feature, so no schema check fails on any batch; the first batch is drawn from the training
 * world (drift 0), so none of its checks fails at all. The later batches' drift is data.
 */
@ExtendWith(LocalSpark.class)
class TestDemoChecks {
  private static final long ROWS = 1500;

  @Test
  void theDemosDriftReportsHaveNoFailedChecksOnBatchesWithoutRealProblems(SparkSession spark,
      @TempDir Path dir) {
    // The demo's settings (min-rows 100, its drift strengths and seed) and its steps up to the
    // drift report, on 1 500 rows per batch: the whole demo loop (scoring, feedback, retraining)
    // takes minutes and writes nothing the drift reports read.
    Lake lake = new Lake(spark, TestLakes.settings(dir, "driftlake.drift.min-rows = 100\n"));
    JobSettings s = lake.settings();
    long seed = s.demo().seed();
    IngestJob.ingest(lake, s.tables().training(), GenerateJob.batch(spark, ROWS, 0, 0.0, seed),
        "training-0", "demo");
    List<Double> strengths = s.demo().drift();
    assertThat(strengths.get(0)).isZero();
    List<DriftRun> runs = new ArrayList<>();
    for (int batch = 1; batch <= strengths.size(); batch++) {
      IngestJob.Result ingested = IngestJob.ingest(lake, s.tables().production(),
          GenerateJob.batch(spark, ROWS, batch, strengths.get(batch - 1), seed)
              .drop(s.schema().label()), "production-" + batch, "demo-batch-" + batch);
      runs.add(DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
          Optional.of(TableRef.parse("production@" + ingested.version() + ":added")),
          Optional.of(dir.resolve("batch-" + batch)), "demo-batch-" + batch));
    }
    assertThat(runs.get(0).report().drifted()).as(runs.get(0).report().reason()).isFalse();
    assertThat(runs.get(strengths.size() - 1).report().drifted()).isTrue();

    Dataset<Row> checks = spark.read().format("delta").load(lake.path("drift_checks"));
    assertThat(failed(checks.where("run_id = 'demo-batch-1'")))
        .as("no failed check on the batch drawn from the training world").isEmpty();
    assertThat(failed(checks.where("check like 'column_%'")))
        .as("no schema failure on any batch: the label and the key are roles").isEmpty();
    assertThat(checks.where("check like 'column_%'").count()).isZero();
    assertThat(checks.select("run_id").distinct().count()).isEqualTo(strengths.size());
  }

  private static List<String> failed(Dataset<Row> checks) {
    return checks.where("failed").select("run_id", "check", "feature", "detail").collectAsList()
        .stream().map(Row::toString).toList();
  }
}
