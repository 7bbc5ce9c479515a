"""
    Quarry

quarry for Julia: least squares, ridge regression, dynamic least squares (rows inserted
over time), Huber (robust), l_p, active l_p and Kronecker regression, one-hidden-layer
ReLU network extraction, reproducible random streams, sketching operators, leverage
scores, Lewis weights and weighted sampling through libquarry's stable C ABI.

The library is `ENV["QUARRY_LIBRARY"]` (a path to `libquarry.so.0`) when that is set, else
`libquarry.so.0` as the dynamic loader finds it. It is opened when the module is loaded,
and a library whose `quarry_abi_version()` differs from [`Quarry.ABI_VERSION`](@ref) is
refused.

Julia's conventions, not C's: dense matrices are column-major, indices are 1-based, and
the points a network maps are columns (features × samples), so `net(X)` takes a `d × n`
matrix to a `c × n` one, and the oracle of [`extract_relu1`](@ref) answers a `d × n`
batch with `c × n` outputs. A sketch `S` compresses rows, `S * A`, as in linear algebra.

```julia
using Quarry
A = randn(10_000, 50); b = A * ones(50)
x, report = lstsq(A, b)           # x ≈ ones(50); report["QUARRY_REPORT_METHOD"], ...
```
"""
module Quarry

import Libdl
using LinearAlgebra: Adjoint, Transpose, transpose
using SparseArrays: AbstractSparseMatrixCSC, getcolptr, nonzeros, rowvals

export AbstractQuarryError, QuarryError, NoConvergence, ExtractionIncomplete
export Context, threads, threads!
export lstsq, ridge_path, DynamicLstsq, huber, lp_regression, active_regression
export kronecker_regression, kronecker_regression_labels, kronecker_multiply
export ReluNet, save_relu_net, load_relu_net, extract_relu1
export RngState, fill_u32!, fill_uniform!, fill_normal!
export Sketch, apply_left, apply_right
export leverage_scores, lewis_weights, row_norms_squared, sample_weighted, SampleTree
export NetOracle, queries

# ---------------------------------------------------------------------------------------
# Constants mirrored from the headers (test/runtests.jl checks them against the headers).

"""
    Quarry.ABI_VERSION

The ABI generation this binding was written for (`QUARRY_ABI_VERSION` in
`quarry/version.h`). Loading a library that reports another one fails.
"""
const ABI_VERSION = 0

"""
    Quarry.STATUS_NAMES

The C name of every `quarry_status` code this binding knows (`quarry/status.h`), by code.
Each name is also an `Int32` constant of the module: `Quarry.QUARRY_ERR_ORACLE == 301`.
Codes of a newer library are named `"status N"`.
"""
const STATUS_NAMES = Dict{Int32,String}(
    0 => "QUARRY_OK", 1 => "QUARRY_ERR_INVALID_ARGUMENT", 2 => "QUARRY_ERR_NULL_POINTER",
    3 => "QUARRY_ERR_BAD_DIMENSION", 4 => "QUARRY_ERR_BAD_LEADING_DIM",
    5 => "QUARRY_ERR_BAD_LAYOUT", 6 => "QUARRY_ERR_UNSUPPORTED", 7 => "QUARRY_ERR_NONFINITE",
    100 => "QUARRY_ERR_OUT_OF_MEMORY", 101 => "QUARRY_ERR_SIZE_OVERFLOW",
    200 => "QUARRY_ERR_NO_CONVERGENCE", 300 => "QUARRY_ERR_CALLBACK_ABORTED",
    301 => "QUARRY_ERR_ORACLE", 302 => "QUARRY_ERR_BUDGET", 400 => "QUARRY_ERR_IO",
    401 => "QUARRY_ERR_FORMAT", 900 => "QUARRY_ERR_INTERNAL")

for (code, name) in STATUS_NAMES
    @eval const $(Symbol(name)) = Int32($code)
end

"""
    Quarry.METHODS

The least-squares methods (`QUARRY_LSTSQ_*` in `quarry/options.h`), keyed by the `Symbol`
that [`lstsq`](@ref) and [`ridge_path`](@ref) take as `method`.
"""
const METHODS = Dict{Symbol,Int32}(
    :auto => 0, :direct => 1, :sketch_solve => 2, :sketch_precondition => 3,
    :gram_precondition => 4)

"""
    Quarry.SKETCH_KINDS

The sketching operators (`QUARRY_SKETCH_*` in `quarry/options.h`), keyed by the `Symbol`
that [`lstsq`](@ref) and [`ridge_path`](@ref) take as `sketch_kind`.
"""
const SKETCH_KINDS = Dict{Symbol,Int32}(
    :gaussian => 1, :srht => 2, :countsketch => 3, :sparse_sign => 4, :uniform_rows => 5)

const _ROW_MAJOR = Int32(101)  # QUARRY_ROW_MAJOR (quarry/types.h)
const _COL_MAJOR = Int32(102)  # QUARRY_COL_MAJOR
const _TYPE_I64 = Int32(1)     # QUARRY_TYPE_I64
const _TYPE_F64 = Int32(2)     # QUARRY_TYPE_F64
const _TYPE_F64_ARRAY = Int32(3)  # QUARRY_TYPE_F64_ARRAY
const _LEVERAGE_EXACT = Int32(0)   # QUARRY_LEVERAGE_EXACT (quarry/options.h)
const _LEVERAGE_APPROX = Int32(1)  # QUARRY_LEVERAGE_APPROX
const _RNG_PHILOX4X32_10 = UInt32(1)  # QUARRY_RNG_PHILOX4X32_10 (quarry/rng.h)

# Keyword argument => option key (QUARRY_OPT_* in quarry/options.h).
# Names are unique: the simulated black box's noise is `oracle_noise`, the extraction's
# estimate of its oracle's noise is `noise`.
const _OPTIONS = (seed = 1, tol = 2, maxiter = 3, sketch_kind = 100, sketch_rows = 101,
                  sketch_nnz = 102, leverage_method = 103, method = 200, ridge = 201,
                  budget = 300, refine = 301, noise = 302, float32 = 303, rounding = 304,
                  oracle_noise = 305, lower = 306, upper = 307, huber_scale = 400)

# ---------------------------------------------------------------------------------------
# The library.
#
# How it is found. `ccall((:name, lib), ...)` needs `lib` to be a constant when the calling
# method is compiled, and a package's constants are fixed when it is precompiled: a
# `const` path would freeze whatever QUARRY_LIBRARY said at precompile time, and
# `__precompile__(false)` would also stop every package that loads this one from being
# precompiled. So `__init__` opens the library named at load time with `Libdl.dlopen` and
# stores the address of each function this file calls; each call is then
# `@ccall $(_fn(:name))(...)`, a call through a function pointer (documented for
# `@ccall`). The table is filled once, before any call, and only read afterwards, so calls
# from several threads at once are safe.

const _C_FUNCTIONS = (
    :quarry_abi_version, :quarry_version_string, :quarry_status_string,
    :quarry_context_create, :quarry_context_destroy, :quarry_context_set_threads,
    :quarry_context_get_threads, :quarry_context_last_error,
    :quarry_options_create, :quarry_options_destroy, :quarry_option_type,
    :quarry_options_set_i64, :quarry_options_set_f64, :quarry_options_set_f64_array,
    :quarry_report_destroy, :quarry_report_count, :quarry_report_key_at,
    :quarry_report_key_name, :quarry_report_key_type, :quarry_report_get_i64,
    :quarry_report_get_f64,
    :quarry_lstsq_f64, :quarry_lstsq_csr_f64, :quarry_ridge_path_f64,
    :quarry_dynamic_lstsq_create, :quarry_dynamic_lstsq_destroy,
    :quarry_dynamic_lstsq_insert_f64, :quarry_dynamic_lstsq_solve_f64,
    :quarry_dynamic_lstsq_residual_f64, :quarry_huber_f64,
    :quarry_lp_regression_f64, :quarry_active_regression_f64,
    :quarry_kronecker_regression_f64, :quarry_kronecker_regression_labels_f64,
    :quarry_kronecker_multiply_f64,
    :quarry_relu_net_create_f64, :quarry_relu_net_destroy, :quarry_relu_net_dims,
    :quarry_relu_net_get_f64, :quarry_relu_net_eval_f64, :quarry_relu_net_save,
    :quarry_relu_net_load, :quarry_extract_relu1,
    :quarry_rng_state_from_seed, :quarry_rng_state_advance, :quarry_rng_fill_u32,
    :quarry_rng_fill_uniform_f64, :quarry_rng_fill_normal_f64,
    :quarry_sketch_create, :quarry_sketch_destroy, :quarry_sketch_info,
    :quarry_sketch_apply_f64, :quarry_sketch_apply_right_f64, :quarry_sketch_apply_csr_f64,
    :quarry_sketch_apply_right_csr_f64, :quarry_sketch_columns_f64,
    :quarry_leverage_scores_f64, :quarry_lewis_weights_f64, :quarry_row_norms_squared_f64,
    :quarry_sample_weighted,
    :quarry_sample_tree_create, :quarry_sample_tree_destroy, :quarry_sample_tree_update,
    :quarry_sample_tree_get, :quarry_sample_tree_sample,
    :quarry_net_oracle_create, :quarry_net_oracle_destroy, :quarry_net_oracle_eval,
    :quarry_net_oracle_queries)

const _FUNCTIONS = Dict{Symbol,Ptr{Cvoid}}()

_fn(name::Symbol) = _FUNCTIONS[name]

function __init__()
    path = get(ENV, "QUARRY_LIBRARY", "")
    isempty(path) && (path = "libquarry.so.0")
    handle = Libdl.dlopen(path; throw_error = false)
    handle === nothing && error(
        "Quarry: cannot load $path; set QUARRY_LIBRARY to the path of libquarry.so.0, ",
        "or install libquarry where the dynamic loader finds it")
    abi_version = Libdl.dlsym(handle, :quarry_abi_version; throw_error = false)
    abi_version === nothing && error("Quarry: $path is not libquarry (no quarry_abi_version)")
    abi = @ccall $abi_version()::Int32
    abi == ABI_VERSION || error(
        "Quarry: $path has ABI version $abi, this binding needs $ABI_VERSION; ",
        "install a matching libquarry")
    for name in _C_FUNCTIONS
        fptr = Libdl.dlsym(handle, name; throw_error = false)
        fptr === nothing && error("Quarry: $path has no function $name")
        _FUNCTIONS[name] = fptr
    end
    return nothing
end

"""
    Quarry.version() -> String

The version of the loaded library, e.g. `"0.1.0"`.
"""
version() = unsafe_string(@ccall $(_fn(:quarry_version_string))()::Cstring)

# ---------------------------------------------------------------------------------------
# Errors.

"""
    AbstractQuarryError <: Exception

Supertype of the errors quarry calls throw: [`QuarryError`](@ref), [`NoConvergence`](@ref)
and [`ExtractionIncomplete`](@ref). Each has the fields `status` (the C `quarry_status`,
an `Int32`), `name` (its C name, e.g. `"QUARRY_ERR_NONFINITE"`) and `message` (the
library's message, naming the argument and the value; its indices are C's, 0-based).
"""
abstract type AbstractQuarryError <: Exception end

"""
    QuarryError(status, message; cause = nothing)

A quarry call failed with `status`, a `quarry_status` code (`err.status`, `err.name`,
`err.message`; see [`AbstractQuarryError`](@ref)). When an oracle of
[`extract_relu1`](@ref) or the label oracle of [`active_regression`](@ref) or
[`kronecker_regression_labels`](@ref) threw, the error is `QUARRY_ERR_ORACLE` and
`err.cause` is a `CapturedException` holding what the oracle threw (`err.cause.ex`) and
its backtrace; otherwise `err.cause` is `nothing`.
"""
struct QuarryError <: AbstractQuarryError
    status::Int32
    name::String
    message::String
    cause::Union{Nothing,CapturedException}
end

_status_name(status::Integer) = get(STATUS_NAMES, Int32(status), "status $status")

QuarryError(status::Integer, message::AbstractString;
            cause::Union{Nothing,CapturedException} = nothing) =
    QuarryError(Int32(status), _status_name(status), String(message), cause)

"""
    NoConvergence <: AbstractQuarryError

[`lstsq`](@ref), [`ridge_path`](@ref), [`huber`](@ref), [`lp_regression`](@ref),
[`active_regression`](@ref), [`kronecker_regression`](@ref) (sampled),
[`kronecker_regression_labels`](@ref) or [`lewis_weights`](@ref) reached its iteration
limit (`QUARRY_ERR_NO_CONVERGENCE`): `err.x` is the last iterate (shaped as the solution would
have been; of `lewis_weights`, the last round's weights) and `err.report` its report.
"""
struct NoConvergence <: AbstractQuarryError
    status::Int32
    name::String
    message::String
    x::Array{Float64}
    report::Dict{String,Any}
end

NoConvergence(message::AbstractString, x::Array{Float64}, report::Dict{String,Any}) =
    NoConvergence(QUARRY_ERR_NO_CONVERGENCE, "QUARRY_ERR_NO_CONVERGENCE", String(message), x,
                  report)

function Base.showerror(io::IO, err::AbstractQuarryError)
    description = unsafe_string(@ccall $(_fn(:quarry_status_string))(err.status::Int32)::Cstring)
    print(io, nameof(typeof(err)), ": ", err.name, " (", description, "): ", err.message)
    if err isa QuarryError && err.cause !== nothing
        print(io, "\ncaused by: ")
        showerror(io, err.cause)
    end
end

_message(::Nothing) = "(no message)"

function _message(ctx)  # ctx::Context, defined below
    text = unsafe_string(@ccall $(_fn(:quarry_context_last_error))(ctx::Ptr{Cvoid})::Cstring)
    return isempty(text) ? "(no message)" : text
end

# Throws a QuarryError, with the message of `ctx` when the call took one, unless OK.
function _check(status::Integer, ctx = nothing)
    status == QUARRY_OK || throw(QuarryError(status, _message(ctx)))
    return nothing
end

# ---------------------------------------------------------------------------------------
# Owned handles.
#
# A C object owned by a Julia object: freed by `close`, or at the latest by the finalizer.
# quarry's objects do not depend on each other (a network outlives the context it was made
# with) and its destroy functions may run on any thread, so finalizers may run in any
# order. Passing the Julia object where `@ccall` expects `Ptr{Cvoid}` goes through
# `unsafe_convert` below, and `@ccall` keeps the object alive until the call returns, so
# the finalizer cannot free the C object during a call.

abstract type _Handle end

function Base.unsafe_convert(::Type{Ptr{Cvoid}}, handle::_Handle)
    handle.ptr == C_NULL && throw(ArgumentError("quarry: this $(nameof(typeof(handle))) is closed"))
    return handle.ptr
end

Base.isopen(handle::_Handle) = handle.ptr != C_NULL

function Base.close(handle::_Handle)
    if handle.ptr != C_NULL
        _destroy(handle)
        handle.ptr = C_NULL
    end
    return nothing
end

