//! Python arguments turned into core values, before any database work starts.
//!
//! Every conversion that fails raises `wangge.InvalidInput` naming the argument and the
//! value, exactly as the core does for the arguments it checks itself.

use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDict, PyString};
use wangge::{Date, Level, Levels, NewUnit};

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

/// The fields of a unit given to `add_units`, in the order a tuple gives them.
const UNIT_FIELDS: [&str; 5] = ["code", "name", "level", "parent", "start"];

/// One item of `add_units`: a dict with the keys `code, name, level` and optionally
/// `parent, start`, or a tuple (or list) of those values in that order.
pub(crate) fn new_unit_arg(index: usize, item: &Bound<'_, PyAny>) -> PyResult<NewUnit> {
    let refuse =
        |reason: String| invalid("units", repr_text(item), &format!("item {index}: {reason}"));
    let mut values: [Option<Bound<'_, PyAny>>; 5] = Default::default();
    if let Ok(dict) = item.cast::<PyDict>() {
        for (key, value) in dict.iter() {
            let key: String = key
                .extract()
                .map_err(|_| refuse(format!("key {} is not text", repr_text(&key))))?;
            let Some(slot) = UNIT_FIELDS.iter().position(|f| *f == key) else {
                return Err(refuse(format!(
                    "unknown key {key:?} (keys: {})",
                    UNIT_FIELDS.join(", ")
                )));
            };
            values[slot] = Some(value);
        }
    } else if !item.is_instance_of::<PyString>()
        && let Ok(seq) = item.extract::<Vec<Bound<'_, PyAny>>>()
    {
        if !(3..=UNIT_FIELDS.len()).contains(&seq.len()) {
            return Err(refuse(format!(
                "a tuple holds 3 to 5 values: {}",
                UNIT_FIELDS.join(", ")
            )));
        }
        for (slot, value) in seq.into_iter().enumerate() {
            values[slot] = Some(value);
        }
    } else {
        return Err(refuse(
            "expected a dict or a tuple (code, name, level, parent, start)".to_owned(),
        ));
    }
    let [code, name, level, parent, start] = values;
    let text = |field: &str, value: Option<Bound<'_, PyAny>>| -> PyResult<String> {
        let value = value.ok_or_else(|| refuse(format!("{field} is missing")))?;
        value
            .extract()
            .map_err(|_| refuse(format!("{field} must be text, not {}", repr_text(&value))))
    };
    let parent = match parent.filter(|p| !p.is_none()) {
        None => None,
        Some(p) => Some(text("parent", Some(p))?),
    };
    Ok(NewUnit {
        code: text("code", code)?,
        name: text("name", name)?,
        level: text("level", level)?,
        parent,
        start: opt_date_arg("start", start.as_ref())?,
    })
}
