package io.driftlake.jobs.lake;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The lake read and appended to on the driver with Delta Kernel, with no SparkSession: what a
 * drift between two selections whose profiles are stored needs (resolve them, read their
 * columns and the profiles table, append a few result rows) in a fraction of a second, where a
 * SparkSession and Delta's Spark snapshot cost seconds before the first row.
 *
 * <p>It resolves only what it can answer exactly as {@link Lake} does; for anything else
 * (a batch selection, a missing table or version) it answers empty and the caller takes the Spark
 * path, which reports it. Commits carry the job's stamp as the commit's {@code engineInfo}
 * (Kernel writes no {@code userMetadata}); {@code history} reads either.
 */
public final class KernelLake implements TableLookup {
  private final JobSettings settings;
  private final Configuration conf;
  private final Engine engine;
  private final Map<String, Optional<Snapshot>> latest = new HashMap<>();

  public KernelLake(JobSettings settings) {
    this.settings = settings;
    this.conf = hadoopConf();
    this.engine = io.delta.kernel.defaults.engine.DefaultEngine.create(conf);
  }

  /**
   * The Hadoop configuration without Spark: Hadoop's defaults plus every {@code spark.hadoop.*}
   * setting (spark-submit's {@code --conf} and properties file reach the driver as system
   * properties, as {@code bin/driftlake} passes conf/spark-defaults.conf), so that an s3a://
   * lake opens as it does in a SparkSession.
   */
  public static Configuration hadoopConf() {
    Configuration conf = new Configuration();
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), System.getProperty(key));
      }
    }
    return conf;
  }

  public Configuration conf() {
    return conf;
  }

  @Override
  public JobSettings settings() {
    return settings;
  }

  public String path(String table) {
    return Lake.path(settings, table);
  }

  /** The table's latest snapshot (once per table and instance), or empty when there is none. */
  private Optional<Snapshot> latest(String table) {
    return latest.computeIfAbsent(table, t -> {
      try {
        return Optional.of(Table.forPath(engine, path(t)).getLatestSnapshot(engine));
      } catch (TableNotFoundException e) {
        return Optional.empty();
      }
    });
  }

  public boolean exists(String table) {
    return latest(table).isPresent();
  }

  @Override
  public Optional<DriverTable> onDriver(String table) {
    return DriverTable.latest(engine, path(table), table);
  }

  @Override
  public String tableId(String table) {
    return latest(table).orElseThrow(() -> new IllegalArgumentException(String.format(
        "Table '%s' does not exist (no Delta table at %s)", table, path(table))))
        .getMetadata().getId();
  }

  /**
   * The selection with its version resolved as {@link Lake#resolve} resolves it, or empty when
   * this class does not answer it: a batch selection (found from the log's transactions), a
   * table or version that does not exist, a timestamp before the first commit (the Spark path
   * then says so in its own words).
   */
  public Optional<TableRef> resolve(TableRef ref) {
    Optional<Snapshot> snapshot = latest(ref.table());
    if (snapshot.isEmpty() || ref.batch().isPresent()) {
      return Optional.empty();
    }
    long latestVersion = snapshot.get().getVersion();
    if (ref.timestamp().isPresent()) {
      try {
        return Optional.of(ref.at(Table.forPath(engine, path(ref.table()))
            .getSnapshotAsOfTimestamp(engine, ref.timestamp().get().toEpochMilli())
            .getVersion()));
      } catch (RuntimeException e) { // Kernel's KernelException: before the first commit
        return Optional.empty();
      }
    }
    long version = ref.version().orElse(latestVersion);
    return version < 0 || version > latestVersion ? Optional.empty()
        : Optional.of(ref.at(version));
  }

  /**
   * The columns of a resolved selection as Spark types: its version's schema, or for the rows a
   * version added the table's latest schema (as {@link Lake#addedSchema}).
   */
  public StructType schema(TableRef ref) {
    Snapshot snapshot = ref.addedOnly() ? latest(ref.table()).orElseThrow()
        : Table.forPath(engine, path(ref.table()))
            .getSnapshotAsOfVersion(engine, ref.version().orElseThrow());
    return (StructType) org.apache.spark.sql.types.DataType.fromJson(
        snapshot.getSchema().toJson());
  }

  /**
   * True when {@code table} exists and has already committed the idempotency key {@code key}
   * (Delta's transaction id) at or above {@code sequence}: an append with it would write nothing.
   */
  public boolean committed(String table, String key, long sequence) {
    return latest(table).flatMap(s -> s.getLatestTransactionVersion(engine, key))
        .filter(v -> v >= sequence).isPresent();
  }

  /** True when {@code table} exists and has every column of {@code schema} (by name). */
  public boolean hasColumns(String table, StructType schema) {
    return latest(table).map(s -> s.getSchema().fieldNames())
        .filter(names -> names.containsAll(List.of(schema.fieldNames()))).isPresent();
  }

  /**
   * Appends {@code rows} (of {@code schema}) to the existing {@code table} as ONE new version
   * stamped with {@code stamp}, through Kernel; with an idempotency key, recorded as the commit's
   * transaction id, so that a second append with it writes nothing. Kernel retries a blind
   * append that meets concurrent commits; a concurrent commit of the same key means that run's
   * rows are there, and this append writes nothing ({@code version} -1).
   */
  public Lake.Append append(String table, StructType schema, List<Row> rows,
                            CommitStamp stamp) {
    Snapshot snapshot = latest(table).orElseThrow(() -> new IllegalArgumentException(
        String.format("Table '%s' does not exist (no Delta table at %s)", table, path(table))));
    var builder = snapshot.buildUpdateTableTransaction(
        stamp.userMetadata(java.util.UUID.randomUUID().toString()), Operation.WRITE);
    if (stamp.idempotencyKey() != null) {
      builder = builder.withTransactionId(stamp.idempotencyKey(), stamp.sequence());
    }
    Transaction txn = builder.build(engine);
    io.delta.kernel.data.Row state = txn.getTransactionState(engine);
    FilteredColumnarBatch batch = new FilteredColumnarBatch(
        KernelRows.batch(table, txn.getSchema(engine), schema, rows), Optional.empty());
    try {
      CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(
          engine, state, iterator(List.of(batch).iterator()), Map.of());
      DataWriteContext context = Transaction.getWriteContext(engine, state, Map.of());
      CloseableIterator<DataFileStatus> files = engine.getParquetHandler().writeParquetFiles(
          context.getTargetDirectory(), physical, context.getStatisticsColumns());
      TransactionCommitResult result = txn.commit(engine, CloseableIterable.inMemoryIterable(
          Transaction.generateAppendActions(engine, state, files, context)));
      latest.remove(table);
      for (PostCommitHook hook : result.getPostCommitHooks()) {
        hook.threadSafeInvoke(engine); // a checkpoint every delta.checkpointInterval commits
      }
      return new Lake.Append(result.getVersion(), true);
    } catch (ConcurrentTransactionException e) {
      latest.remove(table);
      return new Lake.Append(-1, false);
    } catch (IOException e) {
      throw new UncheckedIOException(String.format("Table '%s': append by job '%s' (run %s) "
          + "failed: %s", table, stamp.job(), stamp.runId(), e.getMessage()), e);
    }
  }

  private static <T> CloseableIterator<T> iterator(Iterator<T> it) {
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public T next() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        return it.next();
      }

      @Override
      public void close() {}
    };
  }
}
