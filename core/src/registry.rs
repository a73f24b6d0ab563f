//! The registry (户籍/流动人口 files): households, residents, their tags and the derived
//! household class, all answerable for any date.
//!
//! A household lives in a grid or building over stretches of time; a resident belongs to
//! a household over stretches of time. The latest stretch of each is on the household's
//! or resident's own row (`unit` from `unit_since`, `household_id` from `member_since`),
//! the earlier ones in `household_place` and `membership`, so a new household or resident
//! is one row. Tags sit on a household or on a resident with a start and an end. A household is `special` on a day
//! when it, or one of its members that day, carries a tag that day whose kind counts as
//! special; the class is always derived, never stored.
//!
//! Dates: an `end` argument is the last day something holds (inclusive); an `on` argument
//! of an action is the first day of the new state. Stored intervals are half-open.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::id_number::{Sex, mask_id_number, parse_id_number};
use crate::privacy::mask_phone;
use crate::store::Store;
use crate::units::span_on;

/// How a household is registered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdKind {
    /// 户籍: registered residence.
    Registered,
    /// 流动: floating population.
    Floating,
    /// 出租: a rented dwelling.
    Rental,
}

impl HouseholdKind {
    /// Every kind.
    pub const ALL: [HouseholdKind; 3] = [
        HouseholdKind::Registered,
        HouseholdKind::Floating,
        HouseholdKind::Rental,
    ];

    /// `registered`, `floating` or `rental`.
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdKind::Registered => "registered",
            HouseholdKind::Floating => "floating",
            HouseholdKind::Rental => "rental",
        }
    }

    /// Parses a kind name, or `InvalidInput` naming it.
    pub fn parse(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| Error::invalid("kind", text, "expected registered, floating or rental"))
    }
}

/// 普通户/特殊户: derived from tags, never set by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdClass {
    /// 普通户: no active special tag.
    Ordinary,
    /// 特殊户: the household or a member has an active special tag.
    Special,
}

impl HouseholdClass {
    /// `ordinary` or `special`.
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdClass::Ordinary => "ordinary",
            HouseholdClass::Special => "special",
        }
    }

    /// Parses a class name, or `InvalidInput` naming it.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "ordinary" => Ok(HouseholdClass::Ordinary),
            "special" => Ok(HouseholdClass::Special),
            _ => Err(Error::invalid(
                "household_class",
                text,
                "expected ordinary or special",
            )),
        }
    }
}

/// A household as it stood on some date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Household {
    /// The caller's id for the household.
    pub household_id: String,
    /// The grid or building it lived in that day.
    pub unit: String,
    /// Its address.
    pub address: String,
    /// How it is registered.
    pub kind: HouseholdKind,
    /// The tags active that day on the household or any member, sorted.
    pub tags: Vec<String>,
    /// Derived from the tags.
    pub household_class: HouseholdClass,
    /// The first day it is on the registry; `None` for always.
    pub start: Option<Date>,
    /// The day it left the registry, if it has.
    pub end: Option<Date>,
    /// The day its archive was last re-verified, if ever.
    pub verified: Option<Date>,
}

/// A resident as they stood on some date. The ID number and phone are masked unless read
/// with [`Store::resident_clear`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resident {
    /// The store's id for the person.
    pub resident_id: i64,
    /// The household they belonged to that day.
    pub household_id: String,
    /// Their name.
    pub name: String,
    /// Their ID number, masked (`510123********1234`).
    pub id_number: Option<String>,
    /// True when the ID number was given in the 15-digit form and upgraded.
    pub id_upgraded: bool,
    /// Derived from the ID number.
    pub birth_date: Option<Date>,
    /// Derived from the ID number.
    pub sex: Option<Sex>,
    /// Their phone, masked (`138****5678`).
    pub phone: Option<String>,
    /// Hukou type (户口性质), free text.
    pub hukou: Option<String>,
    /// Employer (工作单位).
    pub employer: Option<String>,
    /// Relation to the head of the household (`head`, `spouse`, `child` …).
    pub relation: String,
    /// Tags active that day on the person, sorted.
    pub tags: Vec<String>,
}

/// A resident to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewResident {
    /// Their name.
    pub name: String,
    /// Their ID number (18, or 15 to be upgraded), if known.
    pub id_number: Option<String>,
    /// Their phone.
    pub phone: Option<String>,
    /// Hukou type.
    pub hukou: Option<String>,
    /// Employer.
    pub employer: Option<String>,
    /// Relation to the head; default `head`.
    pub relation: Option<String>,
    /// Tags on the person from the day they are added.
    pub tags: Vec<String>,
}

/// A tag kind a deployment knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagKind {
    /// Its name, e.g. `低保`.
    pub tag: String,
    /// Whether it makes a household special.
    pub special: bool,
}

