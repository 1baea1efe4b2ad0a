"""A drop-down of the months that have ended (the street's pages: packages exist only for them)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QWidget

from models.core.periods import month_text, recent_months


class EndedMonthBox(QComboBox):
    """The last 36 months that have ended, newest first, as 2026年10月 (data ``YYYY-MM``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumWidth(130)

    def fill(self, now: dt.datetime) -> None:
        """List the months ended by ``now`` (quietly: no currentIndexChanged)."""
        self.blockSignals(True)
        self.clear()
        for m in recent_months(now, 36)[1:]:   # [0] is the month in progress
            self.addItem(month_text(m), m)
        self.blockSignals(False)

    def month(self) -> str | None:
        return self.currentData()

    def select(self, month: str) -> bool:
        """Make ``month`` current; False when it already was (or is not listed): nothing changed."""
        index = self.findData(month)
        if index < 0 or index == self.currentIndex():
            return False
        self.setCurrentIndex(index)
        return True
