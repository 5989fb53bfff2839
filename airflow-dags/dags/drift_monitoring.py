"""Daily model monitoring for the driftlake Delta tables: serve, learn from labels, watch drift,
retrain, and promote only what is better.

Flow per run (one landing batch per day, keyed by ``ds``, or by the trigger's ``batch_date``)::

    wait_for_landing -> ingest_batch -> serving.score_batch -> serving.estimate_batch -> serving.labels_arrived -+-> serving.ingest_labels -> serving.evaluate_production -+
                                                                                            +-> serving.no_new_labels --------------------------------+
        -> drift -> decide -+-> append_to_training -> retrain -> evaluate_challenger -> gate
                            +-> skip_retrain

* ``wait_for_landing``    FileSensor (deferrable): waits until ``<landing_dir>/<ds>/_SUCCESS`` exists
                          (``DRIFTLAKE_LANDING_READY``), poking every ``DRIFTLAKE_LANDING_POKE_INTERVAL``
                          seconds, for at most ``DRIFTLAKE_LANDING_TIMEOUT`` seconds: a late batch
                          delays the run instead of failing it.
* ``ingest_batch``        IngestJob: append ``<landing_dir>/<ds>`` to ``production`` (batch id = ds,
                          so a re-run of the same day adds no new Delta version).
* ``serving``             task group for the model in service:
  * ``score_batch``       ScoreJob: the ``champion`` scores the rows this batch added
                          (``production@batch=<batch>:added``: the version this run's ingest
                          committed, found by its batch id) into ``predictions``, with prediction drift;
                          a re-run writes nothing (the model already scored that version).
  * ``estimate_batch``    EstimateJob: the champion's accuracy, precision, recall, F1 and ROC AUC on
                          those predictions before their labels land (CBPE, with a confidence band,
                          calibrated on its held-out rows when needed), as ``estimated`` rows of
                          ``evaluations`` (same run id: a re-run writes nothing twice), and
                          ``<report_dir>/<run_id>/estimate.html``: estimated vs realized over batches.
  * ``labels_arrived``    branches on ``<labels_dir>/<ds>``: delayed labels that landed that day
                          (files with the row key and label columns, for any earlier batch).
  * ``ingest_labels``     FeedbackJob: those labels into ``labels`` (batch id = ds, idempotent).
  * ``evaluate_production`` EvaluateJob ``--mode production``: the champion's predictions joined with
                          every label that has arrived: metrics over time, unlabelled rows counted,
                          label drift.
  * ``no_new_labels``     nothing landed today.
* ``drift``               DriftJob with its defaults (reference = version the champion was trained
                          on, current = the rows this run's batch added,
                          ``production@batch=<batch>:added``, whatever committed since); writes ``drift_results`` rows and
                          ``<report_dir>/<run_id>/drift.json`` (for people). Drift is data, not an exit code:
                          the task passes ``--exit-code zero``, so it succeeds whenever the results
                          are written, and ``decide`` alone reads the run's ``status``.
                          It runs after serving, so a promotion below never changes the model
                          that scores or is judged in the same run.
* ``decide``              reads the run's ``status`` from the ``drift_results`` Delta table (with
                          delta-rs, no Spark, no file on any machine's disk): the rows of job
                          ``drift`` with this run's id that compared ``production``'s version of
                          this run's batch (found in production's Delta log by its batch id).
                          ``drifted`` retrains,
                          ``no drift`` skips retraining; ``incomplete`` (some features' verdicts
                          unknown, none drifted) fails the task with the reason, never "no drift";
                          ``not computable`` (a side with fewer rows than
                          ``driftlake.drift.min-rows``, e.g. an empty batch) fails it too, or, with
                          the param ``on_not_computable`` = ``skip``, ends it skipped (and with it
                          the rest of the run: nothing retrains, the run is not red).
* ``append_to_training``  IngestJob: the same landing batch into ``training`` so the new model sees it.
* ``retrain``             TrainJob on ``training@batch=<batch>``: the version ``append_to_training``
                          committed (pinned and recorded, never "latest"), tagged
                          ``drift:<run_id>`` (its lineage names this drift run).
* ``evaluate_challenger`` EvaluateJob of the model this run trained on the held-out rows of its
                          training version, into ``evaluations``.
* ``gate``                ``models promote``: the new model becomes champion only if it beats the
                          champion on the same evaluation data by the configured margin on the
                          configured metric (``driftlake.registry.gate``); otherwise it stays
                          challenger. The decision and its reason are a row in ``model_aliases``,
                          not an exit code: the task succeeds either way.

Deployment knobs, read from the environment at parse time (cheap ``os.environ`` look-ups only).
They choose the code and where it reads and writes, so they belong to whoever deploys the DAG
file, never to whoever triggers a run: the tasks use these values directly, and each is also a
param locked to its value (``enum`` of one), so a run conf that names one with another value is
refused by Airflow's param validation before the run is created
(``ParamValidationError: Invalid input for param jar: '/tmp/other.jar' is not one of [...]``):

* ``DRIFTLAKE_JAR``      shaded jobs jar          (default ``<repo>/jobs/target/driftlake-jobs.jar``)
* ``DRIFTLAKE_CONFIG``   Typesafe config file     (default ``<repo>/conf/application.conf``)
* ``DRIFTLAKE_LANDING``  landing root, one sub-directory per batch date (default ``<repo>/lake/landing``)
* ``DRIFTLAKE_LABELS``   delayed-labels landing root, one sub-directory per date on which labels
  arrived (default ``<repo>/lake/labels``)
* ``DRIFTLAKE_REPORTS``  drift report root        (default ``<repo>/lake/reports``)
* ``DRIFTLAKE_SPARK_PROPERTIES`` Spark properties file for sizing/tuning, passed as
  ``--properties-file`` (default ``<repo>/conf/spark-defaults.conf``; empty = none, and Spark's own
  ``$SPARK_CONF_DIR/spark-defaults.conf`` applies).
  The jobs set only what correctness needs, so master-independent sizing (shuffle partitions,
  memory, log level, ...) belongs there. The ``--conf`` values below always win over it.
* ``DRIFTLAKE_SPARK_JAVA_OPTIONS`` file with the Java 17 flags for driver and executors
  (default ``<repo>/conf/spark-java-options``), read when the DAG is parsed.
* ``DRIFTLAKE_LOG4J``    the driver's log4j2 config (default ``<repo>/conf/log4j2.properties``).
* ``DRIFTLAKE_SCHEDULE`` cron / preset            (default ``@daily``)
* ``DRIFTLAKE_ON_NOT_COMPUTABLE`` ``fail`` or ``skip``: what ``decide`` does with a drift run that
  is not computable (default ``fail``)
* ``DRIFTLAKE_RETRIES`` (default 2), ``DRIFTLAKE_RETRY_DELAY`` (seconds, default 300),
  ``DRIFTLAKE_TASK_TIMEOUT`` (seconds per try of a Spark job, default 7200): every job is idempotent
  by its run id or batch id, so a retry of a task that failed half-way adds nothing twice.
* ``DRIFTLAKE_LANDING_READY`` the file whose presence in ``<landing_dir>/<ds>`` says the batch is
  complete (default ``_SUCCESS``, what Spark and Hadoop writers leave; empty = any file),
  ``DRIFTLAKE_LANDING_TIMEOUT`` (seconds, default 43200), ``DRIFTLAKE_LANDING_POKE_INTERVAL``
  (seconds, default 300), ``DRIFTLAKE_LANDING_DEFERRABLE`` (``true``: wait in the triggerer, the
  default; ``false``: a sensor in ``reschedule`` mode for a deployment without a triggerer).

These are environment values rather than params or Airflow Variables: retries, timeouts and a
sensor's intervals are fixed when the file is parsed (they are not templated), and reading
Variables in top-level DAG code costs a metadata round-trip at every parse.

What a trigger may set (validated by Airflow before the run is created):

* ``landing_format``     ``parquet`` or ``csv``: the format of the landing batches (data and labels).
* ``batch_date``         the landing date to process, ``YYYY-MM-DD`` (a real date); empty = the
                         run's ``ds``. It names the folders read and is the batch id, so a bad one
                         (``../x``, ``2025-13-01``) never reaches a path or a job.

The lake root itself is not a param: the jobs read ``driftlake.lake-root`` from the config file,
overridable by ``DRIFTLAKE_LAKE_ROOT`` in the environment of the worker that runs spark-submit
(spark-submit inherits the worker's environment). ``decide`` reads ``drift_results`` under that
same ``DRIFTLAKE_LAKE_ROOT``, so the workers must have it set. When it is set where the DAG file is
parsed too, the Delta tables' Assets carry their URIs (``file:///...``, ``s3://...``); otherwise
they are named ``driftlake.<table>`` only.

Spark master: the ``spark_default`` connection. For a local master its host must carry the
whole master string, e.g. ``AIRFLOW_CONN_SPARK_DEFAULT='spark://local%5B2%5D'`` (``local[2]``
URL-encoded; an un-encoded ``spark://local[2]`` is not parsed and the provider silently falls back
to ``--master yarn``), or the JSON form ``{"conn_type": "spark", "host": "local[2]"}``.
``spark-submit`` must be on the worker's PATH (the provider does not accept a full path).
The sensor uses the ``fs_default`` connection (type ``fs``; its base path is joined with the
absolute landing path, so any base path, e.g. ``AIRFLOW_CONN_FS_DEFAULT='{"conn_type": "fs"}'``).
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param, TaskGroup, TriggerRule, task
from pendulum import datetime

DAG_ID = "drift_monitoring"

# <repo>/airflow-dags/dags/drift_monitoring.py -> <repo>
_REPO_ROOT = Path(__file__).resolve().parents[2]

JAR = os.environ.get("DRIFTLAKE_JAR", str(_REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar"))
CONFIG = os.environ.get("DRIFTLAKE_CONFIG", str(_REPO_ROOT / "conf" / "application.conf"))
LANDING = os.environ.get("DRIFTLAKE_LANDING", str(_REPO_ROOT / "lake" / "landing"))
LABELS = os.environ.get("DRIFTLAKE_LABELS", str(_REPO_ROOT / "lake" / "labels"))
REPORTS = os.environ.get("DRIFTLAKE_REPORTS", str(_REPO_ROOT / "lake" / "reports"))
SPARK_PROPERTIES = os.environ.get("DRIFTLAKE_SPARK_PROPERTIES", str(_REPO_ROOT / "conf" / "spark-defaults.conf"))
SPARK_JAVA_OPTIONS = os.environ.get(
    "DRIFTLAKE_SPARK_JAVA_OPTIONS", str(_REPO_ROOT / "conf" / "spark-java-options")
)
LOG4J = os.environ.get("DRIFTLAKE_LOG4J", str(_REPO_ROOT / "conf" / "log4j2.properties"))
SCHEDULE = os.environ.get("DRIFTLAKE_SCHEDULE", "@daily")
DEFAULT_ON_NOT_COMPUTABLE = os.environ.get("DRIFTLAKE_ON_NOT_COMPUTABLE", "fail")


def env_seconds(name: str, default: int, minimum: int = 0) -> int:
    """A whole number of seconds (or a count) from the environment; a bad value fails the parse
    with one line naming the variable."""
    raw = os.environ.get(name, "").strip() or str(default)
    if not re.fullmatch(r"[0-9]+", raw) or int(raw) < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {raw!r}")
    return int(raw)


RETRIES = env_seconds("DRIFTLAKE_RETRIES", 2)
RETRY_DELAY = env_seconds("DRIFTLAKE_RETRY_DELAY", 300)
TASK_TIMEOUT = env_seconds("DRIFTLAKE_TASK_TIMEOUT", 7200, minimum=1)
LANDING_READY = os.environ.get("DRIFTLAKE_LANDING_READY", "_SUCCESS")
LANDING_TIMEOUT = env_seconds("DRIFTLAKE_LANDING_TIMEOUT", 43200, minimum=1)
LANDING_POKE_INTERVAL = env_seconds("DRIFTLAKE_LANDING_POKE_INTERVAL", 300, minimum=1)
_deferrable = os.environ.get("DRIFTLAKE_LANDING_DEFERRABLE", "true").strip().lower()
if _deferrable not in ("true", "false"):
    raise ValueError(f"DRIFTLAKE_LANDING_DEFERRABLE must be true or false, got {_deferrable!r}")
LANDING_DEFERRABLE = _deferrable == "true"
# decide and the reading of drift_results: a table read, not a Spark job.
DECIDE_TIMEOUT = timedelta(minutes=10)

SPARK_CONN_ID = "spark_default"

# Spark on Java 17 needs module openings in every JVM it starts (driver and executors): one copy,
# conf/spark-java-options, shared with bin/driftlake, the notebook and the tests. The driver also
# gets the project's log4j2.properties (WARN; a failed task reported once, by the job).
JAVA_17_OPTIONS = Path(SPARK_JAVA_OPTIONS).read_text().strip()
SPARK_CONF = {
    "spark.driver.extraJavaOptions": f"{JAVA_17_OPTIONS} -Dlog4j2.configurationFile={LOG4J}",
    "spark.executor.extraJavaOptions": JAVA_17_OPTIONS,
}

JOB_PACKAGE = "io.driftlake.jobs"
INGEST_CLASS = f"{JOB_PACKAGE}.ingest.IngestJob"
TRAIN_CLASS = f"{JOB_PACKAGE}.train.TrainJob"
EVALUATE_CLASS = f"{JOB_PACKAGE}.evaluate.EvaluateJob"
DRIFT_CLASS = f"{JOB_PACKAGE}.drift.DriftJob"
SCORE_CLASS = f"{JOB_PACKAGE}.score.ScoreJob"
ESTIMATE_CLASS = f"{JOB_PACKAGE}.estimate.EstimateJob"
FEEDBACK_CLASS = f"{JOB_PACKAGE}.feedback.FeedbackJob"
MODELS_CLASS = f"{JOB_PACKAGE}.models.ModelsJob"


# A drift run's status (RunStatus ids, as in drift_results.status and drift.json; the drift job's
# exit codes 0, 0, 3, 4).
STATUSES = ("drifted", "no drift", "incomplete", "not computable")

# The Delta tables the tasks write (the jobs' default driftlake.tables.* names).
TABLES = (
    "production", "training", "predictions", "labels", "evaluations", "drift_results", "drift_checks",
    "profiles", "models", "model_aliases",
)


def lake_uri(root: str) -> str:
    """The lake root as a URI: a plain path becomes ``file://``; Hadoop's ``s3a://`` is ``s3://``
    to Airflow's Assets and to delta-rs (the same bucket and key)."""
    root = root.rstrip("/")
    if "://" not in root:
        return Path(root).resolve().as_uri()
    return "s3://" + root[len("s3a://"):] if root.startswith("s3a://") else root


