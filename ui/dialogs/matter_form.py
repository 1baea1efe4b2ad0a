"""登记民情事项: the registration form, made to be filled with the keyboard alone.

Tab or Enter moves from field to field in reading order (ui.widgets.forms: Enter never
saves; Shift+Enter starts a new line in the description); Ctrl+S or 保存 saves.  Defaults: the time is now,
the source is 来访, the level follows the category, and choosing a reporter
from the residents (type a name or a phone number) fills the phone and the
household, whose grid, building and unit follow.
"""

from __future__ import annotations


from PySide6.QtCore import QDateTime, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QCompleter, QDateTimeEdit, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from models.grids import hierarchy as grids_model
from models.matters import records as matters_model
from models.residents import records as residents_model
from models.core.errors import LedgerError, ValidationError
from ui.ops import LedgerOp
from ui.widgets.pickers import HierarchyPicker

RESIDENT_ROLE = Qt.UserRole + 1
NAME_ROLE = Qt.UserRole + 2


def category_and_level(ledger) -> tuple[QComboBox, QComboBox]:
    """类别 and 分级 boxes of a new matter: choosing a category sets its level (设置 → 事项类别)."""
    category, level = QComboBox(), QComboBox()
    category.addItems(matters_model.categories(ledger))
    level.addItems(list(matters_model.LEVELS))

    def chosen(text: str) -> None:
        if text:
            level.setCurrentText(matters_model.default_level(ledger, text))

    category.currentTextChanged.connect(chosen)
    chosen(category.currentText())
    return category, level


