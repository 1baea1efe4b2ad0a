"""志愿服务: activities, volunteers, organisations and hour summaries (issue 5).

Four tabs:

* 活动 — the activity list (filters: date range, grid, organisation, type, text)
  → :class:`ActivityDialog`, where participants are added by typing a name
  (resident look-up; an outside person is allowed), hours default to the
  activity's span, and photos / sign-in sheets sit in a thumbnail strip.
* 志愿者 — the volunteer list with hours for a chosen period; the selected
  volunteer's details, organisations and service history beside it.
* 组织 — organisations, their details and members.
* 统计 — hours by volunteer, organisation, grid and month, exported to xlsx.

All data comes from ``models.volunteers.records`` / ``models.volunteers.activities``; every write
calls ``ctx.notify("volunteers")``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QSize, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QFont, QIcon, QKeySequence, QPixmap, QShortcut, QStandardItem, \
    QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QCompleter,
                               QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListView, QListWidget, QListWidgetItem, QMessageBox,
                               QPlainTextEdit, QPushButton, QSpinBox, QSplitter,
                               QStyledItemDelegate, QTableView, QTabWidget, QTimeEdit, QVBoxLayout,
                               QWidget)

from models.volunteers import activities as act_model
from models.grids import hierarchy as grids_model
from models.volunteers import records as vol_model
from models.core.errors import LedgerError
from ui.widgets.list_page import read_only_view, refill_combo
from ui.worker import show_error

AREA = "volunteers"
IMAGE_FILTER = "图片 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp);;所有文件 (*)"


def fmt_hours(value) -> str:
    """``2.5`` → ``2.5``, ``3.0`` → ``3``."""
    if value is None or value == "":
        return ""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _qdate(text: str) -> QDate:
    d = dt.date.fromisoformat(text)
    return QDate(d.year, d.month, d.day)


def _date_edit(value: dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(value.year, value.month, value.day))
    return edit


_fill_combo = refill_combo   # keeps the current choice when it still exists


def _grid_items(ledger) -> list[tuple[str, int]]:
    rows = grids_model.grids(ledger)
    several = len({g["community_id"] for g in rows}) > 1
    return [(f"{g['community']}·{g['name']}" if several else g["name"], g["id"]) for g in rows]


def can_edit(ctx) -> bool:
    """Whether the operator may change records (督导员 is read-only)."""
    check = getattr(ctx, "can_edit", None)
    return True if check is None else bool(check())


def _guard(parent: QWidget, fn, *args, title: str = "操作失败", **kwargs):
    """Run a models/ call; show a LedgerError (or a bug) to the clerk.  Returns (ok, result)."""
    try:
        return True, fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure is shown, bugs are logged
        show_error(parent, exc, title=title)
        return False, None


# -- item models ---------------------------------------------------------------------------------

NUMERIC = {"hours", "activities", "volunteers", "members", "people_served", "grid_hours", "photos"}


class DictTableModel(QAbstractTableModel):
    """A small in-memory table of dict rows: ``columns`` = [(key, header)].

    Display strings for ``DisplayRole``; the raw value under ``UserRole``; the
    whole row dict under ``UserRole + 1``.
    """

    RowRole = Qt.UserRole + 1

    def __init__(self, columns: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_dict(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def display(self, row: dict, key: str) -> str:
        value = row.get(key)
        if key in ("hours", "grid_hours"):
            return fmt_hours(value or 0)
        return "" if value is None else str(value)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) \
                or not (0 <= index.column() < len(self.columns)):
            return None
        row, key = self.rows[index.row()], self.columns[index.column()][0]
        if role == Qt.DisplayRole:
            return self.display(row, key)
        if role == Qt.UserRole:
            return row.get(key)
        if role == self.RowRole:
            return row
        if role == Qt.TextAlignmentRole and key in NUMERIC:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole and key not in NUMERIC:
            text = self.display(row, key)
            return text if len(text) > 6 else None
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.DisplayRole:
            if orientation == Qt.Horizontal and 0 <= section < len(self.columns):
                return self.columns[section][1]
            if orientation == Qt.Vertical:
                return str(section + 1)
        return None


class ActivitiesModel(DictTableModel):
    """The activity list, fetched a page at a time (keyset paging in ``models.volunteers.activities``)."""

    PAGE = 200
    COLUMNS = [("on_date", "日期"), ("time", "时间"), ("title", "活动名称"), ("type", "类型"),
               ("grid", "网格"), ("org", "组织单位"), ("place", "地点"), ("volunteers", "志愿者（人）"),
               ("hours", "时长（小时）"), ("people_served", "服务人数"), ("photos", "照片")]

    def __init__(self, ctx, parent=None):
        super().__init__(self.COLUMNS, parent)
        self.ctx = ctx
        self.filter = act_model.ActivityFilter()
        self._more = False

    def set_filter(self, flt: act_model.ActivityFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        page = act_model.activities_page(self.ctx.ledger, self.filter, limit=self.PAGE)
        self._more = len(page) == self.PAGE
        self.set_rows(page)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._more

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt API
        if parent.isValid() or not self._more or not self.rows:
            return
        last = self.rows[-1]
        page = act_model.activities_page(self.ctx.ledger, self.filter, after=(last["on_date"], last["id"]),
                                         limit=self.PAGE)
        self._more = len(page) == self.PAGE
        if page:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    def display(self, row: dict, key: str) -> str:
        if key == "time":
            if row.get("start_time") and row.get("end_time"):
                return f"{row['start_time']}–{row['end_time']}"
            return ""
        if key == "photos":
            return str(row["photos"]) if row.get("photos") else ""
        return super().display(row, key)

    def activity_id(self, row: int) -> int | None:
        r = self.row_dict(row)
        return r["id"] if r else None


class ParticipantsModel(DictTableModel):
    """The participants being edited in the activity form; the hours column is editable.

    Each row: ``{key, who (volunteer id or Candidate), name, kind, grid, hours, follows_span}``.
    A row whose hours were never typed follows the activity's span.
    """

    hours_changed = Signal()
    COLUMNS = [("name", "姓名"), ("kind", "身份"), ("grid", "所在网格"), ("hours", "服务时长（小时）")]

    def __init__(self, parent=None):
        super().__init__(self.COLUMNS, parent)

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.NoItemFlags
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if self.columns[index.column()][0] == "hours":
            base |= Qt.ItemIsEditable
        return base

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.EditRole and index.isValid() and 0 <= index.row() < len(self.rows) \
                and 0 <= index.column() < len(self.columns):
            return float(self.rows[index.row()].get("hours") or 0.0) \
                if self.columns[index.column()][0] == "hours" else self.display(self.rows[index.row()],
                                                                                self.columns[index.column()][0])
        if role == Qt.ToolTipRole and index.isValid() and self.columns[index.column()][0] == "hours":
            return "双击修改该志愿者的服务时长"
        return super().data(index, role)

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 - Qt API
        if role != Qt.EditRole or not index.isValid() or self.columns[index.column()][0] != "hours":
            return False
        try:
            hours = act_model.check_hours(value)
        except LedgerError:
            return False
        row = self.rows[index.row()]
        row["hours"], row["follows_span"] = hours, False
        self.dataChanged.emit(index, index, [Qt.DisplayRole, Qt.EditRole])
        self.hours_changed.emit()
        return True

    def keys(self) -> set:
        return {r["key"] for r in self.rows}

    def add(self, row: dict) -> None:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(row)
        self.endInsertRows()
        self.hours_changed.emit()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            self.hours_changed.emit()

    def follow_span(self, hours: float | None) -> None:
        """The activity's span changed: rows that follow it take the new value."""
        if hours is None:
            return
        for i, row in enumerate(self.rows):
            if row["follows_span"] and row["hours"] != hours:
                row["hours"] = hours
                idx = self.index(i, len(self.columns) - 1)
                self.dataChanged.emit(idx, idx, [Qt.DisplayRole, Qt.EditRole])
        self.hours_changed.emit()

    def total(self) -> float:
        return round(sum(float(r["hours"] or 0) for r in self.rows), 2)


