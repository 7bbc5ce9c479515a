// `quarry lstsq` (least squares, ridge, or l_p regression with --lp) and `quarry huber` on
// matrix files (.npy or Matrix Market).
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
  double lp = 0;  // > 0: l_p regression with this p (quarry_lp_regression_f64)
};

struct HuberCommand {
  std::string a, b, output;  // as LstsqCommand's (b one column)
  double epsilon = 1.35;
  double scale = 0;  // 0: estimated; > 0: fixed
  double ridge = 0;
  double tol = -1;       // < 0: the library's default
  int64_t max_iter = 0;  // 0: the library's default
};

// The --method names, indexed by their QUARRY_LSTSQ_* value.
std::vector<std::string> lstsq_method_names();

// Reads A and B, solves, writes X (also when the iteration limit was reached) and prints
// the report on stdout, one "key: value" line each. Returns the exit status: 0, or 1 after
// printing "quarry: error: ..." when the solver did not converge; throws quarry::Error,
// MatrixFileError or std::runtime_error on other failures.
// With --lp, A must be dense and B one column, and only the methods auto,
// sketch_precondition and gram_precondition apply (the library says so otherwise).
int run_lstsq(const LstsqCommand& command, int64_t threads);

// Huber regression (quarry_huber_f64) of a one-column B on a dense A; writes x and prints
// the report and the scale, as run_lstsq.
int run_huber(const HuberCommand& command, int64_t threads);

}  // namespace quarry_cli
