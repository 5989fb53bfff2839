package io.driftlake.drift.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.config.SliceSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.testing.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sliced profile pass is one Spark job whatever the number of slices (the "same
 * scan, not one scan per slice"), and each slice's profile counts what Spark's own filter of
 * that slice counts.
 */
@ExtendWith(LocalSpark.class)
class TestSliceProfiler {
  private static final StructType SCHEMA = new StructType()
      .add("channel", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("age", DataTypes.IntegerType).add("plan tier", DataTypes.StringType);
  private static final List<FeatureSpec> FEATURES = List.of(
      new FeatureSpec("x", FeatureType.NUMERIC), new FeatureSpec("age", FeatureType.NUMERIC),
      new FeatureSpec("channel", FeatureType.CATEGORICAL));

  private static Dataset<Row> data(SparkSession spark, int seed) {
    java.util.Random random = new java.util.Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(RowFactory.create(i % 7 == 0 ? null : new String[] {"web", "app", "store"}[i % 3],
          random.nextGaussian(), 18 + random.nextInt(60), i % 2 == 0 ? "gold" : "basic"));
    }
    // Eight partitions: the executors' merge stage runs, as on a table of many files.
    return spark.createDataFrame(rows, SCHEMA).repartition(8);
  }

  private static List<SlicedProfiles> profile(Dataset<Row> a, Dataset<Row> b, List<String> specs) {
    List<SliceSpec> slices = SliceSpecs.resolve(new SliceSettings(specs, 20), a, b);
    return SliceProfiler.profileAll(List.of(a, b), FEATURES, ProfileOptions.DEFAULT, slices, 20);
  }

  @Test
  void zeroOneAndFiveSlicesRunTheSameSparkJobs(SparkSession spark) {
    Dataset<Row> a = data(spark, 1).cache();
    Dataset<Row> b = data(spark, 2).cache();
    a.count();
    b.count();
    // A column, predicates, and a column whose name needs backticks.
    List<String> five = List.of("channel", "age > 60", "`plan tier`", "age between 20 and 30",
        "channel = 'app' and x > 1");
    int none = LocalSpark.jobsDuring(spark, () -> profile(a, b, List.of()));
    int one = LocalSpark.jobsDuring(spark, () -> profile(a, b, List.of("channel")));
    int all = LocalSpark.jobsDuring(spark, () -> profile(a, b, five));
    assertThat(none).isEqualTo(1);
    assertThat(one).isEqualTo(none);
    assertThat(all).isEqualTo(none);

    List<SlicedProfiles> sides = profile(a, b, five);
    for (int side = 0; side < 2; side++) {
      Dataset<Row> d = side == 0 ? a : b;
      SlicedProfiles p = sides.get(side);
      assertThat(p.whole().get("x").rows()).isEqualTo(d.count());
      assertThat(p.slices().keySet()).containsExactly("channel = app", "channel = store",
          "channel = web", "channel is null", "age > 60", "plan tier = basic",
          "plan tier = gold", "age between 20 and 30", "channel = 'app' and x > 1");
      for (Map.Entry<String, Map<String, FeatureProfile>> e : p.slices().entrySet()) {
        String key = e.getKey();
        String filter = key.startsWith("channel = ") && !key.contains("'")
            ? "channel = '" + key.substring(10) + "'"
            : key.startsWith("plan tier = ") ? "`plan tier` = '" + key.substring(12) + "'" : key;
        long expected = d.filter(filter).count();
        assertThat(e.getValue().get("x").rows()).as(e.getKey()).isEqualTo(expected);
        assertThat(e.getValue().get("age").rows()).as(e.getKey()).isEqualTo(expected);
      }
    }
    a.unpersist();
    b.unpersist();
  }
}
