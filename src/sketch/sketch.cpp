#include "sketch/sketch.hpp"

#include <quarry/options.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/threads.hpp"
#include "sketch/kernels.hpp"
#include "sketch/sampling.hpp"

namespace quarry::sketch {

namespace {

using core::fail;
using core::require;

// Largest row count of the sparse kinds: a row index and its sign share 32 bits.
constexpr int64_t kMaxSparseRows = int64_t{1} << 31;

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Gaussian: return "QUARRY_SKETCH_GAUSSIAN";
    case Kind::Srht: return "QUARRY_SKETCH_SRHT";
    case Kind::CountSketch: return "QUARRY_SKETCH_COUNTSKETCH";
    case Kind::SparseSign: return "QUARRY_SKETCH_SPARSE_SIGN";
    case Kind::UniformRows: return "QUARRY_SKETCH_UNIFORM_ROWS";
  }
  return "?";
}

Kind to_kind(int32_t code) {
  require(code >= QUARRY_SKETCH_GAUSSIAN && code <= QUARRY_SKETCH_UNIFORM_ROWS,
          QUARRY_ERR_INVALID_ARGUMENT, "kind = {} is not a QUARRY_SKETCH_* kind ({} .. {})", code,
          static_cast<int>(QUARRY_SKETCH_GAUSSIAN), static_cast<int>(QUARRY_SKETCH_UNIFORM_ROWS));
  return static_cast<Kind>(code);
}

// The sparse-sign entries: column j's non-zero l (e = j * k + l) lies in the l-th of k
// near-equal row blocks, [l * rows / k, (l + 1) * rows / k), at the offset given by the 63
// low bits of the 64-bit word e (words 2 (e mod 2), 2 (e mod 2) + 1 of block e / 2), and
// is -1 when the word's top bit is set. One non-zero per block makes the k rows of a
// column distinct (the block construction of Kane and Nelson, "Sparser Johnson-Lindenstrauss
// transforms", 2014).
std::vector<uint32_t> sparse_sign_entries(const core::PhiloxStream& stream, int64_t rows,
                                          int64_t cols, int64_t k, int64_t threads) {
  const int64_t count = core::checked_mul(cols, k, "cols * nnz");
  std::vector<uint32_t> entries(static_cast<size_t>(count));
  core::parallel_for(threads, cols, 4096, [&](int64_t j0, int64_t j1) {
    for (int64_t e = j0 * k; e < j1 * k; ++e) {
      const core::PhiloxBlock block = stream.block(static_cast<uint64_t>(e / 2));
      const int half = static_cast<int>(e % 2) * 2;
      const uint64_t word = (uint64_t{block[half + 1]} << 32) | block[half];
      const int64_t l = e % k;
      const int64_t lo = l * rows / k;
      const int64_t size = (l + 1) * rows / k - lo;
      const auto row = static_cast<uint64_t>(lo) + below(word << 1, static_cast<uint64_t>(size));
      entries[static_cast<size_t>(e)] = static_cast<uint32_t>(row) | ((word >> 63) << 31);
    }
  });
  return entries;
}

// SRHT signs: input row j is negated when bit (j mod 32) of 32-bit element j / 32 of the
// stream is set (element e: word e mod 4 of block e / 4): the stream's words as they come.
std::vector<uint32_t> srht_signs(const core::PhiloxStream& stream, int64_t cols, int64_t threads) {
  std::vector<uint32_t> bits(static_cast<size_t>((cols + 31) / 32));
  core::rng_fill_u32(stream, 0, static_cast<int64_t>(bits.size()), bits.data(), threads);
  return bits;
}

}  // namespace

Sketch::Sketch(int32_t kind, int64_t rows, int64_t cols, int64_t nnz, const quarry_rng_state& state,
               int64_t threads)
    : kind_(to_kind(kind)), rows_(rows), cols_(cols), nnz_(nnz), padded_(cols), state_(state) {
  const core::PhiloxStream stream(state);  // validates the state
  require(rows >= 1 && cols >= 1, QUARRY_ERR_BAD_DIMENSION,
          "a sketch needs rows >= 1 and cols >= 1, got rows = {} and cols = {}", rows, cols);
  const bool sparse = kind_ == Kind::SparseSign || kind_ == Kind::CountSketch;
  if (!sparse) {
    require(nnz <= 0, QUARRY_ERR_INVALID_ARGUMENT,
            "QUARRY_OPT_SKETCH_NNZ = {} applies only to QUARRY_SKETCH_SPARSE_SIGN, not to {}", nnz,
            kind_name(kind_));
  }
  switch (kind_) {
    case Kind::SparseSign:
    case Kind::CountSketch: {
      require(rows <= kMaxSparseRows - 1, QUARRY_ERR_BAD_DIMENSION,
              "{} supports at most {} rows, got rows = {}", kind_name(kind_), kMaxSparseRows - 1,
              rows);
      if (kind_ == Kind::CountSketch) {
        require(nnz <= 1, QUARRY_ERR_INVALID_ARGUMENT,
                "QUARRY_OPT_SKETCH_NNZ = {}: a CountSketch has one non-zero per column (use "
                "QUARRY_SKETCH_SPARSE_SIGN for more)",
                nnz);
        nnz_ = 1;
      } else {
        nnz_ = nnz <= 0 ? std::min(kDefaultSparseSignNnz, rows) : nnz;
        require(nnz_ <= rows, QUARRY_ERR_INVALID_ARGUMENT,
                "QUARRY_OPT_SKETCH_NNZ = {} exceeds rows = {} (a column has at most one non-zero "
                "per row)",
                nnz_, rows);
      }
      entries_ = sparse_sign_entries(stream, rows, cols, nnz_, threads);
      break;
    }
    case Kind::Srht: {
      // The per-thread buffer holds 8 padded columns: keep its size far from overflow.
      require(cols <= (int64_t{1} << 48), QUARRY_ERR_SIZE_OVERFLOW,
              "QUARRY_SKETCH_SRHT supports at most 2^48 cols, got cols = {}", cols);
      padded_ = static_cast<int64_t>(std::bit_ceil(static_cast<uint64_t>(cols)));
      require(rows <= padded_, QUARRY_ERR_BAD_DIMENSION,
              "QUARRY_SKETCH_SRHT samples rows = {} of the {} rows of the padded Hadamard "
              "transform (cols = {} padded to a power of two); it cannot take more",
              rows, padded_, cols);
      nnz_ = rows;
      signs_ = srht_signs(stream, cols, threads);
      sample_ = sample_without_replacement(
          core::PhiloxStream(core::rng_state_advance(state, kSecondStream)), padded_, rows);
      break;
    }
    case Kind::UniformRows:
      require(rows <= cols, QUARRY_ERR_BAD_DIMENSION,
              "QUARRY_SKETCH_UNIFORM_ROWS samples rows = {} distinct rows out of cols = {}; it "
              "cannot take more",
              rows, cols);
      nnz_ = 1;
      sample_ = sample_without_replacement(stream, cols, rows);
      break;
    case Kind::Gaussian:
      // Entry (i, j) is element j * rows + i of the stream: every index must fit.
      core::checked_mul(rows, cols, "rows * cols of a Gaussian sketch");
      nnz_ = rows;
      break;
  }
}

