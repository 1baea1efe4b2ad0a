"""A matter's page: its fields, the timeline of its events, and the actions its state allows.

Each action opens a small dialog (分派: staff; 办结: result; 回访: satisfaction;
上报: a 联席会议, existing or new; 延期: new deadline and reason; 督办: card and
note; 作废: reason, then a confirmation; 修改: the descriptive fields).  The dialogs are opened with
``open()`` — never a blocking ``exec()`` — and the action runs as an operation
(:class:`ui.ops.LedgerOp` over :func:`models.matters.records.apply_action`,
:func:`models.meetings.records.escalate` or :func:`models.matters.records.update_matter`)
when the clerk confirms.  The buttons follow the matter's state and the operator's role
(:func:`models.matters.records.allowed_actions` asks the permission table).

This module also holds what every matter screen shares — how overdue matters look and
:func:`open_matter_detail` — so the list and home pages import it and it imports no page.
"""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QComboBox, QDateTimeEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QPushButton, QRadioButton, QSizePolicy, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from models.grids import hierarchy as grids_model
from models.matters import records as matters_model
from models.meetings import records as meetings_model
from models.core.errors import LedgerError, ValidationError
from models.core.phones import check_phone
from ui.dialogs.matter_form import ReporterFinder
from ui.ops import LedgerOp

#: how overdue matters look everywhere (home, list, detail)
OVERDUE_COLOR = QColor("#c0392b")
OVERDUE_BACKGROUND = QColor("#fdecea")
OVERDUE_BADGE_STYLE = ("QLabel { background: #c0392b; color: white; border-radius: 3px;"
                       " padding: 1px 6px; font-weight: bold; }")


def short_ts(value) -> str:
    """``2026-10-15 09:30`` (no seconds) for a stored timestamp or datetime."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)[:16]


#: what each action's button says
ACTION_BUTTONS = {
    "分派": "分派(&P)", "上报": "上报联席会议(&E)", "办结": "办结(&B)", "回访": "回访(&H)",
    "延期": "延期(&Y)", "督办": "督办(&D)", "作废": "作废(&Z)",
}

STATE_COLORS = {
    "登记": "#6b7785", "已分派": "#2d6cdf", "已上报": "#8e44ad", "已办结": "#1e8449",
    "已回访": "#117a65", "作废": "#7f8c8d",
}


def _badge(text: str, color: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"QLabel {{ background: {color}; color: white; border-radius: 3px;"
                        " padding: 1px 6px; font-weight: bold; }")
    return label


def _text_of(field: QLineEdit | QPlainTextEdit | QComboBox) -> str:
    """What a field holds, stripped: a line, a text box or an editable combo box."""
    if isinstance(field, QPlainTextEdit):
        return field.toPlainText().strip()
    if isinstance(field, QComboBox):
        return field.currentText().strip()
    return field.text().strip()


def _choose_or_type(placeholder: str, items=()) -> QComboBox:
    """An editable combo box: pick one of ``items`` or type another (typing adds nothing to the list)."""
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.NoInsert)
    box.addItems(list(items))
    box.setCurrentIndex(-1)
    box.lineEdit().setPlaceholderText(placeholder)
    # as wide as the form (the placeholder "选择或填写作废理由（必填）" was cut, issue 13)
    box.setSizePolicy(QSizePolicy.Expanding, box.sizePolicy().verticalPolicy())
    box.setMinimumContentsLength(len(placeholder))
    return box


def _multiline(placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(80)
    return edit


class ActionDialog(QDialog):
    """The small dialog of one action.  ``values()`` gives apply_action's keyword arguments.

    A subclass adds its fields in ``build()``, marking those the clerk must fill with
    :meth:`require`; ``problem()`` names the first one left empty (a subclass with more
    to check extends it).
    """

    action = ""
    title = ""   # the window's title when not the action's name

    def __init__(self, ctx, matter: dict, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.matter = matter
        self._required: list[tuple[QLineEdit | QPlainTextEdit | QComboBox, str]] = []
        self.setWindowTitle(f"{self.title or self.action} — {matter.get('number', '')}")
        self.setMinimumWidth(440)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("确定", QDialogButtonBox.AcceptRole)
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(f"{matter.get('number', '')}　{_shorten(matter.get('description', ''), 40)}")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.build()

    def build(self) -> None:
        """Add the action's fields to ``self.form``."""

    def require(self, field, message: str):
        """Mark ``field`` as one the clerk must fill (``message`` says so when it is empty); returns it."""
        self._required.append((field, message))
        return field

    def problem(self) -> str | None:
        """A Chinese message when the input is incomplete, else None."""
        return next((message for field, message in self._required if not _text_of(field)), None)

    def values(self) -> dict:
        return {}

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _try_accept(self) -> None:
        message = self.problem()
        if message:
            self.show_error(message)
            return
        self.accept()


