/**
 * @file quarry.hpp
 * @brief Header-only C++17 wrappers over the quarry C API: RAII handles and exceptions.
 *
 * Everything here is inline code over the C functions in quarry.h, so C++ programs get
 * exactly the C ABI's stability: libquarry.so exports no C++ symbol. Failed calls throw
 * `quarry::Error`, which carries the status code and the context's detailed message.
 *
 * @code
 *   quarry::Context ctx;                       // threads from QUARRY_NUM_THREADS or cores
 *   quarry::Options opts;
 *   opts.set(QUARRY_OPT_SEED, 7).set(QUARRY_OPT_TOLERANCE, 1e-12);
 *   std::vector<double> z = quarry::random_normal(ctx, quarry::rng_state_from_seed(7), 0, 10);
 * @endcode
 *
 * Thread safety is that of the C API: one thread at a time per Context.
 */
#ifndef QUARRY_HPP
#define QUARRY_HPP

#include <quarry.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace quarry {

/** A failed quarry call: the status code and the message that explains it. */
class Error : public std::runtime_error {
 public:
  Error(quarry_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  /** The `QUARRY_*` status code. */
  quarry_status status() const noexcept { return status_; }

 private:
  quarry_status status_;
};

namespace detail {
inline std::string describe(quarry_status status, const char* detail) {
  std::string text = quarry_status_string(status);
  if (detail != nullptr && *detail != '\0') text += std::string(": ") + detail;
  return text;
}
/** Throws Error for a failed status; the message comes from `ctx` when there is one. */
inline void check(quarry_status status, const quarry_context* ctx = nullptr,
                  const std::string& what = std::string()) {
  if (status == QUARRY_OK) return;
  std::string detail = ctx != nullptr ? quarry_context_last_error(ctx) : what;
  throw Error(status, describe(status, detail.c_str()));
}
/** A double with enough digits to read back exactly (e.g. 1.7976931348623157e+308). */
inline std::string format_double(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}
/**
 * Why an option setter refused a value (an integer, another number, or an array), from the
 * key table.
 */
inline std::string option_refusal(int32_t key, bool integer_value, bool array_value = false) {
  const quarry_value_type type = quarry_option_type(key);
  if (type == QUARRY_TYPE_NONE) return "unknown option key " + std::to_string(key);
  const std::string name = quarry_option_name(key);
  if (array_value && type != QUARRY_TYPE_F64_ARRAY) return name + " takes one number (set)";
  if (type == QUARRY_TYPE_I64 && !integer_value) return name + " takes an integer";
  if (type == QUARRY_TYPE_I64) {
    int64_t lo = 0, hi = 0;
    quarry_option_bounds_i64(key, &lo, &hi);
    return name + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  }
  double lo = 0, hi = 0;
  quarry_option_bounds_f64(key, &lo, &hi);
  std::string text = name;  // appended piecewise: GCC 12 warns on "[" + std::string
  text += type == QUARRY_TYPE_F64_ARRAY ? " takes a non-empty array (set_array) of numbers in ["
                                        : " must be a number in [";
  text += format_double(lo);
  text += ", ";
  text += format_double(hi);
  text += "]";
  return text;
}
/** Owns one C handle: move-only, released with `Destroy` (which accepts NULL). */
template <class T, void (*Destroy)(T*)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(T* handle) noexcept : handle_(handle) {}
  ~Handle() { Destroy(handle_); }
  Handle(Handle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  T* get() const noexcept { return handle_; }
  /** Releases any held handle and returns the slot for a C call to fill. */
  T** out() noexcept {
    Destroy(std::exchange(handle_, nullptr));
    return &handle_;
  }

 private:
  T* handle_ = nullptr;
};
}  // namespace detail

/** The loaded library's version, e.g. "0.1.0". */
inline std::string version_string() { return quarry_version_string(); }
/** The loaded library's ABI generation (compare with QUARRY_ABI_VERSION). */
inline int32_t abi_version() { return quarry_abi_version(); }
/** One line naming the BLAS/LAPACK quarry runs on. */
inline std::string blas_info() { return quarry_blas_info(); }

/** Owns a quarry_context. Move-only. */
class Context {
 public:
  /** A context with the default thread count. */
  Context() { detail::check(quarry_context_create(handle_.out())); }
  /** A context with `threads` threads (0 = default). */
  explicit Context(int64_t threads) : Context() { set_threads(threads); }

