"""Test session set-up for the driftlake Airflow DAGs.

Everything Airflow reads at import time is set here, at conftest import, i.e. before any test
module imports ``airflow``:

* a throw-away ``AIRFLOW_HOME`` (metadata DB = sqlite file in it), examples off, DAGs folder =
  ``airflow-dags/dags``;
* the ``spark_default`` connection = local master ``local[2]`` (URL-encoded host, see the DAG doc),
  and ``fs_default`` for the landing sensor;
* ``spark-submit`` reachable on PATH with a ``SPARK_HOME`` (the pip-installed pyspark's), so the
  provider's ``spark-submit`` works even when the venv is not activated.

``airflow db migrate`` runs once per session (autouse fixture) against that sqlite DB.
``spark_cluster`` (session, on demand): a Spark standalone master and worker on 127.0.0.1
(``spark_cluster.py``), for test_cluster.py and the e2e run whose connection points at it.
Set ``DRIFTLAKE_KEEP_TEST_DIRS=1`` to keep the temporary AIRFLOW_HOME after the run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

AIRFLOW_DAGS_DIR = Path(__file__).resolve().parents[1]
DAGS_FOLDER = AIRFLOW_DAGS_DIR / "dags"
REPO_ROOT = AIRFLOW_DAGS_DIR.parent
DAG_ID = "drift_monitoring"

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="driftlake-airflow-home-"))

os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT"] = "120"
# Local master for every SparkSubmitOperator; '[2]' must be URL-encoded in the URI form.
os.environ["AIRFLOW_CONN_SPARK_DEFAULT"] = "spark://local%5B2%5D"
# The landing sensor's file connection: its base path is joined with the absolute landing path.
os.environ["AIRFLOW_CONN_FS_DEFAULT"] = '{"conn_type": "fs"}'

# The provider runs the bare name `spark-submit` from PATH: put this interpreter's bin dir (the
# venv's, holding pyspark's spark-submit) first, and give it a SPARK_HOME so its launcher does not
# depend on whichever `python3` is on PATH to locate pyspark.
_bin_dir = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _bin_dir:
    os.environ["PATH"] = _bin_dir + os.pathsep + os.environ.get("PATH", "")
if "SPARK_HOME" not in os.environ:
    _spec = importlib.util.find_spec("pyspark")
    if _spec is not None and _spec.submodule_search_locations:
        os.environ["SPARK_HOME"] = list(_spec.submodule_search_locations)[0]
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session", autouse=True)
def airflow_db() -> Path:
    """Create the Airflow metadata DB (sqlite in the temp AIRFLOW_HOME) once per session."""
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`airflow db migrate` failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}",
            pytrace=False,
        )
    return AIRFLOW_HOME


@pytest.fixture(scope="session")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    # Airflow 3.3's DagBag has no include_examples argument any more (examples are a bundle,
    # switched off above by AIRFLOW__CORE__LOAD_EXAMPLES=False); a folder scan never loads them.
    return DagBag(dag_folder=str(DAGS_FOLDER))


@pytest.fixture(scope="session")
def dag(dag_bag):
    assert DAG_ID in dag_bag.dags, f"{DAG_ID} not parsed; import errors: {dag_bag.import_errors}"
    return dag_bag.dags[DAG_ID]


@pytest.fixture(scope="session")
def spark_cluster(request, tmp_path_factory):
    """A Spark standalone master and one worker (2 cores, 1 GB) on 127.0.0.1, free ports, started
    once per session with the venv's ``spark-class`` and stopped by PID at the end; when a test of
    the session failed, the tails of the master's, worker's and executors' logs are printed."""
    from spark_cluster import StandaloneCluster

    cluster = StandaloneCluster(tmp_path_factory.mktemp("spark-cluster"))
    failed_before = request.session.testsfailed
    cluster.start()
    try:
        yield cluster
    finally:
        if request.session.testsfailed > failed_before:
            capture = request.config.pluginmanager.getplugin("capturemanager")
            with capture.global_and_fixture_disabled():
                print(f"\n[cluster] logs kept under {cluster.root}\n{cluster.report()}")
        cluster.stop()


def parse_bag(**env: str):
    """The DAG folder parsed with these ``DRIFTLAKE_*`` environment values set (and the previous
    environment restored afterwards): the DagBag, with its import errors."""
    from airflow.dag_processing.dagbag import DagBag

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return DagBag(dag_folder=str(DAGS_FOLDER))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def parse_dag(**env: str):
    """The DAG as a deployment parses it with these ``DRIFTLAKE_*`` environment values (the jar,
    config, folders and Spark properties come from the deployment, never from a run's conf)."""
    bag = parse_bag(**env)
    assert DAG_ID in bag.dags, f"{DAG_ID} not parsed; import errors: {bag.import_errors}"
    return bag.dags[DAG_ID]


def pytest_unconfigure(config):
    if not os.environ.get("DRIFTLAKE_KEEP_TEST_DIRS"):
        shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)
