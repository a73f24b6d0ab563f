//! Submitted reports (报告制度): which units report at which cadence, the sealed
//! submissions, approval by the level above, and the locks approval sets.
//!
//! By default grids report weekly to their community, communities monthly to their
//! township and townships quarterly; a report is due by the end of the given number of
//! working days after its period (1 for a week, 3 for a month, 5 for a quarter).
//! Submitting seals the report as it then stands, with its time and author; a unit may
//! submit again until the report is approved. Approval, by a handle above the unit, locks
//! the unit's subtree for the period: a fact dated in it (an entry or an action on one, a
//! visit, a household arriving or moving, a tag starting or ending) is then refused with
//! a `Conflict` naming the period and the approved report.
//!
//! A store above the unit's own (a city's, above its counties' stores) receives the unit's
//! sealed submission instead ([`Store::receive_submission`], see [`receive`]): its report
//! then stands for the unit's subtree in the reports of the level above.

pub(crate) mod locks;
mod receive;
mod tally;

pub use receive::{MAX_SEALED_LEN, seal_of};
pub(crate) use tally::tally;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use crate::calendar::Calendar;
use crate::date::{self, Date, Moment};
use crate::error::{Error, Result};
use crate::ledger::query::end_of;
use crate::levels::Levels;
use crate::period::{Period, PeriodKind};
use crate::report::ledger::instants;
use crate::store::{AuditHead, Store};
use crate::visits::sets::{self, Fields, RuleTable};

/// A level's duty to report: every period of a kind, due some working days after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingRule {
    /// The level that reports (`grid`).
    pub level: String,
    /// The kind of period it reports for (weekly: `week`).
    pub every: PeriodKind,
    /// Working days after the period's last day by whose end the report is due.
    pub due_working_days: u32,
}

impl ReportingRule {
    /// The rule as JSON: `{"level": "grid", "every": "week", "due_working_days": 1}`.
    pub fn to_json(&self) -> Value {
        json!({
            "level": self.level,
            "every": self.every.as_str(),
            "due_working_days": self.due_working_days,
        })
    }

    fn from_json(value: &Value, levels: &Levels) -> Result<Self> {
        let f = Fields::of(
            value,
            "reporting rule",
            &["level", "every", "due_working_days"],
        )?;
        let level = f.required("level")?;
        levels
            .depth(level)
            .map_err(|_| Error::invalid("level", level, "not a level of this deployment"))?;
        let every = PeriodKind::parse("every", f.required("every")?)?;
        let due = match f.object().get("due_working_days") {
            None => 1,
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n <= 60)
                .ok_or_else(|| {
                    Error::invalid("due_working_days", v, "expected 0 to 60 working days")
                })?,
        };
        Ok(ReportingRule {
            level: level.to_owned(),
            every,
            due_working_days: due,
        })
    }
}

/// The seed's cadence: grids weekly, communities monthly, townships quarterly.
pub fn default_reporting_rules() -> Vec<ReportingRule> {
    [
        ("grid", PeriodKind::Week, 1),
        ("community", PeriodKind::Month, 3),
        ("township", PeriodKind::Quarter, 5),
    ]
    .into_iter()
    .map(|(level, every, due_working_days)| ReportingRule {
        level: level.to_owned(),
        every,
        due_working_days,
    })
    .collect()
}

/// Where a unit's report for a period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionStatus {
    /// Not submitted.
    Missing,
    /// Submitted, awaiting approval.
    Submitted,
    /// Approved by the level above: the period is locked for the unit's subtree.
    Approved,
}

impl SubmissionStatus {
    /// `missing`, `submitted` or `approved`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Missing => "missing",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Approved => "approved",
        }
    }
}

/// A unit's report for one period of its cadence: expected, submitted or approved.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The unit.
    pub unit: String,
    /// The period.
    pub period: Period,
    /// When the report is due.
    pub due: Moment,
    /// Where it stands.
    pub status: SubmissionStatus,
    /// How many times it was submitted.
    pub versions: u32,
    /// When it was first submitted.
    pub first_submitted_at: Option<Moment>,
    /// When its latest version was submitted, and by whom.
    pub submitted_at: Option<Moment>,
    /// Who submitted the latest version.
    pub author: Option<String>,
    /// Whether it was first submitted by its due time.
    pub on_time: bool,
    /// When it was approved, and by whom.
    pub approved_at: Option<Moment>,
    /// Who approved it.
    pub approver: Option<String>,
    /// The latest version's report, as JSON text ([`super::Report::to_json`]).
    pub report: Option<String>,
    /// The audit head of the store when the latest version was submitted: approval
    /// checks that the chain still holds it and records it, so the level above anchors
    /// the level below. `None` when nothing was submitted, or before heads were kept.
    pub audit_head: Option<AuditHead>,
    /// When the latest version was received from the unit's own store
    /// ([`Store::receive_submission`]); `None` for a report submitted in this store.
    pub received_at: Option<Moment>,
}

