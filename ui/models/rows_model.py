"""A read-only table over a small list of dicts (staff lists, household members …).

For lists that fit in memory (hundreds to a few thousand rows).  Big tables page
from SQL instead (``ui.models.paged_model``, ``ui.models.residents_model``).
``DisplayRole`` gives the text, ``Qt.UserRole`` the raw value, ``ROW_ROLE`` the
whole row dict.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
USER = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole(Qt.ItemDataRole.UserRole + 1)
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class Column:
    """One column: a title, the row key, and optionally how to show the value.

    ``raw(row)`` overrides the ``Qt.UserRole`` value (default ``row[key]``);
    ``tooltip(row)`` the tooltip (empty → none); ``sort`` is the sort key a
    paged model passes to its ``search_page`` (``None``: the column does not sort).
    """

    def __init__(self, title: str, key: str, text: Callable[[dict], str] | None = None, *,
                 numeric: bool = False, raw: Callable[[dict], object] | None = None,
                 tooltip: Callable[[dict], str | None] | None = None, sort: str | None = None):
        self.title, self.key, self.text, self.numeric = title, key, text, numeric
        self.raw, self.tooltip, self.sort = raw, tooltip, sort

    def display(self, row: dict) -> str:
        if self.text is not None:
            return self.text(row)
        value = row.get(self.key)
        return "" if value is None else str(value)

    def value(self, row: dict):
        return self.raw(row) if self.raw is not None else row.get(self.key)


def row_id(row: dict):
    """``raw=`` of a list's first column: the record id."""
    return row["id"]


class RowsTableModel(QAbstractTableModel):
    """Rows (dicts) shown in the given columns; :meth:`set_rows` replaces them.

    A cell's tooltip is its column's ``tooltip(row)``; columns without one show
    their text as tooltip, unless ``TEXT_TOOLTIPS`` is off.
    """

    TEXT_TOOLTIPS = True

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict] = []

    def set_rows(self, rows: Sequence[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, index_or_row) -> dict | None:
        r = index_or_row.row() if isinstance(index_or_row, QModelIndex) else index_or_row
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def row_id(self, row: int):
        """The ``id`` of row ``row`` (None outside the list)."""
        return self.rows[row]["id"] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self.rows) and 0 <= c < len(self.columns)):
            return None
        row, column = self.rows[r], self.columns[c]
        if role == DISPLAY:
            return column.display(row)
        if role == TOOLTIP:
            if column.tooltip is not None:
                return column.tooltip(row) or None
            return (column.display(row) or None) if self.TEXT_TOOLTIPS else None
        if role == USER:
            return column.value(row)
        if role == ROW_ROLE:
            return row
        if role == ALIGN and column.numeric:
            return RIGHT
        return None

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802 - Qt API
        if orientation != Qt.Orientation.Horizontal or not (0 <= section < len(self.columns)):
            return None
        if role == DISPLAY:
            return self.columns[section].title
        if role == TOOLTIP and self.columns[section].sort:
            return "点击按此列排序"
        return None
