//! An entry as it stands, and one event of its history: the records the ledger gives
//! back, with their JSON.

use serde_json::{Value, json};

use super::{Action, Handler, Source, Standing, Status, TimeLimit, Triage};
use crate::date::Moment;

/// A ledger entry as it stands (or stood, for a query as of a past moment).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The entry's number.
    pub id: i64,
    /// The unit where it was raised; it counts there and for all its ancestors.
    pub unit: String,
    /// The household it concerns, if any.
    pub household_id: Option<String>,
    /// The resident it concerns, if any.
    pub resident_id: Option<i64>,
    /// Where it came from.
    pub source: Source,
    /// When it was reported.
    pub reported_at: Moment,
    /// Its category.
    pub category: String,
    /// What the resident raised, in their words.
    pub summary: String,
    /// Whether it is urgent: time limits in hours, triage escalated.
    pub urgent: bool,
    /// The ledger books it is kept in.
    pub books: Vec<String>,
    /// How it was triaged when registered.
    pub triage: Triage,
    /// The time limit it was given.
    pub time_limit: TimeLimit,
    /// The visit finding it was raised from, if any.
    pub finding_id: Option<i64>,
    /// Its workflow status.
    pub status: Status,
    /// Whether it is marked hard to resolve (难解决).
    pub hard: bool,
    /// Who handles it now.
    pub handler: Handler,
    /// When it must be resolved by (moved by suspensions and extensions).
    pub deadline: Moment,
    /// When its current handler must sign for it by, while it awaits signing.
    pub sign_due: Option<Moment>,
    /// Since when it is suspended, while it is.
    pub suspended_since: Option<Moment>,
    /// How many times verification sent it back (返工).
    pub rework: u32,
    /// When its current handler signed for it.
    pub signed_at: Option<Moment>,
    /// When it was first resolved.
    pub first_resolved_at: Option<Moment>,
    /// When it was last resolved, while it stays resolved or closed.
    pub resolved_at: Option<Moment>,
    /// When it was closed, while it stays closed.
    pub closed_at: Option<Moment>,
    /// The resident's feedback on its resolution: `Some(true)` when satisfied.
    pub verified: Option<bool>,
}

impl Entry {
    /// Its standing: resolved, pending or hard.
    pub fn standing(&self) -> Standing {
        Standing::of(self.status, self.hard)
    }

    /// Whether it is open past its deadline at `at`; while suspended the clock is stopped,
    /// so a suspended entry is overdue only if it was when suspended.
    pub fn overdue_at(&self, at: &Moment) -> bool {
        if !self.status.is_open() {
            return false;
        }
        let clock = self.suspended_since.as_ref().unwrap_or(at);
        *clock > self.deadline
    }

    /// The entry as JSON (the shape the C API returns and Python's `to_json` gives).
    pub fn to_json(&self) -> Value {
        let moment = |m: &Option<Moment>| m.as_ref().map(Moment::to_rfc3339);
        json!({
            "id": self.id,
            "unit": self.unit,
            "household_id": self.household_id,
            "resident_id": self.resident_id,
            "source": self.source.as_str(),
            "reported_at": self.reported_at.to_rfc3339(),
            "category": self.category,
            "summary": self.summary,
            "urgent": self.urgent,
            "books": self.books,
            "triage": self.triage.as_str(),
            "time_limit": self.time_limit.to_json(),
            "finding_id": self.finding_id,
            "status": self.status.as_str(),
            "standing": self.standing().as_str(),
            "hard": self.hard,
            "handler": self.handler.to_json(),
            "deadline": self.deadline.to_rfc3339(),
            "sign_due": moment(&self.sign_due),
            "suspended_since": moment(&self.suspended_since),
            "rework": self.rework,
            "signed_at": moment(&self.signed_at),
            "first_resolved_at": moment(&self.first_resolved_at),
            "resolved_at": moment(&self.resolved_at),
            "closed_at": moment(&self.closed_at),
            "verified": self.verified,
        })
    }
}

/// The entry's fields in the order and shapes of [`Entry::to_json`] (moments as RFC 3339
/// text, the time limit and the handler as objects), for frames and any serde format.
impl serde::Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let time_limit = match self.time_limit {
            TimeLimit::WorkingDays(n) => Fields([("working_days", n)]),
            TimeLimit::Hours(n) => Fields([("hours", n)]),
        };
        let handler = Fields([("kind", self.handler.kind()), ("name", self.handler.name())]);
        let mut s = serializer.serialize_struct("Entry", 26)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("unit", &self.unit)?;
        s.serialize_field("household_id", &self.household_id)?;
        s.serialize_field("resident_id", &self.resident_id)?;
        s.serialize_field("source", self.source.as_str())?;
        s.serialize_field("reported_at", &self.reported_at)?;
        s.serialize_field("category", &self.category)?;
        s.serialize_field("summary", &self.summary)?;
        s.serialize_field("urgent", &self.urgent)?;
        s.serialize_field("books", &self.books)?;
        s.serialize_field("triage", self.triage.as_str())?;
        s.serialize_field("time_limit", &time_limit)?;
        s.serialize_field("finding_id", &self.finding_id)?;
        s.serialize_field("status", self.status.as_str())?;
        s.serialize_field("standing", self.standing().as_str())?;
        s.serialize_field("hard", &self.hard)?;
        s.serialize_field("handler", &handler)?;
        s.serialize_field("deadline", &self.deadline)?;
        s.serialize_field("sign_due", &self.sign_due)?;
        s.serialize_field("suspended_since", &self.suspended_since)?;
        s.serialize_field("rework", &self.rework)?;
        s.serialize_field("signed_at", &self.signed_at)?;
        s.serialize_field("first_resolved_at", &self.first_resolved_at)?;
        s.serialize_field("resolved_at", &self.resolved_at)?;
        s.serialize_field("closed_at", &self.closed_at)?;
        s.serialize_field("verified", &self.verified)?;
        s.end()
    }
}

/// An object of a few fields, serialized as a map in their order.
struct Fields<V, const N: usize>([(&'static str, V); N]);

impl<V: serde::Serialize, const N: usize> serde::Serialize for Fields<V, N> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(N))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// One change to an entry, appended to its history and never changed.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryEvent {
    /// The entry.
    pub entry_id: i64,
    /// Its place in the entry's history, from 1.
    pub seq: u32,
    /// What was done.
    pub action: Action,
    /// Who did it: the staff member for `sign_for` and `start`, otherwise the handle's
    /// actor.
    pub actor: String,
    /// When.
    pub at: Moment,
    /// The reason, result or note given.
    pub note: String,
    /// Whether [`Store::tick`](crate::Store::tick) made it, not a person.
    pub auto: bool,
    /// Working days added, for `extend`.
    pub days: Option<u32>,
    /// The resident's answer, for `verify`.
    pub satisfied: Option<bool>,
    /// The status after it.
    pub status: Status,
    /// The handler after it.
    pub handler: Handler,
    /// The deadline after it.
    pub deadline: Moment,
    /// Whether the entry was marked hard after it.
    pub hard: bool,
}

impl EntryEvent {
    /// The event as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "entry_id": self.entry_id,
            "seq": self.seq,
            "action": self.action.as_str(),
            "actor": self.actor,
            "at": self.at.to_rfc3339(),
            "note": self.note,
            "auto": self.auto,
            "days": self.days,
            "satisfied": self.satisfied,
            "status": self.status.as_str(),
            "handler": self.handler.to_json(),
            "deadline": self.deadline.to_rfc3339(),
            "hard": self.hard,
        })
    }
}
