package io.driftlake.jobs.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.ColumnDrift;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.feedback.Labels;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.HeldOut;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Evaluations.Evaluation;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.score.Predictions;
import io.driftlake.jobs.train.Metrics;
import io.driftlake.jobs.train.Scored;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What {@code evaluate} does, for the job and for the other jobs that need it (the promotion gate
 * scores a model it has no evaluation of): metrics of a model on a table selection, overall and
 * by slice, or on its production predictions joined with the labels that have arrived.
 */
public final class Evaluator {
  private Evaluator() {}

  /** All labelled rows of a selection, no slices; returns the overall metrics. */
  public static Map<String, Double> evaluate(Lake lake, Model model, TableRef selection, String runId) {
    return table(lake, model, selection, Evaluations.ALL, List.of(), runId).get(0).metrics();
  }

  /**
   * Evaluates on a table selection and appends one commit per evaluation (the overall one first,
   * then one per slice column). Everything is checked before anything is written.
   */
  public static List<Evaluation> table(Lake lake, Model model, TableRef selection, String split,
                                       List<String> sliceBy, String runId) {
    TableRef ref = lake.resolve(selection);
    Dataset<Row> data = lake.read(ref);
    model.checkServes(ref, data.schema());
    List<String> columns = Arrays.asList(data.columns());
    if (!columns.contains(model.label())) {
      throw new IllegalArgumentException(String.format(
          "Table '%s' version %d has no label column '%s'", ref.table(), ref.version().getAsLong(),
          model.label()));
    }
    for (String s : sliceBy) {
      if (!columns.contains(s)) {
        throw new IllegalArgumentException(String.format(
            "Slice column '%s' is not in table '%s' version %d", s, ref.table(),
            ref.version().getAsLong()));
      }
    }
    if (split.equals(Evaluations.HELD_OUT)) {
      String key = lake.settings().schema().key();
      if (!columns.contains(key)) {
        throw new IllegalArgumentException(String.format(
            "Table '%s' version %d has no key column '%s' to choose the held-out rows by",
            ref.table(), ref.version().getAsLong(), key));
      }
      data = data.where(HeldOut.rows(key, model.testFraction()));
    }
    var context = lake.spark().sparkContext();
    context.setJobDescription("driftlake: evaluate " + model.modelId() + " on " + ref);
    long unlabelled = data.where(ColumnNames.col(model.label()).isNull()).count();
    Dataset<Row> labelled = data.where(ColumnNames.col(model.label()).isNotNull())
        .withColumn(Metrics.LABEL, ColumnNames.col(model.label()).cast("double"));
    Dataset<Row> scored = Scored.of(model.load().transform(labelled), model.task()).cache();
    try {
      Timestamp now = CommitStamp.now();
      Map<String, Double> overall = new LinkedHashMap<>(Metrics.compute(scored, model.task()));
      overall.put("unlabelled_rows", (double) unlabelled);
      List<Evaluation> out = new java.util.ArrayList<>();
      out.add(new Evaluation(model.modelId(), ref, ref.selection(), split, null, null, overall, null,
          Map.of(), now, runId, -1));
      for (String s : sliceBy) {
        out.add(new Evaluation(model.modelId(), ref, ref.selection(), split, null, null, Map.of(), s,
            Metrics.sliced(scored, model.task(), s, lake.settings().evaluate().maxSlices()), now,
            runId, -1));
      }
      out.replaceAll(e -> Evaluations.append(lake, e));
      return out;
    } finally {
      scored.unpersist();
      context.setJobDescription(null);
    }
  }

  /** A production evaluation: metrics on the labelled predictions, the counts, label drift. */
  public record Production(Evaluation evaluation, long predictions, long labelled, long unlabelled,
                           long labelsWithoutPrediction, Optional<FeatureDrift> labelDrift,
                           String evaluationsTable) {
    public String summary() {
      return String.format(Locale.ROOT, "evaluate: model %s on its predictions of %s with labels "
              + "%s@%s: %d predictions, %d labelled, %d still without a label, %d label(s) for row "
              + "keys no model scored; %s; label drift: %s; recorded in table '%s' as "
              + "version %d",
          evaluation.modelId(), evaluation.data(), evaluation.labelsTable(),
          evaluation.labelsVersion() == null ? "-" : evaluation.labelsVersion(), predictions,
          labelled, unlabelled, labelsWithoutPrediction, ModelMetric.listed(evaluation.metrics()),
          labelDrift.map(d -> (d.drifted() ? "yes" : "no") + String.format(Locale.ROOT,
              " (%s %.4f)", d.decidedBy(), d.severity())).orElse("not computed (no labels)"),
          evaluationsTable, evaluation.version());
    }
  }

