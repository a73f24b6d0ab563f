//! Lists given as Arrow record batches (a pyarrow table, a pandas or polars `DataFrame`
//! through the Arrow C stream): one item a row, each column read by its name as the key
//! of the item's JSON object. The rules, one place for every such input:
//!
//! - the columns are the item's keys: a column of another name, or one named twice, is
//!   refused (as an unknown key is), and so is a required one missing;
//! - a text is `utf8`, `large_utf8` or `utf8_view`, or one of those by a dictionary (a
//!   categorical); a date also `date32`, `date64` or a `timestamp` without a time zone
//!   (taken by its day); a column of nulls alone (`null`)
//!   is a column of missing values; any other type is refused naming the column;
//! - arrays that do not hold together as their producer made them (offsets that run
//!   backwards, keys outside their dictionary, bytes that are not UTF-8) are refused as a
//!   stream that does not read;
//! - a missing value where one is required is refused naming the row
//!   (`unit 3 of the batch`), as the JSON form names the item.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::units::NewUnit;

/// Why a stream that does not read as Arrow record batches is refused.
const UNREADABLE_STREAM: &str = "expected an Arrow table whose batches all read";

/// The refusal of `value`, given as `field` to a binding that takes a table through the
/// Arrow C stream, when it does not read as record batches: `InvalidInput`.
pub fn unreadable_stream(field: &'static str, value: &str) -> Error {
    Error::invalid(field, value, UNREADABLE_STREAM)
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Date,
}

/// A key of the items: its name, what it holds, and whether every item has it.
type Key = (&'static str, Kind, bool);

/// The keys of a unit, as [`NewUnit::from_json`] reads them.
const UNIT: [Key; 5] = [
    (NewUnit::KEYS[0], Kind::Text, true),
    (NewUnit::KEYS[1], Kind::Text, true),
    (NewUnit::KEYS[2], Kind::Text, true),
    (NewUnit::KEYS[3], Kind::Text, false),
    (NewUnit::KEYS[4], Kind::Date, false),
];

/// The batches, their columns checked against `keys`: for each key, its column's index
/// (`None` when it is not given).
struct Columns<'a> {
    batches: &'a [RecordBatch],
    keys: &'a [Key],
    index: Vec<Option<usize>>,
    /// The item's name in a refusal (`unit`).
    what: &'static str,
}