  void set_threads(int64_t threads) {
    detail::check(quarry_context_set_threads(get(), threads), get());
  }
  int64_t threads() const {
    int64_t n = 0;
    detail::check(quarry_context_get_threads(get(), &n), get());
    return n;
  }
  /** The message of the last call made with this context ("" after a success). */
  std::string last_error() const { return quarry_context_last_error(get()); }
  /** Throws Error (with this context's message) when `status` is a failure. */
  void check(quarry_status status) const { detail::check(status, get()); }

  quarry_context* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<quarry_context, quarry_context_destroy> handle_;
};

/** Owns a quarry_options. Move-only. */
class Options {
 public:
  Options() { detail::check(quarry_options_create(handle_.out())); }

  /**
   * Sets an option. The key decides the type: any number goes to a double key, integers
   * go to an int64 key (a floating-point value for an int64 key is refused, never
   * truncated). Throws Error explaining the key's type or range on refusal.
   */
  template <class T>
  Options& set(int32_t key, T value) {
    static_assert(std::is_arithmetic_v<T>, "option values are numbers");
    constexpr bool integer = std::is_integral_v<T>;
    quarry_status status = QUARRY_ERR_INVALID_ARGUMENT;
    if (quarry_option_type(key) == QUARRY_TYPE_F64) {
      status = quarry_options_set_f64(handle_.get(), key, static_cast<double>(value));
    } else if (integer) {
      status = quarry_options_set_i64(handle_.get(), key, static_cast<int64_t>(value));
    }
    detail::check(status, nullptr,
                  status == QUARRY_ERR_INVALID_ARGUMENT ? detail::option_refusal(key, integer)
                                                        : std::string());
    return *this;
  }
  /**
   * Sets a double-array key (e.g. QUARRY_OPT_DOMAIN_LOWER) to a copy of `values`. Throws
   * Error naming the key and its entries' range on refusal.
   */
  Options& set_array(int32_t key, const std::vector<double>& values) {
    const quarry_status status = quarry_options_set_f64_array(
        handle_.get(), key, static_cast<int64_t>(values.size()), values.data());
    detail::check(status, nullptr,
                  status == QUARRY_ERR_INVALID_ARGUMENT ? detail::option_refusal(key, false, true)
                                                        : std::string());
    return *this;
  }
  /** The value of a double-array key, or nullopt when it is not set. */
  std::optional<std::vector<double>> get_array(int32_t key) const {
    int64_t n = 0;
    if (quarry_options_get_f64_array(handle_.get(), key, 0, nullptr, &n) != QUARRY_OK) {
      return std::nullopt;
    }
    std::vector<double> values(static_cast<size_t>(n));
    detail::check(quarry_options_get_f64_array(handle_.get(), key, n, values.data(), &n));
    return values;
  }
  /** The value of an int64 key, or nullopt when it is not set. */
  std::optional<int64_t> get_i64(int32_t key) const {
    int64_t v = 0;
    if (quarry_options_get_i64(handle_.get(), key, &v) != QUARRY_OK) return std::nullopt;
    return v;
  }
  /** The value of a double key, or nullopt when it is not set. */
  std::optional<double> get_f64(int32_t key) const {
    double v = 0;
    if (quarry_options_get_f64(handle_.get(), key, &v) != QUARRY_OK) return std::nullopt;
    return v;
  }
  /** Sets the progress callback (nullptr clears it); see quarry_options_set_progress. */
  Options& set_progress(quarry_progress_fn fn, void* user_data) {
    detail::check(quarry_options_set_progress(handle_.get(), fn, user_data));
    return *this;
  }
  Options& unset(int32_t key) {
    detail::check(quarry_options_unset(handle_.get(), key), nullptr,
                  "unknown option key " + std::to_string(key));
    return *this;
  }

  const quarry_options* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<quarry_options, quarry_options_destroy> handle_;
};

/**
 * Owns a quarry_report. Pass `out()` where a function takes `quarry_report **`:
 * @code
 *   quarry::Report rep;
 *   ctx.check(quarry_some_call(ctx.get(), ..., rep.out()));
 *   auto iterations = rep.get_i64(QUARRY_REPORT_ITERATIONS);
 * @endcode
 */
class Report {
 public:
  Report() = default;
  /** Takes ownership of `report`. */
  explicit Report(quarry_report* report) noexcept : handle_(report) {}

  /** Releases any held report and returns the slot for a C call to fill. */
  quarry_report** out() noexcept { return handle_.out(); }
  explicit operator bool() const noexcept { return get() != nullptr; }

