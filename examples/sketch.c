/* Sketching in one page: compress a tall matrix with a sparse sign sketch, check that
 * norms in its column space survive, then sample rows by leverage scores.
 * Build: cc sketch.c $(pkg-config --cflags --libs quarry) -lm */
#include <quarry.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define M 20000 /* rows of A */
#define N 20    /* columns of A */
#define S 80    /* sketch rows: 4 N */

static int fail(quarry_context *ctx, const char *what) {
  fprintf(stderr, "%s: %s\n", what, quarry_context_last_error(ctx));
  return 1;
}

int main(void) {
  quarry_context *ctx = NULL;
  quarry_sketch *sketch = NULL;
  quarry_rng_state state;
  double *a = malloc(sizeof(double) * M * N), *sa = malloc(sizeof(double) * S * N);
  double *scores = malloc(sizeof(double) * M), *scales = malloc(sizeof(double) * 200);
  int64_t *rows = malloc(sizeof(int64_t) * 200);
  double x[N], ax2 = 0, sax2 = 0, sum = 0;
  int i, j, heavy = 0;

  if (quarry_context_create(&ctx) != QUARRY_OK || !a || !sa || !scores || !scales || !rows) {
    return 1;
  }
  /* A: Gaussian, column-major, with row 0 scaled up so that it carries more of the
   * column space than any other row (a "coherent" row uniform sampling would likely miss). */
  quarry_rng_state_from_seed(1, &state);
  quarry_rng_fill_normal_f64(ctx, &state, 0, (int64_t)M * N, a);
  for (j = 0; j < N; ++j) a[(size_t)j * M] *= 100.0;

  /* S A with a sparse sign sketch (8 non-zeros per column of S): O(8 nnz(A)). */
  quarry_rng_state_from_seed(2, &state);
  if (quarry_sketch_create(ctx, QUARRY_SKETCH_SPARSE_SIGN, S, M, NULL, &state, &sketch) !=
      QUARRY_OK) {
    return fail(ctx, "sketch_create");
  }
  if (quarry_sketch_apply_f64(ctx, sketch, QUARRY_COL_MAJOR, M, N, a, M, sa, S) != QUARRY_OK) {
    return fail(ctx, "sketch_apply");
  }

  /* For any x, ||S A x|| is close to ||A x||: compare for one x. */
  for (j = 0; j < N; ++j) x[j] = 1.0 / (1 + j);
  for (i = 0; i < M; ++i) {
    double v = 0;
    for (j = 0; j < N; ++j) v += a[i + (size_t)j * M] * x[j];
    ax2 += v * v;
  }
  for (i = 0; i < S; ++i) {
    double v = 0;
    for (j = 0; j < N; ++j) v += sa[i + (size_t)j * S] * x[j];
    sax2 += v * v;
  }
  printf("||S A x|| / ||A x|| = %.3f (S is %d x %d)\n", sqrt(sax2 / ax2), S, M);

  /* Leverage scores: row 0 should be near 1, and they sum to rank(A) = N. */
  if (quarry_leverage_scores_f64(ctx, QUARRY_COL_MAJOR, M, N, a, M, NULL, scores) != QUARRY_OK) {
    return fail(ctx, "leverage_scores");
  }
  for (i = 0; i < M; ++i) sum += scores[i];
  printf("leverage of row 0: %.3f, sum of all: %.3f\n", scores[0], sum);

  /* 200 distinct rows sampled by leverage: row 0 is always among them. */
  quarry_rng_state_from_seed(3, &state);
  if (quarry_sample_weighted(ctx, M, scores, 200, 0, &state, rows, scales) != QUARRY_OK) {
    return fail(ctx, "sample_weighted");
  }
  for (i = 0; i < 200; ++i) heavy += rows[i] == 0;
  printf("row 0 sampled: %s (first rows: %lld %lld %lld)\n", heavy ? "yes" : "no",
         (long long)rows[0], (long long)rows[1], (long long)rows[2]);

  quarry_sketch_destroy(sketch);
  quarry_context_destroy(ctx);
  free(a);
  free(sa);
  free(scores);
  free(scales);
  free(rows);
  return fabs(sqrt(sax2 / ax2) - 1) < 0.5 && fabs(sum - N) < 1e-9 && heavy ? 0 : 1;
}
