//! One column being filled: its values kept by kind as they come (flags, whole numbers,
//! fractions, text in one buffer, lists), a value of another kind turning it into text;
//! then the Arrow array its values make.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use chrono::{DateTime, Datelike, NaiveDate};

use crate::labels::Labels;

/// One value as the record gives it.
#[derive(Debug)]
pub(super) enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    /// Text written by its `Display` (dates and moments).
    Shown(std::fmt::Arguments<'a>),
    /// A list's elements as text, and whether any was an object.
    List(Vec<String>, bool),
}

/// A column's values so far, by kind; a null row holds a default value.
#[derive(Debug, Default)]
enum Data {
    #[default]
    Null,
    Bool(Vec<bool>),
    Int(Vec<i64>),
    Float(Vec<f64>),
    /// All the text in one buffer, and where each row's ends.
    Text(String, Vec<usize>),
    List(Vec<Vec<String>>),
    /// Values of different kinds, each as its text.
    Mixed(Vec<String>),
}

/// One column: its values and which rows have one.
#[derive(Debug, Default)]
pub(super) struct Column {
    data: Data,
    valid: Vec<bool>,
    /// Whether a list in it held objects: its lists are then one text each.
    objects: bool,
    /// How many rows are expected: the values are sized once for them.
    capacity: usize,
}

impl Column {
    /// An empty column for about `rows` rows.
    pub(super) fn with_capacity(rows: usize) -> Column {
        Column {
            data: Data::Null,
            valid: Vec::with_capacity(rows),
            objects: false,
            capacity: rows,
        }
    }

    /// How many rows it has.
    pub(super) fn len(&self) -> usize {
        self.valid.len()
    }

    /// Adds nulls up to `rows` rows.
    pub(super) fn pad(&mut self, rows: usize) {
        while self.valid.len() < rows {
            self.push_default();
            self.valid.push(false);
        }
    }

    fn push_default(&mut self) {
        match &mut self.data {
            Data::Null => {}
            Data::Bool(v) => v.push(false),
            Data::Int(v) => v.push(0),
            Data::Float(v) => v.push(0.0),
            Data::Text(buf, ends) => ends.push(buf.len()),
            Data::List(v) => v.push(Vec::new()),
            Data::Mixed(v) => v.push(String::new()),
        }
    }

    /// Adds `cell` as the next row.
    pub(super) fn push(&mut self, cell: Cell<'_>) {
        if matches!(cell, Cell::Null) {
            self.push_default();
            self.valid.push(false);
            return;
        }
        if matches!(self.data, Data::Null) {
            let n = self.valid.len();
            let rows = self.capacity.max(n + 1);
            self.data = match &cell {
                Cell::Bool(_) => Data::Bool(sized(n, rows, false)),
                Cell::Int(_) => Data::Int(sized(n, rows, 0)),
                Cell::Float(_) => Data::Float(sized(n, rows, 0.0)),
                // Sized for rows of about the first one's length.
                Cell::Text(t) => Data::Text(
                    String::with_capacity(rows.saturating_mul(t.len().min(32) + 4)),
                    sized(n, rows, 0),
                ),
                Cell::Shown(_) => Data::Text(String::with_capacity(rows * 12), sized(n, rows, 0)),
                Cell::List(..) => Data::List(vec![Vec::new(); n]),
                Cell::Null => unreachable!("nulls are pushed above"),
            };
        }
        let cell = match (&mut self.data, cell) {
            (Data::Bool(v), Cell::Bool(b)) => {
                v.push(b);
                None
            }
            (Data::Int(v), Cell::Int(i)) => {
                v.push(i);
                None
            }
            (Data::Float(v), Cell::Float(f)) => {
                v.push(f);
                None
            }
            (Data::Float(v), Cell::Int(i)) => {
                v.push(i as f64);
                None
            }
            (Data::Text(buf, ends), Cell::Text(t)) => {
                buf.push_str(t);
                ends.push(buf.len());
                None
            }
            (Data::Text(buf, ends), Cell::Shown(args)) => {
                let _ = buf.write_fmt(args);
                ends.push(buf.len());
                None
            }
            (Data::List(v), Cell::List(items, objects)) => {
                self.objects |= objects;
                v.push(items);
                None
            }
            (Data::Mixed(v), cell) => {
                v.push(text_of(&cell));
                None
            }
            (_, cell) => Some(cell),
        };
        if let Some(cell) = cell {
            if let (Data::Int(v), Cell::Float(f)) = (&self.data, &cell) {
                let mut floats: Vec<f64> = v.iter().map(|&i| i as f64).collect();
                floats.push(*f);
                self.data = Data::Float(floats);
            } else {
                let mut texts = self.texts();
                texts.push(text_of(&cell));
                self.data = Data::Mixed(texts);
            }
        }
        self.valid.push(true);
    }

