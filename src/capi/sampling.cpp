#include <quarry/sampling.h>

#include <cmath>
#include <string>

#include "capi/boundary.hpp"
#include "capi/settings.hpp"
#include "core/checked_int.hpp"
#include "core/philox.hpp"
#include "core/views.hpp"
#include "sketch/leverage.hpp"
#include "sketch/lewis.hpp"
#include "sketch/sampling.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;
using quarry::capi::with_context;
namespace core = quarry::core;
namespace sketch = quarry::sketch;

namespace {

// Fails unless p (an array of n entries) is non-NULL or n is 0.
template <class T>
void require_array(const T* p, int64_t n, const char* name) {
  core::require(p != nullptr || n == 0, QUARRY_ERR_NULL_POINTER, "{} is NULL but needs {} entries",
                name, n);
}

}  // namespace

extern "C" {

quarry_status quarry_leverage_scores_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                                         const double* a, int64_t lda, const quarry_options* opts,
                                         double* scores) {
  return with_context(ctx, [&] {
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    require_array(scores, m, "scores");
    core::require_finite("A", av);
    sketch::leverage_scores(ctx->core.threads(), av, quarry::capi::leverage_settings(opts), scores);
  });
}

quarry_status quarry_lewis_weights_f64(quarry_context* ctx, int32_t layout, int64_t m, int64_t n,
                                       const double* a, int64_t lda, double p, double* weights,
                                       const quarry_options* opts, quarry_report** report) {
  return quarry::capi::with_report(ctx, report, [&](core::Report& c) -> std::string {
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    require_array(weights, m, "weights");
    core::require(std::isfinite(p) && p > 0, QUARRY_ERR_INVALID_ARGUMENT,
                  "p = {} must be finite and > 0", p);
    core::require_finite("A", av);
    const sketch::LewisSettings st = quarry::capi::lewis_settings(opts, p, true);
    const sketch::LewisResult r = sketch::lewis_weights(ctx->core.threads(), av, st, weights);
    c.set<int64_t>(QUARRY_REPORT_ITERATIONS, r.iterations);
    c.set<int64_t>(QUARRY_REPORT_RANK, r.rank);
    c.set<double>(QUARRY_REPORT_RESIDUAL_NORM, r.residual);
    c.set<double>(QUARRY_REPORT_SECONDS, r.seconds);
    if (r.converged) return {};
    return fmt::format(
        "no convergence within QUARRY_OPT_MAX_ITERATIONS ({} rounds); the weights are the last "
        "round's (fixed-point residual {:.2e})",
        r.iterations, r.residual);
  });
}

quarry_status quarry_row_norms_squared_f64(quarry_context* ctx, int32_t layout, int64_t m,
                                           int64_t n, const double* a, int64_t lda, double* out) {
  return with_context(ctx, [&] {
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    require_array(out, m, "out");
    core::require_finite("A", av);
    sketch::row_norms_squared(ctx->core.threads(), av, out);
  });
}

quarry_status quarry_sample_weighted(quarry_context* ctx, int64_t m, const double* weights,
                                     int64_t count, int32_t with_replacement,
                                     const quarry_rng_state* seed, int64_t* indices,
                                     double* scales) {
  return with_context(ctx, [&] {
    const quarry_rng_state& state = deref(seed, "seed");
    const core::PhiloxStream stream(state);  // validates the state
    core::require(m >= 1, QUARRY_ERR_BAD_DIMENSION, "sampling needs m >= 1 weights, got m = {}", m);
    core::require(count >= 0, QUARRY_ERR_BAD_DIMENSION, "count = {} must be >= 0", count);
    core::require(with_replacement == 0 || with_replacement == 1, QUARRY_ERR_INVALID_ARGUMENT,
                  "with_replacement = {} must be 0 or 1", with_replacement);
    require_array(weights, m, "weights");
    require_array(indices, count, "indices");
    require_array(scales, count, "scales");
    sketch::check_weights(weights, m);
    if (with_replacement == 1) {
      sketch::sample_with_replacement(stream, weights, m, count, indices, scales);
    } else {
      sketch::sample_weighted_distinct(state, weights, m, count, indices, scales);
    }
  });
}

quarry_status quarry_sample_tree_create(quarry_context* ctx, int64_t m, const double* weights,
                                        quarry_sample_tree** out) {
  return with_context(ctx, [&] {
    deref(out, "out") = nullptr;
    *out = new quarry_sample_tree{sketch::SampleTree(m, weights)};
  });
}

void quarry_sample_tree_destroy(quarry_sample_tree* tree) { delete tree; }

quarry_status quarry_sample_tree_update(quarry_context* ctx, quarry_sample_tree* tree,
                                        int64_t count, const int64_t* index, const double* weight) {
  return with_context(ctx, [&] {
    sketch::SampleTree& t = deref(tree, "tree").core;
    core::require(count >= 0, QUARRY_ERR_BAD_DIMENSION, "count = {} must be >= 0", count);
    require_array(index, count, "index");
    require_array(weight, count, "weight");
    for (int64_t k = 0; k < count; ++k) t.set(index[k], weight[k]);
  });
}

quarry_status quarry_sample_tree_get(const quarry_sample_tree* tree, int64_t* m, double* total,
                                     int64_t i, double* weight) {
  return guarded(nullptr, [&] {
    const sketch::SampleTree& t = deref(tree, "tree").core;
    if (m != nullptr) *m = t.size();
    if (total != nullptr) *total = t.total();
    if (weight != nullptr) {
      core::require(i >= 0 && i < t.size(), QUARRY_ERR_BAD_DIMENSION, "index {} is outside [0, {})",
                    i, t.size());
      *weight = t.weight(i);
    }
  });
}

quarry_status quarry_sample_tree_sample(quarry_context* ctx, const quarry_sample_tree* tree,
                                        const quarry_rng_state* seed, int64_t count,
                                        int64_t* indices, double* probs) {
  return with_context(ctx, [&] {
    const sketch::SampleTree& t = deref(tree, "tree").core;
    const core::PhiloxStream stream(deref(seed, "seed"));
    core::require(count >= 0, QUARRY_ERR_BAD_DIMENSION, "count = {} must be >= 0", count);
    require_array(indices, count, "indices");
    t.sample(stream, count, indices, probs);
  });
}

}  // extern "C"
