package io.driftlake.jobs.ingest;

import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Appends one batch of landing files as ONE new version of a lake table, stamped with the batch id
 * and run id. The same batch id twice writes nothing (checked inside Delta's commit).
 */
public final class IngestJob {
  private IngestJob() {}

  public static void main(String[] args) {
    JobMain.run("ingest", args, IngestJob::execute);
  }

  static int execute(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("ingest", args,
        Set.of("table", "input", "format", "batch-id", "run-id", "allow-empty"));
    JobSettings settings = JobSettings.load(a.option("config"));
    String table = TableRef.checkName(a.required("table"), "--table");
    String input = a.required("input");
    String batchId = a.required("batch-id");
    String format = a.option("format").orElse("parquet");
    String runId = a.option("run-id").orElseGet(CommitStamp::newRunId);
    boolean allowEmpty = a.option("allow-empty").map(v -> JobArgs.bool(v, "--allow-empty"))
        .orElse(false);
    if (!format.equals("csv") && !format.equals("parquet")) {
      throw new JobArgs.UsageException("--format must be csv or parquet: " + format);
    }
    try (SparkSession spark = Sparks.session(settings, "ingest")) {
      Lake lake = new Lake(spark, settings);
      System.out.println(ingestFiles(lake, table, input, format, batchId, runId, allowEmpty)
          .message());
    }
    return 0;
  }

  /** The outcome, with a message for people. */
  public record Result(String table, String batchId, long version, boolean written) {
    public String message() {
      return written
          ? String.format("ingest: batch '%s' written to table '%s' as version %d", batchId, table, version)
          : String.format("ingest: batch '%s' was already ingested into table '%s' as version %s; "
              + "nothing written", batchId, table,
              version >= 0 ? Long.toString(version) : "unknown (its log entry was cleaned up)");
    }
  }

  /**
   * Reads a batch's landing files and appends them as one version. Every failure is one message
   * naming the path, file, line or column, and nothing is written: a missing path, no data files,
   * empty files, a batch without rows (unless {@code allowEmpty}), a schema that differs from the
   * table's, a malformed CSV row, a value that does not parse as its column's type.
   */
  public static Result ingestFiles(Lake lake, String table, String input, String format,
                                   String batchId, String runId, boolean allowEmpty) {
    TableRef.checkName(table, "table name");
    LandingFiles.check(lake.spark(), input);
    Dataset<Row> batch = read(lake, table, input, format);
    if (!allowEmpty && batch.isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "input '%s' has no rows (a header only?); nothing written to table '%s' (pass "
              + "--allow-empty true to commit an empty version)", input, table));
    }
    try {
      return ingest(lake, table, batch, batchId, runId);
    } catch (Exception e) { // Spark's SparkException is checked, but thrown from Scala
      if (format.equals("csv")) {
        Optional<String> why = LandingFiles.diagnoseCsv(lake.spark(), input, table,
            lake.exists(table) ? lake.spark().read().format("delta").load(lake.path(table))
                .schema() : batch.schema());
        if (why.isPresent()) {
          throw new IllegalArgumentException(why.get(), e);
        }
      }
      throw e;
    }
  }

  public static Result ingest(Lake lake, String table, Dataset<Row> batch, String batchId, String runId) {
    if (batchId.isBlank()) {
      throw new IllegalArgumentException("--batch-id must not be blank");
    }
    CommitStamp stamp = new CommitStamp("ingest", runId, batchId, Lake.ingestKey(table, batchId));
    Lake.Append append = lake.append(table, batch, stamp);
    return new Result(table, batchId, append.version(), append.written());
  }

  /**
   * Reads landing files. CSV into an existing table is read as text and cast to the table's
   * column types (ANSI casts: a bad value fails the job before anything is written).
   */
  public static Dataset<Row> read(Lake lake, String table, String input, String format) {
    var spark = lake.spark();
    switch (format) {
      case "parquet":
        return spark.read().parquet(input);
      case "csv":
        if (!lake.exists(table)) {
          return spark.read().option("header", "true").option("inferSchema", "true")
              .option("mode", "FAILFAST").csv(input);
        }
        var schema = spark.read().format("delta").load(lake.path(table)).schema();
        // FAILFAST: a malformed row fails the batch (and is then named) instead of being
        // filled with nulls.
        Dataset<Row> text = spark.read().option("header", "true").option("mode", "FAILFAST")
            .csv(input);
        var columns = java.util.Arrays.stream(text.columns())
            .map(c -> {
              var field = java.util.Arrays.stream(schema.fields())
                  .filter(f -> f.name().equals(c)).findFirst();
              var column = text.col(io.driftlake.drift.spark.ColumnNames.quote(c));
              return field.isPresent() ? column.cast(field.get().dataType()).as(c) : column;
            }).toArray(org.apache.spark.sql.Column[]::new);
        return text.select(columns);
      default:
        throw new IllegalArgumentException("--format must be csv or parquet: " + format);
    }
  }
}
