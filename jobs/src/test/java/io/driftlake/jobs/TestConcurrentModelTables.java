package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.evaluate.Evaluator;
import io.driftlake.jobs.feedback.FeedbackJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.history.CommitHistory;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.ConcurrentWriteException;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Models;
import io.driftlake.jobs.score.ScoreJob;
import io.driftlake.jobs.train.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers racing on the model-side tables (threads released by a barrier, one shared local
 * Spark): {@code models} (two trains with different run ids and one with the same run id as
 * another), {@code predictions} (two scores of the same selection), {@code labels} (two feedbacks
 * of the same batch) and {@code evaluations} (two evaluations, one of them twice). Each write
 * lands once, each loser says so plainly, and each winner reports the version of its own commit,
 * checked against the table's Delta history. And a writer that loses every attempt ends in one
 * line naming the table, the operation, the run and the competing commit.
 */
@ExtendWith(LocalSpark.class)
class TestConcurrentModelTables {
  /** Cheap to train and compare: three numeric features, five iterations, PSI only. */
  private static final String CHEAP = "driftlake.train.features = [age, income, late_payments]\n"
      + "driftlake.train.params.logistic-regression.maxIter = 5\n"
      + "driftlake.drift.methods { numeric = [psi], categorical = [psi] }\n";

