//! Due lists: which households still need a contact, under which rule, by when.

use rusqlite::Connection;

use super::grid::GridBook;
use super::view::{Scope, View};
use super::{DueVisit, RuleMode, VisitRule, rule_sets, rules_on};
use crate::date::{self, BEGINNING};
use crate::error::Result;
use crate::progress::{self, Progress};
use crate::snapshot::{Held, RegistrySnapshot};
use crate::visits::log::{Contacts, VisitLog};

pub(super) fn sort_due(items: &mut [DueVisit]) {
    items.sort_unstable_by(|a, b| {
        (!a.overdue, a.due, &a.household_id, &a.rule).cmp(&(
            !b.overdue,
            b.due,
            &b.household_id,
            &b.rule,
        ))
    });
}

/// What a calendar rule's due list needs of the current and previous periods.
#[derive(Debug, Clone, Copy)]
struct Periods {
    first: i64,
    last: i64,
    previous_first: i64,
}

/// A rule in force on the list's day, with what its due items need.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan<'a> {
    pub(super) rule: &'a VisitRule,
    scope: Scope<'a>,
    periods: Periods,
}

/// The plans of `rules` on day `on`, in the rules' order.
pub(super) fn plans<'a>(rules: &'a [VisitRule], view: &View<'a>, on: i64) -> Vec<Plan<'a>> {
    let today = date::from_sql(on);
    rules
        .iter()
        .map(|rule| {
            let (first, last) = rule.cadence.bounds(today);
            let previous = rule.cadence.bounds(first.pred_opt().unwrap_or(first)).0;
            let periods = Periods {
                first: date::to_sql(first),
                last: date::to_sql(last),
                previous_first: date::to_sql(previous),
            };
            Plan {
                rule,
                scope: view.scope(rule),
                periods,
            }
        })
        .collect()
}

/// What a household still needs under a rule: (due day, overdue, last qualifying contact).
pub(super) type Due = (i64, bool, Option<i64>);

/// What household `h` still needs under `plan` on day `on`, seen from `view`'s subtree,
/// or `None` when nothing is due.
pub(super) fn due_of<'a>(
    plan: &Plan<'_>,
    view: &mut View<'a>,
    contacts: &Contacts<'_>,
    h: Held<'a>,
    on: i64,
) -> Result<Option<Due>> {
    let Plan {
        rule,
        scope,
        periods,
    } = *plan;
    let qualifies = |channel| rule.satisfied_by(channel);
    Ok(match rule.mode {
        RuleMode::Calendar => {
            if !view.holds(scope, h, periods.first)? || contacts.any(periods.first, on, qualifies) {
                return Ok(None);
            }
            let last_visit = contacts.last(on, qualifies);
            // Nothing since the previous period began: it was missed too.
            let overdue = last_visit.is_none_or(|day| day < periods.previous_first)
                && view.holds(scope, h, periods.previous_first)?;
            Some((periods.last, overdue, last_visit))
        }
        RuleMode::Rolling => {
            if !view.matches(scope, h, on) {
                return Ok(None);
            }
            let last_visit = contacts.last(on, qualifies);
            let since = match last_visit {
                Some(day) => day,
                None => entered_scope(rule, on, |day| view.holds(scope, h, day))?,
            };
            let due = date::to_sql(rule.cadence.after(date::from_sql(since)));
            Some((due, on > due, last_visit))
        }
    })
}

