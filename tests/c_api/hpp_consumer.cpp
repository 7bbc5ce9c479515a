// The installed C++ wrapper, used as a C++17 program would.
#include <quarry.hpp>

#include <iostream>

int main() {
  try {
    quarry::Context ctx(2);
    quarry::Options opts;
    opts.set(QUARRY_OPT_SEED, 1).set(QUARRY_OPT_RIDGE, 0.5);
    const auto z = quarry::random_normal(ctx, quarry::rng_state_from_seed(1), 0, 4);
    ctx.set_threads(-1);  // must throw
    std::cerr << "set_threads(-1) did not throw\n";
    return 1;
  } catch (const quarry::Error &e) {
    if (e.status() != QUARRY_ERR_INVALID_ARGUMENT) return 1;
    std::cout << "C++ consumer: quarry " << quarry::version_string()
              << ", error path ok: " << e.what() << '\n';
    return 0;
  }
}
