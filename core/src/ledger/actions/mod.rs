//! The entry actions (签收, 办理, 上报, 退回, 难解决, 缓办, 恢复, 延期, 办结, 核查, 注销, 重启):
//! each one an [`EntryAction`], checked by one rule ([`EntryAction`]'s `ask`) and applied
//! by one path, whether it comes alone ([`Store::sign_for`](crate::Store::sign_for) and the rest) or in a batch
//! ([`Store::work_entries`], one write, all or nothing).

pub(crate) mod apply;
mod tick;
pub(crate) mod workflow;

use std::ops::RangeInclusive;

use chrono::FixedOffset;
use serde_json::{Value, json};

use super::Action;
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::json::{self as input, Fields};
use crate::text;
use workflow::Step;

/// One action asked of an entry. The single actions ([`Store::sign_for`](crate::Store::sign_for) and the rest)
/// build one with the constructor of the same name; a batch is a list of them
/// ([`Store::work_entries`](crate::Store::work_entries)).
///
/// Its JSON shape ([`EntryAction::from_json`], [`EntryAction::to_json`]) is an object
/// `{"entry_id": int, "action": text, "at": text, "staff_id": text|null, "note": text,
/// "to": text|null, "days": int|null, "satisfied": bool|null}`: `action` as
/// [`Action::as_str`] names it (any action but `register`); `at` RFC 3339, or a local time
/// read in the deployment's offset; `staff_id` for `sign_for` and `start`; `note` the
/// reason (`escalate`, `return`, `mark_hard`, `suspend`, `extend`, `reopen`, 1 to 2000
/// characters), the result (`resolve`, 1 to 2000) or a note (`verify`, at most 2000);
/// `to` where `escalate` sends it; `days` what `extend` adds (1 to 365); `satisfied` for
/// `verify`. Only `entry_id`, `action` and `at` are always required.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryAction {
    /// The entry.
    pub entry_id: i64,
    /// What is done: any action but `register`.
    pub action: Action,
    /// When.
    pub at: Moment,
    /// Who signs for it or starts work on it (`sign_for`, `start`): a known staff member.
    pub staff_id: Option<String>,
    /// The reason (`escalate`, `return`, `mark_hard`, `suspend`, `extend`, `reopen`), the result
    /// (resolve) or the feedback's note (verify).
    pub note: String,
    /// Where `escalate` sends it: a unit above, or a department; by default the unit
    /// above.
    pub to: Option<String>,
    /// The working days `extend` adds.
    pub days: Option<u32>,
    /// Whether the resident was satisfied (`verify`).
    pub satisfied: Option<bool>,
}

/// What is asked of an entry: a step, or an escalation whose target is found when the
/// entry is read for the write.
pub(crate) enum Ask<'a> {
    Step(Step),
    Escalate(Option<&'a str>),
}

impl EntryAction {
    /// The keys of the JSON object [`EntryAction::from_json`] reads, in its order.
    pub const KEYS: [&'static str; 8] = [
        "entry_id",
        "action",
        "at",
        "staff_id",
        "note",
        "to",
        "days",
        "satisfied",
    ];

    /// The working days one extension (延期) may add.
    pub const EXTENSION_DAYS: RangeInclusive<u32> = 1..=365;

    /// `action` on entry `entry_id` at `at`, with nothing else given.
    pub fn new(entry_id: i64, action: Action, at: Moment) -> Self {
        EntryAction {
            entry_id,
            action,
            at,
            staff_id: None,
            note: String::new(),
            to: None,
            days: None,
            satisfied: None,
        }
    }

    fn with_note(entry_id: i64, action: Action, at: Moment, note: &str) -> Self {
        EntryAction {
            note: note.to_owned(),
            ..EntryAction::new(entry_id, action, at)
        }
    }

    /// The handler signs for entry `entry_id` (签收), `staff_id` signing.
    pub fn sign_for(entry_id: i64, staff_id: &str, at: Moment) -> Self {
        EntryAction {
            staff_id: Some(staff_id.to_owned()),
            ..EntryAction::new(entry_id, Action::SignFor, at)
        }
    }

