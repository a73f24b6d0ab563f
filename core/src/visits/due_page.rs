//! Due lists by the page. A page is in page order, by household id and then rule name,
//! and is made from the in-memory registry snapshot and visit log without making the
//! whole list: the households after the cursor are looked at a bounded batch at a time,
//! the smallest ids first, until the page is full.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rusqlite::{Connection, params};

use super::due::{Due, Plan, due_of, plans};
use super::view::View;
use super::{DueVisit, rule_sets, rules_on};
use crate::date::{self, Date};
use crate::error::Result;
use crate::paging::{Page, PageWalk, Paging};
use crate::snapshot::{Held, RegistrySnapshot, Subtree};
use crate::store::Store;
use crate::units::span_on;
use crate::visits::log::VisitLog;

/// A household that may have due items, ordered by id: by rank where both have one,
/// which spares reading the ids of a million households scattered in memory.
#[derive(Debug, Clone, Copy)]
struct Candidate<'s> {
    snapshot: &'s RegistrySnapshot,
    rank: Option<u32>,
    held: Held<'s>,
    unit: u32,
}

impl<'s> Candidate<'s> {
    fn id(&self) -> &'s str {
        self.snapshot.id(self.held)
    }
}

impl Ord for Candidate<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.rank, other.rank) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.id().cmp(other.id()),
        }
    }
}

impl PartialOrd for Candidate<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate<'_> {}

