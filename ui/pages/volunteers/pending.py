"""The 待确认 tab: imported volunteers whose name several residents share, and their candidates.

An import keeps the row and its hours when a name is still ambiguous (several present
residents, neither phone, ID number, the activity's grid nor its place settling it) and
records the volunteer as 待确认 (``models.volunteers.records.resolve_name``).  Here the
clerk picks the selected volunteer's candidate and presses 确认是此人: one operation
(``confirm_volunteer``), after which the hours count for that resident.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from models.volunteers import records as vol_model
from ui.ops import LedgerOp
from ui.pages.volunteers.common import ListModel, reselect, table
from ui.widgets.layout import STRETCH, hbox, hsplit, panel, vbox
from ui.widgets.list_page import action_button

#: what the tab explains above its lists
HINT = ("导入志愿服务时，同名居民不止一位、又无法按电话、身份证号、网格或楼栋区分的志愿者记为“待确认”。"
        "服务时长已计入活动所属网格；选定是哪一位后，时长记到该居民名下。")


class PendingTab(QWidget):
    """待确认 volunteers (left) and the selected one's candidates (right)."""

    COLUMNS = [("name", "姓名"), ("last", "最近一次活动"), ("phone", "联系电话"), ("activities", "活动（次）"),
               ("hours", "时长（小时）")]
    CANDIDATES = [("name", "姓名"), ("grid", "网格"), ("label", "住址 · 电话 · 身份证号")]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = ListModel(self.COLUMNS, self)
        self.view = table(self.model, stretch="last",
                          widths={"name": 70, "phone": 100, "activities": 76, "hours": 90})
        self.candidates = ListModel(self.CANDIDATES, self)
        self.candidates_view = table(self.candidates, stretch="label", widths={"name": 70, "grid": 80})
        self.confirm_button = action_button("确认是此人", self.confirm_current)
        self.services = QLabel()
        self.services.setWordWrap(True)
        self.count_label = QLabel()
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        right = panel(QLabel("服务记录"), self.services, QLabel("候选居民（请选择是哪一位）"),
                      (self.candidates_view, 1), hbox(STRETCH, self.confirm_button), margins=(8, 0, 0, 0))
        left = panel(self.count_label, (self.view, 1))
        vbox(hint, (hsplit(left, right, stretch=(1, 1)), 1), parent=self)
        self.current_id: int | None = None
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _p: self.show_at(cur.row()))
        self.candidates_view.doubleClicked.connect(lambda _i: self.confirm_current())

    def refresh(self) -> None:
        rows = vol_model.pending_volunteers(self.ctx.ledger)
        keep = self.current_id
        self.model.set_rows(rows)
        self.count_label.setText(f"待确认志愿者 {len(rows)} 位" if rows else "没有待确认的志愿者")
        self.show_at(reselect(self.view, keep))

    def show_at(self, row: int) -> None:
        pending = self.model.row(row)
        self.current_id = pending["id"] if pending else None
        self.candidates.set_rows(pending["candidates"] if pending else [])
        shown = pending["services"][:5] if pending else []
        more = len(pending["services"]) - len(shown) if pending else 0
        self.services.setText("；".join(shown) + (f" 等 {len(shown) + more} 次" if more else ""))
        self.confirm_button.setEnabled(pending is not None and self.ctx.may("records.edit"))
        if pending is not None and self.candidates.rowCount():
            self.candidates_view.selectRow(0)

    def confirm_current(self) -> None:
        """The selected candidate is the selected 待确认 volunteer."""
        index = self.candidates_view.currentIndex()
        candidate = self.candidates.row(index.row()) if index.isValid() else None
        if self.current_id is None or candidate is None:
            QMessageBox.information(self, "确认志愿者", "请先在右侧选择是哪一位居民。")
            return
        if not self.ctx.may("records.edit"):
            return
        volunteer_id, resident_id = self.current_id, candidate["resident_id"]
        LedgerOp(self.ctx, lambda ledger: vol_model.confirm_volunteer.op(ledger, volunteer_id, resident_id),
                 parent=self, title="确认志愿者").run()
