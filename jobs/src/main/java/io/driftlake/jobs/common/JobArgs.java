package io.driftlake.jobs.common;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** {@code --name value} arguments of one job, checked against the options the job knows. */
public final class JobArgs {
  private final String job;
  private final Map<String, String> values;

  private JobArgs(String job, Map<String, String> values) {
    this.job = job;
    this.values = values;
  }

  public static JobArgs parse(String job, String[] args, Set<String> known) {
    Set<String> allowed = new TreeSet<>(known);
    allowed.add("config");
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException(String.format(
            "Job '%s': unexpected argument '%s'; options are %s", job, arg, dashed(allowed)));
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!allowed.contains(name)) {
        throw new UsageException(String.format(
            "Job '%s': unknown option --%s; options are %s", job, name, dashed(allowed)));
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException(
              String.format("Job '%s': option --%s needs a value", job, name));
        }
        value = args[++i];
      }
      values.put(name, value);
    }
    return new JobArgs(job, values);
  }

  /** A sub-command and its options, e.g. {@code models promote --model ID}. */
  public record Command(String name, JobArgs args) {}

  /**
   * Parses {@code JOB COMMAND [options]}: the command is the first token that is neither an option
   * nor an option's value (so {@code --config FILE} may come before it); each command has its own
   * options.
   */
  public static Command parseCommand(String job, String[] args, Map<String, Set<String>> commands) {
    int i = 0;
    while (i < args.length && args[i].startsWith("--")) {
      i += args[i].contains("=") ? 1 : 2;
    }
    if (i >= args.length) {
      throw new UsageException(String.format(
          "Job '%s': missing command; commands are %s", job, new TreeSet<>(commands.keySet())));
    }
    String name = args[i];
    if (!commands.containsKey(name)) {
      throw new UsageException(String.format(
          "Job '%s': unknown command '%s'; commands are %s", job, name,
          new TreeSet<>(commands.keySet())));
    }
    String[] rest = new String[args.length - 1];
    System.arraycopy(args, 0, rest, 0, i);
    System.arraycopy(args, i + 1, rest, i, args.length - i - 1);
    return new Command(name, parse(job + " " + name, rest, commands.get(name)));
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String required(String name) {
    return option(name).orElseThrow(() -> new UsageException(
        String.format("Job '%s': missing required option --%s", job, name)));
  }

  public long longOption(String name, long fallback) {
    return option(name).map(v -> parseLong(name, v)).orElse(fallback);
  }

  public double doubleOption(String name, double fallback) {
    return option(name).map(v -> {
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new UsageException(
            String.format("Job '%s': --%s must be a number: '%s'", job, name, v), e);
      }
    }).orElse(fallback);
  }

  private long parseLong(String name, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException(
          String.format("Job '%s': --%s must be an integer: '%s'", job, name, v), e);
    }
  }

  private static String dashed(Set<String> names) {
    return names.stream().map(n -> "--" + n).toList().toString();
  }

  /** {@code true} or {@code false}, else a usage error naming the option. */
  public static boolean bool(String value, String option) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException(option + " must be true or false: " + value);
    };
  }

  /** A usage error: an unknown, missing or malformed option (exit code 2). */
  public static final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
      super(message);
    }

    public UsageException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
