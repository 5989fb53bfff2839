package io.driftlake.jobs.lake;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.driftlake.drift.spark.Predicates;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import scala.Option;

/** The Delta tables under the lake root: resolve, read at a version, append idempotently. */
public final class Lake implements TableLookup {
  private final SparkSession spark;
  private final JobSettings settings;
  private final VacuumedFiles vacuumed = new VacuumedFiles(this);
  private final ChangeFeed changeFeed = new ChangeFeed(this);
  private final CommitLog log = new CommitLog(this);
  private final LakeWriter writer = new LakeWriter(this);
  private io.delta.kernel.engine.Engine kernel;

  public Lake(SparkSession spark, JobSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  public SparkSession spark() {
    return spark;
  }

  @Override
  public JobSettings settings() {
    return settings;
  }

  public String path(String table) {
    return path(settings, table);
  }

  /** The folder of {@code table}: a table name, never a path, under the lake root. */
  static String path(JobSettings settings, String table) {
    return settings.lakeRoot().resolve(TableRef.checkName(table, "table name")).toString();
  }

  public boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /**
   * The latest snapshot of a small table, to read on the driver without a Spark job; empty when
   * the table does not exist.
   */
  @Override
  public java.util.Optional<DriverTable> onDriver(String table) {
    return DriverTable.latest(kernel(), path(table), table);
  }

  io.delta.kernel.engine.Engine kernel() {
    if (kernel == null) {
      kernel = io.delta.kernel.defaults.engine.DefaultEngine.create(
          spark.sparkContext().hadoopConfiguration());
    }
    return kernel;
  }

  /**
   * A data file that the snapshot of {@code table} at {@code version} reads and that is gone
   * (VACUUM removed it once a later version no longer used it), or empty when all are there (or
   * the version's log is gone too: reading it fails on its own). From the Delta log with Kernel
   * and one listing per data folder: no Spark job, and so no failed task and no ERROR trace.
   */
  public java.util.Optional<String> missingFile(String table, long version) {
    return vacuumed.missingFile(table, version);
  }

  /**
   * The oldest version of {@code table} whose snapshot can still be read (all its data files are
   * there), assuming, as VACUUM leaves them, that every later version is readable too; empty
   * when not even the latest is.
   */
  public OptionalLong oldestReadable(String table) {
    return vacuumed.oldestReadable(table);
  }

  /**
   * Fails with one line when the snapshot a resolved selection reads has lost data files to
   * VACUUM: which table and version, and the oldest version still readable. Called before a scan
   * that no stored profile can spare.
   */
  public void checkReadable(TableRef ref) {
    vacuumed.checkReadable(ref);
  }

  /**
   * Latest committed version, or empty when the table does not exist yet. From the Delta log's
   * listing (Delta's snapshot update), without a Spark job.
   */
  public OptionalLong latestVersion(String table) {
    if (!exists(table)) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(snapshot(table).version());
  }

  /**
   * The table's Delta id (its metadata's id): a table deleted and created again under the same
   * name has a new one, and its versions start again at 0.
   */
  @Override
  public String tableId(String table) {
    return snapshot(table).metadata().id();
  }

  /** The table's latest snapshot, as Delta's log keeps it (cached across calls in this JVM). */
  Snapshot snapshot(String table) {
    return DeltaLog.forTable(spark, path(table)).update(false, Option.empty(), Option.empty());
  }

  /**
   * The selection with its version resolved (latest, a number, or the last version committed at
   * or before a timestamp); an unknown table, version or too-early timestamp is an error naming it.
   */
  public TableRef resolve(TableRef ref) {
    OptionalLong latest = latestVersion(ref.table());
    if (latest.isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' does not exist (no Delta table at %s)", ref.table(), path(ref.table())));
    }
    long version;
    if (ref.batch().isPresent()) {
      String key = ingestKey(ref.table(), ref.batch().get());
      version = log.versionOf(ref.table(), 0, null, key).orElseThrow(() ->
          new IllegalArgumentException(String.format("Table '%s' has no commit of batch '%s' "
              + "(latest version is %d)", ref.table(), ref.batch().get(), latest.getAsLong())));
    } else if (ref.timestamp().isPresent()) {
      version = versionAt(ref.table(), ref.timestamp().get());
    } else {
      version = ref.version().orElse(latest.getAsLong());
    }
    if (version < 0 || version > latest.getAsLong()) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' has no version %d (latest is %d)", ref.table(), version, latest.getAsLong()));
    }
    return ref.at(version);
  }

