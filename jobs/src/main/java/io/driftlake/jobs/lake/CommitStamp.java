package io.driftlake.jobs.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What a commit records in Delta's {@code userMetadata}: the job, its run id and, for ingests,
 * the batch id. {@code idempotencyKey}, when set, makes a second commit with the same key a no-op
 * (Delta's txnAppId/txnVersion, checked inside the commit); with a {@code sequence}, a commit
 * whose sequence number is not above the key's last one is the no-op, so that writers who
 * decided from the same state of a log cannot both append to it.
 */
public record CommitStamp(String job, String runId, String batchId, String idempotencyKey,
                          long sequence) {
  public CommitStamp(String job, String runId, String batchId, String idempotencyKey) {
    this(job, runId, batchId, idempotencyKey, 0);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Now, to the microsecond: what a Delta timestamp keeps, so a row reads back equal. */
  public static java.sql.Timestamp now() {
    return java.sql.Timestamp.from(java.time.Instant.now()
        .truncatedTo(java.time.temporal.ChronoUnit.MICROS));
  }

  public static String newRunId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The commit's user metadata, with {@code commit}: a token unique to one write, by which the
   * writer finds the version of its own commit in the log.
   */
  public String userMetadata(String commitToken) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("job", job);
    m.put("run_id", runId);
    if (batchId != null) {
      m.put("batch_id", batchId);
    }
    m.put("commit", commitToken);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
