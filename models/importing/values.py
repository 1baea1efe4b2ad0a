"""Cleaning cell values the way clerks' spreadsheets hold them.

Cells arrive as ``str``, ``int``, ``float`` (Excel stores every number as a float),
``datetime``/``time`` (python-calamine converts date-formatted cells; the reader makes a
date a ``datetime``),
``bool`` or ``None``.  These helpers turn them into the text a spec stores, and
are shared by every import spec.  Dates are parsed by ``models.core.periods``
(``parse_date``, ``parse_datetime``, ``parse_timestamp``), the one parser forms use too.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import NamedTuple

from models.core.periods import half_width


def is_blank(value: object) -> bool:
    """True for an empty cell: ``None`` or text of only whitespace."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def text(value: object) -> str:
    """A cell as trimmed text.  ``301.0`` → ``"301"``; dates → ``YYYY-MM-DD``; ``None`` → ``""``."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip().replace("\u3000", " ").strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


_SPACES = re.compile(r"\s+")


def compact(value: object) -> str:
    """Text with every space removed and full-width characters made half-width."""
    if value is None:
        return ""
    return _SPACES.sub("", half_width(text(value)))


def no_spaces(value: str) -> str:
    """``value`` without any whitespace (``"张 三"`` → ``"张三"``)."""
    return _SPACES.sub("", value)


class PlaceCells(NamedTuple):
    """Where a row says it is, as typed (see :func:`place_cells`)."""

    community: str
    grid: str
    building: str
    unit: str
    room: str


def place_cells(raw: dict, own_community: str) -> PlaceCells:
    """社区/网格/楼栋/单元/房号 of a row: a blank 社区 is ``own_community``; 楼栋, 单元 and 房号
    lose their spaces, and ``301室`` is ``301``."""
    room = no_spaces(text(raw.get("room")))
    if room.endswith("室") and room[:-1].isdigit():
        room = room[:-1]
    return PlaceCells(text(raw.get("community")) or own_community, text(raw.get("grid")),
                      no_spaces(text(raw.get("building"))), no_spaces(text(raw.get("unit"))), room)


def parse_number(value: object) -> tuple[float | None, str | None]:
    """A cell as a number (``2``, ``2.5``, ``"2.5小时"``, ``"３"``); ``(None, None)`` when blank."""
    if is_blank(value):
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    raw = compact(value)
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?:小时|个?小时|h|人|人次|个|次)?", raw, re.IGNORECASE)
    if match:
        return float(match.group(1)), None
    return None, f"“{text(value)}”不是数字"
