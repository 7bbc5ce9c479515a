#include <quarry/lstsq.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include "capi/boundary.hpp"
#include "capi/settings.hpp"
#include "core/philox.hpp"
#include "core/views.hpp"
#include "lstsq/dynamic.hpp"
#include "lstsq/lstsq.hpp"

using quarry::capi::with_report;
namespace core = quarry::core;
namespace lstsq = quarry::lstsq;

namespace {

// Runs solve() and hands out the report; QUARRY_ERR_NO_CONVERGENCE (with X and the report
// set) when the iteration limit was reached.
template <class Solve>
quarry_status run(quarry_context* ctx, quarry_report** report, Solve solve) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    const lstsq::Result r = solve();
    c.set<int64_t>(QUARRY_REPORT_METHOD, r.method);
    c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
    c.set<int64_t>(QUARRY_REPORT_SKETCH_ROWS, r.sketch_rows);
    c.set<int64_t>(QUARRY_REPORT_RANK, r.rank);
    c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual_norm);
    c.set<double>(QUARRY_REPORT_BACKWARD_ERROR, r.backward_error);
    c.set<double>(QUARRY_REPORT_CONDITION_ESTIMATE, r.condition);
    c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
    if (r.residual_bound >= 0) c.set<double>(QUARRY_REPORT_RESIDUAL_BOUND, r.residual_bound);
    if (r.converged) return {};
    return fmt::format(
        "no convergence within QUARRY_OPT_MAX_ITERATIONS ({} iterations); X holds the last "
        "iterate (backward-error bound {:.2e})",
        r.iterations, r.backward_error);
  });
}

}  // namespace

extern "C" {

quarry_status quarry_lstsq_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                               int64_t nrhs, const double* a, int64_t lda, const double* b,
                               int64_t ldb, double* x, int64_t ldx, const quarry_options* opts,
                               quarry_report** report) {
  return run(ctx, report, [&] {
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    const auto bv = core::dense_view("B", layout, m, nrhs, b, ldb);
    const auto xv = core::dense_view("X", layout, n, nrhs, x, ldx);
    core::require_finite("B", bv);  // A: in the solve's first pass (its Frobenius norm)
    return lstsq::solve(ctx->core.threads(), av, bv, xv, quarry::capi::lstsq_settings(opts));
  });
}

quarry_status quarry_lstsq_csr_f64(quarry_context* ctx, int64_t m, int64_t n, int64_t nrhs,
                                   const int64_t* row_ptr, const int64_t* col_idx,
                                   const double* val, int32_t layout_b, const double* b,
                                   int64_t ldb, double* x, int64_t ldx, const quarry_options* opts,
                                   quarry_report** report) {
  return run(ctx, report, [&] {
    const auto av = core::csr_view("A", m, n, row_ptr, col_idx, val);
    const auto bv = core::dense_view("B", layout_b, m, nrhs, b, ldb);
    const auto xv = core::dense_view("X", layout_b, n, nrhs, x, ldx);
    core::require_finite("B", bv);
    return lstsq::solve(ctx->core.threads(), av, bv, xv, quarry::capi::lstsq_settings(opts));
  });
}

quarry_status quarry_ridge_path_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                                    const double* a, int64_t lda, const double* b, int64_t nlambda,
                                    const double* lambdas, double* x, int64_t ldx,
                                    const quarry_options* opts, quarry_report** report) {
  return run(ctx, report, [&] {
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    const auto bv = core::dense_view("b", QUARRY_COL_MAJOR, m, 1, b, std::max<int64_t>(m, 1));
    core::require(nlambda >= 1, QUARRY_ERR_BAD_DIMENSION, "nlambda = {} must be >= 1", nlambda);
    core::require(lambdas != nullptr, QUARRY_ERR_NULL_POINTER, "lambdas is NULL");
    const auto xv = core::dense_view("X", layout, n, nlambda, x, ldx);
    std::vector<double> lv(lambdas, lambdas + nlambda);
    for (int64_t j = 0; j < nlambda; ++j) {
      core::require(std::isfinite(lv[j]) && lv[j] >= 0, QUARRY_ERR_INVALID_ARGUMENT,
                    "lambdas[{}] = {} must be finite and >= 0", j, lv[j]);
    }
    core::require(opts == nullptr || !opts->core.get<double>(QUARRY_OPT_RIDGE).has_value(),
                  QUARRY_ERR_INVALID_ARGUMENT,
                  "QUARRY_OPT_RIDGE is set, but a ridge path takes its lambdas as an argument");
    core::require_finite("b", bv);  // A: in the path's first pass (its Frobenius norm)
    return lstsq::ridge_path(ctx->core.threads(), av, b, lv, xv,
                             quarry::capi::lstsq_settings(opts));
  });
}

