"""A 统计期间 bar: from/to dates with 本月 / 上月 / 本年 / 全部 shortcuts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QWidget

from ui.widgets.date_edit import date_edit, qdate_text
from ui.widgets.layout import hbox
from ui.widgets.list_page import action_button


class PeriodBar(QWidget):
    """From/to dates (this year so far at first) and shortcuts for the usual periods.

    Args:
        today: the ledger's today (``ledger.now().date()``).

    Signals:
        changed(): the period changed.
    """

    changed = Signal()

    def __init__(self, today: dt.date, label: str = "统计期间", parent=None):
        super().__init__(parent)
        self.today = today
        self.date_from = date_edit(dt.date(today.year, 1, 1))
        self.date_to = date_edit(today)
        shortcuts = [action_button(text, fn) for text, fn in (("本月", self.this_month), ("上月", self.last_month),
                                                              ("本年", self.this_year), ("全部", self.everything))]
        for button in shortcuts:
            button.setFixedWidth(52)
        hbox(label, self.date_from, "至", self.date_to, *shortcuts, parent=self, margins=0)
        self.date_from.dateChanged.connect(lambda _d: self.changed.emit())
        self.date_to.dateChanged.connect(lambda _d: self.changed.emit())

    def set_period(self, lo: dt.date, hi: dt.date) -> None:
        for edit, d in ((self.date_from, lo), (self.date_to, hi)):
            edit.blockSignals(True)
            edit.setDate(QDate(d.year, d.month, d.day))
            edit.blockSignals(False)
        self.changed.emit()

    def this_month(self) -> None:
        self.set_period(self.today.replace(day=1), self.today)

    def last_month(self) -> None:
        last = self.today.replace(day=1) - dt.timedelta(days=1)
        self.set_period(last.replace(day=1), last)

    def this_year(self) -> None:
        self.set_period(dt.date(self.today.year, 1, 1), self.today)

    def everything(self) -> None:
        self.set_period(dt.date(2000, 1, 1), dt.date(self.today.year + 1, 12, 31))

    def bounds(self) -> tuple[str, str]:
        """The period as ``YYYY-MM-DD`` strings (from, to)."""
        return qdate_text(self.date_from), qdate_text(self.date_to)

    def text(self) -> str:
        lo, hi = self.bounds()
        return f"{lo} 至 {hi}"