"""
    Context(; threads = 0)
    Context(f; threads = 0)

A quarry context: the number of threads quarry's own kernels use (`threads = 0`: the
environment variable `QUARRY_NUM_THREADS`, else all hardware threads) and the message of
the last failed call. Every function takes one as the keyword `ctx`; without it each call
makes its own.

A context is used by one task at a time; distinct contexts may be used at once from
several threads. Free it with `close(ctx)` (idempotent; the garbage collector frees it
otherwise), or use the do-block form, which closes it on exit:

```julia
Context(threads = 4) do ctx
    x, report = lstsq(A, b; ctx)
end
```
"""
mutable struct Context <: _Handle
    ptr::Ptr{Cvoid}
    Context(ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

_destroy(ctx::Context) = @ccall $(_fn(:quarry_context_destroy))(ctx.ptr::Ptr{Cvoid})::Cvoid

function Context(; threads::Integer = 0)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _check(@ccall $(_fn(:quarry_context_create))(out::Ref{Ptr{Cvoid}})::Int32)
    ctx = Context(out[])
    if threads != 0
        try
            threads!(ctx, threads)
        catch
            close(ctx)
            rethrow()
        end
    end
    return ctx
end

function Context(f::Function; threads::Integer = 0)
    ctx = Context(; threads)
    try
        return f(ctx)
    finally
        close(ctx)
    end
end

"""
    threads(ctx::Context) -> Int

How many threads quarry's own kernels use with `ctx` (never 0: the default is resolved).
Results never depend on it: a random object is a function of its seed and sizes only.
"""
function threads(ctx::Context)
    n = Ref{Int64}(0)
    status = @ccall $(_fn(:quarry_context_get_threads))(ctx::Ptr{Cvoid}, n::Ref{Int64})::Int32
    _check(status, ctx)
    return Int(n[])
end

"""
    threads!(ctx::Context, n::Integer) -> ctx

Let quarry's own kernels use `n` threads (1 to 1024) with `ctx`; 0 restores the default
(`QUARRY_NUM_THREADS`, else all hardware threads). Throws a [`QuarryError`](@ref)
(`QUARRY_ERR_INVALID_ARGUMENT`) for other values.
"""
function threads!(ctx::Context, n::Integer)
    status = @ccall $(_fn(:quarry_context_set_threads))(ctx::Ptr{Cvoid}, n::Int64)::Int32
    _check(status, ctx)
    return ctx
end

# Runs f(ctx) with the caller's context, or with a fresh one closed afterwards.
_with_context(f, ctx::Context) = f(ctx)
_with_context(f, ::Nothing) = Context(f)

# ---------------------------------------------------------------------------------------
# Options and reports.

# Runs f(opts) with a quarry_options handle that holds every setting that is not
# `nothing` (keyword name => value, names from _OPTIONS), and destroys it afterwards.
function _with_options(f, settings::NamedTuple)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _check(@ccall $(_fn(:quarry_options_create))(out::Ref{Ptr{Cvoid}})::Int32)
    opts = out[]
    try
        for (name, value) in pairs(settings)
            value === nothing || _set_option(opts, name, value)
        end
        return f(opts)
    finally
        @ccall $(_fn(:quarry_options_destroy))(opts::Ptr{Cvoid})::Cvoid
    end
end

# Sets an option by the type the library gives its key: an integer key takes only an
# Integer (never a float rounded silently) that fits in 64 bits.
function _set_option(opts::Ptr{Cvoid}, name::Symbol, value)
    key = Int32(getfield(_OPTIONS, name))
    kind = @ccall $(_fn(:quarry_option_type))(key::Int32)::Int32
    if kind == _TYPE_F64_ARRAY
        array = value isa AbstractArray ? Vector{Float64}(vec(value)) : [Float64(value)]
        status = @ccall $(_fn(:quarry_options_set_f64_array))(
            opts::Ptr{Cvoid}, key::Int32, length(array)::Int64, array::Ptr{Float64})::Int32
    elseif kind == _TYPE_F64
        value isa Real || throw(ArgumentError("quarry: $name must be a real number, got $(repr(value))"))
        status = @ccall $(_fn(:quarry_options_set_f64))(
            opts::Ptr{Cvoid}, key::Int32, Float64(value)::Float64)::Int32
    else
        value isa Integer || throw(ArgumentError("quarry: $name must be an integer, got $(repr(value))"))
        typemin(Int64) <= value <= typemax(Int64) ||
            throw(ArgumentError("quarry: $name = $value does not fit in 64 bits"))
        status = @ccall $(_fn(:quarry_options_set_i64))(
            opts::Ptr{Cvoid}, key::Int32, Int64(value)::Int64)::Int32
    end
    status == QUARRY_OK || throw(QuarryError(status, "option $name = $(repr(value)) is refused"))
    return nothing
end

# The report as a Dict keyed by the C names (QUARRY_REPORT_*); destroys it. Keys of a
# newer library than this binding knows are skipped.
function _report(report::Ptr{Cvoid})
    out = Dict{String,Any}()
    report == C_NULL && return out
    try
        count = Ref{Int64}(0)
        _check(@ccall $(_fn(:quarry_report_count))(report::Ptr{Cvoid}, count::Ref{Int64})::Int32)
        for index in 0:count[]-1
            key = Ref{Int32}(0)
            _check(@ccall $(_fn(:quarry_report_key_at))(
                report::Ptr{Cvoid}, index::Int64, key::Ref{Int32})::Int32)
            kind = @ccall $(_fn(:quarry_report_key_type))(key[]::Int32)::Int32
            if kind == _TYPE_I64
                value = Ref{Int64}(0)
                status = @ccall $(_fn(:quarry_report_get_i64))(
                    report::Ptr{Cvoid}, key[]::Int32, value::Ref{Int64})::Int32
            elseif kind == _TYPE_F64
                value = Ref{Float64}(0.0)
                status = @ccall $(_fn(:quarry_report_get_f64))(
                    report::Ptr{Cvoid}, key[]::Int32, value::Ref{Float64})::Int32
            else
                continue
            end
            _check(status)
            name = unsafe_string(@ccall $(_fn(:quarry_report_key_name))(key[]::Int32)::Cstring)
            out[name] = value[]
        end
    finally
        @ccall $(_fn(:quarry_report_destroy))(report::Ptr{Cvoid})::Cvoid
    end
    return out
end

# ---------------------------------------------------------------------------------------
# Julia callbacks: an extraction's oracle, the labels of an active or Kronecker regression.
#
# A C callback is a top-level function passed as a constant @cfunction (valid on every
# platform, unlike closures), which finds the user's function through its `user_data`, a
# pointer to an _OracleState that the caller keeps alive (GC.@preserve). quarry calls it
# only on the thread that made the call. Nothing may unwind into C: _callback catches and
# stores every exception, and its non-zero return stops the call; _throw_oracle_error
# throws it afterwards.

# What a C callback needs: the user's function, and what it threw.
mutable struct _OracleState
    oracle::Any
    error::Any      # the exception the oracle threw, or nothing
    backtrace::Any  # its catch_backtrace()
end

# Runs answer() in a C callback: 0, or 1 after storing what it threw in `state`.
function _callback(answer, state::_OracleState)::Int32
    try
        answer()
        return Int32(0)
    catch err
        state.error = err
        state.backtrace = catch_backtrace()
        return Int32(1)
    end
end

# After the C call (which returned `status` with `message`): nothing when the callback
# threw nothing; else an InterruptException as it is, and anything else as the `cause` of
# the QuarryError of that status (QUARRY_ERR_ORACLE).
function _throw_oracle_error(state::_OracleState, status, message)
    state.error === nothing && return nothing
    state.error isa InterruptException && throw(state.error)
    throw(QuarryError(status, message; cause = CapturedException(state.error, state.backtrace)))
end

# ---------------------------------------------------------------------------------------
# Least squares.

# `A` as a column-major Float64 array with unit row stride, and its leading dimension:
# `A` itself when it already is one (an Array, or a strided view with any column stride;
# with `contiguous`, only when its columns are adjacent), else a copy made once.
# Arrays are passed to `@ccall` as themselves, never as raw pointers, so `@ccall` keeps
# them alive (and Julia's collector never moves them) for the whole call.
function _dense(A::AbstractVecOrMat; contiguous::Bool = false)
    rows = size(A, 1)
    if A isa StridedVecOrMat{Float64} && stride(A, 1) == 1 &&
       UInt(pointer(A)) % sizeof(Float64) == 0
        ld = A isa AbstractVector ? rows : stride(A, 2)
        (ld == rows || (!contiguous && ld > rows)) && return (A, max(ld, 1))
    end
    return (Array{Float64}(A), max(rows, 1))
end

# A's CSR arrays (0-based, 64-bit indices): the CSC arrays of A's transpose.
function _csr(A::AbstractSparseMatrixCSC)
    At = permutedims(A)
    return (Int64[p - 1 for p in getcolptr(At)], Int64[i - 1 for i in rowvals(At)],
            convert(Vector{Float64}, nonzeros(At)))
end

_choices(names) = join(sort!([repr(name) for name in keys(names)]), ", ")

function _solver_settings(method, sketch_kind; settings...)
    haskey(METHODS, method) ||
        throw(ArgumentError("quarry: method must be one of $(_choices(METHODS)), got $(repr(method))"))
    sketch_kind === nothing || haskey(SKETCH_KINDS, sketch_kind) ||
        throw(ArgumentError("quarry: sketch_kind must be one of $(_choices(SKETCH_KINDS)), got $(repr(sketch_kind))"))
    kind = sketch_kind === nothing ? nothing : SKETCH_KINDS[sketch_kind]
    return merge((method = METHODS[method], sketch_kind = kind), values(settings))
end

# The methods of the solvers that are exact or sampled (kronecker_regression,
# DynamicLstsq): the QUARRY_OPT_LSTSQ_METHOD value of `method`, :exact or :sampled.
const _EXACT_OR_SAMPLED = Dict{Symbol,Int32}(:exact => METHODS[:direct],
                                             :sampled => METHODS[:sketch_solve])

function _exact_or_sampled(method)
    haskey(_EXACT_OR_SAMPLED, method) || throw(ArgumentError(
        "quarry: method must be one of $(_choices(_EXACT_OR_SAMPLED)), got $(repr(method))"))
    return _EXACT_OR_SAMPLED[method]
end

# Runs call(ctx, opts, report_ref) -> status, which writes the solution into the buffer X,
# and returns (finish(X), report); throws NoConvergence (holding finish(X), the last
# iterate) when the iteration limit was reached, a QuarryError for any other failure.
# `oracle`: the _OracleState of the Julia callback the call makes, whose exception, if it
# threw one, is thrown first (see _throw_oracle_error).
function _solve(call, X::Array{Float64}, settings::NamedTuple, ctx; finish = identity,
                oracle::Union{Nothing,_OracleState} = nothing)
    return _with_context(ctx) do cx
        _with_options(settings) do opts
            report_ref = Ref{Ptr{Cvoid}}(C_NULL)
            status = call(cx, opts, report_ref)
            report = _report(report_ref[])
            oracle === nothing || _throw_oracle_error(oracle, status, _message(cx))
            status == QUARRY_ERR_NO_CONVERGENCE && !isempty(report) &&
                throw(NoConvergence(_message(cx), finish(X), report))
            _check(status, cx)
            return (finish(X), report)
        end
    end
end

# A dense matrix as quarry takes it: (data, layout, ld). A transpose or adjoint (the same
# for real numbers) of a Float64 array P is, in P's column-major memory, the row-major
# `size(P, 2) × size(P, 1)` matrix with ld = stride(P, 2): P is passed as _dense gives it,
# itself when it has unit stride along its first dimension (else a copy, still read
# row-major). Any other matrix goes column-major through _dense.
function _matrix(A::AbstractMatrix)
    Ad, ld = _dense(A)
    return (Ad, _COL_MAJOR, ld)
end

function _matrix(A::Union{Transpose{Float64},Adjoint{Float64}})
    P, ld = _dense(parent(A))
    return (P, _ROW_MAJOR, ld)
end

# B (m × k: a vector or a matrix) in `layout`, and its leading dimension. With k <= 1
# both layouts are the same memory (row-major ld = 1), so B goes as _dense gives it;
# row-major with several columns takes a row-major copy (a k × m column-major matrix).
function _rhs(b::AbstractVecOrMat, layout::Int32)
    k = size(b, 2)
    layout == _COL_MAJOR && return _dense(b)
    k <= 1 && return (_dense(b)[1], 1)
    return (Matrix{Float64}(transpose(b)), k)
end

# The buffer quarry writes the n × k solution X into in `layout` (X is a vector of n values
# when `vector`), its leading dimension, and the function that makes X of the buffer.
# Column-major, or k <= 1 (the same memory in both layouts), the buffer is X itself;
# row-major with several columns it is k × n, and X its transpose.
function _solution(layout::Int32, n::Integer, k::Integer, vector::Bool)
    layout == _COL_MAJOR && return (vector ? zeros(n) : zeros(n, k), max(n, 1), identity)
    k <= 1 && return (vector ? zeros(n) : zeros(n, k), 1, identity)
    return (zeros(k, n), k, permutedims)
end

# The call of quarry_lstsq_f64 for a dense A, with the buffer it writes X into and the
# function that makes X of it: A in the layout _matrix gives, B and X in the same one.
function _lstsq_call(A::AbstractMatrix, b::AbstractVecOrMat)
    Ad, layout, lda = _matrix(A)
    m, n = size(A)
    nrhs = size(b, 2)
    B, ldb = _rhs(b, layout)
    X, ldx, finish = _solution(layout, n, nrhs, b isa AbstractVector)
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_lstsq_f64))(
        cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, nrhs::Int64,
        Ad::Ptr{Float64}, lda::Int64, B::Ptr{Float64}, ldb::Int64, X::Ptr{Float64},
        ldx::Int64, opts::Ptr{Cvoid}, report::Ref{Ptr{Cvoid}})::Int32
    return (call, X, finish)
end

# The call of quarry_lstsq_csr_f64 for a sparse A, as above; B and X column-major.
function _lstsq_call(A::AbstractSparseMatrixCSC, b::AbstractVecOrMat)
    m, n = size(A)
    nrhs = size(b, 2)
    row_ptr, col_idx, val = _csr(A)
    B, ldb = _dense(b)
    X, ldx, finish = _solution(_COL_MAJOR, n, nrhs, b isa AbstractVector)
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_lstsq_csr_f64))(
        cx::Ptr{Cvoid}, m::Int64, n::Int64, nrhs::Int64, row_ptr::Ptr{Int64},
        col_idx::Ptr{Int64}, val::Ptr{Float64}, _COL_MAJOR::Int32, B::Ptr{Float64},
        ldb::Int64, X::Ptr{Float64}, ldx::Int64, opts::Ptr{Cvoid},
        report::Ref{Ptr{Cvoid}})::Int32
    return (call, X, finish)
end

