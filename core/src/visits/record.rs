//! Recording visits, one at a time or in a batch, and reading them back.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::sets::Fields;
use super::{Channel, Visit};
use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::store::{Store, Write, audit};
use crate::submit::locks::Locks;
use crate::text;
use crate::units::{Span, spans_of};

/// A visit to record with [`Store::record_visits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    /// The household contacted.
    pub household_id: String,
    /// Who made the contact.
    pub staff_id: String,
    /// Home visit or phone call.
    pub channel: Channel,
    /// The day of the contact.
    pub on: Date,
    /// What was said or found; at most 2000 characters.
    pub note: String,
}

impl NewVisit {
    /// The keys of the JSON object [`NewVisit::from_json`] reads.
    pub const KEYS: [&'static str; 5] = ["household_id", "staff_id", "channel", "on", "note"];

    /// Reads a visit from a JSON object `{"household_id": text, "staff_id": text,
    /// "channel": text, "on": "YYYY-MM-DD", "note": text}` (`note` optional, at most 2000
    /// characters). A bad field or an unknown key is `InvalidInput` naming it.
    pub fn from_json(value: &Value) -> Result<Self> {
        let fields = Fields::of(value, "visit", &NewVisit::KEYS)?;
        Ok(NewVisit {
            household_id: fields.required("household_id")?.to_owned(),
            staff_id: fields.required("staff_id")?.to_owned(),
            channel: Channel::parse(fields.required("channel")?)?,
            on: date::parse_date("on", fields.required("on")?)?,
            note: fields.text("note")?.unwrap_or_default().to_owned(),
        })
    }
}

impl NewVisit {
    /// The visit as a JSON object in the shape [`NewVisit::from_json`] reads.
    pub fn to_json(&self) -> Value {
        json!({"household_id": self.household_id, "staff_id": self.staff_id,
               "channel": self.channel.as_str(), "on": self.on.to_string(), "note": self.note})
    }

    /// Reads a batch: a JSON array of objects in the shape of [`NewVisit::from_json`], a
    /// refusal naming the visit's place (`visit 3 of the batch`).
    pub fn list_from_json(json: &str) -> Result<Vec<Self>> {
        crate::json::array_of(json, "visits", "visit", NewVisit::from_json)
    }
}

fn check_note(note: &str) -> Result<()> {
    text::check_len("note", note, 0, text::LONG_TEXT_MAX)
}

impl Store {
    /// Records a contact with a household. Refused for a household that did not live
    /// (in this handle's scope) on that day, or a staff member the store does not know.
    pub fn record_visit(
        &self,
        household_id: &str,
        staff_id: &str,
        channel: &str,
        on: Date,
        note: &str,
    ) -> Result<Visit> {
        let channel = Channel::parse(channel)?;
        check_note(note)?;
        let visit = NewVisit {
            household_id: household_id.to_owned(),
            staff_id: staff_id.to_owned(),
            channel,
            on,
            note: note.to_owned(),
        };
        let id = self.write(|w| self.record_visit_in(w, &visit))?;
        Ok(Visit {
            id,
            household_id: household_id.to_owned(),
            staff_id: staff_id.to_owned(),
            channel,
            on,
            note: note.to_owned(),
        })
    }

    /// What [`Store::record_visit`] does inside its write (a merge replays visits here).
    pub(crate) fn record_visit_in(&self, w: &mut Write<'_>, visit: &NewVisit) -> Result<i64> {
        check_note(&visit.note)?;
        let unit = Checker::default().check(self, &w.tx, visit)?;
        let id = insert(w, Locks::read(&w.tx)?, visit)?;
        w.audit(
            "record_visit",
            &visit.household_id,
            &[unit],
            &json!({"visit": id, "staff_id": visit.staff_id, "channel": visit.channel.as_str(),
                    "on": visit.on.to_string()}),
        )?;
        Ok(id)
    }

