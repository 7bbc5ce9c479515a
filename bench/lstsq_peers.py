#!/usr/bin/python3
"""bench/lstsq_peers: quarry's least squares (through its C ABI, loaded with ctypes) beside
the Python peers a user would reach for, in the same process on the same arrays (issue 5;
docs/references/randnla.md §8.3 P2, P5, P6, P12):

  numpy.linalg.lstsq (LAPACK gelsd,      vs quarry_lstsq_f64, auto: D3 1e5 x 1e3 and D6
  rcond=None)                               2e5 x 200, kappa 1e1 and 1e12
  scipy.sparse.linalg.lsqr (atol = btol  vs quarry_lstsq_csr_f64, auto: S1 1e6 x 1e3, 10
  = 1e-10, iter_lim = 10 n)                 non-zeros a row, columns scaled to kappa 1 and 1e8
  sklearn Ridge (fit_intercept=False;    vs one quarry_ridge_path_f64 call for all 10
  solver 'auto' and 'cholesky'), 10         lambdas, auto: D3 with kappa 1e6
  alphas log-spaced 1e-3 .. 1e3

Dense A = G diag(sigma) V^T (G Gaussian, sigma log-spaced from 1 to 1/kappa, V Haar),
Fortran order, so quarry reads it in place as column-major; CSR A has exactly 10 entries a
row at uniform columns (duplicates kept: both solvers add them up), column j scaled by
kappa^(j / (n - 1)). b = A x_true + e with ||e|| = 1e-3 ||A x_true||. numpy's generator
(seeds printed) makes the data, so the problems are of bench_lstsq's kind but not its
numbers. numpy's default rcond drops singular values below eps max(m, n) sigma_max, so at
kappa 1e12 lstsq returns a truncated solution whose residual exceeds the least-squares
optimum (the "‖r_quarry‖/‖r_lstsq‖ − 1" column then goes negative): that is the answer
numpy's users get, and it is shown as such.

Times are medians of 5 runs after one warm-up, except where the warm-up alone took over
30 s (lsqr at kappa 1e8 runs to its iteration limit): then that one run is the time.
Residuals b - A x are computed in twice the working precision (Dot2, Ogita, Rump and
Oishi 2005): in double their rounding error, about eps ||A|| ||x||, would exceed 1e-8 ||r||
at kappa 1e12. OPENBLAS_NUM_THREADS defaults to 2 (numpy, scipy and quarry share
OpenBLAS); quarry uses its context's threads (all cores unless QUARRY_NUM_THREADS says
otherwise).

Usage: /usr/bin/python3 bench/lstsq_peers.py <path to libquarry.so.0> [--quick] [--only
dense|sparse|ridge]...   (--quick: every m and n divided by 10, a smoke run). Needs
Debian's python3-numpy, python3-scipy and python3-sklearn; the full run takes about a
quarter of an hour on 2 cores.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import ctypes  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402

# From include/c_api/quarry/{types,options,report,status}.h.
QUARRY_OK = 0
QUARRY_ERR_NO_CONVERGENCE = 200
QUARRY_COL_MAJOR = 102
QUARRY_OPT_SEED = 1
QUARRY_OPT_LSTSQ_METHOD = 200
QUARRY_OPT_RIDGE = 201
QUARRY_LSTSQ_AUTO = 0
QUARRY_REPORT_METHOD = 1
QUARRY_REPORT_ITERATIONS = 2
QUARRY_REPORT_SKETCH_ROWS = 3
METHOD_NAMES = {1: "direct", 2: "sketch_solve", 3: "sketch_precondition", 4: "gram_precondition"}

REPEAT = 5
LONG_RUN_S = 30.0
SOLVER_SEED = 1

c_p = ctypes.c_void_p
c_i32 = ctypes.c_int32
c_i64 = ctypes.c_int64


class Quarry:
    """The few entry points of libquarry this benchmark calls, typed for ctypes."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        sig = {
            "quarry_context_create": (c_i32, [ctypes.POINTER(c_p)]),
            "quarry_context_destroy": (None, [c_p]),
            "quarry_context_get_threads": (c_i32, [c_p, ctypes.POINTER(c_i64)]),
            "quarry_context_last_error": (ctypes.c_char_p, [c_p]),
            "quarry_status_string": (ctypes.c_char_p, [c_i32]),
            "quarry_version_string": (ctypes.c_char_p, []),
            "quarry_blas_info": (ctypes.c_char_p, []),
            "quarry_options_create": (c_i32, [ctypes.POINTER(c_p)]),
            "quarry_options_destroy": (None, [c_p]),
            "quarry_options_set_i64": (c_i32, [c_p, c_i32, c_i64]),
            "quarry_options_set_f64": (c_i32, [c_p, c_i32, ctypes.c_double]),
            "quarry_report_destroy": (None, [c_p]),
            "quarry_report_get_i64": (c_i32, [c_p, c_i32, ctypes.POINTER(c_i64)]),
            "quarry_lstsq_f64": (c_i32, [c_p, c_i32, c_i64, c_i64, c_i64, c_p, c_i64, c_p, c_i64,
                                         c_p, c_i64, c_p, ctypes.POINTER(c_p)]),
            "quarry_lstsq_csr_f64": (c_i32, [c_p, c_i64, c_i64, c_i64, c_p, c_p, c_p, c_i32, c_p,
                                             c_i64, c_p, c_i64, c_p, ctypes.POINTER(c_p)]),
            "quarry_ridge_path_f64": (c_i32, [c_p, c_i32, c_i64, c_i64, c_p, c_i64, c_p, c_i64,
                                              c_p, c_p, c_i64, c_p, ctypes.POINTER(c_p)]),
        }
        for name, (restype, argtypes) in sig.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        self.lib = lib
        self.ctx = c_p()
        self.check(lib.quarry_context_create(ctypes.byref(self.ctx)), "quarry_context_create")

    def check(self, status, what):
        if status != QUARRY_OK:
            sys.exit("%s failed: %s: %s" % (
                what, self.lib.quarry_status_string(status).decode(),
                (self.lib.quarry_context_last_error(self.ctx) or b"").decode()))

    def threads(self):
        t = c_i64()
        self.check(self.lib.quarry_context_get_threads(self.ctx, ctypes.byref(t)), "threads")
        return t.value

    def options(self, ridge=0.0):
        o = c_p()
        self.check(self.lib.quarry_options_create(ctypes.byref(o)), "options")
        self.check(self.lib.quarry_options_set_i64(o, QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_AUTO),
                   "method")
        self.check(self.lib.quarry_options_set_i64(o, QUARRY_OPT_SEED, SOLVER_SEED), "seed")
        if ridge > 0:
            self.check(self.lib.quarry_options_set_f64(o, QUARRY_OPT_RIDGE, ridge), "ridge")
        return o

    def _finish(self, status, report, what):
        """(method text, iterations) from the report; a failure other than no convergence
        ends the program, since every later figure would be meaningless."""
        if status not in (QUARRY_OK, QUARRY_ERR_NO_CONVERGENCE):
            self.check(status, what)
        method, iterations, rows = c_i64(), c_i64(), c_i64()
        self.lib.quarry_report_get_i64(report, QUARRY_REPORT_METHOD, ctypes.byref(method))
        self.lib.quarry_report_get_i64(report, QUARRY_REPORT_ITERATIONS, ctypes.byref(iterations))
        self.lib.quarry_report_get_i64(report, QUARRY_REPORT_SKETCH_ROWS, ctypes.byref(rows))
        self.lib.quarry_report_destroy(report)
        text = METHOD_NAMES.get(method.value, "?")
        if rows.value > 0:
            text += " (%d rows)" % rows.value
        if status == QUARRY_ERR_NO_CONVERGENCE:
            text += " (no convergence)"
        return text, iterations.value

    def lstsq(self, a, b, opts):
        """x for Fortran-ordered a (m x n) and b (m); returns (x, method, iterations)."""
        m, n = a.shape
        assert a.flags.f_contiguous and a.dtype == np.float64
        x = np.zeros(n)
        report = c_p()
        status = self.lib.quarry_lstsq_f64(self.ctx, QUARRY_COL_MAJOR, m, n, 1, a.ctypes.data, m,
                                           b.ctypes.data, m, x.ctypes.data, n, opts,
                                           ctypes.byref(report))
        return (x,) + self._finish(status, report, "quarry_lstsq_f64")

    def ridge_path(self, a, b, lambdas, opts):
        """X (n x len(lambdas)), column j for lambdas[j]; returns (X, method, iterations)."""
        m, n = a.shape
        assert a.flags.f_contiguous and a.dtype == np.float64
        lam = np.ascontiguousarray(lambdas, dtype=np.float64)
        x = np.zeros((n, len(lam)), order="F")
        report = c_p()
        status = self.lib.quarry_ridge_path_f64(self.ctx, QUARRY_COL_MAJOR, m, n, a.ctypes.data,
                                                m, b.ctypes.data, len(lam), lam.ctypes.data,
                                                x.ctypes.data, n, opts, ctypes.byref(report))
        return (x,) + self._finish(status, report, "quarry_ridge_path_f64")

    def lstsq_csr(self, row_ptr, col_idx, val, m, n, b, opts):
        x = np.zeros(n)
        report = c_p()
        status = self.lib.quarry_lstsq_csr_f64(self.ctx, m, n, 1, row_ptr.ctypes.data,
                                               col_idx.ctypes.data, val.ctypes.data,
                                               QUARRY_COL_MAJOR, b.ctypes.data, m, x.ctypes.data,
                                               n, opts, ctypes.byref(report))
        return (x,) + self._finish(status, report, "quarry_lstsq_csr_f64")


