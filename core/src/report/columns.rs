//! The entries laid out in columns for reports, kept in memory and up to date.
//!
//! Built in one pass over the `entry` table (each entry's unit, category, books, report
//! moment and packed marks), then kept: the entries written through the store are re-read
//! after each write, and another connection's change rebuilds it. A report then walks the
//! columns once, skipping at the cost of two comparisons every entry that cannot count in
//! its period (reported after it, or settled before it), and folds the marks of the rest.

use std::sync::Arc;

use foldhash::HashMap;
use rusqlite::{Connection, Row};

use super::Tally;
use super::ledger::entry_tally;
use crate::error::{Error, Result};
use crate::ledger::marks::{self, Mark, Marks};
use crate::snapshot::text;
use crate::store::{Changes, Decoder, Derived, Encoder, Store};

/// Every entry's report columns, by slot (entries in the order of their ids, those
/// written since the build after them).
#[derive(Debug, Clone, Default)]
pub(crate) struct LedgerColumns {
    /// Unit codes, by index.
    units: Vec<String>,
    unit_index: HashMap<String, u32>,
    /// (category, books) of each class, by index.
    classes: Vec<(String, Vec<String>)>,
    /// Class index by category, a `\u{1}`, then the books as stored.
    class_index: HashMap<String, u32>,
    ids: Vec<i64>,
    /// Each entry's slot by id, made at the first re-read.
    slots: Option<HashMap<i64, u32>>,
    unit: Vec<u32>,
    class: Vec<u32>,
    reported: Vec<i64>,
    /// The moment after which the entry counts in no period starting later: its last
    /// event or its deadline, whichever is later, or never while it is open.
    settled: Vec<i64>,
    /// Where each entry's marks lie in `arena`: start and length.
    span: Vec<(usize, u32)>,
    arena: Vec<u8>,
    /// Bytes of `arena` no entry points at any more.
    garbage: usize,
}

/// The columns' reading of one entry row.
struct Read<'r> {
    id: i64,
    unit: &'r str,
    category: &'r str,
    books: &'r str,
    reported: i64,
    marks: &'r [u8],
}

const SELECT: &str = "SELECT id, unit, category, books, reported, marks FROM entry";

fn read<'r>(row: &'r Row<'_>) -> Result<Read<'r>> {
    let id: i64 = row.get(0)?;
    let marks = row
        .get_ref(5)?
        .as_blob_or_null()
        .map_err(rusqlite::Error::from)?
        .ok_or_else(|| Error::Storage(format!("entry {id} has no event marks")))?;
    Ok(Read {
        id,
        unit: text(row, 1)?,
        category: text(row, 2)?,
        books: text(row, 3)?,
        reported: row.get(4)?,
        marks,
    })
}

/// When entry `id`, whose packed marks are `marks`, stops counting in later periods.
fn settled(id: i64, marks: &[u8]) -> Result<i64> {
    let last = marks::last(id, marks)?;
    Ok(if last.status.is_open() {
        i64::MAX
    } else {
        last.at.max(last.deadline)
    })
}

impl LedgerColumns {
    /// Reads every entry, in one pass.
    pub(crate) fn build(conn: &Connection) -> Result<Self> {
        let count: i64 = conn.query_row("SELECT count(*) FROM entry", [], |r| r.get(0))?;
        let n = usize::try_from(count).unwrap_or(0);
        let mut columns = LedgerColumns {
            ids: Vec::with_capacity(n),
            unit: Vec::with_capacity(n),
            class: Vec::with_capacity(n),
            reported: Vec::with_capacity(n),
            settled: Vec::with_capacity(n),
            span: Vec::with_capacity(n),
            ..LedgerColumns::default()
        };
        // One scan of the table, in the order of ids. The last entry's unit and class are
        // tried first, which spares the look-ups where neighbours share them.
        let mut stmt = conn.prepare(SELECT)?;
        let mut rows = stmt.query([])?;
        let mut key = String::new();
        let mut last: Option<(u32, u32)> = None;
        while let Some(row) = rows.next()? {
            let r = read(row)?;
            let (unit, class) = match last {
                Some((u, c))
                    if columns.units[u as usize] == r.unit
                        && columns.same_class(c, r.category, r.books) =>
                {
                    (u, c)
                }
                _ => columns.intern(&r, &mut key),
            };
            last = Some((unit, class));
            let settled = settled(r.id, r.marks)?;
            let start = columns.arena.len();
            columns.arena.extend_from_slice(r.marks);
            columns.ids.push(r.id);
            columns.unit.push(unit);
            columns.class.push(class);
            columns.reported.push(r.reported);
            columns.settled.push(settled);
            columns.span.push((start, marks_len(r.marks)));
        }
        Ok(columns)
    }

