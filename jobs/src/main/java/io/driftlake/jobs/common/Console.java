package io.driftlake.jobs.common;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * What a job's console shows: its own lines, one per long stage with what it does and its
 * elapsed time ({@link #stage}); Spark's and Delta's logs only at ERROR (conf/log4j2.properties),
 * or at INFO with {@code --verbose} / {@code DRIFTLAKE_VERBOSE=1}; Spark's progress bar only when
 * stdout is a terminal (never in tests or Airflow logs).
 */
public final class Console {
  public static final String VERBOSE = "--verbose";
  private static final String SKETCH_MEMORY =
      "org.apache.datasketches.memory.internal.ResourceImpl";
  private static final String SKETCH_WARNING = "Warning: Java versions > Java 11";

  private Console() {}

  /** {@code --verbose} among {@code args}, or {@code DRIFTLAKE_VERBOSE=1}. */
  public static boolean verbose(String[] args) {
    return Arrays.asList(args).contains(VERBOSE) || "1".equals(System.getenv("DRIFTLAKE_VERBOSE"));
  }

  /** Sets the console up before the job (and Spark) starts. */
  public static void configure(boolean verbose) {
    if (verbose) {
      // Every logger, the ones conf/log4j2.properties silences included; and the level the
      // SparkContext sets when it starts (spark.log.level in conf/spark-defaults.conf).
      Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.INFO);
      System.setProperty("spark.log.level", "INFO");
    }
    // spark-submit --conf or conf/spark-defaults.conf win; else the bar only on a terminal.
    if (System.getProperty("spark.ui.showConsoleProgress") == null) {
      System.setProperty("spark.ui.showConsoleProgress",
          Boolean.toString(System.console() != null));
    }
    quietSketchMemory();
  }

  /**
   * Apache DataSketches' memory (Spark's sketch functions, which driftlake's approximate drift
   * uses) prints "Warning: Java versions > Java 11 can only operate in restricted mode ..." to
   * System.err from its class initializer, on any JDK above 11, with no setting to turn it off;
   * the restricted mode (no off-heap memory) is all Spark uses. The class is initialized here,
   * once, before the job and Spark start (no other thread writes yet), with System.err dropping
   * only that line; every other line passes through and System.err is restored right after.
   */
  private static void quietSketchMemory() {
    PrintStream err = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();

      @Override
      public void write(int b) {
        line.write(b);
        if (b == '\n') {
          if (!line.toString(StandardCharsets.UTF_8).startsWith(SKETCH_WARNING)) {
            err.write(line.toByteArray(), 0, line.size());
          }
          line.reset();
        }
      }

      @Override
      public void close() {
        err.write(line.toByteArray(), 0, line.size()); // a last line without its newline
        err.flush();
      }
    }, true));
    try {
      Class.forName(SKETCH_MEMORY, true, Console.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      // Another Spark build without that class: nothing to quiet.
    } finally {
      System.err.close();
      System.setErr(err);
    }
  }

  /**
   * Runs one long stage of {@code job} and prints {@code <job>: <what> ... <seconds> s} once it
   * is done (e.g. {@code drift: comparing training@0 with production@3:added ... <seconds> s}): one
   * line per stage, whole in a log file; on a terminal Spark's progress bar shows it meanwhile.
   */
  public static <T> T stage(String job, String what, Callable<T> body) throws Exception {
    Stopwatch clock = new Stopwatch();
    T result = body.call();
    System.out.println(clock.line(job + ": " + what));
    return result;
  }

  /** Elapsed time since it started or since its last line. */
  public static final class Stopwatch {
    private long start = System.nanoTime();

    /** {@code <what> ... <seconds since the last line> s}. */
    public String line(String what) {
      long now = System.nanoTime();
      String line = String.format(Locale.ROOT, "%s ... %.1f s", what, (now - start) / 1e9);
      start = now;
      return line;
    }
  }
}
