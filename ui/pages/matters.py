"""民情事项: the list of matters with its filters, and its paged item model.

The model holds one page of rows at a time from :func:`models.matters.records.search_page`
(keyset paging, filtering and sorting done in SQL) and asks for the next page
when the view scrolls near the end (``canFetchMore``/``fetchMore``); it never
loads the whole table.  Overdue matters are drawn in red with a 超期 badge.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QBrush, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from models.grids import hierarchy as grids_model
from models.core import lists
from models.importing.matters import export_matters
from models.matters import records as matters_model
from ui.dialogs.matter_detail import (OVERDUE_BACKGROUND, OVERDUE_COLOR, open_matter_detail,  # noqa: F401
                                      short_ts)
from ui.dialogs.matter_form import MatterForm
from ui.models.paged_model import PagedTableModel
from ui.models.rows_model import Column, row_id
from ui.pages.file_buttons import FileButtons
from ui.widgets.list_page import ListPageMixin, action_button, combo, date_range, list_view, refill_combo

#: (key in the row dict, header, sort key understood by search_page or None)
COLUMNS: list[tuple[str, str, str | None]] = [
    ("number", "编号", "number"),
    ("registered_at", "登记时间", "registered_at"),
    ("level", "分级", None),
    ("category", "类别", None),
    ("source", "来源", None),
    ("description", "事项描述", None),
    ("grid_name", "网格", None),
    ("assignee_name", "承办人", None),
    ("state", "状态", None),
    ("deadline", "办理时限", "deadline"),
]

PAGE_SIZE = 100

ALL = "全部"


def row_is_overdue(row: dict, now: dt.datetime) -> bool:
    if "is_overdue" in row and row["is_overdue"] is not None:
        return bool(row["is_overdue"])
    return matters_model.is_overdue(row, now)


def state_text(row: dict, overdue: bool) -> str:
    """The 状态 cell: the state, then 超期 and the card (compact: the column is narrow)."""
    parts = [row.get("state") or ""]
    if overdue:
        parts.append("超期")
    if row.get("supervision"):
        parts.append(f"{row['supervision']}督办" if row["supervision"] != "普通" else "督办")
    return "·".join(p for p in parts if p)


def state_tooltip(row: dict, overdue: bool) -> str:
    """The 状态 cell's tool tip, whole (issue 13: "已分派 · 超期 · …" hid the 督办/黄牌)."""
    lines = [f"状态：{row.get('state') or ''}"]
    if overdue:
        lines.append(f"已超过办理时限（{short_ts(row.get('deadline'))}）")
    if row.get("supervision"):
        card = row["supervision"]
        lines.append("已督办" if card == "普通" else f"已{card}督办")
    return "\n".join(lines)


def _description_text(row: dict) -> str:
    return " ".join(str(row.get("description") or "").split())


#: how a column shows its value when it is not the plain text of it
_TEXT = {"registered_at": lambda row: short_ts(row.get("registered_at")),
         "deadline": lambda row: short_ts(row.get("deadline")),
         "description": _description_text}


def _column_specs() -> list[Column]:
    return [Column(title, key, _TEXT.get(key), sort=sort, raw=row_id if n == 0 else None)
            for n, (key, title, sort) in enumerate(COLUMNS)]


class MattersTableModel(PagedTableModel):
    """Matters matching a :class:`models.matters.records.MatterFilter`, fetched page by page.

    ``DisplayRole`` gives what the clerk reads; ``Qt.UserRole`` gives the raw
    value of the cell (column 0: the matter id).

    Signals:
        reloaded(): the rows were replaced (a new filter or sort order).
    """

    def __init__(self, ledger, parent=None):
        super().__init__(ledger, _column_specs(), matters_model.MatterFilter(),
                         sort_key="registered_at", descending=True, parent=parent)
        self._overdue: list[bool] = []
        self._now = ledger.now()

    def fetch_page(self, after):
        return matters_model.search_page(self.ledger, self.filter, sort=self.sort_key,
                                         descending=self.descending, after=after, limit=PAGE_SIZE)

    def _reset(self) -> None:
        self._overdue = []
        self._now = self.ledger.now()

    def _append(self, rows: list[dict], cursor) -> None:
        super()._append(rows, cursor)
        self._overdue.extend(row_is_overdue(r, self._now) for r in rows)

    # -- reading ---------------------------------------------------------------
    matter_id = PagedTableModel.row_id

    def row_dict(self, row: int) -> dict:
        return self.rows[row]

    def is_overdue_row(self, row: int) -> bool:
        return self._overdue[row]

    def data(self, index, role=Qt.DisplayRole):
        if role not in (Qt.DisplayRole, Qt.ToolTipRole, Qt.ForegroundRole, Qt.BackgroundRole, Qt.FontRole) \
                or not index.isValid() or not (0 <= index.row() < len(self.rows)) \
                or not (0 <= index.column() < len(self.columns)):
            return super().data(index, role)
        row = self.rows[index.row()]
        key = self.columns[index.column()].key
        overdue = self._overdue[index.row()]
        if role == Qt.DisplayRole:
            return state_text(row, overdue) if key == "state" else super().data(index, role)
        if role == Qt.ToolTipRole:
            if key == "description":
                return str(row.get(key) or "")
            if key == "state":
                return state_tooltip(row, overdue)
            if overdue:
                return f"已超过办理时限（{short_ts(row.get('deadline'))}）"
            return None
        if role == Qt.ForegroundRole and overdue:
            return QBrush(OVERDUE_COLOR)
        if role == Qt.BackgroundRole and overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.FontRole and overdue and key in ("state", "deadline"):
            font = QFont()
            font.setBold(True)
            return font
        return None