    /// Work on entry `entry_id` starts, by `staff_id`.
    pub fn start(entry_id: i64, staff_id: &str, at: Moment) -> Self {
        EntryAction {
            staff_id: Some(staff_id.to_owned()),
            ..EntryAction::new(entry_id, Action::Start, at)
        }
    }

    /// Entry `entry_id` is handed on with `reason`, to `to` or by default the unit above.
    pub fn escalate(entry_id: i64, at: Moment, reason: &str, to: Option<&str>) -> Self {
        EntryAction {
            to: to.map(str::to_owned),
            ..EntryAction::with_note(entry_id, Action::Escalate, at, reason)
        }
    }

    /// Entry `entry_id` is sent back as misrouted (退回) with `reason`.
    pub fn return_entry(entry_id: i64, at: Moment, reason: &str) -> Self {
        EntryAction::with_note(entry_id, Action::Return, at, reason)
    }

    /// Entry `entry_id` is marked hard to resolve (难解决) with `reason`.
    pub fn mark_hard(entry_id: i64, at: Moment, reason: &str) -> Self {
        EntryAction::with_note(entry_id, Action::MarkHard, at, reason)
    }

    /// Entry `entry_id` is put off (缓办) with `reason`.
    pub fn suspend(entry_id: i64, at: Moment, reason: &str) -> Self {
        EntryAction::with_note(entry_id, Action::Suspend, at, reason)
    }

    /// Entry `entry_id` is taken up again.
    pub fn resume(entry_id: i64, at: Moment) -> Self {
        EntryAction::new(entry_id, Action::Resume, at)
    }

    /// Entry `entry_id`'s deadline is extended by `days` working days (延期) with `reason`.
    pub fn extend(entry_id: i64, at: Moment, days: u32, reason: &str) -> Self {
        EntryAction {
            days: Some(days),
            ..EntryAction::with_note(entry_id, Action::Extend, at, reason)
        }
    }

    /// Entry `entry_id` is resolved (办结) with `result`.
    pub fn resolve(entry_id: i64, at: Moment, result: &str) -> Self {
        EntryAction::with_note(entry_id, Action::Resolve, at, result)
    }

    /// The resident's feedback on entry `entry_id`'s resolution (核查), with `note`.
    pub fn verify(entry_id: i64, at: Moment, satisfied: bool, note: &str) -> Self {
        EntryAction {
            satisfied: Some(satisfied),
            ..EntryAction::with_note(entry_id, Action::Verify, at, note)
        }
    }

    /// Entry `entry_id` is closed (注销).
    pub fn close(entry_id: i64, at: Moment) -> Self {
        EntryAction::new(entry_id, Action::Close, at)
    }

    /// Closed entry `entry_id` is opened again with `reason`.
    pub fn reopen(entry_id: i64, at: Moment, reason: &str) -> Self {
        EntryAction::with_note(entry_id, Action::Reopen, at, reason)
    }

    /// Checks a number of working days for an extension: 1 to 365, else `InvalidInput`
    /// naming `days`. Takes any integer so that a binding can pass what it was given.
    pub fn check_days(days: i64) -> Result<u32> {
        u32::try_from(days)
            .ok()
            .filter(|d| EntryAction::EXTENSION_DAYS.contains(d))
            .ok_or_else(|| Error::invalid("days", days, "an extension is 1 to 365 working days"))
    }

