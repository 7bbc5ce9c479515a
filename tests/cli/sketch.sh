#!/usr/bin/env bash
# `quarry sketch` end to end on small files written here (Python's struct module writes the
# .npy bytes, so numpy is not needed): output shapes and values, the same bytes from C and
# Fortran order, from CSR and dense input, from every Matrix Market flavour, and one
# "quarry: error: <file>: ..." line with exit status 1 for every kind of malformed file.
# Usage: sketch.sh <path to the quarry program> <scratch dir>
set -uo pipefail
quarry=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") scratch=$2/sketch status=0
mkdir -p "$scratch" && cd "$scratch" || exit 1  # short file names in the messages checked

# Every file below holds exactly the values of its .npy twin: Python's repr of a double
# reads back as the same double, and a's entries (small dyadic numbers) are also exact in
# float32 and when halved. w's are not dyadic, so the order of a sum shows in its bits.
python3 - <<'EOF' || exit 1
import struct

def npy(name, rows, descr="<f8", fortran=False, shape=None, values=None, header=None,
        data=None):
    """Writes rows (a list of lists) as NumPy does; any part can be overridden to break it."""
    shape = shape if shape is not None else (len(rows), len(rows[0]))
    if header is None:
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
            descr, fortran, "(%s)" % ", ".join(map(str, shape)) if len(shape) != 1
            else "(%d,)" % shape[0])
        header += " " * (63 - (10 + len(header)) % 64) + "\n"
    if data is None:
        flat = values if values is not None else (
            [r[j] for j in range(len(rows[0])) for r in rows] if fortran
            else [x for r in rows for x in r])
        data = struct.pack("<%d%s" % (len(flat), {"<f8": "d", "<f4": "f", "<i8": "q",
                                                 "<i4": "i"}.get(descr, "d")), *flat)
    with open(name, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data)

def mtx(name, banner, size, lines):
    with open(name, "w") as f:
        f.write("%%MatrixMarket matrix " + banner + "\n% written by sketch.sh\n" + size + "\n")
        f.writelines(l + "\n" for l in lines)

# a: 6 x 4 with zeros; w: a 3 x 6 wide one (samples x features).
a = [[((3 * i + 5 * j) % 7 - 3) * 0.5 if (i + j) % 3 else 0.0 for j in range(4)]
     for i in range(6)]
w = [[((i * 6 + j) % 5 - 2.25) / 3 + 0.1 * j for j in range(6)] for i in range(3)]
npy("a.npy", a)
npy("a_fortran.npy", a, fortran=True)
npy("a_f4.npy", a, descr="<f4")
npy("w.npy", w)
ints = [[(i * 4 + j) % 9 - 4 for j in range(4)] for i in range(6)]
npy("ints.npy", ints, descr="<i8")
npy("ints_i4.npy", ints, descr="<i4")
npy("ints_f8.npy", ints)
ones = [[1.0 if x else 0.0 for x in r] for r in a]
npy("ones.npy", ones)
sym = [[float(min(i, j) * 4 + max(i, j)) for j in range(4)] for i in range(4)]
npy("sym.npy", sym)
skew = [[float(i - j) * (i + j + 1) for j in range(4)] for i in range(4)]
npy("skew.npy", skew)

def entries(m, fmt="%r"):
    return [("%d %d " + fmt) % (i + 1, j + 1, m[i][j])
            for i in range(len(m)) for j in range(len(m[0])) if m[i][j]]

# Entries in reverse order (CSR rows must be sorted), one of them split into two halves
# that add up (repeated entries sum).
e = entries(a)[::-1]
first = e.pop()
i, j, v = first.split()
e += ["%s %s %r" % (i, j, float(v) / 2)] * 2
mtx("a.mtx", "coordinate real general", "6 4 %d" % len(e), e)
mtx("a_crlf.mtx", "Coordinate Real General", "6 4 %d" % len(e), [l + "\r" for l in e])
mtx("w.mtx", "coordinate real general", "3 6 %d" % len(entries(w)), entries(w))
mtx("w_reversed.mtx", "coordinate real general", "3 6 %d" % len(entries(w)),
    entries(w)[::-1])
