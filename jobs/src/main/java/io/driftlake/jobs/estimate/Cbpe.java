package io.driftlake.jobs.estimate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple3;

/**
 * Confidence-based performance estimation (CBPE, as NannyML defines it) of a binary classifier
 * on rows without labels: accuracy, precision, recall, F1 and ROC AUC from the predicted class and
 * the (calibrated) probability of class 1, each with a confidence band.
 *
 * <ul>
 *   <li>Calibration: checked on labelled reference rows and, when off, applied to the production
 *       probabilities first ({@link Calibration}).
 *   <li>Accuracy, precision, recall, F1: the metric of the expected confusion matrix
 *       ({@link ExpectedConfusion}), from one aggregation.
 *   <li>ROC AUC: the area under the expected ROC curve. Rows are ranked by the raw probability
 *       (the model's score); at each threshold the expected true positives are the sum of the
 *       calibrated probabilities above it and the expected false positives the sum of their
 *       complements. This is MLlib's exact {@link BinaryClassificationMetrics} on weighted points:
 *       each row is a positive of weight q and a negative of weight 1 − q at its score (a
 *       distributed sort; no row is collected). With distinct scores it is NannyML's
 *       {@code estimate_roc_auc}, which sorts by the uncalibrated probability and accumulates the
 *       calibrated one; tied scores are one threshold here (a trapezoid), one step each there.
 *   <li>Band: estimate ± {@value #Z} standard errors (NannyML's range of three sampling errors),
 *       clipped to [0, 1]. The standard errors are those of the realized metric given the
 *       probabilities (Poisson-binomial counts, {@link ExpectedConfusion}); for ROC AUC, Hanley
 *       and McNeil's, with the expected numbers of positives and negatives.
 * </ul>
 */
public final class Cbpe {
  /** Input columns: the raw probability of class 1, the predicted class (0 or 1), the label. */
  public static final String PROBABILITY = "probability";
  public static final String PREDICTION = "prediction";
  public static final String LABEL = "label";
  static final String CALIBRATED = "__calibrated";
  /** The band's half-width in standard errors. */
  public static final double Z = 3;

  private Cbpe() {}

  /** One estimated metric and its band. */
  public record Estimated(double value, double lower, double upper) {}

  /**
   * The estimate on {@code production} ({@link #PROBABILITY}, {@link #PREDICTION}), calibrated by
   * {@code reference} ({@link #PROBABILITY}, {@link #LABEL}: labelled rows the same model scored).
   * Metrics without a defined value (no predicted positive, no expected positive) are left out.
   */
  public record Estimate(long rows, Calibration calibration, Map<String, Estimated> metrics) {}

  public static Estimate estimate(Dataset<Row> reference, Dataset<Row> production) {
    // The reference is read twice (the check, the isotonic fit) and the production rows twice
    // (the sums, the ROC sort): each is computed once and kept (two or three doubles a row).
    Dataset<Row> labelled = reference.select(col(PROBABILITY).cast("double"),
        col(LABEL).cast("double")).cache();
    Dataset<Row> scored = null;
    try {
      Calibration calibration = Calibration.check(labelled);
      scored = calibration.apply(production.select(
          col(PROBABILITY).cast("double"), col(PREDICTION).cast("double"))).cache();
      return estimate(calibration, scored);
    } finally {
      labelled.unpersist();
      if (scored != null) {
        scored.unpersist();
      }
    }
  }

  private static Estimate estimate(Calibration calibration, Dataset<Row> scored) {
    Column q = col(CALIBRATED);
    Column positive = col(PREDICTION).equalTo(1);
    Column spread = q.multiply(lit(1).minus(q));
    Row s = scored.agg(count(lit(1)), sum(when(positive, 1).otherwise(0)),
        sum(when(positive, q).otherwise(0)), sum(when(positive, spread).otherwise(0)),
        sum(when(positive, 0).otherwise(q)), sum(when(positive, 0).otherwise(spread))).first();
    long rows = s.getLong(0);
    if (rows == 0) {
      throw new IllegalArgumentException("No predictions to estimate on");
    }
    ExpectedConfusion c = new ExpectedConfusion(rows, s.getLong(1), s.getDouble(2),
        s.getDouble(3), s.getDouble(4), s.getDouble(5));
    Map<String, Estimated> metrics = new LinkedHashMap<>();
    put(metrics, "accuracy", c.accuracy(), c.accuracyError());
    put(metrics, "precision", c.precision(), c.precisionError());
    put(metrics, "recall", c.recall(), c.recallError());
    put(metrics, "f1", c.f1(), c.f1Error());
    double auc = expectedAuc(scored);
    put(metrics, "auc_roc", auc, ExpectedConfusion.aucError(auc, c.positives(),
        rows - c.positives()));
    return new Estimate(rows, calibration, metrics);
  }

  /** Area under the expected ROC curve (see the class comment); NaN without both classes. */
  static double expectedAuc(Dataset<Row> scored) {
    var points = scored.select(col(PROBABILITY), col(CALIBRATED)).javaRDD().flatMap(r -> {
      double score = r.getDouble(0);
      double q = r.getDouble(1);
      List<Tuple3<Object, Object, Object>> out = new ArrayList<>(2);
      if (q > 0) {
        out.add(new Tuple3<>(score, 1.0, q));
      }
      if (q < 1) {
        out.add(new Tuple3<>(score, 0.0, 1 - q));
      }
      return out.iterator();
    });
    BinaryClassificationMetrics metrics = new BinaryClassificationMetrics(points.rdd(), 0);
    try {
      double auc = metrics.areaUnderROC();
      return Double.isFinite(auc) ? auc : Double.NaN;
    } finally {
      metrics.unpersist();
    }
  }

  private static void put(Map<String, Estimated> metrics, String id, double value, double error) {
    if (Double.isNaN(value)) {
      return;
    }
    double e = Double.isNaN(error) ? 0 : error;
    metrics.put(id, new Estimated(value, Math.max(0, value - Z * e), Math.min(1, value + Z * e)));
  }
}
