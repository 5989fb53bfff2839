"""Run notebooks/time_travel.ipynb end to end against a lake built by the real demo job.

The fixture runs the demo through spark-submit with the shaded jobs jar, writing a fresh lake in a
temporary folder. The notebook then runs with nbclient, with cwd=notebooks/ and DRIFTLAKE_LAKE set
to that lake. Any cell error fails the test. If the jar is missing, the test fails; it does not skip.

Environment overrides (optional):
  DRIFTLAKE_JAR          jobs jar (default: <repo>/jobs/target/driftlake-jobs.jar)
  DRIFTLAKE_TEST_KEEP    if set, the executed notebook and demo log are also copied to this folder
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
NOTEBOOK = NOTEBOOKS / "time_travel.ipynb"
JAR = Path(os.environ.get("DRIFTLAKE_JAR", REPO / "jobs" / "target" / "driftlake-jobs.jar")).resolve()
DEMO_CLASS = "io.driftlake.jobs.demo.DemoJob"
DEMO_ROWS = "2000"
DEMO_TIMEOUT_S = 1800
CELL_TIMEOUT_S = 900

# What Spark needs on Java 17: the one copy in conf/ (bin/driftlake, the DAG and the notebook read it).
JAVA17_OPTIONS = (REPO / "conf" / "spark-java-options").read_text().strip()


def _spark_submit() -> str:
    """spark-submit of the pyspark installed next to this interpreter (the project venv)."""
    candidate = Path(sys.executable).parent / "spark-submit"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("spark-submit")
    if not found:
        pytest.fail("spark-submit not found: run the tests with the project venv "
                    "(.venv/bin/python -m pytest notebooks/tests)")
    return found


def _spark_env() -> dict[str, str]:
    """Make the venv's spark-submit find its Spark without an activated venv.

    The pip-installed spark-submit locates SPARK_HOME by running find_spark_home.py with
    `python3` from PATH; outside the activated venv that is a python without pyspark, and
    spark-submit dies with '/bin/spark-class: No such file or directory'. Pin SPARK_HOME to this
    interpreter's pyspark and put the venv's bin first on PATH.
    """
    import pyspark

    venv_bin = str(Path(sys.executable).parent)
    return {
        "SPARK_HOME": str(Path(pyspark.__file__).resolve().parent),
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
    }


def _tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _keep(src: Path) -> None:
    keep = os.environ.get("DRIFTLAKE_TEST_KEEP")
    if keep and src.exists():
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, Path(keep) / src.name)


@pytest.fixture(scope="session")
def jobs_jar() -> Path:
    if not JAR.is_file():
        pytest.fail(
            f"driftlake jobs jar not found at {JAR}. Build it first "
            "(mvn -q -pl jobs -am package -DskipTests) or point DRIFTLAKE_JAR at it. "
            "This test needs the real jar and does not skip without it.",
            pytrace=False,
        )
    return JAR


@pytest.fixture(scope="session")
def demo_lake(jobs_jar: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run DemoJob through spark-submit. It writes its lake under DRIFTLAKE_LAKE_ROOT."""
    work = tmp_path_factory.mktemp("demo")
    lake = work / "lake"
    log = work / "demo.log"
    # The project's quiet logging (WARN), as bin/driftlake and the DAG use it.
    driver_opts = f"{JAVA17_OPTIONS} -Dlog4j2.configurationFile={REPO / 'conf' / 'log4j2.properties'}"
    cmd = [
        _spark_submit(),
        "--master", "local[2]",
        "--conf", f"spark.driver.extraJavaOptions={driver_opts}",
        # Sizing and logging shared with bin/driftlake and the DAG (shuffle, Delta snapshot partitions).
        "--properties-file", str(REPO / "conf" / "spark-defaults.conf"),
        "--conf", "spark.ui.enabled=false",
        "--class", DEMO_CLASS,
        str(jobs_jar),
        "--rows", DEMO_ROWS,
    ]
    env = {**os.environ, "DRIFTLAKE_LAKE_ROOT": str(lake), **_spark_env()}
    started = time.monotonic()
    with log.open("w") as out:
        try:
            proc = subprocess.run(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=DEMO_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _keep(log)
            pytest.fail(f"demo job timed out after {DEMO_TIMEOUT_S}s; log tail:\n{_tail(log)}",
                        pytrace=False)
    elapsed = time.monotonic() - started
    _keep(log)
    print(f"demo job: exit {proc.returncode} in {elapsed:.0f}s, log {log}")
    if proc.returncode != 0:
        pytest.fail(f"demo job failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                    f"log tail:\n{_tail(log)}", pytrace=False)
    missing = [t for t in ("production", "training", "drift_results")
               if not (lake / t / "_delta_log").is_dir()]
    if missing:
        found = sorted(str(p.relative_to(work)) for p in work.rglob("_delta_log"))
        pytest.fail(
            f"demo job exited 0 but wrote no Delta table(s) {missing} under "
            f"DRIFTLAKE_LAKE_ROOT={lake}. Delta logs found under {work}: {found or 'none'}\n"
            f"log tail:\n{_tail(log)}", pytrace=False)
    return lake


@pytest.fixture(scope="session")
def kernel_name() -> str:
    """A kernelspec that starts this interpreter (the venv's python) with ipykernel.

    ipykernel ships a 'python3' spec into the venv (argv[0] 'python', which jupyter_client swaps
    for sys.executable). If that spec is missing, or a user-level 'python3' pointing at another
    python shadows it, register a dedicated spec into the venv (--sys-prefix) and use that.
    """
    def runs_this_python(name: str) -> bool:
        try:
            argv0 = KernelSpecManager().get_kernel_spec(name).argv[0]
        except NoSuchKernel:
            return False
        if argv0 in {"python", f"python{sys.version_info[0]}",
                     f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
            return True
        return Path(argv0).absolute() == Path(sys.executable).absolute()

    if runs_this_python("python3"):
        return "python3"
    name = "driftlake-venv"
    if not runs_this_python(name):
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix",
                        "--name", name, "--display-name", "Python 3 (driftlake venv)"],
                       check=True, stdout=subprocess.DEVNULL)
    assert runs_this_python(name), f"kernelspec {name} does not start {sys.executable}"
    return name


def test_time_travel_notebook_runs(demo_lake: Path, jobs_jar: Path, kernel_name: str,
                                   tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {**os.environ, "DRIFTLAKE_LAKE": str(demo_lake), "DRIFTLAKE_JAR": str(jobs_jar),
           **_spark_env()}
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT_S,
        startup_timeout=120,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},  # cwd of the kernel
    )
    executed = tmp_path / "time_travel.executed.ipynb"
    started = time.monotonic()
    try:
        client.execute(env=env)
    except CellExecutionError as err:
        pytest.fail(f"notebook cell failed:\n{err}", pytrace=False)
    finally:
        nbformat.write(nb, executed)
        _keep(executed)
    print(f"notebook executed in {time.monotonic() - started:.0f}s -> {executed}")

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells), "some code cells did not run"
    errors = [o for c in code_cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    images = [o for c in code_cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert images, "the PSI plot produced no image output"


def test_notebook_is_committed_clean() -> None:
    """The checked-in notebook carries no outputs and no machine paths."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), "notebook is committed with outputs"
            assert cell.get("execution_count") is None, "notebook is committed with execution counts"
    text = NOTEBOOK.read_text()
    for marker in ("/work/", "/tmp/", "/root/", "/home/"):
        assert marker not in text, f"machine path {marker!r} in the notebook"
