#!/usr/bin/python3
"""bench/extract_surrogate: quarry's extraction beside the baseline an attacker would use
instead, a surrogate network trained by SGD (scikit-learn MLPRegressor, Adam) on the
black box's answers to random Gaussian queries.

For each target network, quarry extracts it first (`quarry extract --target`, float64
black box); the surrogates then get the same number of queries, 10 times and 100 times
as many, at the target's width and at 4 times its width. Every model is measured the same
way: relative RMS error on 1e5 fresh N(0, I) inputs.

Usage: bench/extract_surrogate.py <path to the quarry program> [--quick]
Needs Debian's python3-numpy and python3-sklearn.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor


def gaussian_net(d, k, rng):
    """The benchmark's generic network: N(0, 1) weights, W / sqrt(d), A / sqrt(k)."""
    return {"format": "quarry-relu-net", "version": 1, "d": d, "k": k, "c": 1,
            "w": (rng.standard_normal((k, d)) / np.sqrt(d)).tolist(),
            "b": rng.standard_normal(k).tolist(),
            "a": (rng.standard_normal((1, k)) / np.sqrt(k)).tolist(),
            "skip": None, "c0": [0.0]}


def evaluate(net, x):
    w, b, a = np.array(net["w"]), np.array(net["b"]), np.array(net["a"])
    return np.maximum(x @ w.T + b, 0) @ a.T[:, 0] + net["c0"][0]


def relative_rms(truth, guess):
    return float(np.sqrt(np.mean((truth - guess) ** 2) / np.mean(truth ** 2)))


def run_quarry(quarry, path):
    out = subprocess.run([quarry, "extract", "--target", path, "--seed", "1"],
                         capture_output=True, text=True, check=True).stdout
    queries = int(re.search(r"with (\d+) queries", out).group(1))
    error = float(re.search(r"relative RMS error ([0-9.e+-]+), max abs", out).group(1))
    return queries, error


def surrogate(net, queries, width, rng, x_test, y_test):
    x = rng.standard_normal((queries, net["d"]))
    y = evaluate(net, x)
    model = MLPRegressor(hidden_layer_sizes=(width,), activation="relu", solver="adam",
                         learning_rate_init=1e-3, max_iter=300, tol=1e-10,
                         n_iter_no_change=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return relative_rms(y_test, model.predict(x_test))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    quarry = sys.argv[1]
    quick = "--quick" in sys.argv
    sizes = [(10, 20)] if quick else [(10, 20), (32, 128)]
    multiples = [1, 10] if quick else [1, 10, 100]
    rng = np.random.default_rng(2026)
    print(f"{'d-k':8} {'P':>6} {'method':24} {'queries':>9} {'q/P':>7} {'rel. RMS':>9} {'seconds':>8}")
    for d, k in sizes:
        net = gaussian_net(d, k, rng)
        p = k * (d + 2) + d + 1
        x_test = rng.standard_normal((100000, d))
        y_test = evaluate(net, x_test)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "target.json")
            with open(path, "w") as f:
                json.dump(net, f)
            start = time.time()
            queries, error = run_quarry(quarry, path)
            print(f"{d}-{k:<5} {p:6} {'quarry extract':24} {queries:9} {queries / p:7.2f} "
                  f"{error:9.1e} {time.time() - start:8.2f}", flush=True)
        for multiple in multiples:
            for factor in (1, 4):
                start = time.time()
                n = multiple * queries
                e = surrogate(net, n, factor * k, rng, x_test, y_test)
                name = f"MLP width {factor}k, {multiple}x"
                print(f"{d}-{k:<5} {p:6} {name:24} {n:9} {n / p:7.2f} {e:9.1e} "
                      f"{time.time() - start:8.2f}", flush=True)


if __name__ == "__main__":
    main()
