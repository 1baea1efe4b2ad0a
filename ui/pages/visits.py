"""走访日志: the patrol log, and the quick dialog to record a visit.

Recording: date, way, who, then pick a building and tick its rooms (several
households at once, across buildings of one grid), notes.  “发现问题” turns the
visit's problem into a 民情事项 with source 巡查走访 in the same save (one operation,
:func:`models.visits.records.save_visit`).
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QFormLayout, QGroupBox, QLabel, QListView, QStyle,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QWidget)

from models.grids import hierarchy as grids_model
from models.core import lists
from models.importing.visits import export_visits
from models.visits import records as visits_model
from ui.dialogs.matter_form import category_and_level
from ui.models.paged_model import PagedTableModel
from ui.models.rows_model import Column, row_id
from ui.widgets.dialog_parts import error_label, save_cancel_buttons, show_save_error
from ui.widgets.layout import hbox, vbox
from ui.pages.file_buttons import FileButtons
from ui.widgets.list_page import ListPageMixin, combo, date_range, list_view, refill_combo
from ui.widgets.pickers import HierarchyPicker
from ui.ops import LedgerOp
from ui.widgets.search_edit import SearchEdit

PAGE_SIZE = 100

def _one_line(key: str):
    return lambda row: " ".join(str(row.get(key) or "").split())


def _full_text(key: str):
    return lambda row: str(row.get(key) or "")


COLUMNS = [
    Column("走访日期", "visited_on", raw=row_id),
    Column("走访人", "staff_name"),
    Column("方式", "way"),
    Column("网格", "grid_name"),
    Column("户数", "household_count", lambda row: f"{row.get('household_count')} 户", numeric=True),
    Column("走访住户", "households", tooltip=_full_text("households")),
    Column("情况记录", "notes", _one_line("notes"), tooltip=_full_text("notes")),
    Column("发现问题", "matter_count", lambda row: f"{row['matter_count']} 件" if row.get("matter_count") else "",
           numeric=True),
]


class VisitsTableModel(PagedTableModel):
    """Visits matching a :class:`models.visits.records.VisitFilter`, newest first, page by page.

    ``Qt.UserRole`` of column 0 is the visit id; of other columns the raw value.
    """

    def __init__(self, ledger, parent=None):
        super().__init__(ledger, COLUMNS, visits_model.VisitFilter(), parent=parent)

    def fetch_page(self, after):
        return visits_model.search_page(self.ledger, self.filter, after=after, limit=PAGE_SIZE)

    visit_id = PagedTableModel.row_id


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
        self.resize(680, 600)   # what it can shrink to is the layout's to say (150 % scaling)

        today = ledger.now().date()
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.way_box = QComboBox()
        self.way_box.addItems(visits_model.ways(ledger))
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
        self.category_box, self.level_box = category_and_level(ledger)
        self.problem_edit = QPlainTextEdit()
        self.problem_edit.setPlaceholderText("问题描述")
        self.problem_edit.setTabChangesFocus(True)
        self.problem_edit.setFixedHeight(50)
        self.problem_household_box = QComboBox()
        problem_form = QFormLayout(self.problem_box)
        problem_form.addRow("类别", hbox((self.category_box, 2), "分级", (self.level_box, 1)))
        problem_form.addRow("涉及住户", self.problem_household_box)
        problem_form.addRow("问题描述", self.problem_edit)
        self.problem_box.setVisible(False)
        self.problem_check.toggled.connect(self.problem_box.setVisible)
        if visit_id:
            self.problem_check.hide()

        form = QFormLayout()
        form.addRow("走访日期", hbox(self.date_edit, "方式", self.way_box, "走访人", (self.staff_box, 1)))
        form.addRow("网格 / 楼栋", self.place)
        form.addRow("勾选住户", vbox(self.rooms, hbox(self.all_button, self.none_button, (self.selected_label, 1))))
        form.addRow("情况记录", self.notes_edit)

        self.error_label = error_label()
        self.buttons, self.save_button = save_cancel_buttons(self, self.save)
        ctx.enable_if_allowed(self.save_button, "records.edit")
        vbox(form, self.problem_check, self.problem_box, self.error_label, self.buttons, parent=self)

        self._grid_id = None
        self.place.changed.connect(self._place_changed)
        self.rooms.itemChanged.connect(self._room_ticked)
        self.all_button.clicked.connect(lambda: self._tick_all(True))
        self.none_button.clicked.connect(lambda: self._tick_all(False))
        self._fill_staff(None)
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
        self._fit_room_cells()
        self.rooms.blockSignals(False)
        self.all_button.setEnabled(self.rooms.count() > 0)
        self.none_button.setEnabled(self.rooms.count() > 0)
        self._selection_changed()

    def _fit_room_cells(self) -> None:
        """Make every cell as wide as the longest room text (uniform item sizes would otherwise
        take the first room's width and cut longer ones, e.g. a three-character 户主 name)."""
        if not self.rooms.count():
            return
        metrics = self.rooms.fontMetrics()
        widest = max(metrics.horizontalAdvance(self.rooms.item(i).text()) for i in range(self.rooms.count()))
        indicator = self.rooms.style().pixelMetric(QStyle.PM_IndicatorWidth) + 16
        size = QSize(widest + indicator, metrics.height() + 6)
        for i in range(self.rooms.count()):
            self.rooms.item(i).setSizeHint(size)

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

    def _load(self, visit_id: int) -> None:
        visit = visits_model.get_visit(self.ctx.ledger, visit_id)
        day = QDate.fromString(visit["visited_on"], "yyyy-MM-dd")
        self.date_edit.setDate(day)
        if self.way_box.findText(visit["way"]) < 0:          # retired since: kept on this visit
            self.way_box.addItem(visit["way"])
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

    def save(self) -> LedgerOp | None:
        if not self.save_button.isEnabled():
            return None   # already saving, or the role may not
        message = self._problem()
        if message:
            self.error_label.setText(message)
            self.error_label.show()
            return None
        staff_id, staff_name = self.staff()
        values = {"visited_on": self.date_edit.date().toString("yyyy-MM-dd"), "staff_id": staff_id,
                  "staff_name": "" if staff_id else staff_name, "way": self.way_box.currentText(),
                  "household_ids": list(self.selected), "notes": self.notes_edit.toPlainText().strip()}
        problem = None
        if self.problem_check.isChecked() and not self.visit_id:
            problem = {"category": self.category_box.currentText(), "level": self.level_box.currentText(),
                       "description": self.problem_edit.toPlainText().strip()}
            if self.problem_household_box.currentData():
                problem["household_id"] = self.problem_household_box.currentData()
        visit_id = self.visit_id
        return (LedgerOp(self.ctx, lambda ledger: visits_model.save_visit.op(ledger, visit_id, values, problem),
                         parent=self, title="保存走访记录")
                .success(self._saved).failure(lambda exc: show_save_error(self, exc))
                .disabling(self.save_button).run())

    def _saved(self, changes) -> None:
        self.visit_id, self.matter_id = changes.result
        self.saved.emit(self.visit_id)
        self.accept()


class VisitsPage(ListPageMixin, QWidget):
    """走访日志."""

    REFRESH_AREAS = ("visits", "grids", "*")
    RECORD_DIALOG = VisitDialog

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        head = self._start_list_page(ctx, "走访日志", ("记录走访", self.record_visit), ("修改", self.edit_visit))
        # the export takes the page's 走访日期 range when it is ticked (the file's title line says so)
        self.files = FileButtons(self, head, self.open_button, "visits", "走访", "入户走访记录.xlsx",
                                 lambda ledger, out, progress, period: export_visits(
                                     ledger, out, progress=progress, date_from=period[0], date_to=period[1]))
        self.search = SearchEdit("搜索走访人、情况记录……")
        self.search.setMinimumWidth(240)
        self.grid_box = QComboBox()
        self.staff_box = QComboBox()
        self.way_box = combo([(i["name"], i["name"]) for i in lists.items(ctx.ledger, "visit_way")], "全部方式")
        today = ctx.ledger.now().date()
        self.date_check, self.date_from, self.date_to = date_range(
            "走访日期", QDate(today.year, today.month, 1), QDate(today.year, today.month, today.day))
        filters = hbox((self.search, 2), (self.grid_box, 1), (self.staff_box, 1), self.way_box,
                       self.date_check, self.date_from, "至", self.date_to)

        self.model = VisitsTableModel(ctx.ledger, self)
        self.view = list_view(self.model, (96, 80, 56, 90, 56, 300, 300, 72), stretch=6, open_row=self.edit_visit)
        self._lay_out_list(head, (filters,))

        self.search.search.connect(lambda _t: self.apply_filters())
        for box in (self.grid_box, self.staff_box, self.way_box):
            box.currentIndexChanged.connect(self._filters_changed)
        self._start_listening()

    def _fill_choices(self) -> None:
        self.ctx.enable_if_allowed(self.new_button, "records.edit", "记录一次走访（Ctrl+N）")
        self.files.update(self.ctx)
        ledger = self.ctx.ledger
        refill_combo(self.grid_box, "全部网格", [(g["name"], g["id"]) for g in grids_model.grids(ledger)])
        refill_combo(self.staff_box, "全部走访人", [(s["name"], s["id"]) for s in grids_model.all_staff(ledger)])

    def current_filter(self):
        date_from, date_to = self.date_range_values()
        return visits_model.VisitFilter(date_from=date_from, date_to=date_to,
                                        grid_id=self.grid_box.currentData(),
                                        staff_id=self.staff_box.currentData(),
                                        way=self.way_box.currentData(), text=self.search.text().strip())

    def apply_filters(self) -> None:
        flt = self.current_filter()
        self.model.ledger = self.ctx.ledger
        self.model.set_filter(flt)
        self.count_label.setText(f"共 {visits_model.count(self.ctx.ledger, flt)} 条走访记录")

    record_visit = ListPageMixin.open_new_record   # 记录走访
    edit_visit = ListPageMixin.open_record         # 修改
