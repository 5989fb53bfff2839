"""Peers on the same rows: Evidently's DataDriftPreset, a numpy/scipy loop and `bin/driftlake drift`.

A command, not a test (bin/bench-peers runs it in .venv-bench). For each size it writes the same
seeded rows (F numeric + C categorical features; reference, then a current side with shifts in some
features) as two Parquet files, then runs each tool as its own process, timed from process start to
exit (wall time, what a user waits for) with its peak resident set size (wait4's ru_maxrss):

  evidently  python: read both Parquet files, Report([DataDriftPreset()]).run(current, reference)
  scipy      python: read both files, then per numeric feature ks_2samp, wasserstein_distance and
             numpy PSI (deciles of the reference, np.searchsorted side='right'), per categorical
             feature chi2_contingency
  driftlake  bin/driftlake drift --reference production@0 --current production@1:added --mode exact
             (both files ingested first as two Delta versions; the ingests are not timed and the
             drift reads no stored profile: it profiles both versions itself); then the same
             drift again with --mode profiles, both versions now profiled (no data read,
             no SparkSession: Delta Kernel on the driver)

and prints wall time, peak RSS, the ratios to driftlake's, and the largest difference between
driftlake's KS D and scipy's on the same rows (they should be equal).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(n, numeric, categorical, seed, out):
    import numpy as np
    import pandas as pd

    def side(rng, shifted):
        cols = {}
        for i in range(numeric):
            kind = i % 4
            shift = 0.05 * (i % 5) if shifted else 0.0
            if kind == 0:  # continuous
                v = rng.normal(50 + shift * 10, 10, n)
            elif kind == 1:  # skewed, rounded to 0.1 (ties)
                v = np.round(rng.lognormal(3 + shift, 0.5, n), 1)
            elif kind == 2:  # counts (heavy ties)
                v = rng.poisson(4 + shift * 4, n).astype("float64")
            else:  # uniform
                v = rng.uniform(0 + shift, 1 + shift, n)
            cols[f"f{i:02d}"] = v
        for j in range(categorical):
            levels = 5 + 10 * j
            p = np.arange(1, levels + 1, dtype=float)
            if shifted and j % 2 == 1:
                p = p[::-1]
            p /= p.sum()
            cols[f"c{j}"] = pd.Categorical.from_codes(
                rng.choice(levels, n, p=p), [f"l{k}" for k in range(levels)]).astype(str)
        return pd.DataFrame(cols)

    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    side(rng, False).to_parquet(out / "reference.parquet", index=False)
    side(rng, True).to_parquet(out / "current.parquet", index=False)


def worker_evidently(ref, cur, out):
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    r, c = pd.read_parquet(ref), pd.read_parquet(cur)
    snapshot = Report([DataDriftPreset()]).run(c, r)
    values = {m["metric_name"]: m["value"] for m in snapshot.dict()["metrics"]}
    Path(out).write_text(json.dumps(values, default=str))


def worker_scipy(ref, cur, out):
    import numpy as np
    import pandas as pd
    from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

    r, c = pd.read_parquet(ref), pd.read_parquet(cur)
    result = {}
    for col in r.columns:
        if r[col].dtype.kind == "f":
            a, b = r[col].to_numpy(), c[col].to_numpy()
            ks = ks_2samp(a, b)
            edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
            pa = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1) / len(a)
            pb = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1) / len(b)
            pa, pb = np.clip(pa, 1e-4, None), np.clip(pb, 1e-4, None)
            result[col] = {"ks_d": float(ks.statistic), "ks_p": float(ks.pvalue),
                           "w1": float(wasserstein_distance(a, b)),
                           "psi": float(np.sum((pb - pa) * np.log(pb / pa)))}
        else:
            table = pd.crosstab(pd.concat([r[col], c[col]]),
                                np.r_[np.zeros(len(r)), np.ones(len(c))])
            chi2, p, _, _ = chi2_contingency(table.to_numpy())
            result[col] = {"chi2": float(chi2), "p": float(p)}
    Path(out).write_text(json.dumps(result))


def timed(cmd, env=None, cwd=None, log=None):
    """Runs cmd to its end; returns (wall seconds, peak RSS in MiB) of that process tree's largest."""
    started = time.perf_counter()
    with open(log, "w") if log else open(os.devnull, "w") as sink:
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-peers: {cmd[0]} {' '.join(cmd[1:3])} failed (exit "
                 f"{os.waitstatus_to_exitcode(status)}); see {log}")
    return wall, usage.ru_maxrss / 1024


