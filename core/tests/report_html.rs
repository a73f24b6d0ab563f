//! Reports and circulars as HTML pages: self-contained (no script, no link outside),
//! Chinese, with the chart's ranked and left-out units, and text from the store escaped.

mod common;

use common::county;
use wangge::{NewEntry, Period, Store};

const COUNTY: &str = "512021";
/// A township whose name holds every character HTML gives a meaning to.
const ODD: &str = "512021102";
const ODD_NAME: &str = r#"<b>"桥&镇'</b>"#;
const ODD_ESCAPED: &str = "&lt;b&gt;&quot;桥&amp;镇&#39;&lt;/b&gt;";

/// The county with a third township oddly named; 岳阳镇 received six entries in 2025-03
/// (enough to be ranked on 办结率), 石桥铺镇 one (too few), the odd one none.
fn store() -> Store {
    let store = county();
    store
        .add_unit(ODD, ODD_NAME, "township", Some(COUNTY), None)
        .unwrap();
    let at = store.parse_moment("2025-03-03T09:00:00").unwrap();
    for (unit, n) in [("512021100001001", 6), ("512021101001001", 1)] {
        for i in 0..n {
            let entry = NewEntry::new(unit, Some("市政设施"), &format!("路灯不亮{i}"), at);
            store.register(&entry).unwrap();
        }
    }
    store
}

fn march() -> Period {
    Period::parse("2025-03").unwrap()
}

/// What every page must be: one UTF-8 document, nothing loaded from anywhere, balanced.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("lang=\"zh-CN\""));
    let lower = html.to_lowercase();
    for banned in [
        "http", "<script", "src=", "href=", "url(", "@import", "<link", "<img",
    ] {
        assert!(!lower.contains(banned), "the page holds {banned}");
    }
    assert!(html.contains("\"Noto Sans CJK SC\""), "a CJK font is named");
    for (open, close) in [
        ("<svg", "</svg>"),
        ("<table", "</table>"),
        ("<tr", "</tr>"),
        ("<td", "</td>"),
        ("<text", "</text>"),
    ] {
        assert_eq!(
            html.matches(open).count(),
            html.matches(close).count(),
            "{open} is closed as often as opened"
        );
    }
    assert_eq!(html.matches("<svg").count(), 1, "one chart");
    assert!(html.ends_with("</html>\n"));
}

#[test]
fn a_circular_page_charts_the_ranked_and_marks_the_left_out() {
    let store = store();
    let c = store
        .circular(COUNTY, march(), "closure_rate", None)
        .unwrap();
    assert_eq!(c.ranked.len(), 1, "{c:?}");
    assert_eq!(c.left_out.len(), 2, "{c:?}");
    let html = c.to_html();
    assert_self_contained(&html);
    assert!(
        html.contains("<title>安岳县 2025-03 办结率通报</title>"),
        "{html}"
    );
    // The ranked township: rank, name, value as a percentage with its fraction, a bar.
    assert!(html.contains("1. 岳阳镇</text>"), "{html}");
    assert!(html.contains("0.0%（0/6）"), "{html}");
    assert!(html.contains("<rect"));
    // Both left out, drawn grey with the reason, and in the table without a rank.
    assert!(html.contains(">石桥铺镇</text>"), "{html}");
    assert_eq!(
        html.matches("未参评（不参与排名）：样本不足: 1 &lt; 5")
            .count(),
        2,
        "the chart and the table say why: {html}"
    );
    assert!(html.contains("<tr class=\"out\">"));
    for header in [
        "<th>名次</th>",
        "<th>办结率</th>",
        "<th>分子</th>",
        "<th>分母</th>",
    ] {
        assert!(html.contains(header), "{header}");
    }
}

#[test]
fn a_unit_name_with_markup_characters_is_escaped_everywhere() {
    let store = store();
    let c = store
        .circular(COUNTY, march(), "closure_rate", None)
        .unwrap();
    let report = store.report(COUNTY, march()).unwrap();
    for html in [c.to_html(), report.to_html()] {
        assert_self_contained(&html);
        assert!(!html.contains(ODD_NAME));
        assert!(!html.contains("<b>"));
        assert!(html.contains(ODD_ESCAPED), "{html}");
    }
}

#[test]
fn a_count_circular_shows_counts_and_ranks_everyone() {
    let store = store();
    let html = store
        .circular(COUNTY, march(), "received", None)
        .unwrap()
        .to_html();
    assert_self_contained(&html);
    assert!(html.contains("1. 岳阳镇</text>"), "{html}");
    assert!(html.contains("2. 石桥铺镇</text>"), "{html}");
    assert!(!html.contains("未参评"), "counts are never left out");
    assert!(!html.contains('%'), "no percentages for counts");
    assert!(!html.contains("<th>分母</th>"));
}

#[test]
fn a_report_page_has_the_chart_and_the_table_in_chinese() {
    let store = store();
    let report = store.report(COUNTY, march()).unwrap();
    let html = report.to_html();
    assert_self_contained(&html);
    assert!(
        html.contains("<title>安岳县 2025-03 报告</title>"),
        "{html}"
    );
    assert!(html.contains("2025-03-01 至 2025-03-31"));
    assert!(html.contains("下级单位办结率排名"));
    assert!(html.contains("1. 岳阳镇</text>"));
    assert!(html.contains("未参评（不参与排名）"));
    for cell in [
        "<th>单位代码</th>",
        "<th>受理数</th>",
        "<th>办结率</th>",
        "<td>乡镇</td>",
        "<td>县</td>",
        "<td>合计</td>",
        "<td>本级</td>",
        "<th>类别</th>",
        "<td>市政设施</td>",
    ] {
        assert!(html.contains(cell), "{cell} in {html}");
    }
    assert!(!html.contains("township"), "levels in Chinese");
    // The totals: seven received, none resolved, shown as 0.0% of 7.
    assert!(html.contains("0.0%（0/7）"), "{html}");
}
