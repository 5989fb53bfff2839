"""driftlake's CBPE estimate (the estimate job, through spark-submit) against NannyML's CBPE on the
same rows.

Two binary models are trained by driftlake on one generated training table (labels drawn from a
known logistic model): one near-calibrated (the default regParam), one whose probabilities are
squashed towards the base rate by a strong L2 penalty. Each scores the training table (for the
reference) and a production batch with a covariate shift, and the estimate job estimates it.
NannyML 0.13.1 (in .venv-nannyml, built by bin/test from tests/nannyml/requirements.txt: it pins
a pandas and scikit-learn of its own) runs CBPE with reference = the model's held-out rows (the
rows driftlake's estimate calibrates on: pmod(xxhash64(key), 100) < 20, computed here with
pyspark's xxhash64) with their labels and probabilities, analysis = the production predictions,
one chunk.

Tolerances, derived:

* Same calibration choice (both calibrate the squashed model; for the near-calibrated one,
  driftlake does not and NannyML's ``NoopCalibrator`` run does not either): the definitions are
  the same sums, so accuracy, precision, recall and F1 differ by float summation order only, and
  the ROC AUC also by NannyML's rounding of its cumulative expected counts to 5 decimals (an area
  change below 1e-5 · 2 / min(expected positives, negatives)). With the isotonic map both fit the
  same pool-adjacent-violators solution with linear interpolation between blocks (scikit-learn's
  ``IsotonicRegression(out_of_bounds="clip")``, MLlib's ``IsotonicRegression``); tolerance 1e-6.
* Different choice (NannyML's ``auto`` calibrates nearly always, driftlake only beyond its noise
  floor): isotonic calibration then moves each probability by the miscalibration driftlake
  accepted, at most the reference ECE noise + 0.01 on average, and each metric's numerator or
  denominator by that share of the rows; the metrics, whose denominators are at least half the
  rows here, move by at most twice that: tolerance 2 · (reference_ece_noise + 0.01).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO_ROOT
from spark_cluster import spark_env
from test_cluster import submit_command
from test_e2e_drift_monitoring import delta_rows

NANNYML_PYTHON = REPO_ROOT / ".venv-nannyml" / "bin" / "python"
NANNYML_SCRIPT = Path(__file__).resolve().parent / "nannyml" / "cbpe_nannyml.py"
INGEST = "io.driftlake.jobs.ingest.IngestJob"
TRAIN = "io.driftlake.jobs.train.TrainJob"
SCORE = "io.driftlake.jobs.score.ScoreJob"
ESTIMATE = "io.driftlake.jobs.estimate.EstimateJob"
METRICS = ("accuracy", "precision", "recall", "f1", "auc_roc")
NANNYML_NAMES = {"auc_roc": "roc_auc"}
TIGHT = 1e-6


def generate(path: Path, rows: int, shift: float, seed: int, prefix: str) -> None:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(shift, 1.0, rows)
    x2 = rng.normal(0.0, 1.0, rows)
    p = 1 / (1 + np.exp(-(-0.4 + 1.3 * x1 - 0.9 * x2)))
    table = pa.table({
        "customer_id": [f"{prefix}-{i}" for i in range(rows)],
        "x1": x1, "x2": x2,
        "defaulted": (rng.random(rows) < p).astype(np.int32),
    })
    path.mkdir(parents=True)
    pq.write_table(table, path / "part-0.parquet")


def held_out(keys: list[str]) -> set[str]:
    """The keys driftlake holds out at test-fraction 0.2 (ml/HeldOut), by Spark's own xxhash64."""
    from pyspark.sql import SparkSession, functions as F

    spark = SparkSession.builder.master("local[1]").appName("held-out").getOrCreate()
    try:
        frame = spark.createDataFrame([(k,) for k in keys], "customer_id string")
        return {r[0] for r in frame.where(F.pmod(F.xxhash64("customer_id"), F.lit(100)) < 20).collect()}
    finally:
        spark.stop()


