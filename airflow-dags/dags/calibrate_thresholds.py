"""Weekly threshold calibration for the driftlake drift checks: learn each feature's and method's
drift threshold from the history of ``production`` for a target false-alarm rate.

One task::

    calibrate

* ``calibrate``  CalibrateJob: replays the stored profiles of the table's consecutive profiled
                 versions (``:added`` selections: each batch against the next; the daily
                 ``drift_monitoring`` run stores them), with no data scan, and appends the
                 thresholds with their provenance (pairs used, excluded and skipped versions,
                 rate, run id) to the ``thresholds`` Delta table in one commit, idempotent by the
                 run id. Later drift runs use the latest calibration of their current table
                 (``threshold_source = calibrated``; ``driftlake.calibrate.use-calibrated``).
                 Too few pairs for the rate (fewer than 1/rate - 1) fails the task with one line
                 naming the table.

Deployment knobs, read from the environment at parse time, as in ``drift_monitoring``:
``DRIFTLAKE_JAR``, ``DRIFTLAKE_CONFIG``, ``DRIFTLAKE_SPARK_PROPERTIES``,
``DRIFTLAKE_SPARK_JAVA_OPTIONS``, ``DRIFTLAKE_LOG4J``, and ``DRIFTLAKE_CALIBRATE_SCHEDULE`` (cron
or preset, default ``@weekly``). Retries (2, five minutes apart) and the per-try timeout (two
hours) are fixed: the job is idempotent by its run id.

What a trigger may set (validated by Airflow before the run is created):

* ``table``    the table whose history is replayed (default ``production``); a table name only.
* ``rate``     the target false-alarm rate, in (0, 0.5) (default 0.01: needs 99 pairs).
* ``exclude``  versions that are real drift, comma-separated (``17,18``); their pairs are left
               out. Empty = none.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Asset, CronDataIntervalTimetable, Param
from pendulum import datetime

DAG_ID = "calibrate_thresholds"

_REPO_ROOT = Path(__file__).resolve().parents[2]

JAR = os.environ.get("DRIFTLAKE_JAR", str(_REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar"))
CONFIG = os.environ.get("DRIFTLAKE_CONFIG", str(_REPO_ROOT / "conf" / "application.conf"))
SPARK_PROPERTIES = os.environ.get("DRIFTLAKE_SPARK_PROPERTIES", str(_REPO_ROOT / "conf" / "spark-defaults.conf"))
SPARK_JAVA_OPTIONS = os.environ.get(
    "DRIFTLAKE_SPARK_JAVA_OPTIONS", str(_REPO_ROOT / "conf" / "spark-java-options")
)
LOG4J = os.environ.get("DRIFTLAKE_LOG4J", str(_REPO_ROOT / "conf" / "log4j2.properties"))
SCHEDULE = os.environ.get("DRIFTLAKE_CALIBRATE_SCHEDULE", "@weekly")


def table_asset(table: str) -> Asset:
    """A table's Asset exactly as drift_monitoring names it (its ``ASSETS``: the URI under
    ``DRIFTLAKE_LAKE_ROOT`` when set at parse, ``s3a://`` as ``s3://``). Airflow keys an Asset by
    name and URI: another URI for ``driftlake.profiles`` here would leave one of the two inactive,
    and the daily DAG's drift task, whose outlet it is, would fail. Each DAG file stays
    self-contained (a plain DagBag does not put the DAG folder on ``sys.path``), so the rule is
    repeated here and test_calibrate_dag holds the two equal."""
    root = os.environ.get("DRIFTLAKE_LAKE_ROOT", "").rstrip("/")
    if not root:
        return Asset(name=f"driftlake.{table}")
    if "://" not in root:
        root = Path(root).resolve().as_uri()
    elif root.startswith("s3a://"):
        root = "s3://" + root[len("s3a://"):]
    return Asset(name=f"driftlake.{table}", uri=f"{root}/{table}")


# Fixed here, not the daily DAG's DRIFTLAKE_RETRIES/_RETRY_DELAY/_TASK_TIMEOUT: a bad value of
# those fails the daily DAG's parse, and must not fail this one's too.
RETRIES = 2
RETRY_DELAY = 300
TASK_TIMEOUT = 7200

CALIBRATE_CLASS = "io.driftlake.jobs.calibrate.CalibrateJob"
JAVA_17_OPTIONS = Path(SPARK_JAVA_OPTIONS).read_text().strip()
SPARK_CONF = {
    "spark.driver.extraJavaOptions": f"{JAVA_17_OPTIONS} -Dlog4j2.configurationFile={LOG4J}",
    "spark.executor.extraJavaOptions": JAVA_17_OPTIONS,
}

with DAG(
    dag_id=DAG_ID,
    description="Learn per-feature, per-method drift thresholds for a target false-alarm rate from "
    "the stored profiles of a table's past batches (no data scan).",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "driftlake",
        "retries": RETRIES,
        "retry_delay": timedelta(seconds=RETRY_DELAY),
        "execution_timeout": timedelta(seconds=TASK_TIMEOUT),
    },
    params={
        "table": Param(
            "production",
            type="string",
            pattern=r"^[A-Za-z0-9_]+$",
            description="Table whose stored profiles are replayed (a table name).",
        ),
        "rate": Param(
            0.01,
            type="number",
            exclusiveMinimum=0,
            exclusiveMaximum=0.5,
            description="Target false-alarm rate (needs at least 1/rate - 1 version pairs).",
        ),
        "exclude": Param(
            "",
            type="string",
            pattern=r"^([0-9]+(,[0-9]+)*)?$",
            description="Versions that are real drift, comma-separated; their pairs are left out.",
        ),
    },
    tags=["driftlake", "spark", "drift", "thresholds"],
) as dag:
    calibrate = SparkSubmitOperator(
        task_id="calibrate",
        conn_id="spark_default",
        application=JAR,
        java_class=CALIBRATE_CLASS,
        name="driftlake-calibrate",
        conf=dict(SPARK_CONF),
        application_args=[
            "--config", CONFIG,
            "--table", "{{ params.table }}",
            "--rate", "{{ params.rate }}",
            "--exclude", "{{ params.exclude }}",
            "--run-id", "{{ run_id }}",
        ],
        properties_file=SPARK_PROPERTIES,
        inlets=[table_asset("profiles")],
        outlets=[table_asset("thresholds")],
    )
