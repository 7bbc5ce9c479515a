//! The safe crate against references computed here: exact solutions of consistent
//! problems, the ridge normal equations, a network's definition; and every failure path.

use quarry::{
    report_key, Context, Csr, Dense, ErrorKind, Extract, Layout, Lstsq, Method, Partial, ReluNet,
    Weights,
};

/// A small deterministic generator (splitmix64) with normal deviates (Box-Muller).
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn normals(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.normal()).collect()
    }
}

/// An m x n row-major matrix whose column j is scaled by kappa^(-j / (n - 1)).
fn matrix(rng: &mut Rng, m: usize, n: usize, kappa: f64) -> Vec<f64> {
    let mut a = rng.normals(m * n);
    for (i, v) in a.iter_mut().enumerate() {
        *v *= kappa.powf(-((i % n) as f64) / (n.max(2) - 1) as f64);
    }
    a
}

fn matvec(a: &[f64], m: usize, n: usize, x: &[f64]) -> Vec<f64> {
    (0..m).map(|i| (0..n).map(|j| a[i * n + j] * x[j]).sum()).collect()
}

fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    (0..cols).flat_map(|j| (0..rows).map(move |i| a[i * cols + j])).collect()
}

fn max_diff(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len());
    x.iter().zip(y).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

/// (A^T A + lambda I) x = A^T b by Cholesky, for small n.
fn ridge_reference(a: &[f64], m: usize, n: usize, b: &[f64], lambda: f64) -> Vec<f64> {
    let mut g = vec![0.0; n * n];
    let mut r: Vec<f64> = (0..n).map(|j| (0..m).map(|i| a[i * n + j] * b[i]).sum()).collect();
    for p in 0..n {
        for q in 0..n {
            g[p * n + q] = (0..m).map(|i| a[i * n + p] * a[i * n + q]).sum::<f64>()
                + if p == q { lambda } else { 0.0 };
        }
    }
    for j in 0..n {
        for k in 0..j {
            let l = g[j * n + k];
            for i in j..n {
                g[i * n + j] -= g[i * n + k] * l;
            }
        }
        let d = g[j * n + j].sqrt();
        for i in j..n {
            g[i * n + j] /= d;
        }
    }
    for i in 0..n {
        r[i] = (r[i] - (0..i).map(|k| g[i * n + k] * r[k]).sum::<f64>()) / g[i * n + i];
    }
    for i in (0..n).rev() {
        r[i] = (r[i] - (i + 1..n).map(|k| g[k * n + i] * r[k]).sum::<f64>()) / g[i * n + i];
    }
    r
}

#[test]
fn the_library_has_this_crates_abi() {
    assert_eq!(quarry::abi_version(), quarry::ABI_VERSION);
    quarry::check_abi().unwrap();
    assert!(quarry::version().starts_with("0.1."), "{}", quarry::version());
    assert!(!quarry::blas_info().is_empty());
}

#[test]
fn contexts_set_their_thread_count_and_refuse_a_bad_one() {
    let mut ctx = Context::with_threads(2).unwrap();
    assert_eq!(ctx.threads(), 2);
    let e = ctx.set_threads(1_000_000).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().contains("1000000"), "{e}");
    assert_eq!(ctx.threads(), 2);
}

#[test]
fn dense_solves_in_every_layout_match_the_exact_solution() {
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(1);
    let (m, n) = (3000, 40);
    let a = matrix(&mut rng, m, n, 1e3);
    let x0 = rng.normals(n);
    let b = matvec(&a, m, n, &x0);
    for method in [Method::Auto, Method::Direct, Method::SketchPrecondition] {
        let s = Lstsq::new().method(method);
        let row = s.solve(&mut ctx, Dense::row_major(&a, m, n).unwrap(), &b).unwrap();
        assert!(max_diff(&row.x, &x0) < 1e-9, "{method:?}");
        assert!(row.report.i64(report_key::METHOD).is_some());
        let at = transpose(&a, m, n);
        let col = s.solve(&mut ctx, Dense::col_major(&at, m, n).unwrap(), &b).unwrap();
        assert!(max_diff(&col.x, &x0) < 1e-9, "{method:?}");
    }
    // A row-major view of the first 30 columns (ld = 40): no copy, the same solution as
    // the copied submatrix.
    let view = Dense::new(&a, m, 30, Layout::RowMajor, n).unwrap();
    let sub: Vec<f64> = (0..m).flat_map(|i| a[i * n..i * n + 30].to_vec()).collect();
    let b30 = matvec(&sub, m, 30, &x0[..30]);
    let x = Lstsq::new().solve(&mut ctx, view, &b30).unwrap().x;
    assert!(max_diff(&x, &x0[..30]) < 1e-9);
}

#[test]
fn several_right_hand_sides_in_either_layout_give_column_major_solutions() {
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(2);
    let (m, n, k) = (2000, 12, 3);
    let a = matrix(&mut rng, m, n, 10.0);
    let x0 = rng.normals(n * k); // column-major n x k
    let cols: Vec<Vec<f64>> = (0..k).map(|j| matvec(&a, m, n, &x0[j * n..(j + 1) * n])).collect();
    let b_col: Vec<f64> = cols.concat(); // m x k column-major
    let b_row = transpose(&b_col, k, m); // the same values row-major
    let at = transpose(&a, m, n);
    for a_view in [Dense::row_major(&a, m, n).unwrap(), Dense::col_major(&at, m, n).unwrap()] {
        for b in [Dense::col_major(&b_col, m, k).unwrap(), Dense::row_major(&b_row, m, k).unwrap()]
        {
            let sol = Lstsq::new().solve_many(&mut ctx, a_view, b).unwrap();
            assert!(max_diff(&sol.x, &x0) < 1e-10);
        }
    }
}

