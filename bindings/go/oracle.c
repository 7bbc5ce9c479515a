// The C side of ExtractReLU1: cgo cannot pass a Go function as a C function pointer, so
// this trampoline, a C function, is the quarry_oracle_fn; it forwards every batch to the
// exported Go function quarryGoOracle with the cgo.Handle that user_data carries.
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
