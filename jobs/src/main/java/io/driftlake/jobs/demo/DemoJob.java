package io.driftlake.jobs.demo;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.calibrate.Calibration;
import io.driftlake.jobs.calibrate.Thresholds;
import io.driftlake.jobs.common.Console;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.estimate.Estimator;
import io.driftlake.jobs.evaluate.Evaluator;
import io.driftlake.jobs.feedback.FeedbackJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.models.ModelsJob;
import io.driftlake.jobs.models.Promotions;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import io.driftlake.jobs.score.Predictions;
import io.driftlake.jobs.score.ScoreJob;
import io.driftlake.jobs.train.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole loop on the embedded default: generate → ingest training → train → gate (the first
 * model becomes champion) → for each production batch of rising drift: ingest (without labels) →
 * drift → the champion scores it → its labels arrive (feedback) → evaluate the predictions →
 * retrain when the dataset drifted (and once on a schedule) → gate → summary and model history.
 * It owns its lake folder (marked by a file) and rebuilds it on every run, so running it twice is
 * safe; it refuses to touch a non-empty folder it did not create.
 */
@Command(name = "demo", sortOptions = false,
    description = "Rebuilds a local lake and runs the whole loop: "
    + "ingest, train, score, drift, retrain, promote, on synthetic batches.")
public final class DemoJob implements Callable<Integer> {
  static final String MARKER = ".driftlake-demo";

  @Mixin private JobOptions options;

  @Option(names = "--rows", paramLabel = "N",
      description = "Rows per batch (default: driftlake.demo.rows).")
  private Long rows;

  private DemoJob() {}

