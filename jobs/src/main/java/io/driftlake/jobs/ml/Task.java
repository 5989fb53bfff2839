package io.driftlake.jobs.ml;

import java.util.Arrays;

/** What a model predicts: a 0/1 label, one of K classes 0..K-1, or a number. */
public enum Task {
  BINARY("binary"),
  MULTICLASS("multiclass"),
  REGRESSION("regression");

  private final String id;

  Task(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public boolean classification() {
    return this != REGRESSION;
  }

  public static Task of(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(String.format(
            "Unknown task '%s'; known tasks: %s", id,
            Arrays.stream(values()).map(Task::id).toList())));
  }
}
