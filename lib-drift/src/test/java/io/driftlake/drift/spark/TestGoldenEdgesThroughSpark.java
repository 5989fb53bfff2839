package io.driftlake.drift.spark;

import static io.driftlake.drift.spark.TestDriftAnalysis.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.GoldenChecks;
import io.driftlake.drift.testing.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scipy edge-case goldens through Spark in exact mode ({@link DriftAnalysis#run}: one
 * profiling scan, then the exact passes): nulls, NaN, ±∞, constant columns and n = 1.
 */
@ExtendWith(LocalSpark.class)
class TestGoldenEdgesThroughSpark {
  private static final DriftSettings SETTINGS = DriftSettings.from(ConfigFactory.defaultReference());
  private static final StructType NUMBER = new StructType().add("x", DataTypes.DoubleType, true);
  private static final List<FeatureSpec> X = List.of(new FeatureSpec("x", FeatureType.NUMERIC));

  /** A nullable double column; a null element is a SQL null. */
  static Dataset<Row> column(SparkSession spark, Double[] values) {
    List<Row> rows = new ArrayList<>();
    for (Double v : values) {
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, NUMBER).repartition(2);
  }

  static Stream<JsonNode> edgeGolden() {
    return Golden.cases("numeric_edge").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeGolden")
  void edgeCasesMatchScipyUnderTheDocumentedConventions(JsonNode c, SparkSession spark) {
    Double[] ref = Golden.values(c.get("ref"));
    Double[] cur = Golden.values(c.get("cur"));
    String what = c.get("name").asText();
    DriftReport report = new DriftAnalysis(SETTINGS).run(column(spark, ref), column(spark, cur), X);
    assertThat(report.features()).hasSize(1);
    GoldenChecks.ks(result(report, "x", "ks"), c.get("ks"), what);
    GoldenChecks.wasserstein(result(report, "x", "wasserstein"), c.get("wasserstein"), what);
    GoldenChecks.nothingNonFinite(report.features().get(0), what);
    long refNulls = Stream.of(ref).filter(v -> v == null).count();
    assertThat(report.features().get(0).referenceNullShare())
        .isEqualTo((double) refNulls / ref.length);
  }
}
