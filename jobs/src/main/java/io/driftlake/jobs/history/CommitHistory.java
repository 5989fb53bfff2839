package io.driftlake.jobs.history;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.when;

import io.driftlake.jobs.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A table's versions with the stamp of the run that wrote each (what {@code history} prints). */
public final class CommitHistory {
  private CommitHistory() {}

  /**
   * One row per version: its operation, rows added, and the batch id, run id and job of the
   * commit's stamp: Spark writes record it as {@code userMetadata}; Kernel writes, which have no
   * user metadata, as their {@code engineInfo} ({@link io.driftlake.jobs.lake.KernelLake}).
   */
  public static Dataset<Row> of(Lake lake, String table) {
    Dataset<Row> h = lake.history(table);
    // Kernel records it as "Kernel-<its version>/<engine info>".
    String stamped = "^Kernel-[^/]*/(\\{\"job\":.*)$";
    h = h.withColumn("userMetadata", coalesce(col("userMetadata"),
        when(col("engineInfo").rlike(stamped), regexp_extract(col("engineInfo"), stamped, 1))));
    return h.select(
        col("version"),
        col("timestamp"),
        col("operation"),
        col("operationMetrics").getItem("numOutputRows").cast("long").as("rows_added"),
        get_json_object(col("userMetadata"), "$.batch_id").as("batch_id"),
        get_json_object(col("userMetadata"), "$.run_id").as("run_id"),
        get_json_object(col("userMetadata"), "$.job").as("job"))
        .orderBy(col("version"));
  }
}
