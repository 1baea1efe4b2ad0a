"""A small form dialog: labelled rows, a red line saying what is wrong, 确定/取消.

``problem()`` (overridden) decides whether 确定 may close it; the dialogs of 网格管理 and
户信息 (a new building, a new staff member, moving a person …) are built on it.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget


class FormDialog(QDialog):
    """Rows ``(label, widget)`` over an error line and 确定/取消.

    Attributes:
        error: the red line (empty until ``problem()`` names something).
        form: the form layout (a subclass may add rows before the error line).
    """

    def __init__(self, title: str, rows: Iterable[tuple[str, QWidget | str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.form = QFormLayout(self)
        for label, widget in rows:
            self.form.addRow(label, QLabel(widget) if isinstance(widget, str) else widget)
        self.form.addRow("", self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)

    def problem(self) -> str | None:
        """What keeps the dialog open, in Chinese (None: it may close)."""
        return None

    def _check(self) -> None:
        message = self.problem()
        if message:
            self.error.setText(message)
            return
        self.accept()
