package io.driftlake.jobs.common;

import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every job takes (a picocli mixin): {@code --config}, {@code --verbose}, help. */
public final class JobOptions {
  @Option(names = "--config", paramLabel = "FILE",
      description = "HOCON settings over the built-in reference.conf (default: reference.conf "
          + "plus DRIFTLAKE_LAKE_ROOT).")
  private String config;

  @Option(names = "--verbose",
      description = "Spark's and Delta's logs at INFO and a failure's stack trace "
          + "(also DRIFTLAKE_VERBOSE=1).")
  private boolean verbose;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
  private boolean help;

  public Optional<String> config() {
    return Optional.ofNullable(config);
  }

  public boolean verbose() {
    return verbose;
  }
}
