//! A small XLSX (Office Open XML spreadsheet) writer for report exports.
//!
//! Cells are written as inline strings and numbers, so the workbook needs no shared
//! strings part; the header row is bold and frozen. The zip container is written by hand
//! with stored (uncompressed) entries and a fixed timestamp, so equal input gives equal
//! bytes. There is no zip64: a workbook must stay under 4 GiB. Excel's own limits
//! (1,048,576 rows, 16,384 columns, 32,767 characters per cell) are the caller's to keep.

use std::fmt::Write as _;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text, written as an inline string.
    Text(String),
    /// A number, written in Rust's shortest round-trip form (`0.875`, `1e-7`); NaN and
    /// infinities are written as empty cells.
    Number(f64),
    /// An integer; spreadsheets hold numbers as `f64`, so beyond 2^53 it loses precision.
    Int(i64),
    /// No value.
    Empty,
}

/// One worksheet: a name (at most 31 characters, no `[]:*?/\`; sanitized when written), a
/// header row of text, then rows. An empty header means no header row.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sheet {
    /// The tab's name.
    pub(crate) name: String,
    /// The column headers, written bold in the first row.
    pub(crate) header: Vec<String>,
    /// The data rows, below the header.
    pub(crate) rows: Vec<Vec<Cell>>,
}

/// The bytes of an .xlsx workbook holding `sheets` in order (one empty sheet if none).
///
/// Panics if the workbook would reach 4 GiB, which the zip format without zip64 cannot hold.
pub(crate) fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    let fallback = [Sheet::default()];
    let sheets = Some(sheets).filter(|s| !s.is_empty()).unwrap_or(&fallback);
    let mut names: Vec<String> = Vec::with_capacity(sheets.len());
    for (index, sheet) in sheets.iter().enumerate() {
        names.push(sheet_name(&sheet.name, index, &names));
    }
    let mut parts: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), content_types(sheets.len())),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("xl/workbook.xml".into(), workbook_xml(&names)),
        (
            "xl/_rels/workbook.xml.rels".into(),
            workbook_rels(sheets.len()),
        ),
        ("xl/styles.xml".into(), STYLES.into()),
    ];
    for (n, sheet) in (1..).zip(sheets) {
        parts.push((format!("xl/worksheets/sheet{n}.xml"), sheet_xml(sheet)));
    }
    zip(&parts)
}

const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const SPREADSHEET_CT: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"#;

// Excel requires the two default fills and one border; style 1 is the bold header.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"#;

fn content_types(sheet_count: usize) -> String {
    let mut xml = format!(
        r#"{XML_DECL}
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET_CT}.sheet.main+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET_CT}.styles+xml"/>"#
    );
    for n in 1..=sheet_count {
        let part = format!("/xl/worksheets/sheet{n}.xml");
        let _ = write!(
            xml,
            r#"<Override PartName="{part}" ContentType="{SPREADSHEET_CT}.worksheet+xml"/>"#
        );
    }
    xml + "</Types>"
}