impl Submission {
    /// The submission as JSON; `report` is included as an object when `with_report`,
    /// and then `seal` is the SM3 digest of all the rest ([`seal_of`]), which is what
    /// [`Store::receive_submission`] takes; without the report `seal` is null.
    pub fn to_json(&self, with_report: bool) -> Value {
        let moment = |m: &Option<Moment>| m.as_ref().map(Moment::to_rfc3339);
        let mut v = json!({
            "unit": self.unit,
            "period": self.period.to_string(),
            "due": self.due.to_rfc3339(),
            "status": self.status.as_str(),
            "versions": self.versions,
            "first_submitted_at": moment(&self.first_submitted_at),
            "submitted_at": moment(&self.submitted_at),
            "author": self.author,
            "on_time": self.on_time,
            "approved_at": moment(&self.approved_at),
            "approver": self.approver,
            "audit_head": self.audit_head,
            "received_at": moment(&self.received_at),
            "seal": null,
        });
        if with_report {
            v["report"] = self
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok())
                .unwrap_or(Value::Null);
            v["seal"] = Value::String(seal_of(&v));
        }
        v
    }
}

/// The stored reporting rule sets, oldest first.
fn rule_sets(conn: &Connection, levels: &Levels) -> Result<Vec<(i64, Vec<ReportingRule>)>> {
    sets::load(
        conn,
        RuleTable::Reporting,
        |v| parse_rules(v, levels),
        default_reporting_rules,
    )
}

fn parse_rules(value: &Value, levels: &Levels) -> Result<Vec<ReportingRule>> {
    sets::parse_array(
        value,
        |v| ReportingRule::from_json(v, levels),
        |r| r.level.as_str(),
    )
}

/// The rule for `level` in force on `day`, if that level reports.
fn rule_for<'s>(
    sets: &'s [(i64, Vec<ReportingRule>)],
    level: &str,
    day: i64,
) -> Option<&'s ReportingRule> {
    sets::in_force(sets, day).iter().find(|r| r.level == level)
}

/// The due moment of a report for `period` under `rule`.
fn due_of(
    calendar: &Calendar,
    rule: &ReportingRule,
    period: Period,
    offset: chrono::FixedOffset,
) -> Result<Moment> {
    let day = calendar.add_working_days(period.last(), i64::from(rule.due_working_days))?;
    Ok(end_of(day, offset))
}

