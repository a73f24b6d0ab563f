//! Lists and reports as Arrow record batches (数据帧), for the Python module's
//! `__arrow_c_stream__` and `to_pandas()` (cargo feature `arrow`).
//!
//! Any record with a serde `Serialize` shape (the shape its JSON has) becomes one row; the
//! columns come from the fields, in their order, so a field added to a record is a new
//! column without more code. The rules, one place for every list and report:
//!
//! - a count or number is `int64`, a fraction `float64`, a flag `bool`;
//! - a date (`2024-03-31`) is `date32`, a moment (`2024-03-31T08:00:00+08:00`) a
//!   `timestamp[us]` in the first value's offset; other text is `utf8`;
//! - a nested object's fields are columns `parent_field`; a rate `{"num", "den",
//!   "value"}` is three columns `X` (the value, null when `den` is 0), `X_num`, `X_den`;
//! - a list is `list<utf8>`; a list of objects (a due item's responsible workers) is one
//!   text a row, each object as its values space-separated, joined by `、`
//!   (`王芳 S1、李强 S2`), null when empty;
//! - a column whose values disagree is `utf8` of their JSON text; one with no value at all
//!   is `utf8`, all null, except the date and moment columns known by name (`due`,
//!   `last_visit`, `start`, `end`, `on`, `from`, `to`; `deadline`, `sign_due`,
//!   `suspended_since` and any `*_at`) and the record numbers (`resident_id`, `visit_id`,
//!   `finding_id`, `entry_id`, `int64`); a rate's value without any is `float64`.
//!
//! With [`Labels::Zh`] the headers are Chinese ([`crate::labels::column_label`]) and so are
//! the stored names with a Chinese name ([`crate::labels::value_label`]): levels,
//! statuses, actions, channels, kinds, relations. Records carry what they show: ID
//! numbers and phones are masked in a frame exactly as in the record.

mod column;
mod due;
mod input;
mod reports;
mod ser;

/// The Arrow crates the batches are made with, for the bindings and tests to read them.
pub use {arrow_array, arrow_schema};

pub use due::due_visit_batch;
pub use input::unreadable_stream;

use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, RecordBatchOptions, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema};
use column::{Cell, Column};
use foldhash::HashMap;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::labels::Labels;

/// The columns being filled, row by row.
#[derive(Debug, Default)]
struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
    index: HashMap<String, usize>,
    rows: usize,
    /// The current column's name while a record is spread.
    path: String,
    /// The column expected next: records of one type give their fields in one order.
    next: usize,
    /// The field just entered when its name is a struct's (`&'static`, so the same text
    /// at the same address in every row): its address, length and the path's length
    /// before it; `None` for a map's key.
    key: Option<(usize, usize, usize)>,
    /// The fields the rows visit in order, as [`Table::key`] names them, with the column
    /// each went to: a row that visits the same fields in the same order finds its
    /// columns without comparing names.
    trail: Vec<((usize, usize, usize), usize)>,
    /// Where the current row is on the trail; `None` once it left it.
    step: Option<usize>,
    /// How many rows are expected, to size each new column once.
    capacity: usize,
}

impl Table {
    /// Makes `key` the last part of the path, after the first `base` bytes.
    fn enter(&mut self, base: usize, key: &str) {
        self.path.truncate(base);
        if base > 0 {
            self.path.push('_');
        }
        self.path.push_str(key);
        self.key = None;
    }

    /// As [`Table::enter`], for a struct's field, whose name is the same `&'static` text
    /// in every row.
    fn enter_field(&mut self, base: usize, key: &'static str) {
        self.enter(base, key);
        self.key = Some((key.as_ptr() as usize, key.len(), base));
    }

    /// The column the path names: found on the trail when the row follows it, else by
    /// name (made if new).
    fn column_index(&mut self) -> usize {
        if let (Some(key), Some(step)) = (self.key, self.step) {
            match self.trail.get(step) {
                Some(&(k, i)) if k == key && self.names[i].len() == self.path.len() => {
                    self.step = Some(step + 1);
                    return i;
                }
                None => {
                    let i = self.by_name();
                    self.trail.push((key, i));
                    self.step = Some(step + 1);
                    return i;
                }
                Some(_) => {}
            }
        }
        self.step = None;
        self.by_name()
    }

