package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.ml.Task;
import io.driftlake.jobs.train.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.Random;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.scheduler.SparkListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every metric against an independent computation in plain Java loops on small data (nothing
 * here calls the code under test to get an expected value).
 */
@ExtendWith(LocalSpark.class)
class TestMetrics {
  private static final StructType SCORED = new StructType()
      .add(Metrics.LABEL, DataTypes.DoubleType)
      .add("prediction", DataTypes.DoubleType)
      .add(Metrics.PROBABILITIES, DataTypes.createArrayType(DataTypes.DoubleType))
      .add("segment", DataTypes.StringType);

  // label, P(class 1): ties at 0.4 (one of each class) and 0.6; predicted 1 when p >= 0.5.
  private static final int[] Y = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1};
  private static final double[] P = {0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.4, 0.3, 0.2, 0.1, 0.6, 0.75};
  private static final String[] SEGMENT = {"a", "a", "b", "a", "b", "b", "a", "a", "b", "b", "a", null};

  private static Dataset<Row> binary(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < Y.length; i++) {
      rows.add(RowFactory.create((double) Y[i], P[i] >= 0.5 ? 1.0 : 0.0,
          List.of(1 - P[i], P[i]).toArray(), SEGMENT[i]));
    }
    return spark.createDataFrame(rows, SCORED);
  }

  @Test
  void binaryMetricsMatchHandComputation(SparkSession spark) {
    Map<String, Double> m = Metrics.compute(binary(spark), Task.BINARY);

    int tp = 0;
    int fp = 0;
    int tn = 0;
    int fn = 0;
    double logLoss = 0;
    for (int i = 0; i < Y.length; i++) {
      boolean predicted = P[i] >= 0.5;
      if (predicted && Y[i] == 1) {
        tp++;
      } else if (predicted) {
        fp++;
      } else if (Y[i] == 1) {
        fn++;
      } else {
        tn++;
      }
      logLoss -= Y[i] == 1 ? Math.log(P[i]) : Math.log(1 - P[i]);
    }
    logLoss /= Y.length;
    assertThat(new int[] {tp, fp, tn, fn}).containsExactly(4, 3, 3, 2); // by hand, too
    assertThat(m).containsEntry("rows", 12.0)
        .containsEntry("confusion_0_0", (double) tn).containsEntry("confusion_0_1", (double) fp)
        .containsEntry("confusion_1_0", (double) fn).containsEntry("confusion_1_1", (double) tp);
    assertThat(m.get("accuracy")).isCloseTo((tp + tn) / 12.0, within(1e-12));
    assertThat(m.get("precision")).isCloseTo(tp / (double) (tp + fp), within(1e-12));
    assertThat(m.get("recall")).isCloseTo(tp / (double) (tp + fn), within(1e-12));
    double precision = tp / (double) (tp + fp);
    double recall = tp / (double) (tp + fn);
    assertThat(m.get("f1")).isCloseTo(2 * precision * recall / (precision + recall), within(1e-12));
    assertThat(m.get("log_loss")).isCloseTo(logLoss, within(1e-12));

    // AUC-ROC: the share of (positive, negative) pairs ranked right, ties counting one half.
    double pairs = 0;
    double right = 0;
    for (int i = 0; i < Y.length; i++) {
      for (int j = 0; j < Y.length; j++) {
        if (Y[i] == 1 && Y[j] == 0) {
          pairs++;
          right += P[i] > P[j] ? 1 : P[i] == P[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(m.get("auc_roc")).isCloseTo(right / pairs, within(1e-12));
    assertThat(right / pairs).isCloseTo(26.0 / 36, within(1e-12));

    // AUC-PR: thresholds sorted by hand, descending; one point per distinct score; trapezoids
    // from (0, precision at the top threshold).
    double[] thresholds = {0.9, 0.8, 0.75, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2, 0.1};
    double positives = Arrays.stream(Y).sum();
    double area = 0;
    double lastRecall = 0;
    double lastPrecision = -1;
    for (double t : thresholds) {
      int truePos = 0;
      int falsePos = 0;
      for (int i = 0; i < Y.length; i++) {
        if (P[i] >= t) {
          if (Y[i] == 1) {
            truePos++;
          } else {
            falsePos++;
          }
        }
      }
      double r = truePos / positives;
      double p = truePos / (double) (truePos + falsePos);
      if (lastPrecision < 0) {
        lastPrecision = p;
      }
      area += (r - lastRecall) * (p + lastPrecision) / 2;
      lastRecall = r;
      lastPrecision = p;
    }
    assertThat(m.get("auc_pr")).isCloseTo(area, within(1e-12));
  }

  @Test
  void slicesAreTheMetricsOfEachValuesRows(SparkSession spark) {
    Map<String, Map<String, Double>> slices = Metrics.sliced(binary(spark), Task.BINARY, "segment", 5);
    assertThat(slices).containsOnlyKeys(null, "a", "b");
    for (String segment : new String[] {"a", "b"}) {
      int rows = 0;
      int correct = 0;
      for (int i = 0; i < Y.length; i++) {
        if (segment.equals(SEGMENT[i])) {
          rows++;
          correct += (P[i] >= 0.5 ? 1 : 0) == Y[i] ? 1 : 0;
        }
      }
      assertThat(slices.get(segment).get("rows")).isEqualTo(rows);
      assertThat(slices.get(segment).get("accuracy")).isCloseTo(correct / (double) rows, within(1e-12));
    }
    // The null slice holds one positive: accuracy defined, AUCs not (one class only).
    assertThat(slices.get(null)).containsEntry("rows", 1.0).doesNotContainKeys("auc_roc", "auc_pr");
  }

  @Test
  void multiclassMetricsAreSupportWeightedAverages(SparkSession spark) {
    int[] y = {0, 0, 0, 1, 1, 2, 2, 2, 2};
    double[][] p = {
        {0.7, 0.2, 0.1}, {0.5, 0.4, 0.1}, {0.2, 0.6, 0.2}, {0.1, 0.8, 0.1}, {0.3, 0.3, 0.4},
        {0.1, 0.1, 0.8}, {0.2, 0.2, 0.6}, {0.6, 0.1, 0.3}, {0.25, 0.25, 0.5}};
    List<Row> rows = new ArrayList<>();
    int[] predicted = new int[y.length];
    for (int i = 0; i < y.length; i++) {
      int best = 0;
      for (int c = 1; c < 3; c++) {
        best = p[i][c] > p[i][best] ? c : best;
      }
      predicted[i] = best;
      rows.add(RowFactory.create((double) y[i], (double) best,
          Arrays.stream(p[i]).boxed().toArray(), "x"));
    }
    Map<String, Double> m = Metrics.compute(spark.createDataFrame(rows, SCORED), Task.MULTICLASS);

    long[][] confusion = new long[3][3];
    double logLoss = 0;
    for (int i = 0; i < y.length; i++) {
      confusion[y[i]][predicted[i]]++;
      logLoss -= Math.log(p[i][y[i]]);
    }
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    int correct = 0;
    for (int c = 0; c < 3; c++) {
      long support = confusion[c][0] + confusion[c][1] + confusion[c][2];
      long predictedC = confusion[0][c] + confusion[1][c] + confusion[2][c];
      double pc = predictedC == 0 ? 0 : confusion[c][c] / (double) predictedC;
      double rc = confusion[c][c] / (double) support;
      double w = support / (double) y.length;
      precision += w * pc;
      recall += w * rc;
      f1 += w * (pc + rc == 0 ? 0 : 2 * pc * rc / (pc + rc));
      correct += (int) confusion[c][c];
      for (int a = 0; a < 3; a++) {
        assertThat(m.get("confusion_" + a + "_" + c)).isEqualTo((double) confusion[a][c]);
      }
    }
    assertThat(m.get("accuracy")).isCloseTo(correct / 9.0, within(1e-12));
    assertThat(m.get("precision")).isCloseTo(precision, within(1e-12));
    assertThat(m.get("recall")).isCloseTo(recall, within(1e-12));
    assertThat(m.get("f1")).isCloseTo(f1, within(1e-12));
    assertThat(m.get("log_loss")).isCloseTo(logLoss / 9, within(1e-12));
    assertThat(m).doesNotContainKeys("auc_roc", "auc_pr");
  }

  @Test
  void regressionMetricsMatchHandComputation(SparkSession spark) {
    double[] y = {3.0, -0.5, 2.0, 7.0, 4.5, 1.0};
    double[] yhat = {2.5, 0.0, 2.0, 8.0, 4.0, 2.5};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < y.length; i++) {
      rows.add(RowFactory.create(y[i], yhat[i], null, "x"));
    }
    Map<String, Double> m = Metrics.compute(spark.createDataFrame(rows, SCORED), Task.REGRESSION);
    double mean = Arrays.stream(y).sum() / y.length;
    double sse = 0;
    double sae = 0;
    double sst = 0;
    for (int i = 0; i < y.length; i++) {
      sse += (y[i] - yhat[i]) * (y[i] - yhat[i]);
      sae += Math.abs(y[i] - yhat[i]);
      sst += (y[i] - mean) * (y[i] - mean);
    }
    assertThat(m.get("rmse")).isCloseTo(Math.sqrt(sse / 6), within(1e-12));
    assertThat(m.get("mae")).isCloseTo(sae / 6, within(1e-12));
    assertThat(m.get("r2")).isCloseTo(1 - sse / sst, within(1e-12));
    assertThat(new TreeSet<>(m.keySet())).containsExactly("mae", "r2", "rmse", "rows");
  }

  /** Seeded binary rows in {@code segments} segments; scores on a 0.01 grid, so ties abound. */
  private static Dataset<Row> seededBinary(SparkSession spark, int rows, int segments) {
    Random random = new Random(5);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double p = Math.round(random.nextDouble() * 100) / 100.0;
      double y = random.nextDouble() < p ? 1 : 0;
      out.add(RowFactory.create(y, p >= 0.5 ? 1.0 : 0.0, List.of(1 - p, p).toArray(),
          "s" + (i % segments)));
    }
    return spark.createDataFrame(out, SCORED);
  }

  @Test
  void everySlicesMetricsEqualMLlibsEvaluatorsOnThatSlicesRows(SparkSession spark) {
    Dataset<Row> scored = seededBinary(spark, 900, 3);
    Map<String, Map<String, Double>> slices = Metrics.sliced(scored, Task.BINARY, "segment", 5);
    assertThat(slices).containsOnlyKeys("s0", "s1", "s2");
    for (String segment : slices.keySet()) {
      Dataset<Row> rows = scored.where(org.apache.spark.sql.functions.col("segment").equalTo(segment))
          .withColumn("score", org.apache.spark.sql.functions.element_at(
              org.apache.spark.sql.functions.col(Metrics.PROBABILITIES), 2))
          .withColumn("probability", org.apache.spark.ml.functions.array_to_vector(
              org.apache.spark.sql.functions.col(Metrics.PROBABILITIES)));
      Map<String, Double> m = slices.get(segment);
      var binary = new BinaryClassificationEvaluator().setLabelCol(Metrics.LABEL)
          .setRawPredictionCol("score").setNumBins(0);
      assertThat(m.get("auc_roc")).as(segment)
          .isCloseTo(binary.setMetricName("areaUnderROC").evaluate(rows), within(1e-12));
      assertThat(m.get("auc_pr")).as(segment)
          .isCloseTo(binary.setMetricName("areaUnderPR").evaluate(rows), within(1e-12));
      var multi = new MulticlassClassificationEvaluator().setLabelCol(Metrics.LABEL)
          .setProbabilityCol("probability").setMetricLabel(1.0);
      for (String[] metric : new String[][] {{"accuracy", "accuracy"},
          {"precision", "precisionByLabel"}, {"recall", "recallByLabel"},
          {"f1", "fMeasureByLabel"}, {"log_loss", "logLoss"}}) {
        assertThat(m.get(metric[0])).as(segment + " " + metric[0])
            .isCloseTo(multi.setMetricName(metric[1]).evaluate(rows), within(1e-12));
      }
      assertThat(m.get("rows")).isEqualTo((double) rows.count());
    }
  }

  @Test
  void regressionSlicesEqualMLlibsEvaluatorOnThatSlicesRows(SparkSession spark) {
    Random random = new Random(9);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      double y = random.nextGaussian() * 3;
      out.add(RowFactory.create(y, y + random.nextGaussian(), null, i % 2 == 0 ? "even" : "odd"));
    }
    Dataset<Row> scored = spark.createDataFrame(out, SCORED);
    Map<String, Map<String, Double>> slices = Metrics.sliced(scored, Task.REGRESSION, "segment", 5);
    assertThat(slices).containsOnlyKeys("even", "odd");
    for (String segment : slices.keySet()) {
      Dataset<Row> rows = scored.where(org.apache.spark.sql.functions.col("segment").equalTo(segment));
      var evaluator = new RegressionEvaluator().setLabelCol(Metrics.LABEL);
      for (String metric : new String[] {"rmse", "mae", "r2"}) {
        assertThat(slices.get(segment).get(metric)).as(segment + " " + metric)
            .isCloseTo(evaluator.setMetricName(metric).evaluate(rows), within(1e-12));
      }
    }
  }

  @Test
  void slicesCostTheSameJobsHoweverManyValuesTheColumnHas(SparkSession spark) {
    int two = LocalSpark.jobsDuring(spark, () -> Metrics.sliced(seededBinary(spark, 600, 2), Task.BINARY, "segment", 50));
    int twenty = LocalSpark.jobsDuring(spark, () -> Metrics.sliced(seededBinary(spark, 600, 20), Task.BINARY, "segment", 50));
    assertThat(twenty).isEqualTo(two);
  }
}
