#!/usr/bin/python3
"""bench/sketch_sklearn: `quarry sketch --side right` beside scikit-learn's random
projections (and a CountSketch written with scipy.sparse) on the same data, passed through
files: a sparse CSR X (Matrix Market) and a dense X (.npy), samples x features.

Times are medians of 5 runs after one warm-up. quarry's are what `quarry sketch
--time-only --repeat 5` prints: creating the operator and applying it, each alone (not
reading the file); its apply writes into an output the program allocated beforehand,
while every sklearn transform allocates a fresh one, so the time to allocate and touch
such an array on this machine is printed too. sklearn's fit+transform is the median fit
plus the median transform (the two, measured apart, halve the run time). quarry's sparse
sign sketch gets as many non-zeros per feature as sklearn's default density gives its
matrix (n_components / sqrt(n_features)).

Usage: /usr/bin/python3 bench/sketch_sklearn.py <path to the quarry program> [--quick]
(--quick: a tenth of the samples). Needs Debian's python3-numpy, python3-scipy and
python3-sklearn; takes about 3 minutes on 2 cores.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
import scipy.io
import scipy.sparse as sp
import sklearn
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

REPEAT = 5


def median_seconds(fn):
    """Median of REPEAT timed calls of fn after one untimed warm-up."""
    fn()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def quarry_seconds(quarry, path, kind, rows, nnz=None):
    """(seconds to create, seconds to apply) of A S^T, as quarry measures them."""
    cmd = [quarry, "sketch", "--side", "right", "--kind", kind, "--rows", str(rows),
           "--repeat", str(REPEAT), "--time-only", path]
    if nnz is not None:
        cmd += ["--nnz", str(nnz)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    create = float(re.search(r"seconds_create=([0-9.]+)", out).group(1))
    apply = float(re.search(r"seconds_apply=([0-9.]+)", out).group(1))
    return create, apply


def count_sketch(rows, cols, rng):
    """A CountSketch S (rows x cols): one +-1 per column, at a uniform row."""
    return sp.csr_matrix((rng.choice([-1.0, 1.0], cols), (rng.integers(0, rows, cols),
                                                          np.arange(cols))), shape=(rows, cols))


def touch_seconds(shape):
    def allocate():
        np.empty(shape).fill(0.0)
    return median_seconds(allocate)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    quarry = sys.argv[1]
    quick = "--quick" in sys.argv
    sparse_shape = (20000 if quick else 200000, 10000)
    dense_shape = (2000 if quick else 20000, 5000)
    sparse_k, dense_k, per_row = 1000, 500, 20
    rng = np.random.default_rng(0)
    table = []

    def row(peer, shape, theirs, ours):
        table.append((peer, "%d x %d -> %d" % shape, theirs, ours, theirs / ours))

    with tempfile.TemporaryDirectory() as tmp:
        # (1) Sparse: per_row non-zeros per sample. random_state is a Generator, as with a
        # RandomState scipy 1.10 samples the positions with a permutation of all n d.
        n, d = sparse_shape
        x = sp.random(n, d, density=per_row / d, format="csr", random_state=rng)
        path = os.path.join(tmp, "x.mtx")
        scipy.io.mmwrite(path, x)
        nnz = round(sparse_k / d ** 0.5)
        srp = SparseRandomProjection(n_components=sparse_k, dense_output=True, random_state=0)
        fit = median_seconds(lambda: srp.fit(x))
        transform = median_seconds(lambda: srp.transform(x))
        create, apply = quarry_seconds(quarry, path, "sparse-sign", sparse_k, nnz)
        shape = (n, d, sparse_k)
        row("SparseRandomProjection fit+transform / sparse-sign create+apply (k=%d)" % nnz,
            shape, fit + transform, create + apply)
        row("SparseRandomProjection transform / sparse-sign apply (k=%d)" % nnz, shape,
            transform, apply)
        s = count_sketch(sparse_k, d, rng)
        theirs = median_seconds(lambda: (x @ s.T).toarray())
        row("scipy.sparse CountSketch X @ S.T / countsketch apply", shape, theirs,
            quarry_seconds(quarry, path, "countsketch", sparse_k)[1])
        sparse_touch = touch_seconds((n, sparse_k))
        del x

        # (2) Dense, N(0, 1) entries.
        n, d = dense_shape
        x = rng.standard_normal(dense_shape)
        path = os.path.join(tmp, "x.npy")
        np.save(path, x)
        shape = (n, d, dense_k)
        grp = GaussianRandomProjection(n_components=dense_k, random_state=0)
        fit = median_seconds(lambda: grp.fit(x))
        transform = median_seconds(lambda: grp.transform(x))
        create, apply = quarry_seconds(quarry, path, "gaussian", dense_k)
        row("GaussianRandomProjection fit+transform / gaussian create+apply", shape,
            fit + transform, create + apply)
        row("GaussianRandomProjection transform / gaussian apply", shape, transform, apply)
        for kind in ("srht", "sparse-sign"):
            row("GaussianRandomProjection transform / %s apply" % kind, shape, transform,
                quarry_seconds(quarry, path, kind, dense_k)[1])
        nnz = round(dense_k / d ** 0.5)
        srp = SparseRandomProjection(n_components=dense_k, dense_output=True, random_state=0)
        srp.fit(x)
        row("SparseRandomProjection transform / sparse-sign apply (k=%d)" % nnz, shape,
            median_seconds(lambda: srp.transform(x)),
            quarry_seconds(quarry, path, "sparse-sign", dense_k, nnz)[1])
        dense_touch = touch_seconds((n, dense_k))

    version = subprocess.run([quarry, "--version"], capture_output=True, text=True).stdout
    blas = "; ".join("%s %s (%s threads)" % (p.get("internal_api"), p.get("version"),
                                             p.get("num_threads"))
                     for p in threadpool_info())
    print("## quarry sketch --side right vs scikit-learn%s" % (" (--quick: a tenth of the samples)"
                                                              if quick else ""))
    print()
    print("%s, numpy %s, scipy %s, scikit-learn %s, BLAS %s; %d CPUs. Sparse X: %d nnz per "
          "sample. Medians of %d runs after a warm-up. Allocating and touching a fresh "
          "output (in every sklearn time, in no quarry apply time): %.3f s for %d x %d, "
          "%.3f s for %d x %d." % (version.strip(), np.__version__, scipy.__version__,
                                   sklearn.__version__, blas or "unknown", os.cpu_count(),
                                   per_row, REPEAT, sparse_touch, sparse_shape[0], sparse_k,
                                   dense_touch, dense_shape[0], dense_k))
    print()
    print("| peer / quarry | n x d -> k | peer s | quarry s | peer/quarry |")
    print("|---|---|---:|---:|---:|")
    for peer, shape, theirs, ours, ratio in table:
        print("| %s | %s | %.3f | %.3f | %.1f |" % (peer, shape, theirs, ours, ratio))


def threadpool_info():
    try:
        from threadpoolctl import threadpool_info as info
    except ImportError:
        return []
    return info()


if __name__ == "__main__":
    main()
