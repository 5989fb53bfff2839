package io.driftlake.drift.store;

import java.util.Optional;

/** Recognises a data file that is gone (VACUUM) behind a Spark or Delta failure. */
public final class MissingFiles {
  private MissingFiles() {}

  /**
   * The first line of the {@link java.io.FileNotFoundException} that caused {@code e}, if one
   * did (Spark wraps it in task and job failures).
   */
  public static Optional<String> of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.FileNotFoundException) {
        return Optional.of(String.valueOf(t.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return Optional.empty();
  }
}
