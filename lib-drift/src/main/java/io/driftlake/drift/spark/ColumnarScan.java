package io.driftlake.drift.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A selection's columns as the columnar batches its scan produces (Parquet's vectorized reader,
 * which Delta uses), when its physical plan is nothing more than that scan: a column then costs
 * a loop over a primitive vector instead of a virtual call per row and field. Any other plan (a
 * filter, a join, a deletion-vector filter, a type Spark's vectors do not hold as is) has no
 * columnar form here and is read row by row.
 */
final class ColumnarScan {
  /** How a column's values are read from its vector. */
  enum Kind { DOUBLE, FLOAT, LONG, INT, SHORT, BYTE, DECIMAL, TIMESTAMP, DATE, STRING, BOOLEAN }

  private final JavaRDD<ColumnarBatch> batches;
  private final int[] ordinals;
  private final Kind[] kinds;

  private ColumnarScan(JavaRDD<ColumnarBatch> batches, int[] ordinals, Kind[] kinds) {
    this.batches = batches;
    this.ordinals = ordinals;
    this.kinds = kinds;
  }

  JavaRDD<ColumnarBatch> batches() {
    return batches;
  }

  /** Position of each selected column in the scan's batches. */
  int[] ordinals() {
    return ordinals;
  }

  Kind[] kinds() {
    return kinds;
  }

  /**
   * The columnar form of {@code selected} (a selection of plain columns), or empty when its plan
   * is not a bare columnar scan or a column's type is not read as is.
   */
  static Optional<ColumnarScan> of(Dataset<Row> selected) {
    SparkPlan plan = selected.queryExecution().executedPlan();
    List<Attribute> output = CollectionConverters.asJava(plan.output());
    if (plan instanceof WholeStageCodegenExec w) {
      plan = w.child();
    }
    List<ExprId> wanted = new ArrayList<>();
    for (Attribute a : output) {
      wanted.add(a.exprId());
    }
    if (plan instanceof ProjectExec project) {
      // Only a projection that picks columns, nothing computed.
      wanted.clear();
      for (NamedExpression e : CollectionConverters.asJava(project.projectList())) {
        if (!(e instanceof AttributeReference ref)) {
          return Optional.empty();
        }
        wanted.add(ref.exprId());
      }
      plan = project.child();
    }
    if (!(plan instanceof ColumnarToRowExec toRows) || !toRows.child().supportsColumnar()) {
      return Optional.empty();
    }
    SparkPlan scan = toRows.child();
    Map<ExprId, Integer> positions = new HashMap<>();
    List<Attribute> scanned = CollectionConverters.asJava(scan.output());
    for (int i = 0; i < scanned.size(); i++) {
      positions.put(scanned.get(i).exprId(), i);
    }
    int[] ordinals = new int[wanted.size()];
    Kind[] kinds = new Kind[wanted.size()];
    for (int i = 0; i < ordinals.length; i++) {
      Integer at = positions.get(wanted.get(i));
      Optional<Kind> kind = at == null ? Optional.empty()
          : kind(scanned.get(at).dataType());
      if (kind.isEmpty()) {
        return Optional.empty();
      }
      ordinals[i] = at;
      kinds[i] = kind.get();
    }
    return Optional.of(new ColumnarScan(scan.executeColumnar().toJavaRDD(), ordinals, kinds));
  }

  /**
   * Row {@code r} of a numeric vector of kind {@code kind}, as a double: as a cast gives it, a
   * timestamp (with or without time zone: microseconds since the epoch) as epoch seconds, a date
   * as epoch days, the same numbers as {@link FeatureSpecs#asDouble} on the row path.
   */
  static double number(org.apache.spark.sql.vectorized.ColumnVector v, Kind kind, int r) {
    return switch (kind) {
      case DOUBLE -> v.getDouble(r);
      case FLOAT -> v.getFloat(r);
      case LONG -> (double) v.getLong(r);
      case INT -> v.getInt(r);
      case SHORT -> v.getShort(r);
      case BYTE -> v.getByte(r);
      case DECIMAL -> {
        DecimalType t = (DecimalType) v.dataType();
        yield v.getDecimal(r, t.precision(), t.scale()).toDouble();
      }
      case TIMESTAMP -> (double) v.getLong(r) / 1e6;
      case DATE -> (double) v.getInt(r);
      default -> throw new IllegalStateException("Not a numeric column: " + kind);
    };
  }

  private static Optional<Kind> kind(DataType type) {
    if (type instanceof DoubleType) {
      return Optional.of(Kind.DOUBLE);
    } else if (type instanceof FloatType) {
      return Optional.of(Kind.FLOAT);
    } else if (type instanceof LongType) {
      return Optional.of(Kind.LONG);
    } else if (type instanceof IntegerType) {
      return Optional.of(Kind.INT);
    } else if (type instanceof ShortType) {
      return Optional.of(Kind.SHORT);
    } else if (type instanceof ByteType) {
      return Optional.of(Kind.BYTE);
    } else if (type instanceof DecimalType) {
      return Optional.of(Kind.DECIMAL);
    } else if (type instanceof TimestampType || type instanceof TimestampNTZType) {
      return Optional.of(Kind.TIMESTAMP);
    } else if (type instanceof DateType) {
      return Optional.of(Kind.DATE);
    } else if (type instanceof StringType) {
      return Optional.of(Kind.STRING);
    } else if (type instanceof BooleanType) {
      return Optional.of(Kind.BOOLEAN);
    }
    return Optional.empty();
  }
}
