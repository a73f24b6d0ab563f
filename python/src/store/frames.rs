//! Frames out of lists and reports: the Arrow C stream (`__arrow_c_stream__`)
//! and `to_pandas()`. The columns are the core's ([`wangge::frame`]): this file only finds
//! the core records behind a `Page` and wraps the core's record batch as a pyo3-arrow
//! table. And frames in: a table given through the same stream, as its record batches,
//! which the core reads.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_schema::DataType;
use pyo3::exceptions::{PyImportError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_arrow::PyTable;
use wangge::labels::Labels;

use super::contacts::{Finding, Patrol};
use super::import::type_text;
use super::ledger::Entry;
use super::registry::{Household, Resident};
use super::units::Unit;
use super::visits::{DueVisit, Visit};
use crate::errors::{py_result, to_py_err};
use crate::page::page_of_rows;
use crate::record::{json_list, serialized};

/// Makes a record batch of the rows a native call kept, with the labels asked for.
type Builder = dyn Fn(Labels) -> wangge::Result<RecordBatch> + Send + Sync;

/// The core rows behind a `Page`, kept so that its frame is made from them rather than
/// from its items: a compliance report's requirements (a page of plain dicts), or a due
/// list whose records share the rows ([`crate::page::Listed::into_shared_page`]).
#[pyclass(frozen, name = "_Rows", module = "wangge._native")]
pub struct Rows {
    build: Arc<Builder>,
    /// The records the page was made with, in order, when its items are records: the
    /// rows make its frame only while the page holds exactly these. Held here, so that
    /// none is freed (and its address taken by another object) while the page lives.
    records: Option<Vec<Py<PyAny>>>,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rows")
    }
}

impl Rows {
    /// Keeps `rows` for the page's frame.
    pub(crate) fn of<T: serde::Serialize + Send + Sync + 'static>(rows: Vec<T>) -> Rows {
        Rows {
            build: Arc::new(move |labels| wangge::frame::record_batch(&rows, labels)),
            records: None,
        }
    }

    /// Keeps `rows`, which `records` show in order, for the page's frame, made by `frame`.
    pub(crate) fn shared<T: Send + Sync + 'static>(
        rows: Arc<Vec<T>>,
        records: Vec<Py<PyAny>>,
        frame: fn(&[T], Labels) -> wangge::Result<RecordBatch>,
    ) -> Rows {
        Rows {
            build: Arc::new(move |labels| frame(&rows, labels)),
            records: Some(records),
        }
    }

    /// Whether the rows still make the frame of `items`: always for a page of dicts; for a
    /// page of records, while `items` are exactly the records it was made with, in their
    /// order (compared by identity, without reading the records).
    fn current(&self, items: &Bound<'_, PyList>) -> bool {
        let Some(records) = &self.records else {
            return true;
        };
        items.len() == records.len()
            && records.iter().enumerate().all(|(i, record)| {
                // SAFETY: `items` is a live list and `i` is below its length, which cannot
                // change while the GIL is held and no Python code runs; the item is only
                // compared by address (a borrowed reference, never used).
                let item = unsafe { pyo3::ffi::PyList_GetItem(items.as_ptr(), i as isize) };
                item == record.as_ptr()
            })
    }
}

/// A compliance report as a dict (its JSON shape), its `requirements` (taken out of the
/// report by the caller) a `Page` of dicts whose frame is made from the core rows.
pub(crate) fn compliance_dict<'py, C, R>(
    py: Python<'py>,
    compliance: &C,
    requirements: Vec<R>,
) -> PyResult<Bound<'py, PyAny>>
where
    C: serde::Serialize,
    R: serde::Serialize + Send + Sync + 'static,
{
    let dict = serialized(py, serde_json::to_value(compliance))?;
    let items = json_list(
        py,
        requirements
            .iter()
            .map(|r| serde_json::to_value(r).unwrap_or_default()),
    )?;
    let page = page_of_rows(py, items, Rows::of(requirements))?;
    dict.set_item("requirements", page)?;
    Ok(dict)
}

/// `labels` read by the core: `"en"` or `"zh"`, else `InvalidInput` naming `labels`.
pub(crate) fn labels_arg(labels: &str) -> PyResult<Labels> {
    py_result(Labels::parse(labels))
}

/// The schema and record batches of `value`, an object with `__arrow_c_stream__` (a
/// pyarrow table, a pandas or polars `DataFrame`), read with the GIL held; a stream that
/// does not read is `InvalidInput` naming `field`.
pub(crate) fn arrow_batches(
    field: &'static str,
    value: &Bound<'_, PyAny>,
) -> PyResult<(arrow_schema::SchemaRef, Vec<RecordBatch>)> {
    let table: PyTable = value
        .extract()
        .map_err(|_| to_py_err(&wangge::frame::unreadable_stream(field, &type_text(value))))?;
    let (batches, schema) = table.into_inner();
    Ok((schema, batches))
}

/// A record batch as a pyo3-arrow table, which has `__arrow_c_stream__`.
pub(crate) fn table(batch: RecordBatch) -> PyResult<PyTable> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)
}

/// The stream capsule of a report-like result's frame, as `__arrow_c_stream__` returns it.
pub(crate) fn stream<'py>(
    py: Python<'py>,
    batch: RecordBatch,
    requested_schema: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    Bound::new(py, table(batch)?)?.call_method1("__arrow_c_stream__", (requested_schema,))
}

