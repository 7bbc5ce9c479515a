#include "extract.hpp"

#include <quarry.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "subprocess.hpp"

namespace quarry_cli {

namespace {

// The line protocol of --oracle-cmd (docs/extract.md): per batch, quarry writes "n d" and
// n lines of d numbers; the program answers n lines of c numbers.
class CommandOracle {
 public:
  CommandOracle(const std::string& command, int64_t d, int64_t c) : child_(command), d_(d), c_(c) {}

  void answer(int64_t n, const double* x, double* y) {
    std::string batch = std::to_string(n) + " " + std::to_string(d_) + "\n";
    char number[32];
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < d_; ++j) {
        std::snprintf(number, sizeof number, j + 1 < d_ ? "%.17g " : "%.17g\n", x[i * d_ + j]);
        batch += number;
      }
    }
    // Written from a second thread while this one reads: a program that answers each
    // query as it reads it would otherwise fill the answer pipe and block both sides.
    bool written = false;
    std::thread writer([&] {
      written = std::fwrite(batch.data(), 1, batch.size(), child_.in()) == batch.size() &&
                std::fflush(child_.in()) == 0;
    });
    try {
      for (int64_t i = 0; i < n; ++i) read_answer(i, n, y + i * c_);
    } catch (...) {
      writer.join();  // returns: a program that stopped answering has exited or will fail
      throw;
    }
    writer.join();
    if (!written) throw std::runtime_error("the oracle command stopped reading its input");
  }

 private:
  // One line of exactly c numbers.
  void read_answer(int64_t i, int64_t n, double* y) {
    std::string line;
    for (int ch = std::fgetc(child_.out()); ch != EOF && ch != '\n';
         ch = std::fgetc(child_.out())) {
      line += static_cast<char>(ch);
    }
    const char* p = line.c_str();
    for (int64_t o = 0; o < c_; ++o) {
      char* end = nullptr;
      y[o] = std::strtod(p, &end);
      if (end == p) fail(i, n, "has fewer than " + std::to_string(c_) + " numbers", line);
      p = end;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
    if (*p != '\0') fail(i, n, "has more than " + std::to_string(c_) + " numbers", line);
  }

  [[noreturn]] static void fail(int64_t i, int64_t n, const std::string& why,
                                const std::string& line) {
    throw std::runtime_error("the oracle command's answer to query " + std::to_string(i + 1) +
                             " of a batch of " + std::to_string(n) + " " + why + ": '" +
                             line.substr(0, 80) + "'");
  }

  Subprocess child_;
  int64_t d_, c_;
};

}  // namespace

double parameter_count(int64_t d, int64_t k, int64_t c) {
  return double(k * (d + 1) + c * (k + d + 1));
}

CopyError copy_error(const quarry::Context& ctx, const quarry::ReluNet& truth,
                     const quarry::ReluNet& copy, int64_t m, uint64_t seed,
                     const std::vector<double>& lower, const std::vector<double>& upper) {
  const int64_t d = truth.inputs(), block = 5000;  // in blocks: m x d inputs may be large
  const quarry_rng_state inputs = quarry::rng_state_from_seed(seed);
  const bool box = !lower.empty() && !upper.empty();
  // The box's corner along input j (1 or d entries).
  auto at = [](const std::vector<double>& bound, int64_t j) {
    return bound.size() == 1 ? bound[0] : bound[static_cast<size_t>(j)];
  };
  double err = 0, ref = 0, worst = 0;
  for (int64_t first = 0; first < m; first += block) {
    const int64_t n = std::min(block, m - first) * d;
    auto x = box ? quarry::random_uniform(ctx, inputs, first * d, n)
                 : quarry::random_normal(ctx, inputs, first * d, n);
    for (int64_t i = 0; box && i < n; ++i) {
      const int64_t j = i % d;
      x[i] = at(lower, j) + x[i] * (at(upper, j) - at(lower, j));
    }
    const auto want = truth.eval(ctx, x), got = copy.eval(ctx, x);
    for (size_t i = 0; i < want.size(); ++i) {
      err += (want[i] - got[i]) * (want[i] - got[i]);
      ref += want[i] * want[i];
      worst = std::max(worst, std::abs(want[i] - got[i]));
    }
  }
  return {std::sqrt(err / ref), worst};
}

