/* Least squares in one page: fit a tall 20000 x 50 problem three ways (LAPACK's QR, sketch
 * and precondition, sketch and solve), compare residuals, then add a ridge penalty.
 * Build: cc lstsq.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define M 20000 /* rows of A and b */
#define N 50    /* columns of A */

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

/* Solves with `method` (and `ridge`), prints the report, returns ||A x - b||. */
static double fit(quarry_context *ctx, const double *a, const double *b, double *x, int64_t method,
                  double ridge) {
  quarry_options *opts = NULL;
  quarry_report *report = NULL;
  int64_t used = 0, iterations = 0;
  double residual = -1, backward = 0;
  quarry_options_create(&opts);
  quarry_options_set_i64(opts, QUARRY_OPT_LSTSQ_METHOD, method);
  quarry_options_set_f64(opts, QUARRY_OPT_RIDGE, ridge);
  if (quarry_lstsq_f64(ctx, QUARRY_COL_MAJOR, M, N, 1, a, M, b, M, x, N, opts, &report) ==
      QUARRY_OK) {
    quarry_report_get_i64(report, QUARRY_REPORT_METHOD, &used);
    quarry_report_get_i64(report, QUARRY_REPORT_ITERATIONS, &iterations);
    quarry_report_get_f64(report, QUARRY_REPORT_RESIDUAL_NORM, &residual);
    quarry_report_get_f64(report, QUARRY_REPORT_BACKWARD_ERROR, &backward);
    printf("method %lld: residual %.12f, %lld iterations, backward error <= %.1e\n",
           (long long)used, residual, (long long)iterations, backward);
  } else {
    fail(ctx, "quarry_lstsq_f64");
  }
  quarry_report_destroy(report);
  quarry_options_destroy(opts);
  return residual;
}

int main(void) {
  quarry_context *ctx = NULL;
  quarry_rng_state state;
  double *a = malloc(sizeof(double) * M * N), *b = malloc(sizeof(double) * M);
  double x[N], r_direct, r_iter, r_sketch;
  int i, j;

  if (quarry_context_create(&ctx) != QUARRY_OK || !a || !b) return 1;
  /* A with N(0, 1) entries, columns scaled over six orders of magnitude; b = A 1 + noise. */
  quarry_rng_state_from_seed(7, &state);
  if (quarry_rng_fill_normal_f64(ctx, &state, 0, (int64_t)M * N, a) != QUARRY_OK ||
      quarry_rng_fill_normal_f64(ctx, &state, (int64_t)M * N, M, b) != QUARRY_OK) {
    return fail(ctx, "quarry_rng_fill_normal_f64");
  }
  for (j = 0; j < N; ++j) {
    for (i = 0; i < M; ++i) a[i + (size_t)j * M] *= pow(10.0, 6.0 * j / (N - 1));
  }
  for (i = 0; i < M; ++i) {
    double ai1 = 0;
    for (j = 0; j < N; ++j) ai1 += a[i + (size_t)j * M];
    b[i] = ai1 + 0.01 * b[i];
  }

  r_direct = fit(ctx, a, b, x, QUARRY_LSTSQ_DIRECT, 0);
  r_iter = fit(ctx, a, b, x, QUARRY_LSTSQ_SKETCH_PRECONDITION, 0);
  r_sketch = fit(ctx, a, b, x, QUARRY_LSTSQ_SKETCH_SOLVE, 0);
  printf("x[0] = %.9f (1 + noise)\n", x[0]);
  fit(ctx, a, b, x, QUARRY_LSTSQ_AUTO, 1e3);

  /* Sketch and precondition reaches LAPACK's residual; sketch and solve comes close. */
  if (!(r_iter <= r_direct * (1 + 1e-12)) || !(r_sketch < 1.1 * r_direct)) {
    fprintf(stderr, "unexpected residuals %.17g %.17g %.17g\n", r_direct, r_iter, r_sketch);
    return 1;
  }
  free(a);
  free(b);
  quarry_context_destroy(ctx);
  return 0;
}
