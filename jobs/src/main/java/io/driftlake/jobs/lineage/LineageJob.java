package io.driftlake.jobs.lineage;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.history.CommitHistory;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.ModelAliases;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.score.Predictions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lineage --model SEL}: which table version trained the model (and which batch and run
 * wrote that version), which drift run triggered it, which champion it replaced (and what replaced
 * it), and which evaluation data judged it (evaluations and gate decisions).
 */
@Command(name = "lineage", sortOptions = false,
    description = "Where a model came from: its training data "
    + "and commit, the drift run that triggered it, its evaluations and promotions.")
public final class LineageJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--model", paramLabel = "SEL", required = true,
      description = "Model: an id, champion, previous or latest.")
  private String model;

  private LineageJob() {}

  public static void main(String[] args) {
    JobMain.run(new LineageJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    try (SparkSession spark = Sparks.session(settings, "lineage")) {
      Lake lake = new Lake(spark, settings);
      System.out.print(lineage(lake, Registry.model(lake, model)).text());
    }
    return 0;
  }

  /** The commit that wrote a table version: its batch id, run id and job (from userMetadata). */
  public record Commit(String batchId, String runId, String job, java.sql.Timestamp at) {}

  /** The drift run named by a {@code drift:RUN_ID} trigger, as recorded in drift_results. */
  public record DriftTrigger(String runId, TableRef reference, TableRef current,
                             boolean datasetDrifted, List<String> driftedFeatures) {}

  /** One evaluation the model had: data, split, labels version, headline metrics. */
  public record Judgement(TableRef data, String selection, String split, Long labelsVersion,
                          Map<String, Double> metrics, String runId) {}

  public record Lineage(Model model, Optional<Commit> trainingCommit, Optional<DriftTrigger> drift,
                        Optional<ModelAliases.Decision> replaced,
                        Optional<ModelAliases.Decision> replacedBy,
                        List<ModelAliases.Decision> decisions, List<Judgement> evaluations) {
    public String text() {
      StringBuilder s = new StringBuilder();
      Model m = model;
      s.append(String.format("lineage of model %s (%s %s, created %s by run %s)%n", m.modelId(),
          m.task().id(), m.algorithm(), m.createdAt(), m.runId()));
      s.append(String.format("  trained on: %s@%d%s%n", m.trainingTable(), m.trainingVersion(),
          trainingCommit.map(c -> String.format(" (written %s by %s, batch %s, run %s)", c.at(),
              c.job(), c.batchId(), c.runId())).orElse("")));
      s.append(String.format("  triggered by: %s%s%n", m.triggeredBy(), drift.map(d ->
          String.format(" — drift run %s compared %s with %s: dataset %s; drifted features %s",
              d.runId(), d.reference(), d.current(), d.datasetDrifted() ? "drifted" : "did not drift",
              d.driftedFeatures())).orElse("")));
      s.append(String.format("  replaced: %s%n", replaced.map(d -> d.previousModelId() == null
          ? "no champion (it was the first), decision #" + d.seq() + ": " + d.reason()
          : String.format("champion %s, decision #%d (%s): %s", d.previousModelId(), d.seq(),
              d.action(), d.reason())).orElse("nothing (never champion)")));
      replacedBy.ifPresent(d -> s.append(String.format("  replaced by: %s, decision #%d (%s): %s%n",
          d.modelId(), d.seq(), d.action(), d.reason())));
      s.append("  judged by:\n");
      for (ModelAliases.Decision d : decisions) {
        if (d.metric() != null) {
          s.append(String.format(Locale.ROOT, "    gate #%d on %s (%s): %s %.4f vs champion %s -> "
                  + "%s%n", d.seq(), d.evaluation().map(Object::toString).orElse("-"),
              d.evaluationSplit(), d.metric(), d.modelValue(),
              d.championValue() == null ? "-" : String.format(Locale.ROOT, "%.4f", d.championValue()),
              d.action()));
        }
      }
      for (Judgement j : evaluations) {
        s.append(String.format("    evaluation %s (%s, %s%s) by run %s: %s%n", j.data(),
            j.selection(), j.split(), j.labelsVersion() == null ? "" : ", labels@" + j.labelsVersion(),
            j.runId(), j.metrics()));
      }
      return s.toString();
    }
  }

  public static Lineage lineage(Lake lake, Model model) {
    JobSettings s = lake.settings();
    Optional<Commit> commit = Optional.empty();
    if (lake.exists(model.trainingTable())) {
      List<Row> rows = CommitHistory.of(lake, model.trainingTable())
          .where(col("version").equalTo(model.trainingVersion())).collectAsList();
      if (!rows.isEmpty()) {
        Row r = rows.get(0);
        commit = Optional.of(new Commit(r.getAs("batch_id"), r.getAs("run_id"), r.getAs("job"),
            r.getAs("timestamp")));
      }
    }
    List<ModelAliases.Decision> history = ModelAliases.history(lake);
    Optional<ModelAliases.Decision> replaced = history.stream()
        .filter(d -> d.alias().equals(ModelAliases.CHAMPION) && model.modelId().equals(d.modelId())
            && !d.action().equals(ModelAliases.ROLLBACK)).findFirst();
    Optional<ModelAliases.Decision> replacedBy = history.stream()
        .filter(d -> d.alias().equals(ModelAliases.CHAMPION)
            && model.modelId().equals(d.previousModelId())).reduce((a, b) -> b);
    List<ModelAliases.Decision> about = history.stream()
        .filter(d -> model.modelId().equals(d.modelId()) || model.modelId().equals(d.previousModelId()))
        .toList();
    return new Lineage(model, commit, driftTrigger(lake, model), replaced, replacedBy, about,
        evaluations(lake, model.modelId()));
  }

  private static Optional<DriftTrigger> driftTrigger(Lake lake, Model model) {
    String trigger = model.triggeredBy();
    String table = lake.settings().tables().driftResults();
    if (trigger == null || !trigger.startsWith("drift:") || !lake.exists(table)) {
      return Optional.empty();
    }
    String runId = trigger.substring("drift:".length());
    // Prediction and label drift of a run with the same id are not the trigger: leave them out.
    Dataset<Row> results = lake.spark().read().format("delta").load(lake.path(table));
    // Slice rows (drift_results.slice, when the table has it) are not the dataset's verdict.
    if (List.of(results.columns()).contains("slice")) {
      results = results.where(col("slice").isNull());
    }
    List<Row> rows = results
        .where(col("run_id").equalTo(runId)
            .and(col("feature").isin(Predictions.PREDICTION, Predictions.PROBABILITY, model.label())
                .unary_$bang()))
        .collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row first = rows.get(0);
    Set<String> drifted = new TreeSet<>();
    for (Row r : rows) {
      if (r.<Boolean>getAs("feature_drifted")) {
        drifted.add(r.getAs("feature"));
      }
    }
    return Optional.of(new DriftTrigger(runId,
        ref(first.getAs("reference_table"), first.getAs("reference_version"),
            first.getAs("reference_selection")),
        ref(first.getAs("current_table"), first.getAs("current_version"),
            first.getAs("current_selection")),
        first.<Boolean>getAs("dataset_drifted"), new ArrayList<>(drifted)));
  }

  private static TableRef ref(String table, long version, String selection) {
    return TableRef.parse(table + "@" + version + (selection.equals("added") ? ":added" : ""));
  }

  private static List<Judgement> evaluations(Lake lake, String modelId) {
    String table = lake.settings().tables().evaluations();
    if (!lake.exists(table)) {
      return List.of();
    }
    Map<String, Judgement> byRun = new LinkedHashMap<>();
    for (Row r : lake.spark().read().format("delta").load(lake.path(table))
        .where(col("model_id").equalTo(modelId).and(col("slice_column").isNull()))
        .orderBy(col("evaluated_at"), col("metric")).collectAsList()) {
      String id = String.join("|", r.getAs("run_id"), r.getAs("table"),
          String.valueOf(r.<Long>getAs("version")), r.getAs("selection"), r.getAs("split"),
          String.valueOf(r.<Long>getAs("labels_version")));
      Judgement j = byRun.computeIfAbsent(id, k -> new Judgement(
          ref(r.getAs("table"), r.getAs("version"), "snapshot"), r.getAs("selection"),
          r.getAs("split"), r.getAs("labels_version"), new LinkedHashMap<>(), r.getAs("run_id")));
      String metric = r.getAs("metric");
      if (!metric.startsWith("confusion_")) {
        j.metrics().put(metric, r.getAs("value"));
      }
    }
    return new ArrayList<>(byRun.values());
  }
}
