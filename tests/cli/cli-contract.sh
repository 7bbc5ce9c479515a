#!/usr/bin/env bash
# The CLI's contract: `quarry demo` passes its self-check and exits 0 (with global options
# before or after the command), --version prints one line; a usage error prints exactly
# one line, "quarry: error: ...", on stderr and exits 2; a failed run prints one such line
# and exits 1.
# Usage: cli-contract.sh <path to the quarry program> <version>
set -uo pipefail
quarry=$1 version=$2 status=0

expect() {  # expect <exit code> <args...>
  local want=$1; shift
  local err rc
  err=$("$quarry" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "quarry $*: exit $rc, expected $want"; status=1
  fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ "$err" != "quarry: error: "* ]]; then
    echo "quarry $*: stderr is not one 'quarry: error:' line:"; printf '%s\n' "$err"; status=1
  fi
}

succeed() {  # succeed <pattern the output must contain> <args...>
  local want=$1; shift
  local out rc
  out=$("$quarry" "$@" 2>&1); rc=$?
  if [ "$rc" -ne 0 ] || ! grep -q -- "$want" <<<"$out"; then
    echo "quarry $*: exit $rc, output without '$want':"; printf '%s\n' "$out"; status=1
  fi
}

succeed "all checks passed" demo
succeed "threads: 1 (--threads)" --threads 1 demo
succeed "threads: 1 (--threads)" demo -t 1
succeed "Usage: quarry" --help
[ "$("$quarry" --version)" = "quarry $version" ] || { echo "--version: wrong text"; status=1; }

expect 2                          # no command
expect 2 frobnicate               # unknown command
expect 2 --no-such-flag demo      # unknown option
expect 2 demo surplus             # stray argument
expect 2 --threads many demo      # not a number
expect 1 --threads -2 demo        # the library refuses the value
expect 1 --threads 5000 demo
expect 2 extract                  # needs a black box
expect 2 extract --target a.json --oracle-cmd b   # one black box only
expect 1 extract --target /nonexistent/net.json
[ $status -eq 0 ] && echo "CLI contract holds"
exit $status
