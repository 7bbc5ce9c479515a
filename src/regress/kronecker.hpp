// Kronecker regression (include/c_api/quarry/regress.h documents the problem):
// min ||(A_1 x ... x A_N) x - b||^2 + lambda ||x||^2 without forming the product, exactly
// from the factors' SVDs or from a product leverage-score sample of the rows.
//
// Vectors indexed by the rows (b) or columns (x) of K = A_1 x ... x A_N are tensors in
// row-major order: entry (i_1, ..., i_N) of b is b[((i_1 I_2 + i_2) I_3 + i_3) ...], the
// order in which the Kronecker product numbers its rows, so that K x is the tensor
// x x_1 A_1 x_2 A_2 ... x_N A_N (mode products).
#pragma once

#include <quarry/rng.h>

#include <cstdint>
#include <vector>

#include "core/philox.hpp"
#include "core/views.hpp"
#include "regress/labels.hpp"

namespace quarry::regress {

// out = t x_mode op(M): t is a tensor with dimensions dims (row-major), op(M) is p x
// dims[mode], M stored row-major with leading dimension ldm, as p x dims[mode] (trans
// false) or as dims[mode] x p (trans true). out has dims with dims[mode] replaced by p.
void mode_product(const std::vector<int64_t>& dims, const double* t, size_t mode, const double* m,
                  int64_t ldm, bool trans, int64_t p, double* out);

// The factors, copied row-major (I_n x R_n, contiguous), and their thin SVDs (unless
// with_svd is false: then only multiply applies).
class KroneckerFactors {
 public:
  explicit KroneckerFactors(const std::vector<core::DenseView<const double>>& factors,
                            bool with_svd = true);

  size_t count() const { return a_.size(); }
  const std::vector<int64_t>& rows() const { return rows_; }
  const std::vector<int64_t>& cols() const { return cols_; }
  int64_t total_rows() const { return total_rows_; }            // prod I_n
  int64_t total_cols() const { return total_cols_; }            // prod R_n
  const std::vector<int64_t>& ranks() const { return ranks_; }  // numerical, per factor

  // y (prod I_n) = K x (x: prod R_n), or y (prod R_n) = K^T x (x: prod I_n).
  void multiply(bool trans, const double* x, double* y) const;

  // Exact: x = argmin ||K x - b||^2 + lambda ||x||^2 (the minimum-norm one for lambda = 0),
  // products of singular values at or below the rank tolerance counting as zero (with a
  // ridge too). Returns ||K x - b||^2, computed as ||b||^2 - ||c||^2 + ||Sigma y - c||^2
  // from c = U^T b (accurate to about eps ||b||^2 when the SVDs are; infinite when ||b||^2
  // overflows).
  double solve_exact(const double* b, double lambda, double* x) const;

  // sum_j sigma_j^2 / (sigma_j^2 + lambda) over the products of singular values above the
  // rank cutoff (their count, K's numerical rank, when lambda = 0).
  double statistical_dimension(double lambda) const;

  // Leverage scores of factor n (the squared row norms of U_n over its numerical rank);
  // they sum to that rank.
  std::vector<double> leverage(size_t n) const;

  // The preconditioner P = (V_1 x ... x V_N) (Sigma^2 + lambda)^(-1/2), P P^T = (K^T K +
  // lambda I)^+, in the interface conjugate_gradients expects.
  class Preconditioner {
   public:
    Preconditioner(const KroneckerFactors& f, double lambda);
    int64_t rank() const { return static_cast<int64_t>(scale_.size()); }
    void apply(const double* q, double* u) const;     // u = P q
    void apply_t(const double* w, double* pw) const;  // pw = P^T w
   private:
    const KroneckerFactors& f_;
    std::vector<double> scale_;
  };

  // Factor n, row-major I_n x R_n.
  const double* factor(size_t n) const { return a_[n].data(); }

 private:
  // t (dims) through each mode's matrix in turn; returns the result, dims updated. next(n)
  // gives (M, ldm, trans, p) for mode n.
  template <class Next>
  std::vector<double> through_modes(std::vector<int64_t>& dims, const double* t,
                                    const std::vector<size_t>& order, Next next) const;

  std::vector<int64_t> rows_, cols_, ranks_;
  std::vector<int64_t> ks_;  // k_n = min(I_n, R_n) with the SVDs, else 0
  int64_t total_rows_ = 1, total_cols_ = 1;
  // Per factor: the row-major copy and its thin SVD (u: I x k column-major, s: k, vt: k x
  // R column-major; k = min(I, R)).
  std::vector<std::vector<double>> a_, u_, s_, vt_;
  // With the SVDs: the products of the factors' singular values (prod k_n, row-major like
  // the tensors) and the cutoff at or below which they count as zero.
  std::vector<double> sigma_;
  double cutoff_ = 0;
};

struct KroneckerSettings {
  double ridge = 0;                                       // lambda >= 0
  bool sampled = false;                                   // the sampled solver
  int64_t samples = 0;                                    // draws; 0: the default
  double tolerance = 1e-10;                               // conjugate gradients' (sampled)
  int64_t max_iterations = 100;                           // conjugate gradients' (sampled)
  int64_t batch = 4096;                                   // labels per call, at most
  quarry_rng_state state = core::rng_state_from_seed(0);  // the sample's
};

struct KroneckerResult {
  bool sampled = false;
  int64_t samples = 0;       // draws (sampled)
  int64_t entries = 0;       // entries of b read
  int64_t iterations = 0;    // conjugate-gradient iterations (sampled)
  bool converged = true;     // false: the iteration limit was reached first
  double objective = 0;      // ||K x - b||^2 + lambda ||x||^2 (exact only)
  double residual_norm = 0;  // ||K x - b|| (exact only)
  LabelCounts oracle;        // the label calls (sampled, b by labels)
  double seconds = 0;
};

// The default number of draws: 50 d (at least 100) for the statistical dimension
// d = sum_j sigma_j^2 / (sigma_j^2 + lambda) of K (its numerical rank when lambda = 0).
// The sampled fit's excess loss is about d / s of the minimum (measured on the authors'
// suite within a few tenths of a percent of that), so about 2%.
int64_t kronecker_default_samples(double statistical_dimension);

// Solves for x (prod R_n). b: all prod I_n entries (b_values) or, for the sampled solver
// only, labels (then b_values is NULL). The factors must be finite; b_values is checked.
KroneckerResult kronecker_regression(const KroneckerFactors& factors, const double* b_values,
                                     const LabelFn* labels, double* x,
                                     const KroneckerSettings& settings);

}  // namespace quarry::regress
