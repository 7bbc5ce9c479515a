#include <quarry/regress.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "capi/boundary.hpp"
#include "capi/settings.hpp"
#include "core/philox.hpp"
#include "core/views.hpp"
#include "regress/active.hpp"
#include "regress/huber.hpp"
#include "regress/kronecker.hpp"
#include "regress/lp.hpp"
#include "sketch/sampling.hpp"

using quarry::capi::with_report;
namespace core = quarry::core;
namespace regress = quarry::regress;

namespace {

// The largest p of l_p regression. Beyond about 100 the smoothed objectives are so stiff
// that Newton's method crawls (p = 300 failed on a noisy Gaussian problem of the tests;
// the limit to the minimax fit is a linear program, not offered yet).
constexpr double kMaxP = 100;

// The most factors of a Kronecker product (each of at least one row and column).
constexpr int32_t kMaxFactors = 64;

// The factors A_n (rows[n] x cols[n], leading dimension ld[n], all in one layout),
// validated and checked finite, as the row-major copies (and SVDs) the solvers use.
regress::KroneckerFactors kronecker_factors(int32_t layout, int32_t nfactors, const int64_t* rows,
                                            const int64_t* cols, const double* const* factors,
                                            const int64_t* ld, bool with_svd = true) {
  core::require(nfactors >= 1 && nfactors <= kMaxFactors, QUARRY_ERR_BAD_DIMENSION,
                "nfactors = {} must lie in [1, {}]", nfactors, kMaxFactors);
  core::require(rows != nullptr && cols != nullptr && factors != nullptr && ld != nullptr,
                QUARRY_ERR_NULL_POINTER, "rows, cols, factors and ld must not be NULL");
  std::vector<core::DenseView<const double>> views;
  for (int32_t n = 0; n < nfactors; ++n) {
    core::require(rows[n] >= 1 && cols[n] >= 1, QUARRY_ERR_BAD_DIMENSION,
                  "factor {} is {} x {}: each needs at least one row and one column", n, rows[n],
                  cols[n]);
    const std::string name = fmt::format("factors[{}]", n);
    views.push_back(core::dense_view(name.c_str(), layout, rows[n], cols[n], factors[n], ld[n]));
    core::require_finite(name.c_str(), views.back());
  }
  return regress::KroneckerFactors(views, with_svd);
}

// Kronecker regression's report, and the message when conjugate gradients did not converge.
std::string kronecker_report(const regress::KroneckerResult& r, bool labels, core::Report& c) {
  c.set<int64_t>(QUARRY_REPORT_METHOD, r.sampled ? QUARRY_LSTSQ_SKETCH_SOLVE : QUARRY_LSTSQ_DIRECT);
  c.set<int64_t>(QUARRY_REPORT_QUERIES, r.entries);
  c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
  if (r.sampled) {
    c.set<int64_t>(QUARRY_REPORT_SKETCH_ROWS, r.samples);
    c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
  } else {
    c.set<double>(QUARRY_REPORT_OBJECTIVE, r.objective);
    c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual_norm);
  }
  if (labels) {
    c.set<int64_t>(QUARRY_REPORT_BATCHES, r.oracle.batches);
    c.set<double>(QUARRY_REPORT_ORACLE_SECONDS, r.oracle.seconds);
  }
  if (r.converged) return {};
  return fmt::format(
      "conjugate gradients on the sampled rows did not reach QUARRY_OPT_TOLERANCE within "
      "QUARRY_OPT_MAX_ITERATIONS ({} iterations); x holds the last iterate",
      r.iterations);
}

}  // namespace

