//! Reports (报告): a unit's indicators over a period, computed from the facts.
//!
//! A report covers the unit's whole subtree as it stood on the period's last day; units
//! moved later still count where they were then, and a unit retired during the period
//! counts where it stood when retired. An entry counts for the unit where it was
//! registered, a visit for the unit where the household lived that day, a household for
//! the unit it lived in on the period's last day. Each direct child has a row, and the
//! facts attached to the unit itself an `own` row, so the rows add up exactly to the
//! totals in every count, and in every rate's numerator and denominator.
//!
//! Definitions (DESIGN.md, "Indicator definitions"), with what they leave open decided:
//! - `received` (受理): entries reported in the period.
//! - `resolved` (办结): entries first resolved in the period; `closed`: entries closed
//!   (注销) in the period, once each however often.
//! - `closure_rate` (办结率): of the entries received, those resolved by the period's end.
//! - `due_closure_rate` (按期结案率): of the entries whose deadline, as it stood at the
//!   period's end, falls in the period and that were not suspended then, those first
//!   resolved on or before it.
//! - `timely_rate` (按期办结率): of the entries resolved, those resolved on or before the
//!   deadline in force when they were.
//! - `sign_for_rate` (签收率): of the dispatches in the period (registration, escalation
//!   and return each send an entry to a handler that must sign for it), those signed for
//!   by the period's end, before any further dispatch; `timely_sign_for_rate`: those
//!   signed for within the sign-for limit.
//! - `pending`, `hard`, `overdue`: entries standing so at the period's last moment.
//! - `visits_home`, `visits_phone` (走访人次): contacts made in the period.
//! - `home_coverage` (入户率): of the households living in the unit on the period's last
//!   day, those with a home visit in the period.
//! - `rule_compliance`: requirements of the calendar visit rules of periods ending inside
//!   the period, met / held (see [`Store::visit_compliance`]).
//! - `households`, `special_households`, `residents`, `floating`: on the last day.
//! - `report_completeness`, `report_timeliness`: see submissions.
//!
//! A unit below the report's whose submission for the period was received from its own
//! store counts with the figures it submitted (see `report/received.rs`).
//!
//! A report holds counts only, never a person's name, ID number or phone.

mod assess;
mod circular;
pub(crate) mod columns;
mod export;
mod html;
pub(crate) mod ledger;
pub(crate) mod received;
mod trees;

pub(crate) use trees::report_tree;

pub use crate::submit::{
    MAX_SEALED_LEN, ReportingRule, Submission, SubmissionStatus, default_reporting_rules, seal_of,
};
pub use assess::{
    Assessment, AssessmentItem, AssessmentRules, ItemScore, UnitScore, default_assessment_rules,
};
pub use circular::{Circular, CircularRow, DEFAULT_MIN_SAMPLE, LeftOut};
pub use export::INDICATOR_NAMES;
use serde::Serialize;
use serde_json::{Value, json};

use crate::date;
use crate::error::Result;
use crate::period::Period;
use crate::progress::{self, Progress};
use crate::snapshot::{RegistrySnapshot, Subtree};
use crate::store::Store;
use crate::visits::Rate;
use crate::visits::facts::{each_contact, each_requirement};
use crate::visits::{Channel, log::VisitLog};

/// The ledger's indicators, for a unit or for one category or book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerIndicators {
    /// Entries reported in the period (受理).
    pub received: u64,
    /// Entries first resolved in the period (办结).
    pub resolved: u64,
    /// Entries closed (注销) in the period.
    pub closed: u64,
    /// Entries received and resolved by the period's end / received (办结率).
    pub closure_rate: Rate,
    /// Entries due in the period and resolved on time / due in the period, suspended
    /// ones left out (按期结案率).
    pub due_closure_rate: Rate,
    /// Entries resolved in the period on time / resolved (按期办结率).
    pub timely_rate: Rate,
    /// Dispatches in the period signed for by its end / dispatches (签收率).
    pub sign_for_rate: Rate,
    /// Dispatches in the period signed for within the limit / dispatches.
    pub timely_sign_for_rate: Rate,
    /// Entries open and not marked hard at the period's end (待解决).
    pub pending: u64,
    /// Entries open and marked hard at the period's end (难解决).
    pub hard: u64,
    /// Entries open past their deadline at the period's end.
    pub overdue: u64,
}