/// The due items of `units`' subtrees (together, without repeats) on day `on` after the
/// walk's cursor (household id, rule name), in page order, at most `walk.want` of them.
/// Where subtrees nest, a household's item under a rule is the one seen from the first
/// unit that has one, as [`Store::due_visits_for_staff`] takes it.
fn due_page(
    conn: &Connection,
    snapshot: &RegistrySnapshot,
    log: &VisitLog,
    units: &[String],
    on: i64,
    walk: &PageWalk,
) -> Result<Vec<DueVisit>> {
    let sets = rule_sets(conn)?;
    let rules = rules_on(&sets, on);
    let mut views: Vec<View<'_>> = units.iter().map(|u| View::new(conn, u, snapshot)).collect();
    let Some(first) = views.first() else {
        return Ok(Vec::new());
    };
    let plans = plans(rules, first, on);
    let mut union = Subtree {
        marks: vec![false; snapshot.unit_len()],
        units: Vec::new(),
    };
    for view in &mut views {
        for &u in view.subtree(on)?.map_or(&[][..], |s| &s.units) {
            if !union.marks[u as usize] {
                union.marks[u as usize] = true;
                union.units.push(u);
            }
        }
    }
    let (after_id, after_rule) = (walk.key(0), walk.key(1));
    let mut out = Vec::new();
    // Households from `lower` on (past it when not `inclusive`), `size` at a time.
    let (mut lower, mut inclusive) = (after_id, true);
    let mut size = walk.want;
    loop {
        let mut heap: BinaryHeap<Candidate<'_>> = BinaryHeap::new();
        let threshold = lower.and_then(|low| snapshot.rank_from(low, inclusive));
        snapshot.each_living(on, &union, |held, unit| {
            let rank = snapshot.rank(held);
            let before = match (lower, rank, threshold) {
                (None, ..) => false,
                (Some(_), Some(r), Some(t)) => r < t,
                (Some(low), ..) => {
                    let id = snapshot.id(held);
                    id < low || (id == low && !inclusive)
                }
            };
            if before {
                return;
            }
            let candidate = Candidate {
                snapshot,
                rank,
                held,
                unit,
            };
            if heap.len() < size {
                heap.push(candidate);
            } else if let Some(mut top) = heap.peek_mut()
                && candidate < *top
            {
                *top = candidate;
            }
        });
        let full = heap.len() >= size;
        let batch = heap.into_sorted_vec();
        for c in &batch {
            let contacts = log.of_held(snapshot, c.held);
            let mut found: Vec<(&Plan<'_>, Due)> = Vec::new();
            for view in &mut views {
                if !view.subtree(on)?.is_some_and(|s| s.marks[c.unit as usize]) {
                    continue;
                }
                for plan in &plans {
                    if found.iter().any(|(p, _)| p.rule.name == plan.rule.name) {
                        continue;
                    }
                    if let Some(due) = due_of(plan, view, &contacts, c.held, on)? {
                        found.push((plan, due));
                    }
                }
            }
            found.sort_unstable_by(|a, b| a.0.rule.name.cmp(&b.0.rule.name));
            for (plan, (due, overdue, last_visit)) in found {
                let rule = plan.rule;
                if after_id == Some(c.id()) && after_rule.is_some_and(|r| rule.name.as_str() <= r) {
                    continue;
                }
                out.push(DueVisit {
                    household_id: c.id().to_owned(),
                    unit: snapshot.unit_code(c.unit).to_owned(),
                    rule: rule.name.clone(),
                    channel: rule.channel,
                    due: date::from_sql(due),
                    overdue,
                    last_visit: last_visit.map(date::from_sql),
                });
                if out.len() >= walk.want {
                    return Ok(out);
                }
            }
        }
        match batch.last() {
            Some(last) if full => {
                (lower, inclusive) = (Some(last.id()), false);
                size = size.saturating_mul(2);
            }
            _ => return Ok(out),
        }
    }
}

/// The cursor key of a due item: its household and rule.
fn due_key(item: &DueVisit) -> Vec<String> {
    vec![item.household_id.clone(), item.rule.clone()]
}

/// The units `staff_id` is assigned to on day `on`, by code.
pub(super) fn staff_units(conn: &Connection, staff_id: &str, on: Date) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT unit FROM assignment WHERE staff_id = ?1 AND start <= ?2 AND end_day >= ?2 ORDER BY unit",
        )?
        .query_map(params![staff_id, date::to_sql(on)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// A page of [`Store::due_visits`]: the same items, in page order (by household id,
    /// then rule name) rather than by urgency. The first page fixes the list's day
    /// (`as_of`, default today); later pages keep it, and an `as_of` other than it is
    /// `InvalidInput` naming `after`.
    pub fn due_visits_page(
        &self,
        unit: &str,
        as_of: Option<Date>,
        paging: &Paging,
    ) -> Result<Page<DueVisit>> {
        let walk = paging.start("due_visits", unit, as_of.map(date::to_sql), || {
            date::to_sql(self.today())
        })?;
        self.unit(unit, Some(date::from_sql(walk.fixed)))?;
        let conn = self.conn()?;
        let snapshot = self.registry_snapshot(&conn)?;
        let log = self.visit_log(&conn, &snapshot)?;
        let units = [unit.to_owned()];
        let items = due_page(&conn, &snapshot, &log, &units, walk.fixed, &walk)?;
        Ok(walk.finish(items, due_key))
    }

    /// A page of [`Store::due_visits_for_staff`], in page order (by household id, then
    /// rule name); the day is fixed as [`Store::due_visits_page`] fixes it.
    pub fn due_visits_for_staff_page(
        &self,
        staff_id: &str,
        as_of: Option<Date>,
        paging: &Paging,
    ) -> Result<Page<DueVisit>> {
        let walk = paging.start(
            "due_visits_for_staff",
            staff_id,
            as_of.map(date::to_sql),
            || date::to_sql(self.today()),
        )?;
        let on = date::from_sql(walk.fixed);
        self.staff(staff_id)?;
        let conn = self.conn()?;
        let mut units = Vec::new();
        for unit in staff_units(&conn, staff_id, on)? {
            if let Some(span) = span_on(&conn, &unit, on)?
                && self.check_path_in_scope(&unit, &span.path).is_ok()
            {
                units.push(unit);
            }
        }
        let snapshot = self.registry_snapshot(&conn)?;
        let log = self.visit_log(&conn, &snapshot)?;
        let items = due_page(&conn, &snapshot, &log, &units, walk.fixed, &walk)?;
        Ok(walk.finish(items, due_key))
    }
}
