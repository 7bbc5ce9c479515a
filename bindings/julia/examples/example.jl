# quarry from Julia: copy a hidden ReLU network from its answers, then solve a tall
# least-squares problem, each beside its reference.
#
#     QUARRY_LIBRARY=build/release/src/libquarry.so.0 JULIA_LOAD_PATH=@:@stdlib \
#         julia --project=bindings/julia bindings/julia/examples/example.jl

using LinearAlgebra, Printf, Random
using Quarry

rng = MersenneTwister(2026)

# A hidden 20-16-3 network behind a black box that answers batches of queries: a d × n
# matrix, one query per column, answered with c × n outputs. A ReluNet is such a callable.
d, k, c = 20, 16, 3
hidden = ReluNet(randn(rng, k, d) / sqrt(d), randn(rng, k), randn(rng, c, k) / sqrt(k))
stolen, report = extract_relu1(hidden, d, c; seed = 1)
Z = randn(rng, d, 10_000)
error_ = norm(stolen(Z) - hidden(Z)) / norm(hidden(Z))
@printf("extraction: %d queries, relative error %.1e\n", report["QUARRY_REPORT_QUERIES"], error_)

# A 100000 × 100 least-squares problem (condition number 1e6), beside LAPACK's QR (A \ b).
A = randn(rng, 100_000, 100) .* exp10.(range(0, -6; length = 100))'
b = A * randn(rng, 100) + 1e-3 * randn(rng, 100_000)
x, report = lstsq(A, b)
ratio = norm(A * x - b) / norm(A * (A \ b) - b)
@printf("least squares: %d iterations, residual / LAPACK's = %.15f\n",
        report["QUARRY_REPORT_ITERATIONS"], ratio)
error_ < 1e-8 && ratio <= 1 + 1e-12 || error("example: a result is off")
