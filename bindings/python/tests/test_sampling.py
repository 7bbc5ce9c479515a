"""Random streams, sketches, leverage scores, sampling, simulated black boxes and progress
callbacks against their definitions (quarry/rng.h, sketch.h, sampling.h, extract.h)."""

import pickle

import numpy as np
import pytest

import quarry

scipy_sparse = pytest.importorskip("scipy.sparse")


def test_streams_are_pure_functions_of_state_and_offset():
    s = quarry.RngState(42)
    with quarry.Context(threads=1) as one, quarry.Context(threads=2) as two:
        assert np.array_equal(s.normal(1000, ctx=one), s.normal(1000, ctx=two))
    whole = s.normal(1000)
    assert np.array_equal(s.normal(10, offset=990), whole[990:])
    # advance(k) starts k blocks (4 words each) later.
    assert np.array_equal(s.advance(5).u32(20), s.u32(40)[20:])
    u = s.uniform(1000)
    assert u.min() > 0 and u.max() < 1 and s.u32(3).dtype == np.uint32
    assert s == quarry.RngState(42) and s != quarry.RngState(43)
    assert pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(ValueError):
        quarry.RngState(-1)


@pytest.mark.parametrize("kind", sorted(quarry.SKETCH_KINDS))
def test_a_sketch_applies_as_its_explicit_matrix(kind):
    rng = np.random.default_rng(1)
    m, n, r = 300, 7, 40
    a = rng.standard_normal((m, n))
    s = quarry.Sketch(kind, r, m, seed=9)
    assert s.shape == (r, m) and s.kind == kind
    dense = s.toarray()
    want = dense @ a
    for arr in (a, np.asfortranarray(a)):
        got = s @ arr
        assert got.shape == (r, n) and np.abs(got - want).max() < 1e-12
    assert np.abs(s.apply_right(a.T) - want.T).max() < 1e-12
    assert np.abs(s.apply(scipy_sparse.csr_matrix(a)) - want).max() < 1e-12
    assert np.abs(s.apply_right(scipy_sparse.csr_matrix(a.T)) - want.T).max() < 1e-12
    assert np.array_equal(s.columns(5, 3), dense[:, 5:8])
    # Same seed, same operator, bitwise.
    assert np.array_equal(quarry.Sketch(kind, r, m, seed=9).toarray(), dense)


def test_sketch_options_and_refusals():
    s = quarry.Sketch("sparse_sign", 40, 300, nnz=4, state=quarry.RngState(3))
    assert s.nnz == 4 and np.count_nonzero(s.toarray(), axis=0).max() <= 4
    with pytest.raises(ValueError):
        quarry.Sketch("hadamard", 4, 10)
    with pytest.raises(quarry.QuarryError) as e:
        quarry.Sketch("uniform_rows", 11, 10)
    assert e.value.status_name == "QUARRY_ERR_BAD_DIMENSION"
    with pytest.raises(quarry.QuarryError) as e:
        s @ np.ones((10, 3))  # 10 rows, the sketch has 300 columns
    assert e.value.status_name == "QUARRY_ERR_BAD_DIMENSION"
    a = np.ones((300, 2))
    a[7, 1] = np.nan
    with pytest.raises(quarry.QuarryError) as e:
        s @ a
    assert e.value.status_name == "QUARRY_ERR_NONFINITE"


def test_leverage_scores_and_row_norms_match_their_definitions():
    rng = np.random.default_rng(3)
    m, n = 2000, 10
    a = 1e-3 * rng.standard_normal((m, n))
    a[:n] = np.eye(n)  # coherent: the first n rows carry the subspace
    q, _ = np.linalg.qr(a)
    exact = quarry.leverage_scores(a)
    assert np.allclose(exact, (q * q).sum(axis=1), atol=1e-12)
    assert abs(exact.sum() - n) < 1e-10
    approx = quarry.leverage_scores(np.asfortranarray(a), method="approx", seed=5)
    within = np.mean((approx <= 2 * exact) & (exact <= 2 * approx))
    assert within >= 0.99
    ridge = quarry.leverage_scores(a, ridge=1.0)
    assert np.all(ridge <= exact + 1e-12)
    assert np.allclose(quarry.row_norms_squared(a), (a * a).sum(axis=1), rtol=1e-14)
    with pytest.raises(ValueError):
        quarry.leverage_scores(a, method="fast")


