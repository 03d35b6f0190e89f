#!/usr/bin/python3
"""The NumPy/SciPy side of drift_stats_bench: the same window scored by
vectorised NumPy (all features at once) and by a per-feature SciPy loop.

Reads the input drift_stats_bench wrote (JSON: edges, reference, window,
std; one row per feature) and prints three lines, "numpy_core_ms X" (PSI,
JS, Hellinger, KS), "numpy_vectorised_ms Y" (every statistic but chi2) and
"scipy_loop_ms Z", each the median over repetitions.
"""
import json
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance


def core(ref, win):
    """PSI, JS distance, Hellinger and KS; with the CDF gaps and totals the
    rest of the statistics reuse."""
    m = ref.sum(axis=1, keepdims=True)
    n = win.sum(axis=1, keepdims=True)
    p, q = ref / m, win / n
    pf, qf = np.maximum(p, 1e-4), np.maximum(q, 1e-4)
    psi = np.sum((qf - pf) * np.log(qf / pf), axis=1)
    a = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(p > 0, p * np.log(p / a), 0) + np.where(q > 0, q * np.log(q / a), 0)
    js = np.sqrt(np.sum(kl, axis=1) / np.log(2) / 2)
    hel = np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2, axis=1) / 2)
    gap = np.abs(np.cumsum(p, axis=1) - np.cumsum(q, axis=1))
    ks = gap.max(axis=1)
    return psi, js, hel, ks, gap, m, n


def vectorised(edges, ref, win, std):
    psi, js, hel, ks, gap, m, n = core(ref, win)
    mids = np.concatenate((edges[:, :1], (edges[:, :-1] + edges[:, 1:]) / 2,
                           edges[:, -1:]), axis=1)
    w = np.sum(gap[:, :-1] * np.diff(mids, axis=1), axis=1) / std
    pv = stats.chi2.sf(psi / (1 / n[:, 0] + 1 / m[:, 0]), ref.shape[1] - 1)
    return psi, js, hel, ks, w, pv


def loop(edges, ref, win, std):
    out = []
    for i in range(ref.shape[0]):
        r, v = ref[i], win[i]
        p, q = r / r.sum(), v / v.sum()
        pf, qf = np.maximum(p, 1e-4), np.maximum(q, 1e-4)
        psi = np.sum((qf - pf) * np.log(qf / pf))
        js = distance.jensenshannon(p, q, base=2)
        hel = np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2)
        ks = np.max(np.abs(np.cumsum(p) - np.cumsum(q)))
        e = edges[i]
        mids = np.concatenate(([e[0]], (e[:-1] + e[1:]) / 2, [e[-1]]))
        w = stats.wasserstein_distance(mids, mids, r, v) / std[i]
        pv = stats.chi2.sf(psi / (1 / v.sum() + 1 / r.sum()), len(r) - 1)
        out.append((psi, js, hel, ks, w, pv))
    return out


def median_ms(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2]


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    edges = np.asarray(data["edges"], dtype=np.float64)
    ref = np.asarray(data["reference"], dtype=np.float64)
    win = np.asarray(data["window"], dtype=np.float64)
    std = np.asarray(data["std"], dtype=np.float64)
    print("numpy_core_ms", median_ms(lambda: core(ref, win), 50))
    print("numpy_vectorised_ms", median_ms(lambda: vectorised(edges, ref, win, std), 50))
    print("scipy_loop_ms", median_ms(lambda: loop(edges, ref, win, std), 3))


if __name__ == "__main__":
    main()
