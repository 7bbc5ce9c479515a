#include "lstsq/lstsq.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "core/blas.hpp"
#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "lstsq/factor.hpp"
#include "lstsq/operator.hpp"
#include "sketch/sketch.hpp"

namespace quarry::lstsq {

namespace {

using detail::conjugate_gradients;
using detail::dot;
using detail::Factor;
using detail::gram_factor;
using detail::kEps;
using detail::kRankTolerance;
using detail::kSingularRcond;
using detail::norm2;
using detail::scaled_norm;
using detail::Work;

// One refinement step asks conjugate gradients for at most this reduction (less when
// cond(A) u is larger); the next step starts from a freshly computed residual.
constexpr double kStepReduction = 1e-8;
// Refinement stops when a step shrinks the preconditioned gradient by less than this
// factor: rounding in computing it has taken over.
constexpr double kStagnation = 0.5;
// At most this many refinement steps (each one fresh residual and one conjugate-gradient
// solve); two or three reach the rounding floor up to cond(A) = 1e12.
constexpr int kMaxSteps = 8;

// Column j of a dense matrix as a pointer and a stride.
template <class T>
T* column(const core::DenseView<T>& v, int64_t j, int64_t* inc) {
  *inc = v.layout == core::Layout::ColMajor ? 1 : v.ld;
  return v.layout == core::Layout::ColMajor ? v.data + j * v.ld : v.data + j;
}

// True when the sketch dropped a direction A does not: a sparse sketch with about n rows
// can miss a row of A (an empty row of S), and S A then looks rank deficient when A is
// not. Checks ||A v|| for every dropped right singular vector v, one pass each.
bool sketch_lost_rank(const Operator& op, const Factor& f, double a_norm) {
  std::vector<double> w(static_cast<size_t>(op.cols()));
  for (int64_t t = 0; t < f.dropped(); ++t) {
    const std::vector<double> v = f.dropped_vector(t);
    op.gram(v.data(), w.data());
    if (std::sqrt(std::max(0.0, dot(v.data(), w.data(), op.cols()))) >
        std::sqrt(kRankTolerance) * a_norm) {
      return true;
    }
  }
  return false;
}

// What sketch and solve and sketch and precondition start from: S B (s x nrhs,
// column-major) and the factor of S A (see Factor).
struct SketchedProblem {
  std::vector<double> sb;
  Factor factor;
};

SketchedProblem sketch_problem(int64_t threads, const Operator& op, core::DenseView<const double> b,
                               int64_t s, double ridge, bool svd, const Settings& st) {
  const int64_t n = op.cols();
  const sketch::Sketch sk(st.sketch_kind, s, op.rows(), st.sketch_nnz, st.state, threads);
  std::vector<double> sb(static_cast<size_t>(core::checked_mul(s, b.cols, "sketch rows x nrhs")));
  sk.apply(threads, b, core::DenseView<double>{core::Layout::ColMajor, s, b.cols, sb.data(), s});
  Factor f(s, n, ridge, svd, [&](int64_t ld) {
    std::vector<double> sa(static_cast<size_t>(core::checked_mul(ld, n, "sketch rows x n")));
    op.sketch(sk, sa.data(), ld);
    return sa;
  });
  return {std::move(sb), std::move(f)};
}

// What one right-hand side's solve ends with.
struct Outcome {
  int64_t iterations = 0;
  bool converged = true;
  double residual_norm = 0;   // ||b - A x||
  double backward_error = 0;  // the bound of the report
};

// The residual pass at x: r = b - A x, g = A^T r - lambda x; returns
// sqrt(||A x||^2 + lambda ||x||^2), the scale of the stopping test.
double residual_pass(const Operator& op, double ridge, const double* b, int64_t incb,
                     const double* x, Work& wk) {
  op.residual(x, b, incb, wk.r.data(), wk.g.data());
  const int64_t m = op.rows(), n = op.cols();
  for (int64_t j = 0; j < n; ++j) wk.g[static_cast<size_t>(j)] -= ridge * x[j];
  // ||A x|| = ||b - r||, scaled by the largest entry as norm2 does.
  const double fit =
      scaled_norm(m, [&](int64_t i) { return b[i * incb] - wk.r[static_cast<size_t>(i)]; });
  const double xn = norm2(x, n);
  return std::sqrt(fit * fit + ridge * xn * xn);
}

// The report's backward-error bound at the state of the last residual pass, for the
// augmented problem min ||[A; sqrt(lambda) I] x - [b; 0]|| that ridge regression is (plain
// least squares at lambda = 0): with r_aug = [r; -sqrt(lambda) x], x solves it exactly
// for the augmented matrix changed by r_aug x^T / ||x||^2 (a consistent system) or by
// -r_aug r_aug^T A_aug / ||r_aug||^2 (Stewart), and A_aug^T r_aug = A^T r - lambda x = g,
// so min(||r_aug|| / ||x||, ||g|| / ||r_aug||) / ||A_aug||_F bounds it.
double backward_bound(const Operator& op, double a_norm, double ridge, const double* x,
                      const Work& wk) {
  const double rn = norm2(wk.r.data(), op.rows());
  const double xn = norm2(x, op.cols());
  const double gn = norm2(wk.g.data(), op.cols());
  const double r_aug = std::sqrt(rn * rn + ridge * xn * xn);
  const double a_aug = std::sqrt(a_norm * a_norm + ridge * double(op.cols()));
  if (r_aug == 0 || a_aug == 0) return 0;
  double bound = gn / r_aug;
  if (xn > 0) bound = std::min(bound, r_aug / xn);
  return bound / a_aug;
}

// The refinement loop of the tall and the wide solves. Each step: residual() computes the
// gradient at the current iterate into wk.g (f's dimension) and returns the scale of the
// stopping test; conjugate gradients solve P^T M P d = P^T g (system(u, w): w = M u) to a
// relative reduction the conditioning allows; advance(u) adds u = P d to the iterate.
// Stops at the tolerance, when a step gains less than half (the rounding floor of the
// computed gradient; a step that lost ground is undone by undo()), or, not converged, at
// the iteration budget or after kMaxSteps steps.
template <class Residual, class System, class Advance, class Undo>
Outcome refinement(const Factor& f, const Settings& settings, int64_t budget, Work& wk,
                   Residual residual, System system, Advance advance, Undo undo) {
  // A step cannot gain more than about cond(A) u: A (P q) loses that much to rounding
  // (A P is well conditioned, P and A are not), so asking conjugate gradients for more
  // only wastes iterations; refinement steps make up the rest.
  const double reduction = std::clamp(f.condition() * kEps, kStepReduction, 0.1);
  Outcome out;
  double previous = std::numeric_limits<double>::infinity();
  bool cut_short = false;
  for (int step = 0;; ++step) {
    const double scale = residual();
    f.apply_t(wk.g.data(), wk.h.data());
    const double hn = norm2(wk.h.data(), f.rank());
    if (hn <= settings.tolerance * scale || hn == 0) break;
    if (cut_short) {  // the last step ran out of iterations before its target
      out.converged = false;
      break;
    }
    if (step > 0 && hn > kStagnation * previous) {
      if (hn > previous) undo();
      break;
    }
    if (step == kMaxSteps || out.iterations >= budget) {
      out.converged = false;
      break;
    }
    previous = hn;
    const double target = std::max(settings.tolerance * scale, reduction * hn);
    cut_short = !conjugate_gradients(f, hn, target, budget, out.iterations, wk, system);
    f.apply(wk.y.data(), wk.u.data());
    advance(wk.u.data());
  }
  return out;
}

// Sketch and precondition with refinement, from x (n entries, the sketch-and-solve start):
// conjugate gradients on P^T (A^T A + lambda I) P d = P^T g, g = A^T (b - A x) - lambda x.
Outcome refine(const Operator& op, const Factor& f, double ridge, double a_norm, const double* b,
               int64_t incb, double* x, const Settings& settings, int64_t budget, Work& wk) {
  const int64_t n = op.cols();
  Outcome out = refinement(
      f, settings, budget, wk,
      [&] {
        // The last step's residual and gradient are kept, at x_before, should it be undone.
        std::swap(wk.r, wk.r_before);
        std::swap(wk.g, wk.g_before);
        return residual_pass(op, ridge, b, incb, x, wk);
      },
      [&](const double* u, double* w) {
        op.gram(u, w);
        for (int64_t j = 0; j < n; ++j) w[j] += ridge * u[j];
      },
      [&](const double* u) {
        std::copy(x, x + n, wk.x_before.begin());
        for (int64_t j = 0; j < n; ++j) x[j] += u[j];
      },
      [&] {
        std::copy(wk.x_before.begin(), wk.x_before.end(), x);
        std::swap(wk.r, wk.r_before);
        std::swap(wk.g, wk.g_before);
      });
  out.residual_norm = norm2(wk.r.data(), op.rows());
  out.backward_error = backward_bound(op, a_norm, ridge, x, wk);
  return out;
}

// A copy of a CSR matrix (here: the transpose of one), and its view.
struct CsrCopy {
  std::vector<int64_t> row_ptr, col_idx;
  std::vector<double> val;
  core::CsrView<const double> view(int64_t rows, int64_t cols) const {
    return {rows, cols, row_ptr.data(), col_idx.data(), val.data()};
  }
};

// A^T as CSR (A's columns as rows, each in increasing row order): O(nnz + n).
CsrCopy transpose(const core::CsrView<const double>& a) {
  CsrCopy t;
  const int64_t nnz = a.nnz();
  t.row_ptr.assign(static_cast<size_t>(a.cols + 1), 0);
  t.col_idx.resize(static_cast<size_t>(nnz));
  t.val.resize(static_cast<size_t>(nnz));
  for (int64_t q = 0; q < nnz; ++q) ++t.row_ptr[static_cast<size_t>(a.col_idx[q] + 1)];
  for (int64_t j = 0; j < a.cols; ++j) {
    t.row_ptr[static_cast<size_t>(j + 1)] += t.row_ptr[static_cast<size_t>(j)];
  }
  std::vector<int64_t> next(t.row_ptr.begin(), t.row_ptr.end() - 1);
  for (int64_t i = 0; i < a.rows; ++i) {
    for (int64_t q = a.row_ptr[i]; q < a.row_ptr[i + 1]; ++q) {
      const int64_t p = next[static_cast<size_t>(a.col_idx[q])]++;
      t.col_idx[static_cast<size_t>(p)] = i;
      t.val[static_cast<size_t>(p)] = a.val[q];
    }
  }
  return t;
}

// The minimum-norm solve of an underdetermined A (m < n) for one right-hand side:
// x = A^T y with (A A^T + lambda I) y = b, the minimum-norm least-squares solution (the
// ridge solution with lambda > 0). f factors a sketch W = A S^T of A's columns (m x s,
// W W^T close to A A^T), so conjugate gradients on P^T (A A^T + lambda I) P d = P^T rho
// converge as fast as for tall problems; refined from rho = b - A x - lambda y in steps
// like refine's (two passes per iteration: A^T u, through op_t over a transposed copy of
// A, then A v). wk: Work(0, m, rank).
Outcome refine_min_norm(const Operator& op, const Operator& op_t, const Factor& f, double ridge,
                        double a_norm, const double* b, int64_t incb, double* x,
                        const Settings& settings, int64_t budget, Work& wk) {
  const int64_t m = op.rows(), n = op.cols();
  std::vector<double> y(static_cast<size_t>(m)), y_before(y), fit(y), v(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i) wk.g[static_cast<size_t>(i)] = b[i * incb];
  f.apply_t(wk.g.data(), wk.h.data());  // y = P P^T b: the sketched solve
  f.apply(wk.h.data(), y.data());
  Outcome out = refinement(
      f, settings, budget, wk,
      [&] {
        // x = A^T y and g = b - (A x + lambda y) = (A A^T + lambda I)(y* - y); ||P^T g|| is
        // about sqrt(||x* - x||^2 + lambda ||y* - y||^2), so the scale is the same norm of
        // (x, y).
        op_t.product(y.data(), x);
        op.product(x, fit.data());
        for (int64_t i = 0; i < m; ++i) {
          fit[static_cast<size_t>(i)] += ridge * y[static_cast<size_t>(i)];
          wk.g[static_cast<size_t>(i)] = b[i * incb] - fit[static_cast<size_t>(i)];
        }
        const double xn = norm2(x, n), yn = norm2(y.data(), m);
        return std::sqrt(xn * xn + ridge * yn * yn);
      },
      [&](const double* u, double* w) {
        op_t.product(u, v.data());
        op.product(v.data(), w);
        for (int64_t i = 0; i < m; ++i) w[i] += ridge * u[i];
      },
      [&](const double* u) {
        y_before = y;
        for (int64_t i = 0; i < m; ++i) y[static_cast<size_t>(i)] += u[i];
      },
      [&] {
        y = y_before;
        op_t.product(y.data(), x);
      });
  // The report's residual and backward-error bound, as for tall problems (r = b - A x and
  // g = A^T r - lambda x in working precision: the fused pass's n-long partial sums would
  // cost O(n) memory per chunk of rows here).
  Work rw(m, n, 1);
  op.product(x, rw.r.data());
  for (int64_t i = 0; i < m; ++i) {
    rw.r[static_cast<size_t>(i)] = b[i * incb] - rw.r[static_cast<size_t>(i)];
  }
  op_t.product(rw.r.data(), rw.g.data());
  for (int64_t j = 0; j < n; ++j) rw.g[static_cast<size_t>(j)] -= ridge * x[j];
  out.residual_norm = norm2(rw.r.data(), m);
  out.backward_error = backward_bound(op, a_norm, ridge, x, rw);
  return out;
}

void write_solution(const std::vector<double>& xs, int64_t n, int64_t nrhs,
                    core::DenseView<double> x) {
  for (int64_t j = 0; j < nrhs; ++j) {
    for (int64_t i = 0; i < n; ++i) x(i, j) = xs[static_cast<size_t>(i + j * n)];
  }
}

// Cost model (seconds on the reference machine of docs/lstsq.md; only ratios matter).
constexpr double kPassBandwidth = 20e9;   // bytes/s of one fused pass over A
constexpr double kSketchBandwidth = 8e9;  // bytes/s of a sparse-sign sketch of A
constexpr double kQrRate = 30e9;          // flop/s of dgeqrf on the sketch
constexpr double kMaxSketchRows = 8192;   // see plan()

// Iterations of conjugate gradients to reduce the error by `reduction` with a sketch of
// gamma n rows: the rate is about 1 / sqrt(gamma).
double iterations_for(double gamma, double reduction) {
  return std::log(reduction) / std::log(1 / std::sqrt(gamma));
}

struct Plan {
  bool sketched;
  int64_t sketch_rows;
};

// The sketched solve's time for gamma, per the cost model.
double sketched_time(double n, double nrhs, double bytes, double gamma, double reduction) {
  return bytes / kSketchBandwidth + 2 * gamma * n * n * n / kQrRate +
         nrhs * (iterations_for(gamma, reduction) + 3) * bytes / kPassBandwidth;
}

// Sketch rows (QUARRY_OPT_SKETCH_ROWS, or the plan's) must lie in [n, m] (n + 1 for sketch and
// solve without ridge, whose sketch must be taller than wide).
void check_sketch_rows(int64_t rows, int64_t m, int64_t n, const Settings& st) {
  const int64_t least = n + (st.method == QUARRY_LSTSQ_SKETCH_SOLVE && st.ridge == 0 ? 1 : 0);
  core::require(rows >= least && rows <= m, QUARRY_ERR_INVALID_ARGUMENT,
                "QUARRY_OPT_SKETCH_ROWS = {} is out of range: the sketch needs {} to {} rows", rows,
                least, m);
}

Plan plan(int64_t m, int64_t n, int64_t nrhs, double bytes, bool dense, const Settings& st) {
  // Dense A less than twice as tall as wide goes to LAPACK, whatever the method asked: a
  // sketch of it is no cheaper, and one with about n rows may lose A's rank.
  if (st.method == QUARRY_LSTSQ_DIRECT || (dense && m < 2 * n)) return {false, 0};
  if (st.method == QUARRY_LSTSQ_SKETCH_SOLVE) {
    return {true, st.sketch_rows > 0 ? st.sketch_rows : std::min(m, 10 * n)};
  }
  const double reduction = std::max(st.tolerance, 1e-16);
  double best_gamma = 4, best = std::numeric_limits<double>::infinity();
  for (double gamma : {4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0}) {
    // Above 4 n rows, at most kMaxSketchRows and m / 8: a sparse sign sketch slows down
    // once a panel of S A (8 columns) outgrows L2, and too tall a sketch saves nothing.
    if (gamma > 4 && gamma * double(n) > std::min(kMaxSketchRows, double(m) / 8)) break;
    const double t = sketched_time(double(n), double(nrhs), bytes, gamma, reduction);
    if (t < best) best = t, best_gamma = gamma;
  }
  const int64_t wanted = static_cast<int64_t>(best_gamma) * n;
  const int64_t rows = st.sketch_rows > 0 ? st.sketch_rows : std::min(wanted, m);
  if (st.method == QUARRY_LSTSQ_SKETCH_PRECONDITION ||
      st.method == QUARRY_LSTSQ_GRAM_PRECONDITION || !dense) {
    return {true, rows};
  }
  // Auto on dense A: LAPACK's QR runs at about 0.05 n GF/s up to 40 (panel-bound for
  // narrow A; measured, docs/lstsq.md).
  if (rows > m / 4) return {false, 0};
  const double rate = std::min(40e9, 0.05e9 * double(n));
  const double direct = (2.0 * double(m) * double(n) * double(n)) / rate;
  return {best < 0.8 * direct, rows};
}

// min ||A X - B|| through LAPACK on a copy of A (ridge: [A; sqrt(lambda) I]).
Result direct(core::DenseView<const double> a, core::DenseView<const double> b,
              std::vector<double>& xs, double ridge) {
  const int64_t m = a.rows, n = a.cols, nrhs = b.cols;
  const int64_t rows = m + (ridge > 0 ? n : 0);
  const int64_t ldb = std::max(rows, n);
  // Written entry by entry, not zeroed first: zeroing would be one more pass over a copy
  // as large as A.
  const auto copy_a = [&] {
    auto qa = std::make_unique_for_overwrite<double[]>(
        static_cast<size_t>(core::checked_mul(rows, n, "rows x n")));
    for (int64_t j = 0; j < n; ++j) {
      double* col = qa.get() + j * rows;
      if (a.layout == core::Layout::ColMajor) {
        std::copy(a.data + j * a.ld, a.data + j * a.ld + m, col);
      } else {
        for (int64_t i = 0; i < m; ++i) col[i] = a(i, j);
      }
      for (int64_t i = m; i < rows; ++i) col[i] = i - m == j ? std::sqrt(ridge) : 0.0;
    }
    return qa;
  };
  std::vector<double> qb(static_cast<size_t>(core::checked_mul(ldb, nrhs, "rows x nrhs")), 0.0);
  for (int64_t j = 0; j < nrhs; ++j) {
    for (int64_t i = 0; i < m; ++i) qb[static_cast<size_t>(i + j * ldb)] = b(i, j);
  }
  Result res;
  res.method = QUARRY_LSTSQ_DIRECT;
  auto qa = copy_a();
  bool solved = false;
  if (rows >= n) {
    std::vector<double> tau(static_cast<size_t>(n));
    core::qr_factor(rows, n, qa.get(), rows, tau.data());
    const double rcond = core::triangular_rcond(n, qa.get(), rows);
    if (rcond >= kSingularRcond) {
      core::qr_apply_qt(rows, n, qa.get(), rows, tau.data(), nrhs, qb.data(), ldb);
      for (int64_t j = 0; j < nrhs; ++j) {
        core::triangular_solve(false, n, qa.get(), rows, qb.data() + j * ldb);
      }
      res.rank = n;
      res.condition = 1 / rcond;
      solved = true;
    } else {
      qa = copy_a();
    }
  }
  if (!solved) {
    std::vector<double> sigma(static_cast<size_t>(std::min(rows, n)));
    res.rank = core::lstsq_svd(rows, n, nrhs, qa.get(), rows, qb.data(), ldb, sigma.data(),
                               kRankTolerance);
    res.condition = res.rank > 0 ? sigma[0] / sigma[static_cast<size_t>(res.rank - 1)] : 1.0;
  }
  for (int64_t j = 0; j < nrhs; ++j) {
    std::copy(qb.begin() + j * ldb, qb.begin() + j * ldb + n, xs.begin() + j * n);
  }
  return res;
}

template <class A>
Result solve_any(int64_t threads, const A& a, core::DenseView<const double> b,
                 core::DenseView<double> x, const Settings& st, bool dense) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t m = a.rows, n = a.cols, nrhs = b.cols;
  const Operator op(threads, a);
  std::vector<double> xs(static_cast<size_t>(core::checked_mul(n, nrhs, "n x nrhs")), 0.0);
  Result res;
  double bytes = 0;
  if constexpr (std::is_same_v<A, core::DenseView<const double>>) {
    bytes = 8.0 * double(m) * double(n);
  } else {
    bytes = 16.0 * double(a.nnz()) + 8.0 * double(m);
  }
  if (m == 0 || n == 0 || nrhs == 0) {   // X = 0, ||B||_F
    if (m > 0 && n > 0) op.frobenius();  // A is checked all the same
    res.method = st.method == QUARRY_LSTSQ_AUTO
                     ? (dense ? QUARRY_LSTSQ_DIRECT : QUARRY_LSTSQ_SKETCH_PRECONDITION)
                     : st.method;
    write_solution(xs, n, nrhs, x);
    double ss = 0;
    for (int64_t j = 0; j < nrhs; ++j) {
      int64_t incb = 0;
      const double* bj = column(b, j, &incb);
      const double bn = scaled_norm(m, [&](int64_t i) { return bj[i * incb]; });
      ss += bn * bn;
    }
    res.residual_norm = std::sqrt(ss);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
  }
  // A CSR A with m < n is sketched from the right (its columns): the roles of m and n swap.
  const bool wide = !dense && m < n;
  if (st.sketch_rows > 0 && (m >= n || wide)) {
    check_sketch_rows(st.sketch_rows, std::max(m, n), std::min(m, n), st);
  }
  const Plan p = wide ? plan(n, m, nrhs, bytes, dense, st) : plan(m, n, nrhs, bytes, dense, st);
  const double a_norm = op.frobenius();
  double residual_ss = 0;
  // LAPACK's solve, with the residual pass of the report for each right-hand side.
  const auto run_direct = [&] {
    if constexpr (std::is_same_v<A, core::DenseView<const double>>) {
      res = direct(a, b, xs, st.ridge);
    }
    Work wk(m, n, n);
    for (int64_t j = 0; j < nrhs; ++j) {
      int64_t incb = 0;
      const double* bj = column(b, j, &incb);
      residual_pass(op, st.ridge, bj, incb, xs.data() + j * n, wk);
      const double rn = norm2(wk.r.data(), m);
      residual_ss += rn * rn;
      res.backward_error =
          std::max(res.backward_error, backward_bound(op, a_norm, st.ridge, xs.data() + j * n, wk));
    }
  };
  // Preconditioned by the Cholesky factor of A^T A + lambda I: false (and nothing done)
  // when that factor would not precondition.
  const auto gram_solve = [&](const auto& ad, core::DenseView<const double> bd,
                              std::vector<double>& xv, Result& out) {
    std::vector<double> g(static_cast<size_t>(core::checked_mul(n, n, "n x n")));
    core::gram(ad.layout, m, n, ad.data, ad.ld, g.data());
    std::optional<Factor> f = gram_factor(g, n, st.ridge);
    if (!f) return false;
    out.method = QUARRY_LSTSQ_GRAM_PRECONDITION;
    out.rank = n;
    out.condition = f->condition();
    Work wk(m, n, n);
    const std::vector<double> zero(static_cast<size_t>(n), 0.0);
    for (int64_t j = 0; j < nrhs; ++j) {
      int64_t incb = 0;
      const double* bj = column(bd, j, &incb);
      double* xj = xv.data() + j * n;
      op.residual(zero.data(), bj, incb, wk.r.data(), wk.g.data());  // A^T b
      f->apply_t(wk.g.data(), wk.h.data());
      f->apply(wk.h.data(), xj);
      const Outcome o = refine(op, *f, st.ridge, a_norm, bj, incb, xj, st, st.max_iterations, wk);
      out.iterations += o.iterations;
      out.converged = out.converged && o.converged;
      residual_ss += o.residual_norm * o.residual_norm;
      out.backward_error = std::max(out.backward_error, o.backward_error);
    }
    return true;
  };
  bool done = false;
  if constexpr (std::is_same_v<A, core::DenseView<const double>>) {
    if (st.method == QUARRY_LSTSQ_GRAM_PRECONDITION && m >= n) done = gram_solve(a, b, xs, res);
  }
  if (done) {
    // gram_solve filled xs, the iterations and the residuals.
  } else if (!p.sketched) {
    run_direct();
  } else if (wide) {
    if constexpr (!std::is_same_v<A, core::DenseView<const double>>) {
      // W^T = S A^T (s x m, column-major) is W = A S^T written row-major.
      const int64_t s = p.sketch_rows;
      check_sketch_rows(s, n, m, st);
      const sketch::Sketch sk(st.sketch_kind, s, n, st.sketch_nnz, st.state, threads);
      const CsrCopy at = transpose(a);  // A^T u as a product over rows: no n-long partials
      const Operator op_t(threads, at.view(n, m));
      const Factor f(s, m, st.ridge, false, [&](int64_t ld) {
        std::vector<double> wt(static_cast<size_t>(core::checked_mul(ld, m, "sketch rows x m")));
        sk.apply_right(threads, a,
                       core::DenseView<double>{core::Layout::RowMajor, m, s, wt.data(), ld});
        return wt;
      });
      // A rank the sketch lost (||A^T v|| not small for a dropped direction v of W^T).
      std::vector<double> atv(static_cast<size_t>(n));
      for (int64_t t = 0; t < f.dropped(); ++t) {
        const std::vector<double> v = f.dropped_vector(t);
        op_t.product(v.data(), atv.data());
        core::require(norm2(atv.data(), n) <= std::sqrt(kRankTolerance) * a_norm,
                      QUARRY_ERR_NO_CONVERGENCE,
                      "the sketch of A's columns ({} rows) lost rank that A has: raise "
                      "QUARRY_OPT_SKETCH_ROWS (to {}: 2 m rows, at most n, are safe)",
                      s, std::min(2 * m, n));
      }
      res.method = QUARRY_LSTSQ_SKETCH_PRECONDITION;
      res.sketch_rows = s;
      res.rank = f.rank();
      res.condition = f.condition();
      Work wk(0, m, std::max<int64_t>(f.rank(), 1));
      for (int64_t j = 0; j < nrhs; ++j) {
        int64_t incb = 0;
        const double* bj = column(b, j, &incb);
        const Outcome o = refine_min_norm(op, op_t, f, st.ridge, a_norm, bj, incb,
                                          xs.data() + j * n, st, st.max_iterations, wk);
        res.iterations += o.iterations;
        res.converged = res.converged && o.converged;
        residual_ss += o.residual_norm * o.residual_norm;
        res.backward_error = std::max(res.backward_error, o.backward_error);
      }
    }
  } else {
    const int64_t s = p.sketch_rows;
    check_sketch_rows(s, m, n, st);
    const auto [sb, f] = sketch_problem(threads, op, b, s, st.ridge, false, st);
    if (sketch_lost_rank(op, f, a_norm)) {
      core::require(dense, QUARRY_ERR_NO_CONVERGENCE,
                    "the sketch of A ({} rows) lost rank that A has: raise "
                    "QUARRY_OPT_SKETCH_ROWS (at least 2 n = {} rows is safe)",
                    s, 2 * n);
      run_direct();
    } else {
      Work wk(m, n, std::max<int64_t>(f.rank(), 1));
      for (int64_t j = 0; j < nrhs; ++j) f.sketch_solve(sb.data() + j * s, xs.data() + j * n);
      res.method = st.method == QUARRY_LSTSQ_SKETCH_SOLVE ? QUARRY_LSTSQ_SKETCH_SOLVE
                                                          : QUARRY_LSTSQ_SKETCH_PRECONDITION;
      res.sketch_rows = s;
      res.rank = f.rank();
      res.condition = f.condition();
      double bound = 1;
      for (int64_t j = 0; j < nrhs; ++j) {
        int64_t incb = 0;
        const double* bj = column(b, j, &incb);
        double* xj = xs.data() + j * n;
        Outcome o;
        if (res.method == QUARRY_LSTSQ_SKETCH_SOLVE) {
          // A posteriori: ||A_aug (x - x*)|| <= (1 + sqrt(n / s)) ||P^T g|| when S embeds
          // A's range with distortion sqrt(n / s), and r^2 = r*^2 + ||A_aug (x - x*)||^2
          // (A_aug = [A; sqrt(lambda) I], r the augmented residual).
          residual_pass(op, st.ridge, bj, incb, xj, wk);
          f.apply_t(wk.g.data(), wk.h.data());
          const double e = (1 + std::sqrt(double(n) / double(s))) * norm2(wk.h.data(), f.rank());
          const double rn = norm2(wk.r.data(), m);
          const double xn = norm2(xj, n);
          const double obj = std::sqrt(rn * rn + st.ridge * xn * xn);
          bound = std::max(bound, e < obj ? obj / std::sqrt(obj * obj - e * e)
                                          : std::numeric_limits<double>::infinity());
          o.residual_norm = rn;
          o.backward_error = backward_bound(op, a_norm, st.ridge, xj, wk);
        } else {
          o = refine(op, f, st.ridge, a_norm, bj, incb, xj, st, st.max_iterations, wk);
        }
        res.iterations += o.iterations;
        res.converged = res.converged && o.converged;
        residual_ss += o.residual_norm * o.residual_norm;
        res.backward_error = std::max(res.backward_error, o.backward_error);
      }
      if (res.method == QUARRY_LSTSQ_SKETCH_SOLVE) res.residual_bound = bound;
    }
  }
  res.residual_norm = std::sqrt(residual_ss);
  write_solution(xs, n, nrhs, x);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

// The direct ridge path: one QR of A (m >= n) and one SVD of its R (or one SVD of A, m < n)
// give sigma, V and c = U^T Q^T b, and x(lambda) = V (Sigma^2 + lambda)^-1 Sigma c.
void direct_path(core::DenseView<const double> a, const double* b,
                 const std::vector<double>& lambdas, std::vector<double>& xs, Result& res) {
  const int64_t m = a.rows, n = a.cols;
  std::vector<double> qa(static_cast<size_t>(core::checked_mul(m, n, "m x n")));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) qa[static_cast<size_t>(i + j * m)] = a(i, j);
  }
  std::vector<double> c(static_cast<size_t>(m));
  std::copy(b, b + m, c.begin());
  const int64_t k = std::min(m, n);
  std::vector<double> sigma(static_cast<size_t>(k)), u(static_cast<size_t>(k * k)),
      vt(static_cast<size_t>(k * n)), cu(static_cast<size_t>(k), 0.0);
  if (m >= n) {
    std::vector<double> tau(static_cast<size_t>(n));
    core::qr_factor(m, n, qa.data(), m, tau.data());
    core::qr_apply_qt(m, n, qa.data(), m, tau.data(), 1, c.data(), m);
    std::vector<double> r(static_cast<size_t>(n * n), 0.0);
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i <= j; ++i)
        r[static_cast<size_t>(i + j * n)] = qa[static_cast<size_t>(i + j * m)];
    }
    qa = std::vector<double>();
    core::svd_thin(n, n, r.data(), n, sigma.data(), u.data(), n, vt.data(), n);
  } else {
    u.resize(static_cast<size_t>(m * m));
    core::svd_thin(m, n, qa.data(), m, sigma.data(), u.data(), m, vt.data(), k);
  }
  for (int64_t t = 0; t < k; ++t) cu[static_cast<size_t>(t)] = dot(u.data() + t * k, c.data(), k);
  int64_t rank = 0;
  while (rank < k && sigma[static_cast<size_t>(rank)] > kRankTolerance * sigma[0]) ++rank;
  for (size_t l = 0; l < lambdas.size(); ++l) {
    const double lambda = lambdas[l];
    double* x = xs.data() + static_cast<int64_t>(l) * n;
    std::fill(x, x + n, 0.0);
    for (int64_t t = 0; t < (lambda > 0 ? k : rank); ++t) {
      const double sg = sigma[static_cast<size_t>(t)];
      const double w = sg / (sg * sg + lambda) * cu[static_cast<size_t>(t)];
      for (int64_t j = 0; j < n; ++j) x[j] += w * vt[static_cast<size_t>(t + j * k)];
    }
  }
  res.method = QUARRY_LSTSQ_DIRECT;
  res.rank = rank;
  res.condition = rank > 0 ? sigma[0] / sigma[static_cast<size_t>(rank - 1)] : 1.0;
}

}  // namespace

