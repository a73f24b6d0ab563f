//! Working many entries in one write: for importing a ledger's history, or a day's work
//! kept offline, all or nothing.

use chrono::FixedOffset;
use serde_json::{Value, json};

use super::Action;
use super::entries::{Ask, Walk, check_reason};
use super::workflow::Step;
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::visits::sets::Fields;

/// One action asked of an entry, as the single actions ([`Store::sign_for`] and the
/// rest) take it.
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

impl EntryAction {
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

    /// Reads an action from a JSON object with the keys `entry_id`, `action` (as
    /// [`Action::as_str`] names it), `at` (RFC 3339, or local time read in `offset`) and,
    /// as the action needs them, `staff_id`, `note`, `to`, `days`, `satisfied`.
    pub fn from_json(value: &Value, offset: FixedOffset) -> Result<Self> {
        let f = Fields::of(
            value,
            "action",
            &[
                "entry_id",
                "action",
                "at",
                "staff_id",
                "note",
                "to",
                "days",
                "satisfied",
            ],
        )?;
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

    /// What to ask of the workflow, checked as the single action checks it (staff apart).
    fn ask(&self) -> Result<(Ask<'_>, Option<&str>)> {
        let reason = || check_reason(&self.note);
        let staff = || {
            self.staff_id.as_deref().map(Some).ok_or_else(|| {
                Error::invalid("staff_id", "", "sign_for and start need a staff member")
            })
        };
        Ok(match self.action {
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
                let days = self.days.unwrap_or(0);
                if !(1..=365).contains(&days) {
                    return Err(Error::invalid(
                        "days",
                        days,
                        "an extension is 1 to 365 working days",
                    ));
                }
                (Ask::Step(Step::Extend(days)), None)
            }
            Action::Resolve => {
                check_reason(&self.note).map_err(|_| {
                    Error::invalid("result", &self.note, "a result is 1 to 2000 characters")
                })?;
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
        })
    }
}

impl Store {
    /// Applies `actions` in order in one write, each as its single action would (same
    /// checks, events and audit records): all or nothing, the first refusal naming the
    /// action's place in the batch. Gives how many were applied.
    pub fn work_entries(&self, actions: &[EntryAction]) -> Result<usize> {
        let mut asks = Vec::with_capacity(actions.len());
        let mut staff = std::collections::BTreeSet::new();
        for (i, a) in actions.iter().enumerate() {
            let place = || format!("action {i} of the batch");
            if a.note.chars().count() > 2000 {
                return Err(
                    Error::invalid("note", &a.note, "a note is at most 2000 characters")
                        .context(&place()),
                );
            }
            let (ask, actor) = a.ask().map_err(|e| e.context(&place()))?;
            if let Some(s) = actor {
                staff.insert(s);
            }
            asks.push((ask, actor));
        }
        for s in staff {
            self.staff(s)?;
        }
        self.write(|w| {
            let mut walk = Walk::new(self, &w.tx)?;
            for (i, (a, (ask, actor))) in actions.iter().zip(asks).enumerate() {
                self.act_in(
                    w,
                    &mut walk,
                    a.entry_id,
                    ask,
                    a.at.timestamp(),
                    (actor, &a.note),
                )
                .map_err(|e| e.context(&format!("action {i} of the batch")))?;
            }
            Ok(())
        })?;
        Ok(actions.len())
    }

    /// Applies a batch given as a JSON array of objects in the shape of
    /// [`EntryAction::from_json`].
    pub fn work_entries_json(&self, json: &str) -> Result<usize> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid("actions", json, format!("not JSON: {e}")))?;
        let items = value
            .as_array()
            .ok_or_else(|| Error::invalid("actions", json, "expected a JSON array of actions"))?;
        let actions = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                EntryAction::from_json(v, self.offset())
                    .map_err(|e| e.context(&format!("action {i} of the batch")))
            })
            .collect::<Result<Vec<_>>>()?;
        self.work_entries(&actions)
    }
}

/// The action as JSON, in the shape [`EntryAction::from_json`] reads.
impl EntryAction {
    /// The action as a JSON object.
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
}
