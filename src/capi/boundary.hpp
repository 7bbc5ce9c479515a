// The exception boundary every extern "C" function goes through: the body runs inside
// one try block, and whatever it throws becomes a status code plus, when there is a
// context, a message on it. Nothing throws, prints or aborts across the ABI.
#pragma once

#include <quarry/status.h>

#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include "capi/handles.hpp"
#include "core/error.hpp"

namespace quarry::capi {

// Stores `message` as the context's last error (when there is a context) and returns
// `status`. Never throws: without memory for the whole message, its beginning is kept.
quarry_status store_error(quarry_context* ctx, quarry_status status, const char* message) noexcept;

// Runs body() and converts exceptions. The context's message is cleared first, so it
// always describes the latest call. ctx may be NULL for functions without a context.
template <class Body>
quarry_status guarded(quarry_context* ctx, Body&& body) noexcept {
  if (ctx != nullptr) ctx->last_error.clear();
  try {
    body();
    return QUARRY_OK;
  } catch (const core::Error& e) {
    return store_error(ctx, e.status(), e.what());
  } catch (const std::bad_alloc&) {
    return store_error(ctx, QUARRY_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::length_error&) {  // a container asked for more than it can hold
    return store_error(ctx, QUARRY_ERR_OUT_OF_MEMORY,
                       "out of memory (an allocation beyond the address space was needed)");
  } catch (const std::exception& e) {
    return store_error(ctx, QUARRY_ERR_INTERNAL, e.what());
  } catch (...) {
    return store_error(ctx, QUARRY_ERR_INTERNAL, "unknown exception inside quarry");
  }
}

// As guarded(), for functions whose first argument is the context: a NULL context can
// hold no message, so it is reported by the status alone.
template <class Body>
quarry_status with_context(quarry_context* ctx, Body&& body) noexcept {
  if (ctx == nullptr) return QUARRY_ERR_NULL_POINTER;
  return guarded(ctx, static_cast<Body&&>(body));
}

// As with_context(), for a solver that hands out a report (when `report` is not NULL; *report
// is NULL on every failure but QUARRY_ERR_NO_CONVERGENCE): body(core::Report&) fills the
// report and returns an empty string when the solver converged, else the message of
// QUARRY_ERR_NO_CONVERGENCE, whose outputs and report hold the last iterate.
template <class Body>
quarry_status with_report(quarry_context* ctx, quarry_report** report, Body&& body) noexcept {
  bool converged = true;
  if (report != nullptr) *report = nullptr;  // also when ctx is NULL
  const quarry_status status = with_context(ctx, [&] {
    auto rep = std::make_unique<quarry_report>();
    std::string unconverged = body(rep->core);
    if (!unconverged.empty()) {
      ctx->last_error = std::move(unconverged);
      converged = false;
    }
    if (report != nullptr) *report = rep.release();
  });
  return status != QUARRY_OK ? status : converged ? QUARRY_OK : QUARRY_ERR_NO_CONVERGENCE;
}

// Throws QUARRY_ERR_NULL_POINTER naming the argument when p is NULL.
template <class T>
T& deref(T* p, const char* name) {
  core::require(p != nullptr, QUARRY_ERR_NULL_POINTER, "{} is NULL", name);
  return *p;
}

// *value = the entry `key` of type T in handle->core (quarry_options or quarry_report);
// QUARRY_ERR_INVALID_ARGUMENT when there is none of that type.
template <class T, class Handle>
quarry_status get_typed(const Handle* handle, const char* name, int32_t key, T* value) noexcept {
  return guarded(nullptr, [&] {
    T& result = deref(value, "value");
    const std::optional<T> got = deref(handle, name).core.template get<T>(key);
    core::require(got.has_value(), QUARRY_ERR_INVALID_ARGUMENT, "{} holds no entry {} of this type",
                  name, key);
    result = *got;
  });
}

}  // namespace quarry::capi
