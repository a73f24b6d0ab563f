//! Registering entries, and reading an entry and its history back: every registration
//! written with its first event in one transaction, and audited. Working entries is in
//! [`super::actions`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::FixedOffset;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::actions::apply::{Walk, append_event};
use super::classify::{Classifier, Places, classifier_on, handler_reason};
use super::marks::Mark;
use super::workflow::{Clock, State};
use super::{Action, Entry, EntryEvent, Source, TimeLimit, Triage, moment_of};
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::json::{self as input, Fields};
use crate::store::{Store, Write};
use crate::text;
use crate::units::spans_of;

/// An entry to register.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// The unit where it is raised (a grid, usually).
    pub unit: String,
    /// Its category; `None` lets the summary's keywords suggest one.
    pub category: Option<String>,
    /// What the resident raised, 1 to 2000 characters.
    pub summary: String,
    /// When it was reported.
    pub reported_at: Moment,
    /// The household it concerns: it must live in the unit's subtree that day.
    pub household_id: Option<String>,
    /// The resident it concerns: a member of the household that day (which it implies).
    pub resident_id: Option<i64>,
    /// Where it came from.
    pub source: Source,
    /// Flagged urgent by whoever took it.
    pub urgent: bool,
    /// The visit finding it takes up, if any.
    pub finding_id: Option<i64>,
}

impl NewEntry {
    /// An entry raised at `unit` from [`Source::DEFAULT`] (a visit), not flagged urgent, about no household.
    pub fn new(unit: &str, category: Option<&str>, summary: &str, reported_at: Moment) -> Self {
        NewEntry {
            unit: unit.to_owned(),
            category: category.map(str::to_owned),
            summary: summary.to_owned(),
            reported_at,
            household_id: None,
            resident_id: None,
            source: Source::DEFAULT,
            urgent: false,
            finding_id: None,
        }
    }

    /// The keys of the JSON object [`NewEntry::from_json`] reads.
    pub const KEYS: [&'static str; 9] = [
        "unit",
        "category",
        "summary",
        "reported_at",
        "household_id",
        "resident_id",
        "source",
        "urgent",
        "finding_id",
    ];

    /// Reads an entry from a JSON object `{"unit": text, "summary": text, "reported_at":
    /// text, "category": text|null, "household_id": text|null, "resident_id": int|null,
    /// "source": text, "urgent": bool, "finding_id": int|null}`: `reported_at` RFC 3339,
    /// or local time read in `offset`; only the first three required; `source` by default
    /// [`Source::DEFAULT`], `urgent` false. Unknown keys are refused.
    pub fn from_json(value: &Value, offset: FixedOffset) -> Result<Self> {
        let f = Fields::of(value, "entry", &NewEntry::KEYS)?;
        let int = |field: &'static str| -> Result<Option<i64>> {
            match f.object().get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| Error::invalid(field, v.to_string(), "expected a whole number")),
            }
        };
        let urgent = match f.object().get("urgent") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                return Err(Error::invalid(
                    "urgent",
                    v.to_string(),
                    "expected true or false",
                ));
            }
        };
        Ok(NewEntry {
            unit: f.required("unit")?.to_owned(),
            category: f.text("category")?.map(str::to_owned),
            summary: f.required("summary")?.to_owned(),
            reported_at: date::parse_moment("reported_at", f.required("reported_at")?, offset)?,
            household_id: f.text("household_id")?.map(str::to_owned),
            resident_id: int("resident_id")?,
            source: f
                .text("source")?
                .map(Source::parse)
                .transpose()?
                .unwrap_or_default(),
            urgent,
            finding_id: int("finding_id")?,
        })
    }

    /// The entry as a JSON object in the shape [`NewEntry::from_json`] reads.
    pub fn to_json(&self) -> Value {
        json!({
            "unit": self.unit,
            "category": self.category,
            "summary": self.summary,
            "reported_at": self.reported_at.to_rfc3339(),
            "household_id": self.household_id,
            "resident_id": self.resident_id,
            "source": self.source.as_str(),
            "urgent": self.urgent,
            "finding_id": self.finding_id,
        })
    }

    /// Reads one entry from JSON text in the shape of [`NewEntry::from_json`].
    pub fn from_json_str(json: &str, offset: FixedOffset) -> Result<Self> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid("entry", json, format!("not JSON: {e}")))?;
        NewEntry::from_json(&value, offset)
    }

    /// Reads a batch: a JSON array of objects in the shape of [`NewEntry::from_json`], a
    /// refusal naming the entry's place (`entry 3 of the batch`).
    pub fn list_from_json(json: &str, offset: FixedOffset) -> Result<Vec<Self>> {
        input::array_of(json, "entries", "entry", |v| NewEntry::from_json(v, offset))
    }

    fn check(&self) -> Result<()> {
        text::check_len("summary", &self.summary, 1, text::LONG_TEXT_MAX)?;
        if let Some(c) = &self.category {
            text::check_len("category", c, 1, 64)?;
        }
        Ok(())
    }
}