    /// Writes the columns for keeping: units, classes (each by its key), then per entry
    /// its id, unit, class, report moment, settling moment and marks.
    fn encode(&self, e: &mut Encoder<'_>) {
        e.strings(&self.units);
        let mut keys = vec![""; self.classes.len()];
        for (key, &i) in &self.class_index {
            keys[i as usize] = key;
        }
        e.strings(&keys);
        e.i64s(&self.ids);
        e.u32s(&self.unit);
        e.u32s(&self.class);
        e.i64s(&self.reported);
        e.i64s(&self.settled);
        e.len(self.span.len());
        for &(at, len) in &self.span {
            e.bytes(&self.arena[at..at + len as usize]);
        }
    }

    /// Reads back what [`LedgerColumns::encode`] wrote; `None` unless it is whole and
    /// every index points inside it.
    fn decode(d: &mut Decoder<'_>) -> Option<Self> {
        let units = d.strings()?;
        let unit_index: HashMap<String, u32> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.clone(), index(i)))
            .collect();
        let keys = d.strings()?;
        let mut classes = Vec::with_capacity(keys.len());
        for key in &keys {
            let (category, books) = key.split_once('\u{1}')?;
            let books = books
                .split('\n')
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect();
            classes.push((category.to_owned(), books));
        }
        let class_index: HashMap<String, u32> = keys
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, index(i)))
            .collect();
        let ids = d.i64s()?;
        let unit = d.u32s()?;
        let class = d.u32s()?;
        let reported = d.i64s()?;
        let settled = d.i64s()?;
        let n = ids.len();
        let fits = |column: &[u32], bound: usize| column.iter().all(|&x| (x as usize) < bound);
        if [unit.len(), class.len(), reported.len(), settled.len()] != [n; 4]
            || unit_index.len() != units.len()
            || class_index.len() != classes.len()
            || !fits(&unit, units.len())
            || !fits(&class, classes.len())
            || d.count(4)? != n
        {
            return None;
        }
        // What is left is the marks, each after its four-byte length: the arena's size.
        let mut arena = Vec::with_capacity(d.remaining().saturating_sub(4 * n));
        let mut span = Vec::with_capacity(n);
        for _ in 0..n {
            let marks = d.bytes()?;
            span.push((arena.len(), marks_len(marks)));
            arena.extend_from_slice(marks);
        }
        d.done().then_some(LedgerColumns {
            units,
            unit_index,
            classes,
            class_index,
            ids,
            slots: None,
            unit,
            class,
            reported,
            settled,
            span,
            arena,
            garbage: 0,
        })
    }

    /// Whether class `c` is `category` with `books` (as stored).
    fn same_class(&self, c: u32, category: &str, books: &str) -> bool {
        let (cat, b) = &self.classes[c as usize];
        cat == category
            && b.iter().map(String::len).sum::<usize>() + b.len().saturating_sub(1) == books.len()
            && books
                .split('\n')
                .filter(|x| !x.is_empty())
                .eq(b.iter().map(String::as_str))
    }

    /// Re-reads the entries `ids` (each once), new or changed.
    pub(crate) fn reread(&mut self, conn: &Connection, ids: &[i64]) -> Result<()> {
        let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?;
        let ids_ = &self.ids;
        let slots = self.slots.get_or_insert_with(|| {
            ids_.iter()
                .enumerate()
                .map(|(slot, &id)| (id, index(slot)))
                .collect()
        });
        let mut slots = std::mem::take(slots);
        let mut key = String::new();
        for &id in ids {
            let mut rows = stmt.query([id])?;
            let Some(row) = rows.next()? else {
                continue;
            };
            let r = read(row)?;
            let (unit, class) = self.intern(&r, &mut key);
            let settled = settled(id, r.marks)?;
            let start = self.arena.len();
            self.arena.extend_from_slice(r.marks);
            let span = (start, marks_len(r.marks));
            if let Some(slot) = slots.get(&id).map(|&s| s as usize) {
                self.garbage += self.span[slot].1 as usize;
                self.unit[slot] = unit;
                self.class[slot] = class;
                self.reported[slot] = r.reported;
                self.settled[slot] = settled;
                self.span[slot] = span;
            } else {
                slots.insert(id, index(self.ids.len()));
                self.ids.push(id);
                self.unit.push(unit);
                self.class.push(class);
                self.reported.push(r.reported);
                self.settled.push(settled);
                self.span.push(span);
            }
        }
        self.slots = Some(slots);
        if self.garbage > self.arena.len() / 2 {
            self.compact();
        }
        Ok(())
    }

    /// Packs the arena again, without the marks no entry points at.
    fn compact(&mut self) {
        let mut arena = Vec::with_capacity(self.arena.len() - self.garbage);
        for span in &mut self.span {
            let start = arena.len();
            arena.extend_from_slice(&self.arena[span.0..span.0 + span.1 as usize]);
            span.0 = start;
        }
        self.arena = arena;
        self.garbage = 0;
    }

    /// The unit and class indexes of an entry, numbered anew if not seen before.
    fn intern(&mut self, r: &Read<'_>, key: &mut String) -> (u32, u32) {
        let unit = if let Some(&i) = self.unit_index.get(r.unit) {
            i
        } else {
            let i = index(self.units.len());
            self.units.push(r.unit.to_owned());
            self.unit_index.insert(r.unit.to_owned(), i);
            i
        };
        key.clear();
        key.push_str(r.category);
        key.push('\u{1}');
        key.push_str(r.books);
        let class = if let Some(&i) = self.class_index.get(key.as_str()) {
            i
        } else {
            let i = index(self.classes.len());
            let books = r
                .books
                .split('\n')
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect();
            self.classes.push((r.category.to_owned(), books));
            self.class_index.insert(key.clone(), i);
            i
        };
        (unit, class)
    }

    /// The unit index of `code`, if an entry names it.
    pub(crate) fn unit_index(&self, code: &str) -> Option<u32> {
        self.unit_index.get(code).copied()
    }

    /// How many units entries name.
    pub(crate) fn unit_len(&self) -> usize {
        self.units.len()
    }

    /// The (category, books) of each class, by index.
    pub(crate) fn classes(&self) -> &[(String, Vec<String>)] {
        &self.classes
    }

    /// Folds every entry that counts over the instants `[start, end]` into `rows` (by
    /// `row_of`, indexed by unit index; entries of units without a row are left out) and
    /// into `classes` (indexed by class, as long as [`LedgerColumns::classes`]).
    pub(crate) fn tally(
        &self,
        (start, end): (i64, i64),
        row_of: &[Option<u32>],
        rows: &mut [Tally],
        classes: &mut [Tally],
    ) {
        let mut marks: Vec<Mark> = Vec::new();
        for slot in 0..self.ids.len() {
            let reported = self.reported[slot];
            if reported > end || self.settled[slot] < start {
                continue;
            }
            let Some(row) = row_of[self.unit[slot] as usize] else {
                continue;
            };
            let (at, len) = self.span[slot];
            marks.clear();
            marks.extend(Marks::new(&self.arena[at..at + len as usize]));
            let t = entry_tally(reported, &marks, (start, end));
            rows[row as usize].add(&t);
            classes[self.class[slot] as usize].add(&t);
        }
    }
}