impl<'a> Columns<'a> {
    /// Checks the columns of `schema`, which every batch has, against `keys`; a refusal
    /// names `many` (`units`).
    fn new(
        (schema, batches): (&Schema, &'a [RecordBatch]),
        keys: &'a [Key],
        (many, what): (&'static str, &'static str),
    ) -> Result<Self> {
        let names = || keys.iter().map(|k| k.0).collect::<Vec<_>>().join(", ");
        let mut index = vec![None; keys.len()];
        let columns = |schema: &Schema| {
            let fields = schema.fields().iter();
            fields
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect::<Vec<_>>()
        };
        let expected = columns(schema);
        if batches.iter().any(|b| columns(&b.schema()) != expected) {
            return Err(unreadable_stream(many, "batches of another schema"));
        }
        for (i, field) in schema.fields().iter().enumerate() {
            let name = field.name();
            let Some(k) = keys.iter().position(|k| k.0 == name) else {
                return Err(Error::invalid(
                    many,
                    name,
                    format!("unknown column (expected {})", names()),
                ));
            };
            if index[k].replace(i).is_some() {
                return Err(Error::invalid(many, name, "the column is given twice"));
            }
            let (key, kind, _) = keys[k];
            if !readable(field.data_type(), kind) {
                let expected = match kind {
                    Kind::Text => "expected a column of texts",
                    Kind::Date => "expected a column of dates or texts",
                };
                return Err(Error::invalid(key, field.data_type(), expected));
            }
        }
        // Arrays handed over through the C interface are as their producer made them:
        // offsets that run backwards, keys outside their dictionary or bytes that are not
        // UTF-8 are refused here rather than read.
        for batch in batches {
            for column in batch.columns() {
                if let Err(e) = column.to_data().validate_full() {
                    return Err(unreadable_stream(many, &e.to_string()));
                }
            }
        }
        let missing: Vec<&str> = keys
            .iter()
            .zip(&index)
            .filter(|((_, _, required), at)| *required && at.is_none())
            .map(|((key, _, _), _)| *key)
            .collect();
        if !missing.is_empty() {
            let given: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            return Err(Error::invalid(
                many,
                given.join(", "),
                format!("missing columns: {}", missing.join(", ")),
            ));
        }
        Ok(Columns {
            batches,
            keys,
            index,
            what,
        })
    }

    /// Every row read by `item`, in order; a refusal names the row.
    fn rows<T>(&self, mut item: impl FnMut(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
        let total = self.batches.iter().map(RecordBatch::num_rows).sum();
        let mut out = Vec::with_capacity(total);
        for batch in self.batches {
            for at in 0..batch.num_rows() {
                let row = Row {
                    columns: self,
                    batch,
                    at,
                };
                let read = item(&row)
                    .map_err(|e| e.context(&format!("{} {} of the batch", self.what, out.len())))?;
                out.push(read);
            }
        }
        Ok(out)
    }
}

/// Whether a column of `data_type` reads as `kind`.
fn readable(data_type: &DataType, kind: Kind) -> bool {
    match data_type {
        DataType::Null | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        // Texts by a dictionary: a pandas categorical, a polars `Categorical`.
        DataType::Dictionary(keys, values) => {
            keys.is_dictionary_key_type() && readable(values, Kind::Text)
        }
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, None) => kind == Kind::Date,
        _ => false,
    }
}

/// The text at row `at` of a column of texts, `None` where there is none.
fn text_at(column: &dyn Array, at: usize) -> Option<&str> {
    if !column.is_valid(at) {
        return None;
    }
    match column.data_type() {
        DataType::Utf8 => Some(column.as_string::<i32>().value(at)),
        DataType::LargeUtf8 => Some(column.as_string::<i64>().value(at)),
        DataType::Utf8View => Some(column.as_string_view().value(at)),
        DataType::Dictionary(..) => {
            let dictionary = column.as_any_dictionary();
            let key = key_at(dictionary.keys(), at)?;
            let values = dictionary.values();
            (key < values.len())
                .then(|| text_at(values.as_ref(), key))
                .flatten()
        }
        _ => None,
    }
}

/// The dictionary key at row `at` of `keys`, `None` for a negative one.
fn key_at(keys: &dyn Array, at: usize) -> Option<usize> {
    use arrow_array::types::{
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
    };
    let key = match keys.data_type() {
        DataType::Int8 => i64::from(keys.as_primitive::<Int8Type>().value(at)),
        DataType::Int16 => i64::from(keys.as_primitive::<Int16Type>().value(at)),
        DataType::Int32 => i64::from(keys.as_primitive::<Int32Type>().value(at)),
        DataType::Int64 => keys.as_primitive::<Int64Type>().value(at),
        DataType::UInt8 => i64::from(keys.as_primitive::<UInt8Type>().value(at)),
        DataType::UInt16 => i64::from(keys.as_primitive::<UInt16Type>().value(at)),
        DataType::UInt32 => i64::from(keys.as_primitive::<UInt32Type>().value(at)),
        DataType::UInt64 => {
            return usize::try_from(keys.as_primitive::<UInt64Type>().value(at)).ok();
        }
        _ => return None,
    };
    usize::try_from(key).ok()
}

/// One row of the batches.
struct Row<'a> {
    columns: &'a Columns<'a>,
    batch: &'a RecordBatch,
    at: usize,
}

impl Row<'_> {
    /// The column of `key`, if given, and the key's place.
    fn column(&self, key: &str) -> (Option<&dyn Array>, usize) {
        let k = self
            .columns
            .keys
            .iter()
            .position(|k| k.0 == key)
            .expect("a key of the items");
        let column = self.columns.index[k].map(|i| self.batch.column(i).as_ref());
        (column.filter(|c| c.is_valid(self.at)), k)
    }

    /// The text under `key`, if the row has one; a required one missing is refused.
    fn text(&self, key: &'static str) -> Result<Option<String>> {
        let (column, k) = self.column(key);
        let text = column.and_then(|c| text_at(c, self.at));
        self.given(key, k, text.map(str::to_owned))
    }

    /// The date under `key`, if the row has one: a date, a time zone's less timestamp by
    /// its day, or a text in the forms [`date::parse_date`] reads.
    fn date(&self, key: &'static str) -> Result<Option<Date>> {
        let (column, k) = self.column(key);
        let Some(column) = column else {
            return self.given(key, k, None);
        };
        let at = self.at;
        let days = match column.data_type() {
            DataType::Date32 => i64::from(
                column
                    .as_primitive::<arrow_array::types::Date32Type>()
                    .value(at),
            ),
            DataType::Date64 => day_of(
                column
                    .as_primitive::<arrow_array::types::Date64Type>()
                    .value(at),
                86_400_000,
            ),
            DataType::Timestamp(unit, None) => {
                let value = match unit {
                    TimeUnit::Second => stamp::<TimestampSecondType>(column, at),
                    TimeUnit::Millisecond => stamp::<TimestampMillisecondType>(column, at),
                    TimeUnit::Microsecond => stamp::<TimestampMicrosecondType>(column, at),
                    TimeUnit::Nanosecond => stamp::<TimestampNanosecondType>(column, at),
                };
                let per_second = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                day_of(value, 86_400 * per_second)
            }
            _ => {
                return match self.text(key)? {
                    Some(text) => date::parse_date(key, &text).map(Some),
                    None => Ok(None),
                };
            }
        };
        // Days since 1970-01-01, which is day 719,163 of the common era.
        let day = days
            .checked_add(719_163)
            .and_then(|d| i32::try_from(d).ok())
            .and_then(Date::from_num_days_from_ce_opt)
            .filter(|d| date::in_range(*d));
        match day {
            Some(day) => Ok(Some(day)),
            None => Err(Error::invalid(
                key,
                format!("day {days} of 1970-01-01"),
                "expected a date in the years 0001 to 9999",
            )),
        }
    }

    /// `value`, or the refusal of a required key `key` (place `k`) without one.
    fn given<T>(&self, key: &'static str, k: usize, value: Option<T>) -> Result<Option<T>> {
        if value.is_none() && self.columns.keys[k].2 {
            return Err(Error::invalid(key, "null", "required"));
        }
        Ok(value)
    }
}