"""
    lstsq(A, b; method = :auto, ridge, tol, maxiter, sketch_kind, sketch_rows,
          sketch_nnz, seed, ctx) -> (x, report)

The least-squares solution `x = argmin ‖A x - b‖² + ridge ‖x‖²` (the minimum-norm one
when `A` has more columns than rows or is rank deficient), at LAPACK's accuracy, and the
solver's report: a `Dict{String,Any}` keyed by the C names (`"QUARRY_REPORT_METHOD"`,
`"QUARRY_REPORT_ITERATIONS"`, `"QUARRY_REPORT_RESIDUAL_NORM"`, ...).

- `A`: an `m × n` matrix, dense or a `SparseMatrixCSC`. A `Matrix{Float64}`, or a strided
  view of one with unit row stride (`view(M, 1:m, cols)`, any column stride), is passed to
  the library as it is, and so is `M'` or `transpose(M)` of such an `M` (as a row-major
  matrix over `M`'s memory); any other dense matrix (another element type, a row-strided
  view) is converted once. A sparse matrix is handed over as CSR with 64-bit indices (a
  converted copy; never densified).
- `b`: `m` values (then `x` has `n`) or an `m × k` matrix (then `x` is `n × k`), passed
  like `A`; when `A` goes row-major (a transpose) and `k > 1`, `b` and `x` pass through
  small row-major copies (`k × m` and `k × n`).

Options (those of `quarry_lstsq_f64`, `quarry/lstsq.h`; `nothing` means the library's
default): `method`, one of `keys(Quarry.METHODS)` (`:auto`, `:direct`, `:sketch_solve`,
`:sketch_precondition`, `:gram_precondition`; the report says which ran); `ridge` (λ ≥ 0);
`tol`; `maxiter` (an `Integer`); `sketch_kind` (one of `keys(Quarry.SKETCH_KINDS)`);
`sketch_rows`; `sketch_nnz`; `seed` (an `Integer`: the same seed and input give bitwise
the same `x` for any thread count). `ctx`: a [`Context`](@ref) (default: a new one).

Throws a [`QuarryError`](@ref) (e.g. `QUARRY_ERR_NONFINITE` for a NaN in `A`), a
[`NoConvergence`](@ref) carrying the last iterate when the iteration limit was reached,
`DimensionMismatch` when `b` does not have `m` rows, `ArgumentError` for a bad option.
"""
function lstsq(A::AbstractMatrix, b::AbstractVecOrMat; method = :auto, ridge = nothing,
               tol = nothing, maxiter = nothing, sketch_kind = nothing, sketch_rows = nothing,
               sketch_nnz = nothing, seed = nothing, ctx::Union{Context,Nothing} = nothing)
    settings = _solver_settings(method, sketch_kind; ridge, tol, maxiter, sketch_rows,
                                sketch_nnz, seed)
    m = size(A, 1)
    size(b, 1) == m || throw(DimensionMismatch("quarry: b has $(size(b, 1)) rows but A has $m"))
    call, X, finish = _lstsq_call(A, b)
    return _solve(call, X, settings, ctx; finish)
end

"""
    ridge_path(A, b, lambdas; method = :auto, tol, maxiter, sketch_kind, sketch_rows,
               sketch_nnz, seed, ctx) -> (X, report)

Ridge regression for several λ at once, sharing the expensive work (one Gram matrix or
one factorization): column `j` of the `n × length(lambdas)` matrix `X` is
`argmin ‖A x - b‖² + lambdas[j] ‖x‖²`. `A` is a dense `m × n` matrix (passed as in
[`lstsq`](@ref)), `b` a vector of `m` values, `lambdas` one value or a vector (each finite
and ≥ 0). Options, report and errors as in [`lstsq`](@ref), without `ridge`; the report's
`QUARRY_REPORT_RESIDUAL_NORM` is the largest ‖A xⱼ - b‖.
"""
function ridge_path(A::AbstractMatrix, b::AbstractVector, lambdas::Union{Real,AbstractVector};
                    method = :auto, tol = nothing, maxiter = nothing, sketch_kind = nothing,
                    sketch_rows = nothing, sketch_nnz = nothing, seed = nothing,
                    ctx::Union{Context,Nothing} = nothing)
    settings = _solver_settings(method, sketch_kind; tol, maxiter, sketch_rows, sketch_nnz,
                                seed)
    m, n = size(A)
    length(b) == m || throw(DimensionMismatch("quarry: b has $(length(b)) values but A has $m rows"))
    Ad, layout, lda = _matrix(A)
    bd, _ = _dense(b)
    lam = lambdas isa Real ? [Float64(lambdas)] : Vector{Float64}(lambdas)
    nlambda = length(lam)
    X, ldx, finish = _solution(layout, n, nlambda, false)
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_ridge_path_f64))(
        cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64}, lda::Int64,
        bd::Ptr{Float64}, nlambda::Int64, lam::Ptr{Float64}, X::Ptr{Float64}, ldx::Int64,
        opts::Ptr{Cvoid}, report::Ref{Ptr{Cvoid}})::Int32
    return _solve(call, X, settings, ctx; finish)
end

ridge_path(A::AbstractSparseMatrixCSC, b::AbstractVector, lambdas::Union{Real,AbstractVector};
           kwargs...) = throw(ArgumentError(
    "quarry: ridge_path takes a dense A (quarry_ridge_path_f64 is dense only); pass Matrix(A)"))

# ---------------------------------------------------------------------------------------
# Dynamic least squares.

"""
    DynamicLstsq(n; method = :exact, ridge, tol, seed, ctx)

Dynamic least squares (`quarry_dynamic_lstsq`, `quarry/lstsq.h`): rows of `A` and their
labels `b` arrive over time ([`insert!`](@ref)), and at any time [`Quarry.solve`](@ref)
gives the `x` (`n` values) minimizing `‖A x - b‖² + ridge ‖x‖²` over the rows inserted so
far. It keeps only the triangular factor `R` (`(n + 1) × (n + 1)`) of the QR
factorization of `[A b]`, updated by blocked Householder steps (about `2n²` flops a row),
so its memory does not grow with the rows and `x` is as accurate as a QR solve of all of
them at once (unlike recursive least squares, nothing squares the condition number).

`method` is the mode, fixed at creation:
- `:exact` (the default): every row updates `R`; `x` is the exact minimizer.
- `:sampled`: online leverage-score row sampling keeps row `[a b]` with probability
  `min(1, c τ)`, `τ` its online leverage score against the rows kept, `c = 2 / tol`, and
  rescales it; only kept rows update `R`. The objective at `x` is then within about a
  factor `1 + tol` of the minimum over all rows, and the rows kept grow like
  `n log(rows) / tol`.

Options (`nothing`: the library's default): `ridge` (λ ≥ 0, default 0); for `:sampled`,
`tol` (ε in (0, 1], default 0.1) and `seed` (an `Integer`: the row choices). `ctx`: a
[`Context`](@ref) for the creation (default: a new one).

- `insert!(d, A, b)` adds a batch of rows; [`Quarry.solve`](@ref)`(d)` is `(x, report)`;
  [`Quarry.residual`](@ref)`(d, x)` the objective's square root at any `x`. (`solve` and
  `residual` are not exported, their names being common ones: call them qualified.)
- `close(d)` frees it (idempotent; the garbage collector does otherwise).

It is mutable: one task at a time. Throws a [`QuarryError`](@ref)
(`QUARRY_ERR_BAD_DIMENSION` for `n < 1`, `QUARRY_ERR_INVALID_ARGUMENT` for `tol = 0` or a
negative `ridge`), `ArgumentError` for a `method` other than `:exact` and `:sampled` or
another bad option.
"""
mutable struct DynamicLstsq <: _Handle
    ptr::Ptr{Cvoid}
    n::Int  # columns of A, entries of x
    DynamicLstsq(ptr::Ptr{Cvoid}, n::Integer) = finalizer(close, new(ptr, n))
end

_destroy(d::DynamicLstsq) =
    @ccall $(_fn(:quarry_dynamic_lstsq_destroy))(d.ptr::Ptr{Cvoid})::Cvoid

function DynamicLstsq(n::Integer; method = :exact, ridge = nothing, tol = nothing,
                      seed = nothing, ctx::Union{Context,Nothing} = nothing)
    settings = (; method = _exact_or_sampled(method), ridge, tol, seed)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _with_context(ctx) do cx
        _with_options(settings) do opts
            status = @ccall $(_fn(:quarry_dynamic_lstsq_create))(
                cx::Ptr{Cvoid}, n::Int64, opts::Ptr{Cvoid}, out::Ref{Ptr{Cvoid}})::Int32
            _check(status, cx)
        end
    end
    return DynamicLstsq(out[], n)
end

function Base.show(io::IO, d::DynamicLstsq)
    print(io, isopen(d) ? "DynamicLstsq(n = $(d.n))" : "DynamicLstsq(closed)")
end

"""
    insert!(d::DynamicLstsq, A, b; ctx) -> d

Insert the rows of `A` (`k × n`, any `k ≥ 0`) and their labels `b` (`k` values) into `d`
(`quarry_dynamic_lstsq_insert_f64`). `A` is passed as in [`lstsq`](@ref): a
`Matrix{Float64}`, a strided view with unit row stride (`view(M, rows, :)`) or `M'` /
`transpose(M)` of one without a copy (so one row `a` goes in as `insert!(d, a', [y])`),
anything else converted once. Throws a [`QuarryError`](@ref) (`QUARRY_ERR_NONFINITE` for
a NaN or infinity in `A` or `b`: then no row of the batch is inserted),
`DimensionMismatch` when `A` does not have `n` columns or `b` its rows, `ArgumentError`
when `d` is closed.
"""
function Base.insert!(d::DynamicLstsq, A::AbstractMatrix, b::AbstractVector;
                      ctx::Union{Context,Nothing} = nothing)
    m, n = size(A)
    n == d.n || throw(DimensionMismatch("quarry: A has $n columns but the handle has $(d.n)"))
    length(b) == m || throw(DimensionMismatch("quarry: b has $(length(b)) values but A has $m rows"))
    Ad, layout, lda = _matrix(A)
    bd, _ = _dense(b)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_dynamic_lstsq_insert_f64))(
            cx::Ptr{Cvoid}, d::Ptr{Cvoid}, layout::Int32, m::Int64, Ad::Ptr{Float64},
            lda::Int64, bd::Ptr{Float64})::Int32
        _check(status, cx)
    end
    return d
end

"""
    Quarry.solve(d::DynamicLstsq; ctx) -> (x, report)

The current solution `x` (`n` values) of `d` (`quarry_dynamic_lstsq_solve_f64`): `n²`
flops, more while the rows in do not determine `x` (fewer than `n` independent rows,
without a ridge), when `x` is the minimum-norm solution. The report, a
`Dict{String,Any}` keyed by the C names: `"QUARRY_REPORT_METHOD"`
(`Quarry.METHODS[:direct]` or `Quarry.METHODS[:sketch_solve]`), `"QUARRY_REPORT_QUERIES"`
(rows inserted), `"QUARRY_REPORT_SKETCH_ROWS"` (rows held: all, or those kept),
`"QUARRY_REPORT_RANK"`, `"QUARRY_REPORT_OBJECTIVE"` (`‖A x - b‖² + ridge ‖x‖²` over the
rows held, reweighted when sampled: the sample's estimate), `"QUARRY_REPORT_RESIDUAL_NORM"`
(its square root), `"QUARRY_REPORT_SECONDS"`. Not exported (a common name): call it
`Quarry.solve`.
"""
function solve(d::DynamicLstsq; ctx::Union{Context,Nothing} = nothing)
    X = zeros(d.n)
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_dynamic_lstsq_solve_f64))(
        cx::Ptr{Cvoid}, d::Ptr{Cvoid}, X::Ptr{Float64}, report::Ref{Ptr{Cvoid}})::Int32
    return _solve(call, X, NamedTuple(), ctx)
end

"""
    Quarry.residual(d::DynamicLstsq, x; ctx) -> Float64

`sqrt(‖A x - b‖² + ridge ‖x‖²)` over the rows `d` holds, for any `x` (`n` values;
`quarry_dynamic_lstsq_residual_f64`): with `method = :exact` the true residual of `x` on
every row inserted (to check another model against the stream), with `:sampled` the
sample's estimate of it. Throws a [`QuarryError`](@ref) (`QUARRY_ERR_NONFINITE`) for a
NaN in `x`, `DimensionMismatch` when `x` does not have `n` values. Not exported (a common
name): call it `Quarry.residual`.
"""
function residual(d::DynamicLstsq, x::AbstractVector; ctx::Union{Context,Nothing} = nothing)
    length(x) == d.n ||
        throw(DimensionMismatch("quarry: x has $(length(x)) values but the handle has $(d.n)"))
    xd, _ = _dense(x)
    out = Ref{Float64}(0.0)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_dynamic_lstsq_residual_f64))(
            cx::Ptr{Cvoid}, d::Ptr{Cvoid}, xd::Ptr{Float64}, out::Ref{Float64})::Int32
        _check(status, cx)
    end
    return out[]
end

# ---------------------------------------------------------------------------------------
# Robust regression.

"""
    huber(A, b; epsilon = 1.35, scale = nothing, ridge, tol, maxiter, ctx) -> (x, sigma, report)

Huber regression of `b` on the columns of `A` (`quarry_huber_f64`, `quarry/regress.h`):
with residuals `r = b - A x`, Huber's loss is quadratic for `|rᵢ| ≤ epsilon * sigma` and
linear beyond, so gross outliers in `b` pull on `x` with a bounded force. Returns the
coefficients `x` (`n` values), the scale `sigma` and the report, a `Dict{String,Any}`
keyed by the C names: `"QUARRY_REPORT_ITERATIONS"`, `"QUARRY_REPORT_OBJECTIVE"` (the
objective below, at `x`), `"QUARRY_REPORT_OUTLIERS"` (residuals beyond `epsilon * sigma`),
`"QUARRY_REPORT_RESIDUAL_NORM"` (‖b - A x‖), `"QUARRY_REPORT_SECONDS"`.

- `scale = nothing` (the default): `sigma` is estimated with `x`, minimizing
  `m σ + Σᵢ H(rᵢ / σ) σ + ridge ‖x‖²` with `H(z) = z²` for `|z| ≤ epsilon` and
  `2 epsilon |z| - epsilon²` beyond (the objective of scikit-learn's `HuberRegressor` with
  `fit_intercept = false` and `alpha = ridge`). `epsilon` must be ≥ 1; 1.35 gives 95%
  efficiency on Gaussian noise. `sigma` is 0 when `A x` fits `b` exactly.
- `scale = s > 0`: `sigma = s` is fixed, and `x` minimizes `Σᵢ ρ(rᵢ) + ridge ‖x‖²`, the
  classic Huber loss `ρ(r) = r² / 2` for `|r| ≤ t`, `t |r| - t² / 2` beyond, with the
  threshold `t = epsilon * s` in the units of `b`; `epsilon` must be > 0.

`A` is a dense `m × n` matrix passed as in [`lstsq`](@ref) (a `Matrix{Float64}`, a
strided view with unit row stride, or `M'` / `transpose(M)` of one, read row-major
without a copy; anything else converted once); `b` a vector of `m` values. Options
(`nothing` means the library's default): `ridge` (λ ≥ 0, default 0); `tol` (the relative
distance of the objective to its minimum at which to stop, default 1e-12; 0 iterates
until no step lowers the objective); `maxiter` (an `Integer`: Newton iterations, default
100). `ctx`: a [`Context`](@ref) (default: a new one).

Throws a [`QuarryError`](@ref) (`QUARRY_ERR_INVALID_ARGUMENT` for `epsilon` out of range,
`QUARRY_ERR_NONFINITE` for a NaN in `A` or `b`, ...), a [`NoConvergence`](@ref) carrying
the last iterate `x` and its report when `maxiter` iterations were not enough (the last
`sigma` is not carried), `DimensionMismatch` when `b` does not have `m` values,
`ArgumentError` for a `scale` that is not a number > 0 or another bad option.
"""
function huber(A::AbstractMatrix, b::AbstractVector; epsilon::Real = 1.35, scale = nothing,
               ridge = nothing, tol = nothing, maxiter = nothing,
               ctx::Union{Context,Nothing} = nothing)
    scale === nothing || (scale isa Real && scale > 0) ||
        throw(ArgumentError("quarry: a fixed scale must be a real number > 0, got $(repr(scale))"))
    settings = (; huber_scale = scale, ridge, tol, maxiter)
    m, n = size(A)
    length(b) == m || throw(DimensionMismatch("quarry: b has $(length(b)) values but A has $m rows"))
    Ad, layout, lda = _matrix(A)
    bd, _ = _dense(b)
    epsilon64 = Float64(epsilon)
    X = zeros(n)  # one vector: the same memory in both layouts
    sigma = Ref{Float64}(0.0)
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_huber_f64))(
        cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64}, lda::Int64,
        bd::Ptr{Float64}, epsilon64::Float64, X::Ptr{Float64}, sigma::Ref{Float64},
        opts::Ptr{Cvoid}, report::Ref{Ptr{Cvoid}})::Int32
    x, report = _solve(call, X, settings, ctx)
    return (x, sigma[], report)
