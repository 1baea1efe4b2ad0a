"""Periods: months, years and "as of" bounds — the one place that knows a calendar.

Storage conventions (models/core/db.py): dates ``YYYY-MM-DD``, timestamps
``YYYY-MM-DD HH:MM:SS``, months ``YYYY-MM``; text comparison orders them.  A month's
figures are "as of the last second of the month" (SPEC §3, §5).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

from models.core.errors import ValidationError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")

#: open ends of an inclusive date period
NO_START, NO_END = "0000-01-01", "9999-12-31"


def check_month(month: str) -> str:
    """``YYYY-MM`` stripped, or a clear message.

    Raises:
        ValidationError: field ``month``.
    """
    text = str(month or "").strip()
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise ValidationError(f"月份“{month}”格式不正确，应为 YYYY-MM（例如 2026-10）。", field="month")
    return text


def check_year(year) -> int:
    text = str(year or "").strip()
    if not _YEAR.match(text) or int(text) < 1:
        raise ValidationError(f"年份“{year}”格式不正确，应为四位数字（例如 2026）。", field="year")
    return int(text)


@dataclass(frozen=True)
class Month:
    """One calendar month and its bounds (all text, as stored).

    Attributes:
        month: ``YYYY-MM``.
        first_day, last_day: ``YYYY-MM-DD``, inclusive.
        start_ts, end_ts: the first and the last second, ``YYYY-MM-DD HH:MM:SS``.
        next_first_day: the first day of the next month (an exclusive upper bound).
    """

    month: str
    first_day: str
    last_day: str
    start_ts: str
    end_ts: str
    next_first_day: str

    @property
    def text(self) -> str:
        """``2026年10月``."""
        return month_text(self.month)


def month(month_str: str) -> Month:
    """The bounds of ``YYYY-MM`` (validated)."""
    m = check_month(month_str)
    year, mon = int(m[:4]), int(m[5:])
    last = calendar.monthrange(year, mon)[1]
    first_day, last_day = f"{m}-01", f"{m}-{last:02d}"
    nxt = f"{year + 1:04d}-01-01" if mon == 12 else f"{year:04d}-{mon + 1:02d}-01"
    return Month(m, first_day, last_day, f"{first_day} 00:00:00", f"{last_day} 23:59:59", nxt)


def month_days(month_str: str) -> tuple[str, str]:
    """``2026-10`` → (``2026-10-01``, ``2026-10-31``)."""
    b = month(month_str)
    return b.first_day, b.last_day


def month_of(value: _dt.date | _dt.datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def previous_month(month_str: str) -> str:
    year, mon = int(month_str[:4]), int(month_str[5:])
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def next_month(month_str: str) -> str:
    year, mon = int(month_str[:4]), int(month_str[5:])
    return f"{year + 1:04d}-01" if mon == 12 else f"{year:04d}-{mon + 1:02d}"


def months_of_year(year: int) -> list[str]:
    return [f"{int(year):04d}-{m:02d}" for m in range(1, 13)]


def recent_months(now: _dt.date | _dt.datetime, count: int = 24) -> list[str]:
    """The last ``count`` months up to the one of ``now``, newest first."""
    out, current = [], month_of(now)
    for _ in range(count):
        out.append(current)
        current = previous_month(current)
    return out


def month_text(month_str: str) -> str:
    """``2026-10`` → ``2026年10月``."""
    return f"{int(month_str[:4])}年{int(month_str[5:])}月"


def check_date(value, what: str = "日期", field: str = "date") -> str:
    """A ``YYYY-MM-DD`` date, or a clear message naming ``what``."""
    try:
        return _dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError(f"{what}“{value}”格式不对，应为 YYYY-MM-DD。", field=field) from None


def period(date_from: str | None, date_to: str | None) -> tuple[str, str]:
    """An inclusive ``YYYY-MM-DD`` period; a missing end means "no limit".

    Raises:
        ValidationError: a malformed date, or a start after the end (field ``date``).
    """
    lo = check_date(date_from, "开始日期") if date_from else NO_START
    hi = check_date(date_to, "结束日期") if date_to else NO_END
    if lo > hi:
        raise ValidationError("开始日期不能晚于结束日期。", field="date")
    return lo, hi


# -- dates as clerks type them (forms and imported sheets) --------------------------------

#: Full-width ASCII (！ … ～) and the ideographic space, mapped to their half-width forms.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20

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


def half_width(text: str) -> str:
    """Full-width digits, letters and punctuation → half-width (``１２３ｘ`` → ``123x``)."""
    return text.translate(_FULL_WIDTH)


def _typed_text(value: object) -> str:
    """What the clerk typed, as trimmed text (numbers without a trailing ``.0``)."""
    if isinstance(value, str):
        return value.strip().replace("\u3000", " ").strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def excel_serial_to_datetime(serial: float) -> _dt.datetime | None:
    """An Excel (1900 system) serial number as a datetime, or None when out of range.

    Serials below 61 fall before Excel's fictitious 1900-02-29; nobody in a
    ledger was born or moved in then, so the simple epoch is right for real data.
    """
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return None
    return _EXCEL_EPOCH + _dt.timedelta(days=float(serial))


#: no date in a ledger is before this year (a birth date, a move, a matter): an earlier one is a typo
EARLIEST_YEAR = 1900


def parse_datetime(value: object) -> tuple[_dt.datetime | None, str | None]:
    """:func:`_parse_datetime`, a year before :data:`EARLIEST_YEAR` refused."""
    found, error = _parse_datetime(value)
    if found is not None and found.year < EARLIEST_YEAR:
        shown = value.isoformat(" ") if isinstance(value, _dt.datetime) else \
            value.isoformat() if isinstance(value, _dt.date) else _typed_text(value)
        return None, f"“{shown}”的年份 {found.year} 不合理"
    return found, error


def _parse_datetime(value: object) -> tuple[_dt.datetime | None, str | None]:
    """A date (and time) as clerks type it, or as a spreadsheet cell holds it.

    Accepts ``datetime``/``date`` values, Excel serial numbers (``32940``),
    ``1990.3.7``, ``1990年3月7日``, ``1990/03/07``, ``1990-3-7``, ``19900307``, full-width
    digits, optionally followed by a time (``2026-10-15 09:30``).

    Returns:
        ``(datetime, None)``, ``(None, None)`` for a blank value, or
        ``(None, message)`` with a Chinese message when the value is not a date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, _dt.datetime):
        return value.replace(microsecond=0), None
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day), None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        found = excel_serial_to_datetime(value) if value >= 10000 else None
        if found is None and 19000101 <= value <= 21001231:
            return _parse_datetime(str(int(value)))
        if found is None:
            return None, f"“{_typed_text(value)}”不是有效的日期"
        return found.replace(microsecond=0), None
    raw = half_width(_typed_text(value))
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):  # a serial number that went through CSV
        return _parse_datetime(float(raw))
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
    return (found.date().isoformat() if found else None), error     # (strftime drops a year's zeros)


