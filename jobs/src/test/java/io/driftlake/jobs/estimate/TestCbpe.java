package io.driftlake.jobs.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.testing.LocalSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CBPE against labels drawn from known probabilities: the labels decide the realized metrics
 * (computed here by plain loops), the estimate never sees them.
 */
@ExtendWith(LocalSpark.class)
class TestCbpe {
  private static final StructType REFERENCE = new StructType()
      .add(Cbpe.PROBABILITY, DataTypes.DoubleType).add(Cbpe.LABEL, DataTypes.DoubleType);
  private static final StructType PRODUCTION = new StructType()
      .add(Cbpe.PROBABILITY, DataTypes.DoubleType).add(Cbpe.PREDICTION, DataTypes.DoubleType);
  private static final List<String> METRICS = List.of("accuracy", "precision", "recall", "f1",
      "auc_roc");

  /** One synthetic row: the model's score, its predicted class and the drawn label. */
  private record Draw(double score, double prediction, double label, double p) {}

  /** True P(y = 1) = sigmoid(0.3 + 1.5x), x ~ N(0, 1); the model scores squash(p). */
  private static List<Draw> draws(Random random, int n, boolean squashed) {
    List<Draw> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double p = 1 / (1 + Math.exp(-(0.3 + 1.5 * random.nextGaussian())));
      double score = squashed ? 0.5 + (p - 0.5) / 3 : p;
      out.add(new Draw(score, score >= 0.5 ? 1 : 0, random.nextDouble() < p ? 1 : 0, p));
    }
    return out;
  }

  private static Dataset<Row> reference(SparkSession spark, List<Draw> draws) {
    return spark.createDataFrame(draws.stream().map(d -> RowFactory.create(d.score(), d.label()))
        .toList(), REFERENCE);
  }

  private static Dataset<Row> production(SparkSession spark, List<Draw> draws) {
    return spark.createDataFrame(draws.stream()
        .map(d -> RowFactory.create(d.score(), d.prediction())).toList(), PRODUCTION).repartition(3);
  }

  /** Realized metrics from the labels: confusion counts and Mann-Whitney AUC (ties count ½). */
  private static Map<String, Double> realized(List<Draw> draws) {
    double tp = 0;
    double fp = 0;
    double fn = 0;
    double tn = 0;
    for (Draw d : draws) {
      if (d.prediction() == 1) {
        if (d.label() == 1) {
          tp++;
        } else {
          fp++;
        }
      } else if (d.label() == 1) {
        fn++;
      } else {
        tn++;
      }
    }
    List<Draw> sorted = new ArrayList<>(draws);
    sorted.sort(Comparator.comparingDouble(Draw::score));
    double negativesBelow = 0;
    double pairs = 0;
    for (int i = 0; i < sorted.size(); ) {
      int j = i;
      double pos = 0;
      double neg = 0;
      while (j < sorted.size() && sorted.get(j).score() == sorted.get(i).score()) {
        pos += sorted.get(j).label();
        neg += 1 - sorted.get(j).label();
        j++;
      }
      pairs += pos * (negativesBelow + neg / 2);
      negativesBelow += neg;
      i = j;
    }
    double positives = tp + fn;
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", (tp + tn) / draws.size());
    m.put("precision", tp / (tp + fp));
    m.put("recall", tp / positives);
    m.put("f1", 2 * tp / (2 * tp + fp + fn));
    m.put("auc_roc", pairs / (positives * (draws.size() - positives)));
    return m;
  }

  /**
   * NannyML's estimate_roc_auc, transcribed as a plain loop: rows by descending score, the
   * calibrated probabilities accumulated as expected true positives, trapezoids.
   */
  private static double nannymlAuc(double[] scores, double[] calibrated) {
    Integer[] order = new Integer[scores.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));
    double tps = 0;
    double fps = 0;
    double area = 0;
    for (Integer i : order) {
      double q = calibrated[i];
      area += (1 - q) * (tps + q / 2);
      tps += q;
      fps += 1 - q;
    }
    return area / (tps * fps);
  }

  @Test
  void calibratedProbabilitiesEstimateTheRealizedMetricsWithinTheBand(SparkSession spark) {
    Random random = new Random(7);
    Dataset<Row> reference = reference(spark, draws(random, 5000, false)).cache();
    int trials = 12;
    Map<String, Integer> covered = new LinkedHashMap<>();
    for (int t = 0; t < trials; t++) {
      List<Draw> batch = draws(random, 3000, false);
      Cbpe.Estimate estimate = Cbpe.estimate(reference, production(spark, batch));
      assertThat(estimate.calibration().applied()).isFalse();
      assertThat(estimate.rows()).isEqualTo(3000);
      // The point estimates, by their definitions on the scores (no label involved).
      double expectedCorrect = batch.stream()
          .mapToDouble(d -> d.prediction() == 1 ? d.score() : 1 - d.score()).sum();
      assertThat(estimate.metrics().get("accuracy").value())
          .isCloseTo(expectedCorrect / 3000, within(1e-9));
      double[] scores = batch.stream().mapToDouble(Draw::score).toArray();
      assertThat(estimate.metrics().get("auc_roc").value())
          .isCloseTo(nannymlAuc(scores, scores), within(1e-9));
      Map<String, Double> truth = realized(batch);
      for (String m : METRICS) {
        Cbpe.Estimated e = estimate.metrics().get(m);
        assertThat(e.lower()).isLessThan(e.value());
        assertThat(e.upper()).isGreaterThan(e.value());
        if (truth.get(m) >= e.lower() && truth.get(m) <= e.upper()) {
          covered.merge(m, 1, Integer::sum);
        }
      }
    }
    // A 3-standard-error band misses about 0.3% of the time: at most one miss in 12 per metric.
    for (String m : METRICS) {
      assertThat(covered.getOrDefault(m, 0)).as(m).isGreaterThanOrEqualTo(trials - 1);
    }
  }

  @Test
  void squashedProbabilitiesAreDetectedAndCalibrated(SparkSession spark) {
    Random random = new Random(11);
    Dataset<Row> reference = reference(spark, draws(random, 5000, true));
    List<Draw> batch = draws(random, 4000, true);
    Cbpe.Estimate estimate = Cbpe.estimate(reference, production(spark, batch));

    Calibration c = estimate.calibration();
    assertThat(c.applied()).isTrue();
    assertThat(c.rows()).isEqualTo(5000);
    assertThat(c.ece()).isGreaterThan(c.noise() + Calibration.TOLERANCE);
    Map<String, Double> truth = realized(batch);
    for (String m : METRICS) {
      Cbpe.Estimated e = estimate.metrics().get(m);
      assertThat(truth.get(m)).as(m).isBetween(e.lower(), e.upper());
    }
    // Without calibration the squashed scores would have promised a far worse accuracy.
    double raw = batch.stream().mapToDouble(d -> d.prediction() == 1 ? d.score() : 1 - d.score())
        .sum() / batch.size();
    assertThat(truth.get("accuracy") - raw).isGreaterThan(0.1);
    assertThat(Math.abs(estimate.metrics().get("accuracy").value() - truth.get("accuracy")))
        .isLessThan(0.02);
  }

  @Test
  void expectedConfusionCountsAndErrors() {
    // Two predicted positives (p = 0.9, 0.6), two predicted negatives (p = 0.2, 0.1).
    ExpectedConfusion c = new ExpectedConfusion(4, 2, 1.5, 0.09 + 0.24, 0.3, 0.16 + 0.09);
    assertThat(c.accuracy()).isCloseTo((1.5 + 1.7) / 4, within(1e-12));
    assertThat(c.precision()).isCloseTo(0.75, within(1e-12));
    assertThat(c.recall()).isCloseTo(1.5 / 1.8, within(1e-12));
    assertThat(c.f1()).isCloseTo(3.0 / (3.0 + 0.5 + 0.3), within(1e-12));
    assertThat(c.accuracyError()).isCloseTo(Math.sqrt(0.58) / 4, within(1e-12));
    assertThat(c.precisionError()).isCloseTo(Math.sqrt(0.33) / 2, within(1e-12));
    assertThat(ExpectedConfusion.aucError(0.5, 1, 1)).isCloseTo(0.5, within(1e-12));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ExpectedConfusion(4, 5, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Predicted positives 5 not in [0, 4]");
  }
}
