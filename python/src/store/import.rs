//! `Store.import_households`: its source argument turned into file bytes or a core table, and
//! the import run with the GIL released, taking it back only to call the progress
//! callback.
//!
//! The callback runs while the core holds the store's connection lock. That cannot
//! deadlock across threads: no thread ever waits for that lock while holding the GIL,
//! because every `Store` method releases the GIL before the core takes the lock. Within
//! the callback's own thread it would (the lock is not re-entrant), so `Store` methods
//! called from the callback raise `StorageError` instead of waiting for ever.
//!
//! Rows and errors hold ID numbers and phones: messages about a bad argument name its
//! type and position, never its content.

use std::borrow::Cow;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFloat, PyList, PyMapping, PyString, PyTuple};
use serde_json::Value;
use wangge::{ImportOptions, ImportTable};

use super::Store;
use crate::args::{Text, str_value};
use crate::convert::{day_json, input_json, object_json, opt_input_json};
use crate::errors::{invalid, py_result};
use crate::progress::{as_callback, goes_on, progress_arg};
use crate::record::record;

record! {
    /// What `Store.import_households` did. Bad rows never raise: they are listed in
    /// `errors` as `(line, field, message)`; in all-or-nothing mode any error means nothing
    /// was written.
    pub struct ImportResult(wangge::ImportResult) as r, repr = all {
        /// Households and residents created: `households_inserted + residents_inserted`.
        inserted: u64 = r.inserted,
        /// Households and residents that existed and were updated:
        /// `households_updated + residents_updated`.
        updated: u64 = r.updated,
        /// Households created.
        households_inserted: u64 = r.households_inserted,
        /// Households that existed and were updated.
        households_updated: u64 = r.households_updated,
        /// Residents created.
        residents_inserted: u64 = r.residents_inserted,
        /// Residents that existed and were updated.
        residents_updated: u64 = r.residents_updated,
        /// The source's columns that name no field (not read), in their order.
        unknown_columns: Vec<&str> = r.unknown_columns.iter().map(String::as_str).collect(),
        /// Every rejected row as `(line, field, message)`, by line: the line in the CSV
        /// file, or the position (from 1) of a row given directly.
        errors: Vec<(usize, &str, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.message.as_str()))
            .collect(),
    }
}

/// Adds the `ImportResult` class to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ImportResult>()
}

#[pymethods]
impl Store {
    /// Imports households with their residents and tags, one row per resident. The source
    /// is a path or `bytes` of a CSV file (UTF-8 with or without a BOM, or GBK/GB18030) or
    /// an XLSX workbook (a `.xlsx` path, or bytes starting `PK\x03\x04`; its first sheet),
    /// an iterable of dicts, or a pandas `DataFrame`. Every source is read by the same
    /// columns: English or Chinese headers (`户编号, 所属网格, 住址, 户类型, 标签, 姓名,
    /// 身份证号, 联系电话, 与户主关系` …), or `columns={"their header": "field"}`; a file's
    /// header may sit below title lines (or be given as `header_row`, from 1). Columns
    /// that name no field are listed in the result's `unknown_columns`. `mode` is
    /// `all_or_nothing` (any bad row: nothing written) or `skip_invalid`; `on` is the day
    /// the data describes (default today); `encoding` (`utf-8`, `gbk`, `gb18030`)
    /// overrides detection. Bad rows never raise: they are in the result's `errors`.
    /// `progress(done, total)` is called as rows are checked; returning `False` cancels
    /// with `InvalidInput`, raising cancels and propagates, and a cancelled import writes
    /// nothing. Re-importing the same ids updates in place.
    #[pyo3(signature = (path_or_rows, mode=Text(Cow::Borrowed("all_or_nothing")), on=None, encoding=None, progress=None, columns=None, header_row=None), text_signature = "($self, path_or_rows, mode='all_or_nothing', on=None, encoding=None, progress=None, columns=None, header_row=None)")]
    #[allow(clippy::too_many_arguments)]
    fn import_households(
        &self,
        py: Python<'_>,
        path_or_rows: &Bound<'_, PyAny>,
        mode: Text<'_>,
        on: Option<&Bound<'_, PyAny>>,
        encoding: Option<Text<'_>>,
        progress: Option<&Bound<'_, PyAny>>,
        columns: Option<&Bound<'_, PyAny>>,
        header_row: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ImportResult> {
        let mode = mode.0;
        let mode: &str = &mode;
        let encoding: Option<String> = encoding.map(|t| t.0.into_owned());
        run(py, self, || {
            let on = on.map(|d| day_json("on", d)).transpose()?;
            let options = py_result(ImportOptions::from_json(&object_json([
                ("mode", mode.into()),
                ("on", on.unwrap_or_default()),
                ("encoding", encoding.into()),
                ("columns", opt_input_json("columns", columns)?),
                ("header_row", opt_input_json("header_row", header_row)?),
            ])))?;
            let progress = progress_arg(progress)?;
            let source = source_arg(path_or_rows)?;
            Ok((source, options, progress))
        })
    }
}

/// `<list object>`: how an argument that may hold personal information is named in
/// messages.
pub(crate) fn type_text(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "<object>".to_owned(), |n| format!("<{n} object>"))
}

/// What `import_households` reads.
#[derive(Debug)]
pub(crate) enum Source {
    /// A CSV or XLSX file, read in Rust.
    Path(PathBuf),
    /// A CSV or XLSX file's content.
    Bytes(Vec<u8>),
    /// Rows given as dicts (or a `DataFrame`'s records), as the JSON array
    /// `ImportTable::from_json` reads.
    Rows(String),
}

const SOURCE: &str =
    "expected a CSV path, CSV bytes, an XLSX path or bytes, an iterable of dicts or a DataFrame";

