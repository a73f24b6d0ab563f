//! Bulk import of households with their residents and tags (户籍/流动人口 files).
//!
//! One row per resident; the household's fields repeat on each of its rows. Columns, by
//! English name or the Chinese header a government spreadsheet uses: `household_id` (户编号),
//! `unit` (所属网格), `address` (地址), `kind` (户类型), `tags` (户标签, `;`-separated),
//! `name` (姓名), `id_number` (身份证号), `phone` (联系电话), `relation` (与户主关系), and the
//! optional `hukou` (户口性质), `employer` (工作单位), `resident_tags` (人员标签). Other
//! columns are ignored.
//!
//! CSV files may be UTF-8, with or without a BOM, or GBK/GB18030 (what Chinese spreadsheet
//! software exports). Re-importing the same ids updates in place: households by id,
//! residents by ID number (or, without one, by name within the household).

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::borrow::Cow;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::id_number::{mask_id_number, parse_id_number};
use crate::registry::{HouseholdKind, check_household_id, check_phone, relation_name};
use crate::store::Store;
use crate::units::span_on;

/// What to do with bad rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// One bad row rejects the whole batch; the store is left unchanged.
    #[default]
    AllOrNothing,
    /// Bad rows (and the other rows of a household whose own fields are bad) are left out;
    /// the rest is written.
    SkipInvalid,
}

impl ImportMode {
    /// Parses `all_or_nothing` or `skip_invalid`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "all_or_nothing" => Ok(ImportMode::AllOrNothing),
            "skip_invalid" => Ok(ImportMode::SkipInvalid),
            _ => Err(Error::invalid(
                "mode",
                text,
                "expected all_or_nothing or skip_invalid",
            )),
        }
    }
}

/// How to import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// What to do with bad rows.
    pub mode: ImportMode,
    /// The day the import describes: ID birth dates may not be later, and changes to
    /// existing households and residents (moves) take effect that day. Default today.
    pub on: Option<Date>,
    /// The CSV encoding: `utf-8`, `gbk` or `gb18030`; default: detected.
    pub encoding: Option<String>,
}

/// One input row, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// The row's line in the file (or its position, from 1, for rows given directly).
    pub line: usize,
    /// Household id.
    pub household_id: String,
    /// The grid or building.
    pub unit: String,
    /// The address.
    pub address: String,
    /// `registered`, `floating` or `rental` (户籍, 流动, 出租 are accepted too).
    pub kind: String,
    /// Household tags, `;`-separated.
    pub tags: String,
    /// The resident's name.
    pub name: String,
    /// ID number.
    pub id_number: String,
    /// Phone.
    pub phone: String,
    /// Relation to the head (default `head`).
    pub relation: String,
    /// Hukou type.
    pub hukou: String,
    /// Employer.
    pub employer: String,
    /// The resident's tags, `;`-separated.
    pub resident_tags: String,
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    /// The line (or position) of the row.
    pub line: usize,
    /// The column that was wrong.
    pub field: String,
    /// Why.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportResult {
    /// Households and residents created.
    pub inserted: u64,
    /// Households and residents that existed and were updated.
    pub updated: u64,
    /// Every rejected row; in all-or-nothing mode any error means nothing was written.
    pub errors: Vec<ImportError>,
}

const COLUMNS: [(&str, &[&str]); 12] = [
    ("household_id", &["户编号", "户号", "户id"]),
    ("unit", &["所属网格", "网格", "网格编码"]),
    ("address", &["地址", "住址"]),
    ("kind", &["户类型", "户别"]),
    ("tags", &["户标签", "标签"]),
    ("name", &["姓名"]),
    ("id_number", &["身份证号", "身份证号码", "公民身份号码"]),
    ("phone", &["联系电话", "电话", "手机"]),
    ("relation", &["与户主关系", "关系"]),
    ("hukou", &["户口性质"]),
    ("employer", &["工作单位"]),
    ("resident_tags", &["人员标签"]),
];

const REQUIRED: [&str; 5] = ["household_id", "unit", "address", "kind", "name"];

