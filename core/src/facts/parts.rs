//! Part files: rows gathered into bounded Arrow batches and written as Parquet row
//! groups, under a temporary name renamed into place once whole.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};

/// Rows per row group, and per batch held in memory before it is written.
pub(crate) const ROW_GROUP: usize = 65_536;

/// The day number (days of the common era) of 1970-01-01, Parquet's day 0.
const EPOCH_DAY: i64 = 719_163;

/// A column's type as the export writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// UTF-8 text (Parquet `BYTE_ARRAY`, `STRING`).
    Text,
    /// A whole number (INT64).
    Int,
    /// True or false (BOOLEAN).
    Bool,
    /// A civil date of the deployment (DATE).
    Date,
    /// A moment (TIMESTAMP, milliseconds, adjusted to UTC).
    Moment,
    /// A list of texts (LIST of STRING).
    Texts,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Text => DataType::Utf8,
            Kind::Int => DataType::Int64,
            Kind::Bool => DataType::Boolean,
            Kind::Date => DataType::Date32,
            Kind::Moment => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            Kind::Texts => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        }
    }

    /// The type's name in the schema's documentation.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Text => "STRING",
            Kind::Int => "INT64",
            Kind::Bool => "BOOLEAN",
            Kind::Date => "DATE",
            Kind::Moment => "TIMESTAMP(ms, UTC)",
            Kind::Texts => "LIST<STRING>",
        }
    }
}

/// One value of a row, in its column's kind; `Null` fits any nullable column.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Val<'a> {
    Text(&'a str),
    Int(i64),
    Bool(bool),
    /// A day number (days of the common era).
    Date(i64),
    /// Seconds since the Unix epoch.
    Moment(i64),
    Texts(&'a [&'a str]),
    Null,
}

enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Moment(TimestampMillisecondBuilder),
    Texts(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: Kind) -> Self {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::Int => Builder::Int(Int64Builder::new()),
            Kind::Bool => Builder::Bool(BooleanBuilder::new()),
            Kind::Date => Builder::Date(Date32Builder::new()),
            Kind::Moment => {
                Builder::Moment(TimestampMillisecondBuilder::new().with_timezone("UTC"))
            }
            Kind::Texts => Builder::Texts(ListBuilder::new(StringBuilder::new())),
        }
    }

    fn push(&mut self, v: Val<'_>) -> bool {
        match (self, v) {
            (Builder::Text(b), Val::Text(t)) => b.append_value(t),
            (Builder::Text(b), Val::Null) => b.append_null(),
            (Builder::Int(b), Val::Int(i)) => b.append_value(i),
            (Builder::Int(b), Val::Null) => b.append_null(),
            (Builder::Bool(b), Val::Bool(x)) => b.append_value(x),
            (Builder::Bool(b), Val::Null) => b.append_null(),
            (Builder::Date(b), Val::Date(d)) => {
                b.append_value(i32::try_from(d - EPOCH_DAY).unwrap_or(i32::MAX));
            }
            (Builder::Date(b), Val::Null) => b.append_null(),
            (Builder::Moment(b), Val::Moment(s)) => b.append_value(s.saturating_mul(1000)),
            (Builder::Moment(b), Val::Null) => b.append_null(),
            (Builder::Texts(b), Val::Texts(items)) => {
                for t in items {
                    b.values().append_value(t);
                }
                b.append(true);
            }
            (Builder::Texts(b), Val::Null) => b.append(false),
            _ => return false,
        }
        true
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Moment(b) => Arc::new(b.finish()),
            Builder::Texts(b) => Arc::new(b.finish()),
        }
    }
}

/// A column: its name, kind, whether it may be null, and its meaning (English, Chinese).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) nullable: bool,
    pub(crate) meaning: &'static str,
    pub(crate) zh: &'static str,
}

/// The Arrow schema of `columns`.
pub(crate) fn schema(columns: &[Column]) -> Arc<Schema> {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, c.kind.data_type(), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

/// One part file being written: rows are gathered into batches of [`ROW_GROUP`] rows,
/// each written as a row group, so memory holds one batch whatever the table's size.
pub(crate) struct PartWriter {
    schema: Arc<Schema>,
    builders: Vec<Builder>,
    rows_in_batch: usize,
    rows: u64,
    writer: Option<ArrowWriter<File>>,
    temp: PathBuf,
    path: PathBuf,
}

impl std::fmt::Debug for PartWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartWriter")
            .field("path", &self.path)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

fn io(path: &Path, e: &impl std::fmt::Display) -> Error {
    Error::Storage(format!("cannot write {}: {e}", path.display()))
}

impl PartWriter {
    /// A writer of `columns` to `path`, through a temporary file beside it; nothing is
    /// created until the first row.
    pub(crate) fn new(columns: &[Column], path: PathBuf) -> Self {
        let mut temp = path.clone().into_os_string();
        temp.push(".tmp");
        PartWriter {
            schema: schema(columns),
            builders: columns.iter().map(|c| Builder::new(c.kind)).collect(),
            rows_in_batch: 0,
            rows: 0,
            writer: None,
            temp: PathBuf::from(temp),
            path,
        }
    }

    /// Adds one row, its values in the columns' order.
    pub(crate) fn push(&mut self, row: &[Val<'_>]) -> Result<()> {
        debug_assert_eq!(row.len(), self.builders.len());
        for (b, v) in self.builders.iter_mut().zip(row) {
            if !b.push(*v) {
                return Err(Error::Storage(format!(
                    "a value of the wrong kind for a column of {}",
                    self.path.display()
                )));
            }
        }
        self.rows_in_batch += 1;
        self.rows += 1;
        if self.rows_in_batch >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows_in_batch == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), arrays)
            .map_err(|e| io(&self.path, &e))?;
        self.rows_in_batch = 0;
        self.open()?;
        if let Some(w) = self.writer.as_mut() {
            w.write(&batch).map_err(|e| io(&self.temp, &e))?;
            w.flush().map_err(|e| io(&self.temp, &e))?;
        }
        Ok(())
    }

    /// Creates the temporary file and its writer, unless done.
    fn open(&mut self) -> Result<()> {
        if self.writer.is_none() {
            if let Some(dir) = self.temp.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
            }
            let file = File::create(&self.temp).map_err(|e| io(&self.temp, &e))?;
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(ROW_GROUP))
                .set_created_by(format!("wangge {}", env!("CARGO_PKG_VERSION")))
                .build();
            self.writer = Some(
                ArrowWriter::try_new(file, Arc::clone(&self.schema), Some(props))
                    .map_err(|e| io(&self.temp, &e))?,
            );
        }
        Ok(())
    }

    /// Writes what is left and closes the file under its temporary name: the rows
    /// written, and the temporary and final paths (`None` when there was no row and
    /// `keep_empty` is false, and no file).
    pub(crate) fn finish(mut self, keep_empty: bool) -> Result<(u64, Option<(PathBuf, PathBuf)>)> {
        self.flush()?;
        if keep_empty {
            self.open()?;
        }
        match self.writer.take() {
            None => Ok((0, None)),
            Some(w) => {
                let file = w.close().map_err(|e| io(&self.temp, &e))?;
                drop(file);
                let f = File::open(&self.temp).map_err(|e| io(&self.temp, &e))?;
                f.sync_all().map_err(|e| io(&self.temp, &e))?;
                Ok((self.rows, Some((self.temp, self.path))))
            }
        }
    }
}
