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