/// The `path_or_rows` argument: `bytes`/`bytearray` are a file's content; `str` or an
/// `os.PathLike` names a file; an object with `.to_dict` and `.columns` (a pandas
/// `DataFrame`) gives its records; anything else is iterated for dicts. Rows are read here,
/// with the GIL held, so a generator is consumed before the import starts.
pub(crate) fn source_arg(value: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Source::Bytes(bytes.as_bytes().to_vec()));
    }
    if let Ok(bytes) = value.cast::<PyByteArray>() {
        return Ok(Source::Bytes(bytes.to_vec()));
    }
    if value.is_instance_of::<PyString>() || value.hasattr("__fspath__")? {
        return value
            .extract::<PathBuf>()
            .map(Source::Path)
            .map_err(|_| invalid("path_or_rows", type_text(value), SOURCE));
    }
    if value.is_instance_of::<PyDict>() {
        return Err(invalid(
            "path_or_rows",
            type_text(value),
            "one dict is not a list of rows: pass [row]",
        ));
    }
    let records;
    let rows = if value.hasattr("to_dict")? && value.hasattr("columns")? {
        records = value.call_method1("to_dict", ("records",))?;
        &records
    } else {
        value
    };
    let items = rows
        .try_iter()
        .map_err(|_| invalid("path_or_rows", type_text(value), SOURCE))?;
    // Written as text: a JSON object kept as a map would lose the keys' order, which is
    // the columns' order the unknown columns are reported in.
    let mut out = String::from("[");
    for item in items {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&row_json(&item?)?);
    }
    out.push(']');
    Ok(Source::Rows(out))
}

/// One row as the JSON text of an object `ImportTable::from_json` reads: a dict (or any
/// mapping) with its keys as text, in their order, and its cells as [`cell_json`] makes
/// them; anything else converted as it is, for the core to refuse without showing it.
fn row_json(item: &Bound<'_, PyAny>) -> PyResult<String> {
    let dict = match item.cast::<PyDict>() {
        Ok(dict) => dict.clone(),
        Err(_) if item.cast::<PyMapping>().is_ok() => {
            PyDict::from_sequence(&item.call_method0("items")?)?
        }
        Err(_) => return Ok(input_json("rows", item).unwrap_or(Value::Null).to_string()),
    };
    let mut pairs = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let key = Value::from(str_value("column", &key.str()?)?);
        pairs.push(format!("{key}:{}", cell_json(&value)?));
    }
    Ok(format!("{{{}}}", pairs.join(",")))
}

/// One cell as JSON: a list or tuple (of tags) stays a list of their texts, anything
/// else is the text of [`cell_text`].
fn cell_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut parts = Vec::new();
        for item in value.try_iter()? {
            let part = cell_text(&item?)?;
            if !part.is_empty() {
                parts.push(Value::String(part));
            }
        }
        return Ok(Value::Array(parts));
    }
    cell_text(value).map(Value::String)
}

/// One cell as the text a CSV file would hold: `None`, NaN and pandas' `NA`/`NaT` are
/// empty, a whole float loses its `.0` (pandas reads a column of phone numbers with a gap
/// as floats), anything else is `str()`.
fn cell_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_none() {
        return Ok(String::new());
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(str_value("cell", text)?.trim().to_owned());
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        let f = f.value();
        if f.is_nan() {
            return Ok(String::new());
        }
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e17 {
            return Ok(format!("{f:.0}"));
        }
    }
    let kind = value.get_type().name()?;
    if matches!(&*kind.to_cow()?, "NAType" | "NaTType") {
        return Ok(String::new());
    }
    Ok(str_value("cell", &value.str()?)?.trim().to_owned())
}

/// What an import runs on: the rows, the options and the progress callback.
type ImportArgs = (Source, ImportOptions, Option<Py<PyAny>>);

/// Runs the import with the GIL released, once `args` has converted the arguments. The
/// progress callback, when given, is called with `(done, total)`; if it raises, the
/// import is cancelled (nothing is written) and its exception propagates; if it returns
/// `False`, the import is cancelled with the core's `InvalidInput`.
fn run(
    py: Python<'_>,
    store: &Store,
    args: impl FnOnce() -> PyResult<ImportArgs>,
) -> PyResult<ImportResult> {
    let mut raised: Option<PyErr> = None;
    let result = store.with_args(py, args, |store, (source, options, callback)| {
        let mut report = |done: usize, total: usize| -> bool {
            let Some(callback) = &callback else {
                return true;
            };
            if raised.is_some() {
                return false;
            }
            Python::attach(
                |py| match as_callback(py, |py| callback.call1(py, (done, total))) {
                    Ok(answer) => goes_on(answer.bind(py)),
                    Err(err) => {
                        raised = Some(err);
                        false
                    }
                },
            )
        };
        let progress: Option<&mut dyn FnMut(usize, usize) -> bool> = if callback.is_some() {
            Some(&mut report)
        } else {
            None
        };
        match source {
            Source::Path(path) => {
                let bytes = std::fs::read(&path).map_err(|e| wangge::Error::InvalidInput {
                    field: "path",
                    value: path.display().to_string(),
                    reason: format!("cannot read the file: {e}"),
                })?;
                let name = path.to_string_lossy();
                store.import_households_file(&bytes, Some(&name), &options, progress)
            }
            Source::Bytes(bytes) => store.import_households_file(&bytes, None, &options, progress),
            Source::Rows(json) => {
                let table = ImportTable::from_json(&json)?;
                store.import_households_table(&table, &options, progress)
            }
        }
    });
    if let Some(err) = raised {
        return Err(err);
    }
    result.map(ImportResult::from)
}