  std::optional<int64_t> get_i64(int32_t key) const {
    int64_t v = 0;
    if (quarry_report_get_i64(get(), key, &v) != QUARRY_OK) return std::nullopt;
    return v;
  }
  std::optional<double> get_f64(int32_t key) const {
    double v = 0;
    if (quarry_report_get_f64(get(), key, &v) != QUARRY_OK) return std::nullopt;
    return v;
  }
  /** The keys the report holds, in increasing order. */
  std::vector<int32_t> keys() const {
    std::vector<int32_t> result;
    int64_t count = 0;
    if (get() == nullptr) return result;
    detail::check(quarry_report_count(get(), &count));
    for (int64_t i = 0; i < count; ++i) {
      int32_t key = 0;
      detail::check(quarry_report_key_at(get(), i, &key));
      result.push_back(key);
    }
    return result;
  }

  const quarry_report* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<quarry_report, quarry_report_destroy> handle_;
};

/** The Philox4x32-10 state for `seed` (see quarry/rng.h). */
inline quarry_rng_state rng_state_from_seed(uint64_t seed) {
  quarry_rng_state state;
  detail::check(quarry_rng_state_from_seed(seed, &state));
  return state;
}

/** Elements [offset, offset + n) of the standard normal stream of `state`. */
inline std::vector<double> random_normal(const Context& ctx, const quarry_rng_state& state,
                                         int64_t offset, int64_t n) {
  std::vector<double> out(static_cast<size_t>(n > 0 ? n : 0));
  ctx.check(quarry_rng_fill_normal_f64(ctx.get(), &state, offset, n, out.data()));
  return out;
}

/** Elements [offset, offset + n) of the uniform (0, 1) stream of `state`. */
inline std::vector<double> random_uniform(const Context& ctx, const quarry_rng_state& state,
                                          int64_t offset, int64_t n) {
  std::vector<double> out(static_cast<size_t>(n > 0 ? n : 0));
  ctx.check(quarry_rng_fill_uniform_f64(ctx.get(), &state, offset, n, out.data()));
  return out;
}

/** Owns an immutable quarry_relu_net (see quarry/extract.h). Move-only. */
class ReluNet {
 public:
  /** Takes ownership of `net`. */
  explicit ReluNet(quarry_relu_net* net) noexcept : handle_(net) {}
  /**
   * A network from its weights, row-major: w (k x d), b (k), a (c x k), skip (c x d, or
   * empty for none), c0 (c, or empty for zeros).
   */
  ReluNet(const Context& ctx, int64_t d, int64_t k, int64_t c, const std::vector<double>& w,
          const std::vector<double>& b, const std::vector<double>& a,
          const std::vector<double>& skip = {}, const std::vector<double>& c0 = {}) {
    const auto need = [](const std::vector<double>& v, int64_t n, const char* name) {
      if (static_cast<int64_t>(v.size()) != n) {
        detail::check(QUARRY_ERR_BAD_DIMENSION, nullptr,
                      std::string(name) + " has " + std::to_string(v.size()) + " values, not " +
                          std::to_string(n));
      }
    };
    if (d >= 1 && k >= 0 && c >= 1) {  // other sizes: the C API explains
      need(w, k * d, "w");
      need(b, k, "b");
      need(a, c * k, "a");
      if (!skip.empty()) need(skip, c * d, "skip");
      if (!c0.empty()) need(c0, c, "c0");
    }
    ctx.check(quarry_relu_net_create_f64(ctx.get(), d, k, c, w.data(), b.data(), a.data(),
                                         skip.empty() ? nullptr : skip.data(),
                                         c0.empty() ? nullptr : c0.data(), handle_.out()));
  }
  static ReluNet load(const Context& ctx, const std::string& path) {
    quarry_relu_net* net = nullptr;
    ctx.check(quarry_relu_net_load(ctx.get(), path.c_str(), &net));
    return ReluNet(net);
  }
  void save(const Context& ctx, const std::string& path) const {
    ctx.check(quarry_relu_net_save(ctx.get(), get(), path.c_str()));
  }

  int64_t inputs() const { return dims()[0]; }
  int64_t neurons() const { return dims()[1]; }
  int64_t outputs() const { return dims()[2]; }

