"""NannyML's CBPE on two parquet files, run by test_cbpe_nannyml.py in .venv-nannyml (NannyML
pins its own pandas and scikit-learn, so it cannot share .venv).

usage: cbpe_nannyml.py REFERENCE ANALYSIS
Both files have columns ``probability`` (P(class 1)) and ``prediction`` (0/1); REFERENCE also
``label``. Prints one JSON object with two runs of CBPE, each metric's estimate on ANALYSIS as one
chunk and its sampling error: ``auto`` (NannyML's own choice of calibrating, reported as
``needs_calibration``, with its isotonic calibrator) and ``never`` (its ``NoopCalibrator``: the
probabilities as they are).
"""

from __future__ import annotations

import json
import sys
import warnings

import pandas as pd

warnings.filterwarnings("ignore")

import nannyml  # noqa: E402
from nannyml.calibration import NoopCalibrator  # noqa: E402

METRICS = ["accuracy", "precision", "recall", "f1", "roc_auc"]


def run(reference: pd.DataFrame, analysis: pd.DataFrame, **calibration) -> dict:
    estimator = nannyml.CBPE(
        y_pred_proba="probability",
        y_pred="prediction",
        y_true="label",
        problem_type="classification_binary",
        metrics=METRICS,
        chunk_number=1,
        **calibration,
    )
    estimator.fit(reference.copy())
    frame = estimator.estimate(analysis.copy()).filter(period="analysis").to_df()
    out = {"needs_calibration": bool(estimator.needs_calibration)}
    for m in METRICS:
        out[m] = float(frame[(m, "value")].iloc[0])
        out[m + "_sampling_error"] = float(frame[(m, "sampling_error")].iloc[0])
    return out


def main(reference_path: str, analysis_path: str) -> None:
    reference = pd.read_parquet(reference_path)
    analysis = pd.read_parquet(analysis_path)
    print(json.dumps({
        "nannyml": nannyml.__version__,
        "auto": run(reference, analysis),
        "never": run(reference, analysis, calibrator=NoopCalibrator()),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
