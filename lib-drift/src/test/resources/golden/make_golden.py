#!/usr/bin/env python3
"""Generate golden.json: independent reference values (scipy/numpy) for lib-drift's Java tests.

Run from the repo root:

    .venv/bin/python lib-drift/src/test/resources/golden/make_golden.py

Deterministic: every random case draws from numpy.random.default_rng with a fixed seed, so
re-running with the same numpy/scipy versions rewrites a byte-identical file.
"""
from __future__ import annotations

import json
import math
import os
import platform
import sys
import warnings
from pathlib import Path

# scipy.stats.wasserstein_distance ends in np.vecdot, which numpy hands to OpenBLAS's ddot. OpenBLAS
# picks that kernel by CPU (the AVX-512 and AVX2 kernels add in different orders: results differ by
# an ulp) and splits long vectors across threads. Pin both, before numpy loads OpenBLAS, so the file
# does not depend on the machine that writes it (x86-64; the committed file was made with Haswell).
OPENBLAS_CORETYPE = "Haswell"
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ["OPENBLAS_CORETYPE"] = OPENBLAS_CORETYPE
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402  (after the OpenBLAS settings above)
import scipy  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.spatial import distance  # noqa: E402

OUT = Path(__file__).resolve().parent / "golden.json"
MAX_BYTES = 1_500_000

# scipy.stats.ks_2samp(method='auto') picks 'exact' when max(n, m) <= MAX_AUTO_N, else 'asymp'
# (see scipy/stats/_stats_py.py, ks_2samp: MAX_AUTO_N = 10000). 'exact' can still fall back to
# 'asymp' with a RuntimeWarning ("Exact calculation unsuccessful") on floating-point trouble;
# ks_case() detects that warning so the recorded method is the one scipy actually used.
SCIPY_KS_MAX_AUTO_N = 10000


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def round6(a) -> list[float]:
    """Round to 6 decimals via the decimal string, so each value is the double nearest to a
    6-decimal literal and serialises as that short literal."""
    return [float(f"{x:.6f}") for x in np.asarray(a, dtype=float)]


def floats(a) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=float)]


def token(x):
    """A value as JSON can hold it: SQL null as null, NaN and ±∞ as the strings Java's
    Double.parseDouble reads ("NaN", "Infinity", "-Infinity"), any other double as a number."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


# --------------------------------------------------------------------------------------------
# Kolmogorov-Smirnov (two-sample, two-sided, method='auto')
# --------------------------------------------------------------------------------------------
def ks_result(ref, cur) -> tuple[dict, str | None]:
    """scipy's ks_2samp on two arrays (no NaN), its fields, and a note if 'exact' fell back."""
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    assert not np.isnan(ref).any() and not np.isnan(cur).any(), "ks_2samp would propagate NaN"
    n, m = len(ref), len(cur)
    expected = "exact" if max(n, m) <= SCIPY_KS_MAX_AUTO_N else "asymp"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(ref, cur)  # defaults: alternative='two-sided', method='auto'
    fell_back = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
    method = "asymp" if (expected == "asymp" or fell_back) else "exact"
    fields = {
        "n": n,
        "m": m,
        "method": method,
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        # ±∞ when the maximum is at an infinite value (only in the cases with ±∞): see token().
        "statistic_location": token(float(res.statistic_location)),
        "statistic_sign": int(res.statistic_sign),
    }
    return fields, ("scipy attempted 'exact' and fell back to 'asymp'" if fell_back else None)


def ks_case(name: str, ref, cur, note: str | None = None) -> dict:
    ref = floats(ref)
    cur = floats(cur)
    fields, fallback = ks_result(ref, cur)
    case = {"name": name, **fields}
    notes = [x for x in (fallback, note) if x]
    if notes:
        case["note"] = "; ".join(notes)
    case["ref"] = ref
    case["cur"] = cur
    return case