    /// Adds `other`'s rows after this column's, as if they had been pushed here: a
    /// column of nulls takes the other's kind, whole numbers meeting fractions become
    /// fractions, and other kinds that disagree become text.
    pub(super) fn append(&mut self, other: Column) {
        let n = self.len();
        let Column {
            data,
            valid,
            objects,
            ..
        } = other;
        self.objects |= objects;
        if matches!(data, Data::Null) {
            self.pad(n + valid.len());
            return;
        }
        if matches!(self.data, Data::Null) {
            let mut front = Column {
                data,
                valid: Vec::new(),
                objects,
                capacity: 0,
            };
            front.prepend_nulls(n);
            self.data = front.data;
            self.valid.extend(valid);
            return;
        }
        let disagreeing = match (&mut self.data, data) {
            (Data::Bool(a), Data::Bool(b)) => {
                a.extend(b);
                None
            }
            (Data::Int(a), Data::Int(b)) => {
                a.extend(b);
                None
            }
            (Data::Float(a), Data::Float(b)) => {
                a.extend(b);
                None
            }
            (Data::Float(a), Data::Int(b)) => {
                a.extend(b.iter().map(|&i| i as f64));
                None
            }
            (Data::Int(a), Data::Float(b)) => {
                let mut floats: Vec<f64> = a.iter().map(|&i| i as f64).collect();
                floats.extend(b);
                self.data = Data::Float(floats);
                None
            }
            (Data::Text(buf, ends), Data::Text(more, more_ends)) => {
                let shift = buf.len();
                buf.push_str(&more);
                ends.extend(more_ends.iter().map(|&e| e + shift));
                None
            }
            (Data::List(a), Data::List(b)) => {
                a.extend(b);
                None
            }
            (Data::Mixed(a), data) => {
                let theirs = Column {
                    data,
                    valid: valid.clone(),
                    objects,
                    capacity: 0,
                };
                a.extend(theirs.texts());
                None
            }
            (_, data) => Some(data),
        };
        if let Some(data) = disagreeing {
            // Kinds that disagree: both as text.
            let theirs = Column {
                data,
                valid: valid.clone(),
                objects,
                capacity: 0,
            };
            let mut texts = self.texts();
            texts.extend(theirs.texts());
            self.data = Data::Mixed(texts);
        }
        self.valid.extend(valid);
    }

    /// Puts `n` nulls before the rows.
    fn prepend_nulls(&mut self, n: usize) {
        fn front<T: Clone>(v: &mut Vec<T>, n: usize, default: T) {
            v.splice(0..0, std::iter::repeat_n(default, n));
        }
        match &mut self.data {
            Data::Null => {}
            Data::Bool(v) => front(v, n, false),
            Data::Int(v) => front(v, n, 0),
            Data::Float(v) => front(v, n, 0.0),
            Data::Text(_, ends) => front(ends, n, 0),
            Data::List(v) => front(v, n, Vec::new()),
            Data::Mixed(v) => front(v, n, String::new()),
        }
        front(&mut self.valid, n, false);
    }

    /// Every row's value as text (a null's as empty text).
    fn texts(&self) -> Vec<String> {
        let n = self.valid.len();
        match &self.data {
            Data::Null => vec![String::new(); n],
            Data::Bool(v) => v.iter().map(ToString::to_string).collect(),
            Data::Int(v) => v.iter().map(ToString::to_string).collect(),
            Data::Float(v) => v.iter().map(ToString::to_string).collect(),
            Data::Text(buf, ends) => {
                let mut start = 0;
                ends.iter()
                    .map(|&end| {
                        let text = buf[start..end].to_owned();
                        start = end;
                        text
                    })
                    .collect()
            }
            Data::List(v) => v.iter().map(|l| serde_json::json!(l).to_string()).collect(),
            Data::Mixed(v) => v.clone(),
        }
    }

