package io.driftlake.jobs.estimate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.Optional;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.regression.IsotonicRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Whether a binary model's probabilities are calibrated on its reference rows, and the isotonic
 * map that calibrates them when they are not.
 *
 * <p>The check is the expected calibration error over {@value #BINS} equal-width bins of the
 * probability p: ECE = Σ_b (n_b / n)·|ȳ_b − p̄_b| = Σ_b |Σ_b y − Σ_b p| / n. A perfectly
 * calibrated model has a positive ECE too, from the labels' own randomness: given p, Σ_b y − Σ_b p
 * has variance Σ_b p(1 − p), so its expected absolute value is about √(2/π)·√(Σ_b p(1 − p)), and
 * the ECE of a calibrated model is about {@code noise} = √(2/π)·Σ_b √(Σ_b p(1 − p)) / n.
 * Calibration is needed when ECE &gt; noise + {@value #TOLERANCE}: a miscalibration of more than
 * one point of probability beyond what the reference's size explains. NannyML decides by
 * comparing cross-validated ECEs with and without an isotonic fit; both fit the same calibrator
 * (isotonic regression of y on p, clipped outside the reference's range), here MLlib's
 * {@link IsotonicRegression}.
 *
 * @param rows reference rows (labelled held-out rows)
 * @param ece expected calibration error of the raw probabilities on them
 * @param noise the ECE a calibrated model shows on that many rows (see above)
 * @param model the isotonic map, when calibration is needed
 */
public record Calibration(long rows, double ece, double noise,
                          Optional<IsotonicRegressionModel> model) {
  public static final int BINS = 10;
  public static final double TOLERANCE = 0.01;

  /** Whether the probabilities are calibrated (mapped through {@link #model}) before estimating. */
  public boolean applied() {
    return model.isPresent();
  }

  /**
   * Checks {@code reference} (columns {@code probability}: raw P(class 1), {@code label}: 0 or 1)
   * in one grouped job of at most {@value #BINS} rows, and fits the isotonic map when needed.
   */
  public static Calibration check(Dataset<Row> reference) {
    Dataset<Row> binned = reference.groupBy(
            least(floor(col(Cbpe.PROBABILITY).multiply(BINS)), lit(BINS - 1)).as("bin"))
        .agg(count(lit(1)), sum(col(Cbpe.PROBABILITY)), sum(col(Cbpe.LABEL)),
            sum(col(Cbpe.PROBABILITY).multiply(lit(1).minus(col(Cbpe.PROBABILITY)))));
    long rows = 0;
    double gap = 0;
    double spread = 0;
    for (Row b : binned.collectAsList()) {
      rows += b.getLong(1);
      gap += Math.abs(b.getDouble(3) - b.getDouble(2));
      spread += Math.sqrt(b.getDouble(4));
    }
    if (rows == 0) {
      throw new IllegalArgumentException(
          "No labelled reference rows to check the probabilities' calibration on");
    }
    double ece = gap / rows;
    double noise = Math.sqrt(2 / Math.PI) * spread / rows;
    Optional<IsotonicRegressionModel> model = ece > noise + TOLERANCE
        ? Optional.of(new IsotonicRegression().setFeaturesCol(Cbpe.PROBABILITY)
            .setLabelCol(Cbpe.LABEL).setPredictionCol(Cbpe.CALIBRATED).fit(reference))
        : Optional.empty();
    return new Calibration(rows, ece, noise, model);
  }

  /** {@code rows} with {@link Cbpe#CALIBRATED}: the mapped probability, or the raw one. */
  Dataset<Row> apply(Dataset<Row> rows) {
    return model.map(m -> m.transform(rows))
        .orElseGet(() -> rows.withColumn(Cbpe.CALIBRATED, col(Cbpe.PROBABILITY)));
  }
}