/// Every indicator of a report row or total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    /// The ledger's indicators.
    #[serde(flatten)]
    pub ledger: LedgerIndicators,
    /// Home visits made in the period (走访人次, 入户).
    pub visits_home: u64,
    /// Phone follow-ups made in the period (电话随访).
    pub visits_phone: u64,
    /// Households with a home visit in the period / households on its last day (入户率).
    pub home_coverage: Rate,
    /// Visit-rule requirements met / held.
    pub rule_compliance: Rate,
    /// Households on the period's last day.
    pub households: u64,
    /// Of those, special households (特殊户).
    pub special_households: u64,
    /// Residents of those households.
    pub residents: u64,
    /// Floating households (流动).
    pub floating: u64,
    /// Reports received / reports expected.
    pub report_completeness: Rate,
    /// Reports received by their due date / reports expected.
    pub report_timeliness: Rate,
}

/// One row of a report: a direct child of the unit, or the unit's own facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// The child's code (the unit's own code for the own row).
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: String,
    /// Whether this is the own row: facts attached to the unit itself.
    pub own: bool,
    /// Its indicators.
    #[serde(flatten)]
    pub indicators: Indicators,
}

/// The ledger's indicators for one category or book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// The category or book.
    pub key: String,
    /// Its indicators.
    #[serde(flatten)]
    pub indicators: LedgerIndicators,
}

/// A unit's report over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The unit.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: String,
    /// The period.
    pub period: Period,
    /// The whole subtree's indicators.
    pub totals: Indicators,
    /// One row per direct child, by code, then the own row: they add up to the totals.
    pub rows: Vec<ReportRow>,
    /// The ledger's indicators per category, by category.
    pub by_category: Vec<Breakdown>,
    /// The ledger's indicators per ledger book, by book. An entry kept in two books
    /// counts in both, so these need not add up to the totals.
    pub by_book: Vec<Breakdown>,
}

impl Report {
    /// The report as JSON: the schema the C API returns and Python's `to_json` gives.
    ///
    /// `{"unit", "name", "level", "period", "first", "last", "totals": {indicators},
    /// "rows": [{"unit", "name", "level", "own", indicators...}], "by_category": [{"key",
    /// ledger indicators...}], "by_book": [...]}`: counts are integers, rates are objects
    /// `{"num", "den", "value"}` with `value` null when `den` is 0.
    pub fn to_json(&self) -> Value {
        json!({
            "unit": self.unit,
            "name": self.name,
            "level": self.level,
            "period": self.period.to_string(),
            "first": self.period.first().to_string(),
            "last": self.period.last().to_string(),
            "totals": self.totals,
            "rows": self.rows,
            "by_category": self.by_category,
            "by_book": self.by_book,
        })
    }
}

/// Raw counts, which add up across rows; a report's rates are made from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) received: u64,
    pub(crate) resolved: u64,
    pub(crate) closed: u64,
    pub(crate) received_resolved: u64,
    pub(crate) due: u64,
    pub(crate) due_on_time: u64,
    pub(crate) resolved_on_time: u64,
    pub(crate) dispatched: u64,
    pub(crate) signed: u64,
    pub(crate) signed_on_time: u64,
    pub(crate) pending: u64,
    pub(crate) hard: u64,
    pub(crate) overdue: u64,
    pub(crate) visits_home: u64,
    pub(crate) visits_phone: u64,
    pub(crate) home_visited: u64,
    pub(crate) required: u64,
    pub(crate) met: u64,
    pub(crate) households: u64,
    pub(crate) special_households: u64,
    pub(crate) residents: u64,
    pub(crate) floating: u64,
    pub(crate) reports_expected: u64,
    pub(crate) reports_received: u64,
    pub(crate) reports_on_time: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, o: &Tally) {
        self.received += o.received;
        self.resolved += o.resolved;
        self.closed += o.closed;
        self.received_resolved += o.received_resolved;
        self.due += o.due;
        self.due_on_time += o.due_on_time;
        self.resolved_on_time += o.resolved_on_time;
        self.dispatched += o.dispatched;
        self.signed += o.signed;
        self.signed_on_time += o.signed_on_time;
        self.pending += o.pending;
        self.hard += o.hard;
        self.overdue += o.overdue;
        self.visits_home += o.visits_home;
        self.visits_phone += o.visits_phone;
        self.home_visited += o.home_visited;
        self.required += o.required;
        self.met += o.met;
        self.households += o.households;
        self.special_households += o.special_households;
        self.residents += o.residents;
        self.floating += o.floating;
        self.reports_expected += o.reports_expected;
        self.reports_received += o.reports_received;
        self.reports_on_time += o.reports_on_time;
    }

    fn ledger(&self) -> LedgerIndicators {
        LedgerIndicators {
            received: self.received,
            resolved: self.resolved,
            closed: self.closed,
            closure_rate: Rate::new(self.received_resolved, self.received),
            due_closure_rate: Rate::new(self.due_on_time, self.due),
            timely_rate: Rate::new(self.resolved_on_time, self.resolved),
            sign_for_rate: Rate::new(self.signed, self.dispatched),
            timely_sign_for_rate: Rate::new(self.signed_on_time, self.dispatched),
            pending: self.pending,
            hard: self.hard,
            overdue: self.overdue,
        }
    }

    fn indicators(&self) -> Indicators {
        Indicators {
            ledger: self.ledger(),
            visits_home: self.visits_home,
            visits_phone: self.visits_phone,
            home_coverage: Rate::new(self.home_visited, self.households),
            rule_compliance: Rate::new(self.met, self.required),
            households: self.households,
            special_households: self.special_households,
            residents: self.residents,
            floating: self.floating,
            report_completeness: Rate::new(self.reports_received, self.reports_expected),
            report_timeliness: Rate::new(self.reports_on_time, self.reports_expected),
        }
    }
}

