"""Parse-level checks of the drift_monitoring DAG: no Spark, no jar needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from conftest import DAG_ID, DAGS_FOLDER, REPO_ROOT

EXPECTED_GRAPH = {
    "wait_for_landing": ["ingest_batch"],
    "ingest_batch": ["serving.score_batch"],
    "serving.score_batch": ["serving.estimate_batch"],
    "serving.estimate_batch": ["serving.labels_arrived"],
    "serving.labels_arrived": ["serving.ingest_labels", "serving.no_new_labels"],
    "serving.ingest_labels": ["serving.evaluate_production"],
    "serving.evaluate_production": ["drift"],
    "serving.no_new_labels": ["drift"],
    "drift": ["decide"],
    "decide": ["append_to_training", "skip_retrain"],
    "append_to_training": ["retrain"],
    "retrain": ["evaluate_challenger"],
    "evaluate_challenger": ["gate"],
    "gate": [],
    "skip_retrain": [],
}

SPARK_TASKS = {
    "ingest_batch": "io.driftlake.jobs.ingest.IngestJob",
    "serving.score_batch": "io.driftlake.jobs.score.ScoreJob",
    "serving.estimate_batch": "io.driftlake.jobs.estimate.EstimateJob",
    "serving.ingest_labels": "io.driftlake.jobs.feedback.FeedbackJob",
    "serving.evaluate_production": "io.driftlake.jobs.evaluate.EvaluateJob",
    "drift": "io.driftlake.jobs.drift.DriftJob",
    "append_to_training": "io.driftlake.jobs.ingest.IngestJob",
    "retrain": "io.driftlake.jobs.train.TrainJob",
    "evaluate_challenger": "io.driftlake.jobs.evaluate.EvaluateJob",
    "gate": "io.driftlake.jobs.models.ModelsJob",
}


def test_dagbag_has_no_import_errors(dag_bag):
    assert dag_bag.import_errors == {}
    assert sorted(dag_bag.dags) == sorted([DAG_ID, "calibrate_thresholds"])


def test_task_graph(dag):
    graph = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert graph == EXPECTED_GRAPH


def test_dag_settings(dag):
    from airflow.sdk import CronDataIntervalTimetable

    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "0 0 * * *"  # @daily
    assert set(dag.params) == {
        "jar", "config", "landing_dir", "landing_format", "labels_dir", "report_dir", "spark_properties",
        "on_not_computable", "batch_date",
    }
    assert dag.params["on_not_computable"] == "fail"


def test_spark_tasks_share_one_setup(dag):
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

    java_opts = dag.task_dict["ingest_batch"].conf["spark.executor.extraJavaOptions"]
    assert "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED" in java_opts
    assert "-Djdk.reflect.useDirectMethodHandle=false" in java_opts
    driver_opts = dag.task_dict["ingest_batch"].conf["spark.driver.extraJavaOptions"]
    assert driver_opts.startswith(java_opts + " -Dlog4j2.configurationFile=")
    names = set()
    for task_id, java_class in SPARK_TASKS.items():
        op = dag.task_dict[task_id]
        assert isinstance(op, SparkSubmitOperator)
        assert op._conn_id == "spark_default"
        assert op._java_class == java_class
        assert op.application == dag.params["jar"]  # the deployment's (DRIFTLAKE_JAR), not a template
        assert op.conf == {
            "spark.driver.extraJavaOptions": driver_opts,
            "spark.executor.extraJavaOptions": java_opts,
        }
        assert op.application_args[:2] == ["--config", dag.params["config"]]
        assert op.properties_file == dag.params["spark_properties"]
        assert "--run-id" in op.application_args
        assert op.name.startswith("driftlake-")
        names.add(op.name)
    assert len(names) == len(SPARK_TASKS), "every spark-submit gets its own explicit name"

    args = {t: dag.task_dict[t].application_args for t in SPARK_TASKS}
    assert args["ingest_batch"][args["ingest_batch"].index("--table") + 1] == "production"
    assert args["append_to_training"][args["append_to_training"].index("--table") + 1] == "training"
    assert args["retrain"][args["retrain"].index("--triggered-by") + 1] == "drift:{{ run_id }}"
    batch = "{{ params.batch_date or ds }}"
    for t in ("ingest_batch", "append_to_training"):
        assert args[t][args[t].index("--input") + 1] == f"{dag.params['landing_dir']}/{batch}"
        assert args[t][args[t].index("--batch-id") + 1] == batch
    assert args["serving.ingest_labels"][2:8] == [
        "--input", f"{dag.params['labels_dir']}/{batch}", "--format", "{{ params.landing_format }}", "--batch-id", batch
    ]
    assert args["drift"][:4] == [
        "--config", dag.params["config"], "--report-dir", f"{dag.params['report_dir']}/{{{{ run_id | fs_safe }}}}"
    ]
    # The model in service scores the batch and is judged by the labels; the gate decides on the
    # model this run trained, never on "latest" (another run may have trained one since).
    # Scoring, drift and retraining read the versions this run's ingests wrote, by batch id,
    # never "latest" (another writer may commit between two tasks).
    assert args["serving.score_batch"][2:6] == ["--model", "champion", "--table", f"production@batch={batch}:added"]
    # The estimate reads the predictions score just wrote: same model, same batch, same run id.
    assert args["serving.estimate_batch"][2:10] == [
        "--model", "champion", "--table", f"production@batch={batch}:added", "--run-id", "{{ run_id }}",
        "--report-dir", f"{dag.params['report_dir']}/{{{{ run_id | fs_safe }}}}",
    ]
    assert args["drift"][args["drift"].index("--current") + 1] == f"production@batch={batch}:added"
    assert args["retrain"][args["retrain"].index("--table") + 1] == f"training@batch={batch}"
    assert args["serving.evaluate_production"][2:6] == ["--mode", "production", "--model", "champion"]
    assert args["evaluate_challenger"][2:6] == ["--model", "run:{{ run_id }}", "--split", "held-out"]
    assert args["gate"][2:5] == ["promote", "--model", "run:{{ run_id }}"]
    assert dag.task_dict["drift"].trigger_rule == "none_failed_min_one_success"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (None, "serving.no_new_labels"),
        ([], "serving.no_new_labels"),
        (["_SUCCESS", ".part-0.crc"], "serving.no_new_labels"),
        (["_SUCCESS", "part-0.parquet"], "serving.ingest_labels"),
    ],
)
def test_labels_arrived_branches_on_landed_files(dag, tmp_path, files, expected):
    folder = tmp_path / "2025-01-03"
    if files is not None:
        folder.mkdir()
        for name in files:
            (folder / name).write_text("x")
    assert dag.task_dict["serving.labels_arrived"].python_callable(labels_batch=str(folder)) == expected


def test_java_options_and_logging_come_from_the_repo_conf(dag):
    """The DAG reads the one copy of the Java 17 flags (conf/spark-java-options, also read by
    bin/driftlake), gives the driver the project's log4j config and sizes from spark-defaults.conf."""
    repo_options = REPO_ROOT / "conf" / "spark-java-options"
    assert repo_options.is_file(), f"missing {repo_options}"
    expected = repo_options.read_text().split()
    conf = dag.task_dict["drift"].conf
    assert conf["spark.executor.extraJavaOptions"].split() == expected
    log4j = f"-Dlog4j2.configurationFile={REPO_ROOT / 'conf' / 'log4j2.properties'}"
    assert conf["spark.driver.extraJavaOptions"].split() == [*expected, log4j]
    assert dag.task_dict["drift"].properties_file == str(REPO_ROOT / "conf" / "spark-defaults.conf")


