// The extraction's only door to the black box: batches queries, counts every one exactly,
// enforces the query budget and the input domain, times the oracle, and turns oracle
// failures and non-finite answers into errors.
#pragma once

#include <quarry/extract.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "extract/domain.hpp"

namespace quarry::extract {

// Thrown (never across the ABI) when a batch would take the query count past the budget;
// the extraction catches it and returns its best partial network.
struct BudgetExhausted {};

class OracleSession {
 public:
  // `domain` (whose d is the oracle's) must outlive the session.
  OracleSession(quarry_oracle_fn fn, void* user_data, const Domain& domain, int64_t c,
                int64_t budget);

  // y (n x c, row-major) = F(x) for x (n x d, row-major). Throws BudgetExhausted before
  // asking the oracle when the batch does not fit the budget, and quarry::core::Error
  // (QUARRY_ERR_ORACLE) when the oracle fails or answers NaN/Inf. Points outside the
  // domain by rounding are moved onto it (Domain::clamp).
  void query(int64_t n, const double* x, double* y);
  std::vector<double> query(const std::vector<double>& x);

  const Domain& domain() const { return *domain_; }
  int64_t d() const { return d_; }
  int64_t c() const { return c_; }
  int64_t queries() const { return queries_; }
  int64_t batches() const { return batches_; }
  int64_t remaining() const { return budget_ - queries_; }
  double oracle_seconds() const { return oracle_seconds_; }

 private:
  quarry_oracle_fn fn_;
  void* user_data_;
  const Domain* domain_;
  int64_t d_, c_, budget_;
  int64_t queries_ = 0, batches_ = 0;
  std::vector<double> clamped_;  // a batch moved onto the domain (reused)
  double oracle_seconds_ = 0;
};

}  // namespace quarry::extract
