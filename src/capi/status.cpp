#include <quarry/status.h>

extern "C" const char* quarry_status_string(quarry_status status) {
  switch (status) {
    case QUARRY_OK: return "success";
    case QUARRY_ERR_INVALID_ARGUMENT: return "invalid argument";
    case QUARRY_ERR_NULL_POINTER: return "null pointer";
    case QUARRY_ERR_BAD_DIMENSION: return "bad dimension";
    case QUARRY_ERR_BAD_LEADING_DIM: return "bad leading dimension";
    case QUARRY_ERR_BAD_LAYOUT: return "bad layout";
    case QUARRY_ERR_UNSUPPORTED: return "unsupported";
    case QUARRY_ERR_NONFINITE: return "non-finite value (NaN or Inf)";
    case QUARRY_ERR_OUT_OF_MEMORY: return "out of memory";
    case QUARRY_ERR_SIZE_OVERFLOW: return "size overflow";
    case QUARRY_ERR_NO_CONVERGENCE: return "no convergence";
    case QUARRY_ERR_CALLBACK_ABORTED: return "callback aborted the call";
    case QUARRY_ERR_ORACLE: return "oracle failure";
    case QUARRY_ERR_BUDGET: return "budget exhausted";
    case QUARRY_ERR_IO: return "input/output error";
    case QUARRY_ERR_FORMAT: return "bad format";
    case QUARRY_ERR_INTERNAL: return "internal error";
    default: return "unknown status code";
  }
}
