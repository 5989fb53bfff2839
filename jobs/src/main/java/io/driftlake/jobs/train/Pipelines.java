package io.driftlake.jobs.train;

import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.ml.Task;
import io.driftlake.jobs.ml.TrainSettings;
import io.driftlake.jobs.registry.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The MLlib pipeline a model is: feature encoding (index + one-hot for categoricals, median
 * imputation for numerics, assembled and scaled) and the estimator, fitted directly or by the
 * configured search, and the evaluator the search optimises.
 */
final class Pipelines {
  /** The pipeline's assembled, scaled feature vector column. */
  static final String FEATURES = "__features";

  private Pipelines() {}

  static PipelineModel fit(Pipeline pipeline, Predictor<?, ?, ?> estimator, TrainSettings t,
                                   Dataset<Row> train) {
    TrainSettings.Search search = t.search();
    if (!search.enabled()) {
      return pipeline.fit(train);
    }
    ParamGridBuilder grid = new ParamGridBuilder();
    search.grid().forEach((name, values) ->
        grid.addGrid(estimator.getParam(name), CollectionConverters.asScala(values)));
    ParamMap[] maps = grid.build();
    Evaluator evaluator = evaluator(search.metric(), t.task());
    if (search.method().equals("cross-validation")) {
      return (PipelineModel) new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(maps)
          .setEvaluator(evaluator).setNumFolds(search.folds()).setSeed(t.seed())
          .setParallelism(search.parallelism()).fit(train).bestModel();
    }
    return (PipelineModel) new TrainValidationSplit().setEstimator(pipeline)
        .setEstimatorParamMaps(maps).setEvaluator(evaluator).setTrainRatio(search.trainRatio())
        .setSeed(t.seed()).setParallelism(search.parallelism()).fit(train).bestModel();
  }

  /** The MLlib evaluator the search optimises; same conventions as {@link Metrics}. */
  static Evaluator evaluator(ModelMetric metric, Task task) {
    boolean binary = task == Task.BINARY;
    var mc = new MulticlassClassificationEvaluator().setLabelCol(Metrics.LABEL);
    var rg = new RegressionEvaluator().setLabelCol(Metrics.LABEL);
    return switch (metric) {
      case AUC_ROC, AUC_PR -> new BinaryClassificationEvaluator().setLabelCol(Metrics.LABEL)
          .setNumBins(0).setMetricName(metric == ModelMetric.AUC_ROC ? "areaUnderROC" : "areaUnderPR");
      case ACCURACY -> mc.setMetricName("accuracy");
      case PRECISION -> binary ? mc.setMetricName("precisionByLabel").setMetricLabel(1)
          : mc.setMetricName("weightedPrecision");
      case RECALL -> binary ? mc.setMetricName("recallByLabel").setMetricLabel(1)
          : mc.setMetricName("weightedRecall");
      case F1 -> binary ? mc.setMetricName("fMeasureByLabel").setMetricLabel(1)
          : mc.setMetricName("weightedFMeasure");
      case LOG_LOSS -> mc.setMetricName("logLoss");
      case RMSE -> rg.setMetricName("rmse");
      case MAE -> rg.setMetricName("mae");
      case R2 -> rg.setMetricName("r2");
    };
  }

  /** The configured and searched parameters as the fitted estimator holds them. */
  static Map<String, String> usedParams(PipelineModel fitted, TrainSettings t) {
    Transformer last = fitted.stages()[fitted.stages().length - 1];
    Set<String> names = new HashSet<>(t.params().keySet());
    names.addAll(t.search().grid().keySet());
    Map<String, String> used = new TreeMap<>();
    for (String name : names) {
      Params p = last;
      if (p.hasParam(name)) {
        Param<Object> param = p.getParam(name);
        used.put(name, String.valueOf(p.getOrDefault(param)));
      } else {
        used.put(name, String.valueOf(t.params().get(name)));
      }
    }
    return used;
  }

  /** A column name MLlib's stages take as it is (they parse names: a dot is a struct field). */
  private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile(
      "[A-Za-z_][A-Za-z0-9_]*");

  static Pipeline pipeline(List<Model.Feature> features, Predictor<?, ?, ?> estimator) {
    List<PipelineStage> stages = new ArrayList<>();
    // A feature whose name is no plain identifier (a space, a dot, a backtick, a non-ASCII
    // letter) is copied to "__feature<i>" by the pipeline's first stage, so the saved model
    // still scores the raw table; the other stages only see plain names.
    List<String> copies = new ArrayList<>();
    List<String> input = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      String name = features.get(i).name();
      if (PLAIN.matcher(name).matches() && !name.startsWith("__feature")) {
        input.add(name);
      } else {
        input.add("__feature" + i);
        copies.add(ColumnNames.quote(name) + " AS __feature" + i);
      }
    }
    if (!copies.isEmpty()) {
      stages.add(new org.apache.spark.ml.feature.SQLTransformer().setStatement(
          "SELECT *, " + String.join(", ", copies) + " FROM __THIS__"));
    }
    List<String> categorical = new ArrayList<>();
    List<String> numeric = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      String type = features.get(i).featureType();
      if (type.equals(FeatureType.CATEGORICAL.id())) {
        categorical.add(input.get(i));
      } else if (type.equals(FeatureType.NUMERIC.id())) {
        numeric.add(input.get(i));
      }
    }
    List<String> assembled = new ArrayList<>();
    if (!categorical.isEmpty()) {
      String[] indexed = suffixed(categorical, "__idx");
      String[] encoded = suffixed(categorical, "__ohe");
      // Booleans index as their string form; string order makes the encoding reproducible.
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
    stages.add(new VectorAssembler().setInputCols(assembled.toArray(String[]::new))
        .setOutputCol("__assembled").setHandleInvalid("keep"));
    stages.add(new StandardScaler().setInputCol("__assembled").setOutputCol(FEATURES)
        .setWithMean(false).setWithStd(true));
    stages.add(estimator);
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  private static String[] suffixed(List<String> names, String suffix) {
    Set<String> seen = new HashSet<>();
    return names.stream().map(n -> n + suffix).filter(seen::add).toArray(String[]::new);
  }
}
