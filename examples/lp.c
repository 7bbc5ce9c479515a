/* l_p regression in one page: 10000 observations of 5 coefficients with heavy-tailed
 * (Cauchy) noise. Least absolute deviations (p = 1) fits through it where least squares
 * does not, and the report's duality gap certifies how close to the minimum the fit is;
 * then p = 1.5 with the sketch preconditioner forced.
 * Build: cc lp.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>

#define M 10000 /* observations */
#define N 5     /* coefficients */

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

static double max_error(const double *x, const double *truth) {
  double e = 0;
  for (int j = 0; j < N; ++j) e = fmax(e, fabs(x[j] - truth[j]));
  return e;
}

int main(void) {
  static double a[M * N], b[M], u[2 * M];
  const double truth[N] = {1, -2, 3, -4, 5};
  double x[N], objective = 0, gap = 0;
  int64_t iterations = 0;
  quarry_context *ctx = NULL;
  quarry_options *opts = NULL;
  quarry_report *report = NULL;
  quarry_rng_state state;
  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;
  /* A: standard normal (row-major); b = A truth + Cauchy noise (a ratio of normals). */
  quarry_rng_state_from_seed(11, &state);
  quarry_rng_fill_normal_f64(ctx, &state, 0, M * N, a);
  quarry_rng_fill_normal_f64(ctx, &state, M * N, 2 * M, u);
  for (int i = 0; i < M; ++i) {
    b[i] = 0.1 * u[2 * i] / u[2 * i + 1];
    for (int j = 0; j < N; ++j) b[i] += a[i * N + j] * truth[j];
  }

  if (quarry_lstsq_f64(ctx, QUARRY_ROW_MAJOR, M, N, 1, a, N, b, 1, x, 1, NULL, NULL) != QUARRY_OK) {
    return fail(ctx, "lstsq");
  }
  printf("least squares: largest coefficient error %.3f\n", max_error(x, truth));

  if (quarry_lp_regression_f64(ctx, QUARRY_ROW_MAJOR, M, N, a, N, b, 1.0, x, NULL, &report) !=
      QUARRY_OK) {
    return fail(ctx, "l_1");
  }
  quarry_report_get_i64(report, QUARRY_REPORT_ITERATIONS, &iterations);
  quarry_report_get_f64(report, QUARRY_REPORT_OBJECTIVE, &objective);
  quarry_report_get_f64(report, QUARRY_REPORT_DUAL_GAP, &gap);
  quarry_report_destroy(report);
  printf("l_1: largest coefficient error %.4f, sum |r| = %.6f, duality gap %.1e, %lld iterations\n",
         max_error(x, truth), objective, gap, (long long)iterations);
  if (max_error(x, truth) > 0.01 || gap > 1e-10) return 1;

  /* p = 1.5, its Newton systems preconditioned by a sketch (the choice for wide A). */
  quarry_options_create(&opts);
  quarry_options_set_i64(opts, QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_PRECONDITION);
  if (quarry_lp_regression_f64(ctx, QUARRY_ROW_MAJOR, M, N, a, N, b, 1.5, x, opts, &report) !=
      QUARRY_OK) {
    return fail(ctx, "l_1.5");
  }
  quarry_report_get_f64(report, QUARRY_REPORT_DUAL_GAP, &gap);
  quarry_report_destroy(report);
  printf("l_1.5, sketch preconditioner: largest coefficient error %.4f, duality gap %.1e\n",
         max_error(x, truth), gap);
  quarry_options_destroy(opts);
  quarry_context_destroy(ctx);
  return 0;
}
