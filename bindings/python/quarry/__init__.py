"""quarry for Python: least squares, ridge regression and ReLU-network extraction
through libquarry's C ABI.

Loaded with ctypes (no compiled extension): the library is found through the
QUARRY_LIBRARY environment variable (a path to libquarry.so.0), else the system's
library path (``ctypes.util.find_library("quarry")``). Arrays are NumPy float64; dense
matrices in C or Fortran order (any row or column stride) are passed without a copy,
anything else is copied once into C order. Sparse matrices are any ``scipy.sparse``
matrix (converted to CSR with 64-bit indices: a copy unless it already is one).

Errors raise :class:`QuarryError` with the C status (``status``, ``status_name``) and
the library's message; a solve that hit its iteration limit raises
:class:`NoConvergence`, which carries the last iterate and the report.

    >>> import numpy as np, quarry
    >>> a = np.random.default_rng(0).standard_normal((10000, 50))
    >>> b = a @ np.ones(50)
    >>> x, report = quarry.lstsq(a, b)
    >>> bool(np.allclose(x, 1)), report["QUARRY_REPORT_METHOD"] in quarry.METHODS.values()
    (True, True)
"""

import ctypes
import ctypes.util
import operator
import os

import numpy as np

__all__ = [
    "ABI_VERSION", "METHODS", "SKETCH_KINDS", "STATUS_NAMES", "QuarryError", "NoConvergence",
    "ExtractionIncomplete", "Context", "ReluNet", "version", "lstsq", "ridge_path",
    "extract_relu1", "NetOracle", "RngState", "Sketch", "leverage_scores",
    "row_norms_squared", "sample_weighted", "SampleTree", "huber", "lp_regression",
    "lewis_weights", "active_regression", "kronecker_regression", "kronecker_multiply",
    "DynamicLstsq",
]

# The ABI generation this binding was written for (QUARRY_ABI_VERSION in quarry/version.h).
ABI_VERSION = 0

# QUARRY_LSTSQ_* and QUARRY_SKETCH_* (quarry/options.h).
METHODS = {"auto": 0, "direct": 1, "sketch_solve": 2, "sketch_precondition": 3,
           "gram_precondition": 4}
SKETCH_KINDS = {"gaussian": 1, "srht": 2, "countsketch": 3, "sparse_sign": 4,
                "uniform_rows": 5}

# quarry_status codes (quarry/status.h).
STATUS_NAMES = {
    0: "QUARRY_OK", 1: "QUARRY_ERR_INVALID_ARGUMENT", 2: "QUARRY_ERR_NULL_POINTER",
    3: "QUARRY_ERR_BAD_DIMENSION", 4: "QUARRY_ERR_BAD_LEADING_DIM", 5: "QUARRY_ERR_BAD_LAYOUT",
    6: "QUARRY_ERR_UNSUPPORTED", 7: "QUARRY_ERR_NONFINITE", 100: "QUARRY_ERR_OUT_OF_MEMORY",
    101: "QUARRY_ERR_SIZE_OVERFLOW", 200: "QUARRY_ERR_NO_CONVERGENCE",
    300: "QUARRY_ERR_CALLBACK_ABORTED", 301: "QUARRY_ERR_ORACLE", 302: "QUARRY_ERR_BUDGET",
    400: "QUARRY_ERR_IO", 401: "QUARRY_ERR_FORMAT", 900: "QUARRY_ERR_INTERNAL",
}

_ROW_MAJOR, _COL_MAJOR = 101, 102
_OK, _NO_CONVERGENCE = 0, 200
_TYPE_I64, _TYPE_F64, _TYPE_F64_ARRAY = 1, 2, 3
_OPT = {"seed": 1, "tol": 2, "max_iter": 3, "sketch_kind": 100, "sketch_rows": 101,
        "sketch_nnz": 102, "leverage_method": 103, "method": 200, "ridge": 201, "budget": 300,
        "refine": 301, "noise": 302, "oracle_float32": 303, "oracle_rounding": 304,
        "oracle_noise": 305, "lower": 306, "upper": 307, "huber_scale": 400}
_LEVERAGE = {"exact": 0, "approx": 1}  # QUARRY_LEVERAGE_*

_p, _i32, _i64, _f64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.c_double
_pd, _pi64 = ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_int64)
# quarry_oracle_fn (quarry/extract.h) and quarry_progress_fn (quarry/options.h).
_ORACLE = ctypes.CFUNCTYPE(_i32, _i64, _i64, _pd, _i64, _pd, _p)
_PROGRESS = ctypes.CFUNCTYPE(_i32, _p, _p)
# quarry_label_fn (quarry/regress.h).
_LABELS = ctypes.CFUNCTYPE(_i32, _i64, _pi64, _pd, _p)


