package io.driftlake.jobs.history;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.lake.Lake;
import java.util.concurrent.Callable;
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
      CommitHistory.of(new Lake(spark, settings), table).show(1000, false);
    }
    return 0;
  }
}