quarry_status quarry_dynamic_lstsq_create(quarry_context* ctx, int64_t n,
                                          const quarry_options* opts, quarry_dynamic_lstsq** out) {
  return quarry::capi::with_context(ctx, [&] {
    quarry::capi::deref(out, "out") = nullptr;
    core::require(n >= 1, QUARRY_ERR_BAD_DIMENSION, "n = {} must be >= 1", n);
    *out = new quarry_dynamic_lstsq{lstsq::DynamicLstsq(n, quarry::capi::dynamic_settings(opts))};
  });
}

void quarry_dynamic_lstsq_destroy(quarry_dynamic_lstsq* d) { delete d; }

quarry_status quarry_dynamic_lstsq_insert_f64(quarry_context* ctx, quarry_dynamic_lstsq* d,
                                              int32_t layout, int64_t count, const double* a,
                                              int64_t lda, const double* b) {
  return quarry::capi::with_context(ctx, [&] {
    lstsq::DynamicLstsq& h = quarry::capi::deref(d, "d").core;
    core::require(count >= 0, QUARRY_ERR_BAD_DIMENSION, "count = {} must be >= 0", count);
    const auto av = core::dense_view("A", layout, count, h.columns(), a, lda);
    if (count == 0) return;
    const auto bv = core::dense_view("b", QUARRY_COL_MAJOR, count, 1, b, count);
    core::require_finite("A", av);  // before any row goes in: a bad batch leaves d as it was
    core::require_finite("b", bv);
    h.insert(av, b);
  });
}

quarry_status quarry_dynamic_lstsq_solve_f64(quarry_context* ctx, const quarry_dynamic_lstsq* d,
                                             double* x, quarry_report** report) {
  return with_report(ctx, report, [&](core::Report& c) -> std::string {
    const auto t0 = std::chrono::steady_clock::now();
    const lstsq::DynamicLstsq& h = quarry::capi::deref(d, "d").core;
    core::dense_view("x", QUARRY_COL_MAJOR, h.columns(), 1, x, h.columns());
    const lstsq::DynamicSolution sol = h.solve(x);
    c.set<int64_t>(QUARRY_REPORT_METHOD,
                   h.sampled() ? QUARRY_LSTSQ_SKETCH_SOLVE : QUARRY_LSTSQ_DIRECT);
    c.set<int64_t>(QUARRY_REPORT_QUERIES, h.rows());
    c.set<int64_t>(QUARRY_REPORT_SKETCH_ROWS, h.kept());
    c.set<int64_t>(QUARRY_REPORT_RANK, sol.rank);
    c.set<double>(QUARRY_REPORT_OBJECTIVE, sol.objective);
    c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, std::sqrt(sol.objective));
    c.set<double>(QUARRY_REPORT_SECONDS,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return {};
  });
}

quarry_status quarry_dynamic_lstsq_residual_f64(quarry_context* ctx, const quarry_dynamic_lstsq* d,
                                                const double* x, double* norm) {
  return quarry::capi::with_context(ctx, [&] {
    const lstsq::DynamicLstsq& h = quarry::capi::deref(d, "d").core;
    double& out = quarry::capi::deref(norm, "norm");
    const auto xv = core::dense_view("x", QUARRY_COL_MAJOR, h.columns(), 1, x, h.columns());
    core::require_finite("x", xv);
    out = h.residual(x);
  });
}

}  // extern "C"
