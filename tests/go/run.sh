#!/usr/bin/env bash
# The Go binding's checks against an installed tree: installs the build into a scratch
# prefix, points cgo at its quarry.pc, then runs go vet, gofmt and go test (the unit
# tests and the package Example) in bindings/go. Skipped (77) without a go toolchain or
# without pkg-config (cgo finds libquarry with it).
# Usage: run.sh <build dir> <source dir> <scratch dir>
set -euo pipefail
build=$1 src=$2 scratch=$3
command -v go >/dev/null 2>&1 || { echo "skipped: no go toolchain"; exit 77; }
command -v pkg-config >/dev/null 2>&1 || { echo "skipped: no pkg-config (cgo finds libquarry with it)"; exit 77; }

mkdir -p "$scratch"
rm -rf "$scratch/prefix"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
pc=$(find "$scratch/prefix" -name quarry.pc -print -quit)
[ -n "$pc" ] || { echo "quarry.pc was not installed under $scratch/prefix" >&2; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
libdir=$(pkg-config --variable=libdir quarry)
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# Everything the go command writes stays in the scratch dir; nothing is downloaded.
export GOCACHE=$scratch/gocache GOPATH=$scratch/gopath GOPROXY=off GO111MODULE=on \
  GOTOOLCHAIN=local GOFLAGS='' CGO_ENABLED=1

cd "$src/bindings/go"
go vet ./...
unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || { echo "gofmt would reformat: $unformatted" >&2; exit 1; }
go test -count=1 ./...
echo "go binding: go vet, gofmt and go test (with the Example) pass"
