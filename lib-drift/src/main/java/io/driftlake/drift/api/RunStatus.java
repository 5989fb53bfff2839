package io.driftlake.drift.api;

import java.util.Locale;

/**
 * The dataset-level outcome of a drift run. Only {@link #DRIFTED} and {@link #NO_DRIFT} are
 * answers; {@link #INCOMPLETE} means some features' verdicts are unknown (the others are still
 * reported, and the dataset may still have drifted on those), and {@link #NOT_COMPUTABLE} means
 * no answer could be given at all (e.g. a side with fewer rows than the configured minimum).
 */
public enum RunStatus {
  DRIFTED, NO_DRIFT, INCOMPLETE, NOT_COMPUTABLE;

  /** The stable id written to tables and JSON. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /**
   * The drift job's exit code for this status: 0 for an answer (drift found is still 0: it is
   * data), {@value #EXIT_INCOMPLETE} when some verdicts are unknown, {@value #EXIT_NOT_COMPUTABLE}
   * when none could be given. 1 is a failure and 2 a usage error, as for every job.
   */
  public int exitCode() {
    return switch (this) {
      case DRIFTED, NO_DRIFT -> 0;
      case INCOMPLETE -> EXIT_INCOMPLETE;
      case NOT_COMPUTABLE -> EXIT_NOT_COMPUTABLE;
    };
  }

  public static final int EXIT_INCOMPLETE = 3;
  public static final int EXIT_NOT_COMPUTABLE = 4;
}