  @Test
  void racingWritersOnTheModelTablesLandOnceAndReportTheirOwnVersions(SparkSession spark,
      @TempDir Path dir) throws Exception {
    Lake lake = new Lake(spark, TestLakes.settings(dir, CHEAP));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, 400, 0, 0.0, 5), "t0", "run");
    Dataset<Row> batch = GenerateJob.batch(spark, 200, 1, 0.0, 5).cache();
    IngestJob.ingest(lake, "production", batch.drop("defaulted"), "p1", "run");

    // models: three trains at once, two of them under the same run id (an Airflow retry that
    // overlaps the first try). Each run registers one model; the loser's artifact is deleted.
    List<Model> trained = race(List.of(
        () -> TrainJob.train(lake, TableRef.parse("training"), "train-a", "manual"),
        () -> TrainJob.train(lake, TableRef.parse("training"), "train-b", "manual"),
        () -> TrainJob.train(lake, TableRef.parse("training"), "train-a", "manual")));
    List<Model> registered = Models.all(lake);
    assertThat(registered).extracting(Model::runId)
        .containsExactlyInAnyOrder("train-a", "train-b");
    assertThat(trained.get(0).modelId()).isEqualTo(trained.get(2).modelId())
        .isEqualTo(Models.byRun(lake, "train-a").orElseThrow().modelId());
    assertThat(trained.get(1).modelId())
        .isEqualTo(Models.byRun(lake, "train-b").orElseThrow().modelId());
    try (Stream<Path> artifacts = Files.list(dir.resolve("lake").resolve("model-artifacts"))) {
      assertThat(artifacts.map(p -> p.getFileName().toString()))
          .as("no artifact that no models row references")
          .containsExactlyInAnyOrderElementsOf(registered.stream().map(Model::modelId).toList());
    }
    Model model = trained.get(0);

    // predictions: two scores of the same selection; scored once, the loser says so.
    List<ScoreJob.Result> scores = race(List.of(
        () -> ScoreJob.score(lake, model, TableRef.parse("production@0:added"), "score-1"),
        () -> ScoreJob.score(lake, model, TableRef.parse("production@0:added"), "score-2")));
    assertThat(scores).extracting(ScoreJob.Result::written).containsExactlyInAnyOrder(true, false);
    ScoreJob.Result won = scores.get(scores.get(0).written() ? 0 : 1);
    ScoreJob.Result lost = scores.get(scores.get(0).written() ? 1 : 0);
    String winner = won == scores.get(0) ? "score-1" : "score-2";
    Map<String, Long> predictionCommits = commitsByRun(lake, "predictions");
    assertThat(predictionCommits).containsOnlyKeys(winner);
    assertThat(won.version()).isEqualTo(predictionCommits.get(winner));
    assertThat(won.message()).startsWith("score: model " + model.modelId() + " scored 200 rows "
        + "of production@0:added into table 'predictions' as version " + won.version() + ";");
    assertThat(lost.message()).isEqualTo("score: model " + model.modelId() + " already scored "
        + "production@0:added (table 'predictions' version " + won.version()
        + "); nothing written");
    assertThat(spark.read().format("delta").load(lake.path("predictions")).count())
        .isEqualTo(200);
    assertThat(spark.read().format("delta").load(lake.path("drift_results"))
        .select("run_id").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .as("prediction drift recorded by the winner only").containsExactly(winner);

    // labels: the same feedback batch from two writers lands once; both name its version.
    Dataset<Row> labels = batch.select("customer_id", "defaulted");
    List<FeedbackJob.Result> fed = race(List.of(
        () -> FeedbackJob.ingest(lake, labels, "labels-1", "feedback-1"),
        () -> FeedbackJob.ingest(lake, labels, "labels-1", "feedback-2")));
    assertThat(fed).extracting(FeedbackJob.Result::written).containsExactlyInAnyOrder(true, false);
    assertThat(fed).extracting(FeedbackJob.Result::version).containsOnly(0L);
    assertThat(fed.stream().filter(r -> !r.written()).findFirst().orElseThrow().message())
        .isEqualTo("feedback: batch 'labels-1' was already ingested into table 'labels' as "
            + "version 0; nothing written; 0 of 200 label(s) are for row keys no model has scored");
    assertThat(spark.read().format("delta").load(lake.path("labels")).count()).isEqualTo(200);

    // evaluations: two evaluation runs at once, one of them twice. Each run's evaluation and
    // label drift land once, and each reports the version of its own commit.
    Optional<TableRef> scored = Optional.of(TableRef.parse("production@0:added"));
    List<Evaluator.Production> judged = race(List.of(
        () -> Evaluator.production(lake, model, scored, "eval-a"),
        () -> Evaluator.production(lake, model, scored, "eval-b"),
        () -> Evaluator.production(lake, model, scored, "eval-a")));
    Map<String, Long> evaluationCommits = commitsByRun(lake, "evaluations");
    assertThat(evaluationCommits).containsOnlyKeys("eval-a", "eval-b");
    assertThat(judged).extracting(p -> p.evaluation().version()).containsExactly(
        evaluationCommits.get("eval-a"), evaluationCommits.get("eval-b"),
        evaluationCommits.get("eval-a"));
    assertThat(judged.get(1).summary()).endsWith("; recorded in table 'evaluations' as version "
        + evaluationCommits.get("eval-b"));
    Dataset<Row> evaluations = spark.read().format("delta").load(lake.path("evaluations"));
    long metrics = judged.get(1).evaluation().metrics().size();
    assertThat(evaluations.where("run_id = 'eval-a'").count()).isEqualTo(metrics);
    assertThat(evaluations.where("run_id = 'eval-b'").count()).isEqualTo(metrics);
    assertThat(commitsByRun(lake, "drift_results")).as("label drift recorded once per run")
        .containsOnlyKeys(winner, "eval-a", "eval-b");
  }

  /**
   * A writer whose every attempt loses (another writer changes the table's metadata while it
   * writes its files) gives up after the bounded retries with ONE line naming the table, the
   * operation, the job and run, and the competing commit; nothing of it is written.
   */
  @Test
  void aWriterThatLosesEveryAttemptEndsInOneLineNamingTheCompetingCommit(SparkSession spark,
      @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "feed", GenerateJob.batch(spark, 20, 0, 0.0, 3), "f0", "run-0");
    String table = lake.path("feed");
    Dataset<Row> batch = GenerateJob.batch(spark, 20, 1, 0.0, 3).cache();
    batch.count();
    Dataset<Row> contested = batch.repartition(1).filter((FilterFunction<Row>) r -> competeOnce());
    ThreadPoolExecutor competitor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>());
    competitor.prestartAllCoreThreads(); // a driver thread, not a task's
    int[] commits = {0};
    COMPETITOR.put("competitor", () -> competitor.submit(() -> spark.sql(String.format(
        "ALTER TABLE delta.`%s` SET TBLPROPERTIES ('driftlake.test.competitor' = '%d')", table,
        ++commits[0]))).get());
    try {
      assertThatThrownBy(() -> IngestJob.ingest(lake, "feed", contested, "f1", "run-1"))
          .isInstanceOf(ConcurrentWriteException.class)
          .satisfies(e -> assertThat(JobMain.oneLine(e)).isEqualTo(e.getMessage()))
          .hasMessage("Table 'feed': append by job 'ingest' (run run-1) lost to concurrent "
              + "commits 5 times; the latest competing commit is version 5 (SET TBLPROPERTIES); "
              + "nothing was written by this run (MetadataChangedException [DELTA_METADATA_CHANGED])");
    } finally {
      COMPETITOR.clear();
      competitor.shutdownNow();
    }
    assertThat(commits[0]).isEqualTo(5);
    assertThat(CommitHistory.of(lake, "feed").where("batch_id = 'f1'").count()).isZero();
    assertThat(spark.read().format("delta").load(table).count()).isEqualTo(20);
  }

  /** What a write task calls to make a competing commit land while it writes; per task once. */
  private static final Map<String, Callable<?>> COMPETITOR = new ConcurrentHashMap<>();
  private static final Set<Long> COMPETED = ConcurrentHashMap.newKeySet();

  private static boolean competeOnce() throws Exception {
    Callable<?> competitor = COMPETITOR.get("competitor");
    if (competitor != null && COMPETED.add(TaskContext.get().taskAttemptId())) {
      competitor.call();
    }
    return true;
  }

  /** Runs the calls at once (released together by a barrier) and returns their results. */
  private static <T> List<T> race(List<Callable<T>> calls) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(calls.size());
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      List<Future<T>> running = new ArrayList<>();
      for (Callable<T> call : calls) {
        running.add(pool.submit(() -> {
          barrier.await();
          return call.call();
        }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : running) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Run id → the version whose commit carries it, from the table's Delta history. */
  private static Map<String, Long> commitsByRun(Lake lake, String table) {
    Map<String, Long> versions = new HashMap<>();
    for (Row r : CommitHistory.of(lake, table).collectAsList()) {
      Long previous = versions.put(r.getAs("run_id"), r.<Long>getAs("version"));
      assertThat(previous).as("run %s committed twice to %s", r.getAs("run_id"), table).isNull();
    }
    return versions;
  }
}
