package io.driftlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.PausePoints;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.doctor.DoctorJob;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.models.ModelsJob;
import io.driftlake.jobs.models.Promotions;
import io.driftlake.jobs.profile.ProfileStore;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.ModelAliases;
import io.driftlake.jobs.registry.Models;
import io.driftlake.jobs.train.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of real drift, train and promote processes at a chosen point between their commits
 * ({@link PausePoints}): each table is left at a version, nothing half written, and the rerun
 * with the same run id writes exactly what was missing, once. Reruns run in this JVM; what a
 * killed train leaves is found and removed by a real {@code doctor} process.
 */
@ExtendWith(LocalSpark.class)
class TestKilledJobs {
  /** The generated batches' features: every column but the key (customer_id) and the label. */
  private static final List<String> FEATURES = List.of("age", "income", "loan_amount",
      "credit_utilization", "late_payments", io.driftlake.jobs.generate.GenerateJob.TENURE, "employment_type",
      io.driftlake.jobs.generate.GenerateJob.REGION,
      "channel");
  private static final int ROWS = 300;
  /** Drift without the exact passes: fewer Spark jobs, and the commits are the same. */
  private static final Optional<DriftSettings.StatisticsMode> APPROXIMATE =
      Optional.of(DriftSettings.StatisticsMode.APPROXIMATE);
  /** A killed job's JVM lives seconds: the C1 compiler and one GC thread spare the 2 cores. */
  private static final List<String> SHORT_JVM = List.of("-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC");

