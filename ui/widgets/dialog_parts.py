"""Pieces the record dialogs share: the error line, 保存/取消 buttons, showing a failed save, a grid form."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import (QDialogButtonBox, QGridLayout, QLabel, QLayout, QLineEdit, QMessageBox, QPushButton,
                               QWidget)

from models.core.errors import LedgerError, ValidationError


def error_label() -> QLabel:
    """The (hidden) red line under a form that names what is wrong."""
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def line_edit(placeholder: str = "") -> QLineEdit:
    """A one-line text field showing ``placeholder`` while it is empty."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    return edit


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


def grid_form(parent: QWidget, rows: Sequence[Sequence[tuple[str | None, QWidget | QLayout]]],
              pairs_a_row: int = 2) -> QGridLayout:
    """Label/field pairs laid out on ``parent`` in a grid, ``pairs_a_row`` pairs side by side.

    A pair whose label is None puts its field in the label's cell too; a row's last
    field spans the rest of the row.  The field columns share the width.
    """
    grid = QGridLayout(parent)
    width = 2 * pairs_a_row
    for pair in range(pairs_a_row):
        grid.setColumnStretch(2 * pair + 1, 1)
    for row, cells in enumerate(rows):
        column = 0
        for n, (label, field) in enumerate(cells):
            if label is not None:
                grid.addWidget(QLabel(label), row, column)
                column += 1
            span = width - column if n == len(cells) - 1 else 1
            (grid.addLayout if isinstance(field, QLayout) else grid.addWidget)(field, row, column, 1, span)
            column += span
    return grid
