#include <quarry/extract.h>

#include <algorithm>

#include "capi/boundary.hpp"
#include "core/views.hpp"
#include "extract/net_file.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;
using quarry::capi::with_context;

namespace {

// A copy of `count` values at `p`; p may be NULL only when count is 0 (or when the
// array is optional, which the caller handles).
std::vector<double> copy_array(const double* p, int64_t count, const char* name) {
  if (count == 0) return {};
  quarry::core::require(p != nullptr, QUARRY_ERR_NULL_POINTER, "{} is NULL but needs {} values",
                        name, count);
  return std::vector<double>(p, p + count);
}

void copy_out(const std::vector<double>& v, double* out) {
  if (out != nullptr) std::copy(v.begin(), v.end(), out);
}

}  // namespace

extern "C" {

quarry_status quarry_relu_net_create_f64(quarry_context* ctx, int64_t d, int64_t k, int64_t c,
                                         const double* w, const double* b, const double* a,
                                         const double* skip, const double* c0,
                                         quarry_relu_net** out) {
  return with_context(ctx, [&] {
    deref(out, "out") = nullptr;
    quarry::extract::NetParams<double> p;
    p.d = d;
    p.k = k;
    p.c = c;
    quarry::extract::check_dims(d, k, c);  // the sizes below cannot overflow
    p.w = copy_array(w, k * d, "w");
    p.b = copy_array(b, k, "b");
    p.a = copy_array(a, c * k, "a");
    if (skip != nullptr) p.skip = copy_array(skip, c * d, "skip");
    p.c0 = c0 != nullptr ? copy_array(c0, c, "c0") : std::vector<double>(static_cast<size_t>(c));
    quarry::extract::validate(p);
    *out = new quarry_relu_net{std::move(p)};
  });
}

void quarry_relu_net_destroy(quarry_relu_net* net) { delete net; }

quarry_status quarry_relu_net_dims(const quarry_relu_net* net, int64_t* d, int64_t* k, int64_t* c) {
  return guarded(nullptr, [&] {
    const auto& p = deref(net, "net").params;
    if (d != nullptr) *d = p.d;
    if (k != nullptr) *k = p.k;
    if (c != nullptr) *c = p.c;
  });
}

quarry_status quarry_relu_net_get_f64(const quarry_relu_net* net, double* w, double* b, double* a,
                                      double* skip, double* c0) {
  return guarded(nullptr, [&] {
    const auto& p = deref(net, "net").params;
    copy_out(p.w, w);
    copy_out(p.b, b);
    copy_out(p.a, a);
    if (skip != nullptr) {
      if (p.skip.empty()) {
        std::fill(skip, skip + p.c * p.d, 0.0);
      } else {
        copy_out(p.skip, skip);
      }
    }
    copy_out(p.c0, c0);
  });
}

quarry_status quarry_relu_net_eval_f64(quarry_context* ctx, const quarry_relu_net* net, int64_t n,
                                       const double* x, double* y) {
  return with_context(ctx, [&] {
    const auto& p = deref(net, "net").params;
    const auto inputs =
        quarry::core::dense_view<const double>("x", QUARRY_ROW_MAJOR, n, p.d, x, p.d);
    quarry::core::check_dense("y", quarry::core::Layout::RowMajor, n, p.c, y, p.c);
    quarry::core::require_finite("x", inputs);
    quarry::extract::evaluate(p, n, x, y);
  });
}

quarry_status quarry_relu_net_save(quarry_context* ctx, const quarry_relu_net* net,
                                   const char* path) {
  return with_context(ctx, [&] {
    const auto& p = deref(net, "net").params;
    quarry::extract::save_net(p, &deref(path, "path"));
  });
}

quarry_status quarry_relu_net_load(quarry_context* ctx, const char* path, quarry_relu_net** out) {
  return with_context(ctx, [&] {
    deref(out, "out") = nullptr;
    auto p = quarry::extract::load_net(&deref(path, "path"));
    *out = new quarry_relu_net{std::move(p)};
  });
}

}  // extern "C"
