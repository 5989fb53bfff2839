package io.driftlake.jobs.ingest;

import io.driftlake.jobs.common.Console;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Appends one batch of landing files as ONE new version of a lake table, stamped with the batch id
 * and run id. The same batch id twice writes nothing (checked inside Delta's commit).
 */
@Command(name = "ingest", sortOptions = false,
    description = "Appends one batch of CSV or Parquet files as one "
    + "new Delta version of a table, once per batch id.")
public final class IngestJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--table", paramLabel = "NAME", required = true,
      description = "Table to append to (created by its first batch).")
  private String table;

  @Option(names = "--input", paramLabel = "PATH", required = true,
      description = "File or folder of the batch.")
  private String input;

  @Option(names = "--format", paramLabel = "csv|parquet", defaultValue = "parquet",
      description = "Input format (default: ${DEFAULT-VALUE}).")
  private String format;

  @Option(names = "--batch-id", paramLabel = "ID", required = true,
      description = "The batch's id: the same id twice adds no version.")
  private String batchId;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  @Option(names = "--allow-empty", paramLabel = "true|false", arity = "1",
      description = "Accept a batch without rows (default: false).")
  private boolean allowEmpty;

  @Option(names = "--bad-rows", paramLabel = "fail|quarantine", description = "A CSV row that "
      + "does not parse fails the batch, or is set aside in the rejected table "
      + "(default: driftlake.ingest.bad-rows, fail).")
  private String badRows;

  private IngestJob() {}

  public static void main(String[] args) {
    JobMain.run(new IngestJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String table = TableRef.checkName(this.table, "--table");
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    if (!format.equals("csv") && !format.equals("parquet")) {
      throw new UsageException("--format must be csv or parquet: " + format);
    }
    BadRows badRows;
    try {
      badRows = this.badRows != null
          ? BadRows.parse(this.badRows, "--bad-rows")
          : BadRows.of(settings.config());
    } catch (IllegalArgumentException e) {
      throw this.badRows != null ? new UsageException(e.getMessage(), e) : e;
    }
    try (SparkSession spark = Sparks.session(settings, "ingest")) {
      Lake lake = new Lake(spark, settings);
      Result result = Console.stage("ingest", String.format("reading %s (%s) into table '%s'",
          input, format, table),
          () -> ingestFiles(lake, table, input, format, batchId, runId, allowEmpty, badRows));
      System.out.println(result.message());
      result.rejected().ifPresent(r -> r.examples().forEach(e -> System.out.println(
          "ingest: rejected " + e)));
    }
    return 0;
  }

  /**
   * What a CSV row that does not parse does to its batch: {@code fail} it (nothing written), or
   * {@code quarantine} it (set aside in the rejected table; the other rows are ingested).
   */
  public enum BadRows {
    FAIL, QUARANTINE;

    static final String KEY = "driftlake.ingest.bad-rows";

    public static BadRows parse(String value, String where) {
      return switch (value) {
        case "fail" -> FAIL;
        case "quarantine" -> QUARANTINE;
        default -> throw new IllegalArgumentException(String.format(
            "%s must be 'fail' or 'quarantine', not '%s'", where, value));
      };
    }

    /** From {@code driftlake.ingest.bad-rows}; a bad value names the key, its file and line. */
    public static BadRows of(com.typesafe.config.Config config) {
      return parse(config.getString(KEY), KEY + " (" + config.getValue(KEY).origin().description()
          + ")");
    }
  }

  /** The outcome, with a message for people. */
  public record Result(String table, String batchId, long version, boolean written,
                       Optional<Rejected> rejected) {
    public Result(String table, String batchId, long version, boolean written) {
      this(table, batchId, version, written, Optional.empty());
    }

    public String message() {
      String done = written
          ? String.format("ingest: batch '%s' written to table '%s' as version %d", batchId, table, version)
          : String.format("ingest: batch '%s' was already ingested into table '%s' as version %s; "
              + "nothing written", batchId, table,
              version >= 0 ? Long.toString(version) : "unknown (its log entry was cleaned up)");
      return done + rejected.map(r -> "; " + r.message(table, batchId)).orElse("");
    }
  }

  /**
   * The rows of a quarantined batch that did not parse: how many, the rejected table and the
   * version holding them (written by this run or by an earlier run of the batch), and a few
   * examples ("file F, line L: reason: 'raw'").
   */
  public record Rejected(long rows, String table, long version, boolean written,
                         List<String> examples) {
    String message(String dataTable, String batchId) {
      return String.format("%d row%s rejected, in table '%s' version %s (table = '%s' and "
              + "batch_id = '%s')%s", rows, rows == 1 ? "" : "s", table,
          version >= 0 ? Long.toString(version) : "unknown", dataTable, batchId,
          written ? "" : ", written by an earlier run");
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
    return ingestFiles(lake, table, input, format, batchId, runId, allowEmpty, BadRows.FAIL);
  }

  /**
   * As {@link #ingestFiles(Lake, String, String, String, String, String, boolean)}; with
   * {@link BadRows#QUARANTINE}, a CSV batch's rows that do not parse are committed to the
   * rejected table first, then the others to {@code table} (see {@link Quarantine}). A batch
   * whose every row is rejected, or whose schema differs from the table's, writes nothing.
   */
  public static Result ingestFiles(Lake lake, String table, String input, String format,
                                   String batchId, String runId, boolean allowEmpty,
                                   BadRows badRows) {
    TableRef.checkName(table, "table name");
    if (badRows == BadRows.QUARANTINE && format.equals("csv")) {
      return quarantine(lake, table, input, batchId, runId, allowEmpty);
    }
    LandingFiles.check(lake.spark(), input);
    Dataset<Row> batch = LandingFiles.read(lake, table, input, format);
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

  private static Result quarantine(Lake lake, String table, String input, String batchId,
                                   String runId, boolean allowEmpty) {
    if (batchId.isBlank()) {
      throw new IllegalArgumentException("--batch-id must not be blank");
    }
    OptionalLong done = Quarantine.ingested(lake, table, batchId);
    if (done.isPresent()) {
      return new Result(table, batchId, done.getAsLong(), false);
    }
    try (Quarantine.Split split = Quarantine.split(lake, table, input, batchId, runId)) {
      if (split.rows() == 0 && !allowEmpty) {
        throw new IllegalArgumentException(String.format(
            "input '%s' has no rows (a header only?); nothing written to table '%s' (pass "
                + "--allow-empty true to commit an empty version)", input, table));
      }
      if (split.rows() > 0 && split.rejectedRows() == split.rows() && !allowEmpty) {
        throw new IllegalArgumentException(String.format(
            "all %d rows of input '%s' were rejected (first: %s); nothing written to table '%s' "
                + "or '%s'", split.rows(), input, split.exampleLines().get(0), table,
            lake.settings().tables().rejected()));
      }
      OptionalLong latest = lake.latestVersion(table);
      if (latest.isPresent()) { // before the rejected rows: a bad schema writes nothing at all
        lake.checkSchema(table, split.good().schema(), latest.getAsLong());
      }
      Optional<Rejected> rejected = Quarantine.commitRejected(lake, table, split, batchId, runId)
          .map(a -> new Rejected(split.rejectedRows(), lake.settings().tables().rejected(),
              a.version(), a.written(), split.exampleLines()));
      Result data = ingest(lake, table, split.good(), batchId, runId);
      return new Result(table, batchId, data.version(), data.written(), rejected);
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
}