/// Which households to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFilter {
    /// The day to answer for; default today.
    pub as_of: Option<Date>,
    /// Only this class.
    pub household_class: Option<HouseholdClass>,
    /// Only households carrying this tag (themselves or a member).
    pub tag: Option<String>,
    /// Only this kind.
    pub kind: Option<HouseholdKind>,
}

/// Registry counts for one unit on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitCounts {
    /// The unit.
    pub unit: String,
    /// Households living in it (directly, or in its whole subtree for totals).
    pub households: u64,
    /// Of those, special ones.
    pub special_households: u64,
    /// Residents of those households.
    pub residents: u64,
    /// Floating households (流动).
    pub floating: u64,
}

pub(crate) fn check_household_id(id: &str) -> Result<()> {
    if id.trim().is_empty() || id.chars().count() > 64 {
        return Err(Error::invalid(
            "household_id",
            id,
            "a household id is 1 to 64 characters",
        ));
    }
    Ok(())
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() || value.chars().count() > max {
        return Err(Error::invalid(
            field,
            value,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(())
}

/// The relation to the head as stored: the head is `head` whether it was given in English
/// or as 户主 (as Chinese spreadsheets write it), so heads sort first either way; other
/// relations are kept as given.
pub(crate) fn relation_name(relation: &str) -> &str {
    match relation.trim() {
        "户主" | "本人" => "head",
        other => other,
    }
}

pub(crate) fn check_phone(phone: &str) -> Result<()> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(3..=20).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
    {
        return Err(Error::invalid(
            "phone",
            mask_phone(phone),
            "a phone is 3 to 20 digits, with '-', '+' or spaces",
        ));
    }
    Ok(())
}

/// The special flag of every known tag kind.
pub(crate) fn tag_kinds(conn: &Connection) -> Result<HashMap<String, bool>> {
    let mut stmt = conn.prepare_cached("SELECT tag, special FROM tag_kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn check_tag(kinds: &HashMap<String, bool>, tag: &str) -> Result<()> {
    if kinds.contains_key(tag) {
        Ok(())
    } else {
        Err(Error::invalid(
            "tag",
            tag,
            "not a tag kind of this store (define it first)",
        ))
    }
}

/// The placement of a household valid on `on`: (unit, `valid_from`, `valid_to`).
pub(crate) fn place_on(
    conn: &Connection,
    household_id: &str,
    on: i64,
) -> Result<Option<(String, i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT unit, unit_since, ended FROM household
             WHERE household_id = ?1 AND unit_since <= ?2 AND ended > ?2
             UNION ALL
             SELECT unit, valid_from, valid_to FROM household_place
             WHERE household_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
        )?
        .query_row(params![household_id, on], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// The membership of a resident valid on `on`: (`household_id`, relation, `valid_from`).
pub(crate) fn membership_on(
    conn: &Connection,
    resident_id: i64,
    on: i64,
) -> Result<Option<(String, String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT household_id, relation, member_since FROM resident
             WHERE resident_id = ?1 AND member_since <= ?2
             UNION ALL
             SELECT household_id, relation, valid_from FROM membership
             WHERE resident_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
        )?
        .query_row(params![resident_id, on], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// Tags active on `on` for households placed, that day, in the units whose paths lie in
/// `[lo, hi)` or equal `root`: the households' own and their members'.
fn subtree_tags(
    conn: &Connection,
    root: &str,
    lo: &str,
    hi: &str,
    on: i64,
) -> Result<HashMap<String, BTreeSet<String>>> {
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    let sql = format!(
        "WITH placed AS MATERIALIZED ({SUBTREE_PLACED}),
         members AS (SELECT r.household_id, r.resident_id FROM placed JOIN resident r
                     ON r.household_id = placed.household_id AND r.member_since <= ?4
                     UNION ALL
                     SELECT m.household_id, m.resident_id FROM placed JOIN membership m
                     ON m.household_id = placed.household_id AND m.valid_from <= ?4 AND m.valid_to > ?4)
         SELECT placed.household_id, t.tag FROM placed
         JOIN tag t ON t.household_id = placed.household_id AND t.start <= ?4 AND t.end_day > ?4
         UNION ALL
         SELECT members.household_id, t.tag FROM members
         JOIN tag t ON t.resident_id = members.resident_id AND t.start <= ?4 AND t.end_day > ?4"
    );
    {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![root, lo, hi, on])?;
        while let Some(row) = rows.next()? {
            out.entry(row.get(0)?).or_default().insert(row.get(1)?);
        }
    }
    Ok(out)
}

/// The households placed on `?4` in the units whose paths lie in `[?2, ?3)` or equal `?1`:
/// (`household_id`, unit), from the households' own rows and from their earlier places.
const SUBTREE_PLACED: &str = "
    SELECT h.household_id, h.unit FROM unit_span s
    JOIN household h ON h.unit = s.code AND h.unit_since <= ?4 AND h.ended > ?4
    WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?3)) AND s.valid_from <= ?4 AND s.valid_to > ?4
    UNION ALL
    SELECT p.household_id, p.unit FROM unit_span s
    JOIN household_place p ON p.unit = s.code AND p.valid_from <= ?4 AND p.valid_to > ?4
    WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?3)) AND s.valid_from <= ?4 AND s.valid_to > ?4";

