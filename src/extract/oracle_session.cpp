#include "extract/oracle_session.hpp"

#include <cmath>

#include "core/error.hpp"

namespace quarry::extract {

OracleSession::OracleSession(quarry_oracle_fn fn, void* user_data, const Domain& domain, int64_t c,
                             int64_t budget)
    : fn_(fn), user_data_(user_data), domain_(&domain), d_(domain.d()), c_(c), budget_(budget) {}

void OracleSession::query(int64_t n, const double* x, double* y) {
  if (n == 0) return;
  if (n > budget_ - queries_) throw BudgetExhausted{};
  if (!domain_->contains(n, x)) {  // rarely: a line's end a rounding error outside
    clamped_.assign(x, x + n * d_);
    domain_->clamp(n, clamped_.data());
    x = clamped_.data();
  }
  const auto start = std::chrono::steady_clock::now();
  const int32_t result = fn_(n, d_, x, c_, y, user_data_);
  oracle_seconds_ +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++batches_;
  queries_ += n;  // a failed batch was still asked
  core::require(result == 0, QUARRY_ERR_ORACLE,
                "the oracle returned {} for a batch of {} queries (query {} of the extraction)",
                result, n, queries_ - n + 1);
  for (int64_t i = 0; i < n * c_; ++i) {
    if (!std::isfinite(y[i])) {
      core::fail(QUARRY_ERR_ORACLE,
                 "the oracle answered {} for output {} of query {} (its batch had {} queries)",
                 y[i], i % c_, queries_ - n + i / c_ + 1, n);
    }
  }
}

std::vector<double> OracleSession::query(const std::vector<double>& x) {
  const int64_t n = static_cast<int64_t>(x.size()) / d_;
  std::vector<double> y(static_cast<size_t>(n * c_));
  query(n, x.data(), y.data());
  return y;
}

}  // namespace quarry::extract
