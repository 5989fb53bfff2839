package io.driftlake.drift.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.feature.FeatureType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestFeatureDrift {
  private static FeatureDrift decidedBy(String method, Double score, Double p, double threshold,
                                        boolean drifted) {
    Verdict verdict = score == null ? Verdict.UNKNOWN : Verdict.of(drifted);
    return new FeatureDrift("f", FeatureType.NUMERIC, 10, 10, 0, 0,
        List.of(new MethodResult(method, score, p, threshold, verdict, null, Map.of())), method,
        verdict, false);
  }

  @Test
  void exceedanceRanksDistancesAndPValuesOnOneScale() {
    // PSI 0.5 against 0.2: 2.5 times its threshold.
    assertThat(decidedBy("psi", 0.5, null, 0.2, true).exceedance()).isCloseTo(2.5, within(1e-15));
    // KS p = 1e-10 against 0.05: log(1e-10) / log(0.05) = 7.686…, though D (0.05) < PSI's 0.5.
    assertThat(decidedBy("ks", 0.05, 1e-10, 0.05, true).exceedance())
        .isCloseTo(23.025850929940457 / 2.995732273553991, within(1e-12));
    // At the threshold: 1 for both; not drifted below 1.
    assertThat(decidedBy("chi2", 3.0, 0.05, 0.05, false).exceedance()).isCloseTo(1, within(1e-15));
    assertThat(decidedBy("ks", 0.01, 0.5, 0.05, false).exceedance()).isLessThan(1);
    assertThat(decidedBy("js", 0.05, null, 0.1, false).exceedance()).isEqualTo(0.5);
    // p = 0 ranks first; a threshold of 0 or 1 still ranks by the score.
    assertThat(decidedBy("ks", 0.9, 0.0, 0.05, true).exceedance()).isEqualTo(Double.MAX_VALUE);
    assertThat(decidedBy("psi", 0.3, null, 0.0, true).exceedance()).isEqualTo(1.3);
    assertThat(decidedBy("ks", 0.3, 0.01, 1.0, true).exceedance())
        .isCloseTo(1 + 4.605170185988091, within(1e-12));
    // Not computable: 0.
    assertThat(decidedBy("psi", null, null, 0.2, false).exceedance()).isZero();
  }
}
