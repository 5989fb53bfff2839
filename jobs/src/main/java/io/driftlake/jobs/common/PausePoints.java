package io.driftlake.jobs.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Named points in a job where a crash test can stop it, to kill it there with {@code kill -9}.
 *
 * <p>When the environment variable {@value #AT} names a point and the job reaches it, the job
 * writes the point's name to the file named by {@value #MARKER} (created with its folders) and
 * sleeps up to {@value #PAUSE_MINUTES} minutes, then carries on. A test waits for the marker and
 * kills the process there. With {@value #AT} unset (always, outside tests), {@link #reach} is one
 * comparison with null: the environment is read once, when this class loads.
 *
 * <p>Why a test hook lives in main sources: the crash tests ({@code TestKilledJobs}) kill real
 * jobs, each in a child JVM started from the job jar, at these points between commits; the points
 * must be in the code that runs there, so they ship with it (inert without {@value #AT}).
 *
 * <p>Every point, in the order a job reaches them (a commit is one Delta commit, so a kill at a
 * point leaves each table at a version):
 * <ul>
 *   <li>{@link #DRIFT_PROFILES_SAVED} - drift committed its new profiles; results not yet.
 *   <li>{@link #DRIFT_RESULTS_WRITTEN} - drift committed its results; checks not yet.
 *   <li>{@link #DRIFT_CHECKS_WRITTEN} - drift committed its checks; drift.json and drift.html not
 *       yet.
 *   <li>{@link #TRAIN_ARTIFACT_WRITTEN} - train saved the model artifact; its {@code models} row
 *       is not committed yet (train always writes the artifact first, so no row ever names an
 *       artifact that was never written).
 *   <li>{@link #TRAIN_MODEL_REGISTERED} - train committed the {@code models} row.
 *   <li>{@link #PROMOTE_DECIDED} - promote (the gate, or {@code --skip-gate}) made its decision
 *       (the gate: its evaluations committed); the {@code model_aliases} commit not yet.
 *   <li>{@link #PROMOTE_ALIAS_WRITTEN} - promote committed its {@code model_aliases} rows.
 * </ul>
 */
public final class PausePoints {
  /** The environment variable naming the point to pause at. */
  public static final String AT = "DRIFTLAKE_PAUSE_AT";
  /** The environment variable naming the marker file written on reaching the point. */
  public static final String MARKER = "DRIFTLAKE_PAUSE_MARKER";
  static final int PAUSE_MINUTES = 10;

  public static final String DRIFT_PROFILES_SAVED = "drift.profiles-saved";
  public static final String DRIFT_RESULTS_WRITTEN = "drift.results-written";
  public static final String DRIFT_CHECKS_WRITTEN = "drift.checks-written";
  public static final String TRAIN_ARTIFACT_WRITTEN = "train.artifact-written";
  public static final String TRAIN_MODEL_REGISTERED = "train.model-registered";
  public static final String PROMOTE_DECIDED = "promote.decided";
  public static final String PROMOTE_ALIAS_WRITTEN = "promote.alias-written";

  private static final String PAUSE_AT = System.getenv(AT);

  private PausePoints() {}

  /** Pauses here when {@value #AT} names {@code point}; else returns at once. */
  public static void reach(String point) {
    if (PAUSE_AT != null && PAUSE_AT.equals(point)) {
      pause(point);
    }
  }

  private static void pause(String point) {
    String marker = System.getenv(MARKER);
    if (marker == null || marker.isBlank()) {
      throw new IllegalStateException(AT + "=" + point + " needs " + MARKER + ", the marker file");
    }
    try {
      Path file = Path.of(marker).toAbsolutePath();
      Files.createDirectories(file.getParent());
      // Written whole, then moved in place: the waiting test never reads a half-written name.
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      Files.writeString(partial, point + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write pause marker " + marker, e);
    }
    try {
      Thread.sleep(TimeUnit.MINUTES.toMillis(PAUSE_MINUTES));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