fn workbook_xml(names: &[String]) -> String {
    let mut xml = format!(
        r#"{XML_DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">
<bookViews><workbookView/></bookViews><sheets>"#
    );
    for (n, name) in (1..).zip(names) {
        xml.push_str(r#"<sheet name=""#);
        escape_into(&mut xml, name);
        let _ = write!(xml, r#"" sheetId="{n}" r:id="rId{n}"/>"#);
    }
    xml + "</sheets></workbook>"
}

fn workbook_rels(sheet_count: usize) -> String {
    let mut xml = format!(
        r#"{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    );
    for n in 1..=sheet_count {
        let target = format!("worksheets/sheet{n}.xml");
        let _ = write!(
            xml,
            r#"<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="{target}"/>"#
        );
    }
    let n = sheet_count + 1;
    let _ = write!(
        xml,
        r#"<Relationship Id="rId{n}" Type="{REL_NS}/styles" Target="styles.xml"/>"#
    );
    xml + "</Relationships>"
}

/// Style 1 in [`STYLES`], the bold header.
const BOLD: &str = r#" s="1""#;
/// Keeps leading and trailing whitespace, which XML readers may otherwise trim.
const PRESERVE: &str = r#" xml:space="preserve""#;

fn sheet_xml(sheet: &Sheet) -> String {
    let header: Vec<Cell> = sheet.header.iter().cloned().map(Cell::Text).collect();
    let has_header = !header.is_empty();
    let header = has_header.then_some(&header);
    let widest_row = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = widest_row.max(sheet.header.len());
    let height = sheet.rows.len() + usize::from(has_header);
    let mut xml = format!(r#"{XML_DECL}<worksheet xmlns="{MAIN_NS}">"#);
    if width > 0 && height > 0 {
        let _ = write!(xml, r#"<dimension ref="A1:{}"/>"#, cell_ref(width, height));
    }
    if has_header {
        xml.push_str(concat!(
            r#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" "#,
            r#"activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        ));
    }
    xml.push_str("<sheetData>");
    for (r, row) in (1..).zip(header.into_iter().chain(&sheet.rows)) {
        let style = if has_header && r == 1 { BOLD } else { "" };
        let _ = write!(xml, r#"<row r="{r}">"#);
        for (column, cell) in (1..).zip(row) {
            let at = format!(r#"r="{}"{style}"#, cell_ref(column, r));
            let _ = match cell {
                Cell::Text(text) => {
                    let space = if text.trim() == text { "" } else { PRESERVE };
                    let _ = write!(xml, r#"<c {at} t="inlineStr"><is><t{space}>"#);
                    escape_into(&mut xml, text);
                    write!(xml, "</t></is></c>")
                }
                Cell::Number(value) if value.is_finite() => {
                    write!(xml, "<c {at}><v>{value:?}</v></c>")
                }
                Cell::Int(value) => write!(xml, "<c {at}><v>{value}</v></c>"),
                Cell::Number(_) | Cell::Empty => Ok(()),
            };
        }
        xml.push_str("</row>");
    }
    xml + "</sheetData></worksheet>"
}

/// The letters of 1-based column `n`: 1 is `A`, 26 `Z`, 27 `AA`, 703 `AAA`.
fn column_name(mut n: usize) -> String {
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.iter().rev().map(|&b| char::from(b)).collect()
}

fn cell_ref(column: usize, row: usize) -> String {
    format!("{}{row}", column_name(column))
}

/// Whether XML 1.0 allows `c` in a document.
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `text` escaped for XML, dropping characters XML 1.0 forbids. A literal
/// `_xHHHH_` gets its underscore escaped, as spreadsheet readers decode that form.
fn escape_into(out: &mut String, text: &str) {
    for (at, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '_' if is_escape_form(&text.as_bytes()[at..]) => out.push_str("_x005F_"),
            c if xml_allowed(c) => out.push(c),
            _ => {}
        }
    }
}

fn is_escape_form(bytes: &[u8]) -> bool {
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
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

/// CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 * (crc & 1));
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &byte| {
        CRC_TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8)
    })
}

/// 1980-01-01 00:00 in MS-DOS form, so equal input gives equal bytes.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

/// A zip archive of `parts` (name, contents), every entry stored uncompressed.
fn zip(parts: &[(String, String)]) -> Vec<u8> {
    let fits = |n: usize| u32::try_from(n).expect("an xlsx workbook stays under 4 GiB");
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in parts {
        let (offset, size, crc) = (fits(out.len()), fits(data.len()), crc32(data.as_bytes()));
        let name_len = u16::try_from(name.len()).expect("part names are short");
        // Version needed 2.0, no flags, method 0 (stored), time, date.
        let head = [20, 0, 0, DOS_TIME, DOS_DATE];
        put32(&mut out, &[0x0403_4b50]);
        put16(&mut out, &head);
        put32(&mut out, &[crc, size, size]);
        put16(&mut out, &[name_len, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data.as_bytes());

        put32(&mut central, &[0x0201_4b50]);
        put16(&mut central, &[20]);
        put16(&mut central, &head);
        put32(&mut central, &[crc, size, size]);
        // Name, extra and comment lengths, disk, internal attributes; external, offset.
        put16(&mut central, &[name_len, 0, 0, 0, 0]);
        put32(&mut central, &[0, offset]);
        central.extend_from_slice(name.as_bytes());
    }
    let entries = u16::try_from(parts.len()).expect("under 65,536 parts");
    let (size, offset) = (fits(central.len()), fits(out.len()));
    out.append(&mut central);
    put32(&mut out, &[0x0605_4b50]);
    put16(&mut out, &[0, 0, entries, entries]);
    put32(&mut out, &[size, offset]);
    put16(&mut out, &[0]);
    out
}

fn put16(out: &mut Vec<u8>, fields: &[u16]) {
    out.extend(fields.iter().flat_map(|f| f.to_le_bytes()));
}

fn put32(out: &mut Vec<u8>, fields: &[u32]) {
    out.extend(fields.iter().flat_map(|f| f.to_le_bytes()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(bytes: &[u8], at: usize) -> usize {
        usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
    }

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    /// Reads a stored-only zip through its central directory, checking every CRC.
    fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
        let end = bytes.len() - 22;
        assert_eq!(u32_at(bytes, end), 0x0605_4b50, "end of central directory");
        let count = u16_at(bytes, end + 10);
        let mut at = u32_at(bytes, end + 16) as usize;
        let mut parts = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(bytes, at), 0x0201_4b50, "central directory header");
            let (crc, size) = (u32_at(bytes, at + 16), u32_at(bytes, at + 24) as usize);
            let name_len = u16_at(bytes, at + 28);
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            let local = u32_at(bytes, at + 42) as usize;
            assert_eq!(u32_at(bytes, local), 0x0403_4b50, "local header of {name}");
            assert_eq!(u16_at(bytes, local + 8), 0, "{name} is stored");
            assert_eq!(u32_at(bytes, local + 14), crc, "local CRC of {name}");
            let start = local + 30 + u16_at(bytes, local + 26) + u16_at(bytes, local + 28);
            let data = &bytes[start..start + size];
            assert_eq!(crc32(data), crc, "CRC of {name}");
            parts.push((name, String::from_utf8(data.to_vec()).unwrap()));
            at += 46 + name_len + u16_at(bytes, at + 30) + u16_at(bytes, at + 32);
        }
        parts
    }

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, text);
        out
    }

    #[test]
    fn crc32_matches_the_ieee_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn column_names_count_in_bijective_base_26() {
        let names = [1, 26, 27, 28, 702, 703, 16_384].map(column_name);
        assert_eq!(names, ["A", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]);
        assert_eq!(cell_ref(28, 12), "AB12");
    }

    #[test]
    fn escaping_covers_markup_and_drops_forbidden_controls() {
        assert_eq!(escaped(r#"<b & c>"d"'"#), "&lt;b &amp; c&gt;&quot;d&quot;'");
        assert_eq!(escaped("x\u{0}\u{1}\u{1F}\u{FFFE}y\tz\n"), "xy\tz\n");
        assert_eq!(escaped("_x0041_ 和 _x00_"), "_x005F_x0041_ 和 _x00_");
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
    fn workbook_holds_every_part_with_chinese_text_and_numbers() {
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
                    Cell::Number(0.875),
                    text(" 岳阳镇 <A&B> "),
                ],
                vec![text("512021101"), Cell::Int(-7), Cell::Number(f64::NAN)],
                vec![Cell::Empty, Cell::Number(1e-7), Cell::Number(f64::INFINITY)],
            ],
        };
        let other = Sheet {
            name: "A&B".to_owned(),
            ..Sheet::default()
        };
        let bytes = workbook(&[sheet, other]);
        // Set WANGGE_XLSX_OUT to a path to keep the workbook for checking in a real reader.
        if let Some(path) = std::env::var_os("WANGGE_XLSX_OUT") {
            std::fs::write(path, &bytes).unwrap();
        }
        let parts = unzip(&bytes);
        let names: Vec<&str> = parts.iter().map(|(name, _)| name.as_str()).collect();
        let expected = [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        ];
        assert_eq!(names, expected);
        let [book, sheet1, sheet2] = [2, 5, 6].map(|i| parts[i].1.as_str());
        for snippet in [
            r#"<sheet name="办结率_季度" sheetId="1" r:id="rId1"/>"#,
            r#"<sheet name="A&amp;B" sheetId="2" r:id="rId2"/>"#,
        ] {
            assert!(book.contains(snippet), "{snippet} not in {book}");
        }
        for snippet in [
            r#"<dimension ref="A1:D4"/>"#,
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#,
            r#"<c r="A1" s="1" t="inlineStr"><is><t>单位代码</t></is></c>"#,
            r#"<c r="C1" s="1" t="inlineStr"><is><t>办结率</t></is></c>"#,
            r#"<c r="B2"><v>42</v></c><c r="C2"><v>0.875</v></c>"#,
            r#"<t xml:space="preserve"> 岳阳镇 &lt;A&amp;B&gt; </t>"#,
            r#"<t>512021101</t></is></c><c r="B3"><v>-7</v></c></row>"#,
            r#"<row r="4"><c r="B4"><v>1e-7</v></c></row>"#,
        ] {
            assert!(sheet1.contains(snippet), "{snippet} not in {sheet1}");
        }
        assert!(!sheet2.contains("sheetView") && !sheet2.contains("<row"));
        assert_eq!(workbook(&[]), workbook(&[]), "output is deterministic");
    }
}