def run_size(n, args):
    work = Path(args.dir) / f"rows-{n}"
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    print(f"\n== {n:,} rows per side x {args.numeric} numeric + {args.categorical} categorical ==",
          flush=True)
    generate(n, args.numeric, args.categorical, args.seed, data)
    ref, cur = str(data / "reference.parquet"), str(data / "current.parquet")

    env = dict(os.environ, DRIFTLAKE_LAKE_ROOT=str(work / "lake"))
    driftlake = str(ROOT / "bin" / "driftlake")
    for i, f in enumerate([ref, cur]):
        timed([driftlake, "ingest", "--table", "production", "--input", f, "--format", "parquet",
               "--batch-id", f"peers-{i}"], env=env, log=work / f"ingest-{i}.log")

    rows = {}
    for _ in range(args.repeat):
        rows.setdefault("driftlake", []).append(timed(
            [driftlake, "drift", "--reference", "production@0", "--current", "production@1:added",
             "--mode", "exact", "--report-dir", str(work / "report"), "--exit-code", "zero"],
            env=env, log=work / "driftlake.log"))
        # The same two versions again: both are profiled now (the run above stored their
        # profiles), so mode profiles reads no data and runs without Spark (issue 19 item 10).
        rows.setdefault("driftlake, both versions profiled (--mode profiles)", []).append(timed(
            [driftlake, "drift", "--reference", "production@0", "--current", "production@1:added",
             "--mode", "profiles", "--report-dir", str(work / "report-profiled"),
             "--exit-code", "zero"], env=env, log=work / "driftlake-profiled.log"))
        rows.setdefault("scipy", []).append(timed(
            [sys.executable, __file__, "--worker", "scipy", ref, cur, str(work / "scipy.json")],
            log=work / "scipy.log"))
        if not args.skip_evidently:
            rows.setdefault("evidently", []).append(timed(
                [sys.executable, __file__, "--worker", "evidently", ref, cur,
                 str(work / "evidently.json")], log=work / "evidently.log"))

    def median(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2]

    base_wall = median([w for w, _ in rows["driftlake"]])
    base_rss = median([m for _, m in rows["driftlake"]])
    print(f"{'tool':<48} {'wall s':>8} {'peak RSS MiB':>13} {'wall / driftlake':>17} "
          f"{'RSS / driftlake':>16}")
    for tool, xs in rows.items():
        wall, rss = median([w for w, _ in xs]), median([m for _, m in xs])
        print(f"{tool:<48} {wall:>8.1f} {rss:>13.0f} {wall / base_wall:>16.1f}x "
              f"{rss / base_rss:>15.1f}x")

    scipy = json.loads((work / "scipy.json").read_text())
    report = json.loads(next((work / "report").rglob("*.json")).read_text())
    profiled = json.loads(next((work / "report-profiled").rglob("*.json")).read_text())
    print("second driftlake run's profiles: reference " + profiled["reference"]["profiles"]["source"]
          + ", current " + profiled["current"]["profiles"]["source"])
    diffs = []
    for feature in report["features"]:
        for r in feature["results"]:
            if r["method"] == "ks" and feature["feature"] in scipy:
                diffs.append(abs(r["score"] - scipy[feature["feature"]]["ks_d"]))
    print(f"KS D, driftlake vs scipy ks_2samp: {len(diffs)} features, largest difference "
          f"{max(diffs) if diffs else float('nan'):.3g}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        {"scipy": worker_scipy, "evidently": worker_evidently}[sys.argv[2]](*sys.argv[3:6])
        return
    p = argparse.ArgumentParser(prog="bin/bench-peers", description=__doc__.splitlines()[0])
    p.add_argument("--rows", default="1000000,5000000",
                   help="rows per side, comma-separated sizes (default 1000000,5000000)")
    p.add_argument("--numeric", type=int, default=20)
    p.add_argument("--categorical", type=int, default=5)
    p.add_argument("--repeat", type=int, default=1, help="runs per tool; the median is printed")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                 "driftlake-bench-peers"))
    p.add_argument("--skip-evidently", action="store_true")
    args = p.parse_args()
    for n in [int(x) for x in args.rows.split(",")]:
        run_size(n, args)


if __name__ == "__main__":
    main()