  public static Production production(Lake lake, Model model, Optional<TableRef> source,
                                      String runId) {
    JobSettings s = lake.settings();
    Dataset<Row> predictions = Predictions.of(lake, model.modelId(), source.map(lake::resolve));
    // A row key scored in several source versions counts once, with its latest prediction.
    predictions = predictions.withColumn("__n", row_number().over(Window.partitionBy("row_key")
            .orderBy(col("source_version").desc(), col("scored_at").desc())))
        .where(col("__n").equalTo(1)).drop("__n");
    List<Row> sources = predictions.groupBy("source_table").agg(max("source_version"))
        .collectAsList();
    if (sources.size() != 1) {
      throw new IllegalArgumentException(String.format(
          "Model %s has predictions of several tables %s; choose one with --table",
          model.modelId(), sources.stream().map(r -> r.getString(0)).toList()));
    }
    TableRef data = source.map(lake::resolve).orElse(new TableRef(sources.get(0).getString(0),
        java.util.OptionalLong.of(sources.get(0).getLong(1)), false));
    String selection = source.isPresent() ? data.selection() : "predictions";

    Optional<TableRef> labelsRef = Labels.latestRef(lake);
    Dataset<Row> labels = labelsRef.map(r -> Labels.current(lake, r)).orElse(null);
    Dataset<Row> joined = labels == null
        ? predictions.withColumn("label", org.apache.spark.sql.functions.lit(null).cast("double"))
        : predictions.join(labels.select("row_key", "label"), "row_key", "left");
    joined = joined.cache();
    try {
      lake.spark().sparkContext().setJobDescription(
          "driftlake: evaluate " + model.modelId() + " on its predictions with delayed labels");
      long total = joined.count();
      Dataset<Row> matched = joined.where(col("label").isNotNull())
          .withColumn(Metrics.LABEL, col("label"))
          .withColumn(Metrics.PROBABILITIES, col("probabilities"));
      Map<String, Double> metrics = new LinkedHashMap<>(Metrics.compute(matched, model.task()));
      long labelled = metrics.get("rows").longValue();
      // Labels for unknown row keys: keys no model ever scored (a label for a row scored in
      // another version, or by an earlier champion, is not unknown).
      long orphans = labels == null ? 0 : labels.join(lake.spark().read().format("delta")
              .load(lake.path(s.tables().predictions())).select("row_key").distinct(),
          "row_key", "left_anti").count();
      metrics.put("predictions", (double) total);
      metrics.put("unlabelled_rows", (double) (total - labelled));
      metrics.put("labels_without_prediction", (double) orphans);

      Optional<DriftRun> drift = Optional.empty();
      if (labelled > 0) {
        TableRef training = model.trainingRef();
        Column labelColumn = ColumnNames.col(model.label());
        Dataset<Row> reference = lake.read(lake.resolve(training))
            .where(labelColumn.isNotNull()).select(labelColumn);
        Dataset<Row> current = matched.select(col("label").as(model.label()));
        FeatureType type = model.task().classification() ? FeatureType.CATEGORICAL : FeatureType.NUMERIC;
        if (type == FeatureType.CATEGORICAL) {
          reference = reference.select(labelColumn.cast("int").cast("string").as(model.label()));
          current = current.select(labelColumn.cast("int").cast("string").as(model.label()));
        } else {
          reference = reference.select(labelColumn.cast("double").as(model.label()));
        }
        drift = Optional.of(ColumnDrift.compare(lake, training, reference, data, current,
            List.of(new FeatureSpec(model.label(), type)), runId));
      }
      Evaluation e = new Evaluation(model.modelId(), data, selection, Evaluations.LABELLED, s.tables().labels(), labelsRef.map(r -> r.version().getAsLong())
          .orElse(null), metrics, null, Map.of(), CommitStamp.now(), runId, -1);
      Evaluation recorded = Evaluations.append(lake, e);
      drift.ifPresent(d -> ColumnDrift.record(lake, "evaluate", d, String.join(":", "driftlake-label-drift",
          runId, model.modelId(), data.toString(), String.valueOf(e.labelsVersion()))));
      return new Production(recorded, total, labelled, total - labelled, orphans,
          drift.map(d -> d.report().features().get(0)), s.tables().evaluations());
    } finally {
      joined.unpersist();
      lake.spark().sparkContext().setJobDescription(null);
    }
  }
}
