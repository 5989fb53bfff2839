package io.driftlake.jobs.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;

/**
 * {@code ingest --bad-rows quarantine} of a CSV batch: the rows that do not parse (too few or too
 * many fields, a value that does not cast to its column's type) go to the {@code rejected} table
 * with their file, line, raw text and reason; the others are the batch.
 *
 * <p>The files are read line by line in Spark tasks (one per file) and each line is split by the
 * tokenizer Spark's CSV reader uses, set up as it sets it up ({@code CSVOptions}; the default
 * {@code multiLine = false} reads one record per line too): blank lines are skipped, a file's
 * first other line is its header, an empty field is null. So the good rows are the rows the
 * default {@code fail} mode reads, cast by the same ANSI casts, and each rejected row keeps its
 * line number, which Spark's reader does not know. Rejected rows are written by Spark, never
 * collected; only their count and a few examples reach the driver.
 *
 * <p>The two commits of a batch are idempotent by key: the rejected rows first (Delta txnAppId
 * {@code driftlake-rejected:<table>:<batch>} on the rejected table), then the data (the batch's
 * ingest key). A run that dies between them leaves the rejected rows committed and the data not;
 * its rerun adds no rejected row and commits the data once.
 */
public final class Quarantine {
  private Quarantine() {}

  /** Examples of rejected rows shown on the console. */
  static final int EXAMPLES = 3;

  /** The columns of the rejected table, in order. */
  public static final List<String> COLUMNS = List.of("table", "batch_id", "run_id", "file",
      "line", "raw", "reason", "ingested_at");

  /** The idempotency key of batch {@code batchId}'s rejected rows of {@code table}. */
  public static String rejectedKey(String table, String batchId) {
    return "driftlake-rejected:" + table + ":" + batchId;
  }

  /**
   * A CSV batch split into the rows to ingest ({@code good}, typed as the table) and the rejected
   * ones (the rejected table's columns), persisted until {@link #close}.
   */
  public record Split(Dataset<Row> good, Dataset<Row> rejected, long rows, long rejectedRows,
                      List<Row> examples, Dataset<Row> cached) implements AutoCloseable {
    @Override
    public void close() {
      cached.unpersist();
    }

    /** "file F, line L: reason" of each example. */
    public List<String> exampleLines() {
      return examples.stream().map(r -> String.format("file %s, line %d: %s: '%s'",
          r.getAs("file"), r.<Long>getAs("line"), r.getAs("reason"), r.getAs("raw"))).toList();
    }
  }

  /**
   * Reads the CSV files of a batch and splits their rows; the good rows are typed as
   * {@code table}'s columns (or, for a new table, as Spark infers them from the files).
   */
  public static Split split(Lake lake, String table, String input, String batchId, String runId) {
    SparkSession spark = lake.spark();
    List<FileStatus> files = LandingFiles.check(spark, input);
    String[] header = spark.read().option("header", "true").csv(input).columns();
    StructType target = lake.exists(table)
        ? spark.read().format("delta").load(lake.path(table)).schema()
        : spark.read().option("header", "true").option("inferSchema", "true").csv(input).schema();
    Dataset<Row> lines = records(spark, files);

    Column fields = col("fields");
    Column malformed = concat(lit(String.format("malformed row: expected %d fields (%s), found ",
        header.length, String.join(",", header))), size(fields).cast("string"));
    List<Column> badValues = new ArrayList<>();
    List<Column> typed = new ArrayList<>();
    for (int i = 0; i < header.length; i++) {
      String name = header[i];
      Column value = fields.getItem(i);
      Optional<DataType> type = Arrays.stream(target.fields()).filter(f -> f.name().equals(name))
          .map(StructField::dataType).findFirst();
      if (type.isPresent() && !type.get().equals(DataTypes.StringType)) {
        badValues.add(when(value.isNotNull().and(value.try_cast(type.get()).isNull()),
            concat(lit(String.format("column '%s' is %s, but the value '", name,
                type.get().simpleString())), value, lit("' does not parse"))));
        typed.add(value.cast(type.get()).as(name));
      } else {
        typed.add(value.as(name)); // a column the table lacks stays text: the schema check names it
      }
    }
    Column reason = when(size(fields).notEqual(lit(header.length)), malformed)
        .otherwise(badValues.isEmpty() ? lit(null).cast("string")
            : coalesce(badValues.toArray(Column[]::new)));
    Dataset<Row> classified = lines.withColumn("reason", reason)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> rejected = classified.where(col("reason").isNotNull())
        .select(lit(table).as("table"), lit(batchId).as("batch_id"), lit(runId).as("run_id"),
            col("file"), col("line"), col("raw"), col("reason"),
            lit(CommitStamp.now()).as("ingested_at"));
    Dataset<Row> good = classified.where(col("reason").isNull())
        .select(typed.toArray(Column[]::new));
    Row counts = classified.agg(functions.count(lit(1)), functions.count(col("reason"))).first();
    long rows = counts.getLong(0);
    long rejectedRows = counts.getLong(1);
    List<Row> examples = rejectedRows == 0 ? List.of()
        : rejected.orderBy("file", "line").limit(EXAMPLES).collectAsList();
    return new Split(good, rejected, rows, rejectedRows, examples, classified);
  }

