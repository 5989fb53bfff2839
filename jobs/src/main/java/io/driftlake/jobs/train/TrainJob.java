package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Trains the model on a PINNED version of a table (the latest when none is given; the resolved
 * number is recorded), holds out rows by a hash of the row key, and registers the model.
 */
public final class TrainJob {
  public static final String ALGORITHM = "logistic_regression";

  private TrainJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("train", args, Set.of("table", "version", "run-id", "triggered-by"));
    JobSettings settings = JobSettings.load(a.option("config"));
    String table = a.option("table").orElse(settings.tables().training());
    TableRef ref = a.option("version").map(v -> TableRef.parse(table + "@" + v))
        .orElse(TableRef.parse(table));
    String runId = a.option("run-id").orElseGet(CommitStamp::newRunId);
    String triggeredBy = a.option("triggered-by").orElse("manual");
    try (SparkSession spark = Sparks.session(settings, "train")) {
      Models.Model model = train(new Lake(spark, settings), ref, runId, triggeredBy);
      System.out.printf("train: model %s on %s@%d: AUC %.4f, accuracy %.4f (%d train / %d test rows)%n",
          model.modelId(), model.trainingTable(), model.trainingVersion(), model.auc(),
          model.accuracy(), model.trainRows(), model.testRows());
    }
  }

  /** The held-out rows: a fixed share chosen by a hash of the row key, the same in every version. */
  public static Column heldOut(JobSettings settings) {
    long percent = Math.round(settings.train().testFraction() * 100);
    return pmod(xxhash64(col(settings.schema().key())), lit(100)).lt(percent);
  }

  public static Models.Model train(Lake lake, TableRef selection, String runId, String triggeredBy) {
    JobSettings settings = lake.settings();
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
    List<FeatureSpec> features = FeatureSpecs.shared(data.schema(), data.schema(),
        settings.schema().nonFeatures()).features();
    Dataset<Row> labelled = data.where(col(label).isNotNull())
        .withColumn(Metrics.LABEL, col(label).cast("double"));
    Dataset<Row> train = labelled.where(TrainJob.heldOut(settings).unary_$bang());
    Dataset<Row> test = labelled.where(TrainJob.heldOut(settings));

    data.sparkSession().sparkContext().setJobDescription("driftlake: train on " + ref);
    PipelineModel model = pipeline(features, settings).fit(train);
    Dataset<Row> scored = model.transform(test);
    Map<String, Double> metrics = Metrics.binary(scored);

    String modelId = "m-" + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
        + "-" + UUID.randomUUID().toString().substring(0, 6);
    String artifact = lake.settings().lakeRoot().resolve("model-artifacts").resolve(modelId).toString();
    try {
      model.write().overwrite().save(artifact);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Could not save model to " + artifact, e);
    }
    long testRows = metrics.get("rows").longValue();
    Models.Model row = new Models.Model(modelId, ALGORITHM, ref.table(), ref.version().getAsLong(),
        features.stream().map(FeatureSpec::name).toList(), label, metrics.get("auc"),
        metrics.get("accuracy"), labelled.count() - testRows, testRows, artifact,
        Timestamp.from(Instant.now()), runId, triggeredBy);
    Dataset<Row> registry = lake.spark().createDataFrame(List.of(row.toRow()), Models.SCHEMA);
    lake.append(settings.tables().models(), registry,
        new CommitStamp("train", runId, null, "driftlake-train:" + runId));
    data.sparkSession().sparkContext().setJobDescription(null);
    return row;
  }

  static Pipeline pipeline(List<FeatureSpec> features, JobSettings settings) {
    List<String> categorical = features.stream().filter(f -> f.type() == FeatureType.CATEGORICAL)
        .map(FeatureSpec::name).toList();
    List<String> numeric = features.stream().filter(f -> f.type() == FeatureType.NUMERIC)
        .map(FeatureSpec::name).toList();
    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    if (!categorical.isEmpty()) {
      String[] indexed = suffixed(categorical, "__idx");
      String[] encoded = suffixed(categorical, "__ohe");
      stages.add(new StringIndexer().setInputCols(categorical.toArray(String[]::new))
          .setOutputCols(indexed).setHandleInvalid("keep").setStringOrderType("alphabetAsc"));
      stages.add(new OneHotEncoder().setInputCols(indexed).setOutputCols(encoded)
          .setHandleInvalid("keep"));
      assembled.addAll(Arrays.asList(encoded));
    }
    if (!numeric.isEmpty()) {
      String[] imputed = suffixed(numeric, "__imp");
      stages.add(new Imputer().setInputCols(numeric.toArray(String[]::new)).setOutputCols(imputed)
          .setStrategy("median"));
      assembled.addAll(Arrays.asList(imputed));
    }
    if (assembled.isEmpty()) {
      throw new IllegalArgumentException("No features to train on: every column is the key, "
          + "the label, excluded, or of an unsupported type");
    }
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new))
        .setOutputCol("__assembled").setHandleInvalid("keep"));
    stages.add(new StandardScaler().setInputCol("__assembled").setOutputCol("__features")
        .setWithMean(false).setWithStd(true));
    stages.add(new LogisticRegression().setLabelCol(Metrics.LABEL).setFeaturesCol("__features")
        .setMaxIter(settings.train().maxIter()).setRegParam(settings.train().regParam())
        .setElasticNetParam(settings.train().elasticNetParam()));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  private static String[] suffixed(List<String> names, String suffix) {
    Set<String> seen = new HashSet<>();
    return names.stream().map(n -> n + suffix).filter(seen::add).toArray(String[]::new);
  }
}