/// The members of household `?1` on `?2`: (`resident_id`, relation).
const MEMBERS_ON: &str = "
    SELECT resident_id, relation FROM resident WHERE household_id = ?1 AND member_since <= ?2
    UNION ALL
    SELECT resident_id, relation FROM membership WHERE household_id = ?1 AND valid_from <= ?2 AND valid_to > ?2";

/// The households living on `on` in the subtree of the unit whose path (that day) is
/// `path`, each with its tags that day (its own and its members').
pub(crate) fn placed_with_tags(
    conn: &Connection,
    path: &str,
    on: i64,
) -> Result<HashMap<String, BTreeSet<String>>> {
    let (lo, hi) = (format!("{path}/"), format!("{path}0"));
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(SUBTREE_PLACED)?;
        let mut rows = stmt.query(params![path, lo, hi, on])?;
        while let Some(row) = rows.next()? {
            out.insert(row.get(0)?, BTreeSet::new());
        }
    }
    for (household, tags) in subtree_tags(conn, path, &lo, &hi, on)? {
        if let Some(slot) = out.get_mut(&household) {
            *slot = tags;
        }
    }
    Ok(out)
}

/// Tags active on `on` for one household: its own and its members'.
pub(crate) fn household_tags(
    conn: &Connection,
    household_id: &str,
    on: i64,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    // Three plain statements rather than one over a union of the members: SQLite
    // re-prepared that one for every pair of values bound.
    for sql in [
        "SELECT tag FROM tag WHERE household_id = ?1 AND start <= ?2 AND end_day > ?2",
        "SELECT t.tag FROM resident r JOIN tag t ON t.resident_id = r.resident_id
         WHERE r.household_id = ?1 AND r.member_since <= ?2 AND t.start <= ?2 AND t.end_day > ?2",
        "SELECT t.tag FROM membership m JOIN tag t ON t.resident_id = m.resident_id
         WHERE m.household_id = ?1 AND m.valid_from <= ?2 AND m.valid_to > ?2
           AND t.start <= ?2 AND t.end_day > ?2",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params![household_id, on])?;
        while let Some(row) = rows.next()? {
            out.insert(row.get(0)?);
        }
    }
    Ok(out)
}

pub(crate) fn class_of(kinds: &HashMap<String, bool>, tags: &BTreeSet<String>) -> HouseholdClass {
    if tags.iter().any(|t| kinds.get(t).copied().unwrap_or(false)) {
        HouseholdClass::Special
    } else {
        HouseholdClass::Ordinary
    }
}