  public static void main(String[] args) {
    JobMain.run(new DemoJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    long rows = Optional.ofNullable(this.rows).orElse(settings.demo().rows());
    if (!settings.lakeRoot().local()) {
      throw new IllegalArgumentException("The demo rebuilds its lake in a local folder; "
          + "driftlake.lake-root is " + settings.lakeRoot());
    }
    prepare(settings.lakeRoot().localPath());
    try (SparkSession spark = Sparks.session(settings, "demo")) {
      Outcome outcome = run(new Lake(spark, settings.forDemo()), rows);
      System.out.print(table(outcome.steps()));
      System.out.println();
      System.out.println("model history (bin/driftlake models list):");
      System.out.print(outcome.modelHistory());
      System.out.println("demo: lake at " + settings.lakeRoot()
          + " (notebooks/time_travel.ipynb reads it; bin/driftlake history --table production)");
    }
    return 0;
  }

  /** One production batch of the loop, as printed in the summary. */
  public record Step(int batch, double driftStrength, long version, String topFeatures,
                     boolean drifted, String reason, Double estimatedAuc, Double aucOnBatch,
                     long unlabelled,
                     String predictionDrift, String trainedModel, String decision,
                     String champion, Double championAuc) {}

  /** What the demo did: the steps and the registry's model history at the end. */
  public record Outcome(List<Step> steps, String modelHistory) {}

  public static Outcome run(Lake lake, long rows) {
    JobSettings s = lake.settings();
    Location landing = s.lakeRoot().resolve("landing");
    String demo = "demo-" + CommitStamp.newRunId().substring(0, 8);
    var spark = lake.spark();
    Clock clock = new Clock();
    String trainingBatch = landing.resolve("training").resolve("batch-0").toString();
    GenerateJob.write(GenerateJob.batch(spark, rows, 0, 0.0, s.demo().seed()), trainingBatch, "parquet");
    clock.log(String.format("generate: %d rows of the training batch", rows));
    clock.log(IngestJob.ingest(lake, s.tables().training(), spark.read().parquet(trainingBatch),
        "training-0", demo).message());
    Model initial = TrainJob.train(lake, TableRef.parse(s.tables().training()), demo + "-train-0",
        "demo: initial");
    clock.log(TrainJob.describe(initial));
    clock.log(Promotions.gate(lake, initial, Optional.empty(), demo + "-train-0").summary());

    List<Step> steps = new ArrayList<>();
    List<Double> drift = s.demo().drift();
    Location reports = null;
    for (int i = 0; i < drift.size(); i++) {
      int batch = i + 1;
      String runId = demo + "-batch-" + batch;
      String batchId = "production-" + batch;
      String input = landing.resolve("production").resolve("batch-" + batch).toString();
      GenerateJob.write(GenerateJob.batch(spark, rows, batch, drift.get(i), s.demo().seed()),
          input, "parquet");
      clock.log(String.format(Locale.ROOT, "generate: %d rows of production batch %d (drift %.2f)",
          rows, batch, drift.get(i)));
      IngestJob.Result ingested = IngestJob.ingest(lake, s.tables().production(),
          spark.read().parquet(input).drop(s.schema().label()), batchId, runId);
      clock.log(ingested.message());
      TableRef current = TableRef.parse(s.tables().production() + "@" + ingested.version() + ":added");
      DriftRun run = DriftJob.run(lake, Optional.empty(), Optional.of(current),
          Optional.empty(), runId);
      clock.log("drift: " + run.report().reason());

      // The champion scores the batch; its labels arrive later and judge the predictions.
      Model champion = Registry.model(lake, Registry.CHAMPION);
      ScoreJob.Result scored = ScoreJob.score(lake, champion, current, runId);
      clock.log(scored.message());
      // Before its labels arrive: the champion's performance estimated from its probabilities.
      Estimator.Result estimated = Estimator.estimate(lake, champion, current, runId);
      clock.log(estimated.message());
      clock.log(FeedbackJob.ingest(lake, spark.read().parquet(input)
          .select(ColumnNames.col(s.schema().key()), ColumnNames.col(s.schema().label())),
          "labels-" + batch, runId).message());
      Evaluator.Production judged = Evaluator.production(lake, champion, Optional.of(current),
          runId);
      clock.log(judged.summary());

      Optional<Model> trained = Optional.empty();
      if (run.report().drifted()) {
        clock.log(IngestJob.ingest(lake, s.tables().training(), spark.read().parquet(input), batchId,
            runId).message());
        trained = Optional.of(TrainJob.train(lake, TableRef.parse(s.tables().training()), runId,
            "drift:" + run.runId()));
      } else if (batch == 1) {
        // A scheduled retrain on unchanged data: the same version, parameters and seed give the
        // same metrics, so the gate must keep the champion.
        trained = Optional.of(TrainJob.train(lake, TableRef.parse(s.tables().training()), runId,
            "schedule"));
      }
      String decision = "-";
      if (trained.isPresent()) {
        clock.log(TrainJob.describe(trained.get()));
        Promotions.GateDecision gate = Promotions.gate(lake, trained.get(), Optional.empty(), runId);
        clock.log(gate.summary());
        decision = gate.promoted() ? "promoted" : "challenger";
      }
      Model after = Registry.model(lake, Registry.CHAMPION);
      reports = run.reportDir();
      steps.add(new Step(batch, drift.get(i), ingested.version(), top(run), run.report().drifted(),
          run.report().reason(), estimated.evaluation().metrics().get("auc_roc"),
          judged.evaluation().metrics().get("auc_roc"), judged.unlabelled(),
          scored.predictionDrift().stream().filter(f -> f.feature().equals(Predictions.PROBABILITY))
              .map(f -> String.format(Locale.ROOT, "%.3f%s", f.severity(), f.drifted() ? "*" : ""))
              .findFirst().orElse("-"),
          trained.map(Model::modelId).orElse("-"), decision, after.modelId(),
          after.metric("auc_roc").orElse(null)));
    }
    // The first champion estimated the early batches, and their labels came: estimate vs realized.
    clock.log("estimate: estimate vs realized of model " + initial.modelId() + " in "
        + Estimator.writePage(lake, initial.modelId(), reports));
    // Thresholds learned from the production batches' stored profiles (no data read).
    Calibration.Result calibration = Calibration.run(new KernelLake(s), s.tables().production(),
        "added", s.demo().calibrateRate(), Set.of());
    Thresholds.append(lake, calibration, demo + "-calibrate", CommitStamp.now());
    clock.log(String.format(Locale.ROOT, "calibrate: %d thresholds of %s from %d batch pairs at "
            + "a false-alarm rate of %s, in table '%s'", calibration.thresholds().size(),
        calibration.table(), calibration.pairs().size(), calibration.rate(),
        s.tables().thresholds()));
    return new Outcome(steps, ModelsJob.list(lake));
  }

  private static String top(DriftRun run) {
    return run.report().features().stream()
        .sorted(Comparator.comparingDouble(FeatureDrift::severity).reversed()).limit(3)
        .map(f -> String.format(Locale.ROOT, "%s %.3f", f.feature(), f.severity()))
        .collect(Collectors.joining(", "));
  }

  static String table(List<Step> steps) {
    StringBuilder s = new StringBuilder(System.lineSeparator());
    String format = "%-5s %-5s %-7s %-56s %-7s %-9s %-10s %-9s %-24s %-10s %-24s %-9s%n";
    s.append(String.format(Locale.ROOT, format, "batch", "drift", "version",
        "top features by PSI", "drifted", "est.auc", "auc(batch)", "pred.psi", "trained", "gate",
        "champion after", "its auc"));
    for (Step st : steps) {
      s.append(String.format(Locale.ROOT, format, st.batch(), String.format(Locale.ROOT, "%.2f",
              st.driftStrength()), st.version(), st.topFeatures(), st.drifted() ? "yes" : "no",
          st.estimatedAuc() == null ? "-" : String.format(Locale.ROOT, "%.4f", st.estimatedAuc()),
          st.aucOnBatch() == null ? "-" : String.format(Locale.ROOT, "%.4f", st.aucOnBatch()),
          st.predictionDrift(), st.trainedModel(), st.decision(), st.champion(),
          st.championAuc() == null ? "-" : String.format(Locale.ROOT, "%.4f", st.championAuc())));
    }
    long retrains = steps.stream().filter(st -> !st.trainedModel().equals("-")).count();
    long promoted = steps.stream().filter(st -> st.decision().equals("promoted")).count();
    s.append(String.format(Locale.ROOT, "%d of %d batches drifted; %d retrain(s), %d promoted by "
            + "the gate; est.auc = the champion's AUC estimated without labels (CBPE); auc(batch) = "
            + "its predictions judged by the batch's delayed labels; pred.psi = PSI of its predicted probability vs on its training data "
            + "(* drifted)%n",
        steps.stream().filter(Step::drifted).count(), steps.size(), retrains, promoted));
    return s.toString();
  }

  /** Empties the demo's lake folder, refusing one that holds anything the demo did not make. */
  static void prepare(Path root) throws IOException {
    if (Files.isDirectory(root)) {
      boolean empty;
      try (Stream<Path> entries = Files.list(root)) {
        empty = entries.findAny().isEmpty();
      }
      if (!empty && !Files.exists(root.resolve(MARKER))) {
        throw new IllegalStateException(String.format(
            "Refusing to run the demo in %s: the folder is not empty and was not made by the demo "
                + "(no %s file). Point driftlake.lake-root (or DRIFTLAKE_LAKE_ROOT) at a new folder.",
            root, MARKER));
      }
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(root);
    Files.writeString(root.resolve(MARKER), "This lake was made by `bin/driftlake demo`; "
        + "the next demo run deletes and rebuilds it.\n");
  }

  /** Prints each step's line with the seconds since the previous one: what it took. */
  private static final class Clock {
    private final Console.Stopwatch watch = new Console.Stopwatch();

    void log(String line) {
      System.out.println(watch.line(line));
    }
  }
}
