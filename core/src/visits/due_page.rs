//! Due lists by the page. A page is in page order, by household id and then rule name,
//! and is made from the in-memory registry snapshot and visit log without making the
//! whole list: the snapshot's households are read in id order from the cursor's (its
//! ranks follow ids) until the page is full, so a page costs about the page. A subtree
//! holding a small part of the registry (a grid), or a snapshot whose ranks do not follow
//! ids, is read through its units instead, a bounded batch at a time, the smallest ids
//! after the cursor first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rusqlite::{Connection, params};

use super::due::{Due, Plan, due_of, plans};
use super::grid::GridBook;
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
    fn new(snapshot: &'s RegistrySnapshot, held: Held<'s>, unit: u32) -> Self {
        Candidate {
            snapshot,
            rank: snapshot.rank(held),
            held,
            unit,
        }
    }

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
    due_page_read(conn, (snapshot, log), units, on, walk, true)
}

/// [`due_page`], reading the snapshot by rank when `by_rank_if_ranked`, its ranks follow
/// ids and the subtree is large, else in batches.
fn due_page_read(
    conn: &Connection,
    (snapshot, log): (&RegistrySnapshot, &VisitLog),
    units: &[String],
    on: i64,
    walk: &PageWalk,
    by_rank_if_ranked: bool,
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
    let after_id = walk.key(0);
    let mut pager = Pager {
        snapshot,
        log,
        views,
        plans,
        on,
        after: (after_id, walk.key(1)),
        want: walk.want,
        out: Vec::new(),
        units: Vec::new(),
    };
    // A subtree holding a small part of the registry is read through its units; a large
    // one in id order from the cursor.
    let small = snapshot.places_in(&union) * 8 < snapshot.base_len();
    match snapshot.rank_from(after_id.unwrap_or_default(), true) {
        Some(from) if by_rank_if_ranked && !small => by_rank(&mut pager, &union, from)?,
        _ => by_batches(&mut pager, &union)?,
    }
    // The grids of the page's units, read once the page is known: in one pass when
    // there are many (a county page of 10,000 households spans thousands of units, and
    // looking each one up cost more than the rest of the page).
    let mut grids = GridBook::for_units(conn, snapshot, on, pager.units.iter().copied())?;
    for (item, &unit) in pager.out.iter_mut().zip(&pager.units) {
        let grid = grids.of(snapshot, unit)?;
        (item.grid, item.grid_name) = grid.grid.clone().unzip();
        item.responsible = Arc::clone(&grid.responsible);
    }
    Ok(pager.out)
}

/// A due page being filled, household by household in id order.
struct Pager<'a> {
    snapshot: &'a RegistrySnapshot,
    log: &'a VisitLog,
    views: Vec<View<'a>>,
    plans: Vec<Plan<'a>>,
    on: i64,
    /// The cursor: the household and rule of the previous page's last item.
    after: (Option<&'a str>, Option<&'a str>),
    want: usize,
    /// The page's items, their grids not yet filled in.
    out: Vec<DueVisit>,
    /// The snapshot's index of each item's unit.
    units: Vec<u32>,
}

impl<'a> Pager<'a> {
    fn full(&self) -> bool {
        self.out.len() >= self.want
    }

    /// Whether household `c` comes after the cursor's household (or is it, when
    /// `inclusive`): it may have items on the page.
    fn wanted(&self, c: &Candidate<'_>) -> bool {
        self.after.0.is_none_or(|a| c.id() >= a)
    }

