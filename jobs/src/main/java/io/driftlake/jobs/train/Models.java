package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.io.Lake;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The {@code models} registry table: one row per trained model, with its lineage. */
public final class Models {
  public static final StructType SCHEMA = new StructType()
      .add("model_id", DataTypes.StringType, false)
      .add("algorithm", DataTypes.StringType, false)
      .add("training_table", DataTypes.StringType, false)
      .add("training_version", DataTypes.LongType, false)
      .add("features", DataTypes.createArrayType(DataTypes.StringType), false)
      .add("label", DataTypes.StringType, false)
      .add("auc", DataTypes.DoubleType, true)
      .add("accuracy", DataTypes.DoubleType, true)
      .add("train_rows", DataTypes.LongType, false)
      .add("test_rows", DataTypes.LongType, false)
      .add("artifact_path", DataTypes.StringType, false)
      .add("created_at", DataTypes.TimestampType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("triggered_by", DataTypes.StringType, true);

  /** One registry row. */
  public record Model(String modelId, String algorithm, String trainingTable, long trainingVersion,
                      List<String> features, String label, Double auc, Double accuracy,
                      long trainRows, long testRows, String artifactPath, Timestamp createdAt,
                      String runId, String triggeredBy) {
    Row toRow() {
      return RowFactory.create(modelId, algorithm, trainingTable, trainingVersion,
          features.toArray(String[]::new), label, auc, accuracy, trainRows, testRows, artifactPath,
          createdAt, runId, triggeredBy);
    }

    static Model fromRow(Row r) {
      return new Model(r.getAs("model_id"), r.getAs("algorithm"), r.getAs("training_table"),
          r.<Long>getAs("training_version"), r.getList(r.fieldIndex("features")), r.getAs("label"),
          r.getAs("auc"), r.getAs("accuracy"), r.<Long>getAs("train_rows"),
          r.<Long>getAs("test_rows"), r.getAs("artifact_path"), r.getAs("created_at"),
          r.getAs("run_id"), r.getAs("triggered_by"));
    }
  }

  private Models() {}

  /** The most recently created model, if any. */
  public static java.util.Optional<Model> latest(Lake lake) {
    String table = lake.settings().tables().models();
    if (!lake.exists(table)) {
      return java.util.Optional.empty();
    }
    List<Row> rows = lake.spark().read().format("delta").load(lake.path(table))
        .orderBy(col("created_at").desc(), col("model_id").desc()).limit(1).collectAsList();
    return rows.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Model.fromRow(rows.get(0)));
  }

  public static Model byId(Lake lake, String modelId) {
    if (modelId.equals("latest")) {
      return latest(lake).orElseThrow(() -> new IllegalArgumentException(
          "No model in table '" + lake.settings().tables().models() + "' yet"));
    }
    String table = lake.settings().tables().models();
    if (!lake.exists(table)) {
      throw new IllegalArgumentException("Unknown model '" + modelId + "': table '" + table
          + "' does not exist");
    }
    List<Row> rows = lake.spark().read().format("delta").load(lake.path(table))
        .where(col("model_id").equalTo(modelId)).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("Unknown model '" + modelId + "' in table '" + table + "'");
    }
    return Model.fromRow(rows.get(0));
  }
}
