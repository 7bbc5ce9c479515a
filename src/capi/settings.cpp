#include "capi/settings.hpp"

#include "capi/handles.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"

namespace core = quarry::core;

namespace quarry::capi {

namespace {

quarry_rng_state seed_state(const quarry_options* opts) {
  const int64_t seed = opts == nullptr ? 0 : opts->core.get<int64_t>(QUARRY_OPT_SEED).value_or(0);
  return core::rng_state_from_seed(static_cast<uint64_t>(seed));
}

// QUARRY_OPT_LSTSQ_METHOD of a solver that is exact (auto, direct) or sampled (sketch and
// solve): true for sampled; any other method is refused, naming the solver.
bool sampled_method(const core::Options& o, const char* solver) {
  const int64_t method = o.get<int64_t>(QUARRY_OPT_LSTSQ_METHOD).value_or(QUARRY_LSTSQ_AUTO);
  core::require(
      method == QUARRY_LSTSQ_AUTO || method == QUARRY_LSTSQ_DIRECT ||
          method == QUARRY_LSTSQ_SKETCH_SOLVE,
      QUARRY_ERR_INVALID_ARGUMENT,
      "QUARRY_OPT_LSTSQ_METHOD = {}: {} is exact (QUARRY_LSTSQ_AUTO, QUARRY_LSTSQ_DIRECT) "
      "or sampled (QUARRY_LSTSQ_SKETCH_SOLVE)",
      method, solver);
  return method == QUARRY_LSTSQ_SKETCH_SOLVE;
}

}  // namespace

void read_limits(const quarry_options* opts, double& tolerance, int64_t& max_iterations) {
  if (opts == nullptr) return;
  tolerance = opts->core.get<double>(QUARRY_OPT_TOLERANCE).value_or(tolerance);
  max_iterations = opts->core.get<int64_t>(QUARRY_OPT_MAX_ITERATIONS).value_or(max_iterations);
}

lstsq::Settings lstsq_settings(const quarry_options* opts) {
  lstsq::Settings st;
  st.state = seed_state(opts);
  if (opts != nullptr) {
    const core::Options& o = opts->core;
    st.method = static_cast<int32_t>(o.get<int64_t>(QUARRY_OPT_LSTSQ_METHOD).value_or(st.method));
    st.ridge = o.get<double>(QUARRY_OPT_RIDGE).value_or(st.ridge);
    read_limits(opts, st.tolerance, st.max_iterations);
    st.sketch_kind =
        static_cast<int32_t>(o.get<int64_t>(QUARRY_OPT_SKETCH_KIND).value_or(st.sketch_kind));
    st.sketch_rows = o.get<int64_t>(QUARRY_OPT_SKETCH_ROWS).value_or(0);
    st.sketch_nnz = o.get<int64_t>(QUARRY_OPT_SKETCH_NNZ).value_or(st.sketch_nnz);
  }
  return st;
}

sketch::LeverageSettings leverage_settings(const quarry_options* opts) {
  sketch::LeverageSettings settings;
  settings.state = seed_state(opts);
  if (opts != nullptr) {
    const core::Options& o = opts->core;
    settings.approximate =
        o.get<int64_t>(QUARRY_OPT_LEVERAGE_METHOD).value_or(QUARRY_LEVERAGE_EXACT) ==
        QUARRY_LEVERAGE_APPROX;
    settings.ridge = o.get<double>(QUARRY_OPT_RIDGE).value_or(0.0);
    settings.sketch_rows = o.get<int64_t>(QUARRY_OPT_SKETCH_ROWS).value_or(0);
    settings.sketch_kind = static_cast<int32_t>(
        o.get<int64_t>(QUARRY_OPT_SKETCH_KIND).value_or(QUARRY_SKETCH_SPARSE_SIGN));
  }
  return settings;
}

sketch::LewisSettings lewis_settings(const quarry_options* opts, double p, bool own_limits) {
  sketch::LewisSettings st;
  st.p = p;
  st.leverage = leverage_settings(opts);
  core::require(st.leverage.ridge == 0, QUARRY_ERR_INVALID_ARGUMENT,
                "QUARRY_OPT_RIDGE = {}: Lewis weights take no ridge", st.leverage.ridge);
  if (st.leverage.approximate) st.max_iterations = kApproximateLewisRounds;
  if (own_limits) read_limits(opts, st.tolerance, st.max_iterations);
  return st;
}

regress::LpSettings lp_settings(const quarry_options* opts, double p) {
  regress::LpSettings st;
  st.p = p;
  read_limits(opts, st.tolerance, st.max_iterations);
  return st;
}

// QUARRY_OPT_LSTSQ_METHOD (auto or direct: exact; sketch and solve: sampled), the ridge,
// the sample's size and seed, and the sampled solver's tolerance and limit.
regress::KroneckerSettings kronecker_settings(const quarry_options* opts, bool labels) {
  regress::KroneckerSettings st;
  st.sampled = labels;
  st.state = seed_state(opts);
  if (opts == nullptr) return st;
  const core::Options& o = opts->core;
  if (labels) {
    const int64_t method = o.get<int64_t>(QUARRY_OPT_LSTSQ_METHOD).value_or(QUARRY_LSTSQ_AUTO);
    core::require(method == QUARRY_LSTSQ_AUTO || method == QUARRY_LSTSQ_SKETCH_SOLVE,
                  QUARRY_ERR_INVALID_ARGUMENT,
                  "QUARRY_OPT_LSTSQ_METHOD = {}: with b given by labels only the sampled solver "
                  "(QUARRY_LSTSQ_SKETCH_SOLVE) applies; the exact one reads all of b",
                  method);
  } else {
    st.sampled = sampled_method(o, "Kronecker regression");
  }
  st.ridge = o.get<double>(QUARRY_OPT_RIDGE).value_or(st.ridge);
  st.samples = o.get<int64_t>(QUARRY_OPT_SKETCH_ROWS).value_or(st.samples);
  read_limits(opts, st.tolerance, st.max_iterations);
  return st;
}

lstsq::DynamicSettings dynamic_settings(const quarry_options* opts) {
  lstsq::DynamicSettings st;
  st.state = seed_state(opts);
  if (opts == nullptr) return st;
  const core::Options& o = opts->core;
  st.sampled = sampled_method(o, "dynamic least squares");
  st.ridge = o.get<double>(QUARRY_OPT_RIDGE).value_or(st.ridge);
  st.epsilon = o.get<double>(QUARRY_OPT_TOLERANCE).value_or(st.epsilon);
  core::require(st.epsilon > 0, QUARRY_ERR_INVALID_ARGUMENT,
                "QUARRY_OPT_TOLERANCE = {}: the sampled mode's eps must be > 0", st.epsilon);
  return st;
}

}  // namespace quarry::capi
