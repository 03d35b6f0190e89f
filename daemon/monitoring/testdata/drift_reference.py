#!/usr/bin/python3
"""Reference values of the drift statistics, computed with SciPy and NumPy.

Prints one JSON object per line: a feature's bins (type, edges, reference
and window counts, nulls, reference std) and what SciPy/NumPy give for each
statistic (null for a value that cannot be computed). drift_stats_test.cc
runs this with /usr/bin/python3 (Debian's python3-scipy, python3-numpy) and
checks aigov's C++ against every line to 1e-9 relative.

Usage: drift_reference.py [CASES]   (default 400 random cases + edge cases)
"""
import json
import math
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance

FLOOR = 1e-4


def expected(kind, edges, ref, win, ref_nulls, win_nulls, std):
    ref = np.asarray(ref, dtype=np.float64)
    win = np.asarray(win, dtype=np.float64)
    m, n = ref.sum(), win.sum()
    out = {"m": int(m), "n": int(n)}
    total = n + win_nulls
    out["null_rate"] = None if total == 0 else win_nulls / total
    if m == 0 or n == 0:
        return out  # every distribution score is undefined
    p, q = ref / m, win / n
    pf, qf = np.maximum(p, FLOOR), np.maximum(q, FLOOR)
    psi = float(np.sum((qf - pf) * np.log(qf / pf)))
    out["psi"] = psi
    bins = len(ref)
    out["psi_p_value"] = (1.0 if bins == 1 or psi <= 0 else
                          float(stats.chi2.sf(psi / (1 / n + 1 / m), bins - 1)))
    out["js_distance"] = float(distance.jensenshannon(p, q, base=2))
    out["hellinger"] = float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))
    out["ks"] = float(np.max(np.abs(np.cumsum(ref) / m - np.cumsum(win) / n)))
    if kind == "numeric":
        e = np.asarray(edges, dtype=np.float64)
        if bins == 1:
            mids = np.zeros(1)
        else:
            mids = np.concatenate(([e[0]], (e[:-1] + e[1:]) / 2, [e[-1]]))
        if std > 0:
            w = stats.wasserstein_distance(mids, mids, u_weights=ref,
                                           v_weights=win)
            out["wasserstein"] = float(w / std)
        out["out_of_range_share"] = (0.0 if bins == 1 else
                                     float((win[0] + win[-1]) / n))
    else:
        keep = (ref + win) > 0
        table = np.vstack((ref[keep], win[keep]))
        if table.shape[1] == 1:
            out["chi2"], out["chi2_p_value"] = 0.0, 1.0
        else:
            chi2, pv, _, _ = stats.chi2_contingency(table, correction=False)
            out["chi2"], out["chi2_p_value"] = float(chi2), float(pv)
        out["unseen_share"] = float(win[-1] / n)
    return out


def case(kind, edges, ref, win, ref_nulls=0, win_nulls=0, std=1.0, name=""):
    ref, win = [int(x) for x in ref], [int(x) for x in win]
    return {"name": name, "type": kind, "edges": [float(x) for x in edges],
            "reference": ref, "window": win, "reference_nulls": ref_nulls,
            "window_nulls": win_nulls, "reference_std": std,
            "expected": expected(kind, edges, ref, win, ref_nulls, win_nulls,
                                 std)}


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    rng = np.random.default_rng(20261130)
    cases = [
        case("numeric", [1, 2, 3], [10, 20, 30, 40], [10, 20, 30, 40],
             name="identical"),
        case("numeric", [1, 2, 3], [0, 20, 30, 0], [5, 0, 30, 7],
             name="empty bins"),
        case("numeric", [], [100], [40], name="single bin"),
        case("categorical", [], [100], [40], name="single categorical bin"),
        case("numeric", [1, 2], [5, 5, 5], [0, 0, 0], win_nulls=9,
             name="all-null window"),
        case("numeric", [1, 2], [5, 5, 5], [0, 0, 0], name="empty window"),
        case("numeric", [1, 2], [0, 0, 0], [1, 2, 3], ref_nulls=4,
             name="all-null reference"),
        case("categorical", [], [60, 30, 8, 2], [20, 6, 1, 0], win_nulls=3,
             name="issue example"),
        case("categorical", [], [50, 50, 0, 0], [50, 50, 0, 0],
             name="identical categorical"),
        case("numeric", [900, 1500, 1800, 2100], [3, 40, 35, 20, 2],
             [1, 12, 9, 5, 0], win_nulls=1, std=610.5, name="issue numeric"),
        case("numeric", [0, 1], [10, 10, 10], [0, 30, 0], std=0.0,
             name="no reference spread"),
        case("numeric", [0, 1, 2, 3], [10**9, 3, 10**9, 7, 10**9],
             [1, 10**9, 2, 10**9, 5], name="huge counts"),
    ]
    for i in range(count):
        kind = "numeric" if i % 3 else "categorical"
        if kind == "numeric":
            k = int(rng.integers(1, 12))
            edges = np.cumsum(rng.uniform(0.1, 10, size=k)) - 20
            bins = k + 1
        else:
            edges = []
            bins = int(rng.integers(0, 51)) + 2
        scale = int(10 ** rng.integers(1, 7))
        ref = rng.integers(0, scale, size=bins)
        if i % 5 == 0:  # a shift: a few bins move
            win = ref.copy()
            j = rng.integers(0, bins, size=max(1, bins // 3))
            win[j] = rng.integers(0, scale, size=len(j))
        else:
            win = rng.integers(0, scale, size=bins)
        zero = rng.random(bins) < 0.15
        win[zero] = 0
        cases.append(case(kind, edges, ref, win,
                          ref_nulls=int(rng.integers(0, 20)),
                          win_nulls=int(rng.integers(0, 20)),
                          std=float(rng.uniform(0.5, 20)), name=f"random {i}"))
    for c in cases:
        print(json.dumps(c, allow_nan=False))


if __name__ == "__main__":
    main()