mtx("ints.mtx", "coordinate integer general", "6 4 %d" % len(entries(ints, "%d")),
    entries(ints, "%d"))
mtx("ones.mtx", "coordinate pattern general", "6 4 %d" % len(entries(ones)),
    [" ".join(l.split()[:2]) for l in entries(ones)])
lower = [l for l in entries(sym) if int(l.split()[0]) >= int(l.split()[1])]
mtx("sym.mtx", "coordinate real symmetric", "4 4 %d" % len(lower), lower)
strict = [l for l in entries(skew) if int(l.split()[0]) > int(l.split()[1])]
mtx("skew.mtx", "coordinate real skew-symmetric", "4 4 %d" % len(strict), strict)
mtx("a_array.mtx", "array real general", "6 4", ["%r" % a[i][j] for j in range(4)
                                                    for i in range(6)])
mtx("sym_array.mtx", "array real symmetric", "4 4", ["%r" % sym[i][j] for j in range(4)
                                                        for i in range(j, 4)])

# Malformed files: each must be refused with exit status 1.
npy("bad_magic.npy", a)
with open("bad_magic.npy", "r+b") as f:
    f.write(b"\x93NUMPX")
npy("bad_version.npy", a)
with open("bad_version.npy", "r+b") as f:
    f.seek(6); f.write(b"\x07")
npy("bad_dict.npy", a, header="{'descr': '<f8', 'fortran_order': Maybe, 'shape': (6, 4), }\n")
npy("bad_dict_key.npy", a, header="{'descr': '<f8', 'shape': (6, 4), }\n")
npy("bad_dict_extra.npy", a, header="{'descr': '<f8', 'fortran_order': False, 'shape': (6, 4), 'x': 1}\n")
npy("bad_dict_shape.npy", a, header="{'descr': '<f8', 'fortran_order': False, 'shape': (6, -4), }\n")
npy("bad_dict_unclosed.npy", a, header="{'descr': '<f8', 'fortran_order': False, 'shape': (6, 4)\n")
npy("truncated_data.npy", a, data=struct.pack("<10d", *range(10)))
npy("extra_data.npy", a, data=struct.pack("<25d", *range(25)))
npy("truncated_header.npy", a)
with open("truncated_header.npy", "r+b") as f:
    f.truncate(40)
with open("only_magic.npy", "wb") as f:
    f.write(b"\x93NUMPY")
npy("shape_1d.npy", a, shape=(24,))
npy("shape_3d.npy", a, shape=(2, 3, 4))
npy("shape_huge.npy", a, shape=(2**40, 2**40))
npy("dtype_big_endian.npy", a, descr=">f8")
npy("dtype_complex.npy", a, descr="<c16")
npy("dtype_bool.npy", a, descr="|b1")
npy("nan.npy", a, values=[0.0] * 7 + [float("nan")] + [0.0] * 16)
npy("inf.npy", a, descr="<f4", values=[0.0] * 23 + [float("-inf")])
open("empty.npy", "wb").close()
with open("text.npy", "w") as f:
    f.write("1 2 3\n4 5 6\n")
