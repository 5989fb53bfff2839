package io.driftlake.drift.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class TestMultivariateSettings {
  @Test
  void defaultsAreDocumentedOnesAndAConfigOverridesThem() {
    // The defaults docs/CONFIGURATION.md states.
    assertThat(MultivariateSettings.defaults()).isEqualTo(new MultivariateSettings(false, 50_000,
        3, 20, 4, 64, 0.55, 0.65, 10, 3, 42));
    MultivariateSettings asked = MultivariateSettings.from(ConfigFactory.parseString(
            "driftlake.drift.multivariate { enabled = true, auc-threshold = 0.6, "
                + "pca.chunks = 5 }")
        .withFallback(ConfigFactory.defaultReference()));
    assertThat(asked.enabled()).isTrue();
    assertThat(asked.aucThreshold()).isEqualTo(0.6);
    assertThat(asked.chunks()).isEqualTo(5);
  }

  @Test
  void aValueOutOfItsRangeNamesItsKey() {
    assertThatThrownBy(() -> MultivariateSettings.from(ConfigFactory.parseString(
            "driftlake.drift.multivariate.auc-threshold = 0.4")
        .withFallback(ConfigFactory.defaultReference())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.multivariate.auc-threshold must be in [0.5, 1): 0.4");
    assertThatThrownBy(() -> new MultivariateSettings(true, 50_000, 1, 20, 4, 64, 0.55, 0.65,
        10, 3, 42))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.multivariate.folds must be at least 2: 1");
  }
}
