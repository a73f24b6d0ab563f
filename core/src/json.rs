//! How JSON input is read, the same way for every shape: objects with unknown keys
//! refused, an array where an object is meant (or the reverse) refused naming the field,
//! dates and times given as ISO text read by [`crate::date`], and no message showing more
//! than [`crate::text::ECHO_MAX`] characters of what was given.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::levels::{Level, Levels};
use crate::store::StoreOptions;
use crate::units::NewUnit;

/// What a message shows of a JSON text that holds personal data (ID numbers, phones).
const WITHHELD: &str = "(withheld: it holds personal data)";

/// The longest part of a JSON parser's message kept.
const PARSER_MESSAGE_MAX: usize = crate::text::ECHO_MAX;

/// How much of a refused object a message shows beside the parser's message, and how much
/// of each name the parser quotes (a key the caller gave): together under
/// [`crate::text::ECHO_MAX`].
const OBJECT_SHOWN_MAX: usize = 150;
const QUOTED_MAX: usize = 40;

/// What a refused JSON value was, for messages: `an array`, `an object`, ...
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A refusal of text that is not JSON; the parser's message names where, not what.
fn not_json(field: &'static str, shown: &str, e: &serde_json::Error) -> Error {
    Error::invalid(field, shown, format!("not JSON: {e}"))
}

/// The parser's refusal of a value, each name it quotes (`` `key` ``) cut to [`QUOTED_MAX`]
/// characters and the whole to [`PARSER_MESSAGE_MAX`].
fn parser_message(e: &serde_json::Error) -> String {
    let message = e
        .to_string()
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                crate::text::clip_to(part, QUOTED_MAX)
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("`");
    match message.char_indices().nth(PARSER_MESSAGE_MAX) {
        None => message,
        Some((cut, _)) => format!("{}…", &message[..cut]),
    }
}

/// Reads `json`, the argument `field`, as one object of shape `T` (a serde struct with
/// `deny_unknown_fields`). Text that is not JSON, or JSON other than an object, or a
/// refused key or value, is `InvalidInput` naming `field`; `private` keeps the text out
/// of the message.
pub(crate) fn object<T: DeserializeOwned>(
    json: &str,
    field: &'static str,
    private: bool,
) -> Result<T> {
    object_value(&value(json, field, private)?, field, private)
}

/// Reads `json`, the argument `field`, as any JSON value; text that is not JSON is
/// `InvalidInput` naming `field` (`private` keeps the text out of the message).
pub(crate) fn value(json: &str, field: &'static str, private: bool) -> Result<Value> {
    let shown = if private { WITHHELD } else { json };
    serde_json::from_str(json).map_err(|e| not_json(field, shown, &e))
}

/// A refusal of `field`'s value, which is not shown since it holds personal data.
pub(crate) fn withheld(field: &'static str, reason: impl Into<String>) -> Error {
    Error::invalid(field, WITHHELD, reason)
}

/// As [`object`], from a value already read (a batch's items are read in place).
pub(crate) fn object_value<T: DeserializeOwned>(
    value: &Value,
    field: &'static str,
    private: bool,
) -> Result<T> {
    if !value.is_object() {
        let shown = if private {
            WITHHELD.to_owned()
        } else {
            value.to_string()
        };
        return Err(Error::invalid(
            field,
            shown,
            format!("expected a JSON object, not {}", kind_of(value)),
        ));
    }
    // What a refusal shows is written only for a refusal: a batch of a million good
    // items would otherwise write each back out as text.
    T::deserialize(value).map_err(|e| {
        let shown = if private {
            WITHHELD.to_owned()
        } else {
            crate::text::clip_to(&value.to_string(), OBJECT_SHOWN_MAX)
        };
        Error::invalid(field, shown, parser_message(&e))
    })
}

/// A JSON object of shape `T`, and only an object: a derived serde struct also takes an
/// array of its fields' values, which no input of the library is.
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Only<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Object<T>, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        deserializer.deserialize_map(Only(std::marker::PhantomData))
    }
}

/// Reads `json`, the argument `field`, as an array whose items `item` reads; a refused
/// item is named by its place (`unit 3 of the batch`, counted from 0). An object where the
/// array is meant is `InvalidInput` naming `field`.
pub(crate) fn array_of<T>(
    json: &str,
    field: &'static str,
    what: &str,
    item: impl Fn(&Value) -> Result<T>,
) -> Result<Vec<T>> {
    let value: Value = serde_json::from_str(json).map_err(|e| not_json(field, json, &e))?;
    array_value(&value, field, what, item)
}

