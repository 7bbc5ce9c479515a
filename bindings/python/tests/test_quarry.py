"""pytest suite of the Python binding, against NumPy and SciPy as references."""

import numpy as np
import pytest

import quarry


def problem(m, n, seed, kappa=1e3):
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((m, n)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (u * np.logspace(0, -np.log10(kappa), n)) @ v.T
    b = a @ rng.standard_normal(n) + 1e-3 * rng.standard_normal(m)
    return a, b


def test_loads_the_library_with_a_matching_abi():
    assert quarry.version().count(".") == 2
    assert quarry.ABI_VERSION == 0


@pytest.mark.parametrize("method", sorted(quarry.METHODS))
def test_lstsq_matches_numpy_for_every_method(method):
    a, b = problem(3000, 40, 1)
    ref = np.linalg.lstsq(a, b, rcond=None)[0]
    x, report = quarry.lstsq(a, b, method=method)
    r, r_ref = np.linalg.norm(a @ x - b), np.linalg.norm(a @ ref - b)
    if method == "sketch_solve":
        assert r <= 1.2 * r_ref
        assert report["QUARRY_REPORT_RESIDUAL_BOUND"] >= r / r_ref * (1 - 1e-12)
    else:
        assert r <= r_ref * (1 + 1e-12)
        assert np.linalg.norm(x - ref) <= 1e-9 * np.linalg.norm(ref)
    assert report["QUARRY_REPORT_METHOD"] in quarry.METHODS.values()
    assert report["QUARRY_REPORT_SECONDS"] >= 0


def test_layouts_strides_and_several_right_hand_sides_agree_without_copies():
    a, b = problem(2000, 30, 2)
    b3 = np.stack([b, 2 * b, -b], axis=1)
    ref = np.linalg.lstsq(a, b3, rcond=None)[0]
    padded = np.zeros((2000, 37))
    padded[:, :30] = a
    for view in (a, np.asfortranarray(a), padded[:, :30], a[::2]):
        bb = b3[: view.shape[0]]
        want = ref if view.shape[0] == 2000 else np.linalg.lstsq(view, bb, rcond=None)[0]
        x, _ = quarry.lstsq(view, bb)
        assert x.shape == (30, 3)
        assert np.allclose(x, want, rtol=1e-9, atol=1e-12)
    x1, _ = quarry.lstsq(a, b)
    assert x1.shape == (30,)
    assert np.allclose(x1, ref[:, 0], rtol=1e-9)
    # Unit-stride views go to C as they are; anything else is copied once.
    for view in (a, np.asfortranarray(a), padded[:, :30]):
        assert np.shares_memory(quarry._dense(view, "a")[0], view)
    for view in (a[::-1], a[:, ::2], a.astype(np.float32)):
        assert not np.shares_memory(quarry._dense(view, "a")[0], view)
        want = np.linalg.lstsq(view.astype(np.float64), b, rcond=None)[0]
        assert np.allclose(quarry.lstsq(view, b)[0], want, rtol=1e-6, atol=1e-9)


def test_ridge_and_the_ridge_path_match_the_regularized_normal_equations():
    a, b = problem(2000, 25, 3)
    lambdas = [1e-3, 1.0, 100.0]
    path, report = quarry.ridge_path(a, b, lambdas)
    for j, lam in enumerate(lambdas):
        ref = np.linalg.solve(a.T @ a + lam * np.eye(25), a.T @ b)
        x, _ = quarry.lstsq(a, b, ridge=lam)
        assert np.allclose(x, ref, rtol=1e-8)
        assert np.allclose(path[:, j], ref, rtol=1e-8)
    assert "QUARRY_REPORT_RESIDUAL_NORM" in report


def test_sparse_input_tall_and_wide_matches_scipy_and_numpy():
    sp = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(4)
    a = sp.random(4000, 60, density=0.05, random_state=5, format="coo") + sp.eye(4000, 60)
    b = rng.standard_normal(4000)
    ref = np.linalg.lstsq(a.toarray(), b, rcond=None)[0]
    csr = a.tocsr()
    # Row 0 gains two entries at column 0 that cancel: a duplicate-carrying CSR of a.
    csr_dup = sp.csr_matrix((np.r_[1.0, -1.0, csr.data],
                             np.r_[0, 0, csr.indices].astype(np.int32),
                             np.r_[0, csr.indptr[1:] + 2]), shape=csr.shape)
    nnz = csr_dup.nnz
    x, report = quarry.lstsq(csr_dup, b)  # duplicates add up; the caller's matrix is untouched
    assert csr_dup.nnz == nnz
    assert np.allclose(x, ref, rtol=1e-9, atol=1e-12)
    assert report["QUARRY_REPORT_METHOD"] == quarry.METHODS["sketch_precondition"]
    wide = a.T.tocsr()[:, :2000]  # 60 x 2000: the minimum-norm solution
    bw = rng.standard_normal(60)
    xw, _ = quarry.lstsq(wide, bw)
    assert np.allclose(xw, np.linalg.lstsq(wide.toarray(), bw, rcond=None)[0], rtol=1e-9,
                       atol=1e-12)


def test_errors_carry_the_status_and_the_message():
    a, b = problem(500, 10, 6)
    bad = a.copy()
    bad[7, 3] = np.nan
    with pytest.raises(quarry.QuarryError) as e:
        quarry.lstsq(bad, b)
    assert e.value.status_name == "QUARRY_ERR_NONFINITE"
    assert "A[7, 3]" in str(e.value)
    with pytest.raises(quarry.QuarryError) as e:
        quarry.lstsq(a, b, ridge=-1.0)
    assert e.value.status_name == "QUARRY_ERR_INVALID_ARGUMENT"
    with pytest.raises(ValueError):
        quarry.lstsq(a, b, method="qr")
    with pytest.raises(TypeError):
        quarry.lstsq(a, b, max_iter=1.5)  # an integer option never takes a float
    with pytest.raises(ValueError):
        quarry.lstsq(a, b, seed=2**64)
    with pytest.raises(ValueError):
        quarry.ridge_path(a, b, [[1.0, 2.0]])
    with pytest.raises(ValueError):
        quarry.lstsq(a, b[:-1])
    with pytest.raises(quarry.NoConvergence) as e:
        quarry.lstsq(problem(500, 10, 7, kappa=1e8)[0], b, method="sketch_precondition",
                     max_iter=1, sketch_rows=12)
    assert e.value.x.shape == (10,)
    assert e.value.report["QUARRY_REPORT_ITERATIONS"] >= 1
    # Errors survive pickling (multiprocessing hands them between processes).
    import pickle
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is quarry.NoConvergence and again.status == e.value.status
    assert str(again) == str(e.value) and np.array_equal(again.x, e.value.x)


def test_a_context_sets_threads_and_results_do_not_depend_on_them():
    a, b = problem(20000, 20, 8)
    with quarry.Context(threads=1) as one, quarry.Context(threads=2) as two:
        assert one.threads == 1 and two.threads == 2
        x1, _ = quarry.lstsq(a, b, ctx=one, method="sketch_precondition")
        x2, _ = quarry.lstsq(a, b, ctx=two, method="sketch_precondition")
    assert np.array_equal(x1, x2)
    with pytest.raises(quarry.QuarryError):
        quarry.Context(threads=-1)
    closed = quarry.Context()
    closed.close()
    with pytest.raises(ValueError):
        quarry.lstsq(a, b, ctx=closed)


def test_the_binding_mirrors_the_c_headers():
    """The constants copied from the headers (status codes, methods, sketch kinds, option
    keys, ABI generation) still match them."""
    import os
    import re
    inc = os.path.join(os.path.dirname(__file__), "..", "..", "..", "include", "c_api", "quarry")
    text = "".join(open(os.path.join(inc, h)).read()
                   for h in ("status.h", "options.h", "version.h"))
    enum = {k: int(v) for k, v in re.findall(r"\b(QUARRY_[A-Z0-9_]+) = (\d+)", text)}
    for code, name in quarry.STATUS_NAMES.items():
        assert enum[name] == code, name
    for name, code in quarry.METHODS.items():
        assert enum["QUARRY_LSTSQ_" + name.upper()] == code
    for name, code in quarry.SKETCH_KINDS.items():
        assert enum["QUARRY_SKETCH_" + name.upper()] == code
    assert re.search(r"#define QUARRY_ABI_VERSION (\d+)", text).group(1) == str(
        quarry.ABI_VERSION)
    c_names = {"seed": "SEED", "tol": "TOLERANCE", "max_iter": "MAX_ITERATIONS",
               "sketch_kind": "SKETCH_KIND", "sketch_rows": "SKETCH_ROWS",
               "sketch_nnz": "SKETCH_NNZ", "method": "LSTSQ_METHOD", "ridge": "RIDGE",
               "budget": "QUERY_BUDGET", "refine": "EXTRACT_REFINE", "noise": "OUTPUT_NOISE",
               "lower": "DOMAIN_LOWER", "upper": "DOMAIN_UPPER",
               "leverage_method": "LEVERAGE_METHOD", "oracle_float32": "ORACLE_FLOAT32",
               "oracle_rounding": "ORACLE_ROUNDING", "oracle_noise": "ORACLE_NOISE",
               "huber_scale": "HUBER_SCALE"}
    for name, key in quarry._OPT.items():
        assert enum["QUARRY_OPT_" + c_names[name]] == key, name
    for name, code in quarry._LEVERAGE.items():
        assert enum["QUARRY_LEVERAGE_" + name.upper()] == code


def random_net(d, k, c, seed):
    rng = np.random.default_rng(seed)
    return quarry.ReluNet(rng.standard_normal((k, d)) / np.sqrt(d), rng.standard_normal(k),
                          rng.standard_normal((c, k)) / np.sqrt(k))


def test_a_network_evaluates_as_its_definition_and_round_trips_through_a_file(tmp_path):
    rng = np.random.default_rng(9)
    w, b, a = rng.standard_normal((6, 4)), rng.standard_normal(6), rng.standard_normal((3, 6))
    skip, c0 = rng.standard_normal((3, 4)), rng.standard_normal(3)
    with quarry.ReluNet(w, b, a, skip, c0) as net:
        assert net.shape == (4, 6, 3)
        x = rng.standard_normal((50, 4))
        want = np.maximum(x @ w.T + b, 0) @ a.T + x @ skip.T + c0
        assert np.allclose(net(x), want, rtol=1e-14, atol=1e-14)
        assert np.allclose(net(x[0]), want[0], rtol=1e-14, atol=1e-14)
        for name, v in zip(("w", "b", "a", "skip", "c0"), (w, b, a, skip, c0)):
            assert np.array_equal(net.weights()[name], v)
        net.save(tmp_path / "net.json")
        again = quarry.ReluNet.load(tmp_path / "net.json")
        assert np.array_equal(again(x), net(x))
    with pytest.raises(ValueError):
        net(x)  # closed
    with pytest.raises(quarry.QuarryError) as e:
        quarry.ReluNet(w, b * np.nan, a)
    assert e.value.status_name == "QUARRY_ERR_NONFINITE"
    # Every array's shape is checked against w and a before C reads it.
    for bad in ({"b": b[:1]}, {"a": a[:, :2]}, {"skip": skip[:1]}, {"c0": c0[:2]}):
        args = {"w": w, "b": b, "a": a, "skip": skip, "c0": c0, **bad}
        with pytest.raises(ValueError, match=next(iter(bad))):
            quarry.ReluNet(**args)


def test_extraction_copies_a_network_from_a_python_oracle():
    hidden = random_net(12, 10, 2, 10)
    queries = []

    kept = []

    def oracle(x):
        assert not x.flags.writeable
        queries.append(len(x))
        kept.append(x)  # a copy: still valid after the call
        return hidden(x)

    copy, report = quarry.extract_relu1(oracle, 12, 2, seed=3)
    z = np.random.default_rng(11).standard_normal((2000, 12))
    assert np.abs(copy(z) - hidden(z)).max() <= 1e-8 * np.abs(hidden(z)).max()
    assert report["QUARRY_REPORT_QUERIES"] == sum(queries)
    assert np.allclose(np.concatenate([hidden(x) for x in kept]),
                       np.concatenate([copy(x) for x in kept]), rtol=1e-8, atol=1e-8)
    assert copy.shape[2] == 2 and copy.shape[1] <= 10
    # In a box: queries stay inside it.
    seen = []

    def boxed(x):
        seen.append(x.copy())
        return hidden(x)

    quarry.extract_relu1(boxed, 12, 2, seed=3, lower=-2.0, upper=2.0)
    assert np.all(np.abs(np.concatenate(seen)) <= 2.0)


def test_oracle_failures_and_budgets_reach_the_caller():
    hidden = random_net(6, 5, 1, 12)

    class Boom(Exception):
        pass

    def failing(x):
        raise Boom("the black box is down")

    with pytest.raises(Boom) as e:
        quarry.extract_relu1(failing, 6, 1)
    assert isinstance(e.value.__cause__, quarry.QuarryError)
    assert e.value.__cause__.status_name == "QUARRY_ERR_ORACLE"
    with pytest.raises(ValueError, match="shape"):
        quarry.extract_relu1(lambda x: np.zeros((len(x), 3)), 6, 1)
    with pytest.raises(quarry.ExtractionIncomplete) as e:
        quarry.extract_relu1(hidden, 6, 1, budget=50)
    assert e.value.status_name == "QUARRY_ERR_BUDGET"
    assert e.value.net.shape[0] == 6
    assert e.value.report["QUARRY_REPORT_QUERIES"] <= 50


def test_dynamic_lstsq_exact_and_sampled():
    rng = np.random.default_rng(21)
    m, n = 6000, 7
    a = rng.standard_normal((m, n))
    b = a @ np.arange(1.0, n + 1) + rng.standard_normal(m)
    exact = quarry.DynamicLstsq(n, ridge=0.5)
    sampled = quarry.DynamicLstsq(n, mode="sampled", ridge=0.5, eps=0.1, seed=3)
    for lo, hi in [(0, 1), (1, 40), (40, 2500), (2500, m)]:
        exact.insert(np.asfortranarray(a[lo:hi]), b[lo:hi])
        sampled.insert(a[lo:hi], b[lo:hi])
    x, report = exact.solve()
    ref = np.linalg.solve(a.T @ a + 0.5 * np.eye(n), a.T @ b)
    np.testing.assert_allclose(x, ref, rtol=1e-11)
    assert report["QUARRY_REPORT_QUERIES"] == report["QUARRY_REPORT_SKETCH_ROWS"] == m
    y = rng.standard_normal(n)
    assert exact.residual(y) == pytest.approx(
        np.sqrt(np.sum((a @ y - b) ** 2) + 0.5 * y @ y), rel=1e-12)
    xs, rep_s = sampled.solve()
    assert rep_s["QUARRY_REPORT_SKETCH_ROWS"] < m / 2
    assert exact.residual(xs) ** 2 <= 1.1 * exact.residual(x) ** 2
    exact.insert(a[0], b[0])  # one row as a vector
    bad = a[:3].copy()
    bad[1, 2] = np.nan
    with pytest.raises(quarry.QuarryError) as e:
        exact.insert(bad, b[:3])
    assert e.value.status_name == "QUARRY_ERR_NONFINITE"
    assert exact.solve()[1]["QUARRY_REPORT_QUERIES"] == m + 1
    with pytest.raises(ValueError):
        exact.insert(a[:3, :4], b[:3])
    with pytest.raises(ValueError):
        quarry.DynamicLstsq(n, mode="fast")
    with pytest.raises(quarry.QuarryError):
        quarry.DynamicLstsq(0)
    exact.close()
    with pytest.raises(ValueError):
        exact.solve()
