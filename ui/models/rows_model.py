"""A read-only table over a small list of dicts (staff lists, household members …).

For lists that fit in memory (hundreds to a few thousand rows).  Big tables page
from SQL instead (``ui.models.residents_model``).  ``DisplayRole`` gives the text,
``Qt.UserRole`` the raw value, ``ROW_ROLE`` the whole row dict.
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
    """One column: a title, the row key, and optionally how to show the value."""

    def __init__(self, title: str, key: str, text: Callable[[dict], str] | None = None, *,
                 numeric: bool = False):
        self.title, self.key, self.text, self.numeric = title, key, text, numeric

    def display(self, row: dict) -> str:
        if self.text is not None:
            return self.text(row)
        value = row.get(self.key)
        return "" if value is None else str(value)


class RowsTableModel(QAbstractTableModel):
    """Rows (dicts) shown in the given columns; :meth:`set_rows` replaces them."""

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
        if role == DISPLAY or role == TOOLTIP:
            text = column.display(row)
            return text if role == DISPLAY or text else None
        if role == USER:
            return row.get(column.key)
        if role == ROW_ROLE:
            return row
        if role == ALIGN and column.numeric:
            return RIGHT
        return None

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802 - Qt API
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return self.columns[section].title if 0 <= section < len(self.columns) else None
