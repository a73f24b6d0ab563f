//! The input shapes and defaults the binding still reads itself, kept together until the
//! core reads them: the keys of a batch item, the items of `add_units` and
//! `record_visits`, whole-number arguments the core takes unsigned, and the JSON of a
//! `TimeLimit`. Each helper names the core shape it copies, so it can be replaced by that
//! shape's own reader.
//!
//! The defaults of `add_household` (`kind="registered"`), `add_resident`
//! (`relation="head"`), `register` (`source="visit"`) and `circular` (`min_sample=5`) stay
//! in the pyo3 signatures: Python shows a signature's defaults only when they are
//! literals, and `tests/test_stubs.py` checks them against the stub.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use serde_json::{Map, Value, json};
use wangge::{NewUnit, NewVisit, TimeLimit};

use crate::convert::{date_arg, json_arg, moment_text_arg, opt_date_arg, repr_text};
use crate::errors::{invalid, py_result};

/// A whole-number argument the core takes unsigned (`limit`, `min_sample`, `days`); a
/// value out of its range raises `InvalidInput` naming `field` with `reason`.
pub(crate) fn count_arg<T: TryFrom<i64>>(
    field: &'static str,
    value: i64,
    reason: &str,
) -> PyResult<T> {
    T::try_from(value).map_err(|_| invalid(field, value.to_string(), reason))
}

/// What the core says of an extension out of range (`Store.extend`'s `days`).
pub(crate) const EXTENSION_DAYS: &str = "an extension is 1 to 365 working days";

/// A time limit as JSON: `{"working_days": n}` or `{"hours": n}`, as `Entry.to_json()`
/// writes it.
pub(crate) fn limit_json(limit: TimeLimit) -> Value {
    match limit {
        TimeLimit::WorkingDays(n) => json!({"working_days": n}),
        TimeLimit::Hours(n) => json!({"hours": n}),
    }
}

/// How a batch argument given as dicts is read: the argument's name, what one item is,
/// the keys the core reads, and the key whose value may be a `datetime`.
pub(crate) struct BatchShape {
    argument: &'static str,
    item: &'static str,
    keys: &'static [&'static str],
    moment_key: &'static str,
}

/// The entries given to `register_entries`, as `NewEntry::from_json` reads them.
pub(crate) const NEW_ENTRIES: BatchShape = BatchShape {
    argument: "entries",
    item: "entry",
    keys: &[
        "unit",
        "category",
        "summary",
        "reported_at",
        "household_id",
        "resident_id",
        "source",
        "urgent",
        "finding_id",
    ],
    moment_key: "reported_at",
};

/// The actions given to `work_entries`, as `EntryAction::from_json` reads them.
pub(crate) const ENTRY_ACTIONS: BatchShape = BatchShape {
    argument: "actions",
    item: "action",
    keys: &[
        "entry_id",
        "action",
        "at",
        "staff_id",
        "note",
        "to",
        "days",
        "satisfied",
    ],
    moment_key: "at",
};

impl BatchShape {
    /// One item of a batch as a JSON object: its moment may be a `datetime` (naive ones
    /// being local times), every other value plain JSON. Unknown keys are left for the
    /// core to refuse by name.
    fn item_json(&self, item: &Bound<'_, PyAny>) -> PyResult<Value> {
        let Ok(dict) = item.cast::<PyDict>() else {
            return Err(invalid(
                self.argument,
                repr_text(item),
                &format!(
                    "each {} is a dict with the keys {}",
                    self.item,
                    self.keys.join(", ")
                ),
            ));
        };
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid(
                    self.argument,
                    repr_text(&key),
                    "a key must be text",
                ));
            };
            let key = key.to_str()?.to_owned();
            let value = if key == self.moment_key && !value.is_none() {
                Value::String(moment_text_arg(self.moment_key, &value)?)
            } else {
                json_arg(self.argument, &value)?
            };
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }

    /// The batch as the JSON text the core reads: text is taken as it is, an iterable of
    /// dicts made into an array, a refused item named by its place the way the core names
    /// it (`entry 3 of the batch`).
    pub(crate) fn json(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<String> {
        if let Ok(text) = batch.cast::<PyString>() {
            return Ok(text.to_str()?.to_owned());
        }
        let mut items = Vec::new();
        for (index, item) in batch.try_iter()?.enumerate() {
            items.push(self.item_json(&item?).map_err(|e| {
                let message = format!("{} ({} {index} of the batch)", e.value(py), self.item);
                PyErr::from_type(e.get_type(py), message)
            })?);
        }
        Ok(Value::Array(items).to_string())
    }
}

