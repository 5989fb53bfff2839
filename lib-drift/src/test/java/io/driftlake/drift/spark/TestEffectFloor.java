package io.driftlake.drift.spark;

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
import io.driftlake.drift.testing.LocalSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The effect-size floor at large N, with real Spark: 1 000 000 rows on each side, where a tiny
 * shift has p far below 1e-6 yet an effect below the floor (not drifted, the note says why), and
 * a large shift is drifted. The effects are known answers: x is the integers 0..N−1 against the
 * same integers plus k, whose ECDFs differ by exactly k / N at most (D = k / N); c is a two-category
 * column with exact shares, whose χ² and Cramér's V the test computes from the 2×2 table by hand.
 */
@ExtendWith(LocalSpark.class)
class TestEffectFloor {
  private static final long N = 1_000_000;
  private static final List<FeatureSpec> FEATURES = List.of(
      new FeatureSpec("x", FeatureType.NUMERIC), new FeatureSpec("c", FeatureType.CATEGORICAL));
  private static final DriftSettings SETTINGS = DriftSettings.from(ConfigFactory.parseString(
      "driftlake.drift { methods { numeric = [psi, ks], categorical = [psi, chi2] }, "
          + "decide-by { numeric = ks, categorical = chi2 } }")
      .withFallback(ConfigFactory.defaultReference()));

  /** N rows: x = id + shift, c = "a" for the first {@code aPerMille} of every 1000 ids, else b. */
  private static Dataset<Row> side(SparkSession spark, long shift, int aPerMille) {
    return spark.range(0, N, 1, 2).selectExpr("cast(id + " + shift + " as double) as x",
        "case when id % 1000 < " + aPerMille + " then 'a' else 'b' end as c");
  }

  /** Pearson's χ² of the 2×2 table {{a1, b1}, {a2, b2}}, by the expected-count formula. */
  private static double chiSquare(double a1, double b1, double a2, double b2) {
    double n = a1 + b1 + a2 + b2;
    double[][] observed = {{a1, b1}, {a2, b2}};
    double[] rows = {a1 + b1, a2 + b2};
    double[] columns = {a1 + a2, b1 + b2};
    double chi2 = 0;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        double expected = rows[i] * columns[j] / n;
        chi2 += Math.pow(observed[i][j] - expected, 2) / expected;
      }
    }
    return chi2;
  }

  @Test
  void tinyShiftIsSignificantButBelowTheFloorAndLargeShiftDrifts(SparkSession spark) {
    Dataset<Row> reference = side(spark, 0, 500).localCheckpoint();
    DriftAnalysis analysis = new DriftAnalysis(SETTINGS);

    // Tiny shift: D = 10 000 / 1 000 000 = 0.01; a share of 51 % instead of 50 %.
    DriftReport tiny = analysis.run(reference, side(spark, 10_000, 510), FEATURES);
    MethodResult ks = result(tiny, "x", "ks");
    assertThat(ks.score()).isCloseTo(0.01, within(1e-12));
    assertThat(ks.pValue()).isLessThan(1e-6);
    // The Kolmogorov limit 2·exp(−2λ²), λ = D·sqrt(n·m/(n+m)), agrees that it is significant.
    assertThat(2 * Math.exp(-2 * Math.pow(0.01 * Math.sqrt(N / 2.0), 2))).isLessThan(1e-6);
    assertThat(ks.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    assertThat(ks.conventions()).containsEntry("rule", "p < 0.05 and D >= 0.05")
        .containsEntry("min_effect", "0.05").containsEntry("threshold_source", "default");
    assertThat(Double.parseDouble(ks.conventions().get("effect_size")))
        .isCloseTo(0.01, within(1e-12));
    assertThat(ks.note()).startsWith("not drifted: p = ").contains("< 0.05, but the effect D = "
        + "0.01 is below the minimum effect 0.05 (driftlake.drift.min-effect.ks)");

    double chi2 = chiSquare(500_000, 500_000, 510_000, 490_000);
    double v = Math.sqrt(chi2 / (2.0 * N));
    assertThat(v).isCloseTo(0.01, within(1e-4)).isLessThan(0.1);
    MethodResult c = result(tiny, "c", "chi2");
    assertThat(c.score()).isCloseTo(chi2, within(1e-9 * chi2));
    assertThat(c.pValue()).isLessThan(1e-6);
    assertThat(c.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    assertThat(Double.parseDouble(c.conventions().get("effect_size"))).isCloseTo(v, within(1e-12));
    assertThat(c.conventions()).containsEntry("rule", "p < 0.05 and V >= 0.1")
        .containsEntry("min_effect", "0.1");
    assertThat(c.note()).contains("below the minimum effect 0.1 "
        + "(driftlake.drift.min-effect.chi2)");
    assertThat(tiny.features()).noneMatch(f -> f.drifted());

    // Large shift: D = 100 000 / 1 000 000 = 0.1; a share of 65 % instead of 50 %.
    DriftReport large = analysis.run(reference, side(spark, 100_000, 650), FEATURES);
    MethodResult ksLarge = result(large, "x", "ks");
    assertThat(ksLarge.score()).isCloseTo(0.1, within(1e-12));
    assertThat(ksLarge.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(ksLarge.note()).isNull();
    double chi2Large = chiSquare(500_000, 500_000, 650_000, 350_000);
    double vLarge = Math.sqrt(chi2Large / (2.0 * N));
    assertThat(vLarge).isGreaterThan(0.1);
    MethodResult cLarge = result(large, "c", "chi2");
    assertThat(Double.parseDouble(cLarge.conventions().get("effect_size")))
        .isCloseTo(vLarge, within(1e-12));
    assertThat(cLarge.verdict()).isEqualTo(Verdict.DRIFTED);

    // Without the floor (min-effect 0) the tiny shift drifts on both: the floor decided it.
    DriftSettings noFloor = DriftSettings.from(ConfigFactory.parseString(
        "driftlake.drift.min-effect { ks = 0, chi2 = 0 }").withFallback(ConfigFactory
        .parseString("driftlake.drift { methods { numeric = [psi, ks], categorical = [psi, chi2] }"
            + ", decide-by { numeric = ks, categorical = chi2 } }"))
        .withFallback(ConfigFactory.defaultReference()));
    DriftReport unfloored = new DriftAnalysis(noFloor).run(reference, side(spark, 10_000, 510),
        FEATURES);
    assertThat(result(unfloored, "x", "ks").verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(result(unfloored, "c", "chi2").verdict()).isEqualTo(Verdict.DRIFTED);
  }
}