mtx("mtx_complex.mtx", "coordinate complex general", "2 2 1", ["1 1 1 0"])
mtx("mtx_format.mtx", "sparse real general", "2 2 1", ["1 1 1"])
mtx("mtx_array_pattern.mtx", "array pattern general", "2 2", ["1", "1", "1", "1"])
mtx("mtx_row_range.mtx", "coordinate real general", "2 2 2", ["1 1 1", "3 1 1"])
mtx("mtx_col_zero.mtx", "coordinate real general", "2 2 1", ["1 0 1"])
mtx("mtx_value_text.mtx", "coordinate real general", "2 2 1", ["1 1 abc"])
mtx("mtx_index_text.mtx", "coordinate real general", "2 2 1", ["1 x 1"])
mtx("mtx_integer_fraction.mtx", "coordinate integer general", "2 2 1", ["1 1 1.5"])
mtx("mtx_nan.mtx", "coordinate real general", "2 2 1", ["1 1 nan"])
mtx("mtx_inf.mtx", "array real general", "2 1", ["1", "-inf"])
mtx("mtx_overflow.mtx", "coordinate real general", "2 2 1", ["1 1 1e999"])
mtx("mtx_truncated.mtx", "coordinate real general", "2 2 3", ["1 1 1", "2 2 1"])
mtx("mtx_too_many.mtx", "coordinate real general", "2 2 1", ["1 1 1", "2 2 1"])
mtx("mtx_columns.mtx", "coordinate real general", "2 2 1", ["1 1"])
mtx("mtx_size.mtx", "coordinate real general", "2 2", [])
mtx("mtx_size_text.mtx", "array real general", "2 two", [])
mtx("mtx_huge.mtx", "array real general", "4294967296 4294967296", ["1"])
mtx("mtx_rows_huge.mtx", "coordinate real general", "1000000000000000 2 0", [])
mtx("mtx_array_truncated.mtx", "array real general", "2 2", ["1", "2", "3"])
mtx("mtx_array_two.mtx", "array real general", "2 1", ["1 2", "3"])
mtx("mtx_sym_rect.mtx", "coordinate real symmetric", "2 3 1", ["1 1 1"])
with open("mtx_no_size.mtx", "w") as f:
    f.write("%%MatrixMarket matrix coordinate real general\n% only a comment\n")
EOF

# run <expected exit status> <args...>: sets $out and $err.
run() {
  local want=$1; shift
  out=$("$quarry" sketch "$@" 2>"$scratch/stderr"); local rc=$?
  err=$(<"$scratch/stderr")
  if [ "$rc" -ne "$want" ]; then
    echo "quarry sketch $*: exit $rc, expected $want: $err"; status=1; return 1
  fi
}

# same <description> <file> <file>: the two outputs are byte-identical.
same() {
  cmp -s "$2" "$3" || { echo "$1: $2 and $3 differ"; status=1; }
}

