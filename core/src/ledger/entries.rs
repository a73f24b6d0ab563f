//! Registering entries and working them: every change checked by the workflow, written
//! with its event in one transaction, and audited.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::FixedOffset;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::classify::{Classifier, Places, classifier_on, handler_reason};
use super::marks::{self, Mark};
use super::workflow::{Clock, State, Step, day_of};
use super::{Action, Entry, EntryEvent, Handler, Source, TimeLimit, Triage, moment_of};
use crate::calendar::Calendar;
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::store::{Store, Write};
use crate::units::{Span, spans_of};
use crate::visits::sets::Fields;

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
    /// An entry raised at `unit` on a visit, not flagged urgent, about no household.
    pub fn new(unit: &str, category: Option<&str>, summary: &str, reported_at: Moment) -> Self {
        NewEntry {
            unit: unit.to_owned(),
            category: category.map(str::to_owned),
            summary: summary.to_owned(),
            reported_at,
            household_id: None,
            resident_id: None,
            source: Source::Visit,
            urgent: false,
            finding_id: None,
        }
    }

    /// Reads an entry from a JSON object with the keys `unit`, `summary`, `reported_at`
    /// (RFC 3339, or local time read in `offset`) and optionally `category`,
    /// `household_id`, `resident_id`, `source` (default `visit`), `urgent`, `finding_id`.
    pub fn from_json(value: &Value, offset: FixedOffset) -> Result<Self> {
        let f = Fields::of(
            value,
            "entry",
            &[
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
        )?;
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
            source: Source::parse(f.text("source")?.unwrap_or("visit"))?,
            urgent,
            finding_id: int("finding_id")?,
        })
    }

    fn check(&self) -> Result<()> {
        let length = self.summary.chars().count();
        if self.summary.trim().is_empty() || length > 2000 {
            return Err(Error::invalid(
                "summary",
                &self.summary,
                "a summary is 1 to 2000 characters",
            ));
        }
        if let Some(c) = &self.category
            && (c.trim().is_empty() || c.chars().count() > 64)
        {
            return Err(Error::invalid(
                "category",
                c,
                "a category is 1 to 64 characters",
            ));
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

/// What a write needs to know of an entry to change it.
struct Current {
    unit: String,
    limits: (TimeLimit, TimeLimit),
    state: State,
    last_at: i64,
    events: u32,
}

fn current(conn: &Connection, id: i64) -> Result<Current> {
    conn.prepare_cached(
        "SELECT unit, time_limit, sign_limit, state, last_at, events FROM entry WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, u32>(5)?,
        ))
    })
    .optional()?
    .ok_or_else(|| Error::not_found("entry", id))
    .and_then(|(unit, limit, sign, state, last_at, events)| {
        Ok(Current {
            unit,
            limits: (TimeLimit::parse(&limit)?, TimeLimit::parse(&sign)?),
            state: State::from_json(&state)?,
            last_at,
            events,
        })
    })
}