    /// The visits of a household, oldest first.
    pub fn visits(&self, household_id: &str) -> Result<Vec<Visit>> {
        let conn = self.read()?;
        self.household_visible(&conn, household_id, self.today())?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, staff_id, channel, day, note FROM visit WHERE household_id = ?1 ORDER BY day, id",
        )?;
        let rows = stmt.query_map([household_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, staff_id, channel, day, note) = row?;
            Ok(Visit {
                id,
                household_id: household_id.to_owned(),
                staff_id,
                channel: Channel::parse(&channel)?,
                on: date::from_sql(day),
                note,
            })
        })
        .collect()
    }

    /// Records a batch of visits given as a JSON array of
    /// `{"household_id", "staff_id", "channel", "on", "note"}`, as
    /// [`Store::record_visits`] does; returns the visits' ids in order.
    pub fn record_visits_json(&self, json: &str) -> Result<Vec<i64>> {
        self.record_visits(&NewVisit::list_from_json(json)?)
    }

    /// Records a batch of visits in one transaction, all or nothing: a visit that
    /// [`Store::record_visit`] would refuse refuses the whole batch, with an error naming
    /// its position (from 0). Returns the visits' ids in order. The audit chain gets one
    /// record for the batch, with its size and its first and last visit ids.
    ///
    /// The visits are checked through a reader before the write lock is taken, so that
    /// other writers wait only while the rows are written. The write checks them again
    /// only if the audit chain moved in between (another write came first).
    pub fn record_visits(&self, visits: &[NewVisit]) -> Result<Vec<i64>> {
        for (i, v) in visits.iter().enumerate() {
            check_note(&v.note).map_err(|e| at_position(i, e))?;
        }
        let checked = {
            let conn = self.read()?;
            let head = audit::load_head(&conn)?;
            (head, check_all(self, &conn, visits)?)
        };
        self.write(|w| {
            let (head, units) = &checked;
            let rechecked;
            let units = if audit::load_head(&w.tx)? == *head {
                units
            } else {
                rechecked = check_all(self, &w.tx, visits)?;
                &rechecked
            };
            let mut ids = Vec::with_capacity(visits.len());
            let locks = Locks::read(&w.tx)?;
            for v in visits {
                ids.push(insert(w, locks, v)?);
            }
            let units: Vec<String> = units.iter().cloned().collect();
            w.changes_no_household();
            w.audit(
                "record_visits",
                &format!("{} visits", ids.len()),
                &units,
                &json!({"visits": ids.len(), "first": ids.first(), "last": ids.last()}),
            )?;
            Ok(ids)
        })
    }
}

/// Checks every visit of a batch through `conn`, a refusal naming its position; gives
/// the units they were made in.
fn check_all(store: &Store, conn: &Connection, visits: &[NewVisit]) -> Result<HashSet<String>> {
    let mut checker = Checker::default();
    let mut units = HashSet::new();
    for (i, v) in visits.iter().enumerate() {
        units.insert(
            checker
                .check(store, conn, v)
                .map_err(|e| at_position(i, e))?,
        );
    }
    Ok(units)
}

/// Checks visits before they are written, remembering the units and staff it has seen.
#[derive(Default)]
struct Checker {
    spans: HashMap<String, Vec<Span>>,
    staff: HashSet<String>,
}

impl Checker {
    /// Refuses a visit to a household that did not live in `store`'s scope on its day, or
    /// by staff the store does not know; returns the unit the household lived in.
    fn check(&mut self, store: &Store, conn: &Connection, visit: &NewVisit) -> Result<String> {
        let unit = household_unit(
            store,
            conn,
            &visit.household_id,
            date::to_sql(visit.on),
            &mut self.spans,
        )?;
        if !self.staff.contains(&visit.staff_id) {
            staff_known(conn, &visit.staff_id)?;
            self.staff.insert(visit.staff_id.clone());
        }
        Ok(unit)
    }
}

/// The unit a household lived in on `day`, refused unless it lies in `store`'s scope;
/// `spans` keeps the spans of units already looked up.
pub(crate) fn household_unit(
    store: &Store,
    conn: &Connection,
    household_id: &str,
    day: i64,
    spans: &mut HashMap<String, Vec<Span>>,
) -> Result<String> {
    let (unit, _, _) = crate::registry::place_on(conn, household_id, day)?.ok_or_else(|| {
        Error::not_found("household", format!("{household_id} on {}", date::iso(day)))
    })?;
    if !spans.contains_key(&unit) {
        spans.insert(unit.clone(), spans_of(conn, &unit)?);
    }
    let span = spans[&unit]
        .iter()
        .find(|s| s.valid_from <= day && day < s.valid_to)
        .ok_or_else(|| Error::not_found("unit", &unit))?;
    store.check_hidden(
        &span.path,
        "household",
        format!("{household_id} on {}", date::iso(day)),
    )?;
    Ok(unit)
}

/// Writes one checked visit; refused in a locked period ([`crate::submit::locks`], as
/// `locks` found them when the write began).
fn insert(w: &mut Write<'_>, locks: Locks, v: &NewVisit) -> Result<i64> {
    let day = date::to_sql(v.on);
    crate::submit::locks::check_visit(&w.tx, locks, &v.household_id, day)?;
    w.tx.prepare_cached(
        "INSERT INTO visit (household_id, staff_id, channel, day, note) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![v.household_id, v.staff_id, v.channel.as_str(), day, v.note])?;
    w.changes_no_household();
    w.records_visit(&v.household_id, day, v.channel.as_str());
    let id = w.tx.last_insert_rowid();
    w.log_device("visit", &v.to_json(), Some(id), None)?;
    Ok(id)
}

/// Refuses a staff id the store does not know.
fn staff_known(conn: &Connection, staff_id: &str) -> Result<()> {
    let known: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM staff WHERE staff_id = ?1")?
        .query_row([staff_id], |r| r.get(0))
        .optional()?;
    known
        .map(|_| ())
        .ok_or_else(|| Error::not_found("staff", staff_id))
}

/// `error`, saying which visit of a batch it is about.
fn at_position(i: usize, error: Error) -> Error {
    error.context(&format!("visit {i} of the batch"))
}
