"""网格管理 → 党组织: 社区联合党委 → 网格党支部 → 楼栋党小组, their secretaries and members.

The tree is :func:`models.residents.party.orgs`; members are chosen from the ledger (党员
residents of the branch's grid or the group's building, and 下沉干部 staff), never typed.
Every button is one operation of ``models.residents.party`` run through :class:`ui.ops.LedgerOp`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGroupBox, QLabel, QLineEdit, QPushButton, QSplitter, QTreeWidget,
                               QTreeWidgetItem, QWidget)

from models.grids import hierarchy as grids_model
from models.residents import party
from ui.models.rows_model import Column, RowsTableModel, row_id
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label
from ui.widgets.layout import STRETCH, hbox, vbox
from ui.widgets.list_page import list_view

EDIT = "records.edit"
ORG_ID = Qt.UserRole

MEMBER_COLUMNS = [
    Column("职务", "duty", raw=row_id),
    Column("姓名", "name"),
    Column("性别", "gender"),
    Column("类别", "kind"),
    Column("居住网格及楼栋", "place"),
]


class PartyPane(QWidget):
    """The party organisation of the ledger: a tree on the left, the chosen one's members on the right."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["党组织", "所在位置", "书记", "成员"])
        self.tree.setColumnWidth(0, 220)
        self.tree.setColumnWidth(1, 130)
        self.tree.setColumnWidth(2, 80)
        self.tree.currentItemChanged.connect(lambda *_: self._show_members())
        self.place_box = QComboBox()
        self.place_box.setMinimumContentsLength(12)
        self.add_org_button = QPushButton("建立")
        self.add_org_button.setObjectName("primary")
        self.add_org_button.clicked.connect(self.add_org)
        self.delete_org_button = QPushButton("删除党组织")
        self.delete_org_button.clicked.connect(self.delete_org)
        self.print_button = QPushButton("打印党组织设置一览表")
        self.print_button.clicked.connect(self.print_roster)
        self.org_hint = QLabel()
        self.org_hint.setObjectName("hint")
        self.org_hint.setWordWrap(True)

        self.members_model = RowsTableModel(MEMBER_COLUMNS, self)
        self.members_view = list_view(self.members_model, [70, 90, 50, 80], 4)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("按姓名查找")
        self.search_edit.textChanged.connect(lambda _t: self._fill_candidates())
        self.candidate_box = QComboBox()
        self.candidate_box.setMinimumContentsLength(16)
        self.duty_box = QComboBox()
        self.duty_box.addItems(list(party.DUTIES))
        self.duty_box.setCurrentText("成员")
        self.add_member_button = QPushButton("加入")
        self.add_member_button.clicked.connect(self.add_member)
        self.set_duty_button = QPushButton("改为所选职务")
        self.set_duty_button.clicked.connect(self.set_duty)
        self.remove_button = QPushButton("移出")
        self.remove_button.clicked.connect(self.remove_member)
        self.error = error_label()
        note = QLabel("成员从台账中选择：本网格（党小组为本楼栋）政治面貌为党员或带“党员”标签的在册居民，"
                      "以及标为“下沉干部”的工作人员（在“网格与楼栋”中添加）。")
        note.setObjectName("hint")
        note.setWordWrap(True)

        left = QGroupBox("党组织（社区联合党委 → 网格党支部 → 楼栋党小组）")
        vbox(self.tree, hbox(self.place_box, self.add_org_button, self.delete_org_button, STRETCH),
             self.org_hint, hbox(self.print_button, STRETCH), parent=left)
        self.members_box = QGroupBox("成员")
        vbox(self.members_view,
             hbox("查找", self.search_edit, self.candidate_box, "职务", self.duty_box, self.add_member_button),
             hbox(self.set_duty_button, self.remove_button, STRETCH), self.error, note, parent=self.members_box)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.members_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 580])     # the tree's four columns fit at 1366×768
        splitter.setChildrenCollapsible(False)
        vbox(splitter, parent=self, margins=0)
        ctx.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, area: str) -> None:
        if area in ("grids", "residents", "*"):
            self.refresh()

    # -- reading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.chosen_org()
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for org in party.orgs(self.ctx.ledger):
            parent = items.get(org["parent_id"])
            item = QTreeWidgetItem([org["name"], org["place"], org["secretary"] or "未配备",
                                    f"{org['members']} 人"])
            item.setData(0, ORG_ID, org["id"])
            item.setToolTip(0, party.LEVELS[org["kind"]].title)
            (parent.addChild(item) if parent else self.tree.addTopLevelItem(item))
            items[org["id"]] = item
        self.tree.expandAll()
        target = items.get(keep) or (self.tree.topLevelItem(0) if self.tree.topLevelItemCount() else None)
        if target:
            self.tree.setCurrentItem(target)
        self._show_members()

    def chosen_org(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, ORG_ID) if item else None

    def _org_kind(self, org_id: int | None) -> str | None:
        if org_id is None:
            return None
        return next((o["kind"] for o in party.orgs(self.ctx.ledger) if o["id"] == org_id), None)

    def _show_members(self) -> None:
        org_id = self.chosen_org()
        ledger = self.ctx.ledger
        self.members_model.set_rows(party.members(ledger, org_id) if org_id else [])
        self._fill_places(org_id)
        self._fill_candidates()
        allowed = self.ctx.may(EDIT)
        for w in (self.add_org_button, self.delete_org_button, self.add_member_button, self.set_duty_button,
                  self.remove_button):
            self.ctx.enable_if_allowed(w, EDIT)
        self.delete_org_button.setEnabled(allowed and org_id is not None)
        self.members_box.setEnabled(org_id is not None)

    def _fill_places(self, org_id: int | None) -> None:
        """What 建立 would set up under the chosen organisation: the 联合党委 when there is none,
        a grid's 党支部 under it, a building's 党小组 under a 党支部."""
        ledger = self.ctx.ledger
        self.place_box.clear()
        kind = self._org_kind(org_id)
        orgs = party.orgs(ledger)
        if not orgs:
            self.place_box.addItem("社区联合党委", ("联合党委", None, None))
            self.org_hint.setText("先建立社区联合党委，再在其下建立各网格党支部。")
        elif kind == "联合党委":
            taken = {o["grid_id"] for o in orgs if o["kind"] == "党支部"}
            for g in grids_model.grids(ledger):
                if g["id"] not in taken:
                    self.place_box.addItem(f"{g['name']}党支部", ("党支部", org_id, g["id"]))
            self.org_hint.setText("选择网格，在联合党委下建立网格党支部。")
        elif kind == "党支部":
            grid_id = next(o["grid_id"] for o in orgs if o["id"] == org_id)
            taken = {o["building_id"] for o in orgs if o["kind"] == "党小组"}
            for b in grids_model.buildings(ledger, grid_id):
                if b["id"] not in taken:
                    label = f"{b.get('compound') or ''}{b['name']}党小组"
                    self.place_box.addItem(label, ("党小组", org_id, b["id"]))
            self.org_hint.setText("选择楼栋，在本党支部下建立楼栋党小组。")
        else:
            self.org_hint.setText("选择联合党委可建立网格党支部，选择党支部可建立楼栋党小组。")
        self.place_box.setEnabled(self.place_box.count() > 0)
        self.add_org_button.setEnabled(self.place_box.count() > 0 and self.ctx.may(EDIT))

    def _fill_candidates(self) -> None:
        self.candidate_box.clear()
        org_id = self.chosen_org()
        if org_id is None:
            return
        for c in party.candidates(self.ctx.ledger, org_id, self.search_edit.text()):
            self.candidate_box.addItem(f"{c['name']}（{c['detail'].strip() or '党员居民'}）", (c["kind"], c["id"]))

    # -- actions ---------------------------------------------------------------------------------
    def _run(self, work) -> None:
        self.error.hide()
        LedgerOp(self.ctx, work, parent=self).success(lambda _c: self.refresh()).failure(self._failed).run()

    def _failed(self, exc) -> None:
        self.error.setText(str(exc))
        self.error.show()

    def add_org(self) -> None:
        choice = self.place_box.currentData()
        if not choice:
            return
        kind, parent_id, place_id = choice
        place = {"grid_id": place_id} if kind == "党支部" else {"building_id": place_id} if kind == "党小组" else {}

        def work(ledger):
            return party.add_org.op(ledger, kind, parent_id=parent_id, **place)

        self.error.hide()
        LedgerOp(self.ctx, work, parent=self).success(lambda changes: self._select(changes.result)) \
            .failure(self._failed).run()

    def _select(self, org_id: int) -> None:
        self.refresh()
        found = self.tree.findItems("*", Qt.MatchWildcard | Qt.MatchRecursive)
        for item in found:
            if item.data(0, ORG_ID) == org_id:
                self.tree.setCurrentItem(item)

    def delete_org(self) -> None:
        org_id = self.chosen_org()
        if org_id is not None:
            self._run(lambda ledger: party.delete_org.op(ledger, org_id))

    def add_member(self) -> None:
        org_id, choice, duty = self.chosen_org(), self.candidate_box.currentData(), self.duty_box.currentText()
        if org_id is None or not choice:
            self._failed("请先查找并选择一位党员居民或下沉干部。")
            return
        kind, person = choice
        who = {"resident_id": person} if kind == "resident" else {"staff_id": person}
        self._run(lambda ledger: party.add_member.op(ledger, org_id, duty=duty, **who))

    def _chosen_member(self) -> int | None:
        index = self.members_view.currentIndex()
        return self.members_model.row_id(index.row()) if index.isValid() else None

    def set_duty(self) -> None:
        member, duty = self._chosen_member(), self.duty_box.currentText()
        if member is None:
            self._failed("请先在成员列表中选择一人。")
            return
        self._run(lambda ledger: party.set_duty.op(ledger, member, duty))

    def remove_member(self) -> None:
        member = self._chosen_member()
        if member is None:
            self._failed("请先在成员列表中选择一人。")
            return
        self._run(lambda ledger: party.remove_member.op(ledger, member))

    def print_roster(self) -> None:
        """Open the 报表 page on the 党组织设置一览表 and make its preview."""
        window = getattr(self.ctx, "window", None)
        if window is not None:
            window.show_page("reports").preview("party")
