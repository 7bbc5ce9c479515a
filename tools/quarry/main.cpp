// The `quarry` command-line program. Errors print one line, "quarry: error: ...", and
// exit non-zero: 2 for a usage error, 1 for a failed run.
#include <quarry.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "demo.hpp"
#include "extract.hpp"
#include "lstsq.hpp"
#include "sketch.hpp"

namespace {

// A name filter for CLI::IsMember: '-' and '_' both spell the separator `to`, so
// --kind sparse_sign and --method sketch-solve are understood too.
auto separator_as(char to) {
  return [to](std::string name) {
    std::replace(name.begin(), name.end(), to == '-' ? '_' : '-', to);
    return name;
  };
}

}  // namespace

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

  quarry_cli::ExtractCommand ex;
  CLI::App* extract = app.add_subcommand(
      "extract",
      "Copy a one-hidden-layer ReLU network from a black box's answers (docs/extract.md)");
  extract->allow_extras(false);
  extract->fallthrough();
  auto* target = extract->add_option(
      "--target", ex.target,
      "Network file (quarry_relu_net_save format) to simulate as the black box; the copy is "
      "then also measured against it");
  auto* command = extract->add_option(
      "--oracle-cmd", ex.oracle_cmd,
      "A program answering queries on stdin/stdout (the line protocol of docs/extract.md)");
  target->excludes(command);
  extract->add_option("--inputs", ex.inputs, "Inputs d of the --oracle-cmd black box")
      ->needs(command);
  extract->add_option("--outputs", ex.outputs, "Outputs c of the --oracle-cmd black box")
      ->needs(command);
  extract->add_flag("--float32", ex.float32, "The simulated black box computes in float32")
      ->needs(target);
  extract->add_option("--round", ex.round, "The simulated black box rounds outputs to this")
      ->needs(target);
  extract->add_option("--noise", ex.noise, "The simulated black box adds N(0, S^2) noise")
      ->needs(target);
  auto* lower = extract
                    ->add_option("--lower", ex.lower,
                                 "Query only inside a box: its lower corner, 1 number (every "
                                 "input) or d, comma-separated")
                    ->delimiter(',');
  auto* upper = extract->add_option("--upper", ex.upper, "The box's upper corner (1 or d numbers)")
                    ->delimiter(',');
  lower->needs(upper);
  upper->needs(lower);
  extract->add_option("--budget", ex.budget, "Stop after this many queries (0 = no limit)");
  extract->add_option("--seed", ex.seed, "Seed of the extraction's random choices");
  extract->add_flag("--refine", ex.refine, "Measure every neuron again for the last digits");
  extract->add_option("-o,--output", ex.output, "Save the copy to this network file");

  quarry_cli::SketchCommand sk;
  CLI::App* sketch = app.add_subcommand(
      "sketch",
      "Apply a sketching operator S to a matrix file: S A, or A S^T with --side right "
      "(docs/sketch.md)");
  sketch->allow_extras(false);
  sketch->fallthrough();
  sketch
      ->add_option("input", sk.input,
                   "A: a .npy file (2-D float64, float32, int64 or int32, C or Fortran order) "
                   "or a Matrix Market file (coordinate: CSR; array: dense); chosen by content")
      ->required();
  sketch->add_option("--kind", sk.kind, "The operator")
      ->check(CLI::IsMember(quarry_cli::sketch_kind_names()))
      ->capture_default_str();
  sketch->add_option("--rows", sk.rows, "Rows of S: the sketch size")
      ->required()
      ->check(CLI::PositiveNumber);
  sketch
      ->add_option("--nnz", sk.nnz,
                   "Non-zeros per column of a sparse-sign S (default: min(8, rows))")
      ->check(CLI::PositiveNumber);
  sketch->add_option("--seed", sk.seed, "Seed of S's random state")->capture_default_str();
  sketch
      ->add_option("--side", sk.side,
                   "left: S A, A is m x n with m = S's columns; right: A S^T, A is n x m "
                   "(samples x features, as scikit-learn's random projections take it)")
      ->check(CLI::IsMember({"left", "right"}))
      ->capture_default_str();
  sketch->add_option("-o,--output", sk.output,
                     "Write the product as a float64 C-order .npy file (without -o it is only "
                     "computed and timed)");
  sketch
      ->add_option("--repeat", sk.repeat,
                   "Create and apply S this many times after one untimed warm-up; the times "
                   "printed are the medians")
      ->check(CLI::Range(int64_t(1), int64_t(1000)));
  sketch->add_flag("--time-only", sk.time_only,
                   "Print only 'seconds_create=S seconds_apply=S seconds_read=S' on stdout "
                   "(creating S, applying it, reading A) instead of the summary on stderr");

  quarry_cli::LstsqCommand ls;
  CLI::App* lstsq = app.add_subcommand(
      "lstsq",
      "Least squares or ridge regression: X = argmin ||A X - B||^2 + L ||X||^2; writes X and "
      "prints the solver's report, one 'key: value' line each");
  lstsq->allow_extras(false);
  lstsq->fallthrough();
  lstsq
      ->add_option("A", ls.a,
                   "A (m x n): a .npy file (2-D float64, float32, int64 or int32, C or Fortran "
                   "order) or a Matrix Market file (coordinate: CSR, solved without densifying; "
                   "array: dense); chosen by content")
      ->required();
  lstsq
      ->add_option("B", ls.b,
                   "B: a .npy file, 1-D (one right-hand side, m values: X is then 1-D too) or "
                   "2-D (m x nrhs)")
      ->required();
  lstsq->add_option("-o,--output", ls.output, "Write X (n or n x nrhs) as a float64 .npy file")
      ->required();
  lstsq
      ->add_option("--method", ls.method,
                   "direct: LAPACK QR, or the SVD when A is rank deficient (dense A only); "
                   "sketch_solve: fast, residual within a small factor of the optimum; "
                   "sketch_precondition: sketched preconditioner, iterative refinement, "
                   "LAPACK's accuracy; gram_precondition: the Cholesky factor of A^T A + L I "
                   "as the preconditioner (dense A, cond(A) below ~1e6), same refinement; "
                   "auto: direct or sketch_precondition by cost")
      ->transform(CLI::IsMember(quarry_cli::lstsq_method_names(), separator_as('_')))
      ->capture_default_str();
  lstsq->add_option("--ridge", ls.ridge, "Ridge parameter L >= 0 (0: plain least squares)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  lstsq
      ->add_option("--tol", ls.tol,
                   "Sketch and precondition: stop when the preconditioned gradient falls below "
                   "this relative size, in [0, 1] (default 1e-14)")
      ->check(CLI::Range(0.0, 1.0));
  lstsq
      ->add_option("--max-iter", ls.max_iter,
                   "Sketch and precondition: iterations per right-hand side, all refinement "
                   "steps together (default 1000); reaching it writes X and exits 1")
      ->check(CLI::PositiveNumber);
  lstsq
      ->add_option("--rows", ls.rows,
                   "Rows of the sketch, n to m (default: picked by the cost model, 4 n to 12 n; "
                   "10 n for sketch_solve)")
      ->check(CLI::PositiveNumber);
  lstsq->add_option("--kind", ls.kind, "The sketching operator (default sparse-sign)")
      ->transform(CLI::IsMember(quarry_cli::sketch_kind_names(), separator_as('-')));
  lstsq->add_option("--seed", ls.seed, "Seed of the sketch's random state")->capture_default_str();
  lstsq
      ->add_option(
          "--lp", ls.lp,
          "l_p regression instead: x = argmin sum_i |b_i - a_i^T x|^P for 1 <= P <= 100 (1: "
          "least absolute deviations), dense A and one-column B; --method auto, "
          "gram_precondition or sketch_precondition picks the Newton systems' "
          "preconditioner, --tol is the duality gap to reach (default 1e-10), "
          "--max-iter the Newton iterations (default 300)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            const double p = std::strtod(text.c_str(), nullptr);
            return p >= 1 && p <= 100 ? std::string() : "P = " + text + " must lie in [1, 100]";
          },
          "1 <= P <= 100"));

  quarry_cli::HuberCommand hu;
  CLI::App* huber = app.add_subcommand(
      "huber",
      "Huber regression, robust to gross errors in b: scikit-learn's HuberRegressor "
      "objective (scale estimated) or a fixed scale; writes x and prints the report");
  huber->allow_extras(false);
  huber->fallthrough();
  huber->add_option("A", hu.a, "A (m x n): a dense .npy file (or a Matrix Market array)")
      ->required();
  huber->add_option("B", hu.b, "b: a .npy file, 1-D (x is then 1-D too) or one column")->required();
  huber->add_option("-o,--output", hu.output, "Write x as a float64 .npy file")->required();
  huber
      ->add_option("--epsilon", hu.epsilon,
                   "Threshold in units of the scale (>= 1 when the scale is estimated)")
      ->capture_default_str();
  huber
      ->add_option("--scale", hu.scale,
                   "A fixed scale sigma > 0 (threshold epsilon sigma in the units of b); 0 "
                   "estimates it")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  huber->add_option("--ridge", hu.ridge, "Ridge parameter >= 0")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  huber
      ->add_option("--tol", hu.tol,
                   "Relative distance of the objective to its minimum at which to stop (default "
                   "1e-12)")
      ->check(CLI::Range(0.0, 1.0));
  huber
      ->add_option("--max-iter", hu.max_iter,
                   "Newton iterations (default 100); reaching it writes x and exits 1")
      ->check(CLI::PositiveNumber);

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
    if (extract->parsed()) {
      if (ex.target.empty() && ex.oracle_cmd.empty()) {
        std::cerr << "quarry: error: extract needs --target or --oracle-cmd (see 'quarry extract "
                     "--help')\n";
        return 2;
      }
      return quarry_cli::run_extract(ex, threads);
    }
    if (sketch->parsed()) {
      if (sk.nnz > 0 && sk.kind != "sparse-sign") {
        std::cerr << "quarry: error: --nnz is for --kind sparse-sign (see 'quarry sketch "
                     "--help')\n";
        return 2;
      }
      return quarry_cli::run_sketch(sk, threads);
    }
    if (lstsq->parsed()) return quarry_cli::run_lstsq(ls, threads);
    if (huber->parsed()) return quarry_cli::run_huber(hu, threads);
  } catch (const std::exception& e) {  // quarry::Error, or e.g. std::bad_alloc
    std::cerr << "quarry: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
