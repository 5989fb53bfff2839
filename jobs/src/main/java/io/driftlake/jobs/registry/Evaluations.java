package io.driftlake.jobs.registry;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code evaluations} table: one row per (model, evaluation data, slice, metric). The data is
 * a table, a pinned version, a selection (snapshot, added, or predictions) and a split:
 * {@code all} labelled rows, the {@code held-out} rows (by the key hash the model was trained
 * with), or {@code labelled}: the model's predictions joined with the delayed labels of
 * {@code labels_table} at {@code labels_version}. Slice rows carry the slice column and value;
 * overall rows have both null.
 */
public final class Evaluations {
  public static final String ALL = "all";
  public static final String HELD_OUT = "held-out";
  public static final String LABELLED = "labelled";

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
      .add("evaluated_at", DataTypes.TimestampType, false);

  /**
   * One evaluation: the data it used, the overall metrics and, when sliced, metrics per value;
   * {@code version} is the version of the evaluations table whose commit holds it (-1 before it is
   * recorded, or when that commit's log entry was cleaned up).
   */
  public record Evaluation(String modelId, TableRef data, String selection, String split,
                           String labelsTable,
                           Long labelsVersion, Map<String, Double> metrics, String sliceColumn,
                           Map<String, Map<String, Double>> slices, Timestamp evaluatedAt,
                           String runId, long version) {
    /** This evaluation as recorded by the commit of {@code committed}. */
    Evaluation recorded(long committed) {
      return new Evaluation(modelId, data, selection, split, labelsTable, labelsVersion, metrics,
          sliceColumn, slices, evaluatedAt, runId, committed);
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
      return RowFactory.create(modelId, data.table(), data.version().getAsLong(), selection,
          split, labelsTable, labelsVersion, sliceColumn, sliceValue, metric, value, runId,
          evaluatedAt);
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
    return e.recorded(lake.append(lake.settings().tables().evaluations(),
        lake.spark().createDataFrame(e.rows(), SCHEMA),
        new CommitStamp("evaluate", e.runId(), null, key)).version());
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
}