  /** F at the n = x.size() / inputs() points x (row-major); n x outputs() values. */
  std::vector<double> eval(const Context& ctx, const std::vector<double>& x) const {
    const std::vector<int64_t> dkc = dims();
    const int64_t n = static_cast<int64_t>(x.size()) / dkc[0];
    if (n * dkc[0] != static_cast<int64_t>(x.size())) {
      detail::check(QUARRY_ERR_BAD_DIMENSION, nullptr,
                    std::to_string(x.size()) + " inputs are not rows of " + std::to_string(dkc[0]));
    }
    std::vector<double> y(static_cast<size_t>(n * dkc[2]));
    ctx.check(quarry_relu_net_eval_f64(ctx.get(), get(), n, x.data(), y.data()));
    return y;
  }

  const quarry_relu_net* get() const noexcept { return handle_.get(); }

 private:
  std::vector<int64_t> dims() const {
    int64_t d = 0, k = 0, c = 0;
    detail::check(quarry_relu_net_dims(get(), &d, &k, &c));
    return {d, k, c};
  }
  detail::Handle<quarry_relu_net, quarry_relu_net_destroy> handle_;
};

/** Owns an immutable sketching operator S, rows x cols (see quarry/sketch.h). Move-only. */
class Sketch {
 public:
  /** A sketch of `kind` (QUARRY_SKETCH_*) from the state of `seed`; nnz: non-zeros per
   * column of a sparse sign sketch (0 = default). */
  Sketch(const Context& ctx, int32_t kind, int64_t rows, int64_t cols, uint64_t seed,
         int64_t nnz = 0) {
    quarry_rng_state state;
    detail::check(quarry_rng_state_from_seed(seed, &state));
    Options opts;
    if (nnz != 0) opts.set(QUARRY_OPT_SKETCH_NNZ, nnz);
    ctx.check(quarry_sketch_create(ctx.get(), kind, rows, cols, opts.get(), &state, handle_.out()));
  }

  int64_t rows() const { return info()[1]; }
  int64_t cols() const { return info()[2]; }

  /** S A for a column-major A with cols() rows (a.size() / cols() columns); column-major
   * result, rows() x n. */
  std::vector<double> apply(const Context& ctx, const std::vector<double>& a) const {
    const int64_t m = cols();
    const int64_t n = static_cast<int64_t>(a.size()) / m;
    if (n * m != static_cast<int64_t>(a.size())) {
      detail::check(QUARRY_ERR_BAD_DIMENSION, nullptr,
                    std::to_string(a.size()) + " values are not columns of " + std::to_string(m));
    }
    std::vector<double> b(static_cast<size_t>(rows() * n));
    ctx.check(quarry_sketch_apply_f64(ctx.get(), get(), QUARRY_COL_MAJOR, m, n, a.data(), m,
                                      b.data(), rows()));
    return b;
  }
  /** B = S A with the C API's arguments (see quarry_sketch_apply_f64). */
  void apply(const Context& ctx, int32_t layout, int64_t m, int64_t n, const double* a, int64_t lda,
             double* b, int64_t ldb) const {
    ctx.check(quarry_sketch_apply_f64(ctx.get(), get(), layout, m, n, a, lda, b, ldb));
  }

  const quarry_sketch* get() const noexcept { return handle_.get(); }

 private:
  std::vector<int64_t> info() const {
    int32_t kind = 0;
    int64_t rows = 0, cols = 0, nnz = 0;
    detail::check(quarry_sketch_info(get(), &kind, &rows, &cols, &nnz));
    return {kind, rows, cols, nnz};
  }
  detail::Handle<quarry_sketch, quarry_sketch_destroy> handle_;
};

/** Leverage scores of the rows of a column-major A (m x n, m = a.size() / n); options as
 * for quarry_leverage_scores_f64 (method, ridge, sketch rows and kind, seed). */
inline std::vector<double> leverage_scores(const Context& ctx, const std::vector<double>& a,
                                           int64_t n, const Options* opts = nullptr) {
  const int64_t m = n > 0 ? static_cast<int64_t>(a.size()) / n : 0;
  if (n <= 0 || m * n != static_cast<int64_t>(a.size())) {
    detail::check(QUARRY_ERR_BAD_DIMENSION, nullptr,
                  std::to_string(a.size()) + " values are not rows of " + std::to_string(n));
  }
  std::vector<double> scores(static_cast<size_t>(m));
  ctx.check(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, m, n, a.data(), m,
                                       opts != nullptr ? opts->get() : nullptr, scores.data()));
  return scores;
}

/** The solution of min ||A x - b||^2 (+ ridge) and the solver's report. */
struct LstsqSolution {
  std::vector<double> x;
  Report report;
};