def test_maven_test_jvm_flags_match_the_repo_conf():
    """Maven's surefire cannot read a file into argLine offline, so pom.xml keeps the one other
    copy of the Java 17 flags (spark.java.opens); it must equal conf/spark-java-options."""
    import re

    pom = (REPO_ROOT / "pom.xml").read_text()
    match = re.search(r"<spark\.java\.opens>([^<]*)</spark\.java\.opens>", pom)
    assert match, "pom.xml has no <spark.java.opens>"
    assert match.group(1).split() == (REPO_ROOT / "conf" / "spark-java-options").read_text().split()


def test_spark_connection_resolves_to_local_master():
    from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook

    hook = SparkSubmitHook(conn_id="spark_default", java_class="X", name="probe")
    cmd = hook._build_spark_submit_command("app.jar")
    assert cmd[:3] == ["spark-submit", "--master", "local[2]"]


RUN = "scheduled__2025-01-02T00:00:00+00:00"
BATCH_DATE = "2025-01-02"


def write_lake(root, status="drifted", reason="2 of 8 features drifted (25%) >= 25%: age, income",
               comparisons=1, job="drift", batch=BATCH_DATE):
    """A lake as the jobs leave it, written with delta-rs (no Spark): ``production`` with two ingest
    commits (another batch at version 0, ``batch`` at version 1) and ``drift_results`` holding this
    run's drift rows next to rows that must not count: the same run's prediction drift (job
    ``score``, same versions, the opposite status) and another run's drift."""
    import pyarrow as pa
    from deltalake import CommitProperties, write_deltalake

    for version_batch in ("2025-01-01", batch):
        stamp = {"job": "ingest", "run_id": "r", "batch_id": version_batch, "commit": "c"}
        write_deltalake(
            str(root / "production"), pa.table({"x": [1.0]}), mode="append",
            commit_properties=CommitProperties(custom_metadata={"userMetadata": json.dumps(stamp)}),
        )

    def row(run_id, row_job, row_status, feature, reference_version=0, current_version=1):
        return {
            "run_id": run_id, "job": row_job, "status": row_status, "reason": reason,
            "reference_table": "training", "reference_version": reference_version,
            "reference_selection": "snapshot", "current_table": "production",
            "current_version": current_version, "current_selection": "added", "feature": feature,
            "method": "psi", "feature_drifted": row_status == "drifted" and feature == "age",
        }

    rows = [row(RUN, job, status, f) for f in ("age", "age", "income")]
    rows += [row(RUN, job, status, "age", reference_version=v) for v in range(1, comparisons)]
    other = "no drift" if status == "drifted" else "drifted"
    rows += [row(RUN, "score", other, "prediction"), row("another-run", "drift", other, "age")]
    write_deltalake(str(root / "drift_results"), pa.Table.from_pylist(rows), mode="append")
    return root


