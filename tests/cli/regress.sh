#!/usr/bin/env bash
# `quarry lstsq --lp P` and `quarry huber` end to end on files written here with NumPy:
# the l_1 fit matches SciPy's HiGHS linear program, p = 1.5 meets its optimality condition,
# p = 2 is least squares; Huber's x meets its optimality condition at the printed scale;
# Fortran-order A and a 2-D one-column b work; the report is "key: value" lines; the
# iteration limit writes x and exits 1; bad input is one "quarry: error: ..." line (exit 2
# for usage, 1 for a failed run).
# Needs NumPy and SciPy (Debian's /usr/bin/python3 has them); without them: skipped (77).
# Usage: regress.sh <path to the quarry program> <scratch dir>
set -uo pipefail
quarry=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") scratch=$2/regress status=0
mkdir -p "$scratch" && cd "$scratch" || exit 1

python=
for p in /usr/bin/python3 python3; do
  if "$p" -c "import numpy, scipy.optimize" 2>/dev/null; then python=$p; break; fi
done
[ -n "$python" ] || { echo "skipped: no python3 with numpy and scipy"; exit 77; }

"$python" - <<'PY' || exit 1
import numpy as np
from scipy.optimize import linprog

rng = np.random.default_rng(20261127)
m, n = 300, 5
a = rng.standard_normal((m, n))
b = a @ rng.standard_normal(n) + rng.standard_t(1.5, m)
np.save("a.npy", a)
np.save("a_fortran.npy", np.asfortranarray(a))
np.save("b.npy", b)
np.save("b_column.npy", b[:, None])
np.save("b2.npy", np.c_[b, b])
np.save("b_short.npy", b[:-1])
lp = linprog(np.r_[np.zeros(n), np.ones(2 * m)], A_eq=np.hstack([a, np.eye(m), -np.eye(m)]),
             b_eq=b, bounds=[(None, None)] * n + [(0, None)] * (2 * m), method="highs")
np.save("ref_l1.npy", np.array([lp.fun]))
np.save("ref_l2.npy", np.linalg.lstsq(a, b, rcond=None)[0])
PY

# run <expected exit status> <command> <args...>: sets $out and $err.
run() {
  local want=$1; shift
  out=$("$quarry" "$@" 2>"$scratch/stderr"); local rc=$?
  err=$(<"$scratch/stderr")
  if [ "$rc" -ne "$want" ]; then
    echo "quarry $*: exit $rc, expected $want: $err"; status=1; return 1
  fi
}

# check <Python condition on a, b, x, r = b - a x and rep (the report)> <x.npy> <what>
check() {
  "$python" - "$1" "$2" "$3" "$out" <<'PY' || status=1
import sys
import numpy as np
cond, xfile, what, text = sys.argv[1:5]
rep = dict(l.split(": ") for l in text.splitlines())
a, b, x = np.load("a.npy"), np.load("b.npy"), np.load(xfile)
r = b - a @ x.reshape(-1)
l1 = np.load("ref_l1.npy")[0]
if not eval(cond):
    sys.exit("%s: failed %s (x %s, report %s)" % (what, cond, x, rep))
PY
}

l1='abs(np.abs(r).sum() - l1) <= 1e-10 * l1'
for method in auto gram_precondition sketch_precondition; do
  run 0 lstsq a.npy b.npy --lp 1 --method "$method" -o "l1_$method.npy" &&
    check "x.shape == (5,) and $l1 and float(rep['dual gap']) <= 1e-10" "l1_$method.npy" \
      "--lp 1 --method $method"
done
run 0 lstsq a_fortran.npy b_column.npy --lp 1 -o l1_column.npy &&
  check "x.shape == (5, 1) and $l1" l1_column.npy "Fortran A, 2-D b"
got=$(sed 's/: .*//' <<<"$out" | tr '\n' ',')
[ "$got" = "method,iterations,objective,dual gap,residual norm,seconds," ] ||
  { echo "--lp report keys: $got"; status=1; }
run 0 lstsq a.npy b.npy --lp 1.5 --tol 1e-13 -o l15.npy &&
  check "np.abs(a.T @ (np.sign(r) * np.abs(r) ** 0.5)).max() <= 1e-5 * (np.abs(a).T @ np.abs(r) ** 0.5).max()" \
    l15.npy "--lp 1.5"
run 0 lstsq a.npy b.npy --lp 2 -o l2.npy &&
  check "np.allclose(x, np.load('ref_l2.npy'), rtol=1e-9)" l2.npy "--lp 2"

# Huber: A^T clip(r, -t, t) = lambda x at t = epsilon times the printed scale.
run 0 huber a.npy b.npy -o h.npy && check \
  "np.abs(a.T @ np.clip(r, -1.35 * float(rep['scale']), 1.35 * float(rep['scale']))).max() <= 1e-8 * np.abs(a).sum()" \
  h.npy huber
run 0 huber a_fortran.npy b.npy --scale 0.5 --epsilon 1 --ridge 0.1 -o hf.npy && check \
  "float(rep['scale']) == 0.5 and np.abs(a.T @ np.clip(r, -0.5, 0.5) - 0.2 * x).max() <= 1e-8 * np.abs(a).sum()" \
  hf.npy "huber --scale"

# The iteration limit: x written, the report printed, one error line, exit 1.
rm -f limit.npy
run 1 lstsq a.npy b.npy --lp 1 --max-iter 2 -o limit.npy && {
  [ -f limit.npy ] || { echo "--max-iter 2: no x written"; status=1; }
  grep -q "^dual gap: " <<<"$out" || { echo "--max-iter 2: no report: $out"; status=1; }
  [[ "$err" == "quarry: error: no convergence: "* ]] || { echo "--max-iter 2: $err"; status=1; }
}
run 1 huber a.npy b.npy --max-iter 1 -o limit.npy

# Bad input: one error line each.
expect_error() {  # <exit status> <text the message must hold> <args...>
  local want=$1 text=$2; shift 2
  run "$want" "$@" || return
  [[ $(wc -l <<<"$err") -eq 1 && "$err" == "quarry: error: "*"$text"* ]] ||
    { echo "quarry $*: stderr '$err', expected one line with '$text'"; status=1; }
}
expect_error 2 "P = 0.5 must lie in [1, 100]" lstsq a.npy b.npy --lp 0.5 -o bad.npy
expect_error 2 "P = nan must lie in [1, 100]" lstsq a.npy b.npy --lp nan -o bad.npy
expect_error 1 "takes one right-hand side" lstsq a.npy b2.npy --lp 1 -o bad.npy
expect_error 1 "--lp takes no --ridge" lstsq a.npy b.npy --lp 1 --ridge 1 -o bad.npy
expect_error 1 "QUARRY_LSTSQ_GRAM_PRECONDITION" lstsq a.npy b.npy --lp 1 --method direct -o bad.npy
expect_error 1 "B needs one row per row of A" huber a.npy b_short.npy -o bad.npy
expect_error 1 "epsilon = 0.5 must be finite and >= 1" huber a.npy b.npy --epsilon 0.5 -o bad.npy
expect_error 2 "-o" huber a.npy b.npy
exit $status
