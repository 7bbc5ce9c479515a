// The `quarry` command-line program. Errors print one line, "quarry: error: ...", and
// exit non-zero: 2 for a usage error, 1 for a failed run.
#include <quarry.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <exception>
#include <iostream>

#include "demo.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "quarry: model extraction from queries, randomized sketching and fast regression.\n"
      "Library version " +
          quarry::version_string() + "; docs in README.md and docs/.",
      "quarry"};
  app.set_version_flag("-V,--version", "quarry " + quarry::version_string());
  app.allow_extras();

  int64_t threads = 0;
  app.add_option("-t,--threads", threads,
                 "Threads for quarry's own kernels (0 = QUARRY_NUM_THREADS or all cores)");

  CLI::App* demo = app.add_subcommand(
      "demo", "Show the library, its BLAS and threads, and run the built-in self-check");
  demo->allow_extras(false);
  demo->fallthrough();  // global options may also follow the command: quarry demo -t 2

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "quarry: error: " << e.what() << " (see 'quarry --help')\n";
    return 2;
  }

  if (!app.remaining().empty()) {
    std::cerr << "quarry: error: unknown command or argument '" << app.remaining().front()
              << "' (see 'quarry --help')\n";
    return 2;
  }
  if (app.get_subcommands().empty()) {
    std::cerr << "quarry: error: a command is required, e.g. 'quarry demo' (see 'quarry --help')\n";
    return 2;
  }

  try {
    if (demo->parsed()) return quarry_cli::run_demo(std::cout, threads);
  } catch (const std::exception& e) {  // quarry::Error, or e.g. std::bad_alloc
    std::cerr << "quarry: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
