package io.driftlake.jobs;

import static io.driftlake.jobs.TestDriftAndTrainJobs.tiny;
import static io.driftlake.jobs.TestDriftChecksAndHtml.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.profile.Sketches;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.apache.datasketches.kll.KllSketch;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift job on bad or awkward input — unknown tables and versions, empty selections, a
 * removed column, no shared feature — what its history table holds under Delta time travel, and
 * the stored sketches read by Spark SQL.
 *
 * <p>Most tests only read one shared lake ({@link #fixture()}), built on first use, so the order
 * they run in does not matter: each Spark write costs seconds. {@code DriftJob.main} is not
 * called: it closes the SparkSession, which every test class in this JVM shares; the tests give
 * {@code DriftJob.run} the selections parsed as {@code main} parses --reference and --current.
 */
@ExtendWith(LocalSpark.class)
class TestDriftBadInput {
  private static final String[] SIDES = {"run_id", "reference_table", "reference_version",
      "reference_selection", "reference_rows", "current_table", "current_version",
      "current_selection", "current_rows"};

  @TempDir
  static Path sharedDir;
  private static Fixture fixture;

  /**
   * Table t with KLL sketches on: version 0 has 3000 rows (x ~ N(50, 10); colour 1500 distinct
   * values, more than the 1000 a profile counts exactly), version 1 appends 500 (x ~ N(60, 10);
   * colour 300 new values), version 2 is an OPTIMIZE (no rows added). The profile job stored
   * version 0 (one scan) and version 1 (incrementally: merged sketches). Then two drift runs on
   * empty selections: the rows version 2 added, and a filter that matches nothing.
   */
  private record Fixture(Lake lake, double[] v0x, double[] v1x, DriftRun added,
                         DriftRun filtered) {}

  private static synchronized Fixture fixture() {
    if (fixture == null) {
      Lake lake = new Lake(LocalSpark.session(),
          TestLakes.settings(sharedDir, "driftlake.drift.profile.kll = true\n"));
      Random random = new Random(7);
      double[] v0x = IntStream.range(0, 3000).mapToDouble(i -> 50 + 10 * random.nextGaussian())
          .toArray();
      double[] v1x = IntStream.range(0, 500).mapToDouble(i -> 60 + 10 * random.nextGaussian())
          .toArray();
      IngestJob.ingest(lake, "t", tiny(lake.spark(), v0x,
          IntStream.range(0, 3000).mapToObj(i -> "c" + i % 1500).toArray(String[]::new)),
          "b0", "run");
      IngestJob.ingest(lake, "t", tiny(lake.spark(), v1x,
          IntStream.range(0, 500).mapToObj(i -> "d" + i % 300).toArray(String[]::new)),
          "b1", "run");
      lake.spark().sql("OPTIMIZE delta.`" + lake.path("t") + "`");
      assertThat(lake.history("t").where("version = 2").select("operation").first().getString(0))
          .isEqualTo("OPTIMIZE");
      assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "profile-0").source())
          .isEqualTo(ProfileStore.Source.SCANNED);
      assertThat(ProfileJob.profile(lake, TableRef.parse("t@1"), "profile-1").source())
          .isEqualTo(ProfileStore.Source.INCREMENTAL);
      Path reports = sharedDir.resolve("reports");
      DriftRun added = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
          Optional.of(TableRef.parse("t@2:added")), Optional.of(reports.resolve("added")),
          "empty-added");
      DriftRun filtered = DriftJob.run(lake,
          Optional.of(TableRef.parse("t@1").where(Optional.of("x > 1e9"))),
          Optional.of(TableRef.parse("t@0")), Optional.of(reports.resolve("filtered")),
          "empty-filter");
      fixture = new Fixture(lake, v0x, v1x, added, filtered);
    }
    return fixture;
  }

  /** Each output table's latest version; empty when it does not exist. */
  private static Map<String, OptionalLong> outputVersions(Lake lake) {
    return Map.of("drift_results", lake.latestVersion("drift_results"),
        "drift_checks", lake.latestVersion("drift_checks"),
        "profiles", lake.latestVersion("profiles"));
  }

  /**
   * The drift job on these selections (as --reference and --current spell them) fails with
   * {@code message}, writing no table and no report.
   */
  private static void assertFails(Lake lake, Path dir, String reference, String current,
                                  String message) {
    Map<String, OptionalLong> before = outputVersions(lake);
    Path reports = dir.resolve("bad-reports");
    assertThatThrownBy(() -> DriftJob.run(lake, Optional.of(TableRef.parse(reference)),
        Optional.of(TableRef.parse(current)), Optional.of(reports), "bad-run"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThat(outputVersions(lake)).as("outputs after %s vs %s", reference, current)
        .isEqualTo(before);
    assertThat(reports).doesNotExist();
  }

  @Test
  void unknownTablesAndVersionsAreErrorsNamingThemAndWriteNothing(@TempDir Path dir) {
    // A lake without any table: the outputs stay absent.
    Lake empty = TestLakes.lake(dir);
    assertFails(empty, dir, "ref@0", "cur@0",
        "Table 'ref' does not exist (no Delta table at " + empty.path("ref") + ")");
    assertThat(outputVersions(empty)).allSatisfy((t, v) -> assertThat(v).as(t).isEmpty());

    // A lake whose outputs exist: they stay at their versions, whichever side is wrong.
    Lake lake = fixture().lake();
    assertThat(outputVersions(lake)).allSatisfy((t, v) -> assertThat(v).as(t).isPresent());
    assertFails(lake, dir, "t@0", "missing:added",
        "Table 'missing' does not exist (no Delta table at " + lake.path("missing") + ")");
    assertFails(lake, dir, "t@9", "t@1", "Table 't' has no version 9 (latest is 2)");
    assertFails(lake, dir, "t@0", "t@999", "Table 't' has no version 999 (latest is 2)");
    for (String bad : List.of("t@abc", "t@-1")) {
      assertFails(lake, dir, bad, "t@1", "Bad table selection '" + bad + "'; expected "
          + "NAME[@VERSION|@latest|@TIMESTAMP][:added], e.g. production@3:added or "
          + "production@2026-11-23T10:15:00Z");
    }
    assertFails(lake, dir, "t@0", "t@3:added", "Table 't' has no version 3 (latest is 2)");
  }

  /**
   * An empty selection — the rows an OPTIMIZE added (none), or a filter that matches nothing —
   * gives "not computable" results and checks with the reason, never NaN or infinity, in every
   * output; the dataset does not drift.
   */
  @Test
  void emptySelectionsAreNotComputableWithTheReason(SparkSession spark) throws Exception {
    Fixture f = fixture();
    assertThat(f.added().referenceRows()).isEqualTo(3000);
    assertThat(f.added().currentRows()).isZero();
    assertThat(f.added().current().selection()).isEqualTo("added");
    assertThat(f.added().referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(f.filtered().referenceRows()).isZero();
    assertThat(f.filtered().currentRows()).isEqualTo(3000);
    assertThat(f.filtered().reference().selection()).isEqualTo("snapshot where x > 1e9");

    // Each table read once (every Spark query costs), then each run's rows looked at.
    List<Row> results = spark.read().format("delta").load(f.lake().path("drift_results"))
        .collectAsList();
    List<Row> checks = spark.read().format("delta").load(f.lake().path("drift_checks"))
        .orderBy("feature", "check").collectAsList();
    for (DriftRun run : List.of(f.added(), f.filtered())) {
      boolean currentEmpty = run == f.added();
      String emptySide = currentEmpty ? "current" : "reference";
      String noValues = "not computable: the " + emptySide + " selection has no non-null values";
      assertThat(run.report().drifted()).isFalse();
      assertThat(run.report().status()).isEqualTo(RunStatus.NOT_COMPUTABLE);
      assertThat(run.report().reason()).isEqualTo("not computable: the " + (currentEmpty
          ? "current selection" : "reference") + " has 0 rows, fewer than "
          + "driftlake.drift.min-rows = 1");
      assertThat(run.report().features()).extracting(FeatureDrift::verdict)
          .containsOnly(Verdict.UNKNOWN);
      assertThat(run.report().features()).flatExtracting(FeatureDrift::results).hasSize(9)
          .allSatisfy(r -> {
            assertThat(r.score()).isNull();
            assertThat(r.pValue()).isNull();
            assertThat(r.drifted()).isFalse();
            assertThat(r.note()).isEqualTo(noValues);
          });

      assertThat(results).filteredOn(r -> r.getAs("run_id").equals(run.runId())).hasSize(9)
          .allSatisfy(r -> {
            assertThat(r.<Double>getAs("score")).isNull();
            assertThat(r.<Double>getAs("p_value")).isNull();
            assertThat(r.<Boolean>getAs("drifted")).isFalse();
            assertThat(r.<Double>getAs("reference_null_share")).isZero();
            assertThat(r.<Double>getAs("current_null_share")).isZero();
            assertThat(r.<String>getAs("note")).isEqualTo(noValues);
          });

      String noRows = "not computable: the " + emptySide + " selection has no rows";
      String checkNoValues = "not computable: the "
          + (currentEmpty ? "current selection" : "reference") + " has no non-null values";
      assertThat(checks).filteredOn(r -> r.getAs("run_id").equals(run.runId()))
          .extracting(r -> r.getAs("feature"), r -> r.getAs("check"), r -> r.getAs("value"),
              r -> r.getAs("failed"), r -> r.getAs("detail"))
          .containsExactly(
              tuple("colour", "new_categories", null, false, checkNoValues),
              tuple("colour", "null_share_change", null, false, noRows),
              tuple("colour", "vanished_categories", null, false, checkNoValues),
              tuple("x", "null_share_change", null, false, noRows),
              tuple("x", "out_of_range_share", null, false, currentEmpty ? checkNoValues
                  : "not computable: the reference has no non-null values, so no range"));

      String json = Files.readString(run.reportFile().localPath());
      assertThat(json).doesNotContain("NaN", "Infinity");
      assertThat(new ObjectMapper().readTree(json).get("features"))
          .flatExtracting(feature -> List.copyOf(feature.get("results").findValues("score")))
          .hasSize(9).allSatisfy(score -> assertThat(score.isNull()).isTrue());
      assertThat(Files.readString(run.htmlFile().localPath())).doesNotContain("NaN", "Infinity");
    }
  }

  /** drift_results is a Delta table: each run is one version, queryable with time travel. */
  @Test
  void driftResultsTimeTravelShowsEachRunWithTheSelectionsAsked(SparkSession spark) {
    Lake lake = fixture().lake();
    List<Row> first = spark.read().format("delta").option("versionAsOf", 0)
        .load(lake.path("drift_results")).selectExpr(SIDES).collectAsList();
    assertThat(first).hasSize(9) // x: 4 methods, colour: 5
        .extracting(this::sides).containsOnly(
            tuple("empty-added", "t", 0L, "snapshot", 3000L, "t", 2L, "added", 0L));

    List<Row> both = spark.read().format("delta").option("versionAsOf", 1)
        .load(lake.path("drift_results")).selectExpr(SIDES).collectAsList();
    assertThat(both).hasSize(18).extracting(this::sides).containsOnly(
        tuple("empty-added", "t", 0L, "snapshot", 3000L, "t", 2L, "added", 0L),
        tuple("empty-filter", "t", 1L, "snapshot where x > 1e9", 0L, "t", 0L, "snapshot",
            3000L));
    assertThat(both).filteredOn(r -> r.getAs("run_id").equals("empty-filter")).hasSize(9);
  }

  private org.assertj.core.groups.Tuple sides(Row r) {
    return tuple(IntStream.range(0, SIDES.length).mapToObj(r::get).toArray());
  }

  /** Share of {@code sorted} at or below {@code q}: the normalized rank of q in the data. */
  private static double rank(double[] sorted, double q) {
    int i = Arrays.binarySearch(sorted, q);
    return (double) (i >= 0 ? i + 1 : -i - 1) / sorted.length; // the values are distinct
  }

  /**
   * docs/BENCHMARK.md ("Spark's own sketches"): the stored sketches are in Spark's own formats.
   * Spark's SQL functions read them straight from the profiles table, for a scanned profile
   * (version 0) and a merged one (1).
   */
  @Test
  void storedSketchesAreReadBySparkSqlFunctions(SparkSession spark) {
    Fixture f = fixture();
    Dataset<Row> stored = spark.read().format("delta").load(f.lake().path("profiles"))
        .where("`table` = 't' AND selection = 'snapshot'");

    // KLL: each quantile's rank in the data is within the sketch's rank error (DataSketches'
    // bound for one quantile at 99 % confidence; twice that, so that the randomised compaction
    // never makes the test flaky).
    double rankError = KllSketch.getNormalizedRankError(f.lake().settings().drift().profile()
        .kllK(), false);
    assertThat(rankError).isCloseTo(0.0133, within(1e-4)); // k = 200
    List<Row> kll = stored.where("feature = 'x'").orderBy("version").selectExpr("version",
            "kll_sketch_get_n_double(kll)", "kll_sketch_get_quantile_double(kll, 0.1)",
            "kll_sketch_get_quantile_double(kll, 0.5)", "kll_sketch_get_quantile_double(kll, 0.9)")
        .collectAsList();
    assertThat(kll).extracting(r -> r.getLong(0), r -> r.getLong(1))
        .containsExactly(tuple(0L, 3000L), tuple(1L, 3500L));
    double[][] sorted = {DoubleStream.of(f.v0x()).sorted().toArray(),
        DoubleStream.concat(DoubleStream.of(f.v0x()), DoubleStream.of(f.v1x())).sorted()
            .toArray()};
    double[] ranks = {0.1, 0.5, 0.9};
    for (int v = 0; v < 2; v++) {
      for (int j = 0; j < ranks.length; j++) {
        double q = kll.get(v).getDouble(2 + j);
        assertThat(rank(sorted[v], q)).as("version %d, rank %s: quantile %s", v, ranks[j], q)
            .isCloseTo(ranks[j], within(2 * rankError));
      }
    }

    // HLL: colour has more distinct values than a profile counts (1000), so only the sketch
    // knows how many: within 3 standard errors (1.04 / sqrt(2^12) = 1.6 %) of the exact count.
    double standardError = 1.04 / Math.sqrt(1 << Sketches.HLL_LG_K);
    List<Row> hll = stored.where("feature = 'colour'").orderBy("version").selectExpr("version",
        "hll_sketch_estimate(hll)", "size(categories)", "other_count > 0").collectAsList();
    assertThat(hll).extracting(r -> r.getLong(0), r -> r.getInt(2), r -> r.getBoolean(3))
        .containsExactly(tuple(0L, 1000, true), tuple(1L, 1000, true));
    assertThat((double) hll.get(0).getLong(1)).isCloseTo(1500, withinPercentage(
        300 * standardError));
    assertThat((double) hll.get(1).getLong(1)).isCloseTo(1800, withinPercentage(
        300 * standardError));
    // Spark's own sketch of the same values (same lg_k and type) has the same estimate, and its
    // union with the stored one adds nothing: the profile hashed the values as Spark does.
    Row spark0 = spark.read().format("delta").option("versionAsOf", 0).load(f.lake().path("t"))
        .selectExpr("hll_sketch_agg(colour, 12) AS own")
        .crossJoin(stored.where("feature = 'colour' AND version = 0").select("hll"))
        .selectExpr("hll_sketch_estimate(own)", "hll_sketch_estimate(hll_union(own, hll))")
        .first();
    assertThat(spark0.getLong(0)).isEqualTo(hll.get(0).getLong(1));
    assertThat(spark0.getLong(1)).isEqualTo(hll.get(0).getLong(1));
  }

  @Test
  void aRemovedColumnIsACheckRowAndNoSharedFeatureIsAnError(SparkSession spark,
                                                            @TempDir Path dir) throws Exception {
    // The deployment's settings name x, which this run no longer compares, and a column of
    // another table: neither is an error.
    Lake lake = new Lake(spark, TestLakes.settings(dir, """
        driftlake.drift.features.x.critical = true
        driftlake.drift.checks.features.prediction.out-of-range-share = 0.2
        """));
    double[] xs = IntStream.range(0, 20).mapToDouble(i -> i).toArray();
    String[] colours = IntStream.range(0, 20).mapToObj(i -> i % 2 == 0 ? "r" : "g")
        .toArray(String[]::new);
    IngestJob.ingest(lake, "ref", tiny(spark, xs, colours), "b0", "run");
    // Current: x is gone; colour has a third value.
    StructType noX = new StructType().add("customer_id", DataTypes.StringType)
        .add("colour", DataTypes.StringType).add("defaulted", DataTypes.IntegerType);
    IngestJob.ingest(lake, "cur", rows(spark, noX, IntStream.range(0, 20)
        .mapToObj(i -> new Object[] {"k" + i, i < 10 ? "r" : i < 15 ? "g" : "b", i % 2})
        .toList()), "b0", "run");

    Path reports = dir.resolve("reports");
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("ref@0")),
        Optional.of(TableRef.parse("cur@0")), Optional.of(reports), "removed-run");

    assertThat(run.schema().onlyInReference()).containsExactly("x");
    assertThat(run.report().features()).extracting(FeatureDrift::feature)
        .containsExactly("colour");
    List<MethodResult> colour = run.report().features().get(0).results();
    assertThat(colour).extracting(MethodResult::method, MethodResult::computable)
        .containsExactly(tuple("psi", true), tuple("js", true), tuple("chi2", true),
            tuple("tvd", true), tuple("linf", true));
    // r .5 → .5, g .5 → .25, b 0 → .25
    assertThat(colour.get(3).score()).isCloseTo(0.25, within(1e-12));
    Dataset<Row> checks = spark.read().format("delta").load(lake.path("drift_checks"));
    assertThat(checks.orderBy("feature", "check").collectAsList()).extracting(
            r -> r.getAs("feature"), r -> r.getAs("check"), r -> r.getAs("value"),
            r -> r.getAs("failed"))
        .containsExactly(
            tuple("colour", "new_categories", 1.0, true),
            tuple("colour", "null_share_change", 0.0, false),
            tuple("colour", "vanished_categories", 0.0, false),
            tuple("x", "column_removed", null, true));
    assertThat(checks.where("check = 'column_removed'").first().<String>getAs("detail"))
        .isEqualTo("column 'x' (double) is only in the reference");
    assertThat(spark.read().format("delta").load(lake.path("drift_results"))
        .select("feature").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactly("colour");
    JsonNode json = new ObjectMapper().readTree(reports.resolve("drift.json").toFile());
    assertThat(json.get("schema").get("only_in_reference")).extracting(JsonNode::asText)
        .containsExactly("x");
    assertThat(json.get("checks").get(0).get("check").asText()).isEqualTo("column_removed");
    assertThat(Files.readString(reports.resolve("drift.html"))).contains("column_removed")
        .doesNotContain("id=\"feature-x\"", "NaN", "Infinity");

    // Nothing left to compare: in "ids" x is a string and colour is missing.
    StructType idsOnly = new StructType().add("customer_id", DataTypes.StringType)
        .add("x", DataTypes.StringType).add("defaulted", DataTypes.IntegerType);
    IngestJob.ingest(lake, "ids", rows(spark, idsOnly, List.<Object[]>of(
        new Object[] {"k0", "1", 0}, new Object[] {"k1", "2", 1})), "b0", "run");
    assertFails(lake, dir, "ref@0", "ids", "No shared feature columns between ref@0 and ids@0");
  }
}
