"""The one document template of every printout, and the building blocks reports share.

A4, official-document look in the GB/T 9704 spirit: generous margins, a thin
running header (issuing body · report name · period) from the second page on
(or on every page for ledgers), and "第 x 页 共 y 页" centred at the foot of
every page.  The page total needs to be known before the first page is
finished, so pages are held by :class:`NumberedCanvas` and numbered when the
document is saved (a single layout pass).

Portrait and landscape pages can be mixed in one document:
``NextPageTemplate("landscape")`` before a ``PageBreak``.

Each report module exposes ``build_story(data)`` (a list of flowables) and
``render(data, target)``, where ``target`` is a file path or a binary file
object; both use :func:`render_story` here.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence
from xml.sax.saxutils import escape as _xml_escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, LongTable,
                                PageTemplate, Paragraph, Spacer, Table, TableStyle)

from reports.fonts import HEI, SONG, register_fonts
from reports.styles import CELL_SIZE, GRID_LINE, HEADER_BG, RED, ZEBRA_BG, getStyleSheet

PORTRAIT_SIZE = A4
LANDSCAPE_SIZE = landscape(A4)

# Margins (GB/T 9704 asks for 37 mm top / 28 mm left on a 156 × 225 mm text block;
# ledgers need the width for their columns, so the sides are a little narrower).
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 22 * mm
MARGIN_LEFT = 24 * mm
MARGIN_RIGHT = 20 * mm
LANDSCAPE_MARGIN_TOP = 22 * mm
LANDSCAPE_MARGIN_BOTTOM = 18 * mm
LANDSCAPE_MARGIN_SIDE = 18 * mm

CREATOR = "网格台账"


# -- text helpers -----------------------------------------------------------------------

def esc(value: Any) -> str:
    """Text for a Paragraph: XML-escaped, ``None`` as an empty string."""
    return "" if value is None else _xml_escape(str(value))


def cn_date(value: _dt.date | str | None) -> str:
    """``2026-11-03`` → ``2026年11月3日`` (the date style of a signature block)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def cn_month(month: str) -> str:
    """``2026-10`` → ``2026年10月``."""
    year, mon = month.split("-")[:2]
    return f"{int(year)}年{int(mon)}月"


def cn_period(date_from: str, date_to: str) -> str:
    """``2026-10-01``, ``2026-10-31`` → ``2026年10月1日至2026年10月31日``."""
    if date_from == date_to:
        return cn_date(date_from)
    return f"{cn_date(date_from)}至{cn_date(date_to)}"


def pct(value: float | None, digits: int = 1) -> str:
    """A rate in 0..1 as a percentage (``—`` when undefined)."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def num(value: float | int | None, digits: int = 2) -> str:
    """A figure with fixed decimals; integers stay integers; ``None`` is ``—``."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 2) -> str:
    """Points with their sign: ``+2.00`` / ``-1.00`` / ``0``."""
    if value is None:
        return "—"
    if abs(value) < 0.005:
        return "0"
    return f"{value:+.{digits}f}"


# -- the document -------------------------------------------------------------------------

@dataclass
class PageInfo:
    """What the running header says."""

    header_left: str = ""
    header_right: str = ""
    header_on_first_page: bool = True
    footer_left: str = ""
    page_numbers: bool = True


