#!/usr/bin/python3
"""bench/huber_peers: quarry's Huber regression (quarry_huber_f64 through the Python
binding) beside scikit-learn's HuberRegressor, in the same process on the same arrays
(issue 7; docs/references/randnla.md §8.3 P13).

Problem: A (m x n) standard normal in C order, b = A x_true + 0.1 N(0, 1) with a fraction
(default 5%) of entries replaced by gross errors of +-U(10, 100). Both minimize the same
objective, scikit-learn's: m s + sum H(r_i / s) s + alpha ||x||^2 over x and the scale s
(HuberRegressor with fit_intercept=False; quarry's estimated-scale mode), epsilon 1.35,
alpha 0. scikit-learn runs with its defaults (tol 1e-5, max_iter 100) and with a tight
setting (tol 1e-10, max_iter 10000); quarry with its default (tolerance 1e-12). The table
gives each one's time, iterations and objective, and the objective's relative excess over
the lowest of the three (the "same objective" column). Times are medians of --repeat runs
after one warm-up. OPENBLAS_NUM_THREADS defaults to 2 (both use OpenBLAS).

    OPENBLAS_NUM_THREADS=2 QUARRY_LIBRARY=build/release/src/libquarry.so.0 \\
        PYTHONPATH=bindings/python /usr/bin/python3 bench/huber_peers.py [--m 1000000] [--n 50]
"""

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import HuberRegressor  # noqa: E402

import quarry  # noqa: E402

EPS = 1.35


def objective(a, b, x, s):
    """scikit-learn's Huber objective (alpha 0), in float64."""
    r = b - a @ x
    t = EPS * s
    inside = np.abs(r) <= t
    return (len(b) * s + (r[inside] ** 2).sum() / s + 2 * EPS * np.abs(r[~inside]).sum()
            - EPS * t * np.count_nonzero(~inside))


def timed(fit, repeat):
    fit()  # warm-up
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fit()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--m", type=int, default=1_000_000)
    p.add_argument("--n", type=int, default=50)
    p.add_argument("--outliers", type=float, default=0.05)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args()
    rng = np.random.default_rng(args.seed)
    m, n = args.m, args.n
    a = rng.standard_normal((m, n))
    b = a @ rng.standard_normal(n) + 0.1 * rng.standard_normal(m)
    bad = rng.random(m) < args.outliers
    b[bad] = rng.choice([-1, 1], bad.sum()) * rng.uniform(10, 100, bad.sum())
    print(f"Huber regression, {m} x {n}, {bad.mean():.1%} gross outliers, epsilon {EPS}, "
          f"seed {args.seed}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, "
          f"quarry {quarry.version()} ({quarry.Context().threads} threads)")

    rows = []
    with quarry.Context() as ctx:
        t, (x, s, rep) = timed(lambda: quarry.huber(a, b, EPS, ctx=ctx), args.repeat)
        rows.append(("quarry_huber_f64", t, rep["QUARRY_REPORT_ITERATIONS"], objective(a, b, x, s)))
    for name, tol, iters in (("sklearn HuberRegressor (defaults)", 1e-5, 100),
                             ("sklearn HuberRegressor (tol 1e-10)", 1e-10, 10000)):
        def fit():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                return HuberRegressor(epsilon=EPS, alpha=0.0, fit_intercept=False, tol=tol,
                                      max_iter=iters).fit(a, b)
        t, h = timed(fit, args.repeat)
        rows.append((name, t, h.n_iter_, objective(a, b, h.coef_, h.scale_)))
    best = min(r[3] for r in rows)
    quarry_time = rows[0][1]
    print("| solver | seconds | iterations | objective | (F - F_min) / F_min | time / quarry's |")
    print("|---|---|---|---|---|---|")
    for name, t, it, f in rows:
        print(f"| {name} | {t:.3f} | {it} | {f:.12e} | {(f - best) / best:.1e} | "
              f"{t / quarry_time:.2f} |")


if __name__ == "__main__":
    main()