/// A report-like result's frame as a pandas `DataFrame`, made by
/// `pandas.DataFrame(records, columns=...)` (a rate's null value as NaN). `what` names
/// the method in the message when pandas is not installed.
pub(crate) fn report_pandas<'py>(
    py: Python<'py>,
    batch: &RecordBatch,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let pandas = py.import("pandas").map_err(|e| {
        if e.is_instance_of::<PyImportError>(py) {
            PyImportError::new_err(format!(
                "{what} needs pandas, which is not installed (pip install pandas): {}",
                e.value(py)
            ))
        } else {
            e
        }
    })?;
    let schema = batch.schema();
    let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let records = PyList::empty(py);
    for row in 0..batch.num_rows() {
        let record = PyDict::new(py);
        for (name, column) in columns.iter().zip(batch.columns()) {
            let value: Bound<'_, PyAny> = if column.is_null(row) {
                if column.data_type() == &DataType::Float64 {
                    f64::NAN.into_pyobject(py)?.into_any()
                } else {
                    py.None().into_bound(py)
                }
            } else {
                match column.data_type() {
                    DataType::Int64 => column
                        .as_primitive::<Int64Type>()
                        .value(row)
                        .into_pyobject(py)?
                        .into_any(),
                    DataType::Float64 => column
                        .as_primitive::<Float64Type>()
                        .value(row)
                        .into_pyobject(py)?
                        .into_any(),
                    DataType::Boolean => {
                        pyo3::types::PyBool::new(py, column.as_boolean().value(row))
                            .to_owned()
                            .into_any()
                    }
                    DataType::Utf8 => column
                        .as_string::<i32>()
                        .value(row)
                        .into_pyobject(py)?
                        .into_any(),
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "{what}: a column of {other} in a report"
                        )));
                    }
                }
            };
            record.set_item(name, value)?;
        }
        records.append(record)?;
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("columns", columns)?;
    pandas.getattr("DataFrame")?.call((records,), Some(&kwargs))
}

/// The batch of the core records behind `items`, all of one record class; an empty list
/// is a frame without rows or columns.
fn records_batch(
    py: Python<'_>,
    items: &Bound<'_, PyList>,
    labels: Labels,
) -> PyResult<RecordBatch> {
    macro_rules! of_class {
        ($($class:ty),* $(,)?) => {{
            let Some(first) = items.iter().next() else {
                return py_result(wangge::frame::Frame::new().finish(labels));
            };
            let headers: &[(&str, &str)] = if first.is_instance_of::<Resident>() {
                &wangge::labels::RESIDENT_HEADERS
            } else {
                &[]
            };
            if first.is_instance_of::<DueVisit>() {
                let held = held::<DueVisit>(items, &first)?;
                return py_result(py.detach(|| {
                    wangge::frame::due_visit_batch(held.iter().map(|r| &*r.get().0), labels)
                }));
            }
            $(
                if first.is_instance_of::<$class>() {
                    let held = held::<$class>(items, &first)?;
                    return py_result(py.detach(|| {
                        wangge::frame::record_batch_with(
                            held.iter().map(|r| &r.get().0),
                            labels,
                            headers,
                        )
                    }));
                }
            )*
            Err(PyTypeError::new_err(format!(
                "a frame of {} items: only a list's records (due visits, entries, \
                 households, residents, findings, patrols, visits, units) make one",
                first.get_type().name()?
            )))
        }};
    }
    of_class!(Entry, Household, Resident, Finding, Patrol, Visit, Unit)
}

/// The items as records of class `C`, held while the GIL is released; `TypeError` when
/// one is of another class than the first.
fn held<C: pyo3::PyClass>(
    items: &Bound<'_, PyList>,
    first: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<C>>> {
    items
        .iter()
        .map(|item| {
            item.cast_into::<C>()
                .map(Bound::unbind)
                .map_err(|_| mixed(first))
        })
        .collect()
}

fn mixed(first: &Bound<'_, PyAny>) -> PyErr {
    let name = first
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!(
        "a frame needs every item of one record class, like the first ({name})"
    ))
}

/// The frame of a `Page` (from its `_rows` when a native call kept them and the page
/// still holds what it was made with, else from its records) as a table with
/// `__arrow_c_stream__`; `labels` is `"en"` or `"zh"`.
#[pyfunction]
#[pyo3(name = "_frame", signature = (items, labels="en", rows=None))]
fn frame(
    py: Python<'_>,
    items: &Bound<'_, PyList>,
    labels: &str,
    rows: Option<&Bound<'_, Rows>>,
) -> PyResult<PyTable> {
    let labels = labels_arg(labels)?;
    let batch = match rows.map(Bound::get) {
        Some(rows) if rows.current(items) => {
            let build = Arc::clone(&rows.build);
            py_result(py.detach(move || build(labels)))?
        }
        _ => records_batch(py, items, labels)?,
    };
    table(batch)
}

/// The Chinese labels of columns and values, by table: `columns` (English key to
/// header), `levels`, `statuses`, `actions`, `channels`, `kinds`, `relations`, and the
/// other columns whose values have Chinese names. Each a new dict, stored name to Chinese.
#[pyfunction]
fn labels(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for (name, pairs) in wangge::labels::tables() {
        let table = PyDict::new(py);
        for (key, label) in pairs {
            table.set_item(key, label)?;
        }
        out.set_item(name, table)?;
    }
    Ok(out)
}

/// Adds `_frame` and `labels` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.setattr("_frame", wrap_pyfunction!(frame, m)?)?;
    m.add_function(wrap_pyfunction!(labels, m)?)?;
    Ok(())
}
