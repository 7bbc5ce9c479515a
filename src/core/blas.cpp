#include "core/blas.hpp"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "core/checked_int.hpp"
#include "core/threads.hpp"

namespace quarry::core {

template <class T>
void gemm(Layout layout, Op trans_a, Op trans_b, int64_t m, int64_t n, int64_t k, T alpha,
          const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  require_outside_parallel_region("cblas gemm");
  // Checked here, as BLAS++ does, because a reference BLAS reports bad arguments by
  // printing (xerbla), which must never happen inside quarry. check_dense refuses
  // negative dimensions too.
  const bool a_plain = trans_a == Op::NoTrans, b_plain = trans_b == Op::NoTrans;
  check_dense("A", layout, a_plain ? m : k, a_plain ? k : m, a, lda);
  check_dense("B", layout, b_plain ? k : n, b_plain ? n : k, b, ldb);
  check_dense("C", layout, m, n, c, ldc);
  const auto order = static_cast<CBLAS_ORDER>(layout);
  const auto ta = static_cast<CBLAS_TRANSPOSE>(trans_a);
  const auto tb = static_cast<CBLAS_TRANSPOSE>(trans_b);
  const blas_int bm = to_blas_int(m, "m"), bn = to_blas_int(n, "n"), bk = to_blas_int(k, "k");
  const blas_int blda = to_blas_int(lda, "lda"), bldb = to_blas_int(ldb, "ldb");
  const blas_int bldc = to_blas_int(ldc, "ldc");
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(order, ta, tb, bm, bn, bk, alpha, a, blda, b, bldb, beta, c, bldc);
  } else {
    cblas_dgemm(order, ta, tb, bm, bn, bk, alpha, a, blda, b, bldb, beta, c, bldc);
  }
}

template void gemm<float>(Layout, Op, Op, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          const float*, int64_t, float, float*, int64_t);
template void gemm<double>(Layout, Op, Op, int64_t, int64_t, int64_t, double, const double*,
                           int64_t, const double*, int64_t, double, double*, int64_t);

void gemv(Layout layout, Op trans, int64_t m, int64_t n, double alpha, const double* a, int64_t lda,
          const double* x, double beta, double* y) {
  require_outside_parallel_region("cblas dgemv");
  check_dense("A", layout, m, n, a, lda);
  if (m == 0 || n == 0) {  // y = beta y, which BLAS would skip for an empty A
    const int64_t len = trans == Op::NoTrans ? m : n;
    for (int64_t i = 0; i < len; ++i) y[i] = beta == 0 ? 0 : beta * y[i];
    return;
  }
  cblas_dgemv(layout == Layout::RowMajor ? CblasRowMajor : CblasColMajor,
              trans == Op::NoTrans ? CblasNoTrans : CblasTrans, to_blas_int(m, "m"),
              to_blas_int(n, "n"), alpha, a, to_blas_int(lda, "lda"), x, 1, beta, y, 1);
}

double sum_squares(int64_t n, const double* x) {
  require_outside_parallel_region("cblas ddot");
  constexpr int64_t kChunk = int64_t{1} << 30;  // within any BLAS integer
  double s = 0;
  for (int64_t i = 0; i < n; i += kChunk) {
    const blas_int len = to_blas_int(std::min(kChunk, n - i), "n");
    s += cblas_ddot(len, x + i, 1, x + i, 1);
  }
  return s;
}

void gram_add(int64_t m, int64_t n, const double* a, int64_t lda, double* c) {
  require_outside_parallel_region("cblas dsyrk");
  check_dense("A", Layout::RowMajor, m, n, a, lda);
  check_dense("C", Layout::RowMajor, n, n, c, n);
  const blas_int bm = to_blas_int(m, "m"), bn = to_blas_int(n, "n");
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, bn, bm, 1.0, a, to_blas_int(lda, "lda"), 1.0,
              c, bn);
}

bool spd_solve(int64_t n, double* a, double* b) {
  require_outside_parallel_region("LAPACKE_dposv");
  check_dense("A", Layout::RowMajor, n, n, a, n);
  const blas_int bn = to_blas_int(n, "n");
  // Arguments are valid by construction, so info < 0 cannot happen; info > 0 is a
  // non-positive pivot.
  return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', bn, 1, a, bn, b, 1) == 0;
}

