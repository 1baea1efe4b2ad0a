"""Pieces the record dialogs share: the error line, 保存/取消 buttons, showing a failed save."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QPushButton

from models.core.errors import LedgerError, ValidationError


def error_label() -> QLabel:
    """The (hidden) red line under a form that names what is wrong."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def save_cancel_buttons(dialog, save_slot, save_text: str = "保存") -> tuple[QDialogButtonBox, QPushButton]:
    """保存 (default, calls ``save_slot``) and 取消 (rejects ``dialog``); returns (box, save button)."""
    box = QDialogButtonBox()
    save_button = box.addButton(save_text, QDialogButtonBox.AcceptRole)
    save_button.setObjectName("primary")
    save_button.setDefault(True)
    box.addButton("取消", QDialogButtonBox.RejectRole)
    box.accepted.connect(save_slot)
    box.rejected.connect(dialog.reject)
    return box, save_button


def show_save_error(dialog, exc: LedgerError) -> None:
    """A bad input goes on ``dialog.error_label``; any other refusal in a 保存失败 message box."""
    if isinstance(exc, ValidationError):
        dialog.error_label.setText(str(exc))
        dialog.error_label.show()
    else:
        QMessageBox.warning(dialog, "保存失败", str(exc))
