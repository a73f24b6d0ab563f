//! What a due item says of who looks after a household: the grid (网格) its unit lies in
//! and the grid's workers (网格员) on the list's day. (Its address is in the registry
//! snapshot.)
//!
//! Due lists can have millions of items in a few thousand units, so grids and workers are
//! looked up once per unit: one by one for a short list, in three passes for a long one.

use std::rc::Rc;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rusqlite::{Connection, OptionalExtension, params};

use super::Responsible;
use crate::date;
use crate::error::Result;
use crate::snapshot::{RegistrySnapshot, text};
use crate::staff::Role;
use crate::units::span_on;

/// The level whose unit a due item names as its grid.
const GRID_LEVEL: &str = "grid";

/// A unit's grid on one day, with the grid's workers that day.
#[derive(Debug, Default)]
pub(super) struct GridOf {
    /// The grid's code and name; `None` when no unit on the chain is a grid.
    pub(super) grid: Option<(Arc<str>, Arc<str>)>,
    /// The grid's `grid_worker` assignments that day, by staff id.
    pub(super) responsible: Arc<[Responsible]>,
}

/// Grids of units on one day, each looked up once.
pub(super) struct GridBook<'c> {
    conn: &'c Connection,
    on: i64,
    /// By the snapshot's unit index.
    by_unit: HashMap<u32, Rc<GridOf>>,
    /// By the grid's path, for units (buildings) under the same grid.
    by_path: HashMap<String, Rc<GridOf>>,
    /// Whether every unit of the day was read at once ([`GridBook::load_all`]): a unit
    /// not in `by_unit` then has no grid.
    loaded: bool,
}

/// Units in a list past which their grids are read in one pass rather than one by one.
const LOAD_ALL_UNITS: usize = 64;

impl<'c> GridBook<'c> {
    /// An empty book for day `on`.
    pub(super) fn new(conn: &'c Connection, on: i64) -> Self {
        GridBook {
            conn,
            on,
            by_unit: HashMap::new(),
            by_path: HashMap::new(),
            loaded: false,
        }
    }

    /// A book for the units at snapshot indexes `units` (repeats allowed): their grids
    /// are read in one pass when there are many of them, else one by one as asked.
    pub(super) fn for_units(
        conn: &'c Connection,
        snapshot: &RegistrySnapshot,
        on: i64,
        units: impl Iterator<Item = u32>,
    ) -> Result<Self> {
        let mut book = GridBook::new(conn, on);
        let mut seen = vec![false; snapshot.unit_len()];
        let mut distinct = 0;
        for u in units {
            if !std::mem::replace(&mut seen[u as usize], true) {
                distinct += 1;
                if distinct > LOAD_ALL_UNITS {
                    book.load_all(snapshot)?;
                    break;
                }
            }
        }
        Ok(book)
    }

    /// Reads the grids, their workers and the paths of every unit on the day, in three
    /// passes over the unit spans and assignments.
    fn load_all(&mut self, snapshot: &RegistrySnapshot) -> Result<()> {
        let mut workers: HashMap<String, Vec<Responsible>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT a.unit, a.staff_id, s.name FROM assignment a
             JOIN staff s ON s.staff_id = a.staff_id
             WHERE a.role = ?1 AND a.start <= ?2 AND a.end_day >= ?2
             ORDER BY a.unit, a.staff_id",
        )?;
        let mut rows = stmt.query(params![Role::GridWorker.as_str(), self.on])?;
        while let Some(row) = rows.next()? {
            workers
                .entry(text(row, 0)?.to_owned())
                .or_default()
                .push(Responsible {
                    staff_id: row.get(1)?,
                    name: row.get(2)?,
                });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, code, name FROM unit_span
             WHERE level = ?1 AND valid_from <= ?2 AND valid_to > ?2",
        )?;
        let mut rows = stmt.query(params![GRID_LEVEL, self.on])?;
        while let Some(row) = rows.next()? {
            let code: String = row.get(1)?;
            let responsible = workers.remove(&code).unwrap_or_default();
            let grid = GridOf {
                grid: Some((code.into(), text(row, 2)?.into())),
                responsible: responsible.into(),
            };
            self.by_path.insert(row.get(0)?, Rc::new(grid));
        }
        let none = Rc::new(GridOf::default());
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, path FROM unit_span WHERE valid_from <= ?1 AND valid_to > ?1",
        )?;
        let mut rows = stmt.query([self.on])?;
        while let Some(row) = rows.next()? {
            let Some(unit) = snapshot.unit_index(text(row, 0)?) else {
                continue;
            };
            let mut prefix = text(row, 1)?;
            let found = loop {
                if let Some(found) = self.by_path.get(prefix) {
                    break Rc::clone(found);
                }
                match prefix.rsplit_once('/') {
                    Some((head, _)) if !head.is_empty() => prefix = head,
                    _ => break Rc::clone(&none),
                }
            };
            self.by_unit.insert(unit, found);
        }
        self.loaded = true;
        Ok(())
    }

    /// The grid of the unit at snapshot index `unit`.
    pub(super) fn of(&mut self, snapshot: &RegistrySnapshot, unit: u32) -> Result<Rc<GridOf>> {
        if let Some(found) = self.by_unit.get(&unit) {
            return Ok(Rc::clone(found));
        }
        if self.loaded {
            return Ok(Rc::new(GridOf::default()));
        }
        let code = snapshot.unit_code(unit);
        let found = match span_on(self.conn, code, date::from_sql(self.on))? {
            Some(span) => self.of_path(&span.path)?,
            None => Rc::new(GridOf::default()),
        };
        self.by_unit.insert(unit, Rc::clone(&found));
        Ok(found)
    }

    /// The grid on the chain of `path`, the unit itself first.
    fn of_path(&mut self, path: &str) -> Result<Rc<GridOf>> {
        let mut prefix = path;
        while !prefix.is_empty() {
            if let Some(found) = self.by_path.get(prefix) {
                return Ok(Rc::clone(found));
            }
            let grid: Option<(String, String)> = self
                .conn
                .prepare_cached(
                    "SELECT code, name FROM unit_span
                     WHERE path = ?1 AND valid_from <= ?2 AND valid_to > ?2 AND level = ?3",
                )?
                .query_row(params![prefix, self.on, GRID_LEVEL], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((code, name)) = grid {
                let responsible = grid_workers(self.conn, &code, self.on)?;
                let found = Rc::new(GridOf {
                    grid: Some((code.into(), name.into())),
                    responsible: responsible.into(),
                });
                self.by_path.insert(prefix.to_owned(), Rc::clone(&found));
                return Ok(found);
            }
            prefix = prefix.rsplit_once('/').map_or("", |(head, _)| head);
        }
        Ok(Rc::new(GridOf::default()))
    }
}

/// The `grid_worker` assignments of unit `grid` on day `on`, by staff id.
fn grid_workers(conn: &Connection, grid: &str, on: i64) -> Result<Vec<Responsible>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT a.staff_id, s.name FROM assignment a
             JOIN staff s ON s.staff_id = a.staff_id
             WHERE a.unit = ?1 AND a.role = ?2 AND a.start <= ?3 AND a.end_day >= ?3
             ORDER BY a.staff_id",
        )?
        .query_map(params![grid, Role::GridWorker.as_str(), on], |r| {
            Ok(Responsible {
                staff_id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}
