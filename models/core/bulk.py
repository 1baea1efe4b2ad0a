"""Bulk loading into the ledger inside one transaction (imports): indexes built once."""

from __future__ import annotations

import contextlib
from typing import Iterator

#: Rows from which a bulk load rebuilds indexes instead of updating them (see deferred_indexes).
DEFER_INDEXES_FROM = 5000


@contextlib.contextmanager
def deferred_indexes(conn, rows_coming: int, tables: tuple[str, ...], keep: tuple[str, ...] = (),
                     at_least: int = DEFER_INDEXES_FROM) -> Iterator[None]:
    """Drop the secondary indexes of the ``tables`` that hold fewer rows than are coming,
    and create them again (the same SQL, from ``sqlite_master``) when the block ends.

    Bulk loading: building an index once from the finished table sorts its keys once;
    keeping it up to date scatters every insert over its pages.  Worth it only when the
    table at least doubles, so a table already larger than the import keeps its indexes.
    All inside the import's transaction: a rollback (error, cancel) brings the indexes
    back with everything else; nothing about durability changes.  UNIQUE constraints
    (``residents.id_number``) are automatic indexes and always stay, and so do the
    indexes named in ``keep`` (ones the writes themselves read through).  Fewer than
    ``at_least`` rows coming: nothing is dropped (rebuilding would cost more).
    """
    dropped: list[tuple[str, str]] = []
    if rows_coming < at_least:
        tables = ()
    for table in tables:
        present = conn.execute(f'SELECT COUNT(*) FROM (SELECT 1 FROM "{table}" LIMIT ?)',
                               [rows_coming]).fetchone()[0]
        if present >= rows_coming:
            continue
        dropped.extend((name, sql) for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            [table]).fetchall() if name not in keep)
    for name, _sql in dropped:
        conn.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        if conn.in_transaction:   # else the rollback has put them back already
            for _name, sql in dropped:
                conn.execute(sql)
