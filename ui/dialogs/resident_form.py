"""The resident form (add / edit) and the status dialog (迁出 / 死亡 / 恢复在册).

The form validates as the clerk types with ``models.residents.records.validate_resident``
and ``resident_warnings``, and shows each problem in Chinese under its field.
保存 stays disabled while a problem remains.  A valid ID number fills in the
birth date and gender (the ID wins over a typed gender, SPEC §7).  Saving is an
operation (:class:`ui.ops.LedgerOp` over ``add_resident``/``update_resident``, or
``move_out``/``record_death``/``restore_active`` in the status dialog): a refusal in
the ledger's words goes next to its field, the list refreshes from ``ctx.changed``.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from models.residents import records as residents_model
from models.core.errors import LedgerError, ValidationError
from models.core.idcard import check_id
from ui.errors import show_error
from ui.ops import LedgerOp
from models.evaluation.publications import published_change_warning
from models.residents.history import UNKNOWN as UNKNOWN_MOVE_IN
from ui.widgets.date_edit import OptionalDateEdit, date_edit, qdate_text
from ui.widgets.dialog_parts import error_label
from ui.widgets.pickers import HierarchyPicker

#: fields of ``validate_resident``'s answer → where its message is shown
FIELDS = ("name", "gender", "ethnicity", "id_number", "birth_date", "phone", "household_id", "relation",
          "residence_type", "political_status", "moved_in_on", "tags", "notes")
FIELD_TITLES = {"name": "姓名", "gender": "性别", "ethnicity": "民族", "id_number": "身份证号",
                "phone": "联系电话", "household_id": "所属户", "relation": "与户主关系",
                "residence_type": "人口类型", "political_status": "政治面貌", "moved_in_on": "迁入日期",
                "tags": "标签", "notes": "备注", "birth_date": "出生日期"}
VALIDATE_DELAY_MS = 120


class ResidentForm(QDialog):
    """Add (``resident_id=None``) or edit a resident.  After accept, ``resident_id`` is set."""

    def __init__(self, ctx, resident_id: int | None = None, parent: QWidget | None = None, *,
                 default_grid: int | None = None, default_building: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.original: dict | None = None
        self.touched: set[str] = set()
        self.errors: dict[str, str] = {}
        self.warnings: dict[str, str] = {}
        self._loading = True
        self._saving: LedgerOp | None = None
        self.setWindowTitle("新增居民" if resident_id is None else "编辑居民")
        ledger = ctx.ledger

        # -- widgets ----------------------------------------------------------------------------
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.gender = QComboBox()
        self.gender.addItem("（未填）", "")
        self.gender.addItem("男", "男")
        self.gender.addItem("女", "女")
        self.ethnicity = QComboBox()
        self.ethnicity.setEditable(True)
        self.ethnicity.addItems(list(residents_model.ETHNICITIES))
        self.ethnicity.setCurrentText("汉族")
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("18 位公民身份号码，可不填")
        self.id_number.setMaxLength(40)
        self.birth = OptionalDateEdit("已知", today=ledger.now().date())
        self.birth.setToolTip("有身份证号时由身份证号得出；没有身份证号时可手工填写。")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机 11 位，或座机如 0551-1234567")
        self.political = QComboBox()
        political = list(residents_model.POLITICAL_STATUSES)
        if "" not in political:
            self.political.addItem("（未填）", "")
        for value in political:
            self.political.addItem(value or "（未填）", value)
        self.place = HierarchyPicker(ctx, depth=4, for_filter=False)
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(list(residents_model.RELATIONS))
        self.relation.setCurrentText("")
        self.relation.lineEdit().setPlaceholderText("如 户主、配偶、子女")
        self.residence_type = QComboBox()
        self.residence_type.addItems(list(residents_model.RESIDENCE_TYPES))
        # a newcomer moves in today unless the clerk knows an earlier date; 不详 (the box
        # unticked) means "lived here since before the ledger began" and counts in past months
        self.moved_in = OptionalDateEdit("已知", today=ledger.now().date(), unknown_text="不详（建账前已居住）")
        self.moved_in.set_value(ledger.now().date())
        self.moved_in.setToolTip("新登记的居民默认今天迁入；不勾选“已知”表示迁入日期不详，"
                                 "视为建账前已居住，会计入以往各月的统计。")
        self.status_label = QLabel("在册")
        self.history_label = QLabel()
        self.history_label.setObjectName("hint")
        self.history_label.setWordWrap(True)
        self.history_label.hide()
        # every tag visible at once (three columns), so a checked one is never scrolled away
        self.tags = QWidget()
        self.tags.setObjectName("tagBoxes")
        tag_grid = QGridLayout(self.tags)
        tag_grid.setContentsMargins(0, 0, 0, 0)
        tag_grid.setVerticalSpacing(2)
        self.tag_boxes: dict[str, QCheckBox] = {}
        self.hidden_tags: list[str] = []
        self.retired_tags: set[str] = set()
        can_see = ctx.may("personal.see_sensitive")
        for i, tag in enumerate(residents_model.tag_list(ledger, can_see)):
            box = QCheckBox(tag["name"])
            if tag["sensitive"]:
                box.setToolTip("重点人员标签：仅管理员和工作人员可见。")
                box.setObjectName("sensitiveTag")
            if tag.get("retired"):   # 设置 → 人员标签: kept by those who have it, given to nobody else
                box.setToolTip("该标签已停用：已有的居民保留，不能再添加。")
                box.setVisible(False)
                self.retired_tags.add(tag["name"])
            self.tag_boxes[tag["name"]] = box
            tag_grid.addWidget(box, i // 3, i % 3)
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(60)

        self.messages = {f: error_label() for f in FIELDS}
        self.general = QLabel()
        self.general.setObjectName("fieldError")
        self.general.setWordWrap(True)

        # -- layout: two columns that fit 1366×768 ----------------------------------------------------
        # an existing number is shown masked; 显示完整号码 (audited) shows and unlocks it (issue 10)
        self.reveal_button = QPushButton("显示完整号码")
        self.reveal_button.setToolTip("完整身份证号属于个人敏感信息，查看会记入操作日志。")
        self.reveal_button.clicked.connect(self.reveal_id_number)
        self.reveal_button.hide()
        self.id_masked = False
        id_box = QWidget()
        id_row = QHBoxLayout(id_box)
        id_row.setContentsMargins(0, 0, 0, 0)
        id_row.addWidget(self.id_number, 1)
        id_row.addWidget(self.reveal_button)
        widgets = {"name": self.name, "id_number": id_box, "birth_date": self.birth, "gender": self.gender,
                   "ethnicity": self.ethnicity, "phone": self.phone, "political_status": self.political,
                   "notes": self.notes, "household_id": self.place, "relation": self.relation,
                   "residence_type": self.residence_type, "moved_in_on": self.moved_in, "tags": self.tags}
        left, _lf = self._group("基本信息", widgets, ("name", "id_number", "birth_date", "gender", "ethnicity",
                                                     "phone", "political_status", "notes"))
        right, rf = self._group("住址与人口信息", widgets, ("household_id", "relation", "residence_type", "moved_in_on"))
        rf.addRow("状态", self.status_label)
        rf.addRow("", self.history_label)
        self._row(rf, FIELD_TITLES["tags"], self.tags, "tags")

        columns = QHBoxLayout()
        columns.addWidget(left, 1)
        columns.addWidget(right, 1)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("primary")
        self.save_button.setAutoDefault(False)
        cancel = QPushButton("取消")
        cancel.setAutoDefault(False)
        self.buttons.addButton(self.save_button, QDialogButtonBox.AcceptRole)
        self.buttons.addButton(cancel, QDialogButtonBox.RejectRole)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        hint = QLabel("带 * 的必须填写。回车跳到下一项，Ctrl+S 保存。")
        hint.setObjectName("hint")
        bottom = QHBoxLayout()
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.general)
        layout.addLayout(bottom)
        self.setMinimumWidth(900)

        # Tab walks the fields in the order they are laid out: the left column, then the right
        chain = [self.name, self.id_number, self.birth.known, self.birth.edit, self.gender, self.ethnicity,
                 self.phone, self.political, self.notes, *self.place.combos.values(), self.relation,
                 self.residence_type, self.moved_in.known, self.moved_in.edit, *self.tag_boxes.values(),
                 self.save_button, cancel]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

        QShortcut(QKeySequence.Save, self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)

        # -- signals: validate as the clerk types ---------------------------------------------------------
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self.validate)
        for field, edit in (("name", self.name), ("id_number", self.id_number), ("phone", self.phone)):
            edit.textEdited.connect(lambda _t, f=field: self._changed(f))
        self.id_number.textChanged.connect(self._id_changed)
        self.gender.currentIndexChanged.connect(lambda _i: self._changed("gender"))
        self.ethnicity.currentTextChanged.connect(lambda _t: self._changed("ethnicity"))
        self.political.currentIndexChanged.connect(lambda _i: self._changed("political_status"))
        self.place.changed.connect(lambda: self._changed("household_id"))
        self.relation.currentTextChanged.connect(lambda _t: self._changed("relation"))
        self.residence_type.currentIndexChanged.connect(lambda _i: self._changed("residence_type"))
        self.moved_in.changed.connect(lambda: self._changed("moved_in_on"))
        self.birth.changed.connect(lambda: self._changed("birth_date"))
        for box in self.tag_boxes.values():
            box.toggled.connect(lambda _c: self._changed("tags"))
        self.notes.textChanged.connect(lambda: self._changed("notes"))

        if resident_id is not None:
            self._load(resident_id)
        elif default_grid is not None:
            self.place.set_path(grid=default_grid, building=default_building)
        self._loading = False
        self.validate()
        self.name.setFocus()
        if not ctx.may("records.edit"):  # 督导员: a read-only supervisor may look, not change
            self.setWindowTitle("查看居民")
            for box in (left, right):
                box.setEnabled(False)
            self.save_button.hide()
            cancel.setText("关闭")

    def _group(self, title: str, widgets: dict[str, QWidget], fields) -> tuple[QGroupBox, QFormLayout]:
        """A titled box with a row (and its message line) for each of ``fields``; 姓名 is required (*)."""
        box = QGroupBox(title)
        form = QFormLayout(box)
        for field in fields:
            self._row(form, FIELD_TITLES[field] + (" *" if field == "name" else ""), widgets[field], field)
        return box, form

    def _row(self, form: QFormLayout, title: str, widget: QWidget, field: str) -> None:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(1)
        v.addWidget(widget)
        v.addWidget(self.messages[field])
        form.addRow(title, box)

    # -- loading ----------------------------------------------------------------------------------
    def _load(self, resident_id: int) -> None:
        r = residents_model.get_resident(self.ctx.ledger, resident_id)
        self.original = r
        self.name.setText(r.get("name") or "")
        self.id_masked = bool(r.get("id_number"))
        if self.id_masked:
            self.id_number.setText(r["id_masked"])
            self.id_number.setReadOnly(True)
            self.id_number.setToolTip("身份证号已脱敏显示。")
            self.reveal_button.setVisible(True)
            self.ctx.enable_if_allowed(self.reveal_button, "personal.full_ids",
                                       "完整身份证号属于个人敏感信息，查看会记入操作日志。")
        else:
            self.id_number.setText("")
        self.gender.setCurrentIndex(max(0, self.gender.findData(r.get("gender") or "")))
        self.ethnicity.setCurrentText(r.get("ethnicity") or "")
        self.phone.setText(r.get("phone") or "")
        index = self.political.findData(r.get("political_status") or "")
        if index < 0:
            self.political.addItem(r["political_status"], r["political_status"])
            index = self.political.count() - 1
        self.political.setCurrentIndex(index)
        if r.get("household_id"):
            self.place.set_household(r["household_id"])
        self.relation.setCurrentText(r.get("relation") or "")
        index = self.residence_type.findText(r.get("residence_type") or "")
        self.residence_type.setCurrentIndex(max(0, index))
        self.moved_in.set_value(r.get("moved_in_on"))
        status = r.get("status") or "在册"
        self.status_label.setText(status + (f"（{r['status_date']}）" if r.get("status_date") and status != "在册"
                                            else ""))
        names = list(r.get("tags") or [])
        for name, box in self.tag_boxes.items():
            box.setChecked(name in names)
        # sensitive tags the operator may not see are kept as they are
        self.hidden_tags = [n for n in names if n not in self.tag_boxes]
        for name in self.retired_tags:
            self.tag_boxes[name].setVisible(name in names)
        self.notes.setPlainText(r.get("notes") or "")
        events = residents_model.status_history(self.ctx.ledger, resident_id)[-4:]
        if events:
            self.history_label.setText("变动记录：" + "；".join(
                f"{e['on_date']} {e['event']}" + (f"（{e['note']}）" if e.get("note") else "") for e in events))
            self.history_label.show()
        self.birth.set_value(r.get("birth_date"))
        self._id_changed(self._id_text())
        self.touched = set(FIELDS)  # an existing record: show every problem at once

    # -- reading the form ---------------------------------------------------------------------------
    def data(self) -> dict:
        """The form as the dict ``add_resident``/``update_resident`` take."""
        tags = [name for name, box in self.tag_boxes.items() if box.isChecked()]
        data = {
            "name": self.name.text().strip(),
            "gender": self.gender.currentData() or "",
            "ethnicity": self.ethnicity.currentText().strip(),
            "id_number": self._id_text(),
            "phone": self.phone.text().strip(),
            "household_id": self.place.household_id(),
            "relation": self.relation.currentText().strip(),
            "residence_type": self.residence_type.currentText(),
            "political_status": self.political.currentData() or "",
            "notes": self.notes.toPlainText().strip(),
            "moved_in_on": self.moved_in.value() or UNKNOWN_MOVE_IN,
            "tags": tags + self.hidden_tags,
        }
        if self.birth.isEnabled():  # no valid ID number: the birth date typed by the clerk
            data["birth_date"] = self.birth.value()
        return data

    def _id_text(self) -> str:
        """The ID number the form stands for: the stored one while it is shown masked."""
        if self.id_masked and self.original is not None:
            return (self.original.get("id_number") or "").strip()
        return self.id_number.text().strip()

    def reveal_id_number(self) -> None:
        """显示完整号码: ask models (permission + audit row), then show and unlock the field."""
        resident_id = self.original["id"]

        def shown(changes) -> None:
            self.id_masked = False
            self.id_number.setReadOnly(False)
            self.id_number.setToolTip("")
            self.id_number.setText(changes.result)
            self.reveal_button.hide()

        LedgerOp(self.ctx, lambda ledger: residents_model.reveal_id_number.op(ledger, resident_id),
                 parent=self, title="显示完整号码").success(shown).run()

    # -- validation -----------------------------------------------------------------------------------
    def _changed(self, field: str) -> None:
        if self._loading:
            return
        self.touched.add(field)
        self._timer.start()

    def _id_changed(self, text: str) -> None:
        """A valid ID number fills birth date and gender."""
        result = check_id(text, self.ctx.ledger.now().date()) if text.strip() else None
        from_id = result is not None and bool(result.value)
        if from_id:
            self.birth.blockSignals(True)
            self.birth.set_value(result.birth_date)
            self.birth.blockSignals(False)
            if result.gender:
                self.gender.blockSignals(True)
                self.gender.setCurrentIndex(max(0, self.gender.findData(result.gender)))
                self.gender.blockSignals(False)
        self.birth.setEnabled(not from_id)

    def validate(self) -> dict[str, str]:
        """Run the model's checks on the form and show each problem next to its field."""
        self._timer.stop()
        data = self.data()
        try:
            self.errors = dict(residents_model.validate_resident(self.ctx.ledger, data, self.resident_id))
            self.warnings = dict(residents_model.resident_warnings(self.ctx.ledger, data))
        except Exception as exc:  # noqa: BLE001 - a failing check must not lose the clerk's typing
            show_error(self, exc, title="检查失败")
            self.errors, self.warnings = {"": "无法检查输入。"}, {}
        elsewhere = []
        for field in FIELDS:
            label = self.messages[field]
            if field in self.errors and field in self.touched:
                label.setObjectName("fieldError")
                label.setText(self.errors[field])
                label.show()
            elif field in self.warnings and field in self.touched and field not in self.errors:
                label.setObjectName("fieldWarning")
                label.setText("提示：" + self.warnings[field])
                label.show()
            else:
                label.hide()
                label.setText("")
            label.style().unpolish(label)
            label.style().polish(label)
        for field, message in self.errors.items():
            if field not in FIELDS:
                elsewhere.append(message)
        untouched = [FIELD_TITLES.get(f, f) for f in self.errors if f in FIELDS and f not in self.touched]
        if untouched:
            elsewhere.append("尚需填写：" + "、".join(untouched))
        self.general.setText("\n".join(elsewhere))
        self.general.setVisible(bool(elsewhere))
        for field, widget in (("name", self.name), ("id_number", self.id_number), ("phone", self.phone)):
            invalid = field in self.errors and field in self.touched
            if widget.property("invalid") != invalid:
                widget.setProperty("invalid", invalid)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self.save_button.setEnabled(not self.errors)
        self._fit_messages()
        return self.errors

    def _fit_messages(self) -> None:
        """Give each wrapped message the height its lines need, and the form room for them.

        Issue 13: at 150 % scaling the long Excel-number message of 身份证号 was clipped top and
        bottom (nested layouts round the height of a wrapped label for another width).
        """
        for label in self.messages.values():
            if label.isHidden() or not label.text():
                label.setMinimumHeight(0)
                continue
            width = label.width() if label.width() > 80 else self.name.width()
            label.setMinimumHeight(label.heightForWidth(width) + 2)
        layout = self.layout()
        layout.activate()
        needed = layout.totalMinimumSize().height()
        if self.isVisible() and needed > self.height():
            self.resize(self.width(), needed)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_messages()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit_messages()

    def message(self, field: str) -> str:
        """The problem shown next to ``field`` ('' when none) — what the clerk reads."""
        label = self.messages[field]
        return label.text() if not label.isHidden() else ""

    # -- saving -------------------------------------------------------------------------------------
    def save(self) -> LedgerOp | None:
        if not self.ctx.may("records.edit") or (self._saving is not None and self._saving.is_running()):
            return None
        self.touched = set(FIELDS)
        if self.validate():
            return None
        data, resident_id = self.data(), self.resident_id
        warning = self._published_warning(data)
        if warning and QMessageBox.question(
                self, "保存居民信息", warning + "\n之后可在“月度评比”的定稿页查看差异并重新定稿。确定保存吗？") != QMessageBox.Yes:
            return None
        if resident_id is None:
            def work(ledger):
                return residents_model.add_resident.op(ledger, data)
        else:
            def work(ledger):
                return residents_model.update_resident.op(ledger, resident_id, data)
        self._saving = (LedgerOp(self.ctx, work, parent=self, title="保存居民信息")
                        .success(self._saved).failure(self._refused).disabling(self.save_button).run())
        return self._saving

    def _published_warning(self, data: dict) -> str:
        """A new resident (from their move-in date; 不详: all along), or a corrected move-in
        date, changes the published months from that day on."""
        moved_in = data.get("moved_in_on")
        day = None if moved_in == UNKNOWN_MOVE_IN else moved_in
        if self.resident_id is not None:
            old = (getattr(self, "original", None) or {}).get("moved_in_on")
            if (old or None) == day:
                return ""
            day = None if old is None or day is None else min(old, day)
        return published_change_warning(self.ctx.ledger, day)

    def _saved(self, changes) -> None:
        if self.resident_id is None:
            self.resident_id = changes.result
        self.accept()

    def _refused(self, exc: LedgerError) -> None:
        field = getattr(exc, "field", None)
        if isinstance(exc, ValidationError) and field in self.messages:
            self.messages[field].setObjectName("fieldError")
            self.messages[field].setText(str(exc))
            self.messages[field].show()
        else:
            QMessageBox.warning(self, "无法保存", str(exc))


