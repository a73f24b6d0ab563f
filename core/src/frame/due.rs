//! The due list's frame made column by column from the items' fields, without the serde
//! spread of [`super::record_batch`]: a county's list (a million items) is the largest
//! list analysts take into pandas, and reading each field straight into its Arrow builder
//! is several times quicker than spreading each item over named columns and settling
//! the columns' types afterwards.
//!
//! The frame is the one [`super::record_batch`] makes of the same items, column for
//! column (the tests compare them): text as `utf8`, `due` and `last_visit` as `date32`,
//! `overdue` as `bool`, the responsible workers as one text a row (`王芳 S1、李强 S2`,
//! null when none), Chinese headers and values with [`Labels::Zh`]. One difference: a
//! text column whose every value happens to read as a date (household ids written
//! `2024-01-01`) stays text here.

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Date32Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema};
use chrono::Datelike;
use foldhash::HashMap;

use crate::error::{Error, Result};
use crate::labels::Labels;
use crate::visits::{DueVisit, Responsible};

/// The due list's columns, in the order of [`DueVisit`]'s fields.
const COLUMNS: [&str; 11] = [
    "household_id",
    "unit",
    "rule",
    "channel",
    "due",
    "overdue",
    "last_visit",
    "grid",
    "grid_name",
    "address",
    "responsible",
];

/// The days from 0001-01-01 (chrono's day 1) to 1970-01-01, Arrow's day 0.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The record batch of a due list, one row per item, named as `labels` says: the same
/// frame as [`super::record_batch`] of the items, made faster. An empty list is a frame
/// without rows or columns, as there.
pub fn due_visit_batch<'a>(
    items: impl IntoIterator<Item = &'a DueVisit>,
    labels: Labels,
) -> Result<RecordBatch> {
    let items: Vec<&DueVisit> = items.into_iter().collect();
    if items.is_empty() {
        return super::Frame::new().finish(labels);
    }
    let rows = items.len();
    let text = |name: &'static str, get: &dyn Fn(&DueVisit) -> Option<&str>| -> ArrayRef {
        let bytes = items.iter().map(|d| get(d).map_or(0, str::len)).sum();
        let mut builder = StringBuilder::with_capacity(rows, bytes);
        for d in &items {
            builder.append_option(get(d).map(|t| labels.value(name, t)));
        }
        Arc::new(builder.finish())
    };
    let days = |date: crate::Date| date.num_days_from_ce() - EPOCH_DAYS_FROM_CE;
    let mut due = Date32Builder::with_capacity(rows);
    let mut last_visit = Date32Builder::with_capacity(rows);
    let mut overdue = BooleanBuilder::with_capacity(rows);
    for d in &items {
        due.append_value(days(d.due));
        last_visit.append_option(d.last_visit.map(days));
        overdue.append_value(d.overdue);
    }
    let arrays: [ArrayRef; 11] = [
        text("household_id", &|d| Some(&d.household_id)),
        text("unit", &|d| Some(&d.unit)),
        text("rule", &|d| Some(&d.rule)),
        text("channel", &|d| Some(d.channel.as_str())),
        Arc::new(due.finish()),
        Arc::new(overdue.finish()),
        Arc::new(last_visit.finish()),
        text("grid", &|d| d.grid.as_deref()),
        text("grid_name", &|d| d.grid_name.as_deref()),
        text("address", &|d| Some(&d.address)),
        responsible_column(&items, labels),
    ];
    let fields: Vec<Field> = COLUMNS
        .iter()
        .zip(&arrays)
        .map(|(name, array)| Field::new(labels.column(name), array.data_type().clone(), true))
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays.into(), &options)
        .map_err(|e| Error::Storage(format!("a due list's frame: {e}")))
}

/// The responsible workers as one text a row: each worker as `name staff_id` (the
/// values of its JSON object, in key order), joined by `、`; null when there are none.
/// The workers are shared by the items of a grid, so each grid's text is made once.
fn responsible_column(items: &[&DueVisit], labels: Labels) -> ArrayRef {
    let mut shown: HashMap<*const Responsible, Option<String>> = HashMap::default();
    let mut builder = StringBuilder::with_capacity(items.len(), items.len() * 16);
    for d in items {
        let text = shown
            .entry(d.responsible.as_ptr())
            .or_insert_with(|| responsible_text(&d.responsible, labels));
        builder.append_option(text.as_deref());
    }
    Arc::new(builder.finish())
}

fn responsible_text(workers: &[Responsible], labels: Labels) -> Option<String> {
    (!workers.is_empty()).then(|| {
        workers
            .iter()
            .map(|r| {
                let item = format!("{} {}", r.name, r.staff_id);
                labels.value("responsible", &item).to_owned()
            })
            .collect::<Vec<_>>()
            .join("、")
    })
}
