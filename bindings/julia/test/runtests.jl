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
               lower = "DOMAIN_LOWER", upper = "DOMAIN_UPPER")
    for (name, key) in pairs(Quarry._OPTIONS)
        @test enum["QUARRY_OPT_" * c_names[name]] == key
    end
    @test enum["QUARRY_ROW_MAJOR"] == Quarry._ROW_MAJOR
    @test enum["QUARRY_COL_MAJOR"] == Quarry._COL_MAJOR
    @test enum["QUARRY_TYPE_I64"] == Quarry._TYPE_I64
    @test enum["QUARRY_TYPE_F64"] == Quarry._TYPE_F64
    @test enum["QUARRY_TYPE_F64_ARRAY"] == Quarry._TYPE_F64_ARRAY
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

end
