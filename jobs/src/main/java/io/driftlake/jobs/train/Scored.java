package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.driftlake.jobs.ml.Task;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** A pipeline's output in the shape {@link Metrics} reads: prediction and class probabilities. */
public final class Scored {
  private Scored() {}

  /** Adds {@link Metrics#PROBABILITIES} (null for regression) to a fitted pipeline's output. */
  public static Dataset<Row> of(Dataset<Row> transformed, Task task) {
    return transformed.withColumn(Metrics.PROBABILITIES, task.classification()
        ? functions.vector_to_array(col("probability"), "float64")
        : lit(null).cast(DataTypes.createArrayType(DataTypes.DoubleType)));
  }
}