  /**
   * Commits the split's rejected rows to the rejected table, once per (table, batch): a second
   * call with the same batch writes nothing. Empty when there is none to write.
   */
  public static Optional<Lake.Append> commitRejected(Lake lake, String table, Split split,
                                                      String batchId, String runId) {
    if (split.rejectedRows() == 0) {
      return Optional.empty();
    }
    String rejectedTable = lake.settings().tables().rejected();
    return Optional.of(lake.append(rejectedTable, split.rejected(),
        new CommitStamp("ingest", runId, batchId, rejectedKey(table, batchId))));
  }

  /**
   * Each line of each file as (file, line, raw, fields), header and blank lines left out; one
   * Spark task per file.
   */
  static Dataset<Row> records(SparkSession spark, List<FileStatus> files) {
    StructType schema = new StructType()
        .add("file", DataTypes.StringType, false)
        .add("line", DataTypes.LongType, false)
        .add("raw", DataTypes.StringType, false)
        .add("fields", DataTypes.createArrayType(DataTypes.StringType, true), false);
    List<String> paths = files.stream().map(f -> f.getPath().toString()).toList();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SerializableConfiguration> conf = jsc.broadcast(
        new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    var rows = jsc.parallelize(paths, Math.max(1, paths.size()))
        .flatMap(path -> read(path, conf.value().value()));
    return spark.createDataFrame(rows, schema);
  }

  /** The records of one file, read lazily (a landing file need not fit in a task's memory). */
  private static java.util.Iterator<Row> read(String file, Configuration conf) throws IOException {
    // Spark's CSV options and tokenizer, with the defaults `ingest` reads with.
    CSVOptions options = new CSVOptions(scala.collection.immutable.Map$.MODULE$.empty(), false,
        "UTC", "_corrupt_record");
    var parser = new com.univocity.parsers.csv.CsvParser(options.asParserSettings());
    String nullValue = options.nullValue();
    String shown = LandingFiles.display(file);
    BufferedReader reader = new BufferedReader(
        new InputStreamReader(open(new Path(file), conf), StandardCharsets.UTF_8));
    return new java.util.Iterator<>() {
      private boolean headerSeen;
      private long number;
      private Row next = advance();

      private Row advance() {
        try {
          String line;
          while ((line = reader.readLine()) != null) {
            number++;
            if (line.trim().isEmpty()) {
              continue;
            }
            if (!headerSeen) {
              headerSeen = true;
              continue;
            }
            String[] tokens = parser.parseLine(line);
            String[] fields = tokens == null ? new String[0] : Arrays.stream(tokens)
                .map(t -> t == null || t.equals(nullValue) ? null : t).toArray(String[]::new);
            return RowFactory.create(shown, number, line, fields);
          }
          reader.close();
          return null;
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read landing file " + shown, e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Row next() {
        if (next == null) {
          throw new java.util.NoSuchElementException();
        }
        Row row = next;
        next = advance();
        return row;
      }
    };
  }

  private static InputStream open(Path path, Configuration conf) throws IOException {
    InputStream in = path.getFileSystem(conf).open(path);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
    return codec == null ? in : codec.createInputStream(in);
  }

  /** The version of batch {@code batchId} in {@code table}, if it was already ingested. */
  static OptionalLong ingested(Lake lake, String table, String batchId) {
    return lake.exists(table) ? lake.committedVersion(table, Lake.ingestKey(table, batchId))
        : OptionalLong.empty();
  }
}