class _RngStateC(ctypes.Structure):  # quarry_rng_state (quarry/rng.h), 40 bytes
    _fields_ = [("generator", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
                ("key", ctypes.c_uint64 * 2), ("counter", ctypes.c_uint64 * 2)]


def _load():
    path = os.environ.get("QUARRY_LIBRARY") or ctypes.util.find_library("quarry")
    if not path:
        raise ImportError("quarry: libquarry not found; set QUARRY_LIBRARY to the path of "
                          "libquarry.so.0 or install it where the linker finds it")
    lib = ctypes.CDLL(path)
    sigs = {
        "quarry_abi_version": (_i32, []),
        "quarry_version_string": (ctypes.c_char_p, []),
        "quarry_status_string": (ctypes.c_char_p, [_i32]),
        "quarry_context_create": (_i32, [ctypes.POINTER(_p)]),
        "quarry_context_destroy": (None, [_p]),
        "quarry_context_set_threads": (_i32, [_p, _i64]),
        "quarry_context_get_threads": (_i32, [_p, ctypes.POINTER(_i64)]),
        "quarry_context_last_error": (ctypes.c_char_p, [_p]),
        "quarry_options_create": (_i32, [ctypes.POINTER(_p)]),
        "quarry_options_destroy": (None, [_p]),
        "quarry_options_set_i64": (_i32, [_p, _i32, _i64]),
        "quarry_options_set_f64": (_i32, [_p, _i32, _f64]),
        "quarry_report_destroy": (None, [_p]),
        "quarry_report_count": (_i32, [_p, ctypes.POINTER(_i64)]),
        "quarry_report_key_at": (_i32, [_p, _i64, ctypes.POINTER(_i32)]),
        "quarry_report_key_name": (ctypes.c_char_p, [_i32]),
        "quarry_report_key_type": (_i32, [_i32]),
        "quarry_report_get_i64": (_i32, [_p, _i32, ctypes.POINTER(_i64)]),
        "quarry_report_get_f64": (_i32, [_p, _i32, ctypes.POINTER(_f64)]),
        "quarry_lstsq_f64": (_i32, [_p, _i32, _i64, _i64, _i64, _pd, _i64, _pd, _i64, _pd,
                                    _i64, _p, ctypes.POINTER(_p)]),
        "quarry_lstsq_csr_f64": (_i32, [_p, _i64, _i64, _i64, _pi64, _pi64, _pd, _i32, _pd,
                                        _i64, _pd, _i64, _p, ctypes.POINTER(_p)]),
        "quarry_ridge_path_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _pd, _i64, _pd,
                                         _pd, _i64, _p, ctypes.POINTER(_p)]),
        "quarry_options_set_f64_array": (_i32, [_p, _i32, _i64, _pd]),
        "quarry_option_type": (_i32, [_i32]),
        "quarry_relu_net_create_f64": (_i32, [_p, _i64, _i64, _i64, _pd, _pd, _pd, _pd, _pd,
                                              ctypes.POINTER(_p)]),
        "quarry_relu_net_destroy": (None, [_p]),
        "quarry_relu_net_dims": (_i32, [_p, ctypes.POINTER(_i64), ctypes.POINTER(_i64),
                                        ctypes.POINTER(_i64)]),
        "quarry_relu_net_get_f64": (_i32, [_p, _pd, _pd, _pd, _pd, _pd]),
        "quarry_relu_net_eval_f64": (_i32, [_p, _p, _i64, _pd, _pd]),
        "quarry_relu_net_save": (_i32, [_p, _p, ctypes.c_char_p]),
        "quarry_relu_net_load": (_i32, [_p, ctypes.c_char_p, ctypes.POINTER(_p)]),
        "quarry_extract_relu1": (_i32, [_p, _i64, _i64, _ORACLE, _p, _p, ctypes.POINTER(_p),
                                        ctypes.POINTER(_p)]),
        "quarry_options_set_progress": (_i32, [_p, _PROGRESS, _p]),
        "quarry_huber_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _pd, _f64, _pd, _pd, _p,
                                    ctypes.POINTER(_p)]),
        "quarry_lewis_weights_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _f64, _pd, _p,
                                            ctypes.POINTER(_p)]),
        "quarry_active_regression_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _f64, _LABELS,
                                                _p, _i64, _pd, _p, ctypes.POINTER(_p)]),
        "quarry_lp_regression_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _pd, _f64, _pd, _p,
                                            ctypes.POINTER(_p)]),
        "quarry_kronecker_regression_f64": (_i32, [_p, _i32, _i32, _pi64, _pi64,
                                                   ctypes.POINTER(_pd), _pi64, _pd, _pd, _p,
                                                   ctypes.POINTER(_p)]),
        "quarry_kronecker_regression_labels_f64": (_i32, [_p, _i32, _i32, _pi64, _pi64,
                                                          ctypes.POINTER(_pd), _pi64, _LABELS, _p,
                                                          _pd, _p, ctypes.POINTER(_p)]),
        "quarry_kronecker_multiply_f64": (_i32, [_p, _i32, _i32, _pi64, _pi64,
                                                 ctypes.POINTER(_pd), _pi64, _i32, _pd, _pd]),
        "quarry_net_oracle_create": (_i32, [_p, _p, _p, ctypes.POINTER(_p)]),
        "quarry_net_oracle_destroy": (None, [_p]),
        "quarry_net_oracle_eval": (_i32, [_i64, _i64, _pd, _i64, _pd, _p]),
        "quarry_net_oracle_queries": (_i32, [_p, ctypes.POINTER(_i64)]),
        "quarry_rng_state_from_seed": (_i32, [ctypes.c_uint64, ctypes.POINTER(_RngStateC)]),
        "quarry_rng_state_advance": (_i32, [ctypes.POINTER(_RngStateC), ctypes.c_uint64,
                                            ctypes.POINTER(_RngStateC)]),
        "quarry_rng_fill_u32": (_i32, [_p, ctypes.POINTER(_RngStateC), _i64, _i64,
                                       ctypes.POINTER(ctypes.c_uint32)]),
        "quarry_rng_fill_uniform_f64": (_i32, [_p, ctypes.POINTER(_RngStateC), _i64, _i64, _pd]),
        "quarry_rng_fill_normal_f64": (_i32, [_p, ctypes.POINTER(_RngStateC), _i64, _i64, _pd]),
        "quarry_sketch_create": (_i32, [_p, _i32, _i64, _i64, _p, ctypes.POINTER(_RngStateC),
                                        ctypes.POINTER(_p)]),
        "quarry_sketch_destroy": (None, [_p]),
        "quarry_sketch_info": (_i32, [_p, ctypes.POINTER(_i32), ctypes.POINTER(_i64),
                                      ctypes.POINTER(_i64), ctypes.POINTER(_i64)]),
        "quarry_sketch_apply_f64": (_i32, [_p, _p, _i32, _i64, _i64, _pd, _i64, _pd, _i64]),
        "quarry_sketch_apply_right_f64": (_i32, [_p, _p, _i32, _i64, _i64, _pd, _i64, _pd,
                                                 _i64]),
        "quarry_sketch_apply_csr_f64": (_i32, [_p, _p, _i64, _i64, _pi64, _pi64, _pd, _i32,
                                               _pd, _i64]),
        "quarry_sketch_apply_right_csr_f64": (_i32, [_p, _p, _i64, _i64, _pi64, _pi64, _pd,
                                                     _i32, _pd, _i64]),
        "quarry_sketch_columns_f64": (_i32, [_p, _p, _i64, _i64, _i32, _pd, _i64]),
        "quarry_leverage_scores_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _p, _pd]),
        "quarry_row_norms_squared_f64": (_i32, [_p, _i32, _i64, _i64, _pd, _i64, _pd]),
        "quarry_sample_weighted": (_i32, [_p, _i64, _pd, _i64, _i32,
                                          ctypes.POINTER(_RngStateC), _pi64, _pd]),
        "quarry_sample_tree_create": (_i32, [_p, _i64, _pd, ctypes.POINTER(_p)]),
        "quarry_dynamic_lstsq_create": (_i32, [_p, _i64, _p, ctypes.POINTER(_p)]),
        "quarry_dynamic_lstsq_destroy": (None, [_p]),
        "quarry_dynamic_lstsq_insert_f64": (_i32, [_p, _p, _i32, _i64, _pd, _i64, _pd]),
        "quarry_dynamic_lstsq_solve_f64": (_i32, [_p, _p, _pd, ctypes.POINTER(_p)]),
        "quarry_dynamic_lstsq_residual_f64": (_i32, [_p, _p, _pd, _pd]),
        "quarry_sample_tree_destroy": (None, [_p]),
        "quarry_sample_tree_update": (_i32, [_p, _p, _i64, _pi64, _pd]),
        "quarry_sample_tree_get": (_i32, [_p, ctypes.POINTER(_i64), ctypes.POINTER(_f64), _i64,
                                          ctypes.POINTER(_f64)]),
        "quarry_sample_tree_sample": (_i32, [_p, _p, ctypes.POINTER(_RngStateC), _i64, _pi64,
                                             _pd]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    abi = lib.quarry_abi_version()
    if abi != ABI_VERSION:
        raise ImportError(f"quarry: {path} has ABI version {abi}, this binding needs "
                          f"{ABI_VERSION}; install a matching libquarry")
    return lib


_lib = _load()


class QuarryError(Exception):
    """A quarry call failed: ``status`` (the C status code), ``status_name`` (its C name),
    ``description`` (quarry_status_string) and the library's message."""

    def __init__(self, status, message):
        self.status = status
        self.status_name = STATUS_NAMES.get(status, f"status {status}")
        self.description = _lib.quarry_status_string(status).decode()
        self.message = message
        super().__init__(f"{self.status_name} ({self.description}): {message}")

    def __reduce__(self):  # picklable (multiprocessing), extra fields included
        return (type(self), (self.status, self.message) + self._extra())

    def _extra(self):
        return ()


class NoConvergence(QuarryError):
    """The iteration limit was reached: ``x`` is the last iterate, ``report`` its report."""

    def __init__(self, status, message, x, report):
        super().__init__(status, message)
        self.x, self.report = x, report

    def _extra(self):
        return (self.x, self.report)


def version():
    """The loaded library's version string."""
    return _lib.quarry_version_string().decode()


class _Owned:
    """A C handle this object owns: destroyed by close(), on leaving a with block, or when
    collected. Subclasses name their destroy function and what they are."""

    _destroy, _what = None, "object"
    _handle = None

    def _ptr(self):
        if self._handle is None:
            raise ValueError(f"quarry: this {self._what} is closed")
        return self._handle

    def close(self):
        if self._handle is not None and _lib is not None:
            getattr(_lib, self._destroy)(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Context(_Owned):
    """A quarry context: thread count and error messages. Use as a context manager, or
    call close(); a context is not shared between Python threads at the same time."""

    _destroy, _what = "quarry_context_destroy", "Context"

    def __init__(self, threads=0):
        handle = _p()
        _check(_lib.quarry_context_create(ctypes.byref(handle)), None)
        self._handle = handle
        if threads:
            self.threads = threads

    @property
    def threads(self):
        t = _i64()
        _check(_lib.quarry_context_get_threads(self._ptr(), ctypes.byref(t)), self)
        return t.value

    @threads.setter
    def threads(self, n):
        _check(_lib.quarry_context_set_threads(self._ptr(), int(n)), self)


def _message(ctx):
    text = _lib.quarry_context_last_error(ctx._handle) if ctx is not None else None
    return text.decode() if text else "(no message)"


def _check(status, ctx):
    if status != _OK:
        raise QuarryError(status, _message(ctx))


class _Options:
    def __init__(self, **values):
        self.handle = None
        handle = _p()
        _check(_lib.quarry_options_create(ctypes.byref(handle)), None)
        self.handle = handle
        for name, value in values.items():
            if value is None:
                continue
            key = _OPT[name]
            kind = _lib.quarry_option_type(key)
            if kind == _TYPE_F64_ARRAY:
                value = np.ascontiguousarray(np.atleast_1d(value), dtype=np.float64).ravel()
                status = _lib.quarry_options_set_f64_array(handle, key, value.size,
                                                           _ptr(value))
            elif kind == _TYPE_F64:
                status = _lib.quarry_options_set_f64(handle, key, float(value))
            else:
                v = operator.index(value)  # an integer, never a float rounded silently
                if not -2**63 <= v < 2**63:
                    raise ValueError(f"quarry: {name} = {v} does not fit in 64 bits")
                status = _lib.quarry_options_set_i64(handle, key, v)
            if status != _OK:
                raise QuarryError(status, f"option {name} = {value!r} is refused")

    def __del__(self):
        if self.handle is not None and _lib is not None:
            _lib.quarry_options_destroy(self.handle)


def _report(handle):
    """The report as a dict keyed by the C names (QUARRY_REPORT_*); destroys it."""
    if not handle:
        return {}
    try:
        return _report_items(handle)
    finally:
        _lib.quarry_report_destroy(handle)


def _report_items(handle):
    """The entries of a report the caller keeps, as a dict keyed by the C names."""
    out = {}
    count = _i64()
    _lib.quarry_report_count(handle, ctypes.byref(count))
    for i in range(count.value):
        key = _i32()
        _lib.quarry_report_key_at(handle, i, ctypes.byref(key))
        kind = _lib.quarry_report_key_type(key.value)
        if kind == _TYPE_I64:
            v = _i64()
            _lib.quarry_report_get_i64(handle, key.value, ctypes.byref(v))
        elif kind == _TYPE_F64:
            v = _f64()
            _lib.quarry_report_get_f64(handle, key.value, ctypes.byref(v))
        else:  # a key of a newer library than this binding knows
            continue
        out[_lib.quarry_report_key_name(key.value).decode()] = v.value
    return out


def _dense(a, name):
    """(array, layout, ld) for a 2-D float64 array, without a copy when one stride is the
    element size; C order copy otherwise."""
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"quarry: {name} must be 2-D, got {a.ndim}-D")
    if a.dtype != np.float64:
        a = a.astype(np.float64)
    rows, cols = a.shape
    s0, s1 = (s // 8 if s % 8 == 0 else -1 for s in a.strides)
    if a.flags.aligned and s1 == 1 and s0 >= max(cols, 1):
        return a, _ROW_MAJOR, max(s0, 1)
    if a.flags.aligned and s0 == 1 and s1 >= max(rows, 1):
        return a, _COL_MAJOR, max(s1, 1)
    a = np.ascontiguousarray(a)
    return a, _ROW_MAJOR, max(cols, 1)


def _ptr(a):
    return a.ctypes.data_as(_pd)


def _settings(method, ridge, tol, max_iter, sketch_kind, sketch_rows, sketch_nnz, seed):
    if method not in METHODS:
        raise ValueError(f"quarry: method must be one of {sorted(METHODS)}, got {method!r}")
    if sketch_kind is not None and sketch_kind not in SKETCH_KINDS:
        raise ValueError(f"quarry: sketch_kind must be one of {sorted(SKETCH_KINDS)}")
    return _Options(method=METHODS[method], ridge=None if ridge is None else float(ridge),
                    tol=None if tol is None else float(tol), max_iter=max_iter,
                    sketch_kind=None if sketch_kind is None else SKETCH_KINDS[sketch_kind],
                    sketch_rows=sketch_rows, sketch_nnz=sketch_nnz, seed=seed)


def lstsq(a, b, *, ridge=None, method="auto", tol=None, max_iter=None, sketch_kind=None,
          sketch_rows=None, sketch_nnz=None, seed=None, ctx=None):
    """x = argmin ||a x - b||^2 + ridge ||x||^2 (minimum norm when a has more columns than
    rows or is rank deficient), and the solver's report as a dict.

    a: a 2-D array (m x n) or a scipy.sparse matrix; b: m values or an m x k array (x is
    then n x k). Options as in quarry/lstsq.h: method ('auto', 'direct', 'sketch_solve',
    'sketch_precondition', 'gram_precondition'), tol, max_iter, sketch_kind, sketch_rows,
    sketch_nnz, seed. ctx: a Context (default: a new one with all cores).
    """
    with _use(ctx) as ctx:
        opts = _settings(method, ridge, tol, max_iter, sketch_kind, sketch_rows, sketch_nnz,
                         seed)
        b = np.asarray(b, dtype=np.float64)
        if b.ndim not in (1, 2):
            raise ValueError(f"quarry: b must be 1-D or 2-D, got {b.ndim}-D")
        m, nrhs = b.shape[0], (1 if b.ndim == 1 else b.shape[1])
        b2 = np.ascontiguousarray(b.reshape(m, nrhs).T)  # nrhs x m, C order = m x nrhs F
        report = _p()
        if hasattr(a, "tocsr"):  # a scipy.sparse matrix
            csr = a.tocsr()  # duplicates are added up by the library
            rows, n = csr.shape
            indptr = np.ascontiguousarray(csr.indptr, dtype=np.int64)
            indices = np.ascontiguousarray(csr.indices, dtype=np.int64)
            data = np.ascontiguousarray(csr.data, dtype=np.float64)
            if rows != m:
                raise ValueError(f"quarry: b has {m} rows but a has {rows}")
            x = np.zeros((nrhs, n))
            status = _lib.quarry_lstsq_csr_f64(
                ctx._ptr(), rows, n, nrhs, indptr.ctypes.data_as(_pi64),
                indices.ctypes.data_as(_pi64), _ptr(data), _COL_MAJOR, _ptr(b2), max(m, 1),
                _ptr(x), max(n, 1), opts.handle, ctypes.byref(report))
        else:
            arr, layout, ld = _dense(a, "a")
            rows, n = arr.shape
            if rows != m:
                raise ValueError(f"quarry: b has {m} rows but a has {rows}")
            if layout == _ROW_MAJOR:  # B and X share A's layout
                bl = np.ascontiguousarray(b2.T)
                x = np.zeros((n, nrhs))
                status = _lib.quarry_lstsq_f64(
                    ctx._ptr(), layout, rows, n, nrhs, _ptr(arr), ld, _ptr(bl), max(nrhs, 1),
                    _ptr(x), max(nrhs, 1), opts.handle, ctypes.byref(report))
                x = x.T
            else:
                x = np.zeros((nrhs, n))
                status = _lib.quarry_lstsq_f64(
                    ctx._ptr(), layout, rows, n, nrhs, _ptr(arr), ld, _ptr(b2), max(m, 1),
                    _ptr(x), max(n, 1), opts.handle, ctypes.byref(report))
        rep = _report(report)
        x = x[0].copy() if b.ndim == 1 else np.ascontiguousarray(x.T)
        if status == _NO_CONVERGENCE and rep:
            raise NoConvergence(status, _message(ctx), x, rep)
        _check(status, ctx)
        return x, rep


def ridge_path(a, b, lambdas, *, method="auto", tol=None, max_iter=None, sketch_kind=None,
               sketch_rows=None, sketch_nnz=None, seed=None, ctx=None):
    """x[:, j] = argmin ||a x - b||^2 + lambdas[j] ||x||^2 for a dense a (m x n) and b
    (m values), sharing one factorization; returns (x, report)."""
    with _use(ctx) as ctx:
        opts = _settings(method, None, tol, max_iter, sketch_kind, sketch_rows, sketch_nnz,
                         seed)
        arr, layout, ld = _dense(a, "a")
        m, n = arr.shape
        b = np.ascontiguousarray(b, dtype=np.float64)
        lam = np.ascontiguousarray(np.atleast_1d(lambdas), dtype=np.float64)
        if lam.ndim != 1:
            raise ValueError(f"quarry: lambdas must be 1-D, got shape {lam.shape}")
        if b.shape != (m,):
            raise ValueError(f"quarry: b must have shape ({m},), got {b.shape}")
        nl = lam.shape[0]
        report = _p()
        if layout == _ROW_MAJOR:
            x = np.zeros((n, nl))
            status = _lib.quarry_ridge_path_f64(ctx._ptr(), layout, m, n, _ptr(arr), ld,
                                                _ptr(b), nl, _ptr(lam), _ptr(x), max(nl, 1),
                                                opts.handle, ctypes.byref(report))
        else:
            xt = np.zeros((nl, n))
            status = _lib.quarry_ridge_path_f64(ctx._ptr(), layout, m, n, _ptr(arr), ld,
                                                _ptr(b), nl, _ptr(lam), _ptr(xt), max(n, 1),
                                                opts.handle, ctypes.byref(report))
            x = np.ascontiguousarray(xt.T)
        rep = _report(report)
        if status == _NO_CONVERGENCE and rep:
            raise NoConvergence(status, _message(ctx), x, rep)
        _check(status, ctx)
        return x, rep


def huber(a, b, epsilon=1.35, *, scale=None, ridge=None, tol=None, max_iter=None, ctx=None):
    """Huber regression (quarry_huber_f64): x minimizing the Huber loss of b - a x with
    threshold epsilon * sigma, plus ridge ||x||^2. scale=None estimates sigma with x
    (scikit-learn's HuberRegressor objective with fit_intercept=False and alpha=ridge;
    epsilon >= 1); scale > 0 fixes it. Returns (x, sigma, report); the report holds
    QUARRY_REPORT_OBJECTIVE and QUARRY_REPORT_OUTLIERS. Raises NoConvergence (with the last
    x, and the report) when max_iter Newton iterations were not enough."""
    if scale is not None and not scale > 0:
        raise ValueError(f"quarry: a fixed scale must be > 0, got {scale!r}")
    opts = _Options(huber_scale=None if scale is None else float(scale),
                    ridge=None if ridge is None else float(ridge),
                    tol=None if tol is None else float(tol), max_iter=max_iter)
    arr, layout, ld = _dense(a, "a")
    m, n = arr.shape
    b = np.ascontiguousarray(b, dtype=np.float64)
    if b.shape != (m,):
        raise ValueError(f"quarry: b must have shape ({m},), got {b.shape}")
    x, sigma, report = np.zeros(n), _f64(), _p()
    with _use(ctx) as cx:
        status = _lib.quarry_huber_f64(cx._ptr(), layout, m, n, _ptr(arr), ld, _ptr(b),
                                       float(epsilon), _ptr(x), ctypes.byref(sigma), opts.handle,
                                       ctypes.byref(report))
        rep = _report(report)
        if status == _NO_CONVERGENCE and rep:
            raise NoConvergence(status, _message(cx), x, rep)
        _check(status, cx)
    return x, sigma.value, rep


def lp_regression(a, b, p, *, method="auto", tol=None, max_iter=None, sketch_kind=None,
                  sketch_rows=None, sketch_nnz=None, seed=None, ctx=None):
    """l_p regression (quarry_lp_regression_f64): x minimizing sum_i |b_i - a_i x|^p for
    p >= 1 (p = 1: least absolute deviations). Returns (x, report); the report holds
    QUARRY_REPORT_OBJECTIVE (sum |r_i|^p) and QUARRY_REPORT_DUAL_GAP (a bound on the
    objective's relative distance to its minimum; tol, default 1e-10, is the one to reach).
    method: 'auto', 'gram_precondition' or 'sketch_precondition' (the Newton systems'
    preconditioner); sketch_kind: 'sparse_sign' (default), 'countsketch' or 'gaussian'. Raises NoConvergence (with the last x, and the report) when max_iter
    Newton iterations were not enough."""
    opts = _settings(method, None, tol, max_iter, sketch_kind, sketch_rows, sketch_nnz, seed)
    arr, layout, ld = _dense(a, "a")
    m, n = arr.shape
    b = np.ascontiguousarray(b, dtype=np.float64)
    if b.shape != (m,):
        raise ValueError(f"quarry: b must have shape ({m},), got {b.shape}")
    x, report = np.zeros(n), _p()
    with _use(ctx) as cx:
        status = _lib.quarry_lp_regression_f64(cx._ptr(), layout, m, n, _ptr(arr), ld, _ptr(b),
                                               float(p), _ptr(x), opts.handle,
                                               ctypes.byref(report))
        rep = _report(report)
        if status == _NO_CONVERGENCE and rep:
            raise NoConvergence(status, _message(cx), x, rep)
        _check(status, cx)
    return x, rep


class ExtractionIncomplete(QuarryError):
    """An extraction stopped early (query budget spent, or its estimated error is above
    1e-3): ``net`` is the partial or inaccurate copy, ``report`` its report."""

    def __init__(self, status, message, net, report):
        super().__init__(status, message)
        self.net, self.report = net, report

    def _extra(self):  # the partial network is a C handle: it does not travel
        return (None, self.report)


class ReluNet(_Owned):
    """A one-hidden-layer ReLU network F(x) = A relu(W x + b) + S x + c0 (quarry_relu_net).

    ReluNet(w, b, a, skip=None, c0=None): w is k x d, b k values, a c x k, skip c x d,
    c0 c values (copied). Calling it on an n x d array (or one input of d values) gives
    the outputs. weights() returns the arrays; save(path) and ReluNet.load(path) use
    quarry's JSON format.
    """

    _destroy, _what = "quarry_relu_net_destroy", "ReluNet"

    def __init__(self, w, b, a, skip=None, c0=None, *, ctx=None):
        w = np.ascontiguousarray(w, dtype=np.float64)
        a = np.ascontiguousarray(a, dtype=np.float64)
        b = np.ascontiguousarray(b, dtype=np.float64)
        if w.ndim != 2 or a.ndim != 2:
            raise ValueError("quarry: w (k x d) and a (c x k) must be 2-D")
        (k, d), c = w.shape, a.shape[0]
        opt = [None if v is None else np.ascontiguousarray(v, dtype=np.float64)
               for v in (skip, c0)]
        want = {"b": (b, (k,)), "a": (a, (c, k)), "skip": (opt[0], (c, d)),
                "c0": (opt[1], (c,))}
        for name, (v, shape) in want.items():
            if v is not None and v.shape != shape:
                raise ValueError(f"quarry: {name} must have shape {shape} (w is {k} x {d}, "
                                 f"a has {c} rows), got {v.shape}")
        handle = _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_relu_net_create_f64(
                cx._ptr(), d, k, c, _ptr(w), _ptr(b), _ptr(a),
                _ptr(opt[0]) if opt[0] is not None else None,
                _ptr(opt[1]) if opt[1] is not None else None, ctypes.byref(handle)), cx)
        self._handle = handle

    @classmethod
    def _adopt(cls, handle):
        net = cls.__new__(cls)
        net._handle = handle
        return net

    @classmethod
    def load(cls, path, *, ctx=None):
        handle = _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_relu_net_load(cx._ptr(), os.fsencode(path),
                                             ctypes.byref(handle)), cx)
        return cls._adopt(handle)

    @property
    def shape(self):
        """(d, k, c): inputs, hidden neurons, outputs."""
        d, k, c = _i64(), _i64(), _i64()
        _check(_lib.quarry_relu_net_dims(self._ptr(), ctypes.byref(d), ctypes.byref(k),
                                         ctypes.byref(c)), None)
        return d.value, k.value, c.value

    def weights(self):
        """dict of w (k x d), b (k), a (c x k), skip (c x d), c0 (c)."""
        d, k, c = self.shape
        out = {"w": np.zeros((k, d)), "b": np.zeros(k), "a": np.zeros((c, k)),
               "skip": np.zeros((c, d)), "c0": np.zeros(c)}
        _check(_lib.quarry_relu_net_get_f64(self._ptr(), *(_ptr(out[n]) for n in
                                                         ("w", "b", "a", "skip", "c0"))), None)
        return out

    def __call__(self, x, *, ctx=None):
        d, _, c = self.shape
        x = np.ascontiguousarray(x, dtype=np.float64)
        one = x.ndim == 1
        x2 = x.reshape(1, -1) if one else x
        if x2.ndim != 2 or x2.shape[1] != d:
            raise ValueError(f"quarry: inputs must have {d} columns, got shape {x.shape}")
        y = np.zeros((x2.shape[0], c))
        with _use(ctx) as cx:
            _check(_lib.quarry_relu_net_eval_f64(cx._ptr(), self._ptr(), x2.shape[0], _ptr(x2),
                                                 _ptr(y)), cx)
        return y[0] if one else y

    def save(self, path, *, ctx=None):
        with _use(ctx) as cx:
            _check(_lib.quarry_relu_net_save(cx._ptr(), self._ptr(), os.fsencode(path)), cx)


