#include "regress/labels.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.hpp"

namespace quarry::regress {

void read_labels(const LabelFn& labels, const int64_t* rows, int64_t count, int64_t batch,
                 double* out, LabelCounts& counts) {
  using clock = std::chrono::steady_clock;
  for (int64_t t = 0; t < count; t += batch) {
    const int64_t size = std::min(batch, count - t);
    const auto t0 = clock::now();
    labels(size, rows + t, out + t);
    counts.seconds += std::chrono::duration<double>(clock::now() - t0).count();
    ++counts.batches;
    counts.labels += size;
    for (int64_t s = t; s < t + size; ++s) {
      core::require(std::isfinite(out[s]), QUARRY_ERR_ORACLE,
                    "the label of row {} is {}: labels must be finite", rows[s], out[s]);
    }
  }
}

}  // namespace quarry::regress
