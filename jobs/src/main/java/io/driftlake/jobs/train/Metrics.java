package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.try_divide;
import static org.apache.spark.sql.functions.var_pop;

import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.ml.Task;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import scala.Tuple2;

/**
 * Metrics of scored rows: columns {@link #LABEL} (double, not null), {@code prediction} (double)
 * and, for classification, {@link #PROBABILITIES} (array of class probabilities, index = class).
 *
 * <p>Conventions (each metric id is a {@link ModelMetric} id, plus counts):
 * <ul>
 *   <li>{@code rows}: rows evaluated. {@code confusion_A_P}: rows with actual class A predicted
 *       as P, for every pair of classes seen in labels or predictions.
 *   <li>Binary: precision, recall and F1 of class 1; F1 = 2TP / (2TP + FP + FN).
 *       Multiclass: MLlib's weighted precision, recall and F1 (averages over the true classes
 *       weighted by their support; a class never predicted has precision 0).
 *   <li>AUC-ROC and AUC-PR: MLlib's exact areas ({@code BinaryClassificationMetrics} with no
 *       binning): one point per distinct score, ties as one threshold, trapezoids; the PR curve
 *       starts at (0, precision at the top threshold), which differs from scikit-learn's
 *       step-wise average precision. Left out when one class is absent.
 *   <li>log_loss: mean of −ln p(actual class), p clipped to [1e-15, 1 − 1e-15].
 *   <li>Regression: rmse, mae, r2 = 1 − SSE/SST (left out when the labels are constant), as
 *       MLlib's {@code RegressionMetrics} defines them.
 *   <li>A metric whose denominator is zero is left out, never stored as NaN.
 * </ul>
 *
 * <p>Every slice's metrics come from the same few jobs however many slice values there are (one
 * grouped aggregation of counts, and for binary tasks one windowed job for the curves): MLlib's
 * evaluators take one pass over the data per metric and slice value, so the sliced metrics are
 * computed here from their definitions above, and {@code TestMetrics} checks each against
 * MLlib's evaluators on every slice and counts the jobs. The whole data's curves are MLlib's
 * BinaryClassificationMetrics (a distributed sort, where the windowed form sorts each slice in
 * one task).
 */
public final class Metrics {
  public static final String LABEL = "__label";
  public static final String PROBABILITIES = "__probs";
  static final double EPS = 1e-15;
  private static final String SLICE = "__slice";

  private Metrics() {}

  public static Map<String, Double> compute(Dataset<Row> scored, Task task) {
    Map<String, Double> all = bySlice(scored.withColumn(SLICE, lit("all")), task, false)
        .get("all");
    return all == null ? new LinkedHashMap<>(Map.of("rows", 0.0)) : all;
  }

  /** Metrics per value of {@code column} (value {@code null} for rows where it is null). */
  public static Map<String, Map<String, Double>> sliced(Dataset<Row> scored, Task task, String column,
                                                        int maxSlices) {
    Dataset<Row> keyed = scored.withColumn(SLICE, ColumnNames.col(column).cast("string"));
    // Checked first, by a job that stops at maxSlices + 1 values, so that an id-like column does
    // not group the whole table by itself.
    if (keyed.select(SLICE).distinct().limit(maxSlices + 1).count() > maxSlices) {
      throw new IllegalArgumentException(String.format(
          "Slice column '%s' has more than %d distinct values (driftlake.evaluate.max-slices)",
          column, maxSlices));
    }
    return bySlice(keyed, task, true);
  }

