// Labels read through a caller's oracle (active and Kronecker regression): the rows asked
// in increasing order, in batches, each label checked.
#pragma once

#include <cstdint>
#include <functional>

namespace quarry::regress {

// Fills labels[t] = b_{rows[t]} for t < count (rows increasing); throws to stop.
using LabelFn = std::function<void(int64_t count, const int64_t* rows, double* labels)>;

struct LabelCounts {
  int64_t labels = 0, batches = 0;
  double seconds = 0;  // inside the oracle
};

// out[t] = b_{rows[t]} for t < count, asked in batches of at most `batch` rows; a label
// that is NaN or infinite throws QUARRY_ERR_ORACLE. Adds to `counts`.
void read_labels(const LabelFn& labels, const int64_t* rows, int64_t count, int64_t batch,
                 double* out, LabelCounts& counts);

}  // namespace quarry::regress