/// Appends an event with the state after it.
fn append_event(
    w: &mut Write<'_>,
    id: i64,
    seq: u32,
    (action, actor, at, note, auto): (Action, &str, i64, &str, bool),
    (days, satisfied): (Option<u32>, Option<bool>),
    state: &str,
) -> Result<()> {
    w.tx.prepare_cached(
        "INSERT INTO entry_event (entry_id, seq, action, actor, at, note, auto, days, satisfied, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![id, seq, action.as_str(), actor, at, note, auto, days, satisfied, state])?;
    Ok(())
}

/// Stores an entry's state after its event number `seq` at `at`.
fn store_state(w: &Write<'_>, id: i64, seq: u32, at: i64, state: &State, text: &str) -> Result<()> {
    w.tx.prepare_cached(
        "UPDATE entry SET state = ?2, status = ?3, hard = ?4, handler = ?5, deadline = ?6,
         sign_due = ?7, last_at = ?8, events = ?9 WHERE id = ?1",
    )?
    .execute(params![
        id,
        text,
        state.status.as_str(),
        state.hard,
        state.handler.key(),
        state.deadline,
        state.sign_due,
        at,
        seq,
    ])?;
    Ok(())
}

/// What working entries needs across steps: the calendar, and the units' spans read.
pub(super) struct Walk {
    calendar: Arc<Calendar>,
    spans: HashMap<String, Vec<Span>>,
}

impl Walk {
    pub(super) fn new(store: &Store, conn: &Connection) -> Result<Walk> {
        Ok(Walk {
            calendar: store.calendar_on(conn)?,
            spans: HashMap::new(),
        })
    }

    fn spans(&mut self, conn: &Connection, code: &str) -> Result<&[Span]> {
        if !self.spans.contains_key(code) {
            self.spans.insert(code.to_owned(), spans_of(conn, code)?);
        }
        Ok(&self.spans[code])
    }

    /// The path of `code` on its last span (where it is now, or was when retired).
    fn path(&mut self, conn: &Connection, code: &str) -> Result<&str> {
        self.spans(conn, code)?
            .last()
            .map(|s| s.path.as_str())
            .ok_or_else(|| Error::not_found("unit", code))
    }

    /// The span of `code` on day number `day`.
    fn span_on(&mut self, conn: &Connection, code: &str, day: i64) -> Result<&Span> {
        self.spans(conn, code)?
            .iter()
            .find(|s| s.valid_from <= day && day < s.valid_to)
            .ok_or_else(|| Error::not_found("unit", format!("{code} on {}", date::iso(day))))
    }
}

/// What is asked of an entry: a step, or an escalation whose target is found when the
/// entry is read for the write.
pub(super) enum Ask<'a> {
    Step(Step),
    Escalate(Option<&'a str>),
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
            Some(finding) => take_finding(&w.tx, finding, &new.unit)?,
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
            id,
            1,
            (Action::Register, &actor, at, &reason.effect, false),
            (None, None),
            &state_text,
        )?;
        Ok(id)
    }
}

