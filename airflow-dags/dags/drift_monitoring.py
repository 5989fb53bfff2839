"""Daily model monitoring for the driftlake Delta tables: serve, learn from labels, watch drift,
retrain, and promote only what is better.

Flow per run (one landing batch per day, keyed by ``ds``, or by the trigger's ``batch_date``)::

    ingest_batch -> serving.score_batch -> serving.labels_arrived -+-> serving.ingest_labels -> serving.evaluate_production -+
                                                                   +-> serving.no_new_labels --------------------------------+
        -> drift -> decide -+-> append_to_training -> retrain -> evaluate_challenger -> gate
                            +-> skip_retrain

* ``ingest_batch``        IngestJob: append ``<landing_dir>/<ds>`` to ``production`` (batch id = ds,
                          so a re-run of the same day adds no new Delta version).
* ``serving``             task group for the model in service:
  * ``score_batch``       ScoreJob: the ``champion`` scores the rows this batch added
                          (``production@batch=<batch>:added``: the version this run's ingest
                          committed, found by its batch id) into ``predictions``, with prediction drift;
                          a re-run writes nothing (the model already scored that version).
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
                          ``<report_dir>/<run_id>/drift.json``. Drift is data, not an exit code:
                          the task passes ``--exit-code zero``, so it succeeds whenever the results
                          are written, and ``decide`` alone reads the run's ``status``.
                          It runs after serving, so a promotion below never changes the model
                          that scores or is judged in the same run.
* ``decide``              reads ``drift.json``'s top-level ``status``: ``drifted`` retrains,
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

What a trigger may set (validated by Airflow before the run is created):

* ``landing_format``     ``parquet`` or ``csv``: the format of the landing batches (data and labels).
* ``batch_date``         the landing date to process, ``YYYY-MM-DD`` (a real date); empty = the
                         run's ``ds``. It names the folders read and is the batch id, so a bad one
                         (``../x``, ``2025-13-01``) never reaches a path or a job.

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
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, TaskGroup, TriggerRule, task
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
FEEDBACK_CLASS = f"{JOB_PACKAGE}.feedback.FeedbackJob"
MODELS_CLASS = f"{JOB_PACKAGE}.registry.ModelsJob"


# drift.json's top-level "status" (RunStatus ids; the drift job's exit codes 0, 0, 3, 4).
STATUSES = ("drifted", "no drift", "incomplete", "not computable")


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
# Rendered the same way for the DriftJob argument and for the branch task that reads the report.
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


def spark_job(task_id: str, java_class: str, args: list[str], name: str, **kwargs) -> SparkSubmitOperator:
    """One driftlake job = one spark-submit of the shaded jar; shared conf, connection and config."""
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
    default_args={"owner": "driftlake", "retries": 0},
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
    ingest_batch = ingest_landing_batch("ingest_batch", "production")

    with TaskGroup("serving", tooltip="The champion scores the batch; arrived labels judge it") as serving:
        score_batch = spark_job(
            "score_batch",
            SCORE_CLASS,
            ["--model", "champion", "--table", PRODUCTION_BATCH, "--run-id", "{{ run_id }}"],
            name="driftlake-score",
        )

        @task.branch(task_id="labels_arrived")
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
        )
        evaluate_production = spark_job(
            "evaluate_production",
            EVALUATE_CLASS,
            ["--mode", "production", "--model", "champion", "--run-id", "{{ run_id }}"],
            name="driftlake-evaluate-production",
        )
        no_new_labels = EmptyOperator(task_id="no_new_labels")

        labels_branch = labels_arrived(LABELS_BATCH)
        score_batch >> labels_branch >> [ingest_labels, no_new_labels]
        ingest_labels >> evaluate_production

    drift = spark_job(
        "drift",
        DRIFT_CLASS,
        # Exit 0 once the results are written: decide reads the status from drift.json.
        [
            "--report-dir", REPORT_DIR, "--run-id", "{{ run_id }}", "--exit-code", "zero",
            "--current", PRODUCTION_BATCH,
        ],
        name="driftlake-drift",
        # After the serving branch, whichever of its two ends ran.
        trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
    )

    @task.branch(task_id="decide")
    def decide(report_dir: str, on_not_computable: str = "fail") -> str:
        """Branch on drift.json's top-level ``status`` written by the drift task: retrain on
        ``drifted``, skip on ``no drift``; ``incomplete`` fails, ``not computable`` fails or, with
        ``on_not_computable`` = ``skip``, ends this task (and so the rest of the run) skipped."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        report_path = Path(report_dir) / "drift.json"
        if not report_path.is_file():
            raise FileNotFoundError(f"drift report not found: {report_path}")
        report = json.loads(report_path.read_text())
        status = report.get("status") if isinstance(report, dict) else None
        if status not in STATUSES:
            raise ValueError(f"{report_path}: top-level 'status' must be one of {STATUSES}, got {status!r}")
        if on_not_computable not in ("fail", "skip"):
            raise ValueError(f"on_not_computable must be 'fail' or 'skip', got {on_not_computable!r}")
        print(
            f"drift report {report_path}: status={status} ({report.get('reason')}); "
            f"reference={report.get('reference')} current={report.get('current')} "
            f"drifted_features={report.get('drifted_features')}"
        )
        if status == "incomplete":
            raise AirflowFailException(f"drift is incomplete, not 'no drift': {report.get('reason')} ({report_path})")
        if status == "not computable":
            message = f"drift is not computable: {report.get('reason')} ({report_path})"
            if on_not_computable == "skip":
                raise AirflowSkipException(message + "; skipped (on_not_computable = skip)")
            raise AirflowFailException(message)
        return "append_to_training" if status == "drifted" else "skip_retrain"

    decision = decide(REPORT_DIR, "{{ params.on_not_computable }}")

    append_to_training = ingest_landing_batch("append_to_training", "training")

    retrain = spark_job(
        "retrain",
        TRAIN_CLASS,
        ["--table", TRAINING_BATCH, "--run-id", "{{ run_id }}", "--triggered-by", "drift:{{ run_id }}"],
        name="driftlake-train",
    )

    evaluate_challenger = spark_job(
        "evaluate_challenger",
        EVALUATE_CLASS,
        ["--model", "run:{{ run_id }}", "--split", "held-out", "--run-id", "{{ run_id }}"],
        name="driftlake-evaluate",
    )

    gate = spark_job(
        "gate",
        MODELS_CLASS,
        ["promote", "--model", "run:{{ run_id }}", "--run-id", "{{ run_id }}"],
        name="driftlake-gate",
    )

    skip_retrain = EmptyOperator(task_id="skip_retrain")

    ingest_batch >> serving >> drift >> decision
    decision >> [append_to_training, skip_retrain]
    append_to_training >> retrain >> evaluate_challenger >> gate
