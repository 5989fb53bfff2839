"""A real Spark standalone cluster on 127.0.0.1 for the tests: one master and one worker, started
with the venv's pyspark ``spark-class`` exactly as docs/DEPLOY.md's "On a cluster" shows::

    spark-class org.apache.spark.deploy.master.Master --host 127.0.0.1 --port P --webui-port U \\
        --properties-file cluster.conf
    spark-class org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port WP --webui-port WU \\
        --cores 2 --memory 1g --work-dir WORK --properties-file cluster.conf spark://127.0.0.1:P

Ports are picked free. The worker's executors write their stdout/stderr (Spark's default INFO
logging: one ``Finished task`` line per task) under ``WORK/<app id>/<executor id>/``, which is how a
test proves that executors ran its tasks. Logs are kept under the cluster's folder;
:meth:`StandaloneCluster.report` gives their tails for a failure message. :meth:`stop` ends both
JVMs by PID (``spark-class`` execs the JVM, so the PID started is the JVM's).

Also imported by ``bench/cluster/bench_cluster.py`` (``bin/bench-cluster``), which starts one
cluster per core count: keep it free of pytest.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

START_TIMEOUT_S = 180  # a loaded 2-core machine needs 30-60 s for the two JVMs

# Master and worker settings. No REST submission server (it binds the fixed port 6066); no port
# retries (a port taken between picking and binding fails the start, which is retried with new
# ports, instead of binding port+1 where nobody looks); application folders kept for the test.
CLUSTER_PROPERTIES = """\
spark.master.rest.enabled=false
spark.port.maxRetries=0
spark.worker.cleanup.enabled=false
spark.ui.reverseProxy=false
"""


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 now (all held open together while picking)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
        return ports


def spark_env() -> dict[str, str]:
    """Environment for the venv's Spark scripts: its bin first on PATH and pyspark's SPARK_HOME
    (the pip-installed launchers otherwise locate Spark with whichever ``python3`` is on PATH)."""
    import pyspark

    return {
        **os.environ,
        "SPARK_HOME": str(Path(pyspark.__file__).resolve().parent),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def _tail(path: Path, lines: int = 40) -> str:
    if not path.is_file():
        return f"(no {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class StandaloneCluster:
    """One master + one worker on 127.0.0.1, with ``cores`` cores and ``memory`` for executors."""

    def __init__(self, root: Path, cores: int = 2, memory: str = "1g"):
        self.root = root
        self.cores = cores
        self.memory = memory
        self.work_dir = root / "work"
        self.conf_dir = root / "conf"  # SPARK_CONF_DIR of both daemons: empty, Spark's defaults
        self.properties = root / "cluster.conf"
        self.master_log = root / "master.log"
        self.worker_log = root / "worker.log"
        self.processes: list[subprocess.Popen] = []
        self.master_port = self.master_ui_port = self.worker_port = self.worker_ui_port = 0

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.master_port}"

    @property
    def master_json_url(self) -> str:
        return f"http://127.0.0.1:{self.master_ui_port}/json/"

    # ------------------------------------------------------------------ start / stop
    def master_command(self) -> list[str]:
        return [
            "spark-class", "org.apache.spark.deploy.master.Master",
            "--host", "127.0.0.1", "--port", str(self.master_port),
            "--webui-port", str(self.master_ui_port), "--properties-file", str(self.properties),
        ]

    def worker_command(self) -> list[str]:
        return [
            "spark-class", "org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--port", str(self.worker_port),
            "--webui-port", str(self.worker_ui_port),
            "--cores", str(self.cores), "--memory", self.memory, "--work-dir", str(self.work_dir),
            "--properties-file", str(self.properties), self.master_url,
        ]

    def start(self, attempts: int = 3) -> "StandaloneCluster":
        for d in (self.work_dir, self.conf_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.properties.write_text(CLUSTER_PROPERTIES)
        env = {**spark_env(), "SPARK_CONF_DIR": str(self.conf_dir), "SPARK_DAEMON_MEMORY": "512m",
               "SPARK_LOG_DIR": str(self.root), "SPARK_WORKER_DIR": str(self.work_dir)}
        for attempt in range(1, attempts + 1):
            self.master_port, self.master_ui_port, self.worker_port, self.worker_ui_port = free_ports(4)
            started = time.monotonic()
            with self.master_log.open("a") as master_out:
                self.processes.append(subprocess.Popen(
                    self.master_command(), env=env, cwd=self.root, stdout=master_out,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
            with self.worker_log.open("a") as worker_out:
                self.processes.append(subprocess.Popen(
                    self.worker_command(), env=env, cwd=self.root, stdout=worker_out,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
            if self._wait_alive():
                print(f"[cluster] {self.master_url} (UI {self.master_ui_port}), worker {self.worker_port} "
                      f"with {self.cores} cores / {self.memory}, up in {time.monotonic() - started:.1f}s")
                return self
            self.stop()
            if attempt == attempts:
                raise RuntimeError(f"standalone cluster did not start (attempt {attempt}):\n{self.report()}")
            print(f"[cluster] start attempt {attempt} failed, retrying with other ports")
        return self

    def _wait_alive(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                return False  # a daemon died (e.g. its port was taken meanwhile)
            try:
                state = self.state()
                if state.get("status") == "ALIVE" and any(
                    w.get("state") == "ALIVE" and w.get("cores") == self.cores for w in state.get("workers", [])
                ):
                    return True
            except OSError:
                pass
            time.sleep(1)
        return False

    def stop(self) -> None:
        """Worker first (it kills its executors), then master; each by PID: TERM, then KILL."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=30)
        self.processes.clear()

    # ------------------------------------------------------------------ what ran
    def state(self) -> dict:
        """The master's JSON endpoint: workers, active and completed applications."""
        with urllib.request.urlopen(self.master_json_url, timeout=10) as response:
            return json.load(response)

    def completed_apps(self, since: set[str], timeout_s: float = 60) -> list[dict]:
        """The applications completed after ``since`` (ids), once the master has no active one left.

        A driver's ``spark-submit`` returns when the driver JVM ends; the master moves the
        application from active to completed when it hears of the disconnect, a moment later.
        Reading ``completedapps`` right after the last ``spark-submit`` returned can miss that
        application, so this waits (up to ``timeout_s``) for ``activeapps`` to empty first.
        """
        deadline = time.monotonic() + timeout_s
        state = self.state()
        while state.get("activeapps") and time.monotonic() < deadline:
            time.sleep(0.5)
            state = self.state()
        return [a for a in state["completedapps"] if a["id"] not in since]

    def executor_logs(self, app_id: str) -> list[Path]:
        """Every executor's stderr of one application in the worker's work dir."""
        return sorted((self.work_dir / app_id).glob("*/stderr"))

    def report(self) -> str:
        """Tails of the master's, the worker's and every executor's log, for a failure message."""
        parts = [f"== master {self.master_log}\n{_tail(self.master_log)}",
                 f"== worker {self.worker_log}\n{_tail(self.worker_log)}"]
        for stderr in sorted(self.work_dir.glob("*/*/stderr")):
            parts.append(f"== executor {stderr}\n{_tail(stderr, 20)}")
        return "\n".join(parts)