class NumberedCanvas(Canvas):
    """A canvas that holds its pages until :meth:`save`, then writes "第 x 页 共 y 页" on each.

    The initial font is Song (reportlab's default, Helvetica, is never embedded).
    """

    footer_font = SONG
    footer_size = 9

    def __init__(self, *args, page_info: PageInfo | None = None, **kwargs):
        kwargs["initialFontName"] = SONG
        kwargs.setdefault("initialFontSize", 10.5)
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        self._page_info = page_info or PageInfo()

    def showPage(self):  # noqa: N802 - reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            if self._page_info.page_numbers:
                self._draw_footer(total)
            Canvas.showPage(self)
        Canvas.save(self)

    def _draw_footer(self, total: int) -> None:
        width, _height = self._pagesize
        bottom = (LANDSCAPE_MARGIN_BOTTOM if width > _height else MARGIN_BOTTOM) / 2
        self.saveState()
        self.setFont(self.footer_font, self.footer_size)
        self.setFillColor(colors.black)
        self.drawCentredString(width / 2, bottom, f"第 {self._pageNumber} 页 共 {total} 页")
        if self._page_info.footer_left:
            side = LANDSCAPE_MARGIN_SIDE if width > _height else MARGIN_LEFT
            self.setFont(self.footer_font, 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(side, bottom, self._page_info.footer_left)
        self.restoreState()


def _draw_header(canv: Canvas, doc: "ReportDoc") -> None:
    info = doc.page_info
    if canv.getPageNumber() == 1 and not info.header_on_first_page:
        return
    if not (info.header_left or info.header_right):
        return
    width, height = canv._pagesize
    is_landscape = width > height
    left = LANDSCAPE_MARGIN_SIDE if is_landscape else MARGIN_LEFT
    right = width - (LANDSCAPE_MARGIN_SIDE if is_landscape else MARGIN_RIGHT)
    top = height - (LANDSCAPE_MARGIN_TOP if is_landscape else MARGIN_TOP) + 5 * mm
    canv.saveState()
    canv.setFont(SONG, 8.5)
    canv.setFillColor(colors.HexColor("#333333"))
    canv.drawString(left, top + 1.5 * mm, info.header_left)
    if info.header_right:
        canv.drawRightString(right, top + 1.5 * mm, info.header_right)
    canv.setStrokeColor(colors.HexColor("#666666"))
    canv.setLineWidth(0.5)
    canv.line(left, top, right, top)
    canv.restoreState()


class ReportDoc(BaseDocTemplate):
    """A4 document with a ``portrait`` and a ``landscape`` page template."""

    def __init__(self, target, *, title: str, author: str = "", subject: str = "",
                 page_info: PageInfo | None = None, start_landscape: bool = False,
                 progress: Callable[[int], None] | None = None):
        register_fonts()
        self.progress = progress
        # Binary (Flate only) streams: ASCII85 on top makes files 25 % larger and, without
        # reportlab's optional C accelerator, costs about a second per 200 pages.
        rl_config.useA85 = 0
        self.page_info = page_info or PageInfo()
        if isinstance(target, os.PathLike):
            target = os.fspath(target)  # reportlab takes a str or a file object, not a Path
        super().__init__(target, pagesize=LANDSCAPE_SIZE if start_landscape else PORTRAIT_SIZE,
                         title=title, author=author, subject=subject, creator=CREATOR,
                         leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, initialFontName=SONG, initialFontSize=10.5)
        portrait_frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, portrait_width(),
                               PORTRAIT_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM, id="portrait",
                               leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        landscape_frame = Frame(LANDSCAPE_MARGIN_SIDE, LANDSCAPE_MARGIN_BOTTOM, landscape_width(),
                                LANDSCAPE_SIZE[1] - LANDSCAPE_MARGIN_TOP - LANDSCAPE_MARGIN_BOTTOM,
                                id="landscape", leftPadding=0, rightPadding=0, topPadding=0,
                                bottomPadding=0)
        templates = [
            PageTemplate("portrait", [portrait_frame], onPage=_draw_header, pagesize=PORTRAIT_SIZE),
            PageTemplate("landscape", [landscape_frame], onPage=_draw_header, pagesize=LANDSCAPE_SIZE),
        ]
        if start_landscape:
            templates.reverse()
        self.addPageTemplates(templates)

    def afterPage(self):  # noqa: N802 - reportlab's hook
        """Report each finished page; a progress callback may raise :class:`RenderCancelled`."""
        if self.progress is not None:
            self.progress(self.page)

    def build(self, flowables):  # noqa: D102
        info = self.page_info
        super().build(flowables, canvasmaker=lambda *a, **kw: NumberedCanvas(*a, page_info=info, **kw))


def portrait_width() -> float:
    """Usable width of a portrait page (points)."""
    return PORTRAIT_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT


def landscape_width() -> float:
    """Usable width of a landscape page (points)."""
    return LANDSCAPE_SIZE[0] - 2 * LANDSCAPE_MARGIN_SIDE


class RenderCancelled(Exception):
    """Raised by a progress callback to stop laying out a report (the clerk pressed 取消)."""


def render_story(story: list[Flowable], target, *, title: str, author: str = "",
                 subject: str = "", page_info: PageInfo | None = None,
                 start_landscape: bool = False, progress: Callable[[int], None] | None = None) -> int:
    """Lay out ``story`` into ``target`` (a path or a binary file object).  Returns the page count.

    ``progress(pages_done)`` is called after every page; it may raise :class:`RenderCancelled`.
    """
    if not story:
        story = [Paragraph("（无内容）", getStyleSheet()["Empty"])]
    doc = ReportDoc(target, title=title, author=author, subject=subject, page_info=page_info,
                    start_landscape=start_landscape, progress=progress)
    doc.build(story)
    return doc.page


# -- tables -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Marked:
    """A table cell printed in a colour (e.g. an overdue state in red)."""

    text: str
    colour: str = "#C00000"


#: a wrapped cell keeps at most this many lines (a row must fit on one page)
MAX_CELL_LINES = 30

#: punctuation that must not begin a line (Chinese and Western)
NO_LINE_START = set("，。、；：！？）》」』】〕〉”’…%‰℃,.;:!?)]}")

_width_cache: dict[tuple[str, float], dict[str, float]] = {}


def wrap_text(text: str, width: float, font: str, size: float) -> str:
    """Break ``text`` into lines no wider than ``width`` (points), joined with "\n".

    Character by character (Chinese has no spaces), keeping a Western word or
    number whole when it fits on a line, and never starting a line with closing
    punctuation (it hangs at the end of the previous line).  Existing "\n" are kept.
    """
    widths = _width_cache.setdefault((font, size), {})
    face = pdfmetrics.getFont(font)

    def measure(token: str) -> float:
        total = 0.0
        for t in token:
            cw = widths.get(t)
            if cw is None:
                cw = widths[t] = face.stringWidth(t, size)
            total += cw
        return total

    out_lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens: list[str] = []
        i = 0
        while i < len(paragraph):
            j = i + 1
            if paragraph[i].isascii() and paragraph[i].isalnum():
                while j < len(paragraph) and paragraph[j].isascii() and (
                        paragraph[j].isalnum() or paragraph[j] in "-_./:@"):
                    j += 1
            token = paragraph[i:j]
            # a word longer than the whole line is broken like Chinese text
            tokens.extend(token if len(token) > 1 and measure(token) > width else [token])
            i = j
        line, used = "", 0.0
        for token in tokens:
            w = measure(token)
            if line and used + w > width and token not in NO_LINE_START:
                out_lines.append(line.rstrip())
                line, used = "", 0.0
                if token == " ":
                    continue
            line += token
            used += w
        out_lines.append(line.rstrip())
    return "\n".join(out_lines)


def data_table(header: Sequence[str] | Sequence[Sequence[str]], rows: Iterable[Sequence[Any]],
               widths: Sequence[float], *, total_width: float, align: Sequence[str] | None = None,
               wrap: Iterable[int] = (), zebra: bool = True, font_size: float = CELL_SIZE,
               extra_style: Sequence[tuple] = (), row_styles: dict[int, Sequence[tuple]] | None = None,
               ) -> Table:
    """A ruled table whose header row(s) repeat on every page and whose rows never split.

    Args:
        header: the column titles (one row, or a list of rows for a two-level header
            — spans then go in ``extra_style``).
        rows: the body rows (already display strings or numbers).
        widths: relative column widths (any scale); they are stretched to ``total_width``.
        total_width: the frame width (``portrait_width()`` or ``landscape_width()``).
        align: per column "L", "C" or "R" (default: centred).
        wrap: indexes of columns whose text wraps inside its cell (names, descriptions).
        zebra: stripe every other body row.
        extra_style: further ``TableStyle`` commands.
        row_styles: body-row index → extra commands for that row (use column range
            ``(0, r), (-1, r)`` with ``r`` as given; the header offset is added here).

    Returns:
        a ``LongTable``, or for more than :data:`PAGED_MIN_ROWS` rows a :class:`PagedTable`
        (laid out one page at a time).
    """
    sheet = getStyleSheet()
    header_rows = [list(header)] if header and isinstance(header[0], str) else [list(h) for h in header]
    n_header = len(header_rows)
    ncols = len(header_rows[0])
    align = list(align or ["C"] * ncols)
    wrap_cols = set(wrap)
    scale = total_width / float(sum(widths))
    col_widths = [w * scale for w in widths]
    head_style = sheet["HeaderCell"]
    if font_size != CELL_SIZE:
        head_style = _header_style(font_size)

    data: list[list[Any]] = []
    for hrow in header_rows:
        data.append([Paragraph(esc(text), head_style) if text else "" for text in hrow])
    pad = 2 * 2.5
    per_row: dict[int, list[tuple]] = {}   # body row → its own commands (body-relative rows)
    count = 0
    for r, row in enumerate(rows):
        out = []
        for c, value in enumerate(row):
            if isinstance(value, Flowable):
                out.append(value)
                continue
            if isinstance(value, Marked):
                per_row.setdefault(r, []).append(("TEXTCOLOR", (c, r), (c, r), value.colour))
                value = value.text
            text = "" if value is None else str(value)
            if c in wrap_cols and text:
                # Plain wrapped strings, not Paragraphs: a month's ledger has thousands of rows,
                # and a Paragraph per cell costs ten times the time and memory.
                text = wrap_text(text, col_widths[c] - pad, SONG, font_size)
                if text.count("\n") >= MAX_CELL_LINES:  # a row taller than a page cannot be laid out
                    text = "\n".join(text.split("\n")[:MAX_CELL_LINES - 1] + ["……（内容过长，已截断）"])
            out.append(text)
        data.append(out)
        count += 1

    style = [
        ("FONT", (0, 0), (-1, -1), SONG, font_size, font_size + 2.5),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_LINE),
        ("BOX", (0, 0), (-1, -1), 0.9, GRID_LINE),
        ("BACKGROUND", (0, 0), (-1, n_header - 1), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for c, a in enumerate(align):
        style.append(("ALIGN", (c, n_header), (c, -1), {"L": "LEFT", "C": "CENTER", "R": "RIGHT"}[a]))
    if zebra and count > 1:
        # One ROWBACKGROUNDS command, not one BACKGROUND per row: reportlab re-examines every
        # background command at each page split, which made a 10,000-row ledger quadratic.
        style.append(("ROWBACKGROUNDS", (0, n_header), (-1, -1), [colors.white, ZEBRA_BG]))
    for r, commands in (row_styles or {}).items():
        per_row.setdefault(r, []).extend(commands)
    style.extend(extra_style)
    if count > PAGED_MIN_ROWS and not any(cmd[0] == "SPAN" for cmd in extra_style):
        return PagedTable(data[:n_header], data[n_header:], col_widths, style, per_row,
                          leading=font_size + 2.5, padding=2 * 2.2)
    for r, commands in per_row.items():
        style.extend(_shift(cmd, n_header) for cmd in commands)
    return LongTable(data, colWidths=col_widths, repeatRows=n_header, splitByRow=1, style=TableStyle(style),
                     hAlign="CENTER")


def _shift(cmd: tuple, offset: int, first: int = 0) -> tuple:
    """A body-relative style command moved to table rows (``offset`` header rows, body from ``first``)."""
    name, start, stop, *rest = cmd
    return (name, (start[0], start[1] - first + offset), (stop[0], stop[1] - first + offset), *rest)


#: tables longer than this are laid out one page at a time (:class:`PagedTable`)
PAGED_MIN_ROWS = 120


class PagedTable(Flowable):
    """A long ruled table laid out one page at a time.

    reportlab re-examines the *whole rest* of a table at every page break, so a
    ledger of 10,000 rows took minutes (quadratic).  This flowable keeps the rows
    and makes an ordinary ``Table`` of the header plus the rows that fit on the
    current page; the rest stays a cheap ``PagedTable`` for the next page.  Body
    cells are plain strings ("\n" = line break), so row heights are estimated from
    line counts and then checked with the real table.

    Args:
        header: the header row(s) (repeated on every page).
        body: the body rows.
        col_widths: column widths in points.
        style: table-wide commands (body rows start after the header rows).
        per_row: body row → commands for that row, with body-relative row numbers.
        leading, padding: line height and top + bottom cell padding (for the estimates).
        start: the first body row of this part.
    """

    def __init__(self, header: list[list[Any]], body: list[list[Any]], col_widths: list[float],
                 style: list[tuple], per_row: dict[int, list[tuple]], *, leading: float, padding: float,
                 start: int = 0):
        super().__init__()
        self.header = header
        self.body = body
        self.col_widths = col_widths
        self.style = style
        self.per_row = per_row
        self.leading = leading
        self.padding = padding
        self.start = start
        self.hAlign = "CENTER"
        self._table: Table | None = None
        self._header_height: float | None = None
        self._estimates: dict[int, float] = {}

    def _make(self, stop: int) -> Table:
        rows = self.body[self.start:stop]
        n_header = len(self.header)
        commands = list(self.style)
        for r in range(self.start, stop):
            for cmd in self.per_row.get(r, ()):
                commands.append(_shift(cmd, n_header, self.start))
        return Table(self.header + rows, colWidths=self.col_widths, repeatRows=n_header, style=TableStyle(commands),
                     hAlign="CENTER")

    def _row_height(self, r: int, avail_width: float) -> float:
        height = self._estimates.get(r)
        if height is None:
            lines = 1
            for c, value in enumerate(self.body[r]):
                if isinstance(value, Flowable):
                    _w, h = value.wrap(self.col_widths[c] - 5, 10_000)
                    lines = max(lines, h / self.leading)
                elif isinstance(value, str) and "\n" in value:
                    lines = max(lines, value.count("\n") + 1)
            height = self._estimates[r] = lines * self.leading + self.padding
        return height

    def _header_h(self, avail_width: float) -> float:
        if self._header_height is None:
            header_only = Table(self.header, colWidths=self.col_widths, style=TableStyle(self.style))
            self._header_height = header_only.wrap(avail_width, 10_000)[1]
        return self._header_height

    def wrap(self, avail_width, avail_height):
        total = self._header_h(avail_width)
        end = len(self.body)
        for r in range(self.start, end):
            total += self._row_height(r, avail_width)
            if total > avail_height:  # does not fit: the frame will ask for a split
                self._table = None
                self.width, self.height = sum(self.col_widths), total
                return self.width, total
        self._table = self._make(end)
        self.width, self.height = self._table.wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        used = self._header_h(avail_width)
        stop = self.start
        while stop < len(self.body):
            h = self._row_height(stop, avail_width)
            if used + h > avail_height:
                break
            used += h
            stop += 1
        while stop > self.start:
            table = self._make(stop)
            if table.wrap(avail_width, avail_height)[1] <= avail_height:
                break
            stop -= 1  # the estimate was a little short: one row less
        if stop == self.start:
            return []  # not even one row fits here: start on the next page
        rest = PagedTable(self.header, self.body, self.col_widths, self.style, self.per_row,
                          leading=self.leading, padding=self.padding, start=stop)
        rest._header_height, rest._estimates = self._header_height, self._estimates
        parts: list[Flowable] = [table]
        if stop < len(self.body):
            parts.append(rest)
        return parts

    def draw(self):
        if self._table is None:
            self.wrap(self.width, 1e9)
        self._table.drawOn(self.canv, 0, 0)


_header_styles: dict[float, ParagraphStyle] = {}


def _header_style(font_size: float) -> ParagraphStyle:
    """The header-cell style at another size (cached: tables are built often)."""
    if font_size not in _header_styles:
        _header_styles[font_size] = ParagraphStyle(f"HeaderCell-{font_size}", parent=getStyleSheet()["HeaderCell"],
                                                   fontSize=font_size, leading=font_size + 2.5)
    return _header_styles[font_size]


def key_value_table(pairs: Sequence[tuple[str, str]], *, total_width: float, columns: int = 2) -> Table:
    """Summary figures as a ruled grid of "label | value" pairs, ``columns`` pairs per row."""
    sheet = getStyleSheet()
    rows: list[list[Any]] = []
    for i in range(0, len(pairs), columns):
        row: list[Any] = []
        for label, value in pairs[i:i + columns]:
            row += [Paragraph(esc(label), sheet["HeaderCell"]), Paragraph(esc(value), sheet["CellCenter"])]
        while len(row) < 2 * columns:
            row += ["", ""]
        rows.append(row)
    widths = [total_width / columns * 0.55, total_width / columns * 0.45] * columns
    style = [("FONT", (0, 0), (-1, -1), SONG, CELL_SIZE),
             ("GRID", (0, 0), (-1, -1), 0.5, GRID_LINE), ("BOX", (0, 0), (-1, -1), 0.9, GRID_LINE),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 3),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    for c in range(0, 2 * columns, 2):
        style.append(("BACKGROUND", (c, 0), (c, -1), HEADER_BG))
    return Table(rows, colWidths=widths, style=TableStyle(style), hAlign="CENTER")


def layout_table(rows: list[list[Any]], widths: Sequence[float], style: Sequence[tuple] = (),
                 **kw) -> Table:
    """An unruled table for layout (a line of label/value cells).  Its cell font is Song:
    a table without a FONT command would put reportlab's Helvetica (never embedded) in the PDF."""
    commands = [("FONT", (0, 0), (-1, -1), SONG, 9.5), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0), *style]
    return Table(rows, colWidths=list(widths), style=TableStyle(commands), **kw)


def signature_block(issuer: str, date_text: str, *, seal_note: str = "",
                    lead: Sequence[Flowable] = ()) -> Flowable:
    """Issuing body and date, right-aligned, kept together at the end of a notice.

    ``lead``: the closing paragraphs ("特此通报。"), kept on the same page as the signature.
    """
    sheet = getStyleSheet()
    parts: list[Flowable] = [*lead, Spacer(1, 10 * mm)]
    parts.append(Paragraph(esc(issuer) + "&nbsp;" * 6, sheet["Signature"]))
    if seal_note:
        parts.append(Paragraph(esc(seal_note) + "&nbsp;" * 10, sheet["Signature"]))
    parts.append(Paragraph(esc(date_text) + "&nbsp;" * 6, sheet["Signature"]))
    return KeepTogether(parts)


def masthead(issuer: str, *, doc_number: str = "") -> list[Flowable]:
    """The red masthead (红头) of a notice: issuing body in red and a red rule."""
    sheet = getStyleSheet()
    out: list[Flowable] = [Paragraph(esc(issuer), sheet["Masthead"])]
    if doc_number:
        out.append(Paragraph(esc(doc_number), sheet["DocNumber"]))
    out.append(RedRule())
    return out


class RedRule(Flowable):
    """The red separator line under a masthead (GB/T 9704 版头中的分隔线)."""

    def __init__(self, thickness: float = 1.6, space: float = 4 * mm):
        super().__init__()
        self.thickness = thickness
        self.space = space

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.thickness + 2 * self.space

    def draw(self):
        self.canv.saveState()
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(self.thickness)
        y = self.space + self.thickness / 2
        self.canv.line(0, y, self.width, y)
        self.canv.restoreState()


# -- charts -------------------------------------------------------------------------------

BAR_COLOUR = colors.HexColor("#5B7DB1")
GRIDLINE_COLOUR = colors.HexColor("#DDDDDD")


class BarChart(Flowable):
    """A bar chart drawn straight on the canvas, every string in an embedded face.

    (reportlab.graphics charts took over a second for 400 bars and default to the
    never-embedded Helvetica; this draws the same picture in a few milliseconds.)

    Args:
        labels: category labels (grid names) in display order (top to bottom when horizontal).
        values: one value per label.
        width: the drawing width in points.
        title: printed above the chart.
        horizontal: bars left to right (for many categories); vertical otherwise.
        value_max: the axis maximum (default: a round number above the largest value).
        highlight: index → fill colour for bars to pick out (the red and the black list).
        value_format: format of the value printed at the end of each bar.
    """

    BAR_SPACE = 12.5       # points per bar, horizontal
    VERTICAL_HEIGHT = 200  # plot height, vertical

    def __init__(self, labels: Sequence[str], values: Sequence[float | None], *, width: float, title: str = "",
                 horizontal: bool = False, value_max: float | None = None,
                 highlight: dict[int, Any] | None = None, value_format: str = "%.2f"):
        super().__init__()
        register_fonts()
        self.labels = [str(s) for s in labels]
        self.values = [float(v or 0) for v in values]
        self.width = width
        self.title = title
        self.horizontal = horizontal
        self.axis_max = value_max if value_max is not None else _nice_ceiling(max(self.values + [0.0]))
        self.step = _nice_step(self.axis_max)
        self.highlight = dict(highlight or {})
        self.value_format = value_format
        self.n = len(self.labels)
        self.label_size = 7.5 if self.n > 12 else 8.5
        self.value_size = 6.5 if self.n > 12 else 7.5
        self.title_height = 18 if title else 0
        if horizontal:
            self.height = self.title_height + self.n * self.BAR_SPACE + 20
        else:
            self.height = self.title_height + self.VERTICAL_HEIGHT + (46 if self.n > 8 else 22)

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def _ticks(self) -> list[float]:
        ticks, value = [], 0.0
        while value <= self.axis_max + 1e-9:
            ticks.append(value)
            value += self.step
        return ticks

    def _tick_text(self, value: float) -> str:
        return f"{value:g}"

    def draw(self):
        canv = self.canv
        canv.saveState()
        if self.title:
            canv.setFont(HEI, 10.5)
            canv.setFillColor(colors.black)
            canv.drawCentredString(self.width / 2, self.height - 12, self.title)
        if self.horizontal:
            self._draw_horizontal(canv)
        else:
            self._draw_vertical(canv)
        canv.restoreState()

    def _bar_colour(self, i: int):
        return self.highlight.get(i, BAR_COLOUR)

    def _grid_and_axes(self, canv, x0: float, y0: float, x1: float, y1: float, scale: float) -> None:
        """The gridlines with their values, then the two axes, of the plot area (x0, y0)–(x1, y1):
        the values run along x for horizontal bars, along y for vertical ones."""
        canv.setLineWidth(0.4)
        canv.setFont(SONG, 7)
        for tick in self._ticks():
            at = (x0 if self.horizontal else y0) + tick * scale
            canv.setStrokeColor(GRIDLINE_COLOUR)
            if self.horizontal:
                canv.line(at, y0, at, y1)
            else:
                canv.line(x0, at, x1, at)
            canv.setFillColor(colors.black)
            if self.horizontal:
                canv.drawCentredString(at, y0 - 10, self._tick_text(tick))
            else:
                canv.drawRightString(x0 - 3, at - 2.5, self._tick_text(tick))
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(0.6)
        canv.line(x0, y0, x1, y0)
        canv.line(x0, y0, x0, y1)

    def _draw_horizontal(self, canv) -> None:
        label_w = min(120.0, 8 + max((pdfmetrics.stringWidth(t, SONG, self.label_size) for t in self.labels),
                                     default=10))
        x0, x1 = label_w, self.width - 34
        y_top = self.height - self.title_height - 4
        y_bottom = y_top - self.n * self.BAR_SPACE
        scale = (x1 - x0) / self.axis_max if self.axis_max else 0
        self._grid_and_axes(canv, x0, y_bottom, x1, y_top, scale)
        bar_h = self.BAR_SPACE * 0.68
        for i, (label, value) in enumerate(zip(self.labels, self.values)):
            y = y_top - (i + 1) * self.BAR_SPACE + (self.BAR_SPACE - bar_h) / 2
            canv.setFillColor(self._bar_colour(i))
            canv.rect(x0, y, max(0.0, value) * scale, bar_h, stroke=0, fill=1)
            canv.setFillColor(colors.black)
            canv.setFont(SONG, self.label_size)
            canv.drawRightString(x0 - 3, y + bar_h / 2 - self.label_size * 0.35, label)
            canv.setFont(SONG, self.value_size)
            canv.drawString(x0 + max(0.0, value) * scale + 2, y + bar_h / 2 - self.value_size * 0.35,
                            self.value_format % value)

    def _draw_vertical(self, canv) -> None:
        x0 = 30.0
        plot_w = min(self.width - x0 - 10, 30.0 + self.n * 42)
        x0 += (self.width - x0 - 10 - plot_w) / 2
        x1 = x0 + plot_w
        y0 = 46 if self.n > 8 else 22
        y1 = y0 + self.VERTICAL_HEIGHT - 14
        scale = (y1 - y0) / self.axis_max if self.axis_max else 0
        self._grid_and_axes(canv, x0, y0, x1, y1, scale)
        slot = plot_w / max(1, self.n)
        bar_w = min(36.0, slot * 0.6)
        for i, (label, value) in enumerate(zip(self.labels, self.values)):
            cx = x0 + slot * (i + 0.5)
            canv.setFillColor(self._bar_colour(i))
            canv.rect(cx - bar_w / 2, y0, bar_w, max(0.0, value) * scale, stroke=0, fill=1)
            canv.setFillColor(colors.black)
            canv.setFont(SONG, self.value_size)
            canv.drawCentredString(cx, y0 + max(0.0, value) * scale + 2, self.value_format % value)
            canv.setFont(SONG, self.label_size)
            if self.n > 8:
                canv.saveState()
                canv.translate(cx, y0 - 4)
                canv.rotate(35)
                canv.drawRightString(0, -self.label_size, label)
                canv.restoreState()
            else:
                canv.drawCentredString(cx, y0 - self.label_size - 3, label)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, width: float, title: str = "",
              horizontal: bool = False, value_max: float | None = None,
              highlight: dict[int, Any] | None = None, value_format: str = "%.2f") -> BarChart:
    """A :class:`BarChart` (see there for the arguments)."""
    return BarChart(labels, values, width=width, title=title, horizontal=horizontal, value_max=value_max,
                    highlight=highlight, value_format=value_format)


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step * 10:
            return float(step * int(value / step + 1))
    return float(value * 1.1)