_LAKE_AT_PARSE = os.environ.get("DRIFTLAKE_LAKE_ROOT", "")
ASSETS = {
    table: Asset(name=f"driftlake.{table}", uri=f"{lake_uri(_LAKE_AT_PARSE)}/{table}")
    if _LAKE_AT_PARSE
    else Asset(name=f"driftlake.{table}")
    for table in TABLES
}


def assets(*tables: str) -> list[Asset]:
    return [ASSETS[t] for t in tables]


def delta_path(lake_root: str, table: str) -> str:
    """What delta-rs opens: a local path, or the table's URI."""
    if "://" not in lake_root:
        return str(Path(lake_root).resolve() / table)
    if lake_root.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return str(Path(unquote(urlparse(lake_root).path)) / table)
    return f"{lake_uri(lake_root)}/{table}"


def batch_version(lake_root: str, table: str, batch: str) -> int:
    """The version of ``table`` whose ingest commit wrote ``batch``: the commit's ``userMetadata``
    names the job and the batch id (as ``TABLE@batch=ID`` resolves it in the jobs)."""
    from deltalake import DeltaTable

    path = delta_path(lake_root, table)
    for commit in DeltaTable(path).history():
        try:
            stamp = json.loads(commit.get("userMetadata") or "{}")
        except ValueError:
            continue
        if isinstance(stamp, dict) and stamp.get("job") == "ingest" and stamp.get("batch_id") == batch:
            return int(commit["version"])
    raise LookupError(f"table '{table}' ({path}) has no commit of ingest batch '{batch}'")


