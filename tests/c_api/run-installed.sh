#!/usr/bin/env bash
# Installs a build tree into a scratch prefix, then builds and runs the consumers against
# that installed tree only: the C99 program through pkg-config, and the C99 and C++17
# programs through find_package(quarry CONFIG).
# Usage: run-installed.sh <build dir> <scratch prefix> <C compiler> <C++ compiler> <version> <abi>
set -euo pipefail
build=$1 prefix=$2 cc=$3 cxx=$4 version=$5 abi=$6
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

pc=$(find "$prefix" -name quarry.pc -print -quit)
[ -n "$pc" ] || { echo "quarry.pc was not installed" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir quarry)
[ "$libdir" = "$(cd "$(dirname "$pc")/.." && pwd)" ] || {
  echo "quarry.pc names libdir $libdir, not the installed one" >&2; exit 1; }

# The shared library with its SONAME chain.
for f in libquarry.so libquarry.so.$abi libquarry.so.$version; do
  [ -e "$libdir/$f" ] || { echo "missing $libdir/$f" >&2; exit 1; }
done
[ "$(readlink "$libdir/libquarry.so")" = "libquarry.so.$abi" ]
[ "$(readlink "$libdir/libquarry.so.$abi")" = "libquarry.so.$version" ]
[ "$(pkg-config --modversion quarry)" = "$version" ]

echo "== pkg-config consumer"
# shellcheck disable=SC2046  # pkg-config output is meant to be split into flags
"$cc" -std=c99 -Wall -Wextra -Wpedantic -Wstrict-prototypes -Werror "$here/consumer.c" \
  $(pkg-config --cflags --libs quarry) -Wl,-rpath,"$libdir" -o "$prefix/consumer-pkgconfig"
"$prefix/consumer-pkgconfig"

echo "== find_package consumers"
cmake -S "$here" -B "$prefix/consumer-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$prefix/consumer-build" >/dev/null
"$prefix/consumer-build/consumer"
"$prefix/consumer-build/hpp_consumer"
