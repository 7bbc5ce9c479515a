// `quarry lstsq`: least squares or ridge regression on matrix files (.npy or Matrix Market).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quarry_cli {

struct LstsqCommand {
  std::string a;                // A: a .npy or Matrix Market file (coordinate: CSR)
  std::string b;                // B: a 1-D or 2-D .npy file (or a Matrix Market array)
  std::string output;           // where to write X as .npy
  std::string method = "auto";  // one of lstsq_method_names()
  std::string kind;             // one of sketch_kind_names(), or empty: the library's default
  double ridge = 0;
  double tol = -1;       // < 0: the library's default
  int64_t max_iter = 0;  // 0: the library's default
  int64_t rows = 0;      // sketch rows; 0: the library's default
  int64_t seed = 0;
};

// The --method names, indexed by their QUARRY_LSTSQ_* value.
std::vector<std::string> lstsq_method_names();

// Reads A and B, solves, writes X (also when the iteration limit was reached) and prints
// the report on stdout, one "key: value" line each. Returns the exit status: 0, or 1 after
// printing "quarry: error: ..." when the solver did not converge; throws quarry::Error,
// MatrixFileError or std::runtime_error on other failures.
int run_lstsq(const LstsqCommand& command, int64_t threads);

}  // namespace quarry_cli