/// Adds a tag row after checking it does not overlap an existing one of the same tag.
fn insert_tag(
    conn: &Connection,
    owner: (&str, Option<&str>, Option<i64>),
    tag: &str,
    start: i64,
    end_day: i64,
) -> Result<()> {
    let (label, household_id, resident_id) = owner;
    let clash: Option<i64> = conn
        .prepare_cached(
            "SELECT start FROM tag WHERE household_id IS ?1 AND resident_id IS ?2 AND tag = ?3
             AND start < ?5 AND end_day > ?4 LIMIT 1",
        )?
        .query_row(
            params![household_id, resident_id, tag, start, end_day],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(from) = clash {
        return Err(Error::Conflict(format!(
            "{label} already carries tag {tag} from {} over those days",
            date::iso(from)
        )));
    }
    conn.prepare_cached("INSERT INTO tag (household_id, resident_id, tag, start, end_day) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![household_id, resident_id, tag, start, end_day])?;
    Ok(())
}

/// Ends the tag active on `on` (it no longer holds from that day).
fn end_tag(
    conn: &Connection,
    owner: (&str, Option<&str>, Option<i64>),
    tag: &str,
    on: i64,
) -> Result<()> {
    let (label, household_id, resident_id) = owner;
    let found: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT id, start FROM tag WHERE household_id IS ?1 AND resident_id IS ?2 AND tag = ?3
             AND start <= ?4 AND end_day > ?4",
        )?
        .query_row(params![household_id, resident_id, tag, on], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((id, start)) = found else {
        return Err(Error::not_found(
            "tag",
            format!("{tag} on {label} on {}", date::iso(on)),
        ));
    };
    if start == on {
        conn.prepare_cached("DELETE FROM tag WHERE id = ?1")?
            .execute([id])?;
    } else {
        conn.prepare_cached("UPDATE tag SET end_day = ?2 WHERE id = ?1")?
            .execute(params![id, on])?;
    }
    Ok(())
}

/// Says a write changed the registry facts of every household `resident_id` ever belonged
/// to (a tag of theirs counts for each while they were a member).
fn changes_households_of(w: &mut crate::store::Write<'_>, resident_id: i64) -> Result<()> {
    let households: Vec<String> =
        w.tx.prepare_cached(
            "SELECT household_id FROM resident WHERE resident_id = ?1 AND household_id IS NOT NULL
             UNION SELECT household_id FROM membership WHERE resident_id = ?1",
        )?
        .query_map([resident_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for household_id in &households {
        w.changes_household(household_id);
    }
    Ok(())
}

/// The stored end (exclusive) for an inclusive last day.
fn end_to_sql(end: Option<Date>) -> i64 {
    end.map_or(FOREVER, |d| date::to_sql(d) + 1)
}

impl Store {
    /// Checks that `unit` exists on `on`, is a place households live (a unit without units
    /// below it is expected but not required) and lies in this handle's scope.
    fn check_household_unit(&self, conn: &Connection, unit: &str, on: Date) -> Result<()> {
        let span = span_on(conn, unit, on)?
            .ok_or_else(|| Error::not_found("unit", format!("{unit} on {on}")))?;
        self.check_path_in_scope(unit, &span.path)
    }

    /// Checks that `household_id` lives, on `on`, in this handle's scope; returns its unit.
    fn household_in_scope(
        &self,
        conn: &Connection,
        household_id: &str,
        on: Date,
    ) -> Result<String> {
        check_household_id(household_id)?;
        let (unit, _, _) = place_on(conn, household_id, date::to_sql(on))?
            .ok_or_else(|| Error::not_found("household", format!("{household_id} on {on}")))?;
        if self.access.root.is_some() {
            let span = span_on(conn, &unit, on)?.ok_or_else(|| Error::not_found("unit", &unit))?;
            self.check_path_in_scope(&unit, &span.path)?;
        }
        Ok(unit)
    }

    /// Checks a household exists and, for a scoped handle, lives in scope on `on` (or, if
    /// it had left by then, where it last lived). Returns its last re-verification day.
    pub(crate) fn household_visible(
        &self,
        conn: &Connection,
        household_id: &str,
        on: Date,
    ) -> Result<Option<Date>> {
        check_household_id(household_id)?;
        let row: Option<(i64, Option<i64>)> = conn
            .prepare_cached("SELECT ended, verified FROM household WHERE household_id = ?1")?
            .query_row([household_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((ended, verified)) = row else {
            return Err(Error::not_found("household", household_id));
        };
        if self.access.root.is_some() {
            let day = if ended == FOREVER || date::to_sql(on) < ended {
                on
            } else {
                date::from_sql(ended - 1)
            };
            self.household_in_scope(conn, household_id, day)?;
        }
        Ok(verified.map(date::from_sql))
    }

    /// Adds a household living in `unit` from `start` (or always), with household tags
    /// from the same day. A duplicate id is a `Conflict`.
    pub fn add_household(
        &self,
        household_id: &str,
        unit: &str,
        address: &str,
        kind: &str,
        tags: &[&str],
        start: Option<Date>,
    ) -> Result<Household> {
        check_household_id(household_id)?;
        check_text("address", address, 200)?;
        let kind = HouseholdKind::parse(kind)?;
        let start_sql = date::start_to_sql(start);
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            self.check_household_unit(&w.tx, unit, on)?;
            let kinds = tag_kinds(&w.tx)?;
            for tag in tags {
                check_tag(&kinds, tag)?;
            }
            w.tx.prepare_cached(
                "INSERT INTO household (household_id, address, kind, start, ended, unit, unit_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4)",
            )?
            .execute(params![household_id, address, kind.as_str(), start_sql, FOREVER, unit])
            .map_err(|e| match &e {
                rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    Error::Conflict(format!("household id {household_id} already exists"))
                }
                _ => Error::from(e),
            })?;
            for tag in tags {
                insert_tag(&w.tx, (household_id, Some(household_id), None), tag, start_sql, FOREVER)?;
            }
            w.changes_household(household_id);
            w.audit(
                "add_household",
                household_id,
                &json!({"unit": unit, "kind": kind.as_str(), "tags": tags, "start": start.map(|d| d.to_string())}),
            )
        })?;
        self.household(household_id, Some(on))
    }

    /// Moves a household to `unit` from `on`; its history keeps where it was before.
    pub fn move_household(&self, household_id: &str, unit: &str, on: Date) -> Result<Household> {
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let from = self.household_in_scope(&w.tx, household_id, on)?;
            self.check_household_unit(&w.tx, unit, on)?;
            let (_, valid_from, valid_to) = place_on(&w.tx, household_id, on_sql)?
                .ok_or_else(|| Error::not_found("household", household_id))?;
            if from == unit {
                return Ok(());
            }
            if valid_to != FOREVER {
                return Err(Error::Conflict(format!(
                    "household {household_id} has changes recorded from {}",
                    date::iso(valid_to)
                )));
            }
            // The place valid on `on` runs to FOREVER, so it is the one on the household's row.
            if valid_from != on_sql {
                w.tx.prepare_cached("INSERT INTO household_place (household_id, valid_from, valid_to, unit) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![household_id, valid_from, on_sql, from])?;
            }
            w.tx.prepare_cached("UPDATE household SET unit = ?2, unit_since = ?3 WHERE household_id = ?1")?
                .execute(params![household_id, unit, on_sql])?;
            w.changes_household(household_id);
            w.audit("move_household", household_id, &json!({"from": from, "to": unit, "on": on.to_string()}))
        })?;
        self.household(household_id, Some(on))
    }

    /// Takes a household off the registry from `on` (moved away, dissolved); history keeps it.
    pub fn end_household(&self, household_id: &str, on: Date) -> Result<()> {
        let on_sql = date::to_sql(on);
        self.write(|w| {
            self.household_in_scope(&w.tx, household_id, on)?;
            let (_, _, valid_to) = place_on(&w.tx, household_id, on_sql)?
                .ok_or_else(|| Error::not_found("household", household_id))?;
            if valid_to != FOREVER {
                return Err(Error::Conflict(format!(
                    "household {household_id} has changes recorded after {on}"
                )));
            }
            // The latest place now ends with the household (empty if it began that day).
            w.tx.prepare_cached("UPDATE household SET ended = ?2 WHERE household_id = ?1")?
                .execute(params![household_id, on_sql])?;
            w.changes_household(household_id);
            w.audit(
                "end_household",
                household_id,
                &json!({"on": on.to_string()}),
            )
        })
    }

    /// A household as it stood on `as_of` (default today).
    pub fn household(&self, household_id: &str, as_of: Option<Date>) -> Result<Household> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.conn();
        let unit = self.household_in_scope(&conn, household_id, on)?;
        let (address, kind, start, ended, verified): (String, String, i64, i64, Option<i64>) = conn
            .prepare_cached("SELECT address, kind, start, ended, verified FROM household WHERE household_id = ?1")?
            .query_row([household_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        let tags = household_tags(&conn, household_id, date::to_sql(on))?;
        let kinds = tag_kinds(&conn)?;
        Ok(Household {
            household_id: household_id.to_owned(),
            unit,
            address,
            kind: HouseholdKind::parse(&kind)?,
            household_class: class_of(&kinds, &tags),
            tags: tags.into_iter().collect(),
            start: date::from_sql_bound(start),
            end: date::from_sql_bound(ended),
            verified: verified.map(date::from_sql),
        })
    }

    /// The households living on the filter's day in `unit`'s whole subtree, filtered by
    /// class, tag and kind, sorted by id.
    pub fn households(&self, unit: &str, filter: &HouseholdFilter) -> Result<Vec<Household>> {
        let on = filter.as_of.unwrap_or_else(|| self.today());
        if let Some(tag) = &filter.tag {
            let conn = self.conn();
            check_tag(&tag_kinds(&conn)?, tag)?;
        }
        let root = self.unit(unit, Some(on))?;
        let conn = self.conn();
        let span = span_on(&conn, &root.code, on)?.ok_or_else(|| Error::not_found("unit", unit))?;
        let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
        let on_sql = date::to_sql(on);
        let kinds = tag_kinds(&conn)?;
        let mut tags = subtree_tags(&conn, &span.path, &lo, &hi, on_sql)?;
        let mut stmt = conn.prepare_cached(&format!(
            "WITH p AS ({SUBTREE_PLACED})
             SELECT p.household_id, p.unit, h.address, h.kind, h.start, h.ended, h.verified FROM p
             JOIN household h ON h.household_id = p.household_id"
        ))?;
        let mut rows = stmt.query(params![span.path, lo, hi, on_sql])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let household_id: String = row.get(0)?;
            let kind = HouseholdKind::parse(&row.get::<_, String>(3)?)?;
            if filter.kind.is_some_and(|k| k != kind) {
                continue;
            }
            let household_tags = tags.remove(&household_id).unwrap_or_default();
            let class = class_of(&kinds, &household_tags);
            if filter.household_class.is_some_and(|c| c != class) {
                continue;
            }
            if filter
                .tag
                .as_ref()
                .is_some_and(|t| !household_tags.contains(t))
            {
                continue;
            }
            out.push(Household {
                household_id,
                unit: row.get(1)?,
                address: row.get(2)?,
                kind,
                household_class: class,
                tags: household_tags.into_iter().collect(),
                start: date::from_sql_bound(row.get(4)?),
                end: date::from_sql_bound(row.get(5)?),
                verified: row.get::<_, Option<i64>>(6)?.map(date::from_sql),
            });
        }
        out.sort_unstable_by(|a, b| a.household_id.cmp(&b.household_id));
        Ok(out)
    }

    /// The class of a household on `on` (default today).
    pub fn household_class(&self, household_id: &str, on: Option<Date>) -> Result<HouseholdClass> {
        Ok(self.household(household_id, on)?.household_class)
    }

    /// Puts `tag` on a household from `start` (default: the day it joined the registry) to
    /// `end`, its last day (default open).
    pub fn tag(
        &self,
        household_id: &str,
        tag: &str,
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<()> {
        let start_sql = date::start_to_sql(start);
        let end_sql = end_to_sql(end);
        if end_sql <= start_sql {
            return Err(Error::invalid(
                "end",
                end.map(|d| d.to_string()).unwrap_or_default(),
                "ends before it starts",
            ));
        }
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            self.household_in_scope(&w.tx, household_id, on)?;
            check_tag(&tag_kinds(&w.tx)?, tag)?;
            insert_tag(&w.tx, (household_id, Some(household_id), None), tag, start_sql, end_sql)?;
            w.changes_household(household_id);
            w.audit("tag", household_id, &json!({"tag": tag, "start": start.map(|d| d.to_string()), "end": end.map(|d| d.to_string())}))
        })
    }

    /// Ends a household's `tag` from `on` (it no longer carries it that day).
    pub fn untag(&self, household_id: &str, tag: &str, on: Date) -> Result<()> {
        self.write(|w| {
            self.household_in_scope(&w.tx, household_id, on)?;
            end_tag(
                &w.tx,
                (household_id, Some(household_id), None),
                tag,
                date::to_sql(on),
            )?;
            w.changes_household(household_id);
            w.audit(
                "untag",
                household_id,
                &json!({"tag": tag, "on": on.to_string()}),
            )
        })
    }

    /// Puts `tag` on a resident from `start` (default always) to `end` (last day).
    pub fn tag_resident(
        &self,
        resident_id: i64,
        tag: &str,
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<()> {
        let start_sql = date::start_to_sql(start);
        let end_sql = end_to_sql(end);
        if end_sql <= start_sql {
            return Err(Error::invalid(
                "end",
                end.map(|d| d.to_string()).unwrap_or_default(),
                "ends before it starts",
            ));
        }
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            self.resident_in_scope(&w.tx, resident_id, on)?;
            check_tag(&tag_kinds(&w.tx)?, tag)?;
            let label = format!("resident {resident_id}");
            insert_tag(
                &w.tx,
                (&label, None, Some(resident_id)),
                tag,
                start_sql,
                end_sql,
            )?;
            changes_households_of(w, resident_id)?;
            w.audit(
                "tag_resident",
                &resident_id.to_string(),
                &json!({"tag": tag, "start": start.map(|d| d.to_string())}),
            )
        })
    }

    /// Ends a resident's `tag` from `on`.
    pub fn untag_resident(&self, resident_id: i64, tag: &str, on: Date) -> Result<()> {
        self.write(|w| {
            self.resident_in_scope(&w.tx, resident_id, on)?;
            let label = format!("resident {resident_id}");
            end_tag(
                &w.tx,
                (&label, None, Some(resident_id)),
                tag,
                date::to_sql(on),
            )?;
            changes_households_of(w, resident_id)?;
            w.audit(
                "untag_resident",
                &resident_id.to_string(),
                &json!({"tag": tag, "on": on.to_string()}),
            )
        })
    }

    /// Defines a deployment's own tag kind, or changes whether a kind counts as special.
    /// Needs an unrestricted handle.
    pub fn define_tag(&self, tag: &str, special: bool) -> Result<()> {
        self.check_unscoped("defining tags")?;
        check_text("tag", tag, 32)?;
        self.write(|w| {
            w.tx.prepare_cached(
                "INSERT INTO tag_kind (tag, special) VALUES (?1, ?2) ON CONFLICT (tag) DO UPDATE SET special = excluded.special",
            )?
            .execute(params![tag, special])?;
            w.audit("define_tag", tag, &json!({"special": special}))
        })
    }

    /// The tag kinds this store knows, sorted.
    pub fn tag_kinds(&self) -> Result<Vec<TagKind>> {
        let conn = self.conn();
        let mut kinds: Vec<TagKind> = tag_kinds(&conn)?
            .into_iter()
            .map(|(tag, special)| TagKind { tag, special })
            .collect();
        kinds.sort_by(|a, b| a.tag.cmp(&b.tag));
        Ok(kinds)
    }

    fn resident_in_scope(&self, conn: &Connection, resident_id: i64, on: Date) -> Result<String> {
        let (household_id, _, _) = membership_on(conn, resident_id, date::to_sql(on))?
            .ok_or_else(|| Error::not_found("resident", format!("{resident_id} on {on}")))?;
        self.household_in_scope(conn, &household_id, on)?;
        Ok(household_id)
    }

    /// Adds a resident to a household from `start` (default: as long as the household).
    /// The ID number is checked (GB 11643) against the start date (or today); a number
    /// already in the store is a `Conflict`.
    pub fn add_resident(
        &self,
        household_id: &str,
        resident: &NewResident,
        start: Option<Date>,
    ) -> Result<Resident> {
        let on = start.unwrap_or_else(|| self.today());
        let id = self.write(|w| self.add_resident_in(w, household_id, resident, start))?;
        self.resident(id, Some(on))
    }

    pub(crate) fn add_resident_in(
        &self,
        w: &mut crate::store::Write<'_>,
        household_id: &str,
        resident: &NewResident,
        start: Option<Date>,
    ) -> Result<i64> {
        let on = start.unwrap_or_else(|| self.today());
        check_text("name", &resident.name, 100)?;
        let id = resident
            .id_number
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|n| parse_id_number(n, on))
            .transpose()?;
        if let Some(phone) = resident.phone.as_deref() {
            check_phone(phone)?;
        }
        let relation = relation_name(resident.relation.as_deref().unwrap_or("head"));
        check_text("relation", relation, 32)?;
        self.household_in_scope(&w.tx, household_id, on)?;
        let kinds = tag_kinds(&w.tx)?;
        for tag in &resident.tags {
            check_tag(&kinds, tag)?;
        }
        let household_start: i64 =
            w.tx.prepare_cached("SELECT start FROM household WHERE household_id = ?1")?
                .query_row([household_id], |r| r.get(0))?;
        let start_sql = start.map_or(household_start, date::to_sql);
        w.tx.prepare_cached(
            "INSERT INTO resident (name, id_number, id_upgraded, birth_date, sex, phone, hukou, employer,
                                   household_id, relation, member_since)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            resident.name,
            id.as_ref().map(|i| i.number.as_str()),
            id.as_ref().is_some_and(|i| i.upgraded),
            id.as_ref().map(|i| date::to_sql(i.birth_date)),
            id.as_ref().map(|i| i.sex.as_str()),
            resident.phone,
            resident.hukou,
            resident.employer,
            household_id,
            relation,
            start_sql
        ])
        .map_err(|e| match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => Error::Conflict(
                format!("ID number {} is already in the store", mask_id_number(&id.as_ref().map(|i| i.number.clone()).unwrap_or_default())),
            ),
            _ => Error::from(e),
        })?;
        let resident_id = w.tx.last_insert_rowid();
        w.changes_household(household_id);
        let label = format!("resident {resident_id}");
        for tag in &resident.tags {
            insert_tag(
                &w.tx,
                (&label, None, Some(resident_id)),
                tag,
                start_sql,
                FOREVER,
            )?;
        }
        w.audit(
            "add_resident",
            &resident_id.to_string(),
            &json!({"household_id": household_id, "relation": relation}),
        )?;
        Ok(resident_id)
    }

    /// Moves a resident to another household from `on`, with their relation to its head.
    pub fn move_resident(
        &self,
        resident_id: i64,
        household_id: &str,
        relation: &str,
        on: Date,
    ) -> Result<Resident> {
        let relation = relation_name(relation);
        check_text("relation", relation, 32)?;
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let from = self.resident_in_scope(&w.tx, resident_id, on)?;
            self.household_in_scope(&w.tx, household_id, on)?;
            let (_, old_relation, valid_from) = membership_on(&w.tx, resident_id, on_sql)?
                .ok_or_else(|| Error::not_found("resident", resident_id))?;
            let since: i64 = w
                .tx
                .prepare_cached("SELECT member_since FROM resident WHERE resident_id = ?1")?
                .query_row([resident_id], |r| r.get(0))?;
            if since > on_sql {
                return Err(Error::Conflict(format!("resident {resident_id} has moves recorded after {on}")));
            }
            // The membership valid on `on` is the latest, on the resident's row.
            if valid_from != on_sql {
                w.tx.prepare_cached(
                    "INSERT INTO membership (resident_id, valid_from, valid_to, household_id, relation) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![resident_id, valid_from, on_sql, from, old_relation])?;
            }
            w.tx.prepare_cached("UPDATE resident SET household_id = ?2, relation = ?3, member_since = ?4 WHERE resident_id = ?1")?
                .execute(params![resident_id, household_id, relation, on_sql])?;
            w.changes_household(&from);
            w.changes_household(household_id);
            w.audit(
                "move_resident",
                &resident_id.to_string(),
                &json!({"from": from, "to": household_id, "on": on.to_string()}),
            )
        })?;
        self.resident(resident_id, Some(on))
    }

    /// A resident as they stood on `as_of` (default today), ID number and phone masked.
    pub fn resident(&self, resident_id: i64, as_of: Option<Date>) -> Result<Resident> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.conn();
        let household_id = self.resident_in_scope(&conn, resident_id, on)?;
        let mut found = residents_of(&conn, &household_id, date::to_sql(on), Some(resident_id))?;
        found
            .pop()
            .ok_or_else(|| Error::not_found("resident", resident_id))
    }

    /// The residents of a household on `as_of` (default today), heads first, then by id.
    pub fn residents(&self, household_id: &str, as_of: Option<Date>) -> Result<Vec<Resident>> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.conn();
        self.household_in_scope(&conn, household_id, on)?;
        residents_of(&conn, household_id, date::to_sql(on), None)
    }

    /// A resident's ID number and phone in clear. The read is recorded in the audit chain.
    pub fn resident_clear(&self, resident_id: i64) -> Result<(Option<String>, Option<String>)> {
        let today = self.today();
        self.write(|w| {
            let latest: Option<i64> =
                w.tx.prepare_cached("SELECT member_since FROM resident WHERE resident_id = ?1")?
                    .query_row([resident_id], |r| r.get(0))
                    .optional()?;
            let Some(latest) = latest else {
                return Err(Error::not_found("resident", resident_id));
            };
            let on = if latest > date::to_sql(today) {
                date::from_sql(latest)
            } else {
                today
            };
            if self.access.root.is_some() {
                self.resident_in_scope(&w.tx, resident_id, on)?;
            }
            let clear: (Option<String>, Option<String>) = w
                .tx
                .prepare_cached("SELECT id_number, phone FROM resident WHERE resident_id = ?1")?
                .query_row([resident_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            w.changes_no_household();
            w.audit(
                "read_clear",
                &resident_id.to_string(),
                &json!({"fields": ["id_number", "phone"]}),
            )?;
            Ok(clear)
        })
    }

    /// Registry counts on `as_of` (default today) for every unit in `unit`'s subtree that
    /// has households living directly in it, sorted by code, plus the subtree's total
    /// (whose `unit` is `unit` itself).
    pub fn unit_counts(
        &self,
        unit: &str,
        as_of: Option<Date>,
    ) -> Result<(UnitCounts, Vec<UnitCounts>)> {
        let on = as_of.unwrap_or_else(|| self.today());
        let root = self.unit(unit, Some(on))?;
        let on_sql = date::to_sql(on);
        let conn = self.conn();
        let snapshot = self.registry_snapshot(&conn)?;
        let wanted = snapshot
            .subtree(&conn, &root.code, on_sql)?
            .ok_or_else(|| Error::not_found("unit", unit))?
            .marks;
        drop(conn);
        let mut total = UnitCounts {
            unit: unit.to_owned(),
            ..Default::default()
        };
        let mut rows = Vec::new();
        for (i, t) in snapshot.tally(on_sql, &wanted).into_iter().enumerate() {
            if t.households == 0 {
                continue;
            }
            total.households += t.households;
            total.special_households += t.special_households;
            total.residents += t.residents;
            total.floating += t.floating;
            rows.push(UnitCounts {
                unit: snapshot.unit_code(i as u32).to_owned(),
                households: t.households,
                special_households: t.special_households,
                residents: t.residents,
                floating: t.floating,
            });
        }

        rows.sort_by(|a, b| a.unit.cmp(&b.unit));
        Ok((total, rows))
    }
}

/// Residents of one household on `on` (or just `only`), heads first.
fn residents_of(
    conn: &Connection,
    household_id: &str,
    on: i64,
    only: Option<i64>,
) -> Result<Vec<Resident>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH m AS ({MEMBERS_ON})
         SELECT r.resident_id, r.name, r.id_number, r.id_upgraded, r.birth_date, r.sex, r.phone, r.hukou, r.employer, m.relation
         FROM m JOIN resident r ON r.resident_id = m.resident_id
         WHERE ?3 IS NULL OR r.resident_id = ?3"
    ))?;
    let mut rows = stmt.query(params![household_id, on, only])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let sex: Option<String> = row.get(5)?;
        out.push(Resident {
            resident_id: row.get(0)?,
            household_id: household_id.to_owned(),
            name: row.get(1)?,
            id_number: row
                .get::<_, Option<String>>(2)?
                .as_deref()
                .map(mask_id_number),
            id_upgraded: row.get(3)?,
            birth_date: row.get::<_, Option<i64>>(4)?.map(date::from_sql),
            sex: sex.map(|s| if s == "male" { Sex::Male } else { Sex::Female }),
            phone: row.get::<_, Option<String>>(6)?.as_deref().map(mask_phone),
            hukou: row.get(7)?,
            employer: row.get(8)?,
            relation: row.get(9)?,
            tags: Vec::new(),
        });
    }
    let mut tag_stmt = conn.prepare_cached(
        "SELECT tag FROM tag WHERE resident_id = ?1 AND start <= ?2 AND end_day > ?2 ORDER BY tag",
    )?;
    for resident in &mut out {
        resident.tags = tag_stmt
            .query_map(params![resident.resident_id, on], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    out.sort_by(|a, b| {
        (a.relation != "head")
            .cmp(&(b.relation != "head"))
            .then(a.resident_id.cmp(&b.resident_id))
    });
    Ok(out)
}
