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

use std::borrow::Cow;
use std::ops::Deref;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyString};
use zeroize::Zeroizing;

use crate::convert::repr_text;
use crate::errors::invalid;

/// A `str` argument that is text. The module is built for the limited API of Python 3.9
/// (one abi3 wheel for 3.9 and later), which lends no UTF-8 of a Python string: the text
/// is a copy (`Cow::Owned`); a default value is borrowed. It reads as a `&str` (`&text`,
/// `option.as_deref()`).
#[derive(Debug, Clone)]
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> FromPyObject<'a, '_> for Text<'a> {
    type Error = PyErr;

    fn extract(value: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        value.cast::<PyString>()?;
        <Cow<'a, str>>::extract(value).map(Text).map_err(|_| {
            invalid(
                "text",
                repr_text(&value.to_owned()),
                "holds a lone surrogate, which is not text",
            )
        })
    }
}

/// A unit code argument: a `str`, or an `int` taken as its digits (`512021` is
/// `"512021"`), as a code read back from a CSV by pandas arrives (`numpy.int64` included:
/// anything with `__index__`). A negative number, one past 64 bits and a `bool` (which is
/// no code, though Python counts it an `int`) are `InvalidInput` naming `unit`; any
/// other type stays Python's `TypeError`.
#[derive(Debug, Clone)]
pub(crate) struct Code<'a>(pub(crate) Cow<'a, str>);

impl<'a> FromPyObject<'a, '_> for Code<'a> {
    type Error = PyErr;

    fn extract(value: Borrowed<'a, '_, PyAny>) -> PyResult<Self> {
        if value.is_instance_of::<PyString>() {
            return Text::extract(value).map(|t| Code(t.0));
        }
        let number = || {
            invalid(
                "unit",
                repr_text(&value.to_owned()),
                "a unit code is text or a whole number from 0 to 2**63 - 1",
            )
        };
        if value.is_instance_of::<PyBool>() {
            return Err(number());
        }
        if value.is_instance_of::<PyInt>() || value.hasattr("__index__")? {
            let n = value.extract::<i64>().map_err(|_| number())?;
            return if n < 0 {
                Err(number())
            } else {
                Ok(Code(Cow::Owned(n.to_string())))
            };
        }
        Text::extract(value).map(|t| Code(t.0))
    }
}

/// A deployment key argument: `bytes`, or a `bytearray` (which a careful caller keeps a
/// secret in, to wipe it after use), copied into memory wiped when it is dropped. The
/// library checks its length; any other type is Python's `TypeError`.
pub(crate) struct Key(pub(crate) Zeroizing<Vec<u8>>);

impl FromPyObject<'_, '_> for Key {
    type Error = PyErr;

    fn extract(value: Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(Key(Zeroizing::new(bytes.as_bytes().to_vec())));
        }
        if let Ok(array) = value.cast::<PyByteArray>() {
            return Ok(Key(Zeroizing::new(array.to_vec())));
        }
        Err(PyTypeError::new_err(format!(
            "a key is bytes or bytearray, not {}",
            value.get_type().name()?
        )))
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
) -> PyResult<Cow<'b, str>> {
    text.to_cow().map_err(|_| {
        invalid(
            field,
            repr_text(text.as_any()),
            "holds a lone surrogate, which is not text",
        )
    })
}
