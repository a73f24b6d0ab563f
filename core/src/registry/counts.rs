//! Registry counts per unit for a day: households, special ones, residents, floating.

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::store::Store;

use super::UnitCounts;

impl Store {
    /// Registry counts on `as_of` (default today) for every unit in `unit`'s subtree that
    /// has households living directly in it, sorted by code, plus the subtree's total
    /// (whose `unit` is `unit` itself).
    pub fn unit_counts(
        &self,
        unit: &str,
        as_of: Option<Date>,
    ) -> Result<(UnitCounts, Vec<UnitCounts>)> {
        let on = as_of.unwrap_or_else(|| self.today());
        let root = self.unit(unit, Some(on))?;
        let on_sql = date::to_sql(on);
        let conn = self.read()?;
        let snapshot = self.registry_snapshot(&conn)?;
        let wanted = snapshot
            .subtree(&conn, &root.code, on_sql)?
            .ok_or_else(|| Error::not_found("unit", unit))?
            .marks;
        drop(conn);
        let mut total = UnitCounts {
            unit: unit.to_owned(),
            ..Default::default()
        };
        let mut rows = Vec::new();
        for (i, t) in snapshot.tally(on_sql, &wanted).into_iter().enumerate() {
            if t.households == 0 {
                continue;
            }
            total.households += t.households;
            total.special_households += t.special_households;
            total.residents += t.residents;
            total.floating += t.floating;
            rows.push(UnitCounts {
                unit: snapshot.unit_code(i as u32).to_owned(),
                households: t.households,
                special_households: t.special_households,
                residents: t.residents,
                floating: t.floating,
            });
        }

        rows.sort_by(|a, b| a.unit.cmp(&b.unit));
        Ok((total, rows))
    }
}
