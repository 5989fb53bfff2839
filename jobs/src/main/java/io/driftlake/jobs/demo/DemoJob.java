package io.driftlake.jobs.demo;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.evaluate.EvaluateJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.train.Models;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The whole loop on the embedded default: generate → ingest training → train → ingest production
 * batches of rising drift → drift after each → retrain when the threshold is crossed → summary.
 * It owns its lake folder (marked by a file) and rebuilds it on every run, so running it twice is
 * safe; it refuses to touch a non-empty folder it did not create.
 */
public final class DemoJob {
  static final String MARKER = ".driftlake-demo";

  private DemoJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("demo", args, Set.of("rows"));
    JobSettings settings = JobSettings.load(a.option("config"));
    long rows = a.longOption("rows", settings.demo().rows());
    prepare(settings.lakeRoot());
    try (SparkSession spark = Sparks.session(settings, "demo")) {
      List<Step> steps = run(new Lake(spark, settings), rows);
      System.out.print(table(steps));
      System.out.println("demo: lake at " + settings.lakeRoot()
          + " (notebooks/time_travel.ipynb reads it; bin/driftlake history --table production)");
    }
  }

  /** One production batch of the loop, as printed in the summary. */
  public record Step(int batch, double driftStrength, long version, String topFeatures,
                     boolean drifted, String reason, Double aucOnBatch, boolean retrained,
                     String modelId, Double modelAuc) {}

  public static List<Step> run(Lake lake, long rows) {
    JobSettings s = lake.settings();
    Path landing = s.lakeRoot().resolve("landing");
    String runId = CommitStamp.newRunId();
    var spark = lake.spark();
    String trainingBatch = landing.resolve("training").resolve("batch-0").toString();
    GenerateJob.write(GenerateJob.batch(spark, rows, 0, 0.0, s.demo().seed()), trainingBatch, "parquet");
    log(IngestJob.ingest(lake, s.tables().training(), spark.read().parquet(trainingBatch),
        "training-0", runId).message());
    Models.Model model = TrainJob.train(lake, TableRef.parse(s.tables().training()), runId, "demo: initial");
    log(String.format(Locale.ROOT, "train: initial model %s, AUC %.4f", model.modelId(), model.auc()));

    List<Step> steps = new ArrayList<>();
    List<Double> drift = s.demo().drift();
    for (int i = 0; i < drift.size(); i++) {
      int batch = i + 1;
      String batchId = "production-" + batch;
      String input = landing.resolve("production").resolve("batch-" + batch).toString();
      GenerateJob.write(GenerateJob.batch(spark, rows, batch, drift.get(i), s.demo().seed()),
          input, "parquet");
      IngestJob.Result ingested = IngestJob.ingest(lake, s.tables().production(),
          spark.read().parquet(input), batchId, runId);
      log(ingested.message());
      TableRef current = TableRef.parse(s.tables().production() + "@" + ingested.version() + ":added");
      DriftJob.DriftRun run = DriftJob.run(lake, Optional.empty(), Optional.of(current),
          Optional.empty(), CommitStamp.newRunId());
      log("drift: " + run.report().reason());
      Double aucOnBatch = EvaluateJob.evaluate(lake, model, current, runId).get("auc");
      boolean retrained = false;
      if (run.report().drifted()) {
        log(IngestJob.ingest(lake, s.tables().training(), spark.read().parquet(input), batchId, runId)
            .message());
        model = TrainJob.train(lake, TableRef.parse(s.tables().training()), runId,
            "drift:" + run.runId());
        retrained = true;
        log(String.format(Locale.ROOT, "train: retrained model %s on training@%d, AUC %.4f",
            model.modelId(), model.trainingVersion(), model.auc()));
      }
      steps.add(new Step(batch, drift.get(i), ingested.version(), top(run), run.report().drifted(),
          run.report().reason(), aucOnBatch, retrained, model.modelId(), model.auc()));
    }
    return steps;
  }

  private static String top(DriftJob.DriftRun run) {
    return run.report().features().stream().limit(3)
        .map(f -> String.format(Locale.ROOT, "%s %.3f", f.feature(), f.severity()))
        .collect(Collectors.joining(", "));
  }

  static String table(List<Step> steps) {
    StringBuilder s = new StringBuilder(System.lineSeparator());
    String format = "%-5s %-6s %-7s %-62s %-8s %-10s %-9s %-26s %-9s%n";
    s.append(String.format(Locale.ROOT, format, "batch", "drift", "version",
        "top features by PSI", "drifted", "auc(batch)", "retrained", "model after", "model auc"));
    for (Step st : steps) {
      s.append(String.format(Locale.ROOT, format, st.batch(), String.format(Locale.ROOT, "%.2f",
              st.driftStrength()), st.version(), st.topFeatures(), st.drifted() ? "yes" : "no",
          st.aucOnBatch() == null ? "-" : String.format(Locale.ROOT, "%.4f", st.aucOnBatch()),
          st.retrained() ? "yes" : "no", st.modelId(),
          st.modelAuc() == null ? "-" : String.format(Locale.ROOT, "%.4f", st.modelAuc())));
    }
    long retrains = steps.stream().filter(Step::retrained).count();
    s.append(String.format(Locale.ROOT, "%d of %d batches drifted; %d retrain(s)%n",
        steps.stream().filter(Step::drifted).count(), steps.size(), retrains));
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

  private static void log(String line) {
    System.out.println(line);
  }
}
