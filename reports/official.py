"""The official document format of GB/T 9704-2012 (党政机关公文格式), for notices.

The standard fixes the page (A4), the text block (版心 156 mm × 225 mm, 天头 37 mm, 订口
28 mm), a grid of 22 lines × 28 characters of 3号仿宋 that fills the text block, and where
each element goes: 发文机关标志 (red, 35 mm below the top of the text block), 发文字号, the
red rule 4 mm under it, 标题 (2号小标宋), 主送机关, 正文 (paragraphs indented two
characters; headings 黑体 / 楷体 / 仿宋 by level), 附件说明, 发文机关署名 and 成文日期,
then the 附件 (each on a new page, "附件N" at the top left, its title on the third line),
and the 版记 (抄送, 印发机关 and 印发日期 between rules) at the foot of the last page.

:class:`GridText` lays text on that grid the way Word's 文档网格 does: every Chinese
character takes one cell of 156/28 mm, whatever the face, so a line holds exactly 28 and
a page exactly 22 lines.  reportlab's Paragraph has no character spacing, and at 16 pt
(三号) it would fit only 27 characters in 156 mm; the grid gives the standard's 28
without shrinking the type.  docs/reports.md has the table of the standard against what
this module prints (measured by tests/reports/test_official_format.py).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, NextPageTemplate, PageBreak,
                                PageTemplate)

from reports.fonts import FANG as _FANG, HEI, KAI as _KAI, SONG, face, register_fonts
from reports.styles import CHINESE_CANNOT_START, RED
from reports.templates import CREATOR, NumberedCanvas, PageInfo

# -- the geometry of the standard (GB/T 9704-2012 §5.2) -----------------------------------

PAGE = A4
#: 天头 (top margin) and 订口 (left margin)
TOP, LEFT = 37 * mm, 28 * mm
#: the text block (版心)
BLOCK_WIDTH, BLOCK_HEIGHT = 156 * mm, 225 * mm
RIGHT = PAGE[0] - LEFT - BLOCK_WIDTH
BOTTOM = PAGE[1] - TOP - BLOCK_HEIGHT
#: 22 lines of 28 characters fill the text block
LINES, CHARS = 22, 28
LINE = BLOCK_HEIGHT / LINES
CELL = BLOCK_WIDTH / CHARS

#: 号 sizes in points: 二号 (titles), 三号 (text), 四号 (版记, page numbers)
SIZE_2, SIZE_3, SIZE_4 = 22.0, 16.0, 14.0
#: the page number's rule ("一字线") sits 7 mm under the text block
PAGE_NUMBER_GAP = 7 * mm

#: landscape pages of the attachments: the same margins turned with the paper
LANDSCAPE = landscape(PAGE)
LANDSCAPE_BLOCK = (BLOCK_HEIGHT, BLOCK_WIDTH)

#: rules of the 版记: first and last thick (0.35 mm), the ones between thin (0.25 mm)
THICK_RULE, THIN_RULE = 0.35 * mm, 0.25 * mm


def _is_wide(ch: str) -> bool:
    """Whether ``ch`` takes a whole cell of the grid (Chinese characters and full-width signs)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


# -- text on the grid ---------------------------------------------------------------------