/// Decodes CSV bytes: UTF-8 (a BOM is dropped) or GBK/GB18030, detected unless given.
fn decode<'a>(bytes: &'a [u8], encoding: Option<&str>) -> Result<Cow<'a, str>> {
    match encoding.map(str::to_ascii_lowercase).as_deref() {
        None => {
            if bytes.starts_with(b"\xEF\xBB\xBF") || std::str::from_utf8(bytes).is_ok() {
                decode_utf8(bytes)
            } else {
                decode_gb18030(bytes)
            }
        }
        Some("utf-8" | "utf8" | "utf-8-sig") => decode_utf8(bytes),
        Some("gbk" | "gb18030" | "gb2312" | "cp936") => decode_gb18030(bytes),
        Some(other) => Err(Error::invalid(
            "encoding",
            other,
            "expected utf-8, gbk or gb18030",
        )),
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<Cow<'_, str>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        Error::invalid(
            "encoding",
            "utf-8",
            format!("the file is not valid UTF-8 ({e})"),
        )
    })
}

fn decode_gb18030(bytes: &[u8]) -> Result<Cow<'_, str>> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        Err(Error::invalid(
            "encoding",
            "gb18030",
            "the file is neither UTF-8 nor valid GBK/GB18030",
        ))
    } else {
        Ok(text)
    }
}

