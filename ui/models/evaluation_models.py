"""Item models of the 月度评比 page: the ranking, and plain row lists (trace, adjustments, differences).

These lists are small (one row per grid, per adjustment, per traced record of
one grid), so they are held whole.  ``DisplayRole`` gives what the clerk reads,
``Qt.UserRole`` the raw value.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from models.evaluation.compute import ADJUSTMENTS_KEY, Figures, MonthEvaluation

UP_COLOR = QColor("#1e8449")
DOWN_COLOR = QColor("#c0392b")
RED_LIST_BACKGROUND = QColor("#fdecea")
BLACK_LIST_BACKGROUND = QColor("#eeeeee")


class RankingModel(QAbstractTableModel):
    """One row per grid in rank order.

    Columns: 排名, 名次变化, 社区, 网格, one per indicator (score as a percentage),
    加减分, 总分.  ``column_key(col)`` tells which indicator (or
    ``"adjustments"``) a column shows, so a click can open its trace.
    """

    FIXED_LEFT = [("rank", "排名"), ("rank_change", "名次变化"), ("community", "社区"), ("name", "网格")]
    FIXED_RIGHT = [(ADJUSTMENTS_KEY, "加减分"), ("total", "总分")]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.evaluation: MonthEvaluation | None = None
        self._rows: list[Figures] = []
        self._red: set[int] = set()
        self._black: set[int] = set()
        self._columns: list[tuple[str, str]] = self.FIXED_LEFT + self.FIXED_RIGHT

    def set_evaluation(self, evaluation: MonthEvaluation | None) -> None:
        self.beginResetModel()
        self.evaluation = evaluation
        self._rows = list(evaluation.grids) if evaluation else []
        rows = self._rows
        floor = rows[-3].rank if len(rows) >= 3 else (rows[0].rank if rows else 0)
        self._red = {n for n, r in enumerate(rows) if r.rank <= 3}
        self._black = {n for n, r in enumerate(rows) if r.rank >= floor and n not in self._red}
        indicators = [(i.key, i.name) for i in evaluation.scheme.indicators] if evaluation else []
        self._columns = self.FIXED_LEFT + indicators + self.FIXED_RIGHT
        self.endResetModel()

    def figures(self, row: int) -> Figures | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def column_key(self, column: int) -> str | None:
        return self._columns[column][0] if 0 <= column < len(self._columns) else None

    def column_of(self, key: str) -> int:
        return next(i for i, (k, _t) in enumerate(self._columns) if k == key)

    def is_traceable(self, column: int) -> bool:
        key = self.column_key(column)
        return key is not None and (key == ADJUSTMENTS_KEY or (
            self.evaluation is not None and key in self.evaluation.scheme.keys))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.DisplayRole:
                return self._columns[section][1]
            if role == Qt.ToolTipRole and self.is_traceable(section):
                return "点击单元格查看计分依据"
        if orientation == Qt.Vertical and role == Qt.DisplayRole and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(self._columns)):
            return None
        g = self._rows[index.row()]
        key = self._columns[index.column()][0]
        if role == Qt.DisplayRole:
            return self._display(g, key)
        if role == Qt.UserRole:
            return self._raw(g, key)
        if role == Qt.TextAlignmentRole:
            if key in ("community", "name"):
                return int(Qt.AlignLeft | Qt.AlignVCenter)
            return int(Qt.AlignRight | Qt.AlignVCenter) if key != "rank_change" else int(Qt.AlignCenter)
        if role == Qt.ForegroundRole and key == "rank_change" and g.rank_change:
            return QBrush(UP_COLOR if g.rank_change > 0 else DOWN_COLOR)
        if role == Qt.FontRole and key == "total":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.BackgroundRole:
            if index.row() in self._red:
                return QBrush(RED_LIST_BACKGROUND)
            if index.row() in self._black:
                return QBrush(BLACK_LIST_BACKGROUND)
        if role == Qt.ToolTipRole and self.evaluation is not None:
            if key in self.evaluation.scheme.keys:
                ind = g.indicators[key]
                text = f"{ind.numerator_label} {ind.counts_text.split('/')[0]} ÷ {ind.denominator_label} " \
                       f"{ind.counts_text.split('/')[1]}"
                if ind.value is not None:
                    text += f"\n折合 {ind.value:g}，目标 {ind.target:g}"
                return text + f"\n得分 {ind.points:.2f} / {ind.weight:g}（点击查看明细）"
            if key == ADJUSTMENTS_KEY and g.adjustment_items:
                return "\n".join(f"{a.points:+g}  {a.reason}" for a in g.adjustment_items)
        return None

    @staticmethod
    def _display(g: Figures, key: str) -> str:
        if key == "rank":
            return str(g.rank)
        if key == "rank_change":
            return g.rank_change_text
        if key == "community":
            return g.community_name
        if key == "name":
            return g.name
        if key == ADJUSTMENTS_KEY:
            return "" if not g.adjustments else f"{g.adjustments:+.2f}"
        if key == "total":
            return f"{g.total:.2f}"
        return g.indicators[key].percent

    @staticmethod
    def _raw(g: Figures, key: str):
        if key == "rank":
            return g.rank
        if key == "rank_change":
            return g.rank_change
        if key == "community":
            return g.community_id
        if key == "name":
            return g.grid_id
        if key == ADJUSTMENTS_KEY:
            return g.adjustments
        if key == "total":
            return g.total
        return g.indicators[key].score


class RowsModel(QAbstractTableModel):
    """A small list of dicts shown as a table; the columns are the dicts' keys (Chinese labels).

    ``payload`` (optional, same length as the rows) is returned under ``Qt.UserRole``
    of column 0 — e.g. an adjustment's id.
    """

    def __init__(self, columns: list[str] | None = None, parent=None):
        super().__init__(parent)
        self._columns: list[str] = list(columns or [])
        self._rows: list[dict] = []
        self._payload: list = []

    def set_rows(self, rows: list[dict], columns: list[str] | None = None, payload: list | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if columns is not None:
            self._columns = list(columns)
        elif rows:
            self._columns = list(rows[0])
        self._payload = list(payload) if payload is not None else [None] * len(self._rows)
        self.endResetModel()

    def columns(self) -> list[str]:
        return list(self._columns)

    def row_dict(self, row: int) -> dict:
        return self._rows[row]

    def payload(self, row: int):
        return self._payload[row] if 0 <= row < len(self._payload) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.DisplayRole:
            if orientation == Qt.Horizontal and 0 <= section < len(self._columns):
                return self._columns[section]
            if orientation == Qt.Vertical and 0 <= section < len(self._rows):
                return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(self._columns)):
            return None
        value = self._rows[index.row()].get(self._columns[index.column()])
        if role == Qt.DisplayRole:
            return "" if value is None else str(value)
        if role == Qt.UserRole:
            return self._payload[index.row()] if index.column() == 0 else value
        if role == Qt.ForegroundRole and self._columns[index.column()] == "计入" and value == "否":
            return QBrush(DOWN_COLOR)
        return None