extern "C" {

quarry_status quarry_huber_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                               const double* a, int64_t lda, const double* b, double epsilon,
                               double* x, double* scale, const quarry_options* opts,
                               quarry_report** report) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    core::require(m >= 1 && n >= 1, QUARRY_ERR_BAD_DIMENSION, "m = {} and n = {} must be >= 1", m,
                  n);
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    const auto bv = core::dense_view("b", QUARRY_COL_MAJOR, m, 1, b, m);
    core::dense_view("x", QUARRY_COL_MAJOR, n, 1, x, n);
    regress::HuberSettings st;
    st.epsilon = epsilon;
    if (opts != nullptr) {
      const core::Options& o = opts->core;
      st.scale = o.get<double>(QUARRY_OPT_HUBER_SCALE).value_or(st.scale);
      st.ridge = o.get<double>(QUARRY_OPT_RIDGE).value_or(st.ridge);
    }
    quarry::capi::read_limits(opts, st.tolerance, st.max_iterations);
    if (st.scale == 0) {
      core::require(std::isfinite(epsilon) && epsilon >= 1, QUARRY_ERR_INVALID_ARGUMENT,
                    "epsilon = {} must be finite and >= 1 when the scale is estimated (below 1 "
                    "the objective is minimized by sigma -> 0)",
                    epsilon);
    } else {
      core::require(std::isfinite(epsilon) && epsilon > 0, QUARRY_ERR_INVALID_ARGUMENT,
                    "epsilon = {} must be finite and > 0", epsilon);
    }
    core::require_finite("b", bv);  // A: in the solve's first pass (its Gram matrix)
    const regress::HuberResult r = regress::huber(av, b, x, st);
    if (scale != nullptr) *scale = r.scale;
    c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
    c.set<double>(QUARRY_REPORT_OBJECTIVE, r.objective);
    c.set<int64_t>(QUARRY_REPORT_OUTLIERS, r.outliers);
    c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual_norm);
    c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
    if (r.stalled) {
      return fmt::format(
          "the line search stalled after {} iterations, short of the minimum (A may be too "
          "ill-conditioned); x holds the last iterate (objective {:.17g})",
          r.iterations, r.objective);
    }
    if (r.converged) return {};
    return fmt::format(
        "no convergence within QUARRY_OPT_MAX_ITERATIONS ({} iterations); x holds the last "
        "iterate (objective {:.17g})",
        r.iterations, r.objective);
  });
}

quarry_status quarry_lp_regression_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                                       const double* a, int64_t lda, const double* b, double p,
                                       double* x, const quarry_options* opts,
                                       quarry_report** report) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    core::require(n >= 1 && m >= n, QUARRY_ERR_BAD_DIMENSION,
                  "m = {} and n = {}: l_p regression needs n >= 1 and m >= n", m, n);
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    const auto bv = core::dense_view("b", QUARRY_COL_MAJOR, m, 1, b, m);
    core::dense_view("x", QUARRY_COL_MAJOR, n, 1, x, n);
    core::require(p >= 1 && p <= kMaxP, QUARRY_ERR_INVALID_ARGUMENT,
                  "p = {} must lie in [1, {}] (below 1 the problem is not convex; beyond {} "
                  "Newton's method on the smoothed objectives crawls)",
                  p, kMaxP, kMaxP);
    regress::LpSettings st = quarry::capi::lp_settings(opts, p);
    st.inner = quarry::capi::lstsq_settings(opts);
    core::require(st.inner.ridge == 0, QUARRY_ERR_INVALID_ARGUMENT,
                  "QUARRY_OPT_RIDGE = {}: l_p regression takes no ridge", st.inner.ridge);
    const int32_t method = st.inner.method;
    core::require(method == QUARRY_LSTSQ_AUTO || method == QUARRY_LSTSQ_GRAM_PRECONDITION ||
                      method == QUARRY_LSTSQ_SKETCH_PRECONDITION,
                  QUARRY_ERR_INVALID_ARGUMENT,
                  "QUARRY_OPT_LSTSQ_METHOD = {}: l_p regression takes QUARRY_LSTSQ_AUTO, "
                  "QUARRY_LSTSQ_GRAM_PRECONDITION or QUARRY_LSTSQ_SKETCH_PRECONDITION",
                  method);
    core::require(
        st.inner.sketch_rows == 0 || (st.inner.sketch_rows >= n && st.inner.sketch_rows <= m),
        QUARRY_ERR_INVALID_ARGUMENT,
        "QUARRY_OPT_SKETCH_ROWS = {} is out of range: the sketch needs {} to {} rows",
        st.inner.sketch_rows, n, m);
    const int32_t kind = st.inner.sketch_kind;
    core::require(kind == QUARRY_SKETCH_SPARSE_SIGN || kind == QUARRY_SKETCH_COUNTSKETCH ||
                      kind == QUARRY_SKETCH_GAUSSIAN,
                  QUARRY_ERR_INVALID_ARGUMENT,
                  "QUARRY_OPT_SKETCH_KIND = {}: l_p regression sketches its weighted rows block "
                  "by block, which needs independent columns: QUARRY_SKETCH_SPARSE_SIGN, "
                  "QUARRY_SKETCH_COUNTSKETCH or QUARRY_SKETCH_GAUSSIAN",
                  kind);
    core::require_finite("A", av);
    core::require_finite("b", bv);
    const regress::LpResult r = regress::lp(ctx->core.threads(), av, b, x, st);
    c.set<int64_t>(QUARRY_REPORT_METHOD, r.method);
    c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
    c.set<double>(QUARRY_REPORT_OBJECTIVE, r.objective);
    c.set<double>(QUARRY_REPORT_DUAL_GAP, r.gap);
    c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual_norm);
    c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
    if (r.converged) return {};
    if (r.stalled) {
      return fmt::format(
          "no certificate after {} iterations: the smoothing reached its floor (A may be too "
          "ill-conditioned, or p too large); x holds the last iterate (objective {:.17g})",
          r.iterations, r.objective);
    }
    return fmt::format(
        "no convergence within QUARRY_OPT_MAX_ITERATIONS ({} iterations); x holds the last "
        "iterate (objective {:.17g}, duality gap {:.2e})",
        r.iterations, r.objective, r.gap);
  });
}

