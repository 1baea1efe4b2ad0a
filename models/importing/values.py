"""Cleaning cell values the way clerks' spreadsheets hold them.

Cells arrive as ``str``, ``int``, ``float`` (Excel stores every number as a float),
``datetime``/``date``/``time`` (openpyxl and xlrd convert date-formatted cells),
``bool`` or ``None``.  These helpers turn them into the text and dates a spec
stores, and are shared by every import spec.
"""

from __future__ import annotations

import datetime as _dt
import re

#: Full-width ASCII (！ … ～) and the ideographic space, mapped to their half-width forms.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20


def is_blank(value: object) -> bool:
    """True for an empty cell: ``None`` or text of only whitespace."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def half_width(text: str) -> str:
    """Full-width digits, letters and punctuation → half-width (``１２３ｘ`` → ``123x``)."""
    return text.translate(_FULL_WIDTH)


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
    return _SPACES.sub("", text(value).translate(_FULL_WIDTH))


def no_spaces(value: str) -> str:
    """``value`` without any whitespace (``"张 三"`` → ``"张三"``)."""
    return _SPACES.sub("", value)


# -- dates -------------------------------------------------------------------------------

_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
#: Serial numbers Excel can show as dates (1900-01-01 .. 9999-12-31).
_SERIAL_MIN, _SERIAL_MAX = 1, 2958465

_DATE_PATTERNS = [
    # 1990-3-7, 1990/03/07, 1990.3.7, 1990年3月7日, 1990 年 3 月 7 号, 1990-03-07 08:30:00
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
               r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?$"),
    # 19900307
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def excel_serial_to_datetime(serial: float) -> _dt.datetime | None:
    """An Excel (1900 system) serial number as a datetime, or None when out of range.

    Serials below 61 fall before Excel's fictitious 1900-02-29; nobody in a
    ledger was born or moved in then, so the simple epoch is right for real data.
    """
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return None
    return _EXCEL_EPOCH + _dt.timedelta(days=float(serial))


def parse_datetime(value: object) -> tuple[_dt.datetime | None, str | None]:
    """A cell as a datetime: Excel dates, serial numbers and the ways clerks type dates.

    Accepts ``datetime``/``date`` cells, Excel serial numbers (``32940``),
    ``1990.3.7``, ``1990年3月7日``, ``1990/03/07``, ``1990-3-7``, ``19900307``,
    optionally followed by a time (``2026-10-15 09:30``).

    Returns:
        ``(datetime, None)``, ``(None, None)`` for a blank cell, or
        ``(None, message)`` with a Chinese message when the cell is not a date.
    """
    if is_blank(value):
        return None, None
    if isinstance(value, _dt.datetime):
        return value.replace(microsecond=0), None
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        found = excel_serial_to_datetime(value) if value >= 10000 else None
        if found is None and isinstance(value, (int, float)) and 19000101 <= value <= 21001231:
            return parse_datetime(str(int(value)))
        if found is None:
            return None, f"“{text(value)}”不是有效的日期"
        return found.replace(microsecond=0), None
    raw = half_width(text(value))
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):  # a serial number that went through CSV
        return parse_datetime(float(raw))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            parts += [0] * (6 - len(parts))
            try:
                return _dt.datetime(*parts[:6]), None
            except ValueError:
                return None, f"“{raw}”不是有效的日期"
    return None, f"“{raw}”不是有效的日期（请写成 1990-03-07 或 1990年3月7日）"


def parse_date(value: object) -> tuple[str | None, str | None]:
    """Like :func:`parse_datetime` but returns a ``YYYY-MM-DD`` string."""
    found, error = parse_datetime(value)
    return (found.strftime("%Y-%m-%d") if found else None), error


def parse_timestamp(value: object) -> tuple[str | None, str | None]:
    """Like :func:`parse_datetime` but returns a ``YYYY-MM-DD HH:MM:SS`` string."""
    found, error = parse_datetime(value)
    return (found.strftime("%Y-%m-%d %H:%M:%S") if found else None), error


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
