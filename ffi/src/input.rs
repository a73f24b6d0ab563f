//! The JSON inputs of the C ABI, read into core types: one function per input shape
//! (see the "JSON shapes" section of the header), each refusing unknown keys. A bad text
//! is `WG_INVALID_INPUT` naming the parameter; texts that may hold ID numbers or phones
//! are not echoed.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::FfiError;

/// Parses `json` into `T`, naming `field` (and echoing the text when `echo`) on failure.
fn parse<'a, T: Deserialize<'a>>(field: &str, json: &'a str, echo: bool) -> Result<T, FfiError> {
    serde_json::from_str(json).map_err(|e| {
        if echo {
            FfiError::invalid(format!("invalid {field} {json:?}: {e}"))
        } else {
            FfiError::invalid(format!("invalid {field}: {e}"))
        }
    })
}

/// Reads an optional text with `parse`.
fn read<T>(
    text: Option<&str>,
    parse: impl FnOnce(&str) -> wangge::Result<T>,
) -> wangge::Result<Option<T>> {
    text.map(parse).transpose()
}

fn opt_date(field: &'static str, text: Option<&str>) -> wangge::Result<Option<wangge::Date>> {
    text.map(|d| wangge::date::parse_date(field, d)).transpose()
}

fn opt_moment(store: &wangge::Store, text: Option<&str>) -> wangge::Result<Option<wangge::Moment>> {
    text.map(|t| wangge::date::parse_moment("at", t, store.offset()))
        .transpose()
}

