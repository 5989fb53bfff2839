package io.driftlake.jobs.models;

import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.PausePoints;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.evaluate.Evaluator;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.ModelAliases;
import io.driftlake.jobs.registry.ModelAliases.Decision;
import io.driftlake.jobs.registry.Registry;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Alias changes: the gate (champion/challenger), an operator's promotion without the gate, and
 * rollback. Every change is rows in {@code model_aliases}, written in one commit per job; a rerun
 * of the same run id reports the decision already recorded and writes nothing.
 */
public final class Promotions {
  /**
   * Improvements this close to the margin are floating-point noise (the same model scored in a
   * different partitioning can differ in the 16th digit), not a model beating the champion.
   */
  static final double NOISE = 1e-12;

  private Promotions() {}

  /**
   * What the gate decided about a candidate. {@code evaluation} and {@code split}: the data both
   * models were measured on. Values are null where a side was not measured.
   */
  public record GateDecision(String candidateId, String championId, boolean promoted,
                             String reason, ModelMetric metric, double margin,
                             Double candidateValue, Double championValue, TableRef evaluation,
                             String split, boolean written) {
    public String summary() {
      return String.format("gate: model %s %s: %s", candidateId,
          promoted ? "promoted to champion" : championId != null && championId.equals(candidateId)
              ? "stays champion" : "kept as challenger", reason);
    }
  }

  /**
   * The gate: the candidate becomes champion when there is none, or when it beats the champion on
   * the configured metric by more than the configured margin, both measured on the same data (by
   * default the held-out rows of the candidate's training table version; else all labelled rows of
   * {@code evaluation}). Otherwise it becomes challenger and the reason is recorded. Missing
   * evaluations are computed and recorded in {@code evaluations}; existing ones are reused.
   */
  public static GateDecision gate(Lake lake, Model candidate, Optional<TableRef> evaluation,
                                  String runId) {
    for (int attempt = 1; attempt <= ModelAliases.ATTEMPTS; attempt++) {
      GateDecision d = gateOnce(lake, candidate, evaluation, runId);
      if (d != null) {
        return d;
      }
      // Another decision took this sequence number: decide again from the log as it is now.
    }
    throw new IllegalStateException(String.format("gate: model %s: other decisions landed in "
        + "table '%s' before this one %d times in a row; nothing was decided (run it again)",
        candidate.modelId(), lake.settings().tables().modelAliases(), ModelAliases.ATTEMPTS));
  }

