/* Kronecker regression in one page: fit a smooth surface f(s, t) observed on a 600 x 500
 * grid (300000 noisy values) by a tensor-product Chebyshev basis, 14 x 12 coefficients.
 * The design matrix is the Kronecker product A_1 (x) A_2 of the two 1-D bases (600 x 14 and
 * 500 x 12): quarry never forms it (300000 x 168). Solved exactly, then by sampling rows of
 * it, and by sampling with the observations computed on demand (a label callback) instead
 * of stored. Build: cc kronecker.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>

#define I1 600 /* grid points along s */
#define I2 500 /* grid points along t */
#define R1 14  /* basis functions along s */
#define R2 12  /* basis functions along t */

static double a1[I1 * R1], a2[I2 * R2], b[I1 * I2];

static double grid(int i, int n) { return -1 + 2.0 * i / (n - 1); }

/* The observation at grid point (i, j): a smooth surface plus deterministic "noise". */
static double observe(int i, int j) {
  const double s = grid(i, I1), t = grid(j, I2);
  return exp(-s * s) * cos(3 * t) + 0.5 * s * t + 0.05 * sin(1e4 * (s + 2 * t));
}

/* Label callback: b at the flat indices i I2 + j asked for (row-major over the grid). */
static int32_t labels(int64_t count, const int64_t *rows, double *out, void *user) {
  (void)user;
  for (int64_t k = 0; k < count; ++k) out[k] = observe((int)(rows[k] / I2), (int)(rows[k] % I2));
  return 0;
}

/* Chebyshev basis T_0 .. T_{r-1} at n grid points, row-major n x r. */
static void chebyshev(int n, int r, double *a) {
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < r; ++k) a[i * r + k] = cos(k * acos(grid(i, n)));
  }
}

/* ||K x - b||^2 / ||b||^2, with K x from quarry_kronecker_multiply_f64. */
static double relative_loss(quarry_context *ctx, const double *const *factors, const int64_t *rows,
                            const int64_t *cols, const int64_t *ld, const double *x) {
  static double kx[I1 * I2];
  if (quarry_kronecker_multiply_f64(ctx, QUARRY_ROW_MAJOR, 2, rows, cols, factors, ld, 0, x, kx) !=
      QUARRY_OK) {
    return NAN;
  }
  double rr = 0, bb = 0;
  for (int i = 0; i < I1 * I2; ++i) {
    rr += (kx[i] - b[i]) * (kx[i] - b[i]);
    bb += b[i] * b[i];
  }
  return rr / bb;
}

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

int main(void) {
  quarry_context *ctx = NULL;
  quarry_options *opts = NULL;
  quarry_report *report = NULL;
  if (quarry_context_create(&ctx) != QUARRY_OK || quarry_options_create(&opts) != QUARRY_OK) {
    return 1;
  }
  chebyshev(I1, R1, a1);
  chebyshev(I2, R2, a2);
  for (int i = 0; i < I1; ++i) {
    for (int j = 0; j < I2; ++j) b[i * I2 + j] = observe(i, j);
  }
  const double *factors[2] = {a1, a2};
  const int64_t rows[2] = {I1, I2}, cols[2] = {R1, R2}, ld[2] = {R1, R2};
  double exact[R1 * R2], sampled[R1 * R2], on_demand[R1 * R2];
  quarry_options_set_f64(opts, QUARRY_OPT_RIDGE, 1e-8);

  /* Exact: from the SVDs of the two factors, one pass over b. */
  if (quarry_kronecker_regression_f64(ctx, QUARRY_ROW_MAJOR, 2, rows, cols, factors, ld, b, exact,
                                      opts, &report) != QUARRY_OK) {
    return fail(ctx, "exact");
  }
  double objective = 0;
  quarry_report_get_f64(report, QUARRY_REPORT_OBJECTIVE, &objective);
  quarry_report_destroy(report);

  /* Sampled: rows of K drawn by their leverage scores (products of the factors'). */
  quarry_options_set_i64(opts, QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_SOLVE);
  quarry_options_set_i64(opts, QUARRY_OPT_SEED, 3);
  if (quarry_kronecker_regression_f64(ctx, QUARRY_ROW_MAJOR, 2, rows, cols, factors, ld, b, sampled,
                                      opts, &report) != QUARRY_OK) {
    return fail(ctx, "sampled");
  }
  int64_t read = 0;
  quarry_report_get_i64(report, QUARRY_REPORT_QUERIES, &read);
  quarry_report_destroy(report);

  /* The same sample with b computed on demand: only the sampled observations are made. */
  if (quarry_kronecker_regression_labels_f64(ctx, QUARRY_ROW_MAJOR, 2, rows, cols, factors, ld,
                                             labels, NULL, on_demand, opts, NULL) != QUARRY_OK) {
    return fail(ctx, "sampled, labels");
  }

  const double le = relative_loss(ctx, factors, rows, cols, ld, exact);
  const double ls = relative_loss(ctx, factors, rows, cols, ld, sampled);
  int same = 1;
  for (int k = 0; k < R1 * R2; ++k) same = same && sampled[k] == on_demand[k];
  printf("exact:   relative loss %.3e (reported objective %.4g)\n", le, objective);
  printf("sampled: relative loss %.3e, %.4f x exact, from %lld of %d observations%s\n", ls, ls / le,
         (long long)read, I1 * I2, same ? " (the same fit on demand)" : "");
  quarry_options_destroy(opts);
  quarry_context_destroy(ctx);
  /* The surface is smooth: the basis leaves only the 0.05 "noise" (4e-3 of ||b||^2); the
   * sampled fit's excess is about 2% (50 draws per dimension of the fit, the default). */
  return le < 5e-3 && ls < 1.05 * le && same ? 0 : 1;
}
