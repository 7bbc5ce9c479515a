# Tests of the Julia binding, with Julia's LinearAlgebra and SparseArrays as references.
#
#     QUARRY_LIBRARY=build/release/src/libquarry.so.0 JULIA_LOAD_PATH=@:@stdlib \
#         julia --project=bindings/julia bindings/julia/test/runtests.jl
#
# (tests/julia/run.sh does this for `make test`; `Pkg.test()` in bindings/julia works too.)

using LinearAlgebra, Random, SparseArrays, Test
using Quarry

struct Boom <: Exception
    msg::String
end

# The exception f() throws, or nothing.
function caught(f)
    try
        f()
    catch err
        return err
    end
    return nothing
end

# A tall m × n problem with condition number kappa and a small residual.
function problem(m, n, seed; kappa = 1e3)
    rng = MersenneTwister(seed)
    U = qr(randn(rng, m, n)).Q * Matrix{Float64}(I, m, n)  # m × n, orthonormal columns
    V = Matrix(qr(randn(rng, n, n)).Q)
    A = U * Diagonal(exp10.(range(0, -log10(kappa); length = n))) * V'
    b = A * randn(rng, n) + 1e-3 * randn(rng, m)
    return A, b
end

function random_net(d, k, c, seed)
    rng = MersenneTwister(seed)
    return ReluNet(randn(rng, k, d) / sqrt(d), randn(rng, k), randn(rng, c, k) / sqrt(k))
end

# Data laid out as the Rust tests of the same definitions make it: `normals(seed, n)` is
# the first n elements of the normal stream of RngState(seed); a row-major r × c matrix of
# them is, in Julia, the permutedims of the column-major c × r one.
normals(seed, dims...) = fill_normal!(zeros(dims...), RngState(seed))
row_major(seed, r, c) = permutedims(normals(seed, c, r))

# A 3000 × 8 Gaussian A, the true coefficients x0, and b = A x0 + N(0, noise²) with every
# tenth entry (10%) moved by ±50.
function outlier_problem(seed; noise = 0.05)
    rng = MersenneTwister(seed)
    A = randn(rng, 3000, 8)
    x0 = randn(rng, 8)
    b = A * x0 + noise * randn(rng, 3000)
    b[4:10:end] .+= 50 .* rand(rng, (-1, 1), 300)
    return A, b, x0
end