    /// Adds household `c`'s due items after the cursor, by rule name; true once the page
    /// is full.
    fn take(&mut self, c: &Candidate<'a>) -> Result<bool> {
        let contacts = self.log.of_held(self.snapshot, c.held);
        let mut found: Vec<(&Plan<'a>, Due)> = Vec::new();
        for view in &mut self.views {
            if !view
                .subtree(self.on)?
                .is_some_and(|s| s.marks[c.unit as usize])
            {
                continue;
            }
            for plan in &self.plans {
                if found.iter().any(|(p, _)| p.rule.name == plan.rule.name) {
                    continue;
                }
                if let Some(due) = due_of(plan, view, &contacts, c.held, self.on)? {
                    found.push((plan, due));
                }
            }
        }
        found.sort_unstable_by(|a, b| a.0.rule.name.cmp(&b.0.rule.name));
        let id = c.id();
        for (plan, (due, overdue, last_visit)) in found {
            let rule = plan.rule;
            if self.after.0 == Some(id) && self.after.1.is_some_and(|r| rule.name.as_str() <= r) {
                continue;
            }
            self.units.push(c.unit);
            self.out.push(DueVisit {
                household_id: id.to_owned(),
                unit: self.snapshot.unit_code(c.unit).to_owned(),
                rule: rule.name.clone(),
                channel: rule.channel,
                due: date::from_sql(due),
                overdue,
                last_visit: last_visit.map(date::from_sql),
                grid: None,
                grid_name: None,
                address: self.snapshot.address(c.held)?.to_owned(),
                responsible: Arc::default(),
            });
            if self.full() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Fills the page reading the snapshot's base in rank order from `from` (the cursor's
/// household), merged with the households re-read since, sorted apart.
fn by_rank(pager: &mut Pager<'_>, union: &Subtree, from: u32) -> Result<()> {
    let snapshot = pager.snapshot;
    let mut patched = Vec::new();
    snapshot.each_patched_living(pager.on, union, |held, unit| {
        patched.push(Candidate::new(snapshot, held, unit));
    });
    patched.retain(|c| pager.wanted(c));
    patched.sort_unstable();
    let mut patched = patched.into_iter().peekable();
    snapshot.each_base_living_by_rank(pager.on, union, from, |held, unit| {
        let c = Candidate::new(snapshot, held, unit);
        while let Some(p) = patched.next_if(|p| *p < c) {
            if pager.take(&p)? {
                return Ok(false);
            }
        }
        Ok(!pager.take(&c)?)
    })?;
    for p in patched {
        if pager.full() || pager.take(&p)? {
            break;
        }
    }
    Ok(())
}

/// Fills the page where ranks do not follow ids: the households after the cursor, the
/// smallest ids first, a bounded batch at a time (each batch twice the last).
fn by_batches(pager: &mut Pager<'_>, union: &Subtree) -> Result<()> {
    let snapshot = pager.snapshot;
    let (mut lower, mut inclusive) = (pager.after.0, true);
    let mut size = pager.want;
    loop {
        let mut heap: BinaryHeap<Candidate<'_>> = BinaryHeap::new();
        snapshot.each_living(pager.on, union, |held, unit| {
            let id = snapshot.id(held);
            if lower.is_some_and(|low| id < low || (id == low && !inclusive)) {
                return;
            }
            let candidate = Candidate::new(snapshot, held, unit);
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
            if pager.take(c)? {
                return Ok(());
            }
        }
        match batch.last() {
            Some(last) if full => {
                (lower, inclusive) = (Some(last.id()), false);
                size = size.saturating_mul(2);
            }
            _ => return Ok(()),
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
        self.report_progress("due_visits", 0, 1)?;
        let conn = self.read()?;
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
        self.report_progress("due_visits", 0, 1)?;
        let conn = self.read()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page of a grid's and the county's due lists, read `size` at a time by rank or
    /// in batches.
    fn walk_all(store: &Store, unit: &str, size: usize, by_rank: bool) -> Vec<DueVisit> {
        let on = date::to_sql(crate::date::parse_date("on", "2025-05-20").unwrap());
        let mut out = Vec::new();
        let mut paging = Paging::first(size);
        loop {
            let walk = paging.start("due_visits", unit, Some(on), || on).unwrap();
            let conn = store.conn().unwrap();
            let snapshot = store.registry_snapshot(&conn).unwrap();
            let log = store.visit_log(&conn, &snapshot).unwrap();
            let units = [unit.to_owned()];
            let items =
                due_page_read(&conn, (&snapshot, &log), &units, on, &walk, by_rank).unwrap();
            let page = walk.finish(items, due_key);
            out.extend(page.items);
            match page.next {
                Some(next) => paging = Paging::after(size, &next),
                None => return out,
            }
        }
    }

    #[test]
    fn pages_read_in_batches_are_the_pages_read_by_rank() {
        let store = Store::open(":memory:").unwrap();
        store
            .add_unit("512021", "县", "county", None, None)
            .unwrap();
        store
            .add_unit("512021100", "镇", "township", Some("512021"), None)
            .unwrap();
        for code in ["512021101", "512021102"] {
            store
                .add_unit(code, "乡", "township", Some("512021"), None)
                .unwrap();
        }
        let start = Some(crate::date::parse_date("start", "2024-01-01").unwrap());
        for i in 0..30 {
            let unit = if i % 2 == 0 { "512021100" } else { "512021101" };
            let tags: &[&str] = if i % 4 == 0 { &["低保"] } else { &[] };
            let id = format!("H{:02}", (i * 7) % 30);
            store
                .add_household(&id, unit, "路", "registered", tags, start)
                .unwrap();
        }
        for id in ["G1", "G0"] {
            store
                .add_household(id, "512021102", "路", "registered", &[], start)
                .unwrap();
        }
        let day = crate::date::parse_date("on", "2025-05-20").unwrap();
        // A township of two households in 32 is read through its units either way.
        for unit in ["512021", "512021100", "512021102"] {
            let mut whole = store.due_visits(unit, Some(day)).unwrap();
            whole.sort_by(|a, b| (&a.household_id, &a.rule).cmp(&(&b.household_id, &b.rule)));
            assert!(whole.len() >= 4);
            for size in [1, 4, 7] {
                assert_eq!(
                    walk_all(&store, unit, size, false),
                    whole,
                    "{unit} by {size}"
                );
                assert_eq!(
                    walk_all(&store, unit, size, true),
                    whole,
                    "{unit} by {size}"
                );
            }
        }
    }
}