#[test]
fn sparse_solves_match_the_dense_solution() {
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(3);
    let (m, n) = (4000, 30);
    let (mut row_ptr, mut col_idx, mut values, mut dense) =
        (vec![0i64], vec![], vec![], vec![0.0; m * n]);
    for i in 0..m {
        for j in 0..n {
            if rng.uniform() < 0.2 || j == i % n {
                let v = rng.normal();
                col_idx.push(j as i64);
                values.push(v);
                dense[i * n + j] = v;
            }
        }
        row_ptr.push(col_idx.len() as i64);
    }
    let x0 = rng.normals(n);
    let b = matvec(&dense, m, n, &x0);
    let a = Csr::new(m, n, &row_ptr, &col_idx, &values).unwrap();
    for b_view in [Dense::col_major(&b, m, 1).unwrap(), Dense::row_major(&b, m, 1).unwrap()] {
        let sol = Lstsq::new().solve_csr(&mut ctx, a, b_view).unwrap();
        assert!(max_diff(&sol.x, &x0) < 1e-10);
    }
    // Two right-hand sides, row-major.
    let b2: Vec<f64> = b.iter().flat_map(|v| [*v, 2.0 * v]).collect();
    let sol = Lstsq::new().solve_csr(&mut ctx, a, Dense::row_major(&b2, m, 2).unwrap()).unwrap();
    let twice: Vec<f64> = x0.iter().map(|v| 2.0 * v).collect();
    assert!(max_diff(&sol.x, &[x0.clone(), twice].concat()) < 1e-10);
    // A malformed structure is the library's to refuse: a column index out of range.
    let mut bad = col_idx.clone();
    bad[0] = n as i64;
    let a = Csr::new(m, n, &row_ptr, &bad, &values).unwrap();
    let e = Lstsq::new().solve_csr(&mut ctx, a, Dense::col_major(&b, m, 1).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(Csr::new(m, n, &row_ptr[1..], &col_idx, &values).is_err());
}

#[test]
fn ridge_solutions_match_the_normal_equations() {
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(4);
    let (m, n) = (500, 8);
    let a = matrix(&mut rng, m, n, 1e2);
    let b = rng.normals(m);
    let lambdas = [1e-3, 0.1, 10.0];
    let at = transpose(&a, m, n);
    for view in [Dense::row_major(&a, m, n).unwrap(), Dense::col_major(&at, m, n).unwrap()] {
        let path = Lstsq::new().ridge_path(&mut ctx, view, &b, &lambdas).unwrap();
        for (j, &lambda) in lambdas.iter().enumerate() {
            let want = ridge_reference(&a, m, n, &b, lambda);
            assert!(max_diff(&path.x[j * n..(j + 1) * n], &want) < 1e-9, "lambda {lambda}");
            let one = Lstsq::new().ridge(lambda).solve(&mut ctx, view, &b).unwrap();
            assert!(max_diff(&one.x, &want) < 1e-9, "lambda {lambda}");
        }
    }
}

#[test]
fn bad_input_is_refused_with_its_status_and_message() {
    let mut ctx = Context::new().unwrap();
    let a = vec![1.0; 20];
    let e = Dense::row_major(&a, 7, 3).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension);
    assert_eq!(
        Dense::new(&a, 5, 4, Layout::ColMajor, 4).unwrap_err().kind(),
        ErrorKind::BadLeadingDim
    );
    assert_eq!(
        Dense::new(&a, 5, 4, Layout::ColMajor, 6).unwrap_err().kind(),
        ErrorKind::BadDimension
    );
    let view = Dense::row_major(&a, 5, 4).unwrap();
    assert_eq!(
        Lstsq::new().solve(&mut ctx, view, &[1.0; 4]).unwrap_err().kind(),
        ErrorKind::BadDimension
    );
    // NaN: refused by the library, with its message on the context.
    let mut rng = Rng(5);
    let mut a = matrix(&mut rng, 100, 4, 1.0);
    a[17] = f64::NAN;
    let e = Lstsq::new()
        .solve(&mut ctx, Dense::row_major(&a, 100, 4).unwrap(), &[1.0; 100])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite);
    assert_eq!(e.status(), quarry::sys::QUARRY_ERR_NONFINITE);
    assert_eq!(e.status_name(), "QUARRY_ERR_NONFINITE");
    assert!(!e.message().is_empty() && e.to_string().contains(e.message()), "{e}");
    // Options out of range: refused before the solve, naming the option.
    a[17] = 0.0;
    let view = Dense::row_major(&a, 100, 4).unwrap();
    let e = Lstsq::new().ridge(-1.0).solve(&mut ctx, view, &[1.0; 100]).unwrap_err();
    assert!(e.message().contains("RIDGE"), "{e}");
    let e = Lstsq::new().max_iterations(u64::MAX).solve(&mut ctx, view, &[1.0; 100]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
}

#[test]
fn an_unconverged_solve_keeps_its_last_iterate() {
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(7);
    let (m, n) = (500, 10);
    let a = matrix(&mut rng, m, n, 1e8);
    let b = rng.normals(m);
    let s = Lstsq::new().method(Method::SketchPrecondition).max_iterations(1).sketch_rows(12);
    let e = s.solve(&mut ctx, Dense::row_major(&a, m, n).unwrap(), &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoConvergence, "{e}");
    match e.partial() {
        Some(Partial::Solution(sol)) => {
            assert_eq!(sol.x.len(), n);
            assert!(sol.report.i64(report_key::ITERATIONS).unwrap() >= 1);
        }
        other => panic!("expected the last iterate, got {other:?}"),
    }
}

fn random_net(ctx: &mut Context, d: usize, k: usize, c: usize, seed: u64) -> ReluNet {
    let mut rng = Rng(seed);
    let scale = |v: Vec<f64>, s: usize| v.into_iter().map(|x| x / (s as f64).sqrt()).collect();
    let weights = Weights {
        d,
        k,
        c,
        w: scale(rng.normals(k * d), d),
        b: rng.normals(k),
        a: scale(rng.normals(c * k), k),
        ..Weights::default()
    };
    ReluNet::new(ctx, &weights).unwrap()
}

#[test]
fn a_network_evaluates_as_its_definition_and_round_trips_through_a_file() {
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(9);
    let (d, k, c) = (4, 6, 3);
    let w = Weights {
        d,
        k,
        c,
        w: rng.normals(k * d),
        b: rng.normals(k),
        a: rng.normals(c * k),
        skip: rng.normals(c * d),
        c0: rng.normals(c),
    };
    let net = ReluNet::new(&mut ctx, &w).unwrap();
    assert_eq!(net.dims(), (d, k, c));
    assert_eq!(net.weights(), w);
    let x = rng.normals(50 * d);
    let y = net.eval(&mut ctx, &x).unwrap();
    for (xi, yi) in x.chunks(d).zip(y.chunks(c)) {
        let h: Vec<f64> = (0..k).map(|r| (matvec(&w.w, k, d, xi)[r] + w.b[r]).max(0.0)).collect();
        for (o, got) in yi.iter().enumerate() {
            let want = (0..k).map(|r| w.a[o * k + r] * h[r]).sum::<f64>()
                + (0..d).map(|j| w.skip[o * d + j] * xi[j]).sum::<f64>()
                + w.c0[o];
            assert!((got - want).abs() < 1e-12);
        }
    }
    let path = std::env::temp_dir().join(format!("quarry-rust-{}.json", std::process::id()));
    net.save(&mut ctx, &path).unwrap();
    let back = ReluNet::load(&mut ctx, &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back.weights(), w);
    // Shapes are checked before C reads anything; files that are not networks are refused.
    let short = Weights { b: vec![0.0; k - 1], ..w.clone() };
    assert_eq!(ReluNet::new(&mut ctx, &short).unwrap_err().kind(), ErrorKind::BadDimension);
    assert_eq!(net.eval(&mut ctx, &x[1..]).unwrap_err().kind(), ErrorKind::BadDimension);
    let e = ReluNet::load(&mut ctx, "/nonexistent/net.json").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
}

