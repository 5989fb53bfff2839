package io.driftlake.drift.api;

import java.util.Locale;

/**
 * What a method or a feature concluded. {@link #UNKNOWN} is never "no drift": the figure could
 * not be computed (the note says why) or its stated error interval straddles the threshold.
 */
public enum Verdict {
  DRIFTED, NOT_DRIFTED, UNKNOWN;

  public static Verdict of(boolean drifted) {
    return drifted ? DRIFTED : NOT_DRIFTED;
  }

  /** The stable id written to tables and JSON: {@code drifted}, {@code not_drifted}, {@code unknown}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
