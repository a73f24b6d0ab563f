//! Re-verification (数据更新, seed 002): the archives of floating-population and
//! relocation households are re-verified every quarter.

use rusqlite::{Connection, params};
use serde::Serialize;

use super::Population;
use crate::date::{self, Date};
use crate::error::Result;
use crate::period::{Period, PeriodKind};
use crate::store::Store;

/// The tags whose households are re-verified every quarter. A household of kind
/// `floating` is too, tagged or not.
pub const REVERIFIED_TAGS: [&str; 2] = ["流动人口", "拆迁过渡"];

/// A household whose archive is due for re-verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReverificationDue {
    /// The household.
    pub household_id: String,
    /// The last day of the current quarter.
    pub due: Date,
    /// Held in the previous quarter too, and not re-verified since it began.
    pub overdue: bool,
    /// The day its archive was last re-verified, if ever.
    pub verified: Option<Date>,
}

/// Whether a household is held to quarterly re-verification on `day`.
fn held(
    population: &mut Population<'_>,
    conn: &Connection,
    household: &str,
    day: i64,
) -> Result<bool> {
    let tagged = population
        .on(day)?
        .get(household)
        .map(|(_, tags)| REVERIFIED_TAGS.iter().any(|t| tags.contains(*t)));
    match tagged {
        None => Ok(false),
        Some(true) => Ok(true),
        Some(false) => {
            let kind: String = conn
                .prepare_cached("SELECT kind FROM household WHERE household_id = ?1")?
                .query_row(params![household], |r| r.get(0))?;
            Ok(kind == "floating")
        }
    }
}

impl Store {
    /// The households of `unit`'s subtree whose archives are due for re-verification on
    /// `as_of` (default today): those held on the quarter's first day (floating, or tagged
    /// 流动人口 or 拆迁过渡) and living there on `as_of`, not re-verified since the
    /// quarter began. Overdue first, then by household.
    pub fn reverification_due(
        &self,
        unit: &str,
        as_of: Option<Date>,
    ) -> Result<Vec<ReverificationDue>> {
        let on = as_of.unwrap_or_else(|| self.today());
        self.unit(unit, Some(on))?;
        let conn = self.read()?;
        let quarter = Period::containing(PeriodKind::Quarter, on)?;
        let previous = quarter.previous()?;
        let (first, before) = (
            date::to_sql(quarter.first()),
            date::to_sql(previous.first()),
        );
        let mut population = Population::new(&conn, unit)?;
        let mut living: Vec<String> = population.on(date::to_sql(on))?.keys().cloned().collect();
        living.sort();
        let mut out = Vec::new();
        for household in living {
            if !held(&mut population, &conn, &household, first)? {
                continue;
            }
            let verified: Option<i64> = conn
                .prepare_cached("SELECT verified FROM household WHERE household_id = ?1")?
                .query_row([&household], |r| r.get(0))?;
            if verified.is_some_and(|v| v >= first && v <= date::to_sql(on)) {
                continue;
            }
            let overdue = held(&mut population, &conn, &household, before)?
                && verified.is_none_or(|v| v < before);
            out.push(ReverificationDue {
                household_id: household,
                due: quarter.last(),
                overdue,
                verified: verified.map(date::from_sql),
            });
        }
        out.sort_by(|a, b| (!a.overdue, &a.household_id).cmp(&(!b.overdue, &b.household_id)));
        Ok(out)
    }
}
