"""The shaded jar on a real Spark standalone cluster (master + one worker on 127.0.0.1, see
``spark_cluster.py``), through plain ``spark-submit`` with no ``--packages``, gives the same results
as local mode on the same input.

On the cluster: generate two batches (training: no drift; production: drift 1.0), then ingest
both, exact drift (the KS/Wasserstein refinement passes are Spark jobs, so they run on the
executors), train, score. The same steps after generate run in local mode (``local[2]``, another
lake, the same generated files) at the same time, each ingest as soon as its batch exists. Then:

* the master's JSON endpoint lists every cluster job as a finished application, and the worker's
  work dir holds each one's executor stderr with ``Finished task`` lines (the executors ran the
  tasks) and the executor command line with our Java 17 flags;
* drift_results agree to 1e-12 (score, p-value) and exactly (verdicts, rows, versions);
* the row counts of every table and every prediction (label and probability per row key) are equal.

The commands are the ones docs/DEPLOY.md's "On a cluster" shows (the spark-submit line is in
README.md too), plus test-only ``--conf`` lines (UI off,
C1-only JVMs: the jobs here are mostly JVM warm-up).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from spark_cluster import spark_env
from test_e2e_drift_monitoring import delta_rows

ROWS = 2000
SEED = 20261206
RUN_ID = "cluster-run"
JOB_TIMEOUT_S = 600

CONF = REPO_ROOT / "conf"
JAVA_17_OPTIONS = (CONF / "spark-java-options").read_text().strip()
# Test-only, as in test_e2e_drift_monitoring: C1 only, serial GC, no bytecode verification.
FAST_JVM = ("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions "
            "-XX:-BytecodeVerificationRemote -XX:-BytecodeVerificationLocal -XX:-UsePerfData")

GENERATE = "io.driftlake.jobs.generate.GenerateJob"
INGEST = "io.driftlake.jobs.ingest.IngestJob"
DRIFT = "io.driftlake.jobs.drift.DriftJob"
TRAIN = "io.driftlake.jobs.train.TrainJob"
SCORE = "io.driftlake.jobs.score.ScoreJob"


def submit_command(master: str, jar: Path, java_class: str, *args: str) -> list[str]:
    """The spark-submit line of README.md and docs/DEPLOY.md (properties file, log4j config and
    Java 17 flags for driver and executors), plus the test-only --conf lines."""
    return [
        "spark-submit", "--master", master,
        "--properties-file", str(CONF / "spark-defaults.conf"),
        "--driver-java-options", f"{JAVA_17_OPTIONS} -Dlog4j2.configurationFile={CONF / 'log4j2.properties'}",
        "--conf", f"spark.executor.extraJavaOptions={JAVA_17_OPTIONS}",
        # test-only
        "--conf", "spark.ui.enabled=false",
        "--conf", f"spark.driver.defaultJavaOptions={FAST_JVM}",
        "--conf", f"spark.executor.defaultJavaOptions={FAST_JVM}",
        "--class", java_class, str(jar),
        "--config", str(CONF / "application.conf"), *args,
    ]


class Runner:
    """Runs jobs against one lake with one master; keeps each job's output in logs/."""

    def __init__(self, name: str, master: str, jar: Path, lake: Path, logs: Path):
        self.name, self.master, self.jar, self.lake, self.logs = name, master, jar, lake, logs
        logs.mkdir(parents=True, exist_ok=True)
        self.failure: str | None = None

    def run(self, step: str, java_class: str, *args: str) -> None:
        cmd = submit_command(self.master, self.jar, java_class, *args)
        log = self.logs / f"{self.name}-{step}.log"
        env = {**spark_env(), "DRIFTLAKE_LAKE_ROOT": str(self.lake)}
        started = time.monotonic()
        with log.open("w") as out:
            proc = subprocess.run(cmd, env=env, cwd=self.logs, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=JOB_TIMEOUT_S)
        print(f"[{self.name}] {step}: exit {proc.returncode} in {time.monotonic() - started:.1f}s")
        if proc.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            raise AssertionError(f"{self.name} {step} failed (exit {proc.returncode}): {' '.join(cmd)}\n{tail}")

    def pipeline(self, batches: Path, generated: dict[str, threading.Event]) -> None:
        """ingest both batches (each once it is generated) -> exact drift -> train -> score;
        a failure is kept for the test."""
        try:
            if not generated["training"].wait(JOB_TIMEOUT_S) or not (batches / "training").is_dir():
                raise AssertionError("the training batch was not generated")
            self.run("ingest-training", INGEST, "--table", "training", "--input", str(batches / "training"),
                     "--format", "parquet", "--batch-id", "b0", "--run-id", RUN_ID)
            if not generated["production"].wait(JOB_TIMEOUT_S) or not (batches / "production").is_dir():
                raise AssertionError("the production batch was not generated")
            self.run("ingest-production", INGEST, "--table", "production",
                     "--input", str(batches / "production"), "--format", "parquet", "--batch-id", "b1",
                     "--run-id", RUN_ID)
            self.run("drift", DRIFT, "--reference", "training@0", "--current", "production@0",
                     "--mode", "exact", "--run-id", RUN_ID, "--exit-code", "zero")
            self.run("train", TRAIN, "--table", "training", "--run-id", RUN_ID, "--triggered-by", "test")
            self.run("score", SCORE, "--model", f"run:{RUN_ID}", "--table", "production@0",
                     "--run-id", RUN_ID)
        except BaseException as e:  # noqa: BLE001 - reported by the test thread
            self.failure = str(e)


