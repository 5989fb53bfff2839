package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.lineage.LineageJob;
import io.driftlake.jobs.models.Promotions;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.ModelAliases;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Champion/challenger through the gate, both ways; rollback; lineage. Real tables, real models. */
@ExtendWith(LocalSpark.class)
class TestRegistry {
  @Test
  void theGatePromotesOnlyAModelThatBeatsTheChampionAndRollbackRestoresTheOldOne(SparkSession spark,
                                                                                @TempDir Path dir) {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING));
    // A weak model (one feature) trained through its own settings, on the same lake.
    Lake weakLake = new Lake(spark, TestLakes.settings(dir,
        TestLakes.FAST_TRAINING + "driftlake.train.features = [age]\n"));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 2000, 0, 0.0, 5), "t0", "run");

    Model weak = TrainJob.train(weakLake, TableRef.parse("training"), "train-weak", "manual");
    Promotions.GateDecision first = Promotions.gate(lake, weak, Optional.empty(), "gate-weak");
    assertThat(first.promoted()).isTrue();
    assertThat(first.reason()).isEqualTo(String.format(Locale.ROOT,
        "no champion yet; auc_roc %.4f on training@0 (held-out)", first.candidateValue()));

    Model strong = TrainJob.train(lake, TableRef.parse("training"), "train-strong", "manual");
    Promotions.GateDecision promoted = Promotions.gate(lake, strong, Optional.empty(), "gate-strong");
    assertThat(promoted.promoted()).isTrue();
    assertThat(promoted.championId()).isEqualTo(weak.modelId());
    assertThat(promoted.evaluation()).isEqualTo(TableRef.parse("training@0"));
    // Both measured on the same data: the held-out rows of training@0, recorded as evaluations
    // (the same value as at training, up to the order of floating-point sums).
    assertThat(promoted.candidateValue()).isCloseTo(strong.metrics().get("auc_roc"), within(1e-12));
    assertThat(promoted.championValue()).isCloseTo(weak.metrics().get("auc_roc"), within(1e-12));
    assertThat(Evaluations.latest(lake, weak.modelId(), TableRef.parse("training@0"),
        Evaluations.HELD_OUT).orElseThrow()).containsEntry("auc_roc", promoted.championValue());
    assertThat(promoted.reason()).isEqualTo(String.format(Locale.ROOT,
        "auc_roc %.4f vs champion %s's %.4f on training@0 (held-out): improvement %.4f > margin "
            + "0.0000", promoted.candidateValue(), weak.modelId(), promoted.championValue(),
        promoted.candidateValue() - promoted.championValue()));
    assertThat(Registry.model(lake, "champion")).isEqualTo(strong);

    // Same version, parameters and seed: the same metric, which does not beat the champion.
    Model same = TrainJob.train(lake, TableRef.parse("training"), "train-same", "schedule");
    Promotions.GateDecision kept = Promotions.gate(lake, same, Optional.empty(), "gate-same");
    assertThat(kept.promoted()).isFalse();
    // Equal up to the order of floating-point sums (Spark merges partial sums as tasks finish).
    assertThat(kept.candidateValue()).isCloseTo(kept.championValue(), within(1e-12));
    assertThat(kept.reason()).endsWith("improvement 0.0000 <= margin 0.0000");
    assertThat(Registry.model(lake, "champion").modelId()).isEqualTo(strong.modelId());
    assertThat(Registry.model(lake, "challenger").modelId()).isEqualTo(same.modelId());
    // The decision is data, with its reason and the evaluation data version.
    ModelAliases.Decision recorded = last(lake);
    assertThat(recorded.action()).isEqualTo("keep-challenger");
    assertThat(recorded.reason()).isEqualTo(kept.reason());
    assertThat(recorded.evaluation()).contains(TableRef.parse("training@0"));
    assertThat(recorded.evaluationSplit()).isEqualTo("held-out");

    // A retried gate of the same run reports the decision and writes nothing.
    int decisions = ModelAliases.history(lake).size();
    Promotions.GateDecision retried = Promotions.gate(lake, same, Optional.empty(), "gate-same");
    assertThat(retried.written()).isFalse();
    assertThat(retried.promoted()).isFalse();
    assertThat(ModelAliases.history(lake)).hasSize(decisions);

    // A margin the challenger cannot clear keeps it out even when it is better.
    Lake strict = new Lake(spark, TestLakes.settings(dir,
        TestLakes.FAST_TRAINING + "driftlake.registry.gate.margin = 0.5\n"));
    Promotions.rollback(lake, "test: back to weak", "rollback-0");
    Promotions.GateDecision notEnough = Promotions.gate(strict, strong, Optional.empty(), "gate-strict");
    assertThat(notEnough.promoted()).isFalse();
    assertThat(notEnough.candidateValue()).isGreaterThan(notEnough.championValue());
    assertThat(notEnough.reason()).endsWith("<= margin 0.5000");
    assertThat(Registry.model(lake, "champion").modelId()).isEqualTo(weak.modelId());
    assertThat(Registry.status(strong.modelId(), ModelAliases.history(lake))).isEqualTo("challenger");
    assertThat(Registry.status(same.modelId(), ModelAliases.history(lake))).isEqualTo("rejected");

    // Rollback: manual promotion of strong, then back to weak; nothing before weak.
    Promotions.promote(lake, strong, "test override", "promote-1");
    assertThat(Registry.model(lake, "champion").modelId()).isEqualTo(strong.modelId());
    ModelAliases.Decision back = Promotions.rollback(lake, "bad in production", "rollback-1");
    assertThat(back.modelId()).isEqualTo(weak.modelId());
    assertThat(back.previousModelId()).isEqualTo(strong.modelId());
    assertThat(Registry.model(lake, "champion").modelId()).isEqualTo(weak.modelId());
    assertThat(Registry.status(strong.modelId(), ModelAliases.history(lake))).isEqualTo("rolled-back");
    assertThat(Promotions.rollback(lake, "retry", "rollback-1")).isEqualTo(back);
    assertThatThrownBy(() -> Promotions.rollback(lake, "again", "rollback-2"))
        .hasMessage("Cannot roll back: champion " + weak.modelId() + " has no previous champion");
  }

  @Test
  void lineageNamesTrainingVersionDriftRunReplacedModelAndEvaluationData(SparkSession spark,
                                                                          @TempDir Path dir) {
    String psiOnly = "driftlake.drift.methods { numeric = [psi], categorical = [psi] }\n";
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING + psiOnly));
    Lake weakLake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING + psiOnly
        + "driftlake.train.features = [\"tenure in months\"]\n"));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 800, 0, 0.0, 5), "t0", "setup");
    Model first = TrainJob.train(weakLake, TableRef.parse("training"), "train-1", "manual");
    Promotions.gate(lake, first, Optional.empty(), "gate-1");

    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, 500, 1, 1.0, 5), "p1", "daily");
    DriftRun drift = DriftJob.run(lake, Optional.empty(), Optional.empty(),
        Optional.of(dir.resolve("reports")), "daily-run");
    assertThat(drift.report().drifted()).isTrue();
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 500, 1, 1.0, 5), "p1", "daily-run");
    Model second = TrainJob.train(lake, TableRef.parse("training"), "daily-run", "drift:daily-run");
    Promotions.GateDecision gate = Promotions.gate(lake, second, Optional.empty(), "daily-run");
    assertThat(gate.promoted()).isTrue();

    LineageJob.Lineage lineage = LineageJob.lineage(lake, second);
    assertThat(lineage.model().trainingRef()).isEqualTo(TableRef.parse("training@1"));
    assertThat(lineage.trainingCommit().orElseThrow().batchId()).isEqualTo("p1");
    assertThat(lineage.trainingCommit().orElseThrow().runId()).isEqualTo("daily-run");
    LineageJob.DriftTrigger trigger = lineage.drift().orElseThrow();
    assertThat(trigger.runId()).isEqualTo("daily-run");
    assertThat(trigger.reference()).isEqualTo(TableRef.parse("training@0"));
    assertThat(trigger.current()).isEqualTo(TableRef.parse("production@0:added"));
    assertThat(trigger.datasetDrifted()).isTrue();
    assertThat(trigger.driftedFeatures()).isNotEmpty()
        .isEqualTo(drift.report().driftedFeatures().stream().map(f -> f.feature()).sorted().toList());
    assertThat(lineage.replaced().orElseThrow().previousModelId()).isEqualTo(first.modelId());
    ModelAliases.Decision judged = lineage.decisions().get(0);
    assertThat(judged.evaluation()).contains(TableRef.parse("training@1"));
    assertThat(judged.metric()).isEqualTo("auc_roc");
    assertThat(lineage.evaluations()).extracting(LineageJob.Judgement::data, LineageJob.Judgement::split)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(TableRef.parse("training@1"), "held-out"));
    assertThat(lineage.text()).contains("trained on: training@1", "drift run daily-run compared "
        + "training@0 with production@0:added: dataset drifted", "replaced: champion "
        + first.modelId(), "gate #1 on training@1 (held-out): auc_roc");

    // The replaced model's lineage says what replaced it.
    assertThat(LineageJob.lineage(lake, first).replacedBy().orElseThrow().modelId())
        .isEqualTo(second.modelId());
    assertThat(Map.of("first", LineageJob.lineage(lake, first).drift())).containsEntry("first",
        Optional.empty());
  }

  private static ModelAliases.Decision last(Lake lake) {
    List<ModelAliases.Decision> h = ModelAliases.history(lake);
    return h.get(h.size() - 1);
  }
}