  /**
   * The version whose commit recorded the idempotency key (Delta txnAppId) {@code key}, or empty
   * when none did (or the log entry that did has been cleaned up). Read from the log, no Spark job.
   */
  public OptionalLong versionOfKey(String table, String key) {
    return log.versionOf(table, 0, null, key);
  }

  /** The idempotency key (Delta txnAppId) of ingest batch {@code batchId} into {@code table}. */
  public static String ingestKey(String table, String batchId) {
    return "driftlake-ingest:" + table + ":" + batchId;
  }

  /** Delta's timestamp-as-of rule: the last version committed at or before {@code at}. */
  private long versionAt(String table, java.time.Instant at) {
    List<Row> commits = history(table).select("version", "timestamp")
        .where(col("timestamp").leq(functions.lit(java.sql.Timestamp.from(at))))
        .orderBy(col("version").desc()).limit(1).collectAsList();
    if (commits.isEmpty()) {
      Row first = history(table).select("version", "timestamp").orderBy(col("version"))
          .first();
      throw new IllegalArgumentException(String.format(
          "Table '%s' has no version at or before %s (its first, version %d, was committed at %s)",
          table, at, first.getLong(0), first.getTimestamp(1).toInstant()));
    }
    return commits.get(0).getLong(0);
  }

  /**
   * Reads a resolved selection: the snapshot at its version, or only the rows it added, filtered
   * by its predicate. A bad predicate fails here, naming the selection.
   */
  public Dataset<Row> read(TableRef ref) {
    long version = ref.version().orElseThrow(
        () -> new IllegalArgumentException("Unresolved table selection: " + ref));
    Dataset<Row> data = ref.addedOnly() ? changeFeed.readAdded(ref.table(), version, version)
        : spark.read().format("delta").option("versionAsOf", version).load(path(ref.table()));
    return filter(data, ref);
  }

  /**
   * The rows that versions {@code from} to {@code to} (inclusive) inserted: the change data feed,
   * or, when those commits only appended whole files, the files they added (same rows, faster).
   */
  public Dataset<Row> readAdded(String table, long from, long to) {
    return changeFeed.readAdded(table, from, to);
  }

  /**
   * The columns of the rows {@link #readAdded} gives (the table's latest schema), from the Delta
   * log alone: known even when those rows' data files are gone.
   */
  public StructType addedSchema(String table) {
    return snapshot(table).schema();
  }

  /**
   * The rows that versions {@code from}..{@code to} added when those commits only added rows (or
   * changed no data), so that the snapshot at {@code to} is the snapshot at {@code from − 1}
   * plus them; empty otherwise, when the change data feed that would be needed is off, or when
   * the files they added are gone (rewritten, then vacuumed).
   */
  public java.util.Optional<Dataset<Row>> appended(String table, long from, long to) {
    return changeFeed.appended(table, from, to);
  }

  /**
   * The rows that versions {@code from}..{@code to} inserted and those they deleted (an UPDATE's
   * old row is deleted and its new one inserted; a MERGE's likewise), so that the snapshot at
   * {@code to} = the snapshot at {@code from − 1} + {@code inserted} − {@code deleted} as
   * multisets of rows. {@code deleted} is empty when those commits only appended (the inserted
   * rows are then the files they added, when {@link AddedFiles#appendedFiles} can tell, else the
   * change
   * data feed's inserts). {@code rewrites}: some of those commits were an UPDATE or MERGE, whose
   * rewritten rows are both deleted and inserted.
   */
  public record Changes(Dataset<Row> inserted, java.util.Optional<Dataset<Row>> deleted,
                        boolean rewrites) {}

  /**
   * The rows inserted and deleted by versions {@code from}..{@code to} ({@link Changes}), or empty
   * when they cannot be read as changes: a commit other than an append, DELETE, UPDATE, MERGE or
   * one that changes no data (an overwrite or replaceWhere, RESTORE, a schema change, a history
   * cleaned up: the snapshot is then cheaper or the only thing to read), a version in the range
   * without the change data feed (a table created with column mapping lacks it: see
   * {@link LakeWriter}), or appended files that are gone. Deletes come from Delta's change data
   * feed ({@code readChangeFeed}, {@code delete} and {@code update_preimage} rows), which Delta
   * records for every DELETE, UPDATE and MERGE once the feed is on.
   */
  public java.util.Optional<Changes> changes(String table, long from, long to) {
    return changeFeed.changes(table, from, to);
  }

