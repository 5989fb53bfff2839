package io.driftlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import io.driftlake.jobs.profile.ProfileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 5 000-level categorical whose mass half moved to new categories, through the drift job on
 * real Delta tables: exact mode counts every category (true TVD 0.5, 2 500 new and 2 500
 * vanished categories); the stored, capped profiles alone still see the drift through their
 * hash buckets, marked approximate; an identifier column is skipped and listed.
 */
@ExtendWith(LocalSpark.class)
class TestHighCardinalityDrift {
  /** 10 000 rows: category "c" + (i mod 5000 + shift) and a unique "id" per row. */
  private static Dataset<Row> levels(SparkSession spark, long shift, long firstId) {
    return spark.range(firstId, firstId + 10_000, 1, 2).select(
        concat(lit("u"), col("id").cast("string")).as("id"),
        concat(lit("c"), col("id").minus(firstId).mod(5_000).plus(shift).cast("string")).as("c"));
  }

  private static MethodResult result(DriftRun run, String method) {
    return run.report().features().stream().filter(f -> f.feature().equals("c")).findFirst()
        .orElseThrow().results().stream().filter(r -> r.method().equals(method)).findFirst()
        .orElseThrow();
  }

  private static CheckResult check(DriftRun run, String id) {
    return run.checks().stream().filter(c -> c.check().equals(id) && c.feature().equals("c"))
        .findFirst().orElseThrow();
  }

  private static JsonNode jsonCheck(DriftRun run, String id) throws Exception {
    for (JsonNode c : new ObjectMapper().readTree(run.reportFile().localPath().toFile()).get("checks")) {
      if (c.get("check").asText().equals(id) && c.get("feature").asText().equals("c")) {
        return c;
      }
    }
    throw new AssertionError("no check " + id);
  }

  @Test
  void halfTheMassMovedToNewCategoriesIsDrift(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", levels(spark, 0, 0), "b0", "run");
    IngestJob.ingest(lake, "cur", levels(spark, 2_500, 10_000), "b0", "run");
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> cur = Optional.of(TableRef.parse("cur@0"));

    DriftRun exact = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r1")), "r1");
    assertThat(exact.mode()).isEqualTo(DriftSettings.StatisticsMode.EXACT);
    assertThat(exact.report().status()).isEqualTo(RunStatus.DRIFTED);
    // numpy: TVD 0.5, JS (base 2) 0.5, PSI 2500 · 2 · 1e-4 · ln 2 = 0.34657359027997264.
    assertThat(result(exact, "tvd").score()).isCloseTo(0.5, within(1e-12));
    assertThat(result(exact, "js").score()).isCloseTo(0.5, within(1e-12));
    assertThat(result(exact, "psi").score()).isCloseTo(0.34657359027997264, within(1e-12));
    assertThat(result(exact, "psi").verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(check(exact, "new_categories").value()).isEqualTo(2_500.0);
    assertThat(check(exact, "new_categories").failed()).isTrue();
    assertThat(check(exact, "vanished_categories").value()).isEqualTo(2_500.0);
    assertThat(check(exact, "vanished_categories").failed()).isTrue();
    // The stored profiles stay capped, with the hash buckets of every value.
    CategoricalProfile stored = (CategoricalProfile) exact.referenceProfiles().profiles().get("c");
    assertThat(stored.capped()).isTrue();
    assertThat(java.util.Arrays.stream(stored.buckets()).sum()).isEqualTo(10_000);
    // The id column: every value distinct, skipped and listed.
    assertThat(exact.report().skipped()).containsExactly(new SkippedColumn("id", "categorical",
        "looks like an identifier: 9766 distinct of 10000 rows in the reference, 9882 of "
            + "10000 in the current selection (distinct >= 0.95 of non-null rows; set "
            + "driftlake.drift.features.id.score-id-like = true to score it)"));
    JsonNode skipped = new ObjectMapper().readTree(exact.reportFile().localPath().toFile()).get("skipped");
    assertThat(skipped).hasSize(1);
    assertThat(skipped.get(0).get("column").asText()).isEqualTo("id");

    // From the stored profiles alone (no data read): still drifted, marked approximate.
    DriftRun approximate = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r2")),
        "r2", Optional.of(DriftSettings.StatisticsMode.APPROXIMATE));
    assertThat(approximate.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(approximate.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(approximate.report().status()).isEqualTo(RunStatus.DRIFTED);
    MethodResult psi = result(approximate, "psi");
    assertThat(psi.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(psi.conventions()).containsEntry("mode", "approximate");
    assertThat(result(approximate, "tvd").score()).isGreaterThan(0.2).isLessThanOrEqualTo(0.5);
    // Past the top-k only a lower bound of the new categories is known: at least one per hash
    // bucket with current values and no reference value (an independent Python MurmurHash3: 513).
    assertThat(check(approximate, "new_categories").value()).isEqualTo(513.0);
    assertThat(check(approximate, "new_categories").failed()).isTrue();
    assertThat(jsonCheck(approximate, "new_categories").get("result").asText())
        .isEqualTo("failed");
    assertThat(jsonCheck(exact, "new_categories").get("result").asText()).isEqualTo("failed");

    // The same distribution from capped profiles: no bucket tells a category apart, so the
    // category checks are not computable, never passed, in drift.json and drift.html alike.
    IngestJob.ingest(lake, "same", levels(spark, 0, 20_000), "b0", "run");
    DriftRun same = DriftJob.run(lake, ref, Optional.of(TableRef.parse("same@0")),
        Optional.of(dir.resolve("r3")), "r3",
        Optional.of(DriftSettings.StatisticsMode.APPROXIMATE));
    assertThat(check(same, "new_categories").notComputable()).isTrue();
    assertThat(jsonCheck(same, "new_categories").get("result").asText())
        .isEqualTo("not computable");
    assertThat(jsonCheck(same, "vanished_categories").get("result").asText())
        .isEqualTo("not computable");
    assertThat(Files.readString(same.htmlFile().localPath())).contains("not computable");
    assertThat(same.report().status()).isEqualTo(RunStatus.INCOMPLETE);
  }

  /**
   * A profiles table from before category buckets: its capped profile cannot compare past the
   * top-k, so it is profiled again, and the save adds the column.
   */
  @Test
  void cappedProfilesStoredBeforeBucketsAreProfiledAgain(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", levels(spark, 0, 0), "b0", "run");
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p0").source())
        .isEqualTo(ProfileStore.Source.SCANNED);

    Path legacyDir = Files.createDirectories(dir.resolve("legacy"));
    Lake legacy = TestLakes.lake(legacyDir);
    IngestJob.ingest(legacy, "t", levels(spark, 0, 0), "b0", "run");
    // Same table id needed for reuse: copy the rows under the legacy table's id.
    String id = legacy.tableId("t");
    spark.read().format("delta").load(lake.path("profiles")).drop("category_buckets")
        .withColumn("table_id", lit(id))
        .write().format("delta").save(legacy.path("profiles"));
    ProfileStore.Profiles again = ProfileJob.profile(legacy, TableRef.parse("t@0"), "p1");
    assertThat(again.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(((CategoricalProfile) again.profiles().get("c")).buckets()).isNotNull();
    ProfileStore.Profiles stored = ProfileJob.profile(legacy, TableRef.parse("t@0"), "p2");
    assertThat(stored.source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(java.util.Arrays.stream(
        ((CategoricalProfile) stored.profiles().get("c")).buckets()).sum()).isEqualTo(10_000);
  }
}
