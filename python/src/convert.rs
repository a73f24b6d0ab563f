//! Python arguments turned into core values, before any database work starts.
//!
//! Every conversion that fails raises `wangge.InvalidInput` naming the argument and the
//! value, exactly as the core does for the arguments it checks itself.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{
    IntoPyDict, PyBool, PyByteArray, PyBytes, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList,
    PyString, PyTuple,
};
use serde_json::{Map, Number, Value};
use wangge::Date;

use crate::args::{Code, str_value};
use crate::errors::{invalid, py_result};

/// The Python `repr()` of a value, for messages (falls back to its type's name).
pub(crate) fn repr_text(value: &Bound<'_, PyAny>) -> String {
    value.repr().map_or_else(
        |_| format!("<{}>", value.get_type()),
        |r| r.to_string_lossy().into_owned(),
    )
}

/// What a Python value given as a date is, before the core reads it.
enum DateValue {
    /// `None`, `pandas.NaT`, `pandas.NA`, `numpy.datetime64('NaT')` or a float NaN: no date.
    Missing,
    /// A `datetime.date`, a `datetime.datetime` or a `pandas.Timestamp` (its date as
    /// given).
    Day(Date),
    /// Text for the core's date reader: a `str`, or a `numpy.datetime64` as its day.
    Text(String),
    /// Anything else.
    Other,
}