/// Reads CSV text into rows, mapping English or Chinese headers to fields.
pub fn parse_csv(bytes: &[u8], encoding: Option<&str>) -> Result<Vec<ImportRow>> {
    let text = decode(bytes, encoding)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid("csv", "header", format!("cannot read the header line: {e}")))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, header) in headers.iter().enumerate() {
        let header = header.trim().to_lowercase();
        if let Some((field, _)) = COLUMNS
            .iter()
            .find(|(name, aliases)| *name == header || aliases.contains(&header.as_str()))
        {
            index.entry(field).or_insert(i);
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|f| !index.contains_key(f))
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(
            "csv",
            headers.iter().collect::<Vec<_>>().join(","),
            format!("missing columns: {}", missing.join(", ")),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::invalid("csv", "row", e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |field: &str| {
            index
                .get(field)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .to_owned()
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.push(ImportRow {
            line,
            household_id: get("household_id"),
            unit: get("unit"),
            address: get("address"),
            kind: get("kind"),
            tags: get("tags"),
            name: get("name"),
            id_number: get("id_number"),
            phone: get("phone"),
            relation: get("relation"),
            hukou: get("hukou"),
            employer: get("employer"),
            resident_tags: get("resident_tags"),
        });
    }
    Ok(rows)
}

fn split_tags(text: &str) -> Vec<&str> {
    text.split([';', '；', '、'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn kind_of(text: &str) -> Result<HouseholdKind> {
    match text {
        "户籍" => Ok(HouseholdKind::Registered),
        "流动" => Ok(HouseholdKind::Floating),
        "出租" => Ok(HouseholdKind::Rental),
        other => HouseholdKind::parse(other),
    }
}

/// A checked ID number (18 ASCII characters) as a fixed-size key, so remembering a
/// million of them allocates nothing.
fn id_key(number: &str) -> [u8; 18] {
    let mut key = [0; 18];
    key.copy_from_slice(&number.as_bytes()[..18]);
    key
}

fn opt(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// A row that passed validation, with what it decoded to.
struct Checked<'a> {
    row: &'a ImportRow,
    kind: HouseholdKind,
    id_number: Option<String>,
    birth_date: Option<i64>,
    sex: Option<&'static str>,
    upgraded: bool,
}

impl Store {
    /// Imports households from CSV bytes (UTF-8 or GBK/GB18030). Bad rows never raise:
    /// they are listed in the result. Errors are returned only for a file that cannot be
    /// read as CSV at all (bad encoding, missing columns).
    pub fn import_households_csv(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
        progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let rows = parse_csv(bytes, options.encoding.as_deref())?;
        self.import_households(&rows, options, progress)
    }

    /// Imports households from rows (see the module documentation). `progress`, when given,
    /// is called with (rows checked, rows in all) every 1,000 rows and at the end; if it
    /// returns false the import is cancelled with `InvalidInput` (field `progress`) and
    /// nothing is written.
    pub fn import_households(
        &self,
        rows: &[ImportRow],
        options: &ImportOptions,
        mut progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let on = options.on.unwrap_or_else(|| self.today());
        let total = rows.len();
        let cancelled = std::cell::Cell::new(false);
        let mut report = |done: usize| {
            if let Some(p) = progress.as_deref_mut()
                && (done.is_multiple_of(1000) || done == total)
                && !p(done, total)
            {
                cancelled.set(true);
            }
        };
        let cancel = || {
            Error::invalid(
                "progress",
                "false",
                "the import was cancelled by its progress callback; nothing was written",
            )
        };
        self.write(|w| {
            let kinds: HashSet<String> =
                w.tx.prepare("SELECT tag FROM tag_kind")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
            let mut errors = Vec::new();
            let mut unit_ok: HashMap<&str, std::result::Result<(), String>> = HashMap::new();
            let mut first_of: HashMap<&str, &ImportRow> = HashMap::new();
            let mut seen_ids: HashMap<[u8; 18], usize> = HashMap::new();
            let mut bad_households: HashSet<&str> = HashSet::new();
            let mut checked: Vec<Checked<'_>> = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                if cancelled.get() {
                    return Err(cancel());
                }
                let mut fail = |field: &str, message: String| {
                    errors.push(ImportError {
                        line: row.line,
                        field: field.to_owned(),
                        message,
                    });
                };
                let household_error =
                    match self.check_household_fields(&w.tx, row, on, &kinds, &mut unit_ok) {
                        Ok(kind) => Ok(kind),
                        Err((field, message)) => Err((field, message)),
                    };
                let kind = match household_error {
                    Ok(kind) => kind,
                    Err((field, message)) => {
                        fail(field, message);
                        bad_households.insert(row.household_id.as_str());
                        report(i + 1);
                        continue;
                    }
                };
                if let Some(first) = first_of.get(row.household_id.as_str()) {
                    let differs = [
                        ("unit", &first.unit, &row.unit),
                        ("address", &first.address, &row.address),
                        ("kind", &first.kind, &row.kind),
                    ]
                    .into_iter()
                    .find(|(_, a, b)| a != b);
                    if let Some((field, a, _)) = differs {
                        fail(
                            field,
                            format!(
                                "differs from line {} of the same household ({a})",
                                first.line
                            ),
                        );
                        report(i + 1);
                        continue;
                    }
                } else {
                    first_of.insert(row.household_id.as_str(), row);
                }
                if row.name.trim().is_empty() || row.name.chars().count() > 100 {
                    fail("name", "a name is 1 to 100 characters".into());
                    report(i + 1);
                    continue;
                }
                let id = match opt(&row.id_number)
                    .map(|n| parse_id_number(n, on))
                    .transpose()
                {
                    Ok(id) => id,
                    Err(e) => {
                        fail("id_number", error_reason(&e));
                        report(i + 1);
                        continue;
                    }
                };
                if let Some(id) = &id
                    && let Some(line) = seen_ids.insert(id_key(&id.number), row.line)
                {
                    fail(
                        "id_number",
                        format!("{} also appears on line {line}", mask_id_number(&id.number)),
                    );
                    report(i + 1);
                    continue;
                }
                if let Some(phone) = opt(&row.phone)
                    && let Err(e) = check_phone(phone)
                {
                    fail("phone", error_reason(&e));
                    report(i + 1);
                    continue;
                }
                if let Some(tag) = split_tags(&row.resident_tags)
                    .into_iter()
                    .find(|t| !kinds.contains(*t))
                {
                    fail(
                        "resident_tags",
                        format!("{tag} is not a tag kind of this store"),
                    );
                    report(i + 1);
                    continue;
                }
                checked.push(Checked {
                    row,
                    kind,
                    birth_date: id.as_ref().map(|i| date::to_sql(i.birth_date)),
                    sex: id.as_ref().map(|i| i.sex.as_str()),
                    upgraded: id.as_ref().is_some_and(|i| i.upgraded),
                    id_number: id.map(|i| i.number),
                });
                report(i + 1);
            }
            if cancelled.get() {
                return Err(cancel());
            }
            if !errors.is_empty() && options.mode == ImportMode::AllOrNothing {
                // Nothing has been written in this transaction: committing it changes nothing.
                errors.sort_by_key(|e| e.line);
                return Ok(ImportResult {
                    errors,
                    ..Default::default()
                });
            }
            checked.retain(|c| !bad_households.contains(c.row.household_id.as_str()));
            let (inserted, updated) = Self::write_import(w, &checked, on)?;
            let mut digest = Sha256::new();
            for c in &checked {
                digest.update(c.row.household_id.as_bytes());
                digest.update([0]);
                digest.update(c.id_number.as_deref().unwrap_or(&c.row.name).as_bytes());
                digest.update([0]);
            }
            w.audit(
                "import_households",
                &format!("{} rows", checked.len()),
                &json!({"inserted": inserted, "updated": updated, "rejected": errors.len(),
                        "sha256": crate::audit::hex(&digest.finalize())}),
            )?;
            errors.sort_by_key(|e| e.line);
            Ok(ImportResult {
                inserted,
                updated,
                errors,
            })
        })
    }

    /// Checks the household fields of one row; the unit check is cached per unit.
    fn check_household_fields<'r>(
        &self,
        conn: &rusqlite::Connection,
        row: &'r ImportRow,
        on: Date,
        kinds: &HashSet<String>,
        unit_ok: &mut HashMap<&'r str, std::result::Result<(), String>>,
    ) -> std::result::Result<HouseholdKind, (&'static str, String)> {
        check_household_id(&row.household_id).map_err(|e| ("household_id", error_reason(&e)))?;
        let verdict = unit_ok.entry(row.unit.as_str()).or_insert_with(|| {
            match span_on(conn, &row.unit, on) {
                Ok(Some(span)) => self
                    .check_path_in_scope(&row.unit, &span.path)
                    .map_err(|e| e.to_string()),
                Ok(None) => Err(format!("unit {} does not exist on {on}", row.unit)),
                Err(e) => Err(e.to_string()),
            }
        });
        verdict.clone().map_err(|m| ("unit", m))?;
        if row.address.trim().is_empty() || row.address.chars().count() > 200 {
            return Err(("address", "an address is 1 to 200 characters".into()));
        }
        let kind = kind_of(&row.kind).map_err(|e| ("kind", error_reason(&e)))?;
        if let Some(tag) = split_tags(&row.tags)
            .into_iter()
            .find(|t| !kinds.contains(*t))
        {
            return Err(("tags", format!("{tag} is not a tag kind of this store")));
        }
        Ok(kind)
    }

    /// Writes checked rows: households inserted or updated, residents inserted or updated.
    fn write_import(
        w: &mut crate::store::Write<'_>,
        rows: &[Checked<'_>],
        on: Date,
    ) -> Result<(u64, u64)> {
        let on_sql = date::to_sql(on);
        let tx = &w.tx;
        let mut inserted = 0;
        let mut updated = 0;
        // Inserts that step aside for an existing row: a new row (the common case) costs
        // one index descent instead of a lookup and then an insert.
        let mut insert_household = tx.prepare(
            "INSERT INTO household (household_id, address, kind, start, ended) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (household_id) DO NOTHING",
        )?;
        let mut update_household =
            tx.prepare("UPDATE household SET address = ?2, kind = ?3 WHERE household_id = ?1")?;
        let mut insert_place =
            tx.prepare("INSERT INTO household_place (household_id, valid_from, valid_to, unit) VALUES (?1, ?2, ?3, ?4)")?;
        let mut find_by_id = tx.prepare("SELECT resident_id FROM resident WHERE id_number = ?1")?;
        let mut find_by_name = tx.prepare(
            "SELECT r.resident_id FROM membership m JOIN resident r ON r.resident_id = m.resident_id
             WHERE m.household_id = ?1 AND m.valid_to > ?2 AND r.name = ?3 AND r.id_number IS NULL LIMIT 1",
        )?;
        let mut insert_resident = tx.prepare(
            "INSERT INTO resident (name, id_number, id_upgraded, birth_date, sex, phone, hukou, employer)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id_number) DO NOTHING",
        )?;
        let mut update_resident =
            tx.prepare("UPDATE resident SET name = ?2, phone = ?3, hukou = ?4, employer = ?5 WHERE resident_id = ?1")?;
        let mut insert_member = tx.prepare(
            "INSERT INTO membership (resident_id, valid_from, valid_to, household_id, relation) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut insert_tag =
            tx.prepare("INSERT INTO tag (household_id, resident_id, tag, start, end_day) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        // Equality on the owner column, so each lookup uses its partial index.
        let mut household_has_tag = tx.prepare(
            "SELECT 1 FROM tag WHERE household_id = ?1 AND tag = ?2 AND start <= ?3 AND end_day > ?3",
        )?;
        let mut resident_has_tag = tx.prepare(
            "SELECT 1 FROM tag WHERE resident_id = ?1 AND tag = ?2 AND start <= ?3 AND end_day > ?3",
        )?;
        let mut done_households: HashSet<&str> = HashSet::new();
        let mut new_households: HashSet<&str> = HashSet::new();
        for c in rows {
            let row = c.row;
            let hid = row.household_id.as_str();
            if done_households.insert(hid) {
                let added = insert_household.execute(params![
                    hid,
                    row.address,
                    c.kind.as_str(),
                    date::BEGINNING,
                    FOREVER
                ])? == 1;
                if added {
                    insert_place.execute(params![hid, date::BEGINNING, FOREVER, row.unit])?;
                    new_households.insert(hid);
                    inserted += 1;
                } else {
                    update_household.execute(params![hid, row.address, c.kind.as_str()])?;
                    let current: Option<String> = tx
                        .prepare_cached(
                            "SELECT unit FROM household_place WHERE household_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
                        )?
                        .query_row(params![hid, on_sql], |r| r.get(0))
                        .optional()?;
                    if current.as_deref() != Some(row.unit.as_str()) {
                        tx.prepare_cached(
                            "UPDATE household_place SET valid_to = ?2 WHERE household_id = ?1 AND valid_from < ?2 AND valid_to > ?2",
                        )?
                        .execute(params![hid, on_sql])?;
                        tx.prepare_cached("DELETE FROM household_place WHERE household_id = ?1 AND valid_from >= ?2")?
                            .execute(params![hid, on_sql])?;
                        insert_place.execute(params![hid, on_sql, FOREVER, row.unit])?;
                    }
                    updated += 1;
                }
                // A new household has no tags yet; an existing one keeps those it has.
                let new = new_households.contains(hid);
                let since = if new { date::BEGINNING } else { on_sql };
                for tag in split_tags(&row.tags) {
                    if new
                        || household_has_tag
                            .query_row(params![hid, tag, on_sql], |_| Ok(()))
                            .optional()?
                            .is_none()
                    {
                        insert_tag.execute(params![hid, None::<i64>, tag, since, FOREVER])?;
                    }
                }
            }
            let relation = relation_name(opt(&row.relation).unwrap_or("head"));
            let new_household = new_households.contains(hid);
            let since = if new_household {
                date::BEGINNING
            } else {
                on_sql
            };
            // A resident is known by ID number anywhere in the store, or without one by
            // name within an existing household. Anyone else is inserted straight away; an
            // insert that meets a known ID number steps aside and the resident is updated.
            let by_name: Option<i64> = if c.id_number.is_none() && !new_household {
                find_by_name
                    .query_row(params![hid, on_sql, row.name], |r| r.get(0))
                    .optional()?
            } else {
                None
            };
            let added = by_name.is_none()
                && insert_resident.execute(params![
                    row.name,
                    c.id_number,
                    c.upgraded,
                    c.birth_date,
                    c.sex,
                    opt(&row.phone),
                    opt(&row.hukou),
                    opt(&row.employer)
                ])? == 1;
            let resident_id = if added {
                let id = tx.last_insert_rowid();
                insert_member.execute(params![id, since, FOREVER, hid, relation])?;
                inserted += 1;
                id
            } else {
                let id = match (by_name, c.id_number.as_deref()) {
                    (Some(id), _) => id,
                    (None, number) => find_by_id.query_row([number], |r| r.get(0))?,
                };
                update_resident.execute(params![
                    id,
                    row.name,
                    opt(&row.phone),
                    opt(&row.hukou),
                    opt(&row.employer)
                ])?;
                let member: Option<(String, String, i64)> = tx
                    .prepare_cached(
                        "SELECT household_id, relation, valid_from FROM membership WHERE resident_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
                    )?
                    .query_row(params![id, on_sql], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                if member
                    .as_ref()
                    .is_none_or(|(h, rel, _)| h != hid || rel != relation)
                {
                    tx.prepare_cached("UPDATE membership SET valid_to = ?2 WHERE resident_id = ?1 AND valid_from < ?2 AND valid_to > ?2")?
                        .execute(params![id, on_sql])?;
                    tx.prepare_cached(
                        "DELETE FROM membership WHERE resident_id = ?1 AND valid_from >= ?2",
                    )?
                    .execute(params![id, on_sql])?;
                    insert_member.execute(params![id, on_sql, FOREVER, hid, relation])?;
                }
                updated += 1;
                id
            };
            for tag in split_tags(&row.resident_tags) {
                if resident_has_tag
                    .query_row(params![resident_id, tag, on_sql], |_| Ok(()))
                    .optional()?
                    .is_none()
                {
                    insert_tag.execute(params![
                        None::<String>,
                        resident_id,
                        tag,
                        since,
                        FOREVER
                    ])?;
                }
            }
        }
        Ok((inserted, updated))
    }
}

/// The reason part of a library error, for a row's message.
fn error_reason(error: &Error) -> String {
    match error {
        Error::InvalidInput { value, reason, .. } => format!("{value:?}: {reason}"),
        other => other.to_string(),
    }
}
