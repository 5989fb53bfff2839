package io.driftlake.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.store.DeltaVersionStore;
import io.driftlake.drift.store.ProfileSource;
import io.driftlake.drift.testing.LocalSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The public entry point on real Spark and Delta: a shift of every value by half the range must
 * be drifted, an identical copy must not (injected answers, not the library's own output).
 */
@ExtendWith(LocalSpark.class)
class TestDrift {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("city", DataTypes.StringType);

  private static Dataset<Row> data(SparkSession spark, double shift) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      rows.add(RowFactory.create("id-" + i, (i % 100) + shift, "c" + (i % 3)));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  @Test
  void dataFramesShiftedDriftAndCopiesDoNot(SparkSession spark) {
    Dataset<Row> reference = data(spark, 0);
    DriftResult shifted = Drift.between(reference, data(spark, 50)).run();
    DriftResult same = Drift.between(reference, data(spark, 0))
        .exclude(java.util.Map.of("id", "role: key")).run();

    assertThat(shifted.report().status()).isEqualTo(RunStatus.DRIFTED);
    assertThat(shifted.report().driftedFeatures()).extracting(f -> f.feature())
        .containsExactly("x");
    assertThat(same.report().status()).isEqualTo(RunStatus.NO_DRIFT);
    assertThat(same.drifted()).isFalse();
    assertThat(same.report().skipped()).containsExactly(
        new SkippedColumn("id", "string", "role: key"));
    assertThat(same.reference().source()).isEqualTo(ProfileSource.SCANNED);
    assertThat(same.reference().rows()).isEqualTo(400);
    // 50 of the 100 distinct values of x lie above the reference's maximum: half the rows.
    assertThat(shifted.failedChecks()).extracting(c -> c.check() + " " + c.feature())
        .contains("out_of_range_share x");
    assertThat(same.failedChecks()).isEmpty();
  }

  @Test
  void featuresAndSettingsAreTheCallers(SparkSession spark) {
    DriftResult onlyCity = Drift.between(data(spark, 0), data(spark, 50))
        .settings(ConfigFactory.parseString("driftlake.drift.statistics-mode = approximate"))
        .features(List.of("city")).run();

    assertThat(onlyCity.mode().id()).isEqualTo("approximate");
    assertThat(onlyCity.report().features()).extracting(f -> f.feature()).containsExactly("city");
    assertThat(onlyCity.drifted()).isFalse();
    assertThat(onlyCity.report().skipped()).extracting(SkippedColumn::column)
        .containsExactly("id", "x");
    assertThatThrownBy(() -> Drift.between(data(spark, 0), data(spark, 0))
        .features(List.of("town")).run())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("features: 'town' is no shared feature column; shared features: "
            + "[id, x, city]");
  }

  @Test
  void deltaVersionsReuseSavedProfiles(SparkSession spark, @TempDir Path dir) {
    String table = dir.resolve("t").toString();
    data(spark, 0).write().format("delta").save(table);
    data(spark, 50).write().format("delta").mode("overwrite").save(table);
    data(spark, 0).write().format("delta").mode("overwrite").save(table);
    DeltaVersionStore store = new DeltaVersionStore(spark);

    DriftResult first = Drift.between(store, DeltaVersionStore.version(table, 0),
        DeltaVersionStore.version(table, 1)).run();
    DriftResult again = Drift.between(store, DeltaVersionStore.version(table, 0),
        DeltaVersionStore.version(table, 2)).run();

    assertThat(first.drifted()).isTrue();
    assertThat(first.reference().source()).isEqualTo(ProfileSource.SCANNED);
    assertThat(again.drifted()).isFalse();
    assertThat(again.reference().source()).isEqualTo(ProfileSource.STORED);
    assertThat(again.reference().detail()).isEqualTo("stored profiles of " + table + "@0");
    assertThat(again.current().source()).isEqualTo(ProfileSource.SCANNED);
  }
}