end

huber(A::AbstractSparseMatrixCSC, b::AbstractVector; kwargs...) = throw(ArgumentError(
    "quarry: huber takes a dense A (quarry_huber_f64 is dense only); pass Matrix(A)"))

"""
    lp_regression(A, b, p; method = :auto, tol, maxiter, sketch_kind, sketch_rows,
                  sketch_nnz, seed, ctx) -> (x, report)

l_p regression of `b` on the columns of `A` (`quarry_lp_regression_f64`,
`quarry/regress.h`): the `x` (`n` values) minimizing `Σᵢ |bᵢ - aᵢ' x|^p` for an exponent
`1 ≤ p ≤ 100` (`p = 1`: least absolute deviations, the median regression; `p = 2`:
least squares; large `p` approaches the minimax fit; Newton iterations grow with `p`,
about 20 at `p = 20`), and the report, a `Dict{String,Any}` keyed by the C names:
`"QUARRY_REPORT_METHOD"` (the preconditioner used), `"QUARRY_REPORT_ITERATIONS"` (Newton
iterations), `"QUARRY_REPORT_OBJECTIVE"` (`Σᵢ |rᵢ|^p` at `x`), `"QUARRY_REPORT_DUAL_GAP"`
(a bound on the objective's relative distance to its minimum, from a dual feasible
point), `"QUARRY_REPORT_RESIDUAL_NORM"` (‖b - A x‖₂), `"QUARRY_REPORT_SECONDS"`.

The solver follows smoothed objectives down to the l_p one by Newton's method and stops
when the duality gap is below `tol`; at `p = 1` it ends at an optimal vertex, exactly.
Each Newton system is a weighted least-squares problem, solved by conjugate gradients
preconditioned with the Cholesky factor of the weighted Gram matrix or with R from a QR
of a sparse sketch of the weighted `A`.

`A` is a dense `m × n` matrix with `m ≥ n`, passed as in [`lstsq`](@ref) (a
`Matrix{Float64}`, a strided view with unit row stride, or `M'` / `transpose(M)` of one,
read row-major without a copy; anything else converted once); `b` a vector of `m`
values. Options (`nothing` means the library's default): `method`, the preconditioner:
`:auto` (a cost model), `:gram_precondition` or `:sketch_precondition` (the other
`keys(Quarry.METHODS)` give `QUARRY_ERR_INVALID_ARGUMENT`); `tol` (the duality gap at
which to stop, default 1e-10); `maxiter` (an `Integer`: Newton iterations, default 300);
for the sketch `sketch_kind` (one of `keys(Quarry.SKETCH_KINDS)`), `sketch_rows` (default
`4n`), `sketch_nnz`, `seed` (an `Integer`). `ctx`: a [`Context`](@ref) (default: a new
one).

Throws a [`QuarryError`](@ref) (`QUARRY_ERR_INVALID_ARGUMENT` for `p` out of range or
another method, `QUARRY_ERR_BAD_DIMENSION` for `m < n`, `QUARRY_ERR_NONFINITE` for a NaN
in `A` or `b`, ...), a [`NoConvergence`](@ref) carrying the last iterate `x` and its
report (with its gap) when `maxiter` iterations were not enough, `DimensionMismatch` when
`b` does not have `m` values, `ArgumentError` for a bad option.
"""
function lp_regression(A::AbstractMatrix, b::AbstractVector, p::Real; method = :auto,
                       tol = nothing, maxiter = nothing, sketch_kind = nothing,
                       sketch_rows = nothing, sketch_nnz = nothing, seed = nothing,
                       ctx::Union{Context,Nothing} = nothing)
    settings = _solver_settings(method, sketch_kind; tol, maxiter, sketch_rows, sketch_nnz,
                                seed)
    m, n = size(A)
    length(b) == m || throw(DimensionMismatch("quarry: b has $(length(b)) values but A has $m rows"))
    Ad, layout, lda = _matrix(A)
    bd, _ = _dense(b)
    p64 = Float64(p)
    X = zeros(n)  # one vector: the same memory in both layouts
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_lp_regression_f64))(
        cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64}, lda::Int64,
        bd::Ptr{Float64}, p64::Float64, X::Ptr{Float64}, opts::Ptr{Cvoid},
        report::Ref{Ptr{Cvoid}})::Int32
    return _solve(call, X, settings, ctx)
end

lp_regression(A::AbstractSparseMatrixCSC, b::AbstractVector, p::Real; kwargs...) =
    throw(ArgumentError(
        "quarry: lp_regression takes a dense A (quarry_lp_regression_f64 is dense only); pass Matrix(A)"))

# The quarry_label_fn handed to quarry_active_regression_f64 and
# quarry_kronecker_regression_labels_f64 (see _callback): it finds the label oracle
# through `user_data`, a pointer to the _OracleState that _solve_labels keeps alive.
function _answer_labels(count::Int64, rows::Ptr{Int64}, labels::Ptr{Float64},
                        user_data::Ptr{Cvoid})::Int32
    state = unsafe_pointer_to_objref(user_data)::_OracleState
    return _callback(state) do
        # Julia's 1-based row indices, in a new vector the oracle may keep.
        R = unsafe_wrap(Array, rows, Int(count)) .+ 1
        Y = state.oracle(R)
        Y isa AbstractVector && length(Y) == count || throw(DimensionMismatch(
            "quarry: the label oracle answered a $(summary(Y)) for $count rows; expected " *
            "a vector of $count labels, one per row"))
        copyto!(unsafe_wrap(Array, labels, Int(count)), Y)
    end
end

# _solve for a C function that asks the label oracle `labels`: call(cx, opts, report,
# answer, user_data) passes `answer` (the quarry_label_fn _answer_labels) and `user_data`
# (the _OracleState it reads, kept alive here) to the C function; what `labels` threw is
# thrown as _throw_oracle_error says.
function _solve_labels(call, labels, X::Array{Float64}, settings::NamedTuple, ctx)
    state = _OracleState(labels, nothing, nothing)
    answer = @cfunction(_answer_labels, Int32, (Int64, Ptr{Int64}, Ptr{Float64}, Ptr{Cvoid}))
    user_data = pointer_from_objref(state)
    with_labels = (cx, opts, report) -> call(cx, opts, report, answer, user_data)
    return GC.@preserve state _solve(with_labels, X, settings, ctx; oracle = state)
end

"""
    active_regression(labels, A, p, budget; approx = false, sketch_rows, sketch_kind,
                      seed, tol, maxiter, ctx) -> (x, report)

Active l_p regression (`quarry_active_regression_f64`, `quarry/regress.h`): fit
`b ≈ A x` in the l_p norm (`1 ≤ p ≤ 100`) for a dense `m × n` matrix `A` (`m ≥ n`)
known in full, reading only `budget` of the `m` labels `bᵢ`, each costly (a simulation,
an assay, a survey answer). `labels(rows)` answers a batch: `rows` is a `Vector{Int64}`
of 1-based row indices of `A` (increasing, at most 1024; every row is asked at most once
per call), a copy it may keep, and the answer a vector of as many labels, `b[rows]`. It
is called on the calling thread, inside the C call: it must not use the same `ctx`. With
a do block:

```julia
x, report = active_regression(A, 1, 200) do rows
    run_experiments(rows)  # the labels of rows
end
```

quarry computes `A`'s Lewis weights `w` ([`lewis_weights`](@ref); no labels needed),
draws `budget` distinct rows with inclusion probabilities `πᵢ = min(1, c wᵢ)`, asks
`labels` for them, and minimizes the sample's unbiased estimate `Σ |bᵢ - aᵢ' x|^p / πᵢ`
over the sampled rows as [`lp_regression`](@ref) does (Musco, Musco, Woodruff and Yasuda,
2022: about `n / ε` labels give a `(1 + ε)`-approximate fit for `p` in [1, 2], where
uniformly drawn rows may miss the few rows that decide it). `budget` is in `n` to the
number of non-zero rows of `A`. `A` is passed as in [`lstsq`](@ref) (a transpose without
a copy).

Options (`nothing`: the library's default): `approx`, `sketch_rows`, `sketch_kind` as in
[`lewis_weights`](@ref); `seed` (an `Integer`: the sketch's and the sample's; the same
seed asks the same rows); `tol` (the fit's duality gap, default 1e-10) and `maxiter` (an
`Integer`: the fit's Newton iterations, default 300). The report:
`"QUARRY_REPORT_QUERIES"` (labels read: the budget), `"QUARRY_REPORT_BATCHES"`,
`"QUARRY_REPORT_ORACLE_SECONDS"`, `"QUARRY_REPORT_ITERATIONS"` (the fit's),
`"QUARRY_REPORT_OBJECTIVE"` (the sample's estimate of `Σᵢ |rᵢ|^p` at `x`),
`"QUARRY_REPORT_DUAL_GAP"` (of the sampled problem), `"QUARRY_REPORT_SECONDS"`.

Throws a [`QuarryError`](@ref): `QUARRY_ERR_INVALID_ARGUMENT` for `p` or `budget` out of
range (before any label is asked), `QUARRY_ERR_BAD_DIMENSION` for `m < n`,
`QUARRY_ERR_ORACLE` when `labels` threw (its `cause` holds the exception and backtrace; an
`InterruptException` is rethrown as it is), answered a wrong shape (a `DimensionMismatch`
cause) or a NaN or infinite label (no cause). A [`NoConvergence`](@ref) carries the last
iterate `x` and its report when the Lewis weights or the fit reached their limit;
`ArgumentError` for a bad option or a sparse `A`.
"""
function active_regression(labels, A::AbstractMatrix, p::Real, budget::Integer;
                           approx::Bool = false, sketch_rows = nothing, sketch_kind = nothing,
                           seed = nothing, tol = nothing, maxiter = nothing,
                           ctx::Union{Context,Nothing} = nothing)
    settings = merge(_leverage_settings(approx, sketch_rows, sketch_kind, seed), (; tol, maxiter))
    typemin(Int64) <= budget <= typemax(Int64) ||
        throw(ArgumentError("quarry: budget = $budget does not fit in 64 bits"))
    m, n = size(A)
    Ad, layout, lda = _matrix(A)
    p64, budget64 = Float64(p), Int64(budget)
    X = zeros(n)  # one vector: the same memory in both layouts
    call = (cx, opts, report, answer, user_data) -> @ccall $(_fn(:quarry_active_regression_f64))(
        cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64}, lda::Int64,
        p64::Float64, answer::Ptr{Cvoid}, user_data::Ptr{Cvoid}, budget64::Int64,
        X::Ptr{Float64}, opts::Ptr{Cvoid}, report::Ref{Ptr{Cvoid}})::Int32
    return _solve_labels(call, labels, X, settings, ctx)
end

active_regression(labels, A::AbstractSparseMatrixCSC, p::Real, budget::Integer; kwargs...) =
    throw(ArgumentError(
        "quarry: active_regression takes a dense A (quarry_active_regression_f64 is dense only); pass Matrix(A)"))

# ---------------------------------------------------------------------------------------
# Kronecker regression.

# The factors A₁ … A_N of a Kronecker product as the C calls take them, all column-major:
# each as _dense gives it (itself when it can be, else a copy made once), their sizes and
# leading dimensions, and pointers to them. C reads the factors through `ptrs`, raw
# pointers, so the caller keeps `arrays` alive across the call (GC.@preserve).
struct _Kronecker
    arrays::Vector{Any}
    rows::Vector{Int64}
    cols::Vector{Int64}
    ld::Vector{Int64}
    ptrs::Vector{Ptr{Float64}}
end

function _Kronecker(factors)
    isempty(factors) &&
        throw(ArgumentError("quarry: a Kronecker product needs at least one factor"))
    all(F -> F isa AbstractMatrix, factors) ||
        throw(ArgumentError("quarry: every factor of a Kronecker product must be a matrix"))
    dense = [_dense(F) for F in factors]
    arrays = Any[first(d) for d in dense]
    return _Kronecker(arrays, Int64[size(F, 1) for F in factors],
                      Int64[size(F, 2) for F in factors], Int64[last(d) for d in dense],
                      Ptr{Float64}[pointer(A) for A in arrays])
end

# The product of sizes (the rows or columns of the Kronecker product); OverflowError
# beyond Int64.
_kronecker_size(sizes::Vector{Int64}) = reduce(Base.checked_mul, sizes; init = Int64(1))

"""
    kronecker_regression(factors, b; ridge, method = :exact, samples, seed, tol, maxiter,
                         ctx) -> (x, report)

Kronecker ridge regression (`quarry_kronecker_regression_f64`, `quarry/regress.h`): the
`x` minimizing `‖K x - b‖² + ridge ‖x‖²` for `K = kron(A₁, A₂, …, A_N)`, the Kronecker
product of the dense `factors` `Aₙ` (`Iₙ × Rₙ`), never formed. `K` has `prod(Iₙ)` rows and
`prod(Rₙ)` columns; `b` is a vector of `prod(Iₙ)` values and `x` one of `prod(Rₙ)`, both
in the order of Julia's `kron`: `kron(factors...) * x ≈ b`, the last factor's index
running fastest. (For data in a Julia array `B` of size `I₁ × … × I_N`, whose `vec(B)`
runs the first index fastest, pass `reverse(factors)` and `vec(B)`: then
`reshape(x, R₁, …, R_N)` is the coefficient tensor.)

`factors` is a vector or tuple of matrices: a `Matrix{Float64}`, or a strided view of one
with unit row stride, is passed as it is, any other matrix (a transpose included) is
converted to a column-major copy once. `b` is any vector of reals.

Two solvers, `method`:
- `:exact` (the default): from the factors' thin SVDs, reading all of `b`; without a
  ridge, the minimum-norm least-squares solution.
- `:sampled` (Fahrbach, Fu and Ghadiri, NeurIPS 2022): `samples` rows of `K` drawn by
  their leverage scores (products of the factors'), and the sampled ridge problem solved
  by preconditioned conjugate gradients to `tol` (relative preconditioned residual,
  default 1e-10) within `maxiter` iterations (default 100). It reads only the sampled
  entries of `b`, so its cost does not grow with `prod(Iₙ)`; the exact solver is the
  faster one until `prod(Iₙ)` is far larger than `samples`. Its excess loss is about
  `d / samples` of the minimum, for the statistical dimension `d` of `K` (its rank
  without a ridge). [`kronecker_regression_labels`](@ref) asks a function for those
  entries instead, so that `b` need never exist in full.

Options (`nothing` means the library's default): `ridge` (λ ≥ 0, default 0); for the
sampled solver `samples` (an `Integer`: the draws, default `50d`, at least 100: about 2%
excess loss), `seed` (an `Integer`: the same seed draws the same rows), `tol` and
`maxiter` (an `Integer`). `ctx`: a [`Context`](@ref) (default: a new one).

The report, a `Dict{String,Any}` keyed by the C names: `"QUARRY_REPORT_METHOD"`
(`Quarry.METHODS[:direct]` or `Quarry.METHODS[:sketch_solve]`), `"QUARRY_REPORT_QUERIES"`
(entries of `b` read: all, or the distinct sampled rows), `"QUARRY_REPORT_SECONDS"`;
exact, `"QUARRY_REPORT_OBJECTIVE"` (`‖K x - b‖² + ridge ‖x‖²`) and
`"QUARRY_REPORT_RESIDUAL_NORM"` (`‖K x - b‖`); sampled, `"QUARRY_REPORT_SKETCH_ROWS"`
(the draws) and `"QUARRY_REPORT_ITERATIONS"`.

Throws a [`QuarryError`](@ref) (`QUARRY_ERR_BAD_DIMENSION` for a factor without rows or
columns or more than 64 factors, `QUARRY_ERR_NONFINITE` for a NaN in a factor or in a read
entry of `b`, ...), a [`NoConvergence`](@ref) carrying the last iterate `x` and its report
when the sampled solver reached `maxiter`, `DimensionMismatch` when `b` does not have
`prod(Iₙ)` values, `ArgumentError` for no factors, a `method` other than `:exact` and
`:sampled`, or another bad option.
"""
function kronecker_regression(factors::Union{AbstractVector,Tuple}, b::AbstractVector;
                              ridge = nothing, method = :exact, samples = nothing,
                              seed = nothing, tol = nothing, maxiter = nothing,
                              ctx::Union{Context,Nothing} = nothing)
    settings = (; method = _exact_or_sampled(method), ridge, sketch_rows = samples, seed, tol,
                maxiter)
    k = _Kronecker(factors)
    m = _kronecker_size(k.rows)
    length(b) == m || throw(DimensionMismatch(
        "quarry: b has $(length(b)) values but the Kronecker product has $m rows"))
    bd, _ = _dense(b)
    X = zeros(_kronecker_size(k.cols))
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_kronecker_regression_f64))(
        cx::Ptr{Cvoid}, _COL_MAJOR::Int32, length(k.rows)::Int32, k.rows::Ptr{Int64},
        k.cols::Ptr{Int64}, k.ptrs::Ptr{Ptr{Float64}}, k.ld::Ptr{Int64}, bd::Ptr{Float64},
        X::Ptr{Float64}, opts::Ptr{Cvoid}, report::Ref{Ptr{Cvoid}})::Int32
    arrays = k.arrays  # read by C through k.ptrs
    return GC.@preserve arrays _solve(call, X, settings, ctx)
