"""网格管理: the tree community → grid → building → unit → household, counts, and the staff.

Buildings, units and households are loaded when their parent is expanded, so a
ledger of 269 grids and 200,000 households opens at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QGroupBox, QHBoxLayout, QHeaderView,
                               QInputDialog, QLabel, QLineEdit, QMessageBox, QSplitter, QTableView,
                               QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from models.core.phones import check_phone
from models.grids import hierarchy as grids_model
from ui.dialogs.form_dialog import FormDialog
from ui.pages.grid_redivision import RedivisionDialog
from ui.models.rows_model import Column, RowsTableModel
from ui.ops import LedgerOp
from ui.pages.party_orgs import PartyPane
from ui.widgets.date_edit import date_edit, qdate_text
from ui.widgets.list_page import action_button, read_only_view
from ui.widgets.pickers import building_text, unit_text

KIND_TEXT = {"community": "社区", "grid": "网格", "building": "楼栋", "unit": "单元", "household": "户"}
CHILD = {"community": "grid", "grid": "building", "building": "unit", "unit": "household"}
_PLACEHOLDER = "__placeholder__"
RAW_NAME = Qt.UserRole + 1  # the stored name (a building's text also shows its compound)


class BuildingDialog(FormDialog):
    """Name of a new building, with the residential compound (小区) it belongs to, if any."""

    def __init__(self, grid_name: str, parent: QWidget | None = None):
        self.compound = QLineEdit()
        self.compound.setPlaceholderText("可不填")
        self.name = QLineEdit()
        self.name.setPlaceholderText("例如：3号楼")
        super().__init__("新增楼栋", [("所属网格：", grid_name), ("小区：", self.compound),
                                     ("楼栋名称：", self.name)], parent)
        self.name.setFocus()

    def problem(self) -> str | None:
        return None if self.name.text().strip() else "请填写楼栋名称。"


class CloseGridDialog(FormDialog):
    """The day from which a grid no longer exists (it appears in no month ending on or after it)."""

    def __init__(self, grid_name: str, today, parent: QWidget | None = None):
        self.on_date = date_edit(today)
        self.on_date.setMaximumDate(self.on_date.date())
        note = QLabel("撤销日期起该网格不再参加评比；请先用“网格调整”把它的楼栋调到其他网格。")
        note.setWordWrap(True)
        super().__init__("撤销网格", [("网格：", grid_name), ("撤销日期：", self.on_date), ("", note)], parent)


class StaffDialog(FormDialog):
    """A new member of the service team: name, role, phone, 下沉干部."""

    def __init__(self, parent: QWidget | None = None):
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems(grids_model.STAFF_ROLES)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机或座机，可不填")
        self.cadre = QCheckBox("下沉干部（以普通居民身份担任楼栋长等）")
        super().__init__("新增工作人员", [("姓名：", self.name), ("角色：", self.role), ("联系电话：", self.phone),
                                         ("", self.cadre)], parent)
        self.normalised_phone = ""

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return "请填写姓名。"
        raw = self.phone.text().strip()
        if raw:
            value, problem = check_phone(raw)
            if problem:
                return problem
            self.normalised_phone = value or ""
        return None


class AssignDialog(FormDialog):
    """Pick a staff member to assign to the chosen grid or building."""

    def __init__(self, staff: list[dict], target_text: str, parent: QWidget | None = None):
        self.staff = QComboBox()
        for row in staff:
            self.staff.addItem(f"{row['name']}（{row['role']}）", row["id"])
        super().__init__("分配工作人员", [("分配到：", target_text), ("工作人员：", self.staff)], parent)


GRID_STAFF_COLUMNS = [Column("角色", "role"), Column("姓名", "name"), Column("联系电话", "phone"),
                      Column("负责范围", "building", lambda r: r["building"] or "整个网格")]
ROSTER_COLUMNS = [Column("姓名", "name"), Column("角色", "role"), Column("联系电话", "phone"),
                  Column("下沉干部", "sinking_cadre", lambda r: "是" if r["sinking_cadre"] else ""),
                  Column("负责网格/楼栋", "places", lambda r: r["places"] or "（未分配）")]


class GridsPage(QWidget):
    """网格管理."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        title = QLabel("网格管理")
        title.setObjectName("pageTitle")

        self.add_grid_button = action_button("新增网格", self.add_grid)
        self.add_building_button = action_button("新增楼栋", self.add_building)
        self.add_unit_button = action_button("新增单元", self.add_unit)
        self.add_household_button = action_button("新增户", self.add_household)
        self.rename_button = action_button("重命名", self.rename_selected)
        self.redivide_button = action_button("网格调整…", self.redivide)
        self.close_grid_button = action_button("撤销网格…", self.close_grid)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(16)
        for b in (self.add_grid_button, self.add_building_button, self.add_unit_button,
                  self.add_household_button, self.rename_button, self.redivide_button, self.close_grid_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.totals = QLabel()
        self.totals.setObjectName("countLabel")
        bar.addWidget(self.totals)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["名称", "楼栋数", "户数", "在册居民"])
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.itemExpanded.connect(self._expand)
        self.tree.currentItemChanged.connect(lambda *_: self._selection_changed())
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.rename_selected()
                                            if item.data(0, Qt.UserRole)[0] != "community" else None)

        # staff of the selected grid
        self.grid_staff_box = QGroupBox("所选网格的工作人员")
        self.grid_staff_model = RowsTableModel(GRID_STAFF_COLUMNS, self)
        self.grid_staff = self._table(self.grid_staff_model, ["督导员", "欧阳小明", "0551-12345678"])
        self.assign_button = action_button("分配人员…", self.assign_staff)
        self.unassign_button = action_button("取消分配", self.unassign_staff)
        self.grid_staff.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        row = QHBoxLayout()
        row.addWidget(self.assign_button)
        row.addWidget(self.unassign_button)
        row.addStretch(1)
        box = QVBoxLayout(self.grid_staff_box)
        box.addWidget(self.grid_staff)
        box.addLayout(row)

        # the whole service team
        roster_box = QGroupBox("工作人员名册")
        self.roster_model = RowsTableModel(ROSTER_COLUMNS, self)
        self.roster = self._table(self.roster_model, ["欧阳小明", "督导员", "0551-12345678", "是"])
        self.add_staff_button = action_button("新增人员…", self.add_staff)
        row2 = QHBoxLayout()
        row2.addWidget(self.add_staff_button)
        row2.addStretch(1)
        box2 = QVBoxLayout(roster_box)
        box2.addWidget(self.roster)
        box2.addLayout(row2)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.grid_staff_box, 1)
        right_layout.addWidget(roster_box, 1)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        self.tabs = QTabWidget()                      # 网格与楼栋 | 党组织 (ui/pages/party_orgs.py)
        self.tabs.addTab(splitter, "网格与楼栋")
        self.party_pane = PartyPane(ctx)
        self.tabs.addTab(self.party_pane, "党组织")
        layout.addWidget(self.tabs, 1)

        ctx.changed.connect(self._on_changed)
        self.refresh()

    def _table(self, model: RowsTableModel, samples: list[str]) -> QTableView:
        """A read-only list view; column widths fixed up front (thousands of staff: no measuring)."""
        table = read_only_view(model)
        table.horizontalHeader().setStretchLastSection(True)
        metrics = table.fontMetrics()
        for col, sample in enumerate(samples):  # the widest usual content; the last column takes the rest
            title = model.columns[col].title
            table.setColumnWidth(col, max(metrics.horizontalAdvance(sample) + 16,
                                          metrics.horizontalAdvance(title) + 24))
        return table

    # -- tree ---------------------------------------------------------------------------------
    def _on_changed(self, area: str) -> None:
        if area in ("grids", "residents", "*"):
            if self.isVisible():
                self.refresh()
            else:
                self._stale = True  # counted again when the clerk comes back to this page

    def on_shown(self) -> None:
        if getattr(self, "_stale", False):
            self.refresh()

    def refresh(self) -> None:
        """Reload the tree (keeping what was expanded and selected) and the staff lists."""
        expanded = set()
        iterator = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while iterator:
            item = iterator.pop()
            if item.isExpanded():
                expanded.add(item.data(0, Qt.UserRole))
            iterator.extend(item.child(i) for i in range(item.childCount()))
        current = self.tree.currentItem()
        current_key = current.data(0, Qt.UserRole) if current else None
        self._stale = False

        ledger = self.ctx.ledger
        summaries = grids_model.grid_summaries(ledger)
        self.tree.clear()
        community_items = {}
        for c in grids_model.communities(ledger):
            item = QTreeWidgetItem([c["name"] + ("（本社区）" if c["is_own"] else "")])
            item.setData(0, Qt.UserRole, ("community", c["id"]))
            community_items[c["name"]] = item
            self.tree.addTopLevelItem(item)
        totals = [0, 0, 0]
        for s in summaries:
            parent = community_items.get(s["community"])
            if parent is None:
                continue
            label = s["name"] + (f"（{s['dissolved_on']} 起撤销）" if s.get("dissolved_on") else "")
            item = QTreeWidgetItem([label, str(s["buildings"]), str(s["households"]), str(s["residents"])])
            for col in (1, 2, 3):
                item.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
            item.setData(0, Qt.UserRole, ("grid", s["id"]))
            item.setData(0, RAW_NAME, s["name"])
            if s["buildings"]:
                self._add_placeholder(item)
            parent.addChild(item)
            totals[0] += 1
            totals[1] += s["households"]
            totals[2] += s["residents"]
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if len(community_items) == 1 or top.data(0, Qt.UserRole) in expanded:
                top.setExpanded(True)
        loose = grids_model.registered_without_grid(ledger)
        self.totals.setText(f"共 {totals[0]} 个网格，{totals[1]} 户，在册居民 {totals[2] + loose} 人"
                            + (f"（其中 {loose} 人未分户）" if loose else ""))
        self._restore(expanded, current_key)
        self._reload_roster()
        self._selection_changed()

    def _restore(self, expanded: set, current_key) -> None:
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            key = item.data(0, Qt.UserRole)
            if key in expanded:
                item.setExpanded(True)  # fills children through _expand
            if key == current_key:
                self.tree.setCurrentItem(item)
            stack.extend(item.child(i) for i in range(item.childCount()))

    @staticmethod
    def _add_placeholder(item: QTreeWidgetItem) -> None:
        child = QTreeWidgetItem(["加载中…"])
        child.setData(0, Qt.UserRole, (_PLACEHOLDER, 0))
        item.addChild(child)

    def _expand(self, item: QTreeWidgetItem) -> None:
        if item.childCount() != 1 or item.child(0).data(0, Qt.UserRole)[0] != _PLACEHOLDER:
            return
        item.takeChild(0)
        kind, row_id = item.data(0, Qt.UserRole)
        ledger = self.ctx.ledger
        if kind == "grid":
            children = [("building", r["id"], building_text(r), r["name"])
                        for r in grids_model.buildings(ledger, row_id)]
        elif kind == "building":
            children = [("unit", r["id"], unit_text(r), r["name"]) for r in grids_model.units(ledger, row_id)]
        elif kind == "unit":
            children = [("household", r["id"], r["room"], r["room"])
                        for r in grids_model.households(ledger, row_id)]
        else:
            children = []
        for child_kind, child_id, text, raw in children:
            child = QTreeWidgetItem([text])
            child.setData(0, Qt.UserRole, (child_kind, child_id))
            child.setData(0, RAW_NAME, raw)
            if child_kind != "household":
                self._add_placeholder(child)
            item.addChild(child)

    def selected(self) -> tuple[str, int] | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        key = item.data(0, Qt.UserRole)
        return None if key[0] == _PLACEHOLDER else key

    def _ancestor(self, kind: str) -> QTreeWidgetItem | None:
        """The selected item or its ancestor of ``kind``."""
        item = self.tree.currentItem()
        while item is not None:
            if item.data(0, Qt.UserRole)[0] == kind:
                return item
            item = item.parent()
        return None

    def _selection_changed(self) -> None:
        grid_item = self._ancestor("grid")
        if grid_item is None:
            self.grid_staff_box.setTitle("所选网格的工作人员（请在左侧选择网格）")
            self.grid_staff_model.set_rows([])
        else:
            self.grid_staff_box.setTitle(f"{grid_item.text(0)} 的工作人员")
            self._reload_grid_staff(grid_item.data(0, Qt.UserRole)[1])
        self._update_buttons()

    def _update_buttons(self) -> None:
        """The buttons follow the selection, and the role (督导员 only looks)."""
        editable = self.ctx.enable_if_allowed(self.add_grid_button, "records.edit")
        self.ctx.enable_if_allowed(self.add_staff_button, "records.edit")
        key = self.selected()
        for button, usable in (
                (self.add_building_button, self._ancestor("grid") is not None),
                (self.add_unit_button, self._ancestor("building") is not None),
                (self.add_household_button, self._ancestor("unit") is not None),
                (self.rename_button, key is not None and key[0] != "community"),
                (self.assign_button, self._ancestor("grid") is not None),
                (self.unassign_button, bool(self.grid_staff.selectionModel().selectedRows()))):
            button.setEnabled(editable and usable)
        for button in (self.redivide_button, self.close_grid_button):
            button.setEnabled(self.ctx.may("grids.redivide") and self._ancestor("grid") is not None)

    # -- staff ----------------------------------------------------------------------------------
    def _reload_grid_staff(self, grid_id: int) -> None:
        self.grid_staff_model.set_rows(grids_model.staff_of_grid(self.ctx.ledger, grid_id))

    def _reload_roster(self) -> None:
        self.roster_model.set_rows(grids_model.staff_assignments(self.ctx.ledger))

    def add_staff(self) -> None:
        dialog = StaffDialog(self)
        if dialog.exec() != QDialog.Accepted:
            return
        name, role, phone, cadre = (dialog.name.text(), dialog.role.currentText(), dialog.normalised_phone,
                                    dialog.cadre.isChecked())
        self._do("新增工作人员", lambda ledger: grids_model.add_staff.op(ledger, name, role, phone,
                                                                   sinking_cadre=cadre))

    def assign_staff(self) -> None:
        grid_item = self._ancestor("grid")
        if grid_item is None:
            return
        building_item = self._ancestor("building")
        staff = grids_model.staff_assignments(self.ctx.ledger)
        if not staff:
            QMessageBox.information(self, "分配工作人员", "工作人员名册是空的，请先点“新增人员…”。")
            return
        if building_item is not None:
            target = f"{grid_item.text(0)} {building_item.text(0)}（楼栋）"
        else:
            target = f"{grid_item.text(0)}（整个网格）"
        dialog = AssignDialog(staff, target, self)
        if dialog.exec() != QDialog.Accepted:
            return
        staff_id = dialog.staff.currentData()
        if building_item is not None:
            where = {"building_id": building_item.data(0, Qt.UserRole)[1]}
        else:
            where = {"grid_id": grid_item.data(0, Qt.UserRole)[1]}
        self._do("分配工作人员", lambda ledger: grids_model.assign_staff.op(ledger, staff_id, **where))

    def unassign_staff(self) -> None:
        selected = self.grid_staff.selectionModel().selectedRows()
        row = self.grid_staff_model.row(selected[0]) if selected else None
        if row is None:
            return
        assignment_id, name = row["assignment_id"], row["name"]
        where = row["building"] or "整个网格"
        answer = QMessageBox.question(self, "取消分配", f"确定取消 {name} 在“{where}”的分配吗？")
        if answer != QMessageBox.Yes:
            return
        self._do("取消分配", lambda ledger: grids_model.unassign_staff.op(ledger, assignment_id))

    # -- hierarchy edits --------------------------------------------------------------------------
    def _do(self, title: str, work) -> LedgerOp:
        """Run ``work(ledger)`` (an operation of models.grids); the page refreshes from its Changes."""
        return LedgerOp(self.ctx, work, parent=self, title=title).run()

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, QLineEdit.Normal, text)
        if not ok:
            return None
        value = value.strip()
        if not value:
            QMessageBox.warning(self, title, "名称不能为空。")
            return None
        return value

    def add_grid(self) -> None:
        name = self._ask("新增网格", "网格名称（如“第一网格”）：")
        if name is None:
            return
        community = self._ancestor("community")
        community_id = community.data(0, Qt.UserRole)[1] if community else None
        self._do("新增网格", lambda ledger: grids_model.add_grid.op(ledger, name, community_id))

    def add_building(self) -> None:
        grid_item = self._ancestor("grid")
        if grid_item is None:
            return
        dialog = BuildingDialog(grid_item.text(0), self)
        if dialog.exec() != QDialog.Accepted:
            return
        grid_id, name, compound = grid_item.data(0, Qt.UserRole)[1], dialog.name.text(), dialog.compound.text()
        self._do("新增楼栋", lambda ledger: grids_model.add_building.op(ledger, grid_id, name, compound))

    def add_unit(self) -> None:
        self._add_under("building", "新增单元", lambda building: f"{building.text(0)} 的单元名称（如“1单元”）：",
                        grids_model.add_unit)

    def add_household(self) -> None:
        self._add_under("unit", "新增户", lambda unit: f"{self._ancestor('building').text(0)}{unit.text(0)}"
                                                      " 的房号（如“301”）：", grids_model.add_household)

    def _add_under(self, kind: str, title: str, prompt, operation) -> None:
        """Ask for the name of a new child of the selected ``kind`` and add it with ``operation``."""
        parent = self._ancestor(kind)
        if parent is None:
            return
        name = self._ask(title, prompt(parent))
        if name is None:
            return
        parent_id = parent.data(0, Qt.UserRole)[1]
        self._do(title, lambda ledger: operation.op(ledger, parent_id, name))

    def rename_selected(self) -> None:
        key = self.selected()
        if key is None or key[0] == "community":
            return
        kind, row_id = key
        item = self.tree.currentItem()
        label = "新房号：" if kind == "household" else f"新的{KIND_TEXT[kind]}名称："
        current = item.data(0, RAW_NAME) or ""
        name = self._ask(f"重命名{KIND_TEXT[kind]}", label, current)
        if name is None or name == current:
            return
        rename = {"grid": grids_model.rename_grid, "building": grids_model.rename_building,
                  "unit": grids_model.rename_unit, "household": grids_model.rename_household}[kind]
        self._do(f"重命名{KIND_TEXT[kind]}", lambda ledger: rename.op(ledger, row_id, name))

    def redivide(self) -> None:
        """网格调整 of the selected grid's buildings (a dialog with its preview)."""
        grid_item = self._ancestor("grid")
        if grid_item is None:
            return
        dialog = RedivisionDialog(self.ctx, grid_item.data(0, Qt.UserRole)[1], self)
        if dialog.exec() != QDialog.Accepted:
            return
        request = dialog.request()
        ids, on_date = request.pop("building_ids"), request.pop("on_date")
        LedgerOp(self.ctx, lambda ledger: grids_model.redivide.op(ledger, ids, on_date, **request),
                 parent=self, title="网格调整").failure(
            lambda error: QMessageBox.warning(self, "网格调整", str(error))).run()

    def close_grid(self) -> None:
        """撤销网格 from a date (its buildings must have been moved by 网格调整 first)."""
        grid_item = self._ancestor("grid")
        if grid_item is None:
            return
        grid_id = grid_item.data(0, Qt.UserRole)[1]
        dialog = CloseGridDialog(grid_item.data(0, RAW_NAME), self.ctx.ledger.now().date(), self)
        if dialog.exec() != QDialog.Accepted:
            return
        on_date = qdate_text(dialog.on_date)
        LedgerOp(self.ctx, lambda ledger: grids_model.close_grid.op(ledger, grid_id, on_date),
                 parent=self, title="撤销网格").failure(
            lambda error: QMessageBox.warning(self, "撤销网格", str(error))).run()
