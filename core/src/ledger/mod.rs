//! The ledger (台账): entries raised by or about residents, classified by rule data into
//! books, triaged to a handler, and worked through a workflow whose every change is an
//! append-only event.
//!
//! An entry is registered at a unit; classification ([`Store::classify`]) decides its
//! category (given, or suggested by keywords of its summary), its books, its triage and
//! the unit (or department) that handles it, and its time limit: working days of the
//! official calendar ([`crate::calendar`]), or hours when it is urgent. The workflow is
//! `registered → signed_for → in_progress → resolved → closed`, with `suspended` (缓办)
//! stopping the deadline's clock; [`Store::tick`] escalates entries not signed for in
//! time. Standing is the weekly meeting's three piles: resolved, pending and hard.

pub(crate) mod actions;
mod classify;
mod entries;
mod entry;
mod input;
pub(crate) mod marks;
pub(crate) mod query;
mod rules;

pub(crate) use actions::workflow;

use std::fmt;

use chrono::{FixedOffset, TimeZone};
use serde_json::{Value, json};

use crate::date::Moment;
use crate::error::{Error, Result};
pub use actions::EntryAction;
pub use classify::{Classification, Reason};
pub use entries::NewEntry;
pub use entry::{Entry, EntryEvent};
pub use input::ClassifyRequest;
pub use query::{EntryQuery, Piles};
pub use rules::{CategoryRule, LedgerRules, default_ledger_rules};

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Raised on a visit (走访).
    Visit,
    /// The hotline (热线).
    Hotline,
    /// In person at the office (来访).
    WalkIn,
    /// Online (网上).
    Online,
    /// Seen on a patrol (巡查).
    Patrol,
    /// A letter (来信).
    Letter,
}

impl Default for Source {
    /// [`Source::DEFAULT`].
    fn default() -> Self {
        Source::DEFAULT
    }
}

impl Source {
    /// The source an entry has when none is given: `visit` (走访).
    pub const DEFAULT: Source = Source::Visit;

    /// Every source, in order.
    pub const ALL: [Source; 6] = [
        Source::Visit,
        Source::Hotline,
        Source::WalkIn,
        Source::Online,
        Source::Patrol,
        Source::Letter,
    ];

    /// The stored name: `visit`, `hotline`, `walk_in`, `online`, `patrol`, `letter`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Visit => "visit",
            Source::Hotline => "hotline",
            Source::WalkIn => "walk_in",
            Source::Online => "online",
            Source::Patrol => "patrol",
            Source::Letter => "letter",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Result<Self> {
        Source::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                Error::invalid(
                    "source",
                    text,
                    "expected visit, hotline, walk_in, online, patrol or letter",
                )
            })
    }
}

/// How an entry is handled (分类处理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Triage {
    /// General matters: handled on site by the grid (一般性事务).
    OnSite,
    /// Matters needing coordination: the grid with its community (需要协调).
    Coordinate,
    /// Urgent matters or beyond the community: reported at once to the township or street.
    Escalate,
}

impl Triage {
    /// Every triage level, in order.
    pub const ALL: [Triage; 3] = [Triage::OnSite, Triage::Coordinate, Triage::Escalate];

    /// The stored name: `on_site`, `coordinate`, `escalate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Triage::OnSite => "on_site",
            Triage::Coordinate => "coordinate",
            Triage::Escalate => "escalate",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Result<Self> {
        Triage::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| {
                Error::invalid("triage", text, "expected on_site, coordinate or escalate")
            })
    }
}

/// Where an entry stands in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// With its handler, not yet signed for (待签收).
    Registered,
    /// Acknowledged by its handler (已签收).
    SignedFor,
    /// Being worked on (办理中).
    InProgress,
    /// Put off (缓办): the deadline's clock is stopped.
    Suspended,
    /// Resolved, awaiting verification or closing (已办结).
    Resolved,
    /// Closed and archived (已注销).
    Closed,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 6] = [
        Status::Registered,
        Status::SignedFor,
        Status::InProgress,
        Status::Suspended,
        Status::Resolved,
        Status::Closed,
    ];

    /// The stored name: `registered`, `signed_for`, `in_progress`, `suspended`,
    /// `resolved`, `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::SignedFor => "signed_for",
            Status::InProgress => "in_progress",
            Status::Suspended => "suspended",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Result<Self> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                Error::invalid(
                    "status",
                    text,
                    "expected registered, signed_for, in_progress, suspended, resolved or closed",
                )
            })
    }

    /// Whether the entry is still open (neither resolved nor closed).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

/// The weekly meeting's three piles (已解决/待解决/难解决).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// Resolved or closed.
    Resolved,
    /// Open and not marked hard.
    Pending,
    /// Open and marked hard to resolve (难解决).
    Hard,
}

impl Standing {
    /// The stored name: `resolved`, `pending`, `hard`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Resolved => "resolved",
            Standing::Pending => "pending",
            Standing::Hard => "hard",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "resolved" => Ok(Standing::Resolved),
            "pending" => Ok(Standing::Pending),
            "hard" => Ok(Standing::Hard),
            _ => Err(Error::invalid(
                "standing",
                text,
                "expected resolved, pending or hard",
            )),
        }
    }

    /// The standing of an entry in `status`, marked hard or not.
    pub fn of(status: Status, hard: bool) -> Standing {
        match (status.is_open(), hard) {
            (false, _) => Standing::Resolved,
            (true, true) => Standing::Hard,
            (true, false) => Standing::Pending,
        }
    }
}