/// The columns an entry is read from, in [`entry_from`]'s order.
pub(crate) const ENTRY_COLUMNS: &str = "e.id, e.unit, e.household_id, e.resident_id, e.source, \
     e.reported, e.category, e.summary, e.urgent, e.books, e.triage, e.time_limit, e.finding_id, e.state";

/// An entry from a row of [`ENTRY_COLUMNS`], with `state` standing in for the stored one
/// when given (a query as of a past moment).
pub(crate) fn entry_from(
    row: &Row<'_>,
    offset: FixedOffset,
    state: Option<&State>,
) -> Result<Entry> {
    let stored;
    let state = if let Some(s) = state {
        s
    } else {
        stored = State::from_json(row.get_ref(13)?.as_str().map_err(rusqlite::Error::from)?)?;
        &stored
    };
    let at = |s: i64| moment_of(s, offset);
    let books: String = row.get(9)?;
    Ok(Entry {
        id: row.get(0)?,
        unit: row.get(1)?,
        household_id: row.get(2)?,
        resident_id: row.get(3)?,
        source: Source::parse(&row.get::<_, String>(4)?)?,
        reported_at: at(row.get(5)?),
        category: row.get(6)?,
        summary: row.get(7)?,
        urgent: row.get(8)?,
        books: books
            .split('\n')
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect(),
        triage: Triage::parse(&row.get::<_, String>(10)?)?,
        time_limit: TimeLimit::parse(&row.get::<_, String>(11)?)?,
        finding_id: row.get(12)?,
        status: state.status,
        hard: state.hard,
        handler: state.handler.clone(),
        deadline: at(state.deadline),
        sign_due: state.sign_due.map(at),
        suspended_since: state.suspended.map(at),
        rework: state.rework,
        signed_at: state.signed.map(at),
        first_resolved_at: state.first_resolved.map(at),
        resolved_at: state.resolved.map(at),
        closed_at: state.closed.map(at),
        verified: state.verified,
    })
}

/// Registers entries, remembering the units, classifiers and calendar it has used.
struct Registrar {
    walk: Walk,
    offset: FixedOffset,
    classifiers: HashMap<i64, Arc<Classifier>>,
    places: Places,
}

impl Registrar {
    fn new(store: &Store, conn: &Connection) -> Result<Registrar> {
        Ok(Registrar {
            walk: Walk::new(store, conn)?,
            offset: store.offset(),
            classifiers: HashMap::new(),
            places: Places::default(),
        })
    }

    /// The path of `code` on `day`, refused outside the store's scope.
    fn path(&mut self, store: &Store, conn: &Connection, code: &str, day: i64) -> Result<String> {
        let span = self.walk.span_on(conn, code, day)?;
        store.check_path_in_scope(code, &span.path)?;
        Ok(span.path.clone())
    }