# npy_shape <file> <shape>: the file is a float64 C-order .npy of that shape and length.
npy_shape() {
  local header rows cols
  header=$(head -c 128 "$1" | tail -c +11)
  [[ "$header" == "{'descr': '<f8', 'fortran_order': False, 'shape': ($2), }"* ]] || {
    echo "$1: header '$header', expected shape ($2)"; status=1; return; }
  rows=${2%%,*} cols=${2##* }
  [ "$(stat -c %s "$1")" -eq $((128 + 8 * rows * cols)) ] || {
    echo "$1: $(stat -c %s "$1") bytes for shape ($2)"; status=1; }
}

# A dense round trip: the header's shape, one summary line on stderr, nothing on stdout.
run 0 --rows 3 a.npy -o sa.npy && {
  npy_shape sa.npy "3, 4"
  [ -z "$out" ] || { echo "stdout is not empty: $out"; status=1; }
  [[ "$err" == "sketch: sparse-sign 3 x 6 applied to 6 x 4 (dense, row-major) in "*"; wrote sa.npy (3 x 4)"* ]] &&
    [ "$(wc -l <<<"$err")" -eq 1 ] || { echo "summary: $err"; status=1; }
}
run 0 --kind gaussian --rows 2 a.npy -o ga.npy && npy_shape ga.npy "2, 4"
run 0 --kind srht --rows 5 a.npy -o ha.npy && npy_shape ha.npy "5, 4"
run 0 --kind countsketch --rows 4 a.npy -o ca.npy && npy_shape ca.npy "4, 4"
run 0 --rows 3 a.npy && [[ "$err" == *"result 3 x 4 not written (no -o)"* ]] ||
  { echo "without -o: $err"; status=1; }
run 0 --rows 3 --time-only a.npy &&
  [[ "$out" =~ ^seconds_create=[0-9.]+\ seconds_apply=[0-9.]+\ seconds_read=[0-9.]+$ ]] &&
  [ -z "$err" ] || { echo "--time-only: '$out' '$err'"; status=1; }
run 0 --rows 3 --repeat 3 a.npy -o sa_repeat.npy && same "--repeat" sa.npy sa_repeat.npy
run 0 --rows 3 -t 1 a.npy -o sa_1thread.npy && same "-t 1" sa.npy sa_1thread.npy

# Values: uniform rows with rows = m is the identity, so S A = A exactly (also checks
# that the written file is NumPy's own layout of a.npy), from every input format.
for f in a.npy a_fortran.npy a_f4.npy a.mtx a_crlf.mtx a_array.mtx; do
  run 0 --kind uniform-rows --rows 6 "$f" -o "id_$f.npy" && same "identity of $f" a.npy "id_$f.npy"
done
run 0 --kind uniform-rows --rows 4 --side right a.npy -o id_right.npy &&
  same "right identity" a.npy id_right.npy

# The same bytes for C and Fortran order, and for CSR (each flavour) and dense input.
for kind in sparse-sign countsketch srht; do
  run 0 --kind "$kind" --rows 3 --seed 7 a.npy -o "c_$kind.npy" &&
    run 0 --kind "$kind" --rows 3 --seed 7 a_fortran.npy -o "f_$kind.npy" &&
    same "$kind: C vs Fortran order" "c_$kind.npy" "f_$kind.npy"
done
run 0 --rows 3 --nnz 2 a.npy -o c_nnz.npy && run 0 --rows 3 --nnz 2 a.mtx -o s_nnz.npy &&
  same "--nnz 2: CSR vs dense" c_nnz.npy s_nnz.npy
run 0 --rows 3 --seed 7 a.mtx -o s_a.npy && same "CSR vs dense" c_sparse-sign.npy s_a.npy
for pair in ints.mtx:ints_f8.npy ints.npy:ints_f8.npy ints_i4.npy:ints_f8.npy \
            ones.mtx:ones.npy sym.mtx:sym.npy skew.mtx:skew.npy sym_array.mtx:sym.npy; do
  run 0 --rows 3 "${pair%%:*}" -o x1.npy && run 0 --rows 3 "${pair##*:}" -o x2.npy &&
    same "${pair%%:*} vs ${pair##*:}" x1.npy x2.npy
done
cmp -s sa.npy c_sparse-sign.npy && { echo "seeds 0 and 7 gave the same bytes"; status=1; }

# --side right: A S^T for a wide A (samples x features), dense and CSR alike.
run 0 --side right --rows 2 w.npy -o wr.npy && npy_shape wr.npy "3, 2" &&
  [[ "$err" == *"applied from the right (A S^T) to 3 x 6"* ]] || { echo "right: $err"; status=1; }
for f in w.mtx w_reversed.mtx; do  # A S^T sums each row in its stored order: sorted here
  run 0 --side right --rows 2 --nnz 2 "$f" -o "wr_$f.npy" &&
    run 0 --side right --rows 2 --nnz 2 w.npy -o wr2.npy && same "right: $f vs dense" wr2.npy "wr_$f.npy"
done
run 0 --side right --kind gaussian --rows 4 w.npy -o wg.npy && npy_shape wg.npy "3, 4"

# Malformed files: exit 1 and one line naming the file and what is wrong.
refuse() {  # refuse <file> <text the message must contain>
  run 1 --rows 2 "$1" -o never.npy || return
  [[ "$err" == "quarry: error: $1: "*"$2"* ]] && [ "$(wc -l <<<"$err")" -eq 1 ] ||
    { echo "$1: message '$err' lacks '$2'"; status=1; }
}
refuse bad_magic.npy "bad .npy magic"
refuse bad_version.npy "unsupported .npy version 7.0"
refuse bad_dict.npy "bad .npy header dict"
refuse bad_dict_key.npy "lacks one of the keys"
refuse bad_dict_extra.npy "unexpected or repeated key 'x'"
refuse bad_dict_shape.npy "not a tuple of non-negative integers"
refuse bad_dict_unclosed.npy "bad .npy header dict"
refuse truncated_data.npy "truncated data"
refuse extra_data.npy "wrong size"
refuse truncated_header.npy "truncated header"
refuse only_magic.npy "truncated header"
refuse shape_1d.npy "shape (24,) is not 2-D"
refuse shape_3d.npy "shape (2, 3, 4) is not 2-D"
refuse shape_huge.npy "is too large"
refuse dtype_big_endian.npy "unsupported dtype '>f8'"
refuse dtype_complex.npy "unsupported dtype '<c16'"
refuse dtype_bool.npy "unsupported dtype '|b1'"
refuse nan.npy "non-finite value nan at row 1, column 3"
refuse inf.npy "non-finite value -inf at row 5, column 3"
refuse empty.npy "bad .npy magic"
refuse text.npy "bad .npy magic"
refuse mtx_complex.mtx "unsupported Matrix Market field 'complex'"
refuse mtx_format.mtx "unsupported Matrix Market format 'sparse'"
refuse mtx_array_pattern.mtx "unsupported Matrix Market field 'pattern' for format 'array'"
refuse mtx_row_range.mtx "line 5: row index 3 is outside 1..2"
refuse mtx_col_zero.mtx "line 4: column index 0 is outside 1..2"
refuse mtx_value_text.mtx "line 4: non-numeric value 'abc'"
refuse mtx_index_text.mtx "line 4: non-numeric column index 'x'"
refuse mtx_integer_fraction.mtx "line 4: non-numeric integer value '1.5'"
refuse mtx_nan.mtx "line 4: non-finite value 'nan'"
refuse mtx_inf.mtx "line 5: non-finite value '-inf'"
refuse mtx_overflow.mtx "line 4: value '1e999' is out of range"
refuse mtx_truncated.mtx "truncated data: 2 of the 3 entries"
refuse mtx_too_many.mtx "line 5: data beyond the 1 entries announced"
refuse mtx_columns.mtx "line 4: expected 3 numbers (row, column, value), found 2"
refuse mtx_size.mtx "line 3: the size line is not 'rows columns entries'"
refuse mtx_size_text.mtx "the number of columns 'two' is not a non-negative integer"
refuse mtx_huge.mtx "truncated data"
refuse mtx_rows_huge.mtx "1000000000000000 rows do not fit in memory"
refuse mtx_array_truncated.mtx "truncated data"
refuse mtx_array_two.mtx "line 4: expected one value, found 2"
refuse mtx_sym_rect.mtx "must be square"
refuse mtx_no_size.mtx "no size line"
refuse missing.npy "cannot open: No such file or directory"
mkdir -p a_directory.npy && refuse a_directory.npy "not a regular file"
[ -e never.npy ] && { echo "a refused input still wrote its output"; status=1; }

# A product the library refuses (more sampled rows than A has) is exit 1 with its message;
# an unwritable output is exit 1 naming the output.
run 1 --kind uniform-rows --rows 7 a.npy && [[ "$err" == "quarry: error: "* ]] ||
  { echo "library error: $err"; status=1; }
run 1 --kind uniform-rows --rows 1000000000000 --side right a.npy &&
  [[ "$err" == "quarry: error: the result, 6 x 1000000000000, does not fit in memory"* ]] ||
  { echo "huge result: $err"; status=1; }
run 1 --rows 2 a.npy -o no_such_dir/out.npy &&
  [[ "$err" == "quarry: error: no_such_dir/out.npy: cannot write: "* ]] ||
  { echo "unwritable output: $err"; status=1; }

# Usage errors: exit 2.
run 2 --kind fourier --rows 2 a.npy
run 2 a.npy
run 2 --rows 0 a.npy
run 2 --rows 2 --side middle a.npy
run 2 --kind gaussian --nnz 2 --rows 2 a.npy
run 2 --rows 2

[ "$status" -eq 0 ] && echo "quarry sketch reads, sketches and writes matrix files and refuses malformed ones"
exit "$status"