    /// The Arrow array of the column `name`, its values named as `labels` says; `None`
    /// when it has no value at all.
    pub(super) fn array(self, name: &str, labels: Labels) -> Option<ArrayRef> {
        let valid = self.valid;
        let with = |i: usize| valid[i];
        Some(match self.data {
            Data::Null => return None,
            Data::Bool(v) => Arc::new(
                v.into_iter()
                    .enumerate()
                    .map(|(i, b)| with(i).then_some(b))
                    .collect::<BooleanArray>(),
            ),
            Data::Int(v) => Arc::new(
                v.into_iter()
                    .enumerate()
                    .map(|(i, n)| with(i).then_some(n))
                    .collect::<Int64Array>(),
            ),
            Data::Float(v) => Arc::new(
                v.into_iter()
                    .enumerate()
                    .map(|(i, f)| with(i).then_some(f))
                    .collect::<Float64Array>(),
            ),
            Data::Text(buf, ends) => text_array(name, buf, &ends, &valid, labels),
            // Objects (responsible workers) as one text a row, `王五 W1、李四 W2`; none is null.
            Data::List(v) if self.objects || OBJECT_LISTS.contains(&name) => Arc::new(
                v.iter()
                    .enumerate()
                    .map(|(i, items)| {
                        (with(i) && !items.is_empty()).then(|| {
                            items
                                .iter()
                                .map(|item| labels.value(name, item))
                                .collect::<Vec<_>>()
                                .join("、")
                        })
                    })
                    .collect::<StringArray>(),
            ),
            Data::List(v) => {
                let mut builder = ListBuilder::new(StringBuilder::new());
                for (i, items) in v.iter().enumerate() {
                    for item in items {
                        builder.values().append_value(labels.value(name, item));
                    }
                    builder.append(with(i));
                }
                Arc::new(builder.finish())
            }
            Data::Mixed(v) => Arc::new(
                v.iter()
                    .enumerate()
                    .map(|(i, t)| with(i).then_some(t.as_str()))
                    .collect::<StringArray>(),
            ),
        })
    }
}

/// The lists of objects by name, one text a row even when every list is empty (so that
/// the column's type does not depend on the rows): a due item's responsible workers.
const OBJECT_LISTS: [&str; 1] = ["responsible"];

/// `n` copies of `default`, with room for `rows`.
fn sized<T: Clone>(n: usize, rows: usize, default: T) -> Vec<T> {
    let mut v = Vec::with_capacity(rows);
    v.resize(n, default);
    v
}

fn text_of(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        Cell::Text(t) => (*t).to_owned(),
        Cell::Shown(args) => args.to_string(),
        Cell::List(items, _) => serde_json::json!(items).to_string(),
    }
}

/// A date's days since 1970-01-01, when `text` is one (`2024-03-31`).
fn date_days(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (year, month, day) = (number(&b[..4])?, number(&b[5..7])?, number(&b[8..])?);
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    Some(date.num_days_from_ce() - 719_163)
}

/// Each row's text (`None` for a null) of a text column's buffer and row ends.
fn texts<'a>(
    buf: &'a str,
    ends: &'a [usize],
    valid: &'a [bool],
) -> impl Iterator<Item = Option<&'a str>> + 'a {
    let mut start = 0;
    ends.iter().zip(valid).map(move |(&end, &valid)| {
        let text = &buf[start..end];
        start = end;
        valid.then_some(text)
    })
}

/// A text column: dates, moments, or text with its values named as `labels` says.
fn text_array(name: &str, buf: String, ends: &[usize], valid: &[bool], labels: Labels) -> ArrayRef {
    let dates: Option<Vec<Option<i32>>> = texts(&buf, ends, valid)
        .map(|t| t.map_or(Some(None), |t| date_days(t).map(Some)))
        .collect();
    if let Some(dates) = dates {
        return Arc::new(Date32Array::from(dates));
    }
    let moments: Option<Vec<_>> = texts(&buf, ends, valid)
        .map(|t| {
            t.map_or(Some(None), |t| {
                DateTime::parse_from_rfc3339(t).ok().map(Some)
            })
        })
        .collect();
    if let Some(moments) = moments {
        let offset = moments
            .iter()
            .flatten()
            .next()
            .map(|m| m.offset().to_string());
        let micros: Vec<Option<i64>> = moments
            .iter()
            .map(|m| m.map(|m| m.timestamp_micros()))
            .collect();
        return Arc::new(TimestampMicrosecondArray::from(micros).with_timezone_opt(offset));
    }
    if labels == Labels::En {
        return as_stored(buf, ends, valid);
    }
    Arc::new(
        texts(&buf, ends, valid)
            .map(|t| t.map(|t| labels.value(name, t)))
            .collect::<StringArray>(),
    )
}

/// The text as stored, its buffer and row ends taken as the array's values and offsets;
/// past the 2 GiB that 32-bit offsets reach, copied into a large (64-bit) text array.
fn as_stored(buf: String, ends: &[usize], valid: &[bool]) -> ArrayRef {
    let nulls = valid
        .iter()
        .any(|v| !v)
        .then(|| NullBuffer::from(valid.to_vec()));
    let offsets = std::iter::once(Some(0))
        .chain(ends.iter().map(|&end| i32::try_from(end).ok()))
        .collect::<Option<Vec<i32>>>();
    match offsets {
        Some(offsets) => Arc::new(StringArray::new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(buf.into_bytes()),
            nulls,
        )),
        None => Arc::new(texts(&buf, ends, valid).collect::<arrow_array::LargeStringArray>()),
    }
}
