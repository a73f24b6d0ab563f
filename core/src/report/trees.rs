//! Report trees kept between reports, while no write could have changed the units.
//!
//! Reading a county's tree as it stood on a period's last day costs more than the
//! report's counts once the entries, visits and registry are in memory; monthly reports
//! of the same units ask for the same trees again and again.

use std::sync::{Arc, Mutex};

use foldhash::HashMap;
use rusqlite::Connection;

use super::ReportTree;
use crate::error::Result;
use crate::store::{Changes, Derived, Store, lock};

/// How many report trees are kept at most.
const REPORT_TREES: usize = 64;

/// Report trees by (unit, first day, last day).
#[derive(Debug, Default)]
pub(crate) struct ReportTrees {
    trees: Mutex<HashMap<(String, i64, i64), Arc<ReportTree>>>,
}

/// Kept by the store until another connection changes the database or a write through
/// it does not say which households it changed (as every change of the units does).
impl Derived for ReportTrees {
    type Input<'a> = ();
    type Pending = ();

    fn build(_conn: &Connection, (): ()) -> Result<Self> {
        Ok(ReportTrees::default())
    }

    fn note((): &mut (), changes: &Changes) -> bool {
        changes.households().is_some()
    }
}

impl Store {
    /// `unit`'s report tree over the days `[first, last]`: read, or kept from an earlier
    /// report while no write could have changed the units. `conn` is this store's
    /// connection, held by the caller.
    pub(crate) fn report_tree(
        &self,
        conn: &Connection,
        unit: &str,
        first: i64,
        last: i64,
    ) -> Result<Arc<ReportTree>> {
        let memo = self.derived::<ReportTrees>(conn, ())?;
        let mut trees = lock(&memo.trees);
        if trees.len() >= REPORT_TREES {
            trees.clear();
        }
        let key = (unit.to_owned(), first, last);
        if let Some(tree) = trees.get(&key) {
            return Ok(Arc::clone(tree));
        }
        let tree = Arc::new(super::report_tree(conn, unit, first, last)?);
        trees.insert(key, Arc::clone(&tree));
        Ok(tree)
    }
}
