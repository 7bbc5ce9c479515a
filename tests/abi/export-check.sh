#!/usr/bin/env bash
# ABI export check for libquarry.so:
#  - the dynamic symbol table exports only quarry_* functions (no C++, fmt or std symbol);
#  - the exported set equals the set of QUARRY_API declarations in the public headers;
#  - the SONAME is libquarry.so.<ABI> and fmt is not a runtime dependency.
# Usage: export-check.sh <path to libquarry.so> <public header dir> <abi version>
set -euo pipefail
lib=$1 headers=$2 abi=$3

# Defined dynamic symbols, without version suffixes; type A entries are version nodes.
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" {print $3}' | sed 's/@.*//' | sort -u)
declared=$(grep -rhoP 'QUARRY_API\s[^(;]*?\K\bquarry_\w+(?=\()' "$headers" | sort -u)

status=0
foreign=$(grep -v '^quarry_' <<<"$exported" || true)
if [ -n "$foreign" ]; then
  echo "exported symbols outside the quarry_ prefix:"; echo "$foreign"; status=1
fi
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [ -n "$missing" ]; then
  echo "declared QUARRY_API but not exported:"; echo "$missing"; status=1
fi
undeclared=$(comm -13 <(echo "$declared") <(echo "$exported"))
if [ -n "$undeclared" ]; then
  echo "exported but not declared in a public header:"; echo "$undeclared"; status=1
fi
[ -n "$declared" ] || { echo "no QUARRY_API declarations found under $headers"; status=1; }

dynamic=$(readelf -d "$lib")  # captured once: no `| grep -q` under pipefail (SIGPIPE)
soname=$(sed -n 's/.*Library soname: \[\(.*\)\]/\1/p' <<<"$dynamic")
if [ "$soname" != "libquarry.so.$abi" ]; then
  echo "SONAME is '$soname', expected libquarry.so.$abi"; status=1
fi
if grep -q 'NEEDED.*libfmt' <<<"$dynamic"; then
  echo "libquarry depends on libfmt at run time"; status=1
fi

[ $status -eq 0 ] && echo "export check: $(wc -l <<<"$exported") quarry_* symbols, all declared; SONAME $soname"
exit $status
