package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.Console;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.PausePoints;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.HeldOut;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.ml.Task;
import io.driftlake.jobs.ml.TrainSettings;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Models;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Predictor;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains the configured pipeline ({@code driftlake.train}) on a PINNED version of a table (the
 * latest when none is given; the resolved number is what gets recorded), holds out rows by a hash
 * of the row key, optionally searches hyper-parameters on the training rows, and registers the
 * model with its held-out metrics. One run trains one model: a rerun with the same run id returns
 * the model that run registered and trains nothing.
 */
@Command(name = "train", sortOptions = false,
    description = "Fits the pipeline driftlake.train describes on a "
    + "pinned table version and registers the model with its metrics.")
public final class TrainJob implements Callable<Integer> {
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  @Mixin private JobOptions options;

  @Option(names = "--table", paramLabel = "NAME",
      description = "Training table (default: driftlake.tables.training).")
  private String table;

  @Option(names = "--version", paramLabel = "N|latest|TIMESTAMP",
      description = "Table version to train on (default: the latest; the resolved number is "
          + "recorded).")
  private String version;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  @Option(names = "--triggered-by", paramLabel = "TEXT", defaultValue = "manual",
      description = "Why it was trained, recorded with the model, e.g. drift:RUN_ID "
          + "(default: ${DEFAULT-VALUE}).")
  private String triggeredBy;

  private TrainJob() {}

