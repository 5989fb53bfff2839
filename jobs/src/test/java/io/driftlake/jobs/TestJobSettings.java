package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.quality.Check;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestJobSettings {
  @Test
  void unknownKeyNamesTheKeyAndTheFile(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake {\n  lake-root = /tmp/x\n  tabels.training = t\n}\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown config key 'driftlake.tabels.training' in " + conf + " (line 3)");
  }

  @Test
  void wrongTypeNamesTheKey(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake.drift.bins = ten\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid config in " + conf)
        .hasMessage("Invalid config in " + conf + ": " + conf
            + ": 1: driftlake.drift.bins has type STRING rather than NUMBER");
  }

  @Test
  void missingFileIsAnError(@TempDir Path dir) {
    Path conf = dir.resolve("nope.conf");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Config file not found: " + conf);
  }

  @Test
  void shippedApplicationConfIsValidAndOverridesDefaults() {
    Path conf = Path.of("..", "conf", "application.conf");
    JobSettings settings = JobSettings.load(Optional.of(conf.toString()));
    assertThat(settings.tables().driftResults()).isEqualTo("drift_results");
    assertThat(settings.tables().driftChecks()).isEqualTo("drift_checks");
    assertThat(settings.drift().bins()).isEqualTo(10);
  }

  @Test
  void checkLimitsPerColumnAreFreeFormButUnknownCheckKeysAreNot(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake.drift.checks.features.income.out-of-range-share = 0.2\n");
    assertThat(JobSettings.load(Optional.of(conf.toString())).drift().checks()
        .limit("income", Check.OUT_OF_RANGE_SHARE)).isEqualTo(0.2);
    Files.writeString(conf, "driftlake.drift.checks.null-share = 0.1\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Unknown config key 'driftlake.drift.checks.null-share' in " + conf + " (line 1)");
  }

  @Test
  void thresholdsAreAFreeFormMapByMethodId(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake.drift.thresholds { psi = 0.1, kl = 0.3 }\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": driftlake.drift.thresholds.kl: Unknown drift "
            + "method 'kl'; known methods: [psi, ks, js, wasserstein, chi2, tvd, linf, cvm]");
  }

  @Test
  void perFeatureAndPerTypeDriftSettingsAreAcceptedAndChecked(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, """
        driftlake.drift {
          type-thresholds.categorical { chi2 = 0.01 }
          features { income { methods = [psi, wasserstein], decide-by = wasserstein, critical = true } }
        }
        """);
    JobSettings settings = JobSettings.load(Optional.of(conf.toString()));
    assertThat(settings.drift().features()).containsKey("income");
    Files.writeString(conf, "driftlake.drift.features.income.critcal = true\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": Unknown config key "
            + "'driftlake.drift.features.income.critcal'; known keys: "
            + "[critical, decide-by, methods, score-id-like, thresholds]");
  }

  @Test
  void tableSelections() {
    assertThat(TableRef.parse("production@7:added"))
        .isEqualTo(new TableRef("production", java.util.OptionalLong.of(7), true));
    assertThat(TableRef.parse("training").version()).isEmpty();
    assertThat(TableRef.parse("training@latest").toString()).isEqualTo("training@latest");
    assertThatThrownBy(() -> TableRef.parse("training@v1"))
        .hasMessage("Bad table selection 'training@v1'; expected "
            + "NAME[@VERSION|@latest|@TIMESTAMP][:added], e.g. production@3:added or "
            + "production@2026-11-23T10:15:00Z");
    assertThatThrownBy(() -> TableRef.parse("training@99999999999999999999:added"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad version '99999999999999999999' in table selection "
            + "'training@99999999999999999999:added': a version is at most 9223372036854775807");
  }

  @Test
  void trainingParametersAreCheckedAgainstTheAlgorithm(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake.train.params.logistic-regression.regParm = 0.1\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessageStartingWith("Invalid config in " + conf + ": driftlake.train.params"
            + ".logistic-regression.regParm: LogisticRegression has no parameter 'regParm'; "
            + "its parameters: [aggregationDepth, elasticNetParam, family, fitIntercept, ");
    Files.writeString(conf, "driftlake.train.params.logistic-regression.maxIter = many\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": driftlake.train.params.logistic-regression"
            + ".maxIter: bad value many for parameter 'maxIter' of LogisticRegression: not a number");
    Files.writeString(conf, "driftlake.train.params.logistic-regression.regParam = -1\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessageStartingWith("Invalid config in " + conf + ": driftlake.train.params"
            + ".logistic-regression.regParam: bad value -1 for parameter 'regParam' of "
            + "LogisticRegression: ");
    Files.writeString(conf, "driftlake.train.search.grid { regParam = [0.1, 1] }\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": driftlake.train.search.grid is set "
            + "([regParam]) but driftlake.train.search.method is 'none'");
  }

  @Test
  void taskAlgorithmAndMetricsMustFit(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake.train { task = multiclass, algorithm = gbt }\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": driftlake.train.algorithm: 'gbt' does not "
            + "support task 'multiclass'; it supports [binary, regression]");
    Files.writeString(conf, "driftlake.train { task = regression, algorithm = random-forest, "
        + "search.metric = rmse }\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": driftlake.registry.gate.metric: metric "
            + "'auc_roc' does not apply to task 'regression'; metrics for it: [rmse, mae, r2]");
    Files.writeString(conf, "driftlake.registry.gate.metric = auc\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .hasMessage("Invalid config in " + conf + ": driftlake.registry.gate.metric: Unknown metric "
            + "'auc'; known metrics: [auc_roc, auc_pr, accuracy, precision, recall, f1, log_loss, "
            + "rmse, mae, r2]");
    Files.writeString(conf, """
        driftlake.train {
          algorithm = random-forest
          search { method = train-validation-split, grid { maxDepth = [2, 4], numTrees = [5] } }
        }
        driftlake.registry.gate { metric = log_loss, margin = 0.01 }
        """);
    JobSettings settings = JobSettings.load(Optional.of(conf.toString()));
    assertThat(settings.train().search().grid()).containsEntry("maxDepth", java.util.List.of(2, 4));
    assertThat(settings.gate().metric().higherIsBetter()).isFalse();
  }
}
