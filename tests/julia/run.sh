#!/usr/bin/env bash
# The Julia binding's tests (bindings/julia/test/runtests.jl) and examples/example.jl,
# against the library just built. Needs a `julia` (1.9 or later) on PATH; Julia is not
# packaged in Debian 12, so without one the test is skipped (77). Only Julia's standard
# libraries are used: nothing is downloaded.
# Usage: run.sh <path to libquarry.so.0> <source dir>
set -uo pipefail
lib=$1 src=$2
julia=$(command -v julia) || { echo "skipped: no julia executable (Julia is not packaged in Debian 12)"; exit 77; }
"$julia" --startup-file=no -e 'exit(VERSION >= v"1.9" ? 0 : 1)' || { echo "skipped: $julia is older than Julia 1.9"; exit 77; }
lib=$(cd "$(dirname -- "$lib")" && pwd)/$(basename -- "$lib")
# The package's own project, then the standard libraries; no user environment.
export QUARRY_LIBRARY=$lib JULIA_LOAD_PATH="@:@stdlib" JULIA_PKG_OFFLINE=true
cd "$src/bindings/julia" || exit 1
"$julia" --startup-file=no --project=. test/runtests.jl || exit 1
"$julia" --startup-file=no --project=. examples/example.jl || exit 1
echo "julia binding: tests and examples/example.jl pass"
