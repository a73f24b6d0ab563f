//! `wangge.Page`: a page of a long list, a `list` subclass with a `next` cursor. The
//! class is plain Python (`wangge/_page.py`); the list methods of `Store` build it here
//! from a core [`wangge::Page`] or a whole list.

use pyo3::IntoPyObjectExt;
use pyo3::PyClass;
use pyo3::prelude::*;
use pyo3::pyclass_init::PyClassInitializer;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};

use crate::args::{Int, Text};
use crate::errors::py_result;

static PAGE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Adds `Page` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Page", PAGE.import(m.py(), "wangge._page", "Page")?)
}

/// The paging a list method's `limit` and `after` ask for, read by the core (a limit out
/// of range is its `InvalidInput` naming `limit`); `None` when neither is given, for the
/// whole list in its own order.
pub(crate) fn paging_arg(
    limit: Option<Int>,
    after: Option<Text<'_>>,
) -> PyResult<Option<wangge::Paging>> {
    if limit.is_none() && after.is_none() {
        return Ok(None);
    }
    py_result(wangge::Paging::from_signed(
        limit.map(|n| n.0),
        after.map(|t| t.0).as_deref(),
    ))
    .map(Some)
}

/// The whole list or one page of it, as the core gave it.
pub(crate) enum Listed<T> {
    Whole(Vec<T>),
    Paged(wangge::Page<T>),
}

impl<T> Listed<T> {
    /// The list or page with each item made the record class `P`.
    pub(crate) fn into_page<P>(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>>
    where
        P: From<T> + PyClass,
        PyClassInitializer<P>: From<P>,
    {
        let (items, next) = match self {
            Listed::Whole(items) => (items, None),
            Listed::Paged(page) => (page.items, page.next),
        };
        // A county's list takes a while to convert: Ctrl-C is honoured meanwhile too. Looked
        // for at every item (a look costs nanoseconds), before the collector runs: a
        // `gc.callbacks` function would otherwise run the handler and lose its
        // KeyboardInterrupt as an unraisable exception.
        let records = items
            .into_iter()
            .map(|item| {
                py.check_signals()?;
                let record = Bound::new(py, P::from(item))?;
                untrack(&record);
                Ok(record)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let list = PyList::new(py, records)?;
        PAGE.import(py, "wangge._page", "Page")?.call1((list, next))
    }
}

/// A `Page` of `items` (a list of plain values) whose frame is made from `rows`, the core
/// rows they were made of.
pub(crate) fn page_of_rows<'py>(
    py: Python<'py>,
    items: Bound<'py, PyAny>,
    rows: impl IntoPyObject<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let rows = rows.into_bound_py_any(py)?;
    PAGE.import(py, "wangge._page", "Page")?
        .call1((items, py.None(), rows))
}

/// Takes a record out of the cycle collector's watch. A record holds only Rust values,
/// never a Python object, so it can be in no reference cycle; watched, a list of a million
/// records made the collector run over them again and again while they were made (about
/// half the time of a due list's call).
fn untrack<P: PyClass>(record: &Bound<'_, P>) {
    // SAFETY: `record` is a live object (a borrowed reference, the GIL held); untracking
    // an object that is not tracked does nothing, and its deallocation untracks it again
    // safely.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(record.as_ptr().cast()) };
}

/// Runs the whole-list call when `paging` is `None`, else the page call.
pub(crate) fn listed<T>(
    paging: Option<wangge::Paging>,
    whole: impl FnOnce() -> wangge::Result<Vec<T>>,
    page: impl FnOnce(&wangge::Paging) -> wangge::Result<wangge::Page<T>>,
) -> wangge::Result<Listed<T>> {
    match paging {
        None => whole().map(Listed::Whole),
        Some(paging) => page(&paging).map(Listed::Paged),
    }
}
