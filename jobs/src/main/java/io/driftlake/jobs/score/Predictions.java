package io.driftlake.jobs.score;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.Lake;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code predictions} table: what a model said about each row of a source table version.
 * {@code probability} is P(class 1) for binary models (null otherwise); {@code probabilities} holds
 * every class's probability for classifiers (index = class). One (model, source table, version,
 * selection) is written once: a rerun adds nothing.
 */
public final class Predictions {
  /** The drift features of a model's output: its prediction and, for binary models, P(class 1). */
  public static final String PREDICTION = "prediction";
  public static final String PROBABILITY = "probability";

  public static final StructType SCHEMA = new StructType()
      .add("row_key", DataTypes.StringType, false)
      .add("prediction", DataTypes.DoubleType, false)
      .add("probability", DataTypes.DoubleType, true)
      .add("probabilities", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
      .add("model_id", DataTypes.StringType, false)
      .add("source_table", DataTypes.StringType, false)
      .add("source_version", DataTypes.LongType, false)
      .add("source_selection", DataTypes.StringType, false)
      .add("scored_at", DataTypes.TimestampType, false)
      .add("run_id", DataTypes.StringType, false);

  private Predictions() {}

  static Column of(String modelId, TableRef source) {
    return col("model_id").equalTo(modelId).and(col("source_table").equalTo(source.table()))
        .and(col("source_version").equalTo(source.version().getAsLong()))
        .and(col("source_selection").equalTo(source.selection()));
  }

  /** Whether the model already scored this resolved source selection. */
  static boolean exists(Lake lake, String modelId, TableRef source) {
    String table = lake.settings().tables().predictions();
    return lake.exists(table) && !lake.spark().read().format("delta").load(lake.path(table))
        .where(of(modelId, source)).limit(1).isEmpty();
  }

  /** A model's predictions, of one resolved source selection or of all; none is an error. */
  public static Dataset<Row> of(Lake lake, String modelId, Optional<TableRef> source) {
    String table = lake.settings().tables().predictions();
    String what = source.map(s -> " of " + s).orElse("");
    if (!lake.exists(table)) {
      throw new IllegalArgumentException(String.format(
          "Model %s has no predictions%s: table '%s' does not exist yet (run score first)",
          modelId, what, table));
    }
    Dataset<Row> rows = lake.spark().read().format("delta").load(lake.path(table));
    rows = rows.where(source.map(s -> of(modelId, s)).orElse(col("model_id").equalTo(modelId)));
    if (rows.limit(1).isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "Model %s has no predictions%s in table '%s' (run score first)", modelId, what, table));
    }
    return rows;
  }
}