#[test]
fn extraction_copies_a_network_from_a_closure() {
    let mut ctx = Context::new().unwrap();
    let mut inner = Context::new().unwrap();
    let hidden = random_net(&mut inner, 12, 10, 2, 10);
    let mut batches = 0;
    let copy = Extract::new()
        .seed(3)
        .run(&mut ctx, 12, 2, |x, y| {
            batches += 1;
            hidden.eval_into(&mut inner, x, y)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(copy.report.i64(report_key::BATCHES), Some(batches));
    let mut rng = Rng(11);
    let z = rng.normals(2000 * 12);
    let (want, got) = (hidden.eval(&mut ctx, &z).unwrap(), copy.net.eval(&mut ctx, &z).unwrap());
    let scale = want.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    assert!(max_diff(&got, &want) <= 1e-8 * scale);
}

#[derive(Debug)]
struct Unreachable;
impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the black box is unreachable")
    }
}
impl std::error::Error for Unreachable {}

#[test]
fn oracle_failures_and_budgets_reach_the_caller() {
    let mut ctx = Context::new().unwrap();
    let mut inner = Context::new().unwrap();
    let hidden = random_net(&mut inner, 6, 4, 1, 12);
    // The oracle's own error is the source of the Oracle error.
    let e = Extract::new().run(&mut ctx, 6, 1, |_, _| Err(Unreachable.into())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oracle);
    let source = std::error::Error::source(&e).expect("the oracle's error");
    assert!(source.downcast_ref::<Unreachable>().is_some());
    // A panic resumes here, after the C call: nothing unwinds through C.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = Extract::new().run(&mut ctx, 6, 1, |_, _| panic!("oracle panicked"));
    }));
    let payload = caught.expect_err("the panic comes back");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"oracle panicked"));
    // The context is still usable afterwards, and a spent budget keeps the partial copy.
    let e = Extract::new()
        .budget(50)
        .run(&mut ctx, 6, 1, |x, y| Ok(hidden.eval_into(&mut inner, x, y)?))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Budget, "{e}");
    match e.into_partial() {
        Some(Partial::Extraction(p)) => {
            assert_eq!(p.net.dims().0, 6);
            assert!(p.report.i64(report_key::QUERIES).unwrap() <= 50);
        }
        other => panic!("expected the partial copy, got {other:?}"),
    }
    // Options are checked: an empty box is refused.
    let e = Extract::new().domain(&[1.0], &[0.0]).run(&mut ctx, 6, 1, |_, _| Ok(())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
}

#[test]
fn errors_are_send_sync_and_display_their_status() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<quarry::Error>();
    send_sync::<ReluNet>();
    let mut ctx = Context::new().unwrap();
    std::thread::spawn(move || ctx.set_threads(1).unwrap()).join().unwrap();
}

#[test]
fn huber_resists_outliers_and_reports_its_objective() {
    use quarry::Huber;
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(31);
    let (m, n) = (3000, 8);
    let a = matrix(&mut rng, m, n, 1.0);
    let x0 = rng.normals(n);
    let mut b = matvec(&a, m, n, &x0);
    for (i, v) in b.iter_mut().enumerate() {
        *v += 0.1 * rng.normal() + if i % 10 == 0 { 50.0 } else { 0.0 };
    }
    let view = Dense::row_major(&a, m, n).unwrap();
    let fit = Huber::new(1.35).fit(&mut ctx, view, &b).unwrap();
    let ls = Lstsq::new().solve(&mut ctx, view, &b).unwrap();
    assert!(max_diff(&fit.x, &x0) < 0.01 && max_diff(&ls.x, &x0) > 0.5);
    assert!(fit.scale > 0.05 && fit.scale < 0.1, "{}", fit.scale);
    assert!(fit.report.i64(report_key::OUTLIERS).unwrap() >= 300);
    assert!(fit.report.f64(report_key::OBJECTIVE).unwrap() > 0.0);
    let fixed = Huber::new(1.0).scale(0.5).fit(&mut ctx, view, &b).unwrap();
    assert_eq!(fixed.scale, 0.5);
    assert!(max_diff(&fixed.x, &x0) < 0.02);
    let e = Huber::new(0.9).fit(&mut ctx, view, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = Huber::new(1.35).max_iterations(1).fit(&mut ctx, view, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoConvergence, "{e}");
    assert!(matches!(e.partial(), Some(Partial::Solution(s)) if s.x.len() == n));
}

/// A noisy m x n problem with every tenth b a gross outlier, and sum_i |b_i - a_i^T x|^p.
fn lp_problem(seed: u64, m: usize, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed);
    let a = matrix(&mut rng, m, n, 1.0);
    let x0 = rng.normals(n);
    let mut b = matvec(&a, m, n, &x0);
    for (i, v) in b.iter_mut().enumerate() {
        *v += 0.1 * rng.normal() + if i % 10 == 0 { 20.0 * rng.normal() } else { 0.0 };
    }
    (a, b, x0)
}

fn lp_objective(a: &[f64], m: usize, n: usize, b: &[f64], x: &[f64], p: f64) -> f64 {
    matvec(a, m, n, x).iter().zip(b).map(|(ax, b)| (b - ax).abs().powf(p)).sum()
}

#[test]
fn lp_regression_at_p_one_reaches_the_brute_force_optimum() {
    use quarry::LpRegression;
    let mut ctx = Context::new().unwrap();
    let (m, n) = (60, 2);
    for seed in [41, 42] {
        let (a, b, _) = lp_problem(seed, m, n);
        // Some l_1 optimum fits n = 2 rows exactly: the best of all two-row interpolants.
        let mut best = f64::INFINITY;
        for i in 0..m {
            for k in i + 1..m {
                let (u, v) = (&a[i * n..i * n + 2], &a[k * n..k * n + 2]);
                let det = u[0] * v[1] - u[1] * v[0];
                if det.abs() > 1e-12 {
                    let x = [(b[i] * v[1] - u[1] * b[k]) / det, (u[0] * b[k] - b[i] * v[0]) / det];
                    best = best.min(lp_objective(&a, m, n, &b, &x, 1.0));
                }
            }
        }
        let view = Dense::row_major(&a, m, n).unwrap();
        for (method, raw) in [
            (Method::GramPrecondition, quarry::sys::QUARRY_LSTSQ_GRAM_PRECONDITION),
            (Method::SketchPrecondition, quarry::sys::QUARRY_LSTSQ_SKETCH_PRECONDITION),
        ] {
            let fit = LpRegression::new(1.0).method(method).fit(&mut ctx, view, &b).unwrap();
            let f = lp_objective(&a, m, n, &b, &fit.x, 1.0);
            assert!((f - best).abs() <= 1e-12 * best, "seed {seed}: {f} vs {best}");
            let reported = fit.report.f64(report_key::OBJECTIVE).unwrap();
            assert!((reported - best).abs() <= 1e-12 * best, "{reported} vs {best}");
            assert!(fit.report.f64(report_key::DUAL_GAP).unwrap() <= 1e-10);
            assert_eq!(fit.report.i64(report_key::METHOD), Some(i64::from(raw)));
        }
    }
}

