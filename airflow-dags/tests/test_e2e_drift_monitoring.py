"""End-to-end: two real ``dag.test`` runs of drift_monitoring with the venv's spark-submit
(local[2]) against a temporary lake.

Set-up (once per module) with plain spark-submit calls of the jobs jar:
  GenerateJob (training batch, drift 0) -> IngestJob into ``training`` -> TrainJob  (model #1)
  GenerateJob landing/<ds 2025-01-02> (drift 0, other batch index)
  GenerateJob landing/<ds 2025-01-03> (drift 1.0)

Run 1 (2025-01-02, no drift): skip_retrain succeeds, the retrain branch is skipped, 1 model.
Run 2 (2025-01-03, drift):    append_to_training -> retrain -> evaluate succeed, a new model row.

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
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import REPO_ROOT

TRAIN_ROWS = 3000
BATCH_ROWS = 1000
SEED = 20250101

NO_DRIFT_DATE = datetime(2025, 1, 2, tzinfo=timezone.utc)
DRIFT_DATE = datetime(2025, 1, 3, tzinfo=timezone.utc)

GENERATE_CLASS = "io.driftlake.jobs.generate.GenerateJob"
INGEST_CLASS = "io.driftlake.jobs.ingest.IngestJob"
TRAIN_CLASS = "io.driftlake.jobs.train.TrainJob"

SPARK_JOB_TIMEOUT = 900  # seconds, per spark-submit

# Sizing for tiny tables on a 2-core box, given to the DAG through its spark_properties param
# (and to the set-up jobs the same way): few shuffle / Delta snapshot partitions, no UI, quiet logs.
SPARK_TEST_PROPERTIES = """\
spark.sql.shuffle.partitions=4
spark.default.parallelism=2
spark.databricks.delta.snapshotPartitions=2
spark.ui.enabled=false
spark.log.level=WARN
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
        self.reports = root / "reports"
        self.generated = root / "generated"
        self.logs = root / "logs"
        for d in (self.tables, self.landing, self.reports, self.generated, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        self.jar = jar
        self.config = config
        self.spark_conf = spark_conf
        self.spark_properties = root / "spark-test.properties"
        self.spark_properties.write_text(SPARK_TEST_PROPERTIES)

    @property
    def run_conf(self) -> dict[str, str]:
        return {
            "jar": str(self.jar),
            "config": str(self.config),
            "landing_dir": str(self.landing),
            "report_dir": str(self.reports),
            "landing_format": "parquet",
            "spark_properties": str(self.spark_properties),
        }

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
        for index, (day, drift) in enumerate([(NO_DRIFT_DATE, "0"), (DRIFT_DATE, "1.0")], start=1):
            ds = day.strftime("%Y-%m-%d")
            lake.spark_submit(
                f"generate-landing-{ds}", GENERATE_CLASS,
                "--output", str(lake.landing / ds), "--rows", str(BATCH_ROWS), "--batch", str(index),
                "--drift", drift, "--seed", str(SEED), "--format", "parquet",
            )
        assert delta_versions(lake.tables / "training") == 1
        assert len(delta_rows(lake.tables / "models")) == 1, "set-up should leave exactly one model"
        yield lake
    finally:
        os.chdir(previous_cwd)
        if previous is None:
            os.environ.pop("DRIFTLAKE_LAKE_ROOT", None)
        else:
            os.environ["DRIFTLAKE_LAKE_ROOT"] = previous


# --------------------------------------------------------------------------- the runs
def run_dag(dag, lake: Lake, logical_date: datetime):
    started = time.monotonic()
    dag_run = dag.test(logical_date=logical_date, run_conf=lake.run_conf)
    states = {ti.task_id: str(ti.state) if ti.state else None for ti in dag_run.get_task_instances()}
    print(f"[dag.test] {dag_run.run_id}: {dag_run.state} in {time.monotonic() - started:.1f}s {states}")
    return dag_run, states


def drift_report(lake: Lake, run_id: str) -> dict:
    path = lake.reports / re.sub(r"[^A-Za-z0-9._-]", "_", run_id) / "drift.json"
    assert path.is_file(), f"drift task wrote no report at {path}"
    return json.loads(path.read_text())


def test_run_without_drift_skips_retraining(dag, lake):
    models_before = len(delta_rows(lake.tables / "models"))
    training_versions = delta_versions(lake.tables / "training")

    dag_run, states = run_dag(dag, lake, NO_DRIFT_DATE)

    assert states == {
        "ingest_batch": "success",
        "drift": "success",
        "decide": "success",
        "skip_retrain": "success",
        "append_to_training": "skipped",
        "retrain": "skipped",
        "evaluate": "skipped",
    }
    assert str(dag_run.state) == "success"
    assert drift_report(lake, dag_run.run_id)["drifted"] is False
    assert delta_versions(lake.tables / "production") == 1
    assert delta_versions(lake.tables / "training") == training_versions
    assert len(delta_rows(lake.tables / "models")) == models_before == 1


def test_run_with_drift_retrains(dag, lake):
    models_before = len(delta_rows(lake.tables / "models"))
    model_files_before = set(delta_live_files(lake.tables / "models"))
    training_versions = delta_versions(lake.tables / "training")
    production_versions = delta_versions(lake.tables / "production")
    evaluation_versions = delta_versions(lake.tables / "evaluations")

    dag_run, states = run_dag(dag, lake, DRIFT_DATE)

    assert states == {
        "ingest_batch": "success",
        "drift": "success",
        "decide": "success",
        "append_to_training": "success",
        "retrain": "success",
        "evaluate": "success",
        "skip_retrain": "skipped",
    }
    assert str(dag_run.state) == "success"
    assert drift_report(lake, dag_run.run_id)["drifted"] is True
    assert delta_versions(lake.tables / "production") == production_versions + 1
    assert delta_versions(lake.tables / "training") == training_versions + 1
    assert delta_versions(lake.tables / "evaluations") == evaluation_versions + 1

    assert len(delta_rows(lake.tables / "models")) == models_before + 1
    new_rows = delta_rows(lake.tables / "models", exclude_files=model_files_before)
    tag = f"drift:{dag_run.run_id}"
    assert any(tag in str(v) for r in new_rows for v in r.values()), (
        f"new model row does not carry --triggered-by {tag}: {new_rows}"
    )
