/* Active l_1 regression in one page: A (20000 x 10, heavy-tailed rows) is known, but each
 * label b_i is costly (here a function standing in for a simulation or an assay). quarry
 * reads 200 labels, chosen by A's Lewis weights, and fits on them; the same 200 labels
 * drawn uniformly give a far worse fit, and all 20000 the best one.
 * Build: cc active.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define M 20000 /* rows of A: candidate experiments */
#define N 10    /* coefficients */
#define K 200   /* labels we can afford */

static double a[M * N], b[M];
static int64_t asked = 0;

/* The costly oracle: label i of the rows asked for (b computed up front here). */
static int32_t label(int64_t count, const int64_t *rows, double *labels, void *user) {
  (void)user;
  for (int64_t t = 0; t < count; ++t) labels[t] = b[rows[t]];
  asked += count;
  return 0;
}

static double l1_residual(const double *x) {
  double s = 0;
  for (int i = 0; i < M; ++i) {
    double r = b[i];
    for (int j = 0; j < N; ++j) r -= a[i * N + j] * x[j];
    s += fabs(r);
  }
  return s;
}

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

int main(void) {
  static double z[M * N + 2 * M], sub_a[K * N], sub_b[K];
  double x[N], best[N], uniform[N];
  quarry_context *ctx = NULL;
  quarry_rng_state state;
  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;
  /* Rows: Gaussian divided by |Gaussian| (multivariate t, one degree of freedom), so a few
   * rows carry most of the leverage; b = A (1, ..., N) + N(0, 1). */
  quarry_rng_state_from_seed(5, &state);
  quarry_rng_fill_normal_f64(ctx, &state, 0, M * N + 2 * M, z);
  for (int i = 0; i < M; ++i) {
    const double s = 1 / fabs(z[M * N + i]);
    b[i] = z[M * N + M + i];
    for (int j = 0; j < N; ++j) {
      a[i * N + j] = s * z[i * N + j];
      b[i] += a[i * N + j] * (j + 1);
    }
  }

  quarry_report *report = NULL;
  if (quarry_active_regression_f64(ctx, QUARRY_ROW_MAJOR, M, N, a, N, 1.0, label, NULL, K, x, NULL,
                                   &report) != QUARRY_OK) {
    return fail(ctx, "active regression");
  }
  int64_t queries = 0;
  quarry_report_get_i64(report, QUARRY_REPORT_QUERIES, &queries);
  quarry_report_destroy(report);

  /* The control: the first K rows (the rows are i.i.d., so these are a uniform sample). */
  for (int s = 0; s < K; ++s) {
    sub_b[s] = b[s];
    for (int j = 0; j < N; ++j) sub_a[s * N + j] = a[s * N + j];
  }
  if (quarry_lp_regression_f64(ctx, QUARRY_ROW_MAJOR, K, N, sub_a, N, sub_b, 1.0, uniform, NULL,
                               NULL) != QUARRY_OK ||
      quarry_lp_regression_f64(ctx, QUARRY_ROW_MAJOR, M, N, a, N, b, 1.0, best, NULL, NULL) !=
          QUARRY_OK) {
    return fail(ctx, "l_1 regression");
  }
  const double opt = l1_residual(best);
  printf("labels read: %lld of %d (the oracle saw %lld)\n", (long long)queries, M,
         (long long)asked);
  printf("sum |r| / optimum: Lewis-weight sample %.4f, uniform sample %.4f\n", l1_residual(x) / opt,
         l1_residual(uniform) / opt);
  quarry_context_destroy(ctx);
  return l1_residual(x) <= 1.1 * opt ? 0 : 1;
}
