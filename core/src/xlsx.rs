//! XLSX (Office Open XML spreadsheet) workbooks for report exports, written with
//! `rust_xlsxwriter`.
//!
//! Each sheet has its header row bold, shaded and frozen, its columns as wide as their
//! widest text (a Chinese character counts twice), rates in a percentage number format
//! (`0.0%`) and integers with thousands separators; a sheet's totals row (合计) is bold.
//! The document's creation time is fixed, so equal input gives equal bytes. Sheet names
//! are made acceptable to Excel (at most 31 characters, no `[]:*?/\`, unique) and text
//! longer than a cell holds (32,767 characters) is cut there.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text.
    Text(String),
    /// A fraction shown as a percentage with one decimal (0.875 shows as 87.5%); NaN and
    /// infinities are written as empty cells.
    Percent(f64),
    /// An integer; spreadsheets hold numbers as `f64`, so beyond 2^53 it loses precision.
    Int(i64),
    /// No value.
    Empty,
}

/// One worksheet: a name (sanitized when written), a header row of text, then rows. An
/// empty header means no header row.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sheet {
    /// The tab's name.
    pub(crate) name: String,
    /// The column headers, written bold in the first row, which stays in view.
    pub(crate) header: Vec<String>,
    /// The data rows, below the header.
    pub(crate) rows: Vec<Vec<Cell>>,
    /// Whether the last row holds the totals (合计), written bold.
    pub(crate) totals_last: bool,
}

/// The most characters (UTF-16 units) a cell holds.
const CELL_TEXT_MAX: usize = 32_767;
/// The narrowest and widest column, in characters.
const WIDTH_MIN: usize = 6;
const WIDTH_MAX: usize = 60;

/// The bytes of an .xlsx workbook holding `sheets` in order (one empty sheet if none).
pub(crate) fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    // Only a sheet past Excel's row or column limits could fail here, and no report is
    // that large (a row per child unit, a column per indicator).
    build(sheets).expect("a report workbook stays within Excel's limits")
}

fn build(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let fallback = [Sheet::default()];
    let sheets = Some(sheets).filter(|s| !s.is_empty()).unwrap_or(&fallback);
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let formats = Formats::new();
    let mut names: Vec<String> = Vec::with_capacity(sheets.len());
    for (index, sheet) in sheets.iter().enumerate() {
        let name = sheet_name(&sheet.name, index, &names);
        let worksheet = book.add_worksheet();
        worksheet.set_name(&name)?;
        write_sheet(worksheet, sheet, &formats)?;
        names.push(name);
    }
    book.save_to_buffer()
}

/// The cell formats: plain and bold (the totals row) of each kind, and the header's.
struct Formats {
    header: Format,
    text: [Format; 2],
    int: [Format; 2],
    percent: [Format; 2],
}

impl Formats {
    fn new() -> Self {
        let both = |f: Format| [f.clone(), f.set_bold().set_background_color(0x00FB_F8E6)];
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00EE_F2F8))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center),
            text: both(Format::new()),
            int: both(Format::new().set_num_format("#,##0")),
            percent: both(Format::new().set_num_format("0.0%")),
        }
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, formats: &Formats) -> Result<(), XlsxError> {
    let has_header = !sheet.header.is_empty();
    let mut widths: Vec<usize> = Vec::new();
    let mut widen = |column: usize, width: usize| {
        if widths.len() <= column {
            widths.resize(column + 1, 0);
        }
        widths[column] = widths[column].max(width);
    };
    if has_header {
        for (column, text) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, col(column), cell_text(text), &formats.header)?;
            widen(column, display_width(text) + 2);
        }
        ws.set_freeze_panes(1, 0)?;
    }
    let first = u32::from(has_header);
    for (i, row) in sheet.rows.iter().enumerate() {
        let r = first + u32::try_from(i).unwrap_or(u32::MAX);
        let bold = usize::from(sheet.totals_last && i + 1 == sheet.rows.len());
        for (column, cell) in row.iter().enumerate() {
            let c = col(column);
            match cell {
                Cell::Text(text) => {
                    ws.write_string_with_format(r, c, cell_text(text), &formats.text[bold])?;
                    widen(column, display_width(text));
                }
                Cell::Int(n) => {
                    #[allow(clippy::cast_precision_loss)]
                    ws.write_number_with_format(r, c, *n as f64, &formats.int[bold])?;
                    widen(column, n.to_string().len() + n.to_string().len() / 3);
                }
                Cell::Percent(x) if x.is_finite() => {
                    ws.write_number_with_format(r, c, *x, &formats.percent[bold])?;
                    widen(column, 7);
                }
                Cell::Percent(_) | Cell::Empty => {
                    if bold == 1 {
                        ws.write_blank(r, c, &formats.text[bold])?;
                    }
                }
            }
        }
    }
    for (column, width) in widths.into_iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let width = (width + 1).clamp(WIDTH_MIN, WIDTH_MAX) as f64;
        ws.set_column_width(col(column), width)?;
    }
    Ok(())
}