    /// Reads an action from a JSON object in the shape of [`EntryAction`] (unknown keys
    /// refused), local times read in `offset`.
    pub fn from_json(value: &Value, offset: FixedOffset) -> Result<Self> {
        let f = Fields::of(value, "action", &EntryAction::KEYS)?;
        let field = |name: &str| f.object().get(name).filter(|v| !v.is_null());
        let entry_id = field("entry_id")
            .map(|v| {
                v.as_i64().ok_or_else(|| {
                    Error::invalid("entry_id", v.to_string(), "expected a whole number")
                })
            })
            .transpose()?
            .ok_or_else(|| Error::invalid("entry_id", "", "required"))?;
        let days = field("days")
            .map(|v| {
                v.as_u64()
                    .and_then(|d| u32::try_from(d).ok())
                    .ok_or_else(|| Error::invalid("days", v.to_string(), "expected a whole number"))
            })
            .transpose()?;
        let satisfied = field("satisfied")
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    Error::invalid("satisfied", v.to_string(), "expected true or false")
                })
            })
            .transpose()?;
        Ok(EntryAction {
            entry_id,
            action: Action::parse(f.required("action")?)?,
            at: date::parse_moment("at", f.required("at")?, offset)?,
            staff_id: f.text("staff_id")?.map(str::to_owned),
            note: f.text("note")?.unwrap_or_default().to_owned(),
            to: f.text("to")?.map(str::to_owned),
            days,
            satisfied,
        })
    }

    /// Reads a batch: a JSON array of objects in the shape of [`EntryAction`], a refusal
    /// naming the action's place (`action 3 of the batch`).
    pub fn list_from_json(json: &str, offset: FixedOffset) -> Result<Vec<Self>> {
        input::array_of(json, "actions", "action", |v| {
            EntryAction::from_json(v, offset)
        })
    }

    /// The action as a JSON object in the shape of [`EntryAction`].
    pub fn to_json(&self) -> Value {
        json!({
            "entry_id": self.entry_id,
            "action": self.action.as_str(),
            "at": self.at.to_rfc3339(),
            "staff_id": self.staff_id,
            "note": self.note,
            "to": self.to,
            "days": self.days,
            "satisfied": self.satisfied,
        })
    }

    /// What to ask of the workflow, after every check an action gets before the store is
    /// read: its reason or result, its note's length, its days, its staff member named
    /// (whether the staff member is known is checked against the store), its satisfaction.
    pub(crate) fn ask(&self) -> Result<(Ask<'_>, Option<&str>)> {
        let reason = || text::check_len("reason", &self.note, 1, text::LONG_TEXT_MAX);
        let staff = || {
            self.staff_id.as_deref().map(Some).ok_or_else(|| {
                Error::invalid("staff_id", "", "sign_for and start need a staff member")
            })
        };
        let asked = match self.action {
            Action::Register => {
                return Err(Error::invalid(
                    "action",
                    "register",
                    "entries are registered through register_entries",
                ));
            }
            Action::SignFor => (Ask::Step(Step::SignFor), staff()?),
            Action::Start => (Ask::Step(Step::Start), staff()?),
            Action::Escalate => {
                reason()?;
                (Ask::Escalate(self.to.as_deref()), None)
            }
            Action::Return => {
                reason()?;
                (Ask::Step(Step::Return), None)
            }
            Action::MarkHard => {
                reason()?;
                (Ask::Step(Step::MarkHard), None)
            }
            Action::Suspend => {
                reason()?;
                (Ask::Step(Step::Suspend), None)
            }
            Action::Resume => (Ask::Step(Step::Resume), None),
            Action::Extend => {
                reason()?;
                let days = EntryAction::check_days(self.days.map_or(0, i64::from))?;
                (Ask::Step(Step::Extend(days)), None)
            }
            Action::Resolve => {
                text::check_len("result", &self.note, 1, text::LONG_TEXT_MAX)?;
                (Ask::Step(Step::Resolve), None)
            }
            Action::Verify => {
                let satisfied = self.satisfied.ok_or_else(|| {
                    Error::invalid(
                        "satisfied",
                        "",
                        "verify needs whether the resident was satisfied",
                    )
                })?;
                (Ask::Step(Step::Verify(satisfied)), None)
            }
            Action::Close => (Ask::Step(Step::Close), None),
            Action::Reopen => {
                reason()?;
                (Ask::Step(Step::Reopen), None)
            }
        };
        text::check_len("note", &self.note, 0, text::LONG_TEXT_MAX)?;
        Ok(asked)
    }
}
