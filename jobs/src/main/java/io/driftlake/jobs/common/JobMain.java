package io.driftlake.jobs.common;

import java.util.Arrays;
import java.util.Locale;

/**
 * The shell every job's {@code main} runs in: a failure ends in ONE line on stderr,
 * {@code <job>: <what failed, naming the table, column, key or file>}, and a non-zero exit code,
 * never a bare stack trace ({@code --verbose} or {@code DRIFTLAKE_VERBOSE=1} prints the trace
 * too).
 *
 * <p>Exit codes: 0 done (drift found is still 0: it is data), 1 failure, 2 usage error (an
 * unknown or missing option), and what the job itself returns (the drift job: 3 incomplete,
 * 4 not computable).
 */
public final class JobMain {
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  private JobMain() {}

  /** A job's body: its arguments (without {@code --verbose}) in, its exit code out. */
  @FunctionalInterface
  public interface Body {
    int run(String[] args) throws Exception;
  }

  public static void run(String job, String[] args, Body body) {
    boolean verbose = Arrays.asList(args).contains("--verbose")
        || "1".equals(System.getenv("DRIFTLAKE_VERBOSE"));
    String[] rest = Arrays.stream(args).filter(a -> !a.equals("--verbose")).toArray(String[]::new);
    int code;
    try {
      code = body.run(rest);
    } catch (Throwable t) { // the one place that turns any failure into one line
      code = t instanceof JobArgs.UsageException ? USAGE : FAILURE;
      System.out.flush();
      if (verbose) {
        t.printStackTrace();
      }
      System.err.println(job + ": " + oneLine(t));
    }
    System.out.flush();
    System.err.flush();
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * One line that says what failed: the exception's own first line when driftlake threw it (its
   * messages name the table, column or key); for anything from Spark, Delta or the JVM, its
   * class and first line and, when the root cause says more, that cause's first line too.
   */
  public static String oneLine(Throwable t) {
    String top = firstLine(t);
    boolean ours = t.getClass().getName().startsWith("io.driftlake.")
        || t instanceof IllegalArgumentException || t instanceof IllegalStateException;
    if (ours) {
      return top; // driftlake's messages already name what failed
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String head = t.getClass().getSimpleName() + ": " + top;
    String cause = firstLine(root);
    if (root != t && !cause.isEmpty() && !head.contains(cause)) {
      head += " (cause: " + root.getClass().getSimpleName() + ": " + cause + ")";
    }
    return head;
  }

  private static String firstLine(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
    return message.strip().lines().findFirst().orElse("").strip();
  }
}
