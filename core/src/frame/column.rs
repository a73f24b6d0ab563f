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
    List(Vec<String>),
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
}

impl Column {
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
            self.data = match &cell {
                Cell::Bool(_) => Data::Bool(vec![false; n]),
                Cell::Int(_) => Data::Int(vec![0; n]),
                Cell::Float(_) => Data::Float(vec![0.0; n]),
                Cell::Text(_) | Cell::Shown(_) => Data::Text(String::new(), vec![0; n]),
                Cell::List(_) => Data::List(vec![Vec::new(); n]),
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
            (Data::List(v), Cell::List(items)) => {
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
            Data::Text(buf, ends) => {
                let mut start = 0;
                let texts: Vec<Option<&str>> = ends
                    .iter()
                    .enumerate()
                    .map(|(i, &end)| {
                        let text = &buf[start..end];
                        start = end;
                        with(i).then_some(text)
                    })
                    .collect();
                text_array(name, &texts, labels)
            }
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

fn text_of(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        Cell::Text(t) => (*t).to_owned(),
        Cell::Shown(args) => args.to_string(),
        Cell::List(items) => serde_json::json!(items).to_string(),
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

/// A text column: dates, moments, or text with its values named as `labels` says.
fn text_array(name: &str, texts: &[Option<&str>], labels: Labels) -> ArrayRef {
    let dates: Option<Vec<Option<i32>>> = texts
        .iter()
        .map(|t| t.map_or(Some(None), |t| date_days(t).map(Some)))
        .collect();
    if let Some(dates) = dates {
        return Arc::new(Date32Array::from(dates));
    }
    let moments: Option<Vec<_>> = texts
        .iter()
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
    Arc::new(
        texts
            .iter()
            .map(|t| t.map(|t| labels.value(name, t)))
            .collect::<StringArray>(),
    )
}