namespace {

// LAPACKE's own failures: no memory for its workspace, or (never, with checked arguments)
// a refused argument.
void check_lapacke(blas_int info, const char* what) {
  if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR) {
    throw std::bad_alloc();
  }
  require(info >= 0, QUARRY_ERR_INTERNAL, "{} refused argument {}", what, -info);
}

}  // namespace

void qr_factor(int64_t m, int64_t n, double* a, int64_t lda, double* tau) {
  require_outside_parallel_region("LAPACKE_dgeqrf");
  check_dense("A", Layout::ColMajor, m, n, a, lda);
  check_lapacke(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, to_blas_int(m, "m"), to_blas_int(n, "n"), a,
                               to_blas_int(lda, "lda"), tau),
                "LAPACKE_dgeqrf");
}

void qr_form_q(int64_t m, int64_t n, double* a, int64_t lda, const double* tau) {
  require_outside_parallel_region("LAPACKE_dorgqr");
  check_dense("A", Layout::ColMajor, m, n, a, lda);
  const blas_int bn = to_blas_int(n, "n");
  check_lapacke(LAPACKE_dorgqr(LAPACK_COL_MAJOR, to_blas_int(m, "m"), bn, bn, a,
                               to_blas_int(lda, "lda"), tau),
                "LAPACKE_dorgqr");
}

double triangular_rcond(int64_t n, const double* r, int64_t ldr) {
  require_outside_parallel_region("LAPACKE_dtrcon");
  check_dense("R", Layout::ColMajor, n, n, r, ldr);
  if (n == 0) return 1.0;
  double rcond = 0;
  check_lapacke(LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', to_blas_int(n, "n"), r,
                               to_blas_int(ldr, "ldr"), &rcond),
                "LAPACKE_dtrcon");
  return rcond;
}

void svd_thin(int64_t m, int64_t n, double* a, int64_t lda, double* s, double* u, int64_t ldu,
              double* vt, int64_t ldvt) {
  require_outside_parallel_region("the LAPACK SVD");
  const int64_t k = std::min(m, n);
  check_dense("A", Layout::ColMajor, m, n, a, lda);
  if (u != nullptr) check_dense("U", Layout::ColMajor, m, k, u, ldu);
  check_dense("VT", Layout::ColMajor, k, n, vt, ldvt);
  if (k == 0) return;
  const blas_int bm = to_blas_int(m, "m"), bn = to_blas_int(n, "n");
  const blas_int blda = to_blas_int(lda, "lda"), bldvt = to_blas_int(ldvt, "ldvt");
  blas_int info = 0;
  if (u != nullptr) {
    info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', bm, bn, a, blda, s, u, to_blas_int(ldu, "ldu"), vt,
                          bldvt);
  } else {
    std::vector<double> superb(static_cast<size_t>(k));
    info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'S', bm, bn, a, blda, s, nullptr, 1, vt, bldvt,
                          superb.data());
  }
  check_lapacke(info, u != nullptr ? "LAPACKE_dgesdd" : "LAPACKE_dgesvd");
  require(info == 0, QUARRY_ERR_NO_CONVERGENCE,
          "the SVD of a {} x {} matrix did not converge (info = {})", m, n, info);
}

void qr_apply_qt(int64_t m, int64_t k, const double* a, int64_t lda, const double* tau, int64_t nc,
                 double* c, int64_t ldc) {
  require_outside_parallel_region("LAPACKE_dormqr");
  check_dense("A", Layout::ColMajor, m, k, a, lda);
  check_dense("C", Layout::ColMajor, m, nc, c, ldc);
  if (m == 0 || nc == 0 || k == 0) return;
  check_lapacke(LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', to_blas_int(m, "m"),
                               to_blas_int(nc, "nc"), to_blas_int(k, "k"), a,
                               to_blas_int(lda, "lda"), tau, c, to_blas_int(ldc, "ldc")),
                "LAPACKE_dormqr");
}

void triangular_solve(bool trans, int64_t n, const double* r, int64_t ldr, double* x) {
  require_outside_parallel_region("cblas_dtrsv");
  check_dense("R", Layout::ColMajor, n, n, r, ldr);
  if (n == 0) return;
  cblas_dtrsv(CblasColMajor, CblasUpper, trans ? CblasTrans : CblasNoTrans, CblasNonUnit,
              to_blas_int(n, "n"), r, to_blas_int(ldr, "ldr"), x, 1);
}