def emit(line):
    print(line, flush=True)


def median_seconds(fn):
    """(median of REPEAT timed calls of fn after one warm-up, the last result); a warm-up
    longer than LONG_RUN_S is itself the time (repeating it would add nothing but hours)."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    if first > LONG_RUN_S:
        return first, result
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def split(a):
    """Veltkamp's split of a into a high and a low half, each with at most 26 bits."""
    c = 134217729.0 * a
    hi = c - (c - a)
    return hi, a - hi


def dot2_residual(b, terms):
    """b - sum of the products a * y over terms (pairs of arrays of b's shape, or a scalar
    y), in twice the working precision: Dot2 of Ogita, Rump and Oishi ("Accurate sum and
    dot product", SISC 26(6), 2005), with Dekker's TwoProduct since numpy has no fma."""
    s = b.copy()
    c = np.zeros_like(b)
    for a, y in terms:
        y = -y
        p = a * y
        ah, al = split(a)
        yh, yl = split(y)
        ep = ((ah * yh - p) + ah * yl + al * yh) + al * yl
        t = s + p
        z = t - s
        c += ((s - (t - z)) + (p - z)) + ep
        s = t
    return s + c


def dense_residual(a, b, x):
    return dot2_residual(b, ((a[:, j], x[j]) for j in range(a.shape[1])))


