"""End-to-end: three real ``dag.test`` runs of drift_monitoring with the venv's spark-submit
against a temporary lake: run 1 on a Spark standalone cluster (master + worker on 127.0.0.1,
``spark_cluster`` in conftest), runs 2 and 3 in local[2].

Set-up (once per module) with plain spark-submit calls of the jobs jar:
  GenerateJob (training batch, drift 0) -> IngestJob into ``training`` -> TrainJob (model #1)
  -> ``models promote --skip-gate`` (model #1 becomes the first champion, as an operator would)
  GenerateJob landing/<2025-01-02> (drift 0), landing/<2025-01-03> and landing/<2025-01-04> (drift 1.0)
  labels/<2025-01-03> = the labels of the 2025-01-02 batch (they arrive a day late)

Run 1 (2025-01-02, no drift, no labels): the batch lands late (after the run started: the sensor
  waits for its _SUCCESS); the champion scores it; no_new_labels and skip_retrain run; feedback,
  evaluation and the retrain branch are skipped; still 1 model.
Run 2 (2025-01-03, drift, labels arrive): score, feedback, production evaluation (2 000 predictions,
  1 000 labelled); append_to_training -> retrain -> evaluate_challenger -> gate: PROMOTE. Its drift
  report is moved away before decide runs: decide branches on the drift_results rows alone. Every
  Delta table it wrote has an Asset event of this run.
Run 3 (2025-01-04, drift, stricter gate: a config with margin 0.5): the new champion scores the
  batch; retrain -> evaluate_challenger -> gate: KEEP the champion, the new model is challenger.

The jar and the config file are required: when missing, the tests FAIL (never skip).
Paths: DRIFTLAKE_JAR / DRIFTLAKE_CONFIG, else <repo>/jobs/target/driftlake-jobs.jar and
<repo>/conf/application.conf. The lake root reaches the jobs via DRIFTLAKE_LAKE_ROOT.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import REPO_ROOT, parse_dag

TRAIN_ROWS = 3000
BATCH_ROWS = 1000
SEED = 20250101

NO_DRIFT_DATE = datetime(2025, 1, 2, tzinfo=timezone.utc)
DRIFT_DATE = datetime(2025, 1, 3, tzinfo=timezone.utc)
STRICT_GATE_DATE = datetime(2025, 1, 4, tzinfo=timezone.utc)
STRICT_MARGIN = 0.5  # no model can beat a champion's AUC-ROC by more than this

GENERATE_CLASS = "io.driftlake.jobs.generate.GenerateJob"
INGEST_CLASS = "io.driftlake.jobs.ingest.IngestJob"
TRAIN_CLASS = "io.driftlake.jobs.train.TrainJob"
MODELS_CLASS = "io.driftlake.jobs.models.ModelsJob"

SPARK_JOB_TIMEOUT = 900  # seconds, per spark-submit

# Sizing for tiny tables on a 2-core box, given to the DAG through its spark_properties param
# (and to the set-up jobs the same way): the project's conf/spark-defaults.conf (shuffle and Delta
# snapshot partitions, WARN logging), then test-only lines (later keys win): fewer shuffle
# partitions, no UI. Each job is a short-lived JVM that loads Spark, Delta and MLlib and runs many
# tiny Spark jobs, so most of its time is class loading and compiling, not data. For these tests
# only (trusted jars, tables of a few thousand rows): C1 only (no C2), the serial GC, no bytecode
# verification, no adaptive re-planning and interpreted expressions instead of generated code.
# Measured on one evaluate job here: 37.5 s -> 28.6 s. defaultJavaOptions is prepended to the
# DAG's extraJavaOptions (the Java 17 flags), so both apply.
SPARK_TEST_PROPERTIES = (REPO_ROOT / "conf" / "spark-defaults.conf").read_text() + """
spark.driver.defaultJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote -XX:-BytecodeVerificationLocal -XX:-UsePerfData
spark.sql.adaptive.enabled=false
spark.sql.codegen.wholeStage=false
spark.sql.codegen.factoryMode=NO_CODEGEN
spark.sql.shuffle.partitions=4
spark.default.parallelism=2
spark.ui.enabled=false
"""


# --------------------------------------------------------------------------- Delta log reading
def delta_versions(table: Path) -> int:
    """Number of committed versions (max version + 1); 0 when the table does not exist."""
    versions = [int(p.stem) for p in (table / "_delta_log").glob("*.json") if p.stem.isdigit()]
    return max(versions) + 1 if versions else 0


def delta_live_files(table: Path) -> list[Path]:
    """Data files of the latest snapshot: the newest checkpoint (if any) plus later JSON commits."""
    import pyarrow.parquet as pq

    log = table / "_delta_log"
    live: dict[str, None] = {}
    start = -1
    last_checkpoint = log / "_last_checkpoint"
    if last_checkpoint.is_file():
        start = int(json.loads(last_checkpoint.read_text())["version"])
        for part in sorted(log.glob(f"{start:020d}.checkpoint*.parquet")):
            for row in pq.read_table(part, columns=["add", "remove"]).to_pylist():
                if row.get("add"):
                    live[row["add"]["path"]] = None
                if row.get("remove"):
                    live.pop(row["remove"]["path"], None)
    for commit in sorted(log.glob("*.json")):
        if not commit.stem.isdigit() or int(commit.stem) <= start:
            continue
        for line in commit.read_text().splitlines():
            action = json.loads(line) if line.strip() else {}
            if "add" in action:
                live[action["add"]["path"]] = None
            elif "remove" in action:
                live.pop(action["remove"]["path"], None)

    def resolve(path: str) -> Path:
        if "://" in path:
            return Path(unquote(urlparse(path).path))
        return table / unquote(path)

    return [resolve(p) for p in live]


def delta_rows(table: Path, exclude_files: set[Path] = frozenset()) -> list[dict]:
    """Rows of the latest snapshot (non-partitioned tables), read with pyarrow — no Spark.
    Files in ``exclude_files`` are left out (to get just what a later commit added)."""
    import pyarrow.parquet as pq

    if delta_versions(table) == 0:
        return []
    rows: list[dict] = []
    for f in delta_live_files(table):
        if f not in exclude_files:
            rows.extend(pq.read_table(f).to_pylist())
    return rows


# --------------------------------------------------------------------------- spark-submit helper
class Lake:
    def __init__(self, root: Path, jar: Path, config: Path, spark_conf: dict[str, str]):
        self.root = root
        self.tables = root / "lake"
        self.landing = root / "landing"
        self.labels = root / "labels"
        self.reports = root / "reports"
        self.generated = root / "generated"
        self.logs = root / "logs"
        self.late = root / "late-batch"
        for d in (self.tables, self.landing, self.labels, self.reports, self.generated, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        self.jar = jar
        self.config = config
        self.spark_conf = spark_conf
        self.spark_properties = root / "spark-test.properties"
        self.spark_properties.write_text(SPARK_TEST_PROPERTIES)

    @property
    def deployment(self) -> dict[str, str]:
        """The environment the DAG file is parsed with: the code, config and folders it uses."""
        return {
            "DRIFTLAKE_JAR": str(self.jar),
            "DRIFTLAKE_CONFIG": str(self.config),
            "DRIFTLAKE_LANDING": str(self.landing),
            "DRIFTLAKE_REPORTS": str(self.reports),
            "DRIFTLAKE_LABELS": str(self.labels),
            "DRIFTLAKE_SPARK_PROPERTIES": str(self.spark_properties),
            # A late batch is polled for every second, for at most 5 minutes; a failed task is
            # tried once more a second later (the defaults: 5 minutes, 12 hours, 2 retries).
            "DRIFTLAKE_LANDING_POKE_INTERVAL": "1",
            "DRIFTLAKE_LANDING_TIMEOUT": "300",
            "DRIFTLAKE_RETRIES": "1",
            "DRIFTLAKE_RETRY_DELAY": "1",
        }

    @property
    def strict_config(self) -> Path:
        """The deployment config with a stricter gate: what an operator deploys (DRIFTLAKE_CONFIG)."""
        path = self.root / "strict-gate.conf"
        if not path.is_file():
            path.write_text(
                self.config.read_text() + f"\ndriftlake.registry.gate.margin = {STRICT_MARGIN}\n"
            )
        return path

    def spark_submit(self, name: str, java_class: str, *args: str) -> None:
        """Run one job the way the DAG does (same master, conf, --config), outside Airflow."""
        cmd = ["spark-submit", "--master", "local[2]", "--properties-file", str(self.spark_properties)]
        for key, value in self.spark_conf.items():
            cmd += ["--conf", f"{key}={value}"]
        cmd += ["--name", name, "--class", java_class, str(self.jar), "--config", str(self.config), *args]
        log_file = self.logs / f"{name}.log"
        started = time.monotonic()
        with log_file.open("w") as out:
            proc = subprocess.run(
                cmd, stdout=out, stderr=subprocess.STDOUT, timeout=SPARK_JOB_TIMEOUT, cwd=self.root
            )
        elapsed = time.monotonic() - started
        print(f"[setup] {name}: exit {proc.returncode} in {elapsed:.1f}s")
        if proc.returncode != 0:
            tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-60:])
            pytest.fail(
                f"setup job {name} failed (exit {proc.returncode}), env DRIFTLAKE_LAKE_ROOT="
                f"{os.environ.get('DRIFTLAKE_LAKE_ROOT')}\ncommand: {' '.join(cmd)}\n"
                f"log: {log_file}\n--- last lines ---\n{tail}",
                pytrace=False,
            )


def _required_file(env_var: str, default: Path, what: str) -> Path:
    path = Path(os.environ.get(env_var) or default)
    if not path.is_file():
        pytest.fail(
            f"{what} not found at {path} (set {env_var} or build/write it). The end-to-end tests "
            f"need it and do not skip.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def lake(dag, tmp_path_factory):
    jar = _required_file("DRIFTLAKE_JAR", REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar", "jobs jar")
    config = _required_file("DRIFTLAKE_CONFIG", REPO_ROOT / "conf" / "application.conf", "config file")

    root = tmp_path_factory.mktemp("driftlake-e2e")
    # Run a snapshot of the jar: a rebuild of jobs/target while the tests run would otherwise
    # break the JVMs reading it (ZipException / NoClassDefFoundError mid-job).
    jar_copy = root / jar.name
    shutil.copy2(jar, jar_copy)
    lake = Lake(root, jar_copy, config, spark_conf=dict(dag.task_dict["ingest_batch"].conf))
    print(f"[setup] jar {jar} ({jar.stat().st_size} bytes) copied to {jar_copy}; lake {lake.tables}")

    previous = os.environ.get("DRIFTLAKE_LAKE_ROOT")
    previous_cwd = os.getcwd()
    os.environ["DRIFTLAKE_LAKE_ROOT"] = str(lake.tables)  # inherited by every spark-submit
    os.chdir(root)  # tasks run in-process: keep Spark's scratch (spark-warehouse, ...) out of the repo
    try:
        train_batch = lake.generated / "training-0"
        lake.spark_submit(
            "generate-training", GENERATE_CLASS,
            "--output", str(train_batch), "--rows", str(TRAIN_ROWS), "--batch", "0", "--drift", "0",
            "--seed", str(SEED), "--format", "parquet",
        )
        lake.spark_submit(
            "ingest-training", INGEST_CLASS,
            "--table", "training", "--input", str(train_batch), "--format", "parquet",
            "--batch-id", "training-0", "--run-id", "e2e-setup",
        )
        lake.spark_submit(
            "train-initial", TRAIN_CLASS,
            "--table", "training", "--run-id", "e2e-setup", "--triggered-by", "e2e-setup",
        )
        lake.spark_submit(
            "promote-initial", MODELS_CLASS,
            "promote", "--model", "run:e2e-setup", "--skip-gate", "first model", "--run-id", "e2e-setup",
        )
        days = [(NO_DRIFT_DATE, "0"), (DRIFT_DATE, "1.0"), (STRICT_GATE_DATE, "1.0")]
        for index, (day, drift) in enumerate(days, start=1):
            ds = day.strftime("%Y-%m-%d")
            lake.spark_submit(
                f"generate-landing-{ds}", GENERATE_CLASS,
                "--output", str(lake.landing / ds), "--rows", str(BATCH_ROWS), "--batch", str(index),
                "--drift", drift, "--seed", str(SEED), "--format", "parquet",
            )
        # The labels of day 2's batch land on day 3 (FeedbackJob reads the key and label columns).
        shutil.copytree(lake.landing / ds_of(NO_DRIFT_DATE), lake.labels / ds_of(DRIFT_DATE))
        # Day 2's batch lands late: run 1 starts before it is there (see land_late).
        shutil.move(lake.landing / ds_of(NO_DRIFT_DATE), lake.late)
        assert delta_versions(lake.tables / "training") == 1
        assert len(delta_rows(lake.tables / "models")) == 1, "set-up should leave exactly one model"
        assert [r["action"] for r in delta_rows(lake.tables / "model_aliases")] == ["manual-promote"]
        yield lake
    finally:
        os.chdir(previous_cwd)
        if previous is None:
            os.environ.pop("DRIFTLAKE_LAKE_ROOT", None)
        else:
            os.environ["DRIFTLAKE_LAKE_ROOT"] = previous


# --------------------------------------------------------------------------- the runs
def ds_of(day: datetime) -> str:
    return day.strftime("%Y-%m-%d")


def run_dag(lake: Lake, logical_date: datetime, after_ingest=None, after_drift=None, on_wait=None,
            **deployment: str):
    """One dag.test run of the DAG as deployed for this lake (``deployment`` overrides its
    DRIFTLAKE_* environment); the run's conf holds only what a trigger may set. ``after_ingest``
    runs right after the run's ingest task commits (another writer at work between two tasks),
    ``after_drift`` right after the drift task succeeds (before decide), ``on_wait`` when the
    landing sensor starts."""
    dag = parse_dag(**{**lake.deployment, **deployment})
    if after_ingest is not None:
        dag.task_dict["ingest_batch"].on_success_callback = [lambda context: after_ingest()]
    if after_drift is not None:
        dag.task_dict["drift"].on_success_callback = [lambda context: after_drift(context["run_id"])]
    if on_wait is not None:
        dag.task_dict["wait_for_landing"].on_execute_callback = [lambda context: on_wait()]
    started = time.monotonic()
    dag_run = dag.test(logical_date=logical_date, run_conf={"landing_format": "parquet"})
    states = {ti.task_id: str(ti.state) if ti.state else None for ti in dag_run.get_task_instances()}
    print(f"[dag.test] {dag_run.run_id}: {dag_run.state} in {time.monotonic() - started:.1f}s {states}")
    return dag_run, states


def report_dir(lake: Lake, run_id: str) -> Path:
    return lake.reports / re.sub(r"[^A-Za-z0-9._-]", "_", run_id)


def drift_report(lake: Lake, run_id: str, moved: bool = False) -> dict:
    folder = report_dir(lake, run_id)
    path = (folder.with_name(folder.name + ".moved") if moved else folder) / "drift.json"
    assert path.is_file(), f"drift task wrote no report at {path}"
    return json.loads(path.read_text())


def drift_statuses(lake: Lake, run_id: str) -> set[tuple[str, str]]:
    """(job, status) of the run's drift_results rows, read with pyarrow: the drift job's verdict
    next to the prediction (and label) drift that score (and evaluate) record under the run id."""
    return {(r["job"], r["status"]) for r in delta_rows(lake.tables / "drift_results") if r["run_id"] == run_id}


def task_instance(dag_run, task_id: str):
    (ti,) = [ti for ti in dag_run.get_task_instances() if ti.task_id == task_id]
    return ti


def land_late(lake: Lake, day: datetime, delay: float = 3.0) -> dict:
    """Started when the run's sensor starts: after ``delay`` s the batch's data files land without
    their _SUCCESS marker (a batch still being written), after another ``delay`` s the marker.
    Returns the moment the batch was complete (set by the thread)."""
    landed: dict = {}

    def drop():
        time.sleep(delay)
        target = lake.landing / ds_of(day)
        target.mkdir()
        for f in sorted(lake.late.iterdir()):
            if f.name not in ("_SUCCESS", "._SUCCESS.crc"):
                shutil.copy2(f, target / f.name)
        time.sleep(delay)
        landed["complete"] = datetime.now(timezone.utc)
        shutil.copy2(lake.late / "_SUCCESS", target / "_SUCCESS")

    def start():
        if "thread" not in landed:  # the callback runs again when the deferred sensor resumes
            landed["thread"] = threading.Thread(target=drop, daemon=True)
            landed["thread"].start()

    landed["start"] = start
    return landed


def asset_events(run_id: str) -> set[tuple[str, str]]:
    """(asset name, task) of the Asset events the run's tasks emitted, from Airflow's metadata DB."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(AssetModel.name, AssetEvent.source_task_id)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetEvent.source_run_id == run_id)
        ).all()
    return {(name, task) for name, task in rows}


