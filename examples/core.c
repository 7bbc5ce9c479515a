/* The core API in one page: a context, options, a reproducible random stream, and what a
 * failed call looks like. Build: cc core.c $(pkg-config --cflags --libs quarry) */
#include <quarry.h>

#include <stdio.h>

int main(void) {
  quarry_context *ctx = NULL;
  quarry_options *opts = NULL;
  quarry_rng_state state;
  double z[4];
  int64_t threads = 0, seed = 0;
  quarry_status status;

  printf("quarry %s on %s\n", quarry_version_string(), quarry_blas_info());
  if (quarry_abi_version() != QUARRY_ABI_VERSION) {
    fprintf(stderr, "compiled for ABI %d, loaded ABI %d\n", QUARRY_ABI_VERSION,
            (int)quarry_abi_version());
    return 1;
  }

  /* A context per thread of yours; it carries the thread count and error messages. */
  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;
  quarry_context_get_threads(ctx, &threads);
  printf("threads: %lld\n", (long long)threads);

  /* Options are typed and range-checked as they are set. */
  quarry_options_create(&opts);
  quarry_options_set_i64(opts, QUARRY_OPT_SEED, 2026);
  status = quarry_options_set_f64(opts, QUARRY_OPT_TOLERANCE, 5.0); /* outside [0, 1] */
  printf("tolerance 5.0 -> %s\n", quarry_status_string(status));
  quarry_options_get_i64(opts, QUARRY_OPT_SEED, &seed);

  /* Random streams are pure functions of (state, index): any thread count, same bits. */
  quarry_rng_state_from_seed((uint64_t)seed, &state);
  if (quarry_rng_fill_normal_f64(ctx, &state, 0, 4, z) != QUARRY_OK) return 1;
  printf("first normals of seed %lld: %.6f %.6f %.6f %.6f\n", (long long)seed, z[0], z[1], z[2],
         z[3]);

  /* A failed call returns a status; the context says exactly what was wrong. */
  status = quarry_rng_fill_normal_f64(ctx, &state, -1, 4, z);
  printf("offset -1 -> %s: %s\n", quarry_status_string(status), quarry_context_last_error(ctx));

  quarry_options_destroy(opts);
  quarry_context_destroy(ctx);
  return status == QUARRY_ERR_BAD_DIMENSION ? 0 : 1;
}
