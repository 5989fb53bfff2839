package io.driftlake.drift.spark;

import static io.driftlake.drift.spark.TestDriftAnalysis.numbers;
import static io.driftlake.drift.spark.TestDriftAnalysis.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.stat.TestCramerVonMises;
import io.driftlake.drift.testing.LocalSpark;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cvm method end to end: enabled by config only, exact mode fetches every value and matches
 * scipy's cramervonmises_2samp (goldens and their snippet in {@link TestCramerVonMises}); the
 * profiles alone give it only where they fix every value, else an honest "not computable".
 */
@ExtendWith(LocalSpark.class)
class TestCramerVonMisesMethod {
  private static final String CVM = "driftlake.drift { methods.numeric = [psi, cvm], min-rows = 2 }";
  private static final List<FeatureSpec> X = List.of(new FeatureSpec("x", FeatureType.NUMERIC));

  private static DriftSettings settings(String hocon) {
    return DriftSettings.from(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference()));
  }

  static Stream<TestCramerVonMises.Case> golden() {
    Set<String> spark = Set.of("ties", "unequalShifted", "infinities", "scaled");
    return TestCramerVonMises.golden().filter(c -> spark.contains(c.name()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void exactModeMatchesScipy(TestCramerVonMises.Case c, SparkSession spark) {
    DriftReport report = new DriftAnalysis(settings(CVM)).run(numbers(spark, c.x()),
        numbers(spark, c.y()), X);
    MethodResult cvm = result(report, "x", "cvm");
    assertThat(cvm.score()).as(cvm.note()).isCloseTo(c.statistic(),
        within(1e-12 * Math.max(1, Math.abs(c.statistic()))));
    assertThat(cvm.pValue()).isCloseTo(c.pValue(), within(1e-12 + 1e-9 * c.pValue()));
    assertThat(cvm.threshold()).isEqualTo(0.05);
    assertThat(cvm.verdict()).isEqualTo(Verdict.of(c.pValue() < 0.05));
    assertThat(cvm.conventions()).containsEntry("mode", "exact")
        .containsEntry("threshold_source", "default")
        .containsEntry("bins", "none (empirical distribution functions)");
  }

  @Test
  void notInTheDefaultMethodsAndHonestFromProfilesAlone(SparkSession spark) {
    assertThat(settings("").policy("x", FeatureType.NUMERIC).methods())
        .doesNotContain(DriftMethods.CVM);
    DriftAnalysis analysis = new DriftAnalysis(settings(CVM
        + "\ndriftlake.drift.statistics-mode = approximate"));
    TestCramerVonMises.Case scaled = TestCramerVonMises.golden()
        .filter(c -> c.name().equals("scaled")).findFirst().orElseThrow();
    List<Map<String, FeatureProfile>> both = analysis.profileAll(List.of(
        numbers(spark, scaled.x()), numbers(spark, scaled.y())), X);
    MethodResult cvm = result(analysis.compare(both.get(0), both.get(1), X), "x", "cvm");
    assertThat(cvm.computable()).isFalse();
    assertThat(cvm.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(cvm.note()).isEqualTo("not computable: cvm ranks every value of both sides, which "
        + "only exact mode reads (statistics-mode = exact); the profiles' fine histograms do not "
        + "fix the ranks");
    // Integers 0..6: every fine bin holds one value, so the profiles fix the ranks exactly.
    TestCramerVonMises.Case ties = TestCramerVonMises.golden()
        .filter(c -> c.name().equals("ties")).findFirst().orElseThrow();
    both = analysis.profileAll(List.of(numbers(spark, ties.x()), numbers(spark, ties.y())), X);
    MethodResult fixed = result(analysis.compare(both.get(0), both.get(1), X), "x", "cvm");
    assertThat(fixed.score()).as(fixed.note()).isCloseTo(ties.statistic(), within(1e-12 * ties.statistic()));
    // A p-value near 0 is 1 − cdf in scipy and here: absolute precision ~1e-15, hence 1e-12.
    assertThat(fixed.pValue()).isCloseTo(ties.pValue(), within(1e-12 + 1e-9 * ties.pValue()));
  }
}
