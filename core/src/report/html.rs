//! Reports and circulars as pictures: one self-contained HTML page each, for officials to
//! open in a browser or paste into a notebook.
//!
//! A page is UTF-8 with Chinese title and headers, an inline SVG bar chart of the ranked
//! units (the left-out ones drawn grey with the reason: 未参评, 不参与排名), then the
//! table. Styles are inline, scoped under `.wangge`, with a font stack that names CJK
//! fonts; there is no script, no image and no link to anything outside the page. Rates are
//! shown as percentages with their fraction, counts as integers, and every text from the
//! store is escaped.

use std::fmt::Write as _;

use super::circular::rank;
use super::export::{INDICATOR_NAMES, LEDGER_INDICATORS, is_rate, json_of};
use super::{Breakdown, Circular, DEFAULT_MIN_SAMPLE, Indicators, Report};
use crate::levels::level_label;

/// The indicator a report's chart ranks the children on (办结率).
const REPORT_CHART: &str = "closure_rate";

/// The page's styles: CJK fonts first, everything under `.wangge` so that a notebook page
/// showing it keeps its own look.
const STYLE: &str = r#".wangge{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;color:#222;font-size:14px;margin:16px}
.wangge h1{font-size:20px;margin:0 0 4px}
.wangge h2{font-size:16px;margin:18px 0 6px}
.wangge p.note{color:#555;margin:0 0 8px}
.wangge .scroll{overflow-x:auto}
.wangge table{border-collapse:collapse}
.wangge th,.wangge td{border:1px solid #c8c8c8;padding:3px 8px;white-space:nowrap}
.wangge th{background:#eef2f8;font-weight:bold}
.wangge td.n{text-align:right}
.wangge tr.out td{color:#888;background:#f5f5f5}
.wangge tr.total td{font-weight:bold;background:#fbf8e6}
.wangge svg{display:block;margin:4px 0 8px}
.wangge svg text{font-family:inherit;font-size:13px}"#;

/// Chart geometry, in pixels: the name column, the longest bar, one row's height.
const LABEL_WIDTH: usize = 240;
const BAR_WIDTH: usize = 560;
const ROW_HEIGHT: usize = 28;
const CHART_WIDTH: usize = LABEL_WIDTH + BAR_WIDTH + 200;

impl Report {
    /// The report as one self-contained HTML page (UTF-8): its title, a bar chart of the
    /// direct children ranked on 办结率 as [`Store::circular`](crate::Store::circular)
    /// ranks them by default (those with too small a sample drawn grey with the reason),
    /// the main table as the CSV has it (rates as percentages with their fraction) and the
    /// ledger's indicators per category and per book. No script, no external resource.
    pub fn to_html(&self) -> String {
        let name = INDICATOR_NAMES
            .iter()
            .find(|(k, _)| *k == REPORT_CHART)
            .map_or(REPORT_CHART, |(_, n)| *n);
        let ranking = rank(self, REPORT_CHART, name, DEFAULT_MIN_SAMPLE);
        let title = format!("{} {} 报告", self.name, self.period);
        let mut body = String::new();
        let _ = write!(
            body,
            "<h1>{}</h1>\n<p class=\"note\">单位代码 {}，层级 {}；统计期 {} 至 {}。</p>\n",
            escape(&title),
            escape(&self.unit),
            escape(level_label(&self.level)),
            self.period.first(),
            self.period.last(),
        );
        let _ = write!(
            body,
            "<h2>下级单位{name}排名</h2>\n<p class=\"note\">{}</p>\n{}",
            escape(&ranking_note(&ranking)),
            chart(&ranking, &format!("{title} 下级单位{name}排名")),
        );
        body.push_str("<h2>指标汇总</h2>\n");
        body.push_str(&self.main_table());
        for (heading, key, items) in [
            ("按类别", "类别", &self.by_category),
            ("按台账", "台账", &self.by_book),
        ] {
            if !items.is_empty() {
                let _ = write!(body, "<h2>{heading}</h2>\n{}", breakdown_table(key, items));
            }
        }
        page(&title, &body)
    }

    /// The main table: one line per row (下级, then 本级), then the totals (合计).
    fn main_table(&self) -> String {
        let mut head = vec!["单位代码", "单位名称", "层级", "行"];
        head.extend(INDICATOR_NAMES.iter().map(|(_, n)| *n));
        let mut rows = String::new();
        let mut line =
            |class: &str, code: &str, name: &str, level: &str, kind: &str, i: &Indicators| {
                let _ = writeln!(
                    rows,
                    "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{kind}</td>{}</tr>",
                    escape(code),
                    escape(name),
                    escape(level_label(level)),
                    indicator_cells(&json_of(i), &INDICATOR_NAMES),
                );
            };
        for r in &self.rows {
            let kind = if r.own { "本级" } else { "下级" };
            line("", &r.unit, &r.name, &r.level, kind, &r.indicators);
        }
        let (unit, name, level) = (&self.unit, &self.name, &self.level);
        line(" class=\"total\"", unit, name, level, "合计", &self.totals);
        table(&head, &rows)
    }
}

impl Circular {
    /// The circular as one self-contained HTML page (UTF-8): its title, a bar chart of the
    /// ranked units best first with their rank and value, the left-out ones drawn grey
    /// with the reason (未参评, 不参与排名), then the table. No script, no external
    /// resource.
    pub fn to_html(&self) -> String {
        let title = format!("{} {} {}通报", self.name, self.period, self.indicator_name);
        let mut body = String::new();
        let _ = write!(
            body,
            "<h1>{}</h1>\n<p class=\"note\">{}</p>\n{}",
            escape(&title),
            escape(&ranking_note(self)),
            chart(self, &title),
        );
        let rate = is_rate(&self.indicator);
        let mut head = vec!["名次", "单位代码", "单位名称", self.indicator_name.as_str()];
        if rate {
            head.extend(["分子", "分母"]);
        }
        head.push("说明");
        let mut rows = String::new();
        for r in &self.ranked {
            let _ = write!(
                rows,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>",
                r.rank,
                escape(&r.unit),
                escape(&r.name),
                if rate {
                    percent(r.value)
                } else {
                    r.num.to_string()
                },
            );
            if rate {
                let _ = write!(
                    rows,
                    "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    r.num, r.den
                );
            }
            rows.push_str("<td></td></tr>\n");
        }
        for l in &self.left_out {
            let _ = write!(
                rows,
                "<tr class=\"out\"><td class=\"n\">—</td><td>{}</td><td>{}</td><td class=\"n\">—</td>",
                escape(&l.unit),
                escape(&l.name),
            );
            if rate {
                let _ = write!(rows, "<td class=\"n\">—</td><td class=\"n\">{}</td>", l.den);
            }
            let _ = writeln!(
                rows,
                "<td>未参评（不参与排名）：{}</td></tr>",
                escape(&l.reason)
            );
        }
        body.push_str(&table(&head, &rows));
        page(&title, &body)
    }
}

/// What a ranking ranks and leaves out, in a sentence.
fn ranking_note(c: &Circular) -> String {
    let order = if c.lower_is_better {
        "越低越好"
    } else {
        "越高越好"
    };
    let mut note = format!(
        "按{}排名（{order}），参与排名 {} 个",
        c.indicator_name,
        c.ranked.len()
    );
    if is_rate(&c.indicator) {
        let _ = write!(
            note,
            "；样本（分母）不足 {} 的不参与排名，灰色标出：{} 个",
            c.min_sample,
            c.left_out.len()
        );
    }
    note.push('。');
    note
}

/// The horizontal bar chart of a ranking as inline SVG: one bar per ranked unit, best
/// first, over a pale track of the full scale (100% for a rate, the largest count
/// otherwise), with its rank, name and value; then one grey dashed row per left-out unit.
fn chart(c: &Circular, label: &str) -> String {
    let rate = is_rate(&c.indicator);
    let lines = c.ranked.len() + c.left_out.len();
    let height = ROW_HEIGHT * lines.max(1) + 8;
    let mut svg = format!(
        "<svg width=\"{CHART_WIDTH}\" height=\"{height}\" viewBox=\"0 0 {CHART_WIDTH} {height}\" \
         role=\"img\" aria-label=\"{}\">\n",
        escape(label)
    );
    let max = if rate {
        1.0
    } else {
        c.ranked.iter().map(|r| r.value).fold(1.0, f64::max)
    };
    let bar_x = LABEL_WIDTH;
    for (i, r) in c.ranked.iter().enumerate() {
        let y = ROW_HEIGHT * i + 4;
        let width = ((r.value / max).clamp(0.0, 1.0) * BAR_WIDTH as f64).round() as usize;
        let value = if rate {
            format!("{}（{}/{}）", percent(r.value), r.num, r.den)
        } else {
            r.num.to_string()
        };
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}. {}</text>\
             <rect x=\"{bar_x}\" y=\"{y}\" width=\"{BAR_WIDTH}\" height=\"20\" fill=\"#f4f6fa\"/>\
             <rect x=\"{bar_x}\" y=\"{y}\" width=\"{width}\" height=\"20\" fill=\"#3f72af\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            bar_x - 8,
            y + 15,
            r.rank,
            escape(&r.name),
            bar_x + width + 6,
            y + 15,
            value,
        );
    }
    for (i, l) in c.left_out.iter().enumerate() {
        let y = ROW_HEIGHT * (c.ranked.len() + i) + 4;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#888\">{}</text>\
             <rect x=\"{bar_x}\" y=\"{y}\" width=\"{BAR_WIDTH}\" height=\"20\" fill=\"#f0f0f0\" \
             stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#777\">未参评（不参与排名）：{}</text>",
            bar_x - 8,
            y + 15,
            escape(&l.name),
            bar_x + 8,
            y + 15,
            escape(&l.reason),
        );
    }
    if lines == 0 {
        let _ = writeln!(
            svg,
            "<text x=\"{bar_x}\" y=\"19\" fill=\"#777\">无下级单位</text>"
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A breakdown table: one line per category or book, the ledger's indicators.
fn breakdown_table(key: &str, items: &[Breakdown]) -> String {
    let names = &INDICATOR_NAMES[..LEDGER_INDICATORS];
    let mut head = vec![key];
    head.extend(names.iter().map(|(_, n)| *n));
    let mut rows = String::new();
    for b in items {
        let _ = writeln!(
            rows,
            "<tr><td>{}</td>{}</tr>",
            escape(&b.key),
            indicator_cells(&json_of(&b.indicators), names)
        );
    }
    table(&head, &rows)
}

/// The cells of the indicators `names` from their JSON: a count as an integer, a rate as
/// a percentage with its fraction, `—` when its denominator is 0.
fn indicator_cells(values: &serde_json::Value, names: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (key, _) in names {
        let v = &values[*key];
        let text = if v.is_object() {
            let (num, den) = (
                v["num"].as_u64().unwrap_or(0),
                v["den"].as_u64().unwrap_or(0),
            );
            v["value"].as_f64().map_or_else(
                || "—".to_owned(),
                |x| format!("{}（{num}/{den}）", percent(x)),
            )
        } else {
            v.as_u64().unwrap_or(0).to_string()
        };
        let _ = write!(out, "<td class=\"n\">{text}</td>");
    }
    out
}

/// A table with a header row; `rows` is already HTML.
fn table(head: &[&str], rows: &str) -> String {
    let mut out = String::from("<div class=\"scroll\"><table>\n<thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    let _ = write!(
        out,
        "</tr></thead>\n<tbody>\n{rows}</tbody></table></div>\n"
    );
    out
}

/// The whole page around `body`.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n\
         <div class=\"wangge\">\n{body}</div>\n</body>\n</html>\n",
        escape(title)
    )
}

/// A rate's value as a percentage with one decimal (`87.5%`).
fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// Text made safe for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_leaves_no_markup_characters() {
        assert_eq!(escape(r#"<b>&"x'"#), "&lt;b&gt;&amp;&quot;x&#39;");
        assert_eq!(escape("北坝社区"), "北坝社区");
    }
}