class HoursDelegate(QStyledItemDelegate):
    """A spin box in 0.5-hour steps for the hours column."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        spin = QDoubleSpinBox(parent)
        spin.setRange(0, act_model.MAX_HOURS)
        spin.setDecimals(1)
        spin.setSingleStep(0.5)
        spin.setSuffix(" 小时")
        return spin

    def setEditorData(self, editor, index):  # noqa: N802 - Qt API
        editor.setValue(float(index.data(Qt.EditRole) or 0))

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt API
        editor.interpretText()
        model.setData(index, editor.value(), Qt.EditRole)


def _table(model, stretch: str | None = None) -> QTableView:
    view = read_only_view(model)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        keys = [k for k, _ in model.columns]
        if stretch in keys:
            header.setSectionResizeMode(keys.index(stretch), QHeaderView.Stretch)
    return view


def _fit_columns(view: QTableView, widths: dict[str, int]) -> None:
    keys = [k for k, _ in view.model().columns]
    for key, width in widths.items():
        if key in keys:
            view.setColumnWidth(keys.index(key), width)


# -- typing a name to find a person ---------------------------------------------------------------

class PersonLookup(QLineEdit):
    """Type a name, an ID number or a phone; a drop-down lists matching volunteers and residents.

    Signals:
        chosen(object): a :class:`models.volunteers.records.Candidate` picked from the list.
    """

    chosen = Signal(object)
    CandidateRole = Qt.UserRole + 2

    def __init__(self, ctx, placeholder: str = "输入姓名、身份证号或手机号查找", parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        self.completer_.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer_.setMaxVisibleItems(12)
        self.completer_.setWidget(self)
        self.completer_.activated[QModelIndex].connect(self._activated)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.lookup)
        self.textEdited.connect(lambda _t: self._timer.start())
        self.candidates: list[vol_model.Candidate] = []

    def lookup(self) -> list:
        """Find people for the current text and show them in the drop-down."""
        self._timer.stop()
        text = self.text().strip()
        self.candidates = vol_model.find_candidates(self.ctx.ledger, text) if text else []
        self.model.clear()
        for cand in self.candidates:
            item = QStandardItem(cand.label)
            item.setData(cand, self.CandidateRole)
            item.setEditable(False)
            self.model.appendRow(item)
        if self.candidates and self.hasFocus():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()
        return self.candidates

    def _activated(self, index: QModelIndex) -> None:
        cand = index.data(self.CandidateRole)
        if cand is not None:
            self.completer_.popup().hide()
            self.chosen.emit(cand)


# -- photo preview ---------------------------------------------------------------------------------

class PhotoPreview(QDialog):
    """A photo (or sign-in sheet) at a readable size."""

    def __init__(self, data: bytes, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        screen = QApplication.primaryScreen()
        avail = screen.availableGeometry().size() if screen else QSize(1280, 720)
        fit = pixmap.scaled(min(pixmap.width(), avail.width() - 80), min(pixmap.height(), avail.height() - 140),
                            Qt.KeepAspectRatio, Qt.SmoothTransformation)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignCenter)
        self.image.setPixmap(fit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image, 1)
        info = QLabel(f"{pixmap.width()} × {pixmap.height()} 像素")
        info.setStyleSheet("color: #666;")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(info)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)


# -- the activity form --------------------------------------------------------------------------------

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
        self.date_edit = _date_edit(today)
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
        for text, gid in _grid_items(ledger):
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
        form = QGridLayout(details)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        times = QHBoxLayout()
        times.addWidget(self.time_check)
        times.addWidget(self.start_edit)
        times.addWidget(QLabel("至"))
        times.addWidget(self.end_edit)
        times.addWidget(self.span_label)
        times.addStretch(1)
        form.addWidget(QLabel("活动名称*"), 0, 0)
        form.addWidget(self.title_edit, 0, 1)
        form.addWidget(QLabel("活动类型"), 0, 2)
        form.addWidget(self.type_box, 0, 3)
        form.addWidget(QLabel("活动日期*"), 1, 0)
        form.addWidget(self.date_edit, 1, 1)
        form.addLayout(times, 1, 2, 1, 2)
        form.addWidget(QLabel("地点"), 2, 0)
        form.addWidget(self.place_edit, 2, 1)
        form.addWidget(QLabel("所属网格*"), 2, 2)
        form.addWidget(self.grid_box, 2, 3)
        form.addWidget(QLabel("组织单位"), 3, 0)
        form.addWidget(self.org_box, 3, 1)
        form.addWidget(QLabel("服务人数"), 3, 2)
        form.addWidget(self.served_spin, 3, 3)
        form.addWidget(QLabel("备注"), 4, 0)
        form.addWidget(self.notes_edit, 4, 1, 1, 3)

        # participants
        self.lookup = PersonLookup(ctx, "输入志愿者姓名、身份证号或手机号，回车添加")
        self.add_person_button = QPushButton("添加志愿者")
        self.participants = ParticipantsModel(self)
        self.participants_view = _table(self.participants, stretch="grid")
        self.participants_view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                               | QAbstractItemView.SelectedClicked)
        self.participants_view.setItemDelegateForColumn(3, HoursDelegate(self.participants_view))
        _fit_columns(self.participants_view, {"name": 110, "kind": 90, "hours": 140})
        self.remove_person_button = QPushButton("移除所选")
        self.total_label = QLabel()
        people = QGroupBox("参加的志愿者（服务时长默认等于活动时长，双击可修改）")
        pl = QVBoxLayout(people)
        row = QHBoxLayout()
        row.addWidget(self.lookup, 1)
        row.addWidget(self.add_person_button)
        pl.addLayout(row)
        pl.addWidget(self.participants_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.total_label)
        row.addStretch(1)
        row.addWidget(self.remove_person_button)
        pl.addLayout(row)

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
        self.add_photo_button = QPushButton("添加照片…")
        self.add_sheet_button = QPushButton("添加签到表…")
        self.preview_button = QPushButton("查看")
        self.remove_photo_button = QPushButton("删除")
        photos = QGroupBox("活动照片和签到表（保存在台账文件中，自动压缩）")
        phl = QHBoxLayout(photos)
        phl.addWidget(self.photo_strip, 1)
        buttons_col = QVBoxLayout()
        for b in (self.add_photo_button, self.add_sheet_button, self.preview_button, self.remove_photo_button):
            buttons_col.addWidget(b)
        buttons_col.addStretch(1)
        phl.addLayout(buttons_col)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")

        layout = QVBoxLayout(self)
        layout.addWidget(details)
        layout.addWidget(people, 1)
        layout.addWidget(photos)
        layout.addWidget(self.buttons)

        self.time_check.toggled.connect(self._times_changed)
        self.start_edit.timeChanged.connect(self._times_changed)
        self.end_edit.timeChanged.connect(self._times_changed)
        self.lookup.chosen.connect(self.add_candidate)
        self.lookup.returnPressed.connect(self.add_typed)
        self.add_person_button.clicked.connect(self.add_typed)
        self.remove_person_button.clicked.connect(self.remove_selected_person)
        self.participants.hours_changed.connect(self._update_total)
        self.add_photo_button.clicked.connect(lambda: self.add_photos("照片"))
        self.add_sheet_button.clicked.connect(lambda: self.add_photos("签到表"))
        self.preview_button.clicked.connect(self.preview_selected)
        self.photo_strip.itemDoubleClicked.connect(lambda _i: self.preview_selected())
        self.remove_photo_button.clicked.connect(self.remove_selected_photo)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
            button.setDefault(False)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)

        if activity_id is not None:
            self._load(activity_id)
        self._times_changed()
        if not can_edit(ctx):
            self.setWindowTitle("查看志愿活动")
            for w in (self.lookup, self.add_person_button, self.remove_person_button, self.add_photo_button,
                      self.add_sheet_button, self.remove_photo_button, self.buttons.button(QDialogButtonBox.Save)):
                w.setEnabled(False)
            self.participants_view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.resize(900, 720)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # Clerks press Enter to finish a field (and to add a typed name): it must never save
        # or close the form.  Saving is the 保存 button (or Ctrl+S).
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not isinstance(self.focusWidget(), QPushButton):
            event.accept()
            return
        super().keyPressEvent(event)

    # -- loading ----------------------------------------------------------------------------------
    def _load(self, activity_id: int) -> None:
        act = act_model.get_activity(self.ctx.ledger, activity_id)
        self.title_edit.setText(act["title"])
        self.type_box.setCurrentText(act["type"])
        self.date_edit.setDate(_qdate(act["on_date"]))
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
            ok, att = _guard(self, act_model.attachment_data, self.ctx.ledger, ref)
            if not ok:
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
        if not can_edit(self.ctx):
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
        people = [(r["who"], r["hours"]) for r in self.participants.rows]
        ok, activity_id = _guard(self, act_model.save_activity, self.ctx.ledger, self.activity_id,
                                 self.activity_data(), people, self._pending, self._removed, title="保存失败")
        if not ok:
            return False
        self.activity_id = activity_id
        self.ctx.notify(AREA)
        self.saved.emit(activity_id)
        self.accept()
        return True


# -- tab: activities -----------------------------------------------------------------------------------

class ActivitiesTab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._loading = False
        today = ctx.ledger.now().date()
        self.date_from = _date_edit(dt.date(today.year, 1, 1))
        self.date_to = _date_edit(today)
        self.grid_box = QComboBox()
        self.org_box = QComboBox()
        self.type_box = QComboBox()
        for box in (self.grid_box, self.org_box, self.type_box):
            box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.search = QLineEdit()
        self.search.setPlaceholderText("活动名称或地点")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(180)
        self.new_button = QPushButton("新建活动")
        self.new_button.setToolTip("记录一次志愿活动（Ctrl+N）")
        self.open_button = QPushButton("查看/编辑")
        self.delete_button = QPushButton("删除")
        self.import_button = QPushButton("导入…")
        self.export_button = QPushButton("导出…")
        self.model = ActivitiesModel(ctx, self)
        self.view = _table(self.model, stretch="title")
        _fit_columns(self.view, {"on_date": 92, "time": 96, "type": 92, "grid": 84, "org": 120, "place": 140,
                                 "volunteers": 86, "hours": 100, "people_served": 72, "photos": 44})
        self.totals_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(QLabel("日期"))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.date_to)
        filters.addWidget(self.grid_box)
        filters.addWidget(self.org_box)
        filters.addWidget(self.type_box)
        filters.addWidget(self.search)
        filters.addStretch(1)
        actions = QHBoxLayout()
        for b in (self.new_button, self.open_button, self.delete_button):
            actions.addWidget(b)
        actions.addWidget(self.totals_label, 1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        for box in (self.grid_box, self.org_box, self.type_box):
            box.currentIndexChanged.connect(self._changed)
        self.date_from.dateChanged.connect(self._changed)
        self.date_to.dateChanged.connect(self._changed)
        self.view.doubleClicked.connect(lambda idx: self.open_activity(self.model.activity_id(idx.row())))
        self.new_button.clicked.connect(self.new_activity)
        self.open_button.clicked.connect(self.open_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.export_button.clicked.connect(self.export)
        self.import_button.clicked.connect(self.import_file)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_activity)
        for key, slot in ((Qt.Key_Return, self.open_current), (Qt.Key_Enter, self.open_current),
                          (Qt.Key_Delete, self.delete_current)):
            shortcut = QShortcut(QKeySequence(key), self.view, slot)
            shortcut.setContext(Qt.WidgetShortcut)

    def fill_choices(self) -> None:
        ledger = self.ctx.ledger
        _fill_combo(self.grid_box, "全部网格", [("全社区活动", act_model.COMMUNITY_WIDE)] + _grid_items(ledger))
        _fill_combo(self.org_box, "全部组织", [(o["name"], o["id"]) for o in vol_model.org_names(ledger)])
        _fill_combo(self.type_box, "全部类型", [(t, t) for t in act_model.activity_types(ledger)])

    def current_filter(self) -> act_model.ActivityFilter:
        return act_model.ActivityFilter(
            date_from=self.date_from.date().toString("yyyy-MM-dd"),
            date_to=self.date_to.date().toString("yyyy-MM-dd"),
            grid_id=self.grid_box.currentData(), org_id=self.org_box.currentData(),
            type=self.type_box.currentData(), text=self.search.text().strip())

    def _changed(self, *_args) -> None:
        if not self._loading:
            self.apply_filters()

    def apply_filters(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt.date_from > flt.date_to:
            self.totals_label.setText("开始日期晚于结束日期，请调整日期范围。")
            self.model.set_rows([])
            return
        self.model.set_filter(flt)
        t = act_model.activities_totals(self.ctx.ledger, flt)
        self.totals_label.setText(f"  共 {t['activities']} 次活动，志愿者 {t['volunteers']} 人次，"
                                  f"服务 {fmt_hours(t['hours'])} 小时，服务群众 {t['people_served']} 人")

    def refresh(self) -> None:
        self._loading = True
        self.fill_choices()
        self._loading = False
        self.apply_filters()

    def new_activity(self):
        dialog = ActivityDialog(self.ctx, None, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_activity(self, activity_id: int | None):
        if activity_id is None:
            return None
        try:
            dialog = ActivityDialog(self.ctx, activity_id, self)
        except LedgerError as exc:
            show_error(self, exc)
            return None
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_current(self):
        index = self.view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, "志愿活动", "请先在列表中选择一次活动。")
            return None
        return self.open_activity(self.model.activity_id(index.row()))

    def delete_current(self) -> None:
        index = self.view.currentIndex()
        row = self.model.row_dict(index.row()) if index.isValid() else None
        if row is None:
            QMessageBox.information(self, "删除活动", "请先在列表中选择要删除的活动。")
            return
        answer = QMessageBox.question(
            self, "删除活动", f"确定要删除 {row['on_date']} 的“{row['title']}”吗？\n"
            f"该活动的 {row['volunteers']} 条志愿者服务时长记录和 {row['photos']} 张照片会一并删除，不能恢复。")
        if answer != QMessageBox.Yes:
            return
        ok, _ = _guard(self, act_model.delete_activity, self.ctx.ledger, row["id"], title="删除失败")
        if ok:
            self.ctx.notify(AREA)

    def export(self) -> None:
        flt = self.current_filter()
        name = f"志愿服务活动_{flt.date_from}_{flt.date_to}.xlsx"
        file, _ = QFileDialog.getSaveFileName(self, "导出志愿服务记录", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
        if not file:
            return
        path = Path(file) if file.lower().endswith(".xlsx") else Path(file + ".xlsx")
        # exactly what the list shows: its dates, grid, organisation, type and search text
        ok, n = _guard(self, act_model.write_activities_xlsx, self.ctx.ledger, path, flt=flt, title="导出失败")
        if ok:
            QMessageBox.information(self, "导出完成", f"已导出 {n} 行（每位志愿者每次活动一行，可按模板再导入）：\n{path}")

    def import_file(self) -> None:
        """The shared import wizard (preview, problems by sheet and row, one transaction)."""
        try:
            from ui.dialogs.import_wizard import ImportWizard
        except ImportError as exc:
            show_error(self, exc, title="无法打开导入向导")
            return
        ImportWizard(self.ctx, "activities", self).exec()
        self.ctx.notify(AREA)


# -- tab: volunteers ------------------------------------------------------------------------------------

class VolunteerEditDialog(QDialog):
    """Register a volunteer (a resident found by name/ID/phone, or an outside person) or edit one."""

    def __init__(self, ctx, volunteer_id: int | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.volunteer_id = volunteer_id
        self.candidate: vol_model.Candidate | None = None
        self.setWindowTitle("新增志愿者" if volunteer_id is None else "编辑志愿者")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.lookup = PersonLookup(ctx, "输入居民姓名、身份证号或手机号查找")
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        self.outside_check = QCheckBox("社区外人员（不在本社区居民台账中）")
        self.name_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText("可不填")
        self.skills_edit = QLineEdit()
        self.skills_edit.setPlaceholderText("例如：医疗、法律咨询、文艺、维修")
        self.notes_edit = QLineEdit()
        self.org_checks: list[QCheckBox] = []
        if volunteer_id is None:
            form.addRow("查找居民", self.lookup)
            form.addRow("", self.found_label)
            form.addRow("", self.outside_check)
        form.addRow("姓名", self.name_edit)
        form.addRow("联系电话", self.phone_edit)
        if volunteer_id is None:
            form.addRow("身份证号", self.id_edit)
        form.addRow("技能特长", self.skills_edit)
        form.addRow("备注", self.notes_edit)
        layout.addLayout(form)
        orgs = vol_model.org_names(ctx.ledger)
        if orgs:
            box = QGroupBox("所属志愿组织")
            grid = QGridLayout(box)
            for i, org in enumerate(orgs):
                check = QCheckBox(org["name"])
                check.setProperty("org_id", org["id"])
                self.org_checks.append(check)
                grid.addWidget(check, i // 3, i % 3)
            layout.addWidget(box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.lookup.chosen.connect(self.choose)
        self.outside_check.toggled.connect(self._outside_toggled)
        self._outside_toggled(False)
        if volunteer_id is not None:
            vol = vol_model.get_volunteer(ctx.ledger, volunteer_id)
            self.name_edit.setText(vol["name"])
            self.phone_edit.setText(vol["phone"])
            self.skills_edit.setText(vol["skills"])
            self.notes_edit.setText(vol["notes"])
            is_resident = vol["resident_id"] is not None
            self.name_edit.setEnabled(not is_resident)
            self.phone_edit.setEnabled(not is_resident)
            if is_resident:
                self.name_edit.setToolTip("居民志愿者的姓名、电话在居民台账中修改")
            member_of = {o["id"] for o in vol["orgs"]}
            for check in self.org_checks:
                check.setChecked(check.property("org_id") in member_of)
        self.resize(520, 0)

    def _outside_toggled(self, outside: bool) -> None:
        if self.volunteer_id is not None:
            return
        self.lookup.setEnabled(not outside)
        for w in (self.name_edit, self.phone_edit, self.id_edit):
            w.setEnabled(outside)
        if outside:
            self.candidate = None
            self.found_label.setText("")

    def choose(self, cand: vol_model.Candidate) -> None:
        self.candidate = cand
        self.name_edit.setText(cand.name)
        self.found_label.setText(f"已选择：{cand.label}")
        self.lookup.clear()

    def save(self) -> bool:
        ledger = self.ctx.ledger
        if self.volunteer_id is None and not self.outside_check.isChecked() and self.candidate is None:
            QMessageBox.information(self, "新增志愿者", "请先查找并选择一位居民，或勾选“社区外人员”后填写姓名。")
            return False
        try:
            with ledger.write():   # the person and their organisations: all or nothing
                vid = self._write(ledger)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, title="保存失败")
            return False
        self.volunteer_id = vid
        self.ctx.notify(AREA)
        self.accept()
        return True

    def _write(self, ledger) -> int:
        if self.volunteer_id is None:
            if self.outside_check.isChecked():
                vid = vol_model.add_outside_volunteer(ledger, self.name_edit.text(), self.phone_edit.text(),
                                                      self.id_edit.text(), self.skills_edit.text(),
                                                      self.notes_edit.text())
            else:
                vid = vol_model.volunteer_for_candidate(ledger, self.candidate)
                vol_model.update_volunteer(ledger, vid, skills=self.skills_edit.text(),
                                           notes=self.notes_edit.text())
        else:
            vid = self.volunteer_id
            vol_model.update_volunteer(ledger, vid, skills=self.skills_edit.text(), notes=self.notes_edit.text(),
                                       name=self.name_edit.text(), phone=self.phone_edit.text())
        current = {o["id"] for o in vol_model.volunteer_orgs(ledger, vid)}
        for check in self.org_checks:
            org_id = check.property("org_id")
            if check.isChecked() and org_id not in current:
                vol_model.add_member(ledger, org_id, vid)
            elif not check.isChecked() and org_id in current:
                vol_model.remove_member(ledger, org_id, vid)
        return vid


class PeriodBar(QWidget):
    """From/to dates with 本月 / 上月 / 本年 / 全部 shortcuts.

    Signals:
        changed(): the period changed.
    """

    changed = Signal()

    def __init__(self, today: dt.date, parent=None):
        super().__init__(parent)
        self.today = today
        self.date_from = _date_edit(dt.date(today.year, 1, 1))
        self.date_to = _date_edit(today)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("统计期间"))
        layout.addWidget(self.date_from)
        layout.addWidget(QLabel("至"))
        layout.addWidget(self.date_to)
        for text, fn in (("本月", self.this_month), ("上月", self.last_month), ("本年", self.this_year),
                         ("全部", self.everything)):
            b = QPushButton(text)
            b.setFixedWidth(52)
            b.clicked.connect(fn)
            layout.addWidget(b)
        self.date_from.dateChanged.connect(lambda _d: self.changed.emit())
        self.date_to.dateChanged.connect(lambda _d: self.changed.emit())

    def set_period(self, lo: dt.date, hi: dt.date) -> None:
        for edit, d in ((self.date_from, lo), (self.date_to, hi)):
            edit.blockSignals(True)
            edit.setDate(QDate(d.year, d.month, d.day))
            edit.blockSignals(False)
        self.changed.emit()

    def this_month(self) -> None:
        t = self.today
        self.set_period(t.replace(day=1), t)

    def last_month(self) -> None:
        first = self.today.replace(day=1)
        last = first - dt.timedelta(days=1)
        self.set_period(last.replace(day=1), last)

    def this_year(self) -> None:
        self.set_period(dt.date(self.today.year, 1, 1), self.today)

    def everything(self) -> None:
        self.set_period(dt.date(2000, 1, 1), dt.date(self.today.year + 1, 12, 31))

    def bounds(self) -> tuple[str, str]:
        return self.date_from.date().toString("yyyy-MM-dd"), self.date_to.date().toString("yyyy-MM-dd")

    def text(self) -> str:
        lo, hi = self.bounds()
        return f"{lo} 至 {hi}"


class VolunteersTab(QWidget):
    """The volunteer list (hours in the period) and the selected volunteer's page."""

    COLUMNS = [("name", "姓名"), ("kind", "身份"), ("grid", "网格"), ("phone", "联系电话"), ("orgs", "所属组织"),
               ("activities", "活动（次）"), ("hours", "时长（小时）")]
    LIMIT = 1000   #: rows listed at most (the 200,000-household demo has 14,000 volunteers)
    HISTORY = [("on_date", "日期"), ("title", "活动名称"), ("type", "类型"), ("grid", "网格"), ("org", "组织单位"),
               ("hours", "时长（小时）")]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = PeriodBar(ctx.ledger.now().date())
        self.search = QLineEdit()
        self.search.setPlaceholderText("姓名或手机号")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(160)
        self.org_box = QComboBox()
        self.org_box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.new_button = QPushButton("新增志愿者")
        self.edit_button = QPushButton("编辑")
        self.delete_button = QPushButton("删除")
        self.count_label = QLabel()
        self.model = DictTableModel(self.COLUMNS, self)
        self.view = _table(self.model, stretch="orgs")
        _fit_columns(self.view, {"name": 76, "kind": 56, "grid": 72, "phone": 104, "activities": 76, "hours": 96})

        self.name_label = QLabel()
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.name_label.setFont(f)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hours_label = QLabel()
        hf = QFont(self.font())
        hf.setPointSizeF(hf.pointSizeF() * 1.2)
        self.hours_label.setFont(hf)
        self.hours_label.setStyleSheet("color: #1a5fb4;")
        self.history = DictTableModel(self.HISTORY, self)
        self.history_view = _table(self.history, stretch="title")
        _fit_columns(self.history_view, {"on_date": 88, "type": 80, "grid": 64, "org": 112, "hours": 96})
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.addWidget(self.name_label)
        dl.addWidget(self.info_label)
        dl.addWidget(self.hours_label)
        self.certificate_button = QPushButton("开具志愿服务证明…")
        self.certificate_button.setToolTip("按上方统计期间生成 PDF 证明（身份证号脱敏）")
        row = QHBoxLayout()
        row.addWidget(QLabel("服务记录（双击查看活动）"))
        row.addStretch(1)
        row.addWidget(self.certificate_button)
        dl.addLayout(row)
        dl.addWidget(self.history_view, 1)
        self.detail = detail

        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addWidget(self.search)
        top.addWidget(self.org_box)
        top.addStretch(1)
        actions = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.delete_button):
            actions.addWidget(b)
        actions.addWidget(self.count_label, 1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(actions)
        ll.addWidget(self.view, 1)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([600, 600])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.org_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.period.changed.connect(self.reload)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.show_volunteer_at(cur.row()))
        self.view.doubleClicked.connect(lambda _i: self.edit_current())
        self.history_view.doubleClicked.connect(self._open_history)
        self.certificate_button.clicked.connect(self.certificate)
        self.new_button.clicked.connect(self.new_volunteer)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.current_id: int | None = None

    def refresh(self) -> None:
        _fill_combo(self.org_box, "全部组织", [(o["name"], o["id"]) for o in vol_model.org_names(self.ctx.ledger)])
        self.reload()

    def reload(self) -> None:
        self._timer.stop()
        lo, hi = self.period.bounds()
        if lo > hi:
            self.count_label.setText("开始日期晚于结束日期，请调整统计期间。")
            return
        rows = vol_model.list_volunteers(self.ctx.ledger, self.search.text(), self.org_box.currentData(), lo, hi,
                                         limit=self.LIMIT)
        for r in rows:
            r["kind"] = "居民" if r["resident_id"] else "社区外"
            r["grid"] = r["grid"] or ""
            r["orgs"] = r["orgs"] or ""
        keep = self.current_id
        self.model.set_rows(rows)
        total = round(sum(r["hours"] for r in rows), 2)
        if len(rows) < self.LIMIT:
            self.count_label.setText(f"  共 {len(rows)} 名志愿者，期间服务 {fmt_hours(total)} 小时")
        else:
            everyone = vol_model.count_volunteers(self.ctx.ledger, self.search.text(), self.org_box.currentData())
            self.count_label.setText(f"  共 {everyone} 名志愿者，列出服务时长最多的 {len(rows)} 名；"
                                     "找其他人请按姓名或手机号搜索")
        row = next((i for i, r in enumerate(rows) if r["id"] == keep), 0 if rows else -1)
        if row >= 0:
            self.view.selectRow(row)
        self.show_volunteer_at(row)

    def show_volunteer_at(self, row: int) -> None:
        r = self.model.row_dict(row)
        self.show_volunteer(r["id"] if r else None)

    def show_volunteer(self, volunteer_id: int | None) -> None:
        self.current_id = volunteer_id
        self.certificate_button.setEnabled(volunteer_id is not None)
        if volunteer_id is None:
            self.name_label.setText("")
            self.info_label.setText("没有符合条件的志愿者。")
            self.hours_label.setText("")
            self.history.set_rows([])
            return
        ledger = self.ctx.ledger
        lo, hi = self.period.bounds()
        vol = vol_model.get_volunteer(ledger, volunteer_id)
        self.name_label.setText(vol["name"])
        lines = [vol["kind"] + (f"，{vol['address']}" if vol["address"] else "")]
        if vol["id_masked"]:
            lines.append(f"身份证号：{vol['id_masked']}")
        if vol["phone"]:
            lines.append(f"联系电话：{vol['phone']}")
        lines.append("所属组织：" + ("、".join(o["name"] for o in vol["orgs"]) or "（无）"))
        if vol["skills"]:
            lines.append(f"技能特长：{vol['skills']}")
        self.info_label.setText("\n".join(lines))
        history = vol_model.service_history(ledger, volunteer_id, lo, hi)
        for h in history:
            h["org"] = h["org"] or ""
        total = vol_model.volunteer_hours(ledger, volunteer_id, lo, hi)
        self.hours_label.setText(f"{lo} 至 {hi}：参加 {len(history)} 次活动，服务时长合计 {fmt_hours(total)} 小时")
        self.history.set_rows(history)

    def _open_history(self, index) -> None:
        row = self.history.row_dict(index.row())
        if row is None:
            return
        dialog = ActivityDialog(self.ctx, row["activity_id"], self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()

    def certificate(self) -> Path | None:
        """Save the selected volunteer's 志愿服务证明 for the period as a PDF."""
        if self.current_id is None:
            QMessageBox.information(self, "志愿服务证明", "请先在列表中选择一名志愿者。")
            return None
        lo, hi = self.period.bounds()
        name = self.name_label.text()
        file, _ = QFileDialog.getSaveFileName(self, "保存志愿服务证明",
                                              str(Path.home() / f"志愿服务证明_{name}_{lo}_{hi}.pdf"),
                                              "PDF 文件 (*.pdf)")
        if not file:
            return None
        path = Path(file) if file.lower().endswith(".pdf") else Path(file + ".pdf")
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            from models.reporting import data as report_data
            import reports

            reports.render(report_data.certificate(self.ctx.ledger, self.current_id, lo, hi), str(path))
        except Exception as exc:  # noqa: BLE001
            QApplication.restoreOverrideCursor()
            show_error(self, exc, title="生成证明失败")
            return None
        QApplication.restoreOverrideCursor()
        QMessageBox.information(self, "志愿服务证明", f"已生成“{name}”{lo} 至 {hi} 的志愿服务证明：\n{path}")
        return path

    def new_volunteer(self):
        dialog = VolunteerEditDialog(self.ctx, None, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def edit_current(self):
        if self.current_id is None:
            QMessageBox.information(self, "志愿者", "请先在列表中选择一名志愿者。")
            return None
        dialog = VolunteerEditDialog(self.ctx, self.current_id, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def delete_current(self) -> None:
        if self.current_id is None:
            QMessageBox.information(self, "删除志愿者", "请先在列表中选择一名志愿者。")
            return
        name = self.name_label.text()
        if QMessageBox.question(self, "删除志愿者", f"确定要删除志愿者“{name}”吗？\n（有服务记录的志愿者不能删除。）") \
                != QMessageBox.Yes:
            return
        ok, _ = _guard(self, vol_model.delete_volunteer, self.ctx.ledger, self.current_id, title="删除失败")
        if ok:
            self.current_id = None
            self.ctx.notify(AREA)


# -- tab: organisations ---------------------------------------------------------------------------------

class OrgsTab(QWidget):
    """Organisations: the list, the selected one's details (editable) and members."""

    COLUMNS = [("name", "组织名称"), ("type", "类型"), ("leader", "负责人"), ("members", "成员"),
               ("activities", "活动（次）"), ("hours", "时长（小时）")]
    MEMBERS = [("name", "姓名"), ("grid", "网格"), ("phone", "联系电话"), ("hours", "时长（小时）")]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = PeriodBar(ctx.ledger.now().date())
        self.new_button = QPushButton("新建组织")
        self.delete_button = QPushButton("删除组织")
        self.model = DictTableModel(self.COLUMNS, self)
        self.view = _table(self.model, stretch="name")
        _fit_columns(self.view, {"type": 80, "leader": 70, "members": 50, "activities": 76, "hours": 100})

        self.name_edit = QLineEdit()
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.addItems(vol_model.ORG_TYPES)
        self.leader_edit = QLineEdit()
        self.contact_edit = QLineEdit()
        self.founded_edit = QLineEdit()
        self.founded_edit.setPlaceholderText("例如 2019-03-01，可不填")
        self.notes_edit = QLineEdit()
        self.save_button = QPushButton("保存修改")
        self.members = DictTableModel(self.MEMBERS, self)
        self.members_view = _table(self.members, stretch="name")
        _fit_columns(self.members_view, {"grid": 80, "phone": 110, "hours": 100})
        self.member_lookup = PersonLookup(ctx, "输入姓名添加成员")
        self.remove_member_button = QPushButton("移出组织")

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        form = QFormLayout()
        form.addRow("组织名称", self.name_edit)
        form.addRow("类型", self.type_box)
        form.addRow("负责人", self.leader_edit)
        form.addRow("联系电话", self.contact_edit)
        form.addRow("成立日期", self.founded_edit)
        form.addRow("备注", self.notes_edit)
        dl.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        dl.addLayout(row)
        self.members_title = QLabel("成员")
        dl.addWidget(self.members_title)
        row = QHBoxLayout()
        row.addWidget(self.member_lookup, 1)
        row.addWidget(self.remove_member_button)
        dl.addLayout(row)
        dl.addWidget(self.members_view, 1)
        self.detail = detail

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        ll.addLayout(row)
        ll.addWidget(self.view, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.current_id: int | None = None
        self.period.changed.connect(self.refresh)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _p: self.show_org_at(cur.row()))
        self.new_button.clicked.connect(self.new_org)
        self.delete_button.clicked.connect(self.delete_current)
        self.save_button.clicked.connect(self.save_current)
        self.member_lookup.chosen.connect(self.add_member)
        self.remove_member_button.clicked.connect(self.remove_member)

    def refresh(self) -> None:
        lo, hi = self.period.bounds()
        if lo > hi:
            return
        rows = vol_model.list_orgs(self.ctx.ledger, lo, hi)
        keep = self.current_id
        self.model.set_rows(rows)
        row = next((i for i, r in enumerate(rows) if r["id"] == keep), 0 if rows else -1)
        if row >= 0:
            self.view.selectRow(row)
        self.show_org_at(row)

    def show_org_at(self, row: int) -> None:
        r = self.model.row_dict(row)
        self.current_id = r["id"] if r else None
        enabled = r is not None
        for w in (self.name_edit, self.type_box, self.leader_edit, self.contact_edit, self.founded_edit,
                  self.notes_edit, self.save_button, self.member_lookup, self.remove_member_button):
            w.setEnabled(enabled)
        if r is None:
            for w in (self.name_edit, self.leader_edit, self.contact_edit, self.founded_edit, self.notes_edit):
                w.clear()
            self.members.set_rows([])
            self.members_title.setText("成员")
            return
        self.name_edit.setText(r["name"])
        self.type_box.setCurrentText(r["type"])
        self.leader_edit.setText(r["leader"])
        self.contact_edit.setText(r["contact"])
        self.founded_edit.setText(r["founded_on"] or "")
        self.notes_edit.setText(r["notes"])
        lo, hi = self.period.bounds()
        members = vol_model.org_members(self.ctx.ledger, r["id"], lo, hi)
        for m in members:
            m["grid"] = m["grid"] or ("" if m["resident_id"] else "社区外")
        self.members.set_rows(members)
        self.members_title.setText(f"成员（{len(members)} 人；时长为统计期间内参加所有活动的时长）")

    def _data(self) -> vol_model.OrgData:
        return vol_model.OrgData(self.name_edit.text(), self.type_box.currentText(), self.leader_edit.text(),
                                 self.contact_edit.text(), self.founded_edit.text() or None, self.notes_edit.text())

    def save_current(self) -> None:
        if self.current_id is None:
            return
        ok, _ = _guard(self, vol_model.update_org, self.ctx.ledger, self.current_id, self._data(), title="保存失败")
        if ok:
            self.ctx.notify(AREA)

    def new_org(self):
        dialog = OrgDialog(self.ctx, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.created.connect(lambda oid: setattr(self, "current_id", oid))
        dialog.open()
        return dialog

    def delete_current(self) -> None:
        if self.current_id is None:
            return
        name = self.name_edit.text()
        if QMessageBox.question(self, "删除组织", f"确定要删除志愿组织“{name}”吗？\n其成员名单会一并删除（志愿者本人保留）。") \
                != QMessageBox.Yes:
            return
        ok, _ = _guard(self, vol_model.delete_org, self.ctx.ledger, self.current_id, title="删除失败")
        if ok:
            self.current_id = None
            self.ctx.notify(AREA)

    def add_member(self, cand: vol_model.Candidate) -> None:
        if self.current_id is None:
            return
        try:
            vid = vol_model.volunteer_for_candidate(self.ctx.ledger, cand)
            added = vol_model.add_member(self.ctx.ledger, self.current_id, vid)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self.member_lookup.clear()
        if not added:
            QMessageBox.information(self, "添加成员", f"“{cand.name}”已是该组织成员。")
            return
        self.ctx.notify(AREA)

    def remove_member(self) -> None:
        index = self.members_view.currentIndex()
        m = self.members.row_dict(index.row()) if index.isValid() else None
        if m is None or self.current_id is None:
            QMessageBox.information(self, "移出组织", "请先在成员列表中选择一人。")
            return
        if QMessageBox.question(self, "移出组织", f"确定把“{m['name']}”移出“{self.name_edit.text()}”吗？") \
                != QMessageBox.Yes:
            return
        ok, _ = _guard(self, vol_model.remove_member, self.ctx.ledger, self.current_id, m["id"])
        if ok:
            self.ctx.notify(AREA)


class OrgDialog(QDialog):
    """A new organisation."""

    created = Signal(int)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("新建志愿组织")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例如：星光艺术团")
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.addItems(vol_model.ORG_TYPES)
        self.leader_edit = QLineEdit()
        self.contact_edit = QLineEdit()
        self.founded_edit = QLineEdit()
        self.founded_edit.setPlaceholderText("例如 2019-03-01，可不填")
        form = QFormLayout(self)
        form.addRow("组织名称*", self.name_edit)
        form.addRow("类型", self.type_box)
        form.addRow("负责人", self.leader_edit)
        form.addRow("联系电话", self.contact_edit)
        form.addRow("成立日期", self.founded_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(420, 0)

    def save(self) -> bool:
        data = vol_model.OrgData(self.name_edit.text(), self.type_box.currentText(), self.leader_edit.text(),
                                 self.contact_edit.text(), self.founded_edit.text() or None)
        ok, org_id = _guard(self, vol_model.add_org, self.ctx.ledger, data, title="保存失败")
        if not ok:
            return False
        self.created.emit(org_id)
        self.ctx.notify(AREA)
        self.accept()
        return True


# -- tab: statistics -----------------------------------------------------------------------------------

class StatsTab(QWidget):
    """Hours by volunteer, organisation, grid and month for a period; 导出 xlsx."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = PeriodBar(ctx.ledger.now().date())
        self.export_button = QPushButton("导出 Excel…")
        self.note = QLabel("全社区活动不计入任何单个网格（月度评比“志愿服务”指标只统计网格内活动）。")
        self.note.setStyleSheet("color: #666;")
        self.tabs = QTabWidget()
        self.models: dict[str, DictTableModel] = {}
        self.views: dict[str, QTableView] = {}
        for kind, (title, columns) in act_model.SUMMARY_KINDS.items():
            model = DictTableModel(columns, self)
            view = _table(model, stretch=columns[0][0] if kind != "grid" else "name")
            for i, (key, header) in enumerate(columns):
                if i or kind == "grid":
                    view.setColumnWidth(i, max(90, 16 * len(header)))
            self.models[kind], self.views[kind] = model, view
            self.tabs.addTab(view, title)
        top = QHBoxLayout()
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        self.period.changed.connect(self.refresh)
        self.export_button.clicked.connect(self.export)

    def refresh(self) -> None:
        lo, hi = self.period.bounds()
        if lo > hi:
            return
        for kind, model in self.models.items():
            rows = act_model.hours_summary(self.ctx.ledger, kind, lo, hi)
            for r in rows:
                for k, v in list(r.items()):
                    if v is None:
                        r[k] = ""
            model.set_rows(rows)

    def export(self) -> None:
        lo, hi = self.period.bounds()
        name = f"志愿服务时长统计_{lo}_{hi}.xlsx"
        file, _ = QFileDialog.getSaveFileName(self, "导出统计表", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
        if not file:
            return
        path = Path(file) if file.lower().endswith(".xlsx") else Path(file + ".xlsx")
        ok, _ = _guard(self, act_model.write_summaries_xlsx, self.ctx.ledger, path, lo, hi, title="导出失败")
        if ok:
            QMessageBox.information(self, "导出完成", f"已导出志愿服务时长统计（按志愿者、组织、网格、月份四张表）：\n{path}")


# -- the page --------------------------------------------------------------------------------------------

class VolunteersPage(QWidget):
    """志愿服务: 活动 / 志愿者 / 组织 / 统计."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.activities = ActivitiesTab(ctx)
        self.volunteers = VolunteersTab(ctx)
        self.orgs = OrgsTab(ctx)
        self.stats = StatsTab(ctx)
        self.tabs.addTab(self.activities, "活动")
        self.tabs.addTab(self.volunteers, "志愿者")
        self.tabs.addTab(self.orgs, "组织")
        self.tabs.addTab(self.stats, "统计")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        self._dirty: set[int] = set()
        self.tabs.currentChanged.connect(self._tab_shown)
        ctx.changed.connect(self._on_changed)
        self.refresh()

    def _tabs(self):
        return [self.activities, self.volunteers, self.orgs, self.stats]

    def refresh(self) -> None:
        """Reload the visible tab now; the others when they are shown."""
        self._apply_role()
        self._dirty = set(range(len(self._tabs())))
        self._tab_shown(self.tabs.currentIndex())

    def _apply_role(self) -> None:
        """A 督导员 (read-only supervisor) sees everything and changes nothing."""
        editable = can_edit(self.ctx)
        for button in (self.activities.new_button, self.activities.delete_button, self.activities.import_button,
                       self.volunteers.new_button, self.volunteers.edit_button, self.volunteers.delete_button,
                       self.orgs.new_button, self.orgs.delete_button, self.orgs.save_button):
            button.setVisible(editable)
        self.activities.open_button.setText("查看/编辑" if editable else "查看")
        self.orgs.member_lookup.setVisible(editable)
        self.orgs.remove_member_button.setVisible(editable)

    def _tab_shown(self, index: int) -> None:
        if index in self._dirty:
            self._dirty.discard(index)
            try:
                self._tabs()[index].refresh()
            except LedgerError as exc:
                show_error(self, exc)

    def _on_changed(self, area: str) -> None:
        if area in (AREA, "grids", "residents", "settings", "*"):
            self._dirty = set(range(len(self._tabs())))
            if self.isVisible():
                self._tab_shown(self.tabs.currentIndex())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._tab_shown(self.tabs.currentIndex())