def test_weighted_samples_and_trees_follow_their_weights():
    w = np.array([0.0, 1.0, 3.0, 0.0, 4.0])
    idx, scales = quarry.sample_weighted(w, 100, seed=11)
    assert np.all(np.diff(idx) >= 0) and np.all(w[idx] > 0)
    assert np.allclose(scales, 1 / np.sqrt(100 * w[idx] / w.sum()), rtol=1e-12)
    idx, scales = quarry.sample_weighted(w, 3, replace=False, seed=11)
    assert list(idx) == [1, 2, 4]
    with pytest.raises(quarry.QuarryError):
        quarry.sample_weighted(w, 4, replace=False)
    with pytest.raises(quarry.QuarryError):
        quarry.sample_weighted([1.0, -1.0], 1)

    tree = quarry.SampleTree(w)
    assert len(tree) == 5 and tree.total == 8.0
    tree.update([0, 4], [2.0, 0.0])
    assert (tree[0], tree[4], tree[-1], tree.total) == (2.0, 0.0, 0.0, 6.0)
    idx, probs = tree.sample(1000, seed=4)
    assert set(idx) <= {0, 1, 2} and np.allclose(probs, [tree[i] / 6.0 for i in idx])
    assert set(idx) == {0, 1, 2}  # 1000 draws see every positive weight
    with pytest.raises(IndexError):
        tree[5]
    with pytest.raises(quarry.QuarryError):
        tree.update([7], [1.0])
    with pytest.raises(quarry.QuarryError):
        tree.update([1], [np.nan])


def random_net(d, k, c, seed):
    rng = np.random.default_rng(seed)
    return quarry.ReluNet(rng.standard_normal((k, d)) / np.sqrt(d), rng.standard_normal(k),
                          rng.standard_normal((c, k)) / np.sqrt(k))


def test_simulated_black_boxes_answer_count_and_can_be_copied():
    hidden = random_net(8, 6, 2, 20)
    x = np.random.default_rng(23).standard_normal((50, 8))
    exact = quarry.NetOracle(hidden)
    assert np.array_equal(exact(x), hidden(x)) and exact.queries == 50
    f32 = quarry.NetOracle(hidden, float32=True)
    err = np.abs(f32(x) - hidden(x)).max()
    assert 0 < err < 1e-5
    noisy = quarry.NetOracle(hidden, noise=1e-3, seed=1)
    assert np.array_equal(noisy(x), quarry.NetOracle(hidden, noise=1e-3, seed=1)(x))
    with pytest.raises(ValueError):
        exact(x[:, :7])

    copy, report = quarry.extract_relu1(exact, seed=2)
    assert report["QUARRY_REPORT_QUERIES"] + 50 == exact.queries
    assert np.abs(copy(x) - hidden(x)).max() <= 1e-8 * np.abs(hidden(x)).max()
    with pytest.raises(quarry.ExtractionIncomplete):
        quarry.extract_relu1(exact, budget=30)
    with pytest.raises(ValueError):
        quarry.extract_relu1(lambda x: x)  # a Python oracle needs d and c


def test_progress_sees_the_report_and_can_stop_the_extraction():
    hidden = random_net(6, 5, 1, 12)
    seen = []

    def progress(report):
        seen.append(report["QUARRY_REPORT_QUERIES"])
        return len(seen) >= 3  # stop after three lines

    with pytest.raises(quarry.ExtractionIncomplete) as e:
        quarry.extract_relu1(hidden, 6, 1, progress=progress)
    assert e.value.status_name == "QUARRY_ERR_CALLBACK_ABORTED" and len(seen) == 3
    assert seen == sorted(seen) and e.value.net.shape[0] == 6

    class Stop(Exception):
        pass

    def fails(report):
        raise Stop

    with pytest.raises(Stop):
        quarry.extract_relu1(quarry.NetOracle(hidden), progress=fails)
    copy, _ = quarry.extract_relu1(hidden, 6, 1, progress=lambda r: None)  # never stops
    z = np.random.default_rng(5).standard_normal((500, 6))
    assert np.abs(copy(z) - hidden(z)).max() <= 1e-8 * np.abs(hidden(z)).max()