/// The due list of `unit`'s subtree on day `on`, sorted as [`sort_due`] sorts; the
/// households are reported to `progress` (step `due_visits`) as they are gone through.
pub(super) fn due_list(
    conn: &Connection,
    snapshot: &RegistrySnapshot,
    log: &VisitLog,
    unit: &str,
    on: i64,
    progress: Option<&Progress>,
) -> Result<Vec<DueVisit>> {
    let sets = rule_sets(conn)?;
    let rules = rules_on(&sets, on);
    let mut view = View::new(conn, unit, snapshot);
    let plans = plans(rules, &view, on);
    // Rules ranked by name, for the list's order.
    let mut names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    let rule_rank: Vec<usize> = rules
        .iter()
        .map(|r| names.partition_point(|n| *n < r.name.as_str()))
        .collect();
    let mut pending: Vec<Pending<'_>> = Vec::new();
    let living = view.living(on)?;
    let total = living.len();
    for (i, (h, unit)) in living.into_iter().enumerate() {
        progress::report_item(progress, "due_visits", i, total)?;
        let id = snapshot.id(h);
        let contacts = log.of_held(snapshot, h);
        for (r, plan) in plans.iter().enumerate() {
            let Some((due, overdue, last_visit)) = due_of(plan, &mut view, &contacts, h, on)?
            else {
                continue;
            };
            pending.push(Pending {
                held: h,
                overdue,
                due,
                rank: snapshot.rank(h),
                id,
                rule: r,
                rule_rank: rule_rank[r],
                unit,
                last_visit,
            });
        }
    }
    // Sorted before the items are made, comparing ranks rather than ids where it can.
    pending.sort_unstable_by(progress::watched_order(progress, |a: &Pending<'_>, b| {
        (!a.overdue, a.due)
            .cmp(&(!b.overdue, b.due))
            .then_with(|| match (a.rank, b.rank) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => a.id.cmp(b.id),
            })
            .then(a.rule_rank.cmp(&b.rule_rank))
    }));
    progress::keep_going(progress, 0)?;
    let mut grids = GridBook::for_units(conn, snapshot, on, pending.iter().map(|p| p.unit))?;
    let mut items = Vec::with_capacity(pending.len());
    for (i, p) in pending.into_iter().enumerate() {
        progress::keep_going(progress, i)?;
        let rule = plans[p.rule].rule;
        let grid = grids.of(snapshot, p.unit)?;
        let (grid_code, grid_name) = grid.grid.clone().unzip();
        items.push(DueVisit {
            household_id: p.id.to_owned(),
            unit: snapshot.unit_code(p.unit).to_owned(),
            rule: rule.name.clone(),
            channel: rule.channel,
            due: date::from_sql(p.due),
            overdue: p.overdue,
            last_visit: p.last_visit.map(date::from_sql),
            grid: grid_code,
            grid_name,
            address: snapshot.address(p.held)?.to_owned(),
            responsible: grid.responsible.clone(),
        });
    }
    Ok(items)
}

/// A due item before it is made, with what sorting it needs.
struct Pending<'s> {
    overdue: bool,
    due: i64,
    rank: Option<u32>,
    id: &'s str,
    /// The rule's index in the rules in force, and its rank by name.
    rule: usize,
    rule_rank: usize,
    unit: u32,
    last_visit: Option<i64>,
    /// The household, for its address.
    held: Held<'s>,
}

/// The day a household entered a rolling rule's scope: the first of the run of days up to
/// `on` on which `held` says it was held, looked for a week at a time and then to the day
/// (a stay out of scope shorter than a week between two weekly looks goes unseen). It
/// looks back no further than one cadence: a run that long is due by `on` whenever it
/// began.
fn entered_scope(
    rule: &VisitRule,
    on: i64,
    mut held: impl FnMut(i64) -> Result<bool>,
) -> Result<i64> {
    // Held since `limit` or before: due by `on - 1` whatever the start, so overdue.
    let limit = on - (date::to_sql(rule.cadence.after(date::from_sql(on))) - on) - 1;
    let mut day = on;
    let mut step = 7;
    loop {
        if day <= limit {
            return Ok(day.max(BEGINNING));
        }
        let probe = (day - step).max(limit);
        if held(probe)? {
            day = probe;
        } else if step > 1 {
            step = 1;
        } else {
            return Ok(day);
        }
    }
}
