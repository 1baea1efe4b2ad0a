"""The 组织 tab: organisations, the selected one's details (editable) and its members."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QSplitter, QVBoxLayout, QWidget

from models.volunteers import records as vol_model
from ui.pages.volunteers.common import LedgerOp, ListModel, table
from ui.pages.volunteers.org_dialog import OrgDialog, OrgForm
from ui.pages.volunteers.person_lookup import PersonLookup
from ui.widgets.period_bar import PeriodBar


def _member_grid(row: dict) -> str:
    return row["grid"] or ("" if row["resident_id"] else "社区外")


class OrgsTab(QWidget):
    """Organisations with their activities and hours in the period; the selected one's details and members."""

    COLUMNS = [("name", "组织名称"), ("type", "类型"), ("leader", "负责人"), ("members", "成员"),
               ("activities", "活动（次）"), ("hours", "时长（小时）")]
    MEMBERS = [("name", "姓名"), ("grid", "网格"), ("phone", "联系电话"), ("hours", "时长（小时）")]

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.period = PeriodBar(ctx.ledger.now().date())
        self.new_button = QPushButton("新建组织")
        self.delete_button = QPushButton("删除组织")
        self.model = ListModel(self.COLUMNS, self)
        self.view = table(self.model, stretch="name",
                          widths={"type": 80, "leader": 70, "members": 50, "activities": 76, "hours": 100})

        self.form = OrgForm()
        self.save_button = QPushButton("保存修改")
        self.members = ListModel(self.MEMBERS, self, texts={"grid": _member_grid})
        self.members_view = table(self.members, stretch="name", widths={"grid": 80, "phone": 110, "hours": 100})
        self.member_lookup = PersonLookup(ctx, "输入姓名添加成员")
        self.remove_member_button = QPushButton("移出组织")

        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.addWidget(self.form)
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
        org = self.model.row(row)
        self.current_id = org["id"] if org else None
        for widget in (self.form, self.save_button, self.member_lookup, self.remove_member_button):
            widget.setEnabled(org is not None)
        self.form.show_org(org)
        if org is None:
            self.members.set_rows([])
            self.members_title.setText("成员")
            return
        lo, hi = self.period.bounds()
        members = vol_model.org_members(self.ctx.ledger, org["id"], lo, hi)
        self.members.set_rows(members)
        self.members_title.setText(f"成员（{len(members)} 人；时长为统计期间内参加所有活动的时长）")

    def save_current(self) -> None:
        if self.current_id is None:
            return
        org_id, data = self.current_id, self.form.data()
        LedgerOp(self.ctx, lambda ledger: vol_model.save_org.op(ledger, org_id, data), parent=self,
                 title="保存失败").run()

    def new_org(self):
        dialog = OrgDialog(self.ctx, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.created.connect(lambda oid: setattr(self, "current_id", oid))
        dialog.open()
        return dialog

    def delete_current(self) -> None:
        if self.current_id is None:
            return
        name = self.form.name_edit.text()
        if QMessageBox.question(self, "删除组织", f"确定要删除志愿组织“{name}”吗？\n其成员名单会一并删除（志愿者本人保留）。") \
                != QMessageBox.Yes:
            return
        org_id = self.current_id
        LedgerOp(self.ctx, lambda ledger: vol_model.delete_org.op(ledger, org_id), parent=self,
                 title="删除失败").run()

    def add_member(self, cand: vol_model.Candidate) -> None:
        if self.current_id is None:
            return
        org_id = self.current_id
        LedgerOp(self.ctx, lambda ledger: vol_model.join_org.op(ledger, org_id, cand), parent=self) \
            .success(lambda added: self._member_added(cand, added)).run()

    def _member_added(self, cand: vol_model.Candidate, added: bool) -> None:
        self.member_lookup.clear()
        if not added:
            QMessageBox.information(self, "添加成员", f"“{cand.name}”已是该组织成员。")

    def remove_member(self) -> None:
        index = self.members_view.currentIndex()
        member = self.members.row(index.row()) if index.isValid() else None
        if member is None or self.current_id is None:
            QMessageBox.information(self, "移出组织", "请先在成员列表中选择一人。")
            return
        if QMessageBox.question(self, "移出组织", f"确定把“{member['name']}”移出“{self.form.name_edit.text()}”吗？") \
                != QMessageBox.Yes:
            return
        org_id, volunteer_id = self.current_id, member["id"]
        LedgerOp(self.ctx, lambda ledger: vol_model.remove_member.op(ledger, org_id, volunteer_id), parent=self).run()
