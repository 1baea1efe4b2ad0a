"""The activity form: record or edit one activity with its participants and photos."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, QTime, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDialog, QFileDialog,
                               QGroupBox, QLabel, QLineEdit, QListView, QListWidget, QListWidgetItem, QMessageBox,
                               QPlainTextEdit, QPushButton, QSpinBox, QTimeEdit)

from models.core.errors import LedgerError
from models.volunteers import activities as act_model
from models.volunteers import records as vol_model
from ui.errors import show_error
from ui.ops import LedgerOp
from ui.pages.volunteers.common import fmt_hours, grid_items, table
from ui.pages.volunteers.participants import HoursDelegate, ParticipantsModel
from ui.pages.volunteers.person_lookup import PersonLookup
from ui.pages.volunteers.photo_preview import PhotoPreview
from ui.widgets.date_edit import date_edit
from ui.widgets.dialog_parts import grid_form, save_cancel_buttons
from ui.widgets.layout import STRETCH, hbox, vbox
from ui.widgets.list_page import action_button

IMAGE_FILTER = "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp);;所有文件 (*)"


class ActivityDialog(QDialog):
    """Record or edit one activity: details, participants with hours, photos.

    Signals:
        saved(int): the activity id, after a successful save.
    """

    saved = Signal(int)
    AttachmentRole = Qt.UserRole + 3
    UNSET = "unset"
    WIDE_TEXT = "全社区（不计入单个网格）"

    def __init__(self, ctx, activity_id: int | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.activity_id = activity_id
        self.setWindowTitle("新建志愿活动" if activity_id is None else "编辑志愿活动")
        self.setModal(False)
        self._removed: list[int] = []
        self._pending: list[act_model.NewAttachment] = []
        self._last_span: float | None = None
        ledger = ctx.ledger

        # details
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("例如：重阳节义诊进社区")
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.addItems(act_model.activity_types(ledger))
        self.type_box.setCurrentIndex(-1)
        self.type_box.lineEdit().setPlaceholderText("选择或输入类型")
        today = ledger.now().date()
        self.date_edit = date_edit(today)
        self.date_edit.setMaximumDate(QDate(today.year + 1, 12, 31))
        self.time_check = QCheckBox("起止时间")
        self.time_check.setChecked(True)
        self.start_edit = QTimeEdit(QTime(9, 0))
        self.end_edit = QTimeEdit(QTime(11, 0))
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("HH:mm")
        self.span_label = QLabel()
        self.place_edit = QLineEdit()
        self.place_edit.setPlaceholderText("例如：社区党群服务中心广场")
        self.grid_box = QComboBox()
        # No default: an activity filed under the wrong grid (or community-wide by mistake)
        # changes that grid's monthly score, so the clerk chooses every time.
        self.grid_box.addItem("请选择……", self.UNSET)
        self.grid_box.addItem(self.WIDE_TEXT, None)
        for text, gid in grid_items(ledger):
            self.grid_box.addItem(text, gid)
        self.org_box = QComboBox()
        self.org_box.addItem("（无）", None)
        for org in vol_model.org_names(ledger):
            self.org_box.addItem(org["name"], org["id"])
        self.served_spin = QSpinBox()
        self.served_spin.setRange(0, 100000)
        self.served_spin.setSuffix(" 人")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("活动内容、效果等（可不填）")
        self.notes_edit.setFixedHeight(44)

        details = QGroupBox("活动信息")
        times = hbox(self.time_check, self.start_edit, "至", self.end_edit, self.span_label, STRETCH)
        grid_form(details, [[("活动名称*", self.title_edit), ("活动类型", self.type_box)],
                            [("活动日期*", self.date_edit), (None, times)],
                            [("地点", self.place_edit), ("所属网格*", self.grid_box)],
                            [("组织单位", self.org_box), ("服务人数", self.served_spin)],
                            [("备注", self.notes_edit)]])

        # participants
        self.lookup = PersonLookup(ctx, "输入志愿者姓名、身份证号或手机号，回车添加")
        self.add_person_button = action_button("添加志愿者", self.add_typed)
        self.participants = ParticipantsModel(self)
        self.participants_view = table(self.participants, stretch="grid",
                                       widths={"name": 110, "kind": 90, "hours": 140})
        self.participants_view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                               | QAbstractItemView.SelectedClicked)
        self.participants_view.setItemDelegateForColumn(ParticipantsModel.HOURS_COLUMN,
                                                       HoursDelegate(self.participants_view))
        self.remove_person_button = action_button("移除所选", self.remove_selected_person)
        self.total_label = QLabel()
        people = QGroupBox("参加的志愿者（服务时长默认等于活动时长，双击可修改）")
        vbox(hbox((self.lookup, 1), self.add_person_button), (self.participants_view, 1),
             hbox(self.total_label, STRETCH, self.remove_person_button), parent=people)

        # photos
        self.photo_strip = QListWidget()
        self.photo_strip.setViewMode(QListView.IconMode)
        self.photo_strip.setFlow(QListView.LeftToRight)
        self.photo_strip.setWrapping(False)
        self.photo_strip.setIconSize(QSize(120, 90))
        self.photo_strip.setGridSize(QSize(136, 124))
        self.photo_strip.setMovement(QListView.Static)
        self.photo_strip.setFixedHeight(136)
        self.photo_strip.setSelectionMode(QAbstractItemView.SingleSelection)
        self.add_photo_button = action_button("添加照片…", lambda: self.add_photos("照片"))
        self.add_sheet_button = action_button("添加签到表…", lambda: self.add_photos("签到表"))
        self.preview_button = action_button("查看", self.preview_selected)
        self.remove_photo_button = action_button("删除", self.remove_selected_photo)
        photos = QGroupBox("活动照片和签到表（保存在台账文件中，自动压缩）")
        hbox((self.photo_strip, 1), vbox(self.add_photo_button, self.add_sheet_button, self.preview_button,
                                         self.remove_photo_button, STRETCH), parent=photos)

        self.buttons, self.save_button = save_cancel_buttons(self, self.save)
        vbox(details, (people, 1), photos, self.buttons, parent=self)

        self.time_check.toggled.connect(self._times_changed)
        for edit in (self.start_edit, self.end_edit):
            edit.timeChanged.connect(self._times_changed)
        self.lookup.chosen.connect(self.add_candidate)
        self.lookup.returnPressed.connect(self.add_typed)
        self.participants.hours_changed.connect(self._update_total)
        self.photo_strip.itemDoubleClicked.connect(lambda _i: self.preview_selected())
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
            button.setDefault(False)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)

        if activity_id is not None:
            self._load(activity_id)
        self._times_changed()
        if not ctx.may("records.edit"):
            self.setWindowTitle("查看志愿活动")
            for w in (self.lookup, self.add_person_button, self.remove_person_button, self.add_photo_button,
                      self.add_sheet_button, self.remove_photo_button, self.save_button):
                w.setEnabled(False)
            self.participants_view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.resize(900, 720)

    # -- loading ----------------------------------------------------------------------------------
    def _load(self, activity_id: int) -> None:
        act = act_model.get_activity(self.ctx.ledger, activity_id)
        self.title_edit.setText(act["title"])
        self.type_box.setCurrentText(act["type"])
        self.date_edit.setDate(QDate.fromString(act["on_date"], "yyyy-MM-dd"))
        has_times = bool(act["start_time"] and act["end_time"])
        self.time_check.setChecked(has_times)
        if has_times:
            self.start_edit.setTime(QTime.fromString(act["start_time"], "HH:mm"))
            self.end_edit.setTime(QTime.fromString(act["end_time"], "HH:mm"))
        self.place_edit.setText(act["place"])
        self.grid_box.setCurrentIndex(max(0, self.grid_box.findData(act["grid_id"])) if act["grid_id"]
                                      else self.grid_box.findText(self.WIDE_TEXT))
        self.org_box.setCurrentIndex(max(0, self.org_box.findData(act["org_id"])) if act["org_id"] else 0)
        self.served_spin.setValue(act["people_served"])
        self.notes_edit.setPlainText(act["notes"])
        span = act["span_hours"]
        self._last_span = span
        for p in act["participants"]:
            self.participants.add({"key": ("v", p["volunteer_id"]), "who": p["volunteer_id"], "name": p["name"],
                                   "kind": "居民" if p["resident_id"] else "社区外人员", "grid": p["grid"] or "",
                                   "hours": p["hours"], "follows_span": span is not None and p["hours"] == span})
        for att in act_model.attachments(self.ctx.ledger, activity_id):
            self._add_strip_item(att["kind"], att["filename"], att["thumbnail"], ("saved", att["id"]))

    # -- times ------------------------------------------------------------------------------------------
    def span(self) -> float | None:
        if not self.time_check.isChecked():
            return None
        return act_model.span_hours(self.start_edit.time().toString("HH:mm"), self.end_edit.time().toString("HH:mm"))

    def _times_changed(self, *_args) -> None:
        on = self.time_check.isChecked()
        self.start_edit.setEnabled(on)
        self.end_edit.setEnabled(on)
        span = self.span()
        if not on:
            self.span_label.setText("")
        elif span is None:
            self.span_label.setText("结束时间应晚于开始时间")
            self.span_label.setStyleSheet("color: #c0392b;")
        else:
            self.span_label.setText(f"共 {fmt_hours(span)} 小时")
            self.span_label.setStyleSheet("color: #555;")
        if span is not None and span != self._last_span:
            self.participants.follow_span(span)
        self._last_span = span
        self._update_total()

    def _update_total(self) -> None:
        n = len(self.participants.rows)
        self.total_label.setText(f"共 {n} 人，合计 {fmt_hours(self.participants.total())} 小时" if n
                                 else "还没有添加志愿者")

    # -- participants ------------------------------------------------------------------------------------
    def add_candidate(self, cand: vol_model.Candidate) -> bool:
        """Add a chosen person; hours default to the activity's span."""
        key = ("v", cand.volunteer_id) if cand.volunteer_id else \
            ("r", cand.resident_id) if cand.resident_id else ("n", cand.name)
        # a resident who is already a volunteer may come back under either key
        if key in self.participants.keys() or (cand.volunteer_id and cand.resident_id
                                               and ("r", cand.resident_id) in self.participants.keys()):
            QMessageBox.information(self, "添加志愿者", f"“{cand.name}”已在本次活动的名单中。")
            return False
        span = self.span()
        if cand.volunteer_id:
            who = cand.volunteer_id
        else:
            who = cand
        self.participants.add({"key": key, "who": who, "name": cand.name,
                               "kind": "居民" if cand.resident_id else "社区外人员", "grid": cand.grid,
                               "hours": span if span is not None else 0.0, "follows_span": True})
        self.lookup.clear()
        self.lookup.model.clear()
        if span is None:
            row = len(self.participants.rows) - 1
            self.participants_view.setCurrentIndex(self.participants.index(row, 3))
            self.participants_view.edit(self.participants.index(row, 3))
        return True

    def add_typed(self) -> None:
        """Enter / 添加志愿者 with typed text: the one person it names, or an outside person."""
        popup = self.lookup.completer_.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer's own activation adds the highlighted person
        text = self.lookup.text().strip()
        if not text:
            return
        candidates = self.lookup.lookup()
        exact = [c for c in candidates if c.name == text]
        if len(exact) == 1:
            self.add_candidate(exact[0])
            return
        if len(exact) > 1:
            QMessageBox.information(self, "添加志愿者", f"有 {len(exact)} 位叫“{text}”的人，请在下拉列表中选择是哪一位"
                                                     "（列表显示住址和手机号后四位）。")
            self.lookup.setFocus()
            self.lookup.completer_.complete()
            return
        if any(ch.isdigit() for ch in text):
            QMessageBox.information(self, "添加志愿者", f"没有找到与“{text}”相符的人。")
            return
        answer = QMessageBox.question(
            self, "添加社区外志愿者",
            f"居民台账中没有“{text}”。\n要把“{text}”作为社区外志愿者添加吗？")
        if answer == QMessageBox.Yes:
            self.add_candidate(vol_model.Candidate(text, f"{text} · 社区外人员"))

    def remove_selected_person(self) -> None:
        index = self.participants_view.currentIndex()
        if index.isValid():
            self.participants.remove(index.row())

    # -- photos -------------------------------------------------------------------------------------------
    def _add_strip_item(self, kind: str, filename: str, thumbnail: bytes | None, ref) -> None:
        pixmap = QPixmap()
        if thumbnail:
            pixmap.loadFromData(thumbnail)
        item = QListWidgetItem(QIcon(pixmap), f"{kind}\n{Path(filename).stem[:10]}")
        item.setToolTip(filename)
        item.setData(self.AttachmentRole, ref)
        item.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.photo_strip.addItem(item)

    def add_photos(self, kind: str = "照片") -> None:
        files, _ = QFileDialog.getOpenFileNames(self, f"选择{kind}", str(Path.home()), IMAGE_FILTER)
        if files:
            self.add_photo_files(files, kind)

    def add_photo_files(self, files: list[str], kind: str = "照片") -> int:
        """Check, downscale and show the chosen files; they are written when the activity is saved."""
        added, problems = 0, []
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            for file in files:
                path = Path(file)
                try:
                    if path.stat().st_size > act_model.MAX_INPUT_BYTES:
                        raise LedgerError(f"“{path.name}”有 {path.stat().st_size / 1024 / 1024:.1f} MB，超过 "
                                          f"{act_model.MAX_INPUT_BYTES // 1024 // 1024} MB 的上限，请先缩小图片或换一张。")
                    prepared = act_model.prepare_image(path.read_bytes(), path.name)
                except LedgerError as exc:
                    problems.append(str(exc))
                    continue
                except OSError as exc:
                    problems.append(f"无法读取“{path.name}”：{exc.strerror or exc}")
                    continue
                att = act_model.NewAttachment(path.name, kind, prepared)
                self._pending.append(att)
                self._add_strip_item(kind, path.name, prepared["thumbnail"], ("new", att))
                added += 1
        finally:
            QApplication.restoreOverrideCursor()
        if problems:
            QMessageBox.warning(self, "添加照片", "以下文件未能添加：\n" + "\n".join(problems))
        return added

    def preview_selected(self):
        item = self.photo_strip.currentItem()
        if item is None:
            return None
        state, ref = item.data(self.AttachmentRole)
        if state == "saved":
            try:
                att = act_model.attachment_data(self.ctx.ledger, ref)
            except Exception as exc:  # noqa: BLE001 - shown in Chinese, bugs logged
                show_error(self, exc)
                return None
            data, title = att["data"], f"{att['kind']}：{att['filename']}"
        else:
            data, title = ref.prepared["data"], f"{ref.kind}：{ref.filename}"
        dialog = PhotoPreview(data, title, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def remove_selected_photo(self) -> None:
        item = self.photo_strip.currentItem()
        if item is None:
            QMessageBox.information(self, "删除照片", "请先在照片栏中点选要删除的照片。")
            return
        answer = QMessageBox.question(self, "删除照片", f"确定要删除“{item.toolTip()}”吗？\n保存活动后生效。")
        if answer != QMessageBox.Yes:
            return
        state, ref = item.data(self.AttachmentRole)
        if state == "saved":
            self._removed.append(ref)
        else:
            self._pending.remove(ref)
        self.photo_strip.takeItem(self.photo_strip.row(item))

    # -- saving --------------------------------------------------------------------------------------------
    def activity_data(self) -> act_model.ActivityData:
        on = self.time_check.isChecked()
        return act_model.ActivityData(
            title=self.title_edit.text(), on_date=self.date_edit.date().toString("yyyy-MM-dd"),
            type=self.type_box.currentText(),
            start_time=self.start_edit.time().toString("HH:mm") if on else None,
            end_time=self.end_edit.time().toString("HH:mm") if on else None,
            place=self.place_edit.text(),
            grid_id=None if self.grid_box.currentData() == self.UNSET else self.grid_box.currentData(),
            org_id=self.org_box.currentData(),
            people_served=self.served_spin.value(), notes=self.notes_edit.toPlainText())

    def save(self) -> bool:
        """保存 (the button, Ctrl+S): the whole form in one operation.  Returns whether the form was saved
        and closed by now (at once when the operation runs in place)."""
        if not self.ctx.may("records.edit"):
            return False
        if self.lookup.text().strip():
            answer = QMessageBox.question(self, "保存活动", f"输入框里的“{self.lookup.text().strip()}”还没有添加到名单，"
                                                        "不添加就保存吗？")
            if answer != QMessageBox.Yes:
                return False
        if self.grid_box.currentData() == self.UNSET:
            QMessageBox.warning(self, "保存活动", "请选择所属网格；在全社区范围开展的活动请选“全社区（不计入单个网格）”。")
            self.grid_box.setFocus()
            return False
        activity_id, data = self.activity_id, self.activity_data()
        people = [(r["who"], r["hours"]) for r in self.participants.rows]
        pending, removed = list(self._pending), list(self._removed)
        LedgerOp(self.ctx, lambda ledger: act_model.save_activity.op(ledger, activity_id, data, people, pending,
                                                                     removed),
                 parent=self, title="保存").success(self._saved).disabling(self.save_button).run()
        return self.result() == QDialog.Accepted

    def _saved(self, changes) -> None:
        self.activity_id = activity_id = changes.result
        self.saved.emit(activity_id)
        self.accept()