#[test]
fn lp_regression_certifies_its_gap_and_is_least_squares_at_two() {
    use quarry::LpRegression;
    let mut ctx = Context::new().unwrap();
    let (m, n) = (2000, 6);
    let (a, b, _) = lp_problem(43, m, n);
    let view = Dense::row_major(&a, m, n).unwrap();
    let tight = LpRegression::new(1.5).tolerance(0.0).fit(&mut ctx, view, &b).unwrap();
    let fit = LpRegression::new(1.5).fit(&mut ctx, view, &b).unwrap();
    let gap = fit.report.f64(report_key::DUAL_GAP).unwrap();
    assert!((0.0..=1e-10).contains(&gap), "{gap}");
    let f = lp_objective(&a, m, n, &b, &fit.x, 1.5);
    assert!((fit.report.f64(report_key::OBJECTIVE).unwrap() - f).abs() <= 1e-12 * f);
    // The gap bounds the excess over the tightest objective found (its own gap aside).
    let (ft, gt) = (
        tight.report.f64(report_key::OBJECTIVE).unwrap(),
        tight.report.f64(report_key::DUAL_GAP).unwrap(),
    );
    assert!((f - ft) / f <= gap + gt + 1e-14, "{f} vs {ft}");
    assert!(fit.report.i64(report_key::ITERATIONS).unwrap() >= 1);
    assert!(fit.report.f64(report_key::RESIDUAL_NORM).unwrap() > 0.0);
    // Column-major, the same minimum.
    let at = transpose(&a, m, n);
    let col = LpRegression::new(1.5).fit(&mut ctx, Dense::col_major(&at, m, n).unwrap(), &b);
    let col = col.unwrap().report.f64(report_key::OBJECTIVE).unwrap();
    assert!((col - f).abs() <= 1e-10 * f, "{col} vs {f}");
    // p = 2 is least squares.
    let two = LpRegression::new(2.0).fit(&mut ctx, view, &b).unwrap();
    let ls = Lstsq::new().solve(&mut ctx, view, &b).unwrap();
    for (x, y) in two.x.iter().zip(&ls.x) {
        assert!((x - y).abs() <= 1e-10 * (1.0 + y.abs()), "{x} vs {y}");
    }
}

