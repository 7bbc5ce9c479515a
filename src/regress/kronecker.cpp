#include "regress/kronecker.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/blas.hpp"
#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "lstsq/factor.hpp"
#include "sketch/sampling.hpp"

namespace quarry::regress {

namespace {

using lstsq::detail::kEps;

size_t sz(int64_t v) { return static_cast<size_t>(v); }

// One mode product of a sequence: op(M) (p x d), M row-major with leading dimension ldm,
// stored as p x d (trans false) or d x p (trans true).
struct Step {
  const double* m;
  int64_t ldm;
  bool trans;
  int64_t p;
};

int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (const int64_t d : dims) p = core::checked_mul(p, d, "the product of the dimensions");
  return p;
}

// The modes ordered by decreasing ratio from[n] / to[n]: each mode product shrinks (or
// least grows) the tensor first, so the later, costlier ones act on the smallest tensors.
std::vector<size_t> shrinking_order(const std::vector<int64_t>& from,
                                    const std::vector<int64_t>& to) {
  std::vector<size_t> order(from.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    return static_cast<double>(from[i]) / static_cast<double>(to[i]) >
           static_cast<double>(from[j]) / static_cast<double>(to[j]);
  });
  return order;
}

// For a product of singular values sg > 0: sg / (sg^2 + lambda), 1 / sqrt(sg^2 + lambda)
// and sg^2 / (sg^2 + lambda), never forming sg^2 (it overflows or underflows long before
// sg does: factors scaled by 1e80 have sg^2 beyond the doubles).
double ridge_inverse(double sg, double lambda) { return 1 / (sg + lambda / sg); }
double ridge_scale(double sg, double lambda) { return 1 / std::hypot(sg, std::sqrt(lambda)); }
double ridge_share(double sg, double lambda) {
  const double t = std::sqrt(lambda) / sg;
  return 1 / (1 + t * t);
}

// A factor's numerical rank: singular values above max(I, R) eps sigma_max.
int64_t numerical_rank(const std::vector<double>& s, int64_t rows, int64_t cols) {
  const double cut = static_cast<double>(std::max(rows, cols)) * kEps * (s.empty() ? 0 : s[0]);
  int64_t r = 0;
  while (r < static_cast<int64_t>(s.size()) && s[sz(r)] > cut) ++r;
  return r;
}

}  // namespace

void mode_product(const std::vector<int64_t>& dims, const double* t, size_t mode, const double* m,
                  int64_t ldm, bool trans, int64_t p, double* out) {
  int64_t before = 1, after = 1;
  for (size_t k = 0; k < mode; ++k) before *= dims[k];
  for (size_t k = mode + 1; k < dims.size(); ++k) after *= dims[k];
  const int64_t d = dims[mode];
  const auto op = [](bool tr) { return tr ? core::Op::Trans : core::Op::NoTrans; };
  if (after == 1) {  // the last mode: out (before x p) = t (before x d) op(M)^T, one gemm
    core::gemm(core::Layout::RowMajor, core::Op::NoTrans, op(!trans), before, p, d, 1.0, t, d, m,
               ldm, 0.0, out, p);
    return;
  }
  for (int64_t l = 0; l < before; ++l) {  // each slab: out_l (p x after) = op(M) t_l
    core::gemm(core::Layout::RowMajor, op(trans), core::Op::NoTrans, p, after, d, 1.0, m, ldm,
               t + l * d * after, after, 0.0, out + l * p * after, after);
  }
}

