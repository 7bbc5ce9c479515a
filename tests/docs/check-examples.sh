#!/usr/bin/env bash
# Docs show examples exactly as they are in examples/: after a line
# "<!-- example: examples/NAME.c -->" the next fenced code block must equal that file.
# Usage: check-examples.sh <source dir>
set -euo pipefail
root=$1 status=0 checked=0
while IFS=: read -r doc line; do
  file=$(sed -n "${line}p" "$doc" | sed -E 's/.*<!-- example: ([^ ]+) -->.*/\1/')
  # One awk, no pipe: under pipefail an early exit would SIGPIPE a writer upstream.
  shown=$(awk -v start=$((line + 1)) 'NR < start {next} NR == start && /^```/ {next}
                                      /^```/ {exit} {print}' "$doc")
  if [ "$shown" != "$(cat "$root/$file")" ]; then
    echo "$doc:$line does not show $file as it is:"
    diff <(echo "$shown") "$root/$file" || true
    status=1
  fi
  checked=$((checked + 1))
done < <(grep -rn '<!-- example: ' "$root/docs" "$root/README.md" | cut -d: -f1,2 || true)
[ "$checked" -gt 0 ] || { echo "no examples referenced from the docs"; exit 1; }
[ $status -eq 0 ] && echo "docs show $checked example(s) exactly"
exit $status
