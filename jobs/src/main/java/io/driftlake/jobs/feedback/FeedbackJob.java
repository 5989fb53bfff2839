package io.driftlake.jobs.feedback;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.ingest.LandingFiles;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Ingests one batch of delayed labels (files with the row key and label columns of
 * {@code driftlake.schema}; other columns are ignored) into {@code labels} as one Delta version.
 * The batch id is the commit's txnAppId, so the same batch twice writes nothing. Labels whose row
 * key no model has scored are stored (the prediction may come later) but counted and reported.
 */
@Command(name = "feedback", sortOptions = false,
    description = "Appends a batch of labels (row key and "
    + "label) to the labels table, once per batch id.")
public final class FeedbackJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--input", paramLabel = "PATH", required = true,
      description = "File or folder of the labels batch.")
  private String input;

  @Option(names = "--format", paramLabel = "parquet|csv", defaultValue = "parquet",
      description = "Input format (default: ${DEFAULT-VALUE}).")
  private String format;

  @Option(names = "--batch-id", paramLabel = "ID", required = true,
      description = "The batch's id: the same id twice adds nothing.")
  private String batchId;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  private FeedbackJob() {}

  public static void main(String[] args) {
    JobMain.run(new FeedbackJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "feedback")) {
      Lake lake = new Lake(spark, settings);
      // The ingest job's reader: CSV columns the labels table already has keep its types.
      Dataset<Row> batch = LandingFiles.read(lake, settings.tables().labels(), input, format);
      System.out.println(ingest(lake, batch, batchId, runId).message());
    }
    return 0;
  }

  /** The outcome, with a message for people. */
  public record Result(String batchId, String table, long version, boolean written, long labels,
                       long unknownKeys) {
    public String message() {
      String unknown = String.format("%d of %d label(s) are for row keys no model has scored",
          unknownKeys, labels);
      return written
          ? String.format("feedback: batch '%s' written to table '%s' as version %d; %s", batchId,
              table, version, unknown)
          : String.format("feedback: batch '%s' was already ingested into table '%s' as version "
              + "%d; nothing written; %s", batchId, table, version, unknown);
    }
  }

  public static Result ingest(Lake lake, Dataset<Row> batch, String batchId, String runId) {
    if (batchId.isBlank()) {
      throw new IllegalArgumentException("--batch-id must not be blank");
    }
    JobSettings s = lake.settings();
    String key = s.schema().key();
    String label = s.schema().label();
    for (String[] required : new String[][] {{key, "key"}, {label, "label"}}) {
      if (!Arrays.asList(batch.columns()).contains(required[0])) {
        throw new IllegalArgumentException(String.format(
            "Feedback batch '%s' has no %s column '%s' (driftlake.schema.%s); its columns: %s; "
                + "nothing written", batchId, required[1], required[0], required[1],
            Arrays.toString(batch.columns())));
      }
    }
    Dataset<Row> labels = batch.select(ColumnNames.col(key).cast("string").as("row_key"),
        ColumnNames.col(label).cast("double").as("label"), lit(batchId).as("batch_id"),
        lit(CommitStamp.now()).as("received_at"), lit(runId).as("run_id")).cache();
    try {
      Row r = labels.agg(count(lit(1)), sum(when(col("row_key").isNull(), 1).otherwise(0)),
          sum(when(col("label").isNull(), 1).otherwise(0)), countDistinct(col("row_key"))).first();
      long rows = r.getLong(0);
      long nullKeys = r.isNullAt(1) ? 0 : r.getLong(1);
      long nullLabels = r.isNullAt(2) ? 0 : r.getLong(2);
      if (nullKeys > 0 || nullLabels > 0) {
        throw new IllegalArgumentException(String.format(
            "Feedback batch '%s': %d row(s) without a key ('%s') and %d without a label ('%s'); "
                + "nothing written", batchId, nullKeys, key, nullLabels, label));
      }
      if (r.getLong(3) != rows) {
        Row dup = labels.groupBy("row_key").count().where(col("count").gt(1)).orderBy("row_key")
            .first();
        throw new IllegalArgumentException(String.format(
            "Feedback batch '%s' labels row key '%s' %d times (%d duplicate row(s) in all); "
                + "nothing written", batchId, dup.getString(0), dup.getLong(1),
            rows - r.getLong(3)));
      }
      String predictions = s.tables().predictions();
      long unknown = !lake.exists(predictions) ? rows
          : labels.join(lake.spark().read().format("delta").load(lake.path(predictions))
              .select("row_key").distinct(), "row_key", "left_anti").count();
      Lake.Append append = lake.append(s.tables().labels(), labels,
          new CommitStamp("feedback", runId, batchId, "driftlake-feedback:" + batchId));
      return new Result(batchId, s.tables().labels(), append.version(), append.written(), rows,
          unknown);
    } finally {
      labels.unpersist();
    }
  }
}