    /// The column the path names, made if new.
    fn by_name(&mut self) -> usize {
        if self.names.get(self.next).is_some_and(|n| *n == self.path) {
            self.next
        } else if let Some(&i) = self.index.get(&self.path) {
            i
        } else {
            self.names.push(self.path.clone());
            self.columns.push(Column::with_capacity(self.capacity));
            self.index.insert(self.path.clone(), self.names.len() - 1);
            self.names.len() - 1
        }
    }

    /// Puts `cell` in the current row of the column the path names (made if new); a
    /// second value for one row is ignored.
    fn put(&mut self, cell: Cell<'_>) {
        let i = self.column_index();
        let column = &mut self.columns[i];
        if column.len() <= self.rows {
            column.pad(self.rows);
            column.push(cell);
        }
        self.next = i + 1;
    }
}

/// A frame being built: rows pushed one at a time, then [`Frame::finish`] settles each
/// column's type and gives the record batch.
#[derive(Debug, Default)]
pub struct Frame {
    columns: Table,
}

impl Frame {
    /// An empty frame.
    pub fn new() -> Frame {
        Frame::default()
    }

    /// An empty frame for about `rows` rows: each column is sized once for them.
    pub fn with_capacity(rows: usize) -> Frame {
        let mut frame = Frame::default();
        frame.columns.capacity = rows;
        frame
    }

    /// Adds one record as a row.
    pub fn push<T: Serialize + ?Sized>(&mut self, record: &T) -> Result<()> {
        let columns = &mut self.columns;
        columns.path.clear();
        columns.next = 0;
        columns.key = None;
        columns.step = Some(0);
        record
            .serialize(ser::At { columns })
            .map_err(|e| Error::Storage(format!("a record as a frame row: {e}")))?;
        self.columns.rows += 1;
        Ok(())
    }

    /// Adds `other`'s rows after this frame's, as if they had been pushed here.
    fn append(&mut self, other: Frame) {
        let Table {
            names,
            columns,
            rows,
            ..
        } = other.columns;
        let mine = &mut self.columns;
        for (name, mut column) in names.into_iter().zip(columns) {
            column.pad(rows);
            let i = if let Some(&i) = mine.index.get(&name) {
                i
            } else {
                mine.names.push(name.clone());
                mine.columns.push(Column::default());
                mine.index.insert(name, mine.names.len() - 1);
                mine.names.len() - 1
            };
            let target = &mut mine.columns[i];
            target.pad(mine.rows);
            target.append(column);
        }
        mine.rows += rows;
    }

    /// The record batch, its headers and values named as `labels` says.
    pub fn finish(self, labels: Labels) -> Result<RecordBatch> {
        self.finish_with(labels, &[])
    }

    /// As [`Frame::finish`], with the Chinese headers of some columns given (a
    /// resident's `name` is 姓名, not the 名称 of a unit): `(key, header)` pairs.
    pub fn finish_with(self, labels: Labels, headers: &[(&str, &str)]) -> Result<RecordBatch> {
        let Table {
            names,
            columns,
            rows,
            ..
        } = self.columns;
        let mut built: Vec<(String, ArrayRef)> = Vec::with_capacity(names.len());
        for (name, mut column) in names.into_iter().zip(columns) {
            column.pad(rows);
            let array = column
                .array(&name, labels)
                .unwrap_or_else(|| new_null(&name, rows));
            built.push((name, array));
        }
        let built = rates_together(built);
        let fields: Vec<Field> = built
            .iter()
            .map(|(name, array)| {
                let header = match headers.iter().find(|(key, _)| key == name) {
                    Some((_, header)) if labels == Labels::Zh => (*header).to_owned(),
                    _ => labels.column(name),
                };
                Field::new(header, array.data_type().clone(), true)
            })
            .collect();
        let arrays = built.into_iter().map(|(_, array)| array).collect();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
            .map_err(|e| Error::Storage(format!("a frame: {e}")))
    }
}

/// Lists at least this long are made into columns on several threads, each taking a
/// run of rows; the runs' columns are then joined in order.
pub(super) const PARALLEL_ROWS: usize = 65_536;

/// The record batch of `records`, one row each, named as `labels` says.
pub fn record_batch<'a, T: Serialize + Sync + 'a>(
    records: impl IntoIterator<Item = &'a T>,
    labels: Labels,
) -> Result<RecordBatch> {
    record_batch_with(records, labels, &[])
}