void triangular_solve_many(bool trans, int64_t n, int64_t nrhs, const double* r, int64_t ldr,
                           double* x, int64_t ldx) {
  require_outside_parallel_region("cblas_dtrsm");
  check_dense("R", Layout::ColMajor, n, n, r, ldr);
  check_dense("X", Layout::ColMajor, n, nrhs, x, ldx);
  if (n == 0 || nrhs == 0) return;
  cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, trans ? CblasTrans : CblasNoTrans, CblasNonUnit,
              to_blas_int(n, "n"), to_blas_int(nrhs, "nrhs"), 1.0, r, to_blas_int(ldr, "ldr"), x,
              to_blas_int(ldx, "ldx"));
}

void qr_add_rows(int64_t n, double* r, int64_t ldr, int64_t k, double* b, int64_t ldb) {
  require_outside_parallel_region("LAPACKE_dtpqrt");
  check_dense("R", Layout::ColMajor, n, n, r, ldr);
  check_dense("B", Layout::ColMajor, k, n, b, ldb);
  if (n == 0 || k == 0) return;
  const int64_t nb = std::min<int64_t>(n, 32);
  std::vector<double> t(static_cast<size_t>(checked_mul(nb, n, "the block reflectors")));
  check_lapacke(LAPACKE_dtpqrt(LAPACK_COL_MAJOR, to_blas_int(k, "k"), to_blas_int(n, "n"), 0,
                               to_blas_int(nb, "nb"), r, to_blas_int(ldr, "ldr"), b,
                               to_blas_int(ldb, "ldb"), t.data(), to_blas_int(nb, "nb")),
                "LAPACKE_dtpqrt");
}

int64_t lstsq_svd(int64_t m, int64_t n, int64_t nrhs, double* a, int64_t lda, double* b,
                  int64_t ldb, double* s, double rcond) {
  require_outside_parallel_region("LAPACKE_dgelsd");
  check_dense("A", Layout::ColMajor, m, n, a, lda);
  check_dense("B", Layout::ColMajor, std::max(m, n), nrhs, b, ldb);
  if (m == 0 || n == 0) return 0;
  blas_int rank = 0;
  const blas_int info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, to_blas_int(m, "m"), to_blas_int(n, "n"),
                                       to_blas_int(nrhs, "nrhs"), a, to_blas_int(lda, "lda"), b,
                                       to_blas_int(ldb, "ldb"), s, rcond, &rank);
  check_lapacke(info, "LAPACKE_dgelsd");
  require(info == 0, QUARRY_ERR_NO_CONVERGENCE,
          "the SVD of a {} x {} matrix did not converge (dgelsd info = {})", m, n, info);
  return rank;
}

void gram(Layout layout, int64_t m, int64_t n, const double* a, int64_t lda, double* c) {
  require_outside_parallel_region("cblas_dsyrk");
  check_dense("A", layout, m, n, a, lda);
  check_dense("C", Layout::ColMajor, n, n, c, n);
  if (n == 0) return;
  // Row-major A is column-major A^T: then A^T A = (A^T) (A^T)^T.
  cblas_dsyrk(CblasColMajor, CblasUpper, layout == Layout::ColMajor ? CblasTrans : CblasNoTrans,
              to_blas_int(n, "n"), to_blas_int(m, "m"), 1.0, a, to_blas_int(lda, "lda"), 0.0, c,
              to_blas_int(n, "n"));
}

bool cholesky_upper(int64_t n, double* c, int64_t ldc) {
  require_outside_parallel_region("LAPACKE_dpotrf");
  check_dense("C", Layout::ColMajor, n, n, c, ldc);
  if (n == 0) return true;
  const blas_int info =
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', to_blas_int(n, "n"), c, to_blas_int(ldc, "ldc"));
  check_lapacke(info, "LAPACKE_dpotrf");
  return info == 0;
}

const char* blas_info() {
  // Built once (thread-safe static initialization) and kept for the process lifetime.
  static const std::string info = [] {
    std::string config = openblas_get_config();
    while (!config.empty() && config.back() == ' ') config.pop_back();
    return fmt::format("{} (core {}, {} BLAS threads)", config, openblas_get_corename(),
                       openblas_get_num_threads());
  }();
  return info.c_str();
}

}  // namespace quarry::core