/// The timestamp at row `at` of a column of timestamps of type `T`.
fn stamp<T: arrow_array::types::ArrowTimestampType>(column: &dyn Array, at: usize) -> i64 {
    column.as_primitive::<T>().value(at)
}

/// The day (since 1970-01-01) of `value` counted in `per_day` a day.
fn day_of(value: i64, per_day: i64) -> i64 {
    value.div_euclid(per_day)
}

impl NewUnit {
    /// Reads units from Arrow record batches, each of `schema`, one unit a row: columns
    /// named as the keys of [`NewUnit::from_json`] (`code`, `name`, `level` required;
    /// `parent` and `start` optional), texts, and `start` also dates. A refusal is
    /// `InvalidInput`: an unknown, repeated or missing column names `units`; a column of
    /// another type names its key; a missing value where one is required, or a start
    /// that is not a date of the years 0001 to 9999, names its key and the row
    /// (`unit 3 of the batch`). See the [module documentation](self) for the types.
    pub fn list_from_arrow(schema: &Schema, batches: &[RecordBatch]) -> Result<Vec<NewUnit>> {
        let columns = Columns::new((schema, batches), &UNIT, ("units", "unit"))?;
        columns.rows(|row| {
            Ok(NewUnit {
                code: row.text("code")?.unwrap_or_default(),
                name: row.text("name")?.unwrap_or_default(),
                level: row.text("level")?.unwrap_or_default(),
                parent: row.text("parent")?,
                start: row.date("start")?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Date32Array, Int64Array, LargeStringArray, NullArray, StringArray,
        StringViewArray, TimestampNanosecondArray,
    };

    use super::*;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn texts(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    /// The units of `batches`, of the first one's schema.
    fn units(batches: &[RecordBatch]) -> Result<Vec<NewUnit>> {
        NewUnit::list_from_arrow(&batches[0].schema(), batches)
    }

    /// The refused field and reason of `units` read from `batches`.
    fn refusal(batches: &[RecordBatch]) -> (&'static str, String) {
        match units(batches) {
            Err(Error::InvalidInput { field, reason, .. }) => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    const JSON: &str = r#"[
        {"code": "512021", "name": "安岳县", "level": "county"},
        {"code": "512021100", "name": "岳阳镇", "level": "township", "parent": "512021",
         "start": "2024-03-01"}
    ]"#;

    #[test]
    fn frame_rows_read_as_the_json_objects_of_the_same_keys_in_any_text_or_date_type() {
        let expected = NewUnit::list_from_json(JSON).unwrap();
        let codes = [Some("512021"), Some("512021100")];
        let names = [Some("安岳县"), Some("岳阳镇")];
        let levels = [Some("county"), Some("township")];
        // 2024-03-01 is day 19,783 after 1970-01-01.
        let day = 19_783i64;
        let starts: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(vec![None, Some(day as i32)])),
            Arc::new(TimestampNanosecondArray::from(vec![
                None,
                Some(day * 86_400_000_000_000 + 3_600_000_000_000),
            ])),
            texts(&[None, Some("2024年3月1日")]),
            Arc::new(arrow_array::TimestampSecondArray::from(vec![
                None,
                Some(day * 86_400 + 86_399),
            ])),
            Arc::new(arrow_array::Date64Array::from(vec![
                None,
                Some(day * 86_400_000),
            ])),
        ];
        for start in starts {
            let read = units(&[batch(vec![
                ("code", texts(&codes)),
                ("name", Arc::new(LargeStringArray::from(names.to_vec()))),
                ("level", Arc::new(StringViewArray::from(levels.to_vec()))),
                ("parent", texts(&[None, Some("512021")])),
                ("start", start),
            ])])
            .unwrap();
            assert_eq!(read, expected);
        }
        // Levels by a dictionary, as a pandas categorical gives them.
        let levels_by_dictionary: arrow_array::DictionaryArray<arrow_array::types::Int8Type> =
            levels.iter().copied().collect();
        let read = units(&[batch(vec![
            ("code", texts(&codes)),
            ("name", texts(&names)),
            ("level", Arc::new(levels_by_dictionary)),
            ("parent", texts(&[None, Some("512021")])),
            ("start", texts(&[None, Some("2024-03-01")])),
        ])])
        .unwrap();
        assert_eq!(read, expected);
        // Optional columns left out, or all null; and rows over several batches.
        let short = batch(vec![
            ("level", texts(&levels[..1])),
            ("name", texts(&names[..1])),
            ("code", texts(&codes[..1])),
            ("start", Arc::new(NullArray::new(1))),
        ]);
        let read = units(&[short.clone(), short]).unwrap();
        assert_eq!(read, [expected[0].clone(), expected[0].clone()]);
        // No rows: none, if the columns are right.
        let empty = |names: &[&str]| {
            let fields: Vec<arrow_schema::Field> = names
                .iter()
                .map(|n| arrow_schema::Field::new(*n, DataType::Utf8, true))
                .collect();
            NewUnit::list_from_arrow(&Schema::new(fields), &[])
        };
        assert!(empty(&["code", "name", "level"]).unwrap().is_empty());
        assert_eq!(
            empty(&["code", "name"]).unwrap_err().kind(),
            crate::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn frame_columns_and_cells_are_refused_as_the_json_form_refuses_them() {
        let good = || {
            vec![
                ("code", texts(&[Some("512021"), Some("512021100")])),
                ("name", texts(&[Some("安岳县"), Some("岳阳镇")])),
                ("level", texts(&[Some("county"), Some("township")])),
            ]
        };
        let with = |name: &'static str, column: ArrayRef| {
            let mut columns = good();
            columns.retain(|(n, _)| *n != name);
            columns.push((name, column));
            batch(columns)
        };
        let (field, reason) = refusal(&[with("population", texts(&[None, None]))]);
        assert_eq!(field, "units");
        assert!(reason.starts_with("unknown column"), "{reason}");
        let mut columns = good();
        columns.pop();
        let (field, reason) = refusal(&[batch(columns)]);
        assert_eq!(
            (field, reason.as_str()),
            ("units", "missing columns: level")
        );
        let (field, _) = refusal(&[with("code", Arc::new(Int64Array::from(vec![1, 2])))]);
        assert_eq!(field, "code");
        let numbers: arrow_array::DictionaryArray<arrow_array::types::Int32Type> =
            arrow_array::DictionaryArray::new(
                arrow_array::Int32Array::from(vec![0, 0]),
                Arc::new(Int64Array::from(vec![7])),
            );
        assert_eq!(refusal(&[with("level", Arc::new(numbers))]).0, "level");
        let zoned = TimestampNanosecondArray::from(vec![0, 0]).with_timezone("+08:00");
        let (field, _) = refusal(&[with("start", Arc::new(zoned))]);
        assert_eq!(field, "start");
        let (field, reason) = refusal(&[with("name", texts(&[Some("安岳县"), None]))]);
        assert_eq!(
            (field, reason.as_str()),
            ("name", "required (unit 1 of the batch)")
        );
        let far = Date32Array::from(vec![Some(0), Some(3_000_000)]);
        let (field, reason) = refusal(&[with("start", Arc::new(far))]);
        assert_eq!(field, "start");
        assert!(reason.ends_with("(unit 1 of the batch)"), "{reason}");
        let (field, _) = refusal(&[with("start", texts(&[Some("2024-02-30"), None]))]);
        assert_eq!(field, "start");
        // The row is counted over the batches.
        let first = with("name", texts(&[Some("安岳县"), Some("岳阳镇")]));
        let second = with("name", texts(&[Some("安岳县"), None]));
        let (_, reason) = refusal(&[first.clone(), second]);
        assert!(reason.ends_with("(unit 3 of the batch)"), "{reason}");
        // Batches of two schemas are not one table.
        let other = with("name", Arc::new(LargeStringArray::from(vec!["甲", "乙"])));
        assert_eq!(refusal(&[first, other]).0, "units");
        // A column named twice.
        let mut columns = good();
        columns.push(("code", texts(&[Some("1"), Some("2")])));
        let twice = RecordBatch::try_new(
            Arc::new(arrow_schema::Schema::new(
                columns
                    .iter()
                    .map(|(n, c)| arrow_schema::Field::new(*n, c.data_type().clone(), true))
                    .collect::<Vec<_>>(),
            )),
            columns.into_iter().map(|(_, c)| c).collect(),
        )
        .unwrap();
        assert_eq!(refusal(&[twice]).0, "units");
    }
}