KroneckerFactors::KroneckerFactors(const std::vector<core::DenseView<const double>>& factors,
                                   bool with_svd) {
  for (const auto& f : factors) {
    const int64_t i = f.rows, r = f.cols, k = std::min(i, r);
    rows_.push_back(i);
    cols_.push_back(r);
    total_rows_ = core::checked_mul(total_rows_, i, "the rows of the Kronecker product");
    total_cols_ = core::checked_mul(total_cols_, r, "the columns of the Kronecker product");
    std::vector<double> a(sz(core::checked_mul(i, r, "a factor"))), col(with_svd ? a.size() : 0);
    for (int64_t p = 0; p < i; ++p) {
      for (int64_t q = 0; q < r; ++q) {
        a[sz(p * r + q)] = f(p, q);
        if (with_svd) col[sz(p + q * i)] = f(p, q);
      }
    }
    std::vector<double> s, u, vt;
    if (with_svd) {
      s.resize(sz(k));
      u.resize(sz(i * k));
      vt.resize(sz(k * r));
      core::svd_thin(i, r, col.data(), i, s.data(), u.data(), i, vt.data(), k);
    }
    ranks_.push_back(numerical_rank(s, i, r));
    ks_.push_back(static_cast<int64_t>(s.size()));
    a_.push_back(std::move(a));
    u_.push_back(std::move(u));
    s_.push_back(std::move(s));
    vt_.push_back(std::move(vt));
  }
  if (!with_svd) return;
  // The products of the factors' singular values, indexed like the tensors of size
  // prod k_n (row-major), and the cutoff below which they count as zero: each factor's
  // singular values are exact to about max(I_n, R_n) eps of its largest, so a product to
  // the sum of these relative to the largest product.
  sigma_ = {1.0};
  for (const auto& sn : s_) {
    std::vector<double> next;
    next.reserve(sigma_.size() * sn.size());
    for (const double a : sigma_) {
      for (const double b : sn) next.push_back(a * b);
    }
    sigma_ = std::move(next);
  }
  double rel = 0;
  for (size_t n = 0; n < rows_.size(); ++n) {
    rel += static_cast<double>(std::max(rows_[n], cols_[n])) * kEps;
  }
  cutoff_ = rel * *std::max_element(sigma_.begin(), sigma_.end());
}

template <class Next>
std::vector<double> KroneckerFactors::through_modes(std::vector<int64_t>& dims, const double* t,
                                                    const std::vector<size_t>& order,
                                                    Next next) const {
  std::vector<double> cur, nxt;
  const double* src = t;
  for (const size_t n : order) {
    const auto [m, ldm, trans, p] = next(n);
    std::vector<int64_t> to = dims;
    to[n] = p;
    nxt.resize(sz(product(to)));
    mode_product(dims, src, n, m, ldm, trans, p, nxt.data());
    dims = std::move(to);
    cur.swap(nxt);
    src = cur.data();
  }
  return cur;
}

void KroneckerFactors::multiply(bool trans, const double* x, double* y) const {
  std::vector<int64_t> dims = trans ? rows_ : cols_;
  const std::vector<int64_t>& to = trans ? cols_ : rows_;
  // op(M) = A_n (I_n x R_n, trans false) or A_n^T (stored I_n x R_n: trans true).
  const std::vector<double> out = through_modes(dims, x, shrinking_order(dims, to), [&](size_t n) {
    return Step{a_[n].data(), cols_[n], trans, to[n]};
  });
  std::copy(out.begin(), out.end(), y);
}