  public static void main(String[] args) {
    JobMain.run(new TrainJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String table = Optional.ofNullable(this.table).orElse(settings.tables().training());
    TableRef ref = Optional.ofNullable(version).map(v -> TableRef.parse(table + "@" + v))
        .orElse(TableRef.parse(table));
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "train")) {
      Model model = Console.stage("train", "fitting the pipeline on " + ref,
          () -> train(new Lake(spark, settings), ref, runId, triggeredBy));
      System.out.println(describe(model));
    }
    return 0;
  }

  public static String describe(Model m) {
    return String.format(Locale.ROOT,
        "train: model %s (%s %s, params %s) on %s@%d: %s (%d train / %d held-out rows, %d "
            + "unlabelled)", m.modelId(), m.task().id(), m.algorithm(), m.params(),
        m.trainingTable(), m.trainingVersion(), ModelMetric.listed(m.metrics()), m.trainRows(),
        m.testRows(), m.unlabelledRows());
  }

  public static Model train(Lake lake, TableRef selection, String runId, String triggeredBy) {
    Optional<Model> done = Models.byRun(lake, runId);
    if (done.isPresent()) {
      System.out.printf("train: run %s already registered model %s; nothing trained%n", runId,
          done.get().modelId());
      return done.get();
    }
    JobSettings settings = lake.settings();
    TrainSettings t = settings.train();
    TableRef ref = lake.resolve(selection);
    Dataset<Row> data = lake.read(ref);
    String label = settings.schema().label();
    String key = settings.schema().key();
    for (String required : List.of(label, key)) {
      if (!Arrays.asList(data.columns()).contains(required)) {
        throw new IllegalArgumentException(String.format(
            "Table '%s' version %d has no column '%s' (configured as driftlake.schema.%s)",
            ref.table(), ref.version().getAsLong(), required, required.equals(label) ? "label" : "key"));
      }
    }
    List<Model.Feature> features = features(data.schema(), settings, ref);
    var context = lake.spark().sparkContext();
    context.setJobDescription("driftlake: train on " + ref);
    long unlabelled = checkLabels(data, label, t.task(), ref);
    // Cached: every pipeline stage's fit and every search fold scans it again.
    Dataset<Row> labelled = data.where(ColumnNames.col(label).isNotNull())
        .withColumn(Metrics.LABEL, ColumnNames.col(label).cast("double")).cache();
    Dataset<Row> train = labelled.where(HeldOut.rows(key, t.testFraction()).unary_$bang());
    Dataset<Row> test = labelled.where(HeldOut.rows(key, t.testFraction()));

    Predictor<?, ?, ?> estimator = t.algorithm().estimator(t.task(), Pipelines.FEATURES,
        Metrics.LABEL, t.seed());
    t.params().forEach((name, value) -> estimator.set(estimator.getParam(name), value));
    Pipeline pipeline = Pipelines.pipeline(features, estimator);
    PipelineModel fitted = Pipelines.fit(pipeline, estimator, t, train);
    Map<String, Double> metrics = Metrics.compute(Scored.of(fitted.transform(test), t.task()), t.task());
    long testRows = metrics.get("rows").longValue();
    long trainRows = labelled.count() - testRows;
    labelled.unpersist();
    context.setJobDescription(null);

    // Microseconds: what a Delta timestamp keeps, so the model reads back equal.
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    String modelId = "m-" + ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 6);
    String artifact = settings.lakeRoot().resolve("model-artifacts").resolve(modelId).toString();
    try {
      fitted.write().overwrite().save(artifact);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Could not save model to " + artifact, e);
    }
    // The artifact first, then its row: a kill between them leaves an artifact no row names
    // (bin/driftlake doctor lists and removes it), never a row without its artifact.
    PausePoints.reach(PausePoints.TRAIN_ARTIFACT_WRITTEN);
    Model model = new Model(modelId, t.task(), t.algorithm().id(),
        Pipelines.usedParams(fitted, t), t.search().describe(), t.seed(), ref.table(),
        ref.version().getAsLong(), label, features, t.testFraction(), trainRows, testRows,
        unlabelled, metrics, artifact, Timestamp.from(now), runId, triggeredBy);
    if (!Models.append(lake, model).written()) {
      // Another attempt of the same run registered first; that one is the run's model, and the
      // artifact just saved is referenced by no models row: it goes.
      deleteArtifact(lake, artifact);
      return Models.byRun(lake, runId).orElseThrow();
    }
    PausePoints.reach(PausePoints.TRAIN_MODEL_REGISTERED);
    return model;
  }

  private static void deleteArtifact(Lake lake, String artifact) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(artifact);
    try { // through the lake's file system (local disk, s3a, …), with the session's settings
      path.getFileSystem(lake.spark().sessionState().newHadoopConf()).delete(path, true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Could not delete the unregistered model artifact "
          + artifact, e);
    }
  }

  /** The configured feature columns, or every usable column that is not key, label or excluded. */
  static List<Model.Feature> features(StructType schema, JobSettings settings, TableRef ref) {
    List<String> configured = settings.train().features();
    Set<String> nonFeatures = settings.schema().nonFeatures();
    List<Model.Feature> out = new ArrayList<>();
    if (configured.isEmpty()) {
      for (StructField f : schema.fields()) {
        if (!nonFeatures.contains(f.name())) {
          FeatureSpecs.typeOf(f.dataType()).ifPresent(type -> out.add(feature(f, type)));
        }
      }
    } else {
      for (String name : configured) {
        StructField f = Arrays.stream(schema.fields()).filter(s -> s.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(String.format(
                "driftlake.train.features: table '%s' version %d has no column '%s'", ref.table(),
                ref.version().getAsLong(), name)));
        if (nonFeatures.contains(name)) {
          throw new IllegalArgumentException(String.format("driftlake.train.features: '%s' is the "
              + "key, the label or excluded (driftlake.schema)", name));
        }
        FeatureType type = FeatureSpecs.typeOf(f.dataType()).orElseThrow(() ->
            new IllegalArgumentException(String.format("driftlake.train.features: column '%s' of "
                + "table '%s' has type %s, which is neither numeric, string nor boolean", name,
                ref.table(), f.dataType().simpleString())));
        out.add(feature(f, type));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(String.format("No features to train on in table '%s' "
          + "version %d: every column is the key, the label, excluded, or of an unsupported type",
          ref.table(), ref.version().getAsLong()));
    }
    return out;
  }

  private static Model.Feature feature(StructField f, FeatureType type) {
    return new Model.Feature(f.name(), f.dataType().simpleString(), type.id());
  }

  /**
   * Checks the label values fit the task (binary: 0 or 1; multiclass: integers ≥ 0) and returns
   * how many rows have no label (left out of training and counted in the registry).
   */
  static long checkLabels(Dataset<Row> data, String label, Task task, TableRef ref) {
    Column labels = ColumnNames.col(label);
    Column y = labels.cast("double");
    Row r = data.agg(sum(when(labels.isNull(), 1).otherwise(0)), count(labels), min(y), max(y),
        sum(when(y.notEqual(floor(y)), 1).otherwise(0))).first();
    long nulls = r.isNullAt(0) ? 0 : r.getLong(0);
    long labelled = r.getLong(1);
    if (labelled == 0) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' version %d has no rows with a label in column '%s'", ref.table(),
          ref.version().getAsLong(), label));
    }
    if (task.classification()) {
      double lo = r.getDouble(2);
      double hi = r.getDouble(3);
      long fractional = r.getLong(4);
      boolean ok = fractional == 0 && lo >= 0 && (task != Task.BINARY || hi <= 1);
      if (!ok) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "Label column '%s' of table '%s' version %d does not fit task '%s' (%s): values from "
                + "%s to %s, %d not integral", label, ref.table(), ref.version().getAsLong(),
            task.id(), task == Task.BINARY ? "0 or 1" : "integers 0..K-1", lo, hi, fractional));
      }
    }
    return nulls;
  }
}
