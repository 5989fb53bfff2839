package io.driftlake.jobs.io;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.driftlake.drift.spark.ColumnNames;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddCDCFile;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.RemoveFile;
import scala.Option;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The Delta tables under the lake root: resolve, read at a version, append idempotently. */
public final class Lake implements TableLookup {
  private final SparkSession spark;
  private final JobSettings settings;
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

  private io.delta.kernel.engine.Engine kernel() {
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
    List<String> files = new ArrayList<>();
    try {
      io.delta.kernel.Scan scan = io.delta.kernel.Table.forPath(kernel(), path(table))
          .getSnapshotAsOfVersion(kernel(), version).getScanBuilder().build();
      try (io.delta.kernel.utils.CloseableIterator<io.delta.kernel.data.FilteredColumnarBatch>
               batches = scan.getScanFiles(kernel())) {
        while (batches.hasNext()) {
          try (io.delta.kernel.utils.CloseableIterator<io.delta.kernel.data.Row> rows =
                   batches.next().getRows()) {
            while (rows.hasNext()) {
              files.add(io.delta.kernel.internal.InternalScanFileUtils
                  .getAddFileStatus(rows.next()).getPath());
            }
          }
        }
      }
    } catch (io.delta.kernel.exceptions.KernelException e) { // no such version in the log
      return java.util.Optional.empty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot list the files of table '" + table
          + "' at version " + version, e);
    }
    java.util.Map<org.apache.hadoop.fs.Path, java.util.Set<org.apache.hadoop.fs.Path>> listed =
        new java.util.HashMap<>();
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      for (String file : files) {
        org.apache.hadoop.fs.Path f = new org.apache.hadoop.fs.Path(file);
        org.apache.hadoop.fs.Path qualified = f.getFileSystem(conf).makeQualified(f);
        if (!listed.computeIfAbsent(qualified.getParent(), dir -> list(dir, conf))
            .contains(qualified)) {
          return java.util.Optional.of(file);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot check the files of table '" + table
          + "' at version " + version, e);
    }
    return java.util.Optional.empty();
  }

  private static java.util.Set<org.apache.hadoop.fs.Path> list(org.apache.hadoop.fs.Path dir,
      org.apache.hadoop.conf.Configuration conf) {
    java.util.Set<org.apache.hadoop.fs.Path> out = new java.util.HashSet<>();
    try {
      for (org.apache.hadoop.fs.FileStatus s : dir.getFileSystem(conf).listStatus(dir)) {
        out.add(s.getPath());
      }
    } catch (java.io.FileNotFoundException e) {
      return out; // the folder is gone with its files
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot list " + dir, e);
    }
    return out;
  }

  /**
   * The oldest version of {@code table} whose snapshot can still be read (all its data files are
   * there), assuming, as VACUUM leaves them, that every later version is readable too; empty
   * when not even the latest is.
   */
  public OptionalLong oldestReadable(String table) {
    long latest = latestVersion(table).orElseThrow();
    if (missingFile(table, latest).isPresent()) {
      return OptionalLong.empty();
    }
    long low = 0;
    long high = latest; // readable
    while (low < high) {
      long mid = low + (high - low) / 2;
      if (missingFile(table, mid).isPresent() || !logHas(table, mid)) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return OptionalLong.of(high);
  }

  private boolean logHas(String table, long version) {
    try {
      io.delta.kernel.Table.forPath(kernel(), path(table)).getSnapshotAsOfVersion(kernel(),
          version);
      return true;
    } catch (io.delta.kernel.exceptions.KernelException e) { // no such version in the log
      return false;
    }
  }

  /**
   * Fails with one line when the snapshot a resolved selection reads has lost data files to
   * VACUUM: which table and version, and the oldest version still readable. Called before a scan
   * that no stored profile can spare.
   */
  public void checkReadable(TableRef ref) {
    if (ref.addedOnly()) {
      return; // reading the files it added already fails with a message naming the version
    }
    long version = ref.version().orElseThrow(
        () -> new IllegalArgumentException("Unresolved table selection: " + ref));
    if (missingFile(ref.table(), version).isEmpty()) {
      return;
    }
    OptionalLong oldest = oldestReadable(ref.table());
    throw new IllegalArgumentException(String.format("Table '%s' version %d: its data files were "
        + "removed by VACUUM and no stored profile covers it; %s", ref.table(), version,
        oldest.isPresent() ? "the oldest version still readable is " + oldest.getAsLong()
            : "no version of it is readable any more"));
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
  private Snapshot snapshot(String table) {
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
      version = versionOf(ref.table(), 0, null, key).orElseThrow(() ->
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
    return versionOf(table, 0, null, key);
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
    Dataset<Row> data = ref.addedOnly() ? readAdded(ref.table(), version, version)
        : spark.read().format("delta").option("versionAsOf", version).load(path(ref.table()));
    return filter(data, ref);
  }

  /**
   * The rows that versions {@code from} to {@code to} (inclusive) inserted: the change data feed,
   * or, when those commits only appended whole files, the files they added (same rows, faster).
   */
  public Dataset<Row> readAdded(String table, long from, long to) {
    return appendedFiles(table, from, to).map(files -> files(table, from, to, files))
        .orElseGet(() -> insertedRows(table, from, to));
  }

  /**
   * The columns of the rows {@link #readAdded} gives (the table's latest schema), from the Delta
   * log alone: known even when those rows' data files are gone.
   */
  public StructType addedSchema(String table) {
    return snapshot(table).schema();
  }

  /**
   * Data files of the table, read with its latest schema. Spark checks that they exist at once:
   * one that is gone (rewritten, by OPTIMIZE say, then VACUUMed) is a
   * {@link java.io.FileNotFoundException} naming the versions and the file, as a snapshot scan
   * that meets a missing file fails with one.
   */
  private Dataset<Row> files(String table, long from, long to, String[] files) {
    try {
      StructType logical = snapshot(table).schema();
      if (!mapped(snapshot(table))) {
        return spark.read().schema(logical).parquet(files);
      }
      // Column mapping by name: the files hold each column under its physical name.
      Dataset<Row> raw = spark.read().schema(physical(logical)).parquet(files);
      return raw.select(java.util.Arrays.stream(logical.fields())
          .map(f -> raw.col(ColumnNames.quote(physicalName(f))).cast(f.dataType()).as(f.name()))
          .toArray(org.apache.spark.sql.Column[]::new));
    } catch (Exception e) { // Spark's AnalysisException is checked, but thrown from Scala
      if (e instanceof org.apache.spark.sql.AnalysisException a
          && "PATH_NOT_FOUND".equals(a.getCondition())) {
        java.io.FileNotFoundException gone = new java.io.FileNotFoundException(String.format(
            "A data file that %s of table '%s' added is gone (rewritten, then vacuumed): %s",
            from == to ? "version " + from : "versions " + from + ".." + to, table,
            e.getMessage().lines().findFirst().orElse("")));
        gone.initCause(e);
        throw new java.io.UncheckedIOException(gone);
      }
      throw e;
    }
  }

  private static boolean mapped(Snapshot snapshot) {
    return snapshot.metadata().configuration().getOrElse("delta.columnMapping.mode",
        () -> "none").equals("name");
  }

  /** Delta's physical name of a column of a table with column mapping (the protocol's key). */
  private static String physicalName(StructField field) {
    return field.metadata().contains("delta.columnMapping.physicalName")
        ? field.metadata().getString("delta.columnMapping.physicalName") : field.name();
  }

  /**
   * The data files' schema of a table mapped by name: every field, at any depth, under its
   * physical name (struct fields keep their order, so a cast gives back the logical names).
   */
  private static org.apache.spark.sql.types.DataType physical(
      org.apache.spark.sql.types.DataType type) {
    if (type instanceof StructType struct) {
      StructType out = new StructType();
      for (StructField f : struct.fields()) {
        out = out.add(physicalName(f), physical(f.dataType()), f.nullable());
      }
      return out;
    }
    if (type instanceof org.apache.spark.sql.types.ArrayType a) {
      return org.apache.spark.sql.types.DataTypes.createArrayType(physical(a.elementType()),
          a.containsNull());
    }
    if (type instanceof org.apache.spark.sql.types.MapType m) {
      return org.apache.spark.sql.types.DataTypes.createMapType(physical(m.keyType()),
          physical(m.valueType()), m.valueContainsNull());
    }
    return type;
  }

  private static StructType physical(StructType schema) {
    return (StructType) physical((org.apache.spark.sql.types.DataType) schema);
  }

  /** The change data feed's inserts of versions {@code from}..{@code to}. */
  private Dataset<Row> insertedRows(String table, long from, long to) {
    return spark.read().format("delta")
        .option("readChangeFeed", "true")
        .option("startingVersion", from).option("endingVersion", to)
        .load(path(table))
        .where(col("_change_type").equalTo("insert"))
        .drop("_change_type", "_commit_version", "_commit_timestamp");
  }

  /**
   * The rows that versions {@code from}..{@code to} added when those commits only added rows (or
   * changed no data), so that the snapshot at {@code to} is the snapshot at {@code from − 1}
   * plus them; empty otherwise, when the change data feed that would be needed is off, or when
   * the files they added are gone (rewritten, then vacuumed).
   */
  public java.util.Optional<Dataset<Row>> appended(String table, long from, long to) {
    java.util.Optional<String[]> files = appendedFiles(table, from, to);
    if (files.isPresent()) {
      try {
        return java.util.Optional.of(files(table, from, to, files.get()));
      } catch (java.io.UncheckedIOException e) {
        return java.util.Optional.empty(); // the added rows are gone: only the snapshot is left
      }
    }
    if (!onlyAppendedBetween(table, from - 1, to)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(insertedRows(table, from, to));
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // no change data feed on this table
    }
  }

  /**
   * The rows that versions {@code from}..{@code to} inserted and those they deleted (an UPDATE's
   * old row is deleted and its new one inserted; a MERGE's likewise), so that the snapshot at
   * {@code to} = the snapshot at {@code from − 1} + {@code inserted} − {@code deleted} as
   * multisets of rows. {@code deleted} is empty when those commits only appended (the inserted
   * rows are then the files they added, when {@link #appendedFiles} can tell, else the change
   * data feed's inserts). {@code rewrites}: some of those commits were an UPDATE or MERGE, whose
   * rewritten rows are both deleted and inserted.
   */
  public record Changes(Dataset<Row> inserted, java.util.Optional<Dataset<Row>> deleted,
                        boolean rewrites) {}

  /** Operations whose commits the change data feed describes row by row, besides appends. */
  private static final java.util.Set<String> ROW_CHANGES = java.util.Set.of("DELETE", "UPDATE",
      "MERGE");

  /**
   * The rows inserted and deleted by versions {@code from}..{@code to} ({@link Changes}), or empty
   * when they cannot be read as changes: a commit other than an append, DELETE, UPDATE, MERGE or
   * one that changes no data (an overwrite or replaceWhere, RESTORE, a schema change, a history
   * cleaned up: the snapshot is then cheaper or the only thing to read), a version in the range
   * without the change data feed (a table created with column mapping lacks it: see
   * {@link #created}), or appended files that are gone. Deletes come from Delta's change data
   * feed ({@code readChangeFeed}, {@code delete} and {@code update_preimage} rows), which Delta
   * records for every DELETE, UPDATE and MERGE once the feed is on.
   */
  public java.util.Optional<Changes> changes(String table, long from, long to) {
    java.util.Optional<String[]> files = appendedFiles(table, from, to);
    if (files.isPresent()) {
      try {
        return java.util.Optional.of(new Changes(files(table, from, to, files.get()),
            java.util.Optional.empty(), false));
      } catch (java.io.UncheckedIOException e) {
        return java.util.Optional.empty(); // the added rows are gone: only the snapshot is left
      }
    }
    List<Row> commits = history(table).where(col("version").gt(from - 1).and(col("version")
        .leq(to))).select("version", "operation", "operationParameters").collectAsList();
    if (commits.size() != to - from + 1) {
      return java.util.Optional.empty(); // history cleaned up: cannot tell
    }
    boolean appendsOnly = commits.stream()
        .allMatch(c -> onlyAppended(c.getString(1), c.getJavaMap(2)));
    if (!appendsOnly && !commits.stream().allMatch(c -> ROW_CHANGES.contains(c.getString(1))
        || onlyAppended(c.getString(1), c.getJavaMap(2)))) {
      return java.util.Optional.empty();
    }
    if (!changeDataFeedOn(table, from) || !changeDataFeedOn(table, to)) {
      return java.util.Optional.empty(); // e.g. a table created with column mapping
    }
    boolean rewrites = commits.stream()
        .anyMatch(c -> c.getString(1).equals("UPDATE") || c.getString(1).equals("MERGE"));
    java.util.Optional<Changes> direct = changeFiles(table, from, to, appendsOnly, rewrites);
    if (direct.isPresent()) {
      return direct;
    }
    Dataset<Row> feed;
    try {
      feed = spark.read().format("delta")
          .option("readChangeFeed", "true")
          .option("startingVersion", from).option("endingVersion", to)
          .load(path(table));
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // no change data feed on (some of) these versions
    }
    org.apache.spark.sql.Column type = col("_change_type");
    Dataset<Row> inserted = feed.where(type.isin("insert", "update_postimage"))
        .drop("_change_type", "_commit_version", "_commit_timestamp");
    return java.util.Optional.of(new Changes(inserted, appendsOnly ? java.util.Optional.empty()
        : java.util.Optional.of(feed.where(type.isin("delete", "update_preimage"))
            .drop("_change_type", "_commit_version", "_commit_timestamp")), rewrites));
  }

  /**
   * The changes of versions {@code from}..{@code to} read straight from the files the change data
   * feed is made of, as Delta's feed reads them: a commit that wrote change files
   * ({@code _change_data}, as DELETE, UPDATE and MERGE do when they rewrite part of a file)
   * contributes their rows by {@code _change_type}; any other commit its added files as inserts
   * and its removed files (a DELETE of whole files) as deletes; files rewritten without a data
   * change contribute nothing. Empty unless the table is unpartitioned, without column mapping or
   * type widening, and no file in the range has a deletion vector (then Delta's own feed reader
   * decides). Delta's batch feed reader costs seconds of fixed work even for a few rows (1M-row
   * bench: 4.5 s for the 20 000 rows a 1 % DELETE removed), these files a plain Parquet scan.
   */
  private java.util.Optional<Changes> changeFiles(String table, long from, long to,
                                                  boolean appendsOnly, boolean rewrites) {
    Snapshot snapshot = snapshot(table);
    scala.collection.immutable.Map<String, String> conf = snapshot.metadata().configuration();
    if (!snapshot.metadata().partitionColumns().isEmpty()
        || !conf.getOrElse("delta.columnMapping.mode", () -> "none").equals("none")
        || !conf.getOrElse("delta.enableTypeWidening", () -> "false").equals("false")) {
      return java.util.Optional.empty();
    }
    java.net.URI root = java.nio.file.Path.of(path(table)).toUri();
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    long expected = from;
    scala.collection.Iterator<scala.Tuple2<Object, scala.collection.immutable.Seq<Action>>> log;
    try {
      log = DeltaLog.forTable(spark, path(table)).getChanges(from, to, Option.empty(), true);
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // log cleaned up
    }
    java.util.function.Function<String, String> file =
        p -> java.nio.file.Path.of(root.resolve(java.net.URI.create(p))).toString();
    while (log.hasNext()) {
      scala.Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = log.next();
      if ((Long) commit._1() != expected++) {
        return java.util.Optional.empty();
      }
      List<Action> actions = scala.jdk.javaapi.CollectionConverters.asJava(commit._2());
      boolean hasChangeFiles = actions.stream().anyMatch(a -> a instanceof AddCDCFile);
      for (Action action : actions) {
        if (action instanceof AddFile add) {
          if (add.deletionVector() != null) {
            return java.util.Optional.empty();
          }
          if (add.dataChange() && !hasChangeFiles) {
            added.add(file.apply(add.path()));
          }
        } else if (action instanceof RemoveFile remove) {
          if (remove.deletionVector() != null) {
            return java.util.Optional.empty();
          }
          if (remove.dataChange() && !hasChangeFiles) {
            removed.add(file.apply(remove.path()));
          }
        } else if (action instanceof AddCDCFile cdc) {
          changed.add(file.apply(cdc.path()));
        }
      }
    }
    if (expected != to + 1) {
      return java.util.Optional.empty();
    }
    StructType logical = snapshot.schema();
    org.apache.spark.sql.Column type = col("_change_type");
    try {
      Dataset<Row> inserted = rows(table, from, to, added, logical);
      Dataset<Row> deleted = rows(table, from, to, removed, logical);
      if (!changed.isEmpty()) {
        Dataset<Row> feed = spark.read()
            .schema(logical.add("_change_type", org.apache.spark.sql.types.DataTypes.StringType))
            .parquet(changed.toArray(String[]::new));
        inserted = inserted.unionByName(
            feed.where(type.isin("insert", "update_postimage")).drop("_change_type"));
        deleted = deleted.unionByName(
            feed.where(type.isin("delete", "update_preimage")).drop("_change_type"));
      }
      return java.util.Optional.of(new Changes(inserted,
          appendsOnly ? java.util.Optional.empty() : java.util.Optional.of(deleted), rewrites));
    } catch (java.io.UncheckedIOException e) {
      return java.util.Optional.empty(); // a file is gone (vacuumed): let Delta's reader decide
    } catch (Exception e) { // Spark's AnalysisException is checked, but thrown from Scala
      if (e instanceof org.apache.spark.sql.AnalysisException a
          && "PATH_NOT_FOUND".equals(a.getCondition())) {
        return java.util.Optional.empty(); // a change file is gone (vacuumed)
      }
      throw e;
    }
  }

  /** The rows of these data files (none: an empty frame), read with the table's schema. */
  private Dataset<Row> rows(String table, long from, long to, List<String> files,
                            StructType logical) {
    return files.isEmpty() ? spark.createDataFrame(List.of(), logical)
        : files(table, from, to, files.toArray(String[]::new));
  }

  /** True when the table's properties at {@code version} turn the change data feed on. */
  private boolean changeDataFeedOn(String table, long version) {
    try {
      return "true".equalsIgnoreCase(io.delta.kernel.Table.forPath(kernel(), path(table))
          .getSnapshotAsOfVersion(kernel(), version).getTableProperties()
          .get("delta.enableChangeDataFeed"));
    } catch (RuntimeException e) { // no such version in the log, a feature Kernel cannot read
      return false;
    }
  }

  /**
   * The data files that versions {@code from}..{@code to} added, when reading them is provably
   * the same as the change data feed's inserts: every commit in the range only added files with
   * new data (no remove, no cdc; files rewritten without a data change, as OPTIMIZE does, add no
   * rows), none with a deletion vector, to an unpartitioned table without type widening and
   * without column mapping or with mapping by name (so the files hold the table's columns under
   * their names, or their physical names, and types; columns a file predates read as null, as in
   * Delta). Otherwise empty. Read straight from the commit files
   * of the log (Delta's {@code getChanges}), with no Spark job. Delta's batch change-data-feed
   * scan converts every row to a {@code Row} and back, about 3× slower than a snapshot scan on
   * this machine (10M rows × 25 columns: 22.6 s against 6.6 s).
   */
  private java.util.Optional<String[]> appendedFiles(String table, long from, long to) {
    Snapshot snapshot = snapshot(table);
    String mapping = snapshot.metadata().configuration()
        .getOrElse("delta.columnMapping.mode", () -> "none");
    String widening = snapshot.metadata().configuration()
        .getOrElse("delta.enableTypeWidening", () -> "false");
    if (!snapshot.metadata().partitionColumns().isEmpty()
        || !(mapping.equals("none") || mapping.equals("name")) || !widening.equals("false")) {
      return java.util.Optional.empty();
    }
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(path(table));
    List<String> files = new ArrayList<>();
    long expected = from;
    scala.collection.Iterator<scala.Tuple2<Object, scala.collection.immutable.Seq<Action>>> changes;
    try {
      changes = DeltaLog.forTable(spark, path(table)).getChanges(from, to, Option.empty(), true);
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // log cleaned up: let the change data feed decide
    }
    while (changes.hasNext()) {
      scala.Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = changes.next();
      if ((Long) commit._1() != expected++) {
        return java.util.Optional.empty();
      }
      for (Action action : scala.jdk.javaapi.CollectionConverters.asJava(commit._2())) {
        if (action instanceof AddFile add) {
          if (add.deletionVector() != null) {
            return java.util.Optional.empty();
          }
          if (add.dataChange()) {
            // Delta's rule (DeltaFileOperations.absolutePath): a URI-encoded path, relative to
            // the table unless absolute; on any file system the lake root is on.
            files.add(new org.apache.hadoop.fs.Path(root,
                new org.apache.hadoop.fs.Path(java.net.URI.create(add.path()))).toString());
          }
        } else if (action instanceof RemoveFile remove) {
          if (remove.dataChange()) {
            return java.util.Optional.empty();
          }
        } else if (action instanceof AddCDCFile) {
          return java.util.Optional.empty();
        }
      }
    }
    if (expected != to + 1 || files.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(files.toArray(String[]::new));
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
    List<Row> commits = history(table).where(col("version").gt(from).and(col("version").leq(to)))
        .select("version", "operation", "operationParameters").collectAsList();
    if (commits.size() != to - from) {
      return false; // history cleaned up: cannot tell
    }
    for (Row c : commits) {
      if (!onlyAppended(c.getString(1), c.getJavaMap(2))) {
        return false;
      }
    }
    return true;
  }

  /** True when a commit of {@code operation} only appended rows or changed no data. */
  private static boolean onlyAppended(String operation, java.util.Map<String, String> params) {
    String mode = params == null ? null : params.get("mode");
    String outputMode = params == null ? null : params.get("outputMode");
    boolean append = operation.equals("WRITE") && "Append".equals(mode)
        || operation.equals("STREAMING UPDATE") && "Append".equals(outputMode);
    boolean noDataChange = java.util.Set.of("OPTIMIZE", "SET TBLPROPERTIES",
        "UPGRADE PROTOCOL", "VACUUM START", "VACUUM END").contains(operation);
    return append || noDataChange;
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
   * loses to a concurrent writer is tried again ({@link #ATTEMPTS} times in all, with backoff):
   * that is safe because a lost commit wrote nothing to the log, and a retry first checks the
   * key (and this attempt's own token) in the log.
   */
  public Append append(String table, Dataset<Row> data, CommitStamp stamp) {
    String token = java.util.UUID.randomUUID().toString();
    return committed(table, "append", stamp, token, () -> {
      OptionalLong before = latestVersion(table);
      if (before.isPresent()) {
        checkSchema(table, data.schema(), before.getAsLong());
      }
      var writer = created(data.write().format("delta").mode("append")
          .option("userMetadata", stamp.userMetadata(token)), data.schema(), before);
      if (stamp.idempotencyKey() != null) {
        writer = writer.option("txnAppId", stamp.idempotencyKey())
            .option("txnVersion", stamp.sequence());
      }
      writer.save(path(table));
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
   *
   * <p>The creating write uses Delta's {@code errorifexists} mode, which Delta checks inside the
   * write's own transaction: a writer that found no table but whose transaction starts after a
   * concurrent writer created it fails with {@code DELTA_PATH_EXISTS} instead of appending a
   * second copy (as a plain append would), and is retried as a replaceWhere. Two creating writes
   * whose transactions overlap conflict at commit (Delta's {@code ProtocolChangedException}) and
   * the loser is retried the same way.
   */
  public Append replace(String table, Dataset<Row> data, String predicate, CommitStamp stamp) {
    String token = java.util.UUID.randomUUID().toString();
    return committed(table, "replace", stamp, token, () -> {
      OptionalLong before = latestVersion(table);
      var writer = data.write().format("delta").option("userMetadata", stamp.userMetadata(token));
      if (before.isEmpty()) {
        created(writer.mode("errorifexists"), data.schema(), before).save(path(table));
      } else {
        checkSchema(table, data.schema(), before.getAsLong());
        writer.mode("overwrite").option("replaceWhere", predicate).save(path(table));
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
   * from the files its appends added ({@link #appended}); only commits that also removed rows
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
  private Append committed(String table, String operation, CommitStamp stamp, String token,
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
              table, operation, stamp.job(), stamp.runId(), ATTEMPTS, describeLatest(table),
              conflictKind(conflict)), e);
        }
        sleepBeforeRetry(attempt);
        continue;
      }
      long from = before.isPresent() ? before.getAsLong() + 1 : 0;
      OptionalLong own = versionOf(table, from, token, null);
      if (own.isPresent()) {
        return new Append(own.getAsLong(), true);
      }
      if (stamp.idempotencyKey() == null) {
        throw new IllegalStateException(String.format(
            "Table '%s': the %s by job '%s' (run %s) found no commit of its own in the log after "
                + "version %d", table, operation, stamp.job(), stamp.runId(), from - 1));
      }
      return new Append(versionOf(table, 0, null, stamp.idempotencyKey()).orElse(-1), false);
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

  /** "version N (operation, {userMetadata})" of the table's latest commit. */
  private String describeLatest(String table) {
    OptionalLong latest = latestVersion(table);
    if (latest.isEmpty()) {
      return "none (the table does not exist)";
    }
    long v = latest.getAsLong();
    var changes = DeltaLog.forTable(spark, path(table)).getChanges(v, v, Option.empty(), false);
    while (changes.hasNext()) {
      for (Action action : scala.jdk.javaapi.CollectionConverters.asJava(changes.next()._2())) {
        if (action instanceof org.apache.spark.sql.delta.actions.CommitInfo info) {
          return String.format("version %d (%s%s)", v, info.operation(),
              info.userMetadata().isDefined() ? ", " + info.userMetadata().get() : "");
        }
      }
    }
    return "version " + v;
  }

  /**
   * The first version from {@code from} on whose commit carries {@code token} in its user
   * metadata, or (with a null token) records the transaction {@code appId}. Read from the log's
   * commit files (no Spark job); entries cleaned up from the log are not seen.
   */
  private OptionalLong versionOf(String table, long from, String token, String appId) {
    OptionalLong latest = latestVersion(table);
    if (latest.isEmpty() || from > latest.getAsLong()) {
      return OptionalLong.empty();
    }
    var changes = DeltaLog.forTable(spark, path(table))
        .getChanges(from, latest.getAsLong(), Option.empty(), false);
    while (changes.hasNext()) {
      scala.Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = changes.next();
      for (Action action : scala.jdk.javaapi.CollectionConverters.asJava(commit._2())) {
        if (token != null && action instanceof org.apache.spark.sql.delta.actions.CommitInfo info
            && info.userMetadata().isDefined()
            && info.userMetadata().get().contains("\"commit\":\"" + token + "\"")) {
          return OptionalLong.of((Long) commit._1());
        }
        if (appId != null && action instanceof org.apache.spark.sql.delta.actions.SetTransaction txn
            && txn.appId().equals(appId)) {
          return OptionalLong.of((Long) commit._1());
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * The version whose commit recorded the idempotency key {@code key} (Delta's txnAppId), or
   * empty when none did (or its log entry was cleaned up).
   */
  public OptionalLong committedVersion(String table, String key) {
    return versionOf(table, 0, null, key);
  }

  /**
   * Fails with one line naming the missing, unexpected and retyped columns when {@code incoming}
   * is not {@code table}'s schema (at {@code version}, which the message names).
   */
  public void checkSchema(String table, StructType incoming, long version) {
    StructType existing = spark.read().format("delta").load(path(table)).schema();
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