class GridText(Flowable):
    """A paragraph laid on the standard's character grid.

    Args:
        text: plain text (no markup).
        font: a logical face (``"Fang"``, ``"Hei"``, ``"Kai"``, ``"Song"``).
        size: the type size in points (三号 by default).
        indent: cells left empty before the first line (2 for a paragraph of 正文).
        hang: cells left empty before every following line (附件说明 aligns its names).
        right: cells left empty at the right of every line (落款 "右空二字").
        align: "justify" (撑满版心; the last line flush left), "left", "center" or "right".
        lines: how many grid lines each text line takes (a 二号 title takes more than one).
        colour: the text colour.
    """

    def __init__(self, text: str, *, font: str = _FANG, size: float = SIZE_3, indent: int = 0,
                 hang: int = 0, right: int = 0, align: str = "justify", lines: float = 1,
                 colour=colors.black, cell: float = CELL, line: float = LINE):
        super().__init__()
        register_fonts()  # face() knows the installed faces only once they are registered
        self.text = text
        self.font = face(font)
        self.size = size
        self.indent, self.hang, self.right = indent, hang, right
        self.align = align
        self.step = line * lines
        self.colour = colour
        # a 三号 character takes one cell of the grid; other sizes keep their proportion
        self.cell = cell * size / SIZE_3
        self._lines: list[list[tuple[str, float]]] | None = None
        self._width = 0.0

    # each glyph with the room it takes: a cell for a Chinese character, its own width otherwise
    def _advance(self, ch: str) -> float:
        return self.cell if _is_wide(ch) else stringWidth(ch, self.font, self.size)

    def _break(self, width: float) -> list[list[tuple[str, float]]]:
        lines: list[list[tuple[str, float]]] = []
        current: list[tuple[str, float]] = []
        used = self.indent * self.cell
        limit = width - self.right * self.cell
        for ch in self.text:
            if ch == "\n":
                lines.append(current)
                current, used = [], self.hang * self.cell
                continue
            advance = self._advance(ch)
            if current and used + advance > limit + 0.01:
                carry: list[tuple[str, float]] = []
                if ch in CHINESE_CANNOT_START or ch in "，。、；：！？）》”’":
                    carry = [current.pop()]  # punctuation never starts a line: take a character along
                elif not _is_wide(ch) and ch.isalnum():
                    # a number or Latin word is not split: move it whole to the next line
                    while current and not _is_wide(current[-1][0]) and current[-1][0].isalnum():
                        carry.insert(0, current.pop())
                    if not current:
                        current, carry = carry, []
                lines.append(current)
                current = carry
                used = self.hang * self.cell + sum(a for _c, a in carry)
            current.append((ch, advance))
            used += advance
        lines.append(current)
        return lines

    def wrap(self, avail_width, avail_height):
        if self._lines is None or abs(self._width - avail_width) > 0.01:
            self._width = avail_width
            self._lines = self._break(avail_width)
        self.width = avail_width
        self.height = len(self._lines) * self.step
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        fit = int((avail_height + 0.01) // self.step)
        if fit <= 0 or fit >= len(self._lines):
            return [] if fit <= 0 else [self]
        head, tail = self._copy(self._lines[:fit], first=True), self._copy(self._lines[fit:], first=False)
        return [head, tail]

    def _copy(self, lines, *, first: bool) -> "GridText":
        part = GridText.__new__(GridText)
        # the text's own settings only: the doc's marks (``_postponed``, ``_frame`` …) stay behind,
        # or the part would be taken for one that was already moved to a new page
        part.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")
                              or k in ("_width",)})
        Flowable.__init__(part)
        part._lines, part._width = lines, self._width
        part._last_is_end = self._last_is_end if hasattr(self, "_last_is_end") else True
        part._continued = not first or getattr(self, "_continued", False)
        if first:
            part._last_is_end = False
        return part

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(self.colour)
        canv.setFont(self.font, self.size)
        last_ends = getattr(self, "_last_is_end", True)
        continued = getattr(self, "_continued", False)
        for n, glyphs in enumerate(self._lines):
            baseline = self.height - n * self.step - self.step / 2 - self.size * 0.36
            start = (self.hang if (n or continued) else self.indent) * self.cell
            room = self.width - start - self.right * self.cell
            used = sum(a for _c, a in glyphs)
            gap = 0.0
            is_last = n == len(self._lines) - 1 and last_ends
            if self.align == "center":
                start += (room - used) / 2
            elif self.align == "right":
                start += room - used
            elif self.align == "justify" and not is_last and len(glyphs) > 1 and room - used < 2 * self.cell:
                gap = (room - used) / (len(glyphs) - 1)
            # one text object per line (text tools then read a line, not a column of characters),
            # each glyph placed on its cell
            text = canv.beginText()
            text.setFont(self.font, self.size)
            x = start
            for ch, advance in glyphs:
                offset = (advance - stringWidth(ch, self.font, self.size)) / 2 if _is_wide(ch) else 0.0
                text.setTextOrigin(x + offset, baseline)
                text.textOut(ch)
                x += advance + gap
            canv.drawText(text)
        canv.restoreState()


def blank(lines: float = 1) -> Flowable:
    """Empty grid lines ("空一行")."""
    return _Blank(lines * LINE)


class _Blank(Flowable):
    def __init__(self, height: float):
        super().__init__()
        self.height = height

    def wrap(self, avail_width, avail_height):
        return avail_width, min(self.height, avail_height)

    def draw(self):
        pass


class RedRule(Flowable):
    """The red rule of the 版头, as wide as the text block, ``below`` under the line above it."""

    def __init__(self, below: float = 4 * mm, thickness: float = 1.0 * mm):
        super().__init__()
        self.below, self.thickness = below, thickness

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.below + self.thickness

    def draw(self):
        self.canv.saveState()
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.thickness / 2, self.width, self.thickness / 2)
        self.canv.restoreState()


class Masthead(Flowable):
    """发文机关标志: the issuing body in red, centred, its top 35 mm below the text block's."""

    def __init__(self, issuer: str, *, drop: float = 35 * mm, max_size: float = 42.0):
        super().__init__()
        self.issuer, self.drop, self.max_size = issuer, drop, max_size
        register_fonts()
        self.font = face(SONG)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        natural = stringWidth(self.issuer, self.font, self.max_size) or 1
        self.size = min(self.max_size, self.max_size * avail_width * 0.96 / natural)
        self.height = self.drop + self.size
        return avail_width, self.height

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(RED)
        canv.setFont(self.font, self.size)
        canv.drawCentredString(self.width / 2, self.size * 0.12, self.issuer)
        canv.restoreState()