  private static Map<String, Map<String, Double>> bySlice(Dataset<Row> scored, Task task,
                                                          boolean sliced) {
    Map<String, Map<String, Double>> slices = new TreeMap<>(
        java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
    if (task.classification()) {
      classification(scored, task, sliced, slices);
    } else {
      regression(scored, slices);
    }
    return slices;
  }

  /** One grouped count per (slice, actual, predicted), with the log-loss sums. */
  private static void classification(Dataset<Row> scored, Task task, boolean sliced,
                                     Map<String, Map<String, Double>> slices) {
    Column pTrue = element_at(col(PROBABILITIES), col(LABEL).cast("int").plus(1));
    Map<String, Map<Integer, Map<Integer, Long>>> confusions = new TreeMap<>(
        java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
    Map<String, double[]> logLoss = new java.util.HashMap<>(); // slice -> {sum, rows with p}
    for (Row c : scored.groupBy(col(SLICE), col(LABEL).cast("int"), col("prediction").cast("int"))
        .agg(count(lit(1)), sum(log(least(greatest(pTrue, lit(EPS)), lit(1 - EPS))).multiply(-1)),
            count(pTrue))
        .collectAsList()) {
      String slice = c.isNullAt(0) ? null : c.getString(0);
      confusions.computeIfAbsent(slice, k -> new TreeMap<>())
          .computeIfAbsent(c.getInt(1), k -> new TreeMap<>()).put(c.getInt(2), c.getLong(3));
      double[] ll = logLoss.computeIfAbsent(slice, k -> new double[2]);
      ll[0] += c.isNullAt(4) ? 0 : c.getDouble(4);
      ll[1] += c.getLong(5);
    }
    for (var e : confusions.entrySet()) {
      Map<String, Double> m = new LinkedHashMap<>();
      confusionMetrics(e.getValue(), task, m);
      double[] ll = logLoss.get(e.getKey());
      if (ll[1] > 0) {
        m.put(ModelMetric.LOG_LOSS.id(), ll[0] / ll[1]);
      }
      slices.put(e.getKey(), m);
    }
    if (task == Task.BINARY) {
      if (sliced) {
        curves(scored, slices);
      } else if (confusions.containsKey("all")) {
        curve(scored, confusions.get("all"), slices.get("all"));
      }
    }
    for (var e : confusions.entrySet()) {
      Map<String, Double> m = slices.get(e.getKey());
      TreeSet<Integer> classes = classes(e.getValue());
      for (int a : classes) {
        for (int p : classes) {
          m.put("confusion_" + a + "_" + p, (double) cell(e.getValue(), a, p));
        }
      }
    }
  }

  /**
   * Accuracy, precision, recall and F1 from the confusion counts, as MLlib's MulticlassMetrics
   * defines them (its precisionByLabel, recallByLabel, fMeasureByLabel and weighted metrics).
   */
  private static void confusionMetrics(Map<Integer, Map<Integer, Long>> confusion, Task task,
                                       Map<String, Double> m) {
    TreeSet<Integer> classes = classes(confusion);
    long rows = 0;
    long correct = 0;
    for (int a : classes) {
      rows += support(confusion, a);
      correct += cell(confusion, a, a);
    }
    m.put("rows", (double) rows);
    m.put(ModelMetric.ACCURACY.id(), (double) correct / rows);
    if (task == Task.BINARY) {
      long tp = cell(confusion, 1, 1);
      long fp = cell(confusion, 0, 1);
      long fn = cell(confusion, 1, 0);
      putRatio(m, ModelMetric.PRECISION.id(), tp, tp + fp);
      putRatio(m, ModelMetric.RECALL.id(), tp, tp + fn);
      putRatio(m, ModelMetric.F1.id(), 2 * tp, 2 * tp + fp + fn);
      return;
    }
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    for (int c : classes) {
      long support = support(confusion, c);
      if (support == 0) {
        continue;
      }
      long predicted = 0;
      for (int a : classes) {
        predicted += cell(confusion, a, c);
      }
      long tp = cell(confusion, c, c);
      double p = predicted == 0 ? 0 : (double) tp / predicted;
      double rc = (double) tp / support;
      double w = (double) support / rows;
      precision += w * p;
      recall += w * rc;
      f1 += w * (p + rc == 0 ? 0 : 2 * p * rc / (p + rc));
    }
    m.put(ModelMetric.PRECISION.id(), precision);
    m.put(ModelMetric.RECALL.id(), recall);
    m.put(ModelMetric.F1.id(), f1);
  }

  private static long support(Map<Integer, Map<Integer, Long>> confusion, int actual) {
    return confusion.getOrDefault(actual, Map.of()).values().stream().mapToLong(Long::longValue)
        .sum();
  }

  private static void putRatio(Map<String, Double> m, String id, long num, long den) {
    if (den > 0) {
      m.put(id, (double) num / den);
    }
  }

  /**
   * AUC-ROC and AUC-PR of every slice with both classes, in one job: the rows grouped by
   * (slice, score), then per slice in descending score order the cumulative true and false
   * positives give one curve point per distinct score, and the areas are the trapezoid sums.
   */
  private static void curves(Dataset<Row> scored, Map<String, Map<String, Double>> slices) {
    WindowSpec down = Window.partitionBy(SLICE).orderBy(col("score").desc());
    WindowSpec all = Window.partitionBy(SLICE);
    Dataset<Row> points = scored
        .groupBy(col(SLICE), element_at(col(PROBABILITIES), 2).as("score"))
        .agg(sum(col(LABEL)).as("pos"), sum(lit(1.0).minus(col(LABEL))).as("neg"))
        .withColumn("tp", sum("pos").over(down.rowsBetween(Window.unboundedPreceding(), 0)))
        .withColumn("fp", sum("neg").over(down.rowsBetween(Window.unboundedPreceding(), 0)))
        .withColumn("p", sum("pos").over(all))
        .withColumn("n", sum("neg").over(all))
        // A slice with one class only has no curve: null here, left out below.
        .withColumn("tpr", try_divide(col("tp"), col("p")))
        .withColumn("fpr", try_divide(col("fp"), col("n")))
        .withColumn("precision", col("tp").divide(col("tp").plus(col("fp"))));
    Column prevTpr = lag("tpr", 1, 0.0).over(down);
    Column prevFpr = lag("fpr", 1, 0.0).over(down);
    Column prevRecall = lag("tpr", 1, 0.0).over(down);
    Column prevPrecision = coalesce(lag("precision", 1).over(down), col("precision"));
    Dataset<Row> areas = points
        .withColumn("roc", col("fpr").minus(prevFpr).multiply(col("tpr").plus(prevTpr)).divide(2))
        .withColumn("pr", col("tpr").minus(prevRecall)
            .multiply(col("precision").plus(prevPrecision)).divide(2))
        .groupBy(SLICE).agg(sum("roc"), sum("pr"), first("p"), first("n"));
    for (Row r : areas.collectAsList()) {
      Map<String, Double> m = slices.get(r.isNullAt(0) ? null : r.getString(0));
      if (m != null && r.getDouble(3) > 0 && r.getDouble(4) > 0) {
        m.put(ModelMetric.AUC_ROC.id(), r.getDouble(1));
        m.put(ModelMetric.AUC_PR.id(), r.getDouble(2));
      }
    }
  }

  /**
   * AUC-ROC and AUC-PR of all the rows: MLlib's BinaryClassificationMetrics, whose sort is
   * distributed (the windowed form of {@link #curves} sorts each slice in one task).
   */
  private static void curve(Dataset<Row> scored, Map<Integer, Map<Integer, Long>> confusion,
                            Map<String, Double> m) {
    if (support(confusion, 1) == 0 || support(confusion, 0) == 0) {
      return; // one class only: no curve
    }
    JavaRDD<Tuple2<Object, Object>> scores = scored
        .select(element_at(col(PROBABILITIES), 2), col(LABEL)).toJavaRDD()
        .map(s -> new Tuple2<>(s.get(0), s.get(1)));
    BinaryClassificationMetrics curve = new BinaryClassificationMetrics(scores.rdd(), 0);
    m.put(ModelMetric.AUC_ROC.id(), curve.areaUnderROC());
    m.put(ModelMetric.AUC_PR.id(), curve.areaUnderPR());
    curve.unpersist();
  }

  /** rmse, mae and r2 of every slice from one grouped aggregation. */
  private static void regression(Dataset<Row> scored, Map<String, Map<String, Double>> slices) {
    Column error = col("prediction").minus(col(LABEL));
    for (Row r : scored.groupBy(col(SLICE)).agg(count(lit(1)), avg(pow(error, 2)),
        avg(abs(error)), sum(pow(error, 2)), var_pop(col(LABEL))).collectAsList()) {
      Map<String, Double> m = new LinkedHashMap<>();
      long rows = r.getLong(1);
      m.put("rows", (double) rows);
      m.put(ModelMetric.RMSE.id(), Math.sqrt(r.getDouble(2)));
      m.put(ModelMetric.MAE.id(), r.getDouble(3));
      double sst = r.getDouble(5) * rows;
      if (sst > 0) {
        m.put(ModelMetric.R2.id(), 1 - r.getDouble(4) / sst);
      }
      slices.put(r.isNullAt(0) ? null : r.getString(0), m);
    }
  }

  private static TreeSet<Integer> classes(Map<Integer, Map<Integer, Long>> confusion) {
    TreeSet<Integer> classes = new TreeSet<>(confusion.keySet());
    confusion.values().forEach(row -> classes.addAll(row.keySet()));
    return classes;
  }

  private static long cell(Map<Integer, Map<Integer, Long>> confusion, int actual, int predicted) {
    return confusion.getOrDefault(actual, Map.of()).getOrDefault(predicted, 0L);
  }
}