class DescriptionEdit(QPlainTextEdit):
    """A multi-line field that Tab leaves (Enter moves on too, ui.widgets.forms; Shift+Enter: a new line)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)


class ReporterFinder(QLineEdit):
    """反映人: type a name or a phone number; residents are offered as you type.

    Choosing one remembers the resident; editing the text afterwards makes it
    free text again (someone not in the ledger).  The suggestions open only when there are
    some; ↓ looks up at once (without waiting for the pause) and selects the first, so ↓+Enter
    typed fast always picks someone.

    Signals:
        resident_chosen(dict): the resident row chosen from the suggestions.
    """

    resident_chosen = Signal(dict)

    def __init__(self, ledger, parent=None):
        super().__init__(parent)
        self.ledger = ledger
        self.resident_id: int | None = None
        self._rows: dict[int, dict] = {}
        self.setPlaceholderText("输入姓名或电话查找居民，也可直接填写")
        self.suggestions = QStandardItemModel(self)
        self.completer_ = QCompleter(self.suggestions, self)
        self.completer_.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        self.completer_.setCompletionRole(NAME_ROLE)
        self.completer_.setMaxVisibleItems(10)
        # not setCompleter(): QLineEdit would open the popup on every edit, stale or empty
        self.completer_.setWidget(self)
        self.completer_.activated[QModelIndex].connect(self._chosen)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.lookup)
        self.textEdited.connect(self._edited)

    def _edited(self, _text: str) -> None:
        self.resident_id = None
        self.completer_.popup().hide()    # its rows belong to the text before
        self._timer.start()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key_Down and event.modifiers() == Qt.NoModifier and self.text().strip():
            if self._timer.isActive() or not self.completer_.popup().isVisible():
                self.lookup()
            popup = self.completer_.popup()
            if popup.isVisible() and not popup.currentIndex().isValid():
                popup.setCurrentIndex(self.completer_.completionModel().index(0, 0))
            return
        super().keyPressEvent(event)

    def find_residents(self, text: str) -> list[dict]:
        if not text:
            return []
        rows, _cursor = residents_model.search_page(
            self.ledger, residents_model.ResidentFilter(text=text, status="在册"), limit=10)
        return rows

    def hideEvent(self, event) -> None:
        self._timer.stop()   # the form closed while a lookup was pending
        super().hideEvent(event)

    def lookup(self) -> None:
        """Fill the suggestions for the current text and show them."""
        self._timer.stop()
        if not self.isVisible():
            return
        text = self.text().strip()
        self.suggestions.clear()
        self._rows = {}
        if not text:
            return
        try:
            rows = self.find_residents(text)
        except LedgerError:
            rows = []
        for row in rows:
            place = "".join(str(row.get(k) or "") for k in ("building", "unit", "room"))
            item = QStandardItem("　".join(p for p in (row["name"], row.get("phone") or "", place) if p))
            item.setData(row["id"], RESIDENT_ROLE)
            item.setData(row["name"], NAME_ROLE)
            self._rows[row["id"]] = row
            self.suggestions.appendRow(item)
        if rows and self.hasFocus():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()

    def _chosen(self, index: QModelIndex) -> None:
        resident_id = index.data(RESIDENT_ROLE)
        row = self._rows.get(resident_id)
        if row is None:
            return
        self.choose(row)

    def choose(self, row: dict) -> None:
        """Take ``row`` (a resident) as the reporter."""
        self._timer.stop()
        self.setText(row["name"])
        self.resident_id = row["id"]
        self.resident_chosen.emit(row)


class MatterForm(QDialog):
    """登记民情事项.  ``open()`` it; ``saved(int)`` carries the new matter's id.

    Signals:
        saved(int): the matter was registered (id).
    """

    saved = Signal(int)

    def __init__(self, ctx, parent=None, *, household_id=None, grid_id=None, visit_id=None,
                 source: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        ledger = ctx.ledger
        self.matter_id: int | None = None
        self.visit_id = visit_id
        self.setWindowTitle("登记民情事项")
        self.setMinimumWidth(640)

        now = ledger.now()
        self.registered_edit = QDateTimeEdit(QDateTime(now))
        self.registered_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.registered_edit.setCalendarPopup(True)
        self.source_box = QComboBox()
        offered = matters_model.sources(ledger)
        self.source_box.addItems(offered)
        self.source_box.setCurrentText(source or ("来访" if "来访" in offered else offered[0]))
        self.reporter_edit = ReporterFinder(ledger)
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("手机或座机，如 13800001234、0551-1234567")
        self.place = HierarchyPicker(ctx, depth=4, for_filter=False)
        self.place.combos["grid"].setMinimumContentsLength(8)
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("补充地点，如“小区东门路灯”（可不填）")
        self.category_box, self.level_box = category_and_level(ledger)
        self.description_edit = DescriptionEdit()
        self.description_edit.setPlaceholderText("反映的问题（Shift+回车换行）")
        self.description_edit.setFixedHeight(72)
        self.assignee_box = QComboBox()
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("hint")
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        form.addRow("登记时间", self.registered_edit)
        form.addRow("来源(&S)", self.source_box)
        form.addRow("反映人(&R)", self.reporter_edit)
        form.addRow("联系电话", self.phone_edit)
        form.addRow("所在位置", self.place)
        form.addRow("地点说明", self.location_edit)
        cat_row = QHBoxLayout()
        cat_row.addWidget(self.category_box, 2)
        level_label = QLabel("分级(&L)")
        level_label.setBuddy(self.level_box)
        cat_row.addWidget(level_label)
        cat_row.addWidget(self.level_box, 1)
        form.addRow("类别(&C)", cat_row)
        form.addRow("事项描述(&D)", self.description_edit)
        form.addRow("承办人(&A)", self.assignee_box)
        form.addRow("办理时限", self.deadline_label)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        hint = QLabel("回车或 Tab 到下一项，Ctrl+S 保存；选中居民后自动带出电话和住址。")
        hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        # reading order = tab order; 登记时间 is defaulted, so the cursor starts at 来源
        order = [self.registered_edit, self.source_box, self.reporter_edit, self.phone_edit,
                 *self.place.combos.values(),
                 self.location_edit, self.category_box, self.level_box, self.description_edit,
                 self.assignee_box, self.save_button, self.cancel_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

        self.reporter_edit.resident_chosen.connect(self._resident_chosen)
        self._grid_id = None
        self.place.changed.connect(self._place_changed)
        self.category_box.currentTextChanged.connect(self._update_deadline)
        self.level_box.currentTextChanged.connect(self._update_deadline)
        self.registered_edit.dateTimeChanged.connect(self._update_deadline)

        self._fill_assignees(None)
        if household_id is not None:
            self._select_household(household_id)
        elif grid_id is not None:
            self.place.set_path(grid=grid_id)
        self._update_deadline()

    # -- reactions ---------------------------------------------------------------
    def _select_household(self, household_id) -> None:
        try:
            self.place.set_household(household_id)
        except LedgerError:
            pass  # a household that no longer exists: the clerk chooses the place

    def _place_changed(self) -> None:
        grid_id = self.place.grid_id()
        if grid_id != self._grid_id:
            self._grid_id = grid_id
            self._fill_assignees(grid_id)

    def _resident_chosen(self, row: dict) -> None:
        if row.get("phone") and not self.phone_edit.text().strip():
            self.phone_edit.setText(row["phone"])
        if row.get("household_id"):
            self._select_household(row["household_id"])

    def _fill_assignees(self, grid_id) -> None:
        """Staff of the chosen grid first, then everyone else."""
        current = self.assignee_box.currentData()
        ledger = self.ctx.ledger
        self.assignee_box.clear()
        self.assignee_box.addItem("暂不分派", None)
        seen = set()
        if grid_id is not None:
            for s in grids_model.staff_of_grid(ledger, grid_id):
                if s["id"] not in seen:
                    seen.add(s["id"])
                    self.assignee_box.addItem(f"{s['name']}（{s['role']}）", s["id"])
        for s in grids_model.all_staff(ledger):
            if s["id"] not in seen and s.get("active", 1):
                seen.add(s["id"])
                self.assignee_box.addItem(f"{s['name']}（{s['role']}）", s["id"])
        index = self.assignee_box.findData(current) if current is not None else -1
        self.assignee_box.setCurrentIndex(max(index, 0))

    def _update_deadline(self, *_args) -> None:
        registered = self.registered_edit.dateTime().toPython().replace(second=0, microsecond=0)
        try:
            deadline = matters_model.compute_deadline(self.ctx.ledger, self.level_box.currentText(),
                                                      self.category_box.currentText(), registered)
        except LedgerError as exc:
            self.deadline_label.setText(str(exc))
            return
        if deadline.date() == registered.date():
            text = f"当日办结：{deadline:%Y-%m-%d %H:%M} 前（今日事今日毕）"
        else:
            days = (deadline.date() - registered.date()).days
            text = f"{deadline:%Y-%m-%d %H:%M} 前（{days} 天）"
        self.deadline_label.setText(text)

    # -- saving ------------------------------------------------------------------
    def values(self) -> dict:
        registered = self.registered_edit.dateTime().toPython().replace(microsecond=0)
        staff_id = self.assignee_box.currentData()
        assignee_name = self.assignee_box.currentText().split("（")[0] if staff_id is not None else ""
        data = {
            "registered_at": registered,
            "source": self.source_box.currentText(),
            "category": self.category_box.currentText(),
            "level": self.level_box.currentText(),
            "description": self.description_edit.toPlainText().strip(),
            "grid_id": self.place.grid_id(),
            "building_id": self.place.building_id(),
            "unit_id": self.place.unit_id(),
            "household_id": self.place.household_id(),
            "location_text": self.location_edit.text().strip(),
            "reporter_resident_id": self.reporter_edit.resident_id,
            "reporter_name": self.reporter_edit.text().strip(),
            "reporter_phone": self.phone_edit.text().strip(),
            "assignee_staff_id": staff_id,
            "assignee_name": assignee_name,
        }
        if self.visit_id is not None:
            data["visit_id"] = self.visit_id
        return data

    def _check(self, data: dict) -> tuple[str, QWidget] | None:
        """The form's own checks, before the ledger's (which say the same in detail)."""
        if data["grid_id"] is None:
            return "请选择事项所在的网格。", self.place.combos["grid"]
        if not data["description"]:
            return "请填写事项描述。", self.description_edit
        return None

    def _show_error(self, message: str, widget: QWidget | None) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        if widget is not None:
            widget.setFocus()

    def save(self) -> LedgerOp | None:
        """Register the matter; on bad input say why and put the cursor there."""
        if not self.save_button.isEnabled():
            return None   # already saving
        data = self.values()
        problem = self._check(data)
        if problem:
            self._show_error(*problem)
            return None
        return (LedgerOp(self.ctx, lambda ledger: matters_model.register_matter.op(ledger, data), parent=self,
                         title="登记事项")
                .success(self._registered).failure(self._refused).disabling(self.save_button).run())

    def _registered(self, changes) -> None:
        self.matter_id = changes.result
        self.saved.emit(self.matter_id)
        self.accept()

    def _refused(self, exc: LedgerError) -> None:
        if isinstance(exc, ValidationError):
            self._show_error(str(exc), self._field_widget(exc.field))
        else:
            QMessageBox.warning(self, "登记失败", str(exc))

    def _field_widget(self, field: str | None) -> QWidget | None:
        return {
            "registered_at": self.registered_edit, "source": self.source_box,
            "category": self.category_box, "level": self.level_box,
            "description": self.description_edit, "grid_id": self.place.combos["grid"],
            "building_id": self.place.combos["building"], "unit_id": self.place.combos["unit"],
            "household_id": self.place.combos["household"], "reporter_name": self.reporter_edit,
            "reporter_phone": self.phone_edit, "assignee_staff_id": self.assignee_box,
            "location_text": self.location_edit,
        }.get(field or "")
