/* A pure C99 program using the core API. It is built three ways: in the build tree
 * (also under ASan/UBSan), and against the installed tree through pkg-config and through
 * find_package(quarry CONFIG). It exits 0 when every check passes. */
#include <quarry.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* Compile-time layout checks (C99 has no _Static_assert: a negative array size fails). */
typedef char rng_state_is_40_bytes[sizeof(quarry_rng_state) == 40 ? 1 : -1];
typedef char rng_key_at_8[offsetof(quarry_rng_state, key) == 8 ? 1 : -1];
typedef char rng_counter_at_24[offsetof(quarry_rng_state, counter) == 24 ? 1 : -1];

static void check_version(void) {
  CHECK(strcmp(quarry_version_string(), QUARRY_VERSION_STRING) == 0);
  CHECK(quarry_version_number() == QUARRY_VERSION_NUMBER);
  CHECK(quarry_abi_version() == QUARRY_ABI_VERSION);
  CHECK(quarry_blas_info() != NULL && strlen(quarry_blas_info()) > 0);
}

static void check_status_strings(void) {
  CHECK(strcmp(quarry_status_string(QUARRY_OK), "success") == 0);
  CHECK(strcmp(quarry_status_string(QUARRY_ERR_NULL_POINTER), "null pointer") == 0);
  CHECK(strcmp(quarry_status_string(12345), "unknown status code") == 0);
}

static void check_rng_state_layout(void) {
  quarry_rng_state s;
  CHECK(sizeof s == 40);
  CHECK(offsetof(quarry_rng_state, generator) == 0);
  CHECK(offsetof(quarry_rng_state, reserved) == 4);
  CHECK(offsetof(quarry_rng_state, key) == 8);
  CHECK(offsetof(quarry_rng_state, counter) == 24);
  CHECK(quarry_rng_state_from_seed(5, &s) == QUARRY_OK);
  CHECK(s.generator == QUARRY_RNG_PHILOX4X32_10 && s.key[0] == 5 && s.counter[0] == 0);
}

static void check_context(quarry_context *ctx) {
  int64_t threads = 0;
  CHECK(quarry_context_set_threads(ctx, 2) == QUARRY_OK);
  CHECK(quarry_context_get_threads(ctx, &threads) == QUARRY_OK && threads == 2);
  CHECK(quarry_context_set_threads(ctx, -1) == QUARRY_ERR_INVALID_ARGUMENT);
  CHECK(strstr(quarry_context_last_error(ctx), "threads = -1") != NULL);
  CHECK(quarry_context_get_threads(ctx, &threads) == QUARRY_OK);
  CHECK(strcmp(quarry_context_last_error(ctx), "") == 0);
  CHECK(quarry_context_create(NULL) == QUARRY_ERR_NULL_POINTER);
  quarry_context_destroy(NULL);
}

static void check_options(void) {
  quarry_options *o = NULL;
  int64_t v = 0;
  double lo = 0, hi = 0;
  CHECK(quarry_options_create(&o) == QUARRY_OK);
  CHECK(quarry_options_set_i64(o, QUARRY_OPT_SEED, 42) == QUARRY_OK);
  CHECK(quarry_options_get_i64(o, QUARRY_OPT_SEED, &v) == QUARRY_OK && v == 42);
  CHECK(quarry_options_set_i64(o, 9999, 1) == QUARRY_ERR_INVALID_ARGUMENT);
  CHECK(quarry_options_set_f64(o, QUARRY_OPT_SEED, 1.0) == QUARRY_ERR_INVALID_ARGUMENT);
  CHECK(quarry_options_set_f64(o, QUARRY_OPT_TOLERANCE, 2.0) == QUARRY_ERR_INVALID_ARGUMENT);
  CHECK(quarry_option_bounds_f64(QUARRY_OPT_TOLERANCE, &lo, &hi) == QUARRY_OK);
  CHECK(lo == 0.0 && hi == 1.0);
  CHECK(quarry_option_type(QUARRY_OPT_RIDGE) == QUARRY_TYPE_F64);
  CHECK(strcmp(quarry_option_name(QUARRY_OPT_SEED), "QUARRY_OPT_SEED") == 0);
  {
    const double box[2] = {0.0, 0.5};
    double back[2] = {0, 0};
    CHECK(quarry_option_type(QUARRY_OPT_DOMAIN_LOWER) == QUARRY_TYPE_F64_ARRAY);
    CHECK(quarry_options_set_f64_array(o, QUARRY_OPT_DOMAIN_LOWER, 2, box) == QUARRY_OK);
    CHECK(quarry_options_get_f64_array(o, QUARRY_OPT_DOMAIN_LOWER, 2, back, &v) == QUARRY_OK);
    CHECK(v == 2 && back[1] == 0.5);
  }
  quarry_options_destroy(o);
  quarry_options_destroy(NULL);
  quarry_report_destroy(NULL);
}

/* Random123's first philox4x32 10 known-answer vector, through the public stream API,
 * and the same normal stream on 1 and 2 threads. */
static void check_streams(quarry_context *ctx) {
  static double one[100000], two[100000];
  quarry_rng_state zero = {QUARRY_RNG_PHILOX4X32_10, 0, {0, 0}, {0, 0}};
  quarry_rng_state seed;
  uint32_t words[4];
  CHECK(quarry_rng_fill_u32(ctx, &zero, 0, 4, words) == QUARRY_OK);
  CHECK(words[0] == 0x6627e8d5u && words[1] == 0xe169c58du && words[2] == 0xbc57ac4cu &&
        words[3] == 0x9b00dbd8u);
  CHECK(quarry_rng_state_from_seed(2026, &seed) == QUARRY_OK);
  CHECK(quarry_context_set_threads(ctx, 1) == QUARRY_OK);
  CHECK(quarry_rng_fill_normal_f64(ctx, &seed, 0, 100000, one) == QUARRY_OK);
  CHECK(quarry_context_set_threads(ctx, 2) == QUARRY_OK);
  CHECK(quarry_rng_fill_normal_f64(ctx, &seed, 0, 100000, two) == QUARRY_OK);
  CHECK(memcmp(one, two, sizeof one) == 0);
  CHECK(quarry_rng_fill_normal_f64(ctx, &seed, -1, 1, one) == QUARRY_ERR_BAD_DIMENSION);
  CHECK(strlen(quarry_context_last_error(ctx)) > 0);
}

int main(void) {
  quarry_context *ctx = NULL;
  if (quarry_context_create(&ctx) != QUARRY_OK) {
    fprintf(stderr, "cannot create a context\n");
    return 1;
  }
  check_version();
  check_status_strings();
  check_rng_state_layout();
  check_context(ctx);
  check_options();
  check_streams(ctx);
  quarry_context_destroy(ctx);
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("C consumer: quarry %s, all checks passed\n", quarry_version_string());
  return 0;
}
