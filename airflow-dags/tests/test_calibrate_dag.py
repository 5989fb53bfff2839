"""Parse-level checks of the calibrate_thresholds DAG: no Spark, no jar needed."""

from __future__ import annotations

import pytest

CALIBRATE_DAG_ID = "calibrate_thresholds"


@pytest.fixture(scope="module")
def calibrate_dag(dag_bag):
    assert CALIBRATE_DAG_ID in dag_bag.dags, f"import errors: {dag_bag.import_errors}"
    return dag_bag.dags[CALIBRATE_DAG_ID]


def test_one_weekly_spark_task(calibrate_dag):
    from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
    from airflow.sdk import CronDataIntervalTimetable

    assert [t.task_id for t in calibrate_dag.tasks] == ["calibrate"]
    assert calibrate_dag.catchup is False
    assert calibrate_dag.max_active_runs == 1
    assert isinstance(calibrate_dag.timetable, CronDataIntervalTimetable)
    assert calibrate_dag.timetable.expression == "0 0 * * 0"  # @weekly
    op = calibrate_dag.task_dict["calibrate"]
    assert isinstance(op, SparkSubmitOperator)
    assert op._conn_id == "spark_default"
    assert op._java_class == "io.driftlake.jobs.calibrate.CalibrateJob"
    assert op.name == "driftlake-calibrate"
    assert [a.name for a in op.outlets] == ["driftlake.thresholds"]


def test_parameters_reach_the_job_through_templates(calibrate_dag, dag):
    op = calibrate_dag.task_dict["calibrate"]
    drift = dag.task_dict["drift"]
    # The same deployment as drift_monitoring: jar, config, Spark conf and properties.
    assert op.application == drift.application
    assert op.application_args[:2] == drift.application_args[:2]
    assert op.conf == drift.conf
    assert op.properties_file == drift.properties_file
    assert op.application_args[2:] == [
        "--table", "{{ params.table }}",
        "--rate", "{{ params.rate }}",
        "--exclude", "{{ params.exclude }}",
        "--run-id", "{{ run_id }}",
    ]
    assert set(calibrate_dag.params) == {"table", "rate", "exclude"}
    assert calibrate_dag.params["table"] == "production"
    assert calibrate_dag.params["rate"] == 0.01
    assert calibrate_dag.params["exclude"] == ""


@pytest.mark.parametrize(
    ("conf", "bad"),
    [({"rate": 0.7}, "rate"), ({"rate": 0}, "rate"), ({"exclude": "3;4"}, "exclude"), ({"table": "../x"}, "table")],
)
def test_a_trigger_cannot_pass_a_bad_parameter(calibrate_dag, conf, bad):
    import copy

    params = copy.deepcopy(calibrate_dag.params)
    with pytest.raises(Exception, match=f"param {bad}"):
        for key, value in conf.items():
            params[key] = value
        params.validate()


def test_its_assets_are_the_daily_dags_own(tmp_path):
    """Airflow keys an Asset by name and URI: were calibrate's ``driftlake.profiles`` another URI
    than the daily DAG's, one would be inactive and the daily DAG's drift task would fail."""
    from conftest import DAG_ID, parse_bag

    bag = parse_bag(DRIFTLAKE_LAKE_ROOT=str(tmp_path / "lake"))
    assert bag.import_errors == {}
    calibrate = bag.dags[CALIBRATE_DAG_ID].task_dict["calibrate"]
    drift = bag.dags[DAG_ID].task_dict["drift"]
    profiles = [(a.name, a.uri) for a in drift.outlets if a.name == "driftlake.profiles"]
    assert profiles == [("driftlake.profiles", f"{(tmp_path / 'lake').resolve().as_uri()}/profiles")]
    assert [(a.name, a.uri) for a in calibrate.inlets] == profiles
    assert [(a.name, a.uri) for a in calibrate.outlets] == [
        ("driftlake.thresholds", f"{(tmp_path / 'lake').resolve().as_uri()}/thresholds")
    ]