#[test]
fn lp_regression_refuses_bad_input_and_keeps_its_last_iterate() {
    use quarry::LpRegression;
    let mut ctx = Context::new().unwrap();
    let (m, n) = (500, 4);
    let (a, b, _) = lp_problem(44, m, n);
    let view = Dense::row_major(&a, m, n).unwrap();
    for p in [0.5, 0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = LpRegression::new(p).fit(&mut ctx, view, &b).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "p = {p}: {e}");
    }
    for method in [Method::Direct, Method::SketchSolve] {
        let e = LpRegression::new(1.0).method(method).fit(&mut ctx, view, &b).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().contains("QUARRY_LSTSQ_GRAM_PRECONDITION"), "{e}");
    }
    let e = LpRegression::new(1.0).fit(&mut ctx, view, &b[1..]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let wide = Dense::row_major(&a[..3 * n], 3, n).unwrap(); // m < n
    let e = LpRegression::new(1.0).fit(&mut ctx, wide, &b[..3]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let mut bad = b.clone();
    bad[7] = f64::NAN;
    let e = LpRegression::new(1.0).fit(&mut ctx, view, &bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite, "{e}");
    // The iteration limit: the last iterate and its report come with NoConvergence.
    let e = LpRegression::new(1.0).max_iterations(3).fit(&mut ctx, view, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoConvergence, "{e}");
    assert!(e.message().contains("QUARRY_OPT_MAX_ITERATIONS"), "{e}");
    let s = match e.into_partial() {
        Some(Partial::Solution(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(s.x.len(), n);
    assert_eq!(s.report.i64(report_key::ITERATIONS), Some(3));
    assert!(s.report.f64(report_key::DUAL_GAP).unwrap() > 1e-10);
    let f = lp_objective(&a, m, n, &b, &s.x, 1.0);
    assert!((s.report.f64(report_key::OBJECTIVE).unwrap() - f).abs() <= 1e-12 * f);
}

/// A with every tenth row scaled by 30: uneven leverage scores and Lewis weights.
fn uneven_matrix(seed: u64, m: usize, n: usize) -> Vec<f64> {
    let mut a = matrix(&mut Rng(seed), m, n, 1.0);
    for (i, v) in a.iter_mut().enumerate() {
        if (i / n) % 10 == 0 {
            *v *= 30.0;
        }
    }
    a
}

#[test]
fn lewis_weights_meet_their_definition_and_are_leverage_scores_at_two() {
    use quarry::{Leverage, Lewis};
    let mut ctx = Context::new().unwrap();
    let (m, n) = (2000, 6);
    let a = uneven_matrix(51, m, n);
    let view = Dense::row_major(&a, m, n).unwrap();
    for p in [0.5, 1.0, 1.5, 3.0, 4.0] {
        let lewis = Lewis::new(p).weights(&mut ctx, view).unwrap();
        let w = &lewis.x;
        assert_eq!(w.len(), m);
        let sum: f64 = w.iter().sum();
        assert!((sum - n as f64).abs() <= 1e-8, "p = {p}: the weights sum to {sum}");
        assert_eq!(lewis.report.i64(report_key::RANK), Some(n as i64));
        assert!(lewis.report.f64(report_key::RESIDUAL_NORM).unwrap() <= 1e-10);
        assert!(lewis.report.i64(report_key::ITERATIONS).unwrap() >= 1);
        // The definition: w holds the leverage scores of W^(1/2 - 1/p) A.
        let scaled: Vec<f64> =
            a.iter().enumerate().map(|(k, v)| v * w[k / n].powf(0.5 - 1.0 / p)).collect();
        let tau = Leverage::new().scores(&mut ctx, Dense::row_major(&scaled, m, n).unwrap());
        for (wi, ti) in w.iter().zip(&tau.unwrap()) {
            assert!((wi - ti).abs() <= 1e-8 * wi, "p = {p}: {wi} vs {ti}");
        }
        // Column-major: the same weights.
        let at = transpose(&a, m, n);
        let col = Lewis::new(p).weights(&mut ctx, Dense::col_major(&at, m, n).unwrap()).unwrap();
        assert!(max_diff(&col.x, w) <= 1e-12, "p = {p}");
    }
    // p = 2: the leverage scores, in one round.
    let two = Lewis::new(2.0).weights(&mut ctx, view).unwrap();
    let tau = Leverage::new().scores(&mut ctx, view).unwrap();
    assert!(max_diff(&two.x, &tau) <= 1e-15);
    assert_eq!(two.report.i64(report_key::ITERATIONS), Some(1));
    // Sketched scores: within a factor 2 of the exact weights on nearly every row.
    let exact = Lewis::new(1.0).weights(&mut ctx, view).unwrap().x;
    let approx = Lewis::new(1.0).approximate().seed(3).weights(&mut ctx, view).unwrap().x;
    let close = exact.iter().zip(&approx).filter(|(e, a)| **a <= 2.0 * **e && **e <= 2.0 * **a);
    assert!(close.count() >= m * 99 / 100);
}

#[test]
fn lewis_weights_refuse_bad_input_and_keep_their_last_round() {
    use quarry::{Lewis, SketchKind};
    let mut ctx = Context::new().unwrap();
    let (m, n) = (500, 4);
    let a = uneven_matrix(52, m, n);
    let view = Dense::row_major(&a, m, n).unwrap();
    for p in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = Lewis::new(p).weights(&mut ctx, view).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "p = {p}: {e}");
        assert!(e.message().contains("p = "), "{e}");
    }
    let e = Lewis::new(1.0).approximate().sketch_rows(0).weights(&mut ctx, view).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(Lewis::new(1.0)
        .approximate()
        .sketch_kind(SketchKind::Gaussian)
        .sketch_rows(100)
        .weights(&mut ctx, view)
        .is_ok());
    let mut bad = a.clone();
    bad[9] = f64::NAN;
    let e = Lewis::new(1.0).weights(&mut ctx, Dense::row_major(&bad, m, n).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite, "{e}");
    // The round limit: the last round's weights and the report come with NoConvergence.
    let e = Lewis::new(1.0).max_iterations(2).weights(&mut ctx, view).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoConvergence, "{e}");
    assert!(e.message().contains("QUARRY_OPT_MAX_ITERATIONS"), "{e}");
    let s = match e.into_partial() {
        Some(Partial::Solution(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(s.x.len(), m);
    assert_eq!(s.report.i64(report_key::ITERATIONS), Some(2));
    assert!(s.report.f64(report_key::RESIDUAL_NORM).unwrap() > 1e-10);
}

/// An m x n Gaussian A and b = A x0 + N(0, 0.1^2).
fn active_problem(seed: u64, m: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed);
    let a = matrix(&mut rng, m, n, 1.0);
    let x0 = rng.normals(n);
    let b = matvec(&a, m, n, &x0).into_iter().map(|v| v + 0.1 * rng.normal()).collect();
    (a, b)
}

#[test]
fn active_regression_nears_the_full_fit_from_its_budget_of_labels() {
    use quarry::{ActiveRegression, LpRegression};
    let mut ctx = Context::new().unwrap();
    let (m, n, budget) = (2000, 5, 100);
    let (a, b) = active_problem(53, m, n);
    let view = Dense::row_major(&a, m, n).unwrap();
    let at = transpose(&a, m, n);
    for p in [1.0, 2.0] {
        let full = LpRegression::new(p).fit(&mut ctx, view, &b).unwrap();
        let best = lp_objective(&a, m, n, &b, &full.x, p).powf(1.0 / p);
        for seed in [0, 1, 2] {
            let (mut asked, mut batches) = (vec![0usize; m], 0i64);
            let fit = ActiveRegression::new(p, budget)
                .seed(seed)
                .fit(&mut ctx, view, |rows, labels| {
                    assert_eq!(rows.len(), labels.len());
                    assert!(rows.windows(2).all(|r| r[0] < r[1]), "rows increase");
                    batches += 1;
                    for (label, &r) in labels.iter_mut().zip(rows) {
                        asked[r] += 1;
                        *label = b[r];
                    }
                    Ok(())
                })
                .unwrap();
            assert!(asked.iter().all(|&k| k <= 1), "a row was asked twice");
            assert_eq!(asked.iter().sum::<usize>(), budget);
            assert_eq!(fit.report.i64(report_key::QUERIES), Some(budget as i64));
            assert_eq!(fit.report.i64(report_key::BATCHES), Some(batches));
            assert!(fit.report.f64(report_key::DUAL_GAP).unwrap() <= 1e-10);
            assert!(fit.report.f64(report_key::OBJECTIVE).unwrap() > 0.0);
            assert!(fit.report.f64(report_key::ORACLE_SECONDS).is_some());
            let r = lp_objective(&a, m, n, &b, &fit.x, p).powf(1.0 / p);
            assert!(r <= 1.2 * best, "p = {p}, seed {seed}: {r} vs {best} from all labels");
            // The same seed asks the same rows: the same fit, in either layout.
            let answer = |rows: &[usize], labels: &mut [f64]| -> Result<(), quarry::BoxError> {
                labels.iter_mut().zip(rows).for_each(|(l, &r)| *l = b[r]);
                Ok(())
            };
            let again = ActiveRegression::new(p, budget).seed(seed).fit(&mut ctx, view, answer);
            assert_eq!(again.unwrap().x, fit.x);
            let col = Dense::col_major(&at, m, n).unwrap();
            let col = ActiveRegression::new(p, budget).seed(seed).fit(&mut ctx, col, answer);
            assert!(max_diff(&col.unwrap().x, &fit.x) <= 1e-8);
        }
    }
}

#[test]
fn active_regression_failures_reach_the_caller() {
    use quarry::ActiveRegression;
    let mut ctx = Context::new().unwrap();
    let (m, n) = (300, 3);
    let (a, b) = active_problem(54, m, n);
    let view = Dense::row_major(&a, m, n).unwrap();
    let answer = |rows: &[usize], labels: &mut [f64]| -> Result<(), quarry::BoxError> {
        labels.iter_mut().zip(rows).for_each(|(l, &r)| *l = b[r]);
        Ok(())
    };
    // The oracle's own error is the source of the Oracle error.
    let e = ActiveRegression::new(1.0, 30)
        .fit(&mut ctx, view, |_, _| Err(Unreachable.into()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oracle, "{e}");
    let source = std::error::Error::source(&e).expect("the oracle's error");
    assert!(source.downcast_ref::<Unreachable>().is_some());
    // A panic resumes here, after the C call: nothing unwinds through C.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = ActiveRegression::new(1.0, 30).fit(&mut ctx, view, |_, _| panic!("no labels"));
    }));
    let payload = caught.expect_err("the panic comes back");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"no labels"));
    // A NaN label: the library refuses it, with no source.
    let e = ActiveRegression::new(1.0, 30)
        .fit(&mut ctx, view, |_, labels| {
            labels[0] = f64::NAN;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oracle, "{e}");
    assert!(std::error::Error::source(&e).is_none());
    // p and the budget out of range: refused before any label is asked.
    let mut asked = 0;
    for (p, budget) in [(0.5, 30), (f64::NAN, 30), (1.0, n - 1), (1.0, m + 1)] {
        let e = ActiveRegression::new(p, budget)
            .fit(&mut ctx, view, |_, _| {
                asked += 1;
                Ok(())
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "p = {p}, budget {budget}: {e}");
    }
    assert_eq!(asked, 0);
    let wide = Dense::row_major(&a[..2 * n], 2, n).unwrap(); // m < n
    let e = ActiveRegression::new(1.0, 2).fit(&mut ctx, wide, answer).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    // The fit's iteration limit: the last iterate and the report come with NoConvergence.
    let e = ActiveRegression::new(1.0, 30).max_iterations(1).fit(&mut ctx, view, answer);
    let e = e.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoConvergence, "{e}");
    match e.into_partial() {
        Some(Partial::Solution(s)) => {
            assert_eq!(s.x.len(), n);
            assert_eq!(s.report.i64(report_key::QUERIES), Some(30));
            assert_eq!(s.report.i64(report_key::ITERATIONS), Some(1));
        }
        other => panic!("expected the last iterate, got {other:?}"),
    }
    // The context still works, with approximate Lewis weights too.
    let fit = ActiveRegression::new(1.5, 60).approximate().seed(4).fit(&mut ctx, view, answer);
    assert_eq!(fit.unwrap().report.i64(report_key::QUERIES), Some(60));
}

