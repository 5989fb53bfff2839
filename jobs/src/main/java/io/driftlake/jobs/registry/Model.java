package io.driftlake.jobs.registry;

import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.ml.Task;
import java.sql.Timestamp;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One registered model: what it is (task, algorithm, parameters actually used, seed), what it was
 * trained on (table, pinned version, feature schema, label), how it did on its held-out rows, where
 * its MLlib artifact is, and who made it (run id, trigger). Immutable once written.
 */
public record Model(String modelId, Task task, String algorithm, Map<String, String> params,
                    Map<String, String> search, long seed, String trainingTable,
                    long trainingVersion, String label, List<Feature> featureSchema,
                    double testFraction, long trainRows, long testRows, long unlabelledRows,
                    Map<String, Double> metrics, String artifactPath, Timestamp createdAt,
                    String runId, String triggeredBy) {

  /** A feature column as the model was trained on it. */
  public record Feature(String name, String dataType, String featureType) {}

  public Model {
    params = Collections.unmodifiableMap(new TreeMap<>(params));
    search = Collections.unmodifiableMap(new TreeMap<>(search));
    featureSchema = List.copyOf(featureSchema);
    metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
  }

  public List<String> features() {
    return featureSchema.stream().map(Feature::name).toList();
  }

  public Optional<Double> metric(String id) {
    return Optional.ofNullable(metrics.get(id));
  }

  public TableRef trainingRef() {
    return TableRef.parse(trainingTable + "@" + trainingVersion);
  }

  public PipelineModel load() {
    return PipelineModel.load(artifactPath);
  }

  /**
   * Checks that a table selection has every feature with the type the model was trained on; the
   * error names the model, the feature and the table version.
   */
  public void checkServes(TableRef ref, StructType schema) {
    for (Feature f : featureSchema) {
      StructField field = null;
      for (StructField s : schema.fields()) {
        if (s.name().equals(f.name())) {
          field = s;
        }
      }
      if (field == null) {
        throw new IllegalArgumentException(String.format(
            "Model %s needs feature '%s', which table '%s' version %d lacks", modelId, f.name(),
            ref.table(), ref.version().getAsLong()));
      }
      if (!field.dataType().simpleString().equals(f.dataType())) {
        throw new IllegalArgumentException(String.format(
            "Model %s was trained on feature '%s' of type %s, but table '%s' version %d has it as %s",
            modelId, f.name(), f.dataType(), ref.table(), ref.version().getAsLong(),
            field.dataType().simpleString()));
      }
    }
  }
}
