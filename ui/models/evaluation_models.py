"""Item models of the 月度评比 page: the ranking, and plain row lists (trace, adjustments, differences).

Both are :class:`~ui.models.rows_model.RowsTableModel` configurations: these
lists are small (one row per grid, per adjustment, per traced record of one
grid), so they are held whole.  ``DisplayRole`` gives what the clerk reads,
``Qt.UserRole`` the raw value.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor

from models.evaluation.trace import COUNTED_COLUMN, is_counted
from models.evaluation.figures import ADJUSTMENTS_KEY, Figures, MonthEvaluation
from ui.models.rows_model import CENTER, DISPLAY, LEFT, RIGHT, USER, Column, RowsTableModel

UP_COLOR = QColor("#1e8449")
DOWN_COLOR = QColor("#c0392b")
RED_LIST_BACKGROUND = QColor("#fdecea")
BLACK_LIST_BACKGROUND = QColor("#eeeeee")
TRACE_HINT = "点击单元格查看计分依据"


def _rank_change_color(g: Figures):
    return QBrush(UP_COLOR if g.rank_change > 0 else DOWN_COLOR) if g.rank_change else None


def indicator_tooltip(key: str, more: str = ""):
    """An indicator cell's tooltip: the counts behind it, its value and points (then ``more``)."""
    def tooltip(g: Figures) -> str:
        ind = g.indicators[key]
        numerator, denominator = ind.counts_text.split("/")
        text = f"{ind.numerator_label} {numerator} ÷ {ind.denominator_label} {denominator}"
        if ind.value is not None:
            text += f"\n折合 {ind.value:g}，目标 {ind.target:g}"
        return text + f"\n得分 {ind.points:.2f} / {ind.weight:g}{more}"
    return tooltip


def _adjustments_tooltip(g: Figures) -> str:
    return "\n".join(f"{a.points:+g}  {a.reason}" for a in g.adjustment_items)


class RankingModel(RowsTableModel):
    """One row (a :class:`~models.evaluation.figures.Figures`) per grid in rank order.

    Columns: 排名, 名次变化, 社区, 网格, one per indicator (score as a percentage),
    加减分, 总分.  ``column_key(col)`` tells which indicator (or
    ``"adjustments"``) a column shows, so a click can open its trace.  The red
    list (top 3) and the black list (bottom 3, ties included) are shaded.
    """

    TEXT_TOOLTIPS = False

    def __init__(self, parent=None):
        super().__init__(self._columns(None, 0), parent)
        self.evaluation: MonthEvaluation | None = None

    def set_evaluation(self, evaluation: MonthEvaluation | None) -> None:
        self.evaluation = evaluation
        rows = list(evaluation.grids) if evaluation else []
        floor = rows[-3].rank if len(rows) >= 3 else (rows[0].rank if rows else 0)
        self.set_rows(rows, self._columns(evaluation, floor))

    @staticmethod
    def _columns(evaluation: MonthEvaluation | None, floor: int) -> list[Column]:
        red, black = QBrush(RED_LIST_BACKGROUND), QBrush(BLACK_LIST_BACKGROUND)

        def shade(g: Figures):
            return red if g.rank <= 3 else black if g.rank >= floor else None

        def column(title, key, text, raw, align=RIGHT, **kw) -> Column:
            return Column(title, key, text, raw=raw, align=align, background=shade, **kw)

        indicators = evaluation.scheme.indicators if evaluation else []
        return [
            column("排名", "rank", lambda g: str(g.rank), lambda g: g.rank),
            column("名次变化", "rank_change", lambda g: g.rank_change_text, lambda g: g.rank_change, CENTER,
                   foreground=_rank_change_color),
            column("社区", "community", lambda g: g.community_name, lambda g: g.community_id, LEFT),
            column("网格", "name", lambda g: g.name, lambda g: g.grid_id, LEFT),
            *(column(i.name, i.key, lambda g, k=i.key: g.indicators[k].percent,
                     lambda g, k=i.key: g.indicators[k].score, tooltip=indicator_tooltip(i.key, "（点击查看明细）"),
                     hint=TRACE_HINT)
              for i in indicators),
            column("加减分", ADJUSTMENTS_KEY, lambda g: f"{g.adjustments:+.2f}" if g.adjustments else "",
                   lambda g: g.adjustments, tooltip=_adjustments_tooltip, hint=TRACE_HINT),
            column("总分", "total", lambda g: f"{g.total:.2f}", lambda g: g.total, bold=True),
        ]

    def figures(self, row: int) -> Figures | None:
        return self.row(row)

    def row_id(self, row: int):
        """The grid id of row ``row`` (None outside the list)."""
        return self.rows[row].grid_id if 0 <= row < len(self.rows) else None

    def column_key(self, column: int) -> str | None:
        return self.columns[column].key if 0 <= column < len(self.columns) else None

    def is_traceable(self, column: int) -> bool:
        key = self.column_key(column)
        return key is not None and (key == ADJUSTMENTS_KEY or (
            self.evaluation is not None and key in self.evaluation.scheme.keys))


def _late(row: dict):
    return QBrush(DOWN_COLOR) if is_counted(row) is False else None


class RowsModel(RowsTableModel):
    """A small list of dicts shown as a table; the columns are the dicts' keys (Chinese labels).

    ``payload`` (optional, same length as the rows) is returned under ``Qt.UserRole``
    of column 0 — e.g. an adjustment's id.  A 计入分子 column saying 不计入 is red.
    """

    TEXT_TOOLTIPS = False

    def __init__(self, columns: list[str] | None = None, parent=None):
        super().__init__(self._specs(columns or []), parent)
        self._payload: list = []

    @staticmethod
    def _specs(labels: list[str]) -> list[Column]:
        return [Column(label, label, foreground=_late if label == COUNTED_COLUMN else None) for label in labels]

    def set_rows(self, rows: list[dict], columns: list[str] | None = None, payload: list | None = None) -> None:
        rows = list(rows)
        if columns is None and rows:
            columns = list(rows[0])
        self._payload = list(payload) if payload is not None else [None] * len(rows)
        super().set_rows(rows, None if columns is None else self._specs(columns))

    def payload(self, row: int):
        return self._payload[row] if 0 <= row < len(self._payload) else None

    def data(self, index, role=DISPLAY):
        if role == USER and index.isValid() and index.column() == 0:
            return self.payload(index.row())
        return super().data(index, role)
