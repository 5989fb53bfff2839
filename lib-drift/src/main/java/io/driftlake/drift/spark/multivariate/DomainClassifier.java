package io.driftlake.drift.spark.multivariate;

import static org.apache.spark.sql.functions.col;

import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.format.Numbers;
import io.driftlake.drift.stat.Multivariate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The domain classifier: MLlib's {@link GBTClassifier} learns reference (label 0) from current
 * (label 1) on the {@link Sample}, k-fold cross-validated; the score is the mean of the held-out
 * folds' ROC AUCs ({@link BinaryClassificationEvaluator}), drift when it exceeds
 * {@code auc-threshold}. Its features, most important first (GBT feature importances averaged
 * over the folds, a missing-value indicator counted with its column), say why.
 */
final class DomainClassifier {
  /** Top features reported. */
  static final int TOP = 5;

  private DomainClassifier() {}

  /** The result and the top features; {@code categorical} are the categoricals kept. */
  static Fit fit(Sample sample, List<String> categorical, MultivariateSettings settings) {
    List<PipelineStage> stages = new ArrayList<>();
    List<String> inputs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    sample.numeric.forEach((name, column) -> {
      inputs.add(column);
      names.add(name);
    });
    sample.missing.forEach((name, column) -> {
      inputs.add(column);
      names.add(name);
    });
    for (String name : categorical) {
      String column = sample.categorical.get(name);
      // Unseen values and nulls go to one extra index (handleInvalid keep).
      stages.add(new StringIndexer().setInputCol(column).setOutputCol(column + "_i")
          .setHandleInvalid("keep").setStringOrderType("frequencyDesc"));
      inputs.add(column + "_i");
      names.add(name);
    }
    stages.add(new VectorAssembler().setInputCols(inputs.toArray(String[]::new))
        .setOutputCol("_dl_features"));
    stages.add(new GBTClassifier().setLabelCol(Sample.LABEL).setFeaturesCol("_dl_features")
        .setMaxIter(settings.trees()).setMaxDepth(settings.maxDepth())
        .setMaxBins(maxBins(sample, categorical)).setSeed(settings.seed()));
    Pipeline pipeline = new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
    BinaryClassificationEvaluator evaluator = new BinaryClassificationEvaluator()
        .setLabelCol(Sample.LABEL).setRawPredictionCol("rawPrediction")
        .setMetricName("areaUnderROC");
    Dataset<Row> rows = sample.rows().withColumn(Sample.LABEL,
        col(Sample.LABEL).cast("double"));
    int k = settings.folds();
    double[] aucs = new double[k];
    double[] noise = new double[k];
    Map<String, Double> importance = new TreeMap<>();
    for (int fold = 0; fold < k; fold++) {
      PipelineModel model = pipeline.fit(rows.filter(col(Sample.FOLD).notEqual(fold)));
      aucs[fold] = evaluator.evaluate(model.transform(rows.filter(col(Sample.FOLD).equalTo(fold))));
      noise[fold] = Multivariate.nullAucSd(sample.folds[0][fold], sample.folds[1][fold]);
      Vector weights = ((GBTClassificationModel) model.stages()[stages.size() - 1])
          .featureImportances();
      for (int i = 0; i < names.size(); i++) {
        importance.merge(names.get(i), weights.apply(i) / k, Double::sum);
      }
    }
    double auc = Multivariate.mean(aucs);
    List<MultivariateDrift.Importance> top = importance.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP).map(e -> new MultivariateDrift.Importance(e.getKey(), e.getValue())).toList();
    Map<String, String> conventions = new TreeMap<>();
    conventions.put("score", "mean held-out ROC AUC over " + k + " folds (MLlib "
        + "BinaryClassificationEvaluator areaUnderROC on GBT raw predictions)");
    conventions.put("folds", String.valueOf(k));
    conventions.put("fold_aucs", list(aucs));
    conventions.put("fold_auc_sd", num(Multivariate.sd(aucs)));
    conventions.put("null_auc_sd", num(Multivariate.mean(noise)));
    conventions.put("reference_sample_rows", String.valueOf(sample.sides[0]));
    conventions.put("current_sample_rows", String.valueOf(sample.sides[1]));
    conventions.put("sample_fractions", list(sample.fractions));
    conventions.put("model", String.format(Locale.ROOT,
        "GBTClassifier trees %d, max depth %d, seed %d", settings.trees(), settings.maxDepth(),
        settings.seed()));
    conventions.put("features", String.join(", ", names.stream().distinct().toList()));
    conventions.put("nulls", "numbers: the reference sample's mean, plus a missing indicator "
        + "counted with its column; categories: one extra index (handleInvalid keep)");
    conventions.put("top_features", String.join(", ", top.stream()
        .map(t -> t.feature() + " " + num(t.importance())).toList()));
    MethodResult result = new MethodResult(MultivariateDrift.DOMAIN_CLASSIFIER, auc, null,
        settings.aucThreshold(), Verdict.of(auc > settings.aucThreshold()), null, conventions);
    return new Fit(result, top);
  }

  /**
   * MLlib's default 32 bins, or more when a kept categorical column has more values: a tree
   * needs a bin per category, plus the extra index of nulls and unseen values.
   */
  private static int maxBins(Sample sample, List<String> categorical) {
    long most = categorical.stream().mapToLong(sample.distinct::get).max().orElse(0);
    return (int) Math.max(32, most + 2);
  }

  /** The classifier's result and its top features. */
  record Fit(MethodResult result, List<MultivariateDrift.Importance> top) {}

  static String num(double v) {
    return Numbers.number(v, 6);
  }

  static String list(double[] values) {
    return Arrays.stream(values).mapToObj(DomainClassifier::num).toList().toString();
  }
}
