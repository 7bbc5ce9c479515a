//! Random streams, sketches, leverage scores, sampling and simulated black boxes against
//! their definitions (quarry/rng.h, sketch.h, sampling.h, extract.h).

use quarry::{
    report_key, row_norms_squared, sample_weighted, BlackBox, Context, Csr, Dense, ErrorKind,
    Extract, Layout, Leverage, ReluNet, RngState, SampleTree, Sketch, SketchKind, Weights,
};

fn normals(ctx: &mut Context, seed: u64, n: usize) -> Vec<f64> {
    let mut v = vec![0.0; n];
    RngState::from_seed(seed).fill_normal(ctx, 0, &mut v).unwrap();
    v
}

#[test]
fn streams_are_pure_functions_of_state_and_offset() {
    let mut ctx = Context::with_threads(1).unwrap();
    let mut two = Context::with_threads(2).unwrap();
    let s = RngState::from_seed(42);
    let (mut a, mut b) = (vec![0.0; 1000], vec![0.0; 1000]);
    s.fill_normal(&mut ctx, 0, &mut a).unwrap();
    s.fill_normal(&mut two, 0, &mut b).unwrap();
    assert_eq!(a, b);
    // A piece generated on its own is the same piece of the whole stream.
    let mut tail = vec![0.0; 10];
    s.fill_normal(&mut ctx, 990, &mut tail).unwrap();
    assert_eq!(&a[990..], &tail[..]);
    // advance(k) starts k blocks (4 words each) later.
    let (mut words, mut later) = (vec![0u32; 40], vec![0u32; 20]);
    s.fill_u32(&mut ctx, 0, &mut words).unwrap();
    s.advance(5).fill_u32(&mut ctx, 0, &mut later).unwrap();
    assert_eq!(&words[20..], &later[..]);
    let mut u = vec![0.0; 100];
    s.fill_uniform(&mut ctx, 0, &mut u).unwrap();
    assert!(u.iter().all(|&x| x > 0.0 && x < 1.0));
    assert_ne!(RngState::from_seed(43), s);
}

/// S A computed from S's explicit columns (row-major A, m x n).
fn explicit(ctx: &mut Context, s: &Sketch, a: &[f64], m: usize, n: usize) -> Vec<f64> {
    let cols = s.columns(ctx, 0, m, Layout::RowMajor).unwrap();
    let r = cols.rows;
    let mut out = vec![0.0; r * n];
    for i in 0..r {
        for k in 0..m {
            for j in 0..n {
                out[i * n + j] += cols.get(i, k) * a[k * n + j];
            }
        }
    }
    out
}

