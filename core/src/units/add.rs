//! Adding units: one, or many in one write, each placed under its parent's spans.

use foldhash::{HashMap, HashMapExt, HashSet};

use rusqlite::Connection;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{INSERT_SPANS_HEAD, NewUnit, Span, Unit, spans_of};
use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::levels::check_code_chars;
use crate::store::{About, Store};

/// Where a unit sits over time, as much as its children need to know: its depth, its
/// lifetime and its `(path, valid_from, valid_to)` spans, oldest first.
#[derive(Clone)]
pub(super) struct Placed {
    pub(super) depth: i64,
    pub(super) start: i64,
    pub(super) retired: i64,
    pub(super) spans: Vec<(String, i64, i64)>,
}

impl Placed {
    pub(super) fn of(spans: &[Span]) -> Self {
        Placed {
            depth: spans[0].depth,
            start: spans[0].start,
            retired: spans[0].retired,
            spans: spans
                .iter()
                .map(|s| (s.path.clone(), s.valid_from, s.valid_to))
                .collect(),
        }
    }

    pub(super) fn history(&self) -> String {
        let mut out = String::new();
        for (path, from, _) in &self.spans {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&from.to_string());
            out.push('\t');
            out.push_str(path);
        }
        out
    }
}

fn check_name(name: &str) -> Result<()> {
    crate::text::check_controls("name", name, false)?;
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(Error::invalid(
            "name",
            name,
            "a unit name is 1 to 200 characters",
        ));
    }
    Ok(())
}

impl Store {
    /// Adds one unit under `parent` (or as a root), existing from `start` (or always).
    ///
    /// Under the default coding rule the code must have its level's length and start with
    /// the parent's code; the level must lie below the parent's. A duplicate code is a
    /// `Conflict`, an unknown parent `NotFound`.
    pub fn add_unit(
        &self,
        code: &str,
        name: &str,
        level: &str,
        parent: Option<&str>,
        start: Option<Date>,
    ) -> Result<Unit> {
        let new = NewUnit {
            code: code.to_owned(),
            name: name.to_owned(),
            level: level.to_owned(),
            parent: parent.map(str::to_owned),
            start,
        };
        self.add_units(std::slice::from_ref(&new))?;
        self.unit(code, None).or_else(|_| {
            let conn = self.conn()?;
            let spans = spans_of(&conn, code)?;
            spans
                .last()
                .map(Span::to_unit)
                .ok_or_else(|| Error::not_found("unit", code))
        })
    }

    /// Adds many units in one transaction: all of them, or none when any is refused.
    /// Parents may come earlier in the same batch. Returns how many were added.
    ///
    /// A batch is one write and gets one audit record (`add_units`) naming how many units
    /// it added, the first and last code and a SHA-256 digest of what was added; a single
    /// unit gets an `add_unit` record naming it.
    ///
    /// The whole batch is placed before any of it is written, then written in the order
    /// of codes and paths, which keeps the tables' pages full; so a batch holds every
    /// unit's placement (its paths over time) until then, about 230 bytes a unit (150 MB
    /// for the national tree's 665,276). A batch with several problems is refused for
    /// the first in its own order.
    pub fn add_units(&self, units: &[NewUnit]) -> Result<usize> {
        self.write(|w| {
            let mut digest = Sha256::new();
            let mut first_start = None;
            // Where the batch's units stand now, gathered as they are placed: reading each
            // back for the audit would cost a look-up per unit.
            let mut about = About::default();
            // Each unit placed, in the batch's order, up to the first that is refused.
            let (placed, refused) = self.plan_units(&w.tx, units);
            for (new, placed) in units.iter().zip(&placed) {
                first_start.get_or_insert(placed.start);
                for part in [
                    &new.code,
                    &new.name,
                    &new.level,
                    new.parent.as_deref().unwrap_or(""),
                ] {
                    digest.update(part.as_bytes());
                    digest.update([0]);
                }
                digest.update(placed.start.to_le_bytes());
                about.add(placed.spans.last().map(|(path, _, _)| path.as_str()));
            }
            insert_units(self, &w.tx, &units[..placed.len()], &placed)?;
            if let Some(refused) = refused {
                return Err(refused);
            }
            match units {
                [] => {}
                [one] => w.audit_about(
                    "add_unit",
                    &one.code,
                    &about,
                    &json!({"name": one.name, "level": one.level, "parent": one.parent,
                            "start": first_start.map(date::iso)}),
                )?,
                [first, .., last] => w.audit_about(
                    "add_units",
                    &format!("{}..{}", first.code, last.code),
                    &about,
                    &json!({"count": units.len(), "first": first.code, "last": last.code,
                            "sha256": crate::audit::hex(&digest.finalize())}),
                )?,
            }
            Ok(units.len())
        })
    }