/// Reads an ID number or phone given in JSON: a string, or null or absent for none. Any
/// other value is refused without echoing it, since it is personal information.
fn private_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(D::Error::custom(
            "ID numbers and phones are given as JSON strings",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenOptions {
    levels: Option<Vec<(String, Option<usize>)>>,
    actor: Option<String>,
    utc_offset_minutes: Option<i32>,
}

/// The store options of `wg_store_open` (NULL: the defaults).
pub(crate) fn store_options(json: Option<&str>) -> Result<wangge::StoreOptions, FfiError> {
    let mut options = wangge::StoreOptions::default();
    let Some(json) = json else {
        return Ok(options);
    };
    let parsed: OpenOptions = parse("options_json", json, true)?;
    if let Some(levels) = parsed.levels {
        let levels = levels
            .into_iter()
            .map(|(name, code_len)| wangge::Level { name, code_len })
            .collect();
        options.levels = Some(wangge::Levels::new(levels)?);
    }
    options.actor = parsed.actor;
    options.utc_offset_minutes = parsed.utc_offset_minutes;
    Ok(options)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUnitJson {
    code: String,
    name: String,
    level: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    start: Option<String>,
}

/// The new units of `wg_units_add_json`.
pub(crate) fn new_units(json: &str) -> Result<Vec<wangge::NewUnit>, FfiError> {
    let parsed: Vec<NewUnitJson> = parse("units_json", json, false)?;
    let units = parsed
        .into_iter()
        .map(|u| {
            Ok(wangge::NewUnit {
                start: opt_date("start", u.start.as_deref())?,
                code: u.code,
                name: u.name,
                level: u.level,
                parent: u.parent,
            })
        })
        .collect::<wangge::Result<Vec<_>>>()?;
    Ok(units)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterJson {
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    household_class: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

/// The household filter of `wg_households` (NULL: none).
pub(crate) fn household_filter(json: Option<&str>) -> Result<wangge::HouseholdFilter, FfiError> {
    let Some(json) = json else {
        return Ok(wangge::HouseholdFilter::default());
    };
    let parsed: FilterJson = parse("filter_json", json, true)?;
    Ok(wangge::HouseholdFilter {
        as_of: opt_date("as_of", parsed.as_of.as_deref())?,
        household_class: read(
            parsed.household_class.as_deref(),
            wangge::HouseholdClass::parse,
        )?,
        tag: parsed.tag,
        kind: read(parsed.kind.as_deref(), wangge::HouseholdKind::parse)?,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewResidentJson {
    name: String,
    #[serde(default, deserialize_with = "private_text")]
    id_number: Option<String>,
    #[serde(default, deserialize_with = "private_text")]
    phone: Option<String>,
    #[serde(default)]
    hukou: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    relation: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The new resident of `wg_resident_add`; the text is not echoed.
pub(crate) fn new_resident(json: &str) -> Result<wangge::NewResident, FfiError> {
    let parsed: NewResidentJson = parse("resident_json", json, false)?;
    Ok(wangge::NewResident {
        name: parsed.name,
        id_number: parsed.id_number,
        phone: parsed.phone,
        hukou: parsed.hukou,
        employer: parsed.employer,
        relation: parsed.relation,
        tags: parsed.tags,
    })
}

/// The content of an archive section (`wg_archive_set`): any JSON value; not echoed.
pub(crate) fn archive_content(json: &str) -> Result<Value, FfiError> {
    parse("content_json", json, false)
}

/// A new entry (`wg_entry_register`).
pub(crate) fn new_entry(store: &wangge::Store, json: &str) -> Result<wangge::NewEntry, FfiError> {
    let value: Value = parse("entry_json", json, true)?;
    Ok(wangge::NewEntry::from_json(&value, store.offset())?)
}

/// A classify request (`wg_classify`), its time read in the deployment's time zone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassifyRequest {
    #[serde(default)]
    pub(crate) category: Option<String>,
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) household_id: Option<String>,
    #[serde(default)]
    pub(crate) unit: Option<String>,
    #[serde(default)]
    pub(crate) urgent: bool,
    #[serde(default)]
    at: Option<String>,
}

/// Classifies the entry `json` describes without registering it.
pub(crate) fn classify(
    store: &wangge::Store,
    json: &str,
) -> Result<wangge::Classification, FfiError> {
    let r: ClassifyRequest = parse("request_json", json, true)?;
    let at = opt_moment(store, r.at.as_deref())?;
    let (category, household, unit) = (
        r.category.as_deref(),
        r.household_id.as_deref(),
        r.unit.as_deref(),
    );
    Ok(store.classify(category, &r.summary, household, unit, r.urgent, at.as_ref())?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryJson {
    unit: String,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    standing: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    book: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    overdue: Option<bool>,
}

/// The entry query of `wg_entries`.
pub(crate) fn entry_query(
    store: &wangge::Store,
    json: &str,
) -> Result<wangge::EntryQuery, FfiError> {
    let parsed: QueryJson = parse("query_json", json, true)?;
    let mut query = wangge::EntryQuery::new(&parsed.unit);
    query.at = opt_moment(store, parsed.at.as_deref())?;
    query.standing = read(parsed.standing.as_deref(), wangge::Standing::parse)?;
    query.status = read(parsed.status.as_deref(), wangge::Status::parse)?;
    query.book = parsed.book;
    query.category = parsed.category;
    query.period = read(parsed.period.as_deref(), wangge::Period::parse)?;
    query.overdue = parsed.overdue;
    Ok(query)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsJson {
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

/// The import options of `wg_import_*` (NULL: the defaults).
pub(crate) fn import_options(json: Option<&str>) -> Result<wangge::ImportOptions, FfiError> {
    let Some(json) = json else {
        return Ok(wangge::ImportOptions::default());
    };
    let parsed: OptionsJson = parse("options_json", json, true)?;
    Ok(wangge::ImportOptions {
        mode: read(parsed.mode.as_deref(), wangge::ImportMode::parse)?.unwrap_or_default(),
        on: opt_date("on", parsed.on.as_deref())?,
        encoding: parsed.encoding,
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TagList {
    Text(String),
    List(Vec<String>),
}

impl TagList {
    fn joined(self) -> String {
        match self {
            TagList::Text(text) => text,
            TagList::List(tags) => tags.join(";"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowJson {
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

/// The rows of `wg_import_rows`, numbered from 1; the text is not echoed.
pub(crate) fn import_rows(json: &str) -> Result<Vec<wangge::ImportRow>, FfiError> {
    let parsed: Vec<RowJson> = parse("rows_json", json, false)?;
    Ok(parsed
        .into_iter()
        .enumerate()
        .map(|(i, row)| wangge::ImportRow {
            line: i + 1,
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
        .collect())
}
