package io.driftlake.drift.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.testing.Golden;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.drift.testing.SortBased;
import io.driftlake.drift.testing.TinySides;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LocalSpark.class)
class TestDriftAnalysis {
  private static final DriftSettings SETTINGS = DriftSettings.from(TinySides.reference());
  private static final StructType NUMBER = new StructType().add("x", DataTypes.DoubleType, true);
  private static final StructType CATEGORY = new StructType().add("c", DataTypes.StringType, true);

  static Dataset<Row> numbers(SparkSession spark, double... values) {
    List<Row> rows = new ArrayList<>();
    for (double v : values) {
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, NUMBER).repartition(2);
  }

  static MethodResult result(DriftReport report, String feature, String method) {
    FeatureDrift f = report.features().stream().filter(x -> x.feature().equals(feature))
        .findFirst().orElseThrow();
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }

  static Stream<JsonNode> golden() {
    return Golden.cases("ks").stream();
  }

  /** The exact statistic comes from fine histograms + a refine pass, never a global sort. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void ksThroughSparkMatchesScipy(JsonNode c, SparkSession spark) {
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, Golden.doubles(c.get("ref"))), numbers(spark, Golden.doubles(c.get("cur"))),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    MethodResult ks = result(report, "x", "ks");
    assertThat(ks.score()).isCloseTo(c.get("statistic").asDouble(), within(1e-12));
    double p = c.get("pvalue").asDouble();
    assertThat(ks.pValue()).isCloseTo(p, within(Math.max(1e-9, p * 1e-3)));
    assertThat(ks.conventions()).containsEntry("mode", "exact");
  }

  static Stream<JsonNode> wassersteinGolden() {
    return Golden.cases("wasserstein").stream();
  }

  /** Population standard deviation, two-pass, for the normalised score. */
  static double std(double[] values) {
    double mean = Arrays.stream(values).average().orElseThrow();
    return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length);
  }

  /** W1 from fine histograms, exact values fetched only for bins where F − G may change sign. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("wassersteinGolden")
  void wassersteinThroughSparkMatchesScipy(JsonNode c, SparkSession spark) {
    double[] ref = Golden.doubles(c.get("ref"));
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, ref), numbers(spark, Golden.doubles(c.get("cur"))),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    MethodResult w = result(report, "x", "wasserstein");
    double expected = c.get("value").asDouble();
    assertThat(Double.parseDouble(w.conventions().get("w1")))
        .isCloseTo(expected, within(Math.max(1e-12, expected * 1e-10)));
    assertThat(w.score()).isCloseTo(expected / std(ref), within(expected / std(ref) * 1e-9));
    assertThat(w.pValue()).isNull();
    assertThat(w.conventions()).containsEntry("mode", "exact")
        .containsEntry("threshold_source", "default");
  }

  /**
   * Through Parquet, so profiles and exact passes read column vectors: a quarter of a million
   * rows a side, a continuous feature (settled by a split pass and an exact pass) and one with
   * ties, against the sort-based definitions over the same values.
   */
  @Test
  void exactPassesOverParquetMatchSortBasedDefinitions(SparkSession spark,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    String refPath = dir.resolve("ref").toString();
    String curPath = dir.resolve("cur").toString();
    spark.range(0, 250_000, 1, 3).selectExpr("randn(1) * 10 + 100 as x",
        "round(rand(2) * 50) - 25 as t").write().parquet(refPath);
    spark.range(0, 240_000, 1, 2).selectExpr("randn(3) * 10 + 100.05 as x",
        "round(rand(4) * 51) - 25 as t").write().parquet(curPath);
    Dataset<Row> ref = spark.read().parquet(refPath);
    Dataset<Row> cur = spark.read().parquet(curPath);
    assertThat(ColumnarScan.of(ref.select("x", "t"))).isPresent();
    List<FeatureSpec> features = List.of(new FeatureSpec("x", FeatureType.NUMERIC),
        new FeatureSpec("t", FeatureType.NUMERIC));
    DriftReport report = new DriftAnalysis(SETTINGS).run(ref, cur, features);
    for (String f : List.of("x", "t")) {
      double[] a = ref.select(f).collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
      double[] b = cur.select(f).collectAsList().stream().mapToDouble(r -> r.getDouble(0)).toArray();
      assertThat(result(report, f, "ks").score()).as(f).isEqualTo(SortBased.ks(a, b));
      double w1 = SortBased.w1(a, b);
      assertThat(Double.parseDouble(result(report, f, "wasserstein").conventions().get("w1")))
          .as(f).isCloseTo(w1, within(w1 * 1e-9));
    }
  }

  @Test
  void categoricalChi2TvdAndLinfOverTheCategoryUnion(SparkSession spark) {
    Dataset<Row> ref = categories(spark, "a", "a", "a", "b", "b", "c", null);
    Dataset<Row> cur = categories(spark, "a", "b", "b", "new", "new", "new");
    DriftReport report = new DriftAnalysis(SETTINGS).run(ref, cur,
        List.of(new FeatureSpec("c", FeatureType.CATEGORICAL)));
    // union [a, b, c, new]: p = 3/6 2/6 1/6 0, q = 1/6 2/6 0 3/6 → |diff| = 2/6 0 1/6 3/6
    assertThat(result(report, "c", "tvd").score()).isCloseTo(0.5, within(1e-15));
    assertThat(result(report, "c", "linf").score()).isCloseTo(0.5, within(1e-15));
    // scipy.stats.chi2_contingency([[3,2,1,0],[1,2,0,3]], correction=False)
    MethodResult chi2 = result(report, "c", "chi2");
    assertThat(chi2.score()).isCloseTo(5.0, within(1e-12));
    assertThat(chi2.pValue()).isCloseTo(0.17179714429673354, within(1e-12));
    assertThat(chi2.conventions()).containsEntry("dof", "3").containsEntry("bins", "4");
  }

  static Dataset<Row> categories(SparkSession spark, String... values) {
    List<Row> rows = new ArrayList<>();
    for (String v : values) {
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, CATEGORY);
  }

  @Test
  void perFeatureSettingsAndACriticalFeatureDecideTheDataset(SparkSession spark) {
    DriftSettings settings = DriftSettings.from(ConfigFactory.parseString("""
        driftlake.drift {
          thresholds { psi = 0.5 }
          type-thresholds.numeric { psi = 0.4 }
          features { c { methods = [tvd, psi], decide-by = tvd, thresholds { tvd = 0.3 }, critical = true } }
          dataset-drift-share = 1.0
        }""").withFallback(TinySides.reference()));
    StructType schema = new StructType().add("x", DataTypes.DoubleType).add("c", DataTypes.StringType);
    Dataset<Row> ref = spark.createDataFrame(List.of(RowFactory.create(1.0, "a"),
        RowFactory.create(2.0, "a"), RowFactory.create(3.0, "b")), schema);
    Dataset<Row> cur = spark.createDataFrame(List.of(RowFactory.create(1.0, "b"),
        RowFactory.create(2.0, "b"), RowFactory.create(3.0, "b")), schema);
    DriftReport report = new DriftAnalysis(settings).run(ref, cur, List.of(
        new FeatureSpec("x", FeatureType.NUMERIC), new FeatureSpec("c", FeatureType.CATEGORICAL)));

    MethodResult xPsi = result(report, "x", "psi");
    assertThat(xPsi.threshold()).isEqualTo(0.4);
    assertThat(xPsi.conventions()).containsEntry("threshold_source", "type");
    assertThat(result(report, "x", "js").conventions()).containsEntry("threshold_source", "default");
    MethodResult cPsi = result(report, "c", "psi");
    assertThat(cPsi.threshold()).isEqualTo(0.5);
    assertThat(cPsi.conventions()).containsEntry("threshold_source", "global");
    // c: p = (2/3, 1/3), q = (0, 1): TVD = 2/3 ≥ 0.3 (feature threshold) → drifted, decided by tvd.
    FeatureDrift c = report.features().stream().filter(f -> f.feature().equals("c")).findFirst()
        .orElseThrow();
    assertThat(c.results()).extracting(MethodResult::method).containsExactly("tvd", "psi");
    assertThat(c.decidedBy()).isEqualTo("tvd");
    assertThat(result(report, "c", "tvd").threshold()).isEqualTo(0.3);
    assertThat(c.drifted()).isTrue();
    assertThat(c.critical()).isTrue();
    // 1 of 2 features is below the 100 % share, but c is critical.
    assertThat(report.drifted()).isTrue();
    assertThat(report.reason())
        .isEqualTo("1 of 2 features drifted (50%) < 100%: c; critical feature(s) drifted: c");
  }

  @Test
  void settingsForAFeatureThatIsNotComparedAreAnError(SparkSession spark) {
    DriftSettings settings = DriftSettings.from(ConfigFactory.parseString(
        "driftlake.drift.features.income.critical = true").withFallback(TinySides.reference()));
    assertThatThrownBy(() -> new DriftAnalysis(settings).run(numbers(spark, 1), numbers(spark, 2),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.features: no feature 'income' in the compared selections; "
            + "features: [x]");
  }

  @Test
  void handComputedPsiOnATinyTable(SparkSession spark) {
    // Reference 1..10: edges np.quantile = 1.9, 2.8, ..., 9.1, one reference value per bin:
    // (-inf,1.9), [1.9,2.8), ..., [9.1,+inf).
    // Current 1,1,1,1,1,2,3,4,5,10 → shares .5 .1 .1 .1 .1 0 0 0 0 .1 vs .1 each (numpy agrees).
    // PSI = .4·ln5 + 4·(1e-4 − .1)·ln(1e-4/.1)   (empty bins floored at 1e-4)
    double expected = 0.4 * Math.log(5) + 4 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    assertThat(expected).isCloseTo(3.4041142, within(1e-6));
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
        numbers(spark, 1, 1, 1, 1, 1, 2, 3, 4, 5, 10),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    MethodResult psi = result(report, "x", "psi");
    assertThat(psi.score()).isCloseTo(expected, within(1e-12));
    assertThat(psi.threshold()).isEqualTo(0.2);
    assertThat(psi.drifted()).isTrue();
    assertThat(psi.conventions()).containsEntry("bins", "10")
        .containsEntry("smoothing", "proportions floored at 1.0E-4");
    assertThat(report.features().get(0).drifted()).isTrue();
  }

  /** numpy's PSI written out: np.quantile (linear) edges, np.unique, searchsorted right. */
  static double numpyPsi(double[] ref, double[] cur, double floor) {
    double[] sorted = ref.clone();
    Arrays.sort(sorted);
    double[] edges = new double[9];
    for (int i = 1; i < 10; i++) {
      double h = (sorted.length - 1) * (i / 10.0);
      int lo = (int) Math.floor(h);
      int hi = Math.min(lo + 1, sorted.length - 1);
      double t = h - lo;
      double d = sorted[hi] - sorted[lo];
      edges[i - 1] = t >= 0.5 ? sorted[hi] - d * (1 - t) : sorted[lo] + d * t;
    }
    edges = Arrays.stream(edges).distinct().toArray();
    double[] p = shares(ref, edges);
    double[] q = shares(cur, edges);
    double psi = 0;
    for (int i = 0; i < p.length; i++) {
      double a = Math.max(p[i], floor);
      double b = Math.max(q[i], floor);
      psi += (b - a) * Math.log(b / a);
    }
    return psi;
  }

  private static double[] shares(double[] values, double[] edges) {
    double[] counts = new double[edges.length + 1];
    for (double v : values) {
      int bin = 0;
      while (bin < edges.length && edges[bin] <= v) {
        bin++;
      }
      counts[bin]++;
    }
    return Arrays.stream(counts).map(c -> c / values.length).toArray();
  }

  /**
   * Approximate mode on continuous data: the profiles alone bound PSI; with the threshold set
   * inside that interval the verdict is undecided (never the estimate's), and {@code analyse}
   * settles it from the data with numpy's exact PSI.
   */
  @Test
  void anUndecidedPsiIsRefinedExactlyInApproximateMode(SparkSession spark) {
    SplittableRandom random = new SplittableRandom(7);
    double[] a = new double[3000];
    double[] b = new double[3000];
    for (int i = 0; i < a.length; i++) {
      a[i] = gaussian(random);
      b[i] = gaussian(random) * 1.1 + 0.25;
    }
    List<FeatureSpec> x = List.of(new FeatureSpec("x", FeatureType.NUMERIC));
    Config approximate = ConfigFactory.parseString(
        "driftlake.drift.statistics-mode = approximate").withFallback(TinySides.reference());
    DriftAnalysis first = new DriftAnalysis(DriftSettings.from(approximate));
    Map<String, FeatureProfile> ref = first.profile(numbers(spark, a), x);
    Map<String, FeatureProfile> cur = first.profile(numbers(spark, b), x);
    MethodResult estimate = result(first.compare(ref, cur, x), "x", "psi");
    double lower = Double.parseDouble(estimate.conventions().get("score_lower"));
    double upper = Double.parseDouble(estimate.conventions().get("score_upper"));
    double numpy = numpyPsi(a, b, 1e-4);
    assertThat(numpy).isBetween(lower, upper);
    assertThat(estimate.score()).isBetween(lower, upper);
    assertThat(estimate.conventions()).containsEntry("mode", "approximate");

    double threshold = (lower + upper) / 2;
    DriftAnalysis straddling = new DriftAnalysis(DriftSettings.from(
        ConfigFactory.parseString("driftlake.drift.thresholds.psi = "
            + threshold).withFallback(approximate)));
    MethodResult undecided = result(straddling.compare(ref, cur, x), "x", "psi");
    assertThat(undecided.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(undecided.note()).startsWith("undecided: the error interval [" + lower + ", "
        + upper + "] straddles the threshold " + threshold);

    MethodResult refined = result(straddling.run(numbers(spark, a), numbers(spark, b), x), "x",
        "psi");
    assertThat(refined.conventions()).containsEntry("mode", "exact");
    assertThat(refined.score()).isCloseTo(numpy, within(1e-12));
    assertThat(refined.verdict()).isEqualTo(Verdict.of(numpy >= threshold));
  }

  private static double gaussian(SplittableRandom random) {
    double u = random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  @Test
  void categoricalUsesTheCategoryUnionAndReportsNullsApart(SparkSession spark) {
    Dataset<Row> ref = spark.createDataFrame(Arrays.asList(
        RowFactory.create("a"), RowFactory.create("a"), RowFactory.create("b"),
        RowFactory.create("b"), RowFactory.create((Object) null)), CATEGORY);
    Dataset<Row> cur = spark.createDataFrame(Arrays.asList(
        RowFactory.create("a"), RowFactory.create("b"), RowFactory.create("new"),
        RowFactory.create("new")), CATEGORY);
    DriftReport report = new DriftAnalysis(SETTINGS).run(ref, cur,
        List.of(new FeatureSpec("c", FeatureType.CATEGORICAL)));
    // union [a, b, new]: p = .5 .5 0 → floored 1e-4; q = .25 .25 .5
    double expected = 2 * (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
    assertThat(result(report, "c", "psi").score()).isCloseTo(expected, within(1e-12));
    // JS base 2: m = (.375 .375 .25); ½[KL(p‖m) + KL(q‖m)] / ln 2
    double kl1 = 2 * 0.5 * Math.log(0.5 / 0.375);
    double kl2 = 2 * 0.25 * Math.log(0.25 / 0.375) + 0.5 * Math.log(0.5 / 0.25);
    assertThat(result(report, "c", "js").score())
        .isCloseTo((kl1 + kl2) / 2 / Math.log(2), within(1e-12));
    FeatureDrift c = report.features().get(0);
    assertThat(c.referenceNullShare()).isEqualTo(0.2);
    assertThat(c.currentNullShare()).isEqualTo(0.0);
  }

  @Test
  void emptyCurrentSelectionIsNotComputableNeverNaN(SparkSession spark) {
    DriftReport report = new DriftAnalysis(SETTINGS).run(numbers(spark, 1, 2, 3),
        numbers(spark).limit(0), List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    for (MethodResult r : report.features().get(0).results()) {
      assertThat(r.score()).isNull();
      assertThat(r.drifted()).isFalse();
      assertThat(r.note()).isEqualTo("not computable: the current selection has no non-null values");
    }
    assertThat(report.drifted()).isFalse();
  }

  /** Fewer rows than min-rows (default 100) on a side: no answer, whatever the scores say. */
  @Test
  void aSideBelowMinRowsIsNotComputableWithEveryVerdictUnknown(SparkSession spark) {
    DriftSettings defaults = DriftSettings.from(ConfigFactory.defaultReference());
    assertThat(defaults.minRows()).isEqualTo(100);
    double[] many = java.util.stream.IntStream.range(0, 100).mapToDouble(i -> i).toArray();
    DriftReport report = new DriftAnalysis(defaults).run(numbers(spark, many),
        numbers(spark, 1000, 1001, 1002, 1003, 1004),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    assertThat(report.status()).isEqualTo(RunStatus.NOT_COMPUTABLE);
    assertThat(report.reason()).isEqualTo("not computable: the current selection has 5 rows, "
        + "fewer than driftlake.drift.min-rows = 100");
    FeatureDrift x = report.features().get(0);
    assertThat(x.verdict()).isEqualTo(Verdict.UNKNOWN);
    // The scores are still reported (KS D = 1: every current value is past the reference).
    assertThat(result(report, "x", "ks").score()).isEqualTo(1.0);
    assertThat(x.results()).allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN));

    DriftReport both = new DriftAnalysis(defaults).run(numbers(spark, 1, 2),
        numbers(spark).limit(0), List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    assertThat(both.reason()).isEqualTo("not computable: the reference has 2 rows and the "
        + "current selection has 0 rows, fewer than driftlake.drift.min-rows = 100");
    DriftReport enough = new DriftAnalysis(defaults).run(numbers(spark, many),
        numbers(spark, many), List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    assertThat(enough.status()).isEqualTo(RunStatus.NO_DRIFT);
  }

  @Test
  void nanAndInfinityAreHandledAndNothingNonFiniteIsReported(SparkSession spark) {
    DriftReport report = new DriftAnalysis(SETTINGS).run(
        numbers(spark, 1, 2, Double.NaN, Double.POSITIVE_INFINITY, 3, 4),
        numbers(spark, 1, Double.NEGATIVE_INFINITY, 2, 2, Double.NaN, Double.NaN),
        List.of(new FeatureSpec("x", FeatureType.NUMERIC)));
    // NaN is excluded like null; ±inf are ordinary extreme values for KS (as in scipy):
    // ref {1,2,3,4,+inf}, cur {-inf,1,2,2}: max ECDF gap is 0.6 at x=2 (0.4 vs 1.0).
    MethodResult ks = result(report, "x", "ks");
    assertThat(ks.score()).isCloseTo(0.6, within(1e-12));
    // The null share counts what the distributions leave out: 1 NaN of 6 rows, 2 of 6.
    assertThat(report.features().get(0).referenceNullShare()).isEqualTo(1.0 / 6);
    assertThat(report.features().get(0).currentNullShare()).isEqualTo(2.0 / 6);
    for (MethodResult r : report.features().get(0).results()) {
      assertThat(Double.isFinite(r.score())).isTrue();
    }
  }

  @Test
  void aW1BeyondTheLargestDoubleIsNotComputableInEitherMode(SparkSession spark) {
    List<FeatureSpec> x = List.of(new FeatureSpec("x", FeatureType.NUMERIC));
    // Exact: the area between −1.7e308 and 1.7e308 is ∞ (scipy's wasserstein_distance too).
    DriftReport exact = new DriftAnalysis(SETTINGS).run(numbers(spark, -1.7e308),
        numbers(spark, 1.7e308), x);
    MethodResult w1 = result(exact, "x", "wasserstein");
    assertThat(w1.computable()).isFalse();
    assertThat(w1.note()).isEqualTo("not computable: W1 overflows a double (the finite values "
        + "span more than 1.7976931348623157E308)");
    assertThat(result(exact, "x", "ks").score()).isEqualTo(1.0);
    // Approximate: W1's histogram bounds come near Double.MAX_VALUE (W1 ≈ 1.7e308) without
    // overflowing the estimate; divided by the std (0.82) it does.
    DriftReport approximate = new DriftAnalysis(SETTINGS.withStatisticsMode(
        DriftSettings.StatisticsMode.APPROXIMATE)).run(numbers(spark, 1, 2, 3),
        numbers(spark, -1.7e308, 1.7e308), x);
    assertThat(result(approximate, "x", "wasserstein").note()).startsWith("not computable: W1 / "
        + "reference standard deviation overflows a double (W1 1.7E308, std 0.8164965809");
    assertThat(result(approximate, "x", "ks").computable()).isTrue();
  }

  /**
   * A whole exact analysis reads each side's data at most twice when the unsettled bins hold at
   * most 1M values: one profiling scan for all features and one filtered pass that splits those
   * bins down to single values.
   */
  @Test
  void exactAnalysisScansEachSideAtMostTwice(SparkSession spark, @org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    String refPath = dir.resolve("ref").toString();
    String curPath = dir.resolve("cur").toString();
    spark.range(0, 5_000, 1, 2).selectExpr("cast(id % 101 as double) as a", "id * 0.5 as b",
        "cast(id % 7 as string) as c").write().parquet(refPath);
    spark.range(0, 5_000, 1, 2).selectExpr("cast(id % 103 as double) as a", "id * 0.51 as b",
        "cast(id % 8 as string) as c").write().parquet(curPath);
    List<FeatureSpec> features = List.of(new FeatureSpec("a", FeatureType.NUMERIC),
        new FeatureSpec("b", FeatureType.NUMERIC), new FeatureSpec("c", FeatureType.CATEGORICAL));
    TestSparkProfiler.ScanCounter counter = new TestSparkProfiler.ScanCounter();
    spark.sparkContext().addSparkListener(counter);
    try {
      DriftReport report = new DriftAnalysis(SETTINGS).run(spark.read().parquet(refPath),
          spark.read().parquet(curPath), features);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(report.features()).hasSize(3);
      assertThat(counter.scans.get()).isBetween(2, 4);
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
  }

  /**
   * Constant columns: the same constant on both sides is no drift (PSI 0, KS 0, W1 0 but not
   * normalisable by a zero std, which is said); different constants are total drift (KS 1). An
   * all-null current column is not computable, with the reason. Never NaN or ∞.
   */
  @Test
  void constantAndAllNullColumnsGiveFiniteScoresOrReasons(SparkSession spark) {
    List<FeatureSpec> x = List.of(new FeatureSpec("x", FeatureType.NUMERIC));
    DriftAnalysis analysis = new DriftAnalysis(SETTINGS);
    DriftReport same = analysis.run(numbers(spark, 3, 3, 3, 3), numbers(spark, 3, 3, 3), x);
    assertThat(result(same, "x", "psi").score()).isEqualTo(0.0);
    assertThat(result(same, "x", "ks").score()).isEqualTo(0.0);
    assertThat(result(same, "x", "ks").pValue()).isEqualTo(1.0);
    assertThat(result(same, "x", "wasserstein").score()).isNull();
    assertThat(result(same, "x", "wasserstein").note())
        .isEqualTo("not computable: the reference standard deviation is 0.0");
    assertThat(same.drifted()).isFalse();

    DriftReport other = analysis.run(numbers(spark, 3, 3, 3, 3), numbers(spark, 5, 5, 5), x);
    assertThat(result(other, "x", "ks").score()).isEqualTo(1.0);
    // numpy's convention: a constant reference has the one edge 3, and [3, +∞) holds both
    // sides, so PSI is 0 as numpy's (golden constant_3_vs_constant_5) and PSI, the deciding
    // method, cannot see the shift; KS's D is 1. Closed right, (−∞, 3] vs (3, +∞): numpy's 18.4188.
    assertThat(result(other, "x", "psi").score()).isEqualTo(0.0);
    assertThat(result(other, "x", "psi").conventions()).containsEntry("edges", "[3.0]");
    assertThat(other.drifted()).isFalse();
    DriftReport right = new DriftAnalysis(DriftSettings.from(ConfigFactory
        .parseString("driftlake.drift.bin-closed = right")
        .withFallback(TinySides.reference())))
        .run(numbers(spark, 3, 3, 3, 3), numbers(spark, 5, 5, 5), x);
    assertThat(result(right, "x", "psi").score()).isCloseTo(18.41883867587797, within(1e-12));
    assertThat(right.drifted()).isTrue();

    DriftReport allNull = analysis.run(numbers(spark, 1, 2, 3),
        spark.createDataFrame(List.of(RowFactory.create((Object) null),
            RowFactory.create((Object) null)), NUMBER), x);
    MethodResult psi = result(allNull, "x", "psi");
    assertThat(psi.score()).isNull();
    assertThat(psi.note()).isEqualTo("not computable: the current selection has no non-null values");
    assertThat(allNull.features().get(0).currentNullShare()).isEqualTo(1.0);
    assertThat(allNull.drifted()).isFalse();
  }
}
