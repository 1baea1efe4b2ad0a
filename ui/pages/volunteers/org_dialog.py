"""An organisation's fields, and 新建志愿组织."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from models.volunteers import records as vol_model
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import save_cancel_buttons


class OrgForm(QWidget):
    """组织名称, 类型, 负责人, 联系电话, 成立日期 (and 备注 when ``notes``) of one organisation."""

    def __init__(self, *, new: bool = False, notes: bool = True, parent=None):
        super().__init__(parent)
        self.name_edit = QLineEdit()
        self.type_box = QComboBox()
        self.type_box.setEditable(True)
        self.type_box.addItems(vol_model.ORG_TYPES)
        self.leader_edit = QLineEdit()
        self.contact_edit = QLineEdit()
        self.founded_edit = QLineEdit()
        self.founded_edit.setPlaceholderText("例如 2019-03-01，可不填")
        self.notes_edit = QLineEdit()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        if new:
            self.name_edit.setPlaceholderText("例如：星光艺术团")
        form.addRow("组织名称*" if new else "组织名称", self.name_edit)
        form.addRow("类型", self.type_box)
        form.addRow("负责人", self.leader_edit)
        form.addRow("联系电话", self.contact_edit)
        form.addRow("成立日期", self.founded_edit)
        if notes:
            form.addRow("备注", self.notes_edit)
        self.texts = (self.name_edit, self.leader_edit, self.contact_edit, self.founded_edit, self.notes_edit)

    def data(self) -> vol_model.OrgData:
        return vol_model.OrgData(self.name_edit.text(), self.type_box.currentText(), self.leader_edit.text(),
                                 self.contact_edit.text(), self.founded_edit.text() or None, self.notes_edit.text())

    def show_org(self, org: dict | None) -> None:
        """Show ``org`` (a row of :func:`models.volunteers.records.list_orgs`); None clears the fields."""
        if org is None:
            for edit in self.texts:
                edit.clear()
            return
        self.name_edit.setText(org["name"])
        self.type_box.setCurrentText(org["type"])
        self.leader_edit.setText(org["leader"])
        self.contact_edit.setText(org["contact"])
        self.founded_edit.setText(org["founded_on"] or "")
        self.notes_edit.setText(org["notes"])


class OrgDialog(QDialog):
    """A new organisation.

    Signals:
        created(int): the new organisation's id, once saved.
    """

    created = Signal(int)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("新建志愿组织")
        self.form = OrgForm(new=True, notes=False)
        self.buttons, self.save_button = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.resize(420, 0)

    def save(self) -> bool:
        """保存; returns whether the organisation was saved by now (at once when the operation runs in place)."""
        data = self.form.data()
        LedgerOp(self.ctx, lambda ledger: vol_model.save_org.op(ledger, None, data), parent=self,
                 title="保存").success(self._saved).disabling(self.save_button).run()
        return self.result() == QDialog.Accepted

    def _saved(self, changes) -> None:
        self.created.emit(changes.result)
        self.accept()