VERDICT_COLUMNS = [
    "job", "run_id", "reference_table", "reference_version", "reference_selection", "current_table",
    "current_version", "current_selection", "status", "reason", "feature", "feature_drifted",
]


def drift_verdict(lake_root: str, run_id: str, current_table: str, current_version: int) -> dict:
    """The drift job's verdict for run ``run_id`` on ``current_table@current_version:added``, read
    from ``drift_results`` (delta-rs): exactly one comparison, one status. Prediction and label
    drift that score and evaluate record under the same run id are other jobs' rows."""
    from deltalake import DeltaTable

    path = delta_path(lake_root, "drift_results")
    table = DeltaTable(path)
    missing = sorted(set(VERDICT_COLUMNS) - set(table.schema().to_arrow().names))
    if missing:
        raise ValueError(f"table 'drift_results' ({path}) version {table.version()} has no columns {missing}")
    # Slice rows (slice not null, when the table has the column) are drift inside a slice: the
    # dataset's verdict and its drifted features come from the whole-data rows.
    sliced = "slice" in table.schema().to_arrow().names
    rows = [
        r
        for r in table.to_pyarrow_table(
            columns=VERDICT_COLUMNS + (["slice"] if sliced else []),
            filters=[("run_id", "=", run_id), ("job", "=", "drift")],
        ).to_pylist()
        if (r["current_table"], r["current_version"], r["current_selection"])
        == (current_table, current_version, "added")
        and r.get("slice") is None
    ]
    where = (
        f"table 'drift_results' ({path}) version {table.version()}, run '{run_id}', "
        f"current {current_table}@{current_version}:added"
    )
    if not rows:
        raise LookupError(f"{where}: no rows of the drift job")
    comparisons = {
        (r["reference_table"], r["reference_version"], r["reference_selection"], r["status"], r["reason"])
        for r in rows
    }
    if len(comparisons) != 1:
        raise ValueError(f"{where}: {len(comparisons)} comparisons, expected one: {sorted(map(str, comparisons))}")
    ((reference_table, reference_version, reference_selection, status, reason),) = comparisons
    if status not in STATUSES:
        raise ValueError(f"{where}: status must be one of {STATUSES}, got {status!r}")
    reference = f"{reference_table}@{reference_version} ({reference_selection})"
    return {
        "status": status,
        "reason": reason,
        "reference": reference,
        "current": f"{current_table}@{current_version}:added",
        "drifted_features": sorted({r["feature"] for r in rows if r["feature_drifted"]}),
        "rows": len(rows),
        "where": where,
    }


