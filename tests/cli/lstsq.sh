#!/usr/bin/env bash
# `quarry lstsq` end to end on small files written here with NumPy: X matches
# numpy.linalg.lstsq to 1e-10 (relative) for every accurate method, from C and Fortran
# order, dense and CSR A (also wide: the minimum-norm solution), 1-D and 2-D B; ridge
# matches the normal equations' solution;
# sketch and solve stays within the residual bound it reports; the report is printed one
# "key: value" line each; the iteration limit writes X and exits 1; every error is one
# "quarry: error: ..." line (exit 2 for usage, 1 for a failed run).
# Needs NumPy (Debian's /usr/bin/python3 has it); without it the test is skipped (77).
# Usage: lstsq.sh <path to the quarry program> <scratch dir>
set -uo pipefail
quarry=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") scratch=$2/lstsq status=0
mkdir -p "$scratch" && cd "$scratch" || exit 1  # short file names in the messages checked

python=
for p in /usr/bin/python3 python3; do
  if "$p" -c "import numpy" 2>/dev/null; then python=$p; break; fi
done
[ -n "$python" ] || { echo "skipped: no python3 with numpy"; exit 77; }

# a: 200 x 10 Gaussian (condition number about 2); s: 200 x 10 with about 30% non-zeros,
# also written as Matrix Market files (repr: each double reads back exactly). The
# references are LAPACK's (numpy.linalg.lstsq) and the ridge normal equations'.
"$python" - <<'EOF' || exit 1
import numpy as np

rng = np.random.default_rng(20240611)
m, n, lam = 200, 10, 0.5
a = rng.standard_normal((m, n))
b = rng.standard_normal(m)
b3 = rng.standard_normal((m, 3))
s = a * (rng.random((m, n)) < 0.3)
np.save("a.npy", a)
np.save("a_fortran.npy", np.asfortranarray(a))
np.save("a_f4.npy", a.astype(np.float32))
np.save("b.npy", b)
np.save("b_column.npy", b[:, None])
np.save("b3.npy", b3)
np.save("b3_fortran.npy", np.asfortranarray(b3))
np.save("s.npy", s)
np.save("b_short.npy", b[:-1])
np.save("b_3d.npy", b3.reshape(m, 3, 1))
np.save("b_nan.npy", np.where(np.arange(m) == 7, np.nan, b))

lstsq = lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0]
np.save("ref_b.npy", lstsq(a, b))
np.save("ref_b3.npy", lstsq(a, b3))
np.save("ref_f4.npy", lstsq(a.astype(np.float32).astype(np.float64), b))
np.save("ref_s.npy", lstsq(s, b))
np.save("ref_s3.npy", lstsq(s, b3))
np.save("ref_ridge.npy", np.linalg.solve(a.T @ a + lam * np.eye(n), a.T @ b))
np.save("ref_ridge3.npy", np.linalg.solve(a.T @ a + lam * np.eye(n), a.T @ b3))
np.save("ref_s_ridge.npy", np.linalg.solve(s.T @ s + lam * np.eye(n), s.T @ b))

def mtx(name, banner, size, lines):
    with open(name, "w") as f:
        f.write("%%MatrixMarket matrix " + banner + "\n% written by lstsq.sh\n" + size + "\n")
        f.writelines(l + "\n" for l in lines)

nz = [(i, j) for i in range(m) for j in range(n) if s[i, j]]
mtx("s.mtx", "coordinate real general", "%d %d %d" % (m, n, len(nz)),
    ["%d %d %r" % (i + 1, j + 1, s[i, j]) for i, j in nz])
mtx("a_array.mtx", "array real general", "%d %d" % (m, n),
    ["%r" % a[i, j] for j in range(n) for i in range(m)])
mtx("b_coordinate.mtx", "coordinate real general", "%d 1 1" % m, ["1 1 1"])
# The wide s^T (10 x 200, CSR): the minimum-norm solution, numpy's lstsq (SVD) as well.
bw = rng.standard_normal(n)
np.save("bw.npy", bw)
np.save("ref_wide.npy", lstsq(s.T, bw))
mtx("wide.mtx", "coordinate real general", "%d %d %d" % (n, m, len(nz)),
    ["%d %d %r" % (j + 1, i + 1, s[i, j]) for i, j in nz])
with open("bad_magic.npy", "wb") as f:
    f.write(b"\x93NUMPX not a .npy file")
with open("truncated.npy", "wb") as f:
    f.write(open("a.npy", "rb").read()[:500])
EOF

# run <expected exit status> <args...>: sets $out and $err.
run() {
  local want=$1; shift
  out=$("$quarry" lstsq "$@" 2>"$scratch/stderr"); local rc=$?
  err=$(<"$scratch/stderr")
  if [ "$rc" -ne "$want" ]; then
    echo "quarry lstsq $*: exit $rc, expected $want: $err"; status=1; return 1
  fi
}