double KroneckerFactors::solve_exact(const double* b, double lambda, double* x) const {
  const std::vector<int64_t>& ks = ks_;
  // ||b||^2 (one BLAS pass; b's finiteness follows from it).
  const int64_t m = total_rows_;
  const double bb = core::sum_squares(m, b);
  if (!std::isfinite(bb)) {
    for (int64_t j = 0; j < m; ++j) {
      core::require(std::isfinite(b[j]), QUARRY_ERR_NONFINITE, "b[{}] is {}", j, b[j]);
    }
  }
  // c = (U_1 x ... x U_N)^T b: op(M) = U_n^T, k_n x I_n, stored column-major I_n x k_n
  // (row-major U_n^T with leading dimension I_n).
  std::vector<int64_t> dims = rows_;
  std::vector<double> c = through_modes(dims, b, shrinking_order(rows_, ks), [&](size_t n) {
    return Step{u_[n].data(), rows_[n], false, ks[n]};
  });
  // Products at or below the rank cutoff are rounding noise, zero with a ridge too (their
  // sg / (sg^2 + lambda) would amplify noise when lambda is tiny).
  double cc = 0, fit = 0;
  for (size_t j = 0; j < c.size(); ++j) {
    const double sg = sigma_[j], cj = c[j];
    const double y = sg > cutoff_ ? ridge_inverse(sg, lambda) * cj : 0.0;
    cc += cj * cj;
    fit += (sg * y - cj) * (sg * y - cj);
    c[j] = y;
  }
  // x = (V_1 x ... x V_N) y: op(M) = V_n, R_n x k_n, stored column-major k_n x R_n as V_n^T
  // (row-major V_n with leading dimension k_n).
  const std::vector<double> out =
      through_modes(dims, c.data(), shrinking_order(ks, cols_), [&](size_t n) {
        return Step{vt_[n].data(), ks[n], false, cols_[n]};
      });
  std::copy(out.begin(), out.end(), x);
  // ||b||^2 - ||c||^2: what of b lies outside the span of U_1 x ... x U_N; nothing when the
  // U_n are square (the difference would be rounding noise), and an overflowing ||b||^2
  // leaves the objective unknown but huge.
  bool square = true;
  for (size_t n = 0; n < ks.size(); ++n) square = square && ks[n] == rows_[n];
  if (std::isinf(bb)) return bb;
  return (square ? 0.0 : std::max(bb - cc, 0.0)) + fit;
}

std::vector<double> KroneckerFactors::leverage(size_t n) const {
  const int64_t i = rows_[n], r = ranks_[n];
  std::vector<double> lev(sz(i), 0.0);
  for (int64_t j = 0; j < r; ++j) {
    for (int64_t p = 0; p < i; ++p) lev[sz(p)] += u_[n][sz(p + j * i)] * u_[n][sz(p + j * i)];
  }
  return lev;
}

KroneckerFactors::Preconditioner::Preconditioner(const KroneckerFactors& f, double lambda) : f_(f) {
  scale_.resize(f.sigma_.size());
  for (size_t j = 0; j < f.sigma_.size(); ++j) {
    scale_[j] = f.sigma_[j] > f.cutoff_ ? ridge_scale(f.sigma_[j], lambda) : 0.0;
  }
}

void KroneckerFactors::Preconditioner::apply(const double* q, double* u) const {
  std::vector<int64_t> dims = f_.ks_;
  std::vector<double> t(scale_.size());
  for (size_t j = 0; j < t.size(); ++j) t[j] = scale_[j] * q[j];
  const std::vector<double> out =
      f_.through_modes(dims, t.data(), shrinking_order(dims, f_.cols_), [&](size_t n) {
        return Step{f_.vt_[n].data(), f_.ks_[n], false, f_.cols_[n]};
      });
  std::copy(out.begin(), out.end(), u);
}

void KroneckerFactors::Preconditioner::apply_t(const double* w, double* pw) const {
  std::vector<int64_t> dims = f_.cols_;
  const std::vector<int64_t>& ks = f_.ks_;
  // op(M) = V_n^T (k_n x R_n), stored row-major as V_n (R_n x k_n): trans.
  const std::vector<double> out =
      f_.through_modes(dims, w, shrinking_order(dims, ks), [&](size_t n) {
        return Step{f_.vt_[n].data(), ks[n], true, ks[n]};
      });
  for (size_t j = 0; j < scale_.size(); ++j) pw[j] = scale_[j] * out[j];
}

double KroneckerFactors::statistical_dimension(double lambda) const {
  double d = 0;
  for (const double sg : sigma_) {
    if (sg > cutoff_) d += ridge_share(sg, lambda);
  }
  return d;
}

int64_t kronecker_default_samples(double statistical_dimension) {
  return std::max<int64_t>(100, static_cast<int64_t>(std::ceil(50 * statistical_dimension)));
}

