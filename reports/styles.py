"""Every paragraph and table style of the printouts, in one place (after reportlab's docco).

Sizes follow the Chinese point names of official documents (GB/T 9704 spirit):
二号 22 pt for a document title, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt,
小五 9 pt.  Titles print in Hei (or Song for the red masthead), running text in
FangSong (Song where no FangSong is installed), table cells in Song.  Every
style wraps Chinese text (``wordWrap='CJK'``).
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, StyleSheet1

from reports.fonts import FANG as _FANG, HEI, KAI as _KAI, SONG, face, register_fonts

#: the red of a masthead (红头) and of the red list
RED = colors.HexColor("#C00000")
#: header row background and zebra stripes of tables
HEADER_BG = colors.HexColor("#E6E6E6")
ZEBRA_BG = colors.HexColor("#F6F6F6")
GRID_LINE = colors.HexColor("#444444")
BLACK = colors.black

#: table text size (小五 is 9 pt; 8.5 keeps 11 columns on portrait A4 readable)
CELL_SIZE = 8.5


#: Chinese punctuation that must not start a line.  reportlab's CJK wrapping knows the
#: Japanese list only (no full-width comma, semicolon, colon, question or exclamation
#: mark, closing quote or book-title mark), so "，" could begin a line.
CHINESE_CANNOT_START = "\uff0c\uff1b\uff1a\uff01\uff1f\u201d\u2019\u300b\u3009\uff3d\uff5d\u2026"


def _teach_chinese_line_breaking() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    extra = "".join(c for c in CHINESE_CANNOT_START if c not in paragraph.ALL_CANNOT_START)
    if extra:
        paragraph.ALL_CANNOT_START += extra
        textsplit.ALL_CANNOT_START = paragraph.ALL_CANNOT_START


@lru_cache(maxsize=1)
def getStyleSheet() -> StyleSheet1:  # noqa: N802 - the docco name everyone knows
    """The style sheet of every report (fonts registered first)."""
    register_fonts()
    _teach_chinese_line_breaking()
    FANG, KAI = face(_FANG), face(_KAI)  # noqa: N806 - the faces actually installed
    sheet = StyleSheet1()
    base = ParagraphStyle("Normal", fontName=SONG, fontSize=10.5, leading=15, wordWrap="CJK",
                          textColor=BLACK)
    sheet.add(base)

    def add(name: str, **kw) -> None:
        sheet.add(ParagraphStyle(name, parent=base, **kw))

    # Mastheads and titles
    add("Masthead", fontName=SONG, fontSize=26, leading=34, alignment=TA_CENTER, textColor=RED,
        spaceAfter=2)
    add("DocTitle", fontName=HEI, fontSize=20, leading=30, alignment=TA_CENTER, spaceBefore=6,
        spaceAfter=6)
    add("LedgerTitle", fontName=HEI, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4)
    add("Subtitle", fontName=SONG, fontSize=11, leading=16, alignment=TA_CENTER, spaceAfter=8)
    add("DocNumber", fontName=FANG, fontSize=12, leading=18, alignment=TA_CENTER)
    # Running text
    add("Heading1", fontName=HEI, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4)
    add("CardTitle", fontName=HEI, fontSize=12.5, leading=18, spaceBefore=2, spaceAfter=1)
    add("Heading2", fontName=KAI, fontSize=13, leading=20, spaceBefore=6, spaceAfter=3)
    add("Body", fontName=FANG, fontSize=13, leading=22, firstLineIndent=26, alignment=TA_JUSTIFY)
    add("BodyFlush", fontName=FANG, fontSize=13, leading=22, alignment=TA_LEFT)
    add("Scheme", fontName=FANG, fontSize=11.5, leading=18)
    add("Salutation", fontName=FANG, fontSize=13, leading=22, spaceBefore=6)
    add("Note", fontName=SONG, fontSize=9, leading=13, textColor=colors.HexColor("#333333"),
        spaceBefore=4)  # a note under a table must not touch its bottom rule
    add("Meta", fontName=SONG, fontSize=9.5, leading=14)
    add("MetaRight", fontName=SONG, fontSize=9.5, leading=14, alignment=TA_RIGHT)
    add("Signature", fontName=FANG, fontSize=13, leading=22, alignment=TA_RIGHT)
    add("Empty", fontName=SONG, fontSize=10.5, leading=16, alignment=TA_CENTER,
        textColor=colors.HexColor("#555555"), spaceBefore=6, spaceAfter=6)
    # Table cells
    add("Cell", fontName=SONG, fontSize=CELL_SIZE, leading=CELL_SIZE + 2.5)
    add("CellCenter", fontName=SONG, fontSize=CELL_SIZE, leading=CELL_SIZE + 2.5, alignment=TA_CENTER)
    add("CellRight", fontName=SONG, fontSize=CELL_SIZE, leading=CELL_SIZE + 2.5, alignment=TA_RIGHT)
    add("HeaderCell", fontName=HEI, fontSize=CELL_SIZE, leading=CELL_SIZE + 2.5, alignment=TA_CENTER)
    # The volunteer certificate
    add("CertTitle", fontName=HEI, fontSize=30, leading=40, alignment=TA_CENTER, spaceAfter=18)
    add("CertBody", fontName=KAI, fontSize=16, leading=32, firstLineIndent=32, alignment=TA_JUSTIFY)
    add("CertSign", fontName=KAI, fontSize=15, leading=28, alignment=TA_RIGHT)
    return sheet
