package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.history.CommitHistory;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.ingest.LandingFiles;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalSpark.class)
class TestIngestJob {
  @Test
  void eachBatchIsOneStampedVersionAndARerunAddsNothing(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    String landing = dir.resolve("landing-1").toString();
    GenerateJob.write(GenerateJob.batch(spark, 500, 1, 0.0, 3), landing, "csv");

    IngestJob.Result first = IngestJob.ingest(lake, "production",
        LandingFiles.read(lake, "production", landing, "csv"), "2026-11-01", "run-a");
    assertThat(first.version()).isZero();
    assertThat(first.written()).isTrue();

    IngestJob.Result again = IngestJob.ingest(lake, "production",
        LandingFiles.read(lake, "production", landing, "csv"), "2026-11-01", "run-b");
    assertThat(again.written()).isFalse();
    assertThat(again.message()).isEqualTo("ingest: batch '2026-11-01' was already ingested into "
        + "table 'production' as version 0; nothing written");
    assertThat(lake.latestVersion("production").getAsLong()).isZero();
    assertThat(lake.read(lake.resolve(TableRef.parse("production"))).count()).isEqualTo(500);

    String landing2 = dir.resolve("landing-2").toString();
    GenerateJob.write(GenerateJob.batch(spark, 300, 2, 0.0, 3), landing2, "parquet");
    IngestJob.Result second = IngestJob.ingest(lake, "production", spark.read().parquet(landing2),
        "2026-11-02", "run-c");
    assertThat(second.version()).isEqualTo(1);
    // The version's added rows, and the snapshot at each version (time travel).
    assertThat(lake.read(lake.resolve(TableRef.parse("production@1:added"))).count()).isEqualTo(300);
    assertThat(lake.read(lake.resolve(TableRef.parse("production@0"))).count()).isEqualTo(500);
    assertThat(lake.read(lake.resolve(TableRef.parse("production@1"))).count()).isEqualTo(800);

    List<Row> history = CommitHistory.of(lake, "production").collectAsList();
    assertThat(history).hasSize(2);
    assertThat(history.get(0).<Long>getAs("rows_added")).isEqualTo(500);
    assertThat(history.get(0).<String>getAs("batch_id")).isEqualTo("2026-11-01");
    assertThat(history.get(0).<String>getAs("run_id")).isEqualTo("run-a");
    assertThat(history.get(1).<String>getAs("batch_id")).isEqualTo("2026-11-02");
  }

  @Test
  void schemaMismatchNamesTheColumnsAndWritesNothing(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    Dataset<Row> batch = GenerateJob.batch(spark, 100, 1, 0.0, 3);
    IngestJob.ingest(lake, "production", batch, "b1", "run-a");
    Dataset<Row> bad = GenerateJob.batch(spark, 100, 2, 0.0, 3)
        .drop(GenerateJob.REGION).withColumn("score", functions.col("age").multiply(2))
        .withColumn("age", functions.col("age").cast("string"));
    assertThatThrownBy(() -> IngestJob.ingest(lake, "production", bad, "b2", "run-b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Schema mismatch for table 'production': missing columns [région], "
            + "unexpected columns [score], type changes [age: table int, input string]; "
            + "nothing was written (table stays at version 0)");
    assertThat(lake.latestVersion("production").getAsLong()).isZero();
  }

  @Test
  void unknownTableOrVersionIsAClearError(@TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    assertThatThrownBy(() -> lake.resolve(TableRef.parse("nope@3")))
        .hasMessage("Table 'nope' does not exist (no Delta table at " + dir.resolve("lake/nope") + ")");
    IngestJob.ingest(lake, "t", GenerateJob.batch(LocalSpark.session(), 10, 1, 0.0, 3), "b", "r");
    assertThatThrownBy(() -> lake.resolve(TableRef.parse("t@3")))
        .hasMessage("Table 't' has no version 3 (latest is 0)");
  }
}
