"""会议: 联席会议 and 红色议事厅 — the list and the form.

A community holds a few meetings a month, so the list model keeps the rows of
:func:`models.meetings.records.list_meetings` for the chosen period in memory.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDateTimeEdit, QDialog, QFormLayout, QGroupBox, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QWidget)

from models.grids import hierarchy as grids_model
from models.matters import records as matters_model
from models.meetings import records as meetings_model
from ui.models.rows_model import Column, RowsTableModel, row_id
from ui.pages.meeting_stages import StagesDialog
from ui.widgets.dialog_parts import error_label, save_cancel_buttons, show_save_error
from ui.widgets.layout import STRETCH, hbox, vbox
from ui.widgets.list_page import ListPageMixin, combo, date_range, list_view, refill_combo
from ui.ops import LedgerOp
from ui.widgets.search_edit import SearchEdit

def level_text(row: dict) -> str:
    if row.get("level") == "网格" and row.get("grid_name"):
        return f"网格（{row['grid_name']}）"
    if row.get("level") == "小区" and row.get("compound"):
        return f"小区（{row['compound']}）"
    return row.get("level") or ""


def _full_text(key: str):
    return lambda row: str(row.get(key) or "")


COLUMNS = [
    Column("会议时间", "held_at", lambda row: str(row.get("held_at") or "")[:16], raw=row_id),
    Column("类型", "kind"),
    Column("层级", "level", level_text),
    Column("议题", "topic", tooltip=_full_text("topic")),
    Column("地点", "place", tooltip=_full_text("place")),
    Column("主持人", "host"),
    Column("参会人数", "attendance", lambda row: f"{row.get('attendance') or 0} 人", numeric=True),
    Column("议事阶段", "stage", meetings_model.stage_text),
    Column("关联事项", "matter_count", lambda row: f"{row['matter_count']} 件" if row.get("matter_count") else "",
           numeric=True),
]


class MeetingsTableModel(RowsTableModel):
    """Meetings of a period, newest first.  ``Qt.UserRole`` of column 0 is the meeting id."""

    TEXT_TOOLTIPS = False

    def __init__(self, parent=None):
        super().__init__(COLUMNS, parent)

    meeting_id = RowsTableModel.row_id


class MeetingDialog(QDialog):
    """新增 / 修改会议.  ``open()`` it; ``saved(int)`` carries the meeting id.

    Signals:
        saved(int): the meeting was saved (id).
    """

    saved = Signal(int)

    def __init__(self, ctx, parent=None, meeting_id: int | None = None, matter_ids=()):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        ledger = ctx.ledger
        self.setWindowTitle("修改会议记录" if meeting_id else "新增会议记录")
        self.setMinimumWidth(680)

        self.kind_box = QComboBox()
        self.kind_box.addItems(list(meetings_model.KINDS))
        self.level_box = QComboBox()
        self.level_box.addItems(list(meetings_model.MEETING_LEVELS))
        self.grid_box = QComboBox()
        self.grid_box.addItem("选择网格", None)
        for g in grids_model.grids(ledger):
            self.grid_box.addItem(g["name"], g["id"])
        self.compound_edit = QLineEdit()
        self.compound_edit.setPlaceholderText("小区名称")
        now = ledger.now().replace(second=0)
        self.held_edit = QDateTimeEdit(QDateTime(now))
        self.held_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.held_edit.setCalendarPopup(True)
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText("如：社区党群服务中心会议室")
        self.host_edit = QLineEdit()
        self.topic_edit = QLineEdit()
        self.topic_edit.setPlaceholderText("会议议题（必填）")
        self.attendees_edit = QLineEdit()
        self.attendees_edit.setPlaceholderText("参会单位和人员，如：城管、物业、居民代表")
        self.attendance_spin = QSpinBox()
        self.attendance_spin.setRange(0, 9999)
        self.attendance_spin.setSuffix(" 人")
        self.resolution_edit = QPlainTextEdit()
        self.resolution_edit.setPlaceholderText("会议形成的决议")
        self.resolution_edit.setTabChangesFocus(True)
        self.resolution_edit.setFixedHeight(64)
        self.stage_box = QComboBox()
        self.stage_box.addItem("（未填写）", "")
        for method, stages in meetings_model.METHODS.items():   # the stage names its method
            for i, stage in enumerate(stages, 1):
                self.stage_box.addItem(f"{method} {i}. {stage}", stage)

        self.linked = QListWidget()
        self.linked.setFixedHeight(96)
        self.matter_search = SearchEdit("输入事项编号或描述查找")
        self.found_box = QComboBox()
        self.found_box.setMinimumContentsLength(24)
        self.add_matter_button = QPushButton("添加")
        self.remove_matter_button = QPushButton("移除所选")
        for button in (self.add_matter_button, self.remove_matter_button):
            button.setAutoDefault(False)

        form = QFormLayout()
        form.addRow("会议类型", hbox(self.kind_box, "层级", self.level_box, self.grid_box, (self.compound_edit, 1),
                                     STRETCH))
        form.addRow("会议时间", hbox(self.held_edit, "地点", (self.place_edit, 1)))
        form.addRow("议题", self.topic_edit)
        form.addRow("主持人", hbox((self.host_edit, 1), "参会人数", self.attendance_spin))
        form.addRow("参会人员", self.attendees_edit)
        form.addRow("决议", self.resolution_edit)
        form.addRow("议事阶段", self.stage_box)
        linked_box = QGroupBox("关联的民情事项")
        vbox(self.linked, hbox((self.matter_search, 1), (self.found_box, 2), self.add_matter_button,
                               self.remove_matter_button), parent=linked_box)

        self.error_label = error_label()
        self.buttons, self.save_button = save_cancel_buttons(self, self.save)
        ctx.enable_if_allowed(self.save_button, "records.edit")
        vbox(form, linked_box, self.error_label, self.buttons, parent=self)

        self.level_box.currentTextChanged.connect(self._level_changed)
        self.matter_search.search.connect(self.find_matters)
        self.add_matter_button.clicked.connect(self.add_found_matter)
        self.remove_matter_button.clicked.connect(self.remove_selected_matter)
        self._level_changed(self.level_box.currentText())
        self.find_matters("")
        if meeting_id:
            self._load(meeting_id)
        for matter_id in matter_ids:
            self.add_matter(matter_id)

    # -- fields ------------------------------------------------------------------------
    def _level_changed(self, level: str) -> None:
        self.grid_box.setVisible(level == "网格")
        self.compound_edit.setVisible(level == "小区")

    def _load(self, meeting_id: int) -> None:
        m = meetings_model.get_meeting(self.ctx.ledger, meeting_id)
        self.kind_box.setCurrentText(m["kind"])
        self.level_box.setCurrentText(m["level"])
        if m.get("grid_id"):
            self.grid_box.setCurrentIndex(max(0, self.grid_box.findData(m["grid_id"])))
        self.compound_edit.setText(m.get("compound") or "")
        self.held_edit.setDateTime(QDateTime.fromString(str(m["held_at"])[:16], "yyyy-MM-dd HH:mm"))
        self.place_edit.setText(m.get("place") or "")
        self.host_edit.setText(m.get("host") or "")
        self.topic_edit.setText(m.get("topic") or "")
        self.attendees_edit.setText(m.get("attendees") or "")
        self.attendance_spin.setValue(int(m.get("attendance") or 0))
        self.resolution_edit.setPlainText(m.get("resolution") or "")
        self.stage_box.setCurrentIndex(max(0, self.stage_box.findData(m.get("stage") or "")))
        for matter in m["matters"]:
            self._add_item(matter)

    # -- linked matters ------------------------------------------------------------------
    def linked_ids(self) -> list[int]:
        return [self.linked.item(i).data(Qt.UserRole) for i in range(self.linked.count())]

    def _add_item(self, matter: dict) -> None:
        if matter["id"] in self.linked_ids():
            return
        text = f"{matter['number']}　{matter.get('level', '')}　{matter['state']}　" \
               f"{' '.join(str(matter['description']).split())}"
        item = QListWidgetItem(text)
        item.setData(Qt.UserRole, matter["id"])
        item.setToolTip(matter["description"])
        self.linked.addItem(item)

    def add_matter(self, matter_id: int) -> None:
        self._add_item(matters_model.get_matter(self.ctx.ledger, matter_id))

    def find_matters(self, text: str) -> None:
        """Offer matters whose number or text matches (open big matters first when empty)."""
        flt = matters_model.MatterFilter(text=text) if text else matters_model.MatterFilter(level="大事")
        rows, _cursor = matters_model.search_page(self.ctx.ledger, flt, limit=30)
        self.found_box.clear()
        for row in rows:
            self.found_box.addItem(f"{row['number']}　{row['state']}　"
                                   f"{' '.join(str(row['description']).split())[:30]}", row["id"])
        if not rows:
            self.found_box.addItem("（没有找到事项）", None)
        self.add_matter_button.setEnabled(bool(rows))

    def add_found_matter(self) -> None:
        matter_id = self.found_box.currentData()
        if matter_id is not None:
            self.add_matter(matter_id)

    def remove_selected_matter(self) -> None:
        for item in self.linked.selectedItems():
            self.linked.takeItem(self.linked.row(item))

    def done(self, result: int) -> None:
        self.matter_search.blockSignals(True)   # a search still waiting for typing to pause
        super().done(result)

    # -- saving --------------------------------------------------------------------------
    def values(self) -> dict:
        level = self.level_box.currentText()
        return {
            "kind": self.kind_box.currentText(), "level": level,
            "grid_id": self.grid_box.currentData() if level == "网格" else None,
            "compound": self.compound_edit.text().strip() if level == "小区" else "",
            "held_at": self.held_edit.dateTime().toPython().replace(second=0, microsecond=0),
            "place": self.place_edit.text().strip(), "host": self.host_edit.text().strip(),
            "topic": self.topic_edit.text().strip(), "attendees": self.attendees_edit.text().strip(),
            "attendance": self.attendance_spin.value(),
            "resolution": self.resolution_edit.toPlainText().strip(),
            "stage": self.stage_box.currentData() or "",
        }

    def save(self) -> LedgerOp | None:
        if not self.save_button.isEnabled():
            return None   # already saving, or the role may not
        meeting_id, values, linked = self.meeting_id, self.values(), self.linked_ids()
        if meeting_id:
            def work(ledger):
                return meetings_model.update_meeting.op(ledger, meeting_id, values, linked)
        else:
            def work(ledger):
                return meetings_model.add_meeting.op(ledger, values, linked)
        return (LedgerOp(self.ctx, work, parent=self, title="保存会议记录")
                .success(lambda changes: self._saved(changes.result or meeting_id))
                .failure(lambda exc: show_save_error(self, exc)).disabling(self.save_button).run())

    def _saved(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id
        self.saved.emit(meeting_id)
        self.accept()


class MeetingsPage(ListPageMixin, QWidget):
    """会议."""

    REFRESH_AREAS = ("meetings", "matters", "grids", "*")
    RECORD_DIALOG = MeetingDialog

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        head = self._start_list_page(ctx, "会议", ("新增会议", self.add_meeting), ("查看 / 修改", self.edit_meeting))
        self.stages_button = QPushButton("议事进程")
        self.stages_button.setToolTip("记录所选会议的四议两公开或六步工作法各阶段")
        self.stages_button.clicked.connect(self.open_stages)
        head.addWidget(self.stages_button)
        self.kind_box = combo([(kind, kind) for kind in meetings_model.KINDS], "全部会议")
        self.grid_box = QComboBox()
        today = ctx.ledger.now().date()
        self.date_check, self.date_from, self.date_to = date_range(
            "会议日期", QDate(today.year, 1, 1), QDate(today.year, today.month, today.day))
        filters = hbox(self.kind_box, self.grid_box, self.date_check, self.date_from, "至", self.date_to, STRETCH)

        self.model = MeetingsTableModel(self)
        self.view = list_view(self.model, (128, 90, 120, 250, 170, 80, 72, 220, 72), stretch=3,
                              open_row=self.edit_meeting)
        self._lay_out_list(head, (filters,), "四议两公开：党组织提议、两委会商议、党员大会审议、居民代表会议决议，"
                                             "决议公开、实施结果公开。红色议事厅六步工作法：民事民提、民事民议、"
                                             "民事民决、民事民筹、民事民办、民事民评。")

        for box in (self.kind_box, self.grid_box):
            box.currentIndexChanged.connect(self._filters_changed)
        self._start_listening()

    def _fill_choices(self) -> None:
        self.ctx.enable_if_allowed(self.new_button, "records.edit", "记录一次会议（Ctrl+N）")
        refill_combo(self.grid_box, "全部网格", [(g["name"], g["id"]) for g in grids_model.grids(self.ctx.ledger)])

    def apply_filters(self) -> None:
        date_from, date_to = self.date_range_values()
        rows = meetings_model.list_meetings(self.ctx.ledger, date_from=date_from, date_to=date_to,
                                            kind=self.kind_box.currentData(),
                                            grid_id=self.grid_box.currentData())
        self.model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 次会议")

    def open_stages(self) -> StagesDialog | None:
        """议事进程 of the chosen meeting (a dialog; the list refreshes through ``ctx.changed``)."""
        index = self.view.currentIndex()
        meeting_id = self.model.meeting_id(index.row()) if index.isValid() else None
        if meeting_id is None:
            QMessageBox.information(self, "议事进程", "请先在列表中选择一次会议。")
            return None
        dialog = StagesDialog(self.ctx, meeting_id, self)
        dialog.open()
        return dialog

    add_meeting = ListPageMixin.open_new_record   # 新增会议
    edit_meeting = ListPageMixin.open_record      # 查看 / 修改
