"""The monthly bulletin measured against GB/T 9704-2012 (党政机关公文格式).

Every figure is read back from the PDF with pypdf — where each glyph was drawn, in which
face and size — and compared with the standard and its tolerances.  docs/reports.md has
the same comparison as a table.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

import pytest
import pdfplumber
from reportlab.lib.units import mm

from reports import monthly, official
from tests.reports import report_factories as factories

PAGE_HEIGHT = official.PAGE[1]


@dataclass(frozen=True)
class Glyph:
    text: str
    x: float          # the glyph box's left edge, from the left edge of the page (pt)
    top: float        # the glyph box's top edge, from the top edge of the page (pt)
    size: float
    font: str


def glyphs(page) -> list[Glyph]:
    """Every character drawn on a pdfplumber page, with its position, size and face."""
    return [Glyph(c["text"], c["x0"], c["top"] + (c["bottom"] - c["top"]) * 0, c["size"], c["fontname"])
            for c in page.chars if c["text"].strip()]


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("official") / "通报.pdf"
    data = dataclasses.replace(factories.bulletin(40), doc_number="幸社评〔2026〕10号", copy_to="某某街道办事处")
    monthly.render(data, str(path))
    with pdfplumber.open(path) as document:
        yield document


def lines_of(page, size):
    rows = defaultdict(list)
    for g in glyphs(page):
        if abs(g.size - size) < 0.2:
            rows[round(g.top, 1)].append(g)
    return dict(sorted(rows.items()))


def test_text_block_margins_within_the_standard(pdf):
    body = [g for page in pdf.pages[:2] for g in glyphs(page) if abs(g.size - official.SIZE_3) < 0.2]
    left = min(g.x for g in body) / mm
    right = max(g.x + (official.CELL if ord(g.text[0]) > 0x2E80 else official.SIZE_3 / 2) for g in body) / mm
    assert abs(left - 28) <= 1, f"订口 {left:.1f} mm (standard 28 ± 1)"
    assert abs(right - (28 + 156)) <= 1, f"版心右缘 {right:.1f} mm (standard 184 ± 1)"
    first_line = min(lines_of(pdf.pages[1], official.SIZE_3))
    # the first baseline of page 2 sits in the first grid line under the 37 mm 天头
    assert 37 * mm < first_line < 37 * mm + official.LINE


def test_body_is_three_hao_fangsong_on_a_22_by_28_grid(pdf):
    rows = lines_of(pdf.pages[0], official.SIZE_3)
    tops = list(rows)
    steps = {round(b - a, 1) for a, b in zip(tops, tops[1:])}
    assert round(official.LINE, 1) in steps                     # 225 mm / 22 lines
    assert abs(official.LINE * 22 - 225 * mm) < 0.01
    full = [row for row in rows.values() if len(row) >= 28 and all(len(g.text) == 1 for g in row)]
    assert full, "a full line of body text"
    cjk = [row for row in full if all(ord(g.text) > 0x2E80 for g in row)]
    for row in cjk:
        assert len(row) == 28


def test_a_full_page_of_text_holds_22_lines(tmp_path):
    path = tmp_path / "full.pdf"
    text = "为民服务" * 400
    official.render_official([official.GridText(text)], str(path), title="测试")
    with pdfplumber.open(path) as document:
        rows = lines_of(document.pages[0], official.SIZE_3)
    assert len(rows) == 22
    assert all(len(r) == 28 for r in rows.values())


def test_head_title_and_signature_where_the_standard_puts_them(pdf):
    page = glyphs(pdf.pages[0])
    masthead = [g for g in page if g.size > 30]
    assert masthead, "发文机关标志"
    # its top edge 35 mm under the top of the text block (37 mm): 72 mm from the page's top
    top_edge = min(g.top for g in masthead) / mm
    assert abs(top_edge - 72) <= 2
    title = [g for g in page if abs(g.size - official.SIZE_2) < 0.2]
    assert "".join(g.text for g in title) == factories.bulletin(40).title   # 二号, centred
    centre = (min(g.x for g in title) + max(g.x for g in title) + official.SIZE_2) / 2
    assert abs(centre - (official.LEFT + official.BLOCK_WIDTH / 2)) < official.CELL / 2
    second = glyphs(pdf.pages[1])
    signature = [g for g in second if g.text in "测试社区居民委员会" and abs(g.size - official.SIZE_3) < 0.2]
    by_line = defaultdict(list)
    for g in second:
        if abs(g.size - official.SIZE_3) < 0.2:
            by_line[round(g.top, 1)].append(g)
    date_line = next(row for row in by_line.values() if "".join(g.text for g in row).endswith("日")
                     and "年" in "".join(g.text for g in row))
    issuer_line = by_line[max(t for t in by_line if t < date_line[0].top - 1)]
    issuer_right = max(g.x for g in issuer_line) + official.CELL
    # 署名右空二字; 成文日期首字比署名首字右移二字
    assert abs((official.LEFT + official.BLOCK_WIDTH - issuer_right) - 2 * official.CELL) < 1.5
    assert abs((date_line[0].x - issuer_line[0].x) - 2 * official.CELL) < official.CELL * 0.6
    assert signature


def test_imprint_at_the_foot_of_the_last_page_and_page_numbers(pdf):
    last = glyphs(pdf.pages[-1])
    text = "".join(g.text for g in last)
    assert "抄送：某某街道办事处" in text, text[-80:] and "印发" in text
    printed = [g for g in last if "印发" in g.text or g.text == "印"]
    assert printed
    bottom_line_top = PAGE_HEIGHT - official.BOTTOM - official.LINE
    assert all(bottom_line_top < g.top < PAGE_HEIGHT - official.BOTTOM for g in printed)
    for n, page in enumerate(pdf.pages[:2], 1):
        number = [g for g in glyphs(page) if "页" in g.text and abs(g.size - official.SIZE_4) < 0.2]
        assert number, f"page {n} has its number"
        middle = number[0].top + number[0].size / 2
        assert abs(middle - (PAGE_HEIGHT - official.BOTTOM + 7 * mm)) < 1 * mm  # 7 mm under the text block
        right_side = number[0].x > official.PAGE[0] / 2
        assert right_side is (n % 2 == 1)  # 单页码居右, 双页码居左


def test_attachments_each_start_a_page_with_their_label(pdf):
    starts = {}
    for n, page in enumerate(pdf.pages):
        text = (page.extract_text() or "").replace("\n", "").replace(" ", "")
        for i in range(1, 5):
            if text.startswith(f"附件{i}"):
                starts[i] = n
    assert sorted(starts) == [1, 2, 3, 4]
    assert list(starts.values()) == sorted(starts.values())
    ranking = pdf.pages[starts[1]]
    assert ranking.width > ranking.height  # 附件1 is landscape


def test_red_rule_four_mm_under_the_document_number(pdf):
    page = pdf.pages[0]
    number = [c for c in page.chars if c["text"] == "号" and abs(c["size"] - official.SIZE_3) < 0.2]
    rule = [line for line in page.lines if line["stroking_color"] and line["stroking_color"][0] > 0.5]
    assert number and len(rule) == 1
    top_edge = rule[0]["top"] - rule[0]["linewidth"] / 2
    assert abs((top_edge - number[0]["bottom"]) - 4 * mm) < 1 * mm
    assert abs(rule[0]["x1"] - rule[0]["x0"] - official.BLOCK_WIDTH) < 1  # as wide as the text block


def test_the_signature_never_stands_on_a_page_without_the_text_it_signs(tmp_path):
    """A page nearly full: "特此通报。" still fits, the 附件说明 and 落款 would not.  The standard
    forbids a 落款 alone on a page (seen on the street's bulletin of one community): the three go
    over together."""
    path = tmp_path / "ending.pdf"
    story = [official.GridText("为民服务" * 147)]                  # 21 of the page's 22 lines
    story += official.ending("特此通报。", ["评比排名表"], "幸福社区居民委员会", "2026年11月5日")
    official.render_official(story, str(path), title="测试")
    with pdfplumber.open(path) as document:
        pages = ["".join(g.text for g in glyphs(page)) for page in document.pages]
    signed = [text for text in pages if "幸福社区居民委员会" in text]
    assert len(signed) == 1 and "特此通报" in signed[0] and "附件" in signed[0]
