package io.driftlake.drift.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.config.DriftSettings;
import org.junit.jupiter.api.Test;

class TestCheckSettings {
  static CheckSettings checks(String hocon) {
    return DriftSettings.from(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference())).checks();
  }

  @Test
  void defaultsComeFromReferenceConfAndFeaturesOverrideThem() {
    CheckSettings defaults = checks("");
    assertThat(defaults.limit("income", Check.NULL_SHARE_CHANGE)).isEqualTo(0.05);
    assertThat(defaults.limit("income", Check.OUT_OF_RANGE_SHARE)).isEqualTo(0.10);
    assertThat(defaults.limit("channel", Check.NEW_CATEGORIES)).isEqualTo(0.0);
    assertThat(defaults.limit("channel", Check.VANISHED_CATEGORIES)).isEqualTo(0.0);
    assertThat(defaults.schema()).isTrue();
    assertThat(defaults.rules()).isEmpty();

    CheckSettings tuned = checks("""
        driftlake.drift.checks {
          out-of-range-share = 0.05
          features { income { out-of-range-share = 0.2 }, "loan.amount" { null-share-change = 0.5 } }
          rules = [ { check = category_share, feature = prediction, category = 1, max = 0.6 } ]
        }""");
    assertThat(tuned.limit("income", Check.OUT_OF_RANGE_SHARE)).isEqualTo(0.2);
    assertThat(tuned.limit("age", Check.OUT_OF_RANGE_SHARE)).isEqualTo(0.05);
    assertThat(tuned.limit("loan.amount", Check.NULL_SHARE_CHANGE)).isEqualTo(0.5);
    assertThat(tuned.rules()).containsExactly(new CheckSettings.Rule(Check.CATEGORY_SHARE,
        "prediction", "1", null, 0.6, "driftlake.drift.checks.rules[0]"));
  }

  @Test
  void unknownKeysAndCheckNamesAreErrorsListingTheKnownOnes() {
    assertThatThrownBy(() -> checks("driftlake.drift.checks.out-of-range = 0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown config key 'driftlake.drift.checks.out-of-range'; known keys: "
            + "[features, new-categories, null-share-change, out-of-range-share, rules, schema, "
            + "vanished-categories]");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.features.age.max = 0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown config key 'driftlake.drift.checks.features.age.max'; known keys: "
            + "[new-categories, null-share-change, out-of-range-share, vanished-categories]");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.rules = "
        + "[{ check = mean_above, feature = age, category = x, max = 1 }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.rules[0].check: unknown rule check 'mean_above'; "
            + "known rule checks: [category_share]");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.rules = "
        + "[{ check = category_share, feature = p, category = x, maximum = 1 }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown config key 'driftlake.drift.checks.rules[0].maximum'; known keys: "
            + "[category, check, feature, max, min]");
  }

  @Test
  void rulesNeedACategoryAndExactlyOneBoundAndLimitsMustBeInRange() {
    assertThatThrownBy(() -> checks("driftlake.drift.checks.rules = "
        + "[{ check = category_share, feature = p, max = 0.5 }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.rules[0]: missing key 'category'");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.rules = "
        + "[{ check = category_share, feature = p, category = x, min = 0.1, max = 0.5 }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.rules[0]: set exactly one of min or max (min 0.1, max 0.5)");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.rules = "
        + "[{ check = category_share, feature = p, category = x, max = 60 }]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.rules[0].max must be a share in [0, 1]: 60.0");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.out-of-range-share = 10"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.out-of-range-share must be a share in [0, 1]: 10.0");
    assertThatThrownBy(() -> checks("driftlake.drift.checks.features.c.new-categories = 0.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.features.c.new-categories must be a whole number >= 0: 0.5");
  }
}