namespace {

// The sampled rows of K: distinct row indices (increasing) with their weights
// (draws / (s p_i)), and each row's index along mode 0 and in the other modes.
struct Sample {
  std::vector<int64_t> index;
  std::vector<double> weight;
  int64_t draws = 0;
};

Sample draw_rows(const KroneckerFactors& f, int64_t draws, const quarry_rng_state& state) {
  const size_t nf = f.count();
  std::vector<std::vector<double>> lev(nf), cdf(nf);
  std::vector<int64_t> stride(nf, 1);
  for (size_t n = nf; n-- > 1;) stride[n - 1] = stride[n] * f.rows()[n];
  for (size_t n = 0; n < nf; ++n) {
    lev[n] = f.leverage(n);
    cdf[n].resize(lev[n].size());
    std::partial_sum(lev[n].begin(), lev[n].end(), cdf[n].begin());
  }
  // Draw t takes one row per factor, independently, factor n's row i with probability
  // lev_n[i] / sum(lev_n): the row of K they index has the product probability, K's own
  // leverage score over its rank. Uniform u of (t, n): the 64-bit word of block t N + n.
  const core::PhiloxStream stream(state);
  std::vector<std::pair<int64_t, double>> d(sz(draws));
  for (int64_t t = 0; t < draws; ++t) {
    int64_t index = 0;
    double prob = 1;
    for (size_t n = 0; n < nf; ++n) {
      const double total = cdf[n].back();
      const uint64_t word = sketch::word64(stream, static_cast<uint64_t>(t) * nf + n);
      const double u = static_cast<double>(word >> 11) * 0x1p-53 * total;
      auto it = std::upper_bound(cdf[n].begin(), cdf[n].end(), u);
      if (it == cdf[n].end()) --it;                       // u rounded up to the total
      while (lev[n][sz(it - cdf[n].begin())] == 0) --it;  // the last row of positive score
      const int64_t i = it - cdf[n].begin();
      index += i * stride[n];
      prob *= lev[n][sz(i)] / total;
    }
    d[sz(t)] = {index, prob};
  }
  std::sort(d.begin(), d.end());
  Sample s;
  s.draws = draws;
  for (size_t t = 0; t < d.size();) {
    size_t e = t;
    while (e < d.size() && d[e].first == d[t].first) ++e;
    s.index.push_back(d[t].first);
    s.weight.push_back(static_cast<double>(e - t) / (static_cast<double>(draws) * d[t].second));
    t = e;
  }
  return s;
}

// The sampled rows as an operator: v = S K x (one value per sampled row) and g = (S K)^T v,
// each one gemm with the sampled rows of one factor A_m: K x's row (i_1, ..., i_N) is
// A_m[i_m, :] X_(m) kr, X_(m) the mode-m unfolding of x (R_m x prod R / R_m) and kr the
// Kronecker product of the other factors' rows. The mode m is the one whose distinct sampled
// rows times prod R / R_m (the workspace, and the per-row work) is smallest.
class SampledRows {
 public:
  SampledRows(const KroneckerFactors& f, const std::vector<int64_t>& index)
      : f_(f), rows_of_(f.count()) {
    const size_t nf = f.count();
    for (const int64_t idx : index) {  // each draw's row in every factor
      int64_t r = idx;
      for (size_t n = nf; n-- > 0;) {
        rows_of_[n].push_back(r % f.rows()[n]);
        r /= f.rows()[n];
      }
    }
    double best = -1;
    for (size_t n = 0; n < nf; ++n) {
      std::vector<char> seen(sz(f.rows()[n]), 0);
      int64_t distinct = 0;
      for (const int64_t i : rows_of_[n]) distinct += seen[sz(i)]++ == 0 ? 1 : 0;
      const double cost =
          static_cast<double>(distinct) * static_cast<double>(f.total_cols() / f.cols()[n]);
      if (best < 0 || cost < best) {
        best = cost;
        m_ = n;
      }
    }
    rm_ = f.cols()[m_];
    rest_ = f.total_cols() / rm_;
    after_ = 1;
    for (size_t n = m_ + 1; n < nf; ++n) after_ *= f.cols()[n];
    std::vector<int64_t> pos(sz(f.rows()[m_]), -1);
    for (const int64_t i : rows_of_[m_]) {
      if (pos[sz(i)] < 0) {
        pos[sz(i)] = static_cast<int64_t>(first_.size());
        first_.push_back(i);
      }
      slot_.push_back(pos[sz(i)]);
    }
    am_.resize(first_.size() * sz(rm_));
    for (size_t p = 0; p < first_.size(); ++p) {
      std::copy_n(f.factor(m_) + first_[p] * rm_, rm_,
                  am_.begin() + static_cast<long>(p * sz(rm_)));
    }
    p_.resize(first_.size() * sz(rest_));
    kr_.resize(sz(rest_));
    xm_.resize(sz(f.total_cols()));
  }

