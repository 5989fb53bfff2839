package io.driftlake.jobs.ml;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The metrics the evaluator computes, by stable id, with the tasks they apply to and whether
 * higher is better (what the gate and the hyper-parameter search need to know).
 */
public enum ModelMetric {
  AUC_ROC("auc_roc", true, EnumSet.of(Task.BINARY)),
  AUC_PR("auc_pr", true, EnumSet.of(Task.BINARY)),
  ACCURACY("accuracy", true, EnumSet.of(Task.BINARY, Task.MULTICLASS)),
  PRECISION("precision", true, EnumSet.of(Task.BINARY, Task.MULTICLASS)),
  RECALL("recall", true, EnumSet.of(Task.BINARY, Task.MULTICLASS)),
  F1("f1", true, EnumSet.of(Task.BINARY, Task.MULTICLASS)),
  LOG_LOSS("log_loss", false, EnumSet.of(Task.BINARY, Task.MULTICLASS)),
  RMSE("rmse", false, EnumSet.of(Task.REGRESSION)),
  MAE("mae", false, EnumSet.of(Task.REGRESSION)),
  R2("r2", true, EnumSet.of(Task.REGRESSION));

  private final String id;
  private final boolean higherIsBetter;
  private final Set<Task> tasks;

  ModelMetric(String id, boolean higherIsBetter, Set<Task> tasks) {
    this.id = id;
    this.higherIsBetter = higherIsBetter;
    this.tasks = tasks;
  }

  public String id() {
    return id;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  public boolean appliesTo(Task task) {
    return tasks.contains(task);
  }

  /** How much better {@code value} is than {@code baseline} (positive = better). */
  public double improvement(double value, double baseline) {
    return higherIsBetter ? value - baseline : baseline - value;
  }

  public static ModelMetric of(String id) {
    return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(String.format(
            "Unknown metric '%s'; known metrics: %s", id,
            Arrays.stream(values()).map(ModelMetric::id).toList())));
  }

  /** Checks that the metric is defined for the task; {@code key} names the setting it came from. */
  public ModelMetric checkFor(Task task, String key) {
    if (!appliesTo(task)) {
      throw new IllegalArgumentException(String.format(
          "%s: metric '%s' does not apply to task '%s'; metrics for it: %s", key, id, task.id(),
          Arrays.stream(values()).filter(m -> m.appliesTo(task)).map(ModelMetric::id).toList()));
    }
    return this;
  }

  /**
   * The model metrics of {@code metrics} as the console lists them, e.g. {@code accuracy 0.8650,
   * auc_roc 0.7301}: every metric with four decimals, counts (rows, confusion cells) left out.
   */
  public static String listed(java.util.Map<String, Double> metrics) {
    return metrics.entrySet().stream()
        .filter(e -> Arrays.stream(values()).anyMatch(m -> m.id().equals(e.getKey())))
        .map(e -> String.format(java.util.Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
        .collect(java.util.stream.Collectors.joining(", "));
  }
}