class MattersPage(ListPageMixin, QWidget):
    """民情事项: filters, full-text search and the paged list.

    Enter or a double click opens the matter; 登记事项 (Ctrl+N) opens the
    registration form.
    """

    REFRESH_AREAS = ("matters", "grids", "settings", "meetings", "visits", "*")

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        head = self._start_list_page(ctx, "民情事项", ("登记事项", self.register_matter), ("查看办理", self.open_matter))
        # the export takes the page's 登记日期 range when it is ticked (the file's title line says so)
        self.files = FileButtons(self, head, self.open_button, "matters", "民情事项", "民情事项台账.xlsx",
                                 lambda ledger, out, progress, period: export_matters(
                                     ledger, out, progress=progress, date_from=period[0], date_to=period[1]))
        self.detail_windows: list = []
        self.form = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索编号、描述、反映人、电话、地点……")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.state_box = combo([(s, s) for s in matters_model.STATES], "全部状态")
        self.level_box = combo([(s, s) for s in matters_model.LEVELS], "全部分级")
        self.category_box = QComboBox()
        self.source_box = combo([(i["name"], i["name"]) for i in lists.items(ctx.ledger, "matter_source")], "全部来源")
        self.grid_box = QComboBox()
        self.assignee_box = QComboBox()
        self.due_today_check = QCheckBox("今日到期")
        self.overdue_check = QCheckBox("已超期")
        self.follow_up_check = QCheckBox("待回访")
        now = ctx.ledger.now()
        today = QDate(now.year, now.month, now.day)
        self.date_check, self.date_from, self.date_to = date_range("登记日期", today.addMonths(-1), today)
        self.clear_button = action_button("清除条件", self.clear_filters)

        row1 = QHBoxLayout()
        row1.addWidget(self.search, 2)
        for box in (self.state_box, self.level_box, self.category_box, self.source_box):
            row1.addWidget(box, 1)
        row2 = QHBoxLayout()
        row2.addWidget(self.grid_box, 1)
        row2.addWidget(self.assignee_box, 1)
        row2.addWidget(self.due_today_check)
        row2.addWidget(self.overdue_check)
        row2.addWidget(self.follow_up_check)
        row2.addSpacing(8)
        row2.addWidget(self.date_check)
        row2.addWidget(self.date_from)
        row2.addWidget(QLabel("至"))
        row2.addWidget(self.date_to)
        row2.addWidget(self.clear_button)

        self.model = MattersTableModel(ctx.ledger, self)
        self.view = list_view(self.model, (96, 128, 48, 80, 80, 300, 90, 70, 110, 128), stretch=5,
                              open_row=self.open_matter)
        header = self.view.horizontalHeader()
        header.setSortIndicator(1, Qt.DescendingOrder)
        self.view.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self._lay_out_list(head, (row1, row2), "红色行为已超过办理时限的事项；双击或回车查看办理。")

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filters)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self.update_count)
        self._count_pending = False
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        for box in (self.state_box, self.level_box, self.category_box, self.source_box,
                    self.grid_box, self.assignee_box):
            box.currentIndexChanged.connect(self._filters_changed)
        for check in (self.due_today_check, self.overdue_check, self.follow_up_check):
            check.toggled.connect(self._filters_changed)
        QShortcut(QKeySequence("Ctrl+F"), self, lambda: (self.search.setFocus(), self.search.selectAll()))
        self._start_listening()

    # -- choices ---------------------------------------------------------------
    def _fill_choices(self) -> None:
        """(Re)fill the grid, category and assignee filters from the ledger; the buttons follow the role."""
        ledger = self.ctx.ledger
        self.ctx.enable_if_allowed(self.new_button, "matter.登记", "登记一件新的民情事项（Ctrl+N）")
        self.files.update(self.ctx)
        refill_combo(self.category_box, "全部类别", [(c, c) for c in matters_model.categories(ledger)])
        refill_combo(self.grid_box, "全部网格", [(g["name"], g["id"]) for g in grids_model.grids(ledger)])
        refill_combo(self.assignee_box, "全部承办人",
                     [(f"{s['name']}（{s['role']}）", s["id"]) for s in grids_model.all_staff(ledger)])

    # -- filtering -------------------------------------------------------------
    def current_filter(self):
        date_from, date_to = self.date_range_values()
        return matters_model.MatterFilter(
            state=self.state_box.currentData(),
            level=self.level_box.currentData(),
            category=self.category_box.currentData(),
            grid_id=self.grid_box.currentData(),
            source=self.source_box.currentData(),
            assignee_staff_id=self.assignee_box.currentData(),
            due_today=self.due_today_check.isChecked(),
            overdue=self.overdue_check.isChecked(),
            awaiting_follow_up=self.follow_up_check.isChecked(),
            date_from=date_from,
            date_to=date_to,
            text=self.search.text().strip(),
        )

    def apply_filters(self) -> None:
        """Show the first page for the current filter at once; the counts follow.

        Counting every match can take longer than fetching one page on a large
        ledger, so the count label is filled on the next turn of the event loop,
        after the first page is on screen.
        """
        self._search_timer.stop()
        flt = self.current_filter()
        self.model.set_filter(flt)
        self.count_label.setText("正在统计……")
        self._count_timer.start()

    def update_count(self) -> None:
        """Fill ``共 N 件，其中 M 件已超期`` for the filter on screen."""
        self._count_timer.stop()
        self._count_pending = False
        flt = self.model.filter
        total = matters_model.count(self.ctx.ledger, flt)
        text = f"共 {total} 件"
        if total and not flt.overdue:
            overdue = matters_model.count(self.ctx.ledger, dataclasses.replace(flt, overdue=True))
            if overdue:
                text += f"，其中 {overdue} 件已超期"
        self.count_label.setText(text)

    def clear_filters(self) -> None:
        self._loading = True
        self.search.clear()
        for box in (self.state_box, self.level_box, self.category_box, self.source_box,
                    self.grid_box, self.assignee_box):
            box.setCurrentIndex(0)
        for check in (self.due_today_check, self.overdue_check, self.follow_up_check, self.date_check):
            check.setChecked(False)
        self._loading = False
        self.apply_filters()

    def show_only(self, *, due_today=False, overdue=False, awaiting_follow_up=False) -> None:
        """Show one of the home screen's lists (used by 首页's “查看全部”)."""
        self._loading = True
        self.clear_filters()
        self._loading = True
        self.due_today_check.setChecked(due_today)
        self.overdue_check.setChecked(overdue)
        self.follow_up_check.setChecked(awaiting_follow_up)
        self._loading = False
        self.apply_filters()

    def _sort_indicator_changed(self, column: int, _order) -> None:
        """Only some columns sort (in SQL); put the arrow back on the column that does."""
        if COLUMNS[column][2] is None:
            current = next(i for i, c in enumerate(COLUMNS) if c[2] == self.model.sort_key)
            order = Qt.DescendingOrder if self.model.descending else Qt.AscendingOrder
            header = self.view.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(current, order)
            header.blockSignals(False)

    # -- refresh ---------------------------------------------------------------
    def refresh(self) -> None:
        self.model.ledger = self.ctx.ledger   # another ledger may have been opened
        super().refresh()

    def showEvent(self, event) -> None:
        dirty = self._dirty
        super().showEvent(event)   # refreshes a stale list
        if not dirty and self._count_pending:
            self._count_timer.start()

    def hideEvent(self, event) -> None:
        # counting waits until the list is seen again (and never runs on a closed ledger)
        self._count_pending = self._count_timer.isActive()
        self._count_timer.stop()
        super().hideEvent(event)

    # -- actions ---------------------------------------------------------------
    def open_matter(self, matter_id: int | None):
        """Open the matter's page (a window of its own); returns the dialog."""
        if matter_id is None:
            return None
        return open_matter_detail(self.ctx, matter_id, self)

    def register_matter(self):
        """Open the registration form (non-blocking); returns the dialog (None when the role may not)."""
        if not self.ctx.may("matter.登记"):
            return None
        self.form = MatterForm(self.ctx, self)
        self.form.saved.connect(self._after_register)
        self.form.open()
        return self.form

    def _after_register(self, matter_id: int) -> None:
        if self._dirty:
            self.refresh()   # a visible list has refreshed itself from ctx.changed
        for row in range(self.model.rowCount()):
            if self.model.matter_id(row) == matter_id:
                self.view.selectRow(row)
                break