  // v (one per sampled row) = rows of K x.
  void forward(const double* x, double* v) {
    const double* xm = unfold(x);
    const int64_t um = static_cast<int64_t>(first_.size());
    core::gemm(core::Layout::RowMajor, core::Op::NoTrans, core::Op::NoTrans, um, rest_, rm_, 1.0,
               am_.data(), rm_, xm, rest_, 0.0, p_.data(), rest_);
    for (size_t t = 0; t < slot_.size(); ++t) {
      const double* kr = kron_row(t);
      const double* pr = p_.data() + slot_[t] * rest_;
      double s = 0;
      for (int64_t j = 0; j < rest_; ++j) s += pr[j] * kr[j];
      v[t] = s;
    }
  }

  // g (prod R_n) = sum_t v_t (row t of K).
  void adjoint(const double* v, double* g) {
    std::fill(p_.begin(), p_.end(), 0.0);
    for (size_t t = 0; t < slot_.size(); ++t) {
      const double* kr = kron_row(t);
      double* pr = p_.data() + slot_[t] * rest_;
      for (int64_t j = 0; j < rest_; ++j) pr[j] += v[t] * kr[j];
    }
    const int64_t um = static_cast<int64_t>(first_.size());
    double* gm = m_ == 0 ? g : xm_.data();
    core::gemm(core::Layout::RowMajor, core::Op::Trans, core::Op::NoTrans, rm_, rest_, um, 1.0,
               am_.data(), rm_, p_.data(), rest_, 0.0, gm, rest_);
    if (m_ != 0) fold(gm, g);
  }

 private:
  // x (row-major over R_1 x ... x R_N) as X_(m): entry (b, r_m, a) of x, b over the modes
  // before m and a over those after, goes to row r_m, column b after + a.
  const double* unfold(const double* x) {
    if (m_ == 0) return x;
    const int64_t before = rest_ / after_;
    for (int64_t b = 0; b < before; ++b) {
      for (int64_t r = 0; r < rm_; ++r) {
        std::copy_n(x + (b * rm_ + r) * after_, after_, xm_.begin() + r * rest_ + b * after_);
      }
    }
    return xm_.data();
  }
  // The inverse of unfold: gm (R_m x rest) into g.
  void fold(const double* gm, double* g) const {
    const int64_t before = rest_ / after_;
    for (int64_t b = 0; b < before; ++b) {
      for (int64_t r = 0; r < rm_; ++r) {
        std::copy_n(gm + r * rest_ + b * after_, after_, g + (b * rm_ + r) * after_);
      }
    }
  }

  // The Kronecker product of draw t's rows of the factors other than m, in order (the
  // columns of X_(m)): a row of that factor itself when there is one other.
  const double* kron_row(size_t t) {
    const size_t nf = f_.count();
    if (nf == 1) {
      kr_[0] = 1;
      return kr_.data();
    }
    if (nf == 2) {
      const size_t o = 1 - m_;
      return f_.factor(o) + rows_of_[o][t] * f_.cols()[o];
    }
    int64_t len = 1;
    kr_[0] = 1;
    for (size_t n = 0; n < nf; ++n) {  // kr <- kr x row, in place from the back
      if (n == m_) continue;
      const int64_t r = f_.cols()[n];
      const double* row = f_.factor(n) + rows_of_[n][t] * r;
      for (int64_t a = len; a-- > 0;) {
        const double v = kr_[sz(a)];
        for (int64_t b = r; b-- > 0;) kr_[sz(a * r + b)] = v * row[b];
      }
      len *= r;
    }
    return kr_.data();
  }