@dataclass(frozen=True)
class Imprint:
    """The 版记: 抄送 (optional), 印发机关 and 印发日期 (e.g. "2026年11月3日")."""

    printed_by: str
    printed_on: str
    copy_to: str = ""


class ImprintBlock(Flowable):
    """The 版记 at the foot of the page: its last rule on the text block's bottom edge.

    It takes whatever room is left on the page (so nothing can follow it there) and draws
    itself at the bottom; when the room is too small it moves to a new page.
    """

    def __init__(self, imprint: Imprint):
        super().__init__()
        self.imprint = imprint
        self.rows = 2 if imprint.copy_to else 1
        self.need = self.rows * LINE

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.height = max(self.need, avail_height - 0.01)
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        return [] if avail_height < self.need else [self]

    def draw(self):
        canv = self.canv
        font = face(_FANG)
        canv.saveState()
        canv.setStrokeColor(colors.black)
        # the rules: thick on top and at the bottom, thin between the rows
        for i in range(self.rows + 1):
            y = i * LINE
            canv.setLineWidth(THICK_RULE if i in (0, self.rows) else THIN_RULE)
            canv.line(0, y, self.width, y)
        canv.setFont(font, SIZE_4)
        baseline = LINE / 2 - SIZE_4 * 0.36
        one = SIZE_4
        canv.drawString(one, baseline, self.imprint.printed_by)
        canv.drawRightString(self.width - one, baseline, f"{self.imprint.printed_on}印发")
        if self.imprint.copy_to:
            canv.drawString(one, LINE + baseline, f"抄送：{self.imprint.copy_to}。")
        canv.restoreState()


# -- the document -------------------------------------------------------------------------

def _page_number(canv: NumberedCanvas, total: int) -> None:
    """"第 x 页 共 y 页" in 四号 Song, 7 mm under the text block, on the outer side
    (odd pages right, even pages left, one character in), as the standard places page numbers."""
    width, height = canv._pagesize
    text = f"第 {canv._pageNumber} 页 共 {total} 页"
    canv.saveState()
    canv.setFont(SONG, SIZE_4)
    canv.setFillColor(colors.black)
    if width > height:  # a landscape attachment page: under its text block, same rule
        bottom = (height - LANDSCAPE_BLOCK[1]) / 2
        left, right = (width - LANDSCAPE_BLOCK[0]) / 2, (width + LANDSCAPE_BLOCK[0]) / 2
    else:
        bottom, left, right = BOTTOM, LEFT, LEFT + BLOCK_WIDTH
    y = bottom - PAGE_NUMBER_GAP - SIZE_4 * 0.35  # the line through its middle 7 mm under the block
    if canv._pageNumber % 2:
        canv.drawRightString(right - SIZE_4, y, text)
    else:
        canv.drawString(left + SIZE_4, y, text)
    canv.restoreState()


class _OfficialCanvas(NumberedCanvas):
    def _draw_footer(self, total: int) -> None:
        _page_number(self, total)


class OfficialDoc(BaseDocTemplate):
    """A4 notice in the standard's geometry; ``landscape`` pages for wide attachment tables."""

    def __init__(self, target, *, title: str, author: str = "", subject: str = "", progress=None):
        register_fonts()
        self.progress = progress
        rl_config.useA85 = 0  # binary streams, as reports/templates.py's ReportDoc writes them
        if isinstance(target, os.PathLike):
            target = os.fspath(target)  # reportlab takes a str or a file object, not a Path
        super().__init__(target, pagesize=PAGE, title=title, author=author, subject=subject,
                         creator=CREATOR, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP,
                         bottomMargin=BOTTOM, initialFontName=SONG, initialFontSize=SIZE_3)
        portrait = Frame(LEFT, BOTTOM, BLOCK_WIDTH, BLOCK_HEIGHT, id="official",
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        lw, lh = LANDSCAPE_BLOCK
        wide = Frame((LANDSCAPE[0] - lw) / 2, (LANDSCAPE[1] - lh) / 2, lw, lh, id="wide",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("official", [portrait], pagesize=PAGE),
                               PageTemplate("wide", [wide], pagesize=LANDSCAPE)])

    def afterPage(self):  # noqa: N802 - reportlab's hook
        if self.progress is not None:
            self.progress(self.page)

    def build(self, flowables):  # noqa: D102
        info = PageInfo()
        super().build(flowables, canvasmaker=lambda *a, **kw: _OfficialCanvas(*a, page_info=info, **kw))


