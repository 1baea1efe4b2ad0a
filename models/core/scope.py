"""Which grids the operator may see: a 网格员's reads are limited to their account's grids (issue 10).

Every list, search, count, export, printout and home-screen figure of models/ asks this module
for its SQL condition, so the rule has one home and is applied *in SQL* (an index on the grid
column serves it; nothing is loaded and filtered in Python):

    clause, params = grid_clause(ledger, "m.grid_id")     # "1" for everyone but a 网格员

A 网格员 without grids sees nothing (``"0"``).  Records without a grid (a 社区级 activity, a
resident without a household) are outside every 网格员's grids.
"""

from __future__ import annotations

from typing import Iterable

from models.core.permissions import PermissionDenied


def scoped_grids(ledger) -> frozenset[int] | None:
    """The grids the operator is limited to; None when they see every grid."""
    return ledger.operator.scoped_grids


def grid_clause(ledger, column: str) -> tuple[str, list]:
    """A SQL condition on ``column`` (a grid id) for the operator's grids, and its parameters."""
    grids = scoped_grids(ledger)
    if grids is None:
        return "1", []
    if not grids:
        return "0", []
    return f"{column} IN ({','.join('?' * len(grids))})", sorted(grids)


def grid_sql(ledger, column: str) -> str:
    """:func:`grid_clause` with the ids written into the SQL (integers only), for queries with
    named parameters."""
    clause, params = grid_clause(ledger, column)
    if not params:
        return clause
    return f"{column} IN ({','.join(str(int(g)) for g in params)})"


def grid_clauses(ledger, column: str) -> tuple[list[str], list]:
    """:func:`grid_clause` as a list of clauses (empty when not limited), for lists' WHERE builders."""
    if scoped_grids(ledger) is None:
        return [], []
    clause, params = grid_clause(ledger, column)
    return [clause], params


def may_see_grid(ledger, grid_id: int | None) -> bool:
    """Whether the operator may see a record of ``grid_id``."""
    grids = scoped_grids(ledger)
    return grids is None or (grid_id is not None and grid_id in grids)


def require_grid(ledger, grid_id: int | None, what: str = "这条记录") -> None:
    """Refuse a record of another grid (a 网格员 reaching it by its id, an import row …).

    Raises:
        PermissionDenied: with the clerk's message.
    """
    if not may_see_grid(ledger, grid_id):
        raise PermissionDenied(f"{what}不在您负责的网格内（网格员只能查看和处理自己负责的网格）。")


def visible_grid_ids(ledger, grid_ids: Iterable[int]) -> list[int]:
    """``grid_ids`` without those the operator may not see (keeps the order)."""
    grids = scoped_grids(ledger)
    return [g for g in grid_ids if grids is None or g in grids]