void Sketch::check_product(const char* what, int64_t a_rows, int64_t a_cols,
                           const core::DenseView<double>& b) const {
  require(a_rows == cols_, QUARRY_ERR_BAD_DIMENSION,
          "{}: the sketch is {} x {}, so A needs {} rows (the sketch's cols), got {}", what, rows_,
          cols_, cols_, a_rows);
  require(b.rows == rows_ && b.cols == a_cols, QUARRY_ERR_BAD_DIMENSION,
          "{}: the product is {} x {}, but B is {} x {}", what, rows_, a_cols, b.rows, b.cols);
}

template <class A>
void Sketch::run(int64_t threads, const A& a, core::DenseView<double> b,
                 const detail::Kernels<A>& kernels) const {
  if (b.empty()) return;
  switch (kind_) {
    case Kind::Gaussian: kernels.gaussian(threads, core::PhiloxStream(state_), rows_, a, b); break;
    case Kind::Srht: kernels.srht(threads, signs_.data(), padded_, sample_, a, b); break;
    case Kind::CountSketch:
    case Kind::SparseSign:
      kernels.sparse_sign(threads, entries_.data(), nnz_,
                          1.0 / std::sqrt(static_cast<double>(nnz_)), a, b);
      break;
    case Kind::UniformRows:
      kernels.rows(threads, sample_,
                   std::sqrt(static_cast<double>(cols_) / static_cast<double>(rows_)), a, b);
      break;
  }
}

void Sketch::apply(int64_t threads, core::DenseView<const double> a,
                   core::DenseView<double> b) const {
  check_product("S * A", a.rows, a.cols, b);
  run<core::DenseView<const double>>(
      threads, a, b,
      {detail::gaussian_dense, detail::srht_dense, detail::sparse_sign_dense, detail::rows_dense});
}

void Sketch::apply(int64_t threads, const core::CsrView<const double>& a,
                   core::DenseView<double> b) const {
  check_product("S * A", a.rows, a.cols, b);
  run<core::CsrView<const double>>(
      threads, a, b,
      {detail::gaussian_csr, detail::srht_csr, detail::sparse_sign_csr, detail::rows_csr});
}

void Sketch::apply_right(int64_t threads, const core::CsrView<const double>& a,
                         core::DenseView<double> b) const {
  require(a.cols == cols_, QUARRY_ERR_BAD_DIMENSION,
          "A * S^T: the sketch is {} x {}, so A needs {} columns (the sketch's cols), got {}",
          rows_, cols_, cols_, a.cols);
  require(b.rows == a.rows && b.cols == rows_, QUARRY_ERR_BAD_DIMENSION,
          "A * S^T: the product is {} x {}, but B is {} x {}", a.rows, rows_, b.rows, b.cols);
  run<core::CsrView<const double>>(threads, a, b,
                                   {detail::gaussian_csr_right, detail::srht_csr_right,
                                    detail::sparse_sign_csr_right, detail::rows_csr_right});
}

void Sketch::columns(int64_t threads, int64_t j0, core::DenseView<double> out) const {
  require(j0 >= 0 && out.cols <= cols_ - j0 && out.rows == rows_, QUARRY_ERR_BAD_DIMENSION,
          "columns {} .. {} of a {} x {} sketch do not fit a {} x {} output", j0, j0 + out.cols,
          rows_, cols_, out.rows, out.cols);
  // S * E with E the identity columns j0 .. j0 + w: one CSR non-zero per column.
  const int64_t w = out.cols;
  std::vector<int64_t> row_ptr(static_cast<size_t>(cols_ + 1), 0);
  std::vector<int64_t> col_idx(static_cast<size_t>(w));
  std::vector<double> val(static_cast<size_t>(w), 1.0);
  for (int64_t t = 0; t < w; ++t) col_idx[static_cast<size_t>(t)] = t;
  for (int64_t i = 0; i < cols_; ++i) {
    row_ptr[static_cast<size_t>(i + 1)] = std::clamp<int64_t>(i + 1 - j0, 0, w);
  }
  apply(threads, core::CsrView<const double>{cols_, w, row_ptr.data(), col_idx.data(), val.data()},
        out);
}

}  // namespace quarry::sketch
