package io.driftlake.jobs.lake;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddCDCFile;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.RemoveFile;
import org.apache.spark.sql.types.StructType;

/**
 * What versions of a table inserted and deleted: the files pure appends added, the change files
 * DELETE, UPDATE and MERGE wrote ({@code DeltaLog.getChanges}), or Delta's change data feed.
 */
final class ChangeFeed {
  private final Lake lake;
  private final AddedFiles addedFiles;
  private final CommitLog log;

  ChangeFeed(Lake lake) {
    this.lake = lake;
    this.addedFiles = new AddedFiles(lake);
    this.log = new CommitLog(lake);
  }

  /** Operations whose commits the change data feed describes row by row, besides appends. */
  private static final java.util.Set<String> ROW_CHANGES = java.util.Set.of("DELETE", "UPDATE",
      "MERGE");

  /**
   * The rows that versions {@code from} to {@code to} (inclusive) inserted: the change data feed,
   * or, when those commits only appended whole files, the files they added (same rows, faster).
   */
  Dataset<Row> readAdded(String table, long from, long to) {
    return addedFiles.appendedFiles(table, from, to)
        .map(files -> addedFiles.files(table, from, to, files))
        .orElseGet(() -> insertedRows(table, from, to));
  }

  /**
   * The rows that versions {@code from}..{@code to} added when those commits only added rows (or
   * changed no data), so that the snapshot at {@code to} is the snapshot at {@code from − 1}
   * plus them; empty otherwise, when the change data feed that would be needed is off, or when
   * the files they added are gone (rewritten, then vacuumed).
   */
  java.util.Optional<Dataset<Row>> appended(String table, long from, long to) {
    java.util.Optional<String[]> files = addedFiles.appendedFiles(table, from, to);
    if (files.isPresent()) {
      try {
        return java.util.Optional.of(addedFiles.files(table, from, to, files.get()));
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
   * The rows inserted and deleted by versions {@code from}..{@code to} ({@link Lake.Changes}), or
   * empty when they cannot be read as changes: a commit other than an append, DELETE, UPDATE, MERGE or
   * one that changes no data (an overwrite or replaceWhere, RESTORE, a schema change, a history
   * cleaned up: the snapshot is then cheaper or the only thing to read), a version in the range
   * without the change data feed (a table created with column mapping lacks it: see
   * {@link LakeWriter}), or appended files that are gone. Deletes come from Delta's change data
   * feed ({@code readChangeFeed}, {@code delete} and {@code update_preimage} rows), which Delta
   * records for every DELETE, UPDATE and MERGE once the feed is on.
   */
  java.util.Optional<Lake.Changes> changes(String table, long from, long to) {
    java.util.Optional<String[]> files = addedFiles.appendedFiles(table, from, to);
    if (files.isPresent()) {
      try {
        return java.util.Optional.of(new Lake.Changes(
            addedFiles.files(table, from, to, files.get()), java.util.Optional.empty(), false));
      } catch (java.io.UncheckedIOException e) {
        return java.util.Optional.empty(); // the added rows are gone: only the snapshot is left
      }
    }
    List<Row> commits = lake.history(table).where(col("version").gt(from - 1).and(col("version")
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
    java.util.Optional<Lake.Changes> direct = changeFiles(table, from, to, appendsOnly, rewrites);
    if (direct.isPresent()) {
      return direct;
    }
    Dataset<Row> feed;
    try {
      feed = lake.spark().read().format("delta")
          .option("readChangeFeed", "true")
          .option("startingVersion", from).option("endingVersion", to)
          .load(lake.path(table));
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // no change data feed on (some of) these versions
    }
    org.apache.spark.sql.Column type = col("_change_type");
    Dataset<Row> inserted = feed.where(type.isin("insert", "update_postimage"))
        .drop("_change_type", "_commit_version", "_commit_timestamp");
    return java.util.Optional.of(new Lake.Changes(inserted, appendsOnly ? java.util.Optional.empty()
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
   * decides). Delta's batch feed reader costs a fixed planning overhead even for a few rows
   * ({@code bin/driftlake bench}: the 1 % DELETE step), these files a plain Parquet scan.
   */
  private java.util.Optional<Lake.Changes> changeFiles(String table, long from, long to,
                                                  boolean appendsOnly, boolean rewrites) {
    Snapshot snapshot = lake.snapshot(table);
    scala.collection.immutable.Map<String, String> conf = snapshot.metadata().configuration();
    if (!snapshot.metadata().partitionColumns().isEmpty()
        || !conf.getOrElse("delta.columnMapping.mode", () -> "none").equals("none")
        || !conf.getOrElse("delta.enableTypeWidening", () -> "false").equals("false")) {
      return java.util.Optional.empty();
    }
    java.net.URI root = java.nio.file.Path.of(lake.path(table)).toUri();
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    java.util.Optional<List<List<Action>>> commits = log.actions(table, from, to);
    if (commits.isEmpty()) {
      return java.util.Optional.empty(); // log cleaned up
    }
    java.util.function.Function<String, String> file =
        p -> java.nio.file.Path.of(root.resolve(java.net.URI.create(p))).toString();
    for (List<Action> actions : commits.get()) {
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
    StructType logical = snapshot.schema();
    org.apache.spark.sql.Column type = col("_change_type");
    try {
      Dataset<Row> inserted = addedFiles.rows(table, from, to, added, logical);
      Dataset<Row> deleted = addedFiles.rows(table, from, to, removed, logical);
      if (!changed.isEmpty()) {
        Dataset<Row> feed = lake.spark().read()
            .schema(logical.add("_change_type", org.apache.spark.sql.types.DataTypes.StringType))
            .parquet(changed.toArray(String[]::new));
        inserted = inserted.unionByName(
            feed.where(type.isin("insert", "update_postimage")).drop("_change_type"));
        deleted = deleted.unionByName(
            feed.where(type.isin("delete", "update_preimage")).drop("_change_type"));
      }
      return java.util.Optional.of(new Lake.Changes(inserted,
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

  /** The change data feed's inserts of versions {@code from}..{@code to}. */
  private Dataset<Row> insertedRows(String table, long from, long to) {
    return lake.spark().read().format("delta")
        .option("readChangeFeed", "true")
        .option("startingVersion", from).option("endingVersion", to)
        .load(lake.path(table))
        .where(col("_change_type").equalTo("insert"))
        .drop("_change_type", "_commit_version", "_commit_timestamp");
  }

  /** True when the table's properties at {@code version} turn the change data feed on. */
  private boolean changeDataFeedOn(String table, long version) {
    try {
      return "true".equalsIgnoreCase(io.delta.kernel.Table.forPath(lake.kernel(), lake.path(table))
          .getSnapshotAsOfVersion(lake.kernel(), version).getTableProperties()
          .get("delta.enableChangeDataFeed"));
    } catch (RuntimeException e) { // no such version in the log, a feature Kernel cannot read
      return false;
    }
  }

  /**
   * True when every commit after {@code from} up to {@code to} only appended rows (or changed no
   * data: OPTIMIZE, table properties), so the snapshot at {@code to} = the snapshot at
   * {@code from} plus the rows those commits added.
   */
  boolean onlyAppendedBetween(String table, long from, long to) {
    List<Row> commits = lake.history(table)
        .where(col("version").gt(from).and(col("version").leq(to)))
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
}
