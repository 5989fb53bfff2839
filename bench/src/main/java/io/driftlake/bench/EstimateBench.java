package io.driftlake.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import io.driftlake.jobs.estimate.Cbpe;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The cost of a CBPE estimate (issue 21 item 1): the predictions of v1's added rows (N rows, a
 * probability from feature n0, squashed so that the isotonic calibration runs too) estimated with
 * a reference of 20 % of v0 (labels drawn from the unsquashed probability), against a scan of
 * v1's added rows.
 */
final class EstimateBench {
  private EstimateBench() {}

  static void run(Timings timings, Dataset<Row> v0, Dataset<Row> v1) {
    Column p = lit(1).divide(lit(1).plus(exp(col("n0").minus(100).divide(-10))));
    Column squashed = lit(0.5).plus(p.minus(0.5).divide(3));
    Dataset<Row> reference = v0.where(col("n0").isNotNull()).sample(0.2, 21)
        .select(squashed.as(Cbpe.PROBABILITY),
            when(rand(22).lt(p), 1.0).otherwise(0.0).as(Cbpe.LABEL));
    Dataset<Row> production = v1.where(col("n0").isNotNull()).select(squashed.as(Cbpe.PROBABILITY),
        when(squashed.geq(0.5), 1.0).otherwise(0.0).as(Cbpe.PREDICTION));
    // Warm, as the other steps: the JVM's first isotonic fit and ROC sort compile their code.
    timings.time("CBPE estimate (warm-up on 1 %, not counted)", false,
        () -> Cbpe.estimate(reference.sample(0.05, 23), production.sample(0.01, 24)));
    Cbpe.Estimate estimate = timings.time("CBPE estimate of v1 added (calibrated)",
        () -> Cbpe.estimate(reference, production));
    Map<String, Double> seconds = timings.seconds();
    System.out.printf(Locale.ROOT, "CBPE estimate / scan of v1 added rows: %.2f (calibration "
            + "%s, accuracy %.4f)%n",
        seconds.get("CBPE estimate of v1 added (calibrated)") / seconds.get("scan v1 added rows"),
        estimate.calibration().applied() ? "applied" : "not needed",
        estimate.metrics().get("accuracy").value());
  }
}
