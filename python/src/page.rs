//! `wangge.Page`: a page of a long list, a `list` subclass with a `next` cursor. The
//! class is plain Python (`wangge/_page.py`); the list methods of `Store` build it here
//! from a core [`wangge::Page`] or a whole list.

use std::sync::Arc;

use arrow_array::RecordBatch;
use pyo3::IntoPyObjectExt;
use pyo3::PyClass;
use pyo3::prelude::*;
use pyo3::pyclass_init::PyClassInitializer;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};

use wangge::labels::Labels;

use crate::args::{Int, Text};
use crate::errors::py_result;
use crate::store::frames::Rows;

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

impl<T: Send + Sync + 'static> Listed<T> {
    /// As [`Listed::into_page`], the records sharing the list's core rows: each record
    /// points into them rather than holding a copy, and the page keeps them (its `_rows`)
    /// so that its frame is made by `frame` straight from them, without reading the
    /// records back. That frame is used while the page still holds exactly the records it
    /// was made with (see `Rows::current`); once the list is changed, the frame is made
    /// from the records it then holds. A record kept alone keeps the rows of its page.
    pub(crate) fn into_shared_page<P>(
        self,
        py: Python<'_>,
        frame: fn(&[T], Labels) -> wangge::Result<RecordBatch>,
    ) -> PyResult<Bound<'_, PyAny>>
    where
        P: From<Shared<T>> + PyClass,
        PyClassInitializer<P>: From<P>,
    {
        let (items, next) = match self {
            Listed::Whole(items) => (items, None),
            Listed::Paged(page) => (page.items, page.next),
        };
        let rows = Arc::new(items);
        // Ctrl-C is looked for at every item, as in `into_page`.
        let records = (0..rows.len())
            .map(|index| {
                py.check_signals()?;
                let shared = Shared {
                    rows: Arc::clone(&rows),
                    index,
                };
                let record = Bound::new(py, P::from(shared))?;
                untrack(&record);
                Ok(record.into_any().unbind())
            })
            .collect::<PyResult<Vec<Py<PyAny>>>>()?;
        let list = PyList::new(py, records.iter().map(|r| r.bind(py)))?;
        let kept = Rows::shared(rows, records, frame);
        PAGE.import(py, "wangge._page", "Page")?
            .call1((list, next, kept))
    }
}

/// One row of a list whose rows are kept once for the whole list (see
/// [`Listed::into_shared_page`]): a record class wrapping it reads the row's fields
/// through it as through the row itself.
#[derive(Clone)]
pub(crate) struct Shared<T> {
    rows: Arc<Vec<T>>,
    index: usize,
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.rows[self.index]
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
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