end

"""
    kronecker_regression_labels(labels, factors; ridge, samples, seed, tol, maxiter, ctx)
        -> (x, report)

The sampled solver of [`kronecker_regression`](@ref) with `b` given by `labels`
(`quarry_kronecker_regression_labels_f64`, `quarry/regress.h`), asked only for the
sampled rows of `K`, so that `b` need never exist in full (`prod(Iₙ)` can be far beyond
memory). `labels(rows)` answers a batch: `rows` is a `Vector{Int64}` of 1-based indices
into `b` (in the order of `kron`'s rows, as in `kronecker_regression`; increasing, at most
4096; every row is asked at most once per call), a copy it may keep, and the answer a
vector of as many labels, `b[rows]`. It is called on the calling thread, inside the C
call: it must not use the same `ctx`. With a do block:

```julia
x, report = kronecker_regression_labels([A1, A2]; seed = 1) do rows
    simulate(rows)  # the entries of b at rows
end
```

With the same options and `seed` it asks exactly the entries that
`kronecker_regression(factors, b; method = :sampled)` reads, and gives the same `x`.
Options as for `kronecker_regression` (no `method`: always sampled); the report is the
sampled one plus `"QUARRY_REPORT_BATCHES"` and `"QUARRY_REPORT_ORACLE_SECONDS"`.

Throws as `kronecker_regression`, and a [`QuarryError`](@ref) `QUARRY_ERR_ORACLE` when
`labels` threw (its `cause` holds the exception and backtrace; an `InterruptException`
is rethrown as it is), answered a wrong shape (a `DimensionMismatch` cause) or a NaN or
infinite label (no cause).
"""
function kronecker_regression_labels(labels, factors::Union{AbstractVector,Tuple};
                                     ridge = nothing, samples = nothing, seed = nothing,
                                     tol = nothing, maxiter = nothing,
                                     ctx::Union{Context,Nothing} = nothing)
    settings = (; ridge, sketch_rows = samples, seed, tol, maxiter)
    k = _Kronecker(factors)
    X = zeros(_kronecker_size(k.cols))
    fn = _fn(:quarry_kronecker_regression_labels_f64)
    call = (cx, opts, report, answer, user_data) -> @ccall $fn(
        cx::Ptr{Cvoid}, _COL_MAJOR::Int32, length(k.rows)::Int32, k.rows::Ptr{Int64},
        k.cols::Ptr{Int64}, k.ptrs::Ptr{Ptr{Float64}}, k.ld::Ptr{Int64}, answer::Ptr{Cvoid},
        user_data::Ptr{Cvoid}, X::Ptr{Float64}, opts::Ptr{Cvoid},
        report::Ref{Ptr{Cvoid}})::Int32
    arrays = k.arrays  # read by C through k.ptrs
    return GC.@preserve arrays _solve_labels(call, labels, X, settings, ctx)
end

"""
    kronecker_multiply(factors, x; transpose = false, ctx) -> y

`y = K x`, or `y = K' x` with `transpose = true`, for `K = kron(factors...)` (factors as
in [`kronecker_regression`](@ref)), mode by mode without forming `K`
(`quarry_kronecker_multiply_f64`, `quarry/regress.h`): the predictions and residuals of a
Kronecker regression, or the mode products of a Tucker model. `x` is a vector of
`prod(Rₙ)` values (`prod(Iₙ)` with `transpose`) and `y` one of `prod(Iₙ)` (`prod(Rₙ)`),
both in the order of `kron`. Throws a [`QuarryError`](@ref) (`QUARRY_ERR_NONFINITE` for a
NaN in `x` or a factor, ...), `DimensionMismatch` when `x` has the wrong length,
`ArgumentError` for no factors.
"""
function kronecker_multiply(factors::Union{AbstractVector,Tuple}, x::AbstractVector;
                            transpose::Bool = false, ctx::Union{Context,Nothing} = nothing)
    k = _Kronecker(factors)
    nrows, ncols = _kronecker_size(k.rows), _kronecker_size(k.cols)
    nin, nout = transpose ? (nrows, ncols) : (ncols, nrows)
    length(x) == nin || throw(DimensionMismatch(
        "quarry: x has $(length(x)) values but the Kronecker product needs $nin"))
    xd, _ = _dense(x)
    y = zeros(nout)
    arrays = k.arrays  # read by C through k.ptrs
    _with_context(ctx) do cx
        status = GC.@preserve arrays begin
            @ccall $(_fn(:quarry_kronecker_multiply_f64))(
                cx::Ptr{Cvoid}, _COL_MAJOR::Int32, length(k.rows)::Int32, k.rows::Ptr{Int64},
                k.cols::Ptr{Int64}, k.ptrs::Ptr{Ptr{Float64}}, k.ld::Ptr{Int64},
                transpose::Int32, xd::Ptr{Float64}, y::Ptr{Float64})::Int32
        end
        _check(status, cx)
    end
    return y
end

# ---------------------------------------------------------------------------------------
# Random streams.

"""
    RngState(seed::Integer)
    RngState(generator, reserved, key, counter)

The state of one of quarry's reproducible random streams (`quarry_rng_state`,
`quarry/rng.h`): Philox4x32-10 with the 64-bit key `key[1]` and the 128-bit block counter
`counter[1] + 2^64 counter[2]`. A plain immutable value with C's 40-byte layout
(`generator::UInt32`, `reserved::UInt32`, `key::NTuple{2,UInt64}`,
`counter::NTuple{2,UInt64}`), passed to C by reference; copy, store, compare (`==`) and
serialize it freely. quarry never changes a state it is given: every randomized function
is a pure function of (state, sizes), the same for any thread count.

`RngState(seed)` is the state of `quarry_rng_state_from_seed`: key `seed`, counter 0;
distinct seeds give independent streams. `seed` is any integer in
`typemin(Int64):typemax(UInt64)`; a negative one means its 64-bit two's complement, as
quarry reads the integer option `seed` (so `RngState(-1) == RngState(typemax(UInt64))`).

The streams ([`fill_u32!`](@ref), [`fill_uniform!`](@ref), [`fill_normal!`](@ref)) are
three views of the same blocks, not independent streams: to draw independent values for
several consumers from one seed, give each its own state, e.g.
[`Quarry.advance`](@ref)`(state, blocks)` past the blocks the previous one used.
"""
struct RngState
    generator::UInt32
    reserved::UInt32
    key::NTuple{2,UInt64}
    counter::NTuple{2,UInt64}
end

function RngState(seed::Integer)
    typemin(Int64) <= seed <= typemax(UInt64) ||
        throw(ArgumentError("quarry: seed = $seed does not fit in 64 bits"))
    raw = seed < 0 ? reinterpret(UInt64, Int64(seed)) : UInt64(seed)
    out = Ref{RngState}()
    status = @ccall $(_fn(:quarry_rng_state_from_seed))(raw::UInt64, out::Ref{RngState})::Int32
    _check(status)
    return out[]
end

"""
    Quarry.advance(state::RngState, blocks::Integer) -> RngState

The state whose stream starts `blocks` blocks (four 32-bit words each) further along the
stream of `state`: the counter plus `blocks`, modulo 2^128. So element `i` of
`fill_u32!` on the new state is element `i + 4 blocks` on `state`. `blocks` is in
`0:typemax(UInt64)`. Throws a [`QuarryError`](@ref) (`QUARRY_ERR_INVALID_ARGUMENT`) for a
state that is not valid (unknown generator, `reserved` or `key[2]` not 0). Not exported
(`advance` is a common name): call it `Quarry.advance`.
"""
function advance(state::RngState, blocks::Integer)
    0 <= blocks <= typemax(UInt64) ||
        throw(ArgumentError("quarry: blocks = $blocks must be in 0:typemax(UInt64)"))
    out = Ref{RngState}()
    status = @ccall $(_fn(:quarry_rng_state_advance))(
        state::Ref{RngState}, UInt64(blocks)::UInt64, out::Ref{RngState})::Int32
    _check(status)
    return out[]
end

# Runs call(buffer, n), which fills the n = length(out) elements of `buffer`, and returns
# `out`. The buffer is `out` itself when that is contiguous memory of T (an Array, or a
# strided vector with unit stride), else a temporary Array copied into `out` afterwards.
function _fill!(call, out::AbstractArray{T}, ::Type{T}) where {T}
    direct = out isa Array{T} ||
             (out isa StridedVector{T} && stride(out, 1) == 1 &&
              UInt(pointer(out)) % sizeof(T) == 0)
    buffer = direct ? out : Array{T}(undef, length(out))
    call(buffer, length(out))
    direct || copyto!(out, buffer)
    return out
end

"""
    fill_u32!(out::AbstractArray{UInt32}, state::RngState; offset = 0, ctx) -> out

Fill `out` (in its linear order) with elements `offset`, `offset + 1`, ... of the 32-bit
word stream of `state` (`quarry_rng_fill_u32`): element `i` is word `i mod 4` of block
`i ÷ 4`. `offset` is a position in the stream, counting from 0 (not an array index), so
any part of a stream can be generated on its own and equals that part of the whole.
The result does not depend on the thread count of `ctx`.

Throws a [`QuarryError`](@ref): `QUARRY_ERR_BAD_DIMENSION` for a negative `offset`,
`QUARRY_ERR_SIZE_OVERFLOW` when `offset + length(out)` exceeds `typemax(Int64)`,
`QUARRY_ERR_INVALID_ARGUMENT` for a state that is not valid.
"""
function fill_u32!(out::AbstractArray{UInt32}, state::RngState; offset::Integer = 0,
                   ctx::Union{Context,Nothing} = nothing)
    _with_context(ctx) do cx
        _fill!(out, UInt32) do buffer, n
            status = @ccall $(_fn(:quarry_rng_fill_u32))(
                cx::Ptr{Cvoid}, state::Ref{RngState}, offset::Int64, n::Int64,
                buffer::Ptr{UInt32})::Int32
            _check(status, cx)
        end
    end
    return out
end

"""
    fill_uniform!(out::AbstractArray{Float64}, state::RngState; offset = 0, ctx) -> out

Fill `out` (in its linear order) with elements `offset`, `offset + 1`, ... of the uniform
stream of `state` (`quarry_rng_fill_uniform_f64`), values in the open interval (0, 1):
element `i` takes words `2(i mod 2)` (low) and `2(i mod 2) + 1` (high) of block `i ÷ 2`
as `x = low + 2^32 high` and is `((x >> 12) + 0.5) * 2^-52`. `offset` counts from 0, as
in [`fill_u32!`](@ref); so do the errors. Not `Random.rand!`: these streams are quarry's
own, defined bit for bit (`quarry/rng.h`), and a function of the state alone.
"""
function fill_uniform!(out::AbstractArray{Float64}, state::RngState; offset::Integer = 0,
                       ctx::Union{Context,Nothing} = nothing)
    _with_context(ctx) do cx
        _fill!(out, Float64) do buffer, n
            status = @ccall $(_fn(:quarry_rng_fill_uniform_f64))(
                cx::Ptr{Cvoid}, state::Ref{RngState}, offset::Int64, n::Int64,
                buffer::Ptr{Float64})::Int32
            _check(status, cx)
        end
    end
    return out
end

"""
    fill_normal!(out::AbstractArray{Float64}, state::RngState; offset = 0, ctx) -> out

Fill `out` (in its linear order) with elements `offset`, `offset + 1`, ... of the
standard normal stream of `state` (`quarry_rng_fill_normal_f64`): elements `2j` and
`2j + 1` come from block `j`, by Box-Muller on the uniform elements `2j` (u1) and `2j + 1`
(u2): `sqrt(-2 log u1) cos(2π u2)` and `sqrt(-2 log u1) sin(2π u2)`. `offset` counts from
0, as in [`fill_u32!`](@ref); so do the errors.
"""
function fill_normal!(out::AbstractArray{Float64}, state::RngState; offset::Integer = 0,
                      ctx::Union{Context,Nothing} = nothing)
    _with_context(ctx) do cx
        _fill!(out, Float64) do buffer, n
            status = @ccall $(_fn(:quarry_rng_fill_normal_f64))(
                cx::Ptr{Cvoid}, state::Ref{RngState}, offset::Int64, n::Int64,
                buffer::Ptr{Float64})::Int32
            _check(status, cx)
        end
    end
    return out
end

# The state of the keywords `seed` and `state` (at most one of them; neither: seed 0).
function _rng_state(seed, state::Union{RngState,Nothing})
    seed === nothing || state === nothing ||
        throw(ArgumentError("quarry: pass seed or state, not both"))
    state === nothing || return state
    seed === nothing && return RngState(0)
    seed isa Integer || throw(ArgumentError("quarry: seed must be an integer, got $(repr(seed))"))
    return RngState(seed)
end

# ---------------------------------------------------------------------------------------
# Sketching operators.

_sketch_kind_code(::Nothing) = nothing

function _sketch_kind_code(kind)
    haskey(SKETCH_KINDS, kind) ||
        throw(ArgumentError("quarry: sketch_kind must be one of $(_choices(SKETCH_KINDS)), got $(repr(kind))"))
    return SKETCH_KINDS[kind]
end

