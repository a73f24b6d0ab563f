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
    // Two halves of the columns, each made in one pass over the items (a million items
    // are read once per half, not once per column), on two threads for a long list.
    let (first, second) = if rows >= super::PARALLEL_ROWS
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
    {
        std::thread::scope(|scope| {
            let second = scope.spawn(|| where_and_who(&items, labels));
            let first = what_and_when(&items, labels);
            let second = second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (first, second)
        })
    } else {
        (what_and_when(&items, labels), where_and_who(&items, labels))
    };
    let arrays: Vec<ArrayRef> = first.into_iter().chain(second).collect();
    let fields: Vec<Field> = COLUMNS
        .iter()
        .zip(&arrays)
        .map(|(name, array)| Field::new(labels.column(name), array.data_type().clone(), true))
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
        .map_err(|e| Error::Storage(format!("a frame: {e}")))
}

/// A text column's builder for `rows` rows of about the length of `sample`.
fn text_builder(rows: usize, sample: Option<&str>) -> StringBuilder {
    StringBuilder::with_capacity(rows, rows * (sample.map_or(0, str::len) + 4))
}

/// The first seven columns: `household_id`, `unit`, `rule`, `channel`, `due`, `overdue`,
/// `last_visit`.
fn what_and_when(items: &[&DueVisit], labels: Labels) -> [ArrayRef; 7] {
    let (rows, first) = (items.len(), items[0]);
    let mut household_id = text_builder(rows, Some(&first.household_id));
    let mut unit = text_builder(rows, Some(&first.unit));
    let mut rule = text_builder(rows, Some(&first.rule));
    let mut channel = text_builder(rows, Some(first.channel.as_str()));
    let mut due = Date32Builder::with_capacity(rows);
    let mut overdue = BooleanBuilder::with_capacity(rows);
    let mut last_visit = Date32Builder::with_capacity(rows);
    let days = |date: crate::Date| date.num_days_from_ce() - EPOCH_DAYS_FROM_CE;
    for d in items {
        household_id.append_value(labels.value("household_id", &d.household_id));
        unit.append_value(labels.value("unit", &d.unit));
        rule.append_value(labels.value("rule", &d.rule));
        channel.append_value(labels.value("channel", d.channel.as_str()));
        due.append_value(days(d.due));
        overdue.append_value(d.overdue);
        last_visit.append_option(d.last_visit.map(days));
    }
    [
        Arc::new(household_id.finish()),
        Arc::new(unit.finish()),
        Arc::new(rule.finish()),
        Arc::new(channel.finish()),
        Arc::new(due.finish()),
        Arc::new(overdue.finish()),
        Arc::new(last_visit.finish()),
    ]
}

/// The last four columns: `grid`, `grid_name`, `address`, `responsible`.
fn where_and_who(items: &[&DueVisit], labels: Labels) -> [ArrayRef; 4] {
    let (rows, first) = (items.len(), items[0]);
    let mut grid = text_builder(rows, first.grid.as_deref());
    let mut grid_name = text_builder(rows, first.grid_name.as_deref());
    let mut address = text_builder(rows, Some(&first.address));
    let mut responsible = StringBuilder::with_capacity(rows, rows * 16);
    let mut workers: HashMap<*const Responsible, Option<String>> = HashMap::default();
    for d in items {
        grid.append_option(d.grid.as_deref().map(|t| labels.value("grid", t)));
        grid_name.append_option(d.grid_name.as_deref().map(|t| labels.value("grid_name", t)));
        address.append_value(labels.value("address", &d.address));
        // The workers are shared by the items of a grid: each grid's text is made once.
        let text = workers
            .entry(d.responsible.as_ptr())
            .or_insert_with(|| responsible_text(&d.responsible, labels));
        responsible.append_option(text.as_deref());
    }
    [
        Arc::new(grid.finish()),
        Arc::new(grid_name.finish()),
        Arc::new(address.finish()),
        Arc::new(responsible.finish()),
    ]
}

/// The responsible workers as one text: each worker as `name staff_id` (the values of
/// its JSON object, in key order), joined by `、`; `None` when there are none.
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
