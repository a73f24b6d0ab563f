//! The import's entry points, one per kind of source, all through the column reader.

use serde::de::value::SeqAccessDeserializer;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::columns::{Header, check_columns, read_rows, row_of};
use super::file::{CsvRows, count_rows, decode};
use super::{ImportOptions, ImportResult, ImportRow, Source};
use crate::error::Result;
use crate::json;
use crate::store::Store;

/// Rows of text under a header, as a `DataFrame` or a list of dicts gives them. The header
/// names the columns by English name, Chinese header or the caller's `columns` mapping;
/// a row's line in the result is its position, from 1. Absent cells are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportTable {
    /// The column names, in order.
    pub header: Vec<String>,
    /// The rows, each a cell per column (a short row's missing cells are empty).
    pub rows: Vec<Vec<String>>,
}

impl ImportTable {
    /// Reads a JSON array of row objects: the header is every key in the order it first
    /// appears, a cell is text, null (empty) or an array of texts (joined by `;`, as for
    /// tags). An item that is no object, or a value of another type, is `InvalidInput`
    /// naming `rows` and the row (from 1); the text is never shown, since it holds ID
    /// numbers and phones.
    pub fn from_json(json: &str) -> Result<ImportTable> {
        let Ok(items) = serde_json::from_str::<Vec<Item>>(json) else {
            json::value(json, "rows", true)?;
            return Err(json::withheld(
                "rows",
                "expected a JSON array of row objects",
            ));
        };
        let mut table = ImportTable::default();
        for (i, item) in items.into_iter().enumerate() {
            let place = |e: crate::Error| e.context(&format!("row {}", i + 1));
            let object = match item {
                Item::Object(object) => object,
                Item::Other(value) => {
                    let refused =
                        json::object_value::<serde_json::Map<String, Value>>(&value, "rows", true);
                    return Err(place(refused.err().unwrap_or_else(|| {
                        json::withheld("rows", "expected a JSON object")
                    })));
                }
            };
            let mut row = vec![String::new(); table.header.len()];
            for (key, value) in object {
                let text = match value {
                    Value::Null => String::new(),
                    Value::String(text) => text,
                    Value::Array(items) => items
                        .into_iter()
                        .map(|v| match v {
                            Value::String(text) => Ok(text),
                            _ => Err(()),
                        })
                        .collect::<std::result::Result<Vec<_>, ()>>()
                        .map(|texts| texts.join(";"))
                        .map_err(|()| place(json::withheld("rows", "a list holds only texts")))?,
                    _ => {
                        return Err(place(json::withheld(
                            "rows",
                            format!("the value of {key:?} is not text, null or a list of texts"),
                        )));
                    }
                };
                let column = if let Some(column) = table.header.iter().position(|h| *h == key) {
                    column
                } else {
                    table.header.push(key);
                    row.push(String::new());
                    table.header.len() - 1
                };
                row[column] = text;
            }
            table.rows.push(row);
        }
        Ok(table)
    }
}

/// One item of a JSON array of rows: an object with its keys in their order (the
/// columns' order), or any other value, to be refused.
enum Item {
    Object(Vec<(String, Value)>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Item, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }
        Ok(Item::Object(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Item, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Item::Other)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Item, E> {
        Ok(Item::Other(Value::String(v.to_owned())))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Item, E> {
        Ok(Item::Other(Value::Bool(v)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Item, E> {
        Ok(Item::Other(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Item, E> {
        Ok(Item::Other(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Item, E> {
        Ok(Item::Other(v.into()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Item, E> {
        Ok(Item::Other(Value::Null))
    }
}

impl Store {
    /// Imports households from CSV bytes (UTF-8 or GBK/GB18030), title lines above the
    /// header allowed. Bad rows never raise: they are listed in the result. Errors are
    /// returned only for a file that cannot be read as CSV at all (bad encoding, no header
    /// row, missing columns, a malformed record) or bad options; then nothing is written.
    pub fn import_households_csv(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
        progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let columns = check_columns(&options.columns)?;
        let text = decode(bytes, options.encoding.as_deref())?;
        let reader = CsvRows::open(&text, &columns, options.header_row)?;
        // The count is for progress reports; without them it is not worth a pass.
        let total = if progress.is_some() || self.progress().is_some() {
            (count_rows(&text) + 1).saturating_sub(reader.above)
        } else {
            text.len() / 128
        };
        let unknown = reader.unknown.clone();
        let mut result =
            self.import_from(Source::Csv(Box::new(reader)), total, options, progress)?;
        result.unknown_columns = unknown;
        Ok(result)
    }

    /// Imports households from the first sheet of an XLSX workbook, read as a CSV file
    /// is (title lines, header, columns): cells are read as text, whole numbers without
    /// `.0`, dates as `YYYY-MM-DD`. Bytes that are no workbook are `InvalidInput` naming
    /// `xlsx`. Otherwise as [`Store::import_households_csv`]; a row's line is its row in
    /// the sheet.
    pub fn import_households_xlsx(
        &self,
        bytes: &[u8],
        options: &ImportOptions,
        progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let columns = check_columns(&options.columns)?;
        let lines = super::sheet::first_sheet(bytes)?;
        let (rows, unknown) = read_rows("xlsx", &lines, &columns, options.header_row)?;
        drop(lines);
        let mut result = self.import_households(&rows, options, progress)?;
        result.unknown_columns = unknown;
        Ok(result)
    }

    /// Imports households from a file's bytes: XLSX when `file_name` ends in `.xlsx` or
    /// the bytes start as a zip archive does (`PK\x03\x04`, as every XLSX workbook does),
    /// CSV otherwise.
    pub fn import_households_file(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
        options: &ImportOptions,
        progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let xlsx_name = file_name.is_some_and(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        });
        if xlsx_name || bytes.starts_with(b"PK\x03\x04") {
            self.import_households_xlsx(bytes, options, progress)
        } else {
            self.import_households_csv(bytes, options, progress)
        }
    }

    /// Imports households from a table of text (a `DataFrame`'s columns and cells, a list
    /// of dicts' keys and values): the header is read as a file's header is (aliases and
    /// `columns`), its unknown columns are reported, and absent columns are empty. A
    /// header naming fewer than two fields is `InvalidInput` naming `rows`. Otherwise as
    /// [`Store::import_households`].
    pub fn import_households_table(
        &self,
        table: &ImportTable,
        options: &ImportOptions,
        progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let columns = check_columns(&options.columns)?;
        let header = Header::read(table.header.iter().map(String::as_str), &columns);
        if !table.rows.is_empty() && !header.is_header() {
            return Err(crate::Error::invalid(
                "rows",
                table.header.join(","),
                format!(
                    "the columns name fewer than two fields: expected {}",
                    ImportRow::KEYS.join(", ")
                ),
            ));
        }
        let rows: Vec<ImportRow> = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, cells)| {
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                row_of(&header.index, i + 1, &cells)
            })
            .collect();
        let mut result = self.import_households(&rows, options, progress)?;
        result.unknown_columns = header.unknown;
        Ok(result)
    }

    /// Imports households from rows (see the module documentation). `progress`, when given,
    /// is called with (rows checked, rows in all) every 1,000 rows and at the end; if it
    /// returns false the import is cancelled with `InvalidInput` (field `progress`) and
    /// nothing is written.
    pub fn import_households(
        &self,
        rows: &[ImportRow],
        options: &ImportOptions,
        progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        check_columns(&options.columns)?;
        self.import_from(Source::Rows(rows), rows.len(), options, progress)
    }
}
