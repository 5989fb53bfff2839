"""Daily drift monitoring for the driftlake Delta tables.

Flow per run (one landing batch per day, keyed by ``ds``)::

    ingest_batch -> drift -> decide -+-> append_to_training -> retrain -> evaluate
                                     +-> skip_retrain

* ``ingest_batch``        IngestJob: append ``<landing_dir>/<ds>`` to ``production`` (batch id = ds,
                          so a re-run of the same day adds no new Delta version).
* ``drift``               DriftJob with its defaults (reference = version the latest model was trained
                          on, current = latest ``production``); writes ``drift_results`` rows and
                          ``<report_dir>/<run_id>/drift.json``. Drift is data, not an exit code.
* ``decide``              reads ``drift.json`` and branches on its top-level ``drifted`` flag.
* ``append_to_training``  IngestJob: the same landing batch into ``training`` so the new model sees it.
* ``retrain``             TrainJob on ``training`` (latest version), tagged ``drift:<run_id>``.
* ``evaluate``            EvaluateJob of the latest model against ``production``.

Deployment knobs, read from the environment at parse time (cheap ``os.environ`` look-ups only) and
used as defaults of the DAG params, so a manual trigger can override each one in its run conf:

* ``DRIFTLAKE_JAR``      shaded jobs jar          (default ``<repo>/jobs/target/driftlake-jobs.jar``)
* ``DRIFTLAKE_CONFIG``   Typesafe config file     (default ``<repo>/conf/application.conf``)
* ``DRIFTLAKE_LANDING``  landing root, one sub-directory per ``ds`` (default ``<repo>/lake/landing``)
* ``DRIFTLAKE_REPORTS``  drift report root        (default ``<repo>/lake/reports``)
* ``DRIFTLAKE_SPARK_PROPERTIES`` optional Spark properties file for sizing/tuning, passed as
  ``--properties-file`` (default empty = none; Spark's own spark-defaults.conf then applies).
  The jobs set only what correctness needs, so master-independent sizing (shuffle partitions,
  memory, log level, ...) belongs there. The ``--conf`` values below always win over it.
* ``DRIFTLAKE_SCHEDULE`` cron / preset            (default ``@daily``)

The lake root itself is not a param: the jobs read ``driftlake.lake-root`` from the config file,
overridable by ``DRIFTLAKE_LAKE_ROOT`` in the environment of the worker that runs spark-submit
(spark-submit inherits the worker's environment).

Spark master: the ``spark_default`` connection. For a local master its host must carry the
whole master string, e.g. ``AIRFLOW_CONN_SPARK_DEFAULT='spark://local%5B2%5D'`` (``local[2]``
URL-encoded; an un-encoded ``spark://local[2]`` is not parsed and the provider silently falls back
to ``--master yarn``), or the JSON form ``{"conn_type": "spark", "host": "local[2]"}``.
``spark-submit`` must be on the worker's PATH (the provider does not accept a full path).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, task
from pendulum import datetime

DAG_ID = "drift_monitoring"

# <repo>/airflow-dags/dags/drift_monitoring.py -> <repo>
_REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_JAR = os.environ.get("DRIFTLAKE_JAR", str(_REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar"))
DEFAULT_CONFIG = os.environ.get("DRIFTLAKE_CONFIG", str(_REPO_ROOT / "conf" / "application.conf"))
DEFAULT_LANDING = os.environ.get("DRIFTLAKE_LANDING", str(_REPO_ROOT / "lake" / "landing"))
DEFAULT_REPORTS = os.environ.get("DRIFTLAKE_REPORTS", str(_REPO_ROOT / "lake" / "reports"))
DEFAULT_SPARK_PROPERTIES = os.environ.get("DRIFTLAKE_SPARK_PROPERTIES", "")
SCHEDULE = os.environ.get("DRIFTLAKE_SCHEDULE", "@daily")

SPARK_CONN_ID = "spark_default"

# Spark on Java 17 needs these module openings in every JVM it starts (driver and executors).
JAVA_17_OPTIONS = " ".join(
    [
        *(
            f"--add-opens=java.base/{pkg}=ALL-UNNAMED"
            for pkg in (
                "java.lang",
                "java.lang.invoke",
                "java.lang.reflect",
                "java.io",
                "java.net",
                "java.nio",
                "java.util",
                "java.util.concurrent",
                "java.util.concurrent.atomic",
                "sun.nio.ch",
                "sun.nio.cs",
                "sun.security.action",
                "sun.util.calendar",
            )
        ),
        "-Djdk.reflect.useDirectMethodHandle=false",
    ]
)
SPARK_CONF = {
    "spark.driver.extraJavaOptions": JAVA_17_OPTIONS,
    "spark.executor.extraJavaOptions": JAVA_17_OPTIONS,
}

JOB_PACKAGE = "io.driftlake.jobs"
INGEST_CLASS = f"{JOB_PACKAGE}.ingest.IngestJob"
TRAIN_CLASS = f"{JOB_PACKAGE}.train.TrainJob"
EVALUATE_CLASS = f"{JOB_PACKAGE}.evaluate.EvaluateJob"
DRIFT_CLASS = f"{JOB_PACKAGE}.drift.DriftJob"


def fs_safe(value: object) -> str:
    """Make a string usable as one path segment (run ids contain ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(value))


