package io.driftlake.jobs.lake;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes to the lake's tables: each append or replaceWhere is ONE commit stamped with its run,
 * idempotent by key, retried when it loses to a concurrent writer, and found again in the log
 * by its own token.
 */
final class LakeWriter {
  private final Lake lake;
  private final CommitLog log;

  LakeWriter(Lake lake) {
    this.lake = lake;
    this.log = new CommitLog(lake);
  }

  /**
   * Appends {@code data} to {@code table} as ONE new version stamped with {@code stamp}; the first
   * append creates the table (with change data feed on, so a version's added rows can be read).
   * With an idempotency key, a second append with the same key writes nothing. A commit that
   * loses to a concurrent writer is tried again ({@link #ATTEMPTS} times in all, with backoff):
   * that is safe because a lost commit wrote nothing to the log, and a retry first checks the
   * key (and this attempt's own token) in the log.
   */
  Lake.Append append(String table, Dataset<Row> data, CommitStamp stamp) {
    String token = java.util.UUID.randomUUID().toString();
    return committed(table, "append", stamp, token, () -> {
      OptionalLong before = lake.latestVersion(table);
      if (before.isPresent()) {
        checkSchema(table, data.schema(), before.getAsLong());
      }
      var writer = created(data.write().format("delta").mode("append")
          .option("userMetadata", stamp.userMetadata(token)), data.schema(), before);
      if (stamp.idempotencyKey() != null) {
        writer = writer.option("txnAppId", stamp.idempotencyKey())
            .option("txnVersion", stamp.sequence());
      }
      writer.save(lake.path(table));
      return before;
    });
  }

  /**
   * Replaces the rows of {@code table} that match {@code predicate} (Spark SQL) by {@code data},
   * all of whose rows must match it, as ONE new version stamped with {@code stamp} (Delta's
   * replaceWhere); creates the table with {@code data} when it does not exist yet. Retried as
   * {@link #append} is, deciding again on each attempt whether the table exists: whichever
   * attempts or concurrent writers land, the rows matching {@code predicate} are one writer's
   * {@code data}, never two copies.
   */
  Lake.Append replace(String table, Dataset<Row> data, String predicate, CommitStamp stamp) {
    String token = java.util.UUID.randomUUID().toString();
    return committed(table, "replace", stamp, token, () -> {
      OptionalLong before = lake.latestVersion(table);
      var writer = data.write().format("delta").option("userMetadata", stamp.userMetadata(token));
      if (before.isEmpty()) {
        created(writer.mode("errorifexists"), data.schema(), before).save(lake.path(table));
      } else {
        checkSchema(table, data.schema(), before.getAsLong());
        writer.mode("overwrite").option("replaceWhere", predicate).save(lake.path(table));
      }
      return before;
    });
  }

  /** Characters Delta refuses in a column name unless the table maps its columns. */
  private static final String UNMAPPED_REFUSES = " ,;{}()\n\t=";

  /**
   * The table options of a write that may create the table ({@code before} empty): change data
   * feed on; or, when a column name (at any depth) holds a character Delta refuses otherwise,
   * Delta column mapping by name instead. Only then: a mapped table needs Delta readers that
   * know column mapping (reader version 2, writer 5), and Delta refuses to create a table with
   * both column mapping and the change data feed in one data commit (creating it empty first
   * would put an empty version 0 before the first batch). A mapped table's added rows are read
   * from the files its appends added ({@link ChangeFeed}); only commits that also removed rows
   * (a foreign MERGE or DELETE) need the change data feed it lacks.
   */
  private static org.apache.spark.sql.DataFrameWriter<Row> created(
      org.apache.spark.sql.DataFrameWriter<Row> writer, StructType schema, OptionalLong before) {
    if (before.isPresent()) {
      return writer;
    }
    if (needsColumnMapping(schema)) {
      return writer.option("delta.columnMapping.mode", "name")
          .option("delta.minReaderVersion", "2").option("delta.minWriterVersion", "5");
    }
    return writer.option("delta.enableChangeDataFeed", "true");
  }

  /** True when a column name of {@code type} (at any depth) needs Delta column mapping. */
  static boolean needsColumnMapping(org.apache.spark.sql.types.DataType type) {
    if (type instanceof StructType struct) {
      for (StructField f : struct.fields()) {
        if (f.name().chars().anyMatch(c -> UNMAPPED_REFUSES.indexOf(c) >= 0)
            || needsColumnMapping(f.dataType())) {
          return true;
        }
      }
    } else if (type instanceof org.apache.spark.sql.types.ArrayType array) {
      return needsColumnMapping(array.elementType());
    } else if (type instanceof org.apache.spark.sql.types.MapType map) {
      return needsColumnMapping(map.keyType()) || needsColumnMapping(map.valueType());
    }
    return false;
  }

