package io.driftlake.drift.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.profile.Sketches;
import io.driftlake.drift.testing.LocalSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalSpark.class)
class TestSparkProfiler {
  /** Counts the stages that read input files: each is one scan of the data. */
  static final class ScanCounter extends SparkListener {
    final AtomicInteger scans = new AtomicInteger();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stage) {
      if (stage.stageInfo().taskMetrics().inputMetrics().recordsRead() > 0) {
        scans.incrementAndGet();
      }
    }
  }

  /**
   * Timestamps (with and without time zone) as epoch seconds, dates as epoch days, decimals as
   * doubles: the same numbers from Parquet's column vectors as from rows (a filter makes the
   * plan row-based).
   */
  @Test
  void instantsDatesAndDecimalsAreTheSameNumbersFromVectorsAndRows(SparkSession spark,
                                                                   @TempDir Path dir) {
    String path = dir.resolve("typed").toString();
    spark.sql("SELECT id, TIMESTAMP'2025-01-01 00:00:00.5 UTC' + make_interval(0, 0, 0, id) AS ts,"
        + " TIMESTAMP_NTZ'2025-01-01 00:00:00.25' + make_interval(0, 0, 0, id) AS local,"
        + " DATE'2025-01-02' + CAST(id AS INT) AS day, CAST(id + 0.25 AS DECIMAL(12, 2)) AS amount"
        + " FROM range(3)").write().parquet(path);
    List<FeatureSpec> features = List.of(new FeatureSpec("ts", FeatureType.NUMERIC),
        new FeatureSpec("local", FeatureType.NUMERIC), new FeatureSpec("day", FeatureType.NUMERIC),
        new FeatureSpec("amount", FeatureType.NUMERIC));
    assertThat(ColumnarScan.of(spark.read().parquet(path).select("ts", "local", "day", "amount"))
        .orElseThrow().kinds()).containsExactly(ColumnarScan.Kind.TIMESTAMP,
            ColumnarScan.Kind.TIMESTAMP, ColumnarScan.Kind.DATE, ColumnarScan.Kind.DECIMAL);
    assertThat(ColumnarScan.of(spark.read().parquet(path).where("id >= 0").select("ts")))
        .isEmpty();
    Map<String, FeatureProfile> vectors = SparkProfiler.profile(spark.read().parquet(path),
        features);
    Map<String, FeatureProfile> rows = SparkProfiler.profile(
        spark.read().parquet(path).where("id >= 0"), features);
    // 2025-01-01T00:00:00Z is 1735689600 s and day 20089 since the epoch; + id days.
    double[][] expected = {{1_735_689_600.5, 1_735_689_600.5 + 2 * 86_400},
        {1_735_689_600.25, 1_735_689_600.25 + 2 * 86_400}, {20_090, 20_092}, {0.25, 2.25}};
    for (int f = 0; f < features.size(); f++) {
      String name = features.get(f).name();
      for (Map<String, FeatureProfile> profiles : List.of(vectors, rows)) {
        NumericProfile p = (NumericProfile) profiles.get(name);
        assertThat(p.valid()).as(name).isEqualTo(3);
        assertThat(p.min()).as(name).isEqualTo(expected[f][0]);
        assertThat(p.max()).as(name).isEqualTo(expected[f][1]);
      }
      assertThat(rows.get(name)).as(name).isEqualTo(vectors.get(name));
    }
  }

  @Test
  void profilesEveryFeatureInOneScan(SparkSession spark, @TempDir Path dir) throws Exception {
    String path = dir.resolve("data").toString();
    spark.range(0, 20_000, 1, 4).selectExpr(
        "cast(id % 97 as double) as a", "id * 1.5 as b", "cast(id % 7 as int) as c",
        "cast(id % 13 as string) as d", "if(id % 2 = 0, 'even', null) as e")
        .write().parquet(path);
    Dataset<Row> data = spark.read().parquet(path);
    List<FeatureSpec> features = List.of(new FeatureSpec("a", FeatureType.NUMERIC),
        new FeatureSpec("b", FeatureType.NUMERIC), new FeatureSpec("c", FeatureType.NUMERIC),
        new FeatureSpec("d", FeatureType.CATEGORICAL), new FeatureSpec("e", FeatureType.CATEGORICAL));

    ScanCounter counter = new ScanCounter();
    spark.sparkContext().addSparkListener(counter);
    try {
      Map<String, FeatureProfile> profiles = SparkProfiler.profile(data, features);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(counter.scans.get()).isEqualTo(1);
      assertThat(profiles).containsOnlyKeys("a", "b", "c", "d", "e");
      assertThat(profiles.get("d").valid()).isEqualTo(20_000);
      assertThat(((CategoricalProfile) profiles.get("d")).counts()).hasSize(13);
      assertThat(profiles.get("e").nulls()).isEqualTo(10_000);
      NumericProfile b = (NumericProfile) profiles.get("b");
      assertThat(b.min()).isEqualTo(0.0);
      assertThat(b.max()).isEqualTo(19_999 * 1.5);
      assertThat(b.mean()).isEqualTo(19_999 * 1.5 / 2);
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
  }

  /**
   * Counts Spark jobs and the input records their stages read, leaving out the jobs Delta runs
   * to list a snapshot's files from its log (described "Delta: …"; they read no data file).
   */
  static final class JobCounter extends SparkListener {
    final AtomicInteger jobs = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong recordsRead =
        new java.util.concurrent.atomic.AtomicLong();
    private final java.util.Set<Integer> deltaStages =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
      String description = job.properties().getProperty("spark.job.description");
      if (description != null && description.startsWith("Delta: ")) {
        job.stageInfos().foreach(stage -> deltaStages.add(stage.stageId()));
      } else {
        jobs.incrementAndGet();
      }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stage) {
      if (!deltaStages.contains(stage.stageInfo().stageId())) {
        recordsRead.addAndGet(stage.stageInfo().taskMetrics().inputMetrics().recordsRead());
      }
    }
  }

  /**
   * Both sides of a drift, two versions of a Delta table in 6 files each (more partitions than
   * the driver merges, so partial profiles are merged by a shuffle), profiled for all their
   * features in ONE Spark job that reads every row once (beside the jobs in which Delta lists
   * each snapshot's files).
   */
  @Test
  void profilesTwoDeltaVersionsInOneJobReadingEachRowOnce(SparkSession spark, @TempDir Path dir)
      throws Exception {
    String path = dir.resolve("delta").toString();
    spark.range(0, 30_000, 1, 6).selectExpr("cast(id as double) * 0.5 as a", "cast(id % 11 as string) as d")
        .write().format("delta").save(path);
    spark.range(0, 18_000, 1, 6).selectExpr("cast(id as double) * 0.25 as a", "cast(id % 5 as string) as d")
        .write().format("delta").mode("overwrite").save(path);
    Dataset<Row> v0 = spark.read().format("delta").option("versionAsOf", 0).load(path);
    Dataset<Row> v1 = spark.read().format("delta").option("versionAsOf", 1).load(path);
    List<FeatureSpec> features = List.of(new FeatureSpec("a", FeatureType.NUMERIC),
        new FeatureSpec("d", FeatureType.CATEGORICAL));
    JobCounter counter = new JobCounter();
    spark.sparkContext().addSparkListener(counter);
    try {
      List<Map<String, FeatureProfile>> both = SparkProfiler.profileAll(List.of(v0, v1), features,
          new ProfileOptions(1000, false, 200));
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(counter.jobs.get()).isEqualTo(1);
      assertThat(counter.recordsRead.get()).isEqualTo(30_000 + 18_000);
      assertThat(both.get(0).get("a").valid()).isEqualTo(30_000);
      assertThat(((NumericProfile) both.get(0).get("a")).max()).isEqualTo(29_999 * 0.5);
      assertThat(((CategoricalProfile) both.get(0).get("d")).counts()).hasSize(11);
      assertThat(both.get(1).get("a").valid()).isEqualTo(18_000);
      assertThat(((NumericProfile) both.get(1).get("a")).max()).isEqualTo(17_999 * 0.25);
      assertThat(((CategoricalProfile) both.get(1).get("d")).counts()).containsOnlyKeys(
          "0", "1", "2", "3", "4");
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
  }

  @Test
  void countsNullsNanAndInfinitiesApart(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (Double v : new Double[] {1.0, null, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, -2.5, 0.0, -0.0}) {
      rows.add(org.apache.spark.sql.RowFactory.create(v));
    }
    Dataset<Row> data = spark.createDataFrame(rows, TestDriftAnalysis.numbers(spark).schema());
    NumericProfile x = (NumericProfile) SparkProfiler.profile(data,
        List.of(new FeatureSpec("x", FeatureType.NUMERIC))).get("x");
    assertThat(x.rows()).isEqualTo(8);
    assertThat(x.nulls()).isEqualTo(1);
    assertThat(x.nans()).isEqualTo(1);
    assertThat(x.positiveInfinities()).isEqualTo(1);
    assertThat(x.negativeInfinities()).isEqualTo(1);
    assertThat(x.valid()).isEqualTo(6);
    assertThat(x.mean()).isEqualTo((1.0 - 2.5) / 4);
    assertThat(x.bins().get(0L).count()).isEqualTo(2); // +0.0 and -0.0 share the zero bin
  }

  /**
   * Beyond max-categories a profile keeps the most frequent categories with their exact counts,
   * folds the rest into "other", and estimates the distinct count with its HLL sketch; totals
   * stay exact. Category i of 0..49 appears i + 1 times (1275 rows), in 4 partitions.
   */
  @Test
  void capsCategoriesToTheMostFrequentWithOtherAndADistinctSketch(SparkSession spark) {
    Dataset<Row> data = spark.range(0, 50, 1, 4)
        .selectExpr("explode(sequence(0, id)) as j", "concat('c', id) as colour")
        .select("colour").repartition(4);
    CategoricalProfile p = (CategoricalProfile) SparkProfiler.profile(data,
        List.of(new FeatureSpec("colour", FeatureType.CATEGORICAL)),
        new ProfileOptions(5, false, 200)).get("colour");
    assertThat(p.counts()).containsOnly(Map.entry("c49", 50L), Map.entry("c48", 49L),
        Map.entry("c47", 48L), Map.entry("c46", 47L), Map.entry("c45", 46L));
    assertThat(p.otherCount()).isEqualTo(1275 - (50 + 49 + 48 + 47 + 46));
    assertThat(p.valid()).isEqualTo(1275);
    assertThat(p.capped()).isTrue();
    assertThat(p.distinct()).isCloseTo(50, within(2.0)); // HLL, lg k = 12: exact at this size

    CategoricalProfile exact = (CategoricalProfile) SparkProfiler.profile(data,
        List.of(new FeatureSpec("colour", FeatureType.CATEGORICAL))).get("colour");
    assertThat(exact.counts()).hasSize(50);
    assertThat(exact.capped()).isFalse();
    assertThat(exact.distinct()).isEqualTo(50);
  }

  /** The optional KLL sketch: quantiles within its rank error of the exact ones. */
  @Test
  void kllSketchGivesQuantilesWithinItsRankError(SparkSession spark) {
    Dataset<Row> data = spark.range(0, 100_000, 1, 4).selectExpr("cast(id as double) as x");
    NumericProfile x = (NumericProfile) SparkProfiler.profile(data,
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)), new ProfileOptions(10, true, 200))
        .get("x");
    assertThat(x.kll()).isNotNull();
    // k = 200: normalized rank error < 1.65 %; values are their own ranks · 100 000
    assertThat(Sketches.kllQuantile(x.kll(), 0.5)).isCloseTo(50_000, within(1_650.0));
    assertThat(Sketches.kllQuantile(x.kll(), 0.9)).isCloseTo(90_000, within(1_650.0));
    NumericProfile without = (NumericProfile) SparkProfiler.profile(data,
        List.of(new FeatureSpec("x", FeatureType.NUMERIC))).get("x");
    assertThat(without.kll()).isNull();
  }

  /** Counts completed stages. */
  static final class StageCounter extends SparkListener {
    final AtomicInteger stages = new AtomicInteger();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stage) {
      stages.incrementAndGet();
    }
  }

  /**
   * A selection of a few partitions is merged on the driver (one stage), a larger one per
   * feature on the executors (a second, shuffle stage); both give the same profiles.
   */
  @Test
  void mergesFewPartitionsOnTheDriverAndManyOnTheExecutorsAlike(SparkSession spark)
      throws Exception {
    List<FeatureSpec> features = List.of(new FeatureSpec("x", FeatureType.NUMERIC),
        new FeatureSpec("colour", FeatureType.CATEGORICAL));
    ProfileOptions options = new ProfileOptions(5, false, 200);
    List<Map<String, FeatureProfile>> profiles = new ArrayList<>();
    List<Integer> stages = new ArrayList<>();
    for (int partitions : List.of(SparkProfiler.DRIVER_MERGE_PARTITIONS - 1,
        SparkProfiler.DRIVER_MERGE_PARTITIONS + 5)) {
      Dataset<Row> data = spark.range(0, 50, 1, 1)
          .selectExpr("explode(sequence(0, id)) as j", "concat('c', id) as colour")
          .selectExpr("if(j % 10 = 0, null, if(j % 10 = 1, double('NaN'), j * 0.37)) as x",
              "colour")
          .repartition(partitions);
      StageCounter counter = new StageCounter();
      spark.sparkContext().listenerBus().waitUntilEmpty();
      spark.sparkContext().addSparkListener(counter);
      try {
        profiles.add(SparkProfiler.profile(data, features, options));
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } finally {
        spark.sparkContext().removeSparkListener(counter);
      }
      stages.add(counter.stages.get());
    }
    // The repartition's own shuffle is one stage before the profile's.
    assertThat(stages).containsExactly(2, 3);
    NumericProfile few = (NumericProfile) profiles.get(0).get("x");
    NumericProfile many = (NumericProfile) profiles.get(1).get("x");
    assertThat(many.rows()).isEqualTo(few.rows()).isEqualTo(1275);
    assertThat(many.nulls()).isEqualTo(few.nulls());
    assertThat(many.nans()).isEqualTo(few.nans());
    // Same bins and counts; sums differ only by the order of addition.
    assertThat(many.bins().keySet()).isEqualTo(few.bins().keySet());
    few.bins().forEach((key, bin) -> {
      NumericProfile.Bin other = many.bins().get(key);
      assertThat(other.count()).isEqualTo(bin.count());
      assertThat(other.min()).isEqualTo(bin.min());
      assertThat(other.max()).isEqualTo(bin.max());
      assertThat(other.sum()).isCloseTo(bin.sum(), within(1e-12 * Math.abs(bin.sum())));
      assertThat(other.sumSquares()).isCloseTo(bin.sumSquares(),
          within(1e-12 * bin.sumSquares()));
    });
    CategoricalProfile fewColours = (CategoricalProfile) profiles.get(0).get("colour");
    CategoricalProfile manyColours = (CategoricalProfile) profiles.get(1).get("colour");
    assertThat(manyColours.counts()).isEqualTo(fewColours.counts()).hasSize(5);
    assertThat(manyColours.otherCount()).isEqualTo(fewColours.otherCount());
    assertThat(manyColours.distinct()).isEqualTo(fewColours.distinct());
  }

  /**
   * A running merge survives a spill of Spark's combiner map under either serializer: Kryo
   * alone cannot rebuild a record (the profiles are records), so it travels frozen.
   */
  @Test
  void aRunningMergeSurvivesKryoAndJavaSerialization() {
    java.util.TreeMap<Long, NumericProfile.Bin> bins = new java.util.TreeMap<>();
    bins.put(FineBins.key(2.5), new NumericProfile.Bin(3, 2.5, 2.5, 7.5, 18.75));
    NumericProfile profile = new NumericProfile("x", 5, 1, 1, bins);
    org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf();
    for (org.apache.spark.serializer.Serializer serializer : List.of(
        new org.apache.spark.serializer.KryoSerializer(conf),
        new org.apache.spark.serializer.JavaSerializer(conf))) {
      var instance = serializer.newInstance();
      var tag = scala.reflect.ClassTag$.MODULE$.<SparkProfiler.Merging>apply(
          SparkProfiler.Merging.class);
      SparkProfiler.Merging back = instance.deserialize(instance.serialize(
          new SparkProfiler.Merging(SparkProfiler.freeze(profile)), tag), tag);
      assertThat(back.<NumericProfile>value()).as(serializer.getClass().getSimpleName())
          .isEqualTo(profile);
    }
  }
}
