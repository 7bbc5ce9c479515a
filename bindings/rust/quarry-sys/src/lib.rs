//! Raw declarations of libquarry's C API (`quarry.h`), one to one: the same names, the
//! same fixed-width types. Everything here is `unsafe` and follows the C documentation
//! in the headers; the `quarry` crate is the safe wrapper.
//!
//! The library is found at build time through `QUARRY_LIB_DIR` or `pkg-config quarry`
//! (see build.rs). [`QUARRY_ABI_VERSION`] is the ABI these declarations describe:
//! compare it with [`quarry_abi_version`] before relying on them.
#![allow(non_camel_case_types)]

use std::marker::{PhantomData, PhantomPinned};
use std::os::raw::{c_char, c_void};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {$(
        /// An opaque C handle; only pointers to it exist.
        #[repr(C)]
        pub struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}
opaque!(
    quarry_context,
    quarry_options,
    quarry_report,
    quarry_relu_net,
    quarry_net_oracle,
    quarry_sketch,
    quarry_sample_tree,
    quarry_dynamic_lstsq
);

/// Integer constants of the headers, each also listed in [`CONSTANTS`] (name, value).
macro_rules! constants {
    ($($name:ident: $ty:ty = $value:expr;)*) => {
        $(pub const $name: $ty = $value;)*
        /// Every constant of this crate by its C name (a test compares them with the headers).
        pub const CONSTANTS: &[(&str, i64)] = &[$((stringify!($name), $value as i64)),*];
    };
}

pub type quarry_status = i32;
pub type quarry_value_type = i32;

constants! {
    // version.h
    QUARRY_VERSION_MAJOR: i32 = 0;
    QUARRY_VERSION_MINOR: i32 = 1;
    QUARRY_VERSION_PATCH: i32 = 0;
    QUARRY_ABI_VERSION: i32 = 0;
    // status.h
    QUARRY_OK: quarry_status = 0;
    QUARRY_ERR_INVALID_ARGUMENT: quarry_status = 1;
    QUARRY_ERR_NULL_POINTER: quarry_status = 2;
    QUARRY_ERR_BAD_DIMENSION: quarry_status = 3;
    QUARRY_ERR_BAD_LEADING_DIM: quarry_status = 4;
    QUARRY_ERR_BAD_LAYOUT: quarry_status = 5;
    QUARRY_ERR_UNSUPPORTED: quarry_status = 6;
    QUARRY_ERR_NONFINITE: quarry_status = 7;
    QUARRY_ERR_OUT_OF_MEMORY: quarry_status = 100;
    QUARRY_ERR_SIZE_OVERFLOW: quarry_status = 101;
    QUARRY_ERR_NO_CONVERGENCE: quarry_status = 200;
    QUARRY_ERR_CALLBACK_ABORTED: quarry_status = 300;
    QUARRY_ERR_ORACLE: quarry_status = 301;
    QUARRY_ERR_BUDGET: quarry_status = 302;
    QUARRY_ERR_IO: quarry_status = 400;
    QUARRY_ERR_FORMAT: quarry_status = 401;
    QUARRY_ERR_INTERNAL: quarry_status = 900;
    // context.h
    QUARRY_MAX_THREADS: i64 = 1024;
    // types.h
    QUARRY_ROW_MAJOR: i32 = 101;
    QUARRY_COL_MAJOR: i32 = 102;
    QUARRY_TYPE_NONE: quarry_value_type = 0;
    QUARRY_TYPE_I64: quarry_value_type = 1;
    QUARRY_TYPE_F64: quarry_value_type = 2;
    QUARRY_TYPE_F64_ARRAY: quarry_value_type = 3;
    // report.h
    QUARRY_REPORT_METHOD: i32 = 1;
    QUARRY_REPORT_ITERATIONS: i32 = 2;
    QUARRY_REPORT_SKETCH_ROWS: i32 = 3;
    QUARRY_REPORT_QUERIES: i32 = 4;
    QUARRY_REPORT_NEURONS: i32 = 5;
    QUARRY_REPORT_RESIDUAL_NORM: i32 = 6;
    QUARRY_REPORT_BACKWARD_ERROR: i32 = 7;
    QUARRY_REPORT_CONDITION_ESTIMATE: i32 = 8;
    QUARRY_REPORT_SECONDS: i32 = 9;
    QUARRY_REPORT_ORACLE_SECONDS: i32 = 10;
    QUARRY_REPORT_BATCHES: i32 = 11;
    QUARRY_REPORT_LINES: i32 = 12;
    QUARRY_REPORT_RELATIVE_ERROR: i32 = 13;
    QUARRY_REPORT_NOISE: i32 = 14;
    QUARRY_REPORT_RANK: i32 = 15;
    QUARRY_REPORT_RESIDUAL_BOUND: i32 = 16;
    QUARRY_REPORT_OBJECTIVE: i32 = 17;
    QUARRY_REPORT_OUTLIERS: i32 = 18;
    QUARRY_REPORT_DUAL_GAP: i32 = 19;
    // options.h
    QUARRY_OPT_SEED: i32 = 1;
    QUARRY_OPT_TOLERANCE: i32 = 2;
    QUARRY_OPT_MAX_ITERATIONS: i32 = 3;
    QUARRY_OPT_SKETCH_KIND: i32 = 100;
    QUARRY_OPT_SKETCH_ROWS: i32 = 101;
    QUARRY_OPT_SKETCH_NNZ: i32 = 102;
    QUARRY_OPT_LEVERAGE_METHOD: i32 = 103;
    QUARRY_OPT_LSTSQ_METHOD: i32 = 200;
    QUARRY_OPT_RIDGE: i32 = 201;
    QUARRY_OPT_QUERY_BUDGET: i32 = 300;
    QUARRY_OPT_EXTRACT_REFINE: i32 = 301;
    QUARRY_OPT_OUTPUT_NOISE: i32 = 302;
    QUARRY_OPT_ORACLE_FLOAT32: i32 = 303;
    QUARRY_OPT_ORACLE_ROUNDING: i32 = 304;
    QUARRY_OPT_ORACLE_NOISE: i32 = 305;
    QUARRY_OPT_DOMAIN_LOWER: i32 = 306;
    QUARRY_OPT_DOMAIN_UPPER: i32 = 307;
    QUARRY_OPT_HUBER_SCALE: i32 = 400;
    QUARRY_SKETCH_GAUSSIAN: i32 = 1;
    QUARRY_SKETCH_SRHT: i32 = 2;
    QUARRY_SKETCH_COUNTSKETCH: i32 = 3;
    QUARRY_SKETCH_SPARSE_SIGN: i32 = 4;
    QUARRY_SKETCH_UNIFORM_ROWS: i32 = 5;
    QUARRY_LEVERAGE_EXACT: i32 = 0;
    QUARRY_LEVERAGE_APPROX: i32 = 1;
    QUARRY_LSTSQ_AUTO: i32 = 0;
    QUARRY_LSTSQ_DIRECT: i32 = 1;
    QUARRY_LSTSQ_SKETCH_SOLVE: i32 = 2;
    QUARRY_LSTSQ_SKETCH_PRECONDITION: i32 = 3;
    QUARRY_LSTSQ_GRAM_PRECONDITION: i32 = 4;
    // rng.h
    QUARRY_RNG_PHILOX4X32_10: u32 = 1;
}

/// The state of a counter-based random stream (rng.h): a 40-byte plain value.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct quarry_rng_state {
    pub generator: u32,
    pub reserved: u32,
    pub key: [u64; 2],
    pub counter: [u64; 2],
}