/// The category a finding was found with; refused when it does not exist, is already
/// taken up, or was found elsewhere.
fn take_finding(conn: &Connection, finding: i64, unit: &str) -> Result<Option<String>> {
    let row: Option<(String, Option<i64>, Option<String>)> = conn
        .prepare_cached("SELECT unit, entry_id, category FROM visit_finding WHERE id = ?1")?
        .query_row([finding], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
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
        let id = self.write(|w| {
            let mut registrar = Registrar::new(self, &w.tx)?;
            let id = registrar.register(self, w, entry)?;
            w.changes_no_household();
            w.audit(
                "register_entry",
                &format!("entry {id}"),
                &json!({"unit": entry.unit, "finding": entry.finding_id}),
            )?;
            Ok(id)
        })?;
        self.entry(id)
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
                &json!({"entries": ids.len(), "first": ids.first(), "last": ids.last()}),
            )?;
            Ok(ids)
        })
    }

    /// Registers a batch given as a JSON array of objects in the shape of
    /// [`NewEntry::from_json`].
    pub fn register_entries_json(&self, json: &str) -> Result<Vec<i64>> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid("entries", json, format!("not JSON: {e}")))?;
        let items = value
            .as_array()
            .ok_or_else(|| Error::invalid("entries", json, "expected a JSON array of entries"))?;
        let entries = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                NewEntry::from_json(v, self.offset())
                    .map_err(|e| e.context(&format!("entry {i} of the batch")))
            })
            .collect::<Result<Vec<_>>>()?;
        self.register_entries(&entries)
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
            let conn = self.conn();
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

    /// Applies what is asked of entry `id` at `at`, as `actor` (default the handle's),
    /// with `note`; refused outside this handle's scope, before the entry's last event,
    /// or when the workflow does not allow it (`InvalidTransition`, nothing changed).
    fn act(
        &self,
        id: i64,
        ask: Ask<'_>,
        at: &Moment,
        actor: Option<&str>,
        note: &str,
    ) -> Result<Entry> {
        if note.chars().count() > 2000 {
            return Err(Error::invalid(
                "note",
                note,
                "a note is at most 2000 characters",
            ));
        }
        let at = at.timestamp();
        self.write(|w| {
            let mut walk = Walk::new(self, &w.tx)?;
            self.act_in(w, &mut walk, id, ask, at, (actor, note))
        })?;
        self.entry(id)
    }

    /// What [`Store::act`] does inside its write: the step asked of entry `id` at `at`,
    /// with its audit record.
    pub(super) fn act_in(
        &self,
        w: &mut Write<'_>,
        walk: &mut Walk,
        id: i64,
        ask: Ask<'_>,
        at: i64,
        (actor, note): (Option<&str>, &str),
    ) -> Result<State> {
        let cur = current(&w.tx, id)?;
        let step = match ask {
            Ask::Step(step) => step,
            Ask::Escalate(to) => {
                let day = day_of(at, self.offset());
                let target = Self::escalation_target(&w.tx, walk, &cur.state, to, day)?
                    .ok_or_else(|| {
                        Error::InvalidTransition(format!(
                            "cannot escalate entry {id}: {} is the top of the tree",
                            cur.state.handler
                        ))
                    })?;
                Step::Escalate(target)
            }
        };
        let now = self.step(w, walk, (id, cur), &step, at, (actor, note, false))?;
        w.changes_no_household();
        w.audit(
            step.action().as_str(),
            &format!("entry {id}"),
            &json!({"status": now.status.as_str(), "handler": now.handler.key()}),
        )?;
        Ok(now)
    }

    /// The step itself, inside a write, on the entry as just read: checks, transition,
    /// event, state.
    fn step(
        &self,
        w: &mut Write<'_>,
        walk: &mut Walk,
        (id, cur): (i64, Current),
        step: &Step,
        at: i64,
        (actor, note, auto): (Option<&str>, &str, bool),
    ) -> Result<State> {
        let path = walk.path(&w.tx, &cur.unit)?;
        self.check_path_in_scope(&cur.unit, path)?;
        if !auto
            && is_handler_step(step)
            && let Some(unit) = cur.state.handler.unit()
        {
            let path = walk.path(&w.tx, unit)?;
            self.check_path_in_scope(unit, path)?;
        }
        if at < cur.last_at {
            return Err(Error::invalid(
                "at",
                moment_of(at, self.offset()).to_rfc3339(),
                format!(
                    "before entry {id}'s last event at {}",
                    moment_of(cur.last_at, self.offset()).to_rfc3339()
                ),
            ));
        }
        let clock = Clock {
            calendar: &walk.calendar,
            offset: self.offset(),
        };
        let next = cur.state.after(id, step, at, &clock, cur.limits)?;
        let (days, satisfied) = match step {
            Step::Extend(n) => (Some(*n), None),
            Step::Verify(s) => (None, Some(*s)),
            _ => (None, None),
        };
        let actor = actor.map_or_else(|| w.actor().to_owned(), str::to_owned);
        let text = next.to_text();
        let seq = cur.events + 1;
        append_event(
            w,
            id,
            seq,
            (step.action(), &actor, at, note, auto),
            (days, satisfied),
            &text,
        )?;
        store_state(w, id, seq, at, &next, &text)?;
        marks::append(&w.tx, id, &Mark::new(step.action(), at, &next))?;
        w.changes_entry(id);
        Ok(next)
    }

    /// Where `escalate` sends an entry: `to` (a unit above the one accountable for it, or
    /// else a named department), or by default the unit above the accountable one.
    fn escalation_target(
        conn: &Connection,
        walk: &mut Walk,
        state: &State,
        to: Option<&str>,
        day: i64,
    ) -> Result<Option<Handler>> {
        let Some(from) = state.accountable_unit() else {
            return Ok(None);
        };
        let span = walk.span_on(conn, from, day)?;
        match to {
            None => Ok(span.parent.clone().map(Handler::Unit)),
            Some(name) => {
                if name.trim().is_empty() || name.chars().count() > 64 {
                    return Err(Error::invalid(
                        "to",
                        name,
                        "a unit code or a department name of 1 to 64 characters",
                    ));
                }
                let above = span
                    .path
                    .split('/')
                    .filter(|c| !c.is_empty())
                    .rev()
                    .skip(1)
                    .any(|c| c == name);
                if above {
                    return Ok(Some(Handler::Unit(name.to_owned())));
                }
                // A name made of digits is a unit code, mistyped or not: never a department.
                if walk.spans(conn, name)?.is_empty() && !name.bytes().all(|b| b.is_ascii_digit()) {
                    return Ok(Some(Handler::Department(name.to_owned())));
                }
                Err(Error::invalid(
                    "to",
                    name,
                    format!("not a unit above {from} on {}", date::iso(day)),
                ))
            }
        }
    }

    /// The handler signs for entry `id` (签收): `staff_id` must be known.
    pub fn sign_for(&self, id: i64, staff_id: &str, at: &Moment) -> Result<Entry> {
        self.known_staff(staff_id)?;
        self.act(id, Ask::Step(Step::SignFor), at, Some(staff_id), "")
    }

    /// Work on entry `id` starts, by `staff_id`.
    pub fn start(&self, id: i64, staff_id: &str, at: &Moment) -> Result<Entry> {
        self.known_staff(staff_id)?;
        self.act(id, Ask::Step(Step::Start), at, Some(staff_id), "")
    }

    /// Hands entry `id` on with `reason`: to the unit above the one handling it, or to
    /// `to` (a unit above it, by code, or a named department). It is `registered` there
    /// and must be signed for again.
    pub fn escalate(&self, id: i64, at: &Moment, reason: &str, to: Option<&str>) -> Result<Entry> {
        check_reason(reason)?;
        self.act(id, Ask::Escalate(to), at, None, reason)
    }

    /// Sends entry `id` back to whoever sent it, as misrouted (退回), with `reason`.
    pub fn return_entry(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        check_reason(reason)?;
        self.act(id, Ask::Step(Step::Return), at, None, reason)
    }

    /// Marks entry `id` hard to resolve (难解决) with `reason`; it stays open.
    pub fn mark_hard(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        check_reason(reason)?;
        self.act(id, Ask::Step(Step::MarkHard), at, None, reason)
    }

    /// Puts entry `id` off (缓办) with `reason`: its deadline's clock stops until resumed.
    pub fn suspend(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        check_reason(reason)?;
        self.act(id, Ask::Step(Step::Suspend), at, None, reason)
    }

    /// Takes entry `id` up again: its deadline moves by the working days it was suspended
    /// (by the time suspended, for a limit in hours).
    pub fn resume(&self, id: i64, at: &Moment) -> Result<Entry> {
        self.act(id, Ask::Step(Step::Resume), at, None, "")
    }

    /// Extends entry `id`'s deadline by `days` working days (延期), with `reason`.
    pub fn extend(&self, id: i64, at: &Moment, days: u32, reason: &str) -> Result<Entry> {
        check_reason(reason)?;
        if !(1..=365).contains(&days) {
            return Err(Error::invalid(
                "days",
                days,
                "an extension is 1 to 365 working days",
            ));
        }
        self.act(id, Ask::Step(Step::Extend(days)), at, None, reason)
    }

    /// Resolves entry `id` (办结) with `result`.
    pub fn resolve(&self, id: i64, at: &Moment, result: &str) -> Result<Entry> {
        check_reason(result)
            .map_err(|_| Error::invalid("result", result, "a result is 1 to 2000 characters"))?;
        self.act(id, Ask::Step(Step::Resolve), at, None, result)
    }

    /// Records the resident's feedback on entry `id`'s resolution (核查): unsatisfied
    /// sends it back to work and counts as rework (返工).
    pub fn verify(&self, id: i64, at: &Moment, satisfied: bool, note: &str) -> Result<Entry> {
        self.act(id, Ask::Step(Step::Verify(satisfied)), at, None, note)
    }

    /// Closes entry `id` (注销): archived, "close one when it is solved".
    pub fn close_entry(&self, id: i64, at: &Moment) -> Result<Entry> {
        self.act(id, Ask::Step(Step::Close), at, None, "")
    }

    /// Opens closed entry `id` again with `reason`; it goes back to work.
    pub fn reopen(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        check_reason(reason)?;
        self.act(id, Ask::Step(Step::Reopen), at, None, reason)
    }

    /// Applies what time has made due by `now`: every entry of this handle's scope whose
    /// handler has not signed for it within its limit is escalated to the level above,
    /// as an automatic event at the moment the limit ran out (or its last event, if
    /// later), again and again while the new limit has also run out by `now`, up to the
    /// top of the tree. Deterministic, and idempotent: a second tick at the same `now`
    /// does nothing. Returns the events made, in order.
    pub fn tick(&self, now: &Moment) -> Result<Vec<EntryEvent>> {
        let now = now.timestamp();
        let offset = self.offset();
        let made = self.write(|w| {
            let due: Vec<i64> = {
                let mut stmt = w.tx.prepare_cached(
                    "SELECT id FROM entry WHERE sign_due IS NOT NULL AND sign_due < ?1 ORDER BY sign_due, id",
                )?;
                let rows = stmt.query_map([now], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut made = Vec::new();
            let mut walk = Walk::new(self, &w.tx)?;
            let actor = w.actor().to_owned();
            for id in due {
                let mut cur = current(&w.tx, id)?;
                if self.access.root.is_some() {
                    let path = walk.path(&w.tx, &cur.unit)?;
                    if self.check_path_in_scope(&cur.unit, path).is_err() {
                        continue;
                    }
                }
                while let Some(limit_end) = cur.state.sign_due.filter(|d| *d < now) {
                    let at = (limit_end + 1).max(cur.last_at);
                    let day = day_of(at, offset);
                    let Some(target) =
                        Self::escalation_target(&w.tx, &mut walk, &cur.state, None, day)?
                    else {
                        // Nothing is above: tick need not look at it again.
                        w.tx.prepare_cached("UPDATE entry SET sign_due = NULL WHERE id = ?1")?
                            .execute([id])?;
                        break;
                    };
                    let note = format!(
                        "not signed for by {} within {}",
                        cur.state.handler,
                        describe(cur.limits.1)
                    );
                    let (unit, limits, events) = (cur.unit.clone(), cur.limits, cur.events);
                    let step = Step::Escalate(target);
                    let state =
                        self.step(w, &mut walk, (id, cur), &step, at, (None, &note, true))?;
                    made.push(EntryEvent {
                        entry_id: id,
                        seq: events + 1,
                        action: Action::Escalate,
                        actor: actor.clone(),
                        at: moment_of(at, offset),
                        note,
                        auto: true,
                        days: None,
                        satisfied: None,
                        status: state.status,
                        handler: state.handler.clone(),
                        deadline: moment_of(state.deadline, offset),
                        hard: state.hard,
                    });
                    cur = Current {
                        unit,
                        limits,
                        state,
                        last_at: at,
                        events: events + 1,
                    };
                }
            }
            w.changes_no_household();
            if !made.is_empty() {
                w.audit(
                    "tick",
                    &moment_of(now, offset).to_rfc3339(),
                    &json!({"escalations": made.len()}),
                )?;
            }
            Ok(made)
        })?;
        Ok(made)
    }

    /// Entry `id` as it stands; refused outside this handle's scope.
    pub fn entry(&self, id: i64) -> Result<Entry> {
        let conn = self.conn();
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
        self.check_path_in_scope(&entry.unit, &path)?;
        Ok(entry)
    }

    /// Entry `id`'s history, oldest first.
    pub fn history(&self, id: i64) -> Result<Vec<EntryEvent>> {
        self.entry(id)?;
        let conn = self.conn();
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

    fn known_staff(&self, staff_id: &str) -> Result<()> {
        self.staff(staff_id).map(|_| ())
    }
}

/// Steps only the entry's handler takes: its unit must be in scope too.
fn is_handler_step(step: &Step) -> bool {
    !matches!(step, Step::Verify(_) | Step::Close | Step::Reopen)
}

fn describe(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(n) => format!("{n} working day(s)"),
        TimeLimit::Hours(n) => format!("{n} hour(s)"),
    }
}

pub(super) fn check_reason(reason: &str) -> Result<()> {
    if reason.trim().is_empty() || reason.chars().count() > 2000 {
        return Err(Error::invalid(
            "reason",
            reason,
            "a reason is 1 to 2000 characters",
        ));
    }
    Ok(())
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
