"""Writes the 民政 register export the import tests read, as a town office's software
gives it: a title line above the header, Chinese headers with a serial-number column and
remarks the library does not know, tags separated by 、 and ，, kinds 常住/流动/出租,
relations 户主/配偶/子女/本人, a grid named by its name, and a phone typed as a number.

    python3 tests/data/make_minzheng.py   # rewrites minzheng.csv (GBK) and minzheng.xlsx

The XLSX is written with the standard library alone (stored zip entries, inline strings,
one date cell), so nothing beyond Python is needed to rebuild it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

TITLE = "XX县XX镇居民花名册（2025年）"
HEADER = [
    "序号", "户编号", "所属网格", "住址", "户类型", "标签", "姓名", "身份证号",
    "联系电话", "与户主关系", "人员类别", "出生日期", "备注",
]
# 出生日期 is a date cell in the XLSX (serial 17898 = 1949-01-01) and text in the CSV.
ROWS = [
    [1, "M001", "北坝一网格", "北坝街1号", "常住", "低保、空巢", "张三", "11010519491231002X",
     13812345678, "户主", "", "1949-12-31", ""],
    [2, "M001", "北坝一网格", "北坝街1号", "常住", "低保、空巢", "李四", "",
     "", "配偶", "残疾", "", "腿脚不便"],
    [3, "M001", "北坝一网格", "北坝街1号", "常住", "低保、空巢", "张小", "",
     "", "子女", "", "", ""],
    [4, "M002", "512021100002001", "龙井路2号", "流动", "", "王五", "440524188001010014",
     13900001111, "户主", "低保", "1880-01-01", "外省务工"],
    [5, "M003", "512021100001002", "北坝街3号", "出租", "残疾，单亲", "赵六",
     "510123194805121220", "", "本人", "", "1948-05-12", ""],
]


def csv_text() -> str:
    def cell(value: object) -> str:
        text = str(value)
        return f'"{text}"' if any(c in text for c in ',"\n') else text

    lines = [TITLE + "," * (len(HEADER) - 1), ",".join(HEADER)]
    lines += [",".join(cell(v) for v in row) for row in ROWS]
    return "\r\n".join(lines) + "\r\n"


def column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def excel_day(iso: str) -> int:
    from datetime import date

    return (date.fromisoformat(iso) - date(1899, 12, 30)).days


def sheet_xml() -> str:
    rows = [[TITLE], HEADER, *ROWS]
    out = []
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(values):
            ref = f"{column(c)}{r}"
            if value == "":
                continue
            if r > 2 and HEADER[c] == "出生日期" and value != "1880-01-01":
                cells.append(f'<c r="{ref}" s="1"><v>{excel_day(str(value))}</v></c>')
            elif isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData>{"".join(out)}</sheetData></worksheet>'
    )


PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        "</styleSheet>"
    ),
}


def xlsx_bytes() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as book:
        for name, text in {**PARTS, "xl/worksheets/sheet1.xml": sheet_xml()}.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            book.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


if __name__ == "__main__":
    (HERE / "minzheng.csv").write_bytes(csv_text().encode("gbk"))
    (HERE / "minzheng.xlsx").write_bytes(xlsx_bytes())
