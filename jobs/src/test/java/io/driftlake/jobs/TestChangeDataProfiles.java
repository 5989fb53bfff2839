package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.estimate.HistogramKs;
import io.driftlake.drift.estimate.HistogramWasserstein;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.Sketches;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import io.driftlake.jobs.profile.ProfileStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental profiles across DELETE, UPDATE and MERGE: the stored profile plus the rows the
 * change data feed inserted, minus those it deleted, equals a full profile of the new version
 * (every count, bin and category), and drift from it equals drift from a full scan.
 */
@ExtendWith(LocalSpark.class)
class TestChangeDataProfiles {
  private static final StructType SCHEMA = new StructType()
      .add("customer_id", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("colour", DataTypes.StringType).add("defaulted", DataTypes.IntegerType);
  private static final List<FeatureSpec> FEATURES = List.of(
      new FeatureSpec("x", FeatureType.NUMERIC), new FeatureSpec("colour", FeatureType.CATEGORICAL));

  /**
   * Rows k{from}..k{to−1}: x = i / 2 (null every 97th; multiples of 0.5 below 2^53, so every sum
   * and sum of squares is exact in any order, and a full profile's sums are reproducible), colour
   * r/g/b (null every 50th). From 512 on a fine bin holds 8 such values, from 128 on 2, below 64
   * one.
   */
  private static Dataset<Row> rows(SparkSession spark, int from, int to, String colour) {
    List<Row> out = new ArrayList<>();
    String[] palette = {"r", "g", "b"};
    for (int i = from; i < to; i++) {
      out.add(RowFactory.create("k" + i, i % 97 == 0 ? null : i / 2.0,
          i % 50 == 0 ? null : colour != null ? colour : palette[i % 3], i % 2));
    }
    return spark.createDataFrame(out, SCHEMA);
  }

  /** The full profile of a version, from one scan of its snapshot. */
  private static Map<String, FeatureProfile> full(Lake lake, long version) {
    return new DriftAnalysis(lake.settings().drift())
        .profile(lake.read(lake.resolve(TableRef.parse("t@" + version))), FEATURES);
  }

  /** Every count and bin equal, sums included (exact here); the HLL sketch estimates alike. */
  private static void assertSameAsFull(ProfileStore.Profiles incremental,
                                       Map<String, FeatureProfile> full) {
    NumericProfile x = (NumericProfile) incremental.profiles().get("x");
    NumericProfile fx = (NumericProfile) full.get("x");
    assertThat(x).usingRecursiveComparison().isEqualTo(fx);
    CategoricalProfile c = (CategoricalProfile) incremental.profiles().get("colour");
    CategoricalProfile fc = (CategoricalProfile) full.get("colour");
    assertThat(c).usingRecursiveComparison().ignoringFields("distinctSketch").isEqualTo(fc);
    assertThat(Sketches.hllEstimate(c.distinctSketch()))
        .isEqualTo(Sketches.hllEstimate(fc.distinctSketch()));
  }

  private static String table(Lake lake) {
    return "delta.`" + lake.path("t") + "`";
  }

  @Test
  void deletesUpdatesAndMergesAreProfiledFromTheChangeDataFeed(SparkSession spark,
                                                               @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", rows(spark, 0, 1200, null), "b0", "run");
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p0").source())
        .isEqualTo(ProfileStore.Source.SCANNED);

    // v1: an append, from the files it added (as before).
    IngestJob.ingest(lake, "t", rows(spark, 1200, 1260, "y"), "b1", "run");
    ProfileStore.Profiles v1 = ProfileJob.profile(lake, TableRef.parse("t@1"), "p1");
    assertThat(v1.detail())
        .isEqualTo("stored profiles of t@0 merged with 60 rows added by versions 1..1");
    assertSameAsFull(v1, full(lake, 1));

    // v2: a DELETE of whole single-value bins (x < 20), a null row, and 301 — inside its bin
    // [300, 302), whose min and max stay: exact without a scan.
    spark.sql("DELETE FROM " + table(lake)
        + " WHERE x < 20 OR x = 301.0 OR customer_id = 'k97'");
    ProfileStore.Profiles v2 = ProfileJob.profile(lake, TableRef.parse("t@2"), "p2");
    assertThat(v2.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v2.detail()).isEqualTo("stored profiles of t@1 plus 0 rows inserted and minus "
        + "41 rows deleted by versions 2..2");
    assertThat(v2.rows()).isEqualTo(1260 - 41);
    // The deleted rows are read from the feed's own change files, a plain Parquet scan.
    assertThat(lake.changes("t", 2, 2).orElseThrow().deleted().orElseThrow().queryExecution()
        .executedPlan().toString()).doesNotContain("DeltaCDFRelation").contains("_change_data");
    assertSameAsFull(v2, full(lake, 2));

    // v3: an UPDATE moving 150.5, the max of its bin [150, 151): the bin keeps one value, its
    // exact min 150, so its max is known again; colour subtracts exactly. No scan.
    spark.sql("UPDATE " + table(lake) + " SET x = x + 1000, colour = 'u' "
        + "WHERE customer_id IN ('k301', 'k601')");
    ProfileStore.Profiles v3 = ProfileJob.profile(lake, TableRef.parse("t@3"), "p3");
    assertThat(v3.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v3.detail()).isEqualTo("stored profiles of t@2 plus 2 rows inserted and minus 2 "
        + "rows deleted by versions 3..3");
    assertSameAsFull(v3, full(lake, 3));

    // v4: a MERGE that rewrites the colour and label of rows whose x stays (the min of bin
    // [500, 502) among them: its old and new copy cancel) and inserts new rows.
    spark.createDataFrame(List.of(
        RowFactory.create("k1000", 500.0, "m", 1), RowFactory.create("k1003", 501.5, "m", 0),
        RowFactory.create("k1101", 550.5, null, 1), RowFactory.create("new1", 700.25, "n", 0),
        RowFactory.create("new2", null, "n", 1)), SCHEMA).createOrReplaceTempView("source");
    spark.sql("MERGE INTO " + table(lake) + " t USING source s ON t.customer_id = s.customer_id "
        + "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    ProfileStore.Profiles v4 = ProfileJob.profile(lake, TableRef.parse("t@4"), "p4");
    assertThat(v4.detail()).isEqualTo("stored profiles of t@3 plus 5 rows inserted and minus 3 "
        + "rows deleted by versions 4..4");
    assertSameAsFull(v4, full(lake, 4));

    // Several versions at once, from the first stored one: v0 + (v1..v4).
    ProfileStore store = new ProfileStore(lake, new DriftAnalysis(lake.settings().drift()),
        lake.settings().drift().profile());
    lake.spark().sql("DELETE FROM delta.`" + lake.path(lake.settings().tables().profiles())
        + "` WHERE version > 0");
    ProfileStore.Profiles span = store.profiles(lake.resolve(TableRef.parse("t@4")), FEATURES);
    assertThat(span.detail()).startsWith("stored profiles of t@0 plus 67 rows inserted and minus "
        + "46 rows deleted by versions 1..4");
    assertSameAsFull(span, full(lake, 4));

    // Drift from the incremental profile equals drift from one scan of each side, in approximate
    // mode, where every statistic comes from the profiles alone.
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
        Optional.of(TableRef.parse("t@4")), Optional.of(dir.resolve("r")), "d4",
        Optional.of(DriftSettings.StatisticsMode.APPROXIMATE));
    assertThat(run.currentProfiles().source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    List<FeatureDrift> scanned = new DriftAnalysis(lake.settings().drift()
        .withStatisticsMode(DriftSettings.StatisticsMode.APPROXIMATE)).analyse(
        lake.read(lake.resolve(TableRef.parse("t@0"))),
        lake.read(lake.resolve(TableRef.parse("t@4"))), FEATURES).report().features();
    assertThat(run.report().features()).hasSameSizeAs(scanned);
    for (int i = 0; i < scanned.size(); i++) {
      FeatureDrift a = run.report().features().get(i);
      FeatureDrift b = scanned.get(i);
      assertThat(a.feature()).isEqualTo(b.feature());
      assertThat(a.verdict()).isEqualTo(b.verdict());
      assertThat(a.results()).hasSameSizeAs(b.results());
      for (int j = 0; j < b.results().size(); j++) {
        MethodResult r = a.results().get(j);
        MethodResult s = b.results().get(j);
        assertThat(r.method()).isEqualTo(s.method());
        assertThat(r.score()).as(a.feature() + " " + r.method()).isEqualTo(s.score());
        assertThat(r.pValue()).as(a.feature() + " " + r.method()).isEqualTo(s.pValue());
        assertThat(r.verdict()).isEqualTo(s.verdict());
        assertThat(r.conventions()).isEqualTo(s.conventions());
      }
    }

    // v5: a label correction: rows rewritten with the same features cancel, even where they
    // held fine bins' mins and maxes ([500, 504) and others lose and regain every value).
    spark.sql("UPDATE " + table(lake) + " SET defaulted = 1 - defaulted "
        + "WHERE x >= 500 AND x < 520");
    ProfileStore.Profiles v5 = ProfileJob.profile(lake, TableRef.parse("t@5"), "p5");
    assertThat(v5.detail()).isEqualTo("stored profiles of t@4 plus 0 rows inserted and minus 0 "
        + "rows deleted by versions 5..5");
    assertSameAsFull(v5, full(lake, 5));
  }

  /**
   * Every count, bin count, sum, null and category equal to a full profile's; each bin's min and
   * max equal where the incremental profile says they are exact, else a bound of the full one's
   * (min ≤, max ≥); the feature's min and max equal.
   */
  private static void assertBoundsOfFull(ProfileStore.Profiles incremental,
                                         Map<String, FeatureProfile> full) {
    NumericProfile x = (NumericProfile) incremental.profiles().get("x");
    NumericProfile fx = (NumericProfile) full.get("x");
    assertThat(x).usingRecursiveComparison().ignoringFields("bins").isEqualTo(fx);
    assertThat(x.bins().keySet()).isEqualTo(fx.bins().keySet());
    fx.bins().forEach((k, f) -> {
      NumericProfile.Bin b = x.bins().get(k);
      assertThat(b.count()).as("bin %d", k).isEqualTo(f.count());
      assertThat(b.sum()).as("bin %d", k).isEqualTo(f.sum()); // multiples of 0.25: exact
      assertThat(b.sumSquares()).as("bin %d", k).isEqualTo(f.sumSquares());
      assertThat(b.min()).as("bin %d", k).isLessThanOrEqualTo(f.min());
      assertThat(b.max()).as("bin %d", k).isGreaterThanOrEqualTo(f.max());
      if (b.minExact()) {
        assertThat(b.min()).as("bin %d", k).isEqualTo(f.min());
      }
      if (b.maxExact()) {
        assertThat(b.max()).as("bin %d", k).isEqualTo(f.max());
      }
    });
    assertThat(x.min()).isEqualTo(fx.min());
    assertThat(x.max()).isEqualTo(fx.max());
    CategoricalProfile c = (CategoricalProfile) incremental.profiles().get("colour");
    CategoricalProfile fc = (CategoricalProfile) full.get("colour");
    assertThat(c).usingRecursiveComparison().ignoringFields("distinctSketch").isEqualTo(fc);
  }

  /** The fine bins of 'x' whose min or max is only a bound. */
  private static long bounded(ProfileStore.Profiles profiles) {
    return ((NumericProfile) profiles.profiles().get("x")).boundedBins();
  }

  /**
   * A DELETE, an UPDATE and a MERGE that take away bins' smallest and largest values: the bins
   * keep them as bounds and nothing is scanned again; only taking away the feature's own min
   * does. Exact drift from such a profile equals drift from a full scan, approximate drift's
   * error bounds hold the exact values, and the bounds survive the profiles table (also one
   * written before they existed).
   */
  @Test
  void binExtremesTakenAwayStayAsBoundsWithoutAScan(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    // x = 300 … 599.5: fine bins of 4 values ([300, 302), …) below 512, of 8 from 512 on.
    IngestJob.ingest(lake, "t", rows(spark, 600, 1200, null), "b0", "run");
    ProfileJob.profile(lake, TableRef.parse("t@0"), "p0");

    // v1: a DELETE of the min of [400, 402), the max of [450, 452) and both of [520, 524).
    spark.sql("DELETE FROM " + table(lake) + " WHERE x IN (400.0, 451.5, 520.0, 523.5)");
    ProfileStore.Profiles v1 = ProfileJob.profile(lake, TableRef.parse("t@1"), "p1");
    assertThat(v1.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v1.detail()).isEqualTo("stored profiles of t@0 plus 0 rows inserted and minus 4 "
        + "rows deleted by versions 1..1; fine bins keeping a bound of their min or max, not the "
        + "value itself: 'x' 3");
    assertBoundsOfFull(v1, full(lake, 1));

    // v2: an UPDATE moving the min of [410, 412) within its bin (410 → 410.25) and the max of
    // [460, 462) far up (a new feature max, exact: it is inserted).
    spark.sql("UPDATE " + table(lake) + " SET x = CASE WHEN x = 410.0 THEN 410.25 ELSE 9000.0 "
        + "END WHERE x IN (410.0, 461.5)");
    ProfileStore.Profiles v2 = ProfileJob.profile(lake, TableRef.parse("t@2"), "p2");
    assertThat(v2.detail()).isEqualTo("stored profiles of t@1 plus 2 rows inserted and minus 2 "
        + "rows deleted by versions 2..2; fine bins keeping a bound of their min or max, not the "
        + "value itself: 'x' 5");
    assertBoundsOfFull(v2, full(lake, 2));
    assertThat(((NumericProfile) v2.profiles().get("x")).max()).isEqualTo(9000.0);

    // v3: a MERGE rewriting the max of [560, 564) and inserting a row.
    spark.createDataFrame(List.of(RowFactory.create("k1127", 3.25, "m", 1),
        RowFactory.create("new1", 470.75, "n", 0)), SCHEMA).createOrReplaceTempView("source");
    spark.sql("MERGE INTO " + table(lake) + " t USING source s ON t.customer_id = s.customer_id "
        + "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    ProfileStore.Profiles v3 = ProfileJob.profile(lake, TableRef.parse("t@3"), "p3");
    assertThat(v3.detail()).isEqualTo("stored profiles of t@2 plus 2 rows inserted and minus 1 "
        + "rows deleted by versions 3..3; fine bins keeping a bound of their min or max, not the "
        + "value itself: 'x' 6");
    Map<String, FeatureProfile> full3 = full(lake, 3);
    assertBoundsOfFull(v3, full3);

    // Exact drift (the default mode) from the bounded profile, read back from the profiles
    // table, equals drift from full scans.
    DriftRun exact = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
        Optional.of(TableRef.parse("t@3")), Optional.of(dir.resolve("r")), "d3", Optional.empty());
    assertThat(exact.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    NumericProfile x3 = (NumericProfile) exact.currentProfiles().profiles().get("x");
    assertThat(x3).usingRecursiveComparison().isEqualTo(v3.profiles().get("x"));
    List<FeatureDrift> scanned = new DriftAnalysis(lake.settings().drift()).analyse(
        lake.read(lake.resolve(TableRef.parse("t@0"))),
        lake.read(lake.resolve(TableRef.parse("t@3"))), FEATURES).report().features();
    assertSameDrift(exact.report().features(), scanned);
    // Approximate KS and W1 from the same profiles: their error bounds hold the exact values.
    NumericProfile x0 = (NumericProfile) exact.referenceProfiles().profiles().get("x");
    Map<String, MethodResult> byMethod = new java.util.HashMap<>();
    scanned.stream().filter(f -> f.feature().equals("x")).findFirst().orElseThrow().results()
        .forEach(r -> byMethod.put(r.method(), r));
    Estimate ks = HistogramKs.approximate(x0, x3);
    assertThat(ks.errorBound()).isPositive();
    assertThat(Math.abs(ks.value() - byMethod.get("ks").score()))
        .isLessThanOrEqualTo(ks.errorBound());
    Estimate w1 = HistogramWasserstein.approximate(x0, x3);
    assertThat(Math.abs(w1.value()
        - Double.parseDouble(byMethod.get("wasserstein").conventions().get("w1"))))
        .isLessThanOrEqualTo(w1.errorBound() * (1 + 1e-12));

    // A profiles table from before bin bounds: its rows read as exact, the next save adds the
    // column, and a bounded profile saved to it reads back with its bounds.
    String profiles = lake.path(lake.settings().tables().profiles());
    // (Only its full profile of v0 stays: an old table's rows never have bounds.)
    spark.read().format("delta").load(profiles).drop("bin_bounds").where("version = 0")
        .write().format("delta").mode("overwrite").option("overwriteSchema", "true")
        .save(profiles);
    ProfileStore.Profiles again = ProfileJob.profile(lake, TableRef.parse("t@3"), "p3c");
    assertThat(again.detail()).startsWith("stored profiles of t@0 plus 4 rows inserted and minus "
        + "7 rows deleted by versions 1..3; fine bins keeping a bound");
    assertBoundsOfFull(again, full3);
    assertThat(bounded(again)).isEqualTo(6);
    ProfileStore.Profiles reread = ProfileJob.profile(lake, TableRef.parse("t@3"), "p3d");
    assertThat(reread.source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(reread.profiles().get("x")).usingRecursiveComparison()
        .isEqualTo(again.profiles().get("x"));

    // v4: a DELETE of the feature's own min (3.25) and of the next one (300, with 300.5 … 301.5
    // left in its bin): only the data knows the new min, so 'x' alone is profiled again.
    spark.sql("DELETE FROM " + table(lake) + " WHERE x IN (3.25, 300.0)");
    ProfileStore.Profiles v4 = ProfileJob.profile(lake, TableRef.parse("t@4"), "p4");
    assertThat(v4.detail()).isEqualTo("stored profiles of t@3 plus 0 rows inserted and minus 2 "
        + "rows deleted by versions 4..4; 1 of 2 features profiled again in one scan (the removed "
        + "rows held the smallest value of 'x')");
    assertSameAsFull(v4, full(lake, 4));
  }

  /** The same features, methods, scores, p-values, verdicts and conventions. */
  private static void assertSameDrift(List<FeatureDrift> actual, List<FeatureDrift> scanned) {
    assertThat(actual).hasSameSizeAs(scanned);
    for (int i = 0; i < scanned.size(); i++) {
      FeatureDrift a = actual.get(i);
      FeatureDrift b = scanned.get(i);
      assertThat(a.feature()).isEqualTo(b.feature());
      assertThat(a.verdict()).isEqualTo(b.verdict());
      assertThat(a.results()).hasSameSizeAs(b.results());
      for (int j = 0; j < b.results().size(); j++) {
        MethodResult r = a.results().get(j);
        MethodResult s = b.results().get(j);
        assertThat(r.method()).isEqualTo(s.method());
        assertThat(r.score()).as(a.feature() + " " + r.method()).isEqualTo(s.score());
        assertThat(r.pValue()).as(a.feature() + " " + r.method()).isEqualTo(s.pValue());
        assertThat(r.verdict()).isEqualTo(s.verdict());
        assertThat(r.conventions()).isEqualTo(s.conventions());
      }
    }
  }

  /**
   * A table created with Delta column mapping (a column name with a space) has no change data
   * feed: after a DELETE its snapshot is profiled in full, never subtracted from a guess.
   */
  @Test
  void aTableWithoutTheChangeDataFeedIsProfiledInFullAfterADelete(SparkSession spark,
                                                                 @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", rows(spark, 0, 100, null).withColumnRenamed("x", "x y"), "b0",
        "run");
    assertThat(lake.history("t").select("version").count()).isEqualTo(1);
    ProfileJob.profile(lake, TableRef.parse("t@0"), "p0");
    spark.sql("DELETE FROM " + table(lake) + " WHERE customer_id = 'k3'");
    assertThat(lake.changes("t", 1, 1)).isEmpty();
    ProfileStore.Profiles v1 = ProfileJob.profile(lake, TableRef.parse("t@1"), "p1");
    assertThat(v1.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(v1.rows()).isEqualTo(99);
  }
}
