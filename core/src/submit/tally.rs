//! Completeness and timeliness: the reports expected from a report's units, received and
//! received on time.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::{ReportingRule, due_of, expected_periods, rule_sets};
use crate::date;
use crate::error::Result;
use crate::period::Period;
use crate::report::{Tally, Tree};
use crate::snapshot::text;
use crate::store::Store;

/// Counts the reports expected from each unit of `tree` for `period`, those received and
/// those received on time, into `rows`.
pub(crate) fn tally(
    store: &Store,
    conn: &Connection,
    tree: &Tree,
    period: Period,
    rows: &mut [Tally],
) -> Result<()> {
    let sets = rule_sets(conn, store.levels())?;
    let calendar = store.calendar_on(conn)?;
    let (first, last) = (date::to_sql(period.first()), date::to_sql(period.last()));
    // Reports received, by unit and period.
    let mut received: HashMap<String, HashMap<Period, i64>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT unit, period, min(submitted_at) FROM submission
         WHERE last_day BETWEEN ?1 AND ?2 GROUP BY unit, period",
    )?;
    let mut q = stmt.query(params![first - 7, last + 7])?;
    while let Some(r) = q.next()? {
        if let Ok(p) = Period::parse(text(r, 1)?) {
            received.entry(r.get(0)?).or_default().insert(p, r.get(2)?);
        }
    }
    // The periods each level must report, whatever the unit's first day.
    let mut by_level: HashMap<&str, Vec<(Period, &ReportingRule)>> = HashMap::new();
    let mut dues: HashMap<(Period, u32), i64> = HashMap::new();
    for m in &tree.members {
        let expected = by_level
            .entry(m.level.as_str())
            .or_insert_with(|| expected_periods(&sets, &m.level, i64::MIN, period));
        let of_unit = received.get(m.code.as_str());
        for &(q, rule) in expected.iter() {
            if date::to_sql(q.last()) < m.start {
                continue;
            }
            let t = &mut rows[m.row];
            t.reports_expected += 1;
            if let Some(&at) = of_unit.and_then(|r| r.get(&q)) {
                t.reports_received += 1;
                let key = (q, rule.due_working_days);
                let due = if let Some(&due) = dues.get(&key) {
                    due
                } else {
                    let due = due_of(&calendar, rule, q, store.offset())?.timestamp();
                    dues.insert(key, due);
                    due
                };
                t.reports_on_time += u64::from(at <= due);
            }
        }
    }
    Ok(())
}
