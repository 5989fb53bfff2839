package io.driftlake.drift.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureType;
import org.junit.jupiter.api.Test;

class TestDriftMethods {
  @Test
  void unknownMethodListsTheKnownOnes() {
    assertThatThrownBy(() -> DriftMethods.byId("kl"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown drift method 'kl'; known methods: [psi, ks, js, wasserstein, chi2, tvd, linf, cvm]");
  }

  @Test
  void everyMethodDeclaresTypesKindDirectionAndDefaultThreshold() {
    assertThat(DriftMethods.all()).extracting(DriftMethod::id)
        .containsExactly("psi", "ks", "js", "wasserstein", "chi2", "tvd", "linf", "cvm");
    assertThat(DriftMethods.CHI2.kind()).isEqualTo(ScoreKind.P_VALUE);
    assertThat(DriftMethods.CHI2.direction()).isEqualTo(Direction.LOWER_IS_DRIFT);
    assertThat(DriftMethods.CHI2.appliesTo(FeatureType.NUMERIC)).isFalse();
    assertThat(DriftMethods.WASSERSTEIN.appliesTo(FeatureType.CATEGORICAL)).isFalse();
    assertThat(DriftMethods.TVD.direction()).isEqualTo(Direction.HIGHER_IS_DRIFT);
    assertThat(DriftMethods.LINF.defaultThreshold()).isEqualTo(0.1);
  }

  @Test
  void directionIsOnTheMethod() {
    assertThat(DriftMethods.PSI.direction().drifted(0.25, 0.2)).isTrue();
    assertThat(DriftMethods.KS.direction().drifted(0.01, 0.05)).isTrue();
    assertThat(DriftMethods.KS.direction().drifted(0.5, 0.05)).isFalse();
    assertThat(DriftMethods.KS.kind()).isEqualTo(ScoreKind.P_VALUE);
  }

  @Test
  void settingsComeFromReferenceConfAndOverrides() {
    DriftSettings defaults = DriftSettings.from(ConfigFactory.defaultReference());
    assertThat(defaults.bins()).isEqualTo(10);
    assertThat(defaults.threshold(DriftMethods.PSI)).isEqualTo(0.2);
    assertThat(defaults.decideBy().get(FeatureType.NUMERIC)).isEqualTo(DriftMethods.PSI);

    DriftSettings tuned = DriftSettings.from(ConfigFactory.parseString(
        "driftlake.drift.thresholds.psi = 0.1").withFallback(ConfigFactory.defaultReference()));
    assertThat(tuned.threshold(DriftMethods.PSI)).isEqualTo(0.1);
  }

  @Test
  void methodThatDoesNotApplyToTheTypeIsRejected() {
    assertThatThrownBy(() -> DriftSettings.from(ConfigFactory.parseString(
            "driftlake.drift.methods.categorical = [psi, ks]")
        .withFallback(ConfigFactory.defaultReference())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.methods.categorical: method 'ks' does not apply to "
            + "categorical features (it applies to [numeric])");
  }
}
