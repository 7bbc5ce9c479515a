#!/usr/bin/env bash
# The Debian packages, end to end: builds the source package and libquarry0,
# libquarry-dev (and the automatic -dbgsym) with dpkg-buildpackage from a copy of the
# tree (its tracked files and any new, not ignored ones), fails on any lintian error,
# installs the packages, builds the C99 and C++17 consumers against them only
# (pkg-config and find_package), and compares the installed library's ABI with the
# baseline of its SONAME in abi/ (abidiff; policy in docs/abi.md). Needs root: it
# installs the packages and removes them again at the end. CI runs it.
# Usage: deb.sh [--update-abi]   (--update-abi writes the baseline instead of comparing)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
update=${1:-}
bash "$src/scripts/install-deps.sh" --packaging

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
abi=$(sed -n 's/^#define QUARRY_ABI_VERSION \([0-9]*\)$/\1/p' "$src/include/c_api/quarry/version.h")
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
lib=/usr/lib/$triplet/libquarry.so.$abi
baseline=$src/abi/libquarry.so.$abi.abi.gz

installed=$(dpkg-query -W -f='${Status}' "libquarry$abi" 2>/dev/null || true)
if [ -n "$installed" ] && [ "$installed" != "unknown ok not-installed" ]; then
  echo "libquarry$abi is already installed here; refusing to replace it" >&2
  exit 1
fi
work=$(mktemp -d /tmp/quarry-deb.XXXXXX)
cleanup() {
  dpkg -r libquarry-dev "libquarry$abi-dbgsym" "libquarry$abi" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== build the packages (quarry $version, ABI $abi)"
mkdir "$work/quarry-$version"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 cp --parents -t "$work/quarry-$version")
(cd "$work/quarry-$version" && DEB_BUILD_OPTIONS=parallel=$(nproc) dpkg-buildpackage -us -uc \
  >"$work/build.log" 2>&1) || { tail -50 "$work/build.log"; exit 1; }
debs=("$work/libquarry${abi}_${version}_$arch.deb" "$work/libquarry-dev_${version}_$arch.deb"
      "$work/libquarry${abi}-dbgsym_${version}_$arch.deb")
ls -l "${debs[@]}" "$work/quarry_$version.dsc"

echo "== lintian on the source and binary packages (fails on errors)"
lintian --fail-on error "$work/quarry_${version}_$arch.changes"

echo "== install"
dpkg -i "${debs[@]}"

echo "== consumers against the installed packages"
unset PKG_CONFIG_PATH CMAKE_PREFIX_PATH
[ "$(pkg-config --modversion quarry)" = "$version" ]
# shellcheck disable=SC2046  # pkg-config output is meant to be split into flags
cc -std=c99 -Wall -Wextra -Wpedantic -Wstrict-prototypes -Werror "$src/tests/c_api/consumer.c" \
  $(pkg-config --cflags --libs quarry) -o "$work/consumer-pkgconfig"
loaded=$(ldd "$work/consumer-pkgconfig" | awk -v so="libquarry.so.$abi" '$1 == so {print $3}')
[ "$(readlink -f "$loaded")" = "$(readlink -f "$lib")" ] || {
  echo "the consumer loads '$loaded', not the packaged $lib" >&2; exit 1; }
"$work/consumer-pkgconfig"
cmake -S "$src/tests/c_api" -B "$work/consumer-build" -G Ninja >/dev/null
cmake --build "$work/consumer-build" >/dev/null
"$work/consumer-build/consumer"
"$work/consumer-build/hpp_consumer"

echo "== ABI against $(basename "$baseline")"
if [ "$update" = --update-abi ]; then
  abidw --debug-info-dir /usr/lib/debug --out-file "$work/baseline.abi" "$lib"
  gzip -9 -n -c "$work/baseline.abi" >"$baseline"
  echo "wrote $baseline"
  exit 0
fi
[ -f "$baseline" ] || {
  echo "no baseline for ABI $abi ($baseline): a new ABI starts with deb.sh --update-abi" >&2
  exit 1
}
gzip -d -c "$baseline" >"$work/baseline.abi"
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8
# incompatible change (a removed symbol). Prints the report; fails unless the only
# changes are added functions.
abi_check() {
  local rc=0
  abidiff --suppressions "$src/abi/public-types.suppr" --d2 /usr/lib/debug "$1" "$lib" \
    >"$work/abidiff.txt" || rc=$?
  cat "$work/abidiff.txt"
  if (( rc & 11 )); then
    echo "abidiff: incompatible ABI change or failure (exit $rc)" >&2
    return 1
  fi
  if (( rc & 4 )) && [ "$(grep -cE 'changes summary: 0 Removed, 0 Changed' "$work/abidiff.txt")" -ne 2 ]; then
    echo "abidiff: a public type or function changed (exit $rc)" >&2
    return 1
  fi
  (( rc & 4 )) && echo "abidiff: additions only (list them in a new node of cmake/quarry.map)"
  return 0
}
# The check must be able to fail: a baseline whose quarry_context_set_threads took an
# int32_t (the suppressions must not hide changes to fixed-width typedefs) is refused.
/usr/bin/python3 - "$work/baseline.abi" "$work/mutated.abi" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ids = dict(re.findall(r"<typedef-decl name='(int32_t|int64_t)' [^>]*id='(type-id-\d+)'", text))
head, sep, rest = text.partition("<function-decl name='quarry_context_set_threads'")
body, end, tail = rest.partition("</function-decl>")
changed = body.replace(f"type-id='{ids['int64_t']}' name='threads'",
                       f"type-id='{ids['int32_t']}' name='threads'", 1)
assert sep and changed != body, "the baseline has no int64_t threads parameter to change"
open(sys.argv[2], "w").write(head + sep + changed + end + tail)
PY
if abi_check "$work/mutated.abi" >/dev/null 2>&1; then
  echo "abidiff missed a changed parameter type: the check cannot fail" >&2
  exit 1
fi
abi_check "$work/baseline.abi"
echo "packaging: the .debs build, pass lintian, install, link, and keep the ABI"