def _nice_step(axis_max: float) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 2000, 5000):
        if axis_max / step <= 10:
            return float(step)
    return axis_max / 10


def red_text(text: str) -> str:
    """Paragraph markup for text printed in red (the red list)."""
    return f'<font color="#C00000">{esc(text)}</font>'


def section_title(text: str) -> Paragraph:
    return Paragraph(esc(text), getStyleSheet()["Heading1"])


def empty_note(text: str = "本期无记录。") -> Paragraph:
    return Paragraph(esc(text), getStyleSheet()["Empty"])


def table_section(title: str, table: Flowable | None, *, note: str, empty: str) -> list[Flowable]:
    """A numbered section of a report: its heading, then ``table`` with ``note`` (markup) under it,
    or, when there is no table (``None``), the line ``empty``."""
    if table is None:
        return [section_title(title), empty_note(empty)]
    return [section_title(title), table, Paragraph(note, getStyleSheet()["Note"])]


__all__ = [
    "HEI", "SONG", "RED", "ReportDoc", "RenderCancelled", "NumberedCanvas", "PageInfo", "render_story", "data_table",
    "key_value_table", "layout_table", "signature_block", "masthead", "bar_chart", "BarChart", "portrait_width", "landscape_width",
    "Marked", "esc", "cn_date", "cn_month", "cn_period", "pct", "num", "signed", "red_text", "section_title",
    "empty_note", "table_section",
]
