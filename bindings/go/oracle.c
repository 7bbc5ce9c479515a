// The C side of ExtractReLU1, ActiveRegression and KroneckerRegressionLabels: cgo cannot
// pass a Go function as a C function pointer, so these trampolines, C functions, are the
// quarry_oracle_fn and the quarry_label_fn; they forward every batch to the exported Go
// functions quarryGoOracle and quarryGoLabels with the cgo.Handle that user_data carries.
#include <stdint.h>

#include <quarry.h>

#include "_cgo_export.h"

static int32_t quarrygo_oracle(int64_t n, int64_t d, const double* x, int64_t c, double* y,
                               void* user_data) {
  return quarryGoOracle(n, d, (double*)x, c, y, (uintptr_t)user_data);
}

quarry_status quarrygo_extract_relu1(quarry_context* ctx, int64_t d, int64_t c, uintptr_t handle,
                                     const quarry_options* options, quarry_relu_net** out,
                                     quarry_report** report) {
  return quarry_extract_relu1(ctx, d, c, quarrygo_oracle, (void*)handle, options, out, report);
}

static int32_t quarrygo_labels(int64_t count, const int64_t* rows, double* labels, void* user) {
  return quarryGoLabels(count, (int64_t*)rows, labels, (uintptr_t)user);
}

quarry_status quarrygo_active_regression_f64(quarry_context* ctx, int32_t layout, int64_t m,
                                             int64_t n, const double* a, int64_t lda, double p,
                                             uintptr_t handle, int64_t budget, double* x,
                                             const quarry_options* opts, quarry_report** report) {
  return quarry_active_regression_f64(ctx, layout, m, n, a, lda, p, quarrygo_labels, (void*)handle,
                                      budget, x, opts, report);
}

quarry_status quarrygo_kronecker_regression_labels_f64(
    quarry_context* ctx, int32_t layout, int32_t nfactors, const int64_t* rows, const int64_t* cols,
    const double* const* factors, const int64_t* ld, uintptr_t handle, double* x,
    const quarry_options* opts, quarry_report** report) {
  return quarry_kronecker_regression_labels_f64(ctx, layout, nfactors, rows, cols, factors, ld,
                                                quarrygo_labels, (void*)handle, x, opts, report);
}