class _use:
    """The caller's context, or a fresh one closed on exit."""

    def __init__(self, ctx):
        self.ctx, self.own = (Context(), True) if ctx is None else (ctx, False)

    def __enter__(self):
        return self.ctx

    def __exit__(self, *exc):
        if self.own:
            self.ctx.close()


_BUDGET, _CALLBACK_ABORTED, _ORACLE_FAILED = 302, 300, 301


class _Guard:
    """Wraps the Python callbacks handed to C: nothing may unwind into C, so an exception
    is kept (in ``raised``, to re-raise after the C call) and the callback returns 1."""

    def __init__(self):
        self.raised = []

    def __call__(self, f):
        def call(*args):
            try:
                return f(*args)
            except BaseException as e:  # noqa: BLE001
                self.raised.append(e)
                return 1
        return call


def extract_relu1(oracle, d=None, c=None, *, seed=None, budget=None, noise=None, lower=None,
                  upper=None, refine=None, progress=None, ctx=None):
    """Copy a one-hidden-layer ReLU network from value queries (quarry_extract_relu1).

    oracle(x) answers a batch: x is an n x d array (read only, valid during the call), the
    result n x c outputs (array-like). It is called on this thread only. An exception in
    it stops the extraction and is re-raised here (from the QuarryError it caused). A
    NetOracle (a simulated black box) is called by the library directly; d and c are then
    its own. Options: seed, budget (queries), noise (the oracle's output noise, if known),
    lower and upper (a box every query stays in: one bound or d), refine (1: re-measure
    every neuron). progress(report), called after every line searched with the report so
    far (a dict), stops the extraction when it returns a true value. Returns (ReluNet,
    report); raises ExtractionIncomplete (with the partial copy) when the budget ran out,
    progress asked to stop, or the copy's estimated error is above 1e-3.
    """
    guarded = _Guard()

    def answer(n, dd, x, cc, y, _user):
        xs = np.ctypeslib.as_array(x, shape=(n, dd)).copy()  # the oracle may keep it
        xs.flags.writeable = False
        ys = np.asarray(oracle(xs), dtype=np.float64)
        if ys.shape != (n, cc) and not (cc == 1 and ys.shape == (n,)):
            raise ValueError(f"quarry: the oracle answered shape {ys.shape} for a "
                             f"batch of {n} queries with {cc} outputs")
        np.ctypeslib.as_array(y, shape=(n, cc))[...] = ys.reshape(n, cc)
        return 0

    box = [None if v is None else np.ascontiguousarray(np.atleast_1d(v), dtype=np.float64)
           for v in (lower, upper)]
    opts = _Options(seed=seed, budget=budget, noise=None if noise is None else float(noise),
                    lower=box[0], upper=box[1], refine=refine)
    if progress is not None:  # kept alive (in this frame) for the whole call
        on_progress = _PROGRESS(guarded(lambda r, _user: 1 if progress(_report_items(r)) else 0))
        _check(_lib.quarry_options_set_progress(opts.handle, on_progress, None), None)
    if isinstance(oracle, NetOracle):
        d, c = oracle.shape
        callback, user = _NET_ORACLE_EVAL, oracle._ptr()
    elif d is None or c is None:
        raise ValueError("quarry: extract_relu1 needs d and c with a Python oracle")
    else:
        callback, user = _ORACLE(guarded(answer)), None
    net, report = _p(), _p()
    with _use(ctx) as cx:
        status = _lib.quarry_extract_relu1(cx._ptr(), int(d), int(c), callback, user,
                                           opts.handle, ctypes.byref(net), ctypes.byref(report))
        message = _message(cx)
    rep = _report(report)
    copy = ReluNet._adopt(net) if net else None
    if guarded.raised:
        if copy is not None:
            copy.close()
        raise guarded.raised[0] from QuarryError(status, message)
    if status in (_BUDGET, _CALLBACK_ABORTED, _NO_CONVERGENCE) and copy is not None:
        raise ExtractionIncomplete(status, message, copy, rep)
    if status != _OK:
        raise QuarryError(status, message)
    return copy, rep


