#include <quarry/version.h>

#include "core/blas.hpp"

extern "C" {

const char* quarry_version_string(void) { return QUARRY_VERSION_STRING; }

int32_t quarry_version_number(void) { return QUARRY_VERSION_NUMBER; }

int32_t quarry_abi_version(void) { return QUARRY_ABI_VERSION; }

const char* quarry_blas_info(void) {
  try {
    return quarry::core::blas_info();
  } catch (...) {
    return "unknown BLAS (its description could not be built)";
  }
}

}  // extern "C"
