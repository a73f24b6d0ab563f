//! A report's XLSX workbook as a reader finds it: Chinese headers and levels, rates in a
//! percentage format, a totals row (合计) on the main sheet and on the categories, whose
//! figures are the report's totals.

mod common;

use std::collections::BTreeMap;
use std::io::Read as _;

use common::county;
use wangge::{NewEntry, Period, Report};

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

/// The rows of sheet `n` as cell values (shared strings resolved), by cell reference.
fn rows(parts: &BTreeMap<String, String>, n: usize) -> Vec<BTreeMap<String, String>> {
    let shared: Vec<String> = parts["xl/sharedStrings.xml"]
        .split("<si>")
        .skip(1)
        .map(|si| {
            let t = &si[..si.find("</t>").unwrap()];
            t[t.find('>').unwrap() + 1..].to_owned()
        })
        .collect();
    let sheet = &parts[&format!("xl/worksheets/sheet{n}.xml")];
    let mut out = Vec::new();
    for row in sheet.split("<row ").skip(1) {
        let mut cells = BTreeMap::new();
        for c in row.split("<c ").skip(1) {
            let at = &c[3..c[3..].find('"').unwrap() + 3];
            let column: String = at.chars().take_while(char::is_ascii_uppercase).collect();
            if let (Some(a), Some(b)) = (c.find("<v>"), c.find("</v>")) {
                let v = &c[a + 3..b];
                let v = if c[..a].contains("t=\"s\"") {
                    shared[v.parse::<usize>().unwrap()].clone()
                } else {
                    v.to_owned()
                };
                cells.insert(column, v);
            }
        }
        out.push(cells);
    }
    out
}

fn report() -> Report {
    let store = county();
    let at = store.parse_moment("2025-03-03T09:00:00").unwrap();
    for (i, (unit, category)) in [
        ("512021100001001", "市政设施"),
        ("512021100001001", "矛盾纠纷"),
        ("512021101001001", "市政设施"),
    ]
    .into_iter()
    .enumerate()
    {
        let entry = NewEntry::new(unit, Some(category), &format!("诉求{i}"), at);
        store.register(&entry).unwrap();
    }
    store
        .report("512021", Period::parse("2025-03").unwrap())
        .unwrap()
}

/// The column whose header is `name`.
fn column<'a>(header: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    header.iter().find(|(_, v)| v.as_str() == name).map_or_else(
        || panic!("no column {name} in {header:?}"),
        |(k, _)| k.as_str(),
    )
}

#[test]
fn the_main_sheet_has_chinese_levels_percentages_and_its_totals() {
    let report = report();
    let parts = unzip(&report.to_xlsx());
    let main = rows(&parts, 1);
    let header = &main[0];
    let (level, kind, received, rate) = (
        column(header, "层级"),
        column(header, "行"),
        column(header, "受理数"),
        column(header, "办结率"),
    );
    assert_eq!(main[1][level], "乡镇");
    let totals = main.last().unwrap();
    assert_eq!(
        (totals[kind].as_str(), totals[level].as_str()),
        ("合计", "县")
    );
    assert_eq!(totals[received], "3");
    assert_eq!(totals[rate], "0", "nothing resolved: 0%");
    assert!(parts["xl/styles.xml"].contains("formatCode=\"0.0%\""));
    assert!(parts["xl/worksheets/sheet1.xml"].contains("state=\"frozen\""));
    assert!(parts["xl/worksheets/sheet1.xml"].contains("customWidth=\"1\""));
}

#[test]
fn the_categories_add_up_to_a_totals_row_and_the_books_have_none() {
    let report = report();
    let parts = unzip(&report.to_xlsx());
    let categories = rows(&parts, 2);
    let received = column(&categories[0], "受理数");
    let key = column(&categories[0], "类别");
    let names: Vec<&str> = categories[1..].iter().map(|r| r[key].as_str()).collect();
    assert_eq!(
        names,
        ["市政设施", "矛盾纠纷", "合计"],
        "by category, then the totals"
    );
    let sum: u64 = categories[1..categories.len() - 1]
        .iter()
        .map(|r| r[received].parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, report.totals.ledger.received);
    assert_eq!(
        categories.last().unwrap()[received],
        report.totals.ledger.received.to_string()
    );
    let books = rows(&parts, 3);
    let key = column(&books[0], "台账");
    assert!(books[1..].iter().all(|r| r[key] != "合计"), "{books:?}");
    assert_eq!(books.len(), 1 + report.by_book.len());
}
