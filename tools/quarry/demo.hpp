// `quarry demo`: the main job on built-in data.
#pragma once

#include <cstdint>
#include <iosfwd>

namespace quarry_cli {

// Prints the demo to `out`; returns the process exit status (0 = every check passed).
// threads = 0 keeps the context's default.
int run_demo(std::ostream& out, int64_t threads);

}  // namespace quarry_cli
