#include <quarry/lstsq.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "capi/boundary.hpp"
#include "core/philox.hpp"
#include "core/views.hpp"
#include "lstsq/lstsq.hpp"

using quarry::capi::with_context;
namespace core = quarry::core;
namespace lstsq = quarry::lstsq;

namespace {

lstsq::Settings settings_from(const quarry_options* opts) {
  lstsq::Settings st;
  int64_t seed = 0;
  if (opts != nullptr) {
    const core::Options& o = opts->core;
    st.method = static_cast<int32_t>(o.get<int64_t>(QUARRY_OPT_LSTSQ_METHOD).value_or(st.method));
    st.ridge = o.get<double>(QUARRY_OPT_RIDGE).value_or(st.ridge);
    st.tolerance = o.get<double>(QUARRY_OPT_TOLERANCE).value_or(st.tolerance);
    st.max_iterations = o.get<int64_t>(QUARRY_OPT_MAX_ITERATIONS).value_or(st.max_iterations);
    st.sketch_kind =
        static_cast<int32_t>(o.get<int64_t>(QUARRY_OPT_SKETCH_KIND).value_or(st.sketch_kind));
    st.sketch_rows = o.get<int64_t>(QUARRY_OPT_SKETCH_ROWS).value_or(0);
    st.sketch_nnz = o.get<int64_t>(QUARRY_OPT_SKETCH_NNZ).value_or(st.sketch_nnz);
    seed = o.get<int64_t>(QUARRY_OPT_SEED).value_or(0);
  }
  st.state = core::rng_state_from_seed(static_cast<uint64_t>(seed));
  return st;
}

// Runs solve() and hands out the report; QUARRY_ERR_NO_CONVERGENCE (with X and the report
// set) when the iteration limit was reached.
template <class Solve>
quarry_status run(quarry_context* ctx, quarry_report** report, Solve solve) {
  bool converged = true;
  if (report != nullptr) *report = nullptr;  // also when ctx is NULL
  const quarry_status status = with_context(ctx, [&] {
    const lstsq::Result r = solve();
    std::unique_ptr<quarry_report> rep;
    if (report != nullptr) {
      rep = std::make_unique<quarry_report>();
      auto& c = rep->core;
      c.set<int64_t>(QUARRY_REPORT_METHOD, r.method);
      c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
      c.set<int64_t>(QUARRY_REPORT_SKETCH_ROWS, r.sketch_rows);
      c.set<int64_t>(QUARRY_REPORT_RANK, r.rank);
      c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual_norm);
      c.set<double>(QUARRY_REPORT_BACKWARD_ERROR, r.backward_error);
      c.set<double>(QUARRY_REPORT_CONDITION_ESTIMATE, r.condition);
      c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
      if (r.residual_bound >= 0) c.set<double>(QUARRY_REPORT_RESIDUAL_BOUND, r.residual_bound);
    }
    if (!r.converged) {
      ctx->last_error = fmt::format(
          "no convergence within QUARRY_OPT_MAX_ITERATIONS ({} iterations); X holds the last "
          "iterate (backward-error bound {:.2e})",
          r.iterations, r.backward_error);
    }
    converged = r.converged;
    if (report != nullptr) *report = rep.release();
  });
  return status != QUARRY_OK ? status : converged ? QUARRY_OK : QUARRY_ERR_NO_CONVERGENCE;
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
    return lstsq::solve(ctx->core.threads(), av, bv, xv, settings_from(opts));
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
    return lstsq::solve(ctx->core.threads(), av, bv, xv, settings_from(opts));
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
    return lstsq::ridge_path(ctx->core.threads(), av, b, lv, xv, settings_from(opts));
  });
}

}  // extern "C"
