//! Python arguments turned into core values, before any database work starts.
//!
//! Every conversion that fails raises `wangge.InvalidInput` naming the argument and the
//! value, exactly as the core does for the arguments it checks itself.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use wangge::{Date, Level, Levels};

use crate::errors::{invalid, py_result};

/// The Python `repr()` of a value, for messages (falls back to its type's name).
pub(crate) fn repr_text(value: &Bound<'_, PyAny>) -> String {
    value.repr().map_or_else(
        |_| format!("<{}>", value.get_type()),
        |r| r.to_string_lossy().into_owned(),
    )
}

/// A date argument: a `datetime.date`, a `datetime.datetime` (its date is taken as given)
/// or ISO text `YYYY-MM-DD`.
pub(crate) fn date_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Date> {
    if let Ok(text) = value.cast::<PyString>() {
        return py_result(wangge::date::parse_date(field, &text.to_string_lossy()));
    }
    if value.is_instance_of::<PyDate>() {
        return value.extract::<Date>();
    }
    Err(invalid(
        field,
        repr_text(value),
        "expected a datetime.date, a datetime.datetime or text YYYY-MM-DD",
    ))
}

/// An optional date argument; `None` stays `None`.
pub(crate) fn opt_date_arg(
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Date>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| date_arg(field, v))
        .transpose()
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
        return Ok(Some(text.to_str()?.to_owned()));
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

/// A required moment argument (`at`) as text for `Store::parse_moment`: text passed on as
/// it is (RFC 3339, or a local time without an offset), or a `datetime.datetime`, aware or
/// naive (a naive one is a local time in the deployment's time zone). A bare
/// `datetime.date` is refused: a moment needs its time of day.
pub(crate) fn moment_text_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_str()?.to_owned());
    }
    if value.is_instance_of::<PyDateTime>() {
        return value.call_method0("isoformat")?.extract();
    }
    Err(invalid(
        field,
        repr_text(value),
        "expected a datetime.datetime or ISO text YYYY-MM-DDTHH:MM[:SS][+08:00]",
    ))
}

/// An optional moment argument as text for `Store::parse_moment`; `None` stays `None`.
pub(crate) fn opt_moment_text_arg(
    field: &'static str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| moment_text_arg(field, v))
        .transpose()
}

/// The `levels` argument of `Store`: an iterable of `(name, code length or None)` pairs,
/// root level first.
pub(crate) fn levels_arg(value: &Bound<'_, PyAny>) -> PyResult<Levels> {
    const PAIR: &str = "each level is a (name, code length or None) pair";
    if value.is_instance_of::<PyString>() {
        return Err(invalid("levels", repr_text(value), PAIR));
    }
    let mut levels = Vec::new();
    for item in value.try_iter()? {
        let item = item?;
        let (name, len): (String, Option<i64>) = item
            .extract()
            .map_err(|_| invalid("levels", repr_text(&item), PAIR))?;
        let code_len = len
            .map(|n| {
                usize::try_from(n).map_err(|_| {
                    invalid(
                        "levels",
                        format!("{name}={n}"),
                        "a code length is a positive number",
                    )
                })
            })
            .transpose()?;
        levels.push(Level { name, code_len });
    }
    py_result(Levels::new(levels))
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

/// A JSON argument (`content`): dicts with text keys, lists and tuples, text, int, finite
/// float, bool and `None`, nested at most 64 deep.
pub(crate) fn json_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(field, value, field, 0)
}

/// One value of a JSON argument; `at` says where it sits, for messages.
fn to_json(
    field: &'static str,
    value: &Bound<'_, PyAny>,
    at: &str,
    depth: usize,
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
        Ok(Value::String(s.to_str()?.to_owned()))
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
            let key = key.to_str()?.to_owned();
            let item = to_json(field, &item, &format!("{at}[{key:?}]"), depth + 1)?;
            map.insert(key, item);
        }
        Ok(Value::Object(map))
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            items.push(to_json(field, &item?, &format!("{at}[{i}]"), depth + 1)?);
        }
        Ok(Value::Array(items))
    } else {
        let kind = value.get_type().name()?;
        Err(invalid(
            field,
            repr_text(value),
            &format!("at {at}: a {kind} is not JSON (expected a {KINDS})"),
        ))
    }
}

/// A rule set argument (`rules`): JSON text passed on as it is, or dicts and lists turned
/// into JSON text for the core to read.
pub(crate) fn json_text_arg(field: &'static str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(text.to_str()?.to_owned()),
        Err(_) => Ok(to_json(field, value, field, 0)?.to_string()),
    }
}