def asset_uri(name: str) -> str:
    from airflow.models.asset import AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalars(select(AssetModel.uri).where(AssetModel.name == name)).one()


def champion(lake: Lake) -> str:
    decisions = sorted(delta_rows(lake.tables / "model_aliases"), key=lambda r: r["seq"])
    return [d["model_id"] for d in decisions if d["alias"] == "champion"][-1]


def test_run_without_drift_scores_and_skips_retraining(lake, spark_cluster, monkeypatch):
    # This run's Spark tasks go to the standalone cluster (conftest's spark_cluster), the way a
    # deployment points spark_default at its master; the other runs stay on local[2].
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", spark_cluster.master_url)
    apps_before = {a["id"] for a in spark_cluster.state()["completedapps"]}
    models_before = len(delta_rows(lake.tables / "models"))
    training_versions = delta_versions(lake.tables / "training")
    serving = champion(lake)

    # Another writer commits to production between this run's ingest and its scoring and drift
    # (3 000 rows of another batch): the run still scores and compares the batch it wrote.
    def foreign_commit():
        lake.spark_submit(
            "foreign-ingest", INGEST_CLASS,
            "--table", "production", "--input", str(lake.generated / "training-0"),
            "--format", "parquet", "--batch-id", "foreign-writer", "--run-id", "foreign",
        )

    landing = land_late(lake, NO_DRIFT_DATE)
    dag_run, states = run_dag(lake, NO_DRIFT_DATE, after_ingest=foreign_commit, on_wait=landing["start"])
    # The run's four Spark tasks (ingest, score, estimate, drift) ran as cluster applications with
    # executors.
    apps = spark_cluster.completed_apps(since=apps_before)
    assert len(apps) == 4 and all(a["state"] == "FINISHED" for a in apps), (apps, spark_cluster.report())
    assert all(spark_cluster.executor_logs(a["id"]) for a in apps), spark_cluster.report()

    assert states == {
        "wait_for_landing": "success",
        "ingest_batch": "success",
        "serving.score_batch": "success",
        "serving.estimate_batch": "success",
        "serving.labels_arrived": "success",
        "serving.no_new_labels": "success",
        "serving.ingest_labels": "skipped",
        "serving.evaluate_production": "skipped",
        "drift": "success",
        "decide": "success",
        "skip_retrain": "success",
        "append_to_training": "skipped",
        "retrain": "skipped",
        "evaluate_challenger": "skipped",
        "gate": "skipped",
    }
    assert str(dag_run.state) == "success"
    # The sensor waited for the late batch's _SUCCESS (not just its first files); ingest ran after.
    assert task_instance(dag_run, "wait_for_landing").end_date >= landing["complete"]
    assert task_instance(dag_run, "ingest_batch").start_date >= landing["complete"]
    report = drift_report(lake, dag_run.run_id)
    assert report["drifted"] is False
    # decide's branch (skip_retrain) is the drift job's status in drift_results.
    assert ("drift", "no drift") in drift_statuses(lake, dag_run.run_id)
    # delta-rs (what decide reads with) reads what the jobs wrote, column mapping by name included
    # (the demo data's 'tenure in months' and 'région'): every row of both versions.
    from deltalake import DeltaTable

    production = DeltaTable(str(lake.tables / "production"))
    assert production.protocol().min_reader_version == 2
    rows = production.to_pyarrow_table()
    assert {"tenure in months", "région"} <= set(rows.column_names)
    assert rows.num_rows == BATCH_ROWS + TRAIN_ROWS
    # Its own batch (version 0, 1 000 rows), not the latest version (1, the foreign 3 000 rows).
    assert delta_versions(lake.tables / "production") == 2
    assert (report["current"]["version"], report["current"]["rows"]) == (0, BATCH_ROWS)
    assert delta_versions(lake.tables / "training") == training_versions
    assert len(delta_rows(lake.tables / "models")) == models_before == 1
    predictions = delta_rows(lake.tables / "predictions")
    assert len(predictions) == BATCH_ROWS
    assert {(p["model_id"], p["source_table"], p["source_version"]) for p in predictions} == {
        (serving, "production", 0)
    }
    assert delta_versions(lake.tables / "labels") == 0