/// A stored submission row: version, submitted, author, report, approved, approver,
/// audit head, received.
type Row = (
    u32,
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The latest version of a report: version, approved, audit head, received.
type Latest = (u32, Option<i64>, Option<String>, Option<i64>);

impl Store {
    /// Sets which levels report at which cadence from `start` (default: always) from a
    /// JSON array of [`ReportingRule::to_json`] objects. Needs an unrestricted handle.
    pub fn set_reporting_rules_json(&self, json: &str, start: Option<Date>) -> Result<()> {
        let levels = self.levels().clone();
        sets::set_json(
            self,
            RuleTable::Reporting,
            (json, start),
            |_, v| parse_rules(v, &levels),
            ReportingRule::to_json,
        )
    }

    /// Sets the reporting rules (see [`Store::set_reporting_rules_json`]).
    pub fn set_reporting_rules(&self, rules: &[ReportingRule], start: Option<Date>) -> Result<()> {
        self.set_reporting_rules_json(&sets::to_array(rules, ReportingRule::to_json), start)
    }

    /// The reporting rules in force on `as_of` (default today).
    pub fn reporting_rules(&self, as_of: Option<Date>) -> Result<Vec<ReportingRule>> {
        let day = date::to_sql(as_of.unwrap_or_else(|| self.today()));
        let sets = rule_sets(&*self.read()?, self.levels())?;
        Ok(sets::in_force(&sets, day).to_vec())
    }

    /// Submits `unit`'s report for `period` at `at`, by this handle's actor: the report as
    /// it now stands is sealed with them. The period must be one of the unit's cadence
    /// (`InvalidInput` otherwise); a report already approved is a `Conflict`.
    pub fn submit(&self, unit: &str, period: Period, at: &Moment) -> Result<Submission> {
        let report = self.report(unit, period)?;
        // The report and the rule are read before the write takes the lock, which is
        // then held only to store them.
        let rule = {
            let conn = self.read()?;
            let sets = rule_sets(&conn, self.levels())?;
            rule_for(&sets, &report.level, date::to_sql(period.first())).cloned()
        };
        let Some(rule) = rule else {
            return Err(Error::invalid(
                "unit",
                unit,
                format!(
                    "a {} does not report (no reporting rule for its level)",
                    report.level
                ),
            ));
        };
        if rule.every != period.kind() {
            return Err(Error::invalid(
                "period",
                period,
                format!("a {} reports every {}", report.level, rule.every.as_str()),
            ));
        }
        let text = report.to_json().to_string();
        let key = period.to_string();
        self.write(|w| {
            let head = w.audit_head()?;
            let head_json = serde_json::to_string(&head).map_err(|e| Error::Storage(e.to_string()))?;
            let (version, approved, received): (u32, Option<i64>, Option<i64>) = w
                .tx
                .prepare_cached(
                    "SELECT coalesce(max(version), 0), max(approved_at), max(received_at)
                     FROM submission WHERE unit = ?1 AND period = ?2",
                )?
                .query_row(params![unit, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            if approved.is_some() {
                return Err(Error::Conflict(format!(
                    "the report of {unit} for {key} was approved and is locked"
                )));
            }
            if received.is_some() {
                return Err(Error::Conflict(format!(
                    "the report of {unit} for {key} is received from its own store, not submitted in this one"
                )));
            }
            w.tx.prepare_cached(
                "INSERT INTO submission (unit, period, version, first_day, last_day, submitted_at, author, report, audit_head)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                unit,
                key,
                version + 1,
                date::to_sql(period.first()),
                date::to_sql(period.last()),
                at.timestamp(),
                self.access.actor,
                text,
                head_json
            ])?;
            w.changes_no_household();
            w.audit(
                "submit_report",
                unit,
                &[unit],
                &json!({"period": key, "version": version + 1, "at": at.to_rfc3339(), "audit_head": head}),
            )
        })?;
        self.submission(unit, period)
    }

    /// Approves `unit`'s submitted report for `period` at `at`, by this handle's actor,
    /// which must be above the unit: a handle scoped to the unit itself cannot. Approval
    /// locks the unit's subtree for the period: a fact dated in it (an entry or an action on
    /// one, a visit, a household arriving or moving, a tag starting or ending) is then
    /// refused with a `Conflict` naming the period and the approved report.
    pub fn approve(&self, unit: &str, period: Period, at: &Moment) -> Result<Submission> {
        let last = date::to_sql(period.last());
        let (first_at, last_at) = instants(date::to_sql(period.first()), last, self.offset());
        let key = period.to_string();
        self.write(|w| {
            let span = crate::units::span_on(&w.tx, unit, period.last())?
                .ok_or_else(|| Error::not_found("unit", format!("{unit} on {}", period.last())))?;
            self.check_path_in_scope(unit, &span.path)?;
            if self.access.root.as_deref() == Some(unit) {
                return Err(Error::PermissionDenied(format!(
                    "the report of {unit} is approved by the level above, not by {unit} itself (actor {})",
                    self.access.actor
                )));
            }
            let latest: Option<Latest> = w
                .tx
                .prepare_cached(
                    "SELECT version, approved_at, audit_head, received_at FROM submission
                     WHERE unit = ?1 AND period = ?2 ORDER BY version DESC LIMIT 1",
                )?
                .query_row(params![unit, key], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((version, approved, head, received)) = latest else {
                return Err(Error::not_found("submission", format!("{unit} for {key}")));
            };
            if approved.is_some() {
                return Err(Error::Conflict(format!(
                    "the report of {unit} for {key} is already approved"
                )));
            }
            // The head the unit submitted under must still be in the chain: approving
            // anchors it. A received report's head is of its own store's chain, checked
            // against its earlier versions when received.
            let head = head.as_deref().map(AuditHead::from_json).transpose()?;
            if let Some(head) = &head
                && received.is_none()
                && let Some(problem) = w.audit_head_problem(head)?
            {
                return Err(Error::Conflict(format!(
                    "the report of {unit} for {key} cannot be approved: {problem}"
                )));
            }
            w.tx.prepare_cached(
                "UPDATE submission SET approved_at = ?4, approver = ?5
                 WHERE unit = ?1 AND period = ?2 AND version = ?3",
            )?
            .execute(params![unit, key, version, at.timestamp(), self.access.actor])?;
            w.tx.prepare_cached(
                "INSERT INTO report_lock (unit, period, path, first_day, last_day, first_at, last_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                unit,
                key,
                span.path,
                date::to_sql(period.first()),
                last,
                first_at,
                last_at
            ])?;
            w.changes_no_household();
            w.audit(
                "approve_report",
                unit,
                &[unit],
                &json!({"period": key, "version": version, "at": at.to_rfc3339(), "audit_head": head}),
            )
        })?;
        self.submission(unit, period)
    }

    /// Where `unit`'s report for `period` stands, with its latest version's report.
    pub fn submission(&self, unit: &str, period: Period) -> Result<Submission> {
        let conn = self.read()?;
        let span = crate::units::span_on(&conn, unit, period.last())?
            .ok_or_else(|| Error::not_found("unit", format!("{unit} on {}", period.last())))?;
        self.check_path_in_scope(unit, &span.path)?;
        let sets = rule_sets(&conn, self.levels())?;
        let calendar = self.calendar_on(&conn)?;
        let rule = rule_for(&sets, &span.level, date::to_sql(period.first()))
            .cloned()
            .unwrap_or(ReportingRule {
                level: span.level.clone(),
                every: period.kind(),
                due_working_days: 0,
            });
        let due = due_of(&calendar, &rule, period, self.offset())?;
        let mut stmt = conn.prepare_cached(
            "SELECT version, submitted_at, author, report, approved_at, approver, audit_head,
                    received_at
             FROM submission WHERE unit = ?1 AND period = ?2 ORDER BY version",
        )?;
        let rows: Vec<Row> = stmt
            .query_map(params![unit, period.to_string()], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let offset = self.offset();
        let moment = |t: i64| crate::ledger::moment_of(t, offset);
        let first = rows.first().map(|r| moment(r.1));
        let latest = rows.last();
        Ok(Submission {
            unit: unit.to_owned(),
            period,
            due,
            status: match latest {
                None => SubmissionStatus::Missing,
                Some(r) if r.4.is_some() => SubmissionStatus::Approved,
                Some(_) => SubmissionStatus::Submitted,
            },
            versions: latest.map_or(0, |r| r.0),
            on_time: first.is_some_and(|f| f <= due),
            first_submitted_at: first,
            submitted_at: latest.map(|r| moment(r.1)),
            author: latest.map(|r| r.2.clone()),
            approved_at: latest.and_then(|r| r.4).map(moment),
            approver: latest.and_then(|r| r.5.clone()),
            report: latest.map(|r| r.3.clone()),
            audit_head: latest
                .and_then(|r| r.6.as_deref())
                .and_then(|h| serde_json::from_str(h).ok()),
            received_at: latest.and_then(|r| r.7).map(moment),
        })
    }

    /// Every report expected from `unit`'s subtree (the unit included) for the periods of
    /// their cadences inside `period`, with where each stands, by unit then period; the
    /// reports themselves are left out.
    pub fn submissions(&self, unit: &str, period: Period) -> Result<Vec<Submission>> {
        let expected = {
            let conn = self.read()?;
            let (first, last) = (date::to_sql(period.first()), date::to_sql(period.last()));
            let (_, tree) = crate::report::report_tree(&conn, unit, first, last)?;
            self.check_path_in_scope(unit, &tree.path)?;
            let sets = rule_sets(&conn, self.levels())?;
            let mut out = Vec::new();
            for m in &tree.members {
                for q in expected_periods(&sets, &m.level, m.start, period) {
                    out.push((m.code.clone(), q.0));
                }
            }
            out
        };
        let mut out = Vec::with_capacity(expected.len());
        for (code, q) in expected {
            let mut s = self.submission(&code, q)?;
            s.report = None;
            out.push(s);
        }
        out.sort_by(|a, b| (&a.unit, a.period.first()).cmp(&(&b.unit, b.period.first())));
        Ok(out)
    }
}

/// The periods of a unit of `level` that began on day `start` expected to be reported
/// inside `period`, each with its rule: those of its cadence inside the period (weeks by
/// the month, quarter or year their Thursday falls in) that end on or after `start`.
fn expected_periods<'s>(
    sets: &'s [(i64, Vec<ReportingRule>)],
    level: &str,
    start: i64,
    period: Period,
) -> Vec<(Period, &'s ReportingRule)> {
    let Some(rule) = rule_for(sets, level, date::to_sql(period.first())) else {
        return Vec::new();
    };
    period
        .inside(rule.every)
        .unwrap_or_default()
        .into_iter()
        .filter(|q| date::to_sql(q.last()) >= start)
        .filter_map(|q| rule_for(sets, level, date::to_sql(q.first())).map(|r| (q, r)))
        .filter(|(q, r)| r.every == q.kind())
        .collect()
}