    fn register(&mut self, store: &Store, w: &mut Write<'_>, new: &NewEntry) -> Result<i64> {
        new.check()?;
        let at = new.reported_at.timestamp();
        let day = date::to_sql(date::local_date(&new.reported_at, self.offset));
        let path = self.path(store, &w.tx, &new.unit, day)?;
        let mut household = new.household_id.clone();
        if let Some(resident) = new.resident_id {
            let (of, _, _) =
                crate::registry::membership_on(&w.tx, resident, day)?.ok_or_else(|| {
                    Error::not_found("resident", format!("{resident} on {}", date::iso(day)))
                })?;
            // A resident outside is not found, without naming their household.
            crate::visits::household_unit(store, &w.tx, &of, day, &mut self.walk.spans).map_err(
                |e| match e.kind() {
                    crate::ErrorKind::NotFound => {
                        Error::not_found("resident", format!("{resident} on {}", date::iso(day)))
                    }
                    _ => e,
                },
            )?;
            match &household {
                Some(h) if *h != of => {
                    return Err(Error::invalid(
                        "resident_id",
                        resident,
                        format!("not a member of household {h} that day"),
                    ));
                }
                _ => household = Some(of),
            }
        }
        let tags = match &household {
            Some(h) => {
                let lives =
                    crate::visits::household_unit(store, &w.tx, h, day, &mut self.walk.spans)?;
                let home = self.path(store, &w.tx, &lives, day)?;
                if !crate::store::path_contains(&home, &new.unit) {
                    return Err(Error::invalid(
                        "household_id",
                        h,
                        format!("lives outside unit {} on {}", new.unit, date::iso(day)),
                    ));
                }
                crate::registry::household_tags(&w.tx, h, day)?
            }
            None => BTreeSet::new(),
        };
        let classifier = if let Some(c) = self.classifiers.get(&day) {
            Arc::clone(c)
        } else {
            let c = classifier_on(store, &w.tx, day)?;
            self.classifiers.insert(day, Arc::clone(&c));
            c
        };
        // A finding taken up keeps the category it was found with, unless one is given.
        let found_category = match new.finding_id {
            Some(finding) => take_finding(store, &w.tx, finding, &new.unit)?,
            None => None,
        };
        let category = new.category.as_deref().or(found_category.as_deref());
        let decision = classifier.classify(category, &new.summary, &tags, new.urgent, false)?;
        let handler = self.places.handler(
            store,
            &w.tx,
            &classifier,
            &path,
            decision.triage,
            classifier.department(&decision.category),
        )?;
        let clock = Clock {
            calendar: &self.walk.calendar,
            offset: self.offset,
        };
        let deadline = clock.limit_end(at, decision.time_limit)?;
        let sign_due = clock.limit_end(at, decision.sign_for_limit)?;
        let state = State::registered(&new.unit, handler.clone(), deadline, sign_due);
        let state_text = state.to_text();
        let mut marks = Vec::new();
        Mark::new(Action::Register, at, &state).pack(0, &mut marks);
        crate::submit::locks::check_entry(&w.tx, self.walk.locks, &new.unit, at)?;
        w.tx.prepare_cached(
            "INSERT INTO entry (unit, household_id, resident_id, source, reported, reported_day,
             category, summary, urgent, books, triage, time_limit, sign_limit, finding_id,
             state, status, hard, handler, deadline, sign_due, last_at, events, marks)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                     ?15, 'registered', 0, ?16, ?17, ?18, ?5, 1, ?19)",
        )?
        .execute(params![
            new.unit,
            household,
            new.resident_id,
            new.source.as_str(),
            at,
            day,
            decision.category,
            new.summary,
            decision.urgent,
            decision.books.join("\n"),
            decision.triage.as_str(),
            decision.time_limit.as_text(),
            decision.sign_for_limit.as_text(),
            new.finding_id,
            state_text,
            state.handler.key(),
            state.deadline,
            state.sign_due,
            marks,
        ])?;
        let id = w.tx.last_insert_rowid();
        w.changes_entry(id);
        if let Some(finding) = new.finding_id {
            w.tx.prepare_cached("UPDATE visit_finding SET entry_id = ?2 WHERE id = ?1")?
                .execute(params![finding, id])?;
        }
        let reason = handler_reason(decision.triage, &handler);
        let actor = w.actor().to_owned();
        append_event(
            w,
            self.walk.locks,
            id,
            1,
            (Action::Register, &actor, at, &reason.effect, false),
            (None, None),
            &state_text,
        )?;
        if w.on_device() {
            let refers = match new.finding_id {
                Some(f) => crate::handheld::local_origin(&w.tx, "finding", f)?,
                None => None,
            };
            w.log_device("entry", &new.to_json(), Some(id), refers)?;
        }
        Ok(id)
    }
}

