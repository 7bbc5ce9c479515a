#include "sketch.hpp"

#include <quarry.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "matrix_io.hpp"

namespace quarry_cli {

namespace {

constexpr std::pair<const char*, int32_t> kKinds[] = {{"gaussian", QUARRY_SKETCH_GAUSSIAN},
                                                      {"srht", QUARRY_SKETCH_SRHT},
                                                      {"countsketch", QUARRY_SKETCH_COUNTSKETCH},
                                                      {"sparse-sign", QUARRY_SKETCH_SPARSE_SIGN},
                                                      {"uniform-rows", QUARRY_SKETCH_UNIFORM_ROWS}};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

// B = S A (left) or A S^T (right), A in its own storage: a dense A's layout is B's too,
// a CSR A gives a row-major B.
quarry_status apply(const quarry::Context& ctx, const quarry_sketch* s, const Matrix& a, bool right,
                    double* b, int64_t ldb) {
  if (const auto* d = std::get_if<DenseMatrix>(&a)) {
    const auto fn = right ? quarry_sketch_apply_right_f64 : quarry_sketch_apply_f64;
    return fn(ctx.get(), s, d->layout(), d->rows, d->cols, d->values.data(), d->ld(), b, ldb);
  }
  const auto& c = std::get<CsrMatrix>(a);
  const auto fn = right ? quarry_sketch_apply_right_csr_f64 : quarry_sketch_apply_csr_f64;
  return fn(ctx.get(), s, c.rows, c.cols, c.row_ptr.data(), c.col_idx.data(), c.values.data(),
            QUARRY_ROW_MAJOR, b, ldb);
}

}  // namespace

std::vector<std::string> sketch_kind_names() {
  std::vector<std::string> names;
  for (const auto& kind : kKinds) names.emplace_back(kind.first);
  return names;
}

int32_t sketch_kind_code(const std::string& name) {
  for (const auto& [n, code] : kKinds) {
    if (name == n) return code;
  }
  return 0;  // refused by the library; the parser only lets known names through
}

int run_sketch(const SketchCommand& command, int64_t threads) {
  quarry::Context ctx(threads);
  const bool right = command.side == "right";

  Clock::time_point start = Clock::now();
  const Matrix a = read_matrix(command.input);
  const double seconds_read = seconds_since(start);

  const auto* dense = std::get_if<DenseMatrix>(&a);
  const auto* csr = std::get_if<CsrMatrix>(&a);
  const int64_t a_rows = dense ? dense->rows : csr->rows, a_cols = dense ? dense->cols : csr->cols;
  // S is rows x m, m = the dimension it compresses; the other dimension n is kept.
  const int64_t m = right ? a_cols : a_rows, n = right ? a_rows : a_cols;
  const int64_t b_rows = right ? n : command.rows, b_cols = right ? command.rows : n;
  const bool b_col_major = dense && dense->col_major;
  const int64_t ldb = std::max<int64_t>(1, b_col_major ? b_rows : b_cols);
  int64_t b_size = 0;
  if (__builtin_mul_overflow(b_rows, b_cols, &b_size) || !fits_in_memory(b_size, sizeof(double))) {
    throw std::runtime_error("the result, " + std::to_string(b_rows) + " x " +
                             std::to_string(b_cols) + ", does not fit in memory");
  }
  std::vector<double> b;

  // With --repeat, one untimed warm-up run first (page faults, thread start-up), then the
  // medians: what a benchmark compares.
  std::vector<double> create_times, apply_times;
  for (int64_t run = command.repeat > 1 ? -1 : 0; run < command.repeat; ++run) {
    start = Clock::now();
    const quarry::Sketch s(ctx, sketch_kind_code(command.kind), command.rows, m, command.seed,
                           command.nnz);
    const double create = seconds_since(start);
    // Allocated (and touched) once the library has accepted the sketch's arguments, and
    // outside the timing.
    if (b.empty()) b.assign(size_t(b_size), 0.0);
    start = Clock::now();
    ctx.check(apply(ctx, s.get(), a, right, b.data(), ldb));
    const double applied = seconds_since(start);
    if (run >= 0) {
      create_times.push_back(create);
      apply_times.push_back(applied);
    }
  }
  const double seconds_create = median(create_times), seconds_apply = median(apply_times);

  if (!command.output.empty()) {
    write_npy(command.output, b_rows, b_cols, b.data(), ldb, b_col_major);
  }

  if (command.time_only) {
    std::printf("seconds_create=%.6f seconds_apply=%.6f seconds_read=%.6f\n", seconds_create,
                seconds_apply, seconds_read);
    return 0;
  }
  const std::string storage =
      dense ? std::string(dense->col_major ? "dense, column-major" : "dense, row-major")
            : "CSR, " + std::to_string(csr->values.size()) + " non-zeros";
  const std::string timed =
      command.repeat > 1 ? "; medians of " + std::to_string(command.repeat) + " runs" : "";
  const std::string shape = std::to_string(b_rows) + " x " + std::to_string(b_cols);
  const std::string result = command.output.empty()
                                 ? "result " + shape + " not written (no -o)"
                                 : "wrote " + command.output + " (" + shape + ")";
  std::fprintf(stderr,
               "sketch: %s %lld x %lld applied %sto %lld x %lld (%s) in %.3f s (sketch creation "
               "%.3f s%s); %s; reading A took %.3f s\n",
               command.kind.c_str(), static_cast<long long>(command.rows),
               static_cast<long long>(m), right ? "from the right (A S^T) " : "",
               static_cast<long long>(a_rows), static_cast<long long>(a_cols), storage.c_str(),
               seconds_apply, seconds_create, timed.c_str(), result.c_str(), seconds_read);
  return 0;
}

}  // namespace quarry_cli
