//! Due lists: which households still need a contact, under which rule, by when.

use std::collections::HashMap;

use rusqlite::Connection;

use super::{
    Channel, DueVisit, Population, RuleMode, VisitRule, contacts, last_contact, met, rule_sets,
    rules_on,
};
use crate::date::{self, BEGINNING};
use crate::error::{Error, Result};

pub(super) fn sort_due(items: &mut [DueVisit]) {
    items.sort_by(|a, b| {
        (!a.overdue, a.due, &a.household_id, &a.rule).cmp(&(
            !b.overdue,
            b.due,
            &b.household_id,
            &b.rule,
        ))
    });
}

/// The due list of `unit`'s subtree on day `on`, unsorted.
pub(super) fn due_list(conn: &Connection, unit: &str, on: i64) -> Result<Vec<DueVisit>> {
    let sets = rule_sets(conn)?;
    let rules = rules_on(&sets, on).to_vec();
    let mut population = Population::new(conn, unit)?;
    let today = date::from_sql(on);
    let mut living: Vec<String> = population.on(on)?.keys().cloned().collect();
    living.sort();
    // Where each household lives that day, for the items.
    let mut units: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    // The earliest day any rule looks back to: the previous period's first day.
    let earliest = rules
        .iter()
        .map(|r| {
            let (first, _) = r.cadence.bounds(today);
            date::to_sql(r.cadence.bounds(first.pred_opt().unwrap_or(first)).0)
        })
        .min()
        .unwrap_or(on);
    for household in &living {
        let mut recent: Option<Vec<(i64, Channel)>> = None;
        for rule in &rules {
            // (due, overdue, last qualifying contact), for a (household, rule) still to do.
            let (due, overdue, last_visit) = match rule.mode {
                RuleMode::Calendar => {
                    let (first, last) = rule.cadence.bounds(today);
                    let (first, last) = (date::to_sql(first), date::to_sql(last));
                    if !population.holds(rule, household, first)? {
                        continue;
                    }
                    let recent = match &recent {
                        Some(r) => r,
                        None => recent.insert(contacts(conn, household, earliest, on)?),
                    };
                    if met(recent, rule, first, on) {
                        continue;
                    }
                    let (prev_first, prev_last) = rule.cadence.bounds(date::from_sql(first - 1));
                    let (prev_first, prev_last) =
                        (date::to_sql(prev_first), date::to_sql(prev_last));
                    let overdue = population.holds(rule, household, prev_first)?
                        && !met(recent, rule, prev_first, prev_last);
                    let last_visit = last_contact(conn, household, rule, on)?;
                    (date::from_sql(last), overdue, last_visit)
                }
                RuleMode::Rolling => {
                    if !population.holds(rule, household, on)? {
                        continue;
                    }
                    let last_visit = last_contact(conn, household, rule, on)?;
                    let since = match last_visit {
                        Some(day) => day,
                        None => entered_scope(&mut population, rule, household, on)?,
                    };
                    let due = rule.cadence.after(date::from_sql(since));
                    (due, today > due, last_visit)
                }
            };
            let unit = if let Some(u) = units.get(household) {
                u.clone()
            } else {
                let (u, _, _) = crate::registry::place_on(conn, household, on)?
                    .ok_or_else(|| Error::not_found("household", household))?;
                units.insert(household.clone(), u.clone());
                u
            };
            out.push(DueVisit {
                household_id: household.clone(),
                unit,
                rule: rule.name.clone(),
                channel: rule.channel,
                due,
                overdue,
                last_visit: last_visit.map(date::from_sql),
            });
        }
    }
    Ok(out)
}

/// The day a household entered a rolling rule's scope: the first of the run of days up to
/// `on` on which it was held, looked for a week at a time and then to the day (a stay out
/// of scope shorter than a week between two weekly looks goes unseen). It looks back no
/// further than one cadence: a run that long is due by `on` whenever it began.
fn entered_scope(
    population: &mut Population<'_>,
    rule: &VisitRule,
    household: &str,
    on: i64,
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
        if population.holds(rule, household, probe)? {
            day = probe;
        } else if step > 1 {
            step = 1;
        } else {
            return Ok(day);
        }
    }
}
