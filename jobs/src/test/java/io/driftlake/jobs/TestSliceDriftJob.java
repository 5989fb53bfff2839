package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.drift.testing.SliceData;
import io.driftlake.drift.testing.SortBased;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.drift.ProfiledDrift;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift job with {@code driftlake.drift.slices = [channel, "age > 60"]} on real Delta tables:
 * a mean shift of x injected only in the app rows is found in slice {@code channel = app}, ranked
 * first, in drift_results (a {@code slice} column), drift.json and drift.html; every slice's KS D
 * matches an independent two-sample KS of the table's rows; in exact and approximate modes, and
 * mode profiles lists the slices as skipped with the reason.
 */
@ExtendWith(LocalSpark.class)
class TestSliceDriftJob {
  private static final int ROWS = 3000;

  @Test
  void aShiftInsideTheAppSliceIsFoundThereInEveryOutput(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = new Lake(spark, TestLakes.settings(dir,
        "driftlake.drift.slices = [channel, \"age > 60\"]\ndriftlake.drift.min-rows = 100\n"));
    List<Row> reference = SliceData.rows(1, ROWS, 0);
    List<Row> current = SliceData.rows(2, ROWS, 1.0);
    IngestJob.ingest(lake, "ref", spark.createDataFrame(reference, SliceData.SCHEMA), "b0", "r");
    IngestJob.ingest(lake, "cur", spark.createDataFrame(current, SliceData.SCHEMA), "b0", "r");

    for (DriftSettings.StatisticsMode mode : List.of(DriftSettings.StatisticsMode.EXACT,
        DriftSettings.StatisticsMode.APPROXIMATE)) {
      String runId = "run-" + mode.id();
      Path reports = dir.resolve(runId);
      DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")),
          Optional.of(TableRef.parse("cur@0")), Optional.of(reports), runId, Optional.of(mode));

      Dataset<Row> results = spark.read().format("delta").load(lake.path("drift_results"))
          .where("run_id = '" + runId + "'");
      assertThat(results.where("slice is not null").select("slice").distinct()
          .collectAsList()).extracting(r -> r.getString(0)).containsExactlyInAnyOrder(
              "channel = app", "channel = store", "channel = web", "age > 60");
      assertThat(results.where("slice is not null and method = decided_by and feature_drifted")
          .select("slice", "feature").collectAsList()).extracting(Row::toString)
          .containsExactly("[channel = app,x]");
      // The whole-data rows are as before slices: one per (feature, method), slice null.
      assertThat(results.where("slice is null").select("feature", "method").distinct().count())
          .isEqualTo(results.where("slice is null").count());
      for (String slice : List.of("channel = app", "channel = web", "channel = store",
          "age > 60")) {
        Row ks = results.where("method = 'ks' and feature = 'x' and slice = '" + slice + "'")
            .select("score", "conventions", "reference_rows", "current_rows").first();
        double d = SortBased.ks(SliceData.values(reference, slice, 1),
            SliceData.values(current, slice, 1));
        java.util.Map<String, String> conventions = ks.getJavaMap(1);
        if (conventions.containsKey("score_lower")) {
          assertThat(d).as(slice).isBetween(Double.parseDouble(conventions.get("score_lower")),
              Double.parseDouble(conventions.get("score_upper")));
        } else {
          assertThat(ks.getDouble(0)).as(slice).isCloseTo(d, within(1e-12));
        }
        assertThat(ks.getLong(2)).isEqualTo(reference.stream()
            .filter(r -> SliceData.in(r, slice)).count());
        assertThat(ks.getLong(3)).isEqualTo(current.stream()
            .filter(r -> SliceData.in(r, slice)).count());
      }

      JsonNode json = new ObjectMapper().readTree(reports.resolve("drift.json").toFile());
      assertThat(json.at("/slices/ranked/0/slice").asText()).isEqualTo("channel = app");
      assertThat(json.at("/slices/ranked/0/drifted_features").toString()).isEqualTo("[\"x\"]");
      assertThat(Files.readString(reports.resolve("drift.html")))
          .contains("Slices, ranked by how much they drive the dataset's drift");
    }

    Path reports = dir.resolve("run-profiles");
    DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")), Optional.of(TableRef.parse("cur@0")),
        Optional.of(reports), "run-profiles",
        Optional.of(DriftSettings.StatisticsMode.PROFILES));
    JsonNode json = new ObjectMapper().readTree(reports.resolve("drift.json").toFile());
    assertThat(json.at("/slices/ranked")).isEmpty();
    assertThat(json.at("/slices/skipped").toString()).isEqualTo("[{\"spec\":\"channel\","
        + "\"reason\":\"statistics-mode profiles reads no data row, and slice profiles are not "
        + "stored: slices need a scan (run in exact or approximate mode)\"},{\"spec\":\"age > "
        + "60\",\"reason\":\"statistics-mode profiles reads no data row, and slice profiles are "
        + "not stored: slices need a scan (run in exact or approximate mode)\"}]");

    // Without Spark (both sides' profiles are stored by now): approximate needs the data for
    // the slices, so it is left to Spark; profiles lists them as skipped, as the Spark path does.
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> cur = Optional.of(TableRef.parse("cur@0"));
    assertThat(ProfiledDrift.run(lake.settings(), ref, cur, Optional.empty(), "kernel-approx",
        Optional.of(DriftSettings.StatisticsMode.APPROXIMATE))).isEmpty();
    DriftRun viaKernel = ProfiledDrift.run(lake.settings(), ref, cur,
        Optional.of(Location.of(dir.resolve("kernel"))), "kernel-profiles",
        Optional.of(DriftSettings.StatisticsMode.PROFILES)).orElseThrow();
    assertThat(viaKernel.report().slices().ranked()).isEmpty();
    assertThat(viaKernel.report().slices().skipped()).extracting(s -> s.spec())
        .containsExactly("channel", "age > 60");
    assertThat(new ObjectMapper().readTree(dir.resolve("kernel").resolve("drift.json").toFile())
        .at("/slices/skipped").toString()).isEqualTo(json.at("/slices/skipped").toString());
  }
}