int run_extract(const ExtractCommand& command, int64_t threads) {
  quarry::Context ctx(threads);
  std::optional<quarry::ReluNet> target;
  std::unique_ptr<quarry::NetOracle> simulated;
  std::unique_ptr<CommandOracle> external;
  int64_t d = command.inputs, c = command.outputs;
  if (!command.target.empty()) {
    target = quarry::ReluNet::load(ctx, command.target);
    d = target->inputs();
    c = target->outputs();
    quarry::Options box;
    box.set(QUARRY_OPT_ORACLE_FLOAT32, command.float32 ? 1 : 0)
        .set(QUARRY_OPT_ORACLE_ROUNDING, command.round)
        .set(QUARRY_OPT_ORACLE_NOISE, command.noise)
        .set(QUARRY_OPT_SEED, command.seed + 1);
    simulated = std::make_unique<quarry::NetOracle>(ctx, *target, &box);
  } else {
    if (d < 1 || c < 1) {
      throw std::runtime_error("--oracle-cmd needs --inputs and --outputs (both >= 1)");
    }
    external = std::make_unique<CommandOracle>(command.oracle_cmd, d, c);
  }

  quarry::Options opts;
  opts.set(QUARRY_OPT_SEED, command.seed).set(QUARRY_OPT_EXTRACT_REFINE, command.refine ? 1 : 0);
  if (command.budget > 0) opts.set(QUARRY_OPT_QUERY_BUDGET, command.budget);
  if (!command.lower.empty()) {
    opts.set_array(QUARRY_OPT_DOMAIN_LOWER, command.lower)
        .set_array(QUARRY_OPT_DOMAIN_UPPER, command.upper);
  }
  // One progress line on stderr, rewritten after every line the extraction searches.
  opts.set_progress(
      [](const quarry_report* r, void*) -> int32_t {
        int64_t lines = 0, queries = 0, neurons = 0;
        quarry_report_get_i64(r, QUARRY_REPORT_LINES, &lines);
        quarry_report_get_i64(r, QUARRY_REPORT_QUERIES, &queries);
        quarry_report_get_i64(r, QUARRY_REPORT_NEURONS, &neurons);
        std::fprintf(stderr, "\rlines %lld  queries %lld  neurons %lld",
                     static_cast<long long>(lines), static_cast<long long>(queries),
                     static_cast<long long>(neurons));
        return 0;
      },
      nullptr);

  const auto start = std::chrono::steady_clock::now();
  quarry::Extraction copy = quarry::extract_relu1(
      ctx, d, c,
      [&](int64_t n, const double* x, double* y) {
        if (external) {
          external->answer(n, x, y);
        } else {
          simulated->answer(n, d, x, c, y);
        }
      },
      &opts);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << '\n';

  const int64_t queries = copy.report.get_i64(QUARRY_REPORT_QUERIES).value_or(0);
  const int64_t k = copy.net.neurons();
  std::printf("recovered %lld neurons in %.2f s with %lld queries", static_cast<long long>(k),
              seconds, static_cast<long long>(queries));
  if (target) {
    std::printf(" = %.2f per parameter of the target (%lld neurons)",
                queries / parameter_count(d, target->neurons(), c),
                static_cast<long long>(target->neurons()));
  } else {
    std::printf(" = %.2f per parameter of the copy", queries / parameter_count(d, k, c));
  }
  std::printf("\n");
  if (auto estimate = copy.report.get_f64(QUARRY_REPORT_RELATIVE_ERROR)) {
    std::printf("estimated relative RMS error: %.2e\n", *estimate);
  }
  if (target) {
    const int64_t m = 100000;
    const CopyError error = copy_error(ctx, *target, copy.net, m, uint64_t(command.seed + 2),
                                       command.lower, command.upper);
    std::printf("measured on %lld fresh %s inputs: relative RMS error %.2e, max abs %.2e\n",
                static_cast<long long>(m), command.lower.empty() ? "N(0, I)" : "uniform box",
                error.relative_rms, error.max_abs);
  }
  if (!command.output.empty()) {
    copy.net.save(ctx, command.output);
    std::printf("saved to %s\n", command.output.c_str());
  }
  if (copy.status != QUARRY_OK) {
    std::fprintf(stderr, "quarry: error: %s: %s\n", quarry_status_string(copy.status),
                 copy.message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace quarry_cli
