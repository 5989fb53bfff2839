package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.Sketches;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.io.Lake;
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

    // v3: an UPDATE moving 150.5, the max of its bin [150, 151): x cannot subtract and is
    // profiled again from the snapshot; colour subtracts exactly.
    spark.sql("UPDATE " + table(lake) + " SET x = x + 1000, colour = 'u' "
        + "WHERE customer_id IN ('k301', 'k601')");
    ProfileStore.Profiles v3 = ProfileJob.profile(lake, TableRef.parse("t@3"), "p3");
    assertThat(v3.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v3.detail()).isEqualTo("stored profiles of t@2 plus 2 rows inserted and minus 2 "
        + "rows deleted by versions 3..3; 1 of 2 features profiled again in one scan (the "
        + "removed rows held the smallest or largest value of 1 fine bin of 'x')");
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
    DriftJob.DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
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