def render_official(story: list[Flowable], target, *, title: str, author: str = "", subject: str = "",
                    progress=None) -> int:
    """Lay out a notice in the standard's geometry.  Returns the page count."""
    doc = OfficialDoc(target, title=title, author=author, subject=subject, progress=progress)
    doc.build(story)
    return doc.page


# -- the elements, in the order of the standard ------------------------------------------

def head(issuer: str, doc_number: str = "") -> list[Flowable]:
    """版头: 发文机关标志, 发文字号 two lines below it (when given), the red rule 4 mm under."""
    out: list[Flowable] = [Masthead(issuer), blank(2)]
    if doc_number:
        out.append(GridText(doc_number, align="center"))
        # 4 mm under the 发文字号's characters, which sit in the middle of their grid line
        out.append(RedRule(below=4 * mm - (LINE / 2 - 0.48 * SIZE_3)))
    else:
        out.append(RedRule())
    return out


def title(text: str) -> list[Flowable]:
    """标题: two lines under the red rule, 二号, centred (several lines if long)."""
    # 小标宋 is not on a stock Windows PC: 黑体 is the usual stand-in (docs/reports.md)
    return [blank(2), GridText(text, font=HEI, size=SIZE_2, align="center", lines=1.4)]


def recipients(text: str) -> list[Flowable]:
    """主送机关: one line under the title, flush left, with a full-width colon."""
    return [blank(1), GridText(f"{text}：", align="left")]


def paragraph(text: str) -> GridText:
    """A paragraph of 正文: 三号仿宋, two cells in, filling the text block."""
    return GridText(text, indent=2)


def heading(text: str, level: int = 1) -> GridText:
    """A heading of 正文: level 1 "一、" in 黑体, level 2 "（一）" in 楷体, level 3 "1." in 仿宋."""
    font = {1: HEI, 2: _KAI}.get(level, _FANG)
    return GridText(text, font=font, indent=2, align="left")


def attachment_note(names: Sequence[str]) -> list[Flowable]:
    """附件说明: one line under the text, two cells in; names numbered and aligned."""
    if not names:
        return []
    if len(names) == 1:
        return [blank(1), GridText(f"附件：{names[0]}", indent=2, hang=5, align="left")]
    out: list[Flowable] = [blank(1)]
    for i, name in enumerate(names, 1):
        lead = "附件：" if i == 1 else "　　　"
        out.append(GridText(f"{lead}{i}．{name}", indent=2, hang=7, align="left"))
    return out


def signature(issuer: str, date_text: str) -> list[Flowable]:
    """落款 without a seal: one line under the text, 署名 two cells from the right; 成文日期
    on the next line starting two cells right of the 署名's first character — or, when the
    date is longer, the date two cells from the right and the 署名 moved left to match."""
    issuer_cells = _cells(issuer)
    date_cells = _cells(date_text)
    if date_cells + 2 > issuer_cells:
        issuer_right = 2 + (date_cells + 2 - issuer_cells)
        date_right = 2
    else:
        issuer_right = 2
        date_right = issuer_cells - 2 - date_cells + 2
    return [blank(1),
            GridText(issuer, align="right", right=issuer_right),
            GridText(date_text, align="right", right=date_right)]


def ending(closing: str, attachments: Sequence[str], issuer: str, date_text: str) -> list[Flowable]:
    """The notice's last paragraph (``特此通报。``), the 附件说明 and the 落款, kept on one page: a
    落款 alone on a page of its own is what the standard forbids (a street bulletin of one
    community ended that way)."""
    return [KeepTogether([paragraph(closing), *attachment_note(attachments), *signature(issuer, date_text)])]


def _cells(text: str) -> float:
    register_fonts()
    return sum(1 if _is_wide(c) else stringWidth(c, face(_FANG), SIZE_3) / CELL for c in text)


def attachment(number: int, name: str, *, wide: bool = False) -> list[Flowable]:
    """An attachment's first lines on a new page: "附件N" (三号黑体) top left, its title
    (二号) on the third line.  ``wide``: the attachment is printed on landscape pages."""
    out: list[Flowable] = [NextPageTemplate("wide" if wide else "official"), PageBreak()]
    out.append(GridText(f"附件{number}", font=HEI, align="left"))
    out.append(blank(1))
    out.append(GridText(name, font=HEI, size=SIZE_2 - 4, align="center", lines=1.2))
    return out


def imprint(block: Imprint) -> list[Flowable]:
    """版记 at the foot of the last page (portrait)."""
    return [NextPageTemplate("official"), ImprintBlock(block)]


def official_date(value) -> str:
    """成文日期 the 2012 way: Arabic numerals, the year in full, no leading zeros."""
    text = str(value)[:10]
    y, m, d = text.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"