@pytest.fixture
def lake_root(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTLAKE_LAKE_ROOT", str(tmp_path))
    return tmp_path


def decide_on(dag, policy="fail", batch=BATCH_DATE):
    return dag.task_dict["decide"].python_callable(drift_run=RUN, batch=batch, on_not_computable=policy)


@pytest.mark.parametrize(("status", "expected"), [("drifted", "append_to_training"), ("no drift", "skip_retrain")])
def test_decide_branches_on_the_status_in_drift_results(dag, lake_root, status, expected):
    write_lake(lake_root, status=status)
    for policy in ("fail", "skip"):
        assert decide_on(dag, policy) == expected


def test_the_verdict_is_this_runs_drift_job_on_this_batchs_version(dag, lake_root):
    module = dag.task_dict["decide"].python_callable.__globals__  # the DAG file's functions
    batch_version, drift_verdict = module["batch_version"], module["drift_verdict"]

    write_lake(lake_root)
    assert batch_version(str(lake_root), "production", BATCH_DATE) == 1
    assert drift_verdict(str(lake_root), RUN, "production", 1) == {
        "status": "drifted",
        "reason": "2 of 8 features drifted (25%) >= 25%: age, income",
        "reference": "training@0 (snapshot)",
        "current": "production@1:added",
        "drifted_features": ["age"],
        "rows": 3,
        "where": f"table 'drift_results' ({lake_root}/drift_results) version 0, run '{RUN}', "
        "current production@1:added",
    }


def test_the_verdict_leaves_out_slice_rows(dag, lake_root):
    """Drift found only inside a slice (rows with ``slice`` set) is not the dataset's drift: the
    verdict reads the whole-data rows (``slice`` null) alone."""
    import pyarrow as pa
    from deltalake import write_deltalake

    drift_verdict = dag.task_dict["decide"].python_callable.__globals__["drift_verdict"]
    write_lake(lake_root)
    whole = pa.Table.from_pylist([{
        "run_id": RUN, "job": "drift", "status": "drifted", "reason": "r",
        "reference_table": "training", "reference_version": 0, "reference_selection": "snapshot",
        "current_table": "production", "current_version": 1, "current_selection": "added",
        "feature": feature, "method": "psi", "feature_drifted": True, "slice": "channel = app",
    } for feature in ("income", "loan_amount")])
    write_deltalake(str(lake_root / "drift_results"), whole, mode="append", schema_mode="merge")
    verdict = drift_verdict(str(lake_root), RUN, "production", 1)
    assert (verdict["drifted_features"], verdict["rows"]) == (["age"], 3)


NOT_COMPUTABLE_REASON = "not computable: the current selection has 0 rows, fewer than driftlake.drift.min-rows = 100"


def test_decide_fails_a_not_computable_run_by_default(dag, lake_root):
    from airflow.sdk.exceptions import AirflowFailException

    write_lake(lake_root, status="not computable", reason=NOT_COMPUTABLE_REASON)
    with pytest.raises(AirflowFailException) as failure:
        decide_on(dag, "fail")
    assert str(failure.value) == (
        f"drift is not computable: {NOT_COMPUTABLE_REASON} (table 'drift_results' ({lake_root}/drift_results) "
        f"version 0, run '{RUN}', current production@1:added)"
    )


def test_decide_skips_a_not_computable_run_when_configured(dag, lake_root):
    from airflow.sdk.exceptions import AirflowSkipException

    write_lake(lake_root, status="not computable", reason=NOT_COMPUTABLE_REASON)
    with pytest.raises(AirflowSkipException, match=r"min-rows = 100 .*; skipped \(on_not_computable = skip\)$"):
        decide_on(dag, "skip")


@pytest.mark.parametrize("policy", ["fail", "skip"])
def test_decide_never_reads_an_incomplete_run_as_no_drift(dag, lake_root, policy):
    from airflow.sdk.exceptions import AirflowFailException

    write_lake(lake_root, status="incomplete", reason="1 of 3 features unknown")
    with pytest.raises(AirflowFailException, match="^drift is incomplete, not 'no drift': 1 of 3 features unknown"):
        decide_on(dag, policy)


def test_decide_gets_the_run_the_batch_and_the_param_and_drift_exits_zero_once_written(dag):
    assert list(dag.task_dict["decide"].op_args) == ["{{ run_id }}", "{{ params.batch_date or ds }}", "{{ params.on_not_computable }}"]
    args = dag.task_dict["drift"].application_args
    assert args[args.index("--exit-code") + 1] == "zero"


@pytest.mark.parametrize(
    ("lake", "batch", "error", "message"),
    [
        ({"job": "score"}, BATCH_DATE, LookupError, f"run '{RUN}', current production@1:added: no rows of the drift job"),
        ({"status": "maybe"}, BATCH_DATE, ValueError, "status must be one of ('drifted', 'no drift', 'incomplete', 'not computable'), got 'maybe'"),
        ({"comparisons": 2}, BATCH_DATE, ValueError, "2 comparisons, expected one"),
        ({}, "2025-01-05", LookupError, "has no commit of ingest batch '2025-01-05'"),
    ],
)
def test_decide_refuses_a_verdict_it_cannot_pin_down(dag, lake_root, lake, batch, error, message):
    write_lake(lake_root, **lake)
    with pytest.raises(error) as refused:
        decide_on(dag, batch=batch)
    assert message in str(refused.value)


def test_decide_needs_the_lake_root_on_the_worker(dag, tmp_path, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.delenv("DRIFTLAKE_LAKE_ROOT", raising=False)
    with pytest.raises(AirflowFailException, match="^DRIFTLAKE_LAKE_ROOT is not set on this worker"):
        decide_on(dag)


def test_retries_timeouts_sensor_and_assets(dag):
    """Jobs are idempotent, so every task retries after a delay and each try has a time limit;
    the landing batch is awaited by a deferrable sensor; the tables each task writes are its
    Asset outlets."""
    from datetime import timedelta

    from airflow.providers.standard.sensors.filesystem import FileSensor

    for t in dag.tasks:
        assert (t.retries, t.retry_delay) == (2, timedelta(minutes=5)), t.task_id
    for task_id in SPARK_TASKS:
        assert dag.task_dict[task_id].execution_timeout == timedelta(hours=2), task_id
    for task_id in ("decide", "serving.labels_arrived"):
        assert dag.task_dict[task_id].execution_timeout == timedelta(minutes=10), task_id

    sensor = dag.task_dict["wait_for_landing"]
    assert isinstance(sensor, FileSensor)
    assert sensor.filepath == f"{dag.params['landing_dir']}/{{{{ params.batch_date or ds }}}}/_SUCCESS"
    assert (sensor.fs_conn_id, sensor.deferrable, sensor.poke_interval, sensor.timeout) == (
        "fs_default", True, 300, 12 * 3600
    )
    assert sensor.execution_timeout is None  # its own timeout bounds the wait

    outlets = {t.task_id: sorted(a.name for a in t.outlets) for t in dag.tasks if t.outlets}
    assert outlets == {
        "ingest_batch": ["driftlake.production"],
        "serving.score_batch": ["driftlake.drift_results", "driftlake.predictions"],
        "serving.estimate_batch": ["driftlake.evaluations"],
        "serving.ingest_labels": ["driftlake.labels"],
        "serving.evaluate_production": ["driftlake.drift_results", "driftlake.evaluations"],
        "drift": ["driftlake.drift_checks", "driftlake.drift_results", "driftlake.profiles"],
        "append_to_training": ["driftlake.training"],
        "retrain": ["driftlake.models"],
        "evaluate_challenger": ["driftlake.evaluations"],
        "gate": ["driftlake.evaluations", "driftlake.model_aliases"],
    }


def test_waiting_retrying_and_assets_follow_the_deployment(tmp_path):
    """The knobs come from the deployment's environment; with the lake root known at parse time
    the Assets carry the tables' URIs."""
    from datetime import timedelta

    from conftest import parse_dag

    dag = parse_dag(
        DRIFTLAKE_RETRIES="0", DRIFTLAKE_RETRY_DELAY="7", DRIFTLAKE_TASK_TIMEOUT="60",
        DRIFTLAKE_LANDING_READY="", DRIFTLAKE_LANDING_TIMEOUT="30", DRIFTLAKE_LANDING_POKE_INTERVAL="2",
        DRIFTLAKE_LANDING_DEFERRABLE="false", DRIFTLAKE_LAKE_ROOT=str(tmp_path / "lake"),
    )
    drift = dag.task_dict["drift"]
    assert (drift.retries, drift.retry_delay, drift.execution_timeout) == (0, timedelta(seconds=7), timedelta(seconds=60))
    sensor = dag.task_dict["wait_for_landing"]
    assert sensor.filepath == f"{dag.params['landing_dir']}/{{{{ params.batch_date or ds }}}}"
    assert (sensor.deferrable, sensor.mode, sensor.poke_interval, sensor.timeout) == (False, "reschedule", 2, 30)
    assert [a.uri for a in drift.outlets] == [
        f"file://{tmp_path}/lake/{t}" for t in ("drift_results", "drift_checks", "profiles")
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DRIFTLAKE_RETRIES": "two"}, "DRIFTLAKE_RETRIES must be a whole number >= 0, got 'two'"),
        ({"DRIFTLAKE_LANDING_TIMEOUT": "0"}, "DRIFTLAKE_LANDING_TIMEOUT must be a whole number >= 1, got '0'"),
        ({"DRIFTLAKE_LANDING_DEFERRABLE": "yes"}, "DRIFTLAKE_LANDING_DEFERRABLE must be true or false, got 'yes'"),
    ],
)
def test_a_bad_knob_fails_the_parse_naming_it(env, message):
    from conftest import parse_bag

    bag = parse_bag(**env)
    assert [message in error for error in bag.import_errors.values()] == [True], bag.import_errors


def test_fs_safe_filter_makes_run_ids_path_safe(dag):
    fs_safe = dag.user_defined_filters["fs_safe"]
    assert fs_safe("manual__2025-01-02T00:00:00+00:00") == "manual__2025-01-02T00_00_00_00_00"
    assert fs_safe("scheduled__2025-01-02T00:00:00+00:00/../x") == "scheduled__2025-01-02T00_00_00_00_00_.._x"


def test_deployment_comes_from_environment_and_parse_is_cheap(tmp_path):
    """A fresh interpreter parses the file with DRIFTLAKE_* set: the jar, config, folders and
    Spark properties the tasks use follow the env, and the parse pulls in none of the heavy
    libraries the jobs or tests use."""
    probe = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(DAGS_FOLDER)!r})\n"
        f"dag = bag.dags[{DAG_ID!r}]\n"
        "heavy = sorted(m for m in ('pyspark', 'pandas', 'pyarrow', 'scipy', 'matplotlib', 'deltalake') if m in sys.modules)\n"
        "drift = dag.task_dict['drift']\n"
        "print(json.dumps({'params': {k: dag.params[k] for k in dag.params}, 'heavy': heavy,\n"
        "                  'task': [drift.application, *drift.application_args[:4], drift.properties_file],\n"
        "                  'errors': {str(k): v for k, v in bag.import_errors.items()}}))\n"
    )
    env = dict(
        os.environ,
        DRIFTLAKE_JAR="/opt/driftlake/jobs.jar",
        DRIFTLAKE_CONFIG="/etc/driftlake/prod.conf",
        DRIFTLAKE_LANDING="/data/landing",
        DRIFTLAKE_LABELS="/data/labels",
        DRIFTLAKE_REPORTS="/data/reports",
        DRIFTLAKE_SPARK_PROPERTIES="/etc/driftlake/spark.properties",
        DRIFTLAKE_ON_NOT_COMPUTABLE="skip",
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300, check=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["errors"] == {}
    assert result["params"] == {
        "jar": "/opt/driftlake/jobs.jar",
        "config": "/etc/driftlake/prod.conf",
        "landing_dir": "/data/landing",
        "landing_format": "parquet",
        "labels_dir": "/data/labels",
        "report_dir": "/data/reports",
        "spark_properties": "/etc/driftlake/spark.properties",
        "on_not_computable": "skip",
        "batch_date": None,
    }
    assert result["task"] == [
        "/opt/driftlake/jobs.jar", "--config", "/etc/driftlake/prod.conf", "--report-dir",
        "/data/reports/{{ run_id | fs_safe }}", "/etc/driftlake/spark.properties",
    ]
    assert result["heavy"] == []


@pytest.mark.parametrize(
    "param", ["jar", "config", "spark_properties", "landing_dir", "labels_dir", "report_dir"]
)
def test_a_trigger_cannot_choose_the_code_the_config_or_the_folders(dag, param):
    """Airflow refuses the run conf before it creates the run: these are the deployment's."""
    from airflow.sdk.exceptions import ParamValidationError

    other = "/tmp/other.jar" if param == "jar" else "/tmp/other"
    with pytest.raises(ParamValidationError) as refused:
        dag.test(logical_date=datetime(2025, 1, 2, tzinfo=timezone.utc), run_conf={param: other})
    assert str(refused.value).splitlines()[0] == (
        f"Invalid input for param {param}: '{other}' is not one of [{dag.params[param]!r}]"
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2025-13-01", "'2025-13-01' does not match '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'"),
        ("../../etc", "'../../etc' does not match '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'"),
        (
            "2025-01-02; rm -rf /",
            "'2025-01-02; rm -rf /' does not match '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'",
        ),
        ("2025-02-30", "'2025-02-30' is not a 'date'"),
        (20250102, "20250102 is not of type 'null', 'string'"),
    ],
)
def test_a_bad_batch_date_is_refused(dag, value, error):
    from airflow.sdk.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError) as refused:
        dag.test(logical_date=datetime(2025, 1, 2, tzinfo=timezone.utc), run_conf={"batch_date": value})
    assert str(refused.value).splitlines()[0] == f"Invalid input for param batch_date: {error}"


def test_trigger_params_accept_dates_and_formats(dag):
    assert dag.params.get_param("batch_date").resolve("2024-02-29") == "2024-02-29"
    assert dag.params.get_param("batch_date").resolve(None) is None
    assert dag.params.get_param("landing_format").resolve("csv") == "csv"
