"""The context every page gets: the open ledger, the "what changed" signal, and who may do what."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from models.core import permissions
from models.core.db import Ledger
from ui import ops


class AppContext(QObject):
    """Shared state of the window.

    Signals:
        changed(str): an area's data changed ("residents", "grids", "matters",
            "visits", "meetings", "volunteers", "evaluation", "settings", "*" for
            everything, e.g. after an import or opening another ledger).  Pages
            showing that area refresh themselves.  Operations run through
            :class:`ui.ops.LedgerOp` emit it from the ``Changes`` they return.
        ledger_replaced(): a different ledger file was opened.
    """

    changed = Signal(str)
    ledger_replaced = Signal()

    def __init__(self, ledger: Ledger, parent: QObject | None = None):
        super().__init__(parent)
        self.ledger = ledger
        #: the main window (首页 asks it to show a page); set by MainWindow
        self.window = None

    # -- roles: the permission table (models.core.permissions) decides ---------------------
    def may(self, action: str) -> bool:
        """Whether the operator's role may do ``action`` (a row of the permission table)."""
        return permissions.allowed(self.ledger.operator, action)

    def refusal(self, action: str) -> str:
        """Why the operator may not do ``action``, in Chinese (for a tooltip)."""
        return permissions.refusal_for(self.ledger.operator, action)

    def enable_if_allowed(self, widget, action: str, tooltip: str = "") -> bool:
        """Enable ``widget`` when the operator may do ``action``; else disable it and say why in
        its tooltip.  Returns whether it is allowed."""
        allowed = self.may(action)
        widget.setEnabled(allowed)
        widget.setToolTip(tooltip if allowed else self.refusal(action))
        return allowed

    def notify(self, area: str) -> None:
        """Tell every page that ``area`` changed (work that is not an operation)."""
        self.changed.emit(area)

    def replace_ledger(self, ledger: Ledger) -> None:
        old, self.ledger = self.ledger, ledger
        if old is not None and old is not ledger:
            ops.close_worker_connections(old)
            old.close()
        self.ledger_replaced.emit()
        self.changed.emit("*")
