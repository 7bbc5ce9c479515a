#!/usr/bin/env bash
# The CLI's error contract: a usage error prints exactly one line, "quarry: error: ...",
# on stderr and exits 2; a failed run prints one such line and exits 1.
# Usage: cli-errors.sh <path to the quarry program>
set -uo pipefail
quarry=$1 status=0

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

expect 2                          # no command
expect 2 frobnicate               # unknown command
expect 2 --no-such-flag demo      # unknown option
expect 2 demo surplus             # stray argument
expect 2 --threads many demo      # not a number
expect 1 --threads -2 demo        # the library refuses the value
expect 1 --threads 5000 demo
[ $status -eq 0 ] && echo "CLI error contract holds"
exit $status
