// Errors inside the C++ core are exceptions carrying a public status code and a message
// that names the argument and its value; the C shim (src/capi/boundary.hpp) turns them
// into a status and a message on the context. Nothing else may cross the C ABI.
#pragma once

#include <quarry/status.h>

#include <exception>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace quarry::core {

class Error : public std::exception {
 public:
  Error(quarry_status status, std::string message)
      : status_(status), message_(std::move(message)) {}

  quarry_status status() const noexcept { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  quarry_status status_;
  std::string message_;
};

// Throws Error{status, formatted message}.
template <class... Args>
[[noreturn]] void fail(quarry_status status, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(status, fmt::format(format, std::forward<Args>(args)...));
}

// Throws Error{status, formatted message} unless `ok`. The message is formatted only on
// failure, but the arguments are evaluated on every call: keep them cheap (no string
// building) and free of arithmetic that could overflow; otherwise write if (...) fail(...).
template <class... Args>
void require(bool ok, quarry_status status, fmt::format_string<Args...> format, Args&&... args) {
  if (!ok) fail(status, format, std::forward<Args>(args)...);
}

}  // namespace quarry::core
