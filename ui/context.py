"""The context every page gets: the open ledger and the "what changed" signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from models.db import Ledger


class AppContext(QObject):
    """Shared state of the window.

    Signals:
        changed(str): an area's data changed ("residents", "grids", "matters",
            "visits", "meetings", "volunteers", "evaluation", "settings", "*" for
            everything, e.g. after an import or opening another ledger).  Pages
            showing that area refresh themselves.
        ledger_replaced(): a different ledger file was opened.
    """

    changed = Signal(str)
    ledger_replaced = Signal()

    def __init__(self, ledger: Ledger, parent: QObject | None = None):
        super().__init__(parent)
        self.ledger = ledger

    def notify(self, area: str) -> None:
        """Tell every page that ``area`` changed."""
        self.changed.emit(area)

    def replace_ledger(self, ledger: Ledger) -> None:
        old, self.ledger = self.ledger, ledger
        if old is not None and old is not ledger:
            old.close()
        self.ledger_replaced.emit()
        self.changed.emit("*")
