"""The residents table: pages fetched from SQL with a keyset cursor, sorted in SQL.

After Anki's browser table model: the model never holds the whole table.  It asks
``models.residents.records.search_page`` for 100 rows at a time (``fetchMore`` as the clerk
scrolls), re-queries when the filter or the sort changes, and has no proxy model.
``DisplayRole`` gives display strings; ``Qt.UserRole`` the raw value; ``ID_ROLE``
the resident's id.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from models.residents import records as residents_model

PAGE_SIZE = 100

# Qt's enums are looked up once: the view calls data() thousands of times per screen.
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
USER = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole(Qt.ItemDataRole.UserRole + 1)
HORIZONTAL = Qt.Orientation.Horizontal
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
NO_FLAGS = Qt.ItemFlag.NoItemFlags

#: (row key, column title, sort key for models.residents.records.search_page or None)
COLUMNS: list[tuple[str, str, str | None]] = [
    ("name", "姓名", "name"),
    ("gender", "性别", "gender"),
    ("id_masked", "身份证号", None),
    ("birth_date", "出生日期", "birth_date"),
    ("phone", "联系电话", None),
    ("grid", "网格", "grid"),
    ("building", "楼栋", "building"),
    ("unit", "单元", None),
    ("room", "房号", None),
    ("relation", "与户主关系", None),
    ("residence_type", "人口类型", "residence_type"),
    ("status", "状态", "status"),
    ("status_date", "变动日期", None),
    ("tags", "标签", None),
]
COLUMN_KEYS = [c[0] for c in COLUMNS]
GONE_BRUSH = QBrush(QColor("#8a8f98"))


def column_of(key: str) -> int:
    return COLUMN_KEYS.index(key)


class ResidentsTableModel(QAbstractTableModel):
    """Residents matching a :class:`models.residents.records.ResidentFilter`, fetched page by page.

    Args:
        ctx: the AppContext (``ctx.ledger`` is read on every query, so a replaced
            ledger is picked up by :meth:`reload`).
    """

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.filter = residents_model.ResidentFilter()
        self.sort_key = "id"
        self.descending = False
        self.hidden_tags: set[str] = set()
        self._rows: list[dict] = []
        self._cursor = None

    # -- querying ------------------------------------------------------------------------------
    def set_filter(self, flt) -> None:
        self.filter = flt
        self.reload()

    def set_sort(self, key: str, descending: bool = False) -> None:
        if key not in residents_model.SORTABLE:
            raise ValueError(f"cannot sort by {key!r}")
        self.sort_key, self.descending = key, descending
        self.reload()

    def reload(self) -> None:
        """Forget the rows and fetch the first page for the current filter and sort."""
        rows, cursor = residents_model.search_page(self.ctx.ledger, self.filter, sort=self.sort_key,
                                                   descending=self.descending, after=None, limit=PAGE_SIZE)
        self.beginResetModel()
        self._rows, self._cursor = list(rows), cursor
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt API
        if parent.isValid() or self._cursor is None:
            return
        rows, cursor = residents_model.search_page(self.ctx.ledger, self.filter, sort=self.sort_key,
                                                   descending=self.descending, after=self._cursor,
                                                   limit=PAGE_SIZE)
        self._cursor = cursor
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        """Sort in SQL by a sortable column; other columns are ignored."""
        if 0 <= column < len(COLUMNS) and COLUMNS[column][2]:
            self.set_sort(COLUMNS[column][2], order == Qt.DescendingOrder)

    # -- access --------------------------------------------------------------------------------
    def resident_id(self, row: int) -> int | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def row_dict(self, row: int) -> dict | None:
        return dict(self._rows[row]) if 0 <= row < len(self._rows) else None

    def row_of(self, resident_id: int) -> int:
        for i, row in enumerate(self._rows):
            if row["id"] == resident_id:
                return i
        return -1

    def loaded(self) -> int:
        return len(self._rows)

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else NO_FLAGS

    def _tags(self, value) -> list[str]:
        if not value:
            return []
        names = value if isinstance(value, (list, tuple)) else str(value).replace("、", ",").split(",")
        return [n.strip() for n in names if n and n.strip() and n.strip() not in self.hidden_tags]

    def display(self, row: dict, key: str) -> str:
        value = row.get(key)
        if key == "tags":
            return "、".join(self._tags(value))
        if key == "status_date" and row.get("status") == "在册":
            return ""
        if key == "unit" and value == "":
            return ""
        return "" if value is None else str(value)

    def data(self, index, role=DISPLAY):
        if role is DISPLAY or role == DISPLAY:
            kind = 0
        elif role == FOREGROUND:
            kind = 1
        elif role == USER:
            kind = 2
        elif role == ID_ROLE:
            kind = 3
        elif role == TOOLTIP:
            kind = 4
        else:
            return None
        r, c = index.row(), index.column()
        if not index.isValid() or not (0 <= r < len(self._rows)) or not (0 <= c < len(COLUMNS)):
            return None
        row = self._rows[r]
        key = COLUMN_KEYS[c]
        if kind == 0:
            return self.display(row, key)
        if kind == 1:
            return GONE_BRUSH if row.get("status") != "在册" else None
        if kind == 2:
            value = row.get(key)
            return self._tags(value) if key == "tags" else value
        if kind == 3:
            return row["id"]
        return self.display(row, key) or None

    def headerData(self, section, orientation, role=DISPLAY):  # noqa: N802 - Qt API
        if role != DISPLAY:
            return None
        if orientation == HORIZONTAL:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None