  /** The gate's decision, or null when another decision landed first and nothing was written. */
  private static GateDecision gateOnce(Lake lake, Model candidate, Optional<TableRef> evaluation,
                                       String runId) {
    JobSettings.Gate gate = lake.settings().gate();
    ModelMetric metric = gate.metric().checkFor(candidate.task(), "driftlake.registry.gate.metric");
    List<Decision> history = ModelAliases.history(lake);
    for (Decision d : history) {
      if (d.runId().equals(runId) && candidate.modelId().equals(d.modelId())
          && (d.action().equals(ModelAliases.PROMOTE) || d.action().equals(ModelAliases.KEEP_CHALLENGER))) {
        boolean promoted = d.action().equals(ModelAliases.PROMOTE);
        return new GateDecision(candidate.modelId(), promoted ? d.previousModelId()
            : ModelAliases.current(history, ModelAliases.CHAMPION).orElse(null), promoted,
            d.reason() + " (decided earlier by run " + runId + ")", metric, d.margin(),
            d.modelValue(), d.championValue(), d.evaluation().orElse(null), d.evaluationSplit(),
            false);
      }
    }
    Optional<String> championId = ModelAliases.current(history, ModelAliases.CHAMPION);
    TableRef data = lake.resolve(evaluation.orElse(candidate.trainingRef()));
    String split = evaluation.isPresent() ? Evaluations.ALL : Evaluations.HELD_OUT;
    String on = String.format("%s (%s)", data, split);
    if (championId.filter(candidate.modelId()::equals).isPresent()) {
      return new GateDecision(candidate.modelId(), candidate.modelId(), false,
          "it is the champion already; nothing changed", metric, gate.margin(), null, null, data,
          split, false);
    }
    double candidateValue = value(lake, candidate, metric, data, split, runId);
    String reason;
    boolean promoted;
    Double championValue = null;
    if (championId.isEmpty()) {
      promoted = true;
      reason = String.format(Locale.ROOT, "no champion yet; %s %.4f on %s", metric.id(),
          candidateValue, on);
    } else {
      Model champion = Registry.model(lake, championId.get());
      if (champion.task() != candidate.task() || !champion.label().equals(candidate.label())) {
        throw new IllegalArgumentException(String.format(
            "Model %s (%s, label '%s') cannot challenge champion %s (%s, label '%s')",
            candidate.modelId(), candidate.task().id(), candidate.label(), champion.modelId(),
            champion.task().id(), champion.label()));
      }
      if (split.equals(Evaluations.HELD_OUT) && champion.testFraction() != candidate.testFraction()) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "Champion %s held out %.2f of rows and candidate %s %.2f: their held-out rows differ; "
                + "pass an evaluation table (--evaluation REF)", champion.modelId(),
            champion.testFraction(), candidate.modelId(), candidate.testFraction()));
      }
      championValue = value(lake, champion, metric, data, split, runId);
      double improvement = metric.improvement(candidateValue, championValue);
      promoted = improvement > gate.margin() + NOISE;
      double shown = Math.abs(improvement) < NOISE ? 0.0 : improvement;
      reason = String.format(Locale.ROOT, "%s %.4f vs champion %s's %.4f on %s: improvement %.4f %s "
              + "margin %.4f", metric.id(), candidateValue, champion.modelId(), championValue, on,
          shown, promoted ? ">" : "<=", gate.margin());
    }
    Timestamp now = CommitStamp.now();
    long seq = ModelAliases.nextSeq(history);
    List<Decision> rows = new ArrayList<>();
    Optional<String> challenger = ModelAliases.current(history, ModelAliases.CHALLENGER);
    if (promoted) {
      rows.add(new Decision(seq, ModelAliases.CHAMPION, candidate.modelId(), championId.orElse(null),
          ModelAliases.PROMOTE, reason, metric.id(), gate.margin(), candidateValue, championValue,
          data.table(), data.version().getAsLong(), split, now, runId));
      if (challenger.filter(candidate.modelId()::equals).isPresent()) {
        rows.add(new Decision(seq + 1, ModelAliases.CHALLENGER, null, candidate.modelId(),
            ModelAliases.PROMOTE, "promoted to champion", null, null, null, null, null, null, null,
            now, runId));
      }
    } else {
      rows.add(new Decision(seq, ModelAliases.CHALLENGER, candidate.modelId(),
          challenger.orElse(null), ModelAliases.KEEP_CHALLENGER, reason, metric.id(),
          gate.margin(), candidateValue, championValue, data.table(), data.version().getAsLong(),
          split, now, runId));
    }
    PausePoints.reach(PausePoints.PROMOTE_DECIDED);
    if (!ModelAliases.append(lake, rows, "gate", runId).written()) {
      return null;
    }
    PausePoints.reach(PausePoints.PROMOTE_ALIAS_WRITTEN);
    return new GateDecision(candidate.modelId(), championId.orElse(null), promoted, reason, metric,
        gate.margin(), candidateValue, championValue, data, split, true);
  }

  /** The gate metric of a model on data: the recorded evaluation, or a new one (recorded). */
  private static double value(Lake lake, Model model, ModelMetric metric, TableRef data,
                              String split, String runId) {
    Map<String, Double> metrics = Evaluations.latest(lake, model.modelId(), data, split)
        .orElseGet(() -> Evaluator.table(lake, model, data, split, List.of(), runId).get(0)
            .metrics());
    Double value = metrics.get(metric.id());
    if (value == null) {
      throw new IllegalArgumentException(String.format(
          "Metric %s is undefined for model %s on %s (%s): %s", metric.id(), model.modelId(), data,
          split, metrics));
    }
    return value;
  }

  /** Makes a model champion without the gate (an operator's decision, with its reason). */
  public static Decision promote(Lake lake, Model model, String reason, String runId) {
    List<Decision> history = ModelAliases.history(lake);
    for (Decision d : history) {
      // A rerun of the same run (a retry after a crash past the commit) reports that decision.
      if (d.runId().equals(runId) && d.action().equals(ModelAliases.MANUAL_PROMOTE)
          && model.modelId().equals(d.modelId())) {
        return d;
      }
    }
    Optional<String> champion = ModelAliases.current(history, ModelAliases.CHAMPION);
    if (champion.filter(model.modelId()::equals).isPresent()) {
      throw new IllegalArgumentException("Model " + model.modelId() + " is the champion already");
    }
    Timestamp now = CommitStamp.now();
    long seq = ModelAliases.nextSeq(history);
    Decision d = new Decision(seq, ModelAliases.CHAMPION, model.modelId(), champion.orElse(null),
        ModelAliases.MANUAL_PROMOTE, "manual: " + reason, null, null, null, null, null, null, null,
        now, runId);
    List<Decision> rows = new ArrayList<>(List.of(d));
    if (ModelAliases.current(history, ModelAliases.CHALLENGER).filter(model.modelId()::equals)
        .isPresent()) {
      rows.add(new Decision(seq + 1, ModelAliases.CHALLENGER, null, model.modelId(),
          ModelAliases.MANUAL_PROMOTE, "promoted to champion", null, null, null, null, null, null,
          null, now, runId));
    }
    PausePoints.reach(PausePoints.PROMOTE_DECIDED);
    if (!ModelAliases.append(lake, rows, "promote", runId).written()) {
      // Another decision took this sequence number: decide again from the log as it is now.
      return promote(lake, model, reason, runId);
    }
    PausePoints.reach(PausePoints.PROMOTE_ALIAS_WRITTEN);
    return d;
  }

  /** Restores the champion before the current one; rolling back again goes one further back. */
  public static Decision rollback(Lake lake, String reason, String runId) {
    List<Decision> history = ModelAliases.history(lake);
    for (Decision d : history) {
      if (d.runId().equals(runId) && d.action().equals(ModelAliases.ROLLBACK)) {
        return d;
      }
    }
    Deque<String> stack = ModelAliases.championStack(history);
    if (stack.isEmpty()) {
      throw new IllegalArgumentException("Cannot roll back: no model is champion yet");
    }
    if (stack.size() < 2) {
      throw new IllegalArgumentException(String.format(
          "Cannot roll back: champion %s has no previous champion", stack.peek()));
    }
    String current = stack.pop();
    String previous = stack.peek();
    Decision d = new Decision(ModelAliases.nextSeq(history), ModelAliases.CHAMPION, previous,
        current, ModelAliases.ROLLBACK, reason, null, null, null, null, null, null, null,
        CommitStamp.now(), runId);
    if (!ModelAliases.append(lake, List.of(d), "rollback", runId).written()) {
      return rollback(lake, reason, runId); // another decision landed first: look again
    }
    return d;
  }
}
