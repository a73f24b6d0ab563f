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