#[test]
fn sketches_apply_as_their_explicit_matrix_in_every_form() {
    let mut ctx = Context::new().unwrap();
    let (m, n, r) = (300, 7, 40);
    let a = normals(&mut ctx, 1, m * n);
    let at: Vec<f64> =
        (0..n).flat_map(|j| (0..m).map(move |i| (i, j))).map(|(i, j)| a[i * n + j]).collect();
    let state = RngState::from_seed(9);
    let kinds = [
        SketchKind::Gaussian,
        SketchKind::Srht,
        SketchKind::CountSketch,
        SketchKind::SparseSign,
        SketchKind::UniformRows,
    ];
    for kind in kinds {
        let s = Sketch::new(&mut ctx, kind, r, m, &state).unwrap();
        assert_eq!((s.kind(), s.shape().0, s.shape().1), (kind, r, m));
        let want = explicit(&mut ctx, &s, &a, m, n);
        let sa = s.apply(&mut ctx, Dense::row_major(&a, m, n).unwrap()).unwrap();
        assert_eq!((sa.rows, sa.cols, sa.layout), (r, n, Layout::RowMajor));
        let err = sa.data.iter().zip(&want).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
        assert!(err < 1e-12, "{kind:?}: {err}");
        // Column-major input, and A^T S^T of the transposed data: the same numbers.
        let sa_col = s.apply(&mut ctx, Dense::col_major(&at, m, n).unwrap()).unwrap();
        let right = s.apply_right(&mut ctx, Dense::row_major(&at, n, m).unwrap()).unwrap();
        for i in 0..r {
            for j in 0..n {
                assert!((sa_col.get(i, j) - sa.get(i, j)).abs() < 1e-12, "{kind:?}");
                assert!((right.get(j, i) - sa.get(i, j)).abs() < 1e-12, "{kind:?}");
            }
        }
    }
    // A sparse A (here: every entry stored) gives the dense result, bitwise for the
    // non-Gaussian kinds.
    let row_ptr: Vec<i64> = (0..=m).map(|i| (i * n) as i64).collect();
    let col_idx: Vec<i64> = (0..m * n).map(|k| (k % n) as i64).collect();
    let csr = Csr::new(m, n, &row_ptr, &col_idx, &a).unwrap();
    let s = Sketch::sparse_sign(&mut ctx, r, m, 4, &state).unwrap();
    assert_eq!(s.shape().2, 4);
    let dense = s.apply(&mut ctx, Dense::row_major(&a, m, n).unwrap()).unwrap();
    let sparse = s.apply_csr(&mut ctx, csr, Layout::RowMajor).unwrap();
    assert_eq!(dense, sparse);
    let csr_t = Csr::new(m, n, &row_ptr, &col_idx, &a).unwrap(); // as n-feature samples
    let right = s.apply_right_csr(&mut ctx, csr_t, Layout::ColMajor);
    assert_eq!(right.unwrap_err().kind(), ErrorKind::BadDimension); // m features != 300 cols
                                                                    // Refusals carry the library's message.
    let e = Sketch::new(&mut ctx, SketchKind::UniformRows, m + 1, m, &state).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    let e = s.apply(&mut ctx, Dense::row_major(&a[..n * 10], 10, n).unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
}

#[test]
fn leverage_scores_and_row_norms_match_their_definitions() {
    let mut ctx = Context::new().unwrap();
    // A coherent matrix: [I_n; small noise]: the first n rows carry the subspace.
    let (m, n) = (2000, 10);
    let noise = normals(&mut ctx, 3, m * n);
    let a: Vec<f64> = (0..m * n)
        .map(|k| if k / n < n { f64::from(u8::from(k / n == k % n)) } else { 1e-3 * noise[k] })
        .collect();
    let view = Dense::row_major(&a, m, n).unwrap();
    let exact = Leverage::new().scores(&mut ctx, view).unwrap();
    assert!((exact.iter().sum::<f64>() - n as f64).abs() < 1e-10);
    assert!(exact[..n].iter().all(|&l| l > 0.99) && exact[n..].iter().all(|&l| l < 1e-3));
    let approx = Leverage::new().approximate().seed(5).scores(&mut ctx, view).unwrap();
    let close =
        exact.iter().zip(&approx).filter(|(e, a)| **a <= 2.0 * **e && **e <= 2.0 * **a).count();
    assert!(close as f64 >= 0.99 * m as f64, "{close} of {m} within a factor 2");
    let ridge = Leverage::new().ridge(1.0).scores(&mut ctx, view).unwrap();
    assert!(ridge.iter().zip(&exact).all(|(r, e)| *r <= *e + 1e-12));
    let norms = row_norms_squared(&mut ctx, view).unwrap();
    for (i, v) in norms.iter().enumerate() {
        let want: f64 = a[i * n..(i + 1) * n].iter().map(|x| x * x).sum();
        assert!((v - want).abs() <= 1e-14 * want.max(1e-300));
    }
    let e = Leverage::new().sketch_rows(0).approximate().scores(&mut ctx, view).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
}

#[test]
fn weighted_samples_and_trees_follow_their_weights() {
    let mut ctx = Context::new().unwrap();
    let state = RngState::from_seed(11);
    let w = [0.0, 1.0, 3.0, 0.0, 4.0];
    let total: f64 = w.iter().sum();
    let s = sample_weighted(&mut ctx, &w, 100, true, &state).unwrap();
    assert!(s.indices.windows(2).all(|p| p[0] <= p[1]));
    for (&i, &scale) in s.indices.iter().zip(&s.values) {
        assert!(w[i] > 0.0);
        assert!((scale - 1.0 / (100.0 * w[i] / total).sqrt()).abs() < 1e-12);
    }
    let distinct = sample_weighted(&mut ctx, &w, 3, false, &state).unwrap();
    assert_eq!(distinct.indices, vec![1, 2, 4]); // every positive weight, once
    let e = sample_weighted(&mut ctx, &w, 4, false, &state).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");

    let mut tree = SampleTree::new(&mut ctx, &w).unwrap();
    assert_eq!(tree.size(), (5, total));
    tree.update(&mut ctx, &[0, 4], &[2.0, 0.0]).unwrap();
    assert_eq!((tree.weight(0), tree.weight(4), tree.weight(5)), (Some(2.0), Some(0.0), None));
    let draws = tree.sample(&mut ctx, 1000, &state).unwrap();
    let total = tree.size().1;
    for (&i, &p) in draws.indices.iter().zip(&draws.values) {
        assert!([0, 1, 2].contains(&i) && (p - tree.weight(i).unwrap() / total).abs() < 1e-15);
    }
    let e = tree.update(&mut ctx, &[7], &[1.0]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadDimension, "{e}");
    assert!(tree.update(&mut ctx, &[1], &[f64::NAN]).is_err());
}

#[test]
fn simulated_black_boxes_answer_count_and_can_be_copied() {
    let mut ctx = Context::new().unwrap();
    let (d, k, c) = (8, 6, 2);
    let w = Weights {
        d,
        k,
        c,
        w: normals(&mut ctx, 20, k * d),
        b: normals(&mut ctx, 21, k),
        a: normals(&mut ctx, 22, c * k),
        ..Weights::default()
    };
    let net = ReluNet::new(&mut ctx, &w).unwrap();
    let x = normals(&mut ctx, 23, 50 * d);
    let want = net.eval(&mut ctx, &x).unwrap();
    let mut exact = BlackBox::new().build(&mut ctx, &net).unwrap();
    let mut y = vec![0.0; 50 * c];
    exact.eval(&x, &mut y).unwrap();
    assert_eq!((y.clone(), exact.queries()), (want.clone(), 50));
    let mut f32_box = BlackBox::new().float32().build(&mut ctx, &net).unwrap();
    f32_box.eval(&x, &mut y).unwrap();
    let err = y.iter().zip(&want).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
    assert!(err > 0.0 && err < 1e-5, "{err}");
    assert_eq!(exact.eval(&x[1..], &mut y).unwrap_err().kind(), ErrorKind::BadDimension);

    let copy = Extract::new().seed(2).run_black_box(&mut ctx, &mut exact).unwrap();
    assert_eq!(copy.report.i64(report_key::QUERIES).unwrap() as u64 + 50, exact.queries());
    let got = copy.net.eval(&mut ctx, &x).unwrap();
    let scale = want.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    assert!(got.iter().zip(&want).all(|(p, q)| (p - q).abs() <= 1e-8 * scale));
    let e = Extract::new().budget(30).run_black_box(&mut ctx, &mut exact).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Budget, "{e}");
    let _ = BlackBox::new().noise(-1.0).build(&mut ctx, &net).unwrap_err();
}
