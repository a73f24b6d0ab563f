//! The record classes' common make: `record!` builds a frozen Python class from one field
//! list, and core values are handed to Python as fresh Python values.
//!
//! A record class wraps the core record it shows. Each field is written once, with its
//! doc, its Python type and how it is read from the core record; from that list the macro
//! makes the getters, equality (the core record's), a hash over every field, `__repr__`
//! and `to_dict()`.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;

/// One field of a record as a Python value, for `__repr__` and `to_dict()`.
pub(crate) type Field<'py> = (&'static str, Bound<'py, PyAny>);

/// A Rust value as a Python object.
pub(crate) fn py_any<'py, T: IntoPyObjectExt<'py>>(
    py: Python<'py>,
    value: T,
) -> PyResult<Bound<'py, PyAny>> {
    value.into_bound_py_any(py)
}

/// Python's `repr()` of a text.
pub(crate) fn text_repr(py: Python<'_>, text: &str) -> PyResult<String> {
    Ok(PyString::new(py, text)
        .repr()?
        .to_string_lossy()
        .into_owned())
}

/// `Name(field=repr, …)`, each value shown by its Python `repr`; with `shown`, only the
/// fields it names, in the record's order.
pub(crate) fn fields_repr(
    name: &str,
    fields: Vec<Field<'_>>,
    shown: Option<&[&str]>,
) -> PyResult<String> {
    let mut parts = Vec::new();
    for (field, value) in fields {
        if shown.is_none_or(|s| s.contains(&field)) {
            parts.push(format!("{field}={}", value.repr()?.to_string_lossy()));
        }
    }
    Ok(format!("{name}({})", parts.join(", ")))
}

/// A new dict of a record's fields.
pub(crate) fn fields_dict<'py>(
    py: Python<'py>,
    fields: Vec<Field<'py>>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in fields {
        dict.set_item(name, value)?;
    }
    Ok(dict)
}

/// A JSON value as a new Python object: objects become dicts, arrays lists.
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => py_any(py, *b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                py_any(py, i)
            } else if let Some(u) = n.as_u64() {
                py_any(py, u)
            } else {
                py_any(py, n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => py_any(py, s),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// A JSON value that reaches Python as a new dict, list or plain value: changing it
/// changes nothing stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Json(pub(crate) Value);

impl<'py> IntoPyObject<'py> for Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.0)
    }
}

/// A mapping key as text; `None` when it is not a `str`.
pub(crate) fn key_text<'a>(key: &'a Bound<'_, PyAny>) -> Option<std::borrow::Cow<'a, str>> {
    key.cast::<PyString>().ok()?.to_cow().ok()
}

/// A core list as a list of record classes.
pub(crate) fn records<C, P: From<C>>(items: Vec<C>) -> Vec<P> {
    items.into_iter().map(P::from).collect()
}