quarry_status quarry_active_regression_f64(quarry_context* ctx, int32_t layout, int64_t m,
                                           int64_t n, const double* a, int64_t lda, double p,
                                           quarry_label_fn labels, void* user, int64_t budget,
                                           double* x, const quarry_options* opts,
                                           quarry_report** report) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    core::require(n >= 1 && m >= n, QUARRY_ERR_BAD_DIMENSION,
                  "m = {} and n = {}: active regression needs n >= 1 and m >= n", m, n);
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    core::dense_view("x", QUARRY_COL_MAJOR, n, 1, x, n);
    core::require(labels != nullptr, QUARRY_ERR_NULL_POINTER, "labels (the oracle) is NULL");
    core::require(p >= 1 && p <= kMaxP, QUARRY_ERR_INVALID_ARGUMENT, "p = {} must lie in [1, {}]",
                  p, kMaxP);
    core::require(budget >= n && budget <= m, QUARRY_ERR_INVALID_ARGUMENT,
                  "budget = {} labels: it must lie in [n, m] = [{}, {}]", budget, n, m);
    regress::ActiveSettings st;
    st.budget = budget;
    // The options' tolerance and limit are the fit's: the weights keep their own.
    st.lewis = quarry::capi::lewis_settings(opts, p, false);
    st.state = core::rng_state_advance(st.lewis.leverage.state, quarry::sketch::kThirdStream);
    st.solve = quarry::capi::lp_settings(opts, p);
    // The fit's sketch (should its Newton systems need one) is the default kind and size:
    // the sketch options are the Lewis weights'.
    // Its stream starts 2^61 blocks into the sample's (which uses that stream's first m
    // blocks and the one 2^62 blocks on).
    st.solve.inner.state = core::rng_state_advance(st.state, uint64_t{1} << 61);
    core::require_finite("A", av);
    const regress::ActiveResult r = regress::active_regression(
        ctx->core.threads(), av,
        [&](int64_t count, const int64_t* rows, double* out) {
          const int32_t rc = labels(count, rows, out, user);
          core::require(rc == 0, QUARRY_ERR_ORACLE, "the label oracle returned {} (rows {} to {})",
                        rc, rows[0], rows[count - 1]);
        },
        x, st);
    c.set<int64_t>(QUARRY_REPORT_QUERIES, r.labels);
    c.set<int64_t>(QUARRY_REPORT_BATCHES, r.batches);
    c.set<double>(QUARRY_REPORT_ORACLE_SECONDS, r.oracle_seconds);
    c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.fit.iterations);
    c.set<double>(QUARRY_REPORT_OBJECTIVE, r.fit.objective);
    c.set<double>(QUARRY_REPORT_DUAL_GAP, r.fit.gap);
    c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
    std::string message;
    if (!r.lewis_converged) {
      message =
          "the Lewis weights did not converge within 100 rounds (the rows were sampled by "
          "the last round's weights)";
    }
    if (!r.fit.converged) {
      message += fmt::format(
          "{}the fit on the sampled rows did not converge {} ({} iterations, duality gap "
          "{:.2e}); x holds its last iterate",
          message.empty() ? "" : "; ",
          r.fit.stalled ? "(the smoothing reached its floor)" : "within QUARRY_OPT_MAX_ITERATIONS",
          r.fit.iterations, r.fit.gap);
    }
    return message;
  });
}