    /// Places the units of a batch in order: each unit's placement, up to the first unit
    /// refused, with that refusal.
    fn plan_units(&self, conn: &Connection, units: &[NewUnit]) -> (Vec<Placed>, Option<Error>) {
        // Where each unit of the batch that is a parent in it sits, for the children that
        // follow it (only those: keeping all of a national tree's villages there too was
        // a tenth of its load).
        let parents: HashSet<&str> = units.iter().filter_map(|u| u.parent.as_deref()).collect();
        let mut added: HashMap<&str, Placed> = HashMap::with_capacity(parents.len());
        let mut placed = Vec::with_capacity(units.len());
        for new in units {
            match self.plan_new_unit(conn, new, &added) {
                Ok(p) => {
                    if parents.contains(new.code.as_str()) {
                        added.insert(new.code.as_str(), p.clone());
                    }
                    placed.push(p);
                }
                Err(e) => return (placed, Some(e)),
            }
        }
        (placed, None)
    }

    /// Validates one new unit and works out where it sits: its spans follow its parent's.
    fn plan_new_unit(
        &self,
        conn: &Connection,
        new: &NewUnit,
        added: &HashMap<&str, Placed>,
    ) -> Result<Placed> {
        let levels = &self.config().levels;
        check_code_chars(&new.code)?;
        check_name(&new.name)?;
        let depth = levels.depth(&new.level)?;
        let Some(parent) = new.parent.as_deref() else {
            self.check_unscoped(&format!("adding root unit {}", new.code))?;
            levels.check_code(&new.code, depth, None)?;
            let start = date::start_to_sql(new.start);
            return Ok(Placed {
                depth: depth as i64,
                start,
                retired: FOREVER,
                spans: vec![(format!("/{}", new.code), start, FOREVER)],
            });
        };
        check_code_chars(parent)
            .map_err(|_| Error::invalid("parent", parent, "not a valid unit code"))?;
        let fetched;
        let parent_placed: &Placed = if let Some(placed) = added.get(parent) {
            placed
        } else {
            let spans = spans_of(conn, parent)?;
            if spans.is_empty() {
                return Err(Error::not_found("parent unit", parent));
            }
            fetched = Placed::of(&spans);
            &fetched
        };
        let parent_depth = parent_placed.depth as usize;
        if parent_depth >= depth {
            return Err(Error::invalid(
                "level",
                &new.level,
                format!(
                    "a {} cannot be placed under {parent}, a {}",
                    new.level,
                    levels.as_slice()[parent_depth].name
                ),
            ));
        }
        levels.check_code(&new.code, depth, Some((parent, parent_depth)))?;
        // Without a start, the unit has existed as long as its parent.
        let start = new.start.map_or(parent_placed.start, date::to_sql);
        let Some(at_start) = parent_placed
            .spans
            .iter()
            .find(|(_, from, to)| *from <= start && start < *to)
        else {
            return Err(Error::invalid(
                "start",
                date::iso(start),
                format!("parent unit {parent} did not exist on that day"),
            ));
        };
        self.check_path_in_scope(parent, &at_start.0)?;
        let spans: Vec<(String, i64, i64)> = parent_placed
            .spans
            .iter()
            .filter(|(_, _, to)| *to > start)
            .map(|(path, from, to)| (format!("{path}/{}", new.code), (*from).max(start), *to))
            .collect();
        // A parent retired later takes the child with it.
        let retired = spans.last().map_or(FOREVER, |(_, _, to)| *to);
        Ok(Placed {
            depth: depth as i64,
            start,
            retired,
            spans,
        })
    }
}

/// How many rows one INSERT writes when a batch's units are written: a statement a row
/// spends more on starting and ending each statement than on the row.
const ROWS: usize = 32;

/// `head` followed by `rows` rows of `columns` numbered parameters each.
fn values_sql(head: &str, columns: usize, rows: usize) -> String {
    let row = |r: usize| {
        let params: Vec<String> = (1..=columns)
            .map(|c| format!("?{}", r * columns + c))
            .collect();
        format!("({})", params.join(","))
    };
    let rows: Vec<String> = (0..rows).map(row).collect();
    format!("{head} VALUES {}", rows.join(","))
}

