"""``bin/driftlake bench`` on a Spark standalone cluster: for each core count (1, then 2), a master
and one worker with that many cores on 127.0.0.1 (the tests' ``StandaloneCluster`` from
``airflow-dags/tests/spark_cluster.py``, imported, not copied), BenchJob spark-submitted to it the
way docs/DEPLOY.md's "On a cluster" shows, its printed table kept, the cluster stopped. Then the
1-core and N-core times of profile, the exact pass and end-to-end drift side by side, with the
speedup t1/tN.

All runs share one ``--dir``: the first writes the bench's Delta versions (its untimed setup), the
others read them. One executor per run takes all the worker's cores. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "airflow-dags" / "tests"))

from spark_cluster import StandaloneCluster, spark_env  # noqa: E402

CONF = ROOT / "conf"
BENCH = "io.driftlake.bench.BenchJob"
# The steps compared across core counts (BenchJob's table names them so).
STEPS = [
    "scan v0",
    "profile v0",
    "exact KS + W1 pass (profiles given)",
    "end-to-end drift v0 vs v1 added (exact)",
    "end-to-end drift v0 vs v1 added (approx.)",
]
# A row of BenchJob's final table: step, seconds, x scan, optional x paired.
ROW = re.compile(r"^(?P<step>\S.*?)\s+(?P<seconds>\d+\.\d+)\s+(?P<scan>\d+\.\d+)(?:\s+(?P<paired>\d+\.\d+))?\s*$")


def submit_command(args: argparse.Namespace, master: str, cores: int, bench_args: list[str]) -> list[str]:
    """The spark-submit line of README.md and docs/DEPLOY.md, with the driver's memory of
    ``bin/driftlake`` (4g), one executor holding all ``cores`` and the UI off (as ``bin/driftlake``)."""
    java_17 = (CONF / "spark-java-options").read_text().strip()
    return [
        "spark-submit", "--master", master,
        "--properties-file", str(CONF / "spark-defaults.conf"),
        "--driver-memory", args.driver_memory,
        "--driver-java-options", f"{java_17} -Dlog4j2.configurationFile={CONF / 'log4j2.properties'}",
        "--conf", f"spark.executor.extraJavaOptions={java_17}",
        "--conf", f"spark.executor.memory={args.executor_memory}",
        "--conf", f"spark.executor.cores={cores}",
        "--conf", f"spark.cores.max={cores}",
        "--conf", "spark.ui.enabled=false",
        # The bench's own jar is the application; the job jar it builds on goes beside it.
        "--jars", str(args.jar),
        "--class", BENCH, str(args.bench_jar),
        "--dir", str(args.dir), *bench_args,
    ]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(output: list[str]) -> dict[str, float]:
    """Seconds per step from the table after BenchJob's ``step  seconds  x scan`` header."""
    rows: dict[str, float] = {}
    started = False
    for line in output:
        if line.startswith("step ") and "seconds" in line:
            started = True
            continue
        match = ROW.match(line) if started else None
        if match:
            rows[match["step"]] = float(match["seconds"])
    return rows


def run(args: argparse.Namespace, cores: int, bench_args: list[str], logs: Path) -> dict:
    cluster = StandaloneCluster(logs / f"cluster-{cores}c", cores=cores, memory=args.worker_memory)
    before = load()
    cluster.start()
    output: list[str] = []
    log = logs / f"bench-{cores}c.log"
    try:
        cmd = submit_command(args, cluster.master_url, cores, bench_args)
        print(f"[bench-cluster] {cores} core(s): {' '.join(cmd)}", flush=True)
        started = time.monotonic()
        with log.open("w") as out, subprocess.Popen(
                cmd, env=spark_env(), cwd=logs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, text=True) as proc:
            for line in proc.stdout:
                out.write(line)
                print(line, end="", flush=True)
                output.append(line.rstrip("\n"))
        wall = time.monotonic() - started
        if proc.returncode != 0:
            sys.exit(f"bin/bench-cluster: BenchJob on {cores} core(s) failed (exit {proc.returncode}), "
                     f"log {log}, cluster logs {cluster.root}")
        apps = [a for a in cluster.state().get("completedapps", []) if a.get("name", "").endswith("-bench")]
        app_cores = apps[-1].get("cores") if apps else None
    finally:
        cluster.stop()
    return {"cores": cores, "app_cores": app_cores, "wall": wall, "load_before": before,
            "load_after": load(), "seconds": table(output)}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="bin/bench-cluster",
        description="bin/driftlake bench on a standalone master + worker with 1, then 2 cores. "
                    "Other options (--rows, --repeat, --numeric, ...) go to BenchJob.")
    parser.add_argument("--jar", type=Path, required=True, help=argparse.SUPPRESS)
    parser.add_argument("--bench-jar", type=Path, required=True, help=argparse.SUPPRESS)
    parser.add_argument("--cores", default="1,2", help="worker core counts, in order (default 1,2)")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "driftlake-bench-cluster",
                        help="the bench's lake, shared by all runs (default $TMPDIR/driftlake-bench-cluster)")
    parser.add_argument("--worker-memory", default="8g")
    parser.add_argument("--executor-memory", default="6g")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--logs", type=Path, help="where the cluster and job logs go (default: a new temp dir)")
    args, bench_args = parser.parse_known_args()
    args.dir = args.dir.resolve()
    cores = [int(c) for c in args.cores.split(",")]
    logs = (args.logs or Path(tempfile.mkdtemp(prefix="bench-cluster-"))).resolve()
    logs.mkdir(parents=True, exist_ok=True)
    print(f"[bench-cluster] logs in {logs}, lake {args.dir}", flush=True)

    results = [run(args, n, bench_args, logs) for n in cores]

    first = results[0]
    print(f"\ncluster bench ({' '.join(bench_args) or 'BenchJob defaults'}): seconds per step "
          f"(medians), speedup = t({first['cores']} core) / t(N cores)")
    header = f"{'step':<42}" + "".join(f" {str(r['cores']) + (' core s' if r['cores'] == 1 else ' cores s'):>10}" for r in results) + "".join(
        f" {'x' + str(r['cores']):>8}" for r in results[1:])
    print(header)
    for step in STEPS:
        times = [r["seconds"].get(step) for r in results]
        cells = "".join(f" {t:>10.2f}" if t is not None else f" {'-':>10}" for t in times)
        speedups = "".join(
            f" {times[0] / t:>8.2f}" if times[0] and t else f" {'-':>8}" for t in times[1:])
        print(f"{step:<42}{cells}{speedups}")
    for r in results:
        # BenchJob's own "N cores" is Spark's default parallelism: at least 2 on a cluster.
        print(f"{r['cores']} core(s): the app held {r['app_cores']} core(s) on the master; "
              f"job wall {r['wall']:.0f} s; load average (1/5/15 min) before {r['load_before']}, "
              f"after {r['load_after']}")


if __name__ == "__main__":
    main()
