#!/usr/bin/env bash
# The Python binding's tests (pytest), its docstring example and examples/example.py,
# against the library just built. Needs Debian's /usr/bin/python3 with NumPy and pytest (SciPy for the sparse
# tests); without them the test is skipped (77).
# Usage: run.sh <path to libquarry.so.0> <source dir>
set -uo pipefail
lib=$1 src=$2
python=/usr/bin/python3
"$python" -c "import numpy, pytest" 2>/dev/null || { echo "skipped: no python3 with numpy and pytest"; exit 77; }
export QUARRY_LIBRARY=$lib PYTHONPATH=$src/bindings/python PYTHONDONTWRITEBYTECODE=1
cd "$src/bindings/python" || exit 1
"$python" -m pytest -q -p no:cacheprovider tests || exit 1
"$python" -m doctest quarry/__init__.py || exit 1
"$python" examples/example.py || exit 1
echo "python binding: tests, the docstring example and examples/example.py pass"
