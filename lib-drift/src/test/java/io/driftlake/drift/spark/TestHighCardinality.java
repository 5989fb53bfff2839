package io.driftlake.drift.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.quality.QualityChecks;
import io.driftlake.drift.testing.LocalSpark;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Categoricals with more categories than a profile keeps (driftlake.drift.profile.max-categories,
 * 1000 by default): the verdict is drawn from every value, never from the top-k alone. Goldens
 * from numpy / scipy (chi2_contingency without correction, jensenshannon(base=2) squared) over
 * the full category tables.
 */
@ExtendWith(LocalSpark.class)
class TestHighCardinality {
  private static final List<FeatureSpec> C = List.of(new FeatureSpec("c", FeatureType.CATEGORICAL));

  static DriftSettings settings(String hocon) {
    return DriftSettings.from(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference()));
  }

  /** {@code rows} rows, row i with category "c" + (i mod levels + shift). */
  static Dataset<Row> levels(SparkSession spark, long rows, long levels, long shift) {
    return spark.range(0, rows, 1, 2).select(
        concat(lit("c"), col("id").mod(levels).plus(shift).cast("string")).as("c"));
  }

  static MethodResult result(DriftReport report, String method) {
    FeatureDrift f = report.features().get(0);
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }

  static CheckResult check(List<CheckResult> checks, String id) {
    return checks.stream().filter(c -> c.check().equals(id)).findFirst().orElseThrow();
  }

  static List<CheckResult> checks(DriftSettings settings, DriftAnalysis.Outcome outcome) {
    Map<String, String> schema = Map.of("c", "string");
    return QualityChecks.run(settings.checks(), schema, schema, outcome.reference(),
        outcome.current());
  }

  /** Half of the mass moved to new categories: true TVD 0.5, JS 0.5, PSI ln 2 / 2. */
  void assertHalfMoved(DriftReport report, List<CheckResult> checks, double chi2, int dof,
                       long moved) {
    assertThat(report.status()).isEqualTo(RunStatus.DRIFTED);
    FeatureDrift f = report.features().get(0);
    assertThat(f.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(result(report, "tvd").score()).isCloseTo(0.5, within(1e-9));
    assertThat(result(report, "js").score()).isCloseTo(0.5, within(1e-9));
    assertThat(result(report, "psi").score()).isCloseTo(0.3465735902799727, within(1e-9));
    assertThat(result(report, "chi2").score()).isCloseTo(chi2, within(chi2 * 1e-9));
    assertThat(result(report, "chi2").conventions()).containsEntry("dof", Integer.toString(dof))
        .containsEntry("mode", "exact").containsEntry("edge_source", "category union");
    CheckResult fresh = check(checks, "new_categories");
    CheckResult vanished = check(checks, "vanished_categories");
    assertThat(fresh.failed()).isTrue();
    assertThat(fresh.value()).isEqualTo((double) moved);
    assertThat(vanished.failed()).isTrue();
    assertThat(vanished.value()).isEqualTo((double) moved);
  }

  @Test
  void fiveThousandLevelsHalfMovedIsDriftedInExactMode(SparkSession spark) {
    DriftSettings settings = settings("");
    DriftAnalysis.Outcome outcome = new DriftAnalysis(settings).analyse(
        levels(spark, 10_000, 5_000, 0), levels(spark, 10_000, 5_000, 2_500), C);
    // chi2_contingency: 10000.0 with 7499 degrees of freedom (p 7.57e-77).
    assertHalfMoved(outcome.report(), checks(settings, outcome), 10_000.0, 7_499, 2_500);
    assertThat(result(outcome.report(), "chi2").pValue()).isLessThan(1e-70);
    assertThat(result(outcome.report(), "linf").score()).isCloseTo(2e-4, within(1e-15));
  }

  @Test
  void twoHundredThousandLevelsHalfMovedIsDriftedInExactMode(SparkSession spark) {
    DriftSettings settings = settings("");
    DriftAnalysis.Outcome outcome = new DriftAnalysis(settings).analyse(
        levels(spark, 400_000, 200_000, 0), levels(spark, 400_000, 200_000, 100_000), C);
    // chi2_contingency: 400000.0 with 299999 degrees of freedom; PSI floors at 2.5e-6, half
    // the smallest share (5e-6), so it is ln 2 / 2 as for 5 000 levels.
    assertHalfMoved(outcome.report(), checks(settings, outcome), 400_000.0, 299_999, 100_000);
    assertThat(result(outcome.report(), "psi").conventions().get("smoothing"))
        .isEqualTo("proportions floored at 2.5E-6 (half the smallest non-zero category share, "
            + "below 1.0E-4)");
  }

  @Test
  void sameDistributionOtherSampleIsNotDrifted(SparkSession spark) {
    DriftSettings settings = settings("");
    // Every category twice in the reference; 12 000 rows over the same 5 000 in the current.
    Dataset<Row> current = spark.range(0, 12_000, 1, 2).select(
        concat(lit("c"), col("id").multiply(7).plus(3).mod(5_000).cast("string")).as("c"));
    DriftAnalysis.Outcome outcome = new DriftAnalysis(settings).analyse(
        levels(spark, 10_000, 5_000, 0), current, C);
    assertThat(outcome.report().status()).isEqualTo(RunStatus.NO_DRIFT);
    assertThat(outcome.report().features().get(0).verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    List<CheckResult> checks = checks(settings, outcome);
    assertThat(check(checks, "new_categories").value()).isEqualTo(0.0);
    assertThat(check(checks, "new_categories").failed()).isFalse();
    assertThat(check(checks, "vanished_categories").value()).isEqualTo(0.0);
    // 2 000 categories counted 3 times, 3 000 twice, against 2 each: TVD = 2000 * (3/12000 -
    // 2/10000) = 0.1 exactly... halved: 0.5 * (2000 * 5e-5 + 3000 * 3.333e-5) = 0.1.
    assertThat(result(outcome.report(), "tvd").score()).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void storedProfilesAloneStillSeeTheDriftApproximately(SparkSession spark) {
    DriftSettings settings = settings("driftlake.drift.statistics-mode = approximate");
    DriftAnalysis analysis = new DriftAnalysis(settings);
    List<Map<String, FeatureProfile>> profiles = analysis.profileAll(
        List.of(levels(spark, 10_000, 5_000, 0), levels(spark, 10_000, 5_000, 2_500)), C);
    CategoricalProfile ref = (CategoricalProfile) profiles.get(0).get("c");
    assertThat(ref.capped()).isTrue();
    assertThat(ref.counts()).hasSize(1_000);
    assertThat(ref.buckets()).isNotNull();
    assertThat(java.util.Arrays.stream(ref.buckets()).sum()).isEqualTo(10_000);
    DriftReport report = analysis.compare(profiles.get(0), profiles.get(1), C);
    assertThat(report.status()).isEqualTo(RunStatus.DRIFTED);
    MethodResult psi = result(report, "psi");
    assertThat(psi.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(psi.conventions()).containsEntry("mode", "approximate");
    assertThat(psi.conventions().get("edge_source")).contains("hash buckets");
    // Goldens from an independent Python MurmurHash3 x64 128 and numpy / scipy over the same
    // bins: no category is kept by both top-1000s (ties by key), 3462 non-empty buckets. The
    // buckets merge categories: TVD 0.311, a lower bound of the true 0.5, where the top-k and
    // "other" gave 0.0017.
    assertThat(psi.score()).isCloseTo(0.46177427364666346, within(1e-12));
    assertThat(psi.conventions()).containsEntry("bins", "3462");
    MethodResult tvd = result(report, "tvd");
    assertThat(tvd.score()).isCloseTo(0.311, within(1e-12));
    assertThat(tvd.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(result(report, "js").score()).isCloseTo(0.1887490666527604, within(1e-12));
    MethodResult chi2 = result(report, "chi2");
    assertThat(chi2.score()).isCloseTo(4082.361638361638, within(1e-8));
    assertThat(chi2.conventions()).containsEntry("dof", "3461");
    assertThat(chi2.pValue()).isCloseTo(7.688932976314931e-13, within(1e-15));
    assertThat(chi2.verdict()).isEqualTo(Verdict.DRIFTED);
    // The category checks cannot name categories past the top-k, but a bucket with values on
    // one side only holds at least one category only that side has (Python: 513 and 578).
    List<CheckResult> checks = QualityChecks.run(settings.checks(), Map.of("c", "string"),
        Map.of("c", "string"), profiles.get(0), profiles.get(1));
    assertThat(check(checks, "new_categories")).isEqualTo(new CheckResult("new_categories", "c",
        513.0, 0.0, true, "at least 513 categories the reference lacks: 513 of 4096 hash "
            + "buckets hold current values but no reference value (capped profiles do not know "
            + "every category); fails when more than 0"));
    assertThat(check(checks, "vanished_categories").value()).isEqualTo(578.0);
    assertThat(check(checks, "vanished_categories").failed()).isTrue();
  }

  /**
   * Capped profiles whose categories past the top-k hold little of the data: the buckets bound
   * how much those categories can add, so "no drift" is decided honestly from the profiles.
   */
  @Test
  void aSmallTailPastTheTopKIsDecidedFromBuckets(SparkSession spark) {
    DriftSettings settings = settings("driftlake.drift { statistics-mode = approximate, "
        + "profile.max-categories = 10 }");
    // 100 000 values in 10 categories, then 200 of their own: t0..t199 vs t100..t299.
    DriftReport report = new DriftAnalysis(settings).run(tail(spark, 0), tail(spark, 100), C);
    MethodResult psi = result(report, "psi");
    assertThat(psi.conventions()).containsEntry("mode", "approximate");
    assertThat(psi.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    // True PSI: 200 categories of share 1/100200 against the floor 1/200400 on the other side,
    // 200 · (1/100200 − 1/200400) · ln 2 = 6.9e-4; the bound is above it and below 0.2.
    assertThat(Double.parseDouble(psi.conventions().get("upper_bound")))
        .isBetween(200 * (1 / 100200.0 - 1 / 200400.0) * Math.log(2), 0.2);
    MethodResult tvd = result(report, "tvd");
    assertThat(tvd.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    // True TVD 100 / 100200; the bound: half of both sides' bucket mass, 200 / 100200.
    assertThat(Double.parseDouble(tvd.conventions().get("upper_bound")))
        .isCloseTo(200 / 100200.0, within(1e-12));
    assertThat(report.status()).isEqualTo(RunStatus.NO_DRIFT);
  }

  static Dataset<Row> tail(SparkSession spark, long shift) {
    return spark.range(0, 100_200, 1, 2).select(
        org.apache.spark.sql.functions.when(col("id").lt(100_000),
                concat(lit("a"), col("id").mod(10).cast("string")))
            .otherwise(concat(lit("t"), col("id").minus(100_000).plus(shift).cast("string")))
            .as("c"));
  }

  /** An incremental profile (stored + added rows) has the buckets of one scan of all rows. */
  @Test
  void bucketsMergeLikeOneScan(SparkSession spark) {
    DriftAnalysis analysis = new DriftAnalysis(settings(""));
    Dataset<Row> first = levels(spark, 6_000, 3_000, 0);
    Dataset<Row> added = levels(spark, 4_000, 4_000, 2_000);
    CategoricalProfile whole = (CategoricalProfile) analysis.profile(first.union(added), C)
        .get("c");
    CategoricalProfile merged = ((CategoricalProfile) analysis.profile(first, C).get("c"))
        .merge((CategoricalProfile) analysis.profile(added, C).get("c"), 1_000);
    assertThat(whole.capped()).isTrue();
    // The kept counts of merged top-k's are lower bounds; the buckets are exact either way.
    assertThat(merged.buckets()).isEqualTo(whole.buckets());
    // 6 000 distinct categories, each counted in its bucket: 10 000 values.
    assertThat(java.util.Arrays.stream(merged.buckets()).sum()).isEqualTo(10_000);
  }

  /** A capped profile made before buckets cannot be compared honestly: not computable. */
  @Test
  void cappedProfileWithoutBucketsIsNotComputable() {
    java.util.TreeMap<String, Long> top = new java.util.TreeMap<>(Map.of("a", 50L));
    CategoricalProfile old = new CategoricalProfile("c", 100, 0, top, 50, null);
    DriftReport report = new DriftAnalysis(settings("driftlake.drift.statistics-mode = "
        + "approximate")).compare(Map.of("c", old), Map.of("c", old), C);
    MethodResult psi = result(report, "psi");
    assertThat(psi.computable()).isFalse();
    assertThat(psi.note()).isEqualTo("not computable: the reference profile is capped (its top "
        + "1 categories; 50 values folded into 'other') and has no category hash buckets "
        + "(profiled before them); profile it again or use exact mode");
    assertThat(report.features().get(0).verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(report.status()).isEqualTo(RunStatus.INCOMPLETE);
  }

  /** The bucket hash matches an independent MurmurHash3 x64 128 (Python, seed 9001). */
  @Test
  void bucketsAreTheTop12BitsOfMurmur3() {
    assertThat(CategoricalProfile.bucket("c0")).isEqualTo(513);
    assertThat(CategoricalProfile.bucket("c1")).isEqualTo(3477);
    assertThat(CategoricalProfile.bucket("hello")).isEqualTo(539);
    assertThat(CategoricalProfile.bucket("a-much-longer-category-name-x")).isEqualTo(4031);
  }

  @Test
  void sameDistributionFromBucketsIsUnknownNotNoDrift(SparkSession spark) {
    DriftSettings settings = settings("driftlake.drift.statistics-mode = approximate");
    DriftReport report = new DriftAnalysis(settings).run(levels(spark, 10_000, 5_000, 0),
        levels(spark, 10_000, 5_000, 0), C);
    // Identical data: every bucket score is 0, but hash buckets cannot rule out drift hidden
    // inside a bucket, so the verdict is unknown, never "no drift".
    MethodResult psi = result(report, "psi");
    assertThat(psi.score()).isEqualTo(0.0);
    assertThat(psi.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(report.status()).isEqualTo(RunStatus.INCOMPLETE);
    // Nor can the category checks pass: no bucket tells a category apart, so not computable.
    List<Map<String, FeatureProfile>> profiles = new DriftAnalysis(settings).profileAll(
        List.of(levels(spark, 10_000, 5_000, 0), levels(spark, 10_000, 5_000, 0)), C);
    List<CheckResult> checks = QualityChecks.run(settings.checks(), Map.of("c", "string"),
        Map.of("c", "string"), profiles.get(0), profiles.get(1));
    assertThat(check(checks, "new_categories").notComputable()).isTrue();
    assertThat(check(checks, "new_categories").detail()).startsWith("not computable: the "
        + "reference profile keeps only its 1000 most frequent categories (8000 values folded");
    assertThat(check(checks, "vanished_categories").notComputable()).isTrue();
  }

  @Test
  void idColumnIsSkippedAndListed(SparkSession spark) {
    Dataset<Row> ref = spark.range(0, 1_000, 1, 2).select(
        concat(lit("u"), col("id").cast("string")).as("id"),
        concat(lit("c"), col("id").mod(3).cast("string")).as("c"));
    Dataset<Row> cur = spark.range(1_000, 1_600, 1, 2).select(
        concat(lit("u"), col("id").cast("string")).as("id"),
        concat(lit("c"), col("id").mod(3).cast("string")).as("c"));
    List<FeatureSpec> features = List.of(new FeatureSpec("id", FeatureType.CATEGORICAL),
        new FeatureSpec("c", FeatureType.CATEGORICAL));
    DriftReport report = new DriftAnalysis(settings("")).run(ref, cur, features);
    assertThat(report.features()).extracting(FeatureDrift::feature).containsExactly("c");
    assertThat(report.skipped()).containsExactly(new SkippedColumn("id", "categorical",
        "looks like an identifier: 1000 distinct of 1000 rows in the reference, 600 of 600 in "
            + "the current selection (distinct >= 0.95 of non-null rows; set "
            + "driftlake.drift.features.id.score-id-like = true to score it)"));
    assertThat(report.status()).isEqualTo(RunStatus.NO_DRIFT);

    DriftReport forced = new DriftAnalysis(
        settings("driftlake.drift.features.id.score-id-like = true")).run(ref, cur, features);
    assertThat(forced.skipped()).isEmpty();
    assertThat(forced.features()).extracting(FeatureDrift::feature).contains("id", "c");
  }
}