/// Who handles an entry: a unit of the tree, or a named department (a 职能部门 outside
/// the tree, such as 县民政局).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Handler {
    /// A unit, by code.
    Unit(String),
    /// A department, by name.
    Department(String),
}

impl Handler {
    /// The unit's code or the department's name.
    pub fn name(&self) -> &str {
        match self {
            Handler::Unit(code) | Handler::Department(code) => code,
        }
    }

    /// `unit` or `department`.
    pub fn kind(&self) -> &'static str {
        match self {
            Handler::Unit(_) => "unit",
            Handler::Department(_) => "department",
        }
    }

    /// The unit's code, if the handler is a unit.
    pub fn unit(&self) -> Option<&str> {
        match self {
            Handler::Unit(code) => Some(code),
            Handler::Department(_) => None,
        }
    }

    /// The stored form: `unit:CODE` or `department:NAME`.
    pub(crate) fn key(&self) -> String {
        format!("{}:{}", self.kind(), self.name())
    }

    /// Reads the stored form.
    pub(crate) fn from_key(key: &str) -> Result<Handler> {
        match key.split_once(':') {
            Some(("unit", code)) => Ok(Handler::Unit(code.to_owned())),
            Some(("department", name)) => Ok(Handler::Department(name.to_owned())),
            _ => Err(Error::Storage(format!("bad stored handler {key:?}"))),
        }
    }

    fn to_json(&self) -> Value {
        json!({"kind": self.kind(), "name": self.name()})
    }
}

/// Stored as its key, `unit:CODE` or `department:NAME`.
impl serde::Serialize for Handler {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}:{}", self.kind(), self.name()))
    }
}

impl TryFrom<String> for Handler {
    type Error = Error;

    fn try_from(key: String) -> Result<Handler> {
        Handler::from_key(&key)
    }
}

impl fmt::Display for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A time limit: working days of the official calendar, or hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeLimit {
    /// Ends at the end of the n-th working day after the moment it is counted from.
    WorkingDays(u32),
    /// Ends n hours after the moment it is counted from, whatever the day.
    Hours(u32),
}

impl TimeLimit {
    /// The stored form: `5d` or `24h`.
    pub fn as_text(self) -> String {
        match self {
            TimeLimit::WorkingDays(n) => format!("{n}d"),
            TimeLimit::Hours(n) => format!("{n}h"),
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "time_limit",
                text,
                "expected working days as 5d or hours as 24h",
            )
        };
        let (number, unit) = text.split_at(text.len().saturating_sub(1));
        let n: u32 = number.parse().map_err(|_| bad())?;
        match unit {
            "d" => Ok(TimeLimit::WorkingDays(n)),
            "h" => Ok(TimeLimit::Hours(n)),
            _ => Err(bad()),
        }
    }

    /// The limit as JSON, as an entry's `time_limit` shows it: `{"working_days": int}`
    /// or `{"hours": int}`.
    pub fn to_json(self) -> Value {
        match self {
            TimeLimit::WorkingDays(n) => json!({"working_days": n}),
            TimeLimit::Hours(n) => json!({"hours": n}),
        }
    }
}

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Registered (接访登记).
    Register,
    /// Signed for by its handler (签收).
    SignFor,
    /// Work started.
    Start,
    /// Handed to the level above or a named department.
    Escalate,
    /// Sent back to who sent it, as misrouted (退回).
    Return,
    /// Marked hard to resolve (难解决).
    MarkHard,
    /// Put off (缓办).
    Suspend,
    /// Taken up again after a suspension.
    Resume,
    /// Deadline extended (延期).
    Extend,
    /// Resolved (办结).
    Resolve,
    /// The resident's feedback (核查).
    Verify,
    /// Closed and archived (注销).
    Close,
    /// Opened again after closing.
    Reopen,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 13] = [
        Action::Register,
        Action::SignFor,
        Action::Start,
        Action::Escalate,
        Action::Return,
        Action::MarkHard,
        Action::Suspend,
        Action::Resume,
        Action::Extend,
        Action::Resolve,
        Action::Verify,
        Action::Close,
        Action::Reopen,
    ];

    /// The stored name, as the store's method is called (`sign_for`, `mark_hard`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Register => "register",
            Action::SignFor => "sign_for",
            Action::Start => "start",
            Action::Escalate => "escalate",
            Action::Return => "return",
            Action::MarkHard => "mark_hard",
            Action::Suspend => "suspend",
            Action::Resume => "resume",
            Action::Extend => "extend",
            Action::Resolve => "resolve",
            Action::Verify => "verify",
            Action::Close => "close",
            Action::Reopen => "reopen",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Result<Self> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == text)
            .ok_or_else(|| Error::invalid("action", text, "not a ledger action"))
    }
}

/// A stored instant (seconds since the Unix epoch) as a moment in the deployment's offset.
pub(crate) fn moment_of(seconds: i64, offset: FixedOffset) -> Moment {
    offset
        .timestamp_opt(seconds, 0)
        .single()
        .unwrap_or_else(|| offset.timestamp_opt(0, 0).unwrap())
}
