"""The 组织 tab: organisations, the selected one's details (editable) and its members."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from models.volunteers import records as vol_model
from ui.ops import LedgerOp
from ui.pages.volunteers.common import ListModel, reselect, run_if_confirmed, table
from ui.pages.volunteers.org_dialog import OrgDialog, OrgForm
from ui.pages.volunteers.person_lookup import PersonLookup
from ui.widgets.layout import STRETCH, hbox, hsplit, panel, vbox
from ui.widgets.list_page import action_button
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
        self.new_button = action_button("新建组织", self.new_org)
        self.delete_button = action_button("删除组织", self.delete_current)
        self.model = ListModel(self.COLUMNS, self)
        self.view = table(self.model, stretch="name",
                          widths={"type": 80, "leader": 70, "members": 50, "activities": 76, "hours": 100})

        self.form = OrgForm()
        self.save_button = action_button("保存修改", self.save_current)
        self.members = ListModel(self.MEMBERS, self, texts={"grid": _member_grid})
        self.members_view = table(self.members, stretch="name", widths={"grid": 80, "phone": 110, "hours": 100})
        self.member_lookup = PersonLookup(ctx, "输入姓名添加成员")
        self.remove_member_button = action_button("移出组织", self.remove_member)
        self.members_title = QLabel("成员")
        self.detail = panel(self.form, hbox(STRETCH, self.save_button), self.members_title,
                            hbox((self.member_lookup, 1), self.remove_member_button), (self.members_view, 1),
                            margins=(8, 0, 0, 0))
        left = panel(hbox(self.new_button, self.delete_button, STRETCH), (self.view, 1))
        vbox(hbox(self.period, STRETCH), (hsplit(left, self.detail, stretch=(3, 2)), 1), parent=self)

        self.current_id: int | None = None
        self.period.changed.connect(self.refresh)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _p: self.show_org_at(cur.row()))
        self.member_lookup.chosen.connect(self.add_member)

    def refresh(self) -> None:
        lo, hi = self.period.bounds()
        if lo > hi:
            return
        rows = vol_model.list_orgs(self.ctx.ledger, lo, hi)
        keep = self.current_id
        self.model.set_rows(rows)
        self.show_org_at(reselect(self.view, keep))

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
                 title="保存").run()

    def new_org(self):
        dialog = OrgDialog(self.ctx, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.created.connect(self.select_org)
        dialog.open()
        return dialog

    def select_org(self, org_id: int) -> None:
        """Show organisation ``org_id`` (a new one: the list was refreshed when it was saved)."""
        self.current_id = org_id
        row = self.model.row_of(org_id)
        if row >= 0:
            self.view.selectRow(row)

    def delete_current(self) -> None:
        if self.current_id is None:
            return
        name = self.form.name_edit.text()
        org_id = self.current_id
        run_if_confirmed(self, self.ctx, "删除组织", f"确定要删除志愿组织“{name}”吗？\n其成员名单会一并删除（志愿者本人保留）。",
                         lambda ledger: vol_model.delete_org.op(ledger, org_id), "删除")

    def add_member(self, cand: vol_model.Candidate) -> None:
        if self.current_id is None:
            return
        org_id = self.current_id
        LedgerOp(self.ctx, lambda ledger: vol_model.join_org.op(ledger, org_id, cand), parent=self) \
            .success(lambda changes: self._member_added(cand, changes.result)).run()

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
        org_id, volunteer_id = self.current_id, member["id"]
        run_if_confirmed(self, self.ctx, "移出组织", f"确定把“{member['name']}”移出“{self.form.name_edit.text()}”吗？",
                         lambda ledger: vol_model.remove_member.op(ledger, org_id, volunteer_id))