def test_run_with_drift_and_labels_evaluates_retrains_and_promotes(lake):
    models_before = len(delta_rows(lake.tables / "models"))
    model_files_before = set(delta_live_files(lake.tables / "models"))
    training_versions = delta_versions(lake.tables / "training")
    production_versions = delta_versions(lake.tables / "production")
    old_champion = champion(lake)

    # The drift report leaves the worker's disk before decide runs: decide reads drift_results.
    def move_report(run_id: str):
        folder = report_dir(lake, run_id)
        folder.rename(folder.with_name(folder.name + ".moved"))

    dag_run, states = run_dag(lake, DRIFT_DATE, after_drift=move_report)

    assert states == {
        "wait_for_landing": "success",
        "ingest_batch": "success",
        "serving.score_batch": "success",
        "serving.estimate_batch": "success",
        "serving.labels_arrived": "success",
        "serving.ingest_labels": "success",
        "serving.evaluate_production": "success",
        "serving.no_new_labels": "skipped",
        "drift": "success",
        "decide": "success",
        "append_to_training": "success",
        "retrain": "success",
        "evaluate_challenger": "success",
        "gate": "success",
        "skip_retrain": "skipped",
    }
    assert str(dag_run.state) == "success"
    run_id = dag_run.run_id
    assert not report_dir(lake, run_id).exists()
    assert drift_report(lake, run_id, moved=True)["drifted"] is True
    # The estimate task's page sits next to drift.html: the champion's estimate of this batch.
    folder = report_dir(lake, run_id)
    page = (folder.with_name(folder.name + ".moved") / "estimate.html").read_text()
    assert "Estimated vs realized performance" in page and "<h2>accuracy</h2>" in page
    # drift.json carries that estimate (the drift task runs after it, on the same batch), with
    # the numbers the estimate task stored in evaluations (read here with pyarrow).
    estimate = drift_report(lake, run_id, moved=True)["performance_estimate"]
    assert estimate["available"] is True, estimate["note"]
    [by_champion] = estimate["models"]
    assert (by_champion["model_id"], by_champion["run_id"]) == (old_champion, run_id)
    stored = {
        r["metric"]: (r["value"], r["lower"], r["upper"])
        for r in delta_rows(lake.tables / "evaluations")
        if r["run_id"] == run_id and r.get("kind") == "estimated"
    }
    assert {m["metric"]: (m["estimate"], m["lower"], m["upper"]) for m in by_champion["metrics"]} == stored
    assert {"accuracy", "auc_roc"} <= stored.keys()
    # decide's branch (append_to_training) is the drift job's status in drift_results.
    assert ("drift", "drifted") in drift_statuses(lake, run_id)
    assert {job for job, _ in drift_statuses(lake, run_id)} == {"drift", "score", "evaluate"}
    # Every Delta table this run wrote has an Asset event of it, from the task that wrote it.
    assert asset_events(run_id) == {
        ("driftlake.production", "ingest_batch"),
        ("driftlake.predictions", "serving.score_batch"),
        ("driftlake.drift_results", "serving.score_batch"),
        ("driftlake.evaluations", "serving.estimate_batch"),
        ("driftlake.labels", "serving.ingest_labels"),
        ("driftlake.evaluations", "serving.evaluate_production"),
        ("driftlake.drift_results", "serving.evaluate_production"),
        ("driftlake.drift_results", "drift"),
        ("driftlake.drift_checks", "drift"),
        ("driftlake.profiles", "drift"),
        ("driftlake.training", "append_to_training"),
        ("driftlake.models", "retrain"),
        ("driftlake.evaluations", "evaluate_challenger"),
        ("driftlake.evaluations", "gate"),
        ("driftlake.model_aliases", "gate"),
    }
    assert asset_uri("driftlake.models") == f"{lake.tables.resolve().as_uri()}/models"
    assert delta_versions(lake.tables / "production") == production_versions + 1
    assert delta_versions(lake.tables / "training") == training_versions + 1

    # Serving: the champion scored this batch too; the late labels of yesterday's batch judged it.
    assert len(delta_rows(lake.tables / "labels")) == BATCH_ROWS
    production_eval = {
        r["metric"]: r["value"]
        for r in delta_rows(lake.tables / "evaluations")
        if r["run_id"] == run_id and r["model_id"] == old_champion and r["split"] == "labelled"
    }
    assert production_eval["predictions"] == 2 * BATCH_ROWS
    assert production_eval["rows"] == BATCH_ROWS  # labelled
    assert production_eval["unlabelled_rows"] == BATCH_ROWS  # today's batch has no labels yet
    assert production_eval["labels_without_prediction"] == 0
    assert 0.5 < production_eval["auc_roc"] <= 1.0

    # Retrain: one new model, triggered by this drift run, evaluated on its held-out rows.
    assert len(delta_rows(lake.tables / "models")) == models_before + 1
    (new_model,) = delta_rows(lake.tables / "models", exclude_files=model_files_before)
    assert new_model["triggered_by"] == f"drift:{run_id}"
    assert new_model["training_version"] == training_versions  # the version append_to_training wrote
    assert any(
        r["model_id"] == new_model["model_id"] and r["split"] == "held-out" and r["metric"] == "auc_roc"
        for r in delta_rows(lake.tables / "evaluations")
    )

    # Gate: the new model beat the champion on the same held-out data, so it is champion now.
    (decision,) = [d for d in delta_rows(lake.tables / "model_aliases") if d["run_id"] == run_id]
    assert (decision["alias"], decision["action"]) == ("champion", "promote")
    assert (decision["model_id"], decision["previous_model_id"]) == (new_model["model_id"], old_champion)
    assert decision["metric"] == "auc_roc" and decision["margin"] == 0.0
    assert decision["model_value"] > decision["champion_value"]
    assert (decision["evaluation_table"], decision["evaluation_version"]) == ("training", training_versions)
    assert champion(lake) == new_model["model_id"]