quarry_status quarry_kronecker_regression_f64(quarry_context* ctx, int32_t layout, int32_t nfactors,
                                              const int64_t* rows, const int64_t* cols,
                                              const double* const* factors, const int64_t* ld,
                                              const double* b, double* x,
                                              const quarry_options* opts, quarry_report** report) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    const regress::KroneckerSettings st = quarry::capi::kronecker_settings(opts, false);
    const regress::KroneckerFactors f =
        kronecker_factors(layout, nfactors, rows, cols, factors, ld);
    core::dense_view("b", QUARRY_COL_MAJOR, f.total_rows(), 1, b, f.total_rows());
    core::dense_view("x", QUARRY_COL_MAJOR, f.total_cols(), 1, x, f.total_cols());
    // b is checked as it is read: in full by the exact solver, its sampled entries by the
    // sampled one.
    return kronecker_report(regress::kronecker_regression(f, b, nullptr, x, st), false, c);
  });
}

quarry_status quarry_kronecker_regression_labels_f64(
    quarry_context* ctx, int32_t layout, int32_t nfactors, const int64_t* rows, const int64_t* cols,
    const double* const* factors, const int64_t* ld, quarry_label_fn labels, void* user, double* x,
    const quarry_options* opts, quarry_report** report) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    const regress::KroneckerSettings st = quarry::capi::kronecker_settings(opts, true);
    const regress::KroneckerFactors f =
        kronecker_factors(layout, nfactors, rows, cols, factors, ld);
    core::dense_view("x", QUARRY_COL_MAJOR, f.total_cols(), 1, x, f.total_cols());
    core::require(labels != nullptr, QUARRY_ERR_NULL_POINTER, "labels (the oracle) is NULL");
    const regress::LabelFn fn = [&](int64_t count, const int64_t* idx, double* out) {
      const int32_t rc = labels(count, idx, out, user);
      core::require(rc == 0, QUARRY_ERR_ORACLE, "the label oracle returned {} (rows {} to {})", rc,
                    idx[0], idx[count - 1]);
    };
    return kronecker_report(regress::kronecker_regression(f, nullptr, &fn, x, st), true, c);
  });
}

quarry_status quarry_kronecker_multiply_f64(quarry_context* ctx, int32_t layout, int32_t nfactors,
                                            const int64_t* rows, const int64_t* cols,
                                            const double* const* factors, const int64_t* ld,
                                            int32_t transpose, const double* x, double* y) {
  return quarry::capi::with_context(ctx, [&] {
    core::require(transpose == 0 || transpose == 1, QUARRY_ERR_INVALID_ARGUMENT,
                  "transpose = {} must be 0 (y = K x) or 1 (y = K^T x)", transpose);
    const regress::KroneckerFactors f =
        kronecker_factors(layout, nfactors, rows, cols, factors, ld, false);
    const int64_t nin = transpose != 0 ? f.total_rows() : f.total_cols();
    const int64_t nout = transpose != 0 ? f.total_cols() : f.total_rows();
    const auto xv = core::dense_view("x", QUARRY_COL_MAJOR, nin, 1, x, nin);
    core::dense_view("y", QUARRY_COL_MAJOR, nout, 1, y, nout);
    f.multiply(transpose != 0, x, y);
    // A non-finite x reaches y (BLAS multiplies every entry, NaN and infinity times 0
    // included), so x is scanned only then: a valid call pays no pass for the check.
    if (!std::all_of(y, y + nout, [](double v) { return std::isfinite(v); })) {
      core::require_finite("x", xv);
    }
  });
}

}  // extern "C"
