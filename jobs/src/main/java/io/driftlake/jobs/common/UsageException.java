package io.driftlake.jobs.common;

/** A usage error: an option's value the job refuses (exit code 2), naming the option. */
public final class UsageException extends IllegalArgumentException {
  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
