"""The one paged table model of the app: a big list read a page at a time (keyset paging).

After Anki's browser table model: the rows come from a ``models/`` function
``search_page(ledger, flt, ..., after=cursor, limit=n) -> (rows, cursor)``
(filtering, sorting and paging done in SQL, no proxy model).  The model holds the
rows fetched so far and asks for the next page when the view scrolls near the
end (``canFetchMore``/``fetchMore``); it never loads the whole table.  It is a
:class:`ui.models.rows_model.RowsTableModel`, so columns are the same
:class:`~ui.models.rows_model.Column` specs and the same roles apply.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal

from ui.models.rows_model import Column, RowsTableModel


class PagedTableModel(RowsTableModel):
    """Rows matching ``filter``, fetched a page at a time by :meth:`fetch_page`.

    Subclasses implement ``fetch_page(after) -> (rows, cursor)`` (one call of
    their ``models`` ``search_page`` with ``self.ledger``, ``self.filter``,
    ``self.sort_key``, ``self.descending``; ``cursor`` None when there is no more).
    Clicking a column header whose :class:`Column` has a ``sort`` key reloads in
    that order.

    Args:
        ledger: the ledger to query, or a function returning it (``lambda: ctx.ledger``)
            so that the next query uses a ledger opened since.

    Signals:
        reloaded(): the rows were replaced (a new filter or sort order).
    """

    reloaded = Signal()
    TEXT_TOOLTIPS = False

    def __init__(self, ledger: object | Callable[[], object], columns: Sequence[Column], flt, *,
                 sort_key: str | None = None, descending: bool = True, parent=None):
        super().__init__(columns, parent)
        self._ledger = ledger
        self.filter = flt
        self.sort_key = sort_key
        self.descending = descending
        self._cursor = None

    def fetch_page(self, after) -> tuple[list[dict], object]:
        raise NotImplementedError

    @property
    def ledger(self):
        return self._ledger() if callable(self._ledger) else self._ledger

    @ledger.setter
    def ledger(self, ledger) -> None:
        self._ledger = ledger

    # -- loading ---------------------------------------------------------------
    def set_ledger(self, ledger) -> None:
        self.ledger = ledger
        self.reload()

    def set_filter(self, flt) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Forget the rows and fetch the first page (a failed query leaves the rows as they were)."""
        rows, cursor = self.fetch_page(None)
        self.beginResetModel()
        self.rows, self._cursor = [], None
        self._reset()
        self._append(rows, cursor)
        self.endResetModel()
        self.reloaded.emit()

    def set_rows(self, rows, columns=None) -> None:
        """Show ``rows`` as they are (e.g. none for an impossible filter): nothing more to fetch."""
        self._cursor = None
        super().set_rows(rows, columns)

    def loaded(self) -> int:
        """How many rows have been fetched so far."""
        return len(self.rows)

    def _reset(self) -> None:
        """Hook (inside the model reset): forget what was derived from the old rows."""

    def _append(self, rows: list[dict], cursor) -> None:
        self.rows.extend(rows)
        self._cursor = cursor if rows else None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt API
        if parent.isValid() or self._cursor is None:
            return
        rows, cursor = self.fetch_page(self._cursor)
        if not rows:
            self._cursor = None
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._append(rows, cursor)
        self.endInsertRows()

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if not (0 <= column < len(self.columns)) or self.columns[column].sort is None:
            return
        self.sort_key = self.columns[column].sort
        self.descending = order == Qt.DescendingOrder
        self.reload()