"""
    Sketch(kind::Symbol, rows, cols; seed, state, nnz, ctx)

A sketching operator `S` of size `rows × cols` (`quarry_sketch`, `quarry/sketch.h`): a
random matrix, scaled so that `E[S'S] = I`, that compresses the `cols` rows of a tall
matrix `A` into `rows` rows, `S * A`, keeping norms in `A`'s column space. `kind` is one
of `keys(Quarry.SKETCH_KINDS)`: `:gaussian`, `:srht` (subsampled randomized Hadamard),
`:countsketch`, `:sparse_sign` (SJLT / OSNAP, `nnz` non-zeros per column, default
`min(8, rows)`), `:uniform_rows` (a uniform sample of rows; the negative control). The
definitions, part of the ABI, are in `quarry/sketch.h`.

`S` is a pure function of (kind, rows, cols, nnz, random state): the state is `state` (an
[`RngState`](@ref)) or, without one, `RngState(seed)` (`seed` an `Integer`, default 0); give
at most one of them. The same arguments give bitwise the same operator and products for
any thread count. An operator is immutable, so tasks may share it.

- `S * A` ([`apply_left`](@ref)): `A` a dense `cols × n` matrix (or `cols` values) or a
  `SparseMatrixCSC`; returns `rows × n`.
- [`apply_right`](@ref)`(S, A)`: `A * S'` for `A` of `n × cols`, e.g. a sketch of the
  features of data stored one sample per row; returns `n × rows`.
- [`Quarry.columns`](@ref)`(S, j0, w)`: columns `j0:j0+w-1` of `S` explicitly;
  `Matrix(S)` all of them.
- `size(S)` is `(rows, cols)`; [`Quarry.info`](@ref)`(S)` also gives the kind and `nnz`.
- `close(S)` frees it (idempotent; the garbage collector does otherwise).

Throws a [`QuarryError`](@ref): `QUARRY_ERR_BAD_DIMENSION` for sizes the kind does not
allow (`rows > cols` for `:uniform_rows`, say), `QUARRY_ERR_INVALID_ARGUMENT` for an `nnz`
that does not fit or a state that is not valid; `ArgumentError` for an unknown `kind`.
"""
mutable struct Sketch <: _Handle
    ptr::Ptr{Cvoid}
    Sketch(ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

_destroy(S::Sketch) = @ccall $(_fn(:quarry_sketch_destroy))(S.ptr::Ptr{Cvoid})::Cvoid

function Sketch(kind::Symbol, rows::Integer, cols::Integer; seed = nothing,
                state::Union{RngState,Nothing} = nothing, nnz = nothing,
                ctx::Union{Context,Nothing} = nothing)
    code = _sketch_kind_code(kind)
    seed === nothing || state === nothing ||
        throw(ArgumentError("quarry: pass seed or state, not both"))
    # With a state, C reads it (a copy, rooted for the call); without one, C makes the
    # state of the option `seed` (0 when unset), passed as an integer option.
    seed_ptr = state === nothing ? C_NULL : Ref(state)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _with_context(ctx) do cx
        _with_options((; seed, sketch_nnz = nnz)) do opts
            status = @ccall $(_fn(:quarry_sketch_create))(
                cx::Ptr{Cvoid}, code::Int32, rows::Int64, cols::Int64, opts::Ptr{Cvoid},
                seed_ptr::Ptr{RngState}, out::Ref{Ptr{Cvoid}})::Int32
            _check(status, cx)
        end
    end
    return Sketch(out[])
end

"""
    Quarry.info(S::Sketch) -> (; kind, rows, cols, nnz)

The operator's kind (a `Symbol` of `Quarry.SKETCH_KINDS`), size and non-zeros per column
(`k` for the sparse kinds, `rows` for `:gaussian` and `:srht`, 1 for `:uniform_rows`). Not
exported (`info` is a common name): call it `Quarry.info`.
"""
function info(S::Sketch)
    kind, rows, cols, nnz = Ref{Int32}(0), Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0)
    status = @ccall $(_fn(:quarry_sketch_info))(
        S::Ptr{Cvoid}, kind::Ref{Int32}, rows::Ref{Int64}, cols::Ref{Int64},
        nnz::Ref{Int64})::Int32
    _check(status)
    name = findfirst(==(kind[]), SKETCH_KINDS)  # a key of the Dict, or nothing
    return (kind = name === nothing ? Int(kind[]) : name, rows = Int(rows[]),
            cols = Int(cols[]), nnz = Int(nnz[]))
end

function Base.size(S::Sketch)
    i = info(S)
    return (i.rows, i.cols)
end

Base.size(S::Sketch, dim::Integer) = dim <= 2 ? size(S)[dim] : 1

function Base.show(io::IO, S::Sketch)
    if isopen(S)
        i = info(S)
        print(io, "Sketch(", repr(i.kind), ", ", i.rows, " × ", i.cols, ", nnz = ", i.nnz, ")")
    else
        print(io, "Sketch(closed)")
    end
end

"""
    apply_left(S::Sketch, A; ctx) -> S * A
    S * A

The sketch `S * A` (`rows × n`) of `A` (`cols × n`, `cols` the operator's columns), or of a
vector of `cols` values (then a vector of `rows` values).

- A dense `A` is passed as in [`lstsq`](@ref): a `Matrix{Float64}` or a strided view with
  unit row stride as it is (`quarry_sketch_apply_f64`, column-major, the result too);
  `M'` or `transpose(M)` of such an `M` as a row-major matrix over `M`'s memory, without
  a copy (the result is then computed row-major, `n × rows` in memory, and returned as a
  `rows × n` `Matrix`); anything else is converted once.
- A `SparseMatrixCSC` goes as CSR with 64-bit indices (`quarry_sketch_apply_csr_f64`, a
  converted copy, never densified); cost `O(k nnz(A))` for the sparse kinds.

For every kind but `:gaussian` the result is bitwise the same in all these forms; a
Gaussian sketch is applied with GEMM, whose results differ in the last bits between
layouts. `S * A` uses a fresh context; `apply_left` takes `ctx`. Throws
`DimensionMismatch` when `A` does not have `cols` rows, a [`QuarryError`](@ref)
(`QUARRY_ERR_NONFINITE`) when `A` holds a NaN or an infinity that reaches the result.
"""
function apply_left(S::Sketch, A::AbstractVecOrMat; ctx::Union{Context,Nothing} = nothing)
    rows, cols = size(S)
    m, n = size(A, 1), size(A, 2)
    m == cols || throw(DimensionMismatch(
        "quarry: the sketch is $rows × $cols, so A needs $cols rows, got $(size(A))"))
    if A isa AbstractVector
        Ad, lda = _dense(A)
        layout = _COL_MAJOR
        B, ldb, finish = zeros(rows), max(rows, 1), identity
    else
        Ad, layout, lda = _matrix(A)
        # B in A's layout: rows × n column-major, or, row-major, the n × rows buffer
        # transposed at the end (one column: the same memory either way).
        B, ldb, finish = _solution(layout, rows, n, false)
    end
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sketch_apply_f64))(
            cx::Ptr{Cvoid}, S::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64,
            Ad::Ptr{Float64}, lda::Int64, B::Ptr{Float64}, ldb::Int64)::Int32
        _check(status, cx)
    end
    return finish(B)
end

function apply_left(S::Sketch, A::AbstractSparseMatrixCSC; ctx::Union{Context,Nothing} = nothing)
    rows, cols = size(S)
    m, n = size(A)
    m == cols || throw(DimensionMismatch(
        "quarry: the sketch is $rows × $cols, so A needs $cols rows, got $(size(A))"))
    row_ptr, col_idx, val = _csr(A)
    B = zeros(rows, n)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sketch_apply_csr_f64))(
            cx::Ptr{Cvoid}, S::Ptr{Cvoid}, m::Int64, n::Int64, row_ptr::Ptr{Int64},
            col_idx::Ptr{Int64}, val::Ptr{Float64}, _COL_MAJOR::Int32, B::Ptr{Float64},
            max(rows, 1)::Int64)::Int32
        _check(status, cx)
    end
    return B
end

Base.:*(S::Sketch, A::AbstractVecOrMat) = apply_left(S, A)
Base.:*(S::Sketch, A::AbstractSparseMatrixCSC) = apply_left(S, A)

"""
    apply_right(S::Sketch, A; ctx) -> A * S'

The sketch of the rows of `A` (`n × cols`, `cols` the operator's columns): `A * S'`,
`n × rows` (`quarry_sketch_apply_right_f64`; bitwise `permutedims(S * permutedims(A))`
for every kind but `:gaussian`). `A` is passed as in [`apply_left`](@ref): dense
column-major as it is, a transpose row-major without a copy (the result through an
`rows × n` buffer), a `SparseMatrixCSC` as CSR (`quarry_sketch_apply_right_csr_f64`).
Throws `DimensionMismatch` when `A` does not have `cols` columns.
"""
function apply_right(S::Sketch, A::AbstractMatrix; ctx::Union{Context,Nothing} = nothing)
    rows, cols = size(S)
    n, m = size(A)
    m == cols || throw(DimensionMismatch(
        "quarry: the sketch is $rows × $cols, so A needs $cols columns, got $(size(A))"))
    Ad, layout, lda = _matrix(A)
    # B (n × rows) in A's layout, as in apply_left.
    B, ldb, finish = _solution(layout, n, rows, false)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sketch_apply_right_f64))(
            cx::Ptr{Cvoid}, S::Ptr{Cvoid}, layout::Int32, n::Int64, m::Int64,
            Ad::Ptr{Float64}, lda::Int64, B::Ptr{Float64}, ldb::Int64)::Int32
        _check(status, cx)
    end
    return finish(B)
end

function apply_right(S::Sketch, A::AbstractSparseMatrixCSC; ctx::Union{Context,Nothing} = nothing)
    rows, cols = size(S)
    n, m = size(A)
    m == cols || throw(DimensionMismatch(
        "quarry: the sketch is $rows × $cols, so A needs $cols columns, got $(size(A))"))
    row_ptr, col_idx, val = _csr(A)  # increasing column indices within each row
    B = zeros(n, rows)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sketch_apply_right_csr_f64))(
            cx::Ptr{Cvoid}, S::Ptr{Cvoid}, n::Int64, m::Int64, row_ptr::Ptr{Int64},
            col_idx::Ptr{Int64}, val::Ptr{Float64}, _COL_MAJOR::Int32, B::Ptr{Float64},
            max(n, 1)::Int64)::Int32
        _check(status, cx)
    end
    return B
end

"""
    Quarry.columns(S::Sketch, j0::Integer, w::Integer; ctx) -> Matrix{Float64}
    Matrix(S::Sketch)

Columns `j0`, ..., `j0 + w - 1` of `S` explicitly, a `rows × w` matrix
(`quarry_sketch_columns_f64`; `j0` is 1-based, as everywhere in Julia): to inspect an
operator or hand it to another library. Costs about as much as applying `S` to `w`
columns. `Matrix(S)` is all `cols` columns. Throws a [`QuarryError`](@ref)
(`QUARRY_ERR_BAD_DIMENSION`, with C's 0-based column in the message) when the range
leaves `1:cols`. Not exported (it would collide with `Tables.columns`): call it
`Quarry.columns`.
"""
function columns(S::Sketch, j0::Integer, w::Integer; ctx::Union{Context,Nothing} = nothing)
    w >= 0 || throw(ArgumentError("quarry: w = $w columns must be >= 0"))
    rows = size(S, 1)
    j = Int64(j0) - 1  # C's columns count from 0
    out = zeros(rows, w)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sketch_columns_f64))(
            cx::Ptr{Cvoid}, S::Ptr{Cvoid}, j::Int64, w::Int64, _COL_MAJOR::Int32,
            out::Ptr{Float64}, max(rows, 1)::Int64)::Int32
        _check(status, cx)
    end
    return out
end

Base.Matrix(S::Sketch) = columns(S, 1, size(S, 2))

# ---------------------------------------------------------------------------------------
# Leverage scores and sampling.

"""
    leverage_scores(A; approx = false, ridge, sketch_rows, sketch_kind, seed, ctx)
        -> Vector{Float64}

The leverage scores of the rows of the dense `m × n` matrix `A` (`quarry_leverage_scores_f64`):
score `i` is the squared norm of row `i` of an orthonormal basis of `A`'s column space,
in [0, 1], summing to `rank(A)`. Sampling rows in proportion to them
([`sample_weighted`](@ref)) keeps a least-squares problem's geometry. `A` is passed as in
[`lstsq`](@ref) (a transpose without a copy: for data stored one sample per column,
`X` of `d × N`, the scores of the samples are `leverage_scores(X')`).

- `approx = false`: exact, from a thin QR of a copy of `A` (an SVD when `A` is numerically
  rank deficient; the scores then sum to that rank).
- `approx = true`: sketched (Drineas, Magdon-Ismail, Mahoney and Woodruff, 2012), within a
  factor 2 of the exact scores on nearly every row; `sketch_rows` (default
  `min(m, 20n)`), `sketch_kind` (a `Symbol` of `Quarry.SKETCH_KINDS`, default
  `:sparse_sign`) and `seed` (an `Integer`, default 0) shape the sketch.
- `ridge` (λ ≥ 0): ridge leverage scores `aᵢ' (A'A + λI)⁻¹ aᵢ`.

Throws a [`QuarryError`](@ref) (`QUARRY_ERR_NONFINITE` for a NaN in `A`,
`QUARRY_ERR_INVALID_ARGUMENT` for an option out of range for this problem, ...) and
`ArgumentError` for a bad option or a sparse `A` (dense only).
"""
function leverage_scores(A::AbstractMatrix; approx::Bool = false, ridge = nothing,
                         sketch_rows = nothing, sketch_kind = nothing, seed = nothing,
                         ctx::Union{Context,Nothing} = nothing)
    settings = merge(_leverage_settings(approx, sketch_rows, sketch_kind, seed), (; ridge))
    m, n = size(A)
    Ad, layout, lda = _matrix(A)
    scores = zeros(m)
    _with_context(ctx) do cx
        _with_options(settings) do opts
            status = @ccall $(_fn(:quarry_leverage_scores_f64))(
                cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64},
                lda::Int64, opts::Ptr{Cvoid}, scores::Ptr{Float64})::Int32
            _check(status, cx)
        end
    end
    return scores
end

leverage_scores(A::AbstractSparseMatrixCSC; kwargs...) = throw(ArgumentError(
    "quarry: leverage_scores takes a dense A (quarry_leverage_scores_f64 is dense only); pass Matrix(A)"))

# The options of leverage scores (of leverage_scores, and of every round of Lewis weights).
_leverage_settings(approx::Bool, sketch_rows, sketch_kind, seed) =
    (; leverage_method = approx ? _LEVERAGE_APPROX : _LEVERAGE_EXACT, sketch_rows,
     sketch_kind = _sketch_kind_code(sketch_kind), seed)