class AssignDialog(ActionDialog):
    action = "分派"
    title = "分派承办人"

    def build(self) -> None:
        self.staff_box = _choose_or_type("选择工作人员，或输入姓名")
        seen = set()
        ledger = self.ctx.ledger
        grid_id = self.matter.get("grid_id")
        grid_rows = grids_model.staff_of_grid(ledger, grid_id) if grid_id else []
        rows = grid_rows + [s for s in grids_model.all_staff(ledger) if s.get("active", 1)]
        for s in rows:
            if s["id"] in seen:
                continue
            seen.add(s["id"])
            self.staff_box.addItem(f"{s['name']}（{s['role']}）", s["id"])
        # the one it is with now; else the grid's 网格员 (never the 督导员 who oversees the grid)
        current = self.matter.get("assignee_staff_id")
        workers = [s["id"] for s in grid_rows if s.get("role") == "网格员"]
        index = self.staff_box.findData(current if current else workers[0]) if current or workers else -1
        self.staff_box.setCurrentIndex(index)
        self.require(self.staff_box, "请选择或填写承办人。")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("交办要求（可不填）")
        self.form.addRow("承办人", self.staff_box)
        self.form.addRow("说明", self.note_edit)

    def _chosen(self) -> tuple[int | None, str]:
        text = _text_of(self.staff_box)
        index = self.staff_box.findText(text)
        if index >= 0:
            return self.staff_box.itemData(index), text.split("（")[0]
        return None, text

    def values(self) -> dict:
        staff_id, name = self._chosen()
        return {"assignee_staff_id": staff_id, "assignee_name": name, "note": _text_of(self.note_edit)}


def _step_time(ctx, earliest) -> QDateTimeEdit:
    """When the step really happened: now by default, never later, never before ``earliest``
    (the step before; the model checks the last event again)."""
    now = ctx.ledger.now().replace(microsecond=0)
    edit = QDateTimeEdit()
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setCalendarPopup(True)
    edit.setMaximumDateTime(QDateTime(now))
    first = _as_datetime(earliest)
    if first is not None and first <= now:
        edit.setMinimumDateTime(QDateTime(first))
    edit.setDateTime(QDateTime(now))
    edit.setProperty("untouched", edit.dateTime().toString("yyyy-MM-dd HH:mm"))
    edit.setToolTip("实际发生的时间；补录时改为当时的时间（不能晚于现在，也不能早于上一步）。")
    return edit


def _time_value(edit: QDateTimeEdit) -> dict:
    """``{"at": …}`` when the clerk set a time; nothing (now, to the second) when left as it was."""
    text = edit.dateTime().toString("yyyy-MM-dd HH:mm")
    return {} if text == edit.property("untouched") else {"at": text + ":00"}


class CloseDialog(ActionDialog):
    action = "办结"

    def build(self) -> None:
        self.result_edit = self.require(_multiline("如何处理的、结果如何"), "请填写办理结果。")
        self.form.addRow("办理结果", self.result_edit)
        self.time_edit = _step_time(self.ctx, self.matter.get("registered_at"))
        self.form.addRow("办结时间", self.time_edit)

    def values(self) -> dict:
        return {"result": _text_of(self.result_edit), **_time_value(self.time_edit)}