/// Kept by the store (and in its file between opens): the entries written through it
/// since are re-read.
impl Derived for LedgerColumns {
    type Input<'a> = ();
    type Pending = Vec<i64>;
    const KEPT: Option<(&'static str, u32)> = Some(("ledger_columns", 2));

    fn build(conn: &Connection, (): ()) -> Result<Self> {
        LedgerColumns::build(conn)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        LedgerColumns::encode(self, &mut Encoder(out));
    }

    fn decode(body: &[u8]) -> Option<Self> {
        LedgerColumns::decode(&mut Decoder(body))
    }

    fn note(pending: &mut Vec<i64>, changes: &Changes) -> bool {
        pending.extend_from_slice(changes.entries());
        true
    }

    fn patch(value: &mut Arc<Self>, conn: &Connection, mut ids: Vec<i64>) -> Result<()> {
        if !ids.is_empty() {
            ids.sort_unstable();
            ids.dedup();
            Arc::make_mut(value).reread(conn, &ids)?;
        }
        Ok(())
    }
}

impl Store {
    /// The entries' columns for the database's current state: built in one pass if there
    /// are none or another connection to the same file changed the database, with the
    /// entries written through this store since re-read. `conn` is this store's
    /// connection, held by the caller.
    pub(crate) fn ledger_columns(&self, conn: &Connection) -> Result<Arc<LedgerColumns>> {
        self.derived(conn, ())
    }
}

fn index(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn marks_len(marks: &[u8]) -> u32 {
    u32::try_from(marks.len()).unwrap_or(u32::MAX)
}