class NetOracle(_Owned):
    """A simulated black box over a known network (quarry_net_oracle): answers like a
    deployment would, in float32 (float32=True), with N(0, noise^2) noise on every output
    (seeded by seed), rounded to multiples of rounding; counts its queries. Call it on an
    n x d array; pass it to extract_relu1 to measure what copying the deployment costs
    (the library then calls it directly, without Python per batch). One thread at a time.
    """
    _destroy, _what = "quarry_net_oracle_destroy", "NetOracle"

    def __init__(self, net, *, float32=False, noise=None, rounding=None, seed=None, ctx=None):
        opts = _Options(oracle_float32=int(bool(float32)), seed=seed,
                        oracle_noise=None if noise is None else float(noise),
                        oracle_rounding=None if rounding is None else float(rounding))
        handle = _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_net_oracle_create(cx._ptr(), net._ptr(), opts.handle,
                                                 ctypes.byref(handle)), cx)
        self._handle = handle
        d, _, c = net.shape
        self.shape = (d, c)

    @property
    def queries(self):
        """Queries answered so far (every row of every batch)."""
        q = _i64()
        _check(_lib.quarry_net_oracle_queries(self._ptr(), ctypes.byref(q)), None)
        return q.value

    def __call__(self, x):
        d, c = self.shape
        x = np.ascontiguousarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"quarry: inputs must be n x {d}, got shape {x.shape}")
        y = np.zeros((x.shape[0], c))
        status = _lib.quarry_net_oracle_eval(x.shape[0], d, _ptr(x), c, _ptr(y), self._ptr())
        if status != _OK:
            raise QuarryError(status, "the simulated black box refused the batch")
        return y


