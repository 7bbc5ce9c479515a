#include <quarry/sketch.h>

#include "capi/boundary.hpp"
#include "core/philox.hpp"
#include "core/views.hpp"
#include "sketch/sketch.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;
using quarry::capi::with_context;
namespace core = quarry::core;

namespace {

// Fails with QUARRY_ERR_NONFINITE when the product b holds a NaN or an infinity: naming
// the entry of a dense A it came from (a; NULL for CSR input, whose values were checked on
// the way in), or as an overflow. A is searched only then: valid calls pay one pass over B.
void require_finite_product(core::DenseView<const double> b,
                            const core::DenseView<const double>* a) {
  if (core::all_finite(b)) return;
  if (a != nullptr) core::require_finite("A", *a);
  core::fail(QUARRY_ERR_NONFINITE,
             "the sketch of A overflows: A is finite but S * A holds an infinity (scale A down)");
}

}  // namespace

extern "C" {

quarry_status quarry_sketch_create(quarry_context* ctx, int32_t kind, int64_t rows, int64_t cols,
                                   const quarry_options* opts, const quarry_rng_state* seed,
                                   quarry_sketch** out) {
  return with_context(ctx, [&] {
    deref(out, "out") = nullptr;
    int64_t nnz = 0;
    quarry_rng_state state{};
    if (seed != nullptr) {
      state = *seed;
    } else {
      const int64_t s = opts != nullptr ? opts->core.get<int64_t>(QUARRY_OPT_SEED).value_or(0) : 0;
      state = core::rng_state_from_seed(static_cast<uint64_t>(s));
    }
    if (opts != nullptr) nnz = opts->core.get<int64_t>(QUARRY_OPT_SKETCH_NNZ).value_or(0);
    *out = new quarry_sketch{
        quarry::sketch::Sketch(kind, rows, cols, nnz, state, ctx->core.threads())};
  });
}

void quarry_sketch_destroy(quarry_sketch* s) { delete s; }

quarry_status quarry_sketch_info(const quarry_sketch* s, int32_t* kind, int64_t* rows,
                                 int64_t* cols, int64_t* nnz) {
  return guarded(nullptr, [&] {
    const quarry::sketch::Sketch& sk = deref(s, "s").core;
    if (kind != nullptr) *kind = static_cast<int32_t>(sk.kind());
    if (rows != nullptr) *rows = sk.rows();
    if (cols != nullptr) *cols = sk.cols();
    if (nnz != nullptr) *nnz = sk.nnz();
  });
}

quarry_status quarry_sketch_apply_f64(quarry_context* ctx, const quarry_sketch* s, int32_t layout,
                                      int64_t m, int64_t n, const double* a, int64_t lda, double* b,
                                      int64_t ldb) {
  return with_context(ctx, [&] {
    const quarry::sketch::Sketch& sk = deref(s, "s").core;
    const auto av = core::dense_view("A", layout, m, n, a, lda);
    const auto bv = core::dense_view("B", layout, sk.rows(), n, b, ldb);
    sk.apply(ctx->core.threads(), av, bv);
    require_finite_product(bv, &av);
  });
}

quarry_status quarry_sketch_apply_right_f64(quarry_context* ctx, const quarry_sketch* s,
                                            int32_t layout, int64_t n, int64_t m, const double* a,
                                            int64_t lda, double* b, int64_t ldb) {
  return with_context(ctx, [&] {
    const quarry::sketch::Sketch& sk = deref(s, "s").core;
    const auto av = core::dense_view("A", layout, n, m, a, lda);
    const auto bv = core::dense_view("B", layout, n, sk.rows(), b, ldb);
    core::require(m == sk.cols(), QUARRY_ERR_BAD_DIMENSION,
                  "A * S^T: the sketch is {} x {}, so A needs {} columns (the sketch's cols), "
                  "got {}",
                  sk.rows(), sk.cols(), sk.cols(), m);
    // A S^T = (S A^T)^T: the left product on the transposed views of the same memory.
    sk.apply(ctx->core.threads(), av.transposed(), bv.transposed());
    require_finite_product(bv, &av);
  });
}

quarry_status quarry_sketch_apply_csr_f64(quarry_context* ctx, const quarry_sketch* s, int64_t m,
                                          int64_t n, const int64_t* row_ptr, const int64_t* col_idx,
                                          const double* val, int32_t layout_b, double* b,
                                          int64_t ldb) {
  return with_context(ctx, [&] {
    const quarry::sketch::Sketch& sk = deref(s, "s").core;
    const auto av = core::csr_view("A", m, n, row_ptr, col_idx, val);  // checks every value
    const auto bv = core::dense_view("B", layout_b, sk.rows(), n, b, ldb);
    sk.apply(ctx->core.threads(), av, bv);
    require_finite_product(bv, nullptr);
  });
}

quarry_status quarry_sketch_apply_right_csr_f64(quarry_context* ctx, const quarry_sketch* s,
                                                int64_t n, int64_t m, const int64_t* row_ptr,
                                                const int64_t* col_idx, const double* val,
                                                int32_t layout_b, double* b, int64_t ldb) {
  return with_context(ctx, [&] {
    const quarry::sketch::Sketch& sk = deref(s, "s").core;
    const auto av = core::csr_view("A", n, m, row_ptr, col_idx, val);  // checks every value
    const auto bv = core::dense_view("B", layout_b, n, sk.rows(), b, ldb);
    sk.apply_right(ctx->core.threads(), av, bv);
    require_finite_product(bv, nullptr);
  });
}

quarry_status quarry_sketch_columns_f64(quarry_context* ctx, const quarry_sketch* s, int64_t j0,
                                        int64_t w, int32_t layout, double* out, int64_t ld) {
  return with_context(ctx, [&] {
    const quarry::sketch::Sketch& sk = deref(s, "s").core;
    const auto ov = core::dense_view("out", layout, sk.rows(), w, out, ld);
    sk.columns(ctx->core.threads(), j0, ov);
  });
}

}  // extern "C"
