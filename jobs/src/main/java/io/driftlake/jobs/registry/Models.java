package io.driftlake.jobs.registry;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code models} table: one immutable row per trained model. What changes over a model's life
 * (champion, challenger, rolled back, ...) is not written here but appended to
 * {@link ModelAliases}; {@link Registry} joins the two.
 */
public final class Models {
  // Nested fields are nullable: that is how Delta stores them, and appends compare types exactly.
  private static final StructType FEATURE = new StructType()
      .add("name", DataTypes.StringType)
      .add("data_type", DataTypes.StringType)
      .add("feature_type", DataTypes.StringType);

  public static final StructType SCHEMA = new StructType()
      .add("model_id", DataTypes.StringType, false)
      .add("task", DataTypes.StringType, false)
      .add("algorithm", DataTypes.StringType, false)
      .add("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
      .add("search", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
      .add("seed", DataTypes.LongType, false)
      .add("training_table", DataTypes.StringType, false)
      .add("training_version", DataTypes.LongType, false)
      .add("label", DataTypes.StringType, false)
      .add("feature_schema", DataTypes.createArrayType(FEATURE), false)
      .add("test_fraction", DataTypes.DoubleType, false)
      .add("train_rows", DataTypes.LongType, false)
      .add("test_rows", DataTypes.LongType, false)
      .add("unlabelled_rows", DataTypes.LongType, false)
      .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), false)
      .add("artifact_path", DataTypes.StringType, false)
      .add("created_at", DataTypes.TimestampType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("triggered_by", DataTypes.StringType, true);

  private Models() {}

  /** Appends one model in one commit; a second append for the same run writes nothing. */
  public static Lake.Append append(Lake lake, Model m) {
    List<Row> features = m.featureSchema().stream()
        .map(f -> RowFactory.create(f.name(), f.dataType(), f.featureType())).toList();
    Row row = RowFactory.create(m.modelId(), m.task().id(), m.algorithm(),
        CollectionConverters.asScala(m.params()), CollectionConverters.asScala(m.search()), m.seed(),
        m.trainingTable(), m.trainingVersion(), m.label(),
        CollectionConverters.asScala(features).toSeq(), m.testFraction(), m.trainRows(),
        m.testRows(), m.unlabelledRows(), CollectionConverters.asScala(m.metrics()),
        m.artifactPath(), m.createdAt(), m.runId(), m.triggeredBy());
    return lake.append(lake.settings().tables().models(),
        lake.spark().createDataFrame(List.of(row), SCHEMA),
        new CommitStamp("train", m.runId(), null, "driftlake-train:" + m.runId()));
  }

  /** Every model, oldest first. */
  public static List<Model> all(Lake lake) {
    return read(lake, null);
  }

  public static Optional<Model> byRun(Lake lake, String runId) {
    List<Model> models = read(lake, col("run_id").equalTo(runId));
    return models.isEmpty() ? Optional.empty() : Optional.of(models.get(models.size() - 1));
  }

  public static Optional<Model> byId(Lake lake, String modelId) {
    List<Model> models = read(lake, col("model_id").equalTo(modelId));
    return models.isEmpty() ? Optional.empty() : Optional.of(models.get(0));
  }

  /** The most recently created model, if any. */
  public static Optional<Model> latest(Lake lake) {
    List<Model> models = all(lake);
    return models.isEmpty() ? Optional.empty() : Optional.of(models.get(models.size() - 1));
  }

  private static List<Model> read(Lake lake, org.apache.spark.sql.Column filter) {
    String table = lake.settings().tables().models();
    if (!lake.exists(table)) {
      return List.of();
    }
    Dataset<Row> rows = lake.spark().read().format("delta").load(lake.path(table));
    if (filter != null) {
      rows = rows.where(filter);
    }
    List<Model> models = new ArrayList<>();
    for (Row r : rows.orderBy(col("created_at"), col("model_id")).collectAsList()) {
      models.add(fromRow(r));
    }
    return models;
  }

  static Model fromRow(Row r) {
    List<Model.Feature> features = new ArrayList<>();
    for (Row f : r.<Row>getList(r.fieldIndex("feature_schema"))) {
      features.add(new Model.Feature(f.getString(0), f.getString(1), f.getString(2)));
    }
    Map<String, Double> metrics = new TreeMap<>(r.<String, Double>getJavaMap(r.fieldIndex("metrics")));
    return new Model(r.getAs("model_id"), Task.of(r.getAs("task")), r.getAs("algorithm"),
        new TreeMap<>(r.<String, String>getJavaMap(r.fieldIndex("params"))),
        new TreeMap<>(r.<String, String>getJavaMap(r.fieldIndex("search"))), r.<Long>getAs("seed"),
        r.getAs("training_table"), r.<Long>getAs("training_version"), r.getAs("label"), features,
        r.<Double>getAs("test_fraction"), r.<Long>getAs("train_rows"), r.<Long>getAs("test_rows"),
        r.<Long>getAs("unlabelled_rows"), metrics, r.getAs("artifact_path"),
        r.getAs("created_at"), r.getAs("run_id"), r.getAs("triggered_by"));
  }
}