/// A unit of the report's tree: its code, level, first day and the row it counts in.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) code: String,
    pub(crate) level: String,
    pub(crate) start: i64,
    pub(crate) row: usize,
    pub(crate) path: String,
}

/// The report's tree: the unit's subtree as it stood on the period's last day, each unit
/// with the row it counts in.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// Direct children (code, name, level), by code; the own row comes after them.
    pub(crate) rows: Vec<(String, String, String)>,
    /// Every unit of the subtree with its row.
    pub(crate) members: Vec<Member>,
    /// The unit's path on the day.
    pub(crate) path: String,
}

impl Tree {
    /// The own row's index.
    pub(crate) fn own(&self) -> usize {
        self.rows.len()
    }

    /// The row of a unit whose path on the day is `path`: the child whose subtree holds it,
    /// or the own row.
    pub(crate) fn row_of_path(
        &self,
        path: &str,
        children: &foldhash::HashMap<&str, usize>,
    ) -> Option<usize> {
        let rest = path.strip_prefix(self.path.as_str())?;
        if rest.is_empty() {
            return Some(self.own());
        }
        let rest = rest.strip_prefix('/')?;
        let child = rest.split('/').next().unwrap_or(rest);
        children.get(child).copied()
    }
}

impl Store {
    /// `unit`'s report over `period`: every indicator for its whole subtree, one row per
    /// direct child plus the own row, and the ledger's indicators per category and book.
    /// The tree is taken as it stood on the period's last day; see the [module
    /// documentation](crate::report) for each indicator's definition.
    pub fn report(&self, unit: &str, period: Period) -> Result<Report> {
        let (first, last) = (date::to_sql(period.first()), date::to_sql(period.last()));
        // Its stages, as progress counts them: the tree, the ledger, the registry's
        // snapshot and visits, the registry's tallies, the submissions.
        let stage = |done| self.report_progress("report", done, 5);
        stage(0)?;
        let conn = self.read()?;
        let shared = self.report_tree(&conn, unit, first, last)?;
        let (root, tree) = (shared.0.clone(), &shared.1);
        self.check_path_in_scope(unit, &tree.path)?;
        let received = received::received(&conn, tree, period)?;
        let (facts, reports) = received
            .as_ref()
            .map_or((tree, tree), |r| (&r.facts, &r.reports));
        stage(1)?;
        let mut rows = vec![Tally::default(); tree.rows.len() + 1];
        let mut categories = std::collections::BTreeMap::new();
        let mut books = std::collections::BTreeMap::new();
        // On a store just opened, the registry's data is read beside the ledger's.
        let ahead = |reader: &rusqlite::Connection| {
            let snapshot = self.registry_snapshot(reader)?;
            self.visit_log(reader, &snapshot).map(drop)
        };
        let (snapshot, log) = self.with_ahead::<RegistrySnapshot, _>(&conn, ahead, || {
            let columns = self.ledger_columns(&conn)?;
            ledger::tally(
                &columns,
                self.offset(),
                facts,
                (first, last),
                &mut ledger::Sinks {
                    rows: &mut rows,
                    categories: &mut categories,
                    books: &mut books,
                },
            );
            stage(2)?;
            // The visit log is read from the file while the snapshot may still be.
            self.read_kept_ahead::<VisitLog>(&conn)?;
            let snapshot = self.registry_snapshot(&conn)?;
            let log = self.visit_log(&conn, &snapshot)?;
            Ok((snapshot, log))
        })?;
        stage(3)?;
        let registry = (&*snapshot, &*log);
        tally_registry(
            &conn,
            &root.0,
            registry,
            facts,
            period,
            self.progress(),
            &mut rows,
        )?;
        stage(4)?;
        crate::submit::tally(self, &conn, reports, period, &mut rows)?;
        drop(conn);
        if let Some(received) = &received {
            received.add_to(&mut rows, &mut categories, &mut books);
        }

        let mut totals = Tally::default();
        for r in &rows {
            totals.add(r);
        }
        let mut out_rows: Vec<ReportRow> = tree
            .rows
            .iter()
            .zip(&rows)
            .map(|((code, name, level), t)| ReportRow {
                unit: code.clone(),
                name: name.clone(),
                level: level.clone(),
                own: false,
                indicators: t.indicators(),
            })
            .collect();
        out_rows.push(ReportRow {
            unit: root.0.clone(),
            name: root.1.clone(),
            level: root.2.clone(),
            own: true,
            indicators: rows[tree.own()].indicators(),
        });
        let breakdown = |map: std::collections::BTreeMap<String, Tally>| {
            map.into_iter()
                .map(|(key, t)| Breakdown {
                    key,
                    indicators: t.ledger(),
                })
                .collect()
        };
        Ok(Report {
            unit: root.0,
            name: root.1,
            level: root.2,
            period,
            totals: totals.indicators(),
            rows: out_rows,
            by_category: breakdown(categories),
            by_book: breakdown(books),
        })
    }
}

