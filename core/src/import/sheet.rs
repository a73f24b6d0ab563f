//! Reading an XLSX workbook's first sheet as rows of text, with `calamine`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::{Error, Result};

/// The first sheet's rows, each with its row number in the sheet (from 1) and its cells
/// as text (see [`cell_text`]). Bytes that are no workbook, or a workbook without a
/// sheet, are `InvalidInput` naming `xlsx`.
pub(super) fn first_sheet(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>> {
    let unreadable =
        |reason: String| Error::invalid("xlsx", format!("{} bytes", bytes.len()), reason);
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not an XLSX workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("the workbook has no sheet".into()))?
        .map_err(|e| unreadable(format!("cannot read its first sheet: {e}")))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Cells left of the range are empty, so columns keep their sheet positions.
            let cells = std::iter::repeat_n(String::new(), first_column as usize)
                .chain(cells.iter().map(cell_text))
                .collect();
            (first_row as usize + i + 1, cells)
        })
        .collect())
}

/// A cell as the text a CSV export holds: whole numbers without `.0` (an ID number or
/// phone typed as a number), other numbers in their shortest form, dates as `YYYY-MM-DD`
/// (with `THH:MM:SS` when there is a time), errors as their code (`#N/A`).
pub(super) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => {
            text.trim().to_owned()
        }
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e17 => {
            format!("{f:.0}")
        }
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(moment) if moment.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = moment.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::DateTime(duration) => duration.as_f64().to_string(),
        Data::Error(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlsx::{Cell, Sheet, workbook};

    #[test]
    fn the_first_sheet_is_read_as_text() {
        let bytes = workbook(&[Sheet {
            name: "花名册".into(),
            header: vec!["户编号".into(), "联系电话".into(), "比例".into()],
            rows: vec![
                vec![
                    Cell::Text("H1".into()),
                    Cell::Int(13_800_000_001),
                    Cell::Percent(0.5),
                ],
                vec![
                    Cell::Text(" H2 ".into()),
                    Cell::Int(13_800_000_002),
                    Cell::Empty,
                ],
            ],
            totals_last: false,
        }]);
        let rows = first_sheet(&bytes).unwrap();
        assert_eq!(
            rows[0],
            (1, vec!["户编号".into(), "联系电话".into(), "比例".into()])
        );
        assert_eq!(rows[1].1, ["H1", "13800000001", "0.5"]);
        assert_eq!(
            (rows[2].0, rows[2].1[..2].to_vec()),
            (3, vec!["H2".to_owned(), "13800000002".to_owned()])
        );
        let err = first_sheet(b"household_id,unit\n").unwrap_err();
        assert!(err.to_string().starts_with("invalid xlsx "), "{err}");
        let err = first_sheet(b"").unwrap_err();
        assert!(err.to_string().starts_with("invalid xlsx "), "{err}");
    }

    #[test]
    fn dates_are_iso_and_whole_numbers_lose_their_point() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let day = |serial: f64| {
            Data::DateTime(ExcelDateTime::new(
                serial,
                ExcelDateTimeType::DateTime,
                false,
            ))
        };
        assert_eq!(cell_text(&day(45658.0)), "2025-01-01");
        assert_eq!(cell_text(&day(45658.5)), "2025-01-01T12:00:00");
        assert_eq!(cell_text(&Data::Float(110_105_194_912.0)), "110105194912");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::String(" 张三 ".into())), "张三");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