/// Builds a frozen record class wrapping a core record, from one field list.
///
/// ```ignore
/// record! {
///     /// The class doc.
///     pub struct Unit(wangge::Unit) as u, repr = all {
///         /// The field's doc.
///         code: &str = &u.code,
///     }
/// }
/// ```
///
/// Each field becomes a getter of that name returning the expression, evaluated with the
/// binding (`u`) on the core record. `repr = all` shows every field, `repr = [a, b]` only
/// those, `repr = custom` leaves `__repr__` to a `#[pymethods]` block of its own. A field
/// written `name: Type = expr => to_dict_fn` shows in `to_dict()` as
/// `to_dict_fn(py, &value)` rather than as its getter's value.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($core:ty) as $b:ident, repr = $repr:tt {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty = $get:expr $(=> $dict:path)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, eq, hash, module = "wangge._native")]
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(pub(crate) $core);

        impl From<$core> for $name {
            fn from(record: $core) -> Self {
                $name(record)
            }
        }

        impl ::std::hash::Hash for $name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                $( ::std::hash::Hash::hash(&self.$field(), state); )*
            }
        }

        impl $name {
            /// The fields in order as Python values: as the getters give them, or as
            /// `to_dict()` gives them.
            #[allow(unused_variables)]
            fn py_fields<'py>(
                &self,
                py: Python<'py>,
                for_dict: bool,
            ) -> PyResult<Vec<$crate::record::Field<'py>>> {
                Ok(vec![$(
                    (stringify!($field), {
                        let value = self.$field();
                        $( if for_dict { $dict(py, &value)? } else )? {
                            $crate::record::py_any(py, value)?
                        }
                    }),
                )*])
            }
        }

        #[pymethods]
        impl $name {
            $(
                $(#[$fmeta])*
                #[getter]
                fn $field(&self) -> $ty {
                    let $b = &self.0;
                    $get
                }
            )*

            /// The record's fields as a new dict.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
                $crate::record::fields_dict(py, self.py_fields(py, true)?)
            }

            /// The field names, in order. A record reads as a read-only mapping of them
            /// (`dict(record)`, `record["due"]`), so `pandas.DataFrame(records)` has a
            /// column per field.
            fn keys(&self) -> Vec<&'static str> {
                vec![$(stringify!($field)),*]
            }

            /// The field values, in order, as `to_dict()` gives them.
            fn values<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
                Ok(self.py_fields(py, true)?.into_iter().map(|(_, v)| v).collect())
            }

            /// The (name, value) pairs, in order, as `to_dict()` gives them.
            fn items<'py>(&self, py: Python<'py>) -> PyResult<Vec<$crate::record::Field<'py>>> {
                self.py_fields(py, true)
            }

            /// The field `key` as `to_dict()` gives it; `default` when there is no such field.
            #[pyo3(signature = (key, default=None))]
            fn get<'py>(
                &self,
                py: Python<'py>,
                key: &Bound<'py, PyAny>,
                default: Option<Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                match self.field_value(py, key)? {
                    Some(value) => Ok(value),
                    None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
                }
            }

            fn __getitem__<'py>(
                &self,
                py: Python<'py>,
                key: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                self.field_value(py, key)?
                    .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(key.clone().unbind()))
            }

            fn __contains__(&self, key: &Bound<'_, PyAny>) -> bool {
                $crate::record::key_text(key)
                    .is_some_and(|k| [$(stringify!($field)),*].contains(&&*k))
            }

            fn __len__(&self) -> usize {
                [$(stringify!($field)),*].len()
            }

            fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                pyo3::types::PyList::new(py, [$(stringify!($field)),*])?
                    .into_any()
                    .try_iter()
                    .map(Bound::into_any)
            }
        }

        impl $name {
            /// The field `key` as `to_dict()` gives it, `None` when there is no such field.
            #[allow(unused_variables)]
            fn field_value<'py>(
                &self,
                py: Python<'py>,
                key: &Bound<'py, PyAny>,
            ) -> PyResult<Option<Bound<'py, PyAny>>> {
                let Some(key) = $crate::record::key_text(key) else {
                    return Ok(None);
                };
                let for_dict = true;
                $(
                    if key == stringify!($field) {
                        let value = self.$field();
                        return Ok(Some($( if for_dict { $dict(py, &value)? } else )? {
                            $crate::record::py_any(py, value)?
                        }));
                    }
                )*
                Ok(None)
            }
        }

        record!(@repr $name $repr);
    };
    (@repr $name:ident all) => {
        #[pymethods]
        impl $name {
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                $crate::record::fields_repr(stringify!($name), self.py_fields(py, false)?, None)
            }
        }
    };
    (@repr $name:ident [$($shown:ident),* $(,)?]) => {
        #[pymethods]
        impl $name {
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let shown = [$(stringify!($shown)),*];
                $crate::record::fields_repr(
                    stringify!($name),
                    self.py_fields(py, false)?,
                    Some(&shown),
                )
            }
        }
    };
    (@repr $name:ident custom) => {};
}

pub(crate) use record;

/// A core result serialised by `serde_json::to_value` (a compliance table) as plain
/// Python values.
pub(crate) fn serialized(
    py: Python<'_>,
    value: serde_json::Result<Value>,
) -> PyResult<Bound<'_, PyAny>> {
    let value = value.map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    json_to_py(py, &value)
}

/// A list of core rules as a new Python list of dicts, each rule in its JSON shape.
pub(crate) fn json_list(
    py: Python<'_>,
    items: impl IntoIterator<Item = Value>,
) -> PyResult<Bound<'_, PyAny>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(json_to_py(py, &item)?)?;
    }
    Ok(list.into_any())
}
