//! Bulk import of households and residents over the C ABI, from CSV or XLSX bytes or
//! files, or JSON rows, with an optional progress callback that can cancel.
//!
//! The result is an `import_result`: households and residents inserted and updated, the
//! source's unknown columns, and `"errors": [{"line", "field", "message"}, ...]`. Bad rows
//! are listed, not raised: in `all_or_nothing` mode any error means nothing was written.
//! A call fails only for input that cannot be read as a whole (bad encoding, no header,
//! missing columns, bad JSON) or when the callback cancels.
//!
//! Columns, one row per resident (household fields repeat), by English name, the Chinese
//! header (`household_id` 户编号, `unit` 所属网格, `address` 住址, `kind` 户类型, `tags` 标签,
//! `name` 姓名, `id_number` 身份证号, `phone` 联系电话, `relation` 与户主关系, and the
//! optional `hukou` 户口性质, `employer` 工作单位, `resident_tags` 人员类别; the full list
//! is `wangge::COLUMN_ALIASES`) or the options' `"columns"` mapping. Tags are split on
//! `;；,，、`; Chinese kinds (常住, 流动, 出租 …) and relations (户主, 配偶, 子女 …) are read
//! as the stored ones.

use std::ffi::{c_char, c_int, c_void};

use crate::error::FfiError;
use crate::out::Out;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// A progress callback for imports: called with the rows checked so far and the rows in
/// all (every 1,000 rows and at the end) and the `user_data` the caller passed. It returns
/// nonzero to go on, 0 to cancel: the import then fails with `WG_INVALID_INPUT` and writes
/// nothing. It runs on the calling thread while the store is busy: it must not call the
/// library with the same store or one of its scopes (`wg_last_error` excepted).
pub type wg_progress_fn =
    Option<unsafe extern "C" fn(done: usize, total: usize, user_data: *mut c_void) -> c_int>;

/// Reads the file at `path`; one that cannot be read is `WG_INVALID_INPUT` naming it.
fn read_file(path: &str) -> Result<Vec<u8>, FfiError> {
    std::fs::read(path)
        .map_err(|e| FfiError::invalid(format!("invalid path {path:?}: cannot read it: {e}")))
}

/// The caller's bytes: NULL with length 0 is empty, NULL with a length is refused.
fn input_bytes<'a>(bytes: *const u8, len: usize) -> Result<&'a [u8], FfiError> {
    if bytes.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(FfiError::invalid(format!("invalid bytes: NULL with len {len}")))
        };
    }
    if len > isize::MAX as usize {
        return Err(FfiError::invalid(format!("invalid len {len}: too large")));
    }
    // SAFETY: the caller passes `len` readable bytes that outlive the call.
    Ok(unsafe { std::slice::from_raw_parts(bytes, len) })
}

/// Runs `import` with the caller's callback, if any, as its progress function, and
/// writes the result through `out`.
fn import(
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out: Out<*mut c_char>,
    import: impl FnOnce(
        Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> wangge::Result<wangge::ImportResult>,
) -> Result<(), FfiError> {
    let mut forward = progress.map(|callback| {
        move |done: usize, total: usize| {
            // SAFETY: the caller passes a callable function and the user_data it expects.
            unsafe { callback(done, total, user_data) != 0 }
        }
    });
    let result = import(forward.as_mut().map(|f| f as &mut dyn FnMut(usize, usize) -> bool))?;
    out.json(&result)
}

/// Imports households and residents from `len` bytes of CSV at `bytes` (UTF-8, with or
/// without a BOM, or GBK/GB18030; NULL with `len` 0 is an empty file) and writes the
/// result to `*out_json`. `options_json` may be NULL, or a JSON object with any of
/// `"mode"` (`"all_or_nothing"`, the default, or `"skip_invalid"`), `"on"` (the day the
/// file describes, `"YYYY-MM-DD"`, default today), `"encoding"` (`"utf-8"`, `"gbk"` or
/// `"gb18030"`; default: detected), `"columns"` (an object from the file's headers to
/// column names) and `"header_row"` (the header's line, from 1; default: the first line
/// naming at least two columns, below any title lines). `progress` may be NULL;
/// `user_data` is passed to it untouched.
///
/// `bytes` is NULL (with `len` 0) or points to `len` readable bytes, read during the call
/// only.
///
/// JSON input: an `import_options`; result: an `import_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_csv(
    store: *const wg_store,
    bytes: *const u8,
    len: usize,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let bytes = input_bytes(bytes, len)?;
        let (options, out) = (opt_input!(options_json, wangge::ImportOptions), out!(out_json));
        import(progress, user_data, out, |p| store.import_households_csv(bytes, &options, p))
    })
}