def fs_safe(value: object) -> str:
    """Make a string usable as one path segment (run ids contain ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(value))


# The batch a run processes: the trigger's validated batch_date, else the run's ds.
BATCH = "{{ params.batch_date or ds }}"
LANDING_BATCH = f"{LANDING}/{BATCH}"
LABELS_BATCH = f"{LABELS}/{BATCH}"
# The versions this run wrote, found by their batch id in each table's Delta log: whatever another
# writer commits between two tasks, scoring and drift read this run's batch, and retraining
# trains on the training version this run appended (never "latest").
PRODUCTION_BATCH = f"production@batch={BATCH}:added"
TRAINING_BATCH = f"training@batch={BATCH}"
# Where the drift task writes drift.json and drift.html for people (decide reads drift_results).
REPORT_DIR = f"{REPORTS}/{{{{ run_id | fs_safe }}}}"

DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def deployed(value: str, env_var: str, what: str) -> Param:
    """A deployment value shown as a param that a run's conf cannot change (an enum of one)."""
    return Param(
        value,
        type="string",
        enum=[value],
        description=f"{what}: set by the deployment ({env_var}); a run's conf cannot change it.",
    )


def spark_job(
    task_id: str, java_class: str, args: list[str], name: str, writes: tuple[str, ...], **kwargs
) -> SparkSubmitOperator:
    """One driftlake job = one spark-submit of the shaded jar; shared conf, connection and config.
    ``writes``: the Delta tables it commits to, its Asset outlets. Retries, their delay and the
    per-try timeout come from the DAG's default_args (a killed try's spark-submit is killed too)."""
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class=java_class,
        name=name,
        conf=dict(SPARK_CONF),
        application_args=["--config", CONFIG, *args],
        # "" when none is deployed, and the hook then omits --properties-file.
        properties_file=SPARK_PROPERTIES,
        outlets=assets(*writes),
        **kwargs,
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
            "--batch-id", BATCH,
            "--run-id", "{{ run_id }}",
        ],
        name=f"driftlake-ingest-{table}",
        writes=(table,),
    )


