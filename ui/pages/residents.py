"""居民台账: search as you type, filters, a paged table, and the actions on a resident."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel, QMenu,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from models.core.errors import LedgerError
from models.residents import records as residents_model
from models.residents.export import export_residents
from ui.dialogs.household import HouseholdDialog
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.resident_form import ResidentForm, StatusDialog
from ui.errors import error_text, show_error
from ui.models.residents_model import COLUMNS, ResidentsTableModel, column_of
from ui.ops import LedgerOp
from ui.widgets.list_page import action_button, read_only_view
from ui.widgets.pickers import HierarchyPicker
from ui.widgets.search_edit import SearchEdit
from ui.widgets.export_file import ask_export_path, writer_progress

SEARCH_HINT = "搜索：姓名（如“张”或“张三”）、拼音首字母（如 zs）、身份证号或电话的后几位、地址"
DEFAULT_STATUS = "在册"


class ResidentsPage(QWidget):
    """居民台账."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._count_requests = itertools.count(1)
        self._count_request = 0

        title = QLabel("居民台账")
        title.setObjectName("pageTitle")
        self.search = SearchEdit(SEARCH_HINT)
        self.search.setMinimumWidth(420)
        self.search.search.connect(lambda _t: self.apply_filter())
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.search, 1)
        top.addSpacing(12)
        top.addWidget(self.count_label)

        # filters
        self.place = HierarchyPicker(ctx, depth=2, for_filter=True)
        self.place.changed.connect(self.apply_filter)
        self.tag_combo = QComboBox()
        self.tag_combo.setObjectName("tagCombo")
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("typeCombo")
        self.type_combo.addItem("全部人口类型", None)
        for value in residents_model.RESIDENCE_TYPES:
            self.type_combo.addItem(value, value)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusCombo")
        self.status_combo.addItem("全部状态", None)
        for value in residents_model.STATUSES:
            self.status_combo.addItem(value, value)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(DEFAULT_STATUS)))
        self._fill_tags()
        for combo in (self.tag_combo, self.type_combo, self.status_combo):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        clear = QPushButton("清除筛选")
        clear.clicked.connect(self.clear_filters)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("筛选："))
        filters.addWidget(self.place)
        filters.addWidget(self.tag_combo)
        filters.addWidget(self.type_combo)
        filters.addWidget(self.status_combo)
        filters.addWidget(clear)
        filters.addStretch(1)

        # actions
        self.add_button = action_button("新增居民", self.add_resident, primary=True)
        self.edit_button = action_button("编辑", self.edit_selected)
        self.move_out_button = action_button("迁出", lambda: self.change_status("迁出"))
        self.death_button = action_button("死亡登记", lambda: self.change_status("死亡"))
        self.restore_button = action_button("恢复在册", lambda: self.change_status("恢复在册"))
        self.household_button = action_button("户信息", self.show_household)
        self.import_button = action_button("导入…", self.import_residents)
        self.export_button = action_button("导出…", self.export_residents)
        actions = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.move_out_button, self.death_button,
                  self.restore_button, self.household_button):
            actions.addWidget(b)
        actions.addStretch(1)
        # what was just saved, in words (issue 13: a save hidden by the filter looked like nothing)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedNote")
        actions.addWidget(self.saved_label)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)

        # the table
        self.model = ResidentsTableModel(ctx, self)
        self._update_hidden_tags()
        self.table = read_only_view(self.model)
        self.table.setObjectName("residentsTable")
        self.table.verticalHeader().setVisible(True)   # row numbers help when reading a list aloud
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.AscendingOrder)
        header.setHighlightSections(False)
        header.sectionClicked.connect(self._header_clicked)
        header.setStretchLastSection(True)
        self._size_columns()
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

        # Ctrl+F / Ctrl+N work wherever the focus is in the window (the sidebar, say), as on
        # every page: a hidden page's shortcuts are inactive, so they never clash.
        QShortcut(QKeySequence.Find, self, activated=self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add_resident)
        QShortcut(QKeySequence(Qt.Key_Return), self.table, activated=self.edit_selected
                  ).setContext(Qt.WidgetWithChildrenShortcut)  # Enter edits the selected row

        ctx.changed.connect(self._on_changed)
        self.apply_filter()

    #: the widest usual content of each column (the last column, 标签, takes the rest)
    COLUMN_SAMPLES = {"name": "欧阳小明", "gender": "性别", "id_masked": "110101********123X",
                      "birth_date": "2000-00-00", "phone": "0551-12345678", "grid": "第十二网格",
                      "building": "梧桐花园12号楼", "unit": "1单元", "room": "1201", "relation": "与户主关系",
                      "residence_type": "户籍人口", "status": "状态", "status_date": "2000-00-00"}

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header_metrics = self.table.horizontalHeader().fontMetrics()
        for key, sample in self.COLUMN_SAMPLES.items():
            col = column_of(key)
            title_width = header_metrics.horizontalAdvance(COLUMNS[col][1]) + 22  # room for the sort arrow
            self.table.setColumnWidth(col, max(metrics.horizontalAdvance(sample) + 14, title_width))

    # -- filter and sort ----------------------------------------------------------------------------
    def _update_hidden_tags(self) -> None:
        if self.ctx.may("personal.see_sensitive"):
            self.model.hidden_tags = set()
        else:
            self.model.hidden_tags = {t["name"] for t in residents_model.tag_list(self.ctx.ledger, True)
                                      if t["sensitive"]}

    def _fill_tags(self) -> None:
        current = self.tag_combo.currentData()
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        self.tag_combo.addItem("全部标签", None)
        for tag in residents_model.tag_list(self.ctx.ledger, self.ctx.may("personal.see_sensitive")):
            self.tag_combo.addItem(tag["name"], tag["id"])
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(current)) if current else 0)
        self.tag_combo.blockSignals(False)

    def current_filter(self) -> residents_model.ResidentFilter:
        return residents_model.ResidentFilter(
            text=self.search.text().strip(),
            grid_id=self.place.grid_id(),
            building_id=self.place.building_id(),
            tag_id=self.tag_combo.currentData(),
            residence_type=self.type_combo.currentData(),
            status=self.status_combo.currentData(),
            include_sensitive=self.ctx.may("personal.see_sensitive"),
        )

    def apply_filter(self) -> None:
        """Re-query the first page for the filter on screen (keeps the selected resident if shown)."""
        selected = self.selected_id()
        try:
            self.model.set_filter(self.current_filter())
        except Exception as exc:  # noqa: BLE001 - shown in Chinese, logged when a bug
            show_error(self, exc, title="查询失败")
            return
        if selected is not None:
            row = self.model.row_of(selected)
            if row >= 0:
                self.table.selectRow(row)
        self._update_buttons()
        self._schedule_count()

    def clear_filters(self) -> None:
        for combo in (self.tag_combo, self.type_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.status_combo.blockSignals(True)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(DEFAULT_STATUS)))
        self.status_combo.blockSignals(False)
        self.place.blockSignals(True)
        self.place.set_path()
        self.place.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filter()

    def _schedule_count(self) -> None:
        """Show 共 N 人 for the current filter, counted off the GUI thread.

        Counting every match of a broad filter on 500,000 residents takes longer than
        fetching the first page; the clerk sees the page at once and the count follows.
        """
        self._count_request = request = next(self._count_requests)
        flt = self.model.filter
        latest = lambda: self._count_request  # noqa: E731 - read on the worker: the clerk may have typed on

        def count(ledger):
            return residents_model.count(ledger, flt) if request == latest() else None

        self.count_label.setText("正在统计…")
        self.count_label.setToolTip("")
        op = LedgerOp(self.ctx, count, parent=self, title="统计人数").quiet()
        op.success(lambda total: self._counted(request, total)).failure(lambda _problem: None)
        op.finished.connect(lambda: self._count_ended(request, op.error))
        op.run()

    def _counted(self, request: int, total: int | None) -> None:
        if request == self._count_request and total is not None:
            self.count_label.setText(f"共 {total} 人")

    def _count_ended(self, request: int, error: BaseException | None) -> None:
        """A count that failed says so on the label (a bug has also been shown and logged)."""
        if error is not None and request == self._count_request:
            self.count_label.setText("无法统计人数")
            self.count_label.setToolTip(error_text(error))

    def _header_clicked(self, column: int) -> None:
        header = self.table.horizontalHeader()
        sort_key = COLUMNS[column][2]
        if not sort_key:
            self._show_sort_indicator()
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(f"“{COLUMNS[column][1]}”列不能排序。", 3000)
            return
        descending = self.model.sort_key == sort_key and not self.model.descending
        try:
            self.model.set_sort(sort_key, descending)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, title="排序失败")
        self._show_sort_indicator()
        header.viewport().update()

    def _show_sort_indicator(self) -> None:
        header = self.table.horizontalHeader()
        column = next((i for i, c in enumerate(COLUMNS) if c[2] == self.model.sort_key), -1)
        header.setSortIndicator(column, Qt.DescendingOrder if self.model.descending else Qt.AscendingOrder)

    def _on_changed(self, area: str) -> None:
        if area not in ("residents", "grids", "*", "settings"):
            return
        if self.isVisible() or area in ("*", "settings"):
            self.refresh(area)
        else:
            self._stale = True  # re-queried when the clerk comes back


    def refresh(self, area: str = "*") -> None:
        if area in ("grids", "*"):
            self.place.reload()
        if area in ("settings", "*"):
            self._fill_tags()
            self._update_hidden_tags()
        self.apply_filter()

    def on_shown(self) -> None:
        """Back on this page: re-query if the data changed while it was hidden."""
        if getattr(self, "_stale", False):
            self._stale = False
            self.refresh("grids")

    # -- selection -------------------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        if not hasattr(self, "table"):
            return None
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows:
            index = rows[0]
        return self.model.resident_id(index.row()) if index.isValid() else None

    def selected_row(self) -> dict | None:
        rid = self.selected_id()
        return None if rid is None else self.model.row_dict(self.model.row_of(rid))

    def _update_buttons(self) -> None:
        row = self.selected_row()
        has = row is not None
        active = has and row.get("status") == "在册"
        editable = self.ctx.enable_if_allowed(self.add_button, "records.edit")
        self.edit_button.setText("编辑" if editable else "查看")
        self.edit_button.setEnabled(has)
        self.move_out_button.setEnabled(editable and active)
        self.death_button.setEnabled(editable and active)
        self.restore_button.setEnabled(editable and has and not active)
        self.household_button.setEnabled(has)
        self.import_button.setEnabled(editable)

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        for button in (self.edit_button, self.household_button, self.move_out_button, self.death_button,
                       self.restore_button):
            action = QAction(button.text(), menu)
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
            menu.addAction(action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def select_resident(self, resident_id: int) -> None:
        row = self.model.row_of(resident_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def show_saved(self, resident_id: int) -> None:
        """Say what was saved and select it; when the filter on screen hides it, look it up by name."""
        try:
            saved = residents_model.get_resident(self.ctx.ledger, resident_id)
        except LedgerError:
            return
        self.apply_filter()            # the save's ctx.changed may not have reached the list yet
        self.select_resident(resident_id)
        note = ""
        if self.model.row_of(resident_id) < 0:
            self.clear_filters()
            self.status_combo.setCurrentIndex(0)       # 全部状态: a moved-out resident is shown too
            self.search.blockSignals(True)          # no debounced search left pending: filter now
            self.search.setText(saved["name"])
            self.search.blockSignals(False)
            self.apply_filter()
            self.select_resident(resident_id)
            note = "（原筛选条件下不显示，已按姓名列出）"
        place = saved.get("household_label") or "未指定所在户"
        self.saved_label.setText(f"已保存：{saved['name']}　{place}　{saved.get('relation') or ''}{note}")

    # -- actions ----------------------------------------------------------------------------------------
    # The dialogs save through operations (ui.ops.LedgerOp): the list refreshes from ctx.changed.
    def add_resident(self) -> None:
        if not self.ctx.may("records.edit"):
            return
        form = ResidentForm(self.ctx, None, self, default_grid=self.place.grid_id(),
                            default_building=self.place.building_id())
        if form.exec() == QDialog.Accepted and form.resident_id is not None:
            self.show_saved(form.resident_id)

    def edit_selected(self) -> None:
        rid = self.selected_id()
        if rid is None:
            return
        form = ResidentForm(self.ctx, rid, self)
        if form.exec() == QDialog.Accepted:
            self.show_saved(rid)

    def change_status(self, action: str) -> None:
        row = self.selected_row()
        if row is None:
            return
        StatusDialog(self.ctx, row["id"], row["name"], action, self).exec()

    def show_household(self) -> None:
        rid = self.selected_id()
        if rid is None:
            return
        resident = residents_model.get_resident(self.ctx.ledger, rid)
        if not resident.get("household_id"):
            QMessageBox.information(self, "户信息", f"{resident['name']} 还没有所属的户，请在“编辑”中选择住址。")
            return
        HouseholdDialog(self.ctx, resident["household_id"], self, focus_resident=rid).exec()

    def import_residents(self) -> None:
        ImportWizard(self.ctx, "residents", self).exec()  # it tells every page what changed

    def export_residents(self) -> None:
        out = ask_export_path(self, "导出居民名单", "居民名单.xlsx")
        if out is None:
            return
        full_ids = False
        if self.ctx.may("personal.full_ids"):
            box = QMessageBox(QMessageBox.Question, "导出居民名单",
                              "身份证号是否完整导出？\n\n默认只导出脱敏号码（如 110101********123X）。"
                              "完整身份证号属于个人敏感信息，导出会记入审计日志，请妥善保管导出的文件。",
                              parent=self)
            masked = box.addButton("脱敏导出", QMessageBox.AcceptRole)
            full = box.addButton("导出完整号码", QMessageBox.DestructiveRole)
            box.addButton(QMessageBox.Cancel)
            box.setDefaultButton(masked)
            box.exec()
            if box.clickedButton() is full:
                full_ids = True
            elif box.clickedButton() is not masked:
                return
        flt = self.model.filter

        def work(ledger, progress, is_cancelled):
            return export_residents(ledger, out, flt=flt, full_ids=full_ids,
                                    progress=writer_progress(progress, is_cancelled))

        def done(n: int) -> None:
            QMessageBox.information(self, "导出完成", f"已导出 {n} 人到：\n{out}")

        LedgerOp(self.ctx, work, parent=self, title="导出居民名单", progress=True, cancellable=True).success(done).run()


