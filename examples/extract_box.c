/* Copy a model that is only defined on images: inputs in [0, 1]^16. The black box below
 * refuses any query outside the box (a deployed model might clip or reject them), and the
 * extraction is told the box with QUARRY_OPT_DOMAIN_LOWER and _UPPER, so it never asks
 * for one. The copy equals the model on the box. */
#include <quarry.h>

#include <math.h>
#include <stdio.h>

enum { D = 16, K = 12, C = 3, M = 1000 };

/* The deployed model: a simulated black box that rejects inputs outside [0, 1]. */
static int32_t image_model(int64_t n, int64_t d, const double *x, int64_t c, double *y,
                           void *black_box) {
  int64_t i;
  for (i = 0; i < n * d; ++i) {
    if (x[i] < 0 || x[i] > 1) return 1; /* not an image: the extraction would stop */
  }
  return quarry_net_oracle_eval(n, d, x, c, y, black_box);
}

static int fail(quarry_context *ctx, quarry_status status, const char *what) {
  fprintf(stderr, "%s: %s: %s\n", what, quarry_status_string(status),
          quarry_context_last_error(ctx));
  return 1;
}

int main(void) {
  static double w[K * D], b[K], a[C * K], z[K * D], x[M * D], y[M * C], f[M * C];
  const double lower = 0.0, upper = 1.0; /* one entry: the same bounds for every pixel */
  quarry_context *ctx = NULL;
  quarry_rng_state seed;
  quarry_relu_net *hidden = NULL, *copy = NULL;
  quarry_net_oracle *black_box = NULL;
  quarry_options *opts = NULL;
  quarry_report *report = NULL;
  quarry_status status;
  int64_t queries = 0, i, j;
  double worst = 0;

  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;

  /* Random weights; every hyperplane passes through a random image, so each neuron
   * switches somewhere in the box. */
  quarry_rng_state_from_seed(11, &seed);
  quarry_rng_fill_normal_f64(ctx, &seed, 0, K * D, w);
  quarry_rng_fill_normal_f64(ctx, &seed, K * D, C * K, a);
  quarry_rng_fill_uniform_f64(ctx, &seed, K * D + C * K, K * D, z);
  for (i = 0; i < K; ++i) {
    b[i] = 0;
    for (j = 0; j < D; ++j) b[i] -= w[i * D + j] * z[i * D + j];
  }
  status = quarry_relu_net_create_f64(ctx, D, K, C, w, b, a, NULL, NULL, &hidden);
  if (status == QUARRY_OK) status = quarry_net_oracle_create(ctx, hidden, NULL, &black_box);
  if (status != QUARRY_OK) return fail(ctx, status, "create");

  quarry_options_create(&opts);
  quarry_options_set_f64_array(opts, QUARRY_OPT_DOMAIN_LOWER, 1, &lower);
  quarry_options_set_f64_array(opts, QUARRY_OPT_DOMAIN_UPPER, 1, &upper);
  status = quarry_extract_relu1(ctx, D, C, image_model, black_box, opts, &copy, &report);
  if (status != QUARRY_OK) return fail(ctx, status, "extract");
  quarry_report_get_i64(report, QUARRY_REPORT_QUERIES, &queries);
  printf("copied with %lld queries, every one an image\n", (long long)queries);

  /* Compare on fresh random images. */
  quarry_rng_fill_uniform_f64(ctx, &seed, 1000000, M * D, x);
  quarry_relu_net_eval_f64(ctx, hidden, M, x, y);
  quarry_relu_net_eval_f64(ctx, copy, M, x, f);
  for (i = 0; i < M * C; ++i) {
    if (fabs(y[i] - f[i]) > worst) worst = fabs(y[i] - f[i]);
  }
  printf("largest difference on %d fresh images: %.1e\n", M, worst);

  quarry_report_destroy(report);
  quarry_options_destroy(opts);
  quarry_relu_net_destroy(copy);
  quarry_net_oracle_destroy(black_box);
  quarry_relu_net_destroy(hidden);
  quarry_context_destroy(ctx);
  return worst < 1e-8 ? 0 : 1;
}
