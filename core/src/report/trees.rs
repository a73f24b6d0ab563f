//! Report trees: each read as its units stood over a period, and kept between reports
//! while no write could have changed the units.
//!
//! Reading a county's tree as it stood on a period's last day costs more than the
//! report's counts once the entries, visits and registry are in memory; monthly reports
//! of the same units ask for the same trees again and again.

use std::sync::{Arc, Mutex};

use foldhash::HashMap;
use rusqlite::Connection;

use super::{Member, Tree};
use crate::date;
use crate::error::{Error, Result};
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
        let tree = Arc::new(report_tree(conn, unit, first, last)?);
        trees.insert(key, Arc::clone(&tree));
        Ok(tree)
    }
}

/// A unit (code, name, level) and its report tree.
pub(crate) type ReportTree = ((String, String, String), Tree);

/// The unit (code, name, level) and its report tree over `[first, last]`.
pub(crate) fn report_tree(
    conn: &rusqlite::Connection,
    unit: &str,
    first: i64,
    last: i64,
) -> Result<ReportTree> {
    let root: Option<(String, String, String, String, i64)> = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT s.code, s.name, s.level, s.path, s.start FROM unit_span s
             WHERE s.code = ?1 AND {}
             ORDER BY s.valid_from DESC LIMIT 1",
            counted_span("?2", "?3")
        ))?;
        let mut rows = stmt.query(rusqlite::params![unit, last, first])?;
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            None => None,
        }
    };
    let Some((code, name, level, path, start)) = root else {
        let on = date::from_sql(last);
        return Err(Error::not_found("unit", format!("{unit} on {on}")));
    };
    let (lo, hi) = (format!("{path}/"), format!("{path}0"));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.code, s.name, s.level, s.path, s.start FROM unit_span s
         WHERE s.path >= ?1 AND s.path < ?2 AND {}
         ORDER BY s.path",
        counted_span("?3", "?4")
    ))?;
    let mut rows = stmt.query(rusqlite::params![lo, hi, last, first])?;
    let mut tree = Tree {
        rows: Vec::new(),
        members: vec![Member {
            code: code.clone(),
            level: level.clone(),
            start,
            row: 0,
            path: path.clone(),
        }],
        path: path.clone(),
    };
    let mut spans = Vec::new();
    while let Some(r) = rows.next()? {
        let (code, name, level, path, start): (String, String, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        if !path[lo.len()..].contains('/') {
            tree.rows.push((code.clone(), name, level.clone()));
        }
        spans.push((code, level, start, path));
    }
    tree.rows.sort_by(|a, b| a.0.cmp(&b.0));
    tree.members[0].row = tree.own();
    let children: foldhash::HashMap<&str, usize> = tree
        .rows
        .iter()
        .enumerate()
        .map(|(i, (c, _, _))| (c.as_str(), i))
        .collect();
    let mut members = Vec::with_capacity(spans.len());
    for (code, level, start, p) in spans {
        if let Some(row) = tree.row_of_path(&p, &children) {
            members.push(Member {
                code,
                level,
                start,
                row,
                path: p,
            });
        }
    }
    drop(children);
    tree.members.extend(members);
    Ok(((code, name, level), tree))
}

/// The SQL condition on a `unit_span s` that the report counts: valid on the last day
/// (parameter `last`), or the unit's final span, retired after the first day (`first`).
fn counted_span(last: &str, first: &str) -> String {
    format!(
        "s.valid_from <= {last} AND (s.valid_to > {last} OR (s.valid_to = s.retired AND s.retired > {first}))"
    )
}
