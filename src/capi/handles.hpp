// The definitions behind the opaque C handles. Each wraps the C++ core object; only the
// shim sees these structs.
#pragma once

#include <quarry/context.h>
#include <quarry/options.h>
#include <quarry/report.h>

#include <string>

#include "core/context.hpp"
#include "core/options.hpp"
#include "core/report.hpp"

struct quarry_context {
  quarry::core::Context core;
  std::string last_error;
};

struct quarry_options {
  quarry::core::Options core;
};

struct quarry_report {
  quarry::core::Report core;
};