def ks_cases() -> list[dict]:
    out = []
    g = rng(101)
    out.append(ks_case("small_normal_vs_shifted", g.normal(0.0, 1.0, 20), g.normal(0.5, 1.0, 30)))

    g = rng(102)
    out.append(ks_case(
        "heavy_ties_int_0_5",
        g.integers(0, 6, 200).astype(float),          # 0..5 inclusive
        g.integers(0, 6, 150).astype(float),
        note="integer values 0..5, many ties; ECDFs compared at every pooled value (side='right')"))

    g = rng(103)
    same = g.normal(0.0, 1.0, 50)
    out.append(ks_case("identical_samples", same, same.copy()))

    g = rng(104)
    out.append(ks_case("n1_vs_m5", g.normal(0.0, 1.0, 1), g.normal(0.0, 1.0, 5)))

    g = rng(105)
    out.append(ks_case("disjoint_supports", g.uniform(0.0, 1.0, 40), g.uniform(2.0, 3.0, 60)))

    g = rng(106)
    # Rounded to 6 decimals BEFORE computing the scipy values (keeps the file small).
    out.append(ks_case(
        "large_normal_shift_0.02_asymp",
        round6(g.normal(0.0, 1.0, 20000)),
        round6(g.normal(0.02, 1.0, 15000)),
        note="arrays rounded to 6 decimals before scipy; asymp p = kstwo.sf(D, round(n*m/(n+m)))"))

    g = rng(107)
    out.append(ks_case(
        "medium_lognormal_vs_scaled",
        g.lognormal(0.0, 0.5, 3000),
        1.05 * g.lognormal(0.0, 0.5, 2500),
        note="cur = 1.05 * lognormal(0, 0.5)"))

    g = rng(108)
    out.append(ks_case("tiny_pvalue_shift_1.0", g.normal(0.0, 1.0, 500), g.normal(1.0, 1.0, 500)))

    # Heavy tails: values over many binades, a few huge ones.
    g = rng(109)
    out.append(ks_case(
        "heavy_tail_cauchy_vs_shifted",
        round6(g.standard_cauchy(2000)),
        round6(g.standard_cauchy(1500) + 0.3),
        note="standard Cauchy vs Cauchy + 0.3, rounded to 6 decimals before scipy"))
    g = rng(110)
    out.append(ks_case(
        "heavy_tail_pareto_1.1_vs_scaled",
        g.pareto(1.1, 2500) + 1.0,
        1.1 * (g.pareto(1.1, 2000) + 1.0),
        note="Pareto alpha = 1.1 (x_m = 1) vs 1.1 times the same law"))
    g = rng(111)
    out.append(ks_case(
        "heavy_tail_normal_with_huge_outliers",
        round6(with_outliers(g, g.normal(0.0, 1.0, 3000), 0.01)),
        round6(with_outliers(g, g.normal(0.1, 1.0, 2500), 0.005)),
        note="N(0,1) with 1 % of values replaced by +-10^U(9,15) vs N(0.1,1) with 0.5 %; "
             "rounded to 6 decimals before scipy"))

    # n = 1 on one side or both.
    out.append(ks_case("n1_vs_m1_different", [-2.0], [7.25], note="D = 1, exact p = 1"))
    out.append(ks_case("n1_vs_m1_equal", [1.5], [1.5], note="D = 0, p = 1"))
    g = rng(112)
    out.append(ks_case(
        "n10001_vs_m1_asymp",
        round6(g.normal(0.0, 1.0, 10001)),
        [0.25],
        note="just past scipy's exact limit: asymp at effective size round(n*m/(n+m)) = 1; "
             "ref rounded to 6 decimals before scipy"))
    return out


def with_outliers(g: np.random.Generator, x: np.ndarray, share: float) -> np.ndarray:
    """x with round(share * len(x)) values, at random places, replaced by +-10^U(9, 15)."""
    x = np.array(x, dtype=float)
    k = round(share * len(x))
    where = g.choice(len(x), k, replace=False)
    x[where] = np.sign(g.normal(0.0, 1.0, k)) * 10.0 ** g.uniform(9.0, 15.0, k)
    return x


# --------------------------------------------------------------------------------------------
# Jensen-Shannon divergence (base 2) = jensenshannon(p, q, base=2) ** 2
# --------------------------------------------------------------------------------------------
def js_case(name: str, p, q, note: str | None = None) -> dict:
    p = [float(x) for x in p]
    q = [float(x) for x in q]
    k = max(len(p), len(q))
    pp = np.pad(np.asarray(p), (0, k - len(p)))   # trailing zero bins for the shorter side
    qq = np.pad(np.asarray(q), (0, k - len(q)))
    # scipy normalises p and q to sum 1 itself.
    value = float(distance.jensenshannon(pp, qq, base=2) ** 2)
    case = {"name": name, "p": p, "q": q, "js_divergence_base2": value}
    if note:
        case["note"] = note
    return case


def js_cases() -> list[dict]:
    return [
        js_case("simple_counts", [10, 20, 30, 40], [15, 25, 25, 35]),
        js_case("zeros_in_q", [5, 10, 20, 15, 50], [0, 12, 25, 0, 63],
                note="q has empty bins where p is non-zero"),
        js_case("identical", [3, 7, 11, 0, 9], [3, 7, 11, 0, 9]),
        js_case("proportional_counts", [1, 2, 3, 4], [100, 200, 300, 400],
                note="same distribution, different totals -> 0"),
        js_case("disjoint", [10, 20, 0, 0], [0, 0, 5, 7], note="disjoint support -> 1 (base 2)"),
        js_case("uneven_lengths_padded", [4, 8, 15, 16, 23, 42], [10, 10, 10, 10],
                note="q is shorter: padded with trailing zeros to len(p) before scipy"),
    ]


# --------------------------------------------------------------------------------------------
# Population Stability Index
# --------------------------------------------------------------------------------------------
PSI_EPS = 1e-4


def psi_case(name: str, ref_counts, cur_counts, eps: float = PSI_EPS, note: str | None = None) -> dict:
    r = np.asarray(ref_counts, dtype=float)
    c = np.asarray(cur_counts, dtype=float)
    p = np.maximum(r / r.sum(), eps)   # floored, NOT renormalised
    q = np.maximum(c / c.sum(), eps)
    value = float(np.sum((q - p) * np.log(q / p)))
    case = {"name": name, "ref_counts": [float(x) for x in ref_counts],
            "cur_counts": [float(x) for x in cur_counts], "epsilon": eps, "psi": value}
    if note:
        case["note"] = note
    return case


