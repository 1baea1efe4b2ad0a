"""A date field that may be left empty (unknown move-in date) — QDateEdit cannot."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QWidget


UNKNOWN = QDate(1900, 1, 1)


class OptionalDateEdit(QWidget):
    """A 日期 check box + a calendar date edit.  ``value()`` is ``YYYY-MM-DD`` or None.

    Args:
        today: the ledger's today (``ledger.now().date()``), shown when the box is ticked.
        unknown_text: what the field shows while the box is not ticked.

    Signals:
        changed(): the value changed.
    """

    changed = Signal()

    def __init__(self, label: str = "已知", *, today: dt.date, unknown_text: str = "未知",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.today = QDate(today.year, today.month, today.day)
        self.known = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMaximumDate(QDate(2100, 12, 31))
        self.edit.setMinimumDate(UNKNOWN)
        self.edit.setSpecialValueText(unknown_text)  # shown while the date is not known
        self.edit.setDate(UNKNOWN)
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.known)
        layout.addWidget(self.edit, 1)
        self.known.toggled.connect(self._known_toggled)
        self.known.toggled.connect(lambda _c: self.changed.emit())
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.setFocusProxy(self.known)

    def _known_toggled(self, known: bool) -> None:
        self.edit.setEnabled(known)
        if known and self.edit.date() == UNKNOWN:
            self.edit.setDate(self.today)
        elif not known:
            self.edit.setDate(UNKNOWN)

    def value(self) -> str | None:
        if not self.known.isChecked():
            return None
        return self.edit.date().toString("yyyy-MM-dd")

    def set_value(self, value: str | dt.date | None) -> None:
        if not value:
            self.known.setChecked(False)
            return
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        self.known.setChecked(True)
        self.edit.setDate(QDate(value.year, value.month, value.day))


def date_edit(value: dt.date) -> QDateEdit:
    """A calendar date edit in ``yyyy-MM-dd`` showing ``value`` (the ledger's today: ``ledger.now().date()``)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(value.year, value.month, value.day))
    return edit


def qdate_text(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")
