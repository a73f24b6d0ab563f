//! Applying entry actions: the one path every action takes, alone or in a batch. Each is
//! checked by [`EntryAction`]'s rule, read against the entry as it stands, stepped by the
//! workflow, written with its event and state, and audited.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use super::workflow::{Clock, State, Step, day_of};
use super::{Ask, EntryAction};
use crate::calendar::Calendar;
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::ledger::marks::{self, Mark};
use crate::ledger::{Action, Entry, Handler, TimeLimit, moment_of};
use crate::store::{Store, Write};
use crate::submit::locks::Locks;
use crate::units::{Span, spans_of};

/// How a refused action is named: alone, by its place in a batch, or by its batch and
/// place among several.
#[derive(Clone, Copy)]
enum Place {
    Alone,
    Batch,
    Batches,
}

/// On a device, logs entry action `a`, naming the log item that created its entry when
/// the entry was created there.
fn log_action(w: &mut Write<'_>, a: &EntryAction) -> Result<()> {
    if w.on_device() {
        let refers = crate::handheld::local_origin(&w.tx, "entry", a.entry_id)?;
        w.log_device("entry_action", &a.to_json(), None, refers)?;
    }
    Ok(())
}

/// What a write needs to know of an entry to change it.
pub(crate) struct Current {
    pub(crate) unit: String,
    pub(crate) limits: (TimeLimit, TimeLimit),
    pub(crate) state: State,
    pub(crate) last_at: i64,
    pub(crate) events: u32,
    /// Its events' marks ([`marks`]).
    pub(crate) marks: Vec<u8>,
}

pub(crate) fn current(conn: &Connection, id: i64) -> Result<Current> {
    conn.prepare_cached(
        "SELECT unit, time_limit, sign_limit, state, last_at, events, marks FROM entry
         WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, u32>(5)?,
            r.get::<_, Option<Vec<u8>>>(6)?.unwrap_or_default(),
        ))
    })
    .optional()?
    .ok_or_else(|| Error::not_found("entry", id))
    .and_then(|(unit, limit, sign, state, last_at, events, marks)| {
        Ok(Current {
            unit,
            limits: (TimeLimit::parse(&limit)?, TimeLimit::parse(&sign)?),
            state: State::from_json(&state)?,
            last_at,
            events,
            marks,
        })
    })
}

/// Appends an event with the state after it; refused in a locked period
/// ([`crate::submit::locks`]).
pub(crate) fn append_event(
    w: &mut Write<'_>,
    locks: Locks,
    id: i64,
    seq: u32,
    (action, actor, at, note, auto): (Action, &str, i64, &str, bool),
    (days, satisfied): (Option<u32>, Option<bool>),
    state: &str,
) -> Result<()> {
    crate::submit::locks::check_event(&w.tx, locks, id, at)?;
    w.tx.prepare_cached(
        "INSERT INTO entry_event (entry_id, seq, action, actor, at, note, auto, days, satisfied, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![id, seq, action.as_str(), actor, at, note, auto, days, satisfied, state])?;
    Ok(())
}

/// Stores an entry's state after its event number `seq` at `at`, with its marks
/// `marks` (the event's appended): one update of the row, so its seal is computed once
/// a step.
pub(crate) fn store_state(
    w: &Write<'_>,
    (id, seq, at): (i64, u32, i64),
    state: &State,
    text: &str,
    marks: &[u8],
) -> Result<()> {
    w.tx.prepare_cached(
        "UPDATE entry SET state = ?2, status = ?3, hard = ?4, handler = ?5, deadline = ?6,
         sign_due = ?7, last_at = ?8, events = ?9, marks = ?10 WHERE id = ?1",
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
        marks,
    ])?;
    Ok(())
}

/// An entry's row as a step left it, to be stored ([`Unstored::store`]).
pub(crate) struct Unstored {
    id: i64,
    seq: u32,
    at: i64,
    /// The state after the step.
    pub(crate) state: State,
    text: String,
    /// The entry's marks, the step's appended.
    pub(crate) marks: Vec<u8>,
}

impl Unstored {
    /// Stores the entry's row as the step left it.
    pub(crate) fn store(&self, w: &Write<'_>) -> Result<()> {
        store_state(
            w,
            (self.id, self.seq, self.at),
            &self.state,
            &self.text,
            &self.marks,
        )
    }

