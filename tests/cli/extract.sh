#!/usr/bin/env bash
# `quarry extract` end to end: a simulated black box from a network file, and an external
# program speaking the line protocol (a Perl script computing the same network).
# Usage: extract.sh <path to the quarry program> <scratch dir>
set -euo pipefail
quarry=$1 scratch=$2
data=$(cd "$(dirname "$0")/data" && pwd)
mkdir -p "$scratch"

out=$("$quarry" extract --target "$data/net-3-4-1.json" -o "$scratch/copy.json" 2>/dev/null)
grep -q "^recovered 4 neurons" <<<"$out" || { echo "target run: $out"; exit 1; }
error=$(sed -n 's/.*relative RMS error \([0-9.e+-]*\), max abs.*/\1/p' <<<"$out")
[ -n "$error" ] && awk -v e="$error" 'BEGIN { exit !(e < 1e-9) }' || {
  echo "error missing or too large: $out"; exit 1; }
[ -s "$scratch/copy.json" ] || { echo "no copy saved"; exit 1; }

# Queries confined to a box (per input, or one bound for all), the error measured there.
out=$("$quarry" extract --target "$data/net-3-4-1.json" --lower=-1 --upper=1,2,1 2>/dev/null)
grep -q "^recovered 4 neurons" <<<"$out" || { echo "box run: $out"; exit 1; }
error=$(sed -n 's/.*uniform box inputs: relative RMS error \([0-9.e+-]*\), max abs.*/\1/p' <<<"$out")
[ -n "$error" ] && awk -v e="$error" 'BEGIN { exit !(e < 1e-9) }' || {
  echo "box error missing or too large: $out"; exit 1; }
set +e
err=$("$quarry" extract --target "$data/net-3-4-1.json" --lower=-1,0 --upper=1 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "QUARRY_OPT_DOMAIN_LOWER has 2 entries" <<<"$err" || {
  echo "bad box: exit $rc: $err"; exit 1; }

out=$("$quarry" extract --oracle-cmd "perl $data/oracle-3-4-1.pl" --inputs 3 --outputs 1 \
      -o "$scratch/copy2.json" 2>/dev/null)
grep -q "^recovered 4 neurons" <<<"$out" || { echo "oracle-cmd run: $out"; exit 1; }

# Batches larger than the pipe buffers, answered query by query: must not deadlock.
out=$(timeout 120 "$quarry" extract --oracle-cmd "perl $data/oracle-wide.pl" --inputs 1000 \
      --outputs 1 2>/dev/null) || { echo "wide oracle failed or hung: $out"; exit 1; }
grep -q "^recovered 3 neurons" <<<"$out" || { echo "wide oracle run: $out"; exit 1; }

# Answers of the wrong shape are one clear error, not misread data.
set +e
err=$("$quarry" extract --oracle-cmd "perl $data/oracle-two-numbers.pl" --inputs 3 \
      --outputs 1 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "has more than 1 numbers" <<<"$err" || {
  echo "malformed answers: exit $rc: $err"; exit 1; }

# A black box that dies is one clear error line and exit status 1.
set +e
err=$("$quarry" extract --oracle-cmd false --inputs 3 --outputs 1 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "^quarry: error: the oracle command" <<<"$err" || {
  echo "dead oracle: exit $rc: $err"; exit 1; }
echo "quarry extract works with a network file and with an external oracle"