# close <x.npy> <reference.npy> [tolerance]: same shape, relative difference below it.
close() {
  "$python" - "$@" <<'EOF' || status=1
import sys
import numpy as np
x, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-10
if x.shape != ref.shape or x.dtype != np.float64:
    sys.exit("%s: shape %s %s, expected %s float64" % (sys.argv[1], x.shape, x.dtype, ref.shape))
err = np.linalg.norm(x - ref) / np.linalg.norm(ref)
if not err <= tol:
    sys.exit("%s: relative difference %.3g from %s, above %g" % (sys.argv[1], err, sys.argv[2], tol))
EOF
}

# report <method> [key...]: stdout is the report, its first line names the method and it
# holds exactly these keys (and none other), each "key: number".
report() {
  local method=$1; shift
  local want got
  want=$(printf '%s\n' method "$@")
  got=$(sed 's/: .*//' <<<"$out")
  [ "$got" = "$want" ] || { echo "report keys: '$out', expected: $*"; status=1; return; }
  [ "$(head -n 1 <<<"$out")" = "method: $method" ] || { echo "report: '$out'"; status=1; return; }
  tail -n +2 <<<"$out" | grep -vqE '^[a-z ]+: [-+0-9.e]+$' && { echo "report values: '$out'"; status=1; }
}
keys=(iterations "sketch rows" rank "residual norm" "backward error" "condition estimate" seconds)

# Each accurate method, one right-hand side: X is 1-D like b and matches LAPACK's.
for method in direct sketch_precondition; do
  run 0 a.npy b.npy -o "x_$method.npy" --method "$method" && {
    close "x_$method.npy" ref_b.npy
    report "$method" "${keys[@]}"
    [ -z "$err" ] || { echo "$method: stderr is not empty: $err"; status=1; }
  }
done
run 0 a.npy b.npy -o x_auto.npy && close x_auto.npy ref_b.npy &&
  [[ "$out" == "method: direct"* || "$out" == "method: sketch_precondition"* ]] ||
  { echo "auto: $out"; status=1; }
# Iterating, sketch and precondition's report counts the steps and names the sketch size.
run 0 a.npy b.npy -o x_rows.npy --method sketch_precondition --rows 40 &&
  grep -qx "sketch rows: 40" <<<"$out" && ! grep -qx "iterations: 0" <<<"$out" &&
  close x_rows.npy ref_b.npy || { echo "--rows 40: $out"; status=1; }

# Every sketch kind preconditions to LAPACK's accuracy; '_' and '-' both separate words.
for kind in gaussian srht countsketch sparse-sign sparse_sign; do
  run 0 a.npy b.npy -o "x_$kind.npy" --method sketch-precondition --kind "$kind" --seed 3 &&
    close "x_$kind.npy" ref_b.npy
done

# Sketch and solve: not LAPACK's accuracy, but within the residual bound it reports, which
# only it reports; the printed residual norm is that of the X written.
run 0 a.npy b.npy -o x_solve.npy --method sketch_solve && {
  report sketch_solve "${keys[@]}" "residual bound"
  "$python" - "$out" <<'EOF' || status=1
import sys
import numpy as np
rep = dict(l.split(": ") for l in sys.argv[1].splitlines())
a, b, x, ref = (np.load(f) for f in ("a.npy", "b.npy", "x_solve.npy", "ref_b.npy"))
r, best, bound = np.linalg.norm(a @ x - b), np.linalg.norm(a @ ref - b), float(rep["residual bound"])
if x.shape != (10,) or not 1 <= bound < 2 or not r <= bound * best * (1 + 1e-12):
    sys.exit("sketch_solve: shape %s, residual %.17g, optimum %.17g, bound %s" %
             (x.shape, r, best, bound))
if abs(float(rep["residual norm"]) - r) > 1e-6 * r:
    sys.exit("sketch_solve: printed residual norm %s, X's is %.17g" % (rep["residual norm"], r))
EOF
}

# Ridge: the solution of (A^T A + L I) x = A^T b, by either accurate method and from CSR.
for method in direct sketch_precondition; do
  run 0 a.npy b.npy -o "ridge_$method.npy" --method "$method" --ridge 0.5 &&
    close "ridge_$method.npy" ref_ridge.npy
  run 0 a.npy b3.npy -o "ridge3_$method.npy" --method "$method" --ridge 0.5 &&
    close "ridge3_$method.npy" ref_ridge3.npy
done
run 0 s.mtx b.npy -o ridge_s.npy --ridge 0.5 && close ridge_s.npy ref_s_ridge.npy

# Storage: Fortran-order A, float32 A (converted exactly), Matrix Market array A (dense,
# column-major) and CSR A (coordinate) all give LAPACK's X.
run 0 a_fortran.npy b.npy -o x_fortran.npy --method direct && close x_fortran.npy ref_b.npy
run 0 a_fortran.npy b.npy -o x_fortran_sp.npy --method sketch_precondition &&
  close x_fortran_sp.npy ref_b.npy
run 0 a_f4.npy b.npy -o x_f4.npy && close x_f4.npy ref_f4.npy
run 0 a_array.mtx b.npy -o x_array.npy --method direct && close x_array.npy ref_b.npy
for method in auto sketch_precondition; do
  run 0 s.mtx b.npy -o "xs_$method.npy" --method "$method" && close "xs_$method.npy" ref_s.npy