/// A column index as the writer takes it; a sheet has at most 16,384 columns, which the
/// writer checks.
fn col(column: usize) -> u16 {
    u16::try_from(column).unwrap_or(u16::MAX)
}

/// `text` as a cell holds it: without the characters XML 1.0 forbids, at most 32,767
/// UTF-16 units.
fn cell_text(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| xml_allowed(c)).collect();
    truncate_utf16(&kept, CELL_TEXT_MAX).to_owned()
}

/// How many character widths `text` takes in a spreadsheet column: two for a CJK or
/// full-width character, one for others.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum()
}

/// Whether XML 1.0 allows `c` in a document.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A sheet name Excel accepts and no earlier sheet has (Excel ignores case).
fn sheet_name(raw: &str, index: usize, taken: &[String]) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|&c| xml_allowed(c) && !c.is_control())
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_matches('\'');
    let base = if cleaned.is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        cleaned.to_owned()
    };
    let key = |name: &str| name.to_lowercase();
    let is_taken = |name: &str| taken.iter().any(|t| key(t) == key(name));
    let mut name = truncate_utf16(&base, 31).to_owned();
    let mut copy = 1;
    while is_taken(&name) {
        copy += 1;
        let suffix = format!(" ({copy})");
        name = format!("{}{suffix}", truncate_utf16(&base, 31 - suffix.len()));
    }
    name
}

