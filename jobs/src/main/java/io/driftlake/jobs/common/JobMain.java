package io.driftlake.jobs.common;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The shell every job's {@code main} runs in: picocli parses the job's typed options (each job
 * declares them on its {@code @Command} class), {@code --help} prints them, and a failure ends in
 * ONE line on stderr, {@code <job>: <what failed, naming the table, column, key or file>}, never
 * a bare stack trace ({@code --verbose} or {@code DRIFTLAKE_VERBOSE=1} prints the trace too).
 *
 * <p>Exit codes (docs/JOBS.md): 0 done (drift found is still 0: it is data), 1 failure, 2 usage
 * error (an unknown option, a missing or malformed value, a missing required option: one line
 * naming it and pointing to {@code --help}), and what the job itself returns (drift: its run
 * status unless {@code --exit-code zero}; doctor: 3 when it lists leftovers).
 */
public final class JobMain {
  public static final int DONE = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  private JobMain() {}

  /** Runs {@code job} (a picocli {@code Callable<Integer>} command) and exits with its code. */
  public static void run(Object job, String[] args) {
    int code = execute(job, args, System.out, System.err);
    if (code != DONE) {
      System.exit(code);
    }
  }

  /** Parses {@code args} into {@code job}, runs it and returns its exit code; never throws. */
  public static int execute(Object job, String[] args, PrintStream out, PrintStream err) {
    boolean verbose = Console.verbose(args);
    Console.configure(verbose);
    CommandLine line = new CommandLine(job);
    String name = line.getCommandName();
    headings(line);
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    line.setParameterExceptionHandler((e, a) -> {
      out.flush();
      err.println(usageLine(e.getCommandLine(), usageMessage(e)));
      return USAGE;
    });
    line.setExecutionExceptionHandler((e, c, parsed) -> {
      out.flush();
      if (verbose) {
        e.printStackTrace(err);
      }
      if (e instanceof UsageException) {
        err.println(usageLine(c, oneLine(e)));
        return USAGE;
      }
      err.println(name + ": " + oneLine(e));
      return FAILURE;
    });
    int code;
    try {
      code = line.execute(args);
    } catch (Throwable t) { // an Error (out of memory, a missing class): still one line, exit 1
      out.flush();
      if (verbose) {
        t.printStackTrace(err);
      }
      err.println(name + ": " + oneLine(t));
      code = FAILURE;
    }
    out.flush();
    err.flush();
    return code;
  }

  /** {@code Usage: bin/driftlake <job> [command] ...}, as a user types it. */
  private static void headings(CommandLine line) {
    line.getCommandSpec().usageMessage().synopsisHeading("Usage: bin/driftlake ")
        .commandListHeading("%nCommands:%n").optionListHeading("%nOptions:%n")
        .footer("%nExit codes: 0 done (drift found is still 0), 1 failure, 2 usage error; "
            + "drift and doctor add their own (docs/JOBS.md).");
    line.getSubcommands().values().forEach(JobMain::headings);
  }

  /**
   * What picocli refused, naming the option: an argument the command does not know comes first
   * (picocli would report the required options it then misses), with picocli's suggestion.
   */
  static String usageMessage(ParameterException e) {
    CommandLine c = e.getCommandLine();
    List<String> unmatched = c.getUnmatchedArguments();
    if (unmatched.isEmpty()) {
      return firstLine(e);
    }
    String first = unmatched.get(0);
    String what = first.startsWith("-") ? "unknown option"
        : c.getSubcommands().isEmpty() ? "unexpected argument" : "unknown command";
    List<String> suggestions = new UnmatchedArgumentException(c, List.of(first)).getSuggestions();
    return String.format("%s '%s'%s", what, first,
        suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)");
  }

  /** {@code <job>: <message>; bin/driftlake <job> [command] --help lists the options}. */
  static String usageLine(CommandLine c, String message) {
    CommandLine root = c;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.getCommandName() + ": " + message + "; bin/driftlake "
        + c.getCommandSpec().qualifiedName(" ") + " --help lists the options";
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
