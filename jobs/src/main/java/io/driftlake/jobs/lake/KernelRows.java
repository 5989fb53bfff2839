package io.driftlake.jobs.lake;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Spark rows as one Delta Kernel {@link ColumnarBatch} in a table's own column order, so that a
 * job that writes a few result rows can commit them through Kernel, without a SparkSession.
 * Columns are matched by name; a nullable table column the rows lack is null (a column added to
 * the table later). The types the result tables use: string, long, int, double, boolean, date,
 * timestamp and string maps.
 */
final class KernelRows {
  private KernelRows() {}

  /**
   * The rows as a batch of {@code table}'s schema; fails naming the column when a non-nullable
   * column is missing from the rows, or a type is not one listed above.
   */
  static ColumnarBatch batch(String tableName, StructType table,
                             org.apache.spark.sql.types.StructType rowsSchema, List<Row> rows) {
    List<ColumnVector> vectors = new ArrayList<>();
    for (StructField field : table.fields()) {
      String name = field.getName();
      int index = List.of(rowsSchema.fieldNames()).indexOf(name);
      if (index < 0 && !field.isNullable()) {
        throw new IllegalArgumentException(String.format(
            "Table '%s': its non-nullable column '%s' is not among the written columns %s",
            tableName, name, List.of(rowsSchema.fieldNames())));
      }
      List<Object> values = new ArrayList<>(rows.size());
      for (Row r : rows) {
        values.add(index < 0 ? null : external(r.get(index)));
      }
      checkType(tableName, name, field.getDataType());
      vectors.add(new Values(field.getDataType(), values));
    }
    return new Batch(table, vectors, rows.size());
  }

  /** A Spark external value as this class keeps it (Scala maps as Java maps). */
  private static Object external(Object value) {
    if (value instanceof scala.collection.Map<?, ?> m) {
      return scala.jdk.javaapi.CollectionConverters.asJava(m);
    }
    return value;
  }

  private static void checkType(String table, String column, DataType type) {
    boolean supported = type instanceof StringType || type instanceof LongType
        || type instanceof IntegerType || type instanceof DoubleType
        || type instanceof BooleanType || type instanceof DateType
        || type instanceof TimestampType
        || (type instanceof MapType m && m.getKeyType() instanceof StringType
            && m.getValueType() instanceof StringType);
    if (!supported) {
      throw new IllegalArgumentException(String.format(
          "Table '%s': column '%s' has type %s, which a driver-side write does not support",
          table, column, type));
    }
  }

  private record Batch(StructType schema, List<ColumnVector> vectors, int size)
      implements ColumnarBatch {
    @Override
    public StructType getSchema() {
      return schema;
    }

    @Override
    public ColumnVector getColumnVector(int ordinal) {
      return vectors.get(ordinal);
    }

    @Override
    public int getSize() {
      return size;
    }
  }

  /** One column's values, as Spark's external rows hold them. */
  private record Values(DataType type, List<Object> values) implements ColumnVector {
    @Override
    public DataType getDataType() {
      return type;
    }

    @Override
    public int getSize() {
      return values.size();
    }

    @Override
    public void close() {}

    @Override
    public boolean isNullAt(int row) {
      return values.get(row) == null;
    }

    @Override
    public boolean getBoolean(int row) {
      return (Boolean) values.get(row);
    }

    @Override
    public int getInt(int row) {
      Object v = values.get(row);
      // Kernel keeps a date as days since the epoch.
      return v instanceof java.sql.Date d ? (int) d.toLocalDate().toEpochDay()
          : v instanceof java.time.LocalDate d ? (int) d.toEpochDay() : (Integer) v;
    }

    @Override
    public long getLong(int row) {
      Object v = values.get(row);
      // Kernel keeps a timestamp as microseconds since the epoch (UTC).
      if (v instanceof java.sql.Timestamp t) {
        v = t.toInstant();
      }
      if (v instanceof java.time.Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L),
            t.getNano() / 1000);
      }
      return (Long) v;
    }

    @Override
    public double getDouble(int row) {
      return (Double) values.get(row);
    }

    @Override
    public String getString(int row) {
      return (String) values.get(row);
    }

    @Override
    public MapValue getMap(int row) {
      Map<?, ?> map = (Map<?, ?>) values.get(row);
      List<Object> keys = new ArrayList<>(map.keySet());
      List<Object> vals = new ArrayList<>(map.values());
      MapType m = (MapType) type;
      return new MapValue() {
        @Override
        public int getSize() {
          return keys.size();
        }

        @Override
        public ColumnVector getKeys() {
          return new Values(m.getKeyType(), keys);
        }

        @Override
        public ColumnVector getValues() {
          return new Values(m.getValueType(), vals);
        }
      };
    }
  }
}