def test_run_with_stricter_gate_keeps_the_champion(lake):
    models_before = len(delta_rows(lake.tables / "models"))
    model_files_before = set(delta_live_files(lake.tables / "models"))
    serving = champion(lake)
    predictions_before = len(delta_rows(lake.tables / "predictions"))

    dag_run, states = run_dag(lake, STRICT_GATE_DATE, DRIFTLAKE_CONFIG=str(lake.strict_config))

    assert str(dag_run.state) == "success", states
    ran = ("serving.score_batch", "serving.estimate_batch", "serving.no_new_labels", "drift", "retrain", "evaluate_challenger", "gate")
    assert all(states[t] == "success" for t in ran), states
    run_id = dag_run.run_id
    assert drift_report(lake, run_id)["drifted"] is True

    # The champion promoted by the previous run is the one that scored today's batch.
    predictions = delta_rows(lake.tables / "predictions")
    assert len(predictions) == predictions_before + BATCH_ROWS
    # Today's batch is production's latest version (after run 1's, the foreign writer's and run 2's).
    todays = delta_versions(lake.tables / "production") - 1
    assert todays == 3
    assert {p["model_id"] for p in predictions if p["source_version"] == todays} == {serving}

    (new_model,) = delta_rows(lake.tables / "models", exclude_files=model_files_before)
    assert len(delta_rows(lake.tables / "models")) == models_before + 1
    (decision,) = [d for d in delta_rows(lake.tables / "model_aliases") if d["run_id"] == run_id]
    assert (decision["alias"], decision["action"]) == ("challenger", "keep-challenger")
    assert decision["model_id"] == new_model["model_id"]
    assert decision["margin"] == STRICT_MARGIN
    assert decision["model_value"] <= decision["champion_value"] + STRICT_MARGIN
    assert decision["reason"].endswith(f"<= margin {STRICT_MARGIN:.4f}"), decision["reason"]
    assert champion(lake) == serving  # the champion stayed
