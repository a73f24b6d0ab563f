//! A report as tables: CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese) and
//! XLSX, both with Chinese column headers. A rate takes three columns: its value, its
//! numerator and its denominator; a null rate is an empty cell. Levels are named in Chinese
//! (县, 乡镇, 社区, 网格, 楼栋).

use serde_json::Value;

use super::{Indicators, LedgerIndicators, Report};
use crate::levels::level_label;
use crate::xlsx::{self, Cell, Sheet};

/// Every indicator's key and Chinese name, in column order; the ledger's come first.
pub const INDICATOR_NAMES: [(&str, &str); 21] = [
    ("received", "受理数"),
    ("resolved", "办结数"),
    ("closed", "注销数"),
    ("closure_rate", "办结率"),
    ("due_closure_rate", "按期结案率"),
    ("timely_rate", "按期办结率"),
    ("sign_for_rate", "签收率"),
    ("timely_sign_for_rate", "按时签收率"),
    ("pending", "待解决"),
    ("hard", "难解决"),
    ("overdue", "超期"),
    ("visits_home", "入户走访人次"),
    ("visits_phone", "电话随访人次"),
    ("home_coverage", "入户率"),
    ("rule_compliance", "走访制度落实率"),
    ("households", "户数"),
    ("special_households", "特殊户数"),
    ("residents", "人数"),
    ("floating", "流动户数"),
    ("report_completeness", "报告完整率"),
    ("report_timeliness", "报告及时率"),
];

/// Whether indicator `key` is a rate (a numerator over a denominator) rather than a count.
pub(crate) fn is_rate(key: &str) -> bool {
    key.ends_with("_rate")
        || matches!(
            key,
            "home_coverage" | "rule_compliance" | "report_completeness" | "report_timeliness"
        )
}

/// How many of [`INDICATOR_NAMES`] are the ledger's.
pub(super) const LEDGER_INDICATORS: usize = 11;

/// The headers of the indicator columns: a rate's three columns after one count's one.
fn indicator_headers(names: &[(&str, &str)], sample: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (key, name) in names {
        if sample[*key].is_object() {
            out.push((*name).to_owned());
            out.push(format!("{name}分子"));
            out.push(format!("{name}分母"));
        } else {
            out.push((*name).to_owned());
        }
    }
    out
}

/// The indicator cells of one row, as [`indicator_headers`] names them.
fn indicator_cells(names: &[(&str, &str)], values: &Value) -> Vec<Cell> {
    let mut out = Vec::new();
    for (key, _) in names {
        let v = &values[*key];
        if v.is_object() {
            out.push(v["value"].as_f64().map_or(Cell::Empty, Cell::Percent));
            out.push(Cell::Int(v["num"].as_i64().unwrap_or(0)));
            out.push(Cell::Int(v["den"].as_i64().unwrap_or(0)));
        } else {
            out.push(Cell::Int(v.as_i64().unwrap_or(0)));
        }
    }
    out
}

pub(super) fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Report {
    /// The main table: one line per row (the own row named 本级), then the totals (合计).
    fn main_sheet(&self) -> Sheet {
        let sample = json_of(&self.totals);
        let mut header: Vec<String> = ["单位代码", "单位名称", "层级", "行"]
            .map(str::to_owned)
            .into();
        header.extend(indicator_headers(&INDICATOR_NAMES, &sample));
        let line = |code: &str, name: &str, level: &str, kind: &str, i: &Indicators| {
            let mut cells = vec![
                Cell::Text(code.to_owned()),
                Cell::Text(name.to_owned()),
                Cell::Text(level_label(level).to_owned()),
                Cell::Text(kind.to_owned()),
            ];
            cells.extend(indicator_cells(&INDICATOR_NAMES, &json_of(i)));
            cells
        };
        let mut rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|r| {
                let kind = if r.own { "本级" } else { "下级" };
                line(&r.unit, &r.name, &r.level, kind, &r.indicators)
            })
            .collect();
        rows.push(line(
            &self.unit,
            &self.name,
            &self.level,
            "合计",
            &self.totals,
        ));
        Sheet {
            name: format!("{} {}", self.name, self.period),
            header,
            rows,
            totals_last: true,
        }
    }

    /// A breakdown table: one line per category or book, then, when `totals` is given, the
    /// report's own ledger totals (合计). Every entry has one category, so the categories
    /// add up to them; an entry kept in two books counts in both, so the books do not.
    fn breakdown_sheet(
        &self,
        title: &str,
        key: &str,
        items: &[super::Breakdown],
        totals: bool,
    ) -> Sheet {
        let names = &INDICATOR_NAMES[..LEDGER_INDICATORS];
        let sample = json_of(&self.totals.ledger);
        let mut header = vec![key.to_owned()];
        header.extend(indicator_headers(names, &sample));
        let line = |label: &str, indicators: &LedgerIndicators| {
            let mut cells = vec![Cell::Text(label.to_owned())];
            cells.extend(indicator_cells(names, &json_of(indicators)));
            cells
        };
        let mut rows: Vec<Vec<Cell>> = items.iter().map(|b| line(&b.key, &b.indicators)).collect();
        if totals {
            rows.push(line("合计", &self.totals.ledger));
        }
        Sheet {
            name: title.to_owned(),
            header,
            rows,
            totals_last: totals,
        }
    }

    /// The report's main table as CSV: UTF-8 with a byte-order mark, Chinese headers, one
    /// line per row and a last line of totals (合计).
    pub fn to_csv(&self) -> String {
        let sheet = self.main_sheet();
        let mut out = String::from("\u{feff}");
        let mut line = |fields: &mut dyn Iterator<Item = String>| {
            let fields: Vec<String> = fields.map(|f| csv_field(&f)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        };
        line(&mut sheet.header.iter().cloned());
        for row in &sheet.rows {
            line(&mut row.iter().map(cell_text));
        }
        out
    }

    /// The report as an XLSX workbook: the main table with its totals (合计), then the
    /// breakdowns per category (按类别, with the totals again: every entry has one
    /// category) and per ledger book (按台账, without: an entry kept in two books counts
    /// in both). Chinese headers, bold and frozen; rates as percentages (`0.0%`) followed
    /// by their numerator and denominator; columns as wide as their text.
    pub fn to_xlsx(&self) -> Vec<u8> {
        xlsx::workbook(&[
            self.main_sheet(),
            self.breakdown_sheet("按类别", "类别", &self.by_category, true),
            self.breakdown_sheet("按台账", "台账", &self.by_book, false),
        ])
    }
}

/// A cell as CSV text: numbers in full, a rate to six decimals, text as
/// [`inert_text`] leaves it.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => inert_text(t),
        Cell::Int(n) => n.to_string(),
        Cell::Percent(x) => format!("{x:.6}"),
        Cell::Empty => String::new(),
    }
}

/// Text a spreadsheet opening the CSV shows rather than runs: text starting as a formula
/// does (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP's
/// advice on CSV injection has it, so that a unit named `=HYPERLINK(...)` by a careless
/// or hostile hand reaches the official reading the report in Excel or WPS as its name.
fn inert_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Quotes a CSV field when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
