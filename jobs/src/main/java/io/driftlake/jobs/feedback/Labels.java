package io.driftlake.jobs.feedback;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.Lake;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code labels} table: delayed labels by row key, one batch per Delta version. A key labelled
 * again in a later batch takes the later label (a correction).
 */
public final class Labels {
  public static final StructType SCHEMA = new StructType()
      .add("row_key", DataTypes.StringType, false)
      .add("label", DataTypes.DoubleType, false)
      .add("batch_id", DataTypes.StringType, false)
      .add("received_at", DataTypes.TimestampType, false)
      .add("run_id", DataTypes.StringType, false);

  private Labels() {}

  /** The labels table at its latest version, when it exists. */
  public static Optional<TableRef> latestRef(Lake lake) {
    String table = lake.settings().tables().labels();
    return lake.exists(table)
        ? Optional.of(lake.resolve(TableRef.parse(table))) : Optional.empty();
  }

  /** One label per row key as of a version: the latest batch's. */
  public static Dataset<Row> current(Lake lake, TableRef ref) {
    return lake.read(ref)
        .withColumn("__n", row_number().over(Window.partitionBy("row_key")
            .orderBy(col("received_at").desc(), col("batch_id").desc())))
        .where(col("__n").equalTo(1)).drop("__n");
  }
}
