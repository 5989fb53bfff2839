package io.driftlake.jobs.lake;

import io.driftlake.drift.spark.ColumnNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddCDCFile;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.RemoveFile;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The data files that commits added, read straight as Parquet when that is provably the same
 * as Delta's change data feed (the files of pure appends), with the table's logical schema over
 * column mapping's physical names.
 */
final class AddedFiles {
  private final Lake lake;
  private final CommitLog log;

  AddedFiles(Lake lake) {
    this.lake = lake;
    this.log = new CommitLog(lake);
  }

  /**
   * Data files of the table, read with its latest schema. Spark checks that they exist at once:
   * one that is gone (rewritten, by OPTIMIZE say, then VACUUMed) is a
   * {@link java.io.FileNotFoundException} naming the versions and the file, as a snapshot scan
   * that meets a missing file fails with one.
   */
  Dataset<Row> files(String table, long from, long to, String[] files) {
    try {
      StructType logical = lake.snapshot(table).schema();
      if (!mapped(lake.snapshot(table))) {
        return lake.spark().read().schema(logical).parquet(files);
      }
      // Column mapping by name: the files hold each column under its physical name.
      Dataset<Row> raw = lake.spark().read().schema(physical(logical)).parquet(files);
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

  /** The rows of these data files (none: an empty frame), read with the table's schema. */
  Dataset<Row> rows(String table, long from, long to, List<String> files,
                            StructType logical) {
    return files.isEmpty() ? lake.spark().createDataFrame(List.of(), logical)
        : files(table, from, to, files.toArray(String[]::new));
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
   * scan converts every row to a {@code Row} and back, several times slower than a snapshot scan
   * of the same rows ({@code bin/driftlake bench} measures it).
   */
  java.util.Optional<String[]> appendedFiles(String table, long from, long to) {
    Snapshot snapshot = lake.snapshot(table);
    String mapping = snapshot.metadata().configuration()
        .getOrElse("delta.columnMapping.mode", () -> "none");
    String widening = snapshot.metadata().configuration()
        .getOrElse("delta.enableTypeWidening", () -> "false");
    if (!snapshot.metadata().partitionColumns().isEmpty()
        || !(mapping.equals("none") || mapping.equals("name")) || !widening.equals("false")) {
      return java.util.Optional.empty();
    }
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(lake.path(table));
    List<String> files = new ArrayList<>();
    java.util.Optional<List<List<Action>>> commits = log.actions(table, from, to);
    if (commits.isEmpty()) {
      return java.util.Optional.empty(); // log cleaned up: let the change data feed decide
    }
    for (List<Action> commit : commits.get()) {
      for (Action action : commit) {
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
    if (files.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(files.toArray(String[]::new));
  }
}