/// The category a finding was found with; refused when it does not exist (or lies
/// outside `store`'s scope), is already taken up, or was found elsewhere.
fn take_finding(
    store: &Store,
    conn: &Connection,
    finding: i64,
    unit: &str,
) -> Result<Option<String>> {
    let row: Option<(String, Option<i64>, Option<String>)> = conn
        .prepare_cached("SELECT unit, entry_id, category FROM visit_finding WHERE id = ?1")?
        .query_row([finding], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((found_at, _, _)) = &row
        && store.scope_root().is_some()
    {
        let path = spans_of(conn, found_at)?
            .pop()
            .map(|s| s.path)
            .unwrap_or_default();
        store.check_hidden(&path, "finding", finding)?;
    }
    match row {
        None => Err(Error::not_found("finding", finding)),
        Some((_, Some(entry), _)) => Err(Error::Conflict(format!(
            "finding {finding} is already taken up by entry {entry}"
        ))),
        Some((at, None, _)) if at != unit => Err(Error::invalid(
            "finding_id",
            finding,
            format!("found at unit {at}, not {unit}"),
        )),
        Some((_, None, category)) => Ok(category),
    }
}

impl Store {
    /// Registers an entry: classified by the rules in force on its day, given its books,
    /// triage, handler and deadline, and recorded with a `register` event. Refused when
    /// its unit did not exist that day or lies outside this handle's scope, when its
    /// household did not live in the unit's subtree, for an unknown category (unless the
    /// rules keep free categories), and when the calendar lacks a year its limits reach.
    pub fn register(&self, entry: &NewEntry) -> Result<Entry> {
        let id = self.write(|w| self.register_in(w, entry))?;
        self.entry(id)
    }

    /// What [`Store::register`] does inside its write (a merge replays entries here).
    pub(crate) fn register_in(&self, w: &mut Write<'_>, entry: &NewEntry) -> Result<i64> {
        let mut registrar = Registrar::new(self, &w.tx)?;
        let id = registrar.register(self, w, entry)?;
        w.changes_no_household();
        w.audit(
            "register_entry",
            &format!("entry {id}"),
            &[&entry.unit],
            &json!({"unit": entry.unit, "finding": entry.finding_id}),
        )?;
        Ok(id)
    }

    /// Registers a batch of entries in one transaction, all or nothing: an entry that
    /// [`Store::register`] would refuse refuses the batch, with an error naming its
    /// position (from 0). Returns the ids in order; the audit chain gets one record.
    pub fn register_entries(&self, entries: &[NewEntry]) -> Result<Vec<i64>> {
        self.write(|w| {
            let mut registrar = Registrar::new(self, &w.tx)?;
            let mut ids = Vec::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                let id = registrar
                    .register(self, w, e)
                    .map_err(|err| err.context(&format!("entry {i} of the batch")))?;
                ids.push(id);
            }
            w.changes_no_household();
            w.audit(
                "register_entries",
                &format!("{} entries", ids.len()),
                &entries.iter().map(|e| e.unit.as_str()).collect::<Vec<_>>(),
                &json!({"entries": ids.len(), "first": ids.first(), "last": ids.last()}),
            )?;
            Ok(ids)
        })
    }

    /// Registers a batch given as a JSON array of objects in the shape of
    /// [`NewEntry::from_json`].
    pub fn register_entries_json(&self, json: &str) -> Result<Vec<i64>> {
        self.register_entries(&NewEntry::list_from_json(json, self.offset())?)
    }

    /// Registers an entry for a visit finding: at the finding's unit, about the visited
    /// household, with its summary, its category unless `category` is given, and its
    /// urgency; the finding is taken up by the entry. `Conflict` if it already was.
    pub fn register_finding(
        &self,
        finding_id: i64,
        category: Option<&str>,
        reported_at: &Moment,
    ) -> Result<Entry> {
        let row: Option<(String, String, String, Option<String>, bool)> = {
            let conn = self.conn()?;
            conn.prepare_cached(
                "SELECT f.unit, v.household_id, f.summary, f.category, f.urgent
                 FROM visit_finding f JOIN visit v ON v.id = f.visit_id WHERE f.id = ?1",
            )?
            .query_row([finding_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?
        };
        let (unit, household, summary, found_category, urgent) =
            row.ok_or_else(|| Error::not_found("finding", finding_id))?;
        if self.access.root.is_some() {
            let conn = self.conn()?;
            let path = spans_of(&conn, &unit)?
                .pop()
                .map(|s| s.path)
                .unwrap_or_default();
            self.check_hidden(&path, "finding", finding_id)?;
        }
        let mut entry = NewEntry::new(
            &unit,
            category.or(found_category.as_deref()),
            &summary,
            *reported_at,
        );
        entry.household_id = Some(household);
        entry.urgent = urgent;
        entry.finding_id = Some(finding_id);
        self.register(&entry)
    }

    /// Entry `id` as it stands; refused outside this handle's scope.
    pub fn entry(&self, id: i64) -> Result<Entry> {
        let conn = self.read()?;
        let entry = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM entry e WHERE e.id = ?1"
            ))?
            .query_row([id], |r| Ok(entry_from(r, self.offset(), None)))
            .optional()?
            .ok_or_else(|| Error::not_found("entry", id))??;
        let path = spans_of(&conn, &entry.unit)?
            .pop()
            .map(|s| s.path)
            .ok_or_else(|| Error::not_found("unit", &entry.unit))?;
        self.check_hidden(&path, "entry", id)?;
        Ok(entry)
    }

    /// Entry `id`'s history, oldest first.
    pub fn history(&self, id: i64) -> Result<Vec<EntryEvent>> {
        self.entry(id)?;
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM entry_event WHERE entry_id = ?1 ORDER BY seq"
        ))?;
        let mut rows = stmt.query([id])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(event_from(row, self.offset())?);
        }
        Ok(out)
    }
}

const EVENT_COLUMNS: &str = "entry_id, seq, action, actor, at, note, auto, days, satisfied, state";

fn event_from(row: &Row<'_>, offset: FixedOffset) -> Result<EntryEvent> {
    let state = State::from_json(&row.get::<_, String>(9)?)?;
    Ok(EntryEvent {
        entry_id: row.get(0)?,
        seq: row.get(1)?,
        action: Action::parse(&row.get::<_, String>(2)?)?,
        actor: row.get(3)?,
        at: moment_of(row.get(4)?, offset),
        note: row.get(5)?,
        auto: row.get(6)?,
        days: row.get(7)?,
        satisfied: row.get(8)?,
        status: state.status,
        handler: state.handler,
        deadline: moment_of(state.deadline, offset),
        hard: state.hard,
    })
}
