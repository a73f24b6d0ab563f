//! The entry workflow as a pure state machine: a state, an action and a moment give the
//! next state or an `InvalidTransition`, and nothing else is touched.

use chrono::{FixedOffset, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::ledger::{Handler, Status, TimeLimit, moment_of};

/// An entry's state after an event: what the workflow decides and the queries read.
/// Instants are seconds since the Unix epoch. Stored as JSON: statuses by name, handlers
/// as `unit:CODE` or `department:NAME`, absent values left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) status: Status,
    pub(crate) hard: bool,
    pub(crate) handler: Handler,
    /// The handlers it was sent on from, oldest first: `return` sends it to the last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) route: Vec<Handler>,
    pub(crate) deadline: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sign_due: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) suspended: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) resume_to: Option<Status>,
    #[serde(default)]
    pub(crate) rework: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) signed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) first_resolved: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) resolved: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) closed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) verified: Option<bool>,
}

/// A workflow step, with what it needs beyond the moment.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    SignFor,
    Start,
    /// Hand on to this handler (the caller has found and checked it).
    Escalate(Handler),
    Return,
    MarkHard,
    Suspend,
    Resume,
    Extend(u32),
    Resolve,
    Verify(bool),
    Close,
    Reopen,
}

impl Step {
    pub(crate) fn action(&self) -> super::Action {
        use super::Action;
        match self {
            Step::SignFor => Action::SignFor,
            Step::Start => Action::Start,
            Step::Escalate(_) => Action::Escalate,
            Step::Return => Action::Return,
            Step::MarkHard => Action::MarkHard,
            Step::Suspend => Action::Suspend,
            Step::Resume => Action::Resume,
            Step::Extend(_) => Action::Extend,
            Step::Resolve => Action::Resolve,
            Step::Verify(_) => Action::Verify,
            Step::Close => Action::Close,
            Step::Reopen => Action::Reopen,
        }
    }

    /// The statuses the step may be taken from, in words for the refusal.
    fn allowed(&self) -> &'static [Status] {
        use Status::{Closed, InProgress, Registered, Resolved, SignedFor, Suspended};
        match self {
            Step::SignFor => &[Registered],
            Step::Start => &[SignedFor],
            Step::Escalate(_) => &[Registered, SignedFor, InProgress],
            Step::Return => &[Registered, SignedFor],
            Step::MarkHard => &[Registered, SignedFor, InProgress, Suspended],
            Step::Suspend => &[SignedFor, InProgress],
            Step::Resume => &[Suspended],
            Step::Extend(_) => &[SignedFor, InProgress, Suspended],
            Step::Resolve => &[InProgress],
            Step::Verify(_) | Step::Close => &[Resolved],
            Step::Reopen => &[Closed],
        }
    }
}

/// Time as the workflow counts it: the working-day calendar and the deployment's offset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock<'a> {
    pub(crate) calendar: &'a Calendar,
    pub(crate) offset: FixedOffset,
}

impl Clock<'_> {
    fn date_of(&self, at: i64) -> Date {
        moment_of(at, self.offset).date_naive()
    }

    /// The last second of `day` in the deployment's offset.
    fn end_of_day(&self, day: Date) -> i64 {
        let next = day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN);
        self.offset
            .from_local_datetime(&next)
            .single()
            .map_or(0, |m| m.timestamp())
            - 1
    }

    /// When a limit counted from `from` ends: the end of the n-th working day after its
    /// date, or n hours later.
    pub(crate) fn limit_end(&self, from: i64, limit: TimeLimit) -> Result<i64> {
        match limit {
            TimeLimit::Hours(n) => Ok(from + i64::from(n) * 3600),
            TimeLimit::WorkingDays(n) => {
                let day = self
                    .calendar
                    .add_working_days(self.date_of(from), i64::from(n))?;
                Ok(self.end_of_day(day))
            }
        }
    }

    /// `at` moved `n` working days later (or earlier), keeping its time of day.
    fn shift_working_days(&self, at: i64, n: i64) -> Result<i64> {
        let day = self.date_of(at);
        let to = self.calendar.add_working_days(day, n)?;
        Ok(at + (to - day).num_days() * 86_400)
    }
}

impl State {
    /// The state of an entry just registered with `handler` at `at`.
    pub(crate) fn registered(
        raised_at: &str,
        handler: Handler,
        deadline: i64,
        sign_due: i64,
    ) -> State {
        let route = if handler.unit() == Some(raised_at) {
            Vec::new()
        } else {
            vec![Handler::Unit(raised_at.to_owned())]
        };
        State {
            status: Status::Registered,
            hard: false,
            handler,
            route,
            deadline,
            sign_due: Some(sign_due),
            suspended: None,
            resume_to: None,
            rework: 0,
            signed: None,
            first_resolved: None,
            resolved: None,
            closed: None,
            verified: None,
        }
    }

