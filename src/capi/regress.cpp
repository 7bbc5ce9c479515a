#include <quarry/regress.h>

#include <cmath>
#include <memory>

#include "capi/boundary.hpp"
#include "core/views.hpp"
#include "regress/huber.hpp"

using quarry::capi::with_context;
namespace core = quarry::core;
namespace regress = quarry::regress;

extern "C" {

quarry_status quarry_huber_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                               const double* a, int64_t lda, const double* b, double epsilon,
                               double* x, double* scale, const quarry_options* opts,
                               quarry_report** report) {
  bool converged = true;
  if (report != nullptr) *report = nullptr;  // also when ctx is NULL
  const quarry_status status = with_context(ctx, [&] {
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
      st.tolerance = o.get<double>(QUARRY_OPT_TOLERANCE).value_or(st.tolerance);
      st.max_iterations = o.get<int64_t>(QUARRY_OPT_MAX_ITERATIONS).value_or(st.max_iterations);
    }
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
    std::unique_ptr<quarry_report> rep;
    if (report != nullptr) {
      rep = std::make_unique<quarry_report>();
      auto& c = rep->core;
      c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
      c.set<double>(QUARRY_REPORT_OBJECTIVE, r.objective);
      c.set<int64_t>(QUARRY_REPORT_OUTLIERS, r.outliers);
      c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual_norm);
      c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
    }
    if (r.stalled) {
      ctx->last_error = fmt::format(
          "the line search stalled after {} iterations, short of the minimum (A may be too "
          "ill-conditioned); x holds the last iterate (objective {:.17g})",
          r.iterations, r.objective);
    } else if (!r.converged) {
      ctx->last_error = fmt::format(
          "no convergence within QUARRY_OPT_MAX_ITERATIONS ({} iterations); x holds the last "
          "iterate (objective {:.17g})",
          r.iterations, r.objective);
    }
    converged = r.converged;
    if (report != nullptr) *report = rep.release();
  });
  return status != QUARRY_OK ? status : converged ? QUARRY_OK : QUARRY_ERR_NO_CONVERGENCE;
}

}  // extern "C"
