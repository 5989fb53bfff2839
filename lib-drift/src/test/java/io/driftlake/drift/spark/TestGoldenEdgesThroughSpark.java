package io.driftlake.drift.spark;

import static io.driftlake.drift.spark.TestDriftAnalysis.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.quality.QualityChecks;
import io.driftlake.drift.testing.GoldenChecks;
import io.driftlake.drift.testing.GoldenFormula;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.drift.testing.TinySides;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private static final DriftSettings SETTINGS = DriftSettings.from(TinySides.reference());
  private static final StructType NUMBER = new StructType().add("x", DataTypes.DoubleType, true);
  private static final StructType CATEGORY = new StructType().add("c", DataTypes.StringType, true);
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
    GoldenChecks.binned(result(report, "x", "psi"), result(report, "x", "js"), c.get("binned"),
        what);
    GoldenChecks.nothingNonFinite(report.features().get(0), what);
    // The null share is what the distribution leaves out: nulls and NaN.
    long refMissing = Stream.of(ref).filter(v -> v == null || v.isNaN()).count();
    assertThat(report.features().get(0).referenceNullShare())
        .isEqualTo((double) refMissing / ref.length);
  }

  static Stream<JsonNode> binningGolden() {
    return Golden.cases("numeric_binning").stream();
  }

  /**
   * Tied data like daily observations (counts, values rounded to 0.1, a decile that is a
   * repeated value) and continuous data through Spark in exact mode: the edges bit for bit and
   * PSI/JS within 1e-12 of numpy's, for a value equal to an edge in the upper bin (the default)
   * and in the lower one (bin-closed = right, pandas.qcut).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("binningGolden")
  void tiedDataBinsAsNumpyUnderBothConventions(JsonNode c, SparkSession spark) {
    Double[] ref = Golden.values(c.get("ref"));
    Double[] cur = Golden.values(c.get("cur"));
    Dataset<Row> r = column(spark, ref).cache();
    Dataset<Row> k = column(spark, cur).cache();
    DriftSettings right = DriftSettings.from(ConfigFactory
        .parseString("driftlake.drift.bin-closed = right")
        .withFallback(TinySides.reference()));
    for (DriftSettings settings : List.of(SETTINGS, right)) {
      String closed = settings.binClosed().id();
      String what = c.get("name").asText() + " closed " + closed;
      DriftReport report = new DriftAnalysis(settings).run(r, k, X);
      GoldenChecks.binned(result(report, "x", "psi"), result(report, "x", "js"),
          c.get(closed.equals("left") ? "binned" : "binned_right"), what);
      GoldenChecks.ks(result(report, "x", "ks"), c.get("ks"), what);
      GoldenChecks.wasserstein(result(report, "x", "wasserstein"), c.get("wasserstein"), what);
      assertThat(result(report, "x", "psi").conventions().get("closed")).as(what)
          .startsWith(closed + ": ");
    }
  }

  static Stream<JsonNode> categoricalGolden() {
    return Golden.cases("categorical").stream();
  }

  /** Rows of a string column "c": each category its count of times, then the nulls. */
  static Dataset<Row> categories(SparkSession spark, JsonNode counts, long nulls) {
    List<Row> rows = new ArrayList<>();
    counts.fields().forEachRemaining(e -> {
      for (long i = 0; i < e.getValue().asLong(); i++) {
        rows.add(RowFactory.create(e.getKey()));
      }
    });
    for (long i = 0; i < nulls; i++) {
      rows.add(RowFactory.create((Object) null));
    }
    return spark.createDataFrame(rows, CATEGORY).repartition(2);
  }

  /**
   * Unseen and vanished categories through Spark: every categorical method over the category
   * union, and the new/vanished category checks count them.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("categoricalGolden")
  void unseenAndVanishedCategoriesMatchScipy(JsonNode c, SparkSession spark) {
    String what = c.get("name").asText();
    List<FeatureSpec> features = List.of(new FeatureSpec("c", FeatureType.CATEGORICAL));
    DriftAnalysis.Outcome outcome = new DriftAnalysis(SETTINGS).analyse(
        categories(spark, c.get("ref_counts"), c.get("ref_nulls").asLong()),
        categories(spark, c.get("cur_counts"), c.get("cur_nulls").asLong()), features);
    FeatureDrift f = outcome.report().features().get(0);
    GoldenChecks.categorical(f, c, what);
    GoldenChecks.nothingNonFinite(f, what);
    List<CheckResult> checks = QualityChecks.run(SETTINGS.checks(), Map.of("c", "string"),
        Map.of("c", "string"), outcome.reference(), outcome.current());
    for (String check : List.of("new_categories", "vanished_categories")) {
      CheckResult r = checks.stream().filter(x -> x.check().equals(check)).findFirst()
          .orElseThrow();
      assertThat(r.value()).as(what + ": " + check).isEqualTo((double) c.get(check).size());
      c.get(check).forEach(name -> assertThat(r.detail()).as(what + ": " + check)
          .contains("'" + name.asText() + "'"));
    }
  }

  /**
   * The formula cases run through Spark: nulls and NaN at scale, ±∞ and heavy tails at scale
   * (several seconds each). The in-memory test runs every formula case.
   */
  static final Set<String> THROUGH_SPARK =
      Set.of("millions_grid_ties_stretched", "millions_ratio_heavy_tail");

  static Stream<JsonNode> formulaGolden() {
    List<JsonNode> cases = Golden.cases("numeric_formula").stream()
        .filter(c -> THROUGH_SPARK.contains(c.get("name").asText())).toList();
    assertThat(cases).as("formula cases named in THROUGH_SPARK").hasSize(THROUGH_SPARK.size());
    return cases.stream();
  }

  /**
   * Millions of rows a side, computed on the executors from spark.range by the script's formula
   * (TestGoldenEdgesInMemory checks the formula's values against the script's fingerprint).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("formulaGolden")
  void millionsFromTheFormulaMatchScipy(JsonNode c, SparkSession spark) {
    String what = c.get("name").asText();
    DriftAnalysis.Outcome outcome = new DriftAnalysis(SETTINGS).analyse(
        GoldenFormula.dataset(spark, c.get("ref"), 4), GoldenFormula.dataset(spark, c.get("cur"), 4),
        X);
    for (String side : new String[] {"ref", "cur"}) {
      FeatureProfile p = (side.equals("ref") ? outcome.reference() : outcome.current()).get("x");
      assertThat(p.rows()).as(side).isEqualTo(c.get(side).get("n").asLong());
      assertThat(p.nulls()).as(side).isEqualTo(c.get(side + "_fingerprint").get("nulls").asLong());
    }
    DriftReport report = outcome.report();
    GoldenChecks.ks(result(report, "x", "ks"), c.get("ks"), what);
    GoldenChecks.wasserstein(result(report, "x", "wasserstein"), c.get("wasserstein"), what);
    GoldenChecks.binned(result(report, "x", "psi"), result(report, "x", "js"), c.get("binned"),
        what);
    GoldenChecks.nothingNonFinite(report.features().get(0), what);
  }
}