done
run 0 s.mtx b3.npy -o xs3.npy && close xs3.npy ref_s3.npy
run 0 wide.mtx bw.npy -o x_wide.npy && close x_wide.npy ref_wide.npy  # m < n: minimum norm
run 0 s.mtx b3_fortran.npy -o xs3_fortran.npy && close xs3_fortran.npy ref_s3.npy

# Several right-hand sides: X is n x nrhs whatever the orders of A and B.
for a in a.npy a_fortran.npy; do
  for b in b3.npy b3_fortran.npy; do
    for method in direct sketch_precondition; do
      run 0 "$a" "$b" -o "x3_${a%.npy}_${b%.npy}_$method.npy" --method "$method" &&
        close "x3_${a%.npy}_${b%.npy}_$method.npy" ref_b3.npy
    done
  done
done
# A 2-D B of one column gives a 2-D X of one column.
"$python" -c "import numpy as np; np.save('ref_column.npy', np.load('ref_b.npy')[:, None])"
run 0 a.npy b_column.npy -o x_column.npy && close x_column.npy ref_column.npy

# Random choices come from --seed alone: the same bytes for any thread count.
run 0 a.npy b3.npy -o seed_a.npy --method sketch_precondition --seed 5 &&
  run 0 a.npy b3.npy -o seed_b.npy --method sketch_precondition --seed 5 -t 1 &&
  { cmp -s seed_a.npy seed_b.npy || { echo "--seed 5: X differs with -t 1"; status=1; }; }

# The iteration limit: X is still written (the last iterate), the report printed, and one
# error line explains; exit 1.
rm -f x_limit.npy
run 1 a.npy b.npy -o x_limit.npy --method sketch_precondition --max-iter 2 --rows 12 && {
  [ -s x_limit.npy ] || { echo "--max-iter 2: X not written"; status=1; }
  report sketch_precondition "${keys[@]}"
  [[ "$err" == "quarry: error: "*"no convergence"* ]] && [ "$(wc -l <<<"$err")" -eq 1 ] ||
    { echo "--max-iter 2: '$err'"; status=1; }
}

# Errors: one "quarry: error: ..." line, nothing on stdout and no X; exit 2 for usage
# errors, 1 for a failed run.
refuse() {  # refuse <exit status> <text the message must contain> <args...>
  local want=$1 text=$2; shift 2
  rm -f never.npy
  run "$want" "$@" || return
  [[ "$err" == "quarry: error: "*"$text"* ]] && [ "$(wc -l <<<"$err")" -eq 1 ] ||
    { echo "quarry lstsq $*: message '$err' lacks '$text'"; status=1; }
  [ -z "$out" ] || { echo "quarry lstsq $*: stdout is not empty: $out"; status=1; }
  [ -e never.npy ] && { echo "quarry lstsq $*: a refused run wrote X"; status=1; }
  return 0
}
refuse 2 "--output is required" a.npy b.npy
refuse 2 "method" a.npy b.npy -o never.npy --method qr
refuse 2 "kind" a.npy b.npy -o never.npy --kind fourier
refuse 2 "ridge" a.npy b.npy -o never.npy --ridge -1
refuse 2 "tol" a.npy b.npy -o never.npy --tol 2
refuse 2 "max-iter" a.npy b.npy -o never.npy --max-iter 0
refuse 2 "rows" a.npy b.npy -o never.npy --rows -5
refuse 2 "B is required" a.npy -o never.npy
refuse 1 "b_short.npy has 199 rows but a.npy has 200" a.npy b_short.npy -o never.npy
refuse 1 "b_short.npy has 199 rows but s.mtx has 200" s.mtx b_short.npy -o never.npy
refuse 1 "bad_magic.npy: bad .npy magic" bad_magic.npy b.npy -o never.npy
refuse 1 "bad_magic.npy: bad .npy magic" a.npy bad_magic.npy -o never.npy
refuse 1 "truncated.npy: truncated data" truncated.npy b.npy -o never.npy
refuse 1 "b_3d.npy: shape (200, 3, 1) is not 1-D or 2-D" a.npy b_3d.npy -o never.npy
refuse 1 "b_nan.npy: non-finite value nan at row 7" a.npy b_nan.npy -o never.npy
refuse 1 "b_coordinate.mtx: B is a sparse" a.npy b_coordinate.mtx -o never.npy
refuse 1 "b.npy: shape (200,) is not 2-D" b.npy b.npy -o never.npy
refuse 1 "missing.npy: cannot open" missing.npy b.npy -o never.npy
refuse 1 "" s.mtx b.npy -o never.npy --method direct  # CSR: no direct solver
refuse 1 "" a.npy b.npy -o never.npy --method sketch_precondition --rows 5  # rows < n
refuse 1 "no_such_dir/x.npy: cannot write" a.npy b.npy -o no_such_dir/x.npy

[ "$status" -eq 0 ] && echo "quarry lstsq solves matrix files to LAPACK's accuracy and refuses bad input"
exit "$status"