/// Imports households and residents from the CSV file at `path`, as `wg_import_csv`
/// does from bytes. A file that cannot be read is `WG_INVALID_INPUT` naming the path.
///
/// JSON input: an `import_options`; result: an `import_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_csv_file(
    store: *const wg_store,
    path: *const c_char,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (path, options) = (arg!(path), opt_input!(options_json, wangge::ImportOptions));
        let (out, bytes) = (out!(out_json), read_file(path)?);
        import(progress, user_data, out, |p| store.import_households_csv(&bytes, &options, p))
    })
}

/// Imports households and residents from `len` bytes of an XLSX workbook at `bytes`,
/// from its first sheet, read as `wg_import_csv` reads a file (title lines, header,
/// columns; a row's `"line"` is its row in the sheet): cells are read as text, whole
/// numbers without `.0`, dates as `YYYY-MM-DD`. Bytes that are no workbook are
/// `WG_INVALID_INPUT` naming `xlsx`. Options, `progress` and `user_data` as for
/// `wg_import_csv` (`"encoding"` does not apply).
///
/// `bytes` is NULL (with `len` 0) or points to `len` readable bytes, read during the call
/// only.
///
/// JSON input: an `import_options`; result: an `import_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_xlsx(
    store: *const wg_store,
    bytes: *const u8,
    len: usize,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let bytes = input_bytes(bytes, len)?;
        let (options, out) = (opt_input!(options_json, wangge::ImportOptions), out!(out_json));
        import(progress, user_data, out, |p| store.import_households_xlsx(bytes, &options, p))
    })
}

/// Imports households and residents from the XLSX file at `path`, as `wg_import_xlsx`
/// does from bytes. A file that cannot be read is `WG_INVALID_INPUT` naming the path.
///
/// JSON input: an `import_options`; result: an `import_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_xlsx_file(
    store: *const wg_store,
    path: *const c_char,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (path, options) = (arg!(path), opt_input!(options_json, wangge::ImportOptions));
        let (out, bytes) = (out!(out_json), read_file(path)?);
        import(progress, user_data, out, |p| store.import_households_xlsx(&bytes, &options, p))
    })
}

/// Imports households and residents from `rows_json`, a JSON array of row objects whose
/// keys are columns as a file's header names them (`"household_id"`, `"unit"`,
/// `"address"`, `"kind"`, `"tags"`, `"name"`, `"id_number"`, `"phone"`, `"relation"`,
/// `"hukou"`, `"employer"`, `"resident_tags"`, their Chinese headers, or the options'
/// `"columns"`); values are strings, null or arrays of strings (joined by `;`); absent
/// keys are empty. Keys that name no column are listed in `"unknown_columns"`; keys that
/// name fewer than two columns are `WG_INVALID_INPUT`. A row's `"line"` in the result is
/// its position, from 1. Otherwise as `wg_import_csv` (`"encoding"` and `"header_row"`
/// do not apply).
///
/// JSON input: an array of `import_row` and an `import_options`; result: an `import_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_rows(
    store: *const wg_store,
    rows_json: *const c_char,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (json, options) = (arg!(rows_json), opt_input!(options_json, wangge::ImportOptions));
        let (out, table) = (out!(out_json), wangge::ImportTable::from_json(json)?);
        import(progress, user_data, out, |p| store.import_households_table(&table, &options, p))
    })
}