Result solve(int64_t threads, core::DenseView<const double> a, core::DenseView<const double> b,
             core::DenseView<double> x, const Settings& settings) {
  return solve_any(threads, a, b, x, settings, true);
}

Result solve(int64_t threads, const core::CsrView<const double>& a, core::DenseView<const double> b,
             core::DenseView<double> x, const Settings& settings) {
  core::require(settings.method != QUARRY_LSTSQ_GRAM_PRECONDITION, QUARRY_ERR_UNSUPPORTED,
                "QUARRY_LSTSQ_GRAM_PRECONDITION needs a dense A");
  core::require(settings.method != QUARRY_LSTSQ_DIRECT, QUARRY_ERR_UNSUPPORTED,
                "QUARRY_LSTSQ_DIRECT needs a dense A; a sparse direct solver (SuiteSparseQR) "
                "does that job for CSR input");
  core::require(a.rows >= a.cols || settings.method != QUARRY_LSTSQ_SKETCH_SOLVE,
                QUARRY_ERR_UNSUPPORTED,
                "QUARRY_LSTSQ_SKETCH_SOLVE needs m >= n for a CSR A (got m = {}, n = {}); "
                "sketch and precondition (or auto) solves underdetermined sparse problems",
                a.rows, a.cols);
  return solve_any(threads, a, b, x, settings, false);
}