/// The module and name of `value`'s type, for the duck typing of pandas and numpy
/// values (neither is imported unless the value comes from it).
fn type_of(value: &Bound<'_, PyAny>) -> (String, String) {
    let kind = value.get_type();
    let module = kind
        .module()
        .map(|m| m.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = kind
        .name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (module, name)
}

/// Whether `value` is a missing value: `None`, `pandas.NaT`, `pandas.NA` or a float NaN
/// (a `numpy.datetime64('NaT')` is found by [`date_value`]).
fn is_missing(value: &Bound<'_, PyAny>) -> bool {
    if value.is_none() {
        return true;
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return f.value().is_nan();
    }
    let (module, name) = type_of(value);
    module.starts_with("pandas") && (name == "NaTType" || name == "NAType")
}

/// Sorts a value given as a date; see [`DateValue`].
fn date_value(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<DateValue> {
    if is_missing(value) {
        return Ok(DateValue::Missing);
    }
    if value.is_instance_of::<PyDate>() {
        return Ok(DateValue::Day(value.extract::<Date>()?));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(DateValue::Text(str_value(field, text)?.into_owned()));
    }
    let (module, name) = type_of(value);
    if module == "numpy" && name == "datetime64" {
        let numpy = value.py().import("numpy")?;
        if numpy.call_method1("isnat", (value,))?.is_truthy()? {
            return Ok(DateValue::Missing);
        }
        let day = numpy
            .getattr("datetime_as_string")?
            .call((value,), Some(&[("unit", "D")].into_py_dict(value.py())?))?;
        return Ok(DateValue::Text(day.extract()?));
    }
    Ok(DateValue::Other)
}

/// The error for a missing value (`None`, `NaT`, NaN) where a date is required.
fn missing_date(field: &'static str, value: &Bound<'_, PyAny>) -> PyErr {
    invalid(
        field,
        repr_text(value),
        "a missing value (None, NaT, NaN) is no date; an optional date is left out (or \
         None) for its default",
    )
}

/// A date argument: a `datetime.date`, a `datetime.datetime` or a `pandas.Timestamp` (its
/// date taken as given), a `numpy.datetime64` (its day), or text in the forms the core's
/// date reader takes (`2025-01-05`, `2025/1/5`, `2025年1月5日`, `20250105`). A missing value
/// (`None`, `pandas.NaT`, `numpy.datetime64('NaT')`, a float NaN) and any other value are
/// `InvalidInput` naming `field`.
pub(crate) fn date_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Date> {
    match date_value(field, value)? {
        DateValue::Missing => Err(missing_date(field, value)),
        DateValue::Day(day) => Ok(day),
        DateValue::Text(text) => py_result(wangge::date::parse_date(field, &text)),
        DateValue::Other => Err(invalid(
            field,
            repr_text(value),
            &format!(
                "expected a date: datetime.date, pandas.Timestamp, numpy.datetime64 or text \
                 such as {}",
                wangge::date::DATE_FORMS
            ),
        )),
    }
}

/// An optional date argument (`as_of`, `start`): `None` (or left out) stays `None`, for
/// the default the method documents (today, for `as_of`); any other value is read as
/// [`date_arg`] reads it, so `NaT` or NaN is `InvalidInput`, never today.
pub(crate) fn opt_date_arg(
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Date>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| date_arg(field, v))
        .transpose()
}

/// A query's date `as_of` that an older release called `on`: `on` still works, with a
/// `DeprecationWarning` naming `method`; both at once are `InvalidInput`.
pub(crate) fn as_of_arg<'a, 'py>(
    method: &str,
    as_of: Option<&'a Bound<'py, PyAny>>,
    on: Option<&'a Bound<'py, PyAny>>,
) -> PyResult<Option<&'a Bound<'py, PyAny>>> {
    let Some(on) = on else {
        return Ok(as_of);
    };
    if as_of.is_some() {
        return Err(invalid(
            "on",
            repr_text(on),
            &format!("{method}() takes its date as as_of; on is its old name, not both"),
        ));
    }
    let py = on.py();
    let warning = py.get_type::<pyo3::exceptions::PyDeprecationWarning>();
    PyErr::warn(
        py,
        &warning,
        &std::ffi::CString::new(format!(
            "{method}(on=...) is deprecated and will be removed: use {method}(as_of=...)"
        ))?,
        1,
    )?;
    Ok(Some(on))
}

/// A moment argument (`at`): text (RFC 3339 with an offset, or a date) passed on as it
/// is, a `datetime.datetime` with a time zone, or a `datetime.date` (the end of that day in
/// the deployment's time zone). A naive datetime is refused: its zone would be a guess.
pub(crate) fn opt_moment_arg(
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Some(str_value(field, text)?.into_owned()));
    }
    if let Ok(moment) = value.cast::<PyDateTime>() {
        if moment.getattr("tzinfo")?.is_none() {
            return Err(invalid(
                field,
                repr_text(value),
                "a datetime needs a time zone (tzinfo)",
            ));
        }
        return Ok(Some(value.call_method0("isoformat")?.extract()?));
    }
    if value.is_instance_of::<PyDate>() {
        return Ok(Some(value.call_method0("isoformat")?.extract()?));
    }
    Err(invalid(
        field,
        repr_text(value),
        "expected a datetime with a time zone, a date or ISO text",
    ))
}

/// A required moment argument (`at`) as the text `Store::parse_moment` reads: text passed
/// on as it is (RFC 3339, or a local time without an offset), a `datetime.datetime`,
/// aware or naive (a naive one is a local time in the deployment's time zone), as its ISO
/// text, and any other value as its JSON, for the core to refuse (a bare `datetime.date`
/// has no time of day).
pub(crate) fn moment_text_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(match input_json(field, value)? {
        Value::String(text) => text,
        other => other.to_string(),
    })
}

/// A list of tag names (`tags`): any iterable of text, `None` for none. One bare string is
/// refused rather than read as its characters.
pub(crate) fn tags_arg(
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    const LIST: &str = "expected a list or tuple of tag names";
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    if value.is_instance_of::<PyString>() {
        return Err(invalid(field, repr_text(value), LIST));
    }
    let items = value
        .try_iter()
        .map_err(|_| invalid(field, repr_text(value), LIST))?;
    let mut tags = Vec::new();
    for item in items {
        let item = item?;
        tags.push(
            item.extract()
                .map_err(|_| invalid(field, repr_text(&item), "a tag name is text"))?,
        );
    }
    Ok(tags)
}

