// Options shared by the C shims: a least-squares solver's settings (method, ridge,
// tolerance, iteration limit, sketch kind, rows and non-zeros, and the seed's rng state),
// leverage scores' and Lewis weights'.
#pragma once

#include <quarry/options.h>

#include "lstsq/dynamic.hpp"
#include "lstsq/lstsq.hpp"
#include "regress/kronecker.hpp"
#include "regress/lp.hpp"
#include "sketch/leverage.hpp"
#include "sketch/lewis.hpp"

namespace quarry::capi {

// QUARRY_OPT_TOLERANCE and QUARRY_OPT_MAX_ITERATIONS into tolerance and max_iterations,
// where opts (or NULL) sets them.
void read_limits(const quarry_options* opts, double& tolerance, int64_t& max_iterations);

// Defaults where opts is NULL or leaves a key unset.
lstsq::Settings lstsq_settings(const quarry_options* opts);

// Leverage scores: method, ridge, sketch rows and kind, the seed's rng state.
sketch::LeverageSettings leverage_settings(const quarry_options* opts);

// Rounds of Lewis weights with approximate leverage scores, unless the options say.
inline constexpr int64_t kApproximateLewisRounds = 10;

// Lewis weights of exponent p: the leverage settings (ridge refused: Lewis weights have
// none), and with `own_limits` the tolerance and round limit from the options (without,
// the defaults: where the options' limits are another solver's).
sketch::LewisSettings lewis_settings(const quarry_options* opts, double p, bool own_limits);

// l_p regression of exponent p: the tolerance and iteration limit (the Newton systems'
// solver settings are the caller's).
regress::LpSettings lp_settings(const quarry_options* opts, double p);

// Kronecker regression: QUARRY_OPT_LSTSQ_METHOD (auto or direct: exact; sketch and solve:
// sampled, the only one with labels), the ridge, the sample's size (QUARRY_OPT_SKETCH_ROWS)
// and seed, the sampled solver's tolerance and iteration limit.
regress::KroneckerSettings kronecker_settings(const quarry_options* opts, bool labels);

// Dynamic least squares: QUARRY_OPT_LSTSQ_METHOD (auto or direct: exact; sketch and solve:
// sampled), the ridge, eps (QUARRY_OPT_TOLERANCE) and the seed.
lstsq::DynamicSettings dynamic_settings(const quarry_options* opts);

}  // namespace quarry::capi