/// Counts households, residents, visits and visit rules into `rows`.
fn tally_registry(
    conn: &rusqlite::Connection,
    root: &str,
    (snapshot, log): (&RegistrySnapshot, &VisitLog),
    tree: &Tree,
    period: Period,
    progress: Option<&Progress>,
    rows: &mut [Tally],
) -> Result<()> {
    let (first, last) = (date::to_sql(period.first()), date::to_sql(period.last()));
    // Each snapshot unit's row, and the subtree as the snapshot numbers it.
    let mut row_of = vec![None; snapshot.unit_len()];
    let mut subtree = Subtree {
        marks: vec![false; snapshot.unit_len()],
        units: Vec::new(),
    };
    for m in &tree.members {
        if let Some(i) = snapshot.unit_index(&m.code) {
            row_of[i as usize] = Some(m.row);
            subtree.marks[i as usize] = true;
            subtree.units.push(i);
        }
    }
    for (i, t) in snapshot
        .tally_subtree(last, &subtree)
        .into_iter()
        .enumerate()
    {
        if let Some(row) = row_of[i] {
            let r: &mut Tally = &mut rows[row];
            r.households += t.households;
            r.special_households += t.special_households;
            r.residents += t.residents;
            r.floating += t.floating;
        }
    }
    for (i, (h, unit)) in snapshot.living(last, &subtree).into_iter().enumerate() {
        progress::keep_going(progress, i)?;
        if let Some(row) = row_of[unit as usize]
            && log
                .of_held(snapshot, h)
                .any(first, last, |c| c == Channel::Home)
        {
            rows[row].home_visited += 1;
        }
    }
    each_contact(snapshot, log, (first, last), |unit, channel| {
        if let Some(row) = row_of.get(unit as usize).copied().flatten() {
            match channel {
                Channel::Home => rows[row].visits_home += 1,
                Channel::Phone => rows[row].visits_phone += 1,
            }
        }
    });
    each_requirement(
        conn,
        root,
        snapshot,
        log,
        &subtree,
        period,
        progress,
        |unit, met| {
            if let Some(row) = row_of[unit as usize] {
                rows[row].required += 1;
                rows[row].met += u64::from(met);
            }
        },
    )?;
    Ok(())
}
