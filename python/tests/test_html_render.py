"""The HTML pages as a browser draws them: Debian's headless chromium takes screenshots
(`make browser` installs it and a Chinese font when they are missing). The circular's page
must not be blank (the chart's bars and the left-out rows drawn in their colours), and
Chinese unit names must be drawn as glyphs, not as the boxes of a missing font: two
different names drawn with the page's own styles must give different pictures, and a name
must differ from the same number of characters that no font has (U+10FFFD)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from test_html import COUNTY, MARCH, pictured_county

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def chinese_fonts() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


pytestmark = pytest.mark.skipif(
    BROWSER is None or not chinese_fonts(),
    reason="chromium or a Chinese font (fc-list :lang=zh) is missing: `make browser` "
    "installs them with apt-get when run as root",
)

# The colours the chart draws in (core/src/report/html.rs): a ranked unit's bar, and the
# background of a left-out unit's row.
BAR = (0x3F, 0x72, 0xAF)
LEFT_OUT = (0xF0, 0xF0, 0xF0)
WHITE = (255, 255, 255)


def screenshot(html: str, tmp_path: Path, name: str) -> Image.Image:
    """The page `html` as headless chromium draws it in a 1200x900 window."""
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    png = tmp_path / f"{name}.png"
    subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / f'{name}-profile'}",
            f"--screenshot={png}",
            "--window-size=1200,900",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert png.exists(), f"chromium wrote no screenshot of {name}"
    return Image.open(png).convert("RGB")


def count_of(image: Image.Image, colour: tuple[int, int, int]) -> int:
    return sum(n for n, c in image.getcolors(maxcolors=1 << 24) if c == colour)


def ink(image: Image.Image) -> int:
    """How many pixels are not white."""
    return image.width * image.height - count_of(image, WHITE)


@pytest.fixture
def pictured(county):
    return pictured_county(county)


def test_the_circular_page_is_drawn_with_its_chart(pictured, tmp_path):
    html = pictured.circular(COUNTY, MARCH, "closure_rate").to_html()
    image = screenshot(html, tmp_path, "circular")
    assert image.size == (1200, 900)
    colours = image.getcolors(maxcolors=1 << 24)
    assert len(colours) > 50, f"only {len(colours)} colours: the page looks blank"
    assert ink(image) > 5000, "almost nothing drawn"
    # 岳阳镇's bar is 0% wide, so the chart's bar colour shows in the received circular.
    assert count_of(image, LEFT_OUT) > 2 * 500, "two left-out rows, drawn grey"
    counts = screenshot(
        pictured.circular(COUNTY, MARCH, "received").to_html(), tmp_path, "received"
    )
    assert count_of(counts, BAR) > 500, "the ranked units' bars are drawn"


def test_chinese_names_are_drawn_as_glyphs_not_boxes(pictured, tmp_path):
    style = re.search(
        r"<style>.*?</style>",
        pictured.circular(COUNTY, MARCH, "closure_rate").to_html(),
        re.S,
    )
    assert style is not None

    def drawn(text: str, name: str) -> Image.Image:
        page = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'{style.group(0)}</head><body><div class="wangge" style="font-size:48px">'
            f"{text}</div></body></html>"
        )
        return screenshot(page, tmp_path, name)

    yueyang = drawn("岳阳镇", "yueyang")
    shiqiao = drawn("石桥铺", "shiqiao")
    missing = drawn("\U0010fffd" * 3, "missing")
    assert ink(yueyang) > 500 and ink(shiqiao) > 500, "the names are drawn at all"
    assert yueyang.tobytes() != shiqiao.tobytes(), (
        "two different names give the same picture: both drawn as boxes"
    )
    assert yueyang.tobytes() != missing.tobytes(), (
        "a name looks like characters no font has"
    )