/// As [`record_batch`], with the Chinese headers of some columns given (see
/// [`Frame::finish_with`]; [`crate::labels::RESIDENT_HEADERS`] for residents).
pub fn record_batch_with<'a, T: Serialize + Sync + 'a>(
    records: impl IntoIterator<Item = &'a T>,
    labels: Labels,
    headers: &[(&str, &str)],
) -> Result<RecordBatch> {
    let records: Vec<&T> = records.into_iter().collect();
    let threads = if records.len() >= PARALLEL_ROWS {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
    } else {
        1
    };
    let frame = if threads <= 1 {
        frame_of(&records)?
    } else {
        let run = records.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let runs: Vec<_> = records
                .chunks(run)
                .map(|rows| scope.spawn(move || frame_of(rows)))
                .collect();
            let mut frame = Frame::new();
            for run in runs {
                let part = run
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                frame.append(part);
            }
            Ok::<_, Error>(frame)
        })?
    };
    frame.finish_with(labels, headers)
}

/// The frame of `records`, in their order.
fn frame_of<T: Serialize>(records: &[&T]) -> Result<Frame> {
    let mut frame = Frame::with_capacity(records.len());
    for record in records {
        frame.push(*record)?;
    }
    Ok(frame)
}

/// A column without a value: a date or moment column by its name, as it would be with
/// values (`due`, `last_visit`, `reported_at`...), so that its type does not depend on
/// the rows; otherwise text.
fn new_null(name: &str, len: usize) -> ArrayRef {
    const DATES: [&str; 7] = ["due", "last_visit", "start", "end", "on", "from", "to"];
    const MOMENTS: [&str; 3] = ["deadline", "sign_due", "suspended_since"];
    const NUMBERS: [&str; 4] = ["resident_id", "visit_id", "finding_id", "entry_id"];
    if DATES.contains(&name) {
        Arc::new(Date32Array::new_null(len))
    } else if name.ends_with("_value") {
        Arc::new(Float64Array::new_null(len))
    } else if name.ends_with("_at") || MOMENTS.contains(&name) {
        Arc::new(TimestampMicrosecondArray::new_null(len))
    } else if NUMBERS.contains(&name) {
        Arc::new(Int64Array::new_null(len))
    } else {
        Arc::new(StringArray::new_null(len))
    }
}

/// Each rate's base name and where its three columns (`X_value`, `X_num`, `X_den`) are.
fn rate_triples(built: &[(String, ArrayRef)]) -> Vec<(String, [usize; 3])> {
    let at = |name: &str| built.iter().position(|(n, _)| n == name);
    built
        .iter()
        .filter_map(|(name, array)| {
            let base = name.strip_suffix("_value")?;
            let num = at(&format!("{base}_num"))?;
            let den = at(&format!("{base}_den"))?;
            let value = at(name)?;
            let numeric =
                |i: usize| matches!(built[i].1.data_type(), DataType::Int64 | DataType::Float64);
            (numeric(num) && numeric(den) && array.data_type() == &DataType::Float64)
                .then(|| (base.to_owned(), [value, num, den]))
        })
        .collect()
}

/// The columns with each rate's three together as `X` (its value), `X_num`, `X_den`, where
/// the first of them was.
fn rates_together(built: Vec<(String, ArrayRef)>) -> Vec<(String, ArrayRef)> {
    let triples = rate_triples(&built);
    if triples.is_empty() {
        return built;
    }
    let mut order: Vec<(usize, Option<String>)> = Vec::with_capacity(built.len());
    let mut placed = vec![false; built.len()];
    for i in 0..built.len() {
        if placed[i] {
            continue;
        }
        if let Some((base, [value, num, den])) = triples.iter().find(|(_, t)| t.contains(&i)) {
            order.push((*value, Some(base.clone())));
            order.push((*num, None));
            order.push((*den, None));
            for j in [value, num, den] {
                placed[*j] = true;
            }
        } else {
            order.push((i, None));
            placed[i] = true;
        }
    }
    let mut slots: Vec<Option<(String, ArrayRef)>> = built.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, rename)| {
            let (name, array) = slots[i].take()?;
            Some((rename.unwrap_or(name), array))
        })
        .collect()
}

#[cfg(test)]
mod tests;
