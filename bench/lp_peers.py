#!/usr/bin/python3
"""bench/lp_peers: quarry's l_p regression (quarry_lp_regression_f64 through the Python
binding) beside scikit-learn's QuantileRegressor(quantile=0.5) for p = 1, in the same
process on the same arrays (issue 7), and its own figures for other p.

Problem: A (m x n) standard normal in C order, b = A x_true + 0.1 N(0, 1) with a fraction
(default 5%) of entries replaced by gross errors of +-U(10, 100). For p = 1 both solve
min sum |b - A x| (QuantileRegressor with alpha 0, fit_intercept False, solver 'highs', a
linear program, minimizes the mean pinball loss, half of that objective over m). For other
p the reference is quarry itself at tolerance 1e-14. The table gives time, iterations,
the objective, its relative excess over the lowest, and quarry's certified duality gap.
Times are medians of --repeat runs after one warm-up (scikit-learn: one run, no warm-up,
when it takes over 10 s). OPENBLAS_NUM_THREADS defaults to 2.

    OPENBLAS_NUM_THREADS=2 QUARRY_LIBRARY=build/release/src/libquarry.so.0 \\
        PYTHONPATH=bindings/python /usr/bin/python3 bench/lp_peers.py [--m 100000] [--n 50]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import quarry  # noqa: E402

NAMES = {v: k for k, v in quarry.METHODS.items()}


def timed(fit, repeat):
    t0 = time.perf_counter()
    out = fit()  # warm-up (and the only run when slow)
    first = time.perf_counter() - t0
    if first > 10:
        return first, out
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fit()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--p", type=str, default="1,1.5,3")
    ap.add_argument("--outliers", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-sklearn", action="store_true", help="skip QuantileRegressor")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    m, n = args.m, args.n
    a = rng.standard_normal((m, n))
    b = a @ rng.standard_normal(n) + 0.1 * rng.standard_normal(m)
    bad = rng.random(m) < args.outliers
    b[bad] = rng.choice([-1, 1], bad.sum()) * rng.uniform(10, 100, bad.sum())
    print(f"l_p regression, {m} x {n}, {bad.mean():.1%} gross outliers, seed {args.seed}, "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, "
          f"quarry {quarry.version()} ({quarry.Context().threads} threads)")
    print("| p | solver | seconds | Newton iterations | objective | (F - F_min) / F_min | "
          "certified gap | time / quarry's |")
    print("|---|---|---|---|---|---|---|---|")
    with quarry.Context() as ctx:
        for p in (float(v) for v in args.p.split(",")):
            rows = []

            def fit(method, tol=None):
                return quarry.lp_regression(a, b, p, method=method, tol=tol, ctx=ctx)

            for method in ("auto", "gram_precondition", "sketch_precondition"):
                t, (x, rep) = timed(lambda: fit(method), args.repeat)
                used = NAMES[rep["QUARRY_REPORT_METHOD"]]
                rows.append((f"quarry ({method}: {used})" if method == "auto"
                             else f"quarry ({method})", t,
                             rep["QUARRY_REPORT_ITERATIONS"], rep["QUARRY_REPORT_OBJECTIVE"],
                             rep["QUARRY_REPORT_DUAL_GAP"]))
            if p == 1 and not args.no_sklearn:
                from sklearn.linear_model import QuantileRegressor
                t, q = timed(lambda: QuantileRegressor(quantile=0.5, alpha=0.0,
                                                       fit_intercept=False,
                                                       solver="highs").fit(a, b), args.repeat)
                f = np.abs(b - a @ q.coef_).sum()
                rows.append(("sklearn QuantileRegressor (highs)", t, q.n_iter_, f, None))
            elif p != 1:
                _, rep = fit("auto", tol=1e-14)
                rows.append(("quarry (tol 1e-14, reference)", None, rep["QUARRY_REPORT_ITERATIONS"],
                             rep["QUARRY_REPORT_OBJECTIVE"], rep["QUARRY_REPORT_DUAL_GAP"]))
            best = min(r[3] for r in rows)
            quarry_time = rows[0][1]
            for name, t, it, f, gap in rows:
                print(f"| {p:g} | {name} | {'-' if t is None else f'{t:.3f}'} | {it} | {f:.12e} "
                      f"| {(f - best) / best:.1e} | {'-' if gap is None else f'{gap:.1e}'} | "
                      f"{'-' if t is None else f'{t / quarry_time:.2f}'} |")


if __name__ == "__main__":
    main()
