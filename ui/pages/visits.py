"""走访日志: the patrol log, and the quick dialog to record a visit.

Recording: date, way, who, then pick a building and tick its rooms (several
households at once, across buildings of one grid), notes.  “发现问题” turns the
visit's problem into a 民情事项 with source 巡查走访 in the same save.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QListView, QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from models import grids as grids_model
from models import matters as matters_model
from models import visits as visits_model
from models.errors import LedgerError, ValidationError
from ui.widgets.pickers import HierarchyPicker
from ui.widgets.search_edit import SearchEdit

PAGE_SIZE = 100

COLUMNS = [
    ("visited_on", "走访日期"), ("staff_name", "走访人"), ("way", "方式"), ("grid_name", "网格"),
    ("household_count", "户数"), ("households", "走访住户"), ("notes", "情况记录"), ("matter_count", "发现问题"),
]


class VisitsTableModel(QAbstractTableModel):
    """Visits matching a :class:`models.visits.VisitFilter`, newest first, page by page.

    ``Qt.UserRole`` of column 0 is the visit id; of other columns the raw value.
    """

    def __init__(self, ledger, parent=None):
        super().__init__(parent)
        self.ledger = ledger
        self.filter = visits_model.VisitFilter()
        self._rows: list[dict] = []
        self._cursor = None

    def set_filter(self, flt) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        rows, cursor = visits_model.search_page(self.ledger, self.filter, after=None, limit=PAGE_SIZE)
        self._rows, self._cursor = list(rows), (cursor if rows else None)
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._cursor is None:
            return
        rows, cursor = visits_model.search_page(self.ledger, self.filter, after=self._cursor, limit=PAGE_SIZE)
        if not rows:
            self._cursor = None
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._cursor = cursor
        self.endInsertRows()

    def visit_id(self, row: int) -> int | None:
        return self._rows[row]["id"] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(COLUMNS)):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.DisplayRole:
            value = row.get(key)
            if key == "matter_count":
                return f"{value} 件" if value else ""
            if key == "household_count":
                return f"{value} 户"
            if key == "notes":
                return " ".join(str(value or "").split())
            return "" if value is None else str(value)
        if role == Qt.UserRole:
            return row["id"] if index.column() == 0 else row.get(key)
        if role == Qt.ToolTipRole and key in ("notes", "households"):
            return str(row.get(key) or "") or None
        if role == Qt.TextAlignmentRole and key in ("household_count", "matter_count"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


class VisitDialog(QDialog):
    """记录走访 (or correct one).  ``open()`` it; ``saved(int)`` carries the visit id.

    Signals:
        saved(int): the visit was saved (id).
    """

    saved = Signal(int)

    def __init__(self, ctx, parent=None, visit_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visit_id = visit_id
        self.matter_id: int | None = None
        self.selected: dict[int, str] = {}   # household id -> label, kept across buildings
        ledger = ctx.ledger
        self.setWindowTitle("修改走访记录" if visit_id else "记录走访")
        self.setMinimumSize(680, 600)

        today = ledger.now().date()
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.way_box = QComboBox()
        self.way_box.addItems(list(visits_model.WAYS))
        self.staff_box = QComboBox()
        self.staff_box.setEditable(True)
        self.staff_box.setInsertPolicy(QComboBox.NoInsert)
        self.staff_box.lineEdit().setPlaceholderText("选择或输入走访人")
        self.place = HierarchyPicker(ctx, depth=2, for_filter=False)
        self.rooms = QListWidget()
        self.rooms.setMinimumHeight(150)
        # rooms flow in columns like the doors of a stairwell, so a whole building fits
        self.rooms.setFlow(QListView.LeftToRight)
        self.rooms.setWrapping(True)
        self.rooms.setResizeMode(QListView.Adjust)
        self.rooms.setUniformItemSizes(True)
        self.rooms.setSpacing(2)
        self.all_button = QPushButton("全选本楼")
        self.none_button = QPushButton("全不选")
        for button in (self.all_button, self.none_button):
            button.setAutoDefault(False)
        self.selected_label = QLabel()
        self.selected_label.setObjectName("hint")
        self.selected_label.setWordWrap(True)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("走访了解到的情况")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(60)

        self.problem_check = QCheckBox("发现问题，登记为民情事项（来源：巡查走访）")
        self.problem_box = QGroupBox("发现的问题")
        self.category_box = QComboBox()
        self.category_box.addItems(matters_model.categories(ledger))
        self.level_box = QComboBox()
        self.level_box.addItems(list(matters_model.LEVELS))
        self.problem_edit = QPlainTextEdit()
        self.problem_edit.setPlaceholderText("问题描述")
        self.problem_edit.setTabChangesFocus(True)
        self.problem_edit.setFixedHeight(50)
        self.problem_household_box = QComboBox()
        problem_form = QFormLayout(self.problem_box)
        cat_row = QHBoxLayout()
        cat_row.addWidget(self.category_box, 2)
        cat_row.addWidget(QLabel("分级"))
        cat_row.addWidget(self.level_box, 1)
        problem_form.addRow("类别", cat_row)
        problem_form.addRow("涉及住户", self.problem_household_box)
        problem_form.addRow("问题描述", self.problem_edit)
        self.problem_box.setVisible(False)
        self.problem_check.toggled.connect(self.problem_box.setVisible)
        if visit_id:
            self.problem_check.hide()

        form = QFormLayout()
        top = QHBoxLayout()
        top.addWidget(self.date_edit)
        top.addWidget(QLabel("方式"))
        top.addWidget(self.way_box)
        top.addWidget(QLabel("走访人"))
        top.addWidget(self.staff_box, 1)
        form.addRow("走访日期", top)
        form.addRow("网格 / 楼栋", self.place)
        room_buttons = QHBoxLayout()
        room_buttons.addWidget(self.all_button)
        room_buttons.addWidget(self.none_button)
        room_buttons.addWidget(self.selected_label, 1)
        rooms = QVBoxLayout()
        rooms.addWidget(self.rooms)
        rooms.addLayout(room_buttons)
        form.addRow("勾选住户", rooms)
        form.addRow("情况记录", self.notes_edit)

        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_check)
        layout.addWidget(self.problem_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._grid_id = None
        self.place.changed.connect(self._place_changed)
        self.rooms.itemChanged.connect(self._room_ticked)
        self.all_button.clicked.connect(lambda: self._tick_all(True))
        self.none_button.clicked.connect(lambda: self._tick_all(False))
        self.category_box.currentTextChanged.connect(self._category_chosen)
        self._fill_staff(None)
        self._category_chosen(self.category_box.currentText())
        if visit_id:
            self._load(visit_id)
        self._show_rooms()

    # -- choosing ------------------------------------------------------------------------
    def _fill_staff(self, grid_id) -> None:
        current = self.staff_box.currentText()
        ledger = self.ctx.ledger
        self.staff_box.blockSignals(True)
        self.staff_box.clear()
        seen = set()
        rows = grids_model.staff_of_grid(ledger, grid_id) if grid_id else []
        rows += [s for s in grids_model.all_staff(ledger) if s.get("active", 1)]
        for s in rows:
            if s["id"] not in seen:
                seen.add(s["id"])
                self.staff_box.addItem(s["name"], s["id"])
        index = self.staff_box.findText(current) if current else (0 if grid_id and self.staff_box.count() else -1)
        if index >= 0:
            self.staff_box.setCurrentIndex(index)
        else:
            self.staff_box.setEditText(current)
        self.staff_box.blockSignals(False)

    def _place_changed(self) -> None:
        grid_id = self.place.grid_id()
        if grid_id != self._grid_id:
            if self._grid_id is not None and self.selected:
                self.selected.clear()   # one visit = one grid
            self._grid_id = grid_id
            self._fill_staff(grid_id)
        self._show_rooms()

    def _show_rooms(self) -> None:
        building_id = self.place.building_id()
        self.rooms.blockSignals(True)
        self.rooms.clear()
        if building_id is not None:
            building = self.place.combos["building"].currentText()
            for h in visits_model.households_of_building(self.ctx.ledger, building_id):
                unit = h["unit"] or ""
                text = f"{unit}{h['room']}" + (f"　户主：{h['head_name']}" if h["head_name"] else "")
                item = QListWidgetItem(text)
                item.setData(Qt.UserRole, h["id"])
                item.setData(Qt.UserRole + 1, f"{building}{unit}{h['room']}")
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if h["id"] in self.selected else Qt.Unchecked)
                self.rooms.addItem(item)
        self.rooms.blockSignals(False)
        self.all_button.setEnabled(self.rooms.count() > 0)
        self.none_button.setEnabled(self.rooms.count() > 0)
        self._selection_changed()

    def _room_ticked(self, item: QListWidgetItem) -> None:
        household_id = item.data(Qt.UserRole)
        if item.checkState() == Qt.Checked:
            self.selected[household_id] = item.data(Qt.UserRole + 1)
        else:
            self.selected.pop(household_id, None)
        self._selection_changed()

    def _tick_all(self, on: bool) -> None:
        for i in range(self.rooms.count()):
            self.rooms.item(i).setCheckState(Qt.Checked if on else Qt.Unchecked)

    def tick_rooms(self, rooms: list[str]) -> None:
        """Tick the rooms whose text starts with one of ``rooms`` (e.g. "1单元101")."""
        for i in range(self.rooms.count()):
            item = self.rooms.item(i)
            if any(item.text().split("　")[0] == r for r in rooms):
                item.setCheckState(Qt.Checked)

    def _selection_changed(self) -> None:
        labels = list(self.selected.values())
        if not labels:
            self.selected_label.setText("尚未勾选住户")
        else:
            shown = "、".join(labels[:4]) + ("等" if len(labels) > 4 else "")
            self.selected_label.setText(f"已选 {len(labels)} 户：{shown}")
        current = self.problem_household_box.currentData()
        self.problem_household_box.clear()
        self.problem_household_box.addItem("（不指定住户）", None)
        for household_id, label in self.selected.items():
            self.problem_household_box.addItem(label, household_id)
        index = self.problem_household_box.findData(current) if current else -1
        self.problem_household_box.setCurrentIndex(index if index >= 0 else (1 if len(labels) == 1 else 0))

    def _category_chosen(self, category: str) -> None:
        from ui.dialogs.matter_form import default_level

        level = default_level(category)
        if level:
            self.level_box.setCurrentText(level)

    def _load(self, visit_id: int) -> None:
        visit = visits_model.get_visit(self.ctx.ledger, visit_id)
        day = QDate.fromString(visit["visited_on"], "yyyy-MM-dd")
        self.date_edit.setDate(day)
        self.way_box.setCurrentText(visit["way"])
        self.selected = {h["id"]: h["label"] for h in visit["households"]}
        if visit["household_ids"]:
            place = grids_model.household_place(self.ctx.ledger, visit["household_ids"][0])
            self.place.set_path(grid=place["grid_id"], building=place["building_id"])
        else:
            self.place.set_path(grid=visit["grid_id"])
        self._grid_id = self.place.grid_id()
        self._fill_staff(self._grid_id)
        index = self.staff_box.findData(visit["staff_id"]) if visit["staff_id"] else -1
        if index >= 0:
            self.staff_box.setCurrentIndex(index)
        else:
            self.staff_box.setEditText(visit["staff_name"])
        self.notes_edit.setPlainText(visit["notes"])

    # -- saving --------------------------------------------------------------------------
    def staff(self) -> tuple[int | None, str]:
        text = self.staff_box.currentText().strip()
        index = self.staff_box.findText(text)
        return (self.staff_box.itemData(index) if index >= 0 else None), text

    def _problem(self) -> str | None:
        if not self.staff()[1]:
            return "请选择或填写走访人。"
        if not self.selected:
            return "请至少勾选一户。"
        if self.problem_check.isChecked() and not self.problem_edit.toPlainText().strip():
            return "请填写发现的问题。"
        return None

    def save(self) -> None:
        message = self._problem()
        if message:
            self.error_label.setText(message)
            self.error_label.show()
            return
        ledger = self.ctx.ledger
        staff_id, staff_name = self.staff()
        values = {"visited_on": self.date_edit.date().toString("yyyy-MM-dd"), "staff_id": staff_id,
                  "staff_name": "" if staff_id else staff_name, "way": self.way_box.currentText(),
                  "household_ids": list(self.selected), "notes": self.notes_edit.toPlainText().strip()}
        try:
            with ledger.write():
                if self.visit_id:
                    visits_model.update_visit(ledger, self.visit_id, **values)
                    visit_id = self.visit_id
                else:
                    visit_id = visits_model.record_visit(ledger, **values)
                if self.problem_check.isChecked() and not self.visit_id:
                    data = {"category": self.category_box.currentText(), "level": self.level_box.currentText(),
                            "description": self.problem_edit.toPlainText().strip()}
                    if self.problem_household_box.currentData():
                        data["household_id"] = self.problem_household_box.currentData()
                    self.matter_id = visits_model.visit_problem_to_matter(ledger, visit_id, data)
        except ValidationError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        except LedgerError as exc:
            QMessageBox.warning(self, "保存失败", str(exc))
            return
        self.visit_id = visit_id
        self.ctx.notify("visits")
        if self.matter_id:
            self.ctx.notify("matters")
        self.saved.emit(visit_id)
        self.accept()


class VisitsPage(QWidget):
    """走访日志."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: VisitDialog | None = None
        self._dirty = False
        self._loading = False

        title = QLabel("走访日志")
        title.setObjectName("pageTitle")
        self.new_button = QPushButton("记录走访")
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip("记录一次走访（Ctrl+N）")
        self.new_button.clicked.connect(self.record_visit)
        self.edit_button = QPushButton("修改")
        self.edit_button.clicked.connect(self.edit_current)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.edit_button)
        head.addWidget(self.new_button)

        self.search = SearchEdit("搜索走访人、情况记录……")
        self.search.setMinimumWidth(240)
        self.grid_box = QComboBox()
        self.staff_box = QComboBox()
        self.way_box = QComboBox()
        self.way_box.addItem("全部方式", None)
        for way in visits_model.WAYS:
            self.way_box.addItem(way, way)
        self.date_check = QCheckBox("走访日期")
        today = ctx.ledger.now().date()
        self.date_from = QDateEdit(QDate(today.year, today.month, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.date_check.toggled.connect(self.date_from.setEnabled)
        self.date_check.toggled.connect(self.date_to.setEnabled)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.grid_box, 1)
        filters.addWidget(self.staff_box, 1)
        filters.addWidget(self.way_box)
        filters.addWidget(self.date_check)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.date_to)

        self.model = VisitsTableModel(ctx.ledger, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        for col, width in enumerate((96, 80, 56, 90, 56, 300, 300, 72)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(6, QHeaderView.Stretch)
        self.view.doubleClicked.connect(lambda index: self.edit_visit(self.model.visit_id(index.row())))
        self.view.activated.connect(lambda index: self.edit_visit(self.model.visit_id(index.row())))

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self.search.search.connect(lambda _t: self.apply_filters())
        for box in (self.grid_box, self.staff_box, self.way_box):
            box.currentIndexChanged.connect(self._filters_changed)
        self.date_check.toggled.connect(self._filters_changed)
        self.date_from.dateChanged.connect(self._date_changed)
        self.date_to.dateChanged.connect(self._date_changed)
        # Ctrl+N adds a record on every page (the window menu leaves it free)
        QShortcut(QKeySequence("Ctrl+N"), self, self.record_visit)
        ctx.changed.connect(self._on_changed)
        self._fill_choices()
        self.apply_filters()

    def _fill_choices(self) -> None:
        self._loading = True
        ledger = self.ctx.ledger
        for box, first, items in (
                (self.grid_box, "全部网格", [(g["name"], g["id"]) for g in grids_model.grids(ledger)]),
                (self.staff_box, "全部走访人", [(s["name"], s["id"]) for s in grids_model.all_staff(ledger)])):
            current = box.currentData()
            box.clear()
            box.addItem(first, None)
            for text, value in items:
                box.addItem(text, value)
            index = box.findData(current) if current is not None else -1
            box.setCurrentIndex(max(index, 0))
        self._loading = False

    def current_filter(self):
        date_from = date_to = None
        if self.date_check.isChecked():
            date_from = self.date_from.date().toString("yyyy-MM-dd")
            date_to = self.date_to.date().toString("yyyy-MM-dd")
        return visits_model.VisitFilter(date_from=date_from, date_to=date_to,
                                        grid_id=self.grid_box.currentData(),
                                        staff_id=self.staff_box.currentData(),
                                        way=self.way_box.currentData(), text=self.search.text().strip())

    def _filters_changed(self, *_args) -> None:
        if not self._loading:
            self.apply_filters()

    def _date_changed(self, *_args) -> None:
        if self.date_check.isChecked():
            self.apply_filters()

    def apply_filters(self) -> None:
        flt = self.current_filter()
        self.model.ledger = self.ctx.ledger
        self.model.set_filter(flt)
        self.count_label.setText(f"共 {visits_model.count(self.ctx.ledger, flt)} 条走访记录")

    def refresh(self) -> None:
        self._fill_choices()
        self.apply_filters()
        self._dirty = False

    def _on_changed(self, area: str) -> None:
        if area in ("visits", "grids", "*"):
            if self.isVisible():
                self.refresh()
            else:
                self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def record_visit(self) -> VisitDialog:
        """Open the 记录走访 dialog (non-blocking); returns it."""
        self.dialog = VisitDialog(self.ctx, self)
        self.dialog.open()
        return self.dialog

    def edit_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.edit_visit(self.model.visit_id(index.row()))

    def edit_visit(self, visit_id: int | None):
        if visit_id is None:
            return None
        self.dialog = VisitDialog(self.ctx, self, visit_id=visit_id)
        self.dialog.open()
        return self.dialog
