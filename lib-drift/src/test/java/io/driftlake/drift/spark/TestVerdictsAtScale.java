package io.driftlake.drift.spark;

import static io.driftlake.drift.spark.TestDriftAnalysis.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.drift.testing.SortBased;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Verdicts at scale with real Spark: two near-identical versions (the KS p-value Commons Math
 * could not compute), and approximate mode flagging only what its error bound supports.
 */
@ExtendWith(LocalSpark.class)
class TestVerdictsAtScale {
  private static DriftSettings settings(String config) {
    return DriftSettings.from(ConfigFactory.parseString(config)
        .withFallback(ConfigFactory.defaultReference()));
  }

  private static double[] column(Dataset<Row> data, String name) {
    return data.select(name).collectAsList().stream()
        .mapToDouble(r -> ((Number) r.get(0)).doubleValue()).toArray();
  }

  /**
   * 200 000 rows (normal x, integer k), then the same rows with 3 of them appended again: the
   * drift completes, D is the sort-based D of the collected values, and the p-value is scipy's
   * kstwo.sf(D, round(n·m/(n+m)) = 100001) = 1.0 in exact mode, which holds for every D ≤ 1.5e-4
   * (kstwo.sf(1.5e-4, 100001) = 1.0 in scipy 1.17.1).
   */
  @Test
  void nearIdenticalVersionsHaveFiniteKsPValues(SparkSession spark) {
    Dataset<Row> ref = spark.range(0, 200_000, 1, 2)
        .selectExpr("id", "randn(7) as x", "cast(floor(rand(11) * 10) as int) as k")
        .localCheckpoint();
    Dataset<Row> cur = ref.union(ref.where("id in (5, 777, 123456)"));
    List<FeatureSpec> features = List.of(new FeatureSpec("x", FeatureType.NUMERIC),
        new FeatureSpec("k", FeatureType.NUMERIC));
    java.util.Map<String, Double> sortBasedD = new java.util.HashMap<>();
    for (String name : List.of("x", "k")) {
      sortBasedD.put(name, SortBased.ks(column(ref, name), column(cur, name)));
    }
    for (String mode : List.of("exact", "approximate")) {
      DriftReport report = new DriftAnalysis(settings(
          "driftlake.drift.statistics-mode = " + mode)).run(ref, cur, features);
      assertThat(report.status()).as(mode).isEqualTo(RunStatus.NO_DRIFT);
      assertThat(report.currentRows()).isEqualTo(200_003);
      for (String name : List.of("x", "k")) {
        MethodResult ks = result(report, name, "ks");
        double d = sortBasedD.get(name);
        assertThat(d).isLessThanOrEqualTo(1.5e-4);
        assertThat(ks.conventions()).containsEntry("p_value", "asymptotic");
        if (mode.equals("exact")) {
          assertThat(ks.score()).as(name).isCloseTo(d, within(1e-12));
          assertThat(ks.pValue()).as(name).isCloseTo(1.0, within(1e-10));
        } else {
          // The p-value at the estimate (D within its bound), and the upper end at D − bound.
          assertThat(ks.pValue()).as(name).isBetween(0.99, 1.0);
          assertThat(Double.parseDouble(ks.conventions().get("p_value_upper")))
              .isCloseTo(1.0, within(1e-10));
        }
        assertThat(ks.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
      }
    }
  }

  /**
   * 1M rows a side, 25 normal features, 5 of them shifted in the current side; KS decides. The
   * profiles-only comparison never flags a feature exact mode does not, and leaves the features
   * whose interval straddles 0.05 undecided; {@code analyse} in approximate mode refines those
   * exactly, and then flags exactly the 5 that exact mode flags.
   */
  @Test
  void approximateModeFlagsExactlyWhatExactModeFlags(SparkSession spark) {
    int unshifted = 20;
    double[] shifts = {0.01, 0.02, 0.03, 0.05, 0.1};
    List<String> refColumns = new ArrayList<>();
    List<String> curColumns = new ArrayList<>();
    List<FeatureSpec> features = new ArrayList<>();
    Set<String> shifted = new TreeSet<>();
    for (int i = 0; i < unshifted + shifts.length; i++) {
      String name = String.format("f%02d", i);
      double shift = i < unshifted ? 0 : shifts[i - unshifted];
      refColumns.add(String.format("randn(%d) as %s", 100 + i, name));
      curColumns.add(String.format("randn(%d) + %s as %s", 200 + i, shift, name));
      features.add(new FeatureSpec(name, FeatureType.NUMERIC));
      if (shift > 0) {
        shifted.add(name);
      }
    }
    Dataset<Row> ref = spark.range(0, 1_000_000, 1, 2)
        .selectExpr(refColumns.toArray(String[]::new));
    Dataset<Row> cur = spark.range(0, 1_000_000, 1, 2)
        .selectExpr(curColumns.toArray(String[]::new));
    // The p-value's interval logic alone: the effect-size floor off (these shifts are tiny).
    String policy = "driftlake.drift { methods.numeric = [ks], decide-by.numeric = ks, "
        + "min-effect.ks = 0, ";
    DriftAnalysis approximate =
        new DriftAnalysis(settings(policy + "statistics-mode = approximate }"));
    DriftAnalysis exact = new DriftAnalysis(settings(policy + "statistics-mode = exact }"));

    DriftAnalysis.Outcome outcome = approximate.analyse(ref, cur, features);
    DriftReport exactReport = exact.compareExact(outcome.reference(), outcome.current(),
        features, ref, cur);
    DriftReport profilesOnly = approximate.compare(outcome.reference(), outcome.current(),
        features);

    assertThat(flagged(exactReport)).isEqualTo(shifted);
    assertThat(flagged(outcome.report())).isEqualTo(shifted);
    assertThat(outcome.report().features()).noneMatch(FeatureDrift::unknown);
    // 5 of 25 is below the default dataset share of 50 %.
    assertThat(outcome.report().status()).isEqualTo(RunStatus.NO_DRIFT);

    // From the profiles alone: no false flag; what is left open says so.
    assertThat(shifted).containsAll(flagged(profilesOnly));
    for (FeatureDrift f : profilesOnly.features()) {
      MethodResult ks = f.results().get(0);
      if (FeatureComparator.undecided(f)) {
        assertThat(f.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(ks.note()).isEqualTo(String.format(java.util.Locale.ROOT, "undecided: the "
            + "error interval [%s, %s] straddles the threshold 0.05",
            ks.conventions().get("p_value_lower"), ks.conventions().get("p_value_upper")));
        assertThat(Double.parseDouble(ks.conventions().get("p_value_lower"))).isLessThan(0.05);
        assertThat(Double.parseDouble(ks.conventions().get("p_value_upper")))
            .isGreaterThanOrEqualTo(0.05);
      } else {
        assertThat(ks.conventions()).containsEntry("decision",
            "error interval clear of the threshold");
        assertThat(f.verdict()).as(f.feature())
            .isEqualTo(exactReport.features().stream()
                .filter(e -> e.feature().equals(f.feature())).findFirst().orElseThrow()
                .verdict());
      }
    }
  }

  private static Set<String> flagged(DriftReport report) {
    return report.features().stream().filter(FeatureDrift::drifted).map(FeatureDrift::feature)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
