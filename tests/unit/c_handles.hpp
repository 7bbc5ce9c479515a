// Owning pointers for C handles in tests, so a failed assertion never leaks one.
#pragma once

#include <quarry.h>

#include <gtest/gtest.h>

#include <memory>

namespace quarry_test {

struct ContextDeleter {
  void operator()(quarry_context* c) const { quarry_context_destroy(c); }
};
struct OptionsDeleter {
  void operator()(quarry_options* o) const { quarry_options_destroy(o); }
};
using ContextPtr = std::unique_ptr<quarry_context, ContextDeleter>;
using OptionsPtr = std::unique_ptr<quarry_options, OptionsDeleter>;

inline ContextPtr make_context() {
  quarry_context* ctx = nullptr;
  EXPECT_EQ(quarry_context_create(&ctx), QUARRY_OK);
  return ContextPtr(ctx);
}

inline OptionsPtr make_options() {
  quarry_options* o = nullptr;
  EXPECT_EQ(quarry_options_create(&o), QUARRY_OK);
  return OptionsPtr(o);
}

}  // namespace quarry_test