def noisy(rng, y):
    e = rng.standard_normal(y.shape[0])
    return y + (1e-3 * np.linalg.norm(y) / np.linalg.norm(e)) * e


def make_dense(m, n, kappa, seed):
    """(A in Fortran order, b). A^T = V (diag(sigma) G^T) is computed as a C-ordered n x m
    product, whose transpose is A in Fortran order without another copy."""
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    v = q * np.sign(np.diag(r))  # Haar (Mezzadri 2007)
    gt = rng.standard_normal((n, m))
    gt *= (kappa ** (-np.arange(n) / max(n - 1, 1)))[:, None]
    a = (v @ gt).T
    del gt
    b = noisy(rng, a @ rng.standard_normal(n))
    return a, b


def dense_section(quarry, quick):
    d = 10 if quick else 1
    for name, m, n, seed in (("D3", 100000, 1000, 20), ("D6", 200000, 200, 40)):
        m, n = m // d, n // d
        for kappa in (1e1, 1e12):
            a, b = make_dense(m, n, kappa, seed)
            t_np, (x_np, *_) = median_seconds(lambda a=a, b=b: np.linalg.lstsq(a, b, rcond=None))
            opts = quarry.options()
            t_q, (x_q, method, its) = median_seconds(lambda a=a, b=b: quarry.lstsq(a, b, opts))
            quarry.lib.quarry_options_destroy(opts)
            r_np = np.linalg.norm(dense_residual(a, b, x_np))
            r_q = np.linalg.norm(dense_residual(a, b, x_q))
            emit("| %s %d x %d | %.0e | %.3f | %.3f | %.2f | %.3e | %.1e | %.1e | %s, "
                        "%d iterations |" % (
                            name, m, n, kappa, t_np, t_q, t_np / t_q, r_np / np.linalg.norm(b),
                            r_q / r_np - 1, np.linalg.norm(x_q - x_np) / np.linalg.norm(x_np),
                            method, its))
            del a, b