    /// Stores it with its column `sign_due` empty: nothing is above the entry, so tick
    /// need not look at it again (its state, as text, keeps the limit).
    pub(crate) fn store_at_top(mut self, w: &Write<'_>) -> Result<()> {
        self.state.sign_due = None;
        self.store(w)
    }
}

/// What working entries needs across steps: the calendar, and the units' spans read.
pub(crate) struct Walk {
    pub(crate) calendar: Arc<Calendar>,
    pub(crate) spans: HashMap<String, Vec<Span>>,
    /// Whether the store held an approval lock when the write began.
    pub(crate) locks: Locks,
}

impl Walk {
    pub(crate) fn new(store: &Store, conn: &Connection) -> Result<Walk> {
        Ok(Walk {
            calendar: store.calendar_on(conn)?,
            spans: HashMap::new(),
            locks: Locks::read(conn)?,
        })
    }

    pub(crate) fn spans(&mut self, conn: &Connection, code: &str) -> Result<&[Span]> {
        if !self.spans.contains_key(code) {
            self.spans.insert(code.to_owned(), spans_of(conn, code)?);
        }
        Ok(&self.spans[code])
    }

    /// The path of `code` on its last span (where it is now, or was when retired).
    pub(crate) fn path(&mut self, conn: &Connection, code: &str) -> Result<&str> {
        self.spans(conn, code)?
            .last()
            .map(|s| s.path.as_str())
            .ok_or_else(|| Error::not_found("unit", code))
    }

    /// The span of `code` on day number `day`.
    pub(crate) fn span_on(&mut self, conn: &Connection, code: &str, day: i64) -> Result<&Span> {
        self.spans(conn, code)?
            .iter()
            .find(|s| s.valid_from <= day && day < s.valid_to)
            .ok_or_else(|| Error::not_found("unit", format!("{code} on {}", date::iso(day))))
    }
}

impl Store {
    /// Applies `actions` in order in one write, each as its single action would (same
    /// checks, events and audit records): all or nothing, the first refusal naming the
    /// action's place in the batch. Gives how many were applied.
    pub fn work_entries(&self, actions: &[EntryAction]) -> Result<usize> {
        self.apply(actions, true)?;
        Ok(actions.len())
    }

    /// Applies a batch given as a JSON array of objects in the shape of [`EntryAction`]
    /// (see [`EntryAction::list_from_json`]).
    pub fn work_entries_json(&self, json: &str) -> Result<usize> {
        self.work_entries(&EntryAction::list_from_json(json, self.offset())?)
    }

    /// Applies each handle's entry actions in one write, as if each handle had called
    /// [`Store::work_entries`] with its own in turn, but all or nothing and committed
    /// once: a platform that gathers the actions of many officials (each a handle with
    /// its own scope and actor) writes them together instead of one write each. Every
    /// action is checked against its own handle's scope, and its event and audit record
    /// name that handle's actor. The handles must be of one store (opened once, then
    /// cloned or scoped); a refusal names the batch and the action (`action 2 of batch
    /// 1`). Gives how many were applied.
    pub fn work_entries_together(batches: &[(&Store, &[EntryAction])]) -> Result<usize> {
        let Some((first, _)) = batches.first() else {
            return Ok(0);
        };
        if let Some(i) = batches
            .iter()
            .position(|(handle, _)| !handle.same_store(first))
        {
            return Err(Error::invalid(
                "batches",
                format!("batch {i}"),
                "every batch's handle must be of the same store (opened once, then cloned or scoped)",
            ));
        }
        first.apply_batches(batches, Place::Batches)?;
        Ok(batches.iter().map(|(_, actions)| actions.len()).sum())
    }

