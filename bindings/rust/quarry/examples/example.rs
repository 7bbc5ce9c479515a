//! quarry from Rust: copy a hidden ReLU network from its answers, then solve a tall
//! least-squares problem beside LAPACK's QR (the direct method, as dgels).
//!
//!     export PKG_CONFIG_PATH=<prefix>/lib/<triplet>/pkgconfig   # where quarry.pc is
//!     export LD_LIBRARY_PATH=<prefix>/lib/<triplet>               # where libquarry.so.0 is
//!     cargo run --release --example example

use quarry::{report_key, Context, Dense, Extract, Lstsq, Method, ReluNet, Weights};

fn main() -> Result<(), quarry::Error> {
    let mut ctx = Context::new()?;
    let mut hidden_ctx = Context::new()?; // the black box's own
    let mut seed = 2026u64;
    let mut normal = move || {
        // splitmix64 and Box-Muller: a deterministic demo without dependencies
        let mut next = || {
            seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let (u, v) = (next().max(1e-300), next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    };

    // A hidden 20-16-3 network behind a black box that answers batches of queries.
    let (d, k, c) = (20, 16, 3);
    let mut draw = |n: usize, scale: f64| (0..n).map(|_| normal() * scale).collect::<Vec<_>>();
    let weights = Weights {
        d,
        k,
        c,
        w: draw(k * d, 1.0 / (d as f64).sqrt()),
        b: draw(k, 1.0),
        a: draw(c * k, 1.0 / (k as f64).sqrt()),
        ..Weights::default()
    };
    let hidden = ReluNet::new(&mut ctx, &weights)?;
    let copy = Extract::new()
        .seed(1)
        .run(&mut ctx, d, c, |x, y| Ok(hidden.eval_into(&mut hidden_ctx, x, y)?))?;
    let z = draw(10000 * d, 1.0);
    let (want, got) = (hidden.eval(&mut ctx, &z)?, copy.net.eval(&mut ctx, &z)?);
    let norm = |v: &[f64]| v.iter().map(|t| t * t).sum::<f64>().sqrt();
    let diff: Vec<f64> = want.iter().zip(&got).map(|(p, q)| p - q).collect();
    let error = norm(&diff) / norm(&want);
    let queries = copy.report.i64(report_key::QUERIES).unwrap_or(0);
    println!("extraction: {queries} queries, relative error {error:.1e}");

    // A 100000 x 100 least-squares problem with columns scaled over six decades.
    let (m, n) = (100_000, 100);
    let mut a_data = draw(m * n, 1.0);
    for (i, v) in a_data.iter_mut().enumerate() {
        *v *= 10f64.powf(-6.0 * (i % n) as f64 / (n - 1) as f64);
    }
    let b: Vec<f64> =
        a_data.chunks(n).map(|row| row.iter().sum::<f64>() + 1e-3 * normal()).collect();
    let a = Dense::row_major(&a_data, m, n)?;
    let sol = Lstsq::new().solve(&mut ctx, a, &b)?;
    let lapack = Lstsq::new().method(Method::Direct).solve(&mut ctx, a, &b)?; // as dgels
    let residual = |x: &[f64]| {
        let dot = |row: &[f64]| row.iter().zip(x).map(|(p, q)| p * q).sum::<f64>();
        norm(&a_data.chunks(n).zip(&b).map(|(row, bi)| dot(row) - bi).collect::<Vec<_>>())
    };
    let ratio = residual(&sol.x) / residual(&lapack.x);
    let iterations = sol.report.i64(report_key::ITERATIONS).unwrap_or(0);
    println!("least squares: {iterations} iterations, residual / LAPACK QR's = {ratio:.15}");
    assert!(error < 1e-8 && ratio <= 1.0 + 1e-12);
    Ok(())
}
