"""Reports (报告) and circulars (通报) as HTML pages: one self-contained document each,
Chinese, with the chart's ranked and left-out units, text from the store escaped, and the
same page for Jupyter (`_repr_html_`), as in core/tests/report_html.rs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import wangge

COUNTY = "512021"
MARCH = "2025-03"
ODD = "512021102"
ODD_NAME = "<b>\"桥&镇'</b>"
ODD_ESCAPED = "&lt;b&gt;&quot;桥&amp;镇&#39;&lt;/b&gt;"


def pictured_county(store: wangge.Store) -> wangge.Store:
    """The county with a third township oddly named; in 2025-03 six entries in 岳阳镇
    (enough to be ranked on 办结率), one in 石桥铺镇 (too few), none in the odd one."""
    store.add_unit(ODD, ODD_NAME, "township", COUNTY)
    at = datetime(2025, 3, 3, 9, tzinfo=timezone(timedelta(hours=8)))
    for grid, n in [("512021100001001", 6), ("512021101001001", 1)]:
        for i in range(n):
            store.register(grid, "市政设施", f"路灯不亮{i}", at)
    return store


@pytest.fixture
def pictured(county):
    return pictured_county(county)


def assert_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    lower = html.lower()
    for banned in ("http", "<script", "src=", "href=", "url(", "@import", "<link", "<img"):
        assert banned not in lower, banned
    assert html.count("<svg") == html.count("</svg>") == 1
    assert html.count("<tr") == html.count("</tr>")
    assert '"Noto Sans CJK SC"' in html


def test_a_circular_page_charts_the_ranked_and_greys_the_left_out(pictured):
    c = pictured.circular(COUNTY, MARCH, "closure_rate")
    html = c.to_html()
    assert isinstance(html, str)
    assert_self_contained(html)
    assert "<title>安岳县 2025-03 办结率通报</title>" in html
    assert "1. 岳阳镇</text>" in html
    assert "0.0%（0/6）" in html
    assert html.count("未参评（不参与排名）：样本不足: 1 &lt; 5") == 2


def test_a_report_page_has_the_chart_and_the_chinese_table(pictured):
    html = pictured.report(COUNTY, MARCH).to_html()
    assert_self_contained(html)
    assert "<title>安岳县 2025-03 报告</title>" in html
    for cell in ("<th>受理数</th>", "<td>合计</td>", "<td>乡镇</td>", "0.0%（0/7）"):
        assert cell in html, cell


def test_a_name_with_markup_characters_is_escaped(pictured):
    for html in (
        pictured.circular(COUNTY, MARCH, "closure_rate").to_html(),
        pictured.report(COUNTY, MARCH).to_html(),
    ):
        assert ODD_NAME not in html and "<b>" not in html
        assert ODD_ESCAPED in html


def test_jupyter_gets_the_same_page(pictured):
    c = pictured.circular(COUNTY, MARCH, "received")
    r = pictured.report(COUNTY, MARCH)
    assert c._repr_html_() == c.to_html()
    assert r._repr_html_() == r.to_html()
    assert "2. 石桥铺镇</text>" in c._repr_html_()


def test_the_page_is_written_to_a_path_when_given(pictured, tmp_path):
    for item, name in (
        (pictured.report(COUNTY, MARCH), "report.html"),
        (pictured.circular(COUNTY, MARCH, "closure_rate"), "circular.html"),
    ):
        path = tmp_path / name
        html = item.to_html(path)
        assert path.read_text(encoding="utf-8") == html
        assert item.to_html(str(path)) == html
        with pytest.raises(OSError):
            item.to_html(tmp_path / "missing" / name)


def test_a_scoped_handle_cannot_draw_outside_its_subtree(pictured):
    town = pictured.scope("512021100", "岳阳镇管理员")
    assert "北坝社区" in town.circular("512021100", MARCH, "received").to_html()
    with pytest.raises(wangge.PermissionDenied):
        town.report("512021101", MARCH).to_html()