/// As [`array_of`], from a value already read.
pub(crate) fn array_value<T>(
    value: &Value,
    field: &'static str,
    what: &str,
    item: impl Fn(&Value) -> Result<T>,
) -> Result<Vec<T>> {
    let Some(items) = value.as_array() else {
        return Err(Error::invalid(
            field,
            value.to_string(),
            format!(
                "expected a JSON array, one {what} an item, not {}",
                kind_of(value)
            ),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| item(v).map_err(|e| e.context(&format!("{what} {i} of the batch"))))
        .collect()
}

/// An optional date given as ISO text `YYYY-MM-DD`, named `field` when it is wrong.
pub(crate) fn opt_date(field: &'static str, text: Option<&str>) -> Result<Option<Date>> {
    text.map(|t| date::parse_date(field, t)).transpose()
}

/// A JSON object's fields (a rule, a visit), checked against the keys it may have.
pub(crate) struct Fields<'v> {
    object: &'v serde_json::Map<String, Value>,
}

impl<'v> Fields<'v> {
    /// `value` as an object with only `keys`; errors name `what` (`rule`, `visit`).
    pub(crate) fn of(value: &'v Value, what: &'static str, keys: &[&str]) -> Result<Self> {
        let Some(object) = value.as_object() else {
            return Err(Error::invalid(
                what,
                value.to_string(),
                format!(
                    "expected a JSON object for the {what}, not {}",
                    kind_of(value)
                ),
            ));
        };
        if let Some(key) = object.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(Error::invalid(
                what,
                key.clone(),
                format!("unknown key (expected {})", keys.join(", ")),
            ));
        }
        Ok(Fields { object })
    }

    /// The object itself, for fields of other shapes.
    pub(crate) fn object(&self) -> &'v serde_json::Map<String, Value> {
        self.object
    }

    /// A text field, `None` when absent or null.
    pub(crate) fn text(&self, field: &'static str) -> Result<Option<&'v str>> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(Error::invalid(field, other.to_string(), "expected text")),
        }
    }

    /// A required text field.
    pub(crate) fn required(&self, field: &'static str) -> Result<&'v str> {
        self.text(field)?
            .ok_or_else(|| Error::invalid(field, "", "required"))
    }

    /// A whole number in `range`, `default` when absent.
    pub(crate) fn count(
        &self,
        field: &'static str,
        range: std::ops::RangeInclusive<u64>,
        default: Option<u32>,
    ) -> Result<u32> {
        match (self.object.get(field), default) {
            (None, Some(d)) => Ok(d),
            (None, None) => Err(Error::invalid(field, "", "required")),
            (Some(v), _) => v
                .as_u64()
                .filter(|n| range.contains(n))
                .map(|n| n as u32)
                .ok_or_else(|| {
                    Error::invalid(
                        field,
                        v.to_string(),
                        format!("a whole number, {} to {}", range.start(), range.end()),
                    )
                }),
        }
    }

    /// The rule's name, `default` when absent; 1 to 64 characters.
    pub(crate) fn name(&self, default: impl FnOnce() -> String) -> Result<String> {
        let name = self.text("name")?.map_or_else(default, str::to_owned);
        crate::text::check_len("name", &name, 1, 64)?;
        Ok(name)
    }
}

/// Reads an ID number or phone given in JSON: text, or null or absent for none. Any other
/// value is refused without showing it, since it is personal data.
pub(crate) fn private_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    use serde::Deserialize as _;
    use serde::de::Error as _;
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(D::Error::custom(
            "ID numbers and phones are given as JSON strings",
        )),
    }
}

/// A list of tags given as one `;`-separated text or as an array of texts.
#[derive(serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum TagList {
    Text(String),
    List(Vec<String>),
}

