//! The text and integer arguments of the Python API, read so that any `str` or `int`
//! gives a value or a `wangge.InvalidInput`, never another exception.
//!
//! Every `str` parameter of a method or function is a [`Text`] and every integer one an
//! [`Int`]. A `str` holding a lone surrogate (`"\ud800"`), which is not text UTF-8 can
//! hold, and an `int` outside the 64-bit range (`10**30`) are `InvalidInput`; Python's
//! own argument handling adds the note `while processing '<argument>'`, which names the
//! argument. An id that does not fit 64 bits cannot exist, but it is refused as
//! malformed (`InvalidInput`) like every other integer rather than looked up
//! (`NotFound`): one rule for all integers. A value of another type stays Python's
//! `TypeError`.

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};

use crate::convert::repr_text;
use crate::errors::invalid;

/// A `str` argument that is text: borrowed from the Python string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text<'a>(pub(crate) &'a str);

impl<'a> FromPyObject<'a, '_> for Text<'a> {
    type Error = PyErr;

    fn extract(value: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        value.cast::<PyString>()?;
        <&'a str>::extract(value).map(Text).map_err(|_| {
            invalid(
                "text",
                repr_text(&value.to_owned()),
                "holds a lone surrogate, which is not text",
            )
        })
    }
}

/// An `int` argument that fits 64 bits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Int(pub(crate) i64);

impl FromPyObject<'_, '_> for Int {
    type Error = PyErr;

    fn extract(value: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        int_value("integer", &value.to_owned())
    }
}

/// Reads an integer argument named `field`: an `int` (or anything Python takes as one)
/// outside the 64-bit range is `InvalidInput` naming `field`.
pub(crate) fn int_value(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Int> {
    match value.extract::<i64>() {
        Ok(n) => Ok(Int(n)),
        Err(err)
            if value.is_instance_of::<PyInt>()
                || !err.is_instance_of::<pyo3::exceptions::PyTypeError>(value.py()) =>
        {
            Err(invalid(
                field,
                repr_text(value),
                "expected an integer from -2**63 to 2**63 - 1",
            ))
        }
        Err(err) => Err(err),
    }
}

/// The text of a Python `str` read inside a larger argument (a date, a JSON value, a
/// row), named `field`: a lone surrogate is `InvalidInput` naming `field`.
pub(crate) fn str_value<'b>(
    field: &'static str,
    text: &'b Bound<'_, PyString>,
) -> PyResult<&'b str> {
    text.to_str().map_err(|_| {
        invalid(
            field,
            repr_text(text.as_any()),
            "holds a lone surrogate, which is not text",
        )
    })
}