def parse_timestamp(value: object) -> tuple[str | None, str | None]:
    """Like :func:`parse_datetime` but returns a ``YYYY-MM-DD HH:MM:SS`` string."""
    found, error = parse_datetime(value)
    return (found.isoformat(" ") if found else None), error


# -- what a clerk types into a date or time field ------------------------------------------

#: a time of day as typed: ``1130``, ``930``, ``11.30``, ``11:30``, ``11：30``, ``11点30``
_TYPED_TIME = re.compile(r"^(\d{1,2})(?:[:.点]?(\d{2}))?分?$|^(\d{1,2})[:.点](\d{1,2})分?$")
#: a month and day of the current year as typed: ``11-30``, ``11.30``, ``11/30``, ``11月30日``, ``1130``
_TYPED_MONTH_DAY = re.compile(r"^(\d{1,2})(?:[-./月](\d{1,2})日?|(\d{2}))$")


def parse_typed_time(text: str) -> _dt.time | None:
    """A time of day as clerks type it (``1130``, ``930``, ``11.30``, ``11:30``, ``11点30``, ``9``).

    Returns:
        The time, or None when ``text`` is not one.
    """
    raw = half_width(text.strip())
    match = _TYPED_TIME.match(raw)
    if not match:
        return None
    if match.group(1) is not None:
        digits = match.group(1) + (match.group(2) or "")
        if match.group(2) is None and len(digits) > 2:      # 930, 1130 typed without a separator
            hour, minute = int(digits[:-2]), int(digits[-2:])
        else:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
    else:
        hour, minute = int(match.group(3)), int(match.group(4))
    if hour > 23 or minute > 59:
        return None
    return _dt.time(hour, minute)


def parse_typed_date(text: str, this_year: int) -> _dt.date | None:
    """A date as clerks type it: ``20261130``, ``2026.11.30``, ``2026-11-30``, ``2026年11月30日``, or a
    month and day of ``this_year`` (``11-30``, ``11.30``, ``11/30``, ``11月30日``, ``1130``).

    Returns:
        The date, or None when ``text`` is not one.
    """
    raw = half_width(text.strip())
    if not raw:
        return None
    match = _TYPED_MONTH_DAY.match(raw)
    if match:
        month_, day = int(match.group(1)), int(match.group(2) or match.group(3))
        try:
            return _dt.date(this_year, month_, day)
        except ValueError:
            return None
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):      # not an Excel serial when typed into a field
        return None
    found, error = parse_datetime(raw)
    return found.date() if found and not error and found.time() == _dt.time(0) else None


def parse_typed_datetime(text: str, current: _dt.datetime, *, has_date: bool = True,
                         has_time: bool = True) -> _dt.datetime | None:
    """What a clerk typed into a date/time field, over the value it held (``current``).

    A date alone keeps ``current``'s time, a time alone keeps its date; in a field with both,
    four digits or ``11.30`` are a time (``1130``), in a date field a month and day; ``11-30`` is
    always a date of ``current``'s year.  ``20261130 1130`` gives both.

    Returns:
        The new value, or None when ``text`` is not a date/time the field can hold.
    """
    raw = half_width(text.strip()).replace("\u3000", " ")
    parts = raw.replace("T", " ").split()
    if not parts or len(parts) > 2:
        return None
    if len(parts) == 2:
        if not (has_date and has_time):
            return None
        day, time = parse_typed_date(parts[0], current.year), parse_typed_time(parts[1])
        return _dt.datetime.combine(day, time) if day and time else None
    token = parts[0]
    if has_time and (not has_date or not re.search(r"[-/年月日]", token)) and len(re.sub(r"\D", "", token)) <= 4:
        time = parse_typed_time(token)
        return current.replace(hour=time.hour, minute=time.minute, second=0, microsecond=0) if time else None
    if has_date:
        day = parse_typed_date(token, current.year)
        return current.replace(year=day.year, month=day.month, day=day.day) if day else None
    return None
