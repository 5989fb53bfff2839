package io.driftlake.jobs.ingest;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.lake.Lake;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reading a batch's landing files, and checks of them that give a clear error naming the path, the file, the line
 * and the column: before reading (missing path, no data files, empty files) and, only when a
 * CSV batch failed to load, the diagnosis of why (a malformed row, a value that does not parse
 * as its column's type), so the happy path reads the files once.
 */
public final class LandingFiles {
  private LandingFiles() {}

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
              var column = text.col(ColumnNames.quote(c));
              return field.isPresent() ? column.cast(field.get().dataType()).as(c) : column;
            }).toArray(Column[]::new);
        return text.select(columns);
      default:
        throw new IllegalArgumentException("--format must be csv or parquet: " + format);
    }
  }

  /** The data files under {@code input} (a file or a folder; hidden and {@code _} files left out). */
  static List<FileStatus> check(SparkSession spark, String input) {
    try {
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new IllegalArgumentException(String.format(
            "input path '%s' does not exist; nothing written", input));
      }
      List<FileStatus> files = new ArrayList<>();
      collect(fs, fs.getFileStatus(path), files);
      if (files.isEmpty()) {
        throw new IllegalArgumentException(String.format(
            "input path '%s' has no data files; nothing written", input));
      }
      if (files.stream().allMatch(f -> f.getLen() == 0)) {
        throw new IllegalArgumentException(String.format(
            "input '%s' is empty (%s of 0 bytes); nothing written", input,
            files.size() == 1 ? "one file" : files.size() + " files"));
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list input path '" + input + "'", e);
    }
  }

  private static void collect(FileSystem fs, FileStatus status, List<FileStatus> files)
      throws IOException {
    String name = status.getPath().getName();
    if (name.startsWith(".") || name.startsWith("_")) {
      return;
    }
    if (status.isFile()) {
      files.add(status);
      return;
    }
    for (FileStatus child : fs.listStatus(status.getPath())) {
      collect(fs, child, files);
    }
  }

  /**
   * Why a CSV batch read as text (header columns) and cast to {@code table}'s types failed: the
   * first malformed row or the first value that does not parse as its column's type, with its
   * file and line; empty when neither explains the failure.
   */
  static Optional<String> diagnoseCsv(SparkSession spark, String input, String table,
                                      StructType tableSchema) {
    Dataset<Row> header = spark.read().option("header", "true").csv(input);
    StructType text = new StructType();
    for (String c : header.columns()) {
      text = text.add(c, DataTypes.StringType);
    }
    String corrupt = "_driftlake_corrupt_record";
    Dataset<Row> rows = spark.read().option("header", "true")
        .option("columnNameOfCorruptRecord", corrupt)
        .schema(text.add(corrupt, DataTypes.StringType)).csv(input)
        .withColumn("_driftlake_file", functions.input_file_name());
    // Every column is read: with some pruned, a row missing a field would not count as
    // malformed (and Spark refuses a query of the corrupt-record column alone).
    List<Row> malformed = rows.where(functions.col(corrupt).isNotNull())
        .select(functions.col(corrupt), functions.col("_driftlake_file"),
            functions.struct(java.util.Arrays.stream(header.columns())
                .map(ColumnNames::col).toArray(Column[]::new)))
        .limit(1).collectAsList();
    if (!malformed.isEmpty()) {
      String record = malformed.get(0).getString(0);
      String file = display(malformed.get(0).getString(1));
      return Optional.of(String.format(
          "malformed CSV row in file %s%s: '%s' (expected %d fields: %s); nothing written to "
              + "table '%s'", file, lineOf(spark, file, record, -1, null), record,
          header.columns().length, String.join(",", header.columns()), table));
    }
    for (int i = 0; i < header.columns().length; i++) {
      String name = header.columns()[i];
      Optional<StructField> field = find(tableSchema, name);
      if (field.isEmpty() || field.get().dataType().equals(DataTypes.StringType)) {
        continue;
      }
      Column value = ColumnNames.col(name);
      Column parsed = value.try_cast(field.get().dataType());
      List<Row> bad = rows.where(value.isNotNull().and(parsed.isNull()))
          .select(value, functions.col("_driftlake_file")).limit(1).collectAsList();
      if (!bad.isEmpty()) {
        String v = bad.get(0).getString(0);
        String file = display(bad.get(0).getString(1));
        return Optional.of(String.format(
            "column '%s' of table '%s' is %s, but file %s%s has the value '%s'; nothing written",
            name, table, field.get().dataType().simpleString(), file,
            lineOf(spark, file, null, i, v), v));
      }
    }
    return Optional.empty();
  }

  /**
   * ", line N" of the first record of {@code file} that is {@code raw} (a malformed row) or has
   * {@code value} in field {@code index}; empty when not found.
   */
  private static String lineOf(SparkSession spark, String file, String raw, int index,
                               String value) {
    CsvParserSettings settings = new CsvParserSettings();
    settings.setHeaderExtractionEnabled(false);
    settings.setMaxCharsPerColumn(-1);
    settings.setNullValue(null);
    // No reader thread: it could still be reading when the file is closed ("Stream closed").
    settings.setReadInputOnSeparateThread(false);
    CsvParser parser = new CsvParser(settings);
    Path path = new Path(file.startsWith("/") ? "file://" + file : file);
    try (Reader reader = new InputStreamReader(
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(path),
        StandardCharsets.UTF_8)) {
      parser.beginParsing(reader);
      boolean first = true;
      String[] record;
      while ((record = parser.parseNext()) != null) {
        long line = parser.getContext().currentLine();
        if (first) {
          first = false; // the header
          continue;
        }
        boolean match = raw != null
            ? raw.equals(String.join(",", java.util.Arrays.stream(record)
                .map(f -> f == null ? "" : f).toList()))
            : index < record.length && value.equals(record[index]);
        if (match) {
          return ", line " + line;
        }
      }
      return "";
    } catch (IOException e) {
      return "";
    } finally {
      parser.stopParsing();
    }
  }

  /** A local file as a plain path, any other file system's as its URI. */
  static String display(String uri) {
    return uri.startsWith("file:") ? java.nio.file.Path.of(java.net.URI.create(uri)).toString()
        : uri;
  }

  private static Optional<StructField> find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
