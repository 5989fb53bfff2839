package io.driftlake.jobs.lake;

/**
 * A write that kept losing to concurrent commits on the same table, after every retry. Its
 * message names the table, the operation, the run and the latest competing commit.
 */
public final class ConcurrentWriteException extends IllegalStateException {
  public ConcurrentWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
