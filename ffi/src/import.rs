//! Bulk import of households and residents over the C ABI, from CSV bytes, a CSV file or
//! JSON rows, with an optional progress callback that can cancel.
//!
//! The result is `{"inserted": int, "updated": int, "errors": [{"line", "field",
//! "message"}, ...]}`. Bad rows are listed, not raised: in `all_or_nothing` mode any error
//! means nothing was written. A call fails only for input that cannot be read as a whole
//! (bad encoding, missing columns, bad JSON) or when the callback cancels.
//!
//! CSV columns, one row per resident (household fields repeat), by English name or the
//! Chinese header: `household_id` (户编号), `unit` (所属网格), `address` (地址), `kind`
//! (户类型), `tags` (户标签, `;`-separated), `name` (姓名), `id_number` (身份证号), `phone`
//! (联系电话), `relation` (与户主关系), and the optional `hukou` (户口性质), `employer`
//! (工作单位), `resident_tags` (人员标签).

use std::ffi::{c_char, c_int, c_void};

use serde::Deserialize;

use crate::error::{FfiError, arg, opt_arg};
use crate::out::OutString;
use crate::panic::boundary;
use crate::registry::private_text;
use crate::store::{handle, need, wg_store};
use crate::wg_status;

/// A progress callback for imports: called with the rows checked so far and the rows in
/// all (every 1,000 rows and at the end) and the `user_data` the caller passed. It returns
/// nonzero to go on, 0 to cancel: the import then fails with `WG_INVALID_INPUT` and writes
/// nothing. It runs on the calling thread while the store is busy: it must not call the
/// library with the same store or one of its scopes (`wg_last_error` excepted).
pub type wg_progress_fn =
    Option<unsafe extern "C" fn(done: usize, total: usize, user_data: *mut c_void) -> c_int>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsJson {
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

fn import_options(json: Option<&str>) -> Result<wangge::ImportOptions, FfiError> {
    let Some(json) = json else {
        return Ok(wangge::ImportOptions::default());
    };
    let parsed: OptionsJson = serde_json::from_str(json)
        .map_err(|e| FfiError::invalid(format!("invalid options_json {json:?}: {e}")))?;
    Ok(wangge::ImportOptions {
        mode: parsed
            .mode
            .as_deref()
            .map(wangge::ImportMode::parse)
            .transpose()?
            .unwrap_or_default(),
        on: parsed
            .on
            .as_deref()
            .map(|d| wangge::date::parse_date("on", d))
            .transpose()?,
        encoding: parsed.encoding,
    })
}

/// The caller's bytes: NULL with length 0 is empty, NULL with a length is refused.
fn input_bytes<'a>(bytes: *const u8, len: usize) -> Result<&'a [u8], FfiError> {
    if bytes.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(FfiError::invalid(format!(
                "invalid bytes: NULL with len {len}"
            )))
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
fn with_progress(
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out: OutString,
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
    let result = import(
        forward
            .as_mut()
            .map(|f| f as &mut dyn FnMut(usize, usize) -> bool),
    )?;
    out.put_json(&result)
}

/// Imports households and residents from `len` bytes of CSV at `bytes` (UTF-8, with or
/// without a BOM, or GBK/GB18030; NULL with `len` 0 is an empty file) and writes the
/// result to `*out_json`. `options_json` may be NULL, or a JSON object with any of
/// `"mode"` (`"all_or_nothing"`, the default, or `"skip_invalid"`), `"on"` (the day the
/// file describes, `"YYYY-MM-DD"`, default today) and `"encoding"` (`"utf-8"`, `"gbk"` or
/// `"gb18030"`; default: detected). `progress` may be NULL; `user_data` is passed to it
/// untouched.
///
/// # Safety
/// `store` is NULL or a live handle; `bytes` is NULL or points to `len` readable bytes;
/// `options_json` is NULL or NUL-terminated; `progress` is NULL or a function of the
/// `wg_progress_fn` type; `out_json` is NULL or writable.
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
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let bytes = input_bytes(bytes, len)?;
        let options = import_options(opt_arg("options_json", options_json)?)?;
        let out = OutString::required("out_json", out_json)?;
        with_progress(progress, user_data, out, |progress| {
            store.import_households_csv(bytes, &options, progress)
        })
    })
}

/// Imports households and residents from the CSV file at `path`, as `wg_import_csv`
/// does from bytes. A file that cannot be read is `WG_INVALID_INPUT` naming the path.
///
/// # Safety
/// As for `wg_import_csv`; `path` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_csv_file(
    store: *const wg_store,
    path: *const c_char,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let path = arg("path", path)?;
        let options = import_options(opt_arg("options_json", options_json)?)?;
        let out = OutString::required("out_json", out_json)?;
        let bytes = std::fs::read(path).map_err(|e| {
            FfiError::invalid(format!("invalid path {path:?}: cannot read it: {e}"))
        })?;
        with_progress(progress, user_data, out, |progress| {
            store.import_households_csv(&bytes, &options, progress)
        })
    })
}

/// A list of tags given as one `;`-separated string or as an array of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum TagList {
    Text(String),
    List(Vec<String>),
}

impl TagList {
    fn joined(self) -> String {
        match self {
            TagList::Text(text) => text,
            TagList::List(tags) => tags.join(";"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowJson {
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    tags: Option<TagList>,
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "private_text")]
    id_number: Option<String>,
    #[serde(default, deserialize_with = "private_text")]
    phone: Option<String>,
    #[serde(default)]
    relation: Option<String>,
    #[serde(default)]
    hukou: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    resident_tags: Option<TagList>,
}

/// Imports households and residents from `rows_json`, a JSON array of row objects with
/// the CSV columns as keys (`"household_id"`, `"unit"`, `"address"`, `"kind"`, `"tags"`,
/// `"name"`, `"id_number"`, `"phone"`, `"relation"`, `"hukou"`, `"employer"`,
/// `"resident_tags"`; values are strings, the two tag lists may also be arrays; absent
/// keys are empty). A row's `"line"` in the result is its position, from 1. Otherwise as
/// `wg_import_csv` (`"encoding"` does not apply).
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `progress` is
/// NULL or a function of the `wg_progress_fn` type; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_import_rows(
    store: *const wg_store,
    rows_json: *const c_char,
    options_json: *const c_char,
    progress: wg_progress_fn,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let json = arg("rows_json", rows_json)?;
        let options = import_options(opt_arg("options_json", options_json)?)?;
        let out = OutString::required("out_json", out_json)?;
        // The text is not echoed: it holds ID numbers and phones.
        let parsed: Vec<RowJson> = serde_json::from_str(json)
            .map_err(|e| FfiError::invalid(format!("invalid rows_json: {e}")))?;
        let rows: Vec<wangge::ImportRow> = parsed
            .into_iter()
            .enumerate()
            .map(|(i, row)| wangge::ImportRow {
                line: i + 1,
                household_id: row.household_id,
                unit: row.unit,
                address: row.address,
                kind: row.kind,
                tags: row.tags.map(TagList::joined).unwrap_or_default(),
                name: row.name,
                id_number: row.id_number.unwrap_or_default(),
                phone: row.phone.unwrap_or_default(),
                relation: row.relation.unwrap_or_default(),
                hukou: row.hukou.unwrap_or_default(),
                employer: row.employer.unwrap_or_default(),
                resident_tags: row.resident_tags.map(TagList::joined).unwrap_or_default(),
            })
            .collect();
        with_progress(progress, user_data, out, |progress| {
            store.import_households(&rows, &options, progress)
        })
    })
}
