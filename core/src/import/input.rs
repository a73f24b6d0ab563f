//! The import's options and rows read from JSON.

use serde::Deserialize;
use serde_json::Value;

use super::{ImportMode, ImportOptions, ImportRow};
use crate::error::{Error, Result};
use crate::json::{self, TagList, private_text};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsShape {
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    columns: Option<Value>,
    #[serde(default)]
    header_row: Option<Value>,
}

impl ImportOptions {
    /// Reads options from a JSON object `{"mode": "all_or_nothing"|"skip_invalid"|null,
    /// "on": "YYYY-MM-DD"|null, "encoding": "utf-8"|"gbk"|"gb18030"|null, "columns":
    /// {"their header": "field"}|null, "header_row": 1..|null}`, every key optional
    /// (defaults: all or nothing, today, detected, none, found). A bad value is
    /// `InvalidInput` naming its key; an unknown key or another shape names `options`.
    pub fn from_json(json: &str) -> Result<ImportOptions> {
        let shape: OptionsShape = json::object(json, "options", false)?;
        Ok(ImportOptions {
            mode: shape
                .mode
                .as_deref()
                .map(ImportMode::parse)
                .transpose()?
                .unwrap_or_default(),
            on: json::opt_date("on", shape.on.as_deref())?,
            encoding: shape.encoding,
            columns: columns(shape.columns)?,
            header_row: header_row(shape.header_row)?,
        })
    }
}

/// The `columns` option: an object from a source's header to a column name, both text.
fn columns(value: Option<Value>) -> Result<Vec<(String, String)>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .into_iter()
            .map(|(theirs, ours)| match ours {
                Value::String(ours) => Ok((theirs, ours)),
                other => Err(Error::invalid(
                    "columns",
                    other.to_string(),
                    format!("the column {theirs:?} is mapped to no column name"),
                )),
            })
            .collect(),
        Some(other) => Err(Error::invalid(
            "columns",
            crate::text::clip_to(&other.to_string(), 200),
            "expected an object from a header to a column name",
        )),
    }
}

/// The `header_row` option: a row number from 1.
fn header_row(value: Option<Value>) -> Result<Option<usize>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n >= 1) => {
            Ok(n.as_u64().map(|n| n as usize))
        }
        Some(other) => Err(Error::invalid(
            "header_row",
            crate::text::clip_to(&other.to_string(), 200),
            "expected a row number, from 1",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowShape {
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    tags: Option<TagList>,
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "private_text")]
    id_number: Option<String>,
    #[serde(default, deserialize_with = "private_text")]
    phone: Option<String>,
    #[serde(default)]
    relation: Option<String>,
    #[serde(default)]
    hukou: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    resident_tags: Option<TagList>,
}

impl ImportRow {
    /// The keys of a row object, the CSV columns' English names.
    pub const KEYS: [&'static str; 12] = [
        "household_id",
        "unit",
        "address",
        "kind",
        "tags",
        "name",
        "id_number",
        "phone",
        "relation",
        "hukou",
        "employer",
        "resident_tags",
    ];

    fn from_value(value: &Value, line: usize) -> Result<ImportRow> {
        let row: RowShape = json::object_value(value, "rows", true)?;
        Ok(ImportRow {
            line,
            household_id: row.household_id,
            unit: row.unit,
            address: row.address,
            kind: row.kind,
            tags: row.tags.map(TagList::joined).unwrap_or_default(),
            name: row.name,
            id_number: row.id_number.unwrap_or_default(),
            phone: row.phone.unwrap_or_default(),
            relation: row.relation.unwrap_or_default(),
            hukou: row.hukou.unwrap_or_default(),
            employer: row.employer.unwrap_or_default(),
            resident_tags: row.resident_tags.map(TagList::joined).unwrap_or_default(),
        })
    }

    /// Reads one row, at `line`, from a JSON object whose keys are [`ImportRow::KEYS`]:
    /// values are text (null or absent: empty), `tags` and `resident_tags` may also be
    /// arrays of text. An unknown key, another shape or a value of the wrong type is
    /// `InvalidInput` naming `rows`; the text is never shown, since it holds ID numbers
    /// and phones.
    pub fn from_json(json: &str, line: usize) -> Result<ImportRow> {
        ImportRow::from_value(&json::value(json, "rows", true)?, line)
    }

    /// Reads rows from a JSON array of objects in the shape of [`ImportRow::from_json`];
    /// each row's `line` is its position, from 1.
    pub fn list_from_json(json: &str) -> Result<Vec<ImportRow>> {
        let Value::Array(items) = json::value(json, "rows", true)? else {
            return Err(json::withheld(
                "rows",
                "expected a JSON array of row objects",
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                ImportRow::from_value(v, i + 1).map_err(|e| e.context(&format!("row {}", i + 1)))
            })
            .collect()
    }
}
