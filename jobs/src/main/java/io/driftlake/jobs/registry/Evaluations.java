package io.driftlake.jobs.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code evaluations} table: one row per (model, evaluation data, slice, metric). The data is
 * a table, a pinned version, a selection (snapshot, added, or predictions) and a split:
 * {@code all} labelled rows, the {@code held-out} rows (by the key hash the model was trained
 * with), or {@code labelled}: the model's predictions joined with the delayed labels of
 * {@code labels_table} at {@code labels_version}. Slice rows carry the slice column and value;
 * overall rows have both null.
 *
 * <p>Rows of an estimate without labels (the {@code estimate} job's CBPE) have {@code kind}
 * {@value #ESTIMATED}, split {@value #PREDICTIONS} (every prediction of the selection), the
 * confidence band in {@code lower} and {@code upper}, and whether the probabilities were
 * calibrated first in {@code calibrated}; every other row written since those columns exist has
 * {@code kind} {@value #REALIZED} and nulls in the other three (rows written before hold nulls in
 * all four: they are realized). An estimate and the realized metric of the same predictions batch
 * share model, table, version, selection and metric: {@link #estimateVsRealized} joins them.
 */
public final class Evaluations {
  public static final String ALL = "all";
  public static final String HELD_OUT = "held-out";
  public static final String LABELLED = "labelled";
  /** The split of an estimate: every prediction of the selection, no label. */
  public static final String PREDICTIONS = "predictions";
  public static final String ESTIMATED = "estimated";
  public static final String REALIZED = "realized";

  /** The columns added after the table's first release, nullable; added to older tables. */
  static final StructType ADDED_COLUMNS = new StructType()
      .add("kind", DataTypes.StringType, true)
      .add("lower", DataTypes.DoubleType, true)
      .add("upper", DataTypes.DoubleType, true)
      .add("calibrated", DataTypes.BooleanType, true);

  public static final StructType SCHEMA = new StructType()
      .add("model_id", DataTypes.StringType, false)
      .add("table", DataTypes.StringType, false)
      .add("version", DataTypes.LongType, false)
      .add("selection", DataTypes.StringType, false)
      .add("split", DataTypes.StringType, false)
      .add("labels_table", DataTypes.StringType, true)
      .add("labels_version", DataTypes.LongType, true)
      .add("slice_column", DataTypes.StringType, true)
      .add("slice_value", DataTypes.StringType, true)
      .add("metric", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("evaluated_at", DataTypes.TimestampType, false)
      .add(ADDED_COLUMNS.fields()[0]).add(ADDED_COLUMNS.fields()[1])
      .add(ADDED_COLUMNS.fields()[2]).add(ADDED_COLUMNS.fields()[3]);

  /** An estimated metric's confidence band. */
  public record Band(double lower, double upper) {}

  /**
   * One evaluation: the data it used, the overall metrics and, when sliced, metrics per value;
   * {@code version} is the version of the evaluations table whose commit holds it (-1 before it is
   * recorded, or when that commit's log entry was cleaned up). {@code bands} is empty for a
   * realized evaluation; for an estimate it holds the band of each metric that has one (the
   * others, such as {@code rows}, are counts).
   */
  public record Evaluation(String modelId, TableRef data, String selection, String split,
                           String labelsTable,
                           Long labelsVersion, Map<String, Double> metrics, String sliceColumn,
                           Map<String, Map<String, Double>> slices, Timestamp evaluatedAt,
                           String runId, long version, String kind, Map<String, Band> bands,
                           Boolean calibrated) {
    /** A realized evaluation (metrics from labels). */
    public Evaluation(String modelId, TableRef data, String selection, String split,
                      String labelsTable, Long labelsVersion, Map<String, Double> metrics,
                      String sliceColumn, Map<String, Map<String, Double>> slices,
                      Timestamp evaluatedAt, String runId, long version) {
      this(modelId, data, selection, split, labelsTable, labelsVersion, metrics, sliceColumn,
          slices, evaluatedAt, runId, version, REALIZED, Map.of(), null);
    }

    /** This evaluation as recorded by the commit of {@code committed}. */
    Evaluation recorded(long committed) {
      return new Evaluation(modelId, data, selection, split, labelsTable, labelsVersion, metrics,
          sliceColumn, slices, evaluatedAt, runId, committed, kind, bands, calibrated);
    }

    List<Row> rows() {
      List<Row> rows = new ArrayList<>();
      metrics.forEach((metric, value) -> rows.add(row(null, null, metric, value)));
      if (sliceColumn != null) {
        slices.forEach((slice, m) -> m.forEach((metric, value) ->
            rows.add(row(sliceColumn, slice, metric, value))));
      }
      return rows;
    }

    private Row row(String sliceColumn, String sliceValue, String metric, double value) {
      Band band = sliceColumn == null ? bands.get(metric) : null;
      return RowFactory.create(modelId, data.table(), data.version().getAsLong(), selection,
          split, labelsTable, labelsVersion, sliceColumn, sliceValue, metric, value, runId,
          evaluatedAt, kind, band == null ? null : band.lower(),
          band == null ? null : band.upper(), calibrated);
    }
  }

  private Evaluations() {}

  /**
   * Appends one evaluation in one commit and returns it with the version of that commit; the same
   * run, model, data and split twice adds nothing (and returns the version that holds it).
   */
  public static Evaluation append(Lake lake, Evaluation e) {
    String key = String.join(":", "driftlake-evaluate", e.runId(), e.modelId(), e.data().toString(),
        e.selection(), e.split(), String.valueOf(e.labelsVersion()), String.valueOf(e.sliceColumn()));
    boolean estimated = e.kind().equals(ESTIMATED);
    if (estimated) {
      key = key + ":" + ESTIMATED;
    }
    addColumns(lake, lake.settings().tables().evaluations());
    return e.recorded(lake.append(lake.settings().tables().evaluations(),
        lake.spark().createDataFrame(e.rows(), SCHEMA),
        new CommitStamp(estimated ? "estimate" : "evaluate", e.runId(), null, key)).version());
  }

  /** The overall metrics of the latest evaluation of a model on exactly this data and split. */
  public static Optional<Map<String, Double>> latest(Lake lake, String modelId, TableRef data,
                                                     String split) {
    // Table evaluations only: their selection is the table selection's.
    String table = lake.settings().tables().evaluations();
    if (!lake.exists(table)) {
      return Optional.empty();
    }
    List<Row> rows = lake.spark().read().format("delta").load(lake.path(table))
        .where(col("model_id").equalTo(modelId).and(col("table").equalTo(data.table()))
            .and(col("version").equalTo(data.version().getAsLong()))
            .and(col("selection").equalTo(data.selection())).and(col("split").equalTo(split))
            .and(col("labels_table").isNull()).and(col("slice_column").isNull()))
        .where(kindIs(lake, table, REALIZED))
        .orderBy(col("evaluated_at").desc(), col("run_id").desc()).collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    Object first = rows.get(0).getAs("run_id");
    for (Row r : rows) {
      if (r.getAs("run_id").equals(first)) {
        metrics.put(r.getAs("metric"), r.getAs("value"));
      }
    }
    return Optional.of(metrics);
  }

  /**
   * Every estimate of {@code modelId} beside the realized metric of the same predictions batch:
   * one row per (table, version, selection, metric) estimated, with the estimate's
   * {@code estimated}, {@code lower}, {@code upper}, {@code calibrated}, {@code estimated_at} and
   * the {@code realized} value, {@code labels_version} and {@code realized_at} (null until the
   * labels of that batch land: {@code evaluate --mode production --table} of the same selection).
   * Of several runs on the same batch, the latest of each kind counts.
   */
  public static Dataset<Row> estimateVsRealized(Lake lake, String modelId) {
    String table = lake.settings().tables().evaluations();
    addColumns(lake, table);
    Dataset<Row> rows = lake.spark().read().format("delta")
        .load(lake.path(table)).where(col("model_id").equalTo(modelId)
            .and(col("slice_column").isNull()));
    List<String> keys = List.of("table", "version", "selection", "metric");
    Dataset<Row> estimated = latestOf(rows.where(col("kind").equalTo(ESTIMATED)
        .and(col("lower").isNotNull())), keys).select(col("table"), col("version"),
        col("selection"), col("metric"), col("value").as("estimated"), col("lower"),
        col("upper"), col("calibrated"), col("evaluated_at").as("estimated_at"));
    Dataset<Row> realized = latestOf(rows.where(
        col("split").equalTo(LABELLED)), keys).select(col("table"), col("version"),
        col("selection"), col("metric"), col("value").as("realized"), col("labels_version"),
        col("evaluated_at").as("realized_at"));
    return estimated.join(realized, scala.jdk.javaapi.CollectionConverters.asScala(keys).toSeq(),
        "left").orderBy("table", "version", "selection", "metric");
  }

  private static Dataset<Row> latestOf(Dataset<Row> rows,
                                                            List<String> keys) {
    return rows.withColumn("__n", row_number().over(
            Window.partitionBy(
                    keys.stream().map(org.apache.spark.sql.functions::col)
                        .toArray(Column[]::new))
                .orderBy(col("evaluated_at").desc(), col("run_id").desc())))
        .where(col("__n").equalTo(1)).drop("__n");
  }

  /** Rows of this kind; rows written before the column existed (null) are realized. */
  private static Column kindIs(Lake lake, String table, String kind) {
    boolean hasKind = List.of(lake.spark().read().format("delta").load(lake.path(table)).schema()
        .fieldNames()).contains("kind");
    if (!hasKind) {
      return lit(kind.equals(REALIZED));
    }
    return kind.equals(REALIZED) ? col("kind").isNull().or(col("kind").equalTo(REALIZED))
        : col("kind").equalTo(kind);
  }

  /**
   * Adds {@link #ADDED_COLUMNS} (nullable) to a table written before they existed, once: a
   * concurrent writer that added them first is fine, whatever its commit made this one fail.
   */
  private static void addColumns(Lake lake, String table) {
    if (!lake.exists(table) || missing(lake, table).isEmpty()) {
      return;
    }
    try {
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s)",
          lake.path(table).replace("`", "``"), String.join(", ", missing(lake, table).stream()
              .map(f -> f.name() + " " + f.dataType().sql()).toList())));
    } catch (RuntimeException e) {
      if (!missing(lake, table).isEmpty()) {
        throw e;
      }
    }
  }

  private static List<StructField> missing(Lake lake, String table) {
    List<String> present = List.of(lake.spark().read().format("delta").load(lake.path(table))
        .schema().fieldNames());
    return Arrays.stream(ADDED_COLUMNS.fields())
        .filter(f -> !present.contains(f.name())).toList();
  }
}