/// How deeply a JSON argument may nest (which also stops a dict that contains itself).
const JSON_DEPTH: usize = 64;

/// What a Python value is converted for: content stored as it is given (an archive
/// section, a rule set), or an input shape the core reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Json {
    /// Stored content: dicts with text keys, lists, tuples, text, int, finite float, bool
    /// and `None`.
    Content,
    /// An input shape: as [`Json::Content`], and also a `datetime.datetime` as ISO text
    /// (with its offset when aware, a local time when naive), a `datetime.date` as
    /// `YYYY-MM-DD` and any other iterable (not text, bytes or a dict) as a list.
    Input,
}

/// A content argument (`content`) as JSON, nested at most 64 deep.
pub(crate) fn json_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(field, value, field, 0, Json::Content)
}

/// A Python value as the JSON of an input shape, for the core's reader to check: it only
/// converts (see [`Json::Input`]).
pub(crate) fn input_json(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(field, value, field, 0, Json::Input)
}

/// An optional argument as [`input_json`] makes it; `None` is JSON null.
pub(crate) fn opt_input_json(
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Value> {
    value.map_or(Ok(Value::Null), |v| input_json(field, v))
}

/// A value meant as a date (`on`, `start`, `as_of`) inside a JSON input shape: a date,
/// datetime, `pandas.Timestamp` or `numpy.datetime64` gives its day as ISO text, text
/// goes as it is for the core's date reader, `None` is JSON null (left out), `NaT` or NaN
/// is `InvalidInput` naming `field`, and anything else is as [`input_json`] makes it, for
/// the core to refuse.
pub(crate) fn day_json(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    match date_value(field, value)? {
        DateValue::Missing => Err(missing_date(field, value)),
        DateValue::Day(day) => Ok(Value::String(day.format("%Y-%m-%d").to_string())),
        DateValue::Text(text) => Ok(Value::String(text)),
        DateValue::Other => input_json(field, value),
    }
}

/// One value of a JSON argument; `at` says where it sits, for messages.
pub(crate) fn to_json(
    field: &'static str,
    value: &Bound<'_, PyAny>,
    at: &str,
    depth: usize,
    json: Json,
) -> PyResult<Value> {
    const KINDS: &str = "dict with text keys, list, tuple, str, int, float, bool or None";
    if depth > JSON_DEPTH {
        return Err(invalid(
            field,
            at,
            &format!("nested more than {JSON_DEPTH} levels deep"),
        ));
    }
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            Ok(Value::from(i))
        } else if let Ok(u) = value.extract::<u64>() {
            Ok(Value::from(u))
        } else {
            Err(invalid(
                field,
                repr_text(value),
                &format!("at {at}: an integer must fit in 64 bits"),
            ))
        }
    } else if let Ok(f) = value.cast::<PyFloat>() {
        Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                invalid(
                    field,
                    repr_text(value),
                    &format!("at {at}: a number must be finite"),
                )
            })
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Value::String(str_value(field, s)?.into_owned()))
    } else if json == Json::Input && value.is_instance_of::<PyDate>() {
        Ok(Value::String(value.call_method0("isoformat")?.extract()?))
    } else if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid(
                    field,
                    repr_text(&key),
                    &format!("at {at}: a key must be text"),
                ));
            };
            let key = str_value(field, key)?.into_owned();
            let item = to_json(field, &item, &format!("{at}[{key:?}]"), depth + 1, json)?;
            map.insert(key, item);
        }
        Ok(Value::Object(map))
    } else if value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || (json == Json::Input
            && !value.is_instance_of::<PyBytes>()
            && !value.is_instance_of::<PyByteArray>()
            && value.hasattr("__iter__")?)
    {
        let mut out = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            out.push(to_json(
                field,
                &item?,
                &format!("{at}[{i}]"),
                depth + 1,
                json,
            )?);
        }
        Ok(Value::Array(out))
    } else {
        let kind = value.get_type().name()?;
        Err(invalid(
            field,
            repr_text(value),
            &format!("at {at}: a {kind} is not JSON (expected a {KINDS})"),
        ))
    }
}

