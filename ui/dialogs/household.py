"""户信息: a household's members, its head and their relations; moving a person to another household.

Each change is an operation (:class:`ui.ops.LedgerOp` over ``set_household_head``,
``update_resident`` or ``move_to_household``); pages refresh from ``ctx.changed``.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
                               QMessageBox, QVBoxLayout, QWidget)

from models.evaluation.publications import published_change_warning
from models.grids import hierarchy as grids_model
from models.residents import records as residents_model
from ui.dialogs.form_dialog import FormDialog
from ui.models.rows_model import Column, RowsTableModel
from ui.ops import LedgerOp
from ui.widgets.date_edit import date_edit, qdate_text
from ui.widgets.list_page import action_button, read_only_view
from ui.widgets.pickers import HierarchyPicker

MEMBER_COLUMNS = [
    Column("姓名", "name", lambda m: m["name"] + ("（户主）" if m.get("is_head") else "")),
    Column("与户主关系", "relation"), Column("性别", "gender"), Column("出生日期", "birth_date"),
    Column("身份证号", "id_masked"), Column("联系电话", "phone"),
    Column("状态", "status", lambda m: m["status"] + (f"（{m['status_date']}）" if m.get("status_date")
                                                     and m["status"] != "在册" else "")),
]


class MoveDialog(FormDialog):
    """Choose the household a person moves to, their relation there and the date."""

    def __init__(self, ctx, name: str, parent: QWidget | None = None):
        self.place = HierarchyPicker(ctx, depth=4, for_filter=False)
        self.relation = QComboBox()
        self.relation.setEditable(True)
        self.relation.addItems(list(residents_model.RELATIONS))
        self.relation.setCurrentText("")
        self.date = date_edit(ctx.ledger.now().date())
        super().__init__(f"迁到其他户 — {name}", [("居民：", name), ("迁入户：", self.place),
                                                  ("与新户主关系：", self.relation), ("变动日期：", self.date)], parent)

    def problem(self) -> str | None:
        if self.place.household_id() is None:
            return "请选择要迁入的户（网格、楼栋、单元、房号）。"
        if not self.relation.currentText().strip():
            return "请填写与新户主的关系。"
        return None


class HouseholdDialog(QDialog):
    """Members, head and relations of one household.  ``changed`` is True after any edit."""

    def __init__(self, ctx, household_id: int, parent: QWidget | None = None, *,
                 focus_resident: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.household_id = household_id
        self.changed = False
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.head_label = QLabel()
        self.model = RowsTableModel(MEMBER_COLUMNS, self)
        self.table = read_only_view(self.model)
        self.table.setObjectName("membersTable")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.head_button = action_button("设为户主", self.set_head)
        self.relation_button = action_button("修改关系…", self.change_relation)
        self.move_button = action_button("迁到其他户…", self.move_member)
        close = action_button("关闭", self.accept)
        row = QHBoxLayout()
        for b in (self.head_button, self.relation_button, self.move_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.head_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(760, 380)
        self.reload(focus_resident)

    def reload(self, focus_resident: int | None = None) -> None:
        ledger = self.ctx.ledger
        label = grids_model.household_label(ledger, self.household_id)
        place = grids_model.household_place(ledger, self.household_id)
        grid_name = next((g["name"] for g in grids_model.grids(ledger) if g["id"] == place["grid_id"]), "")
        self.setWindowTitle(f"户信息 — {label}")
        self.title.setText(f"{grid_name}  {label}")
        head_id = None
        self.members = residents_model.household_members(ledger, self.household_id)
        self.model.set_rows(self.members)
        self.table.resizeColumnsToContents()
        head_name = ""
        for m in self.members:
            if m.get("is_head"):
                head_name, head_id = m["name"], m["id"]
        self.head_id = head_id
        present = sum(1 for m in self.members if m.get("status", "在册") == "在册")
        self.head_label.setText(f"户主：{head_name or '（未设置）'}    成员 {len(self.members)} 人，在册 {present} 人")
        if focus_resident is not None:
            for r, m in enumerate(self.members):
                if m["id"] == focus_resident:
                    self.table.selectRow(r)
        self._update_buttons()

    def selected_member(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.members[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        m = self.selected_member()
        if not self.ctx.may("records.edit"):
            m = None  # 督导员: read-only
        self.head_button.setEnabled(m is not None and m["id"] != self.head_id and m.get("status", "在册") == "在册")
        self.relation_button.setEnabled(m is not None)
        self.move_button.setEnabled(m is not None and m.get("status", "在册") == "在册")

    def _run(self, title: str, work, focus: int | None, refused: str | None = None) -> LedgerOp:
        """Run ``work(ledger)`` (an operation); reload with ``focus`` selected when it is done.
        The clerk's kind of refusal goes in a box titled ``refused`` (else ``title``失败)."""
        op = LedgerOp(self.ctx, work, parent=self, title=title).success(lambda _changes: self._done(focus))
        if refused:
            op.failure(lambda exc: QMessageBox.warning(self, refused, str(exc)))
        return op.run()

    def _done(self, focus: int | None) -> None:
        self.changed = True
        self.reload(focus)

    def set_head(self) -> None:
        m = self.selected_member()
        if m is None:
            return
        if QMessageBox.question(self, "设为户主", f"确定把 {m['name']} 设为本户户主吗？") != QMessageBox.Yes:
            return
        household_id, resident_id = self.household_id, m["id"]
        self._run("设为户主", lambda ledger: residents_model.set_household_head.op(ledger, household_id, resident_id),
                  resident_id)

    def change_relation(self) -> None:
        m = self.selected_member()
        if m is None:
            return
        relations = list(residents_model.RELATIONS)
        current = relations.index(m["relation"]) if m.get("relation") in relations else 0
        value, ok = QInputDialog.getItem(self, "修改关系", f"{m['name']} 与户主的关系：", relations, current, True)
        value = (value or "").strip()
        if not ok or not value or value == m.get("relation"):
            return
        resident_id = m["id"]
        self._run("修改关系", lambda ledger: residents_model.update_resident.op(ledger, resident_id, {"relation": value}),
                  resident_id, refused="无法修改")

    def move_member(self) -> None:
        m = self.selected_member()
        if m is None:
            return
        dialog = MoveDialog(self.ctx, m["name"], self)
        if dialog.exec() != QDialog.Accepted:
            return
        target = dialog.place.household_id()
        if target == self.household_id:
            QMessageBox.information(self, "迁到其他户", "所选的户就是本户。")
            return
        resident_id, relation, on_date = m["id"], dialog.relation.currentText().strip(), qdate_text(dialog.date)
        warning = published_change_warning(self.ctx.ledger, on_date)
        if warning and QMessageBox.question(self, "迁到其他户", warning + "\n确定迁户吗？") != QMessageBox.Yes:
            return
        self._run("迁户", lambda ledger: residents_model.move_to_household.op(ledger, resident_id, target, relation,
                                                                            on_date),
                  None, refused="无法迁户")
