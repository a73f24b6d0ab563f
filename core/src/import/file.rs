//! Reading CSV files: encodings, headers in English or Chinese, rows as borrowed fields.

use std::borrow::Cow;

use super::ImportRow;
use super::columns::{ColumnIndex, HeaderSearch};
use crate::error::{Error, Result};

/// Decodes CSV bytes: UTF-8 (a BOM is dropped) or GBK/GB18030, detected unless given.
pub(super) fn decode<'a>(bytes: &'a [u8], encoding: Option<&str>) -> Result<Cow<'a, str>> {
    match encoding.map(str::to_ascii_lowercase).as_deref() {
        None => {
            if bytes.starts_with(b"\xEF\xBB\xBF") || std::str::from_utf8(bytes).is_ok() {
                decode_utf8(bytes)
            } else {
                decode_gb18030(bytes)
            }
        }
        Some("utf-8" | "utf8" | "utf-8-sig") => decode_utf8(bytes),
        Some("gbk" | "gb18030" | "gb2312" | "cp936") => decode_gb18030(bytes),
        Some(other) => Err(Error::invalid(
            "encoding",
            other,
            "expected utf-8, gbk or gb18030",
        )),
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<Cow<'_, str>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        Error::invalid(
            "encoding",
            "utf-8",
            format!("the file is not valid UTF-8 ({e})"),
        )
    })
}

fn decode_gb18030(bytes: &[u8]) -> Result<Cow<'_, str>> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        Err(Error::invalid(
            "encoding",
            "gb18030",
            "the file is neither UTF-8 nor valid GBK/GB18030",
        ))
    } else {
        Ok(text)
    }
}

/// One row's fields, borrowed from an [`ImportRow`] or from a CSV record, trimmed.
pub(super) struct Fields<'a> {
    pub(super) line: usize,
    pub(super) household_id: &'a str,
    pub(super) unit: &'a str,
    pub(super) address: &'a str,
    pub(super) kind: &'a str,
    pub(super) tags: &'a str,
    pub(super) name: &'a str,
    pub(super) id_number: &'a str,
    pub(super) phone: &'a str,
    pub(super) relation: &'a str,
    pub(super) hukou: &'a str,
    pub(super) employer: &'a str,
    pub(super) resident_tags: &'a str,
}

impl ImportRow {
    pub(super) fn fields(&self) -> Fields<'_> {
        Fields {
            line: self.line,
            household_id: &self.household_id,
            unit: &self.unit,
            address: &self.address,
            kind: &self.kind,
            tags: &self.tags,
            name: &self.name,
            id_number: &self.id_number,
            phone: &self.phone,
            relation: &self.relation,
            hukou: &self.hukou,
            employer: &self.employer,
            resident_tags: &self.resident_tags,
        }
    }
}

/// The fields of a CSV record, by the file's column index.
pub(super) fn record_fields<'r>(index: &ColumnIndex, record: &'r csv::StringRecord) -> Fields<'r> {
    let get = |field: usize| {
        index[field]
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    };
    Fields {
        line: record.position().map_or(0, |p| p.line() as usize),
        household_id: get(0),
        unit: get(1),
        address: get(2),
        kind: get(3),
        tags: get(4),
        name: get(5),
        id_number: get(6),
        phone: get(7),
        relation: get(8),
        hukou: get(9),
        employer: get(10),
        resident_tags: get(11),
    }
}

/// A CSV file's rows, read one at a time.
pub(super) struct CsvRows<'t> {
    reader: csv::Reader<&'t [u8]>,
    pub(super) index: ColumnIndex,
    /// The header's columns that name no field.
    pub(super) unknown: Vec<String>,
    /// The rows read before the data: title lines and the header.
    pub(super) above: usize,
}

impl<'t> CsvRows<'t> {
    /// Reads up to the header row (the one at `header_row`, a line number from 1, or
    /// else the first naming at least two fields, below any title lines), mapping English
    /// or Chinese headers, or the caller's `columns`, to fields.
    pub(super) fn open(
        text: &'t str,
        columns: &[(String, usize)],
        header_row: Option<usize>,
    ) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut search = HeaderSearch::new(columns, header_row);
        let mut record = csv::StringRecord::new();
        let mut above = 0;
        loop {
            if !reader.read_record(&mut record).map_err(|e| {
                Error::invalid("csv", "header", format!("cannot read the header line: {e}"))
            })? {
                return Err(search.not_found("csv"));
            }
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            above += 1;
            let line = record.position().map_or(0, |p| p.line() as usize);
            if let Some(header) = search.offer("csv", line, record.iter())? {
                return Ok(CsvRows {
                    reader,
                    index: header.index,
                    unknown: header.unknown,
                    above,
                });
            }
        }
    }

    /// Reads the next record that has any field filled in into `record`; false at the end
    /// of the file.
    pub(super) fn next_record(&mut self, record: &mut csv::StringRecord) -> Result<bool> {
        loop {
            if !self
                .reader
                .read_record(record)
                .map_err(|e| Error::invalid("csv", "row", e.to_string()))?
            {
                return Ok(false);
            }
            if !record.iter().all(|f| f.trim().is_empty()) {
                return Ok(true);
            }
        }
    }
}

/// How many rows a CSV text holds after its header, by the rule [`CsvRows`] reads them:
/// records end at a line break outside quotes, and a record with no field filled in is
/// not a row. Quick enough to run before an import, so progress can show the whole.
pub(super) fn count_rows(text: &str) -> usize {
    let mut count = 0;
    let mut header = true;
    let mut quoted = false;
    let mut blank = true;
    for &b in text.as_bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => {
                if !blank {
                    if header {
                        header = false;
                    } else {
                        count += 1;
                    }
                }
                blank = true;
            }
            b',' | b' ' | b'\t' => {}
            _ => blank = false,
        }
    }
    if !blank && !header {
        count += 1;
    }
    count
}

/// Reads CSV text into rows, mapping English or Chinese headers to fields.
pub fn parse_csv(bytes: &[u8], encoding: Option<&str>) -> Result<Vec<ImportRow>> {
    let text = decode(bytes, encoding)?;
    let mut reader = CsvRows::open(&text, &[], None)?;
    let mut rows = Vec::with_capacity(count_rows(&text));
    let mut record = csv::StringRecord::new();
    while reader.next_record(&mut record)? {
        let f = record_fields(&reader.index, &record);
        rows.push(ImportRow {
            line: f.line,
            household_id: f.household_id.to_owned(),
            unit: f.unit.to_owned(),
            address: f.address.to_owned(),
            kind: f.kind.to_owned(),
            tags: f.tags.to_owned(),
            name: f.name.to_owned(),
            id_number: f.id_number.to_owned(),
            phone: f.phone.to_owned(),
            relation: f.relation.to_owned(),
            hukou: f.hukou.to_owned(),
            employer: f.employer.to_owned(),
            resident_tags: f.resident_tags.to_owned(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_counted_as_the_reader_reads_them() {
        let text = "household_id,unit,address,kind,name\r\n\
                    H1,G,\"two\nlines\",registered,甲\r\n\
                    \r\n\
                    ,,,,\n\
                    \"\",\"\",,,\n\
                    H2,G,b,registered,乙";
        let mut reader = CsvRows::open(text, &[], None).unwrap();
        let mut record = csv::StringRecord::new();
        let mut read = 0;
        while reader.next_record(&mut record).unwrap() {
            read += 1;
        }
        assert_eq!(read, 2);
        assert_eq!(count_rows(text), read);
        assert_eq!(count_rows("household_id,unit\n"), 0);
        assert_eq!(count_rows(""), 0);
    }
}