def test_estimates_equal_nannyml_cbpe(tmp_path):
    if not NANNYML_PYTHON.is_file():
        pytest.fail(f"{NANNYML_PYTHON} not found: bin/test creates it from "
                    "airflow-dags/tests/nannyml/requirements.txt", pytrace=False)
    jar = REPO_ROOT / "jobs" / "target" / "driftlake-jobs.jar"
    if not jar.is_file():
        pytest.fail(f"jobs jar not found at {jar}: build it (mvn -pl jobs -am package -DskipTests)",
                    pytrace=False)
    lake = tmp_path / "lake"
    generate(tmp_path / "training", 6000, 0.0, 1, "t")
    generate(tmp_path / "production", 4000, 0.7, 2, "p")
    configs = {}
    for name, extra in (("calibrated", ""),
                        ("squashed", "driftlake.train.params.logistic-regression.regParam = 1.5\n")):
        configs[name] = tmp_path / f"{name}.conf"
        configs[name].write_text(f'driftlake.lake-root = "{lake}"\n{extra}')
    logs = tmp_path / "logs"
    logs.mkdir()

    def run(step: str, config: Path, java_class: str, *args: str) -> str:
        cmd = submit_command("local[2]", jar, java_class, *args)
        cmd[cmd.index("--config") + 1] = str(config)
        started = time.monotonic()
        proc = subprocess.run(cmd, env=spark_env(), cwd=logs, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=600)
        (logs / f"{step}.log").write_text(proc.stdout + proc.stderr)
        print(f"{step}: exit {proc.returncode} in {time.monotonic() - started:.1f}s")
        assert proc.returncode == 0, f"{step} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
        return proc.stdout

    plain = configs["calibrated"]
    run("ingest-training", plain, INGEST, "--table", "training", "--input", str(tmp_path / "training"),
        "--format", "parquet", "--batch-id", "b0", "--run-id", "setup")
    run("ingest-production", plain, INGEST, "--table", "production",
        "--input", str(tmp_path / "production"), "--format", "parquet", "--batch-id", "b1",
        "--run-id", "setup")
    for name, config in configs.items():
        run(f"train-{name}", config, TRAIN, "--table", "training@0", "--run-id", name,
            "--triggered-by", "test")
        for table in ("training@0", "production@0"):
            run(f"score-{name}-{table}", config, SCORE, "--model", f"run:{name}", "--table", table,
                "--run-id", name)
        print(run(f"estimate-{name}", config, ESTIMATE, "--model", f"run:{name}",
                  "--table", "production@0", "--run-id", f"estimate-{name}"))

    models = {r["run_id"]: r["model_id"] for r in delta_rows(lake / "models")}
    predictions = delta_rows(lake / "predictions")
    labels = {r["customer_id"]: float(r["defaulted"]) for r in delta_rows(lake / "training")}
    held = held_out(sorted(labels))
    assert 900 < len(held) < 1500, len(held)
    evaluations = delta_rows(lake / "evaluations")

    for name in configs:
        model = models[name]
        mine = {r["metric"]: r for r in evaluations if r["run_id"] == f"estimate-{name}"}
        reference = [r for r in predictions if r["model_id"] == model and r["source_table"] == "training"
                     and r["row_key"] in held]
        analysis = [r for r in predictions if r["model_id"] == model and r["source_table"] == "production"]
        assert len(reference) == len(held) == mine["reference_rows"]["value"]
        assert len(analysis) == 4000 == mine["rows"]["value"]
        pq.write_table(pa.table({
            "probability": [r["probability"] for r in reference],
            "prediction": [r["prediction"] for r in reference],
            "label": [labels[r["row_key"]] for r in reference],
        }), tmp_path / f"{name}-reference.parquet")
        pq.write_table(pa.table({
            "probability": [r["probability"] for r in analysis],
            "prediction": [r["prediction"] for r in analysis],
        }), tmp_path / f"{name}-analysis.parquet")
        proc = subprocess.run([str(NANNYML_PYTHON), str(NANNYML_SCRIPT), str(tmp_path / f"{name}-reference.parquet"),
                               str(tmp_path / f"{name}-analysis.parquet")], capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr[-4000:]
        theirs = json.loads(proc.stdout.strip().splitlines()[-1])
        assert theirs["nannyml"] == "0.13.1"

        calibrated = {mine[m]["calibrated"] for m in METRICS}
        assert len(calibrated) == 1, mine
        ours_calibrated = calibrated.pop()
        if name == "squashed":
            # The penalty squashes the probabilities: both detect it and calibrate.
            assert ours_calibrated is True
            assert theirs["auto"]["needs_calibration"] is True
        same = theirs["auto"] if ours_calibrated else theirs["never"]
        loose = 2 * (mine["reference_ece_noise"]["value"] + 0.01)
        for m in METRICS:
            ours = mine[m]
            n = NANNYML_NAMES.get(m, m)
            print(f"{name} {m}: driftlake {ours['value']:.6f} [{ours['lower']:.4f}, {ours['upper']:.4f}] "
                  f"nannyml same calibration {same[n]:.6f}, nannyml auto {theirs['auto'][n]:.6f} "
                  f"(its 3 sampling errors {3 * theirs['auto'][n + '_sampling_error']:.4f})")
            assert ours["kind"] == "estimated"
            assert ours["value"] == pytest.approx(same[n], abs=TIGHT), (name, m)
            if theirs["auto"]["needs_calibration"] == ours_calibrated:
                assert ours["value"] == pytest.approx(theirs["auto"][n], abs=TIGHT), (name, m)
            else:
                assert ours["value"] == pytest.approx(theirs["auto"][n], abs=loose), (name, m, loose)