# The library's own oracle function, handed to quarry_extract_relu1 for a NetOracle.
_NET_ORACLE_EVAL = ctypes.cast(_lib.quarry_net_oracle_eval, _ORACLE)


class RngState:
    """The state of a counter-based random stream (Philox4x32-10, quarry/rng.h): a plain
    value. RngState(seed) is the stream of a seed; advance(blocks) the stream that starts
    that many blocks later; u32, uniform and normal give elements [offset, offset + n) of
    its three views. The same state gives the same numbers for any thread count.
    """
    __slots__ = ("_c",)

    def __init__(self, seed=0):
        self._c = _RngStateC()
        _check(_lib.quarry_rng_state_from_seed(_u64(seed, "seed"), ctypes.byref(self._c)),
               None)

    def advance(self, blocks):
        out = RngState.__new__(RngState)
        out._c = _RngStateC()
        _check(_lib.quarry_rng_state_advance(ctypes.byref(self._c), _u64(blocks, "blocks"),
                                             ctypes.byref(out._c)), None)
        return out

    def _fill(self, fn, n, offset, dtype, ctx):
        out = np.zeros(operator.index(n), dtype=dtype)
        with _use(ctx) as cx:
            _check(fn(cx._ptr(), ctypes.byref(self._c), operator.index(offset), out.size,
                      out.ctypes.data_as(ctypes.POINTER(np.ctypeslib.as_ctypes_type(dtype)))),
                   cx)
        return out

    def u32(self, n, offset=0, *, ctx=None):
        """Elements [offset, offset + n) of the 32-bit word stream (uint32)."""
        return self._fill(_lib.quarry_rng_fill_u32, n, offset, np.uint32, ctx)

    def uniform(self, n, offset=0, *, ctx=None):
        """Elements [offset, offset + n) of the uniform (0, 1) stream."""
        return self._fill(_lib.quarry_rng_fill_uniform_f64, n, offset, np.float64, ctx)

    def normal(self, n, offset=0, *, ctx=None):
        """Elements [offset, offset + n) of the standard normal stream."""
        return self._fill(_lib.quarry_rng_fill_normal_f64, n, offset, np.float64, ctx)

    def _key(self):
        c = self._c
        return (c.generator, c.reserved, tuple(c.key), tuple(c.counter))

    def __eq__(self, other):
        return isinstance(other, RngState) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        _, _, key, counter = self._key()
        return f"RngState(key={key[0]:#x}, counter={counter[1] << 64 | counter[0]:#x})"

    def __reduce__(self):  # picklable: the 40 bytes
        return (_rng_state_from_bytes, (bytes(self._c),))