/** Least squares (or ridge, with QUARRY_OPT_RIDGE) for a column-major A (m x n,
 * m = a.size() / n) and b (m values); options as for quarry_lstsq_f64. Throws
 * quarry::Error, also on QUARRY_ERR_NO_CONVERGENCE (call the C function to keep the last
 * iterate). */
inline LstsqSolution lstsq(const Context& ctx, const std::vector<double>& a, int64_t n,
                           const std::vector<double>& b, const Options* opts = nullptr) {
  const int64_t m = static_cast<int64_t>(b.size());
  if (n < 0 || m * n != static_cast<int64_t>(a.size())) {
    detail::check(QUARRY_ERR_BAD_DIMENSION, nullptr,
                  std::to_string(a.size()) + " values are not " + std::to_string(m) + " rows of " +
                      std::to_string(n));
  }
  LstsqSolution out;
  out.x.assign(static_cast<size_t>(n), 0.0);
  ctx.check(quarry_lstsq_f64(ctx.get(), QUARRY_COL_MAJOR, m, n, 1, a.data(), m > 0 ? m : 1,
                             b.data(), m > 0 ? m : 1, out.x.data(), n > 0 ? n : 1,
                             opts != nullptr ? opts->get() : nullptr, out.report.out()));
  return out;
}

/** Owns a simulated black box over a network (see quarry_net_oracle_create). */
class NetOracle {
 public:
  NetOracle(const Context& ctx, const ReluNet& net, const Options* options = nullptr) {
    ctx.check(quarry_net_oracle_create(
        ctx.get(), net.get(), options != nullptr ? options->get() : nullptr, handle_.out()));
  }
  /** Queries answered so far. */
  int64_t queries() const {
    int64_t q = 0;
    detail::check(quarry_net_oracle_queries(handle_.get(), &q));
    return q;
  }
  /**
   * F at the n points x (n x d, row-major) into y (n x c), counted as queries; d and c
   * must be the network's. Throws Error (QUARRY_ERR_ORACLE) when the black box refuses.
   */
  void answer(int64_t n, int64_t d, const double* x, int64_t c, double* y) const {
    if (quarry_net_oracle_eval(n, d, x, c, y, handle_.get()) != 0) {
      detail::check(QUARRY_ERR_ORACLE, nullptr, "the simulated black box failed");
    }
  }
  /** The C oracle function and its user data, for quarry_extract_relu1. */
  static quarry_oracle_fn function() noexcept { return quarry_net_oracle_eval; }
  void* user_data() const noexcept { return handle_.get(); }

 private:
  detail::Handle<quarry_net_oracle, quarry_net_oracle_destroy> handle_;
};

/** A black box as a C++ callable: fill y (n x c) with F at x (n x d), both row-major. */
using Oracle = std::function<void(int64_t n, const double* x, double* y)>;

/** What an extraction returns: the network (partial after a budget or an abort, or
 *  inaccurate), the report, the status (QUARRY_OK, QUARRY_ERR_BUDGET,
 *  QUARRY_ERR_CALLBACK_ABORTED or QUARRY_ERR_NO_CONVERGENCE) and its message. */
struct Extraction {
  ReluNet net;
  Report report;
  quarry_status status;
  std::string message;
};

/**
 * Extracts a network from a C++ oracle (see quarry_extract_relu1). An exception thrown by
 * the oracle stops the extraction and is rethrown here; other failures throw Error.
 */
inline Extraction extract_relu1(const Context& ctx, int64_t d, int64_t c, const Oracle& oracle,
                                const Options* options = nullptr) {
  struct Call {
    const Oracle& oracle;
    std::exception_ptr error;
  } call{oracle, nullptr};
  auto trampoline = [](int64_t n, int64_t, const double* x, int64_t, double* y,
                       void* user) -> int32_t {
    auto* self = static_cast<Call*>(user);
    try {
      self->oracle(n, x, y);
      return 0;
    } catch (...) {  // never across the C ABI: carried to the caller instead
      self->error = std::current_exception();
      return 1;
    }
  };
  quarry_relu_net* net = nullptr;
  Report report;
  const quarry_status status =
      quarry_extract_relu1(ctx.get(), d, c, trampoline, &call,
                           options != nullptr ? options->get() : nullptr, &net, report.out());
  ReluNet owned(net);
  if (call.error) std::rethrow_exception(call.error);
  if (net == nullptr) ctx.check(status);  // a failure without a network throws
  return {std::move(owned), std::move(report), status, ctx.last_error()};
}

}  // namespace quarry

#endif /* QUARRY_HPP */