def psi_cases() -> list[dict]:
    g = rng(201)
    ref = np.histogram(g.normal(0.0, 1.0, 5000), bins=np.linspace(-4, 4, 11))[0]
    cur = np.histogram(g.normal(0.3, 1.1, 4000), bins=np.linspace(-4, 4, 11))[0]
    return [
        psi_case("identical", [100, 200, 300, 400], [100, 200, 300, 400]),
        psi_case("moderate_shift", [250, 250, 250, 250], [200, 230, 270, 300]),
        psi_case("empty_bin_each_side", [0, 120, 300, 80, 50], [40, 110, 310, 90, 0],
                 note="ref bin 0 and cur bin 4 are empty -> floored at epsilon"),
        psi_case("histogram_normal_shift_10_bins", ref.tolist(), cur.tolist(),
                 note="np.histogram of N(0,1) n=5000 vs N(0.3,1.1) n=4000 on linspace(-4,4,11)"),
    ]


# --------------------------------------------------------------------------------------------
# Wasserstein-1 (scipy.stats.wasserstein_distance, unweighted)
# --------------------------------------------------------------------------------------------
def wasserstein_cases() -> list[dict]:
    def case(name, u, v):
        u, v = floats(u), floats(v)
        return {"name": name, "ref": u, "cur": v, "value": float(stats.wasserstein_distance(u, v))}

    g = rng(301)
    return [
        case("tiny_hand", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0]),
        case("uneven_sizes_ties", [1.0, 1.0, 2.0, 4.0, 4.0, 4.0], [0.5, 2.0, 3.5, 4.0]),
        case("normal_vs_shifted_scaled", g.normal(0.0, 1.0, 40), g.normal(0.7, 1.5, 25)),
        # Larger: many fine bins, most settled by the histograms alone, ties from rounding.
        case("lognormal_rounded_3000_vs_2000",
             [round(x, 2) for x in rng(302).lognormal(3.0, 0.8, 3000)],
             [round(x, 2) for x in rng(303).lognormal(3.1, 0.9, 2000)]),
        # Values far from zero (a fine bin is ~5000 wide here) and of both signs.
        case("offset_1e6_both_signs",
             [float(x) for x in 1e6 * np.sign(rng(304).normal(0, 1, 1500)) + rng(305).normal(0, 40, 1500)],
             [float(x) for x in 1e6 * np.sign(rng(306).normal(0.2, 1, 1200)) + rng(307).normal(5, 40, 1200)]),
        case("integers_heavy_ties",
             [float(x) for x in rng(308).integers(0, 6, 800)],
             [float(x) for x in rng(309).integers(1, 8, 500)]),
        # Heavy tails: W1 is dominated by a few far values (Cauchy and Pareto 1.1 have no finite
        # variance; W1 / std still has the sample std).
        case("heavy_tail_cauchy_vs_scaled",
             round6(rng(310).standard_cauchy(1200)), round6(1.2 * rng(311).standard_cauchy(1000))),
        case("heavy_tail_pareto_1.1_vs_1.3",
             rng(312).pareto(1.1, 1500) + 1.0, rng(313).pareto(1.3, 1200) + 1.0),
        case("heavy_tail_normal_with_huge_outliers",
             round6(with_outliers(rng(314), rng(315).normal(0.0, 1.0, 1500), 0.01)),
             round6(with_outliers(rng(316), rng(317).normal(0.1, 1.0, 1200), 0.005))),
        # n = 1 on the current side (a reference of one value has std 0: see "numeric_edge").
        case("current_n1", rng(318).normal(0.0, 1.0, 200), [2.0]),
    ]


# --------------------------------------------------------------------------------------------
# Numeric edge cases: nulls, NaN, ±∞, constant columns, n = 1 with both KS and W1 per case.
#
# The raw inputs (what a Spark column holds) are stored as tokens: null for SQL null, "NaN",
# "Infinity", "-Infinity", or a number. lib-drift's conventions, implemented here explicitly:
#   - nulls are dropped (they are not values; the null share is reported apart);
#   - NaN is dropped too: it is not a value for KS or W1 (scipy would propagate it);
#   - KS: ±∞ are values, ordered below/above every finite value and tied with each other, so
#     scipy's ks_2samp sees them (its searchsorted ECDFs reach 1 only at +∞);
#   - W1: ±∞ are left out; scipy's wasserstein_distance sees the finite values only (with ±∞ it
#     would return NaN or ∞). The score is W1 / population std (ddof 0) of the finite reference
#     values. A reference whose finite values are all equal (one value, or a constant column)
#     has std 0: lib-drift reports W1 but the score is "not computable" - it does not follow
#     numpy there, whose std of a constant column can be 1e-17 instead of 0 (see
#     constant_0.1_both_sides). No finite value on a side: W1 not computable either. A std or a
#     W1 / std that overflows a double (values beyond ~1.3e154) is not computable too: never ∞,
#     never a score of 0 from an ∞ std.
# --------------------------------------------------------------------------------------------
W1_NO_FINITE = "no_finite_values"
W1_STD_ZERO = "reference_std_zero"
W1_STD_OVERFLOW = "reference_std_overflows"   # the std of finite values is ∞ in doubles
W1_SCORE_OVERFLOW = "score_overflows"          # W1 / std is ∞ in doubles


FINE_SHIFT = 45               # lib-drift's fine bins: sign, exponent and top 7 mantissa bits
INFINITY_KEY = 2**63 - 1
NUMERIC_BINS = 10


def fine_keys(x: np.ndarray) -> np.ndarray:
    """lib-drift's fine-bin key of each (non-NaN) value: 0 for +-0, +-INFINITY_KEY for +-inf,
    else sign * (1 + (|bits| >> 45)): keys order like the values."""
    bits = x.astype(np.float64).view(np.int64)
    magnitude = (bits & np.int64(INFINITY_KEY)) >> FINE_SHIFT
    keys = np.where(bits < 0, -(1 + magnitude), 1 + magnitude)
    keys = np.where(x == 0, 0, keys)
    keys = np.where(np.isposinf(x), INFINITY_KEY, keys)
    return np.where(np.isneginf(x), -INFINITY_KEY, keys)


