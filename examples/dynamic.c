/* Dynamic least squares in one page: a linear model (20 coefficients) refitted as
 * observations stream in, 200000 rows in batches of 500, with the fit read after every
 * 40000 rows. An exact handle holds every row in a 21 x 21 triangular factor; a sampled
 * one keeps rows by their online leverage scores and stays within 1 + eps of the best fit
 * (its objective checked against the exact handle's residual of it).
 * Build: cc dynamic.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>

#define N 20 /* coefficients */
#define ROWS 200000
#define BATCH 500

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

int main(void) {
  static double z[BATCH * (N + 1)], a[BATCH * N], b[BATCH];
  quarry_context *ctx = NULL;
  quarry_options *opts = NULL;
  quarry_dynamic_lstsq *exact = NULL, *sampled = NULL;
  quarry_rng_state state;
  if (quarry_context_create(&ctx) != QUARRY_OK || quarry_options_create(&opts) != QUARRY_OK) {
    return 1;
  }
  if (quarry_dynamic_lstsq_create(ctx, N, NULL, &exact) != QUARRY_OK) return fail(ctx, "create");
  quarry_options_set_i64(opts, QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_SOLVE);
  quarry_options_set_f64(opts, QUARRY_OPT_TOLERANCE, 0.1); /* eps */
  if (quarry_dynamic_lstsq_create(ctx, N, opts, &sampled) != QUARRY_OK) {
    return fail(ctx, "create");
  }
  quarry_rng_state_from_seed(11, &state);
  int ok = 1;
  for (int64_t t = 0; t < ROWS; t += BATCH) {
    /* The next batch: Gaussian rows, b = a . (1, 2, ..., N) + noise. */
    quarry_rng_fill_normal_f64(ctx, &state, t * (N + 1), BATCH * (N + 1), z);
    for (int i = 0; i < BATCH; ++i) {
      b[i] = z[i * (N + 1) + N];
      for (int j = 0; j < N; ++j) {
        a[i * N + j] = z[i * (N + 1) + j];
        b[i] += a[i * N + j] * (j + 1);
      }
    }
    if (quarry_dynamic_lstsq_insert_f64(ctx, exact, QUARRY_ROW_MAJOR, BATCH, a, N, b) !=
            QUARRY_OK ||
        quarry_dynamic_lstsq_insert_f64(ctx, sampled, QUARRY_ROW_MAJOR, BATCH, a, N, b) !=
            QUARRY_OK) {
      return fail(ctx, "insert");
    }
    if ((t + BATCH) % 40000 != 0) continue;
    double x[N], xs[N], best = 0, got = 0;
    quarry_report *report = NULL;
    int64_t held = 0;
    if (quarry_dynamic_lstsq_solve_f64(ctx, exact, x, NULL) != QUARRY_OK ||
        quarry_dynamic_lstsq_solve_f64(ctx, sampled, xs, &report) != QUARRY_OK) {
      return fail(ctx, "solve");
    }
    quarry_report_get_i64(report, QUARRY_REPORT_SKETCH_ROWS, &held);
    quarry_report_destroy(report);
    /* The exact handle evaluates any x on every row inserted so far. */
    if (quarry_dynamic_lstsq_residual_f64(ctx, exact, x, &best) != QUARRY_OK ||
        quarry_dynamic_lstsq_residual_f64(ctx, exact, xs, &got) != QUARRY_OK) {
      return fail(ctx, "residual");
    }
    printf("%6lld rows: x_1 = %.4f, x_20 = %.4f; sampled: %lld rows held, objective %.4f x best\n",
           (long long)(t + BATCH), x[0], x[N - 1], (long long)held, got * got / (best * best));
    ok = ok && got * got <= 1.1 * best * best && fabs(x[N - 1] - N) < 0.01;
  }
  quarry_dynamic_lstsq_destroy(exact);
  quarry_dynamic_lstsq_destroy(sampled);
  quarry_options_destroy(opts);
  quarry_context_destroy(ctx);
  return ok ? 0 : 1;
}
