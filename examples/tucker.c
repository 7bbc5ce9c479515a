/* Tucker decomposition by alternating least squares, built on Kronecker regression: a
 * 40 x 30 x 20 tensor X (a rank-(4, 3, 2) Tucker model plus 1% noise) is fitted as
 * G x_1 U_1 x_2 U_2 x_3 U_3. Each sweep updates
 * - every factor U_n: least squares with the design (U_k (x) U_l) G_(n)^T (k, l the other
 *   modes), formed column by column with quarry_kronecker_multiply_f64 and solved for all
 *   I_n rows at once by quarry_lstsq_f64;
 * - the core G: the Kronecker ridge regression min ||(U_1 (x) U_2 (x) U_3) g - x||^2 +
 *   lambda ||g||^2, quarry_kronecker_regression_f64 (exact, from the factors' SVDs).
 * Build: cc tucker.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>

#define NM 3 /* modes */
static const int64_t dims[NM] = {40, 30, 20}, ranks[NM] = {4, 3, 2};
#define SIZE (40 * 30 * 20)
#define CORE (4 * 3 * 2)
#define SWEEPS 10

static double x[SIZE], fit[SIZE], core[CORE], u[NM][40 * 4];
static double design[SIZE / 20 * 4], rhs[SIZE], solution[4 * 40];

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

/* The model G x_1 U_1 x_2 U_2 x_3 U_3 into out, and ||x - out|| / ||x||. */
static double relative_error(quarry_context *ctx, const double *g, double *out) {
  const double *f[NM] = {u[0], u[1], u[2]};
  if (quarry_kronecker_multiply_f64(ctx, QUARRY_ROW_MAJOR, NM, dims, ranks, f, ranks, 0, g, out) !=
      QUARRY_OK) {
    return NAN;
  }
  double rr = 0, xx = 0;
  for (int i = 0; i < SIZE; ++i) {
    rr += (x[i] - out[i]) * (x[i] - out[i]);
    xx += x[i] * x[i];
  }
  return sqrt(rr / xx);
}

/* U_n = argmin ||X_(n)^T - B U_n^T||, B = (x)_{k != n} U_k G_(n)^T (J x R_n, J the product
 * of the other dimensions): column r of B is the other factors' Kronecker product applied
 * to the slice of G at index r of mode n. */
static int update_factor(quarry_context *ctx, int n) {
  const double *f[NM - 1];
  int64_t rows[NM - 1], cols[NM - 1], other[NM - 1], j_size = 1, slice = 1;
  int k = 0;
  for (int m = 0; m < NM; ++m) {
    if (m == n) continue;
    f[k] = u[m];
    rows[k] = dims[m];
    cols[k] = ranks[m];
    other[k++] = m;
    j_size *= dims[m];
    slice *= ranks[m];
  }
  double g_slice[CORE];
  for (int64_t r = 0; r < ranks[n]; ++r) {
    /* G's entries with index r in mode n, row-major over the other modes. */
    for (int64_t t = 0; t < slice; ++t) {
      const int64_t t1 = t / cols[1], t2 = t % cols[1];
      int64_t idx[NM];
      idx[n] = r;
      idx[other[0]] = t1;
      idx[other[1]] = t2;
      g_slice[t] = core[(idx[0] * ranks[1] + idx[1]) * ranks[2] + idx[2]];
    }
    if (quarry_kronecker_multiply_f64(ctx, QUARRY_ROW_MAJOR, NM - 1, rows, cols, f, cols, 0,
                                      g_slice, design + r * j_size) != QUARRY_OK) {
      return 1;
    }
  }
  /* The right-hand sides X_(n)^T: column i holds X's entries with index i in mode n. */
  for (int64_t i = 0; i < dims[n]; ++i) {
    for (int64_t j = 0; j < j_size; ++j) {
      int64_t idx[NM];
      idx[n] = i;
      idx[other[0]] = j / rows[1];
      idx[other[1]] = j % rows[1];
      rhs[i * j_size + j] = x[(idx[0] * dims[1] + idx[1]) * dims[2] + idx[2]];
    }
  }
  /* Column-major solution R_n x I_n = U_n^T: U_n row-major. */
  if (quarry_lstsq_f64(ctx, QUARRY_COL_MAJOR, j_size, ranks[n], dims[n], design, j_size, rhs,
                       j_size, solution, ranks[n], NULL, NULL) != QUARRY_OK) {
    return 1;
  }
  for (int64_t i = 0; i < dims[n] * ranks[n]; ++i) u[n][i] = solution[i];
  return 0;
}

int main(void) {
  static double z[SIZE + 2 * CORE + NM * 40 * 4 * 2];
  quarry_context *ctx = NULL;
  quarry_options *opts = NULL;
  quarry_rng_state state;
  if (quarry_context_create(&ctx) != QUARRY_OK || quarry_options_create(&opts) != QUARRY_OK) {
    return 1;
  }
  /* The truth: a random core and factors; X = the model + 1% noise. */
  quarry_rng_state_from_seed(8, &state);
  quarry_rng_fill_normal_f64(ctx, &state, 0, SIZE + 2 * CORE + NM * 40 * 4 * 2, z);
  for (int i = 0; i < CORE; ++i) core[i] = z[SIZE + i];
  for (int n = 0; n < NM; ++n) {
    for (int i = 0; i < dims[n] * ranks[n]; ++i) u[n][i] = z[SIZE + CORE + n * 160 + i];
  }
  relative_error(ctx, core, x);
  double xx = 0;
  for (int i = 0; i < SIZE; ++i) xx += x[i] * x[i];
  const double noise = 0.01 * sqrt(xx / SIZE);
  for (int i = 0; i < SIZE; ++i) x[i] += noise * z[i];
  /* Start from another random core and factors. */
  for (int i = 0; i < CORE; ++i) core[i] = z[SIZE + CORE + NM * 40 * 4 * 2 + i];
  for (int n = 0; n < NM; ++n) {
    for (int i = 0; i < dims[n] * ranks[n]; ++i) u[n][i] = z[SIZE + CORE + (NM + n) * 160 + i];
  }

  const double *f[NM] = {u[0], u[1], u[2]};
  quarry_options_set_f64(opts, QUARRY_OPT_RIDGE, 1e-10);
  double err = NAN;
  for (int sweep = 1; sweep <= SWEEPS; ++sweep) {
    for (int n = 0; n < NM; ++n) {
      if (update_factor(ctx, n) != 0) return fail(ctx, "factor update");
    }
    if (quarry_kronecker_regression_f64(ctx, QUARRY_ROW_MAJOR, NM, dims, ranks, f, ranks, x, core,
                                        opts, NULL) != QUARRY_OK) {
      return fail(ctx, "core update");
    }
    err = relative_error(ctx, core, fit);
    printf("sweep %2d: relative error %.5f\n", sweep, err);
  }
  quarry_options_destroy(opts);
  quarry_context_destroy(ctx);
  /* The noise is 1% of X: a converged fit leaves about that (a little less: it fits part). */
  return err < 0.0102 ? 0 : 1;
}