class FollowUpDialog(ActionDialog):
    action = "回访"

    def build(self) -> None:
        row = QHBoxLayout()
        self.satisfaction_group = QButtonGroup(self)
        self.satisfaction_buttons: dict[str, QRadioButton] = {}
        for text in matters_model.SATISFACTION:
            button = QRadioButton(text)
            self.satisfaction_group.addButton(button)
            self.satisfaction_buttons[text] = button
            row.addWidget(button)
        row.addStretch(1)   # no choice made for the clerk: a default 满意 biased the records (issue 13)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("回访方式、群众意见（可不填）")
        self.form.addRow("满意度", row)
        self.form.addRow("回访情况", self.note_edit)
        self.time_edit = _step_time(self.ctx, self.matter.get("closed_at"))
        self.form.addRow("回访时间", self.time_edit)

    def satisfaction(self) -> str | None:
        for text, button in self.satisfaction_buttons.items():
            if button.isChecked():
                return text
        return None

    def problem(self):
        return None if self.satisfaction() else "请选择满意度。"

    def values(self) -> dict:
        return {"satisfaction": self.satisfaction(), "note": _text_of(self.note_edit),
                **_time_value(self.time_edit)}


class EscalateDialog(ActionDialog):
    action = "上报"
    title = "上报联席会议"

    def build(self) -> None:
        self.existing_radio = QRadioButton("提交到已有的联席会议")
        self.new_radio = QRadioButton("新建联席会议")
        self.meeting_box = QComboBox()
        meetings = meetings_model.list_meetings(self.ctx.ledger, kind="联席会议")
        for m in meetings:
            self.meeting_box.addItem(f"{short_ts(m.get('held_at'))}　{m.get('topic', '')}", m["id"])
        self.topic_edit = QLineEdit(f"研究{_shorten(self.matter.get('description', ''), 24)}")
        now = self.ctx.ledger.now()
        self.held_edit = QDateTimeEdit(QDateTime(now.replace(second=0)))
        self.held_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.held_edit.setCalendarPopup(True)
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText("如：社区党群服务中心会议室")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("上报说明（可不填）")
        self.form.addRow(self.existing_radio)
        self.form.addRow("会议", self.meeting_box)
        self.form.addRow(self.new_radio)
        self.form.addRow("议题", self.topic_edit)
        self.form.addRow("时间", self.held_edit)
        self.form.addRow("地点", self.place_edit)
        self.form.addRow("说明", self.note_edit)
        self.existing_radio.toggled.connect(self._mode_changed)
        self.new_radio.toggled.connect(self._mode_changed)
        if meetings:
            self.existing_radio.setChecked(True)
        else:
            self.existing_radio.setEnabled(False)
            self.new_radio.setChecked(True)
        self._mode_changed()

    def _mode_changed(self, *_args) -> None:
        existing = self.existing_radio.isChecked()
        self.meeting_box.setEnabled(existing)
        for widget in (self.topic_edit, self.held_edit, self.place_edit):
            widget.setEnabled(not existing)

    def problem(self):
        if self.existing_radio.isChecked() and self.meeting_box.currentData() is None:
            return "请选择联席会议。"
        if self.new_radio.isChecked() and not self.topic_edit.text().strip():
            return "请填写会议议题。"
        return None

    def new_meeting(self) -> dict | None:
        """The meeting to create first, or None when an existing one was chosen."""
        if self.existing_radio.isChecked():
            return None
        return {"kind": "联席会议", "level": "社区", "topic": self.topic_edit.text().strip(),
                "held_at": self.held_edit.dateTime().toPython().replace(second=0, microsecond=0),
                "place": self.place_edit.text().strip()}

    def values(self) -> dict:
        return {"meeting_id": self.meeting_box.currentData() if self.existing_radio.isChecked() else None,
                "note": self.note_edit.text().strip()}


class ExtendDialog(ActionDialog):
    action = "延期"

    def build(self) -> None:
        deadline = self.matter.get("deadline")
        current = _as_datetime(deadline) or self.ctx.ledger.now()
        proposal = max(current, self.ctx.ledger.now()) + dt.timedelta(days=7)
        self.deadline_edit = QDateTimeEdit(QDateTime(proposal.replace(hour=23, minute=59, second=59)))
        self.deadline_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.deadline_edit.setCalendarPopup(True)
        self.reason_edit = self.require(_multiline("为什么需要延期（必填）"), "延期必须写明理由。")
        self.form.addRow("原时限", QLabel(short_ts(deadline)))
        self.form.addRow("新时限", self.deadline_edit)
        self.form.addRow("延期理由", self.reason_edit)

    def problem(self):
        current = _as_datetime(self.matter.get("deadline"))
        later = current is None or self.new_deadline() > current
        return super().problem() or (None if later else "新时限必须晚于原时限。")

    def new_deadline(self) -> dt.datetime:
        value = self.deadline_edit.dateTime().toPython().replace(microsecond=0)
        return value.replace(second=59) if value.minute == 59 and value.hour == 23 else value

    def values(self) -> dict:
        return {"new_deadline": self.new_deadline(), "note": _text_of(self.reason_edit)}