def binned(ref, cur, closed: str = "left") -> dict | None:
    """Numeric PSI and JS under lib-drift's pinned convention, from the raw values (NaN left
    out, +-inf kept): edges = np.quantile(ref, np.arange(1, 10) / 10) (method 'linear'), the
    non-finite ones (a quantile next to +-inf) dropped, then np.unique; outer bins open. closed
    'left' ([e_i, e_i+1), the default): bin = np.searchsorted(edges, x, side='right') (as
    np.histogram); 'right' ((e_i, e_i+1], pandas.qcut): side='left'. PSI with proportions
    floored at 1e-4 (not renormalised), JS = jensenshannon(base=2)**2. None when a side has no
    values (not computable)."""
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if not len(ref) or not len(cur):
        return None
    with np.errstate(invalid="ignore"):  # inf - inf in the interpolation next to +-inf
        edges = np.quantile(ref, np.arange(1, NUMERIC_BINS) / NUMERIC_BINS)
    edges = np.unique(edges[np.isfinite(edges)])
    side = "right" if closed == "left" else "left"
    r = np.bincount(np.searchsorted(edges, ref, side=side), minlength=len(edges) + 1)
    c = np.bincount(np.searchsorted(edges, cur, side=side), minlength=len(edges) + 1)
    p = np.maximum(r / r.sum(), PSI_EPS)
    q = np.maximum(c / c.sum(), PSI_EPS)
    return {"bins": len(edges) + 1, "edges": [float(e) for e in edges],
            "ref_counts": r.tolist(), "cur_counts": c.tolist(),
            "psi": float(np.sum((q - p) * np.log(q / p))),
            "js_divergence_base2": float(distance.jensenshannon(r, c, base=2) ** 2)}


def both_closed(case: dict, ref, cur) -> None:
    """The "binned" (closed left, the default) and "binned_right" fields of a case."""
    case["binned"] = binned(ref, cur, "left")
    case["binned_right"] = binned(ref, cur, "right")


def edge_case(name: str, ref_raw, cur_raw, note: str | None = None) -> dict:
    ref_raw = [None if v is None else float(v) for v in ref_raw]
    cur_raw = [None if v is None else float(v) for v in cur_raw]

    case = {"name": name}
    if note:
        case["note"] = note
    case.update(ks_and_w1([v for v in ref_raw if v is not None], [v for v in cur_raw if v is not None]))
    both_closed(case, [v for v in ref_raw if v is not None], [v for v in cur_raw if v is not None])
    case["ref"] = [token(v) for v in ref_raw]
    case["cur"] = [token(v) for v in cur_raw]
    return case


def ks_and_w1(ref, cur) -> dict:
    """The "ks" and "wasserstein" fields for two sides' non-null values (NaN and ±∞ included)."""
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    ks_ref, ks_cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]   # KS: NaN dropped, ±∞ kept
    assert len(ks_ref) and len(ks_cur), "an empty side has no scipy value (tested as a rule in Java)"
    fields, fallback = ks_result(ks_ref, ks_cur)
    assert fallback is None
    w_ref, w_cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]  # W1: finite values only
    w = {"n_finite": len(w_ref), "m_finite": len(w_cur)}
    if not len(w_ref) or not len(w_cur):
        w.update(value=None, ref_std=None, score=None, not_computable=W1_NO_FINITE)
    else:
        w["value"] = float(stats.wasserstein_distance(w_ref, w_cur))
        with np.errstate(over="ignore"):  # squares beyond ~1.3e154 overflow: std ∞ (a case)
            std = float(np.std(w_ref))
            score = w["value"] / std if std > 0 else math.nan
        w["ref_std"] = token(std)
        if np.all(w_ref == w_ref[0]):  # one value (-0.0 == 0.0): std 0 by lib-drift's rule
            w.update(score=None, not_computable=W1_STD_ZERO)
        elif not math.isfinite(std):
            w.update(score=None, not_computable=W1_STD_OVERFLOW)
        elif not math.isfinite(score):
            w.update(score=None, not_computable=W1_SCORE_OVERFLOW)
        else:
            w.update(score=score, not_computable=None)
    return {"ks": fields, "wasserstein": w}