STATUS_ACTIONS = {
    "迁出": ("迁出登记", "迁出日期", "迁往何处、原因等"),
    "死亡": ("死亡登记", "死亡日期", "如：死亡证明编号"),
    "恢复在册": ("恢复在册", "恢复日期", "如：迁出登记有误、已迁回"),
}
STATUS_OPERATIONS = {"迁出": residents_model.move_out, "死亡": residents_model.record_death,
                     "恢复在册": residents_model.restore_active}


class StatusDialog(QDialog):
    """Move out, record a death, or restore to 在册 — with a date (default today) and a note."""

    def __init__(self, ctx, resident_id: int, name: str, action: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.resident_name = name
        self.action = action
        title, date_label, note_hint = STATUS_ACTIONS[action]
        self.setWindowTitle(f"{title} — {name}")
        today = ctx.ledger.now().date()
        self.date = date_edit(today)
        self.date.setMaximumDate(self.date.date())  # a move-out or death is never in the future
        self.note = QLineEdit()
        self.note.setPlaceholderText(note_hint)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("居民：", QLabel(name))
        form.addRow(f"{date_label}：", self.date)
        form.addRow("备注：", self.note)
        form.addRow("", self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(title)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(420)

    def on_date(self) -> str:
        return qdate_text(self.date)

    def confirm(self) -> None:
        on_date = self.on_date()
        question = {"迁出": f"确定将 {self.resident_name} 登记为迁出（{on_date}）吗？\n迁出后不再计入之后各月的人数统计。",
                    "死亡": f"确定将 {self.resident_name} 登记为死亡（{on_date}）吗？\n登记后不再计入之后各月的人数统计。",
                    "恢复在册": f"确定将 {self.resident_name} 恢复为在册（{on_date}）吗？"}[self.action]
        warning = published_change_warning(self.ctx.ledger, on_date)
        if warning:
            question += "\n\n" + warning + "（之后可在“月度评比”的定稿页查看差异并重新定稿）"
        if QMessageBox.question(self, STATUS_ACTIONS[self.action][0], question) != QMessageBox.Yes:
            return
        change = STATUS_OPERATIONS[self.action]
        resident_id, note = self.resident_id, self.note.text().strip()
        (LedgerOp(self.ctx, lambda ledger: change.op(ledger, resident_id, on_date, note), parent=self,
                  title=STATUS_ACTIONS[self.action][0])
         .success(lambda _changes: self.accept()).failure(lambda exc: self.error.setText(str(exc))).run())