  /** Commit attempts of one write before a conflict is reported. */
  static final int ATTEMPTS = 5;

  /**
   * Runs {@code write} (which returns the version before it) until it commits, retrying Delta's
   * concurrent-modification conflicts with exponential backoff, and finds the version of this
   * write's own commit by its token.
   */
  private Lake.Append committed(String table, String operation, CommitStamp stamp, String token,
                           java.util.function.Supplier<OptionalLong> write) {
    for (int attempt = 1; ; attempt++) {
      OptionalLong before;
      try {
        before = write.get();
      } catch (Exception e) { // Spark's AnalysisException is a checked exception thrown unchecked
        Throwable conflict = conflict(e);
        if (conflict == null) {
          throw e;
        }
        if (attempt >= ATTEMPTS) {
          throw new ConcurrentWriteException(String.format(
              "Table '%s': %s by job '%s' (run %s) lost to concurrent commits %d times; the "
                  + "latest competing commit is %s; nothing was written by this run (%s)",
              table, operation, stamp.job(), stamp.runId(), ATTEMPTS, log.describeLatest(table),
              conflictKind(conflict)), e);
        }
        sleepBeforeRetry(attempt);
        continue;
      }
      long from = before.isPresent() ? before.getAsLong() + 1 : 0;
      OptionalLong own = log.versionOf(table, from, token, null);
      if (own.isPresent()) {
        return new Lake.Append(own.getAsLong(), true);
      }
      if (stamp.idempotencyKey() == null) {
        throw new IllegalStateException(String.format(
            "Table '%s': the %s by job '%s' (run %s) found no commit of its own in the log after "
                + "version %d", table, operation, stamp.job(), stamp.runId(), from - 1));
      }
      return new Lake.Append(
          log.versionOf(table, 0, null, stamp.idempotencyKey()).orElse(-1), false);
    }
  }

  /**
   * A Delta write conflict is signalled by a subclass of ConcurrentModificationException; a
   * creating write ({@code errorifexists}) that found the table created meanwhile by another
   * writer fails with the error condition {@value #PATH_EXISTS}. Either is retried.
   */
  private static Throwable conflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.ConcurrentModificationException || pathExists(t)) {
        return t;
      }
    }
    return null;
  }

  /** Delta's error condition for a creating write that found the table already there. */
  private static final String PATH_EXISTS = "DELTA_PATH_EXISTS";

  /**
   * Whether {@code t} is Delta's {@value #PATH_EXISTS}, by its error condition (the current or
   * the deprecated accessor, whichever the Delta release fills) or the message's
   * {@code [CONDITION]} prefix.
   */
  @SuppressWarnings("deprecation")
  private static boolean pathExists(Throwable t) {
    if (t instanceof org.apache.spark.SparkThrowable s
        && (PATH_EXISTS.equals(s.getCondition()) || PATH_EXISTS.equals(s.getErrorClass()))) {
      return true;
    }
    return t.getMessage() != null && t.getMessage().startsWith("[" + PATH_EXISTS + "]");
  }

  /**
   * The conflict's exception class and Delta's error condition, e.g. {@code
   * MetadataChangedException [DELTA_METADATA_CHANGED]}: stable across Delta releases, whose
   * message texts change (4.4 added the table path, which the line names already).
   */
  private static String conflictKind(Throwable t) {
    String condition = t instanceof org.apache.spark.SparkThrowable s ? s.getCondition() : null;
    return t.getClass().getSimpleName() + (condition == null ? "" : " [" + condition + "]");
  }

  private static void sleepBeforeRetry(int attempt) {
    long millis = (50L << attempt) + java.util.concurrent.ThreadLocalRandom.current().nextLong(50);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting to retry a commit", e);
    }
  }

  /**
   * Fails with one line naming the missing, unexpected and retyped columns when {@code incoming}
   * is not {@code table}'s schema (at {@code version}, which the message names).
   */
  void checkSchema(String table, StructType incoming, long version) {
    StructType existing = lake.spark().read().format("delta").load(lake.path(table)).schema();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> retyped = new ArrayList<>();
    for (StructField f : existing.fields()) {
      StructField in = find(incoming, f.name());
      if (in == null) {
        missing.add(f.name());
      } else if (!in.dataType().equals(f.dataType())) {
        retyped.add(f.name() + ": table " + f.dataType().simpleString() + ", input "
            + in.dataType().simpleString());
      }
    }
    for (StructField f : incoming.fields()) {
      if (find(existing, f.name()) == null) {
        unexpected.add(f.name());
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty() || !retyped.isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "Schema mismatch for table '%s': missing columns %s, unexpected columns %s, "
              + "type changes %s; nothing was written (table stays at version %d)",
          table, missing, unexpected, retyped, version));
    }
  }

  private static StructField find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
