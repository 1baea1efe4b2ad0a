"""Exports in an import template's columns, so that export → import round trips (matters, visits).

The file is written by the one tabular writer (``models.core.tabular``); the template's
text columns (phones, 房号) stay text; a month is a calendar month of ``models.core.periods``.
"""

from __future__ import annotations

from typing import Sequence

from models.core import periods, scope
from models.core.tabular import Column


def template_columns(columns: Sequence, widths: dict[str, int], default: int = 12) -> list[Column]:
    """The import ``columns`` (``models.importing.Column``) as export columns: the same headers,
    text where the import reads text (and 房号), ``widths`` by key."""
    return [Column(c.title, c.key, c.as_text or c.key == "room", widths.get(c.key, default)) for c in columns]


def scoped(ledger, where: str, params: list, grid_column: str) -> tuple[str, list]:
    """``where`` (``""`` or ``"WHERE …"``) narrowed to the operator's grids (a 网格员's export
    holds their grids only, issue 10)."""
    clause, extra = scope.grid_clause(ledger, grid_column)
    if clause == "1":
        return where, params
    return (f"{where} AND {clause}" if where else f"WHERE {clause}"), [*params, *extra]


def in_month(column: str, month: str | None) -> tuple[str, list[str]]:
    """``WHERE`` ``column`` (a date or a timestamp) falls in ``month`` (``YYYY-MM``), and its parameters;
    ``("", [])`` without a month.

    Raises:
        ValidationError: a malformed month (field ``month``).
    """
    if not month:
        return "", []
    bounds = periods.month(month)
    return f"WHERE {column} >= ? AND {column} < ?", [bounds.first_day, bounds.next_first_day]


def in_period(column: str, month: str | None = None, date_from: str | None = None,
              date_to: str | None = None) -> tuple[str, list[str]]:
    """:func:`in_month`, or else ``column`` from ``date_from`` to ``date_to`` (``YYYY-MM-DD``, inclusive:
    a timestamp on the last day counts; either end open); ``("", [])`` without either.

    Raises:
        ValidationError: a malformed month or date, or a start after the end.
    """
    if month or not (date_from or date_to):
        return in_month(column, month)
    lo, hi = periods.period(date_from, date_to)
    parts, params = [], []
    if date_from:
        parts.append(f"{column} >= ?")
        params.append(lo)
    if date_to:
        parts.append(f"{column} <= ?")      # (a date, or a timestamp of that day: both sort below this)
        params.append(hi + " 23:59:59")
    return "WHERE " + " AND ".join(parts), params


def period_text(what: str, month: str | None, date_from: str | None, date_to: str | None) -> str:
    """The title line's words for :func:`in_period`: ``登记月份：2026-10``, ``登记日期：… 至 …``, ``全部月份``."""
    if month:
        return f"{what}月份：{month}"
    if date_from or date_to:
        return f"{what}日期：{date_from or '最早'} 至 {date_to or '今'}"
    return "全部月份"