/// A batch argument (`entries`, `actions`, `units`, `visits`) as the JSON array text the
/// core reads: text is taken as it is, any other iterable made into an array whose items
/// `item` converts (given the item and its place, `units[3]`). An item that cannot be
/// converted is named by its place as the core names it (`unit 3 of the batch`).
pub(crate) fn batch_json(
    py: Python<'_>,
    (field, what): (&'static str, &str),
    value: &Bound<'_, PyAny>,
    item: impl Fn(&Bound<'_, PyAny>, &str) -> PyResult<Value>,
) -> PyResult<String> {
    if let Some(whole) = batch_whole(field, value)? {
        return Ok(whole);
    }
    let mut items = Vec::new();
    for (i, one) in value.try_iter()?.enumerate() {
        items.push(item(&one?, &format!("{field}[{i}]")).map_err(|e| in_batch(py, &e, what, i))?);
    }
    Ok(Value::Array(items).to_string())
}

/// A batch whose items [`item_json`] converts (with `order` and `days` as there), as
/// [`batch_json`] makes it; but an item whose values are all text or `None` (under keys
/// that are not `days`) is written into the array's text as it is, with no JSON tree
/// between: most items of a batch are such, and for the national tree's 665,276 units
/// the trees took more time than all the rest of the conversion.
pub(crate) fn batch_items_json(
    py: Python<'_>,
    (field, what): (&'static str, &str),
    value: &Bound<'_, PyAny>,
    (order, days): (&[&str], &[&str]),
) -> PyResult<String> {
    if let Some(whole) = batch_whole(field, value)? {
        return Ok(whole);
    }
    let mut out = vec![b'['];
    for (i, one) in value.try_iter()?.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let one = one?;
        let written = plain_item_into(&mut out, field, &one, order, days).and_then(|written| {
            if !written {
                let item = item_json(field, &one, &format!("{field}[{i}]"), order, days)?;
                write_json(&mut out, field, &item)?;
            }
            Ok(())
        });
        written.map_err(|e| in_batch(py, &e, what, i))?;
    }
    out.push(b']');
    String::from_utf8(out).map_err(|e| invalid(field, "", &e.to_string()))
}

/// A batch given whole: text as it is, or a dict (one item, for the core to refuse as
/// not an array) as its JSON; `None` for an iterable of items.
fn batch_whole(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Some(str_value(field, text)?.into_owned()));
    }
    if value.is_instance_of::<PyDict>() {
        return Ok(Some(input_json(field, value)?.to_string()));
    }
    Ok(None)
}

/// Error `e` of item `i` of a batch, named as the core names it (`unit 3 of the batch`).
fn in_batch(py: Python<'_>, e: &PyErr, what: &str, i: usize) -> PyErr {
    let message = format!("{} ({what} {i} of the batch)", e.value(py));
    PyErr::from_type(e.get_type(py), message)
}

/// Appends `value` to `out` as JSON.
fn write_json<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    field: &'static str,
    value: &T,
) -> PyResult<()> {
    serde_json::to_writer(out, value).map_err(|e| invalid(field, "", &e.to_string()))
}

