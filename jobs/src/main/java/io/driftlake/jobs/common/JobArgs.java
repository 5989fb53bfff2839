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
        throw new IllegalArgumentException(String.format(
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
        throw new IllegalArgumentException(String.format(
            "Job '%s': unknown option --%s; options are %s", job, name, dashed(allowed)));
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new IllegalArgumentException(
              String.format("Job '%s': option --%s needs a value", job, name));
        }
        value = args[++i];
      }
      values.put(name, value);
    }
    return new JobArgs(job, values);
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String required(String name) {
    return option(name).orElseThrow(() -> new IllegalArgumentException(
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
        throw new IllegalArgumentException(
            String.format("Job '%s': --%s must be a number: '%s'", job, name, v), e);
      }
    }).orElse(fallback);
  }

  private long parseLong(String name, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("Job '%s': --%s must be an integer: '%s'", job, name, v), e);
    }
  }

  private static String dashed(Set<String> names) {
    return names.stream().map(n -> "--" + n).toList().toString();
  }
}
