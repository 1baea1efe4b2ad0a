"""新增志愿者 / 编辑志愿者: a resident found by name, ID or phone, or an outside person; their organisations."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QGridLayout, QGroupBox, QLabel, QMessageBox, QVBoxLayout

from models.volunteers import records as vol_model
from ui.ops import LedgerOp
from ui.pages.volunteers.person_lookup import PersonLookup
from ui.widgets.dialog_parts import line_edit, save_cancel_buttons


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
        self.name_edit, self.phone_edit, self.notes_edit = line_edit(), line_edit(), line_edit()
        self.id_edit = line_edit("可不填")
        self.skills_edit = line_edit("例如：医疗、法律咨询、文艺、维修")
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
        self.buttons, self.save_button = save_cancel_buttons(self, self.save)
        layout.addWidget(self.buttons)
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
        """保存: the person and their organisations in one operation.  Returns whether the dialog was
        saved and closed by now (at once when the operation runs in place)."""
        outside = self.outside_check.isChecked()
        if self.volunteer_id is None and not outside and self.candidate is None:
            QMessageBox.information(self, "新增志愿者", "请先查找并选择一位居民，或勾选“社区外人员”后填写姓名。")
            return False
        volunteer_id, candidate = self.volunteer_id, None if outside else self.candidate
        data = vol_model.VolunteerData(self.name_edit.text(), self.phone_edit.text(), self.id_edit.text(),
                                       self.skills_edit.text(), self.notes_edit.text())
        memberships = {check.property("org_id"): check.isChecked() for check in self.org_checks}
        LedgerOp(self.ctx, lambda ledger: vol_model.save_volunteer.op(ledger, volunteer_id, data, memberships,
                                                                      candidate),
                 parent=self, title="保存").success(self._saved).disabling(self.save_button).run()
        return self.result() == QDialog.Accepted

    def _saved(self, changes) -> None:
        self.volunteer_id = changes.result
        self.accept()