/// The longest prefix of `text` within `max` UTF-16 units, as Excel counts a name.
fn truncate_utf16(text: &str, max: usize) -> &str {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &text[..at];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read as _;

    use super::*;

    /// Every part of the workbook by name, as text.
    fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut parts = BTreeMap::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            parts.insert(file.name().unwrap().into_owned(), text);
        }
        parts
    }

    /// The shared strings, in order.
    fn shared(parts: &BTreeMap<String, String>) -> Vec<String> {
        let sst = &parts["xl/sharedStrings.xml"];
        sst.split("<si>")
            .skip(1)
            .map(|si| {
                let t = &si[..si.find("</si>").unwrap()];
                let body = &t[t.find('>').unwrap() + 1..t.rfind("</t>").unwrap()];
                body.to_owned()
            })
            .collect()
    }

    /// The XML of cell `at` (`B2`) in `sheet`, if written.
    fn cell_xml<'a>(sheet: &'a str, at: &str) -> Option<&'a str> {
        let start = sheet.find(&format!("<c r=\"{at}\""))?;
        let rest = &sheet[start..];
        let open = rest.find('>')?;
        let end = if rest[..open].ends_with('/') {
            open + 1
        } else {
            rest.find("</c>")? + 4
        };
        Some(&rest[..end])
    }

    /// The value of cell `at`: its text (escaped as XML), or its number as written.
    fn value(parts: &BTreeMap<String, String>, sheet: &str, at: &str) -> Option<String> {
        let xml = cell_xml(&parts[sheet], at)?;
        let v = &xml[xml.find("<v>")? + 3..xml.find("</v>")?];
        if xml.contains("t=\"s\"") {
            Some(shared(parts)[v.parse::<usize>().unwrap()].clone())
        } else {
            Some(v.to_owned())
        }
    }

    /// The cell format (`<xf .../>` of styles.xml) of cell `at`.
    fn format_of(parts: &BTreeMap<String, String>, sheet: &str, at: &str) -> String {
        let xml = cell_xml(&parts[sheet], at).unwrap();
        let index = xml
            .split(" s=\"")
            .nth(1)
            .map_or(0, |s| s[..s.find('"').unwrap()].parse::<usize>().unwrap());
        let styles = &parts["xl/styles.xml"];
        let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let xf = xfs.split("<xf ").nth(index + 1).unwrap();
        xf.to_owned()
    }

    /// The number format id whose code is `code`.
    fn format_id(parts: &BTreeMap<String, String>, code: &str) -> String {
        let styles = &parts["xl/styles.xml"];
        let at = styles.find(&format!("formatCode=\"{code}\"")).unwrap();
        let before = &styles[..at];
        let id = &before[before.rfind("numFmtId=\"").unwrap() + 10..];
        id[..id.find('"').unwrap()].to_owned()
    }

    fn sample() -> [Sheet; 2] {
        let text = |s: &str| Cell::Text(s.to_owned());
        let sheet = Sheet {
            name: "办结率/季度".to_owned(),
            header: ["单位代码", "受理", "办结率", "备注"]
                .map(str::to_owned)
                .into(),
            rows: vec![
                vec![
                    text("512021100"),
                    Cell::Int(42),
                    Cell::Percent(0.875),
                    text(" 岳阳镇 <A&B> _x0041_ \u{0}\u{1}\u{1F}\u{FFFE}和\tz"),
                ],
                vec![text("512021101"), Cell::Int(-7), Cell::Percent(f64::NAN)],
                vec![
                    text("合计"),
                    Cell::Percent(1e-7),
                    Cell::Percent(f64::INFINITY),
                ],
            ],
            totals_last: true,
        };
        let other = Sheet {
            name: "A&B".to_owned(),
            ..Sheet::default()
        };
        [sheet, other]
    }

    #[test]
    fn workbook_holds_every_part_with_chinese_text_and_numbers() {
        let bytes = workbook(&sample());
        // Set WANGGE_XLSX_OUT to a path to keep the workbook for checking in a real reader.
        if let Some(path) = std::env::var_os("WANGGE_XLSX_OUT") {
            std::fs::write(path, &bytes).unwrap();
        }
        assert_eq!(&bytes[..2], b"PK");
        let parts = unzip(&bytes);
        for name in [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        ] {
            assert!(parts.contains_key(name), "{name} in {:?}", parts.keys());
        }
        let book = &parts["xl/workbook.xml"];
        for snippet in [
            r#"<sheet name="办结率_季度" sheetId="1" r:id="rId1"/>"#,
            r#"<sheet name="A&amp;B" sheetId="2" r:id="rId2"/>"#,
        ] {
            assert!(book.contains(snippet), "{snippet} not in {book}");
        }
        let sheet1 = "xl/worksheets/sheet1.xml";
        assert!(parts[sheet1].contains(r#"<dimension ref="A1:D4"/>"#));
        assert!(parts[sheet1].contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ));
        let at = |cell: &str| value(&parts, sheet1, cell);
        assert_eq!(at("A1").as_deref(), Some("单位代码"));
        assert_eq!(at("C1").as_deref(), Some("办结率"));
        assert_eq!(at("B2").as_deref(), Some("42"));
        assert_eq!(at("C2").as_deref(), Some("0.875"));
        // Spaces kept, markup escaped, a literal _xHHHH_ escaped as readers decode it,
        // the characters XML forbids dropped.
        assert_eq!(
            at("D2").as_deref(),
            Some(" 岳阳镇 &lt;A&amp;B&gt; _x005F_x0041_ 和\tz")
        );
        assert!(shared(&parts).iter().any(|s| s.starts_with(" 岳阳镇")));
        assert!(parts["xl/sharedStrings.xml"].contains(r#"<t xml:space="preserve"> 岳阳镇"#));
        assert_eq!(at("A3").as_deref(), Some("512021101"));
        assert_eq!(at("B3").as_deref(), Some("-7"));
        assert_eq!(at("C3"), None, "NaN is an empty cell");
        let small: f64 = at("B4").unwrap().parse().unwrap();
        assert!((small - 1e-7).abs() < 1e-20, "{small}");
        assert_eq!(at("C4"), None, "infinity is an empty cell");
        let sheet2 = &parts["xl/worksheets/sheet2.xml"];
        assert!(!sheet2.contains("<pane") && !sheet2.contains("<row"));
        assert_eq!(
            workbook(&sample()),
            workbook(&sample()),
            "output is deterministic"
        );
        assert_eq!(
            unzip(&workbook(&[])).len(),
            unzip(&workbook(&[Sheet::default()])).len()
        );
    }

    #[test]
    fn rates_are_percentages_counts_integers_totals_bold_and_columns_fitted() {
        let parts = unzip(&workbook(&sample()));
        let sheet1 = "xl/worksheets/sheet1.xml";
        let percent = format_id(&parts, "0.0%");
        let integer = format_id(&parts, "#,##0");
        let has_format = |xf: &str, id: &str| xf.contains(&format!("numFmtId=\"{id}\""));
        assert!(has_format(&format_of(&parts, sheet1, "C2"), &percent));
        assert!(has_format(&format_of(&parts, sheet1, "B2"), &integer));
        assert!(!has_format(&format_of(&parts, sheet1, "A2"), &percent));
        let bold = |at: &str| format_of(&parts, sheet1, at).contains("fontId=\"1\"");
        assert!(
            parts["xl/styles.xml"].contains("<font><b/>"),
            "font 1 is bold"
        );
        assert!(bold("A1") && bold("D1"), "the header is bold");
        assert!(bold("A4") && bold("B4"), "the totals row is bold");
        assert!(!bold("A2") && !bold("B3"), "other rows are not");
        // Widths follow the text, a Chinese character counting twice.
        let sheet = &parts[sheet1];
        let cols = &sheet[sheet.find("<cols>").unwrap()..sheet.find("</cols>").unwrap()];
        let width_of = |column: usize| -> f64 {
            let col = cols
                .split("<col ")
                .skip(1)
                .find(|c| {
                    let num = |key: &str| -> usize {
                        let v = &c[c.find(key).unwrap() + key.len()..];
                        v[..v.find('"').unwrap()].parse().unwrap()
                    };
                    num("min=\"") <= column && column <= num("max=\"")
                })
                .unwrap();
            let v = &col[col.find("width=\"").unwrap() + 7..];
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        assert!(
            width_of(4) > 2.0 * width_of(3),
            "the long text's column is wide"
        );
        assert!(width_of(1) >= 10.0, "单位代码 takes eight widths");
    }

    #[test]
    fn sheet_names_are_sanitized_truncated_and_unique() {
        assert_eq!(sheet_name("a[b]:c*d?e/f\\g", 0, &[]), "a_b__c_d_e_f_g");
        assert_eq!(sheet_name("'受理'", 0, &[]), "受理");
        assert_eq!(sheet_name("", 2, &[]), "Sheet3");
        assert_eq!(sheet_name(&"办".repeat(40), 0, &[]), "办".repeat(31));
        let taken = ["Report".to_owned(), "report (2)".to_owned()];
        assert_eq!(sheet_name("REPORT", 2, &taken), "REPORT (3)");
        let long = "a".repeat(40);
        let renamed = format!("{} (2)", &long[..27]);
        assert_eq!(sheet_name(&long, 1, &[long[..31].to_owned()]), renamed);
    }

    #[test]
    fn cell_text_drops_what_xml_forbids_and_stops_at_the_cell_limit() {
        assert_eq!(cell_text("x\u{0}\u{1}\u{1F}\u{FFFE}y\tz\n"), "xy\tz\n");
        let long = "办".repeat(CELL_TEXT_MAX + 5);
        assert_eq!(cell_text(&long).chars().count(), CELL_TEXT_MAX);
        assert_eq!(display_width("岳阳镇 A1"), 9);
    }
}
