// The definitions behind the opaque C handles. Each wraps the C++ core object; only the
// shim sees these structs.
#pragma once

#include <quarry/context.h>
#include <quarry/extract.h>
#include <quarry/lstsq.h>
#include <quarry/options.h>
#include <quarry/report.h>
#include <quarry/sampling.h>
#include <quarry/sketch.h>

#include <cstddef>
#include <string>

#include "core/context.hpp"
#include "core/options.hpp"
#include "core/report.hpp"
#include "extract/net_oracle.hpp"
#include "extract/relu_net.hpp"
#include "lstsq/dynamic.hpp"
#include "sketch/sampling.hpp"
#include "sketch/sketch.hpp"

struct quarry_context {
  // Room kept for a message, so that even when memory runs out a failed call can still
  // leave (a truncated copy of) its message without allocating.
  static constexpr std::size_t kReservedMessage = 256;

  quarry_context() { last_error.reserve(kReservedMessage); }

  quarry::core::Context core;
  std::string last_error;
};

struct quarry_options {
  quarry::core::Options core;
};

struct quarry_report {
  quarry::core::Report core;
};

struct quarry_relu_net {
  quarry::extract::NetParams<double> params;  // validated; never changed after creation
};

struct quarry_net_oracle {
  quarry::extract::NetOracle oracle;
};

struct quarry_dynamic_lstsq {
  quarry::lstsq::DynamicLstsq core;
};

struct quarry_sketch {
  quarry::sketch::Sketch core;  // immutable once created
};

struct quarry_sample_tree {
  quarry::sketch::SampleTree core;
};
