#!/usr/bin/python3
"""bench/kronecker_peers: quarry's Kronecker ridge regression (exact and sampled,
quarry_kronecker_regression_f64 through the Python binding) against the exact
"KronSVD + KronMatMul" solver of Fahrbach, Fu and Ghadiri (NeurIPS 2022, their
algorithm 3) written in NumPy in this script, on the authors' synthetic suite, issue 7.

The suite (their kronecker_regression_main.py): N = 2 factors, each I x R with entries
N(1, 0.001^2) (nearly rank one, so K is ill-conditioned), b = 1, lambda = 1e-3; K has I^2
rows and R^2 columns. The loss is theirs, ||K x - b||^2 + lambda ||x||^2, evaluated for
every solution the same way (quarry_kronecker_multiply_f64 for K x). The NumPy peer is
their algorithm with thin SVDs (their code asks NumPy for full I x I matrices U, which
alone takes minutes at I = 16384) and U^T b in place of K^T b (the same flops): the
strongest form of their exact baseline. Their published times (Python process_time, CPU
seconds, unknown machine) are printed beside it. The sampled solver's time includes its
draws, the reads of b and the iterations; b is built before any timing.

    OPENBLAS_NUM_THREADS=2 QUARRY_LIBRARY=build/release/src/libquarry.so.0 \\
        PYTHONPATH=bindings/python /usr/bin/python3 bench/kronecker_peers.py [--sizes ...]
"""

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import quarry  # noqa: E402

# The authors' logged exact (alg3) and FastKronecker (alg5) times and losses, from their
# repository's output/ (commit 7f0a217), by (I, R): docs/references/seed-papers.md.
PUBLISHED = {
    (1024, 64): (0.09, 0.0307, 29.6, 0.0323),
    (4096, 64): (3.64, 0.507, 29.7, 0.520),
    (16384, 64): (67.0, 8.24, 29.9, 8.61),
    (16384, 32): (29.7, 16.87, 1.86, 17.46),
    (16384, 16): (15.0, 33.36, 0.19, 34.48),
}


def numpy_exact(factors, b, lam):
    """Their algorithm 3 for N = 2 with thin SVDs: x = (V1 kron V2) D (U1 kron U2)^T b."""
    (u1, s1, v1t), (u2, s2, v2t) = (np.linalg.svd(f, full_matrices=False) for f in factors)
    c = u1.T @ b.reshape(u1.shape[0], u2.shape[0]) @ u2
    sig = np.outer(s1, s2)
    y = sig / (sig * sig + lam) * c
    return (v1t.T @ y @ v2t).reshape(-1)


def loss(factors, b, x, lam):
    r = quarry.kronecker_multiply(factors, x).reshape(-1) - b
    return float(r @ r + lam * (x.reshape(-1) @ x.reshape(-1)))


def timed(f, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1024x64,4096x64,16384x16,16384x32,16384x64",
                    help="comma-separated IxR (default: the authors' suite)")
    ap.add_argument("--lam", type=float, default=1e-3)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many calls")
    ap.add_argument("--seeds", type=int, default=3, help="sampled solver: seeds (median)")
    args = ap.parse_args()
    print(f"Kronecker regression, N = 2, entries N(1, 1e-6), b = 1, lambda = {args.lam}; "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; best of "
          f"{args.repeat} (seconds, wall)")
    print(f"{'I':>6} {'R':>3} | {'numpy exact':>11} {'quarry exact':>12} {'speed-up':>8} | "
          f"{'published exact':>15} {'/ quarry':>8} | {'quarry sampled':>14} {'draws':>6} "
          f"{'its':>3} {'loss ratio':>10} | {'published sampled':>17} {'loss ratio':>10} | "
          f"{'loss (exact)':>12}")
    for size in args.sizes.split(","):
        i, r = (int(v) for v in size.split("x"))
        rng = np.random.RandomState(0)
        factors = [rng.normal(1.0, 0.001, size=(i, r)) for _ in range(2)]
        b = np.ones(i * i)
        t_np, x_np = timed(lambda: numpy_exact(factors, b, args.lam), args.repeat)
        t_q, (x_q, rep) = timed(
            lambda: quarry.kronecker_regression(factors, b, ridge=args.lam), args.repeat)
        opt = loss(factors, b, x_q, args.lam)
        l_np = loss(factors, b, x_np, args.lam)
        assert abs(l_np - opt) <= 1e-8 * opt, (l_np, opt)
        # The reported objective comes from ||b||^2 - ||U^T b||^2: exact to about eps ||b||^2.
        assert abs(rep["QUARRY_REPORT_OBJECTIVE"] - opt) <= 1e-13 * (b @ b), (rep, opt)
        sampled = []
        for seed in range(args.seeds):
            t_s, (x_s, rep_s) = timed(
                lambda: quarry.kronecker_regression(factors, b, ridge=args.lam,
                                                    method="sampled", seed=seed), args.repeat)
            sampled.append((t_s, loss(factors, b, x_s, args.lam) / opt, rep_s))
        sampled.sort(key=lambda s: s[1])
        t_s, ratio, rep_s = sampled[len(sampled) // 2]
        t_s = sorted(s[0] for s in sampled)[len(sampled) // 2]
        pub = PUBLISHED.get((i, r))
        pub_exact = f"{pub[0]:>15.2f} {pub[0] / t_q:>7.0f}x" if pub else f"{'':>15} {'':>8}"
        pub_samp = (f"{pub[2]:>17.2f} {pub[3] / pub[1]:>10.3f}" if pub else
                    f"{'':>17} {'':>10}")
        print(f"{i:>6} {r:>3} | {t_np:>11.4f} {t_q:>12.4f} {t_np / t_q:>7.1f}x | {pub_exact} | "
              f"{t_s:>14.4f} {rep_s['QUARRY_REPORT_SKETCH_ROWS']:>6} "
              f"{rep_s['QUARRY_REPORT_ITERATIONS']:>3} {ratio:>10.4f} | {pub_samp} | "
              f"{opt:>12.5g}", flush=True)


if __name__ == "__main__":
    main()