/// A black box (extract.h): answer the n queries `x` (n x d, row-major) with the outputs
/// `y` (n x c, row-major); return 0, or non-zero to stop the extraction. Must not unwind.
pub type quarry_oracle_fn = Option<
    unsafe extern "C" fn(
        n: i64,
        d: i64,
        x: *const f64,
        c: i64,
        y: *mut f64,
        user_data: *mut c_void,
    ) -> i32,
>;
/// A label oracle (regress.h): write the labels of the `count` rows `rows` (increasing,
/// distinct) into `labels`; return 0, or non-zero to stop the regression. Must not unwind.
pub type quarry_label_fn = Option<
    unsafe extern "C" fn(count: i64, rows: *const i64, labels: *mut f64, user: *mut c_void) -> i32,
>;
/// A progress callback (options.h): return non-zero to stop the call. Must not unwind.
pub type quarry_progress_fn =
    Option<unsafe extern "C" fn(progress: *const quarry_report, user_data: *mut c_void) -> i32>;

extern "C" {
    // version.h
    pub fn quarry_version_string() -> *const c_char;
    pub fn quarry_version_number() -> i32;
    pub fn quarry_abi_version() -> i32;
    pub fn quarry_blas_info() -> *const c_char;
    // status.h
    pub fn quarry_status_string(status: quarry_status) -> *const c_char;
    // context.h
    pub fn quarry_context_create(out: *mut *mut quarry_context) -> quarry_status;
    pub fn quarry_context_destroy(ctx: *mut quarry_context);
    pub fn quarry_context_set_threads(ctx: *mut quarry_context, threads: i64) -> quarry_status;
    pub fn quarry_context_get_threads(ctx: *mut quarry_context, threads: *mut i64)
        -> quarry_status;
    pub fn quarry_context_last_error(ctx: *const quarry_context) -> *const c_char;
    // report.h
    pub fn quarry_report_destroy(report: *mut quarry_report);
    pub fn quarry_report_get_i64(
        report: *const quarry_report,
        key: i32,
        value: *mut i64,
    ) -> quarry_status;
    pub fn quarry_report_get_f64(
        report: *const quarry_report,
        key: i32,
        value: *mut f64,
    ) -> quarry_status;
    pub fn quarry_report_count(report: *const quarry_report, count: *mut i64) -> quarry_status;
    pub fn quarry_report_key_at(
        report: *const quarry_report,
        index: i64,
        key: *mut i32,
    ) -> quarry_status;
    pub fn quarry_report_key_name(key: i32) -> *const c_char;
    pub fn quarry_report_key_type(key: i32) -> quarry_value_type;
    // options.h
    pub fn quarry_options_create(out: *mut *mut quarry_options) -> quarry_status;
    pub fn quarry_options_destroy(options: *mut quarry_options);
    pub fn quarry_options_set_i64(
        options: *mut quarry_options,
        key: i32,
        value: i64,
    ) -> quarry_status;
    pub fn quarry_options_set_f64(
        options: *mut quarry_options,
        key: i32,
        value: f64,
    ) -> quarry_status;
    pub fn quarry_options_set_f64_array(
        options: *mut quarry_options,
        key: i32,
        n: i64,
        values: *const f64,
    ) -> quarry_status;
    pub fn quarry_options_get_i64(
        options: *const quarry_options,
        key: i32,
        value: *mut i64,
    ) -> quarry_status;
    pub fn quarry_options_get_f64(
        options: *const quarry_options,
        key: i32,
        value: *mut f64,
    ) -> quarry_status;
    pub fn quarry_options_get_f64_array(
        options: *const quarry_options,
        key: i32,
        capacity: i64,
        values: *mut f64,
        n: *mut i64,
    ) -> quarry_status;
    pub fn quarry_options_unset(options: *mut quarry_options, key: i32) -> quarry_status;
    pub fn quarry_options_set_progress(
        options: *mut quarry_options,
        callback: quarry_progress_fn,
        user_data: *mut c_void,
    ) -> quarry_status;
    pub fn quarry_option_name(key: i32) -> *const c_char;
    pub fn quarry_option_type(key: i32) -> quarry_value_type;
    pub fn quarry_option_bounds_i64(key: i32, lo: *mut i64, hi: *mut i64) -> quarry_status;
    pub fn quarry_option_bounds_f64(key: i32, lo: *mut f64, hi: *mut f64) -> quarry_status;
    // rng.h
    pub fn quarry_rng_state_from_seed(seed: u64, out: *mut quarry_rng_state) -> quarry_status;
    pub fn quarry_rng_state_advance(
        state: *const quarry_rng_state,
        blocks: u64,
        out: *mut quarry_rng_state,
    ) -> quarry_status;
    pub fn quarry_rng_fill_u32(
        ctx: *mut quarry_context,
        state: *const quarry_rng_state,
        offset: i64,
        n: i64,
        out: *mut u32,
    ) -> quarry_status;
    pub fn quarry_rng_fill_uniform_f64(
        ctx: *mut quarry_context,
        state: *const quarry_rng_state,
        offset: i64,
        n: i64,
        out: *mut f64,
    ) -> quarry_status;
    pub fn quarry_rng_fill_normal_f64(
        ctx: *mut quarry_context,
        state: *const quarry_rng_state,
        offset: i64,
        n: i64,
        out: *mut f64,
    ) -> quarry_status;
    // sketch.h
    pub fn quarry_sketch_create(
        ctx: *mut quarry_context,
        kind: i32,
        rows: i64,
        cols: i64,
        opts: *const quarry_options,
        seed: *const quarry_rng_state,
        out: *mut *mut quarry_sketch,
    ) -> quarry_status;
    pub fn quarry_sketch_destroy(s: *mut quarry_sketch);
    pub fn quarry_sketch_info(
        s: *const quarry_sketch,
        kind: *mut i32,
        rows: *mut i64,
        cols: *mut i64,
        nnz: *mut i64,
    ) -> quarry_status;
    pub fn quarry_sketch_apply_f64(
        ctx: *mut quarry_context,
        s: *const quarry_sketch,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        b: *mut f64,
        ldb: i64,
    ) -> quarry_status;
    pub fn quarry_sketch_apply_right_f64(
        ctx: *mut quarry_context,
        s: *const quarry_sketch,
        layout: i32,
        n: i64,
        m: i64,
        a: *const f64,
        lda: i64,
        b: *mut f64,
        ldb: i64,
    ) -> quarry_status;
    pub fn quarry_sketch_apply_csr_f64(
        ctx: *mut quarry_context,
        s: *const quarry_sketch,
        m: i64,
        n: i64,
        row_ptr: *const i64,
        col_idx: *const i64,
        val: *const f64,
        layout_b: i32,
        b: *mut f64,
        ldb: i64,
    ) -> quarry_status;
    pub fn quarry_sketch_apply_right_csr_f64(
        ctx: *mut quarry_context,
        s: *const quarry_sketch,
        n: i64,
        m: i64,
        row_ptr: *const i64,
        col_idx: *const i64,
        val: *const f64,
        layout_b: i32,
        b: *mut f64,
        ldb: i64,
    ) -> quarry_status;
    pub fn quarry_sketch_columns_f64(
        ctx: *mut quarry_context,
        s: *const quarry_sketch,
        j0: i64,
        w: i64,
        layout: i32,
        out: *mut f64,
        ld: i64,
    ) -> quarry_status;
    // sampling.h
    pub fn quarry_leverage_scores_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        opts: *const quarry_options,
        scores: *mut f64,
    ) -> quarry_status;
    pub fn quarry_lewis_weights_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        p: f64,
        weights: *mut f64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_row_norms_squared_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        out: *mut f64,
    ) -> quarry_status;
    pub fn quarry_sample_weighted(
        ctx: *mut quarry_context,
        m: i64,
        weights: *const f64,
        count: i64,
        with_replacement: i32,
        seed: *const quarry_rng_state,
        indices: *mut i64,
        scales: *mut f64,
    ) -> quarry_status;
    pub fn quarry_sample_tree_create(
        ctx: *mut quarry_context,
        m: i64,
        weights: *const f64,
        out: *mut *mut quarry_sample_tree,
    ) -> quarry_status;
    pub fn quarry_sample_tree_destroy(tree: *mut quarry_sample_tree);
    pub fn quarry_sample_tree_update(
        ctx: *mut quarry_context,
        tree: *mut quarry_sample_tree,
        count: i64,
        index: *const i64,
        weight: *const f64,
    ) -> quarry_status;
    pub fn quarry_sample_tree_get(
        tree: *const quarry_sample_tree,
        m: *mut i64,
        total: *mut f64,
        i: i64,
        weight: *mut f64,
    ) -> quarry_status;
    pub fn quarry_sample_tree_sample(
        ctx: *mut quarry_context,
        tree: *const quarry_sample_tree,
        seed: *const quarry_rng_state,
        count: i64,
        indices: *mut i64,
        probs: *mut f64,
    ) -> quarry_status;
    // extract.h
    pub fn quarry_relu_net_create_f64(
        ctx: *mut quarry_context,
        d: i64,
        k: i64,
        c: i64,
        w: *const f64,
        b: *const f64,
        a: *const f64,
        skip: *const f64,
        c0: *const f64,
        out: *mut *mut quarry_relu_net,
    ) -> quarry_status;
    pub fn quarry_relu_net_destroy(net: *mut quarry_relu_net);
    pub fn quarry_relu_net_dims(
        net: *const quarry_relu_net,
        d: *mut i64,
        k: *mut i64,
        c: *mut i64,
    ) -> quarry_status;
    pub fn quarry_relu_net_get_f64(
        net: *const quarry_relu_net,
        w: *mut f64,
        b: *mut f64,
        a: *mut f64,
        skip: *mut f64,
        c0: *mut f64,
    ) -> quarry_status;
    pub fn quarry_relu_net_eval_f64(
        ctx: *mut quarry_context,
        net: *const quarry_relu_net,
        n: i64,
        x: *const f64,
        y: *mut f64,
    ) -> quarry_status;
    pub fn quarry_relu_net_save(
        ctx: *mut quarry_context,
        net: *const quarry_relu_net,
        path: *const c_char,
    ) -> quarry_status;
    pub fn quarry_relu_net_load(
        ctx: *mut quarry_context,
        path: *const c_char,
        out: *mut *mut quarry_relu_net,
    ) -> quarry_status;
    pub fn quarry_net_oracle_create(
        ctx: *mut quarry_context,
        net: *const quarry_relu_net,
        options: *const quarry_options,
        out: *mut *mut quarry_net_oracle,
    ) -> quarry_status;
    pub fn quarry_net_oracle_destroy(oracle: *mut quarry_net_oracle);
    pub fn quarry_net_oracle_eval(
        n: i64,
        d: i64,
        x: *const f64,
        c: i64,
        y: *mut f64,
        oracle: *mut c_void,
    ) -> i32;
    pub fn quarry_net_oracle_queries(
        oracle: *const quarry_net_oracle,
        queries: *mut i64,
    ) -> quarry_status;
    pub fn quarry_extract_relu1(
        ctx: *mut quarry_context,
        d: i64,
        c: i64,
        oracle: quarry_oracle_fn,
        user_data: *mut c_void,
        options: *const quarry_options,
        out: *mut *mut quarry_relu_net,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    // regress.h
    pub fn quarry_huber_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        b: *const f64,
        epsilon: f64,
        x: *mut f64,
        scale: *mut f64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_lp_regression_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        b: *const f64,
        p: f64,
        x: *mut f64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_active_regression_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        p: f64,
        labels: quarry_label_fn,
        user: *mut c_void,
        budget: i64,
        x: *mut f64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_kronecker_regression_f64(
        ctx: *mut quarry_context,
        layout: i32,
        nfactors: i32,
        rows: *const i64,
        cols: *const i64,
        factors: *const *const f64,
        ld: *const i64,
        b: *const f64,
        x: *mut f64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_kronecker_regression_labels_f64(
        ctx: *mut quarry_context,
        layout: i32,
        nfactors: i32,
        rows: *const i64,
        cols: *const i64,
        factors: *const *const f64,
        ld: *const i64,
        labels: quarry_label_fn,
        user: *mut c_void,
        x: *mut f64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_kronecker_multiply_f64(
        ctx: *mut quarry_context,
        layout: i32,
        nfactors: i32,
        rows: *const i64,
        cols: *const i64,
        factors: *const *const f64,
        ld: *const i64,
        transpose: i32,
        x: *const f64,
        y: *mut f64,
    ) -> quarry_status;
    // lstsq.h
    pub fn quarry_lstsq_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        nrhs: i64,
        a: *const f64,
        lda: i64,
        b: *const f64,
        ldb: i64,
        x: *mut f64,
        ldx: i64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_lstsq_csr_f64(
        ctx: *mut quarry_context,
        m: i64,
        n: i64,
        nrhs: i64,
        row_ptr: *const i64,
        col_idx: *const i64,
        val: *const f64,
        layout_b: i32,
        b: *const f64,
        ldb: i64,
        x: *mut f64,
        ldx: i64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_ridge_path_f64(
        ctx: *mut quarry_context,
        layout: i32,
        m: i64,
        n: i64,
        a: *const f64,
        lda: i64,
        b: *const f64,
        nlambda: i64,
        lambdas: *const f64,
        x: *mut f64,
        ldx: i64,
        opts: *const quarry_options,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_dynamic_lstsq_create(
        ctx: *mut quarry_context,
        n: i64,
        opts: *const quarry_options,
        out: *mut *mut quarry_dynamic_lstsq,
    ) -> quarry_status;
    pub fn quarry_dynamic_lstsq_destroy(d: *mut quarry_dynamic_lstsq);
    pub fn quarry_dynamic_lstsq_insert_f64(
        ctx: *mut quarry_context,
        d: *mut quarry_dynamic_lstsq,
        layout: i32,
        count: i64,
        a: *const f64,
        lda: i64,
        b: *const f64,
    ) -> quarry_status;
    pub fn quarry_dynamic_lstsq_solve_f64(
        ctx: *mut quarry_context,
        d: *const quarry_dynamic_lstsq,
        x: *mut f64,
        report: *mut *mut quarry_report,
    ) -> quarry_status;
    pub fn quarry_dynamic_lstsq_residual_f64(
        ctx: *mut quarry_context,
        d: *const quarry_dynamic_lstsq,
        x: *const f64,
        norm: *mut f64,
    ) -> quarry_status;
}

#[cfg(test)]
mod tests {
    //! The declarations against the headers: every constant's value, every function's
    //! presence, the size of the RNG state, and the ABI of the library linked.
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    fn headers() -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../include/c_api/quarry");
        let mut text = String::new();
        for entry in std::fs::read_dir(&dir).expect("the headers beside the crate") {
            text += &std::fs::read_to_string(entry.unwrap().path()).unwrap();
        }
        text
    }

    /// `QUARRY_X = N` (enum members, one or several per line) and `#define QUARRY_X N`.
    fn header_constants(text: &str) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for line in text.lines().map(str::trim) {
            let pairs: Vec<(&str, &str)> = if let Some(rest) = line.strip_prefix("#define ") {
                rest.split_once(' ').into_iter().collect()
            } else {
                let body = line.trim_start_matches("enum {").trim_end_matches("};");
                body.split(',').filter_map(|p| p.split_once(" = ")).collect()
            };
            for (name, value) in pairs {
                let name = name.trim();
                if let (true, Ok(v)) = (name.starts_with("QUARRY_"), value.trim().parse::<i64>()) {
                    out.insert(name.to_string(), v);
                }
            }
        }
        out
    }

    #[test]
    fn constants_match_the_headers() {
        let text = headers();
        let want = header_constants(&text);
        assert!(want.len() > 60, "parsed only {} constants", want.len());
        for (name, value) in CONSTANTS {
            assert_eq!(want.get(*name), Some(value), "{name}");
        }
        // ... and every numeric constant of the headers is here.
        let ours: BTreeMap<_, _> = CONSTANTS.iter().cloned().collect();
        for name in want.keys() {
            assert!(ours.contains_key(name.as_str()), "{name} is not declared in quarry-sys");
        }
    }

    #[test]
    fn every_function_is_declared() {
        let text = headers();
        let ours = include_str!("lib.rs");
        let mut count = 0;
        for piece in text.split("QUARRY_API ").skip(1) {
            let name = piece.split('(').next().unwrap().split_whitespace().last().unwrap();
            let name = name.trim_start_matches('*');
            if !name.starts_with("quarry_") {
                continue; // the macro's own definition in export.h
            }
            assert!(ours.contains(&format!("pub fn {name}(")), "{name} is not declared");
            count += 1;
        }
        assert!(count > 60, "found only {count} functions");
    }

    #[test]
    fn every_callback_type_is_declared() {
        let text = headers();
        let ours = include_str!("lib.rs");
        let mut count = 0;
        for piece in text.split("typedef ").skip(1) {
            // `typedef int32_t (*quarry_x_fn)(...);`: a function pointer type.
            let decl = piece.split(';').next().unwrap();
            let name = match decl.split_once("(*").and_then(|(_, rest)| rest.split_once(')')) {
                Some((name, _)) if name.starts_with("quarry_") => name,
                _ => continue,
            };
            assert!(ours.contains(&format!("pub type {name} =")), "{name} is not declared");
            count += 1;
        }
        assert!(count >= 3, "found only {count} callback types");
    }

    #[test]
    fn rng_state_is_40_bytes_and_the_abi_matches() {
        assert_eq!(std::mem::size_of::<quarry_rng_state>(), 40);
        assert_eq!(unsafe { quarry_abi_version() }, QUARRY_ABI_VERSION);
    }
}