"""
    lewis_weights(A, p; approx = false, sketch_rows, sketch_kind, seed, tol, maxiter, ctx)
        -> (weights, report)

The l_p Lewis weights of the rows of the dense `m × n` matrix `A`
(`quarry_lewis_weights_f64`, `quarry/sampling.h`): the `w > 0` with
`wᵢ = (aᵢ' (A' W^(1 - 2/p) A)⁻¹ aᵢ)^(p/2)`, `W = Diagonal(w)`, i.e. the leverage scores of
`W^(1/2 - 1/p) A`. They sum to `rank(A)`, are the leverage scores for `p = 2`, and are
the weights of l_p row sampling (rows sampled in proportion to them preserve `‖A x‖ₚ`
for every `x`) and of [`active_regression`](@ref); zero rows get 0. `p` is finite and
`> 0`. `A` is passed as in [`lstsq`](@ref) (a transpose without a copy).

Computed by the fixed-point iteration of Cohen and Peng, one leverage-score computation a
round, started at the leverage scores (damped for `p > 2`). Options (`nothing`: the
library's default): `approx`, `sketch_rows`, `sketch_kind` and `seed` as in
[`leverage_scores`](@ref), for every round (with `approx = true` the weights are within
about a factor 2 of the exact ones, and the rounds a budget, 10 by default, whose end is
no error); `tol` (the fixed-point residual at which to stop, relative to each weight,
default 1e-10); `maxiter` (an `Integer`: rounds, default 100). Lewis weights have no
ridge. The report: `"QUARRY_REPORT_ITERATIONS"` (rounds), `"QUARRY_REPORT_RANK"` (the
weights' sum), `"QUARRY_REPORT_RESIDUAL_NORM"` (the last fixed-point residual),
`"QUARRY_REPORT_SECONDS"`.

Throws a [`QuarryError`](@ref) (`QUARRY_ERR_INVALID_ARGUMENT` for `p` or an option out of
range, `QUARRY_ERR_NONFINITE` for a NaN in `A`, ...), a [`NoConvergence`](@ref) carrying
the last round's weights (`err.x`) and its report when `maxiter` rounds were not enough,
`ArgumentError` for a bad option or a sparse `A` (dense only).
"""
function lewis_weights(A::AbstractMatrix, p::Real; approx::Bool = false, sketch_rows = nothing,
                       sketch_kind = nothing, seed = nothing, tol = nothing, maxiter = nothing,
                       ctx::Union{Context,Nothing} = nothing)
    settings = merge(_leverage_settings(approx, sketch_rows, sketch_kind, seed), (; tol, maxiter))
    m, n = size(A)
    Ad, layout, lda = _matrix(A)
    p64 = Float64(p)
    W = zeros(m)
    call = (cx, opts, report) -> @ccall $(_fn(:quarry_lewis_weights_f64))(
        cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64}, lda::Int64,
        p64::Float64, W::Ptr{Float64}, opts::Ptr{Cvoid}, report::Ref{Ptr{Cvoid}})::Int32
    return _solve(call, W, settings, ctx)
end

lewis_weights(A::AbstractSparseMatrixCSC, p::Real; kwargs...) = throw(ArgumentError(
    "quarry: lewis_weights takes a dense A (quarry_lewis_weights_f64 is dense only); pass Matrix(A)"))

"""
    row_norms_squared(A; ctx) -> Vector{Float64}

The squared Euclidean norm of each row of the dense `m × n` matrix `A`
(`quarry_row_norms_squared_f64`): the weights of length-squared row sampling. `A` is
passed as in [`lstsq`](@ref); the result is bitwise the same for `A` and a transpose
holding the same values. Throws a [`QuarryError`](@ref) (`QUARRY_ERR_NONFINITE`) for a
NaN or infinity in `A`, `ArgumentError` for a sparse `A`.
"""
function row_norms_squared(A::AbstractMatrix; ctx::Union{Context,Nothing} = nothing)
    m, n = size(A)
    Ad, layout, lda = _matrix(A)
    out = zeros(m)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_row_norms_squared_f64))(
            cx::Ptr{Cvoid}, layout::Int32, m::Int64, n::Int64, Ad::Ptr{Float64}, lda::Int64,
            out::Ptr{Float64})::Int32
        _check(status, cx)
    end
    return out
end

row_norms_squared(A::AbstractSparseMatrixCSC; kwargs...) = throw(ArgumentError(
    "quarry: row_norms_squared takes a dense A (quarry_row_norms_squared_f64 is dense only); pass Matrix(A)"))

"""
    sample_weighted(weights, count; replace = true, seed, state, ctx)
        -> (indices::Vector{Int64}, scales::Vector{Float64})

Draw `count` of the `m = length(weights)` rows with probability proportional to
`weights` (`quarry_sample_weighted`; `m` finite values ≥ 0 with a positive sum, e.g.
[`leverage_scores`](@ref) or [`row_norms_squared`](@ref)). Returns the 1-based indices,
in increasing order, and their rescaling factors: the sampled rows `A[indices, :]`, each
multiplied by its factor (`scales .* A[indices, :]`), form `S A` with `E[S'S] = I`.

- `replace = true`: `count` independent draws with `pᵢ = wᵢ / sum(w)`, factor
  `1 / sqrt(count pᵢ)`; an index may repeat.
- `replace = false`: `count` distinct rows, row `i` included with probability
  `πᵢ = min(1, c wᵢ)` (`c` such that they sum to `count`), factor `1 / sqrt(πᵢ)`.
  `count` may not exceed the number of positive weights.

The random state is `state` (an [`RngState`](@ref)) or `RngState(seed)` (default seed
0); give at most one of them. The same state and weights give the same sample for any
thread count. Throws a [`QuarryError`](@ref): `QUARRY_ERR_BAD_DIMENSION` (no weights, or
more distinct rows asked than there are positive weights), `QUARRY_ERR_INVALID_ARGUMENT`
(a negative or non-finite weight, a zero sum); `ArgumentError` for a negative `count`.
"""
function sample_weighted(weights::AbstractVector{<:Real}, count::Integer; replace::Bool = true,
                         seed = nothing, state::Union{RngState,Nothing} = nothing,
                         ctx::Union{Context,Nothing} = nothing)
    count >= 0 || throw(ArgumentError("quarry: count = $count must be >= 0"))
    rng = _rng_state(seed, state)
    m = length(weights)
    w, _ = _dense(weights; contiguous = true)
    indices, scales = zeros(Int64, count), zeros(count)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sample_weighted))(
            cx::Ptr{Cvoid}, m::Int64, w::Ptr{Float64}, count::Int64, Int32(replace)::Int32,
            rng::Ref{RngState}, indices::Ptr{Int64}, scales::Ptr{Float64})::Int32
        _check(status, cx)
    end
    indices .+= 1  # C's indices count from 0
    return indices, scales
end

"""
    SampleTree(weights; ctx)
    SampleTree(m::Integer; ctx)

A dynamic sampling tree (`quarry_sample_tree`, `quarry/sampling.h`): `m` weights ≥ 0 (a
copy of `weights`, or `m` zeros), each updated in O(log m), and draws of index `i` with
probability `wᵢ / total` in O(log m) each. Inner nodes are recomputed on every update, so
sums never drift.

- `tree[i]` is weight `i` (1-based), `tree[i] = w` sets it, [`Quarry.update!`](@ref)
  sets several; `length(tree)` is `m`; [`Quarry.total`](@ref)`(tree)` the sum; iterating
  gives the weights in order.
- [`Quarry.sample`](@ref)`(tree, count; seed, state)` draws.
- `close(tree)` frees it (idempotent; the garbage collector does otherwise).

A tree must not be updated by two tasks at once; draws from several tasks on a tree
nobody updates are safe. Throws a [`QuarryError`](@ref): `QUARRY_ERR_BAD_DIMENSION` for
`m` outside `1:2^40`, `QUARRY_ERR_INVALID_ARGUMENT` for a negative or non-finite weight.
"""
mutable struct SampleTree <: _Handle
    ptr::Ptr{Cvoid}
    SampleTree(ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

_destroy(tree::SampleTree) =
    @ccall $(_fn(:quarry_sample_tree_destroy))(tree.ptr::Ptr{Cvoid})::Cvoid

# Creates a tree of m weights from `w` (m Float64 values, or C_NULL: all 0).
function _sample_tree(m::Integer, w, ctx)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sample_tree_create))(
            cx::Ptr{Cvoid}, m::Int64, w::Ptr{Float64}, out::Ref{Ptr{Cvoid}})::Int32
        _check(status, cx)
    end
    return SampleTree(out[])
end

SampleTree(weights::AbstractVector{<:Real}; ctx::Union{Context,Nothing} = nothing) =
    _sample_tree(length(weights), _dense(weights; contiguous = true)[1], ctx)

SampleTree(m::Integer; ctx::Union{Context,Nothing} = nothing) = _sample_tree(m, C_NULL, ctx)

# (m, total, weight i) of the tree; i is C's (0-based) index, read only when `weight`.
function _tree_get(tree::SampleTree, i::Integer = 0; weight::Bool = false)
    m, total, w = Ref{Int64}(0), Ref{Float64}(0.0), Ref{Float64}(0.0)
    wptr = weight ? w : C_NULL
    status = @ccall $(_fn(:quarry_sample_tree_get))(
        tree::Ptr{Cvoid}, m::Ref{Int64}, total::Ref{Float64}, i::Int64,
        wptr::Ptr{Float64})::Int32
    _check(status)
    return (Int(m[]), total[], w[])
end

Base.length(tree::SampleTree) = _tree_get(tree)[1]
Base.firstindex(tree::SampleTree) = 1
Base.lastindex(tree::SampleTree) = length(tree)
Base.eltype(::Type{SampleTree}) = Float64
Base.iterate(tree::SampleTree, i::Int = 1) = i > length(tree) ? nothing : (tree[i], i + 1)

"""
    Quarry.total(tree::SampleTree) -> Float64

The sum of the tree's weights. Not exported (a common name): call it `Quarry.total`.
"""
total(tree::SampleTree) = _tree_get(tree)[2]

function Base.getindex(tree::SampleTree, i::Integer)
    1 <= i <= length(tree) || throw(BoundsError(tree, i))
    return _tree_get(tree, Int64(i) - 1; weight = true)[3]
end

function Base.setindex!(tree::SampleTree, w::Real, i::Integer)
    update!(tree, i, w)
    return tree
end

function Base.show(io::IO, tree::SampleTree)
    if isopen(tree)
        m, t, _ = _tree_get(tree)
        print(io, "SampleTree(", m, " weights, total = ", t, ")")
    else
        print(io, "SampleTree(closed)")
    end
end

"""
    Quarry.update!(tree::SampleTree, i, w; ctx) -> tree

Set weight `i` (1-based) to `w`, or, with vectors `i` and `w` of the same length, weight
`i[t]` to `w[t]` in order (`quarry_sample_tree_update`), each in O(log m). Every index is
checked first (`BoundsError`, nothing set); a negative or non-finite weight, or one that
makes the total overflow, throws a [`QuarryError`](@ref) (`QUARRY_ERR_INVALID_ARGUMENT`)
with the entries before it set and the rest not. `tree[i] = w` is the same for one
weight. Not exported (a common name): call it `Quarry.update!`.
"""
function update!(tree::SampleTree, i::AbstractVector{<:Integer}, w::AbstractVector{<:Real};
                 ctx::Union{Context,Nothing} = nothing)
    count = length(i)
    length(w) == count || throw(DimensionMismatch(
        "quarry: $count indices but $(length(w)) weights"))
    m = length(tree)
    for k in i
        1 <= k <= m || throw(BoundsError(tree, k))
    end
    index = Int64[k - 1 for k in i]  # C's indices count from 0
    weight = Vector{Float64}(w)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sample_tree_update))(
            cx::Ptr{Cvoid}, tree::Ptr{Cvoid}, count::Int64, index::Ptr{Int64},
            weight::Ptr{Float64})::Int32
        _check(status, cx)
    end
    return tree
end

update!(tree::SampleTree, i::Integer, w::Real; ctx::Union{Context,Nothing} = nothing) =
    update!(tree, [i], [w]; ctx)

"""
    Quarry.sample(tree::SampleTree, count; seed, state, ctx)
        -> (indices::Vector{Int64}, probs::Vector{Float64})

`count` independent draws (`quarry_sample_tree_sample`): the 1-based indices in draw order
and each draw's probability `wᵢ / total`. Draw `t` uses the uniform element `t` of the
stream of `state` (an [`RngState`](@ref)) or of `RngState(seed)` (default seed 0); give
at most one of them. Throws a [`QuarryError`](@ref) (`QUARRY_ERR_INVALID_ARGUMENT`) when
every weight is 0, `ArgumentError` for a negative `count`. Not exported (it would collide
with `StatsBase.sample`): call it `Quarry.sample`.
"""
function sample(tree::SampleTree, count::Integer; seed = nothing,
                state::Union{RngState,Nothing} = nothing, ctx::Union{Context,Nothing} = nothing)
    count >= 0 || throw(ArgumentError("quarry: count = $count must be >= 0"))
    rng = _rng_state(seed, state)
    indices, probs = zeros(Int64, count), zeros(count)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_sample_tree_sample))(
            cx::Ptr{Cvoid}, tree::Ptr{Cvoid}, rng::Ref{RngState}, count::Int64,
            indices::Ptr{Int64}, probs::Ptr{Float64})::Int32
        _check(status, cx)
    end
    indices .+= 1  # C's indices count from 0
    return indices, probs
end

# ---------------------------------------------------------------------------------------
# ReLU networks.

"""
    ReluNet(W, b, A, skip = nothing, c0 = nothing; ctx)

A one-hidden-layer ReLU network `F(x) = A relu.(W x + b) + skip x + c0` from `R^d` to
`R^c` with `k` hidden neurons: `W` is `k × d`, `b` has `k` values, `A` is `c × k`, `skip`
is `c × d` (`nothing`: none) and `c0` has `c` values (`nothing`: zeros). The weights are
copied; the network is immutable, so tasks may share it.

- `net(X)` evaluates it on the columns of a `d × n` matrix and returns `c × n` outputs;
  `net(x)` on one input of `d` values returns `c` values (keyword `ctx` as everywhere).
- [`Quarry.dims`](@ref)`(net)` is `(d, k, c)`; [`Quarry.weights`](@ref) copies the
  weights out (both unexported, so call them qualified: their names are common ones);
  [`save_relu_net`](@ref) and [`load_relu_net`](@ref) use quarry's JSON format.
- `close(net)` frees it (idempotent; the garbage collector does otherwise).

Throws `DimensionMismatch` when a shape does not fit `W` and `A`, and a
[`QuarryError`](@ref) (`QUARRY_ERR_NONFINITE`) for a NaN or infinite weight.
"""
mutable struct ReluNet <: _Handle
    ptr::Ptr{Cvoid}
    ReluNet(ptr::Ptr{Cvoid}) = finalizer(close, new(ptr))
end

_destroy(net::ReluNet) = @ccall $(_fn(:quarry_relu_net_destroy))(net.ptr::Ptr{Cvoid})::Cvoid

# quarry takes matrices row-major: a matrix's row-major storage is its transpose's
# column-major storage.
_rowmajor(M::AbstractMatrix) = Matrix{Float64}(transpose(M))

function ReluNet(W::AbstractMatrix, b::AbstractVector, A::AbstractMatrix,
                 skip::Union{AbstractMatrix,Nothing} = nothing,
                 c0::Union{AbstractVector,Nothing} = nothing;
                 ctx::Union{Context,Nothing} = nothing)
    k, d = size(W)
    c = size(A, 1)
    for (name, value, want) in (("b", b, (k,)), ("A", A, (c, k)), ("skip", skip, (c, d)),
                                ("c0", c0, (c,)))
        value === nothing || size(value) == want || throw(DimensionMismatch(
            "quarry: $name must have size $want (W is $k×$d, A has $c rows), got $(size(value))"))
    end
    w, bias, a = _rowmajor(W), Vector{Float64}(b), _rowmajor(A)
    s = skip === nothing ? C_NULL : _rowmajor(skip)
    offset = c0 === nothing ? C_NULL : Vector{Float64}(c0)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_relu_net_create_f64))(
            cx::Ptr{Cvoid}, d::Int64, k::Int64, c::Int64, w::Ptr{Float64}, bias::Ptr{Float64},
            a::Ptr{Float64}, s::Ptr{Float64}, offset::Ptr{Float64}, out::Ref{Ptr{Cvoid}})::Int32
        _check(status, cx)
    end
    return ReluNet(out[])
end

"""
    Quarry.dims(net::ReluNet) -> (d, k, c)

The network's inputs `d`, hidden neurons `k` and outputs `c`. Not exported (`dims` is a
common name; a network is not an array, so it is not `size`): call it `Quarry.dims`.
"""
function dims(net::ReluNet)
    d, k, c = Ref{Int64}(0), Ref{Int64}(0), Ref{Int64}(0)
    status = @ccall $(_fn(:quarry_relu_net_dims))(
        net::Ptr{Cvoid}, d::Ref{Int64}, k::Ref{Int64}, c::Ref{Int64})::Int32
    _check(status)
    return (Int(d[]), Int(k[]), Int(c[]))
