//! Visit facts counted per unit for reports: contacts made in a period, households
//! reached at home, and the calendar rules' requirements met.

use rusqlite::Connection;

use super::{Channel, RuleMode, View, rule_sets, sets};
use crate::error::Result;
use crate::period::Period;
use crate::progress::{self, Progress};
use crate::snapshot::{RegistrySnapshot, Subtree};
use crate::visits::log::VisitLog;

/// Calls `f(unit, met)` for every (household, rule, rule period) requirement of `period`
/// (see [`Store::visit_compliance`](crate::Store::visit_compliance)) of the households
/// living, on each rule period's first day, in a unit that `subtree` marks; `unit` is
/// where the household lived that day. `root` names the subtree, for the view; `progress`
/// is kept informed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn each_requirement(
    conn: &Connection,
    root: &str,
    snapshot: &RegistrySnapshot,
    log: &VisitLog,
    subtree: &Subtree,
    period: Period,
    progress: Option<&Progress>,
    mut f: impl FnMut(u32, bool),
) -> Result<()> {
    let sets = rule_sets(conn)?;
    let view = View::new(conn, root, snapshot);
    for (start, until, set) in sets::with_ends(&sets) {
        for rule in set.iter().filter(|r| r.mode == RuleMode::Calendar) {
            let scope = view.scope(rule);
            let spans = sets::periods_ending_within(
                rule.cadence,
                (period.first(), period.last()),
                (start, until),
            );
            for (from, to) in spans {
                for (i, (h, unit)) in snapshot.living(from, subtree).into_iter().enumerate() {
                    progress::keep_going(progress, i)?;
                    if view.matches(scope, h, from) {
                        let met = log
                            .of_held(snapshot, h)
                            .any(from, to, |c| rule.satisfied_by(c));
                        f(unit, met);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Calls `f(unit, channel)` for every contact made in `[first, last]` (day numbers) with
/// a household the snapshot knows, `unit` being where it lived on the contact's day. Read
/// from the visit log (every visit, as the visit table holds them), household by
/// household.
pub(crate) fn each_contact(
    snapshot: &RegistrySnapshot,
    log: &VisitLog,
    (first, last): (i64, i64),
    mut f: impl FnMut(u32, Channel),
) {
    snapshot.each_held(|h| {
        log.of_held(snapshot, h)
            .each_within(first, last, |day, channel| {
                if let Some(unit) = snapshot.unit_on(h, day) {
                    f(unit, channel);
                }
            });
    });
}

#[cfg(feature = "parquet")]
/// The calendar rules of every visit rule set, each with the first day of its set and the
/// day the next set takes over: what [`each_requirement_of`] holds households to.
pub(crate) fn calendar_rules(conn: &Connection) -> Result<Vec<(i64, i64, super::VisitRule)>> {
    let sets = rule_sets(conn)?;
    Ok(sets::with_ends(&sets)
        .flat_map(|(start, until, set)| {
            set.iter()
                .filter(|r| r.mode == RuleMode::Calendar)
                .map(move |r| (start, until, r.clone()))
        })
        .collect())
}

#[cfg(feature = "parquet")]
/// One (household, rule, rule period) requirement: the rule (by its index in the list
/// [`calendar_rules`] gave), the period's first and last days, the unit (snapshot index)
/// the household lived in on the first day, and whether a qualifying contact met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Requirement {
    pub(crate) rule: usize,
    pub(crate) first: i64,
    pub(crate) last: i64,
    pub(crate) unit: u32,
    pub(crate) met: bool,
}

#[cfg(feature = "parquet")]
/// Calls `f` for every requirement of household `h` under `rules` whose rule period
/// starts on or after day `window_from` and ends by day `horizon`: each period of each rule that
/// starts while the rule's set is in force, on whose first day the household lived
/// somewhere and was in the rule's scope. These are the requirements [`each_requirement`]
/// counts, household by household: a report over a period inside `[window_from, horizon]` holds
/// exactly those of them whose period ends inside it (a rule period ending inside it
/// and starting before `window_from` aside: it is a year's first day, where every cadence
/// but one of several years starts a period).
pub(crate) fn each_requirement_of(
    snapshot: &RegistrySnapshot,
    log: &VisitLog,
    h: crate::snapshot::Held<'_>,
    rules: &[(i64, i64, super::VisitRule)],
    (window_from, horizon): (i64, i64),
    mut f: impl FnMut(Requirement),
) {
    let facts = snapshot.facts_of(h);
    let Some(arrived) = facts.places.iter().map(|&(_, (from, _))| from).min() else {
        return;
    };
    let contacts = log.of_held(snapshot, h);
    for (index, (set_from, set_until, rule)) in rules.iter().enumerate() {
        let tag = match &rule.scope {
            super::RuleScope::Tag(name) => Some(snapshot.tag(name)),
            super::RuleScope::Class(_) => None,
        };
        let begin = arrived
            .max(*set_from)
            .max(window_from)
            .max(crate::date::BEGINNING + 1);
        let mut stretch = rule.cadence.bounds(crate::date::from_sql(begin));
        loop {
            let (from, to) = (
                crate::date::to_sql(stretch.0),
                crate::date::to_sql(stretch.1),
            );
            if to > horizon || from >= *set_until {
                break;
            }
            if from >= *set_from
                && from >= begin
                && let Some(unit) = snapshot.unit_on(h, from)
            {
                let held = match (&rule.scope, &tag) {
                    (super::RuleScope::Class(class), _) => {
                        snapshot.special_on(h, from)
                            == (*class == crate::registry::HouseholdClass::Special)
                    }
                    (_, Some(tag)) => snapshot.tagged_on(h, tag, from),
                    (_, None) => false,
                };
                if held {
                    f(Requirement {
                        rule: index,
                        first: from,
                        last: to,
                        unit,
                        met: contacts.any(from, to, |c| rule.satisfied_by(c)),
                    });
                }
            }
            match stretch.1.succ_opt() {
                Some(next) => stretch = rule.cadence.bounds(next),
                None => break,
            }
        }
    }
}
