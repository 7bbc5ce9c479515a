/* Copy a hidden one-hidden-layer ReLU network from value queries alone. A simulated black
 * box (quarry_net_oracle) stands in for the deployed model; any function with the
 * quarry_oracle_fn signature can take its place. */
#include <quarry.h>

#include <math.h>
#include <stdio.h>

enum { D = 8, K = 16, C = 1, M = 1000 };

static int fail(quarry_context *ctx, quarry_status status, const char *what) {
  fprintf(stderr, "%s: %s: %s\n", what, quarry_status_string(status),
          quarry_context_last_error(ctx));
  return 1;
}

int main(void) {
  static double w[K * D], b[K], a[C * K], x[M * D], y[M * C], z[M * C];
  quarry_context *ctx = NULL;
  quarry_rng_state seed;
  quarry_relu_net *hidden = NULL, *copy = NULL, *loaded = NULL;
  quarry_net_oracle *black_box = NULL;
  quarry_options *opts = NULL;
  quarry_report *report = NULL;
  quarry_status status;
  int64_t queries = 0, neurons = 0, i;
  double error = 0, worst = 0;

  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;

  /* The model to protect: random weights, 8 inputs, 16 hidden neurons. */
  quarry_rng_state_from_seed(7, &seed);
  quarry_rng_fill_normal_f64(ctx, &seed, 0, K * D, w);
  quarry_rng_fill_normal_f64(ctx, &seed, K * D, K, b);
  quarry_rng_fill_normal_f64(ctx, &seed, K * D + K, C * K, a);
  status = quarry_relu_net_create_f64(ctx, D, K, C, w, b, a, NULL, NULL, &hidden);
  if (status != QUARRY_OK) return fail(ctx, status, "create");
  status = quarry_net_oracle_create(ctx, hidden, NULL, &black_box);
  if (status != QUARRY_OK) return fail(ctx, status, "oracle");

  /* The attack sees only the black box. */
  quarry_options_create(&opts);
  quarry_options_set_i64(opts, QUARRY_OPT_SEED, 1);
  status = quarry_extract_relu1(ctx, D, C, quarry_net_oracle_eval, black_box, opts, &copy, &report);
  if (status != QUARRY_OK) return fail(ctx, status, "extract");
  quarry_report_get_i64(report, QUARRY_REPORT_QUERIES, &queries);
  quarry_report_get_i64(report, QUARRY_REPORT_NEURONS, &neurons);
  printf("recovered %lld neurons with %lld queries (%.2f per parameter)\n", (long long)neurons,
         (long long)queries, (double)queries / (K * (D + 2) + D + 1));

  /* Save and reload the copy, then compare it with the hidden model on fresh inputs. */
  status = quarry_relu_net_save(ctx, copy, "recovered.json");
  if (status == QUARRY_OK) status = quarry_relu_net_load(ctx, "recovered.json", &loaded);
  if (status != QUARRY_OK) return fail(ctx, status, "save/load");
  quarry_rng_fill_normal_f64(ctx, &seed, 1000000, M * D, x);
  quarry_relu_net_eval_f64(ctx, hidden, M, x, y);
  quarry_relu_net_eval_f64(ctx, loaded, M, x, z);
  for (i = 0; i < M * C; ++i) {
    error = fabs(y[i] - z[i]);
    if (error > worst) worst = error;
  }
  printf("largest difference on %d fresh inputs: %.1e\n", M, worst);

  quarry_report_destroy(report);
  quarry_options_destroy(opts);
  quarry_relu_net_destroy(loaded);
  quarry_relu_net_destroy(copy);
  quarry_net_oracle_destroy(black_box);
  quarry_relu_net_destroy(hidden);
  quarry_context_destroy(ctx);
  return worst < 1e-8 ? 0 : 1;
}