/// The Kronecker product of row-major a (m x n) and b (p x q), formed: (m p) x (n q).
fn kron(a: &[f64], (m, n): (usize, usize), b: &[f64], (p, q): (usize, usize)) -> Vec<f64> {
    let entry = |row: usize, col: usize| a[row / p * n + col / q] * b[row % p * q + col % q];
    (0..m * p).flat_map(|row| (0..n * q).map(move |col| entry(row, col))).collect()
}

/// Factors of these shapes (Gaussian, row-major) and their Kronecker product, formed.
fn kron_problem(rng: &mut Rng, shapes: &[(usize, usize)]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let factors: Vec<Vec<f64>> = shapes.iter().map(|&(i, r)| rng.normals(i * r)).collect();
    let (mut k, mut shape) = (vec![1.0], (1, 1));
    for (f, &s) in factors.iter().zip(shapes) {
        k = kron(&k, shape, f, s);
        shape = (shape.0 * s.0, shape.1 * s.1);
    }
    (factors, k)
}

fn row_major_views<'a>(factors: &'a [Vec<f64>], shapes: &[(usize, usize)]) -> Vec<Dense<'a>> {
    factors.iter().zip(shapes).map(|(f, &(i, r))| Dense::row_major(f, i, r).unwrap()).collect()
}

/// Each factor column-major with two unused rows below it (leading dimension rows + 2).
fn padded_col_major(factors: &[Vec<f64>], shapes: &[(usize, usize)]) -> Vec<Vec<f64>> {
    let pad = |(f, &(i, r)): (&Vec<f64>, &(usize, usize))| -> Vec<f64> {
        transpose(f, i, r).chunks(i).flat_map(|c| c.iter().copied().chain([0.0; 2])).collect()
    };
    factors.iter().zip(shapes).map(pad).collect()
}

fn col_major_views<'a>(padded: &'a [Vec<f64>], shapes: &[(usize, usize)]) -> Vec<Dense<'a>> {
    let view = |(f, &(i, r)): (&'a Vec<f64>, &(usize, usize))| {
        Dense::new(f, i, r, Layout::ColMajor, i + 2).unwrap()
    };
    padded.iter().zip(shapes).map(view).collect()
}

#[test]
fn kronecker_regression_is_the_ridge_solution_of_the_formed_product() {
    use quarry::KroneckerRegression;
    let mut ctx = Context::new().unwrap();
    let shapes = [(7, 3), (5, 4)];
    let (m, n, lambda) = (35, 12, 1e-3);
    let mut rng = Rng(61);
    let (factors, k) = kron_problem(&mut rng, &shapes);
    let b = rng.normals(m);
    let want = ridge_reference(&k, m, n, &b, lambda);
    let scale = want.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    let padded = padded_col_major(&factors, &shapes);
    let views = [row_major_views(&factors, &shapes), col_major_views(&padded, &shapes)];
    for (view, method) in views.iter().zip([Method::Auto, Method::Direct]) {
        let s = KroneckerRegression::new().method(method).ridge(lambda);
        let sol = s.solve(&mut ctx, view, &b).unwrap();
        assert!(max_diff(&sol.x, &want) <= 1e-10 * scale, "{:?}", view[0].layout());
        let direct = i64::from(quarry::sys::QUARRY_LSTSQ_DIRECT);
        assert_eq!(sol.report.i64(report_key::METHOD), Some(direct));
        assert_eq!(sol.report.i64(report_key::QUERIES), Some(m as i64));
        let r: Vec<f64> = matvec(&k, m, n, &sol.x).iter().zip(&b).map(|(kx, b)| kx - b).collect();
        let (rr, xx, bb) = (dot(&r, &r), dot(&sol.x, &sol.x), dot(&b, &b));
        let objective = sol.report.f64(report_key::OBJECTIVE).unwrap();
        assert!((objective - rr - lambda * xx).abs() <= 1e-10 * bb, "{objective}");
        let norm = sol.report.f64(report_key::RESIDUAL_NORM).unwrap();
        assert!((norm - rr.sqrt()).abs() <= 1e-10 * bb.sqrt(), "{norm}");
    }
}

fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

#[test]
fn kronecker_multiply_is_the_formed_product() {
    let mut ctx = Context::new().unwrap();
    let shapes = [(3, 2), (4, 5), (2, 3)]; // a wide factor too
    let (m, n) = (24, 30);
    let mut rng = Rng(62);
    let (factors, k) = kron_problem(&mut rng, &shapes);
    let (x, z) = (rng.normals(n), rng.normals(m));
    let (kx, ktz) = (matvec(&k, m, n, &x), matvec(&transpose(&k, m, n), n, m, &z));
    let padded = padded_col_major(&factors, &shapes);
    for view in [row_major_views(&factors, &shapes), col_major_views(&padded, &shapes)] {
        let y = quarry::kronecker_multiply(&mut ctx, &view, false, &x).unwrap();
        assert!(max_diff(&y, &kx) <= 1e-12 * dot(&kx, &kx).sqrt());
        let y = quarry::kronecker_multiply(&mut ctx, &view, true, &z).unwrap();
        assert!(max_diff(&y, &ktz) <= 1e-12 * dot(&ktz, &ktz).sqrt());
    }
}