def sparse_section(quarry, quick):
    d = 10 if quick else 1
    m, n, per_row, seed = 1000000 // d, 1000 // d, 10, 60
    for kappa in (1.0, 1e8):
        rng = np.random.default_rng(seed)
        cols = rng.integers(0, n, (m, per_row))
        vals = rng.standard_normal((m, per_row)) * (kappa ** (cols / (n - 1)))
        row_ptr = np.arange(0, m * per_row + 1, per_row, dtype=np.int64)
        col_idx = np.ascontiguousarray(cols.ravel(), dtype=np.int64)
        val = np.ascontiguousarray(vals.ravel())
        a = sp.csr_matrix((val, col_idx, row_ptr), shape=(m, n))

        def residual(x):
            return dot2_residual(b, ((vals[:, k], x[cols[:, k]]) for k in range(per_row)))

        b = noisy(rng, a @ rng.standard_normal(n))
        t_l, out = median_seconds(lambda: spla.lsqr(a, b, atol=1e-10, btol=1e-10,
                                                    iter_lim=10 * n))
        x_l, istop, itn = out[0], out[1], out[2]
        opts = quarry.options()
        t_q, (x_q, method, its) = median_seconds(
            lambda: quarry.lstsq_csr(row_ptr, col_idx, val, m, n, b, opts))
        quarry.lib.quarry_options_destroy(opts)
        a_fro = np.linalg.norm(val)  # duplicates counted apart: within a few per cent
        cells = []
        for x in (x_l, x_q):
            r = residual(x)
            rn = np.linalg.norm(r)
            cells.append((rn / np.linalg.norm(b), np.linalg.norm(a.T @ r) / (a_fro * rn)))
        status = "converged" if istop in (1, 2) else "not converged"
        emit("| %d x %d, %d nnz | %.0e | %.3f | %s (istop %d, %d iterations) | %.3f | "
                    "%.1f | %.6e / %.6e | %.1e / %.1e | %s, %d iterations |" % (
                        m, n, m * per_row, kappa, t_l, status, istop, itn, t_q, t_l / t_q,
                        cells[0][0], cells[1][0], cells[0][1], cells[1][1], method, its))