def _rng_state_from_bytes(data):
    out = RngState.__new__(RngState)
    out._c = _RngStateC.from_buffer_copy(data)
    return out


def _u64(v, name):
    v = operator.index(v)
    if not 0 <= v < 2**64:
        raise ValueError(f"quarry: {name} = {v} is outside [0, 2^64)")
    return v


def _state(seed, state):
    """The RngState given, else the one of seed."""
    return state if state is not None else RngState(seed)


def _csr(a):
    """(rows, cols, indptr, indices, data) of a scipy.sparse matrix, 64-bit CSR."""
    csr = a.tocsr()  # duplicates are added up by the library
    return (*csr.shape, np.ascontiguousarray(csr.indptr, dtype=np.int64),
            np.ascontiguousarray(csr.indices, dtype=np.int64),
            np.ascontiguousarray(csr.data, dtype=np.float64))


def _out(rows, cols, layout):
    """A zero rows x cols result in layout, and its leading dimension."""
    if layout == _ROW_MAJOR:
        return np.zeros((rows, cols)), max(cols, 1)
    return np.zeros((rows, cols), order="F"), max(rows, 1)


class Sketch(_Owned):
    """A sketching operator S, rows x cols (quarry/sketch.h): immutable, a pure function
    of (kind, rows, cols, nnz, state). Sketch('sparse_sign', 400, 100000, seed=1).

    S @ a (or apply(a)) is S A for a dense (any layout; the result in a's layout) or
    scipy.sparse a with cols rows; apply_right(a) is A S^T for an a with cols columns
    (samples as rows); columns(j0, w) and toarray() give S explicitly. kind is one of
    SKETCH_KINDS; nnz the non-zeros per column of a sparse sign sketch.
    """
    _destroy, _what = "quarry_sketch_destroy", "Sketch"

    def __init__(self, kind, rows, cols, *, seed=0, state=None, nnz=None, ctx=None):
        if kind not in SKETCH_KINDS:
            raise ValueError(f"quarry: kind must be one of {sorted(SKETCH_KINDS)}, got {kind!r}")
        opts = _Options(sketch_nnz=nnz)
        st = _state(seed, state)
        handle = _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_sketch_create(cx._ptr(), SKETCH_KINDS[kind], operator.index(rows),
                                             operator.index(cols), opts.handle,
                                             ctypes.byref(st._c), ctypes.byref(handle)), cx)
        self._handle = handle
        self.kind = kind

    @property
    def shape(self):
        """(rows, cols)."""
        return self._info()[:2]

    @property
    def nnz(self):
        """Non-zeros per column (rows for Gaussian and SRHT, 1 for uniform rows)."""
        return self._info()[2]

    def _info(self):
        rows, cols, nnz = _i64(), _i64(), _i64()
        _check(_lib.quarry_sketch_info(self._ptr(), None, ctypes.byref(rows), ctypes.byref(cols),
                                       ctypes.byref(nnz)), None)
        return rows.value, cols.value, nnz.value

    def __matmul__(self, a):
        return self.apply(a)

    def apply(self, a, *, ctx=None):
        """S A: rows x n (A has cols rows)."""
        return self._apply(a, False, ctx)

    def apply_right(self, a, *, ctx=None):
        """A S^T: n x rows (A has cols columns, e.g. one sample per row)."""
        return self._apply(a, True, ctx)

    def _apply(self, a, right, ctx):
        r = self.shape[0]
        with _use(ctx) as cx:
            if hasattr(a, "tocsr"):  # a scipy.sparse matrix: a dense C-order result
                m, n, indptr, indices, data = _csr(a)
                out, ld = _out(m if right else r, r if right else n, _ROW_MAJOR)
                fn = _lib.quarry_sketch_apply_right_csr_f64 if right else \
                    _lib.quarry_sketch_apply_csr_f64
                status = fn(cx._ptr(), self._ptr(), m, n, indptr.ctypes.data_as(_pi64),
                            indices.ctypes.data_as(_pi64), _ptr(data), _ROW_MAJOR, _ptr(out), ld)
            else:
                arr, layout, lda = _dense(a, "a")
                m, n = arr.shape
                out, ld = _out(m if right else r, r if right else n, layout)
                fn = _lib.quarry_sketch_apply_right_f64 if right else _lib.quarry_sketch_apply_f64
                status = fn(cx._ptr(), self._ptr(), layout, m, n, _ptr(arr), lda, _ptr(out), ld)
            _check(status, cx)
        return out

    def columns(self, j0=0, w=None, *, ctx=None):
        """Columns j0 .. j0 + w - 1 of S (rows x w; w defaults to the rest)."""
        rows, cols = self.shape
        w = cols - j0 if w is None else w
        out, ld = _out(rows, w, _ROW_MAJOR)
        with _use(ctx) as cx:
            _check(_lib.quarry_sketch_columns_f64(cx._ptr(), self._ptr(), operator.index(j0),
                                                  operator.index(w), _ROW_MAJOR, _ptr(out), ld),
                   cx)
        return out

    def toarray(self, *, ctx=None):
        """S as a dense rows x cols array."""
        return self.columns(0, None, ctx=ctx)


def leverage_scores(a, *, method="exact", ridge=None, sketch_kind=None, sketch_rows=None,
                    seed=None, ctx=None):
    """The leverage score of every row of a dense a (m values in [0, 1] summing to its
    rank): method 'exact' (QR; SVD when rank deficient) or 'approx' (sketched, within a
    factor 2 on nearly every row); ridge gives ridge leverage scores."""
    if method not in _LEVERAGE:
        raise ValueError(f"quarry: method must be one of {sorted(_LEVERAGE)}, got {method!r}")
    if sketch_kind is not None and sketch_kind not in SKETCH_KINDS:
        raise ValueError(f"quarry: sketch_kind must be one of {sorted(SKETCH_KINDS)}")
    opts = _Options(leverage_method=_LEVERAGE[method], ridge=None if ridge is None else float(ridge),
                    sketch_kind=None if sketch_kind is None else SKETCH_KINDS[sketch_kind],
                    sketch_rows=sketch_rows, seed=seed)
    arr, layout, ld = _dense(a, "a")
    m, n = arr.shape
    out = np.zeros(m)
    with _use(ctx) as cx:
        _check(_lib.quarry_leverage_scores_f64(cx._ptr(), layout, m, n, _ptr(arr), ld,
                                               opts.handle, _ptr(out)), cx)
    return out


