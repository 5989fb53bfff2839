package io.driftlake.jobs.registry;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.delta.kernel.expressions.And;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.driftlake.drift.report.PerformanceEstimates;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.DriverTable;
import io.driftlake.jobs.lake.TableLookup;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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

  /** The columns an estimate's lookup on the driver reads. */
  private static final StructType ESTIMATE_READ = new StructType()
      .add("model_id", DataTypes.StringType).add("table", DataTypes.StringType)
      .add("version", DataTypes.LongType).add("selection", DataTypes.StringType)
      .add("split", DataTypes.StringType).add("slice_column", DataTypes.StringType)
      .add("metric", DataTypes.StringType).add("value", DataTypes.DoubleType)
      .add("run_id", DataTypes.StringType).add("evaluated_at", DataTypes.TimestampType)
      .add("kind", DataTypes.StringType).add("lower", DataTypes.DoubleType)
      .add("upper", DataTypes.DoubleType).add("calibrated", DataTypes.BooleanType);

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

  /**
   * The latest estimate of {@code selection} (resolved) by each model, newest first, with the
   * realized value of each metric when the labels of the same predictions landed (the model's
   * latest {@value #LABELLED} evaluation of the selection), read on the driver (no Spark job):
   * what drift.json and drift.html show beside the drift of that selection. None, with why, when
   * nothing estimated it.
   */
  public static PerformanceEstimates estimatesOf(TableLookup lookup, TableRef selection) {
    String table = lookup.settings().tables().evaluations();
    String none = String.format("no estimate of %s in table '%s': `driftlake estimate --table "
        + "%s` writes one (binary classifiers)", selection, table, selection);
    Optional<DriverTable> stored = lookup.onDriver(table);
    if (stored.isEmpty() || !stored.get().hasColumn("kind")) {
      return PerformanceEstimates.none(none);
    }
    long version = selection.version().getAsLong();
    List<Row> rows = stored.get().rows(ESTIMATE_READ, new And(
            new Predicate("=", new io.delta.kernel.expressions.Column("table"),
                Literal.ofString(selection.table())),
            new Predicate("=", new io.delta.kernel.expressions.Column("version"),
                Literal.ofLong(version))),
        r -> selection.table().equals(r.getAs("table")) && r.<Long>getAs("version") == version
            && selection.selection().equals(r.getAs("selection"))
            && r.getAs("slice_column") == null);
    Map<String, Map<String, Double>> realized = new LinkedHashMap<>();
    latestRuns(rows.stream().filter(r -> LABELLED.equals(r.getAs("split"))
        && !ESTIMATED.equals(r.getAs("kind"))).toList()).forEach((model, run) -> run.forEach(
            r -> realized.computeIfAbsent(model, m -> new LinkedHashMap<>())
                .put(r.getAs("metric"), r.<Double>getAs("value"))));
    List<PerformanceEstimates.ModelEstimate> models = new ArrayList<>();
    latestRuns(rows.stream().filter(r -> ESTIMATED.equals(r.getAs("kind"))).toList())
        .forEach((model, run) -> {
          Row first = run.get(0);
          Map<String, Double> labelled = realized.getOrDefault(model, Map.of());
          models.add(new PerformanceEstimates.ModelEstimate(model, first.getAs("run_id"),
              first.<Timestamp>getAs("evaluated_at").toInstant(),
              Boolean.TRUE.equals(first.getAs("calibrated")), run.stream()
                  .map(r -> new PerformanceEstimates.Metric(r.getAs("metric"),
                      r.<Double>getAs("value"), r.getAs("lower"), r.getAs("upper"),
                      r.getAs("lower") == null ? null : labelled.get(r.<String>getAs("metric"))))
                  .toList()));
        });
    if (models.isEmpty()) {
      return PerformanceEstimates.none(none);
    }
    models.sort(Comparator.comparing(PerformanceEstimates.ModelEstimate::estimatedAt).reversed());
    return new PerformanceEstimates(models, String.format("the latest CBPE estimate of %s by "
        + "each model, from table '%s' (band: the confidence band stored with it; realized: from "
        + "the delayed labels, once evaluate --mode production recorded them)", selection, table));
  }

  /** Per model, the rows of its latest run (by evaluated_at, then run id), in stored order. */
  private static Map<String, List<Row>> latestRuns(List<Row> rows) {
    Map<String, Row> newest = new LinkedHashMap<>();
    Comparator<Row> order = Comparator.comparing((Row r) -> r.<Timestamp>getAs("evaluated_at"))
        .thenComparing(r -> r.<String>getAs("run_id"));
    for (Row r : rows) {
      newest.merge(r.getAs("model_id"), r, (a, b) -> order.compare(a, b) >= 0 ? a : b);
    }
    Map<String, List<Row>> runs = new LinkedHashMap<>();
    for (Row r : rows) {
      Row last = newest.get(r.<String>getAs("model_id"));
      if (last.getAs("run_id").equals(r.getAs("run_id"))
          && last.getAs("evaluated_at").equals(r.getAs("evaluated_at"))) {
        runs.computeIfAbsent(r.getAs("model_id"), m -> new ArrayList<>()).add(r);
      }
    }
    return runs;
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
