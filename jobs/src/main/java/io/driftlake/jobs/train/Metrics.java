package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.var_pop;

import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.ml.Task;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Metrics of scored rows: columns {@link #LABEL} (double, not null), {@code prediction} (double)
 * and, for classification, {@link #PROBABILITIES} (array of class probabilities, index = class).
 *
 * <p>Conventions (each metric id is a {@link ModelMetric} id, plus counts):
 * <ul>
 *   <li>{@code rows}: rows evaluated. {@code confusion_A_P}: rows with actual class A predicted
 *       as P, for every pair of classes seen in labels or predictions.
 *   <li>Binary: precision, recall and F1 of class 1; F1 = 2TP / (2TP + FP + FN). AUC-ROC and
 *       AUC-PR are MLlib's exact areas (BinaryClassificationMetrics, numBins = 0: no binning;
 *       ties as one threshold; the PR curve starts at
 *       (0, precision at the top threshold) and is integrated with trapezoids, which differs from
 *       scikit-learn's step-wise average precision). AUCs are left out when one class is absent.
 *   <li>Multiclass: precision, recall and F1 are averages over the true classes weighted by their
 *       support (a class never predicted has precision 0), like MLlib's weighted metrics.
 *   <li>log_loss: mean of −ln p(actual class), p clipped to [1e-15, 1 − 1e-15].
 *   <li>Regression: rmse, mae, r2 = 1 − SSE/SST (left out when the labels are constant).
 *   <li>A metric whose denominator is zero is left out, never stored as NaN.
 * </ul>
 */
public final class Metrics {
  public static final String LABEL = "__label";
  public static final String PROBABILITIES = "__probs";
  static final double EPS = 1e-15;

  private Metrics() {}

  public static Map<String, Double> compute(Dataset<Row> scored, Task task) {
    return task.classification() ? classification(scored, task) : regression(scored);
  }

  /** Metrics per value of {@code column} (value {@code null} for rows where it is null). */
  public static Map<String, Map<String, Double>> sliced(Dataset<Row> scored, Task task, String column,
                                                        int maxSlices) {
    List<Row> values = scored.select(ColumnNames.col(column).cast("string")).distinct().limit(maxSlices + 1)
        .collectAsList();
    if (values.size() > maxSlices) {
      throw new IllegalArgumentException(String.format(
          "Slice column '%s' has more than %d distinct values (driftlake.evaluate.max-slices)",
          column, maxSlices));
    }
    Map<String, Map<String, Double>> slices = new TreeMap<>(
        java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
    for (Row v : values) {
      String value = v.isNullAt(0) ? null : v.getString(0);
      Column match = value == null ? ColumnNames.col(column).isNull()
          : ColumnNames.col(column).cast("string").equalTo(value);
      slices.put(value, compute(scored.where(match), task));
    }
    return slices;
  }

  private static Map<String, Double> classification(Dataset<Row> scored, Task task) {
    Map<String, Double> m = new LinkedHashMap<>();
    Column pTrue = element_at(col(PROBABILITIES), col(LABEL).cast("int").plus(1));
    Row r = scored.agg(count(lit(1)),
        avg(log(least(greatest(pTrue, lit(EPS)), lit(1 - EPS))).multiply(-1))).first();
    long rows = r.getLong(0);
    m.put("rows", (double) rows);
    if (rows == 0) {
      return m;
    }
    // confusion[actual][predicted]
    Map<Integer, Map<Integer, Long>> confusion = new TreeMap<>();
    TreeSet<Integer> classes = new TreeSet<>();
    for (Row c : scored.groupBy(col(LABEL).cast("int"), col("prediction").cast("int")).count()
        .collectAsList()) {
      confusion.computeIfAbsent(c.getInt(0), k -> new TreeMap<>()).put(c.getInt(1), c.getLong(2));
      classes.add(c.getInt(0));
      classes.add(c.getInt(1));
    }
    long correct = 0;
    for (int a : classes) {
      correct += cell(confusion, a, a);
    }
    m.put(ModelMetric.ACCURACY.id(), (double) correct / rows);
    if (task == Task.BINARY) {
      long tp = cell(confusion, 1, 1);
      long fp = cell(confusion, 0, 1);
      long fn = cell(confusion, 1, 0);
      putRatio(m, ModelMetric.PRECISION.id(), tp, tp + fp);
      putRatio(m, ModelMetric.RECALL.id(), tp, tp + fn);
      putRatio(m, ModelMetric.F1.id(), 2 * tp, 2 * tp + fp + fn);
    } else {
      double precision = 0;
      double recall = 0;
      double f1 = 0;
      for (int c : classes) {
        long support = confusion.getOrDefault(c, Map.of()).values().stream()
            .mapToLong(Long::longValue).sum();
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
    if (!r.isNullAt(1)) {
      m.put(ModelMetric.LOG_LOSS.id(), r.getDouble(1));
    }
    if (task == Task.BINARY) {
      long positives = confusion.getOrDefault(1, Map.of()).values().stream()
          .mapToLong(Long::longValue).sum();
      if (positives > 0 && positives < rows) {
        // One curve for both areas (what BinaryClassificationEvaluator computes, sorted once).
        JavaRDD<Tuple2<Object, Object>> scores = scored
            .select(element_at(col(PROBABILITIES), 2), col(LABEL)).toJavaRDD()
            .map(s -> new Tuple2<>(s.get(0), s.get(1)));
        BinaryClassificationMetrics curve = new BinaryClassificationMetrics(scores.rdd(), 0);
        m.put(ModelMetric.AUC_ROC.id(), curve.areaUnderROC());
        m.put(ModelMetric.AUC_PR.id(), curve.areaUnderPR());
        curve.unpersist();
      }
    }
    for (int a : classes) {
      for (int p : classes) {
        m.put("confusion_" + a + "_" + p, (double) cell(confusion, a, p));
      }
    }
    return m;
  }

  private static Map<String, Double> regression(Dataset<Row> scored) {
    Column error = col("prediction").minus(col(LABEL));
    Row r = scored.agg(count(lit(1)), avg(pow(error, 2)), avg(abs(error)),
        sum(pow(error, 2)), var_pop(col(LABEL))).first();
    Map<String, Double> m = new LinkedHashMap<>();
    long rows = r.getLong(0);
    m.put("rows", (double) rows);
    if (rows == 0) {
      return m;
    }
    m.put(ModelMetric.RMSE.id(), Math.sqrt(r.getDouble(1)));
    m.put(ModelMetric.MAE.id(), r.getDouble(2));
    double sst = r.getDouble(4) * rows;
    if (sst > 0) {
      m.put(ModelMetric.R2.id(), 1 - r.getDouble(3) / sst);
    }
    return m;
  }

  private static long cell(Map<Integer, Map<Integer, Long>> confusion, int actual, int predicted) {
    return confusion.getOrDefault(actual, Map.of()).getOrDefault(predicted, 0L);
  }

  private static void putRatio(Map<String, Double> m, String id, long num, long den) {
    if (den > 0) {
      m.put(id, (double) num / den);
    }
  }
}