    /// [`Store::work_entries_together`] with each handle's batch a JSON array of entry
    /// actions (see [`EntryAction::list_from_json`]), read in that handle's time zone; a
    /// batch that does not read names its place (`batch 1`).
    pub fn work_entries_together_json(batches: &[(&Store, &str)]) -> Result<usize> {
        let actions = batches
            .iter()
            .enumerate()
            .map(|(b, (handle, json))| {
                EntryAction::list_from_json(json, handle.offset())
                    .map_err(|e| e.context(&format!("batch {b}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let together: Vec<(&Store, &[EntryAction])> = batches
            .iter()
            .zip(&actions)
            .map(|((handle, _), actions)| (*handle, &actions[..]))
            .collect();
        Store::work_entries_together(&together)
    }

    /// The one path of every entry action: each checked ([`EntryAction`]'s `ask`), the
    /// staff named known to its handle, then all applied in one write begun by `self`,
    /// each by its own handle. A refusal names the action's place as `place` says.
    fn apply_batches(&self, batches: &[(&Store, &[EntryAction])], place: Place) -> Result<()> {
        let name = |e: Error, b: usize, i: usize| match place {
            Place::Alone => e,
            Place::Batch => e.context(&format!("action {i} of the batch")),
            Place::Batches => e.context(&format!("action {i} of batch {b}")),
        };
        let mut asks = Vec::with_capacity(batches.len());
        for (b, (handle, actions)) in batches.iter().enumerate() {
            let mut staff = BTreeSet::new();
            let mut checked = Vec::with_capacity(actions.len());
            for (i, a) in actions.iter().enumerate() {
                let (ask, actor) = a.ask().map_err(|e| name(e, b, i))?;
                if let Some(s) = actor {
                    staff.insert(s);
                }
                checked.push((ask, actor));
            }
            for s in staff {
                handle.staff(s)?;
            }
            asks.push(checked);
        }
        // The working-day calendar is read (and kept) before the write takes the lock,
        // which then only finds it kept.
        self.calendar()?;
        self.write(|w| {
            // The calendar and the units' spans are the store's, whatever the handle.
            let mut walk = Walk::new(self, &w.tx)?;
            for (b, ((handle, actions), asks)) in batches.iter().zip(asks).enumerate() {
                let actor = handle.access.actor.as_str();
                w.act_as((actor != self.access.actor).then_some(actor));
                for (i, (a, (ask, actor))) in actions.iter().zip(asks).enumerate() {
                    handle
                        .act_in(
                            w,
                            &mut walk,
                            a.entry_id,
                            ask,
                            a.at.timestamp(),
                            (actor, &a.note),
                        )
                        .map_err(|e| name(e, b, i))?;
                    log_action(w, a)?;
                }
            }
            w.act_as(None);
            Ok(())
        })
    }

    /// Applies `actions` of this handle in one write (see [`Store::apply_batches`]).
    fn apply(&self, actions: &[EntryAction], batch: bool) -> Result<()> {
        let place = if batch { Place::Batch } else { Place::Alone };
        self.apply_batches(&[(self, actions)], place)
    }

    /// One action inside a write (a merge replays entry actions here): checked as
    /// [`Store::work_entries`] checks it, the staff member named known, then applied.
    pub(crate) fn act_logged(
        &self,
        w: &mut Write<'_>,
        walk: &mut Walk,
        a: &EntryAction,
    ) -> Result<()> {
        let (ask, actor) = a.ask()?;
        if let Some(s) = actor {
            let known: Option<i64> =
                w.tx.prepare_cached("SELECT 1 FROM staff WHERE staff_id = ?1")?
                    .query_row([s], |r| r.get(0))
                    .optional()?;
            known.ok_or_else(|| Error::not_found("staff", s))?;
        }
        self.act_in(w, walk, a.entry_id, ask, a.at.timestamp(), (actor, &a.note))?;
        log_action(w, a)
    }

    /// Applies one action and gives the entry after it.
    fn act(&self, action: &EntryAction) -> Result<Entry> {
        self.apply(std::slice::from_ref(action), false)?;
        self.entry(action.entry_id)
    }

    /// The handler signs for entry `id` (签收): `staff_id` must be known.
    pub fn sign_for(&self, id: i64, staff_id: &str, at: &Moment) -> Result<Entry> {
        self.act(&EntryAction::sign_for(id, staff_id, *at))
    }

    /// Work on entry `id` starts, by `staff_id`.
    pub fn start(&self, id: i64, staff_id: &str, at: &Moment) -> Result<Entry> {
        self.act(&EntryAction::start(id, staff_id, *at))
    }

    /// Hands entry `id` on with `reason`: to the unit above the one handling it, or to
    /// `to` (a unit above it, by code, or a named department). It is `registered` there
    /// and must be signed for again.
    pub fn escalate(&self, id: i64, at: &Moment, reason: &str, to: Option<&str>) -> Result<Entry> {
        self.act(&EntryAction::escalate(id, *at, reason, to))
    }

    /// Sends entry `id` back to whoever sent it, as misrouted (退回), with `reason`.
    pub fn return_entry(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        self.act(&EntryAction::return_entry(id, *at, reason))
    }

    /// Marks entry `id` hard to resolve (难解决) with `reason`; it stays open.
    pub fn mark_hard(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        self.act(&EntryAction::mark_hard(id, *at, reason))
    }

    /// Puts entry `id` off (缓办) with `reason`: its deadline's clock stops until resumed.
    pub fn suspend(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        self.act(&EntryAction::suspend(id, *at, reason))
    }

    /// Takes entry `id` up again: its deadline moves by the working days it was suspended
    /// (by the time suspended, for a limit in hours).
    pub fn resume(&self, id: i64, at: &Moment) -> Result<Entry> {
        self.act(&EntryAction::resume(id, *at))
    }

    /// Extends entry `id`'s deadline by `days` working days (延期, 1 to 365), with
    /// `reason`.
    pub fn extend(&self, id: i64, at: &Moment, days: u32, reason: &str) -> Result<Entry> {
        self.act(&EntryAction::extend(id, *at, days, reason))
    }

    /// Resolves entry `id` (办结) with `result`.
    pub fn resolve(&self, id: i64, at: &Moment, result: &str) -> Result<Entry> {
        self.act(&EntryAction::resolve(id, *at, result))
    }

    /// Records the resident's feedback on entry `id`'s resolution (核查): unsatisfied
    /// sends it back to work and counts as rework (返工).
    pub fn verify(&self, id: i64, at: &Moment, satisfied: bool, note: &str) -> Result<Entry> {
        self.act(&EntryAction::verify(id, *at, satisfied, note))
    }

    /// Closes entry `id` (注销): archived, "close one when it is solved".
    pub fn close_entry(&self, id: i64, at: &Moment) -> Result<Entry> {
        self.act(&EntryAction::close(id, *at))
    }

    /// Opens closed entry `id` again with `reason`; it goes back to work.
    pub fn reopen(&self, id: i64, at: &Moment, reason: &str) -> Result<Entry> {
        self.act(&EntryAction::reopen(id, *at, reason))
    }

    /// What [`Store::act`] does inside its write: the step asked of entry `id` at `at`,
    /// with its audit record.
    pub(crate) fn act_in(
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
        let unit = cur.unit.clone();
        let done = self.step(w, walk, (id, cur), &step, at, (actor, note, false))?;
        done.store(w)?;
        let now = done.state;
        w.changes_no_household();
        w.audit(
            step.action().as_str(),
            &format!("entry {id}"),
            &[unit],
            &json!({"status": now.status.as_str(), "handler": now.handler.key()}),
        )?;
        Ok(now)
    }

    /// The step itself, inside a write, on the entry as just read: the checks, the
    /// transition and its event. The entry's row is left to store ([`Unstored::store`]),
    /// so several steps of one entry in a row (a tick's escalations, each on the
    /// [`Current`] the one before left) store it once, after the last.
    pub(crate) fn step(
        &self,
        w: &mut Write<'_>,
        walk: &mut Walk,
        (id, cur): (i64, Current),
        step: &Step,
        at: i64,
        (actor, note, auto): (Option<&str>, &str, bool),
    ) -> Result<Unstored> {
        let path = walk.path(&w.tx, &cur.unit)?;
        self.check_hidden(path, "entry", id)?;
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
            walk.locks,
            id,
            seq,
            (step.action(), &actor, at, note, auto),
            (days, satisfied),
            &text,
        )?;
        let mut marks = cur.marks;
        marks::append(&mut marks, &Mark::new(step.action(), at, &next));
        w.changes_entry(id);
        Ok(Unstored {
            id,
            seq,
            at,
            state: next,
            text,
            marks,
        })
    }

    /// Where `escalate` sends an entry: `to` (a unit above the one accountable for it, or
    /// else a named department), or by default the unit above the accountable one.
    pub(crate) fn escalation_target(
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
                crate::text::check_len("to", name, 1, 64)?;
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
}

/// Steps only the entry's handler takes: its unit must be in scope too.
fn is_handler_step(step: &Step) -> bool {
    !matches!(step, Step::Verify(_) | Step::Close | Step::Reopen)
}
