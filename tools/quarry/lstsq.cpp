#include "lstsq.hpp"

#include <quarry.hpp>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "matrix_io.hpp"
#include "sketch.hpp"

namespace quarry_cli {

namespace {

constexpr const char* kMethods[] = {"auto", "direct", "sketch_solve", "sketch_precondition",
                                    "gram_precondition"};
static_assert(QUARRY_LSTSQ_AUTO == 0 && QUARRY_LSTSQ_DIRECT == 1 &&
                  QUARRY_LSTSQ_SKETCH_SOLVE == 2 && QUARRY_LSTSQ_SKETCH_PRECONDITION == 3 &&
                  QUARRY_LSTSQ_GRAM_PRECONDITION == 4,
              "kMethods is indexed by the QUARRY_LSTSQ_* value");

int64_t method_code(const std::string& name) {
  for (int64_t code = 0; code < int64_t(std::size(kMethods)); ++code) {
    if (name == kMethods[code]) return code;
  }
  return -1;  // refused by the library; the parser only lets known names through
}

// B: a dense file (a .npy, or a Matrix Market array), 1-D or 2-D.
DenseMatrix read_npy_or_array(const std::string& path) {
  Matrix b = read_matrix(path, /*vector_ok=*/true);
  auto* dense = std::get_if<DenseMatrix>(&b);
  if (dense == nullptr) {
    throw MatrixFileError(path,
                          "B is a sparse (coordinate) Matrix Market file: B must be dense (a "
                          ".npy file or a Matrix Market array)");
  }
  return std::move(*dense);
}

std::string shape(int64_t rows, int64_t cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

// The report's entries, in the order a reader asks about them: what ran, then how well.
void print_report(const quarry::Report& report) {
  if (const auto method = report.get_i64(QUARRY_REPORT_METHOD)) {
    const bool known = *method >= 0 && *method < int64_t(std::size(kMethods));
    std::printf("method: %s\n", known ? kMethods[*method] : std::to_string(*method).c_str());
  }
  const std::pair<int32_t, const char*> counts[] = {{QUARRY_REPORT_ITERATIONS, "iterations"},
                                                    {QUARRY_REPORT_SKETCH_ROWS, "sketch rows"},
                                                    {QUARRY_REPORT_RANK, "rank"},
                                                    {QUARRY_REPORT_OUTLIERS, "outliers"}};
  for (const auto& [key, name] : counts) {
    if (const auto v = report.get_i64(key)) {
      std::printf("%s: %lld\n", name, static_cast<long long>(*v));
    }
  }
  const std::pair<int32_t, const char*> values[] = {
      {QUARRY_REPORT_OBJECTIVE, "objective"},
      {QUARRY_REPORT_DUAL_GAP, "dual gap"},
      {QUARRY_REPORT_RESIDUAL_NORM, "residual norm"},
      {QUARRY_REPORT_BACKWARD_ERROR, "backward error"},
      {QUARRY_REPORT_CONDITION_ESTIMATE, "condition estimate"},
      {QUARRY_REPORT_SECONDS, "seconds"},
      {QUARRY_REPORT_RESIDUAL_BOUND, "residual bound"}};
  for (const auto& [key, name] : values) {
    if (const auto v = report.get_f64(key)) {
      std::printf(key == QUARRY_REPORT_SECONDS ? "%s: %.6f\n" : "%s: %.6e\n", name, *v);
    }
  }
}

// Writes x, prints the report, and turns QUARRY_ERR_NO_CONVERGENCE (x still written) into
// exit status 1 with one error line; other failures throw.
int finish(quarry::Context& ctx, quarry_status status, const quarry::Report& report,
           const std::string& output, int64_t n, int64_t nrhs, const double* x, int64_t ldx,
           bool col_major, bool vector) {
  // The iteration limit still leaves an X worth keeping, and a report saying how far it got.
  if (status != QUARRY_ERR_NO_CONVERGENCE) ctx.check(status);
  const std::string message = ctx.last_error();
  write_npy(output, n, nrhs, x, ldx, col_major, vector);
  print_report(report);
  if (status != QUARRY_OK) {
    std::fflush(stdout);  // the report first, then the error, when both go to one terminal
    std::fprintf(stderr, "quarry: error: %s: %s\n", quarry_status_string(status), message.c_str());
    return 1;
  }
  return 0;
}

// A dense A and a one-column b with A's rows, for the robust regressions.
struct DenseProblem {
  DenseMatrix a, b;
};

DenseProblem read_dense_problem(const std::string& a_path, const std::string& b_path,
                                const char* what) {
  Matrix a = read_matrix(a_path);
  auto* dense = std::get_if<DenseMatrix>(&a);
  if (dense == nullptr) {
    throw MatrixFileError(a_path, std::string("A is a sparse (coordinate) Matrix Market file: ") +
                                      what + " takes a dense A");
  }
  DenseMatrix b = read_npy_or_array(b_path);
  if (b.cols != 1) {
    throw MatrixFileError(b_path, "B has " + std::to_string(b.cols) + " columns: " + what +
                                      " takes one right-hand side");
  }
  if (b.rows != dense->rows) {
    throw std::runtime_error(b_path + " has " + std::to_string(b.rows) + " rows but " + a_path +
                             " has " + std::to_string(dense->rows) +
                             ": B needs one row per row of A");
  }
  return {std::move(*dense), std::move(b)};
}

}  // namespace

std::vector<std::string> lstsq_method_names() {
  return std::vector<std::string>(std::begin(kMethods), std::end(kMethods));
}

int run_lstsq(const LstsqCommand& command, int64_t threads) {
  quarry::Context ctx(threads);
  quarry::Options opts;
  opts.set(QUARRY_OPT_LSTSQ_METHOD, method_code(command.method))
      .set(QUARRY_OPT_RIDGE, command.ridge)
      .set(QUARRY_OPT_SEED, command.seed);
  if (command.tol >= 0) opts.set(QUARRY_OPT_TOLERANCE, command.tol);
  if (command.max_iter > 0) opts.set(QUARRY_OPT_MAX_ITERATIONS, command.max_iter);
  if (command.rows > 0) opts.set(QUARRY_OPT_SKETCH_ROWS, command.rows);
  if (!command.kind.empty()) opts.set(QUARRY_OPT_SKETCH_KIND, sketch_kind_code(command.kind));

  if (command.lp > 0) {
    if (command.ridge != 0) {
      throw std::runtime_error("--lp takes no --ridge: l_p regression has no penalty term");
    }
    const DenseProblem p = read_dense_problem(command.a, command.b, "--lp");
    std::vector<double> x(size_t(p.a.cols), 0.0);
    quarry::Report report;
    const quarry_status status = quarry_lp_regression_f64(
        ctx.get(), p.a.layout(), p.a.rows, p.a.cols, p.a.values.data(), p.a.ld(), p.b.values.data(),
        command.lp, x.data(), opts.get(), report.out());
    return finish(ctx, status, report, command.output, p.a.cols, 1, x.data(), 1, false, p.b.vector);
  }
  const Matrix a = read_matrix(command.a);
  const DenseMatrix b_file = read_npy_or_array(command.b);
  const DenseMatrix* b = &b_file;
  const auto* dense = std::get_if<DenseMatrix>(&a);
  const auto* csr = std::get_if<CsrMatrix>(&a);
  const int64_t m = dense ? dense->rows : csr->rows, n = dense ? dense->cols : csr->cols;
  const int64_t nrhs = b->cols;
  if (b->rows != m) {
    throw std::runtime_error(command.b + " has " + std::to_string(b->rows) + " rows but " +
                             command.a + " has " + std::to_string(m) +
                             ": B needs one row per row of A");
  }

  // The library takes A, B and X in one storage order: a dense A's own (never copied),
  // B's for a CSR A. B is brought to it when it differs (a copy, B being n / nrhs times
  // smaller than A); a single column is stored alike in both orders.
  const bool col_major = dense ? dense->col_major : b->col_major;
  const int32_t layout = col_major ? QUARRY_COL_MAJOR : QUARRY_ROW_MAJOR;
  const int64_t ldb = std::max<int64_t>(1, col_major ? m : nrhs);
  const int64_t ldx = std::max<int64_t>(1, col_major ? n : nrhs);
  std::vector<double> reordered;
  const double* b_values = b->values.data();
  if (b->col_major != col_major && nrhs > 1) {
    reordered.resize(b->values.size());
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < nrhs; ++j) {
        const size_t from = size_t(b->col_major ? i + j * m : i * nrhs + j);
        reordered[size_t(col_major ? i + j * m : i * nrhs + j)] = b->values[from];
      }
    }
    b_values = reordered.data();
  }
  int64_t x_size = 0;
  if (__builtin_mul_overflow(n, nrhs, &x_size) || !fits_in_memory(x_size, sizeof(double))) {
    throw std::runtime_error("the solution, " + shape(n, nrhs) + ", does not fit in memory");
  }
  std::vector<double> x(size_t(x_size), 0.0);