# ‖A' ψ - c x‖ / (‖A‖_F ‖ψ‖ + ‖c x‖), ψ = clamp.(b - A x, -t, t): zero at the minimum of
# Σ ρ(rᵢ) + λ ‖x‖² with threshold t (c = 2λ), and in x at the concomitant minimum (whose
# gradient in x is (2 / σ) (-A' ψ) + 2λ x with t = ϵ σ: c = σλ).
function huber_stationarity(A, b, x, t, c)
    psi = clamp.(b - A * x, -t, t)
    return norm(A' * psi - c * x) / (norm(A) * norm(psi) + norm(c * x))
end

# The objective quarry_huber_f64 minimizes, Σ ρ(rᵢ) + λ ‖x‖² with a fixed scale σ, or
# m σ + Σ H(rᵢ / σ) σ + λ ‖x‖² with an estimated one; and the count of |rᵢ| > ϵ σ.
function huber_objective(A, b, x, epsilon, sigma, ridge; fixed::Bool)
    r = abs.(b - A * x)
    t = epsilon * sigma
    if fixed
        f = sum(v -> v <= t ? v^2 / 2 : t * v - t^2 / 2, r)
    else
        f = sum(v -> v <= t ? sigma + v^2 / sigma : sigma + 2 * epsilon * v - epsilon * t, r)
    end
    return f + ridge * sum(abs2, x), count(>(t), r)
end

# An m × n Gaussian A and b = A x0 + N(0, 0.1²), with every tenth entry moved by N(0, 20²).
function lp_problem(seed, m, n)
    rng = MersenneTwister(seed)
    A = randn(rng, m, n)
    b = A * randn(rng, n) + 0.1 * randn(rng, m)
    b[1:10:end] .+= 20 .* randn(rng, length(1:10:m))
    return A, b
end

# The objective quarry_lp_regression_f64 minimizes: Σ |bᵢ - aᵢ' x|^p.
lp_objective(A, b, x, p) = sum(r -> abs(r)^p, b - A * x)

# An m × n Gaussian A with every tenth row scaled by 30: uneven leverage and Lewis weights.
function uneven_matrix(seed, m, n)
    A = randn(MersenneTwister(seed), m, n)
    A[1:10:end, :] .*= 30
    return A
end

# The leverage scores of A, from Julia's QR: the squared row norms of an orthonormal basis.
leverage_reference(A) = vec(sum(abs2, qr(A).Q * Matrix{Float64}(I, size(A)...); dims = 2))

# Two Gaussian factors (60 × 4, 50 × 3), their product K, and b = K x0 + N(0, 0.1²).
function kron_problem(seed)
    rng = MersenneTwister(seed)
    factors = [randn(rng, 60, 4), randn(rng, 50, 3)]
    K = kron(factors...)
    return factors, K, K * randn(rng, 12) + 0.1 * randn(rng, 3000)
end

@testset "Quarry" begin

@testset "the library loads, with a matching ABI" begin
    @test count(==('.'), Quarry.version()) == 2
    @test Quarry.ABI_VERSION == 0
    abi = @ccall $(Quarry._fn(:quarry_abi_version))()::Int32
    @test abi == Quarry.ABI_VERSION
    # Without a library, loading fails with a message that says what to do.
    cmd = `$(Base.julia_cmd()) --startup-file=no --project=$(dirname(@__DIR__)) -e "using Quarry"`
    messages = IOBuffer()
    ok = success(pipeline(addenv(cmd, "QUARRY_LIBRARY" => "/nonexistent/libquarry.so.0");
                          stdout = devnull, stderr = messages))
    @test !ok
    text = String(take!(messages))
    @test occursin("cannot load /nonexistent/libquarry.so.0", text)
    @test occursin("QUARRY_LIBRARY", text)
end

@testset "lstsq matches A \\ b for every method" begin
    A, b = problem(3000, 40, 1)
    ref = A \ b
    r_ref = norm(A * ref - b)
    for method in sort!(collect(keys(Quarry.METHODS)))
        x, report = lstsq(A, b; method)
        r = norm(A * x - b)
        if method == :sketch_solve
            @test r <= 1.2 * r_ref
            @test report["QUARRY_REPORT_RESIDUAL_BOUND"] >= r / r_ref * (1 - 1e-12)
        else
            @test r <= r_ref * (1 + 1e-12)
            @test norm(x - ref) <= 1e-9 * norm(ref)
        end
        @test report["QUARRY_REPORT_METHOD"] in values(Quarry.METHODS)
        @test report["QUARRY_REPORT_SECONDS"] >= 0
    end
end

@testset "strided views and several right-hand sides, without copies" begin
    A, b = problem(2000, 30, 2)
    B3 = hcat(b, 2b, -b)
    ref = A \ B3
    P = zeros(2037, 40)
    P[1:2000, 1:30] = A
    padded = view(P, 1:2000, 1:30)  # leading dimension 2037
    for V in (A, padded, view(A, 1:2:2000, :))
        Bv = B3[1:size(V, 1), :]
        want = size(V, 1) == 2000 ? ref : Matrix(V) \ Bv
        x, _ = lstsq(V, Bv)
        @test size(x) == (30, 3)
        @test isapprox(x, want; rtol = 1e-9, atol = 1e-12)
    end
    x1, _ = lstsq(A, b)
    @test size(x1) == (30,)
    @test isapprox(x1, ref[:, 1]; rtol = 1e-9)
    @test isapprox(lstsq(A, view(B3, :, 2))[1], ref[:, 2]; rtol = 1e-9)
    Bp = zeros(2001, 3)
    Bp[1:2000, :] = B3
    @test isapprox(lstsq(A, view(Bp, 1:2000, :))[1], ref; rtol = 1e-9)
    # Arrays with unit row stride go to C as they are (any column stride); anything else
    # is copied once, into a Matrix{Float64}.
    for V in (A, padded, view(A, :, 1:2:30), view(A, 1:1000, :), view(B3, :, 2),
              view(Bp, 1:2000, :))
        @test Quarry._dense(V)[1] === V
    end
    @test Quarry._dense(padded)[2] == 2037
    @test Quarry._dense(view(A, :, 1:2:30))[2] == 4000
    @test Quarry._dense(padded; contiguous = true)[1] isa Matrix{Float64}
    for V in (view(A, 2000:-1:1, :), view(A, 1:2:2000, :), Float32.(A))
        copied = Quarry._dense(V)[1]
        @test copied isa Matrix{Float64} && copied !== V
        bv = b[1:size(V, 1)]
        @test isapprox(lstsq(V, bv)[1], Matrix{Float64}(V) \ bv; rtol = 1e-6, atol = 1e-9)
    end
end

@testset "transposes go to C row-major, without a copy" begin
    A, b = problem(2000, 30, 14)
    B3 = hcat(b, 2b, -b)
    M = permutedims(A)  # 30 × 2000, so A == M' == transpose(M)
    P = zeros(41, 2000)
    P[1:30, :] = M
    padded = view(P, 1:30, :)  # column stride 41
    lambdas = [1e-3, 1.0]
    for At in (M', transpose(M), padded', transpose(padded))
        data, layout, ld = Quarry._matrix(At)
        @test data === parent(At) && layout == Quarry._ROW_MAJOR
        @test ld == stride(parent(At), 2)
        Ac = copy(At)  # the same matrix, a column-major Matrix{Float64}
        @test Ac isa Matrix{Float64} && Quarry._matrix(Ac)[2] == Quarry._COL_MAJOR
        # One right-hand side: the same memory in both layouts.
        @test isapprox(lstsq(At, b)[1], lstsq(Ac, b)[1]; rtol = 1e-9)
        x1, _ = lstsq(At, B3[:, 2:2])
        @test size(x1) == (30, 1) && isapprox(x1, lstsq(Ac, B3[:, 2:2])[1]; rtol = 1e-9)
        # Several: B and X go through row-major copies.
        X, _ = lstsq(At, B3)
        @test size(X) == (30, 3) && isapprox(X, lstsq(Ac, B3)[1]; rtol = 1e-9)
        path, _ = ridge_path(At, b, lambdas)
        @test size(path) == (30, 2) && isapprox(path, ridge_path(Ac, b, lambdas)[1]; rtol = 1e-9)
        single, _ = ridge_path(At, b, 1.0)
        @test size(single) == (30, 1) && isapprox(single[:, 1], path[:, 2]; rtol = 1e-9)
    end
    # A wide transpose (the minimum-norm solution) and a transposed vector (1 × n).
    W = M[:, 1:20]'  # 20 × 30
    bw = b[1:20]
    @test isapprox(lstsq(W, bw)[1], pinv(copy(W)) * bw; rtol = 1e-9)
    v = M[:, 1]
    @test isapprox(lstsq(v', [2.0])[1], v * (2 / dot(v, v)); rtol = 1e-9)
    # A transpose whose parent has no unit row stride goes row-major over a copy of it; one
    # of another element type goes column-major over a copy.
    rowstrided = transpose(view(M, 1:2:30, :))  # 2000 × 15
    data, layout, _ = Quarry._matrix(rowstrided)
    @test data isa Matrix{Float64} && layout == Quarry._ROW_MAJOR
    @test isapprox(lstsq(rowstrided, B3)[1], copy(rowstrided) \ B3; rtol = 1e-6, atol = 1e-9)
    single32 = transpose(Float32.(M))
    data, layout, _ = Quarry._matrix(single32)
    @test data isa Matrix{Float64} && layout == Quarry._COL_MAJOR
    @test isapprox(lstsq(single32, b)[1], Matrix{Float64}(single32) \ b; rtol = 1e-6)
end

@testset "ridge and the ridge path match the regularized normal equations" begin
    A, b = problem(2000, 25, 3)
    lambdas = [1e-3, 1.0, 100.0]
    path, report = ridge_path(A, b, lambdas)
    @test size(path) == (25, 3)
    for (j, lambda) in enumerate(lambdas)
        ref = (A' * A + lambda * I) \ (A' * b)
        x, _ = lstsq(A, b; ridge = lambda)
        @test isapprox(x, ref; rtol = 1e-8)
        @test isapprox(path[:, j], ref; rtol = 1e-8)
    end
    @test haskey(report, "QUARRY_REPORT_RESIDUAL_NORM")
    single, _ = ridge_path(A, b, 1.0)
    @test size(single) == (25, 1) && isapprox(single[:, 1], path[:, 2]; rtol = 1e-8)
end

@testset "sparse A, tall and wide, against dense solves" begin
    rng = MersenneTwister(4)
    A = sprandn(rng, 4000, 60, 0.05) + sparse(1.0I, 4000, 60)
    b = randn(rng, 4000)
    before = copy(A)
    ref = Matrix(A) \ b
    x, report = lstsq(A, b)
    @test A == before  # the caller's matrix is untouched
    @test isapprox(x, ref; rtol = 1e-9, atol = 1e-12)
    @test report["QUARRY_REPORT_METHOD"] == Quarry.METHODS[:sketch_precondition]
    # 32-bit indices, several right-hand sides.
    X2, _ = lstsq(SparseMatrixCSC{Float64,Int32}(A), [b 2b])
    @test isapprox(X2, [ref 2ref]; rtol = 1e-9, atol = 1e-12)
    # Wide (60 × 2000): the minimum-norm solution.
    W = permutedims(A)[:, 1:2000]
    bw = randn(rng, 60)
    xw, _ = lstsq(W, bw)
    @test isapprox(xw, pinv(Matrix(W)) * bw; rtol = 1e-9, atol = 1e-12)
    @test_throws ArgumentError ridge_path(A, b, [1.0])
end

@testset "errors carry the status and the message" begin
    A, b = problem(500, 10, 6)
    bad = copy(A)
    bad[8, 4] = NaN
    err = caught(() -> lstsq(bad, b))
    @test err isa QuarryError
    @test err.name == "QUARRY_ERR_NONFINITE" && err.status == Quarry.QUARRY_ERR_NONFINITE
    @test occursin("A[7, 3]", err.message)  # the library's indices are 0-based
    @test occursin("QuarryError: QUARRY_ERR_NONFINITE", sprint(showerror, err))
    err = caught(() -> lstsq(A, b; ridge = -1.0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test_throws ArgumentError lstsq(A, b; method = :qr)
    @test_throws ArgumentError lstsq(A, b; method = "direct")
    @test_throws ArgumentError lstsq(A, b; sketch_kind = :hadamard)
    @test_throws ArgumentError lstsq(A, b; maxiter = 1.5)  # never a float rounded silently
    @test_throws ArgumentError lstsq(A, b; seed = typemax(UInt64))
    @test_throws ArgumentError lstsq(A, b; tol = "small")
    @test_throws MethodError ridge_path(A, b, [1.0 2.0])
    @test_throws DimensionMismatch lstsq(A, b[1:end-1])
    @test_throws DimensionMismatch ridge_path(A, b[1:end-1], [1.0])
    err = caught(() -> lstsq(problem(500, 10, 7; kappa = 1e8)[1], b;
                             method = :sketch_precondition, maxiter = 1, sketch_rows = 12))
    @test err isa NoConvergence && err isa AbstractQuarryError
    @test err.status == Quarry.QUARRY_ERR_NO_CONVERGENCE
    @test size(err.x) == (10,)
    @test err.report["QUARRY_REPORT_ITERATIONS"] >= 1
    @test occursin("NoConvergence: QUARRY_ERR_NO_CONVERGENCE", sprint(showerror, err))
end

@testset "DynamicLstsq (exact) is the solve of every row inserted so far" begin
    rng = MersenneTwister(91)
    m, n = 700, 6
    A = randn(rng, m, n)
    b = A * randn(rng, n) + 0.1 * randn(rng, m)
    z = randn(rng, n)  # any x, for residual
    for ridge in (0.0, 0.5)
        d = DynamicLstsq(n; ridge)
        @test isopen(d) && sprint(show, d) == "DynamicLstsq(n = 6)"
        rows = 0
        # Batches of every size (the updates go 256 rows at a time), as a matrix, a
        # transpose (row-major) and a strided view, the last two without a copy. 0 and 2
        # rows leave x underdetermined without a ridge: then it is the minimum-norm one.
        for (k, count) in enumerate((0, 2, 7, 256, 300, 135))
            r = rows+1:rows+count
            batch = (A[r, :], permutedims(A[r, :])', view(A, r, :))[mod1(k, 3)]
            @test insert!(d, batch, b[r]) === d
            rows += count
            x, report = Quarry.solve(d)
            Ar, br = A[1:rows, :], b[1:rows]
            ref = rows == 0 ? zeros(n) :
                  ridge == 0 && rows < n ? Ar' * ((Ar * Ar') \ br) :
                  (Ar' * Ar + ridge * I) \ (Ar' * br)
            @test isapprox(x, ref; rtol = 1e-10)
            @test report["QUARRY_REPORT_METHOD"] == Quarry.METHODS[:direct]
            @test report["QUARRY_REPORT_QUERIES"] == rows == report["QUARRY_REPORT_SKETCH_ROWS"]
            @test report["QUARRY_REPORT_RANK"] == (ridge > 0 ? n : min(rows, n))
            objective = sum(abs2, Ar * x - br) + ridge * sum(abs2, x)
            @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], objective; rtol = 1e-8,
                           atol = 1e-14 * sum(abs2, br))
            # residual is the objective's square root at any x, over every row.
            @test isapprox(Quarry.residual(d, z),
                           sqrt(sum(abs2, Ar * z - br) + ridge * sum(abs2, z)); rtol = 1e-10)
        end
    end
    # One row: the transpose of a vector.
    a = A[1, :]
    one_row = insert!(DynamicLstsq(n), a', [b[1]])
    @test isapprox(Quarry.solve(one_row)[1], a * b[1] / sum(abs2, a); rtol = 1e-10)
end

@testset "DynamicLstsq (sampled) keeps few rows and a near-minimal objective" begin
    rng = MersenneTwister(92)
    m, n = 20_000, 5
    A = randn(rng, m, n)
    b = A * randn(rng, n) + randn(rng, m)
    exact = DynamicLstsq(n)
    sampled = DynamicLstsq(n; method = :sampled, tol = 0.1, seed = 3)
    for i in 1:1000:m
        r = i:i+999
        insert!(exact, view(A, r, :), view(b, r))
        insert!(sampled, A[r, :], b[r])
    end
    best, _ = Quarry.solve(exact)
    @test isapprox(best, A \ b; rtol = 1e-10)
    least = Quarry.residual(exact, best)
    @test isapprox(least, norm(A * best - b); rtol = 1e-10)
    x, report = Quarry.solve(sampled)
    @test report["QUARRY_REPORT_METHOD"] == Quarry.METHODS[:sketch_solve]
    @test report["QUARRY_REPORT_QUERIES"] == m
    @test n <= report["QUARRY_REPORT_SKETCH_ROWS"] < m
    @test Quarry.residual(exact, x)^2 <= 1.1 * least^2
end

@testset "DynamicLstsq: failures leave it as it was" begin
    rng = MersenneTwister(93)
    A, b = randn(rng, 40, 3), randn(rng, 40)
    d = insert!(DynamicLstsq(3), A, b)
    x, _ = Quarry.solve(d)
    # A NaN is refused before any row of its batch goes in.
    bad = A[1:5, :]
    bad[4, 2] = NaN
    err = caught(() -> insert!(d, bad, b[1:5]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    @test occursin("A[3, 1]", err.message)  # the library's indices are 0-based
    err = caught(() -> insert!(d, A[1:2, :], [1.0, Inf]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE" && occursin("b[1", err.message)
    y, report = Quarry.solve(d)
    @test y == x && report["QUARRY_REPORT_QUERIES"] == 40
    @test_throws DimensionMismatch insert!(d, randn(2, 4), randn(2))
    @test_throws DimensionMismatch insert!(d, A, b[2:end])
    @test_throws DimensionMismatch Quarry.residual(d, zeros(4))
    err = caught(() -> Quarry.residual(d, [1.0, NaN, 0.0]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    # Creation.
    err = caught(() -> DynamicLstsq(0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    @test occursin("n = 0", err.message)
    err = caught(() -> DynamicLstsq(3; method = :sampled, tol = 0.0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> DynamicLstsq(3; ridge = -1.0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test_throws ArgumentError DynamicLstsq(3; method = :direct)
    @test_throws ArgumentError DynamicLstsq(3; seed = 1.5)
    @test :DynamicLstsq in names(Quarry)
    @test :solve ∉ names(Quarry) && :residual ∉ names(Quarry)
    # Closed.
    close(d)
    close(d)  # idempotent
    @test !isopen(d) && sprint(show, d) == "DynamicLstsq(closed)"
    @test_throws ArgumentError insert!(d, A, b)
    @test_throws ArgumentError Quarry.solve(d)
    @test_throws ArgumentError Quarry.residual(d, x)
end

@testset "huber ignores the outliers that move least squares" begin
    A, b, x0 = outlier_problem(21)
    x, sigma, report = huber(A, b)  # epsilon = 1.35, sigma estimated
    @test x isa Vector{Float64} && size(x) == (8,)
    @test maximum(abs.(x - x0)) <= 0.01
    @test maximum(abs.(lstsq(A, b)[1] - x0)) > 5 * 0.01
    @test 0.025 <= sigma <= 0.1
    f, outliers = huber_objective(A, b, x, 1.35, sigma, 0.0; fixed = false)
    @test report["QUARRY_REPORT_OUTLIERS"] == outliers
    @test outliers >= 300  # the gross outliers at least
    @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], f; rtol = 1e-9)
    @test isapprox(report["QUARRY_REPORT_RESIDUAL_NORM"], norm(b - A * x); rtol = 1e-9)
    @test report["QUARRY_REPORT_ITERATIONS"] >= 1 && report["QUARRY_REPORT_SECONDS"] >= 0
    # tol = 0 iterates until no step lowers the objective in floating point, where the
    # optimality conditions hold, in x (A' clamp.(r, -t, t) = 0, t = ϵ σ) and in σ
    # (m - Σ_inside (r / σ)² - ϵ² outliers = 0), up to the resolution of the objective:
    # dominated by the outliers' 2ϵ|r| (about 4e4), its rounding hides changes of about 1e-8
    # in x and σ, leaving gradients of about 1e-7 (relative). The default tolerance stops
    # within 1e-12 of the minimum.
    xm, sm, rm = huber(A, b; tol = 0)
    @test isapprox(rm["QUARRY_REPORT_OBJECTIVE"], report["QUARRY_REPORT_OBJECTIVE"]; rtol = 1e-10)
    @test huber_stationarity(A, b, xm, 1.35 * sm, 0.0) <= 1e-6
    z = (b - A * xm) / sm
    @test abs(length(b) - sum(v -> abs(v) <= 1.35 ? v^2 : 1.35^2, z)) <= 1e-5 * length(b)
end

@testset "huber with a fixed scale meets the optimality condition" begin
    A, b, x0 = outlier_problem(22)
    for ridge in (0.0, 3.0)
        # With a fixed scale the objective is piecewise quadratic and its Newton steps exact.
        x, sigma, report = huber(A, b; scale = 0.05, ridge, tol = 0)
        @test sigma == 0.05
        @test huber_stationarity(A, b, x, 1.35 * 0.05, 2 * ridge) <= 1e-9
        f, outliers = huber_objective(A, b, x, 1.35, 0.05, ridge; fixed = true)
        @test report["QUARRY_REPORT_OUTLIERS"] == outliers
        @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], f; rtol = 1e-9)
        if ridge == 0
            @test maximum(abs.(x - x0)) <= 0.01
        end
        # The default tolerance: the same minimum, to 1e-10 in the objective.
        _, _, rd = huber(A, b; scale = 0.05, ridge)
        @test isapprox(rd["QUARRY_REPORT_OBJECTIVE"], f; rtol = 1e-10)
    end
    # Below 1, epsilon is refused for an estimated scale only.
    @test huber(A, b; epsilon = 0.9, scale = 0.05)[2] == 0.05
end

@testset "huber: transposes (row-major) and strided views agree with A" begin
    A, b, _ = outlier_problem(23; noise = 0.1)
    M = permutedims(A)  # 8 × 3000: A == M'
    P = zeros(3011, 8)
    P[1:3000, :] = A
    Q = zeros(11, 3000)
    Q[1:8, :] = M
    @test Quarry._matrix(M')[2] == Quarry._ROW_MAJOR
    @test Quarry._matrix(view(Q, 1:8, :)')[1] === view(Q, 1:8, :)
    # A fixed scale: the layouts agree to rounding. The concomitant objective is resolved
    # to about 1e-8 (above), and the layouts' rounding may end it one step apart.
    for (kwargs, rtol) in (((scale = 0.2, ridge = 0.5), 1e-10), (NamedTuple(), 1e-6))
        want, wsigma, _ = huber(A, b; epsilon = 1.5, kwargs...)
        for V in (M', transpose(M), view(P, 1:3000, :), view(Q, 1:8, :)')
            x, sigma, _ = huber(V, b; epsilon = 1.5, kwargs...)
            @test isapprox(x, want; rtol)
            @test isapprox(sigma, wsigma; rtol)
        end
    end
    # b as a strided view (copied once) or another element type.
    B2 = permutedims(hcat(b, b))  # 2 × 3000: row 2 is b, with stride 2
    want, _, _ = huber(A, b; scale = 0.2)
    @test isapprox(huber(A, view(B2, 2, :); scale = 0.2)[1], want; rtol = 1e-12)
    @test isapprox(huber(A, BigFloat.(b); scale = 0.2)[1], want; rtol = 1e-12)
end

@testset "huber: errors, and the iteration limit" begin
    A, b, _ = outlier_problem(24)
    err = caught(() -> huber(A, b; epsilon = 0.9))  # sigma estimated: epsilon >= 1
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test occursin("epsilon = 0.9", err.message)
    for scale in (0, 0.0, -1.0, NaN, "1")
        @test_throws ArgumentError huber(A, b; scale)
    end
    err = caught(() -> huber(A, b; scale = Inf))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> huber(A, b; ridge = -1.0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test_throws ArgumentError huber(A, b; maxiter = 1.5)
    @test_throws DimensionMismatch huber(A, b[1:end-1])
    @test_throws ArgumentError huber(sparse(A), b)
    bad = copy(b)
    bad[6] = NaN
    err = caught(() -> huber(A, bad))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    @test occursin("b[5, 0]", err.message)  # the library's indices are 0-based
    # The iteration limit: the last iterate and its report come with NoConvergence.
    err = caught(() -> huber(A, b; maxiter = 1, tol = 0))
    @test err isa NoConvergence && err.status == Quarry.QUARRY_ERR_NO_CONVERGENCE
    @test size(err.x) == (8,) && all(isfinite, err.x)
    @test err.report["QUARRY_REPORT_ITERATIONS"] == 1
    @test haskey(err.report, "QUARRY_REPORT_OBJECTIVE")
    @test haskey(err.report, "QUARRY_REPORT_OUTLIERS")
end

@testset "lp_regression at p = 1 reaches the brute-force optimum" begin
    for seed in (31, 32, 33)
        A, b = lp_problem(seed, 60, 2)
        # Some l_1 optimum fits n = 2 rows exactly: the best of all two-row interpolants is
        # the minimum.
        best = Inf
        for i in 1:60, k in i+1:60
            M = A[[i, k], :]
            abs(det(M)) < 1e-12 && continue
            best = min(best, lp_objective(A, b, M \ b[[i, k]], 1))
        end
        for method in (:gram_precondition, :sketch_precondition)
            x, report = lp_regression(A, b, 1; method)
            @test isapprox(lp_objective(A, b, x, 1), best; rtol = 1e-12)
            @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], best; rtol = 1e-12)
            @test report["QUARRY_REPORT_DUAL_GAP"] <= 1e-10
            @test report["QUARRY_REPORT_METHOD"] == Quarry.METHODS[method]
        end
    end
end

@testset "lp_regression certifies its gap, and p = 2 is least squares" begin
    A, b = lp_problem(34, 2000, 6)
    for p in (1.5, 3.0)
        _, tight = lp_regression(A, b, p; tol = 0)  # the tightest objective, with its gap
        for method in (:auto, :gram_precondition, :sketch_precondition)
            x, report = lp_regression(A, b, p; method)
            f, gap = lp_objective(A, b, x, p), report["QUARRY_REPORT_DUAL_GAP"]
            @test 0 <= gap <= 1e-10
            @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], f; rtol = 1e-12)
            # The gap bounds the excess over the tightest objective found (its gap aside).
            @test (f - tight["QUARRY_REPORT_OBJECTIVE"]) / f <=
                  gap + tight["QUARRY_REPORT_DUAL_GAP"] + 1e-14
            @test isapprox(report["QUARRY_REPORT_RESIDUAL_NORM"], norm(b - A * x); rtol = 1e-9)
            @test report["QUARRY_REPORT_ITERATIONS"] >= 1 && report["QUARRY_REPORT_SECONDS"] >= 0
        end
    end
    x2, _ = lp_regression(A, b, 2)
    @test isapprox(x2, A \ b; rtol = 1e-10)
end

@testset "lp_regression: transposes (row-major) and strided views agree with A" begin
    A, b = lp_problem(35, 1500, 5)
    M = permutedims(A)  # 5 × 1500: A == M'
    P = zeros(1509, 5)
    P[1:1500, :] = A
    Q = zeros(8, 1500)
    Q[1:5, :] = M
    for p in (1.0, 1.5, 4.0)
        want, wrep = lp_regression(A, b, p)
        for V in (M', transpose(M), view(P, 1:1500, :), view(Q, 1:5, :)')
            x, report = lp_regression(V, b, p)
            @test maximum(abs.(x - want)) <= 1e-6
            @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], wrep["QUARRY_REPORT_OBJECTIVE"];
                           rtol = 1e-10)
        end
    end
    # b as a strided view (copied once) or another element type.
    B2 = permutedims(hcat(b, b))  # 2 × 1500: row 2 is b, with stride 2
    want, _ = lp_regression(A, b, 1.5)
    @test isapprox(lp_regression(A, view(B2, 2, :), 1.5)[1], want; rtol = 1e-12)
    @test isapprox(lp_regression(A, BigFloat.(b), 1.5)[1], want; rtol = 1e-12)
end

@testset "lp_regression: errors, and the iteration limit" begin
    A, b = lp_problem(36, 500, 4)
    for p in (0.5, 0.0, -1.0, NaN, Inf)
        err = caught(() -> lp_regression(A, b, p))
        @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    end
    @test occursin("p = inf", caught(() -> lp_regression(A, b, Inf)).message)
    for method in (:direct, :sketch_solve)  # not preconditioners of the Newton systems
        err = caught(() -> lp_regression(A, b, 1; method))
        @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
        @test occursin("QUARRY_LSTSQ_GRAM_PRECONDITION", err.message)
    end
    @test_throws ArgumentError lp_regression(A, b, 1; method = :qr)
    @test_throws ArgumentError lp_regression(A, b, 1; maxiter = 1.5)
    @test_throws DimensionMismatch lp_regression(A, b[1:end-1], 1)
    @test_throws ArgumentError lp_regression(sparse(A), b, 1)
    err = caught(() -> lp_regression(A[1:3, :], b[1:3], 1))  # m < n
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    bad = copy(b)
    bad[6] = NaN
    err = caught(() -> lp_regression(A, bad, 1))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    @test occursin("b[5, 0]", err.message)  # the library's indices are 0-based
    # The iteration limit: the last iterate and its report (with its gap) come with
    # NoConvergence.
    err = caught(() -> lp_regression(A, b, 1; maxiter = 3))
    @test err isa NoConvergence && err.status == Quarry.QUARRY_ERR_NO_CONVERGENCE
    @test occursin("QUARRY_OPT_MAX_ITERATIONS", err.message)
    @test size(err.x) == (4,) && all(isfinite, err.x)
    @test err.report["QUARRY_REPORT_ITERATIONS"] == 3
    @test err.report["QUARRY_REPORT_DUAL_GAP"] > 1e-10
    @test isapprox(err.report["QUARRY_REPORT_OBJECTIVE"], lp_objective(A, b, err.x, 1);
                   rtol = 1e-12)
end

@testset "active_regression nears the full fit from its budget of labels" begin
    m, n, budget = 2000, 5, 100
    rng = MersenneTwister(37)
    A = randn(rng, m, n)
    b = A * randn(rng, n) + 0.1 * randn(rng, m)
    for p in (1.0, 2.0)
        best = norm(b - A * lp_regression(A, b, p)[1], p)
        for seed in 0:2
            asked = zeros(Int, m)
            kept = Vector{Int64}[]
            x, report = active_regression(A, p, budget; seed) do rows
                @test all(>(0), diff(rows))  # 1-based, increasing
                push!(kept, rows)  # a copy: still valid after the call
                length(kept) <= 2 && GC.gc()  # the state and the arrays in flight stay rooted
                asked[rows] .+= 1
                return b[rows]
            end
            @test all(<=(1), asked) && sum(asked) == budget
            @test sum(length, kept) == budget && all(rows -> all(in(1:m), rows), kept)
            @test report["QUARRY_REPORT_QUERIES"] == budget
            @test report["QUARRY_REPORT_BATCHES"] == length(kept)
            @test report["QUARRY_REPORT_DUAL_GAP"] <= 1e-10
            @test report["QUARRY_REPORT_OBJECTIVE"] > 0 && haskey(report, "QUARRY_REPORT_ORACLE_SECONDS")
            @test norm(b - A * x, p) <= 1.2 * best
            # The same seed asks the same rows: the same fit, with A passed row-major too.
            @test active_regression(rows -> b[rows], A, p, budget; seed)[1] == x
            again, _ = active_regression(rows -> b[rows], transpose(permutedims(A)), p, budget; seed)
            @test isapprox(again, x; rtol = 1e-8)
        end
    end
end

@testset "active_regression: failures reach the caller" begin
    rng = MersenneTwister(38)
    m, n = 300, 3
    A = randn(rng, m, n)
    b = A * ones(n) + 0.1 * randn(rng, m)
    answer(rows) = b[rows]
    err = caught(() -> active_regression(rows -> throw(Boom("the lab is closed")), A, 1, 30))
    @test err isa QuarryError && err.name == "QUARRY_ERR_ORACLE"
    @test err.cause isa CapturedException && err.cause.ex isa Boom
    @test occursin("the lab is closed", sprint(showerror, err))
    err = caught(() -> active_regression(rows -> b[rows[1:end-1]], A, 1, 30))
    @test err isa QuarryError && err.cause.ex isa DimensionMismatch
    @test occursin("one per row", sprint(showerror, err.cause.ex))
    err = caught(() -> active_regression(rows -> fill(NaN, length(rows)), A, 1, 30))
    @test err isa QuarryError && err.name == "QUARRY_ERR_ORACLE" && err.cause === nothing
    err = caught(() -> active_regression(rows -> throw(InterruptException()), A, 1, 30))
    @test err isa InterruptException
    # p and the budget out of range: refused before any label is asked.
    calls = Ref(0)
    for (p, budget) in ((0.5, 30), (NaN, 30), (1, n - 1), (1, m + 1))
        err = caught(() -> active_regression(rows -> (calls[] += 1; b[rows]), A, p, budget))
        @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    end
    @test calls[] == 0
    err = caught(() -> active_regression(answer, A[1:2, :], 1, 2))  # m < n
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    @test_throws ArgumentError active_regression(answer, sparse(A), 1, 30)
    @test_throws ArgumentError active_regression(answer, A, 1, 30; seed = 1.5)
    @test_throws ArgumentError active_regression(answer, A, 1, 30; sketch_kind = :hadamard)
    # The fit's iteration limit: the last iterate and its report come with NoConvergence.
    err = caught(() -> active_regression(answer, A, 1, 30; maxiter = 1))
    @test err isa NoConvergence && occursin("QUARRY_OPT_MAX_ITERATIONS", err.message)
    @test size(err.x) == (n,) && all(isfinite, err.x)
    @test err.report["QUARRY_REPORT_QUERIES"] == 30 && err.report["QUARRY_REPORT_ITERATIONS"] == 1
    # Approximate Lewis weights.
    x, report = active_regression(answer, A, 1.5, 60; approx = true, seed = 4)
    @test length(x) == n && report["QUARRY_REPORT_QUERIES"] == 60
end

@testset "kronecker_regression (exact) matches the explicit product's ridge solve" begin
    rng = MersenneTwister(81)
    A1, A2 = randn(rng, 7, 3), randn(rng, 5, 2)
    K = kron(A1, A2)  # 35 × 6: b and x in kron's order
    b = randn(rng, 35)
    for ridge in (0.0, 0.5)
        ref = (K' * K + ridge * I) \ (K' * b)
        # A strided view and a transpose (copied column-major) are the same factors.
        for factors in ([A1, A2], (view(A1, :, :), transpose(permutedims(A2))))
            x, report = kronecker_regression(factors, b; ridge)
            @test isapprox(x, ref; rtol = 1e-10)
            r = norm(K * x - b)
            @test report["QUARRY_REPORT_METHOD"] == Quarry.METHODS[:direct]
            @test report["QUARRY_REPORT_QUERIES"] == 35
            @test isapprox(report["QUARRY_REPORT_RESIDUAL_NORM"], r; rtol = 1e-8)
            @test isapprox(report["QUARRY_REPORT_OBJECTIVE"], r^2 + ridge * sum(abs2, x);
                           rtol = 1e-8)
        end
    end
    # A Julia array B of size I₁ × I₂ runs its first index fastest: the factors reversed.
    B = reshape(b, 7, 5)
    X, _ = kronecker_regression([A2, A1], vec(B))
    @test isapprox(reshape(X, 3, 2), (A1' * A1) \ (A1' * B * A2) / (A2' * A2); rtol = 1e-10)
end

@testset "kronecker_multiply matches the explicit product" begin
    rng = MersenneTwister(82)
    factors = [randn(rng, 2, 3), randn(rng, 3, 2), randn(rng, 2, 4)]
    K = kron(factors...)  # 12 × 24
    x, z = randn(rng, 24), randn(rng, 12)
    @test isapprox(kronecker_multiply(factors, x), K * x; rtol = 1e-13)
    @test isapprox(kronecker_multiply(factors, z; transpose = true), K' * z; rtol = 1e-13)
end

@testset "kronecker_regression: sampled from b and from labels agree" begin
    factors, K, b = kron_problem(83)
    exact, _ = kronecker_regression(factors, b; ridge = 1e-3)
    best = norm(K * exact - b)
    for seed in 0:2
        x, report = kronecker_regression(factors, b; method = :sampled, samples = 400, seed,
                                         ridge = 1e-3)
        @test report["QUARRY_REPORT_METHOD"] == Quarry.METHODS[:sketch_solve]
        @test report["QUARRY_REPORT_SKETCH_ROWS"] == 400
        @test 0 < report["QUARRY_REPORT_QUERIES"] <= 400
        @test norm(K * x - b) <= 1.1 * best
        asked = zeros(Int, length(b))
        batches = Ref(0)
        y, report_labels = kronecker_regression_labels(factors; samples = 400, seed,
                                                       ridge = 1e-3) do rows
            @test all(>(0), diff(rows)) && length(rows) <= 4096  # 1-based, increasing
            batches[] += 1
            asked[rows] .+= 1
            return b[rows]
        end
        @test y == x  # the same sample, the same arithmetic
        @test all(<=(1), asked)
        @test report_labels["QUARRY_REPORT_QUERIES"] == sum(asked) ==
              report["QUARRY_REPORT_QUERIES"]
        @test report_labels["QUARRY_REPORT_BATCHES"] == batches[]
        @test haskey(report_labels, "QUARRY_REPORT_ORACLE_SECONDS")
    end
end

@testset "kronecker_regression: failures reach the caller" begin
    factors, _, b = kron_problem(84)
    err = caught(() -> kronecker_regression_labels(rows -> throw(Boom("down")), factors))
    @test err isa QuarryError && err.name == "QUARRY_ERR_ORACLE"
    @test err.cause isa CapturedException && err.cause.ex isa Boom
    err = caught(() -> kronecker_regression_labels(rows -> b[rows[1:end-1]], factors))
    @test err isa QuarryError && err.cause.ex isa DimensionMismatch
    err = caught(() -> kronecker_regression_labels(rows -> fill(NaN, length(rows)), factors))
    @test err isa QuarryError && err.name == "QUARRY_ERR_ORACLE" && err.cause === nothing
    err = caught(() -> kronecker_regression_labels(rows -> throw(InterruptException()), factors))
    @test err isa InterruptException
    @test_throws DimensionMismatch kronecker_regression(factors, b[2:end])
    @test_throws ArgumentError kronecker_regression(Matrix{Float64}[], b)
    @test_throws ArgumentError kronecker_regression(factors, b; method = :direct)
    @test_throws ArgumentError kronecker_regression(factors, b; samples = 1.5)
    @test_throws DimensionMismatch kronecker_multiply(factors, b)
    bad = copy(factors[2])
    bad[7] = NaN
    err = caught(() -> kronecker_regression([factors[1], bad], b))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    @test occursin("factors[1]", err.message)
    err = caught(() -> kronecker_regression([factors[1], zeros(0, 3)], Float64[]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    # The sampled solver's iteration limit: the last iterate and its report.
    err = caught(() -> kronecker_regression(factors, b; method = :sampled, maxiter = 1,
                                            tol = 1e-15))
    @test err isa NoConvergence && occursin("QUARRY_OPT_MAX_ITERATIONS", err.message)
    @test size(err.x) == (12,) && all(isfinite, err.x)
    @test err.report["QUARRY_REPORT_ITERATIONS"] == 1
end

@testset "a context sets threads, and results do not depend on them" begin
    A, b = problem(20000, 20, 8)
    x1 = Context(threads = 1) do ctx1
        @test threads(ctx1) == 1
        lstsq(A, b; ctx = ctx1, method = :sketch_precondition)[1]
    end
    x2 = Context(threads = 2) do ctx2
        @test threads(ctx2) == 2
        @test threads!(ctx2, 3) === ctx2 && threads(ctx2) == 3
        lstsq(A, b; ctx = ctx2, method = :sketch_precondition)[1]
    end
    @test x1 == x2
    err = caught(() -> Context(threads = -1))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    ctx = Context()
    @test isopen(ctx) && threads(ctx) >= 1
    close(ctx)
    close(ctx)  # idempotent
    @test !isopen(ctx)
    @test_throws ArgumentError lstsq(A, b; ctx)
    @test_throws ArgumentError threads(ctx)
end

@testset "the constants mirror the C headers" begin
    dir = joinpath(@__DIR__, "..", "..", "..", "include", "c_api", "quarry")
    text = join(read(joinpath(dir, h), String) for h in ("status.h", "options.h", "types.h", "version.h"))
    enum = Dict(String(m[1]) => parse(Int, m[2])
                for m in eachmatch(r"\b(QUARRY_[A-Z0-9_]+) = (\d+)", text))
    for (code, name) in Quarry.STATUS_NAMES
        @test enum[name] == code
        @test getfield(Quarry, Symbol(name)) === code
    end
    @test length(Quarry.STATUS_NAMES) ==
          count(name -> name == "QUARRY_OK" || startswith(name, "QUARRY_ERR_"), keys(enum))
    for (name, code) in Quarry.METHODS
        @test enum["QUARRY_LSTSQ_" * uppercase(String(name))] == code
    end
    for (name, code) in Quarry.SKETCH_KINDS
        @test enum["QUARRY_SKETCH_" * uppercase(String(name))] == code
    end
    c_names = (seed = "SEED", tol = "TOLERANCE", maxiter = "MAX_ITERATIONS",
               sketch_kind = "SKETCH_KIND", sketch_rows = "SKETCH_ROWS",
               sketch_nnz = "SKETCH_NNZ", method = "LSTSQ_METHOD", ridge = "RIDGE",
               budget = "QUERY_BUDGET", refine = "EXTRACT_REFINE", noise = "OUTPUT_NOISE",
               lower = "DOMAIN_LOWER", upper = "DOMAIN_UPPER",
               leverage_method = "LEVERAGE_METHOD", float32 = "ORACLE_FLOAT32",
               rounding = "ORACLE_ROUNDING", oracle_noise = "ORACLE_NOISE",
               huber_scale = "HUBER_SCALE")
    @test length(c_names) == length(Quarry._OPTIONS)
    for (name, key) in pairs(Quarry._OPTIONS)
        @test enum["QUARRY_OPT_" * c_names[name]] == key
    end
    @test enum["QUARRY_ROW_MAJOR"] == Quarry._ROW_MAJOR
    @test enum["QUARRY_COL_MAJOR"] == Quarry._COL_MAJOR
    @test enum["QUARRY_TYPE_I64"] == Quarry._TYPE_I64
    @test enum["QUARRY_TYPE_F64"] == Quarry._TYPE_F64
    @test enum["QUARRY_TYPE_F64_ARRAY"] == Quarry._TYPE_F64_ARRAY
    @test enum["QUARRY_LEVERAGE_EXACT"] == Quarry._LEVERAGE_EXACT
    @test enum["QUARRY_LEVERAGE_APPROX"] == Quarry._LEVERAGE_APPROX
    rng_h = read(joinpath(dir, "rng.h"), String)
    @test match(r"#define QUARRY_RNG_PHILOX4X32_10 (\d+)", rng_h)[1] ==
          string(Quarry._RNG_PHILOX4X32_10)
    # RngState has quarry_rng_state's layout: 40 bytes, no padding.
    @test occursin(r"uint32_t generator;\s+/\*.*?\*/\s+uint32_t reserved;\s+/\*.*?\*/\s+uint64_t key\[2\];\s+/\*.*?\*/\s+uint64_t counter\[2\];", rng_h)
    @test isbitstype(RngState) && sizeof(RngState) == 40
    @test fieldnames(RngState) == (:generator, :reserved, :key, :counter)
    @test fieldtypes(RngState) == (UInt32, UInt32, NTuple{2,UInt64}, NTuple{2,UInt64})
    @test [fieldoffset(RngState, i) for i in 1:4] == [0, 4, 8, 24]
    @test match(r"#define QUARRY_ABI_VERSION (\d+)", text)[1] == string(Quarry.ABI_VERSION)
end

@testset "a network evaluates as its definition and round-trips through a file" begin
    rng = MersenneTwister(9)
    W, b, A = randn(rng, 6, 4), randn(rng, 6), randn(rng, 3, 6)
    S, c0 = randn(rng, 3, 4), randn(rng, 3)
    net = ReluNet(W, b, A, S, c0)
    @test Quarry.dims(net) == (4, 6, 3)
    @test :weights ∉ names(Quarry) && :dims ∉ names(Quarry)  # not exported
    @test sprint(show, net) == "ReluNet(d = 4, k = 6, c = 3)"
    X = randn(rng, 4, 50)  # 50 points, one per column
    want = A * max.(W * X .+ b, 0) .+ S * X .+ c0
    @test isapprox(net(X), want; rtol = 1e-14, atol = 1e-14)
    @test isapprox(net(X[:, 1]), want[:, 1]; rtol = 1e-14, atol = 1e-14)
    @test net(view(X, :, 1:2:50)) == net(X[:, 1:2:50])  # a strided view is copied first
    got = Quarry.weights(net)
    @test got.W == W && got.b == b && got.A == A && got.skip == S && got.c0 == c0
    @test Quarry.weights(ReluNet(W, b, A)).skip == zeros(3, 4)
    path = joinpath(mktempdir(), "net.json")
    save_relu_net(path, net)
    again = load_relu_net(path)
    @test again(X) == net(X)
    close(net)
    close(net)
    @test_throws ArgumentError net(X)
    @test sprint(show, net) == "ReluNet(closed)"
    err = caught(() -> load_relu_net(joinpath(mktempdir(), "missing.json")))
    @test err isa QuarryError && err.name == "QUARRY_ERR_IO"
    err = caught(() -> ReluNet(W, b .* NaN, A))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    # Every array's shape is checked against W and A before C reads it.
    for (name, args) in (("b", (W, b[1:1], A, S, c0)), ("A", (W, b, A[:, 1:2], S, c0)),
                         ("skip", (W, b, A, S[1:1, :], c0)), ("c0", (W, b, A, S, c0[1:2])))
        err = caught(() -> ReluNet(args...))
        @test err isa DimensionMismatch
        @test occursin("$name must have size", sprint(showerror, err))
    end
    @test_throws DimensionMismatch again(randn(3, 5))
end

@testset "extraction copies a network from a Julia oracle" begin
    hidden = random_net(12, 10, 2, 10)
    batches = Int[]
    kept = Matrix{Float64}[]
    function oracle(X)
        @test size(X, 1) == 12  # one query per column
        push!(batches, size(X, 2))
        push!(kept, X)  # a copy: still valid after the call
        length(batches) <= 3 && GC.gc()  # the state and the arrays in flight stay rooted
        return hidden(X)
    end
    stolen, report = extract_relu1(oracle, 12, 2; seed = 3)
    Z = randn(MersenneTwister(11), 12, 2000)
    @test maximum(abs, stolen(Z) - hidden(Z)) <= 1e-8 * maximum(abs, hidden(Z))
    @test report["QUARRY_REPORT_QUERIES"] == sum(batches)
    @test isapprox(reduce(hcat, map(hidden, kept)), reduce(hcat, map(stolen, kept));
                   rtol = 1e-8, atol = 1e-8)
    d, k, c = Quarry.dims(stolen)
    @test d == 12 && c == 2 && k <= 10
    # In a box: the queries stay inside it.
    seen = Matrix{Float64}[]
    extract_relu1(12, 2; seed = 3, lower = -2.0, upper = 2.0) do X
        push!(seen, X)
        hidden(X)
    end
    @test !isempty(seen) && all(X -> maximum(abs, X) <= 2.0, seen)
end

@testset "oracle failures and budgets reach the caller" begin
    hidden = random_net(6, 5, 1, 12)
    # One output: a vector of answers does too; refine = true re-measures every neuron.
    stolen, _ = extract_relu1(X -> vec(hidden(X)), 6, 1; seed = 1, refine = true)
    Z = randn(MersenneTwister(13), 6, 500)
    @test maximum(abs, stolen(Z) - hidden(Z)) <= 1e-6 * maximum(abs, hidden(Z))
    err = caught(() -> extract_relu1(X -> throw(Boom("the black box is down")), 6, 1))
    @test err isa QuarryError
    @test err.name == "QUARRY_ERR_ORACLE"
    @test err.cause isa CapturedException && err.cause.ex isa Boom
    @test occursin("the black box is down", sprint(showerror, err))
    err = caught(() -> extract_relu1(X -> zeros(3, size(X, 2)), 6, 1))
    @test err isa QuarryError && err.cause.ex isa DimensionMismatch
    @test occursin("one column per query", sprint(showerror, err.cause.ex))
    err = caught(() -> extract_relu1(hidden, 6, 1; budget = 50))
    @test err isa ExtractionIncomplete
    @test err.name == "QUARRY_ERR_BUDGET"
    @test Quarry.dims(err.net)[1] == 6
    @test err.report["QUARRY_REPORT_QUERIES"] <= 50
    @test_throws ArgumentError extract_relu1(hidden, 6, 1; budget = 50.0)
end

@testset "random streams are pure functions of the state and the offset" begin
    s = RngState(42)
    @test s.generator == Quarry._RNG_PHILOX4X32_10 && s.reserved == 0
    @test s.key == (UInt64(42), UInt64(0)) && s.counter == (UInt64(0), UInt64(0))
    @test RngState(42) == s && RngState(43) != s
    @test RngState(-1) == RngState(typemax(UInt64))  # as the integer option seed = -1
    @test_throws ArgumentError RngState(big(2)^64)
    @test :advance ∉ names(Quarry) && :fill_normal! in names(Quarry)
    # The same values for any thread count; a piece generated on its own is that piece of
    # the whole stream (offsets count stream elements from 0).
    a = Context(ctx -> fill_normal!(zeros(1000), s; ctx); threads = 1)
    b = Context(ctx -> fill_normal!(zeros(1000), s; ctx); threads = 4)
    @test a == b
    @test fill_normal!(zeros(10), s; offset = 990) == a[991:1000]
    @test fill_normal!(zeros(9), s; offset = 991) == a[992:1000]  # half a Box-Muller pair
    words = fill_u32!(zeros(UInt32, 40), s)
    @test Context(ctx -> fill_u32!(zeros(UInt32, 40), s; ctx); threads = 3) == words
    @test fill_u32!(zeros(UInt32, 20), s; offset = 20) == words[21:40]
    # advance(k) starts k blocks (four words each) later: element 4k of the stream.
    @test fill_u32!(zeros(UInt32, 20), Quarry.advance(s, 5)) == words[21:40]
    @test fill_u32!(zeros(UInt32, 40 - 4 * 3), Quarry.advance(s, 3)) == words[13:40]
    @test Quarry.advance(s, 5).counter == (UInt64(5), UInt64(0)) && Quarry.advance(s, 5).key == s.key
    @test Quarry.advance(s, 0) == s
    top = RngState(s.generator, s.reserved, s.key, (typemax(UInt64), UInt64(0)))
    @test Quarry.advance(top, 1).counter == (UInt64(0), UInt64(1))  # 128-bit carry
    @test_throws ArgumentError Quarry.advance(s, -1)
    # Uniform element i (from 0) is ((x >> 12) + 0.5) 2^-52, x = words 2i (low), 2i + 1.
    u = fill_uniform!(zeros(20), s)
    @test all(x -> 0 < x < 1, u)
    w = UInt64.(words)
    @test u == [(((w[2i+1] + (w[2i+2] << 32)) >> 12) + 0.5) * 2.0^-52 for i in 0:19]
    # Normal elements 2j, 2j + 1: Box-Muller on uniform elements 2j and 2j + 1.
    z = fill_normal!(zeros(20), s)
    @test z == a[1:20]
    for j in 0:9
        r = sqrt(-2 * log(u[2j+1]))
        @test isapprox(z[2j+1], r * cos(2π * u[2j+2]); atol = 1e-12)
        @test isapprox(z[2j+2], r * sin(2π * u[2j+2]); atol = 1e-12)
    end
    # Any array, in its linear order: a matrix, a strided view (through a copy).
    @test vec(fill_normal!(zeros(4, 5), s)) == a[1:20]
    v = zeros(40)
    fill_normal!(view(v, 1:2:40), s)
    @test v[1:2:40] == a[1:20] && all(iszero, v[2:2:40])
    # Refusals.
    bad = RngState(s.generator, UInt32(1), s.key, s.counter)  # reserved must be 0
    err = caught(() -> Quarry.advance(bad, 1))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> fill_uniform!(zeros(3), bad))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> fill_u32!(zeros(UInt32, 4), s; offset = -1))
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
end

@testset "sketches apply as their explicit matrix, in every form" begin
    m, n, r = 300, 7, 40
    A = row_major(1, m, n)
    At = permutedims(A)  # n × m, so A == transpose(At) == At'
    state = RngState(9)
    for kind in sort!(collect(keys(Quarry.SKETCH_KINDS)))
        S = Sketch(kind, r, m; state)
        info = Quarry.info(S)
        @test info.kind == kind && (info.rows, info.cols) == (r, m) && size(S) == (r, m)
        E = Quarry.columns(S, 1, m)  # S explicitly (j0 is 1-based)
        @test size(E) == (r, m) && Matrix(S) == E
        SA = S * A
        @test size(SA) == (r, n)
        scale = max(1.0, maximum(abs, SA))
        @test maximum(abs, SA - E * A) <= 1e-12 * scale
        # A column block.
        block = Quarry.columns(S, 11, 5)
        @test size(block) == (r, 5) && maximum(abs, block - E[:, 11:15]) <= 1e-14
        # The same state, or its seed, gives the same operator.
        @test Matrix(Sketch(kind, r, m; seed = 9)) == E
        # A transpose goes row-major, without a copy; apply_right(S, B) is B S'.
        for T in (transpose(At), At')
            @test maximum(abs, S * T - SA) <= 1e-12 * scale
        end
        R = apply_right(S, At)
        @test size(R) == (n, r) && maximum(abs, R - permutedims(SA)) <= 1e-12 * scale
        @test maximum(abs, apply_right(S, transpose(A)) - permutedims(SA)) <= 1e-12 * scale
        @test maximum(abs, apply_left(S, A[:, 3]) - SA[:, 3]) <= 1e-12 * scale  # a vector
        if kind != :gaussian  # bitwise for every layout (GEMM's last bits differ)
            @test S * transpose(At) == SA && R == permutedims(SA)
            @test S * A[:, 3] == SA[:, 3]
        end
        close(S)
        close(S)
        @test !isopen(S) && sprint(show, S) == "Sketch(closed)"
        @test_throws ArgumentError S * A
    end
    S = Sketch(:sparse_sign, r, m; state, nnz = 4)
    @test Quarry.info(S).nnz == 4 && Quarry.info(Sketch(:countsketch, r, m)).nnz == 1
    @test sprint(show, S) == "Sketch(:sparse_sign, 40 × 300, nnz = 4)"
    @test :columns ∉ names(Quarry) && :info ∉ names(Quarry)
    # Sparse A goes as CSR: every entry stored, bitwise the dense result.
    full = sparse(A)
    @test nnz(full) == m * n
    @test S * full == S * A
    @test S * SparseMatrixCSC{Float64,Int32}(full) == S * A
    @test apply_right(S, sparse(At)) == apply_right(S, At)
    # A really sparse one, against the dense product.
    B = sprandn(MersenneTwister(5), m, 20, 0.05)
    SB = S * B
    @test size(SB) == (r, 20)
    @test maximum(abs, SB - S * Matrix(B)) <= 1e-14 * max(1.0, maximum(abs, SB))
    @test maximum(abs, SB - Matrix(S) * Matrix(B)) <= 1e-12 * max(1.0, maximum(abs, SB))
    @test maximum(abs, apply_right(S, permutedims(B)) - permutedims(SB)) <= 1e-14 * max(1.0, maximum(abs, SB))
    # Results and operators do not depend on the thread count.
    one_thread = Context(threads = 1) do ctx
        (apply_left(S, A; ctx), Matrix(Sketch(:srht, r, m; state, ctx)))
    end
    three = Context(threads = 3) do ctx
        (apply_left(S, A; ctx), Matrix(Sketch(:srht, r, m; state, ctx)))
    end
    @test one_thread == three
    # Refusals.
    err = caught(() -> Sketch(:uniform_rows, m + 1, m; state))
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    @test_throws ArgumentError Sketch(:hadamard, r, m)
    @test_throws ArgumentError Sketch(:gaussian, r, m; seed = 1, state)
    @test_throws DimensionMismatch S * A[1:10, :]
    @test_throws DimensionMismatch S * sparse(A[1:10, :])
    @test_throws DimensionMismatch apply_right(S, A)
    for (j0, w) in ((m, 2), (0, 1))  # leaves 1:m
        err = caught(() -> Quarry.columns(S, j0, w))
        @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    end
    bad = copy(A)
    bad[5, 2] = NaN
    err = caught(() -> S * bad)
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
end

@testset "leverage scores and row norms match their definitions" begin
    # A coherent matrix [I; 1e-3 noise]: the first n rows carry the subspace.
    m, n = 2000, 10
    A = [Matrix{Float64}(I, n, n); 1e-3 * row_major(3, m, n)[n+1:end, :]]
    exact = leverage_scores(A)
    @test length(exact) == m
    @test abs(sum(exact) - n) < 1e-10
    @test all(>(0.99), exact[1:n]) && all(<(1e-3), exact[n+1:end])
    Q = qr(A).Q * Matrix{Float64}(I, m, n)  # an orthonormal basis of the column space
    @test maximum(abs, exact - vec(sum(abs2, Q; dims = 2))) <= 1e-12
    approx = leverage_scores(A; approx = true, seed = 5)
    within = count(i -> approx[i] <= 2 * exact[i] && exact[i] <= 2 * approx[i], 1:m)
    @test within >= 0.99 * m
    @test leverage_scores(A; approx = true, seed = 5, sketch_kind = :sparse_sign) == approx
    ridge = leverage_scores(A; ridge = 1.0)
    @test all(ridge .<= exact .+ 1e-12)
    @test maximum(abs, ridge - vec(sum(A .* (A / (A' * A + I)); dims = 2))) <= 1e-10
    # A transpose goes row-major.
    @test maximum(abs, leverage_scores(transpose(permutedims(A))) - exact) <= 1e-12
    norms = row_norms_squared(A)
    want = vec(sum(abs2, A; dims = 2))
    @test all(abs.(norms - want) .<= 1e-14 .* max.(want, 1e-300))
    @test row_norms_squared(transpose(permutedims(A))) == norms  # bitwise in either layout
    # Refusals.
    err = caught(() -> leverage_scores(A; approx = true, sketch_rows = 0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test_throws ArgumentError leverage_scores(A; sketch_kind = :hadamard)
    @test_throws ArgumentError leverage_scores(A; approx = true, seed = 1.5)
    @test_throws ArgumentError leverage_scores(sparse(A))
    @test_throws ArgumentError row_norms_squared(sparse(A))
    bad = copy(A)
    bad[3, 4] = NaN
    for f in (leverage_scores, row_norms_squared)
        err = caught(() -> f(bad))
        @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    end
end

@testset "Lewis weights meet their definition, and are leverage scores at p = 2" begin
    m, n = 2000, 6
    A = uneven_matrix(39, m, n)
    for p in (0.5, 1.0, 1.5, 3.0, 4.0)
        w, report = lewis_weights(A, p)
        @test length(w) == m && abs(sum(w) - n) <= 1e-8
        @test report["QUARRY_REPORT_RANK"] == n && report["QUARRY_REPORT_ITERATIONS"] >= 1
        @test report["QUARRY_REPORT_RESIDUAL_NORM"] <= 1e-10
        # The definition, with Julia's QR: w holds the leverage scores of W^(1/2 - 1/p) A.
        @test isapprox(w, leverage_reference(w .^ (1 / 2 - 1 / p) .* A); rtol = 1e-8)
        @test isapprox(lewis_weights(transpose(permutedims(A)), p)[1], w; rtol = 1e-12)
    end
    two, report = lewis_weights(A, 2)
    @test maximum(abs, two - leverage_scores(A)) <= 1e-15
    @test report["QUARRY_REPORT_ITERATIONS"] == 1
    # Sketched leverage scores: within a factor 2 of the exact weights on nearly every row.
    exact, _ = lewis_weights(A, 1)
    approx, _ = lewis_weights(A, 1; approx = true, seed = 3)
    @test count(i -> approx[i] <= 2 * exact[i] && exact[i] <= 2 * approx[i], 1:m) >= 0.99 * m
    # Refusals, and the round limit.
    for p in (0.0, -1.0, NaN, Inf)
        err = caught(() -> lewis_weights(A, p))
        @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    end
    err = caught(() -> lewis_weights(A, 1; approx = true, sketch_rows = 0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test_throws ArgumentError lewis_weights(A, 1; sketch_kind = :hadamard)
    @test_throws ArgumentError lewis_weights(A, 1; maxiter = 1.5)
    @test_throws ArgumentError lewis_weights(sparse(A), 1)
    bad = copy(A)
    bad[3, 4] = NaN
    err = caught(() -> lewis_weights(bad, 1))
    @test err isa QuarryError && err.name == "QUARRY_ERR_NONFINITE"
    err = caught(() -> lewis_weights(A, 1; maxiter = 2))
    @test err isa NoConvergence && occursin("QUARRY_OPT_MAX_ITERATIONS", err.message)
    @test size(err.x) == (m,) && err.report["QUARRY_REPORT_ITERATIONS"] == 2
    @test err.report["QUARRY_REPORT_RESIDUAL_NORM"] > 1e-10
end

@testset "weighted sampling, with and without replacement" begin
    state = RngState(11)
    w = [0.0, 1.0, 3.0, 0.0, 4.0]
    total = sum(w)
    idx, scales = sample_weighted(w, 100; state)
    @test length(idx) == 100 && length(scales) == 100
    @test issorted(idx) && all(i -> 1 <= i <= 5 && w[i] > 0, idx)  # 1-based
    @test all(t -> abs(scales[t] - 1 / sqrt(100 * w[idx[t]] / total)) < 1e-12, 1:100)
    # Draw t is the first index whose running sum exceeds u_t sum(w), u_t the uniform
    # element t of the stream; the indices are returned in increasing order.
    u = fill_uniform!(zeros(100), state)
    @test idx == sort!([findfirst(>(u[t] * total), cumsum(w)) for t in 1:100])
    # Reproducible, for any thread count; seed = 11 is the state RngState(11).
    @test sample_weighted(w, 100; seed = 11) == (idx, scales)
    @test Context(ctx -> sample_weighted(w, 100; state, ctx); threads = 3) == (idx, scales)
    @test sample_weighted(w, 0; state) == (Int64[], Float64[])
    # Without replacement: distinct rows, factor 1 / sqrt(π_i), π_i = min(1, c w_i).
    idx3, scales3 = sample_weighted(w, 3; replace = false, state)
    @test idx3 == [2, 3, 5]  # every positive weight, once
    @test scales3 ≈ ones(3)
    ws = fill_uniform!(zeros(1000), RngState(12))
    ws[1:5] .= 100.0  # heavy rows: π = 1
    idx, scales = sample_weighted(ws, 50; replace = false, seed = 13)
    @test length(idx) == 50 && allunique(idx) && issorted(idx)
    @test all(in(idx), 1:5) && all(t -> abs(scales[t] - 1) < 1e-12, findall(<=(5), idx))
    light = findall(>(5), idx)
    cs = [1 / (scales[t]^2 * ws[idx[t]]) for t in light]  # each c = π_i / w_i
    @test maximum(cs) - minimum(cs) <= 1e-10 * maximum(cs)
    @test isapprox(sum(min.(1, cs[1] .* ws)), 50; rtol = 1e-10)
    # Refusals.
    err = caught(() -> sample_weighted(w, 4; replace = false, state))  # 3 positive weights
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    err = caught(() -> sample_weighted([1.0, -1.0], 1; state))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> sample_weighted(zeros(3), 1; state))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> sample_weighted(Float64[], 1; state))
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    @test_throws ArgumentError sample_weighted(w, -1; state)
    @test_throws ArgumentError sample_weighted(w, 1; seed = 1, state)
end

@testset "a sampling tree follows its weights" begin
    w = [0.0, 1.0, 3.0, 0.0, 4.0]
    tree = SampleTree(w)
    @test length(tree) == 5 && Quarry.total(tree) == 8.0
    @test collect(tree) == w && tree[3] == 3.0 && tree[end] == 4.0
    @test sprint(show, tree) == "SampleTree(5 weights, total = 8.0)"
    @test Quarry.update!(tree, [1, 5], [2.0, 0.0]) === tree  # 1-based indices
    @test tree[1] == 2.0 && tree[5] == 0.0 && Quarry.total(tree) == 6.0
    tree[4] = 0.5
    @test tree[4] == 0.5 && Quarry.total(tree) == 6.5
    Quarry.update!(tree, 4, 0.0)
    @test collect(tree) == [2.0, 1.0, 3.0, 0.0, 0.0]
    @test :sample ∉ names(Quarry) && :update! ∉ names(Quarry) && :total ∉ names(Quarry)
    # Draws: 1-based indices with their probabilities w_i / total.
    idx, probs = Quarry.sample(tree, 1000; seed = 11)
    t = Quarry.total(tree)
    @test length(idx) == 1000 && all(in((1, 2, 3)), idx)
    @test all(k -> abs(probs[k] - tree[idx[k]] / t) < 1e-15, 1:1000)
    @test all(abs.([count(==(i), idx) / 1000 for i in 1:3] - [2, 1, 3] / 6) .< 0.06)
    @test Quarry.sample(tree, 1000; state = RngState(11)) == (idx, probs)
    # Every index is checked first (nothing set); a bad weight stops at that entry.
    @test_throws BoundsError tree[6]
    @test_throws BoundsError tree[0]
    @test_throws BoundsError Quarry.update!(tree, 6, 1.0)
    @test_throws BoundsError Quarry.update!(tree, [1, 6], [7.0, 1.0])
    @test tree[1] == 2.0
    @test_throws DimensionMismatch Quarry.update!(tree, [1, 2], [1.0])
    err = caught(() -> Quarry.update!(tree, [1, 2], [7.0, NaN]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    @test tree[1] == 7.0 && tree[2] == 1.0
    err = caught(() -> (tree[3] = -1.0))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    # A tree of zeros has nothing to draw.
    zero_tree = SampleTree(3)
    @test collect(zero_tree) == zeros(3) && Quarry.total(zero_tree) == 0
    err = caught(() -> Quarry.sample(zero_tree, 1))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    err = caught(() -> SampleTree(Float64[]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_BAD_DIMENSION"
    err = caught(() -> SampleTree([1.0, -1.0]))
    @test err isa QuarryError && err.name == "QUARRY_ERR_INVALID_ARGUMENT"
    close(tree)
    close(tree)
    @test !isopen(tree) && sprint(show, tree) == "SampleTree(closed)"
    @test_throws ArgumentError tree[1]
end

@testset "a simulated black box answers, counts, and can be copied in C" begin
    d, k, c = 8, 6, 2
    net = ReluNet(row_major(20, k, d), normals(21, k), row_major(22, c, k))
    X = normals(23, d, 50)  # 50 queries, one per column
    want = net(X)
    oracle = NetOracle(net)
    @test oracle(X) == want && queries(oracle) == 50
    @test isapprox(oracle(X[:, 1]), want[:, 1]; rtol = 1e-14, atol = 1e-14)  # one query
    @test queries(oracle) == 51
    @test sprint(show, oracle) == "NetOracle(d = 8, c = 2, queries = 51)"
    @test_throws DimensionMismatch oracle(randn(3, 5))
    @test queries(oracle) == 51
    # Float32 arithmetic differs, a little.
    err32 = maximum(abs, NetOracle(net; float32 = true)(X) - want)
    @test 0 < err32 <= 1e-5
    # Noise: output j of query q (from 0) gets element q c + j of the normal stream.
    noisy = NetOracle(net; noise = 0.1, seed = 4)
    Y = noisy(X)
    @test isapprox(Y, want + 0.1 * normals(4, c, 50); atol = 1e-12)
    @test NetOracle(net; noise = 0.1, seed = 4)(X) == Y
    rounded = NetOracle(net; rounding = 0.25)(X)
    @test all(y -> y / 0.25 == round(y / 0.25), rounded)
    @test maximum(abs, rounded - want) <= 0.125 + 1e-12
    @test caught(() -> NetOracle(net; noise = -1.0)) isa QuarryError
    # Extraction with quarry_net_oracle_eval as the oracle: no Julia callback.
    stolen, report = extract_relu1(oracle; seed = 2)
    @test report["QUARRY_REPORT_QUERIES"] + 51 == queries(oracle)
    @test maximum(abs, stolen(X) - want) <= 1e-8 * maximum(abs, want)
    Z = randn(MersenneTwister(24), d, 2000)
    @test maximum(abs, stolen(Z) - net(Z)) <= 1e-8 * maximum(abs, net(Z))
    # The same answers through a Julia callback give the same copy.
    again, report2 = extract_relu1(X -> oracle(X), d, c; seed = 2)
    @test report2["QUARRY_REPORT_QUERIES"] == report["QUARRY_REPORT_QUERIES"]
    @test Quarry.weights(again) == Quarry.weights(stolen)
    before = queries(oracle)
    err = caught(() -> extract_relu1(oracle; budget = 30))
    @test err isa ExtractionIncomplete && err.name == "QUARRY_ERR_BUDGET"
    @test err.report["QUARRY_REPORT_QUERIES"] <= 30
    @test queries(oracle) - before == err.report["QUARRY_REPORT_QUERIES"]
    # Sizes other than the network's: the black box refuses every batch.
    err = caught(() -> extract_relu1(oracle, d - 1, c))
    @test err isa QuarryError && err.name == "QUARRY_ERR_ORACLE" && err.cause === nothing
    close(oracle)
    close(oracle)
    @test !isopen(oracle) && sprint(show, oracle) == "NetOracle(closed)"
    @test_throws ArgumentError oracle(X)
    @test_throws ArgumentError extract_relu1(oracle)
end

end
