#include <quarry/extract.h>

#include "capi/boundary.hpp"
#include "core/options.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;
using quarry::capi::with_context;

extern "C" {

quarry_status quarry_net_oracle_create(quarry_context* ctx, const quarry_relu_net* net,
                                       const quarry_options* options, quarry_net_oracle** out) {
  return with_context(ctx, [&] {
    deref(out, "out") = nullptr;
    const auto& p = deref(net, "net").params;
    quarry::extract::OracleSettings settings;
    if (options != nullptr) {
      const quarry::core::Options& o = options->core;
      settings.float32 = o.get<int64_t>(QUARRY_OPT_ORACLE_FLOAT32).value_or(0) != 0;
      settings.noise = o.get<double>(QUARRY_OPT_ORACLE_NOISE).value_or(0.0);
      settings.quantum = o.get<double>(QUARRY_OPT_ORACLE_ROUNDING).value_or(0.0);
      settings.seed = static_cast<uint64_t>(o.get<int64_t>(QUARRY_OPT_SEED).value_or(0));
    }
    *out = new quarry_net_oracle{quarry::extract::NetOracle(p, settings)};
  });
}

void quarry_net_oracle_destroy(quarry_net_oracle* oracle) { delete oracle; }

int32_t quarry_net_oracle_eval(int64_t n, int64_t d, const double* x, int64_t c, double* y,
                               void* oracle) {
  return guarded(nullptr, [&] {
    deref(static_cast<quarry_net_oracle*>(oracle), "oracle").oracle.answer(n, d, x, c, y);
  });
}

quarry_status quarry_net_oracle_queries(const quarry_net_oracle* oracle, int64_t* queries) {
  return guarded(nullptr,
                 [&] { deref(queries, "queries") = deref(oracle, "oracle").oracle.queries(); });
}

}  // extern "C"
