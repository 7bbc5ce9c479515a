#include "lstsq/weighted.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "core/blas.hpp"
#include "core/checked_int.hpp"
#include "core/philox.hpp"
#include "lstsq/factor.hpp"
#include "lstsq/operator.hpp"
#include "sketch/sketch.hpp"

namespace quarry::lstsq {

namespace {

using detail::Factor;
using detail::norm2;

// A kept sketch factor preconditions the new weights while conjugate gradients need at
// most this many iterations on them (a fresh one needs about 12 for 1e-8 at s = 4 n).
constexpr int64_t kReuseIterations = 24;
// A Gram factor this well conditioned (reciprocal condition of R at least this, so
// cond(A^T W A) u below about 1e-10) solves directly; a worse one preconditions conjugate
// gradients.
constexpr double kDirectRcond = 1e-3;
// Rows scaled into a buffer per dsyrk call or per block sketch.
constexpr int64_t kBlockRows = 8192;
// Cost model (seconds on the reference machine of docs/lstsq.md; only ratios matter).
constexpr double kSyrkRate = 40e9;          // flop/s of dsyrk on scaled rows
constexpr double kPassBandwidth = 20e9;     // bytes/s of one fused pass over A
constexpr double kSketchBandwidth = 6e9;    // bytes/s of a block sketch of scaled rows
constexpr double kSketchedIterations = 40;  // passes a sketch factor costs over a Gram one

size_t size(int64_t n) { return static_cast<size_t>(n); }

// Rows [i0, i0 + h) of A scaled by sqrt(w_i), into buf: row-major (ld n) or column-major
// (ld h).
void scaled_rows(core::DenseView<const double> a, const double* w, int64_t i0, int64_t h,
                 bool col_major, double* buf) {
  const int64_t n = a.cols;
  for (int64_t i = 0; i < h; ++i) {
    const double s = std::sqrt(w[i0 + i]);
    for (int64_t j = 0; j < n; ++j) {
      (col_major ? buf[i + j * h] : buf[i * n + j]) = s * a(i0 + i, j);
    }
  }
}

}  // namespace

struct WeightedSystem::Impl {
  int64_t threads;
  core::DenseView<const double> a;
  Settings st;
  Operator op;
  int32_t method = QUARRY_LSTSQ_GRAM_PRECONDITION;
  int64_t sketch_rows = 0;
  int64_t factorizations = 0;
  std::optional<Factor> factor;
  bool factor_is_gram = false;
  std::vector<double> buf;  // kBlockRows x n scaled rows
  detail::Work wk;

  Impl(int64_t threads_in, core::DenseView<const double> a_in, const Settings& settings)
      : threads(threads_in),
        a(a_in),
        st(settings),
        op(threads_in, a_in),
        buf(size(core::checked_mul(std::min(a_in.rows, kBlockRows), a_in.cols, "rows x n"))),
        wk(0, a_in.cols, a_in.cols) {
    const int64_t m = a.rows, n = a.cols;
    sketch_rows = std::min(m, st.sketch_rows > 0 ? st.sketch_rows : 4 * n);
    if (st.method == QUARRY_LSTSQ_SKETCH_PRECONDITION) {
      method = QUARRY_LSTSQ_SKETCH_PRECONDITION;
    } else if (st.method == QUARRY_LSTSQ_AUTO) {
      const double bytes = 8.0 * double(m) * double(n);
      const double gram = double(m) * double(n) * double(n) / kSyrkRate;
      const double sketched =
          bytes / kSketchBandwidth + kSketchedIterations * bytes / kPassBandwidth;
      if (sketched < gram && sketch_rows < m) method = QUARRY_LSTSQ_SKETCH_PRECONDITION;
    }
  }