def test_huber_fits_through_gross_outliers_and_matches_its_objective():
    rng = np.random.default_rng(8)
    m, n, eps = 5000, 6, 1.35
    a = rng.standard_normal((m, n))
    truth = rng.standard_normal(n)
    b = a @ truth + 0.1 * rng.standard_normal(m)
    b[::20] += 100
    x, sigma, report = quarry.huber(a, b, eps)
    assert np.abs(x - truth).max() < 0.01 < np.abs(np.linalg.lstsq(a, b, rcond=None)[0] - truth).max()
    r = b - a @ x
    inside = np.abs(r) <= eps * sigma
    f = m * sigma + (r[inside] ** 2).sum() / sigma + 2 * eps * np.abs(r[~inside]).sum() \
        - eps * eps * sigma * (~inside).sum()
    assert abs(report["QUARRY_REPORT_OBJECTIVE"] - f) <= 1e-12 * f
    assert report["QUARRY_REPORT_OUTLIERS"] == (~inside).sum()
    # The optimality condition in x: A^T clip(r, -t, t) = 0.
    g = a.T @ np.clip(r, -eps * sigma, eps * sigma)
    assert np.abs(g).max() <= 1e-9 * (np.abs(a).T @ np.abs(np.clip(r, -eps * sigma, eps * sigma))).max()
    xf, s, _ = quarry.huber(np.asfortranarray(a), b, 1.0, scale=0.5, ridge=1.0)
    assert s == 0.5 and np.abs(xf - truth).max() < 0.02
    with pytest.raises(quarry.QuarryError) as e:
        quarry.huber(a, b, 0.9)
    assert e.value.status_name == "QUARRY_ERR_INVALID_ARGUMENT"
    with pytest.raises(quarry.NoConvergence) as e:
        quarry.huber(a, b, eps, max_iter=1)
    assert e.value.x.shape == (n,)
    with pytest.raises(ValueError):
        quarry.huber(a, b[:-1])


def test_lp_regression_reaches_the_linear_programs_optimum_and_certifies_its_gap():
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(9)
    m, n = 300, 4
    a = rng.standard_normal((m, n))
    b = a @ rng.standard_normal(n) + rng.standard_t(2, m)
    # l_1 as a linear program: min 1^T (u + v) subject to A x + u - v = b, u, v >= 0.
    lp = optimize.linprog(np.r_[np.zeros(n), np.ones(2 * m)],
                          A_eq=np.hstack([a, np.eye(m), -np.eye(m)]), b_eq=b,
                          bounds=[(None, None)] * n + [(0, None)] * (2 * m), method="highs")
    for method in ("auto", "gram_precondition", "sketch_precondition"):
        x, report = quarry.lp_regression(np.asfortranarray(a), b, 1, method=method)
        f = np.abs(b - a @ x).sum()
        assert abs(f - lp.fun) <= 1e-10 * lp.fun
        assert abs(report["QUARRY_REPORT_OBJECTIVE"] - f) <= 1e-12 * f
        assert 0 <= report["QUARRY_REPORT_DUAL_GAP"] <= 1e-10
    x2, _ = quarry.lp_regression(a, b, 2)
    assert np.allclose(x2, np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-9, atol=1e-12)
    x3, report = quarry.lp_regression(a, b, 3, tol=1e-12)
    r = b - a @ x3
    g = a.T @ (np.sign(r) * np.abs(r) ** 2)
    assert np.abs(g).max() <= 1e-6 * (np.abs(a).T @ np.abs(r) ** 2).max()
    assert report["QUARRY_REPORT_DUAL_GAP"] <= 1e-12
    with pytest.raises(quarry.QuarryError) as e:
        quarry.lp_regression(a, b, 0.5)
    assert e.value.status_name == "QUARRY_ERR_INVALID_ARGUMENT"
    with pytest.raises(quarry.QuarryError) as e:
        quarry.lp_regression(a, b, 1, method="direct")
    assert e.value.status_name == "QUARRY_ERR_INVALID_ARGUMENT"
    with pytest.raises(quarry.NoConvergence) as e:
        quarry.lp_regression(a, b, 1, max_iter=2)
    assert e.value.x.shape == (n,) and e.value.report["QUARRY_REPORT_DUAL_GAP"] > 0
    with pytest.raises(ValueError):
        quarry.lp_regression(a, b[:-1], 1)


def test_lewis_weights_meet_their_definition():
    rng = np.random.default_rng(10)
    m, n = 1500, 5
    a = rng.standard_normal((m, n)) / np.sqrt(rng.chisquare(2, m) / 2)[:, None]
    for p in (1.0, 1.5, 3.0):
        w, report = quarry.lewis_weights(np.asfortranarray(a), p)
        assert abs(w.sum() - n) <= 1e-8 and report["QUARRY_REPORT_RANK"] == n
        # w_i = (a_i^T (A^T W^(1 - 2/p) A)^-1 a_i)^(p/2), from NumPy's own solve.
        g = (a * w[:, None] ** (1 - 2 / p)).T @ a
        q = np.einsum("ij,ij->i", a, np.linalg.solve(g, a.T).T)
        assert np.abs(w / q ** (p / 2) - 1).max() <= 1e-8
    w2, _ = quarry.lewis_weights(a, 2)
    assert np.array_equal(w2, quarry.leverage_scores(a))
    with pytest.raises(quarry.QuarryError) as e:
        quarry.lewis_weights(a, 0)
    assert e.value.status_name == "QUARRY_ERR_INVALID_ARGUMENT"
    with pytest.raises(quarry.NoConvergence) as e:
        quarry.lewis_weights(a, 1, max_iter=2)
    assert e.value.x.shape == (m,)