Result ridge_path(int64_t threads, core::DenseView<const double> a, const double* b,
                  const std::vector<double>& lambdas, core::DenseView<double> x,
                  const Settings& st) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t m = a.rows, n = a.cols, nl = static_cast<int64_t>(lambdas.size());
  const Operator op(threads, a);
  std::vector<double> xs(static_cast<size_t>(core::checked_mul(n, nl, "n x nlambda")), 0.0);
  Result res;
  if (st.sketch_rows > 0 && m >= n) check_sketch_rows(st.sketch_rows, m, n, st);
  const Plan p = plan(m, n, nl, 8.0 * double(m) * double(n), true, st);
  res.method = QUARRY_LSTSQ_DIRECT;
  if (m > 0 && n > 0) {
    const double a_norm = op.frobenius();
    const bool gram =
        m >= n && (st.method == QUARRY_LSTSQ_GRAM_PRECONDITION || st.method == QUARRY_LSTSQ_AUTO);
    const bool sketched = m >= 2 * n && (st.method == QUARRY_LSTSQ_SKETCH_PRECONDITION ||
                                         st.method == QUARRY_LSTSQ_SKETCH_SOLVE);
    bool done = false;
    Work wk(m, n, n);
    if (gram) {
      // The Gram matrix and A^T b, once: each lambda then costs a Cholesky factor of
      // A^T A + lambda I and a few passes. A lambda whose factor would not precondition
      // sends the whole path to LAPACK.
      std::vector<double> g(static_cast<size_t>(core::checked_mul(n, n, "n x n")));
      core::gram(a.layout, m, n, a.data, a.ld, g.data());
      const std::vector<double> zero(static_cast<size_t>(n), 0.0);
      op.residual(zero.data(), b, 1, wk.r.data(), wk.g.data());
      const std::vector<double> atb = wk.g;
      res.method = QUARRY_LSTSQ_GRAM_PRECONDITION;
      res.rank = n;
      res.condition = 0;
      done = true;
      for (int64_t l = 0; l < nl && done; ++l) {
        const double lambda = lambdas[static_cast<size_t>(l)];
        double* xl = xs.data() + l * n;
        const std::optional<Factor> f = gram_factor(g, n, lambda);
        if (!f) {
          done = false;
          break;
        }
        f->apply_t(atb.data(), wk.h.data());  // x0 = R^-1 R^-T A^T b
        f->apply(wk.h.data(), xl);
        const Outcome o = refine(op, *f, lambda, a_norm, b, 1, xl, st, st.max_iterations, wk);
        res.iterations += o.iterations;
        res.converged = res.converged && o.converged;
        res.condition = std::max(res.condition, f->condition());
      }
    } else if (sketched) {
      // One SVD of the sketch serves every lambda: P = V (Sigma^2 + lambda)^-1/2.
      const int64_t s = p.sketch_rows;
      auto [sb, f] = sketch_problem(
          threads, op, core::DenseView<const double>{core::Layout::ColMajor, m, 1, b, m}, s, 0.0,
          true, st);
      // A rank the sketch lost would be dropped at lambda = 0: LAPACK then.
      done = !sketch_lost_rank(op, f, a_norm);
      res.method = st.method;
      res.sketch_rows = s;
      res.rank = f.rank();
      res.condition = 0;
      for (int64_t l = 0; l < nl && done; ++l) {
        const double lambda = lambdas[static_cast<size_t>(l)];
        double* xl = xs.data() + l * n;
        f.set_ridge(lambda);
        f.sketch_solve(sb.data(), xl);
        res.condition = std::max(res.condition, f.condition());
        if (st.method == QUARRY_LSTSQ_SKETCH_PRECONDITION) {
          const Outcome o = refine(op, f, lambda, a_norm, b, 1, xl, st, st.max_iterations, wk);
          res.iterations += o.iterations;
          res.converged = res.converged && o.converged;
        }
      }
    }
    if (!done) {
      res = Result();
      direct_path(a, b, lambdas, xs, res);
    }
    // The report: the largest residual and backward-error bound over the path.
    for (int64_t l = 0; l < nl; ++l) {
      const double* xl = xs.data() + l * n;
      residual_pass(op, lambdas[static_cast<size_t>(l)], b, 1, xl, wk);
      res.residual_norm = std::max(res.residual_norm, norm2(wk.r.data(), m));
      res.backward_error = std::max(
          res.backward_error, backward_bound(op, a_norm, lambdas[static_cast<size_t>(l)], xl, wk));
    }
  } else {
    res.residual_norm = norm2(b, m);
  }
  write_solution(xs, n, nl, x);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace quarry::lstsq