impl TagList {
    /// The tags as one `;`-separated text.
    pub(crate) fn joined(self) -> String {
        match self {
            TagList::Text(text) => text,
            TagList::List(tags) => tags.join(";"),
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitShape {
    code: String,
    name: String,
    level: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    start: Option<String>,
}

impl NewUnit {
    fn from_value(value: &Value) -> Result<NewUnit> {
        NewUnit::from_shape(object_value(value, "unit", false)?)
    }

    fn from_shape(shape: UnitShape) -> Result<NewUnit> {
        Ok(NewUnit {
            start: opt_date("start", shape.start.as_deref())?,
            code: shape.code,
            name: shape.name,
            level: shape.level,
            parent: shape.parent,
        })
    }

    /// Reads a unit from a JSON object `{"code": text, "name": text, "level": text,
    /// "parent": text|null, "start": "YYYY-MM-DD"|null}` (`parent` absent or null for a
    /// root, `start` for "always"). A bad date is `InvalidInput` naming `start`; an
    /// unknown key, a missing one or another shape names `unit`.
    pub fn from_json(json: &str) -> Result<NewUnit> {
        NewUnit::from_value(&value(json, "unit", false)?)
    }

    /// The keys of a unit's object, in the order a binding takes a unit's values given by
    /// position (a Python tuple): code, name, level, parent, start.
    pub const KEYS: [&'static str; 5] = ["code", "name", "level", "parent", "start"];

    /// The unit [`NewUnit::from_json`] reads from an object whose members are `fields`,
    /// each a key and a text or null (`None`); `None` for any other: an unknown key, a
    /// code, name or level missing or null, or a start that is not a date. For a
    /// binding's batch of plain records (a Python dict or tuple of texts), read without
    /// writing them out as JSON; a record this refuses is read through
    /// [`NewUnit::list_from_json`], which names its problem.
    pub fn from_texts<K: AsRef<str>>(
        fields: impl IntoIterator<Item = (K, Option<String>)>,
    ) -> Option<NewUnit> {
        // A key given twice takes its last value, as in a JSON object.
        let mut given: [Option<Option<String>>; 5] = Default::default();
        for (key, value) in fields {
            let key = key.as_ref();
            given[NewUnit::KEYS.iter().position(|k| *k == key)?] = Some(value);
        }
        let [code, name, level, parent, start] = given.map(Option::flatten);
        let start = match start {
            Some(day) => Some(date::parse_date("start", &day).ok()?),
            None => None,
        };
        Some(NewUnit {
            code: code?,
            name: name?,
            level: level?,
            parent,
            start,
        })
    }

    /// Reads units from a JSON array of objects in the shape of [`NewUnit::from_json`], a
    /// refusal naming the unit's place (`unit 3 of the batch`); another shape is
    /// `InvalidInput` naming `units`.
    pub fn list_from_json(json: &str) -> Result<Vec<NewUnit>> {
        // A batch whose every item has the shape is read in one pass, without a JSON
        // tree; any other is read again item by item, so that its refusal names the item.
        if let Ok(shapes) = serde_json::from_str::<Vec<Object<UnitShape>>>(json) {
            return shapes
                .into_iter()
                .enumerate()
                .map(|(i, shape)| {
                    NewUnit::from_shape(shape.0)
                        .map_err(|e| e.context(&format!("unit {i} of the batch")))
                })
                .collect();
        }
        array_of(json, "units", "unit", NewUnit::from_value)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreShape {
    #[serde(default)]
    levels: Option<Vec<(String, Option<i64>)>>,
    #[serde(default)]
    actor: Option<String>,
    #[serde(default)]
    utc_offset_minutes: Option<i32>,
    #[serde(default)]
    read_only: Option<bool>,
    #[serde(default)]
    key_hex: Option<String>,
    #[serde(default)]
    busy_timeout_ms: Option<i64>,
    #[serde(default)]
    language: Option<String>,
}

impl StoreOptions {
    /// Reads options from a JSON object `{"levels": [[name, code_length|null], ...]|null,
    /// "actor": text|null, "utc_offset_minutes": int|null, "read_only": bool|null,
    /// "key_hex": text|null, "busy_timeout_ms": int|null, "language": "en"|"zh"|null}`,
    /// every key optional:
    /// `levels` root first, a null length for free-form codes (default county, township,
    /// community, grid, building; only used when the store is created); `actor` who
    /// writes through the handle (default `system`); `utc_offset_minutes` the
    /// deployment's offset (default 480); `read_only` opens without migrating and refuses
    /// writes (default false); `key_hex` the deployment key (16 to 64 bytes) in hex
    /// ([`StoreOptions::key`]); `busy_timeout_ms` how long a write waits for another
    /// connection's lock ([`StoreOptions::busy_timeout_ms`]); `language` the language of
    /// error messages ([`StoreOptions::language`], default `en`). A bad level is `InvalidInput` naming `levels`, a key
    /// that is not hex or of another length names `key_hex` (the message never shows
    /// it); an unknown key or another shape names `options`.
    pub fn from_json(json: &str) -> Result<StoreOptions> {
        // Options that may hold a key are never echoed.
        let shape: StoreShape = object(json, "options", json.contains("key_hex"))?;
        let key = shape
            .key_hex
            .map(|hex| crate::store::key_from_hex(&zeroize::Zeroizing::new(hex)))
            .transpose()?;
        let levels = shape
            .levels
            .map(|levels| {
                let levels = levels
                    .into_iter()
                    .map(|(name, len)| {
                        let code_len = len
                            .map(|n| {
                                usize::try_from(n).map_err(|_| {
                                    Error::invalid(
                                        "levels",
                                        format!("{name}={n}"),
                                        "a code length is a positive number",
                                    )
                                })
                            })
                            .transpose()?;
                        Ok(Level { name, code_len })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Levels::new(levels)
            })
            .transpose()?;
        Ok(StoreOptions {
            levels,
            utc_offset_minutes: shape.utc_offset_minutes,
            actor: shape.actor,
            read_only: shape.read_only.unwrap_or(false),
            key,
            busy_timeout_ms: shape
                .busy_timeout_ms
                .map(crate::store::busy_timeout_from)
                .transpose()?,
            language: shape
                .language
                .as_deref()
                .map(crate::Language::parse)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}
