// `quarry sketch`: apply a sketching operator to a matrix file (.npy or Matrix Market).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace quarry_cli {

struct SketchCommand {
  std::string input;                 // A: a .npy or Matrix Market file
  std::string output;                // where to write the product as .npy, or empty
  std::string kind = "sparse-sign";  // one of sketch_kind_names()
  int64_t rows = 0;                  // the sketch's rows
  int64_t nnz = 0;                   // non-zeros per column (sparse sign); 0: the library's default
  uint64_t seed = 0;
  std::string side = "left";  // "left": S A; "right": A S^T (A is samples x features)
  int64_t repeat = 1;         // > 1: after one warm-up, time this many runs and report the medians
  bool time_only = false;     // print only the machine-readable timing line, on stdout
};

// The --kind names, in the order of the QUARRY_SKETCH_* kinds.
std::vector<std::string> sketch_kind_names();

// The QUARRY_SKETCH_* kind of one of sketch_kind_names(); 0 (refused by the library) for
// any other name.
int32_t sketch_kind_code(const std::string& name);

// Reads A, creates the sketch, applies it, writes the result when asked; prints the
// summary line on stderr. Returns the exit status; throws quarry::Error, MatrixFileError
// or std::bad_alloc on failure.
int run_sketch(const SketchCommand& command, int64_t threads);

}  // namespace quarry_cli