/// Writes `item` into `out` as the object [`item_json`] makes of it, if it is a tuple or
/// list of at most `order.len()` values, or a dict with text keys, whose values are all
/// text or `None` under keys that are not `days`; gives whether it did (nothing is written
/// otherwise). Text is read as `item_json` reads it, so a lone surrogate is refused alike.
fn plain_item_into(
    out: &mut Vec<u8>,
    field: &'static str,
    item: &Bound<'_, PyAny>,
    order: &[&str],
    days: &[&str],
) -> PyResult<bool> {
    // The item's keys (a dict's, or `order`'s for a tuple) and values.
    let mut keys: Vec<Bound<'_, PyAny>> = Vec::new();
    let mut values: Vec<Bound<'_, PyAny>> = Vec::with_capacity(order.len());
    if let Ok(dict) = item.cast::<PyDict>() {
        for (key, v) in dict.iter() {
            keys.push(key);
            values.push(v);
        }
    } else if (item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>())
        && item.len()? <= order.len()
    {
        for v in item.try_iter()? {
            values.push(v?);
        }
    } else {
        return Ok(false);
    }
    let mut texts: Vec<(Cow<'_, str>, Option<Cow<'_, str>>)> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let key = match keys.get(i) {
            Some(key) => {
                let Ok(key) = key.cast::<PyString>() else {
                    return Ok(false);
                };
                str_value(field, key)?
            }
            None => Cow::Borrowed(order[i]),
        };
        if days.contains(&&*key) || !(v.is_none() || v.is_instance_of::<PyString>()) {
            return Ok(false);
        }
        let v = match v.cast::<PyString>() {
            Ok(text) => Some(str_value(field, text)?),
            Err(_) => None,
        };
        texts.push((key, v));
    }
    out.push(b'{');
    for (n, (key, v)) in texts.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_json(out, field, &**key)?;
        out.push(b':');
        match v {
            Some(text) => write_json(out, field, &**text)?,
            None => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
    Ok(true)
}

/// The keys of a batch item that hold a unit code.
const UNIT_KEYS: [&str; 3] = ["code", "parent", "unit"];

/// One item of a batch that Python may also give as a tuple: a tuple (or list) of at most
/// `order.len()` values becomes the object of those keys in that order; in a dict or
/// tuple, the values of `days` keys go through [`day_json`], and a number under `code`,
/// `parent` or `unit` is a unit code (see [`Code`]). Anything else is converted
/// as it is, for the core to refuse.
pub(crate) fn item_json(
    field: &'static str,
    item: &Bound<'_, PyAny>,
    at: &str,
    order: &[&str],
    days: &[&str],
) -> PyResult<Value> {
    let value = |key: &str, v: &Bound<'_, PyAny>| {
        if days.contains(&key) {
            day_json(field, v)
        } else if let Ok(text) = v.cast::<PyString>() {
            // Text is taken as it is (as `to_json` takes it), without spelling out the
            // item's path for a refusal that cannot come: most values of a batch are text.
            Ok(Value::String(str_value(field, text)?.into_owned()))
        } else if UNIT_KEYS.contains(&key) && !v.is_none() {
            // A unit code given as a number is its digits, as for a `unit` argument.
            match v.extract::<Code<'_>>() {
                Ok(code) => Ok(Value::String(code.0.into_owned())),
                Err(_) => to_json(field, v, &format!("{at}[{key:?}]"), 1, Json::Input),
            }
        } else {
            to_json(field, v, &format!("{at}[{key:?}]"), 1, Json::Input)
        }
    };
    let mut map = Map::new();
    if let Ok(dict) = item.cast::<PyDict>() {
        for (key, v) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return to_json(field, item, at, 0, Json::Input);
            };
            let key = str_value(field, key)?;
            map.insert(key.to_string(), value(&key, &v)?);
        }
    } else if (item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>())
        && item.len()? <= order.len()
    {
        for (key, v) in order.iter().zip(item.try_iter()?) {
            map.insert((*key).to_owned(), value(key, &v?)?);
        }
    } else {
        return to_json(field, item, at, 0, Json::Input);
    }
    Ok(Value::Object(map))
}

/// Keyword arguments as the JSON object the core reads; `None` values are left out, as
/// the core's shapes read an absent key.
pub(crate) fn object_json(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> String {
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    Value::Object(map).to_string()
}

/// A rule set argument (`rules`): JSON text passed on as it is, or dicts and lists turned
/// into JSON text for the core to read.
pub(crate) fn json_text_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(str_value(field, text)?.into_owned()),
        Err(_) => Ok(json_arg(field, value)?.to_string()),
    }
}