# Rendered the same way for the DriftJob argument and for the branch task that reads the report.
LANDING_BATCH = "{{ params.landing_dir }}/{{ ds }}"
REPORT_DIR = "{{ params.report_dir }}/{{ run_id | fs_safe }}"


def spark_job(task_id: str, java_class: str, args: list[str], name: str) -> SparkSubmitOperator:
    """One driftlake job = one spark-submit of the shaded jar; shared conf, connection and config."""
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN_ID,
        application="{{ params.jar }}",
        java_class=java_class,
        name=name,
        conf=dict(SPARK_CONF),
        application_args=["--config", "{{ params.config }}", *args],
        # Rendered to "" when the param is empty, and the hook then omits --properties-file.
        properties_file="{{ params.spark_properties }}",
    )


def ingest_landing_batch(task_id: str, table: str) -> SparkSubmitOperator:
    """The interval's landing batch into ``table``; batch id = ds, so a re-run adds no version."""
    return spark_job(
        task_id,
        INGEST_CLASS,
        [
            "--table", table,
            "--input", LANDING_BATCH,
            "--format", "{{ params.landing_format }}",
            "--batch-id", "{{ ds }}",
            "--run-id", "{{ run_id }}",
        ],
        name=f"driftlake-ingest-{table}",
    )


with DAG(
    dag_id=DAG_ID,
    description="Ingest the daily production batch, score drift against the training data, "
    "retrain and evaluate when drift is found.",
    doc_md=__doc__,
    # Data-interval semantics: the run that starts after a day ends has ds = that day, so it ingests
    # the complete batch of its own interval (a plain "@daily" string would give a trigger timetable
    # in Airflow 3, where ds is the day that is just starting).
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # runs append to the same Delta tables; keep them in order
    default_args={"owner": "driftlake", "retries": 0},
    user_defined_filters={"fs_safe": fs_safe},
    params={
        "jar": Param(DEFAULT_JAR, type="string", description="Path of the shaded driftlake jobs jar."),
        "config": Param(DEFAULT_CONFIG, type="string", description="Typesafe config file passed as --config."),
        "landing_dir": Param(
            DEFAULT_LANDING, type="string", description="Landing root; the run ingests <landing_dir>/<ds>."
        ),
        "landing_format": Param("parquet", enum=["parquet", "csv"], description="Format of landing batches."),
        "report_dir": Param(
            DEFAULT_REPORTS, type="string", description="Drift report root; one sub-directory per run id."
        ),
        "spark_properties": Param(
            DEFAULT_SPARK_PROPERTIES,
            type="string",
            description="Optional Spark properties file (--properties-file); empty for none.",
        ),
    },
    tags=["driftlake", "spark", "drift"],
) as dag:
    ingest_batch = ingest_landing_batch("ingest_batch", "production")

    drift = spark_job(
        "drift",
        DRIFT_CLASS,
        ["--report-dir", REPORT_DIR, "--run-id", "{{ run_id }}"],
        name="driftlake-drift",
    )

    @task.branch(task_id="decide")
    def decide(report_dir: str) -> str:
        """Branch on drift.json's top-level ``drifted`` flag written by the drift task."""
        report_path = Path(report_dir) / "drift.json"
        if not report_path.is_file():
            raise FileNotFoundError(f"drift report not found: {report_path}")
        report = json.loads(report_path.read_text())
        drifted = report.get("drifted") if isinstance(report, dict) else None
        if not isinstance(drifted, bool):
            raise ValueError(f"{report_path}: top-level 'drifted' must be true/false, got {drifted!r}")
        print(
            f"drift report {report_path}: drifted={drifted} ({report.get('reason')}); "
            f"reference={report.get('reference')} current={report.get('current')} "
            f"drifted_features={report.get('drifted_features')}"
        )
        return "append_to_training" if drifted else "skip_retrain"

    decision = decide(REPORT_DIR)

    append_to_training = ingest_landing_batch("append_to_training", "training")

    retrain = spark_job(
        "retrain",
        TRAIN_CLASS,
        ["--table", "training", "--run-id", "{{ run_id }}", "--triggered-by", "drift:{{ run_id }}"],
        name="driftlake-train",
    )

    evaluate = spark_job(
        "evaluate",
        EVALUATE_CLASS,
        ["--model", "latest", "--table", "production", "--run-id", "{{ run_id }}"],
        name="driftlake-evaluate",
    )

    skip_retrain = EmptyOperator(task_id="skip_retrain")

    ingest_batch >> drift >> decision
    decision >> [append_to_training, skip_retrain]
    append_to_training >> retrain >> evaluate
