package io.driftlake.jobs.history;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.when;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.io.Lake;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A table's versions: timestamp, operation, rows added, and the batch and run that wrote them. */
@Command(name = "history", sortOptions = false,
    description = "Prints a table's versions: timestamp, "
    + "operation, rows added, batch id, run id and job.")
public final class HistoryJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--table", paramLabel = "NAME", required = true, description = "The table.")
  private String table;

  private HistoryJob() {}

  public static void main(String[] args) {
    JobMain.run(new HistoryJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    try (SparkSession spark = Sparks.session(settings, "history")) {
      history(new Lake(spark, settings), table).show(1000, false);
    }
    return 0;
  }

  /**
   * One row per version: its operation, rows added, and the batch id, run id and job of the
   * commit's stamp: Spark writes record it as {@code userMetadata}; Kernel writes, which have no
   * user metadata, as their {@code engineInfo} ({@link io.driftlake.jobs.io.KernelLake}).
   */
  public static Dataset<Row> history(Lake lake, String table) {
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