with DAG(
    dag_id=DAG_ID,
    description="Ingest the daily production batch, score it with the champion, take in delayed "
    "labels, score drift against the training data; when drift is found retrain, evaluate and "
    "promote only a better model.",
    doc_md=__doc__,
    # Data-interval semantics: the run that starts after a day ends has ds = that day, so it ingests
    # the complete batch of its own interval (a plain "@daily" string would give a trigger timetable
    # in Airflow 3, where ds is the day that is just starting).
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # runs append to the same Delta tables; keep them in order
    # Every job is idempotent (by run id or batch id): a retried task adds nothing twice.
    default_args={
        "owner": "driftlake",
        "retries": RETRIES,
        "retry_delay": timedelta(seconds=RETRY_DELAY),
        "execution_timeout": timedelta(seconds=TASK_TIMEOUT),
    },
    user_defined_filters={"fs_safe": fs_safe},
    params={
        # Chosen by the deployment (see the module doc): locked, so a trigger cannot change them.
        "jar": deployed(JAR, "DRIFTLAKE_JAR", "Path of the shaded driftlake jobs jar"),
        "config": deployed(CONFIG, "DRIFTLAKE_CONFIG", "Typesafe config file passed as --config"),
        "spark_properties": deployed(
            SPARK_PROPERTIES, "DRIFTLAKE_SPARK_PROPERTIES", "Spark properties file (--properties-file)"
        ),
        "landing_dir": deployed(LANDING, "DRIFTLAKE_LANDING", "Landing root"),
        "labels_dir": deployed(LABELS, "DRIFTLAKE_LABELS", "Delayed-labels landing root"),
        "report_dir": deployed(REPORTS, "DRIFTLAKE_REPORTS", "Drift report root"),
        # What a trigger may choose: data, validated.
        "landing_format": Param(
            "parquet", enum=["parquet", "csv"], description="Format of landing batches (data and labels)."
        ),
        "batch_date": Param(
            None,
            type=["null", "string"],
            pattern=DATE_PATTERN,
            format="date",
            description="Landing date to process (YYYY-MM-DD), also the batch id; empty = the run's ds.",
        ),
        "on_not_computable": Param(
            DEFAULT_ON_NOT_COMPUTABLE,
            enum=["fail", "skip"],
            description="A drift run that is not computable (e.g. an empty batch): fail the run, "
            "or skip the rest of it.",
        ),
    },
    tags=["driftlake", "spark", "drift", "mlops"],
) as dag:
    # A late batch delays the run; one that never completes fails it after the timeout (a sensor's
    # timeout is not retried). Its own timeout bounds it, not the jobs' execution_timeout.
    wait_for_landing = FileSensor(
        task_id="wait_for_landing",
        filepath=f"{LANDING_BATCH}/{LANDING_READY}" if LANDING_READY else LANDING_BATCH,
        fs_conn_id="fs_default",
        deferrable=LANDING_DEFERRABLE,
        mode="poke" if LANDING_DEFERRABLE else "reschedule",
        poke_interval=LANDING_POKE_INTERVAL,
        timeout=LANDING_TIMEOUT,
        execution_timeout=None,
    )
    ingest_batch = ingest_landing_batch("ingest_batch", "production")

    with TaskGroup("serving", tooltip="The champion scores the batch; arrived labels judge it") as serving:
        score_batch = spark_job(
            "score_batch",
            SCORE_CLASS,
            ["--model", "champion", "--table", PRODUCTION_BATCH, "--run-id", "{{ run_id }}"],
            name="driftlake-score",
            writes=("predictions", "drift_results"),  # prediction drift
        )
        estimate_batch = spark_job(
            "estimate_batch",
            ESTIMATE_CLASS,
            [
                "--model", "champion", "--table", PRODUCTION_BATCH, "--run-id", "{{ run_id }}",
                "--report-dir", REPORT_DIR,
            ],
            name="driftlake-estimate",
            writes=("evaluations",),
        )

        @task.branch(task_id="labels_arrived", execution_timeout=DECIDE_TIMEOUT)
        def labels_arrived(labels_batch: str) -> str:
            """Labels land as files under <labels_dir>/<ds>; an absent or empty folder means none."""
            folder = Path(labels_batch)
            files = []
            if folder.is_dir():  # Spark's _SUCCESS and .crc files are not data
                files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
            print(f"labels landing {folder}: {len(files)} file(s)")
            return "serving.ingest_labels" if files else "serving.no_new_labels"

        ingest_labels = spark_job(
            "ingest_labels",
            FEEDBACK_CLASS,
            [
                "--input", LABELS_BATCH,
                "--format", "{{ params.landing_format }}",
                "--batch-id", BATCH,
                "--run-id", "{{ run_id }}",
            ],
            name="driftlake-feedback",
            writes=("labels",),
        )
        evaluate_production = spark_job(
            "evaluate_production",
            EVALUATE_CLASS,
            ["--mode", "production", "--model", "champion", "--run-id", "{{ run_id }}"],
            name="driftlake-evaluate-production",
            writes=("evaluations", "drift_results"),  # label drift
        )
        no_new_labels = EmptyOperator(task_id="no_new_labels")

        labels_branch = labels_arrived(LABELS_BATCH)
        score_batch >> estimate_batch >> labels_branch >> [ingest_labels, no_new_labels]
        ingest_labels >> evaluate_production

    drift = spark_job(
        "drift",
        DRIFT_CLASS,
        # Exit 0 once the results are written: decide reads the status from drift_results.
        [
            "--report-dir", REPORT_DIR, "--run-id", "{{ run_id }}", "--exit-code", "zero",
            "--current", PRODUCTION_BATCH,
        ],
        name="driftlake-drift",
        writes=("drift_results", "drift_checks", "profiles"),
        # After the serving branch, whichever of its two ends ran.
        trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
    )

    @task.branch(task_id="decide", execution_timeout=DECIDE_TIMEOUT)
    def decide(drift_run: str, batch: str, on_not_computable: str = "fail") -> str:
        """Branch on the drift run's ``status`` in ``drift_results``: retrain on ``drifted``, skip
        on ``no drift``; ``incomplete`` fails, ``not computable`` fails or, with
        ``on_not_computable`` = ``skip``, ends this task (and so the rest of the run) skipped.
        The rows are this run's (``drift_run``: its run id, job ``drift``) on production's version
        of this run's batch; the lake is ``DRIFTLAKE_LAKE_ROOT`` of this worker, the one the jobs write."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        if on_not_computable not in ("fail", "skip"):
            raise ValueError(f"on_not_computable must be 'fail' or 'skip', got {on_not_computable!r}")
        lake_root = os.environ.get("DRIFTLAKE_LAKE_ROOT", "")
        if not lake_root:
            raise AirflowFailException(
                "DRIFTLAKE_LAKE_ROOT is not set on this worker: decide reads drift_results under the "
                "lake root the jobs write (driftlake.lake-root), so the workers need it in their environment"
            )
        version = batch_version(lake_root, "production", batch)
        verdict = drift_verdict(lake_root, drift_run, "production", version)
        status, reason, where = verdict["status"], verdict["reason"], verdict["where"]
        print(
            f"drift verdict from {where}: status={status} ({reason}); reference={verdict['reference']} "
            f"current={verdict['current']} drifted_features={verdict['drifted_features']} ({verdict['rows']} rows)"
        )
        if status == "incomplete":
            raise AirflowFailException(f"drift is incomplete, not 'no drift': {reason} ({where})")
        if status == "not computable":
            message = f"drift is not computable: {reason} ({where})"
            if on_not_computable == "skip":
                raise AirflowSkipException(message + "; skipped (on_not_computable = skip)")
            raise AirflowFailException(message)
        return "append_to_training" if status == "drifted" else "skip_retrain"

    decision = decide("{{ run_id }}", BATCH, "{{ params.on_not_computable }}")

    append_to_training = ingest_landing_batch("append_to_training", "training")

    retrain = spark_job(
        "retrain",
        TRAIN_CLASS,
        ["--table", TRAINING_BATCH, "--run-id", "{{ run_id }}", "--triggered-by", "drift:{{ run_id }}"],
        name="driftlake-train",
        writes=("models",),
    )

    evaluate_challenger = spark_job(
        "evaluate_challenger",
        EVALUATE_CLASS,
        ["--model", "run:{{ run_id }}", "--split", "held-out", "--run-id", "{{ run_id }}"],
        name="driftlake-evaluate",
        writes=("evaluations",),
    )

    gate = spark_job(
        "gate",
        MODELS_CLASS,
        ["promote", "--model", "run:{{ run_id }}", "--run-id", "{{ run_id }}"],
        name="driftlake-gate",
        writes=("evaluations", "model_aliases"),
    )

    skip_retrain = EmptyOperator(task_id="skip_retrain")

    wait_for_landing >> ingest_batch >> serving >> drift >> decision
    decision >> [append_to_training, skip_retrain]
    append_to_training >> retrain >> evaluate_challenger >> gate
