// `quarry extract`: copy a one-hidden-layer ReLU network from a black box.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <quarry.hpp>

namespace quarry_cli {

struct ExtractCommand {
  std::string target;                // a network file simulated as the black box, or empty
  std::string oracle_cmd;            // a program answering the line protocol, or empty
  int64_t inputs = 0, outputs = 0;   // of the --oracle-cmd black box
  bool float32 = false;              // the simulated black box computes in float32
  double round = 0;                  // ...rounds its outputs to this quantum
  double noise = 0;                  // ...adds N(0, noise^2)
  std::vector<double> lower, upper;  // the box queries must stay in (1 or d each); empty: R^d
  int64_t budget = 0;                // 0: unlimited
  int64_t seed = 0;
  bool refine = false;
  std::string output;  // where to save the copy, or empty
};

// Weights of a d-k-c network: k (d + 1) + c (k + d + 1).
double parameter_count(int64_t d, int64_t k, int64_t c);

// A copy's error against the truth on m fresh inputs drawn from `seed` (what the
// attacker would not see): N(0, I), or uniform in the box [lower, upper] (1 or d entries
// each) when one is given.
struct CopyError {
  double relative_rms = 0, max_abs = 0;
};
CopyError copy_error(const quarry::Context& ctx, const quarry::ReluNet& truth,
                     const quarry::ReluNet& copy, int64_t m, uint64_t seed,
                     const std::vector<double>& lower = {}, const std::vector<double>& upper = {});

// Runs the extraction, prints progress on stderr and the summary on stdout; returns the
// process exit status. Throws quarry::Error or std::runtime_error on failure.
int run_extract(const ExtractCommand& command, int64_t threads);

}  // namespace quarry_cli
