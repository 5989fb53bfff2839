package io.driftlake.drift.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethods;
import org.junit.jupiter.api.Test;

class TestDriftSettings {
  static DriftSettings settings(String hocon) {
    return DriftSettings.from(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference()));
  }

  @Test
  void thresholdCascadeIsFeatureThenTypeThenGlobalThenDefault() {
    DriftSettings s = settings("""
        driftlake.drift {
          thresholds { psi = 0.3, js = 0.2 }
          type-thresholds.numeric { psi = 0.25 }
          features { "loan.amount" { thresholds { psi = 0.15 } } }
        }""");
    var loan = s.policy("loan.amount", FeatureType.NUMERIC);
    assertThat(loan.threshold(DriftMethods.PSI)).isEqualTo(new DriftSettings.Threshold(0.15, "feature"));
    assertThat(loan.threshold(DriftMethods.JS)).isEqualTo(new DriftSettings.Threshold(0.2, "global"));
    assertThat(loan.threshold(DriftMethods.KS)).isEqualTo(new DriftSettings.Threshold(0.05, "default"));
    var age = s.policy("age", FeatureType.NUMERIC);
    assertThat(age.threshold(DriftMethods.PSI)).isEqualTo(new DriftSettings.Threshold(0.25, "type"));
    var channel = s.policy("channel", FeatureType.CATEGORICAL);
    assertThat(channel.threshold(DriftMethods.PSI)).isEqualTo(new DriftSettings.Threshold(0.3, "global"));
    assertThat(channel.methods()).containsExactly(DriftMethods.PSI, DriftMethods.JS,
        DriftMethods.CHI2, DriftMethods.TVD, DriftMethods.LINF);
    assertThat(channel.critical()).isFalse();
  }

  @Test
  void theLastLevelIsTheMethodsDeclaredDefaultWhichAConfigMayOverride() {
    com.typesafe.config.Config reference = ConfigFactory.defaultReference();
    // Defaults live only in the declarations: reference.conf repeats none of them.
    assertThat(reference.hasPath("driftlake.drift.default-thresholds")).isFalse();
    DriftSettings defaults = settings("");
    for (var method : DriftMethods.all()) {
      assertThat(defaults.threshold(method)).as(method.id()).isEqualTo(method.defaultThreshold());
    }
    assertThat(defaults.policy("x", FeatureType.NUMERIC).threshold(DriftMethods.KS))
        .isEqualTo(new DriftSettings.Threshold(0.05, "default"));
    // An application may move a default (as deployments did when reference.conf held them);
    // the result still says it is the default level, and the other defaults stay declared.
    DriftSettings moved = settings("driftlake.drift.default-thresholds.ks = 0.01");
    assertThat(moved.policy("x", FeatureType.NUMERIC).threshold(DriftMethods.KS))
        .isEqualTo(new DriftSettings.Threshold(0.01, "default"));
    assertThat(moved.threshold(DriftMethods.KS)).isEqualTo(0.01);
    assertThat(moved.threshold(DriftMethods.PSI)).isEqualTo(0.2);
    assertThatThrownBy(() -> settings("driftlake.drift.default-thresholds.kl = 0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.default-thresholds.kl: Unknown drift method 'kl'; known "
            + "methods: [psi, ks, js, wasserstein, chi2, tvd, linf, cvm]");
  }

  @Test
  void minRowsIsAtLeastOne() {
    assertThat(settings("").minRows()).isEqualTo(100);
    assertThat(settings("driftlake.drift.min-rows = 1").minRows()).isEqualTo(1);
    assertThatThrownBy(() -> settings("driftlake.drift.min-rows = 0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.min-rows must be at least 1: 0");
  }

  @Test
  void thresholdsMustFitTheirMethodsScore() {
    assertThatThrownBy(() -> settings("driftlake.drift.thresholds.ks = 5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.thresholds.ks: ks is a p-value, so its threshold must be in "
            + "(0, 1]: 5.0");
    assertThatThrownBy(() -> settings("driftlake.drift.features.age.thresholds.chi2 = 0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.features.age.thresholds.chi2: chi2 is a p-value, so its "
            + "threshold must be in (0, 1]: 0.0");
    assertThatThrownBy(() -> settings("driftlake.drift.type-thresholds.numeric.psi = -0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.type-thresholds.numeric.psi: psi is a distance, so its "
            + "threshold must be finite and at least 0: -0.1");
    assertThat(settings("driftlake.drift.thresholds { ks = 1, psi = 0 }").thresholdOverrides())
        .containsEntry("ks", 1.0).containsEntry("psi", 0.0);
  }

  @Test
  void binClosedIsLeftByDefaultRightOnRequestAndNothingElse() {
    assertThat(settings("").binClosed())
        .isEqualTo(io.driftlake.drift.profile.BinClosed.LEFT);
    assertThat(settings("driftlake.drift.bin-closed = right").binClosed())
        .isEqualTo(io.driftlake.drift.profile.BinClosed.RIGHT);
    assertThatThrownBy(() -> settings("driftlake.drift.bin-closed = both"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.bin-closed: unknown value 'both'; known values: "
            + "[left, right]");
  }

  @Test
  void unknownMethodNamesTheKeyAndListsTheKnownMethods() {
    assertThatThrownBy(() -> settings("driftlake.drift.features.age.methods = [psi, hellinger]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.features.age.methods: Unknown drift method 'hellinger'; "
            + "known methods: [psi, ks, js, wasserstein, chi2, tvd, linf, cvm]");
    assertThatThrownBy(() -> settings("driftlake.drift.type-thresholds.categorical.hellinger = 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.type-thresholds.categorical.hellinger: Unknown drift method "
            + "'hellinger'; known methods: [psi, ks, js, wasserstein, chi2, tvd, linf, cvm]");
  }

  @Test
  void perFeatureMethodsMustFitTheFeaturesType() {
    DriftSettings s = settings("driftlake.drift.features.age { methods = [ks, chi2], decide-by = ks }");
    assertThatThrownBy(() -> s.policy("age", FeatureType.NUMERIC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.features.age.methods: method 'chi2' does not apply to numeric "
            + "features (it applies to [categorical])");
    DriftSettings t = settings("driftlake.drift.features.age.methods = [ks]");
    assertThatThrownBy(() -> t.policy("age", FeatureType.NUMERIC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.features.age.decide-by (psi) must be one of "
            + "driftlake.drift.features.age.methods [ks]");
  }

  @Test
  void unknownKeysUnderAFeatureOrTypeAreErrors() {
    assertThatThrownBy(() -> settings("driftlake.drift.features.age.treshold = 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown config key 'driftlake.drift.features.age.treshold'; known keys: "
            + "[critical, decide-by, methods, score-id-like, thresholds]");
    assertThatThrownBy(() -> settings("driftlake.drift.type-thresholds.numerc.psi = 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown config key 'driftlake.drift.type-thresholds.numerc'; known keys: "
            + "[categorical, numeric]");
  }

  @Test
  void typeThresholdForAMethodOfAnotherTypeIsAnError() {
    assertThatThrownBy(() -> settings("driftlake.drift.type-thresholds.categorical.ks = 0.01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.type-thresholds.categorical: method 'ks' does not apply to "
            + "categorical features (it applies to [numeric])");
  }

  @Test
  void minEffectIsTheDeclaredFloorUnlessConfigSetsOneInRange() {
    DriftSettings declared = settings("");
    assertThat(declared.minEffect(DriftMethods.KS)).isEqualTo(0.05);
    assertThat(declared.minEffect(DriftMethods.CHI2)).isEqualTo(0.1);
    assertThat(declared.minEffect(DriftMethods.PSI)).isNull();
    assertThat(settings("driftlake.drift.min-effect.ks = 0.2").minEffect(DriftMethods.KS))
        .isEqualTo(0.2);
    assertThatThrownBy(() -> settings("driftlake.drift.min-effect.psi = 0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.min-effect.psi: method 'psi' has no effect-size floor "
            + "(methods with one: [chi2, ks])");
    assertThatThrownBy(() -> settings("driftlake.drift.min-effect.chi2 = 1.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.min-effect.chi2: the minimum V must be in [0, 1]: 1.5");
    assertThatThrownBy(() -> settings("driftlake.drift.min-effect.kl = 0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("driftlake.drift.min-effect.kl: Unknown drift method 'kl'");
  }
}
