package io.driftlake.jobs.lake;

import io.driftlake.jobs.common.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Data files that VACUUM removed behind a table's versions, found from the Delta log with Kernel
 * and one listing per data folder: no Spark job, and so no failed task and no ERROR trace.
 */
final class VacuumedFiles {
  private final Lake lake;

  VacuumedFiles(Lake lake) {
    this.lake = lake;
  }

  /**
   * A data file that the snapshot of {@code table} at {@code version} reads and that is gone
   * (VACUUM removed it once a later version no longer used it), or empty when all are there (or
   * the version's log is gone too: reading it fails on its own). From the Delta log with Kernel
   * and one listing per data folder: no Spark job, and so no failed task and no ERROR trace.
   */
  java.util.Optional<String> missingFile(String table, long version) {
    List<String> files = new ArrayList<>();
    try {
      io.delta.kernel.Scan scan = io.delta.kernel.Table.forPath(lake.kernel(), lake.path(table))
          .getSnapshotAsOfVersion(lake.kernel(), version).getScanBuilder().build();
      try (io.delta.kernel.utils.CloseableIterator<io.delta.kernel.data.FilteredColumnarBatch>
               batches = scan.getScanFiles(lake.kernel())) {
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
    org.apache.hadoop.conf.Configuration conf = lake.spark().sparkContext().hadoopConfiguration();
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
  OptionalLong oldestReadable(String table) {
    long latest = lake.latestVersion(table).orElseThrow();
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
      io.delta.kernel.Table.forPath(lake.kernel(), lake.path(table))
          .getSnapshotAsOfVersion(lake.kernel(), version);
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
  void checkReadable(TableRef ref) {
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
}
