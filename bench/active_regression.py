#!/usr/bin/python3
"""bench/active_regression: quarry's active l_p regression (quarry_active_regression_f64
through the Python binding) against its control, the same budget of labels drawn
uniformly at random and fitted alike (quarry_lp_regression_f64 on those rows), issue 7.

Designs (docs/references/randnla.md §8.2), m x n with b = A x_true + N(0, 1):
- C1, coherent: A = [diag(d); 0] + 1e-8 N(0, 1), d ~ U(1, 10): all of the leverage sits
  on n rows, which a uniform sample of a few hundred rows out of 1e5 nearly always misses.
- C2, heavy-tailed: rows i.i.d. multivariate t with 1 degree of freedom (Ma, Mahoney and
  Yu's T1 design; Gaussian rows divided by sqrt(chi^2_1)).
For p in {1, 1.5, 2} and budgets of 2n, 5n, 10n and 20n labels, the table gives the
median over --seeds seeds of the residual ratio ||b - A x||_p / min ||b - A x||_p (the
full fit's), for Lewis-weight sampling (quarry) and for uniform sampling (the control),
and quarry's median time per call (Lewis weights, sampling, labels and the fit).

    OPENBLAS_NUM_THREADS=2 QUARRY_LIBRARY=build/release/src/libquarry.so.0 \\
        PYTHONPATH=bindings/python /usr/bin/python3 bench/active_regression.py [--m 100000]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import quarry  # noqa: E402


def design(name, m, n, rng):
    if name == "C1":
        a = 1e-8 * rng.standard_normal((m, n))
        a[np.arange(n), np.arange(n)] += rng.uniform(1, 10, n)
        return a
    return rng.standard_normal((m, n)) / np.sqrt(rng.chisquare(1, m))[:, None]


def lp_norm(r, p):
    return (np.abs(r) ** p).sum() ** (1 / p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--method", default="exact", help="the Lewis weights' leverage scores")
    args = ap.parse_args()
    m, n = args.m, args.n
    print(f"active l_p regression, {m} x {n}, {args.seeds} seeds, Lewis weights by "
          f"'{args.method}' leverage scores, OPENBLAS_NUM_THREADS="
          f"{os.environ['OPENBLAS_NUM_THREADS']}, quarry {quarry.version()}")
    print("| design | p | labels | Lewis sampling: median ratio (worst) | uniform sampling: "
          "median ratio (worst) | quarry seconds |")
    print("|---|---|---|---|---|---|")
    with quarry.Context() as ctx:
        for name in ("C1", "C2"):
            rng = np.random.default_rng(2026)
            a = design(name, m, n, rng)
            b = a @ rng.standard_normal(n) + rng.standard_normal(m)
            for p in (1.0, 1.5, 2.0):
                full, _ = quarry.lp_regression(a, b, p, ctx=ctx)
                best = lp_norm(b - a @ full, p)
                for k in (2 * n, 5 * n, 10 * n, 20 * n):
                    lewis, uniform, times = [], [], []
                    for seed in range(args.seeds):
                        t0 = time.perf_counter()
                        x, rep = quarry.active_regression(a, p, lambda rows: b[rows], k,
                                                          method=args.method, seed=seed, ctx=ctx)
                        times.append(time.perf_counter() - t0)
                        assert rep["QUARRY_REPORT_QUERIES"] == k
                        lewis.append(lp_norm(b - a @ x, p) / best)
                        rows = np.sort(np.random.default_rng(1000 + seed).choice(m, k, False))
                        try:
                            xu, _ = quarry.lp_regression(a[rows], b[rows], p, ctx=ctx)
                            uniform.append(lp_norm(b - a @ xu, p) / best)
                        except quarry.QuarryError:
                            uniform.append(float("inf"))
                    print(f"| {name} | {p:g} | {k} ({k // n} n) | {statistics.median(lewis):.3f} "
                          f"({max(lewis):.3f}) | {statistics.median(uniform):.3g} "
                          f"({max(uniform):.3g}) | {statistics.median(times):.2f} |", flush=True)


if __name__ == "__main__":
    main()