class SuperviseDialog(ActionDialog):
    action = "督办"

    def build(self) -> None:
        self.card_box = QComboBox()
        for card in matters_model.CARDS:
            hint = {"黄牌": "（网格扣分）", "红牌": "（网格扣分加重）"}.get(card, "")
            self.card_box.addItem(f"{card}{hint}", card)
        self.note_edit = self.require(_multiline("督办意见（必填）"), "请填写督办意见。")
        days = matters_model.supervision_window_days(self.ctx.ledger)
        self.window_note = QLabel(f"督办只用于已超期或 {days} 天内到期的事项"
                                  f"（本事项时限 {(self.matter.get('deadline') or '')[:16]}）。")
        self.window_note.setObjectName("fieldWarning")
        self.window_note.setWordWrap(True)
        self.form.addRow("督办方式", self.card_box)
        self.form.addRow("督办意见", self.note_edit)
        self.form.addRow(self.window_note)

    def values(self) -> dict:
        return {"card": self.card_box.currentData(), "note": _text_of(self.note_edit)}


class CancelDialog(ActionDialog):
    action = "作废"
    title = "作废事项"

    def build(self) -> None:
        self.reason_box = self.require(_choose_or_type("选择或填写作废理由（必填）", ["重复登记", "信息有误", "不属于受理范围"]),
                                       "作废必须写明理由。")
        warning = QLabel("作废后事项不再办理，也不计入评比；此操作会记录操作人和理由。")
        warning.setObjectName("fieldWarning")
        warning.setWordWrap(True)
        self.form.addRow("作废理由", self.reason_box)
        self.form.addRow(warning)

    def values(self) -> dict:
        return {"note": _text_of(self.reason_box)}


class EditDialog(ActionDialog):
    """修改事项信息: the fields :func:`models.matters.records.update_matter` may correct, prefilled.

    ``values()`` gives only the fields the clerk changed.
    """

    action = "修改"
    title = "修改事项信息"

    def build(self) -> None:
        m = self.matter
        self.source_box = QComboBox()
        offered = matters_model.sources(self.ctx.ledger)
        self.source_box.addItems(offered + ([m["source"]] if m.get("source") and m["source"] not in offered else []))
        self.source_box.setCurrentIndex(max(0, self.source_box.findText(m.get("source") or "")))
        self.category_box = QComboBox()
        category_names = matters_model.categories(self.ctx.ledger)
        if m.get("category") and m["category"] not in category_names:
            category_names = [m["category"], *category_names]   # a category since removed from the list
        self.category_box.addItems(category_names)
        self.category_box.setCurrentIndex(max(0, self.category_box.findText(m.get("category") or "")))
        self.description_edit = _multiline("发生了什么、群众的诉求（必填）")
        self.description_edit.setPlainText(m.get("description") or "")
        self.location_edit = QLineEdit(m.get("location_text") or "")
        self.location_edit.setPlaceholderText("补充地点，如“小区东门路灯”（可不填）")
        self.reporter_edit = ReporterFinder(self.ctx.ledger)
        self.reporter_edit.setText(m.get("reporter_name") or "")
        self.reporter_edit.resident_id = m.get("reporter_resident_id") or None
        self.reporter_edit.resident_chosen.connect(self._resident_chosen)
        self.phone_edit = QLineEdit(m.get("reporter_phone") or "")
        self.phone_edit.setPlaceholderText("手机或座机，如 13800001234、0551-1234567")
        self.form.addRow("来源(&S)", self.source_box)
        self.form.addRow("类别(&L)", self.category_box)
        self.form.addRow("事项描述(&M)", self.description_edit)
        self.form.addRow("地点(&W)", self.location_edit)
        self.form.addRow("反映人(&R)", self.reporter_edit)
        self.form.addRow("联系电话(&T)", self.phone_edit)
        note = QLabel("分级、网格、登记时间和承办人不在此修改；修改会记入操作日志。")
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.ok_button.setText("保存")
        self.fields_widgets = {
            "source": self.source_box, "category": self.category_box, "description": self.description_edit,
            "location_text": self.location_edit, "reporter_resident_id": self.reporter_edit,
            "reporter_name": self.reporter_edit, "reporter_phone": self.phone_edit,
        }

    def _resident_chosen(self, row: dict) -> None:
        if row.get("phone") and not self.phone_edit.text().strip():
            self.phone_edit.setText(row["phone"])

    def entered(self) -> dict:
        """Every editable field as the dialog shows it."""
        return {
            "source": self.source_box.currentText(), "category": self.category_box.currentText(),
            "description": self.description_edit.toPlainText().strip(),
            "location_text": self.location_edit.text().strip(),
            "reporter_resident_id": self.reporter_edit.resident_id or None,
            "reporter_name": self.reporter_edit.text().strip(),
            "reporter_phone": self.phone_edit.text().strip(),
        }

    def values(self) -> dict:
        old = self.matter
        return {k: v for k, v in self.entered().items() if (old.get(k) or None) != (v or None)}

    def problem(self):
        data = self.entered()
        if not data["description"]:
            self.description_edit.setFocus()
            return "请填写事项描述。"
        if data["reporter_phone"]:
            _number, error = check_phone(data["reporter_phone"])
            if error:
                self.phone_edit.setFocus()
                return f"联系电话有误：{error}"
        return None

    def focus_field(self, field: str | None) -> None:
        widget = self.fields_widgets.get(field or "")
        if widget is not None:
            widget.setFocus()