#[test]
fn sampled_kronecker_regression_reads_b_or_asks_for_the_same_rows() {
    use quarry::KroneckerRegression;
    let mut ctx = Context::new().unwrap();
    let shapes = [(60, 4), (50, 3)];
    let (m, n) = (3000, 12);
    let mut rng = Rng(63);
    let (factors, k) = kron_problem(&mut rng, &shapes);
    let x0 = rng.normals(n);
    let b: Vec<f64> = matvec(&k, m, n, &x0).iter().map(|v| v + 0.01 * rng.normal()).collect();
    let view = row_major_views(&factors, &shapes);
    let exact = KroneckerRegression::new().solve(&mut ctx, &view, &b).unwrap();
    let s = KroneckerRegression::new().samples(600).seed(5).tolerance(1e-12);
    let sampled = s.clone().method(Method::SketchSolve).solve(&mut ctx, &view, &b).unwrap();
    let (mut asked, mut batches) = (Vec::new(), 0i64);
    let labelled = s
        .solve_labels(&mut ctx, &view, |rows, labels| {
            assert_eq!(rows.len(), labels.len());
            assert!(rows.len() <= 4096 && rows.windows(2).all(|r| r[0] < r[1]));
            batches += 1;
            asked.extend_from_slice(rows);
            labels.iter_mut().zip(rows).for_each(|(l, &r)| *l = b[r]);
            Ok(())
        })
        .unwrap();
    assert_eq!(labelled.x, sampled.x, "the same seed: the same rows, the same x");
    assert!(asked.windows(2).all(|r| r[0] < r[1]) && asked.iter().all(|&r| r < m));
    let sketch_solve = i64::from(quarry::sys::QUARRY_LSTSQ_SKETCH_SOLVE);
    for sol in [&sampled, &labelled] {
        assert_eq!(sol.report.i64(report_key::METHOD), Some(sketch_solve));
        assert_eq!(sol.report.i64(report_key::QUERIES), Some(asked.len() as i64));
        assert_eq!(sol.report.i64(report_key::SKETCH_ROWS), Some(600));
        assert!(sol.report.i64(report_key::ITERATIONS).unwrap() >= 1);
    }
    assert_eq!(labelled.report.i64(report_key::BATCHES), Some(batches));
    assert!(labelled.report.f64(report_key::ORACLE_SECONDS).is_some());
    // Near the exact fit, from a fraction of b.
    let mut residual = |x: &[f64]| {
        let kx = quarry::kronecker_multiply(&mut ctx, &view, false, x).unwrap();
        kx.iter().zip(&b).map(|(p, b)| (p - b) * (p - b)).sum::<f64>().sqrt()
    };
    let (best, got) = (residual(&exact.x), residual(&sampled.x));
    assert!(got <= 1.1 * best, "{got} vs {best}");
    assert!(asked.len() < m / 4, "{} of {m} entries read", asked.len());
    let other = s.seed(6).method(Method::SketchSolve).solve(&mut ctx, &view, &b).unwrap();
    assert_ne!(other.x, sampled.x);
}