/// The fields of a unit given to `add_units`, in the order a tuple gives them.
const UNIT_FIELDS: [&str; 5] = ["code", "name", "level", "parent", "start"];

/// The `units` of `add_units`, in order.
pub(crate) fn new_units_arg(units: &Bound<'_, PyAny>) -> PyResult<Vec<NewUnit>> {
    let mut batch = Vec::new();
    for (index, item) in units.try_iter()?.enumerate() {
        batch.push(new_unit_arg(index, &item?)?);
    }
    Ok(batch)
}

/// One item of `add_units`: a dict with the keys `code, name, level` and optionally
/// `parent, start`, or a tuple (or list) of those values in that order.
fn new_unit_arg(index: usize, item: &Bound<'_, PyAny>) -> PyResult<NewUnit> {
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

/// The keys of a visit given to `record_visits` as a dict, as `NewVisit` holds them.
const VISIT_KEYS: [&str; 5] = ["household_id", "staff_id", "channel", "on", "note"];

/// The `visits` of `record_visits`, in order; a refused one is named by its place.
pub(crate) fn new_visits_arg(py: Python<'_>, visits: &Bound<'_, PyAny>) -> PyResult<Vec<NewVisit>> {
    let mut batch = Vec::new();
    for (i, item) in visits.try_iter()?.enumerate() {
        batch.push(new_visit(&item?).map_err(|e| {
            let message = format!("{e} (visit {i} of the batch)");
            PyErr::from_type(e.get_type(py), message)
        })?);
    }
    Ok(batch)
}

/// One visit of `record_visits`, from a dict or a tuple, as the core's `NewVisit`.
fn new_visit(item: &Bound<'_, PyAny>) -> PyResult<NewVisit> {
    let text = |value: Option<Bound<'_, PyAny>>, field: &'static str| -> PyResult<String> {
        match value {
            Some(v) if !v.is_none() => v
                .extract::<String>()
                .map_err(|_| invalid(field, v.to_string(), "expected text")),
            _ => Err(invalid(field, "", "required")),
        }
    };
    let (household, staff, channel, on, note) = if let Ok(dict) = item.cast::<PyDict>() {
        for key in dict.keys() {
            let key: String = key.extract()?;
            if !VISIT_KEYS.contains(&key.as_str()) {
                return Err(invalid(
                    "visit",
                    key,
                    "unknown key (expected household_id, staff_id, channel, on, note)",
                ));
            }
        }
        (
            dict.get_item("household_id")?,
            dict.get_item("staff_id")?,
            dict.get_item("channel")?,
            dict.get_item("on")?,
            dict.get_item("note")?,
        )
    } else if let Ok(tuple) = item.cast::<PyTuple>()
        && (4..=5).contains(&tuple.len())
    {
        (
            Some(tuple.get_item(0)?),
            Some(tuple.get_item(1)?),
            Some(tuple.get_item(2)?),
            Some(tuple.get_item(3)?),
            tuple.get_item(4).ok(),
        )
    } else {
        return Err(invalid(
            "visit",
            item.to_string(),
            "a visit is a dict or a tuple (household_id, staff_id, channel, on[, note])",
        ));
    };
    let on = match on {
        Some(v) if !v.is_none() => date_arg("on", &v)?,
        _ => return Err(invalid("on", "", "required")),
    };
    Ok(NewVisit {
        household_id: text(household, "household_id")?,
        staff_id: text(staff, "staff_id")?,
        channel: py_result(wangge::Channel::parse(&text(channel, "channel")?))?,
        on,
        note: match note {
            Some(v) if !v.is_none() => text(Some(v), "note")?,
            _ => String::new(),
        },
    })
}