def test_cluster_run_uses_executors_and_equals_local_mode(spark_cluster, tmp_path):
    jar = REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar"
    if not jar.is_file():
        pytest.fail(f"jobs jar not found at {jar}: build it (mvn -pl jobs -am package -DskipTests)",
                    pytrace=False)
    jar_copy = tmp_path / jar.name  # a rebuild of jobs/target while the test runs cannot break it
    jar_copy.write_bytes(jar.read_bytes())
    started = time.monotonic()
    apps_before = {a["id"] for a in spark_cluster.state()["completedapps"]}

    batches = tmp_path / "batches"
    cluster = Runner("cluster", spark_cluster.master_url, jar_copy, tmp_path / "cluster-lake", tmp_path / "logs")
    local = Runner("local", "local[2]", jar_copy, tmp_path / "local-lake", tmp_path / "logs")
    generated = {"training": threading.Event(), "production": threading.Event()}
    # Local mode ingests each batch as soon as the cluster has generated it; then both pipelines
    # run at once on the same generated files.
    local_thread = threading.Thread(target=local.pipeline, args=(batches, generated))
    local_thread.start()
    try:
        for index, (batch, drift) in enumerate((("training", "0"), ("production", "1.0"))):
            cluster.run(f"generate-{batch}", GENERATE, "--output", str(batches / batch), "--rows", str(ROWS),
                        "--batch", str(index), "--drift", drift, "--seed", str(SEED), "--format", "parquet")
            generated[batch].set()
        cluster.pipeline(batches, generated)
    except AssertionError as e:
        cluster.failure = str(e)
    finally:
        for event in generated.values():
            event.set()  # a failed generate must not leave local mode waiting
        local_thread.join()
    try:
        assert cluster.failure is None and local.failure is None, f"{cluster.failure}\n{local.failure}"
    except AssertionError as e:
        pytest.fail(f"{e}\n{spark_cluster.report()}", pytrace=False)
    print(f"[cluster test] jobs done in {time.monotonic() - started:.1f}s")

    # The master ran all seven jobs as applications, and their executors ran tasks.
    apps = spark_cluster.completed_apps(since=apps_before)
    names = sorted(a["name"] for a in apps)
    assert names == sorted(["driftlake-generate"] * 2 + ["driftlake-ingest"] * 2
                           + ["driftlake-drift", "driftlake-train", "driftlake-score"]), names
    for app in apps:
        assert app["state"] == "FINISHED", app
        assert app["cores"] == spark_cluster.cores, app
        stderr = spark_cluster.executor_logs(app["id"])
        assert stderr, f"no executor log of {app['name']} ({app['id']}) in {spark_cluster.work_dir}"
        text = "\n".join(p.read_text(errors="replace") for p in stderr)
        command = text.splitlines()[0]
        assert command.startswith("Spark Executor Command:"), command[:200]
        assert all(f'"{flag}"' in command for flag in JAVA_17_OPTIONS.split()), command
        finished = text.count("Finished task")
        assert finished >= 1, f"{app['name']}: executors ran no task\n{text[-3000:]}"
        print(f"[cluster test] {app['name']} {app['id']}: {finished} tasks on executors")

    # Same input, same answers.
    def table(runner: Runner, name: str) -> list[dict]:
        return delta_rows(runner.lake / name)

    for name in ("training", "production", "models", "predictions", "drift_results"):
        assert len(table(cluster, name)) == len(table(local, name)) > 0, name
    assert len(table(cluster, "production")) == len(table(local, "production")) == ROWS

    def drift_rows(runner: Runner) -> dict[tuple, dict]:
        rows = [r for r in table(runner, "drift_results") if r["run_id"] == RUN_ID]
        keyed = {(r["feature"], r["method"]): r for r in rows}
        assert len(keyed) == len(rows), "duplicate (feature, method) rows"
        return keyed

    cluster_drift, local_drift = drift_rows(cluster), drift_rows(local)
    assert cluster_drift.keys() == local_drift.keys()
    assert any(method == "ks" for _, method in cluster_drift), sorted(cluster_drift)
    exact = ("reference_version", "reference_rows", "current_version", "current_rows", "feature_type",
             "threshold", "drifted", "decided_by", "feature_drifted", "dataset_drifted",
             "reference_null_share", "current_null_share", "note", "conventions")
    for key, c in cluster_drift.items():
        l = local_drift[key]
        for column in ("score", "p_value"):
            if l[column] is None:
                assert c[column] is None, (key, column, c[column])
            else:
                assert c[column] == pytest.approx(l[column], abs=1e-12, rel=0), (key, column)
        assert {k: c[k] for k in exact} == {k: l[k] for k in exact}, key
    assert any(r["drifted"] for r in cluster_drift.values()), "drift 1.0 should drift some feature"

    def predictions(runner: Runner) -> dict[str, tuple]:
        return {p["row_key"]: (p["prediction"], p["probability"], tuple(p["probabilities"] or ()))
                for p in table(runner, "predictions")}

    cluster_predictions, local_predictions = predictions(cluster), predictions(local)
    assert len(cluster_predictions) == ROWS
    assert cluster_predictions == local_predictions
    print(f"[cluster test] done in {time.monotonic() - started:.1f}s")
