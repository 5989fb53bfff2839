package io.driftlake.jobs.estimate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.HeldOut;
import io.driftlake.jobs.ml.Task;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Evaluations.Band;
import io.driftlake.jobs.registry.Evaluations.Evaluation;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.score.Predictions;
import io.driftlake.jobs.train.Metrics;
import io.driftlake.jobs.train.Scored;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What {@code estimate} does: a binary model's performance on its predictions of a table
 * selection, before their labels land ({@link Cbpe}), recorded in {@code evaluations} as rows of
 * kind {@value Evaluations#ESTIMATED} with their band. The reference that checks calibration is
 * the model's held-out rows of its training version ({@link HeldOut}), scored by the model now.
 */
public final class Estimator {
  /** The page's file name in a report directory. */
  public static final String PAGE = "estimate.html";

  private Estimator() {}

  /** The recorded estimate and the calibration behind it. */
  public record Result(Evaluation evaluation, Cbpe.Estimate estimate, String table) {
    public String message() {
      Calibration c = estimate.calibration();
      return String.format(Locale.ROOT, "estimate: model %s on its %d predictions of %s, without "
              + "labels: %s; probabilities %s (reference ECE %.4f over %d held-out rows, %.4f "
              + "expected of a calibrated model); recorded in table '%s' as version %d",
          evaluation.modelId(), estimate.rows(), evaluation.data(),
          estimate.metrics().entrySet().stream().map(e -> String.format(Locale.ROOT,
              "%s %.4f [%.4f, %.4f]", e.getKey(), e.getValue().value(), e.getValue().lower(),
              e.getValue().upper())).collect(Collectors.joining(", ")),
          c.applied() ? "calibrated (isotonic) first" : "used as they are", c.ece(), c.rows(),
          c.noise(), table, evaluation.version());
    }
  }

  /** Estimates on the model's predictions of {@code selection} and appends one commit. */
  public static Result estimate(Lake lake, Model model, TableRef selection, String runId) {
    if (model.task() != Task.BINARY) {
      throw new IllegalArgumentException(String.format(
          "Model %s is a %s model; estimating performance without labels needs a binary "
          + "classifier", model.modelId(), model.task().id()));
    }
    TableRef ref = lake.resolve(selection);
    Dataset<Row> production = Predictions.of(lake, model.modelId(), Optional.of(ref))
        .select(col(Predictions.PROBABILITY).as(Cbpe.PROBABILITY),
            col(Predictions.PREDICTION).as(Cbpe.PREDICTION));
    var context = lake.spark().sparkContext();
    context.setJobDescription("driftlake: estimate " + model.modelId() + " on " + ref);
    try {
      Cbpe.Estimate estimate = Cbpe.estimate(reference(lake, model), production);
      Map<String, Double> metrics = new LinkedHashMap<>();
      Map<String, Band> bands = new LinkedHashMap<>();
      boolean calibrated = estimate.calibration().applied();
      estimate.metrics().forEach((id, e) -> {
        metrics.put(id, e.value());
        bands.put(id, new Band(e.lower(), e.upper()));
      });
      metrics.put("rows", (double) estimate.rows());
      metrics.put("reference_rows", (double) estimate.calibration().rows());
      metrics.put("reference_ece", estimate.calibration().ece());
      metrics.put("reference_ece_noise", estimate.calibration().noise());
      Evaluation e = new Evaluation(model.modelId(), ref, ref.selection(), Evaluations.PREDICTIONS,
          null, null, metrics, null, Map.of(), CommitStamp.now(), runId, -1,
          Evaluations.ESTIMATED, bands, calibrated);
      return new Result(Evaluations.append(lake, e), estimate,
          lake.settings().tables().evaluations());
    } finally {
      context.setJobDescription(null);
    }
  }

  /**
   * Writes {@code estimate.html} into {@code dir}: every estimate of the model beside the realized
   * metric of the same batch ({@link Evaluations#estimateVsRealized}, a few rows per batch).
   */
  public static Location writePage(Lake lake, String modelId, Location dir) {
    List<EstimatePage.Point> points = new ArrayList<>();
    for (Row r : Evaluations.estimateVsRealized(lake, modelId).collectAsList()) {
      points.add(new EstimatePage.Point(r.getAs("table"), r.<Long>getAs("version"),
          r.getAs("selection"), r.getAs("metric"), r.<Double>getAs("estimated"),
          r.<Double>getAs("lower"), r.<Double>getAs("upper"),
          Boolean.TRUE.equals(r.getAs("calibrated")), r.getAs("realized")));
    }
    Location page = dir.resolve(PAGE);
    page.write(lake.spark().sparkContext().hadoopConfiguration(),
        EstimatePage.render(modelId, points));
    return page;
  }

  /** The model's labelled held-out rows of its training version, scored by it. */
  static Dataset<Row> reference(Lake lake, Model model) {
    TableRef training = lake.resolve(model.trainingRef());
    Dataset<Row> data = lake.read(training);
    String key = lake.settings().schema().key();
    if (!Arrays.asList(data.columns()).contains(key)) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' version %d has no key column '%s' to choose the held-out rows by",
          training.table(), training.version().getAsLong(), key));
    }
    Dataset<Row> heldOut = data.where(HeldOut.rows(key, model.testFraction())
        .and(ColumnNames.col(model.label()).isNotNull()));
    return Scored.of(model.load().transform(heldOut), model.task())
        .select(element_at(col(Metrics.PROBABILITIES), 2).as(Cbpe.PROBABILITY),
            ColumnNames.col(model.label()).cast("double").as(Cbpe.LABEL));
  }
}