  /**
   * Applies the selection's row filter, if any, once {@link Predicates} has checked it against
   * the rows' columns: a refused filter is a {@link Predicates.Refused}, before any row is read.
   */
  public Dataset<Row> filter(Dataset<Row> data, TableRef ref) {
    if (ref.where().isEmpty()) {
      return data;
    }
    org.apache.spark.sql.Column checked = Predicates.column("Filter of " + ref,
        ref.where().get(), data.schema(), ref.table());
    try {
      return data.where(checked);
    } catch (Exception e) {
      throw new IllegalArgumentException(String.format("Bad filter '%s' for selection %s: %s",
          ref.where().get(), ref, e.getMessage().lines().findFirst().orElse("")), e);
    }
  }

  /**
   * True when every commit after {@code from} up to {@code to} only appended rows (or changed no
   * data: OPTIMIZE, table properties), so the snapshot at {@code to} = the snapshot at
   * {@code from} plus the rows those commits added.
   */
  public boolean onlyAppendedBetween(String table, long from, long to) {
    return changeFeed.onlyAppendedBetween(table, from, to);
  }

  public Dataset<Row> history(String table) {
    if (!exists(table)) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' does not exist (no Delta table at %s)", table, path(table)));
    }
    return DeltaTable.forPath(spark, path(table)).history();
  }

  /**
   * Outcome of an append: the version of this append's own commit (found in the log by the
   * commit's own token, never "latest after the write"), or, when the idempotency key was already
   * committed, the version that holds it ({@code -1} when the log entry that wrote it has been
   * cleaned up).
   */
  public record Append(long version, boolean written) {}

  /**
   * Appends {@code data} to {@code table} as ONE new version stamped with {@code stamp}; the first
   * append creates the table (with change data feed on, so a version's added rows can be read).
   * With an idempotency key, a second append with the same key writes nothing. A commit that
   * loses to a concurrent writer is tried again ({@link LakeWriter#ATTEMPTS} times in all, with
   * backoff):
   * that is safe because a lost commit wrote nothing to the log, and a retry first checks the
   * key (and this attempt's own token) in the log.
   */
  public Append append(String table, Dataset<Row> data, CommitStamp stamp) {
    return writer.append(table, data, stamp);
  }

  /**
   * Replaces the rows of {@code table} that match {@code predicate} (Spark SQL) by {@code data},
   * all of whose rows must match it, as ONE new version stamped with {@code stamp} (Delta's
   * replaceWhere); creates the table with {@code data} when it does not exist yet. Retried as
   * {@link #append} is, deciding again on each attempt whether the table exists: whichever
   * attempts or concurrent writers land, the rows matching {@code predicate} are one writer's
   * {@code data}, never two copies.
   *
   * <p>The creating write uses Delta's {@code errorifexists} mode, which Delta checks inside the
   * write's own transaction: a writer that found no table but whose transaction starts after a
   * concurrent writer created it fails with {@code DELTA_PATH_EXISTS} instead of appending a
   * second copy (as a plain append would), and is retried as a replaceWhere. Two creating writes
   * whose transactions overlap conflict at commit (Delta's {@code ProtocolChangedException}) and
   * the loser is retried the same way.
   */
  public Append replace(String table, Dataset<Row> data, String predicate, CommitStamp stamp) {
    return writer.replace(table, data, predicate, stamp);
  }

  /**
   * The version whose commit recorded the idempotency key {@code key} (Delta's txnAppId), or
   * empty when none did (or its log entry was cleaned up).
   */
  public OptionalLong committedVersion(String table, String key) {
    return log.versionOf(table, 0, null, key);
  }

  /**
   * Fails with one line naming the missing, unexpected and retyped columns when {@code incoming}
   * is not {@code table}'s schema (at {@code version}, which the message names).
   */
  public void checkSchema(String table, StructType incoming, long version) {
    writer.checkSchema(table, incoming, version);
  }
}