    /// The state after `step` at `at`, for entry `id` whose time limits are `limits`
    /// (to resolve, to sign for); `InvalidTransition` when the step is not allowed now.
    pub(crate) fn after(
        &self,
        id: i64,
        step: &Step,
        at: i64,
        clock: &Clock<'_>,
        limits: (TimeLimit, TimeLimit),
    ) -> Result<State> {
        let refuse = |why: &str| {
            Error::InvalidTransition(format!(
                "cannot {} entry {id}: {why}",
                step.action().as_str()
            ))
        };
        if !step.allowed().contains(&self.status) {
            let allowed: Vec<&str> = step.allowed().iter().map(|s| s.as_str()).collect();
            return Err(refuse(&format!(
                "it is {} (allowed when {})",
                self.status.as_str(),
                allowed.join(" or ")
            )));
        }
        let mut next = self.clone();
        match step {
            Step::SignFor => {
                next.status = Status::SignedFor;
                next.signed = Some(at);
                next.sign_due = None;
            }
            Step::Start => next.status = Status::InProgress,
            Step::Escalate(to) => {
                if *to == self.handler {
                    return Err(refuse(&format!("it is already with {to}")));
                }
                next.route.push(self.handler.clone());
                next.handler = to.clone();
                next.dispatched(at, clock, limits.1)?;
            }
            Step::Return => {
                let Some(back) = next.route.pop() else {
                    return Err(refuse(
                        "no handler sent it here, so there is none to return it to",
                    ));
                };
                next.handler = back;
                next.dispatched(at, clock, limits.1)?;
            }
            Step::MarkHard => {
                if self.hard {
                    return Err(refuse("it is already marked hard"));
                }
                next.hard = true;
            }
            Step::Suspend => {
                next.resume_to = Some(self.status);
                next.status = Status::Suspended;
                next.suspended = Some(at);
            }
            Step::Resume => {
                let since = self.suspended.unwrap_or(at);
                next.deadline = match limits.0 {
                    TimeLimit::Hours(_) => self.deadline + (at - since),
                    TimeLimit::WorkingDays(_) => {
                        let stopped = clock
                            .calendar
                            .working_days_between(clock.date_of(since), clock.date_of(at))?;
                        clock.shift_working_days(self.deadline, stopped)?
                    }
                };
                next.status = self.resume_to.unwrap_or(Status::InProgress);
                next.resume_to = None;
                next.suspended = None;
            }
            Step::Extend(days) => {
                next.deadline = clock.shift_working_days(self.deadline, i64::from(*days))?;
            }
            Step::Resolve => {
                next.status = Status::Resolved;
                next.resolved = Some(at);
                next.first_resolved = self.first_resolved.or(Some(at));
                next.verified = None;
            }
            Step::Verify(satisfied) => {
                if self.verified == Some(true) {
                    return Err(refuse("the resident was already satisfied"));
                }
                if *satisfied {
                    next.verified = Some(true);
                } else {
                    next.status = Status::InProgress;
                    next.rework += 1;
                    next.resolved = None;
                    next.verified = None;
                }
            }
            Step::Close => {
                next.status = Status::Closed;
                next.closed = Some(at);
            }
            Step::Reopen => {
                next.status = Status::InProgress;
                next.closed = None;
                next.resolved = None;
                next.verified = None;
            }
        }
        Ok(next)
    }

    /// Registered with a new handler at `at`: it must be signed for again in time.
    fn dispatched(&mut self, at: i64, clock: &Clock<'_>, sign_limit: TimeLimit) -> Result<()> {
        self.status = Status::Registered;
        self.signed = None;
        self.sign_due = Some(clock.limit_end(at, sign_limit)?);
        Ok(())
    }

    /// The unit accountable for the entry now: its handler, or for a department the unit
    /// that sent it there.
    pub(crate) fn accountable_unit(&self) -> Option<&str> {
        self.handler
            .unit()
            .or_else(|| self.route.iter().rev().find_map(Handler::unit))
    }

    /// The state as stored.
    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored state.
    pub(crate) fn from_json(text: &str) -> Result<State> {
        serde_json::from_str(text)
            .map_err(|e| Error::Storage(format!("bad stored entry state ({e}): {text}")))
    }
}

/// The day number of the civil date of an instant in `offset`.
pub(crate) fn day_of(at: i64, offset: FixedOffset) -> i64 {
    date::to_sql(moment_of(at, offset).date_naive())
}
