package io.driftlake.jobs.train;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Binary classification metrics of scored rows (columns rawPrediction, prediction, label). */
public final class Metrics {
  public static final String LABEL = "__label";

  private Metrics() {}

  public static Map<String, Double> binary(Dataset<Row> scored) {
    Row r = scored.agg(count(lit(1)),
        avg(when(col("prediction").equalTo(col(LABEL)), 1.0).otherwise(0.0)),
        avg(col(LABEL))).first();
    Map<String, Double> metrics = new LinkedHashMap<>();
    long rows = r.getLong(0);
    metrics.put("rows", (double) rows);
    if (rows == 0) {
      return metrics;
    }
    metrics.put("accuracy", r.getDouble(1));
    double positives = r.getDouble(2);
    if (positives > 0 && positives < 1) {
      metrics.put("auc", new BinaryClassificationEvaluator().setLabelCol(LABEL)
          .setRawPredictionCol("rawPrediction").setMetricName("areaUnderROC").evaluate(scored));
    }
    return metrics;
  }
}