ACTION_DIALOGS: dict[str, type[ActionDialog]] = {
    d.action: d for d in (AssignDialog, CloseDialog, FollowUpDialog, EscalateDialog, ExtendDialog,
                          SuperviseDialog, CancelDialog)
}


def _shorten(text: str, n: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _as_datetime(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if not value:
        return None
    try:
        return dt.datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _event_detail(event: dict) -> str:
    """What an event's data says, in Chinese (satisfaction, new deadline, card, meeting …)."""
    data = event.get("data") or {}
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = {}
    parts = []
    labels = {"assignee_name": "承办人", "result": "结果", "satisfaction": "满意度",
              "new_deadline": "新时限", "old_deadline": "原时限", "card": "督办", "meeting_topic": "会议"}
    for key, label in labels.items():
        if data.get(key):
            value = data[key]
            if key in ("new_deadline", "old_deadline"):
                value = short_ts(value)
            parts.append(f"{label}：{value}")
    note = event.get("note") or ""
    if note and note not in (data.get("result"),):
        parts.append(note)
    return "；".join(parts)


def _edit_detail(edit: dict) -> str:
    """One correction in Chinese: 来源：QQ群 → 12345热线；事项描述：… → …"""
    parts = []
    for field, new in edit.get("new", {}).items():
        label = matters_model.FIELD_LABELS.get(field, field)
        if field == "reporter_resident_id":
            parts.append("关联居民档案" if new else "取消关联居民档案")
            continue
        old = edit.get("old", {}).get(field)
        parts.append(f"{label}：{_shorten(old, 20) or '（空）'} → {_shorten(new, 20) or '（空）'}")
    return "；".join(parts)


class MatterDetailDialog(QDialog):
    """One matter: fields, timeline, and buttons for the actions its state allows.

    Signals:
        acted(str): an action was applied (its name).
    """

    acted = Signal(str)

    def __init__(self, ctx, matter_id: int, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.matter_id = matter_id
        self.matter: dict = {}
        self.action_dialog: ActionDialog | None = None
        self.setWindowTitle("民情事项")
        self.setWindowFlag(Qt.WindowMaximizeButtonHint, True)
        self.resize(920, 660)

        self.number_label = QLabel()
        self.number_label.setObjectName("pageTitle")
        self.state_badge = QLabel()
        self.overdue_badge = QLabel("已超期")
        self.overdue_badge.setStyleSheet(OVERDUE_BADGE_STYLE)
        self.supervision_badge = QLabel()
        head = QHBoxLayout()
        head.addWidget(self.number_label)
        head.addWidget(self.state_badge)
        head.addWidget(self.overdue_badge)
        head.addWidget(self.supervision_badge)
        head.addStretch(1)

        self.fields: dict[str, QLabel] = {}
        info = QGridLayout()
        info.setHorizontalSpacing(12)
        info.setVerticalSpacing(6)
        layout_fields = [
            ("registered_at", "登记时间"), ("source", "来源"),
            ("category", "类别"), ("level", "分级"),
            ("grid_name", "网格"), ("place", "位置"),
            ("reporter", "反映人"), ("reporter_phone", "联系电话"),
            ("assignee_name", "承办人"), ("deadline", "办理时限"),
            ("closed_at", "办结时间"), ("followed_up_at", "回访时间"),
            ("satisfaction", "满意度"), ("meeting", "联席会议"),
        ]
        for i, (key, label) in enumerate(layout_fields):
            row, col = divmod(i, 2)
            name = QLabel(label + "：")
            name.setObjectName("hint")
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            info.addWidget(name, row, col * 2, Qt.AlignRight | Qt.AlignTop)
            info.addWidget(value, row, col * 2 + 1)
        info.setColumnStretch(1, 1)
        info.setColumnStretch(3, 1)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        box = QGroupBox("事项信息")
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(info)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setFrameShadow(QFrame.Sunken)
        box_layout.addWidget(line)
        desc_form = QFormLayout()
        desc_form.addRow("事项描述：", self.description_label)
        desc_form.addRow("办理结果：", self.result_label)
        box_layout.addLayout(desc_form)

        self.timeline = QTableWidget(0, 5)
        self.timeline.setHorizontalHeaderLabels(["时间", "环节", "状态变化", "操作人", "说明"])
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setWordWrap(True)
        header = self.timeline.horizontalHeader()
        for col, width in enumerate((140, 56, 130, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        timeline_box = QGroupBox("办理过程")
        QVBoxLayout(timeline_box).addWidget(self.timeline)

        self.action_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        self.edit_button = QPushButton("修改(&G)")
        self.edit_button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.start_edit)
        actions.addWidget(self.edit_button)
        for action in matters_model.ACTIONS:
            button = QPushButton(ACTION_BUTTONS.get(action, action))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, a=action: self.start_action(a))
            if action in ("办结", "分派", "回访"):
                button.setObjectName("primary")
            self.action_buttons[action] = button
            actions.addWidget(button)
        actions.addStretch(1)
        self.no_action_label = QLabel("本事项已结束，无需再办理。")
        self.no_action_label.setObjectName("hint")
        actions.addWidget(self.no_action_label)
        close = QPushButton("关闭")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(box)
        layout.addWidget(timeline_box, 1)
        layout.addLayout(actions)

        ctx.changed.connect(self._on_changed)
        self.refresh()

    # -- showing -----------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self.matter = matters_model.get_matter(self.ctx.ledger, self.matter_id)
        except LedgerError as exc:
            self.number_label.setText("事项不存在")
            self.description_label.setText(str(exc))
            for button in self.action_buttons.values():
                button.hide()
            self.edit_button.hide()
            return
        m = self.matter
        self.setWindowTitle(f"民情事项 {m.get('number', '')}")
        self.number_label.setText(f"事项 {m.get('number', '')}")
        state = m.get("state", "")
        self.state_badge.setText(state)
        self.state_badge.setStyleSheet(
            f"QLabel {{ background: {STATE_COLORS.get(state, '#6b7785')}; color: white;"
            " border-radius: 3px; padding: 1px 6px; font-weight: bold; }")
        overdue = bool(m.get("is_overdue"))
        self.overdue_badge.setVisible(overdue)
        card = m.get("supervision") or ""
        self.supervision_badge.setVisible(bool(card))
        if card:
            color = {"红牌": "#c0392b", "黄牌": "#d4a017"}.get(card, "#6b7785")
            self.supervision_badge.setText("督办" if card == "普通" else f"{card}督办")
            self.supervision_badge.setStyleSheet(
                f"QLabel {{ background: {color}; color: white; border-radius: 3px; padding: 1px 6px; }}")

        place = m.get("household_label") or m.get("household") or ""
        location = m.get("location_text") or ""
        if location and location != place:
            place = f"{place}（{location}）" if place else location
        reporter = m.get("reporter_name") or ""
        if m.get("reporter_resident_id") and reporter:
            reporter += "（本社区居民）"
        meeting = "、".join(self._meeting_titles(m.get("meeting_ids") or []))
        values = {
            "registered_at": short_ts(m.get("registered_at")), "source": m.get("source"),
            "category": m.get("category"), "level": m.get("level"), "grid_name": m.get("grid_name"),
            "place": place, "reporter": reporter, "reporter_phone": m.get("reporter_phone"),
            "assignee_name": m.get("assignee_name") or "（未分派）",
            "deadline": short_ts(m.get("deadline")) + ("　已超期" if overdue else ""),
            "closed_at": short_ts(m.get("closed_at")), "followed_up_at": short_ts(m.get("followed_up_at")),
            "satisfaction": m.get("satisfaction"), "meeting": meeting,
        }
        for key, label in self.fields.items():
            label.setText(str(values.get(key) or "—"))
        deadline_label = self.fields["deadline"]
        deadline_label.setStyleSheet(f"color: {OVERDUE_COLOR.name()}; font-weight: bold;" if overdue else "")
        self.description_label.setText(m.get("description", ""))
        self.result_label.setText(m.get("result") or "—")

        role = self.ctx.ledger.operator.role
        allowed = set(matters_model.allowed_actions(m, role))
        for action, button in self.action_buttons.items():
            button.setVisible(action in allowed)
        # assigning an assigned matter again hands it to someone else
        self.action_buttons["分派"].setText("改派(&P)" if m.get("assignee_name") else ACTION_BUTTONS["分派"])
        self.no_action_label.setText("本事项已结束，无需再办理。" if not matters_model.allowed_actions(m)
                                     else f"{role}不能办理本事项的当前环节。")
        self.no_action_label.setVisible(not allowed)
        if not self.ctx.may("matter.修改"):
            self.edit_button.setEnabled(False)
            self.edit_button.setToolTip(self.ctx.refusal("matter.修改"))
        elif state == "作废":
            self.edit_button.setEnabled(False)
            self.edit_button.setToolTip("事项已作废，不能再修改。")
        else:
            self.edit_button.setEnabled(True)
            self.edit_button.setToolTip("修改来源、类别、描述、地点和反映人")
        self._fill_timeline()

    def _meeting_titles(self, meeting_ids) -> list[str]:
        titles = []
        for meeting_id in meeting_ids:
            try:
                meeting = meetings_model.get_meeting(self.ctx.ledger, meeting_id)
            except LedgerError:
                continue
            titles.append(f"{meeting['kind']}（{str(meeting['held_at'])[:10]}）{meeting['topic']}")
        return titles

    def _fill_timeline(self) -> None:
        events = matters_model.matter_events(self.ctx.ledger, self.matter_id)
        # corrections of the fields (修改) are on the record too, between the steps when they happened
        edits = [{"at": e["at"], "action": "修改", "from_state": None, "to_state": "", "operator": e["operator"],
                  "note": _edit_detail(e), "data": None}
                 for e in matters_model.matter_edits(self.ctx.ledger, self.matter_id)]
        events = sorted(events + edits, key=lambda e: str(e.get("at") or ""))
        self.timeline.setRowCount(len(events))
        for row, event in enumerate(events):
            change = event.get("to_state") or ""
            if event.get("from_state") and event.get("from_state") != event.get("to_state"):
                change = f"{event['from_state']} → {event['to_state']}"
            detail = _event_detail(event)
            meeting_id = (event.get("data") or {}).get("meeting_id") if isinstance(event.get("data"), dict) else None
            if meeting_id:
                titles = self._meeting_titles([meeting_id])
                detail = "；".join(p for p in ([f"会议：{titles[0]}"] if titles else []) + [detail] if p)
            cells = [short_ts(event.get("at")), event.get("action", ""), change,
                     event.get("operator", ""), detail]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text or ""))
                if col == 4:
                    item.setToolTip(str(text or ""))
                if event.get("action") == "督办":
                    item.setForeground(QColor("#b9770e"))
                elif event.get("action") == "作废":
                    item.setForeground(QColor("#7f8c8d"))
                if col == 1:
                    font = QFont()
                    font.setBold(True)
                    item.setFont(font)
                self.timeline.setItem(row, col, item)
        self.timeline.resizeRowsToContents()
        if events:
            self.timeline.scrollToBottom()

    def _on_changed(self, area: str) -> None:
        if area in ("matters", "meetings", "*") and self.isVisible():
            self.refresh()

    # -- acting ------------------------------------------------------------------------
    def start_action(self, action: str) -> ActionDialog:
        """Open the action's small dialog (non-blocking); returns it."""
        dialog_class = ACTION_DIALOGS[action]
        dialog = dialog_class(self.ctx, self.matter, self)
        dialog.accepted.connect(lambda d=dialog: self._confirm(d))
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def start_edit(self) -> EditDialog:
        """Open 修改事项信息 (non-blocking); returns it."""
        dialog = EditDialog(self.ctx, self.matter, self)
        dialog.accepted.connect(lambda d=dialog: self.save_edit(d))
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def save_edit(self, dialog: EditDialog) -> LedgerOp | None:
        """Save the edit dialog's changes (update_matter); reopen it with the reason when refused."""
        changes = dialog.values()
        if not changes:
            return None
        matter_id = self.matter_id

        def refused(exc: LedgerError) -> None:
            if isinstance(exc, ValidationError):
                dialog.show_error(str(exc))
                dialog.open()
                dialog.focus_field(exc.field)
            else:
                QMessageBox.warning(self, "修改未完成", str(exc))

        return (LedgerOp(self.ctx, lambda ledger: matters_model.update_matter.op(ledger, matter_id, changes),
                         parent=self, title="修改事项")
                .success(lambda _changes: self._acted("修改")).failure(refused).run())

    def _confirm(self, dialog: ActionDialog) -> None:
        if dialog.action == "作废":
            answer = QMessageBox.question(
                self, "确认作废",
                f"确定作废事项 {self.matter.get('number', '')} 吗？\n理由：{dialog.values()['note']}\n"
                "作废后不能恢复办理。",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
        self.perform(dialog)

    def perform(self, dialog: ActionDialog) -> LedgerOp:
        """Apply the dialog's action; say why in Chinese when it is refused."""
        values = dict(dialog.values())
        note = values.pop("note", "")
        matter_id, action = self.matter_id, dialog.action
        if isinstance(dialog, EscalateDialog):   # to a meeting chosen, or to a new one recorded first
            meeting = dialog.new_meeting()

            def work(ledger):
                return meetings_model.escalate.op(ledger, matter_id, meeting_id=values["meeting_id"],
                                                  new_meeting=meeting, note=note)
        else:
            def work(ledger):
                return matters_model.apply_action.op(ledger, matter_id, action, note=note, **values)
        return (LedgerOp(self.ctx, work, parent=self, title=action)
                .success(lambda _changes: self._acted(action))
                .failure(lambda exc: QMessageBox.warning(self, f"{action}未完成", str(exc)))
                .run())

    def _acted(self, action: str) -> None:
        if not self.isVisible():
            self.refresh()   # a visible page has refreshed itself from ctx.changed
        self.acted.emit(action)


def open_matter_detail(ctx, matter_id: int, parent: QWidget):
    """Show a matter's page, reusing the window already open for it."""
    for dialog in list(OPEN_DETAILS):
        try:
            if dialog.ctx is ctx and dialog.matter_id == matter_id and dialog.isVisible():
                dialog.raise_()
                dialog.activateWindow()
                return dialog
        except RuntimeError:  # its window (and parent) was already deleted
            OPEN_DETAILS.remove(dialog)
    dialog = MatterDetailDialog(ctx, matter_id, parent)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    OPEN_DETAILS.append(dialog)
    dialog.destroyed.connect(lambda _o=None, d=dialog: OPEN_DETAILS.remove(d) if d in OPEN_DETAILS else None)
    dialog.show()
    return dialog


#: matter windows currently open (a clerk may keep several side by side)
OPEN_DETAILS: list = []