  quarry::Report report;
  const quarry_status status =
      dense ? quarry_lstsq_f64(ctx.get(), layout, m, n, nrhs, dense->values.data(), dense->ld(),
                               b_values, ldb, x.data(), ldx, opts.get(), report.out())
            : quarry_lstsq_csr_f64(ctx.get(), m, n, nrhs, csr->row_ptr.data(), csr->col_idx.data(),
                                   csr->values.data(), layout, b_values, ldb, x.data(), ldx,
                                   opts.get(), report.out());
  return finish(ctx, status, report, command.output, n, nrhs, x.data(), ldx, col_major, b->vector);
}

int run_huber(const HuberCommand& command, int64_t threads) {
  quarry::Context ctx(threads);
  quarry::Options opts;
  opts.set(QUARRY_OPT_HUBER_SCALE, command.scale).set(QUARRY_OPT_RIDGE, command.ridge);
  if (command.tol >= 0) opts.set(QUARRY_OPT_TOLERANCE, command.tol);
  if (command.max_iter > 0) opts.set(QUARRY_OPT_MAX_ITERATIONS, command.max_iter);
  const DenseProblem p = read_dense_problem(command.a, command.b, "huber");
  std::vector<double> x(size_t(p.a.cols), 0.0);
  double scale = 0;
  quarry::Report report;
  const quarry_status status = quarry_huber_f64(
      ctx.get(), p.a.layout(), p.a.rows, p.a.cols, p.a.values.data(), p.a.ld(), p.b.values.data(),
      command.epsilon, x.data(), &scale, opts.get(), report.out());
  if (status == QUARRY_OK || status == QUARRY_ERR_NO_CONVERGENCE) {
    std::printf("scale: %.6e\n", scale);
  }
  return finish(ctx, status, report, command.output, p.a.cols, 1, x.data(), 1, false, p.b.vector);
}

}  // namespace quarry_cli
