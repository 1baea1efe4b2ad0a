"""The one in-memory table model of the app: rows held whole, shown through column specs.

For lists that fit in memory (a grid's staff, a household, the ranking, a
volunteer's service history …: hundreds to a few thousand rows).  Big tables
page from SQL with :class:`ui.models.paged_model.PagedTableModel`, which builds
on this one.  Every table of the UI is one of these two, configured with
:class:`Column` specs, so no page writes Qt model boilerplate of its own.

Roles:
    ``DisplayRole``: the column's text; ``Qt.UserRole``: the raw value;
    ``ROW_ROLE``: the whole row; ``ID_ROLE``: the row's ``id``;
    ``ToolTipRole``, ``TextAlignmentRole``, ``ForegroundRole``, ``BackgroundRole``,
    ``FontRole``: as the column says.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont

# Qt's enums are looked up once: a view calls data() thousands of times per screen.
DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FONT = Qt.ItemDataRole.FontRole
USER = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole(Qt.ItemDataRole.UserRole + 1)
ID_ROLE = Qt.ItemDataRole(Qt.ItemDataRole.UserRole + 2)
HORIZONTAL = Qt.Orientation.Horizontal
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
NO_FLAGS = Qt.ItemFlag.NoItemFlags
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

Row = Any   #: a dict, or any object the column functions understand
_BOLD: list[QFont] = []   # made on first use (a QFont wants the application)


def _bold() -> QFont:
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


class Column:
    """One column: its Chinese title, the row key, and how to show the value.

    Args:
        title: the header text.
        key: the row dict's key (and the column's name for ``column_of``).
        text: ``text(row) -> str`` shown (default: ``row[key]``, blank for None).
        numeric: right-aligned (shorthand for ``align=RIGHT``).
        align: the ``TextAlignmentRole`` value (``LEFT``, ``CENTER``, ``RIGHT``).
        raw: ``raw(row)`` under ``Qt.UserRole`` (default ``row[key]``).
        tooltip: ``tooltip(row)`` (empty → none); without it the model's
            ``TEXT_TOOLTIPS`` decides.
        sort: the sort key a paged model passes to SQL (None: the column does not sort).
        foreground, background: ``f(row)`` → a brush or colour (None: the default).
        bold: the column is shown in bold.
        hint: the header's tooltip.
    """

    __slots__ = ("title", "key", "text", "align", "raw", "tooltip", "sort", "foreground", "background",
                 "bold", "hint")

    def __init__(self, title: str, key: str, text: Callable[[Row], str] | None = None, *,
                 numeric: bool = False, align: int | None = None, raw: Callable[[Row], object] | None = None,
                 tooltip: Callable[[Row], str | None] | None = None, sort: str | None = None,
                 foreground: Callable[[Row], object] | None = None,
                 background: Callable[[Row], object] | None = None, bold: bool = False,
                 hint: str | None = None):
        self.title, self.key, self.text, self.raw, self.tooltip, self.sort = title, key, text, raw, tooltip, sort
        self.align = align if align is not None else (RIGHT if numeric else None)
        self.foreground, self.background, self.bold, self.hint = foreground, background, bold, hint

    @property
    def numeric(self) -> bool:
        return self.align == RIGHT

    def display(self, row: Row) -> str:
        if self.text is not None:
            return self.text(row)
        value = row.get(self.key)
        return "" if value is None else str(value)

    def value(self, row: Row):
        return self.raw(row) if self.raw is not None else row.get(self.key)


def row_id(row: dict):
    """``raw=`` of a list's first column: the record id."""
    return row["id"]


class RowsTableModel(QAbstractTableModel):
    """Rows shown in the given columns; :meth:`set_rows` replaces them (and the columns, if given).

    A cell's tooltip is its column's ``tooltip(row)``; columns without one show
    their text as tooltip, unless ``TEXT_TOOLTIPS`` is off.  Rows are dicts
    unless every column has its own ``text`` and ``raw`` (the ranking's rows are
    :class:`models.evaluation.figures.Figures`).
    """

    TEXT_TOOLTIPS = True

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns: list[Column] = list(columns)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row], columns: Sequence[Column] | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        if columns is not None:
            self.columns = list(columns)
        self.endResetModel()

    # -- reading -------------------------------------------------------------------
    def row(self, index_or_row) -> Row | None:
        """The row at a row number or index (None outside the list)."""
        r = index_or_row.row() if isinstance(index_or_row, QModelIndex) else index_or_row
        return self.rows[r] if 0 <= r < len(self.rows) else None

    row_dict = row

    def row_id(self, row: int):
        """The ``id`` of row ``row`` (None outside the list)."""
        return self.rows[row]["id"] if 0 <= row < len(self.rows) else None

    def row_of(self, id_) -> int:
        """The row number of the row whose ``id`` is ``id_`` (-1 when not listed)."""
        return next((i for i, row in enumerate(self.rows) if row["id"] == id_), -1)

    def column_of(self, key: str) -> int:
        """The column number of the column ``key`` (-1 when not shown)."""
        return next((i for i, c in enumerate(self.columns) if c.key == key), -1)

    # -- Qt model ------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else NO_FLAGS

    def data(self, index, role=DISPLAY):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self.rows) and 0 <= c < len(self.columns)):
            return None
        row, column = self.rows[r], self.columns[c]
        if role == DISPLAY:
            return column.display(row)
        if role == USER:
            return column.value(row)
        if role == TOOLTIP:
            if column.tooltip is not None:
                return column.tooltip(row) or None
            return (column.display(row) or None) if self.TEXT_TOOLTIPS else None
        if role == ALIGN:
            return column.align
        if role == FOREGROUND:
            return None if column.foreground is None else column.foreground(row)
        if role == BACKGROUND:
            return None if column.background is None else column.background(row)
        if role == FONT:
            return _bold() if column.bold else None
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return self.row_id(r)
        return None

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802 - Qt API
        if orientation != HORIZONTAL:
            return str(section + 1) if role == DISPLAY and 0 <= section < len(self.rows) else None
        if not (0 <= section < len(self.columns)):
            return None
        column = self.columns[section]
        if role == DISPLAY:
            return column.title
        if role == TOOLTIP:
            return column.hint or ("点击按此列排序" if column.sort else None)
        return None
