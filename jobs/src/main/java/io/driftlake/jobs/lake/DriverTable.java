package io.driftlake.jobs.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One snapshot of a small Delta table (the profiles table), read on the driver with Delta Kernel:
 * no Spark job, no Spark snapshot state. A lookup in the profiles table through Spark costs two
 * jobs and their planning however few rows it reads, and the first one after a commit a Spark
 * snapshot's work besides; through Kernel it is a few small file reads (the stored-profile
 * lookup of an incremental profile and of drift from stored profiles).
 *
 * <p>Kernel applies the Delta protocol (deletion vectors, column mapping) and skips files by
 * their statistics; the caller's row filter is applied exactly, after.
 */
public final class DriverTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Engine engine;
  private final Snapshot snapshot;
  private final String name;

  private DriverTable(Engine engine, Snapshot snapshot, String name) {
    this.engine = engine;
    this.snapshot = snapshot;
    this.name = name;
  }

  /** The latest snapshot of the table at {@code path}, or empty when there is no table. */
  static Optional<DriverTable> latest(Engine engine, String path, String name) {
    try {
      return Optional.of(new DriverTable(engine,
          Table.forPath(engine, path).getLatestSnapshot(engine), name));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * The latest snapshot of the table at {@code path}, or empty when there is no table, read with
   * Hadoop's default configuration and no Spark session (a job that needs no Spark, like doctor).
   */
  public static Optional<DriverTable> latest(String path, String name) {
    return latest(new org.apache.hadoop.conf.Configuration(), path, name);
  }

  /** The same, with a Hadoop configuration (a lake on s3a:// needs its settings). */
  public static Optional<DriverTable> latest(org.apache.hadoop.conf.Configuration conf,
                                             String path, String name) {
    return latest(io.delta.kernel.defaults.engine.DefaultEngine.create(conf), path, name);
  }

  /** Whether the table has a top-level column of this name. */
  public boolean hasColumn(String column) {
    return snapshot.getSchema().indexOf(column) >= 0;
  }

  /**
   * The rows in files whose statistics may match {@code skipping} that {@code keep} accepts, as
   * Spark rows of {@code schema}: only its columns are read (by name; nested fields by
   * position).
   */
  public List<Row> rows(StructType schema, Predicate skipping,
                        java.util.function.Predicate<Row> keep) {
    List<Row> out = new ArrayList<>();
    for (DataFile file : files(schema, skipping, null)) {
      out.addAll(file.rows(keep));
    }
    return out;
  }

  /**
   * One data file of a scan, with the largest value of a long column in it by the file's Delta
   * statistics (empty when they do not have it).
   */
  public final class DataFile {
    private final io.delta.kernel.data.Row scanFile;
    private final io.delta.kernel.data.Row state;
    private final io.delta.kernel.types.StructType physicalSchema;
    private final StructType schema;
    private final OptionalLong max;

    private DataFile(io.delta.kernel.data.Row scanFile, io.delta.kernel.data.Row state,
                     io.delta.kernel.types.StructType physicalSchema, StructType schema,
                     OptionalLong max) {
      this.scanFile = scanFile;
      this.state = state;
      this.physicalSchema = physicalSchema;
      this.schema = schema;
      this.max = max;
    }

    public OptionalLong max() {
      return max;
    }

    /** The file's rows (less those a deletion vector removed) that {@code keep} accepts. */
    public List<Row> rows(java.util.function.Predicate<Row> keep) {
      List<Row> out = new ArrayList<>();
      try {
        CloseableIterator<ColumnarBatch> data = engine.getParquetHandler()
            .readParquetFiles(single(fileStatus(scanFile)),
                physicalSchema, Optional.empty())
            .map(FileReadResult::getData);
        try (CloseableIterator<FilteredColumnarBatch> batches =
                 Scan.transformPhysicalData(engine, state, scanFile, data)) {
          while (batches.hasNext()) {
            collect(batches.next(), schema, keep, out);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read Delta table '" + name + "'", e);
      }
      return out;
    }
  }

  /**
   * The data files whose statistics may match {@code skipping}, to read with the columns of
   * {@code schema}; with the largest value of the long column {@code maxOf} by each file's
   * statistics, when it is given.
   */
  public List<DataFile> files(StructType schema, Predicate skipping, String maxOf) {
    List<io.delta.kernel.types.StructField> read = new ArrayList<>();
    for (String column : schema.fieldNames()) {
      int field = snapshot.getSchema().indexOf(column);
      if (field < 0) {
        throw new IllegalStateException(String.format("Delta table '%s' has no column '%s' "
            + "(its columns: %s)", name, column, snapshot.getSchema().fieldNames()));
      }
      io.delta.kernel.types.StructField f = snapshot.getSchema().at(field);
      if (f.getMetadata().contains(PHYSICAL_NAME)) {
        throw new IllegalStateException(String.format("Delta table '%s' maps its columns by "
            + "name ('%s' is stored as '%s'); only unmapped tables are read on the driver", name,
            column, f.getMetadata().getString(PHYSICAL_NAME)));
      }
      read.add(f);
    }
    io.delta.kernel.types.StructType readSchema = new io.delta.kernel.types.StructType(read);
    Scan scan = snapshot.getScanBuilder().withFilter(skipping).withReadSchema(readSchema).build();
    io.delta.kernel.data.Row state = scan.getScanState(engine);
    // The columns as stored (the tables read here are unmapped), plus the row index that Kernel
    // needs to apply a file's deletion vector and drops after.
    io.delta.kernel.types.StructType physical =
        readSchema.add(io.delta.kernel.types.StructField.DEFAULT_ROW_INDEX_COLUMN);
    List<DataFile> out = new ArrayList<>();
    // Kernel's public getScanFiles leaves the statistics out (TestDriverTable
    // .kernelsPublicScanFilesCarryNoStatistics fails when a release adds them): the one internal
    // call left, for the newest-first read of the profiles table by each file's largest version.
    try (CloseableIterator<FilteredColumnarBatch> files = maxOf == null
        ? scan.getScanFiles(engine)
        : ((io.delta.kernel.internal.ScanImpl) scan).getScanFiles(engine, true)) {
      while (files.hasNext()) {
        try (CloseableIterator<io.delta.kernel.data.Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            io.delta.kernel.data.Row file = fileRows.next();
            out.add(new DataFile(file, state, physical, schema,
                maxOf == null ? OptionalLong.empty() : max(file, maxOf)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the files of Delta table '" + name + "'", e);
    }
    return out;
  }

  /**
   * Column mapping's key in a field's metadata. The tables read here are driftlake's own, created
   * unmapped, so the physical schema of a read is its logical one.
   */
  private static final String PHYSICAL_NAME = "delta.columnMapping.physicalName";

  private static <T> CloseableIterator<T> single(T value) {
    return new CloseableIterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        return !done;
      }

      @Override
      public T next() {
        if (done) {
          throw new java.util.NoSuchElementException();
        }
        done = true;
        return value;
      }

      @Override
      public void close() {}
    };
  }

  /**
   * The data file of a scan file row, from the public fields Kernel documents on {@link
   * Scan#getScanFiles}: the {@code add} action's path (a URI relative to the table root, or
   * absolute), size and modification time, and the row's {@code tableRoot}.
   */
  private static io.delta.kernel.utils.FileStatus fileStatus(io.delta.kernel.data.Row scanFile) {
    io.delta.kernel.data.Row add = add(scanFile);
    String root = scanFile.getString(scanFile.getSchema().indexOf("tableRoot"));
    java.net.URI file = java.net.URI.create(add.getString(add.getSchema().indexOf("path")));
    String path = file.isAbsolute() ? file.toString()
        : new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(root),
            new org.apache.hadoop.fs.Path(file)).toString();
    return io.delta.kernel.utils.FileStatus.of(path, add.getLong(add.getSchema().indexOf("size")),
        add.getLong(add.getSchema().indexOf("modificationTime")));
  }

  private static io.delta.kernel.data.Row add(io.delta.kernel.data.Row scanFile) {
    return scanFile.getStruct(scanFile.getSchema().indexOf("add"));
  }

  private static OptionalLong max(io.delta.kernel.data.Row scanFile, String column) {
    io.delta.kernel.data.Row add = add(scanFile);
    int stats = add.getSchema().indexOf("stats");
    if (stats < 0 || add.isNullAt(stats)) {
      return OptionalLong.empty();
    }
    try {
      JsonNode value = JSON.readTree(add.getString(stats)).path("maxValues").path(column);
      return value.canConvertToLong() ? OptionalLong.of(value.asLong()) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty(); // unreadable statistics: the file is read as if it had none
    }
  }

  private void collect(FilteredColumnarBatch batch, StructType schema,
                       java.util.function.Predicate<Row> keep, List<Row> out) {
    ColumnarBatch data = batch.getData();
    ColumnVector[] columns = new ColumnVector[schema.size()];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = data.getColumnVector(data.getSchema().indexOf(schema.fields()[c].name()));
    }
    Optional<ColumnVector> selected = batch.getSelectionVector();
    for (int r = 0; r < data.getSize(); r++) {
      if (selected.isPresent() && (selected.get().isNullAt(r) || !selected.get().getBoolean(r))) {
        continue; // deleted by a deletion vector
      }
      Object[] values = new Object[columns.length];
      for (int c = 0; c < columns.length; c++) {
        values[c] = value(columns[c], r, schema.fields()[c].dataType());
      }
      Row row = new GenericRowWithSchema(values, schema);
      if (keep.test(row)) {
        out.add(row);
      }
    }
  }

  /** A Kernel value as Spark's external row type has it (arrays as Scala sequences). */
  private static Object value(ColumnVector v, int row, DataType type) {
    if (v.isNullAt(row)) {
      return null;
    }
    if (type instanceof StructType struct) {
      Object[] values = new Object[struct.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = value(v.getChild(i), row, struct.fields()[i].dataType());
      }
      return new GenericRowWithSchema(values, struct);
    }
    if (type instanceof ArrayType array) {
      ArrayValue a = v.getArray(row);
      ColumnVector elements = a.getElements();
      List<Object> list = new ArrayList<>(a.getSize());
      for (int i = 0; i < a.getSize(); i++) {
        list.add(value(elements, i, array.elementType()));
      }
      return scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
    }
    if (type.equals(DataTypes.LongType)) {
      return v.getLong(row);
    }
    if (type.equals(DataTypes.DoubleType)) {
      return v.getDouble(row);
    }
    if (type.equals(DataTypes.BooleanType)) {
      return v.getBoolean(row);
    }
    if (type.equals(DataTypes.StringType)) {
      return v.getString(row);
    }
    if (type.equals(DataTypes.BinaryType)) {
      return v.getBinary(row);
    }
    if (type.equals(DataTypes.TimestampType)) {
      return Timestamp.from(Instant.EPOCH.plus(v.getLong(row), ChronoUnit.MICROS));
    }
    throw new IllegalArgumentException("DriverTable reads no " + type + " column");
  }
}
