"""议事进程: the stages of one meeting's method (四议两公开 or 六步工作法), recorded in order with
their date, participants and outcome (``models.meetings.records.record_stage``)."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from models.meetings import records as meetings_model
from ui.models.rows_model import Column, RowsTableModel
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label
from ui.widgets.layout import hbox, vbox
from ui.widgets.list_page import list_view

COLUMNS = [
    Column("序号", "n", numeric=True),
    Column("阶段", "stage"),
    Column("日期", "on_date", lambda r: r.get("on_date") or ("未记录" if r.get("reached") else "未到")),
    Column("参与人员", "participants"),
    Column("结果 / 公开情况", "outcome"),
]


class StagesDialog(QDialog):
    """The stages of a meeting: the table, and a row to record the next stage (or correct one)."""

    def __init__(self, ctx, meeting_id: int, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.setMinimumWidth(760)
        self.method_label = QLabel()
        self.method_label.setWordWrap(True)
        self.model = RowsTableModel(COLUMNS, self)
        self.view = list_view(self.model, [44, 130, 96, 150], 4)
        self.view.setMinimumHeight(200)
        self.stage_box = QComboBox()
        today = ctx.ledger.now().date()
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.participants_edit = QLineEdit()
        self.participants_edit.setPlaceholderText("如：党员代表、居民代表、物业")
        self.outcome_edit = QLineEdit()
        self.outcome_edit.setPlaceholderText("该阶段的结果；公开阶段写公开的内容和方式（必填）")
        self.error = error_label()
        buttons = QDialogButtonBox()
        self.record_button = buttons.addButton("记录本阶段", QDialogButtonBox.ActionRole)
        self.record_button.setObjectName("primary")
        self.undo_button = buttons.addButton("撤回最后一步", QDialogButtonBox.ActionRole)
        buttons.addButton("关闭", QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.reject)
        self.record_button.clicked.connect(self.record)
        self.undo_button.clicked.connect(self.undo)
        for b in (self.record_button, self.undo_button):
            b.setAutoDefault(False)
            ctx.enable_if_allowed(b, "records.edit")
        form = QFormLayout()
        form.addRow("阶段", hbox(self.stage_box, "日期", self.date_edit))
        form.addRow("参与人员", self.participants_edit)
        form.addRow("结果", self.outcome_edit)
        vbox(self.method_label, self.view, form, self.error, buttons, parent=self)
        self.stage_box.currentIndexChanged.connect(self._stage_chosen)
        self.refresh()

    def refresh(self) -> None:
        meeting = meetings_model.get_meeting(self.ctx.ledger, self.meeting_id)
        self.meeting = meeting
        self.setWindowTitle(f"议事进程 — {meeting['topic']}")
        current = meetings_model.stage_text(meeting) or "尚未开始"
        self.method_label.setText(f"{meeting['kind']}　议事方法：{meeting['method']}（"
                                  f"{' → '.join(meetings_model.METHODS[meeting['method']])}）　当前：{current}")
        order = meetings_model.METHODS[meeting["method"]]
        at = order.index(meeting["stage"]) if meeting["stage"] in order else -1    # reached before records
        self.model.set_rows([dict(s, n=i, reached=i - 1 <= at) for i, s in enumerate(meeting["stages"], 1)])
        self.stage_box.blockSignals(True)
        self.stage_box.clear()
        for s in meeting["stages"]:
            self.stage_box.addItem(s["stage"], s["stage"])
        reached = [s for s in meeting["stages"] if s["on_date"]]
        self.stage_box.setCurrentIndex(min(max(len(reached), at + 1), len(meeting["stages"]) - 1))
        self.stage_box.blockSignals(False)
        self._stage_chosen()
        self.undo_button.setEnabled(bool(reached) and self.ctx.may("records.edit"))

    def _stage_chosen(self) -> None:
        """A stage already recorded is shown for correction; the next one starts empty."""
        stage = next((s for s in self.meeting["stages"] if s["stage"] == self.stage_box.currentData()), None)
        if stage and stage["on_date"]:
            self.date_edit.setDate(QDate.fromString(stage["on_date"], "yyyy-MM-dd"))
            self.participants_edit.setText(stage["participants"])
            self.outcome_edit.setText(stage["outcome"])
        else:
            self.outcome_edit.clear()
        self.outcome_edit.setFocus()

    def _run(self, work) -> None:
        self.error.hide()
        LedgerOp(self.ctx, work, parent=self).success(lambda _c: self.refresh()).failure(self._failed).run()

    def _failed(self, exc) -> None:
        self.error.setText(str(exc))
        self.error.show()

    def record(self) -> None:
        meeting_id, stage = self.meeting_id, self.stage_box.currentData()
        day = self.date_edit.date().toString("yyyy-MM-dd")
        people, outcome = self.participants_edit.text(), self.outcome_edit.text()
        self._run(lambda ledger: meetings_model.record_stage.op(ledger, meeting_id, stage, day,
                                                                participants=people, outcome=outcome))

    def undo(self) -> None:
        meeting_id = self.meeting_id
        self._run(lambda ledger: meetings_model.remove_last_stage.op(ledger, meeting_id))