  @Test
  void killedDriftLeavesEachTableAtACommitAndItsRerunWritesTheRestOnce(SparkSession spark,
                                                                        @TempDir Path dir)
      throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, ROWS, 0, 0.0, 1), "t0", "r");
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, ROWS, 1, 0.6, 1), "p0", "r");

    // Killed right after the profiles commit: results and checks not written.
    killAt(dir, PausePoints.DRIFT_PROFILES_SAVED, DriftJob.class, "--config", conf(dir),
        "--reference", "training@0", "--current", "production@0", "--mode", "approximate",
        "--run-id", "d1");
    assertThat(versions(lake)).containsExactly("profiles@0");
    assertThat(profileKeys(spark, lake)).as("each side's features, once")
        .hasSize(2 * FEATURES.size()).doesNotHaveDuplicates();
    assertThat(dir.resolve("lake/reports/d1")).doesNotExist();

    DriftRun rerun = DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("production@0")), Optional.empty(), "d1", APPROXIMATE);
    assertThat(rerun.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(rerun.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(rerun.referenceProfiles().rows()).isEqualTo(ROWS);
    assertThat(rerun.currentProfiles().rows()).isEqualTo(ROWS);
    assertThat(rerun.report().features()).extracting(f -> f.feature())
        .containsExactlyInAnyOrderElementsOf(FEATURES);
    assertThat(versions(lake))
        .containsExactly("drift_checks@0", "drift_results@0", "profiles@0");
    long resultsPerRun = rows(spark, lake, "drift_results", "d1");
    assertThat(resultsPerRun).isGreaterThanOrEqualTo(FEATURES.size());
    long checksPerRun = rows(spark, lake, "drift_checks", "d1");
    assertThat(checksPerRun).isPositive();
    assertThat(dir.resolve("lake/reports/d1/drift.json")).exists();

    // Killed right after the results commit of a run on a new batch: checks not written.
    IngestJob.ingest(lake, "production", GenerateJob.batch(spark, ROWS, 2, 0.6, 1), "p1", "r");
    killAt(dir, PausePoints.DRIFT_RESULTS_WRITTEN, DriftJob.class, "--config", conf(dir),
        "--reference", "training@0", "--current", "production@1:added", "--mode",
        "approximate", "--run-id", "d2");
    assertThat(versions(lake))
        .containsExactly("drift_checks@0", "drift_results@1", "profiles@1");
    assertThat(rows(spark, lake, "drift_results", "d2")).isEqualTo(resultsPerRun);
    assertThat(rows(spark, lake, "drift_checks", "d2")).isZero();

    DriftRun again = DriftJob.run(lake, Optional.of(TableRef.parse("training@0")),
        Optional.of(TableRef.parse("production@1:added")), Optional.empty(), "d2", APPROXIMATE);
    assertThat(again.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(again.currentProfiles().rows()).isEqualTo(ROWS);
    assertThat(versions(lake))
        .containsExactly("drift_checks@1", "drift_results@1", "profiles@1");
    assertThat(rows(spark, lake, "drift_results", "d2")).isEqualTo(resultsPerRun);
    assertThat(rows(spark, lake, "drift_checks", "d2")).isEqualTo(checksPerRun);
    assertThat(profileKeys(spark, lake)).hasSize(3 * FEATURES.size()).doesNotHaveDuplicates();
    assertThat(DoctorJob.examine(lake.settings(), Duration.ZERO)).isEmpty();
  }

  @Test
  void killedTrainLeavesAnArtifactWithoutARowThatDoctorListsAndRemoves(SparkSession spark,
                                                                      @TempDir Path dir)
      throws Exception {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, ROWS, 0, 0.0, 2), "t0", "r");
    Path artifacts = dir.resolve("lake/model-artifacts");

    // Killed after saving its artifact, before committing its models row.
    killAt(dir, PausePoints.TRAIN_ARTIFACT_WRITTEN, TrainJob.class, "--config", conf(dir),
        "--table", "training", "--run-id", "tr1");
    assertThat(lake.exists("models")).as("no models row was committed").isFalse();
    List<Path> killed = children(artifacts);
    assertThat(killed).hasSize(1);
    Path orphan = killed.get(0);
    assertThat(DoctorJob.examine(lake.settings(), Duration.ofMinutes(60)))
        .extracting(DoctorJob.Leftover::kind, DoctorJob.Leftover::path)
        .as("too recent to remove: a train still running looks the same")
        .containsExactly(org.assertj.core.groups.Tuple.tuple(DoctorJob.Kind.RECENT_ARTIFACT,
            io.driftlake.jobs.common.Location.of(orphan)));

    Model model = TrainJob.train(lake, TableRef.parse("training"), "tr1", "manual");
    assertThat(TrainJob.train(lake, TableRef.parse("training"), "tr1", "manual").modelId())
        .isEqualTo(model.modelId());
    assertThat(Models.all(lake)).extracting(Model::runId).containsExactly("tr1");
    assertThat(lake.latestVersion("models")).hasValue(0);
    Path registered = Path.of(model.artifactPath()).toAbsolutePath().normalize();
    assertThat(registered).isDirectory();
    assertThat(children(artifacts)).containsExactlyInAnyOrder(orphan, registered);

    Doctor listed = doctor(dir, "--config", conf(dir), "--min-age", "0");
    assertThat(listed.exit()).as(listed.stdout()).isEqualTo(DoctorJob.LEFTOVERS);
    assertThat(listed.stdout()).contains("orphan artifact " + orphan + ": no row in table "
        + "'models' names it").doesNotContain(registered.toString());
    assertThat(orphan).isDirectory();

    Doctor fixed = doctor(dir, "--config", conf(dir), "--fix", "--min-age", "0");
    assertThat(fixed.exit()).as(fixed.stdout()).isZero();
    assertThat(fixed.stdout().lines().toList()).containsExactly(
        "removed orphan artifact " + orphan,
        "doctor: 1 leftover(s) in " + dir.resolve("lake") + ", 1 removed");
    assertThat(children(artifacts)).containsExactly(registered);
    assertThat(Models.all(lake)).extracting(Model::modelId).containsExactly(model.modelId());
    assertThat(DoctorJob.examine(lake.settings(), Duration.ZERO)).isEmpty();

    // A row whose artifact is gone is listed (never removed): only a hand-deleted folder does it.
    deleteTree(registered);
    assertThat(DoctorJob.examine(lake.settings(), Duration.ZERO)).singleElement().satisfies(l -> {
      assertThat(l.kind()).isEqualTo(DoctorJob.Kind.MISSING_ARTIFACT);
      assertThat(l.line()).isEqualTo("missing artifact: model " + model.modelId() + " (run tr1) "
          + "in table 'models' names " + registered + ", which does not exist; the model cannot "
          + "be loaded (rows are never removed)");
    });
  }

  @Test
  void killedPromotesDecideOnceOnTheirRerun(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = new Lake(spark, TestLakes.settings(dir, TestLakes.FAST_TRAINING));
    IngestJob.ingest(lake, "training", GenerateJob.batch(spark, ROWS, 0, 0.0, 3), "t0", "r");
    Model first = TrainJob.train(lake, TableRef.parse("training"), "tr1", "manual");
    Model second = TrainJob.train(lake, TableRef.parse("training"), "tr2", "manual");

    // The gate, killed after committing its evaluation and before its decision.
    killAt(dir, PausePoints.PROMOTE_DECIDED, ModelsJob.class, "promote", "--config", conf(dir),
        "--model", "run:tr1", "--run-id", "p1");
    assertThat(lake.exists("model_aliases")).as("no decision was committed").isFalse();
    assertThat(evaluationRuns(spark, lake, first.modelId())).containsExactly("p1");

    Promotions.GateDecision gate = Promotions.gate(lake, first, Optional.empty(), "p1");
    assertThat(gate.promoted()).isTrue();
    assertThat(gate.written()).isTrue();
    assertThat(evaluationRuns(spark, lake, first.modelId())).as("the evaluation is reused")
        .containsExactly("p1");
    assertThat(Promotions.gate(lake, first, Optional.empty(), "p1").written()).isFalse();
    assertThat(ModelAliases.history(lake)).extracting(ModelAliases.Decision::runId)
        .containsExactly("p1");

    // An operator's promotion, then its rerun (as after a kill past its commit): one decision.
    Promotions.promote(lake, second, "hotfix", "p2");
    List<ModelAliases.Decision> log = ModelAliases.history(lake);
    assertThat(log).extracting(ModelAliases.Decision::runId).containsExactly("p1", "p2");
    ModelAliases.Decision again = Promotions.promote(lake, second, "hotfix", "p2");
    assertThat(again).isEqualTo(log.get(1));
    assertThat(ModelAliases.history(lake)).isEqualTo(log);
    assertThat(ModelAliases.current(log, ModelAliases.CHAMPION)).contains(second.modelId());
    assertThat(lake.latestVersion("model_aliases")).hasValue(1);
    assertThat(DoctorJob.examine(lake.settings(), Duration.ZERO)).isEmpty();
  }

  /**
   * Runs {@code main} with {@link PausePoints#AT} set to {@code point} and kills it (SIGKILL) as
   * soon as it reports having reached the point; fails when it ends before.
   */
  private static void killAt(Path dir, String point, Class<?> main, String... args)
      throws Exception {
    Path marker = dir.resolve("pause/" + point);
    Path stderr = dir.resolve("pause/" + point + ".stderr");
    Files.createDirectories(stderr.getParent());
    ProcessBuilder command = TestProcesses.command(main, args)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile());
    command.command().addAll(1, SHORT_JVM);
    command.environment().put(PausePoints.AT, point);
    command.environment().put(PausePoints.MARKER, marker.toString());
    Process job = command.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (!Files.exists(marker) && job.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(job.isAlive() && Files.exists(marker))
          .as("%s paused at %s; its stderr: %s", main.getSimpleName(), point,
              Files.readString(stderr))
          .isTrue();
    } finally {
      job.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      assertThat(job.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(marker)).isEqualTo(point + "\n");
  }

  private record Doctor(int exit, String stdout) {}

  private static Doctor doctor(Path dir, String... args) throws Exception {
    Path stdout = Files.createTempFile(dir, "doctor", ".out");
    ProcessBuilder command = TestProcesses.command(DoctorJob.class, args)
        .redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    command.command().addAll(1, SHORT_JVM);
    Process p = command.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Doctor(p.exitValue(), Files.readString(stdout));
  }

  private static String conf(Path dir) {
    return dir.resolve("test.conf").toString();
  }

  /** "table@latest version" of each table in the lake but training and production, by name. */
  private static List<String> versions(Lake lake) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path table : children(lake.settings().lakeRoot().localPath())) {
      String name = table.getFileName().toString();
      if (Files.isDirectory(table.resolve("_delta_log")) && !name.equals("training")
          && !name.equals("production")) {
        out.add(name + "@" + lake.latestVersion(name).getAsLong());
      }
    }
    return out;
  }

  /** (table, version, selection, feature, table id) of every stored profile row. */
  private static List<String> profileKeys(SparkSession spark, Lake lake) {
    return spark.read().format("delta").load(lake.path("profiles")).collectAsList().stream()
        .map(r -> String.join(" ", r.<String>getAs("table"), String.valueOf(r.<Long>getAs(
            "version")), r.<String>getAs("selection"), r.<String>getAs("feature"),
            r.<String>getAs("table_id"))).toList();
  }

  private static long rows(SparkSession spark, Lake lake, String table, String runId) {
    if (!lake.exists(table)) {
      return 0;
    }
    return spark.read().format("delta").load(lake.path(table)).where(col("run_id").equalTo(runId))
        .count();
  }

  private static List<String> evaluationRuns(SparkSession spark, Lake lake, String modelId) {
    Dataset<Row> rows = spark.read().format("delta").load(lake.path("evaluations"))
        .where(col("model_id").equalTo(modelId));
    return rows.select("run_id").distinct().collectAsList().stream()
        .map(r -> r.getString(0)).toList();
  }

  private static List<Path> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.toAbsolutePath().normalize()).sorted().toList();
    }
  }

  private static void deleteTree(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