def numeric_edge_cases() -> list[dict]:
    nan, inf = math.nan, math.inf
    out = []

    def sprinkle(g, x, share, value):
        """x as a list with round(share * len) values, at random places, replaced by value."""
        x = [float(v) for v in x]
        for i in g.choice(len(x), round(share * len(x)), replace=False):
            x[int(i)] = value
        return x

    g = rng(401)
    out.append(edge_case(
        "nulls_both_sides",
        sprinkle(g, round6(g.normal(0.0, 1.0, 300)), 0.1, None),
        sprinkle(g, round6(g.normal(0.3, 1.0, 200)), 0.25, None),
        note="10 % / 25 % nulls: dropped, scipy sees the rest"))
    g = rng(402)
    out.append(edge_case(
        "nan_both_sides",
        sprinkle(g, round6(g.normal(0.0, 1.0, 300)), 0.05, nan),
        sprinkle(g, round6(g.normal(0.0, 1.2, 250)), 0.2, nan),
        note="5 % / 20 % NaN: dropped like nulls"))
    g = rng(403)
    ref = sprinkle(g, round6(g.normal(0.0, 1.0, 400)), 0.05, inf)
    ref = sprinkle(g, ref, 0.03, -inf)
    ref = sprinkle(g, ref, 0.04, nan)
    ref = sprinkle(g, ref, 0.04, None)
    cur = sprinkle(g, round6(g.normal(0.2, 1.0, 350)), 0.10, inf)
    cur = sprinkle(g, cur, 0.01, -inf)
    cur = sprinkle(g, cur, 0.02, nan)
    cur = sprinkle(g, cur, 0.06, None)
    out.append(edge_case(
        "nulls_nan_and_infinities_mixed", ref, cur,
        note="+inf/-inf tie with each other within and across sides; KS keeps them, W1 leaves them out"))
    out.append(edge_case(
        "infinities_decide_ks",
        [1.0, 2.0, 3.0, 4.0] + [inf] * 6,
        [-inf] * 4 + [2.5, inf],
        note="D = 4/6 at -inf (statistic_location \"-Infinity\"); 6 of 10 ref values are +inf"))
    g = rng(404)
    out.append(edge_case(
        "only_infinities_in_current",
        round6(g.normal(0.0, 1.0, 50)),
        [inf, -inf, inf, None, nan, inf],
        note="KS is defined; W1 is not computable (no finite current value)"))
    out.append(edge_case(
        "negative_zero_ties_zero",
        [0.0, -0.0, -0.0, 1.0, 2.0, -1.0],
        [-0.0, 0.0, 0.5, 3.0],
        note="-0.0 == 0.0: one value, tied across sides"))
    # Constant columns.
    out.append(edge_case(
        "constant_0.1_both_sides", [0.1] * 3, [0.1] * 25,
        note="D = 0, p = 1, W1 = 0; numpy's std of [0.1]*3 is 1.4e-17, lib-drift's is 0"))
    out.append(edge_case(
        "constant_3_vs_constant_5", [3.0] * 30, [5.0] * 20, note="D = 1, W1 = 2, std 0"))
    g = rng(405)
    out.append(edge_case(
        "constant_reference_varied_current", [2.5] * 50 + [None] * 5,
        round6(g.normal(2.5, 1.0, 40)), note="std 0: W1 given, score not computable"))
    g = rng(406)
    out.append(edge_case(
        "varied_reference_constant_zero_current", round6(g.normal(0.0, 1.0, 60)),
        [0.0] * 30 + [nan] * 3, note="current all 0 (the bin of 0): W1/std defined"))
    # n = 1 after dropping nulls and NaN; a reference of one value has std 0.
    g = rng(407)
    out.append(edge_case(
        "reference_n1_after_nulls_and_nan", [None, 4.0, nan, None],
        round6(g.normal(4.0, 1.0, 20)), note="ref is one value: std 0"))
    g = rng(408)
    out.append(edge_case(
        "current_n1_after_nulls", round6(g.normal(0.0, 1.0, 80)), [None] * 50 + [1.0]))
    out.append(edge_case("n1_vs_n1_different", [-2.0], [7.25], note="D = 1, W1 = 9.25, std 0"))
    # Finite values so large that squares overflow.
    g = rng(409)
    out.append(edge_case(
        "huge_values_std_overflows",
        with_huge(g, round6(g.normal(0.0, 1.0, 200)), 0.02, 1e200),
        with_huge(g, round6(g.normal(0.1, 1.0, 150)), 0.02, 1e200),
        note="2 % of the values +-1e200 * U(1, 2): W1 finite, the reference std overflows"))
    out.append(edge_case(
        "extreme_values_w1_over_std_overflows", [1.0, 2.0, 3.0], [-1.7e308, 1.7e308],
        note="W1 = 1.7e308 is finite, W1 / std (0.816) is not"))
    return out


def numeric_binning_cases() -> list[dict]:
    """PSI/JS on tied data like real daily observations, where the edge convention matters:
    integers (counts), values rounded to 0.1 (temperatures, wind), a decile that is a repeated
    value (a 35 % share of dry days at 0), and continuous normal values for comparison. Each
    case also carries "binned_right" (pandas.qcut's convention)."""
    out = []

    def case(name, ref, cur, note):
        ref = [float(v) for v in ref]
        cur = [float(v) for v in cur]
        c = {"name": name, "note": note}
        c.update(ks_and_w1(ref, cur))
        both_closed(c, ref, cur)
        c["ref"] = [token(v) for v in ref]
        c["cur"] = [token(v) for v in cur]
        out.append(c)

    g = rng(501)
    case("integer_counts_poisson", g.poisson(4.0, 3000), g.poisson(4.3, 2500),
         "Poisson(4) vs Poisson(4.3) counts: every decile is a repeated integer")
    g = rng(502)
    case("temperature_rounded_0.1", np.round(g.normal(12.0, 6.0, 3000), 1),
         np.round(g.normal(13.0, 6.5, 2800), 1),
         "daily temperatures rounded to 0.1: edges equal to values held ~10 times each")
    g = rng(503)
    case("wind_rounded_0.1", np.round(g.gamma(2.0, 1.8, 3000), 1),
         np.round(g.gamma(2.0, 2.0, 2600), 1), "wind speeds rounded to 0.1, skewed")
    g = rng(504)
    ref = np.where(g.uniform(size=3000) < 0.35, 0.0, np.round(g.exponential(3.0, 3000), 1))
    cur = np.where(g.uniform(size=2700) < 0.30, 0.0, np.round(g.exponential(3.5, 2700), 1))
    case("repeated_decile_dry_days", ref, cur,
         "35 % zeros (dry days): deciles 1-3 are 0.0, collapsed by np.unique")
    g = rng(505)
    case("continuous_normal", g.normal(0.0, 1.0, 2000), g.normal(0.1, 1.1, 1800),
         "full-precision normal values: no ties, edges interpolated between order statistics")
    g = rng(506)
    case("edge_between_two_values", [1.0] * 5 + [2.0] * 5, [1.0] * 3 + [1.5] * 3 + [2.0] * 4,
         "n = 10: deciles interpolate between 1 and 2; values equal to edges")
    return out


