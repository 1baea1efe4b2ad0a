"""The shared building blocks: line breaking of Chinese cells, page numbering, mixed orientation."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import NextPageTemplate, PageBreak, Paragraph

from reports.fonts import register_fonts
from reports.styles import getStyleSheet
from reports.templates import (PageInfo, RenderCancelled, cn_date, cn_month, cn_period, data_table, pct, portrait_width,
                               render_story, signed, wrap_text)

FONT, SIZE = "Song", 8
register_fonts()  # the parameters below measure glyphs at collection time


@pytest.fixture(autouse=True, scope="module")
def _fonts():
    getStyleSheet()


@pytest.mark.parametrize("text, width, expected", [
    ("短文本", 100, ["短文本"]),
    ("一二三四五六七八九十", 4 * SIZE + 0.1, ["一二三四", "五六七八", "九十"]),
    # closing punctuation hangs at the end of the line instead of starting the next one
    ("一二三四，五六", 4 * SIZE + 0.1, ["一二三四，", "五六"]),
    ("一二三四。", 4 * SIZE + 0.1, ["一二三四。"]),
    # a Latin word or number stays whole when it fits a line
    ("电话13800001234号", SIZE + 11 * stringWidth("1", FONT, SIZE) + 0.1, ["电话", "13800001234号"]),
    # … and is broken only when it is longer than a whole line
    ("1234567890", 4 * stringWidth("1", FONT, SIZE) + 0.1, ["1234", "5678", "90"]),
    ("第一行\n第二行", 100, ["第一行", "第二行"]),
    ("", 100, [""]),
])
def test_wrap_text(text, width, expected):
    assert wrap_text(text, width, FONT, SIZE).split("\n") == expected


def test_wrapped_lines_fit_their_width():
    text = "楼上楼下漏水纠纷，双方争执不下，需要网格员上门调解。ABC 12345678 混排测试" * 3
    for line in wrap_text(text, 60, FONT, SIZE).split("\n"):
        body = line.rstrip("，。")
        assert stringWidth(body, FONT, SIZE) <= 60 + 0.01


@pytest.mark.parametrize("fn, value, expected", [
    (cn_date, "2026-11-03", "2026年11月3日"),
    (cn_month, "2026-01", "2026年1月"),
    (cn_period, ("2026-10-01", "2026-10-31"), "2026年10月1日至2026年10月31日"),
    (pct, 0.8333, "83.3%"),
    (pct, None, "—"),
    (signed, 2, "+2.00"),
    (signed, -1.5, "-1.50"),
    (signed, 0.0, "0"),
])
def test_formats(fn, value, expected):
    assert (fn(*value) if isinstance(value, tuple) else fn(value)) == expected


def test_mixed_orientation_and_page_total():
    sheet = getStyleSheet()
    rows = [[i, f"第{i}行"] for i in range(150)]
    story = [Paragraph("竖版", sheet["LedgerTitle"]),
             data_table(["序号", "内容"], rows, [1, 4], total_width=portrait_width()),
             NextPageTemplate("landscape"), PageBreak(), Paragraph("横版", sheet["LedgerTitle"])]
    out = io.BytesIO()
    pages = render_story(story, out, title="测试", page_info=PageInfo("单位 · 测试", "2026年10月"))
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == pages >= 4
    sizes = [(float(p.mediabox.width) > float(p.mediabox.height)) for p in reader.pages]
    assert sizes[0] is False and sizes[-1] is True
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"第 {n} 页 共 {pages} 页" in text
    # the table's header row is repeated on its second page
    assert "序号" in reader.pages[1].extract_text() and "内容" in reader.pages[1].extract_text()
    assert reader.metadata.title == "测试"


def test_a_huge_cell_is_cut_rather_than_breaking_the_layout():
    story = [data_table(["序号", "事项描述"], [[1, "很长的描述。" * 2000], [2, "短"]], [1, 6],
                        total_width=portrait_width(), wrap=(1,))]
    out = io.BytesIO()
    assert render_story(story, out, title="长") == 1
    text = PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
    assert "内容过长，已截断" in text and "短" in text


def test_progress_reports_pages_and_can_cancel():
    rows = [[i, f"第{i}行"] for i in range(300)]
    seen = []
    pages = render_story([data_table(["序号", "内容"], rows, [1, 4], total_width=portrait_width())], io.BytesIO(),
                         title="进度", progress=seen.append)
    assert seen == list(range(1, pages + 1))

    def stop_at_two(page: int) -> None:
        if page == 2:
            raise RenderCancelled("已取消")

    out = io.BytesIO()
    with pytest.raises(RenderCancelled):
        render_story([data_table(["序号", "内容"], rows, [1, 4], total_width=portrait_width())], out,
                     title="取消", progress=stop_at_two)
