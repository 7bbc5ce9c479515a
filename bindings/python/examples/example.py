"""quarry from Python: copy a hidden ReLU network from its answers, then solve a tall
least-squares problem, each beside its reference.

    QUARRY_LIBRARY=build/release/src/libquarry.so.0 PYTHONPATH=bindings/python \\
        /usr/bin/python3 bindings/python/examples/example.py
"""

import numpy as np

import quarry

rng = np.random.default_rng(2026)

# A hidden 20-16-3 network behind a black box that answers batches of queries.
d, k, c = 20, 16, 3
hidden = quarry.ReluNet(rng.standard_normal((k, d)) / np.sqrt(d), rng.standard_normal(k),
                        rng.standard_normal((c, k)) / np.sqrt(k))
copy, report = quarry.extract_relu1(lambda x: hidden(x), d, c, seed=1)
z = rng.standard_normal((10000, d))
error = np.linalg.norm(copy(z) - hidden(z)) / np.linalg.norm(hidden(z))
print(f"extraction: {report['QUARRY_REPORT_QUERIES']} queries, relative error {error:.1e}")

# A 100000 x 100 least-squares problem, beside numpy's lstsq.
a = rng.standard_normal((100000, 100)) * np.logspace(0, -6, 100)
b = a @ rng.standard_normal(100) + 1e-3 * rng.standard_normal(100000)
x, report = quarry.lstsq(a, b)
ref = np.linalg.lstsq(a, b, rcond=None)[0]
ratio = np.linalg.norm(a @ x - b) / np.linalg.norm(a @ ref - b)
print(f"least squares: {report['QUARRY_REPORT_ITERATIONS']} iterations, "
      f"residual / numpy's = {ratio:.15f}")
assert error < 1e-8 and ratio <= 1 + 1e-12