def with_huge(g: np.random.Generator, x, share: float, scale: float) -> list[float]:
    """x with round(share * len) values, at random places, replaced by +-scale * U(1, 2)."""
    x = np.array(x, dtype=float)
    k = round(share * len(x))
    where = g.choice(len(x), k, replace=False)
    x[where] = np.sign(g.normal(0.0, 1.0, k)) * scale * g.uniform(1.0, 2.0, k)
    return [float(v) for v in x]


# --------------------------------------------------------------------------------------------
# n in the millions, from a formula Java reproduces bit for bit (the samples are not stored).
#
# For i = 0 .. n-1, in 64-bit integers (every intermediate < 2^63, every result < 2^53, so the
# conversion to double is exact):
#     x_i = (((num.a * i + num.c) mod num.p) + num.o) / (((den.a * i + den.c) mod den.p) + den.o)
# with ONE correctly rounded IEEE-754 double division (numpy, Java and Spark's Divide agree).
# All operands are non-negative before "mod", so Python's and Java's % agree. Then the first
# rule of "special" with i mod every == at replaces x_i by its value token (null, "NaN",
# "Infinity", "-Infinity"). The fields "ks" and "wasserstein" follow the numeric_edge conventions.
# --------------------------------------------------------------------------------------------
def formula_column(spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """The column of a formula spec: its values, and a mask of the SQL nulls."""
    n = spec["n"]
    i = np.arange(n, dtype=np.int64)
    parts = []
    for part in (spec["num"], spec["den"]):
        a, c, p, o = part["a"], part["c"], part["p"], part["o"]
        assert min(a, c) >= 0 and p >= 1 and a * (n - 1) + c < 2**63
        assert max(abs(o), abs(p - 1 + o)) < 2**53
        parts.append((a * i + c) % p + o)
    num, den = parts
    assert (den > 0).all()
    x = num.astype(np.float64) / den.astype(np.float64)
    null = np.zeros(n, dtype=bool)
    done = np.zeros(n, dtype=bool)
    for rule in spec.get("special", []):
        hit = (i % rule["every"] == rule["at"]) & ~done
        done |= hit
        if rule["value"] is None:
            null |= hit
        else:
            x[hit] = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[rule["value"]]
    return x, null


def fingerprint(x: np.ndarray, null: np.ndarray) -> dict:
    """What Java checks before comparing statistics, to tell a formula mismatch from a bug:
    the null count and the wrapping 64-bit sum of the non-null values' IEEE-754 bit patterns
    (order-independent; as a signed long)."""
    bits = int(x[~null].view(np.uint64).sum(dtype=np.uint64))
    return {"nulls": int(null.sum()), "bits_sum": bits - 2**64 if bits >= 2**63 else bits}


def formula_case(name: str, ref: dict, cur: dict, note: str | None = None) -> dict:
    x, x_null = formula_column(ref)
    y, y_null = formula_column(cur)
    case = {"name": name}
    if note:
        case["note"] = note
    case["ref"] = ref
    case["cur"] = cur
    case["ref_fingerprint"] = fingerprint(x, x_null)
    case["cur_fingerprint"] = fingerprint(y, y_null)
    case.update(ks_and_w1(x[~x_null], y[~y_null]))
    both_closed(case, x[~x_null], y[~y_null])
    return case


def numeric_formula_cases() -> list[dict]:
    def part(a, c, p, o):
        return {"a": a, "c": c, "p": p, "o": o}

    def const(o):
        return part(0, 0, 1, o)

    return [
        formula_case(
            "millions_grid_ties_stretched",
            {"n": 2_000_000, "num": part(7919, 0, 1_000_003, 0), "den": const(1000)},
            {"n": 1_500_000, "num": part(104_729, 17, 1_000_003, 0), "den": const(999),
             "special": [{"every": 50, "at": 49, "value": None},
                         {"every": 97, "at": 0, "value": "NaN"}]},
            note="k/1000 (each k about twice: ties) vs k/999, a 0.1 % stretch; current 2 % nulls, "
                 "1 % NaN"),
        formula_case(
            "millions_ratio_heavy_tail",
            {"n": 1_200_000, "num": part(7919, 3, 1_000_003, -500_001), "den": part(31, 5, 997, 1),
             "special": [{"every": 10_007, "at": 5, "value": "Infinity"}]},
            {"n": 1_000_000, "num": part(15_485_863, 11, 1_000_003, -498_801),
             "den": part(37, 1, 997, 1),
             "special": [{"every": 5003, "at": 7, "value": "-Infinity"}]},
            note="uniform integer / uniform integer in 1..997: tails ~ 1/x^2 (Pareto alpha 1), "
                 "|x| up to 5e5; current numerator shifted by 1200; ref +inf and cur -inf at scale"),
        formula_case(
            "millions_13k_values_ties",
            {"n": 3_000_000, "num": part(7919, 1, 13_001, 0), "den": const(1000)},
            {"n": 2_500_000, "num": part(104_729, 5, 13_013, 0), "den": const(1000)},
            note="k/1000 for k < 13001 vs k < 13013: about 200 ties per value"),
    ]


# --------------------------------------------------------------------------------------------
# Chi-square test of homogeneity (2 x k contingency table, no Yates correction)
# --------------------------------------------------------------------------------------------
def chi2_case(name: str, ref_counts, cur_counts, note: str | None = None) -> dict:
    table = np.array([ref_counts, cur_counts], dtype=float)
    # Columns that are zero in BOTH rows carry no information and make an expected frequency 0,
    # which scipy rejects; they are dropped before calling chi2_contingency. The stored counts are
    # the originals (with such columns), dof is that of the reduced table.
    keep = table.sum(axis=0) > 0
    dropped = [int(i) for i in np.flatnonzero(~keep)]
    res = stats.chi2_contingency(table[:, keep], correction=False)
    case = {"name": name, "ref_counts": [float(x) for x in ref_counts],
            "cur_counts": [float(x) for x in cur_counts], "dropped_zero_columns": dropped,
            "statistic": float(res.statistic), "pvalue": float(res.pvalue), "dof": int(res.dof)}
    if note:
        case["note"] = note
    return case


def chi2_cases() -> list[dict]:
    return [
        chi2_case("same_proportions", [50, 30, 20], [100, 60, 40], note="statistic 0, p 1"),
        chi2_case("categorical_shift", [120, 90, 60, 30], [80, 95, 70, 55]),
        chi2_case("with_all_zero_column", [40, 0, 25, 35, 0], [30, 0, 45, 20, 5],
                  note="column 1 is zero in both rows and is dropped; column 4 is kept"),
    ]


# --------------------------------------------------------------------------------------------
# Categorical features with unseen (new) and vanished categories, over the category union.
#
# A categorical column is given as counts per category plus a null count (nulls are not a
# category). lib-drift compares the two sides over the union of their categories (sorted: the
# order changes no value), each side normalised by its own non-null total, with the psi,
# js and chi2 conventions of the sections above; tvd = sum|p - q| / 2, linf = max|p - q|.
# Every union column has a positive count on some side, so chi2 drops nothing.
# --------------------------------------------------------------------------------------------
def categorical_case(name: str, ref: dict, cur: dict, ref_nulls: int = 0, cur_nulls: int = 0,
                     note: str | None = None) -> dict:
    union = sorted(set(ref) | set(cur))
    r = np.array([ref.get(k, 0) for k in union], dtype=float)
    c = np.array([cur.get(k, 0) for k in union], dtype=float)
    p, q = r / r.sum(), c / c.sum()
    pf, qf = np.maximum(p, PSI_EPS), np.maximum(q, PSI_EPS)
    chi2 = stats.chi2_contingency(np.array([r, c]), correction=False)
    case = {"name": name}
    if note:
        case["note"] = note
    case.update({
        "ref_counts": ref, "cur_counts": cur, "ref_nulls": ref_nulls, "cur_nulls": cur_nulls,
        "union": union,
        "new_categories": [k for k in union if k not in ref],
        "vanished_categories": [k for k in union if k not in cur],
        "psi": float(np.sum((qf - pf) * np.log(qf / pf))),
        "psi_epsilon": PSI_EPS,
        "js_divergence_base2": float(distance.jensenshannon(r, c, base=2) ** 2),
        "chi2_statistic": float(chi2.statistic),
        "chi2_pvalue": float(chi2.pvalue),
        "chi2_dof": int(chi2.dof),
        "tvd": float(np.sum(np.abs(p - q)) / 2),
        "linf": float(np.max(np.abs(p - q))),
    })
    return case


def categorical_cases() -> list[dict]:
    return [
        categorical_case("unseen_in_current", {"a": 50, "b": 30, "c": 20},
                         {"a": 40, "b": 25, "c": 15, "d": 12, "e": 8}),
        categorical_case("vanished_from_current", {"a": 40, "b": 30, "c": 20, "d": 10},
                         {"a": 60, "b": 40}),
        categorical_case("unseen_and_vanished_with_nulls",
                         {"blue": 45, "green": 80, "red": 120, "teal": 6},
                         {"green": 70, "orange": 5, "purple": 30, "red": 90},
                         ref_nulls=15, cur_nulls=40, note="nulls are not a category"),
        categorical_case("one_rare_unseen", {"a": 500, "b": 300, "c": 200},
                         {"a": 480, "b": 310, "c": 205, "zzz": 1},
                         note="the unseen category's reference share 0 is floored for psi"),
        categorical_case("disjoint_categories", {"x": 10, "y": 20}, {"w": 5, "z": 15},
                         note="JS = 1 (base 2), TVD = 1"),
        categorical_case("one_category_vs_another", {"a": 10}, {"b": 5}, note="2 x 2, dof 1"),
        categorical_case("one_category_both_sides", {"a": 10}, {"a": 7},
                         note="one column: chi2 0, dof 0, p 1"),
    ]


# --------------------------------------------------------------------------------------------
# Output: compact, but one case field per line so diffs stay readable.
# --------------------------------------------------------------------------------------------
def ks_pvalue_cases() -> list[dict]:
    """ks_2samp's asymptotic two-sided p-value for a statistic d and sizes n, m, as scipy computes
    it (scipy/stats/_stats_py.py, ks_2samp: kstwo.sf(d, round(n*m/(n+m)))), over the lower part
    of the distribution (1 - cdf) and the upper tail, where scipy's kstwo.sf is 2*smirnov (exact
    Birnbaum-Tingey up to n = 1e6, Miller's approximation beyond) and p-values go far below 1e-16."""
    cases = []
    sizes = [(12_000, 3), (12_000, 150), (12_000, 9_000), (150_000, 250_000), (1_000_000, 1_000_000), (2_000_000, 3_000_000),
             (10_000_000, 10_000_000), (5_000_000_000, 5_000_000_000)]
    for n, m in sizes:
        en = round(n * m / (n + m))
        # scipy's smirnov takes an int n: beyond 2^31 its upper tail is NaN, so only below it.
        tail = (2.3, 5.0, 20.0, 100.0, 300.0) if en < 2**31 else ()
        for nx2 in (0.3, 1.0, 2.1) + tail:
            d = float(np.sqrt(nx2 / en))
            if d >= 1:
                continue
            p = float(stats.kstwo.sf(d, en))
            cases.append({"name": f"n={n} m={m} n*d^2={nx2}", "n": n, "m": m, "statistic": d,
                          "en_rounded": en, "pvalue": p})
    return cases


def ks_pvalue_grid_cases() -> list[dict]:
    """kstwo.sf(d, en) over a grid of effective sizes en = n*m/(n+m) = 10^2 ... 10^10 (n = m =
    2*en, so en is exact) and statistics d: every region of scipy's _kolmogn (Ruben-Gambino at
    n*d <= 1, Durbin/Pomeranz, Pelz-Good, 2*smirnov, 0 beyond n*d^2 = 370), including the tiny d
    of two near-identical samples (1e-6, 1e-5, 5e-5). Points where scipy itself gives no finite
    value are left out, and so is its upper tail beyond en = 2^31 (n*d^2 >= 2.2 or d >= 0.5, where
    kstwo.sf is 2*smirnov(en, d), whose int n overflows there: e.g. 0.647 at en = 1e10,
    n*d^2 = 4, where the limiting distribution gives 6.7e-4); 0 from n*d^2 >= 370 is kept."""
    cases = []
    for e in range(2, 11):
        en = 10 ** e
        ds = {f"n*d^2={nx2}": float(np.sqrt(nx2 / en))
              for nx2 in (1e-8, 1e-4, 0.01, 0.1, 0.3, 0.754, 1.0, 1.5, 2.1, 2.3, 4.0, 10.0, 20.0,
                          100.0, 369.0)}
        ds.update({f"n*d={nd}": nd / en for nd in (0.4, 0.7, 0.99)})
        ds.update({f"d={d}": d for d in (1e-6, 1e-5, 5e-5, 1e-3, 0.3, 0.6)})
        for label, d in ds.items():
            if d >= 1 or (en >= 2**31 and (d >= 0.5 or 2.2 <= en * d * d < 370)):
                continue
            p = float(stats.kstwo.sf(d, en))
            if not np.isfinite(p):
                continue
            cases.append({"name": f"en=1e{e} {label}", "n": 2 * en, "m": 2 * en, "statistic": d,
                          "en_rounded": en, "pvalue": p})
    return cases


def _dump(obj) -> str:
    return json.dumps(obj, allow_nan=False, separators=(",", ":"))


def render(doc: dict) -> str:
    lines = ["{"]
    keys = list(doc)
    for ki, key in enumerate(keys):
        val = doc[key]
        tail = "," if ki < len(keys) - 1 else ""
        if isinstance(val, list) and val and all(isinstance(c, dict) for c in val):
            lines.append(f" {_dump(key)}: [")
            for ci, c in enumerate(val):
                fields = [f"  {_dump(k)}: {_dump(v)}" for k, v in c.items()]
                lines.append(" {\n" + ",\n".join(fields) + "\n }" + ("," if ci < len(val) - 1 else ""))
            lines.append(" ]" + tail)
        else:
            lines.append(f" {_dump(key)}: {_dump(val)}{tail}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    doc = {
        "generator": {
            "script": "lib-drift/src/test/resources/golden/make_golden.py",
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "openblas": {"coretype": os.environ.get("OPENBLAS_CORETYPE"), "threads": 1},
            "ks_auto_rule": f"exact if max(n,m) <= {SCIPY_KS_MAX_AUTO_N} else asymp",
        },
        "ks": ks_cases(),
        "ks_pvalue": ks_pvalue_cases(),
        "ks_pvalue_grid": ks_pvalue_grid_cases(),
        "js": js_cases(),
        "psi": psi_cases(),
        "wasserstein": wasserstein_cases(),
        "numeric_edge": numeric_edge_cases(),
        "numeric_formula": numeric_formula_cases(),
        "numeric_binning": numeric_binning_cases(),
        "chi2": chi2_cases(),
        "categorical": categorical_cases(),
    }
    text = render(doc)
    json.loads(text)  # sanity: valid JSON
    size = len(text.encode("utf-8"))
    if size >= MAX_BYTES:
        print(f"golden.json would be {size} bytes (limit {MAX_BYTES})", file=sys.stderr)
        return 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
