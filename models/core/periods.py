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