  const KroneckerFactors& f_;
  std::vector<std::vector<int64_t>> rows_of_;  // [factor][draw]
  size_t m_ = 0;
  int64_t rm_ = 1, rest_ = 1, after_ = 1;
  std::vector<int64_t> first_, slot_;
  std::vector<double> am_, p_, kr_, xm_;
};

// x overflowed (or became NaN): a problem scaled beyond the doubles' range.
void require_finite_solution(const double* x, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    core::require(std::isfinite(x[j]), QUARRY_ERR_NONFINITE,
                  "x[{}] came out {}: the problem's scale is beyond the range of doubles (rescale "
                  "the factors or b)",
                  j, x[j]);
  }
}

}  // namespace

KroneckerResult kronecker_regression(const KroneckerFactors& f, const double* b_values,
                                     const LabelFn* labels, double* x,
                                     const KroneckerSettings& st) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  KroneckerResult res;
  res.sampled = st.sampled;
  const int64_t nx = f.total_cols();
  const auto seconds = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  if (!st.sampled) {
    const double rr = f.solve_exact(b_values, st.ridge, x);
    require_finite_solution(x, nx);
    double xx = 0;
    for (int64_t j = 0; j < nx; ++j) xx += x[j] * x[j];
    res.entries = f.total_rows();
    res.residual_norm = std::sqrt(rr);
    res.objective = rr + st.ridge * xx;
    res.seconds = seconds();
    return res;
  }
  for (const int64_t r : f.ranks()) {
    if (r == 0) {  // a zero factor: K = 0, and x = 0 minimizes
      std::fill(x, x + nx, 0.0);
      res.seconds = seconds();
      return res;
    }
  }
  res.samples =
      st.samples > 0 ? st.samples : kronecker_default_samples(f.statistical_dimension(st.ridge));
  const Sample s = draw_rows(f, res.samples, st.state);
  const int64_t k = static_cast<int64_t>(s.index.size());
  std::vector<double> bs(sz(k));
  if (b_values != nullptr) {
    for (int64_t t = 0; t < k; ++t) {
      bs[sz(t)] = b_values[s.index[sz(t)]];
      core::require(std::isfinite(bs[sz(t)]), QUARRY_ERR_NONFINITE, "b[{}] is {}", s.index[sz(t)],
                    bs[sz(t)]);
    }
  } else {
    read_labels(*labels, s.index.data(), k, st.batch, bs.data(), res.oracle);
  }
  res.entries = k;
  for (int64_t t = 0; t < k; ++t) bs[sz(t)] *= s.weight[sz(t)];
  // Conjugate gradients on (K^T S^T S K + lambda I) x = K^T S^T S b, preconditioned by
  // (K^T K + lambda I)^+ from the factors' SVDs: the sample's normal matrix is within a
  // small factor of K's, so a few iterations reach the tolerance.
  SampledRows rows(f, s.index);
  const KroneckerFactors::Preconditioner prec(f, st.ridge);
  lstsq::detail::Work wk(0, nx, std::max<int64_t>(prec.rank(), 1));
  std::vector<double> g(sz(nx)), v(sz(k));
  rows.adjoint(bs.data(), g.data());
  prec.apply_t(g.data(), wk.h.data());
  const double hn = lstsq::detail::norm2(wk.h.data(), prec.rank());
  if (hn == 0) {
    std::fill(x, x + nx, 0.0);
  } else {
    res.converged =
        lstsq::detail::conjugate_gradients(prec, hn, st.tolerance * hn, st.max_iterations,
                                           res.iterations, wk, [&](const double* u, double* w) {
                                             rows.forward(u, v.data());
                                             for (int64_t t = 0; t < k; ++t)
                                               v[sz(t)] *= s.weight[sz(t)];
                                             rows.adjoint(v.data(), w);
                                             for (int64_t j = 0; j < nx; ++j)
                                               w[j] += st.ridge * u[j];
                                           });
    prec.apply(wk.y.data(), x);
  }
  require_finite_solution(x, nx);
  res.seconds = seconds();
  return res;
}

}  // namespace quarry::regress
