/* Huber regression in one page: 10000 noisy observations of 5 coefficients, 5% of them
 * replaced by gross errors; least squares is pulled away, Huber's fit is not. Then the
 * same fit with a fixed scale and a ridge penalty.
 * Build: cc huber.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
  static double a[M * N], b[M], noise[M];
  const double truth[N] = {1, -2, 3, -4, 5};
  double x[N], sigma = 0, objective = 0;
  int64_t outliers = 0, iterations = 0;
  quarry_context *ctx = NULL;
  quarry_options *opts = NULL;
  quarry_report *report = NULL;
  quarry_rng_state state;
  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;
  /* A: standard normal (row-major); b = A truth + 0.1 noise, every 20th entry + 100. */
  quarry_rng_state_from_seed(7, &state);
  quarry_rng_fill_normal_f64(ctx, &state, 0, M * N, a);
  quarry_rng_fill_normal_f64(ctx, &state, M * N, M, noise);
  for (int i = 0; i < M; ++i) {
    b[i] = 0.1 * noise[i] + (i % 20 == 0 ? 100 : 0);
    for (int j = 0; j < N; ++j) b[i] += a[i * N + j] * truth[j];
  }

  if (quarry_lstsq_f64(ctx, QUARRY_ROW_MAJOR, M, N, 1, a, N, b, 1, x, 1, NULL, NULL) != QUARRY_OK) {
    return fail(ctx, "lstsq");
  }
  printf("least squares: largest coefficient error %.3f\n", max_error(x, truth));

  /* Huber with the scale estimated (scikit-learn's HuberRegressor objective). */
  if (quarry_huber_f64(ctx, QUARRY_ROW_MAJOR, M, N, a, N, b, 1.35, x, &sigma, NULL, &report) !=
      QUARRY_OK) {
    return fail(ctx, "huber");
  }
  quarry_report_get_i64(report, QUARRY_REPORT_ITERATIONS, &iterations);
  quarry_report_get_i64(report, QUARRY_REPORT_OUTLIERS, &outliers);
  quarry_report_get_f64(report, QUARRY_REPORT_OBJECTIVE, &objective);
  quarry_report_destroy(report);
  printf("huber: largest coefficient error %.4f, sigma %.4f, %lld outliers, %lld iterations\n",
         max_error(x, truth), sigma, (long long)outliers, (long long)iterations);
  if (max_error(x, truth) > 0.01) return 1;

  /* A fixed scale (threshold 1.35 x 0.1 in the units of b) and a ridge penalty. */
  quarry_options_create(&opts);
  quarry_options_set_f64(opts, QUARRY_OPT_HUBER_SCALE, 0.1);
  quarry_options_set_f64(opts, QUARRY_OPT_RIDGE, 1.0);
  if (quarry_huber_f64(ctx, QUARRY_ROW_MAJOR, M, N, a, N, b, 1.35, x, NULL, opts, NULL) !=
      QUARRY_OK) {
    return fail(ctx, "huber, fixed scale");
  }
  printf("huber, fixed scale and ridge: largest coefficient error %.4f\n", max_error(x, truth));
  quarry_options_destroy(opts);
  quarry_context_destroy(ctx);
  return 0;
}