/// Writes `items` with `head`'s INSERT, [`ROWS`] rows a statement, each row's
/// `columns` values bound by `bind` from its first parameter on; the rows written.
fn insert_rows<T>(
    conn: &Connection,
    head: &str,
    columns: usize,
    items: &[T],
    bind: impl Fn(&mut rusqlite::Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> Result<usize> {
    let mut full = conn.prepare_cached(&values_sql(head, columns, ROWS))?;
    let mut written = 0;
    for chunk in items.chunks(ROWS) {
        let mut part;
        let stmt = if chunk.len() == ROWS {
            &mut full
        } else {
            part = conn.prepare(&values_sql(head, columns, chunk.len()))?;
            &mut part
        };
        for (r, item) in chunk.iter().enumerate() {
            bind(stmt, r * columns + 1, item)?;
        }
        written += stmt.raw_execute()?;
    }
    Ok(written)
}

const INSERT_UNIT: &str =
    "INSERT OR IGNORE INTO unit (code, name, level, depth, start, retired, history)";

/// Binds a unit's row of [`INSERT_UNIT`] from parameter `at` on.
fn bind_unit(
    stmt: &mut rusqlite::Statement<'_>,
    at: usize,
    new: &NewUnit,
    placed: &Placed,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(at, &new.code)?;
    stmt.raw_bind_parameter(at + 1, &new.name)?;
    stmt.raw_bind_parameter(at + 2, &new.level)?;
    stmt.raw_bind_parameter(at + 3, placed.depth)?;
    stmt.raw_bind_parameter(at + 4, placed.start)?;
    stmt.raw_bind_parameter(at + 5, placed.retired)?;
    stmt.raw_bind_parameter(at + 6, placed.history())
}

/// Writes the units of a batch placed as `placed`, in the order of their keys (codes,
/// then span paths) rather than the batch's: a tree given level by level would
/// otherwise land in the middle of both tables at every insert, splitting pages there.
/// A unit whose code already exists (in the store, or earlier in the batch) is refused
/// as a `Conflict`, the first in the batch's order, as if they were written in it.
fn insert_units(
    store: &Store,
    conn: &Connection,
    units: &[NewUnit],
    placed: &[Placed],
) -> Result<()> {
    // In code order, the batch's order kept among equal codes, so the first of two
    // equal codes is the one written (a stable sort; a tree given level by level is a
    // few sorted runs, which it merges).
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|a, b| units[*a].code.cmp(&units[*b].code));
    let sealed = store.hook().mark();
    conn.execute_batch("SAVEPOINT insert_units")?;
    let written = insert_rows(conn, INSERT_UNIT, 7, &order, |stmt, at, &i| {
        bind_unit(stmt, at, &units[i], &placed[i])
    })?;
    if written < order.len() {
        // A code already taken: which one is first in the batch's order is found by
        // writing them again one by one (the rows sealed so far forgotten with them).
        conn.execute_batch("ROLLBACK TO insert_units; RELEASE insert_units")?;
        store.hook().truncate(sealed);
        return Err(first_clash(conn, units, placed, &order)?);
    }
    conn.execute_batch("RELEASE insert_units")?;
    let mut spans: Vec<(usize, usize)> = placed
        .iter()
        .enumerate()
        .flat_map(|(i, p)| (0..p.spans.len()).map(move |j| (i, j)))
        .collect();
    spans.sort_by(|a, b| {
        let (pa, pb) = (&placed[a.0].spans[a.1], &placed[b.0].spans[b.1]);
        (&pa.0, pa.1).cmp(&(&pb.0, pb.1))
    });
    // OR IGNORE, with the rows counted instead: a statement of many rows that may abort
    // has SQLite copy every page it touches to a statement journal first, a tenth of a
    // national tree's load. No span of a new code can be stored already, unless the file
    // was changed outside the library.
    let written = insert_rows(conn, INSERT_SPANS_HEAD, 10, &spans, |stmt, at, &(i, j)| {
        let (new, placed) = (&units[i], &placed[i]);
        let (path, from, to) = &placed.spans[j];
        stmt.raw_bind_parameter(at, path)?;
        stmt.raw_bind_parameter(at + 1, from)?;
        stmt.raw_bind_parameter(at + 2, to)?;
        stmt.raw_bind_parameter(at + 3, &new.code)?;
        stmt.raw_bind_parameter(at + 4, &new.parent)?;
        stmt.raw_bind_parameter(at + 5, &new.name)?;
        stmt.raw_bind_parameter(at + 6, &new.level)?;
        stmt.raw_bind_parameter(at + 7, placed.depth)?;
        stmt.raw_bind_parameter(at + 8, placed.start)?;
        stmt.raw_bind_parameter(at + 9, placed.retired)
    })?;
    if written < spans.len() {
        return Err(Error::Storage(
            "a span of a unit being added was already stored (the file was changed outside the library)"
                .into(),
        ));
    }
    Ok(())
}

/// The refusal of the first unit in the batch's order whose code is taken, found by
/// writing the units in `order` one by one (only when one is).
fn first_clash(
    conn: &Connection,
    units: &[NewUnit],
    placed: &[Placed],
    order: &[usize],
) -> Result<Error> {
    let mut insert_unit = conn.prepare(&values_sql(INSERT_UNIT, 7, 1))?;
    let mut clash = None;
    for &i in order {
        bind_unit(&mut insert_unit, 1, &units[i], &placed[i])?;
        let written = insert_unit.raw_execute()?;
        if written == 0 && clash.is_none_or(|first| i < first) {
            clash = Some(i);
        }
    }
    let i = clash.ok_or_else(|| Error::Storage("a unit was not written".into()))?;
    Ok(Error::Conflict(format!(
        "unit code {} already exists",
        units[i].code
    )))
}