def ridge_section(quarry, quick):
    d = 10 if quick else 1
    m, n = 100000 // d, 1000 // d
    a, b = make_dense(m, n, 1e6, 50)
    lambdas = np.logspace(-3, 3, 10)

    def sklearn_path(solver):
        return [Ridge(alpha=lam, fit_intercept=False, solver=solver).fit(a, b).coef_.copy()
                for lam in lambdas]

    opts = quarry.options()

    def quarry_path():
        return quarry.ridge_path(a, b, lambdas, opts)

    def objective(x, lam):
        return np.linalg.norm(dense_residual(a, b, x)) ** 2 + lam * np.dot(x, x)

    t_q, (x_q, method, iterations) = median_seconds(quarry_path)
    quarry.lib.quarry_options_destroy(opts)
    f_q = [objective(x_q[:, j], lam) for j, lam in enumerate(lambdas)]
    methods = [method]
    its = [iterations]
    for solver in ("auto", "cholesky"):
        t_s, xs = median_seconds(lambda: sklearn_path(solver))
        f_s = [objective(x, lam) for x, lam in zip(xs, lambdas)]
        diff = [(fq - fs) / fs for fq, fs in zip(f_q, f_s)]
        emit("| D3 %d x %d, κ = 1e6 | Ridge(solver='%s') | %.3f | %.3f | %.2f | %.1e .. "
                    "%.1e | %s, %d iterations |" % (
                        m, n, solver, t_s, t_q, t_s / t_q, min(diff), max(diff),
                        " / ".join(methods), sum(its)))


def threadpool_text():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    return "; ".join("%s %s (%s threads)" % (p.get("internal_api"), p.get("version"),
                                             p.get("num_threads")) for p in threadpool_info())


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("--"):
        sys.exit(__doc__)
    quarry = Quarry(args[0])
    quick = "--quick" in args
    only = [args[i + 1] for i, v in enumerate(args[:-1]) if v == "--only"]
    wanted = [s for s in ("dense", "sparse", "ridge") if not only or s in only]

    print("## quarry least squares vs numpy, scipy and scikit-learn%s" % (
        " (--quick: every m and n divided by 10)" if quick else ""))
    print()
    print("quarry %s, %d threads; %s. numpy %s, scipy %s, scikit-learn %s; BLAS in this "
          "process: %s; %d CPUs. Data seeds (numpy default_rng): D3 20, D6 40, ridge 50, "
          "S1 60; QUARRY_OPT_SEED = %d. Times in seconds: medians of %d runs after a warm-up "
          "(a single run where it took over %.0f s)." % (
              quarry.lib.quarry_version_string().decode(), quarry.threads(),
              quarry.lib.quarry_blas_info().decode(), np.__version__, scipy.__version__,
              sklearn.__version__, threadpool_text(), os.cpu_count(), SOLVER_SEED, REPEAT,
              LONG_RUN_S))
    if "dense" in wanted:
        print()
        print("Dense least squares, ‖r*‖/‖b‖ ≈ 1e-3:")
        print()
        print("| A | κ | numpy lstsq s | quarry auto s | lstsq/quarry | ‖r‖/‖b‖ (lstsq) | "
              "‖r_quarry‖/‖r_lstsq‖ − 1 | ‖x_quarry − x_lstsq‖/‖x_lstsq‖ | quarry |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---|")
        dense_section(quarry, quick)
    if "sparse" in wanted:
        print()
        print("Sparse least squares S1 (CSR, 10 non-zeros a row, columns scaled to κ), "
              "‖r*‖/‖b‖ ≈ 1e-3; lsqr with atol = btol = 1e-10 and iter_lim = 10 n:")
        print()
        print("| A | κ | lsqr s | lsqr | quarry auto s | lsqr/quarry | ‖r‖/‖b‖ lsqr / quarry | "
              "‖Aᵀr‖/(‖A‖_F ‖r‖) lsqr / quarry | quarry |")
        print("|---|---|---:|---|---:|---:|---:|---:|---|")
        sparse_section(quarry, quick)
    if "ridge" in wanted:
        print()
        print("Ridge path, 10 λ log-spaced from 1e-3 to 1e3 (sklearn: 10 fits, "
              "fit_intercept=False; quarry: one quarry_ridge_path_f64 call, auto), "
              "f(x) = ‖Ax − b‖² + λ‖x‖²:")
        print()
        print("| A | peer | peer s | quarry s | peer/quarry | (f_quarry − f_peer)/f_peer, "
              "min .. max over λ | quarry |")
        print("|---|---|---:|---:|---:|---|---|")
        ridge_section(quarry, quick)
    quarry.lib.quarry_context_destroy(quarry.ctx)


if __name__ == "__main__":
    main()
