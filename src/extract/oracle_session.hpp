// The extraction's only door to the black box: batches queries, counts every one exactly,
// enforces the query budget, times the oracle, and turns oracle failures and non-finite
// answers into errors.
#pragma once

#include <quarry/extract.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace quarry::extract {

// Thrown (never across the ABI) when a batch would take the query count past the budget;
// the extraction catches it and returns its best partial network.
struct BudgetExhausted {};

class OracleSession {
 public:
  OracleSession(quarry_oracle_fn fn, void* user_data, int64_t d, int64_t c, int64_t budget);

  // y (n x c, row-major) = F(x) for x (n x d, row-major). Throws BudgetExhausted before
  // asking the oracle when the batch does not fit the budget, and quarry::core::Error
  // (QUARRY_ERR_ORACLE) when the oracle fails or answers NaN/Inf.
  void query(int64_t n, const double* x, double* y);
  std::vector<double> query(const std::vector<double>& x);

  int64_t d() const { return d_; }
  int64_t c() const { return c_; }
  int64_t queries() const { return queries_; }
  int64_t batches() const { return batches_; }
  int64_t remaining() const { return budget_ - queries_; }
  double oracle_seconds() const { return oracle_seconds_; }

 private:
  quarry_oracle_fn fn_;
  void* user_data_;
  int64_t d_, c_, budget_;
  int64_t queries_ = 0, batches_ = 0;
  double oracle_seconds_ = 0;
};

}  // namespace quarry::extract