def _leverage_options(method, sketch_kind, sketch_rows, seed, tol, max_iter):
    if method not in _LEVERAGE:
        raise ValueError(f"quarry: method must be one of {sorted(_LEVERAGE)}, got {method!r}")
    if sketch_kind is not None and sketch_kind not in SKETCH_KINDS:
        raise ValueError(f"quarry: sketch_kind must be one of {sorted(SKETCH_KINDS)}")
    return _Options(leverage_method=_LEVERAGE[method],
                    sketch_kind=None if sketch_kind is None else SKETCH_KINDS[sketch_kind],
                    sketch_rows=sketch_rows, seed=seed, tol=None if tol is None else float(tol),
                    max_iter=max_iter)


def lewis_weights(a, p, *, method="exact", sketch_kind=None, sketch_rows=None, seed=None,
                  tol=None, max_iter=None, ctx=None):
    """The l_p Lewis weights of the rows of a dense a (quarry_lewis_weights_f64): m values
    summing to its rank, the leverage scores for p = 2; the weights of l_p row sampling.
    method: 'exact' or 'approx' (the leverage scores of every round). Returns (weights,
    report); raises NoConvergence (with the last round's weights as ``x``) when max_iter
    rounds were not enough."""
    opts = _leverage_options(method, sketch_kind, sketch_rows, seed, tol, max_iter)
    arr, layout, ld = _dense(a, "a")
    m, n = arr.shape
    out, report = np.zeros(m), _p()
    with _use(ctx) as cx:
        status = _lib.quarry_lewis_weights_f64(cx._ptr(), layout, m, n, _ptr(arr), ld, float(p),
                                               _ptr(out), opts.handle, ctypes.byref(report))
        rep = _report(report)
        if status == _NO_CONVERGENCE and rep:
            raise NoConvergence(status, _message(cx), out, rep)
        _check(status, cx)
    return out, rep


def active_regression(a, p, labels, budget, *, method="exact", sketch_kind=None,
                      sketch_rows=None, seed=None, tol=None, max_iter=None, ctx=None):
    """Active l_p regression (quarry_active_regression_f64): fit b ~ a x in the l_p norm
    (p >= 1) reading only ``budget`` labels, chosen by a's Lewis weights. ``labels(rows)``
    gets an increasing int64 array of row indices (at most 1024 per call, each row asked
    once) and returns their labels; an exception in it stops the fit and is re-raised here
    (from the QuarryError it caused). method: the Lewis weights' leverage scores ('exact' or
    'approx'); tol and max_iter are the fit's. Returns (x, report); the report's
    QUARRY_REPORT_QUERIES is the labels read."""
    opts = _leverage_options(method, sketch_kind, sketch_rows, seed, tol, max_iter)
    arr, layout, ld = _dense(a, "a")
    m, n = arr.shape
    guarded = _Guard()

    def answer(count, rows, out, _user):
        got = np.asarray(labels(np.ctypeslib.as_array(rows, shape=(count,)).copy()),
                         dtype=np.float64)
        if got.shape != (count,):
            raise ValueError(f"quarry: labels answered shape {got.shape} for {count} rows")
        np.ctypeslib.as_array(out, shape=(count,))[...] = got
        return 0

    callback = _LABELS(guarded(answer))
    x, report = np.zeros(n), _p()
    with _use(ctx) as cx:
        status = _lib.quarry_active_regression_f64(cx._ptr(), layout, m, n, _ptr(arr), ld,
                                                   float(p), callback, None, int(budget), _ptr(x),
                                                   opts.handle, ctypes.byref(report))
        message = _message(cx)
    rep = _report(report)
    if guarded.raised:
        raise guarded.raised[0] from QuarryError(status, message)
    if status == _NO_CONVERGENCE and rep:
        raise NoConvergence(status, message, x, rep)
    if status != _OK:
        raise QuarryError(status, message)
    return x, rep


class _Kron:
    """The factors of a Kronecker product as the C calls take them: row-major copies (only
    where needed), their sizes, pointers and leading dimensions."""

    def __init__(self, factors):
        factors = list(factors)
        if not factors:
            raise ValueError("quarry: a Kronecker product needs at least one factor")
        self.arrays = []
        for n, f in enumerate(factors):
            f = np.ascontiguousarray(f, dtype=np.float64)
            if f.ndim != 2:
                raise ValueError(f"quarry: factor {n} must be 2-D, got {f.ndim}-D")
            self.arrays.append(f)
        self.rows = np.array([f.shape[0] for f in self.arrays], dtype=np.int64)
        self.cols = np.array([f.shape[1] for f in self.arrays], dtype=np.int64)
        self.ld = np.maximum(self.cols, 1)
        self.ptrs = (_pd * len(self.arrays))(*[_ptr(f) for f in self.arrays])

    def args(self):
        return (_ROW_MAJOR, len(self.arrays), self.rows.ctypes.data_as(_pi64),
                self.cols.ctypes.data_as(_pi64), self.ptrs, self.ld.ctypes.data_as(_pi64))


def _kron_tensor(v, size, name):
    v = np.ascontiguousarray(v, dtype=np.float64).reshape(-1)
    if v.size != size:
        raise ValueError(f"quarry: {name} must have {size} entries, got {v.size}")
    return v


def kronecker_regression(factors, b=None, *, labels=None, ridge=None, method="exact",
                         samples=None, seed=None, tol=None, max_iter=None, ctx=None):
    """Kronecker ridge regression (quarry_kronecker_regression_f64): x minimizing
    ||(A_1 kron ... kron A_N) x - b||^2 + ridge ||x||^2 without forming the product.

    factors: the A_n (I_n x R_n). b: the I_1 x ... x I_N tensor (or its prod I_n values in
    C order); or labels(rows) instead, answering the flat row indices it gets (increasing
    int64, at most 4096 per call) with their b values (the sampled solver only; an exception
    in it stops the fit and is re-raised here). method: 'exact' (factor SVDs, all of b) or
    'sampled' (product leverage-score sampling of `samples` rows, default 50 times K's
    statistical dimension: about 2% excess loss; then preconditioned conjugate gradients to
    tol). Returns (x, report), x shaped
    R_1 x ... x R_N; the exact report holds QUARRY_REPORT_OBJECTIVE."""
    kinds = {"exact": METHODS["direct"], "sampled": METHODS["sketch_solve"]}
    if method not in kinds:
        raise ValueError(f"quarry: method must be 'exact' or 'sampled', got {method!r}")
    if (b is None) == (labels is None):
        raise ValueError("quarry: give exactly one of b and labels")
    if labels is not None and method != "sampled":
        raise ValueError("quarry: labels need method='sampled' (the exact solver reads all of b)")
    k = _Kron(factors)
    opts = _Options(method=kinds[method], ridge=None if ridge is None else float(ridge),
                    sketch_rows=samples, seed=seed, tol=None if tol is None else float(tol),
                    max_iter=max_iter)
    x, report = np.zeros(int(np.prod(k.cols))), _p()
    guarded = _Guard()
    with _use(ctx) as cx:
        if b is not None:
            bv = _kron_tensor(b, int(np.prod(k.rows)), "b")
            status = _lib.quarry_kronecker_regression_f64(cx._ptr(), *k.args(), _ptr(bv),
                                                          _ptr(x), opts.handle,
                                                          ctypes.byref(report))
        else:
            def answer(count, rows, out, _user):
                got = np.asarray(labels(np.ctypeslib.as_array(rows, shape=(count,)).copy()),
                                 dtype=np.float64)
                if got.shape != (count,):
                    raise ValueError(f"quarry: labels answered shape {got.shape} for {count} "
                                     "rows")
                np.ctypeslib.as_array(out, shape=(count,))[...] = got
                return 0

            callback = _LABELS(guarded(answer))
            status = _lib.quarry_kronecker_regression_labels_f64(
                cx._ptr(), *k.args(), callback, None, _ptr(x), opts.handle,
                ctypes.byref(report))
        message = _message(cx)
    rep = _report(report)
    if guarded.raised:
        raise guarded.raised[0] from QuarryError(status, message)
    x = x.reshape(tuple(int(c) for c in k.cols))
    if status == _NO_CONVERGENCE and rep:
        raise NoConvergence(status, message, x, rep)
    if status != _OK:
        raise QuarryError(status, message)
    return x, rep