#[test]
fn kronecker_regression_failures_reach_the_caller() {
    use quarry::KroneckerRegression;
    let mut ctx = Context::new().unwrap();
    let shapes = [(20, 3), (10, 2)];
    let m = 200;
    let mut rng = Rng(64);
    let (factors, _) = kron_problem(&mut rng, &shapes);
    let view = row_major_views(&factors, &shapes);
    let b = rng.normals(m);
    let s = KroneckerRegression::new();
    // The oracle's own error is the source of the Oracle error.
    let e = s.solve_labels(&mut ctx, &view, |_, _| Err(Unreachable.into())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oracle, "{e}");
    let source = std::error::Error::source(&e).expect("the oracle's error");
    assert!(source.downcast_ref::<Unreachable>().is_some());
    // A panic resumes here, after the C call.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = s.solve_labels(&mut ctx, &view, |_, _| panic!("no labels"));
    }));
    assert_eq!(caught.expect_err("the panic").downcast_ref::<&str>(), Some(&"no labels"));
    // A NaN label: the library refuses it, with no source.
    let nan = |_: &[usize], labels: &mut [f64]| -> Result<(), quarry::BoxError> {
        labels[0] = f64::NAN;
        Ok(())
    };
    let e = s.solve_labels(&mut ctx, &view, nan).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oracle, "{e}");
    assert!(std::error::Error::source(&e).is_none());
    // The exact solver cannot take labels: refused before any is asked.
    let mut asked = 0;
    let direct = s.clone().method(Method::Direct);
    let e = direct
        .solve_labels(&mut ctx, &view, |_, _| {
            asked += 1;
            Ok(())
        })
        .unwrap_err();
    assert_eq!((e.kind(), asked), (ErrorKind::InvalidArgument, 0), "{e}");
    // Bad arguments.
    let e = s.clone().method(Method::GramPrecondition).solve(&mut ctx, &view, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = s.clone().ridge(-1.0).solve(&mut ctx, &view, &b).unwrap_err();
    assert!(e.message().contains("RIDGE"), "{e}");
    let e = s.solve(&mut ctx, &view, &b[1..]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let e = s.solve(&mut ctx, &[], &[1.0]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let at = transpose(&factors[1], 10, 2);
    let mixed = [view[0], Dense::col_major(&at, 10, 2).unwrap()];
    let e = s.solve(&mut ctx, &mixed, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadLayout, "{e}");
    let e = quarry::kronecker_multiply(&mut ctx, &mixed, false, &[0.0; 6]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadLayout, "{e}");
    let e = quarry::kronecker_multiply(&mut ctx, &view, true, &[0.0; 6]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let mut bad = factors[0].clone();
    bad[5] = f64::NAN;
    let nonfinite = [Dense::row_major(&bad, 20, 3).unwrap(), view[1]];
    let e = s.solve(&mut ctx, &nonfinite, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite, "{e}");
    // The sampled solver's iteration limit: the last iterate and the report.
    let s = s.method(Method::SketchSolve).tolerance(1e-15).max_iterations(1);
    let e = s.solve(&mut ctx, &view, &b).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoConvergence, "{e}");
    match e.into_partial() {
        Some(Partial::Solution(sol)) => {
            assert_eq!(sol.x.len(), 6);
            assert_eq!(sol.report.i64(report_key::ITERATIONS), Some(1));
        }
        other => panic!("expected the last iterate, got {other:?}"),
    }
}

/// Inserts rows `lo..hi` of the row-major `a` (m x n) and their labels into `d`: a
/// row-major view, or a column-major copy with a padded leading dimension.
fn insert_rows(
    ctx: &mut Context,
    d: &mut quarry::DynamicLstsq,
    (a, n, b): (&[f64], usize, &[f64]),
    (lo, hi): (usize, usize),
    col_major: bool,
) {
    let rows = &a[lo * n..hi * n];
    let padded: Vec<f64> = transpose(rows, hi - lo, n)
        .chunks((hi - lo).max(1))
        .flat_map(|c| c.iter().copied().chain([0.0; 3]))
        .collect();
    let view = if col_major {
        Dense::new(&padded, hi - lo, n, Layout::ColMajor, hi - lo + 3).unwrap()
    } else {
        Dense::row_major(rows, hi - lo, n).unwrap()
    };
    d.insert(ctx, view, &b[lo..hi]).unwrap();
}

#[test]
fn dynamic_least_squares_is_the_normal_equations_solution_of_every_row_so_far() {
    use quarry::{DynamicLstsq, DynamicSettings};
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(71);
    let (m, n) = (1200, 8);
    let a = matrix(&mut rng, m, n, 10.0);
    let b = rng.normals(m);
    let direct = i64::from(quarry::sys::QUARRY_LSTSQ_DIRECT);
    for (lambda, method) in [(0.0, Method::Auto), (0.5, Method::Direct)] {
        let s = DynamicSettings::new().method(method).ridge(lambda);
        let mut d = DynamicLstsq::new(&mut ctx, n, &s).unwrap();
        assert_eq!(d.columns(), n);
        let mut rows = 0;
        for (k, batch) in [9, 1, 0, 300, 45, 256, 589].into_iter().enumerate() {
            insert_rows(&mut ctx, &mut d, (&a, n, &b), (rows, rows + batch), k % 2 == 1);
            rows += batch;
            let sol = d.solve(&mut ctx).unwrap();
            let want = ridge_reference(&a[..rows * n], rows, n, &b[..rows], lambda);
            let scale = want.iter().fold(0.0f64, |s, v| s.max(v.abs()));
            assert!(max_diff(&sol.x, &want) <= 1e-10 * scale, "lambda {lambda}, {rows} rows");
            assert_eq!(sol.report.i64(report_key::METHOD), Some(direct));
            assert_eq!(sol.report.i64(report_key::QUERIES), Some(rows as i64));
            assert_eq!(sol.report.i64(report_key::SKETCH_ROWS), Some(rows as i64));
            assert_eq!(sol.report.i64(report_key::RANK), Some(n as i64));
            let r: Vec<f64> = matvec(&a[..rows * n], rows, n, &sol.x)
                .iter()
                .zip(&b)
                .map(|(p, q)| p - q)
                .collect();
            let objective = dot(&r, &r) + lambda * dot(&sol.x, &sol.x);
            let got = sol.report.f64(report_key::OBJECTIVE).unwrap();
            assert!((got - objective).abs() <= 1e-10 * dot(&b[..rows], &b[..rows]), "{got}");
        }
    }
}

#[test]
fn dynamic_residuals_are_the_residuals_of_every_row_inserted() {
    use quarry::{DynamicLstsq, DynamicSettings};
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(72);
    let (m, n) = (700, 6);
    let a = matrix(&mut rng, m, n, 1.0);
    let b = rng.normals(m);
    for lambda in [0.0, 2.0] {
        let s = DynamicSettings::new().ridge(lambda);
        let mut d = DynamicLstsq::new(&mut ctx, n, &s).unwrap();
        insert_rows(&mut ctx, &mut d, (&a, n, &b), (0, 250), false);
        insert_rows(&mut ctx, &mut d, (&a, n, &b), (250, m), true);
        let x_opt = d.solve(&mut ctx).unwrap().x;
        for x in [rng.normals(n), x_opt, vec![0.0; n]] {
            let r: Vec<f64> = matvec(&a, m, n, &x).iter().zip(&b).map(|(p, q)| p - q).collect();
            let want = (dot(&r, &r) + lambda * dot(&x, &x)).sqrt();
            let got = d.residual(&mut ctx, &x).unwrap();
            assert!((got - want).abs() <= 1e-12 * want, "lambda {lambda}: {got} vs {want}");
        }
    }
}

#[test]
fn sampled_dynamic_least_squares_nears_the_minimum_from_fewer_rows() {
    use quarry::{DynamicLstsq, DynamicSettings};
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(73);
    let (m, n, batch) = (20000, 5, 1000);
    let a = rng.normals(m * n);
    let x0 = rng.normals(n);
    let b: Vec<f64> = matvec(&a, m, n, &x0).iter().map(|v| v + 0.5 * rng.normal()).collect();
    let mut exact = DynamicLstsq::new(&mut ctx, n, &DynamicSettings::new()).unwrap();
    let s = DynamicSettings::new().method(Method::SketchSolve).tolerance(0.1).seed(3);
    let mut sampled = DynamicLstsq::new(&mut ctx, n, &s).unwrap();
    for lo in (0..m).step_by(batch) {
        insert_rows(&mut ctx, &mut exact, (&a, n, &b), (lo, lo + batch), false);
        insert_rows(&mut ctx, &mut sampled, (&a, n, &b), (lo, lo + batch), false);
    }
    let best = exact.solve(&mut ctx).unwrap();
    let sol = sampled.solve(&mut ctx).unwrap();
    let min = best.report.f64(report_key::OBJECTIVE).unwrap();
    let got = exact.residual(&mut ctx, &sol.x).unwrap().powi(2);
    assert!(got <= 1.1 * min, "objective {got} vs the minimum {min}");
    let sketch_solve = i64::from(quarry::sys::QUARRY_LSTSQ_SKETCH_SOLVE);
    assert_eq!(sol.report.i64(report_key::METHOD), Some(sketch_solve));
    assert_eq!(sol.report.i64(report_key::QUERIES), Some(m as i64));
    let kept = sol.report.i64(report_key::SKETCH_ROWS).unwrap();
    assert!(kept >= n as i64 && kept < m as i64, "{kept} of {m} rows kept");
    assert_eq!(best.report.i64(report_key::SKETCH_ROWS), Some(m as i64));
}

#[test]
fn dynamic_least_squares_refuses_bad_input_and_keeps_its_rows() {
    use quarry::{DynamicLstsq, DynamicSettings};
    let mut ctx = Context::new().unwrap();
    let mut rng = Rng(74);
    let (m, n) = (50, 4);
    let mut a = matrix(&mut rng, m, n, 1.0);
    let mut b = rng.normals(m);
    let e = DynamicLstsq::new(&mut ctx, 0, &DynamicSettings::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let s = DynamicSettings::new();
    let e = DynamicLstsq::new(&mut ctx, n, &s.clone().method(Method::GramPrecondition));
    assert_eq!(e.unwrap_err().kind(), ErrorKind::InvalidArgument);
    let sampled = s.clone().method(Method::SketchSolve);
    let e = DynamicLstsq::new(&mut ctx, n, &sampled.tolerance(0.0)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = DynamicLstsq::new(&mut ctx, n, &s.clone().ridge(-1.0)).unwrap_err();
    assert!(e.message().contains("RIDGE"), "{e}");

    let mut d = DynamicLstsq::new(&mut ctx, n, &s).unwrap();
    insert_rows(&mut ctx, &mut d, (&a, n, &b), (0, 30), false);
    let before = d.solve(&mut ctx).unwrap();
    // A NaN in A or in b: nothing of the batch goes in.
    a[31 * n + 2] = f64::NAN;
    let view = Dense::row_major(&a[30 * n..], m - 30, n).unwrap();
    let e = d.insert(&mut ctx, view, &b[30..]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite, "{e}");
    a[31 * n + 2] = 0.0;
    b[40] = f64::INFINITY;
    let view = Dense::row_major(&a[30 * n..], m - 30, n).unwrap();
    let e = d.insert(&mut ctx, view, &b[30..]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite, "{e}");
    assert_eq!(d.solve(&mut ctx).unwrap().x, before.x);
    let e = d.residual(&mut ctx, &[f64::NAN; 4]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NonFinite, "{e}");
    // Shapes: checked before C reads anything.
    let view = Dense::row_major(&a[..30], 10, 3).unwrap();
    let e = d.insert(&mut ctx, view, &b[..10]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let view = Dense::row_major(&a[..40], 10, n).unwrap();
    let e = d.insert(&mut ctx, view, &b[..9]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let e = d.residual(&mut ctx, &[0.0; 3]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let after = d.solve(&mut ctx).unwrap();
    assert_eq!(after.x, before.x);
    assert_eq!(after.report.i64(report_key::QUERIES), Some(30));
}