def test_active_regression_reads_only_its_budget_of_labels():
    rng = np.random.default_rng(11)
    m, n, budget = 5000, 6, 120
    a = rng.standard_normal((m, n)) / np.sqrt(rng.chisquare(1, m))[:, None]
    b = a @ np.arange(1.0, n + 1) + rng.standard_normal(m)
    asked = []

    def labels(rows):
        assert rows.dtype == np.int64 and np.all(np.diff(rows) > 0)
        asked.extend(rows.tolist())
        return b[rows]

    full, _ = quarry.lp_regression(a, b, 1)
    x, report = quarry.active_regression(a, 1, labels, budget, seed=3)
    assert len(asked) == len(set(asked)) == budget == report["QUARRY_REPORT_QUERIES"]
    assert np.abs(b - a @ x).sum() <= 1.2 * np.abs(b - a @ full).sum()

    class Stop(Exception):
        pass

    def fails(rows):
        raise Stop

    with pytest.raises(Stop):
        quarry.active_regression(a, 1, fails, budget)
    with pytest.raises(ValueError):
        quarry.active_regression(a, 1, lambda rows: b[rows][:-1], budget)
    with pytest.raises(quarry.QuarryError) as e:
        quarry.active_regression(a, 1, labels, n - 1)
    assert e.value.status_name == "QUARRY_ERR_INVALID_ARGUMENT"


def test_kronecker_regression_exact_sampled_and_labels():
    rng = np.random.default_rng(12)
    factors = [rng.standard_normal((9, 3)), np.asfortranarray(rng.standard_normal((7, 2)))]
    b = rng.standard_normal((9, 7))
    k = np.kron(factors[0], factors[1])
    ref = np.linalg.solve(k.T @ k + 0.1 * np.eye(6), k.T @ b.reshape(-1))
    x, report = quarry.kronecker_regression(factors, b, ridge=0.1)
    assert x.shape == (3, 2)
    np.testing.assert_allclose(x.reshape(-1), ref, rtol=1e-10, atol=1e-12)
    r = k @ ref - b.reshape(-1)
    assert report["QUARRY_REPORT_OBJECTIVE"] == pytest.approx(r @ r + 0.1 * ref @ ref, rel=1e-10)
    np.testing.assert_allclose(quarry.kronecker_multiply(factors, x), (k @ ref).reshape(9, 7),
                               rtol=1e-10)
    np.testing.assert_allclose(quarry.kronecker_multiply(factors, b, transpose=True).reshape(-1),
                               k.T @ b.reshape(-1), rtol=1e-10)

    big = [rng.normal(1, 0.1, (300, 4)), rng.normal(1, 0.1, (200, 3))]
    bb = rng.standard_normal(60000)
    asked = []

    def labels(rows):
        assert rows.dtype == np.int64 and np.all(np.diff(rows) > 0)
        asked.extend(rows.tolist())
        return bb[rows]

    xs, rep_s = quarry.kronecker_regression(big, bb, ridge=1e-2, method="sampled", seed=5)
    xl, rep_l = quarry.kronecker_regression(big, labels=labels, ridge=1e-2, method="sampled",
                                            seed=5)
    assert np.array_equal(xs, xl)
    assert len(asked) == rep_l["QUARRY_REPORT_QUERIES"] == rep_s["QUARRY_REPORT_QUERIES"] < 60000
    xe, rep_e = quarry.kronecker_regression(big, bb, ridge=1e-2)

    def loss(x):
        r = quarry.kronecker_multiply(big, x).reshape(-1) - bb
        return r @ r + 1e-2 * np.sum(x * x)

    assert loss(xe) <= loss(xs) <= 1.05 * loss(xe)

    class Stop(Exception):
        pass

    def fails(rows):
        raise Stop

    with pytest.raises(Stop):
        quarry.kronecker_regression(big, labels=fails, method="sampled")
    with pytest.raises(ValueError):
        quarry.kronecker_regression(big, labels=labels)  # labels need the sampled solver
    with pytest.raises(ValueError):
        quarry.kronecker_regression(big, bb[:-1])
    bad = bb.copy()
    bad[5] = np.nan
    with pytest.raises(quarry.QuarryError) as e:
        quarry.kronecker_regression(big, bad)
    assert e.value.status_name == "QUARRY_ERR_NONFINITE"