end

function Base.show(io::IO, net::ReluNet)
    if isopen(net)
        d, k, c = dims(net)
        print(io, "ReluNet(d = ", d, ", k = ", k, ", c = ", c, ")")
    else
        print(io, "ReluNet(closed)")
    end
end

"""
    Quarry.weights(net::ReluNet) -> (; W, b, A, skip, c0)

Copies of the network's weights, shaped as [`ReluNet`](@ref) takes them: `W` (`k × d`),
`b` (`k`), `A` (`c × k`), `skip` (`c × d`, zeros when the network has none), `c0` (`c`).
Not exported (it would collide with `StatsBase.weights`): call it `Quarry.weights`.
"""
function weights(net::ReluNet)
    d, k, c = dims(net)
    # Filled row-major by the library: d × k here is W (k × d) row-major, and so on.
    w, b, a, s, c0 = zeros(d, k), zeros(k), zeros(k, c), zeros(d, c), zeros(c)
    status = @ccall $(_fn(:quarry_relu_net_get_f64))(
        net::Ptr{Cvoid}, w::Ptr{Float64}, b::Ptr{Float64}, a::Ptr{Float64}, s::Ptr{Float64},
        c0::Ptr{Float64})::Int32
    _check(status)
    return (W = permutedims(w), b = b, A = permutedims(a), skip = permutedims(s), c0 = c0)
end

function (net::ReluNet)(X::AbstractVecOrMat; ctx::Union{Context,Nothing} = nothing)
    d, _, c = dims(net)
    size(X, 1) == d || throw(DimensionMismatch(
        "quarry: the network takes $d inputs (one point per column), got an input of size $(size(X))"))
    n = size(X, 2)
    # A d × n column-major matrix is the n × d row-major one quarry reads: no transpose.
    Xd, _ = _dense(X; contiguous = true)
    Y = X isa AbstractVector ? zeros(c) : zeros(c, n)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_relu_net_eval_f64))(
            cx::Ptr{Cvoid}, net::Ptr{Cvoid}, n::Int64, Xd::Ptr{Float64}, Y::Ptr{Float64})::Int32
        _check(status, cx)
    end
    return Y
end

"""
    save_relu_net(path, net::ReluNet; ctx)

Save the network to the file `path` in quarry's JSON format ("quarry-relu-net", version
1), whose doubles read back bit for bit. The file is written beside `path` and renamed
over it, so readers never see half a file. Throws a [`QuarryError`](@ref)
(`QUARRY_ERR_IO`) when it cannot be written.
"""
function save_relu_net(path::AbstractString, net::ReluNet; ctx::Union{Context,Nothing} = nothing)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_relu_net_save))(
            cx::Ptr{Cvoid}, net::Ptr{Cvoid}, path::Cstring)::Int32
        _check(status, cx)
    end
    return nothing
end

"""
    load_relu_net(path; ctx) -> ReluNet

Load a network saved by [`save_relu_net`](@ref) (or by any program writing quarry's
format). Throws a [`QuarryError`](@ref): `QUARRY_ERR_IO` when the file cannot be read,
`QUARRY_ERR_FORMAT` (naming the field) when it does not hold such a network.
"""
function load_relu_net(path::AbstractString; ctx::Union{Context,Nothing} = nothing)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _with_context(ctx) do cx
        status = @ccall $(_fn(:quarry_relu_net_load))(
            cx::Ptr{Cvoid}, path::Cstring, out::Ref{Ptr{Cvoid}})::Int32
        _check(status, cx)
    end
    return ReluNet(out[])
end

"""
    ExtractionIncomplete <: AbstractQuarryError

[`extract_relu1`](@ref) stopped early: the query budget ran out (`QUARRY_ERR_BUDGET`), or
the copy's estimated relative error is above 1e-3 (`QUARRY_ERR_NO_CONVERGENCE`: a black
box noisier or less precise than the extraction handles). `err.net` is the partial or
inaccurate copy (a [`ReluNet`](@ref)), `err.report` the report.
"""
struct ExtractionIncomplete <: AbstractQuarryError
    status::Int32
    name::String
    message::String
    net::ReluNet
    report::Dict{String,Any}
end

ExtractionIncomplete(status::Integer, message::AbstractString, net::ReluNet,
                     report::Dict{String,Any}) =
    ExtractionIncomplete(Int32(status), _status_name(status), String(message), net, report)

# ---------------------------------------------------------------------------------------
# Extraction.

# The quarry_oracle_fn handed to quarry_extract_relu1 (see _callback): it finds the oracle
# through `user_data`, a pointer to the _OracleState that extract_relu1 keeps alive.
function _answer_queries(n::Int64, d::Int64, x::Ptr{Float64}, c::Int64, y::Ptr{Float64},
                         user_data::Ptr{Cvoid})::Int32
    state = unsafe_pointer_to_objref(user_data)::_OracleState
    return _callback(state) do
        # C's n × d row-major batch read column-major is d × n: one query per column. The
        # oracle gets a copy, which it may keep after the call.
        X = copy(unsafe_wrap(Array, x, (Int(d), Int(n))))
        Y = state.oracle(X)
        fits = Y isa AbstractMatrix ? size(Y) == (c, n) :
               Y isa AbstractVector && c == 1 && length(Y) == n
        fits || throw(DimensionMismatch(
            "quarry: the oracle answered a $(summary(Y)) for a batch of $n queries with $c " *
            "outputs; expected a $c×$n matrix (one column per query)"))
        # quarry's n × c row-major answer is, column-major, c × n: Y's linear order.
        copyto!(unsafe_wrap(Array, y, (Int(c), Int(n))), Y)
    end
end

"""
    extract_relu1(oracle, d, c; seed, budget, noise, lower, upper, refine, ctx)
        -> (net::ReluNet, report)

Copy a one-hidden-layer ReLU network `F: R^d → R^c` from value queries alone
(`quarry_extract_relu1`, algorithm in `docs/extract.md`). `oracle(X)` answers a batch:
`X` is a `d × n` `Matrix{Float64}` holding one query per column (a copy the oracle may
keep), and the answer is a `c × n` matrix, one output column per query (for `c == 1` a
vector of `n` values also does). `oracle` may be any callable, e.g. a [`ReluNet`](@ref).
It is called on the calling thread, inside the C call: it must not use the same `ctx`.
A [`NetOracle`](@ref) (a simulated black box) is not called back: its method below hands
it to quarry in C.

Options (`nothing`: the library's default): `seed` (an `Integer`: the same seed and
oracle give the same copy and query count), `budget` (the most queries), `noise` (the
oracle's output noise, if known), `lower` and `upper` (a box every query stays in: one
bound for every input, or `d` bounds), `refine` (`true`: re-measure every neuron).

Returns the copy and the report (`"QUARRY_REPORT_QUERIES"`, `"QUARRY_REPORT_NEURONS"`,
`"QUARRY_REPORT_RELATIVE_ERROR"`, ...). Throws [`ExtractionIncomplete`](@ref) carrying
the partial copy when the budget ran out or the copy's estimated error is above 1e-3,
and a [`QuarryError`](@ref) otherwise; when the oracle threw, that error is
`QUARRY_ERR_ORACLE` and its `cause` holds the oracle's exception and backtrace (an
`InterruptException` is rethrown as it is).
"""
function extract_relu1(oracle, d::Integer, c::Integer; seed = nothing, budget = nothing,
                       noise = nothing, lower = nothing, upper = nothing, refine = nothing,
                       ctx::Union{Context,Nothing} = nothing)
    settings = (; seed, budget, noise, lower, upper, refine)
    state = _OracleState(oracle, nothing, nothing)
    answer = @cfunction(_answer_queries, Int32,
                        (Int64, Int64, Ptr{Float64}, Int64, Ptr{Float64}, Ptr{Cvoid}))
    status, message, net, report = GC.@preserve state begin
        _extract(answer, pointer_from_objref(state), d, c, settings, ctx)
    end
    state.error === nothing || net === nothing || close(net)
    _throw_oracle_error(state, status, message)
    return _extraction_result(status, message, net, report)
end

# Runs quarry_extract_relu1 with the C oracle function `answer` and its `user_data` (a
# pointer, or a handle that converts to one, which @ccall then keeps alive; a pointer's
# target the caller keeps alive), and returns (status, message, net or nothing, report).
function _extract(answer::Ptr{Cvoid}, user_data, d::Integer, c::Integer,
                  settings::NamedTuple, ctx)
    out, report_ref = Ref{Ptr{Cvoid}}(C_NULL), Ref{Ptr{Cvoid}}(C_NULL)
    status, message = _with_context(ctx) do cx
        _with_options(settings) do opts
            code = @ccall $(_fn(:quarry_extract_relu1))(
                cx::Ptr{Cvoid}, d::Int64, c::Int64, answer::Ptr{Cvoid},
                user_data::Ptr{Cvoid}, opts::Ptr{Cvoid}, out::Ref{Ptr{Cvoid}},
                report_ref::Ref{Ptr{Cvoid}})::Int32
            (code, _message(cx))
        end
    end
    # The network first: owned by its finalizer, it cannot leak if reading the report throws.
    net = out[] == C_NULL ? nothing : ReluNet(out[])
    report = _report(report_ref[])
    return status, message, net, report
end

# (net, report) of an extraction that returned `status`, or the error it means.
function _extraction_result(status, message, net, report)
    if net !== nothing &&
       status in (QUARRY_ERR_BUDGET, QUARRY_ERR_CALLBACK_ABORTED, QUARRY_ERR_NO_CONVERGENCE)
        throw(ExtractionIncomplete(status, message, net, report))
    end
    if status != QUARRY_OK
        net === nothing || close(net)
        throw(QuarryError(status, message))
    end
    return net, report
end

# ---------------------------------------------------------------------------------------
# Simulated black boxes.

"""
    NetOracle(net::ReluNet; float32 = false, noise, rounding, seed, ctx)

A simulated black box over (a copy of) `net` (`quarry_net_oracle`, `quarry/extract.h`): it
answers queries the way a deployed, possibly defended or low-precision, network would,
and counts them, so that extraction can be tried and measured without a real one.

- `float32 = true`: evaluate with `Float32` weights and arithmetic, as a float32
  deployment would (answers within about 1e-6 relative of `net`'s).
- `noise` (σ ≥ 0): add fresh `N(0, σ²)` noise to every output; the noise of output `j` of
  the `q`-th query (both counted from 0) is element `q c + j` of the normal stream of
  `RngState(seed)` (`seed` an `Integer`, default 0), so a run is reproducible.
- `rounding` (a quantum ≥ 0): round every output to a multiple of it (after the noise),
  as a rounding defence would.

`oracle(X)` answers the columns of a `d × n` matrix with a `c × n` one (one input of `d`
values: `c` values), as `net(X)` does, by calling `quarry_net_oracle_eval` directly;
[`queries`](@ref)`(oracle)` is the number of queries answered so far (every column of
every batch). [`extract_relu1`](@ref)`(oracle)` copies the network from it with no Julia
callback: quarry calls `quarry_net_oracle_eval` itself. The black box counts and owns a
noise stream, so it is mutable: one task at a time. `close(oracle)` frees it
(idempotent; the garbage collector does otherwise).

Throws a [`QuarryError`](@ref) for an option out of range (a negative `noise`, say).
"""
mutable struct NetOracle <: _Handle
    ptr::Ptr{Cvoid}
    d::Int  # inputs of the network
    c::Int  # outputs
    NetOracle(ptr::Ptr{Cvoid}, d::Integer, c::Integer) = finalizer(close, new(ptr, d, c))
end

_destroy(oracle::NetOracle) =
    @ccall $(_fn(:quarry_net_oracle_destroy))(oracle.ptr::Ptr{Cvoid})::Cvoid

function NetOracle(net::ReluNet; float32::Bool = false, noise = nothing, rounding = nothing,
                   seed = nothing, ctx::Union{Context,Nothing} = nothing)
    d, _, c = dims(net)
    settings = (; float32, oracle_noise = noise, rounding, seed)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _with_context(ctx) do cx
        _with_options(settings) do opts
            status = @ccall $(_fn(:quarry_net_oracle_create))(
                cx::Ptr{Cvoid}, net::Ptr{Cvoid}, opts::Ptr{Cvoid}, out::Ref{Ptr{Cvoid}})::Int32
            _check(status, cx)
        end
    end
    return NetOracle(out[], d, c)
end

function (oracle::NetOracle)(X::AbstractVecOrMat)
    d, c = oracle.d, oracle.c
    size(X, 1) == d || throw(DimensionMismatch(
        "quarry: the black box takes $d inputs (one query per column), got an input of size $(size(X))"))
    n = size(X, 2)
    # A d × n column-major matrix is the n × d row-major batch quarry reads; the c × n
    # answer is the n × c row-major one it writes.
    Xd, _ = _dense(X; contiguous = true)
    Y = X isa AbstractVector ? zeros(c) : zeros(c, n)
    # quarry_net_oracle_eval has no context: it returns 0 or a quarry_status, no message.
    status = @ccall $(_fn(:quarry_net_oracle_eval))(
        n::Int64, d::Int64, Xd::Ptr{Float64}, c::Int64, Y::Ptr{Float64},
        oracle::Ptr{Cvoid})::Int32
    status == 0 || throw(QuarryError(status,
        "the simulated black box refused a batch of $n queries with $d inputs and $c outputs " *
        "(counting none of them)"))
    return Y
end

"""
    queries(oracle::NetOracle) -> Int

How many queries the simulated black box has answered: every column of every batch, its
own [`extract_relu1`](@ref) and direct calls `oracle(X)` alike (a refused batch counts
none).
"""
function queries(oracle::NetOracle)
    count = Ref{Int64}(0)
    status = @ccall $(_fn(:quarry_net_oracle_queries))(
        oracle::Ptr{Cvoid}, count::Ref{Int64})::Int32
    _check(status)
    return Int(count[])
end

function Base.show(io::IO, oracle::NetOracle)
    if isopen(oracle)
        print(io, "NetOracle(d = ", oracle.d, ", c = ", oracle.c, ", queries = ", queries(oracle), ")")
    else
        print(io, "NetOracle(closed)")
    end
end

"""
    extract_relu1(oracle::NetOracle, d = inputs, c = outputs; seed, budget, noise, lower,
                  upper, refine, ctx) -> (net::ReluNet, report)

[`extract_relu1`](@ref) from a simulated black box, entirely in C: quarry gets the
function `quarry_net_oracle_eval` as its oracle and the black box as its `user_data`, so
no Julia callback runs and no batch is copied. `d` and `c` default to the network's;
other values make the black box refuse every batch (`QUARRY_ERR_ORACLE`). Options,
report and errors as in [`extract_relu1`](@ref); the black box's
[`queries`](@ref) count grows by the report's `"QUARRY_REPORT_QUERIES"`.
"""
function extract_relu1(oracle::NetOracle, d::Integer = oracle.d, c::Integer = oracle.c;
                       seed = nothing, budget = nothing, noise = nothing, lower = nothing,
                       upper = nothing, refine = nothing, ctx::Union{Context,Nothing} = nothing)
    settings = (; seed, budget, noise, lower, upper, refine)
    # `oracle` converts to its quarry_net_oracle pointer in the @ccall, which keeps it
    # alive for the call (and throws when it is closed).
    status, message, net, report =
        _extract(_fn(:quarry_net_oracle_eval), oracle, d, c, settings, ctx)
    return _extraction_result(status, message, net, report)
end

end # module Quarry