  // The Cholesky factor of A^T W A, or nothing when it would not precondition.
  std::optional<Factor> gram_factor(const double* w) {
    const int64_t m = a.rows, n = a.cols;
    std::vector<double> g(size(n * n), 0.0);
    for (int64_t i0 = 0; i0 < m; i0 += kBlockRows) {
      const int64_t h = std::min(kBlockRows, m - i0);
      scaled_rows(a, w, i0, h, false, buf.data());
      core::gram_add(h, n, buf.data(), n, g.data());
    }
    // The row-major upper triangle is the column-major lower one: mirror it.
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < j; ++i) g[size(i + j * n)] = g[size(j + i * n)];
    }
    ++factorizations;
    return detail::gram_factor(g, n, 0);
  }

  // R from a QR of S W^(1/2) A: the sketch is a sum of independent block sketches, one
  // per kBlockRows rows (together one sketch of the kind with independent columns), so
  // the scaled rows never exist beyond one block.
  Factor sketch_factor(const double* w) {
    const int64_t m = a.rows, n = a.cols, s = sketch_rows;
    ++factorizations;
    return Factor(s, n, 0, false, [&](int64_t ld) {
      std::vector<double> sa(size(core::checked_mul(ld, n, "sketch rows x n")), 0.0);
      std::vector<double> part(size(s * n));
      for (int64_t i0 = 0, c = 0; i0 < m; i0 += kBlockRows, ++c) {
        const int64_t h = std::min(kBlockRows, m - i0);
        scaled_rows(a, w, i0, h, true, buf.data());
        const sketch::Sketch sk(st.sketch_kind, s, h, st.sketch_nnz,
                                core::rng_state_advance(st.state, static_cast<uint64_t>(c) << 40),
                                threads);
        sk.apply(threads,
                 core::DenseView<const double>{core::Layout::ColMajor, h, n, buf.data(), h},
                 core::DenseView<double>{core::Layout::ColMajor, s, n, part.data(), s});
        for (int64_t j = 0; j < n; ++j) {
          for (int64_t i = 0; i < s; ++i) sa[size(i + j * ld)] += part[size(i + j * s)];
        }
      }
      return sa;
    });
  }

  // Conjugate gradients with the current factor on the correction to d (d = 0: from
  // scratch), d += P y; at most `budget` more iterations.
  bool iterate(const double* g, double* d, bool from_zero, double tolerance, int64_t budget,
               int64_t& iterations) {
    const int64_t n = a.cols;
    std::vector<double> res(g, g + n);
    if (!from_zero) {  // res = g - A^T W A d
      op.gram(d, wk.w.data());
      ++iterations;
      for (int64_t j = 0; j < n; ++j) res[size(j)] -= wk.w[size(j)];
    }
    wk.h.resize(size(factor->rank()));
    wk.y.resize(wk.h.size());
    wk.res.resize(wk.h.size());
    wk.q.resize(wk.h.size());
    wk.pw.resize(wk.h.size());
    factor->apply_t(res.data(), wk.h.data());
    factor->apply_t(g, wk.pw.data());
    const double target = tolerance * norm2(wk.pw.data(), factor->rank());
    const double hn = norm2(wk.h.data(), factor->rank());
    if (hn <= target || hn == 0) {
      if (from_zero) std::fill(d, d + n, 0.0);
      return true;
    }
    const bool done =
        detail::conjugate_gradients(*factor, hn, target, iterations + budget, iterations, wk,
                                    [&](const double* u, double* out) { op.gram(u, out); });
    factor->apply(wk.y.data(), wk.u.data());
    for (int64_t j = 0; j < n; ++j) d[j] = (from_zero ? 0.0 : d[j]) + wk.u[size(j)];
    return done;
  }
};

WeightedSystem::WeightedSystem(int64_t threads, core::DenseView<const double> a,
                               const Settings& settings)
    : impl_(std::make_unique<Impl>(threads, a, settings)) {}

WeightedSystem::~WeightedSystem() = default;

int32_t WeightedSystem::method() const { return impl_->method; }

int64_t WeightedSystem::factorizations() const { return impl_->factorizations; }

WeightedSystem::Outcome WeightedSystem::solve(const double* w, const double* g, double* d,
                                              double tolerance, int64_t max_iterations) {
  Impl& im = *impl_;
  const int64_t n = im.a.cols;
  im.op.set_weights(w);
  Outcome out;
  if (im.method == QUARRY_LSTSQ_GRAM_PRECONDITION) {
    std::optional<Factor> gram = im.gram_factor(w);
    if (gram) {
      im.factor = std::move(gram);
      im.factor_is_gram = true;
    } else {
      // A^T W A not positive definite with positive weights is A's own rank deficiency
      // (or W's zeros): it will not pass for the next weights either, so the sketch
      // preconditioner (an SVD of the sketch when rank deficient) takes over for good,
      // and is kept from one solve to the next.
      im.method = QUARRY_LSTSQ_SKETCH_PRECONDITION;
      if (im.factor_is_gram) im.factor.reset();
      im.factor_is_gram = false;
    }
    if (im.factor && im.factor->condition() <= 1 / kDirectRcond) {
      std::vector<double> h(size(n));
      im.factor->apply_t(g, h.data());
      im.factor->apply(h.data(), d);
      return out;
    }
  }
  // A kept sketch factor first, on a short leash; else (or then) a fresh one.
  bool from_zero = true;
  if (im.factor && !im.factor_is_gram) {
    const int64_t budget = std::min(kReuseIterations, max_iterations);
    if (im.iterate(g, d, true, tolerance, budget, out.iterations)) return out;
    from_zero = false;
  } else if (im.factor) {  // an ill-conditioned Gram factor: conjugate gradients with it
    out.converged = im.iterate(g, d, true, tolerance, max_iterations, out.iterations);
    return out;
  }
  im.factor = im.sketch_factor(w);
  im.factor_is_gram = false;
  out.converged = im.iterate(g, d, from_zero, tolerance,
                             std::max<int64_t>(0, max_iterations - out.iterations), out.iterations);
  return out;
}

}  // namespace quarry::lstsq