def kronecker_multiply(factors, x, *, transpose=False, ctx=None):
    """(A_1 kron ... kron A_N) x, or its transpose times x, mode by mode
    (quarry_kronecker_multiply_f64): x is the R_1 x ... x R_N tensor (I_1 x ... x I_N with
    transpose), or its values in C order; the result is the I_1 x ... x I_N tensor (R_1 x
    ... x R_N)."""
    k = _Kron(factors)
    into, out = (k.rows, k.cols) if transpose else (k.cols, k.rows)
    xv = _kron_tensor(x, int(np.prod(into)), "x")
    y = np.zeros(int(np.prod(out)))
    with _use(ctx) as cx:
        _check(_lib.quarry_kronecker_multiply_f64(cx._ptr(), *k.args(), int(bool(transpose)),
                                                  _ptr(xv), _ptr(y)), cx)
    return y.reshape(tuple(int(c) for c in out))


def row_norms_squared(a, *, ctx=None):
    """The squared Euclidean norm of every row of a dense a (length-squared sampling)."""
    arr, layout, ld = _dense(a, "a")
    m, n = arr.shape
    out = np.zeros(m)
    with _use(ctx) as cx:
        _check(_lib.quarry_row_norms_squared_f64(cx._ptr(), layout, m, n, _ptr(arr), ld,
                                                 _ptr(out)), cx)
    return out


def _weights(w):
    w = np.ascontiguousarray(w, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"quarry: weights must be 1-D, got shape {w.shape}")
    return w


def sample_weighted(weights, count, *, replace=True, seed=0, state=None, ctx=None):
    """Draw count rows with probability proportional to weights: (indices, scales), the
    indices increasing, so that the rows of A at indices times scales form S A with
    E[S^T S] = I. replace=False draws distinct rows (inclusion probabilities
    min(1, c w_i))."""
    w = _weights(weights)
    count = operator.index(count)
    indices, scales = np.zeros(max(count, 0), dtype=np.int64), np.zeros(max(count, 0))
    st = _state(seed, state)
    with _use(ctx) as cx:
        _check(_lib.quarry_sample_weighted(cx._ptr(), w.size, _ptr(w), count, int(bool(replace)),
                                           ctypes.byref(st._c), indices.ctypes.data_as(_pi64),
                                           _ptr(scales)), cx)
    return indices, scales


class DynamicLstsq(_Owned):
    """Dynamic least squares (quarry_dynamic_lstsq): rows inserted over time, and at any
    time x minimizing ||A x - b||^2 + ridge ||x||^2 over the rows so far.
    DynamicLstsq(n, mode='exact' | 'sampled', ridge=None, eps=None, seed=None);
    insert(a, b) (a: k x n, b: k values); solve() -> (x, report); residual(x) ->
    sqrt(||A x - b||^2 + ridge ||x||^2) over the rows held (all of them when exact).
    mode='sampled' keeps rows by their online leverage scores: the objective within about
    1 + eps of the minimum (eps default 0.1) from a small part of the rows."""
    _destroy, _what = "quarry_dynamic_lstsq_destroy", "DynamicLstsq"

    def __init__(self, n, *, mode="exact", ridge=None, eps=None, seed=None, ctx=None):
        modes = {"exact": METHODS["direct"], "sampled": METHODS["sketch_solve"]}
        if mode not in modes:
            raise ValueError(f"quarry: mode must be 'exact' or 'sampled', got {mode!r}")
        opts = _Options(method=modes[mode], ridge=None if ridge is None else float(ridge),
                        tol=None if eps is None else float(eps), seed=seed)
        self.n = operator.index(n)
        handle = _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_dynamic_lstsq_create(cx._ptr(), self.n, opts.handle,
                                                    ctypes.byref(handle)), cx)
        self._handle = handle

    def insert(self, a, b, *, ctx=None):
        """Add the rows of a (k x n, or n values for one row) with labels b (k values)."""
        a = np.asarray(a, dtype=np.float64)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        arr, layout, ld = _dense(a, "a")
        b = np.ascontiguousarray(np.atleast_1d(b), dtype=np.float64)
        if arr.shape[1] != self.n or b.shape != (arr.shape[0],):
            raise ValueError(f"quarry: rows must be k x {self.n} with k labels, got "
                             f"{arr.shape} and {b.shape}")
        with _use(ctx) as cx:
            _check(_lib.quarry_dynamic_lstsq_insert_f64(cx._ptr(), self._ptr(), layout,
                                                        arr.shape[0], _ptr(arr), ld, _ptr(b)), cx)

    def solve(self, *, ctx=None):
        """The current solution x and the report (rows inserted and held, objective)."""
        x, report = np.zeros(self.n), _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_dynamic_lstsq_solve_f64(cx._ptr(), self._ptr(), _ptr(x),
                                                       ctypes.byref(report)), cx)
        return x, _report(report)

    def residual(self, x, *, ctx=None):
        """sqrt(||A x - b||^2 + ridge ||x||^2) over the rows held, for any x."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        if x.shape != (self.n,):
            raise ValueError(f"quarry: x must have shape ({self.n},), got {x.shape}")
        norm = _f64()
        with _use(ctx) as cx:
            _check(_lib.quarry_dynamic_lstsq_residual_f64(cx._ptr(), self._ptr(), _ptr(x),
                                                          ctypes.byref(norm)), cx)
        return norm.value


class SampleTree(_Owned):
    """A dynamic sampling tree (quarry_sample_tree): m weights, each updated in O(log m),
    and draws of index i with probability w_i / sum(w) in O(log m). SampleTree(weights);
    update(index, weight); tree[i], len(tree), total; sample(count) -> (indices, probs).
    """
    _destroy, _what = "quarry_sample_tree_destroy", "SampleTree"

    def __init__(self, weights, *, ctx=None):
        w = _weights(weights)
        handle = _p()
        with _use(ctx) as cx:
            _check(_lib.quarry_sample_tree_create(cx._ptr(), w.size, _ptr(w),
                                                  ctypes.byref(handle)), cx)
        self._handle = handle

    def update(self, index, weight, *, ctx=None):
        """Set weight[t] at index[t], in order."""
        index = np.ascontiguousarray(np.atleast_1d(index), dtype=np.int64)
        weight = np.ascontiguousarray(np.atleast_1d(weight), dtype=np.float64)
        if index.shape != weight.shape or index.ndim != 1:
            raise ValueError(f"quarry: {index.shape} indices but {weight.shape} weights")
        with _use(ctx) as cx:
            _check(_lib.quarry_sample_tree_update(cx._ptr(), self._ptr(), index.size,
                                                  index.ctypes.data_as(_pi64), _ptr(weight)), cx)

    def _get(self, i):
        m, total, w = _i64(), _f64(), _f64()
        status = _lib.quarry_sample_tree_get(self._ptr(), ctypes.byref(m), ctypes.byref(total),
                                             i, None if i < 0 else ctypes.byref(w))
        if status != _OK:
            raise IndexError(f"quarry: index {i} is outside the tree's [0, {len(self)})")
        return m.value, total.value, w.value

    def __len__(self):
        return self._get(-1)[0]

    @property
    def total(self):
        """The sum of the weights."""
        return self._get(-1)[1]

    def __getitem__(self, i):
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if i < 0:
            raise IndexError(f"quarry: index {i - len(self)} is outside the tree")
        return self._get(i)[2]

    def sample(self, count, *, seed=0, state=None, ctx=None):
        """count independent draws: (indices, their probabilities)."""
        count = operator.index(count)
        indices, probs = np.zeros(max(count, 0), dtype=np.int64), np.zeros(max(count, 0))
        st = _state(seed, state)
        with _use(ctx) as cx:
            _check(_lib.quarry_sample_tree_sample(cx._ptr(), self._ptr(), ctypes.byref(st._c),
                                                  count, indices.ctypes.data_as(_pi64),
                                                  _ptr(probs)), cx)
        return indices, probs
