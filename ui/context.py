"""The context every page gets: the open ledger and the "what changed" signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from models.core.db import Ledger


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
        #: the main window (parent of progress dialogs); set by MainWindow
        self.window = None

    # -- roles --------------------------------------------------------------------
    def can_see_sensitive(self) -> bool:
        """Whether the operator may see 重点人员 tags (管理员 / 工作人员)."""
        return self.ledger.operator.role in ("管理员", "工作人员")

    def can_edit(self) -> bool:
        """Whether the operator may change records (督导员 is a read-only supervisor)."""
        return self.ledger.operator.role != "督导员"

    def can_export_full_ids(self) -> bool:
        """Whether the operator may export full ID numbers (audited)."""
        return self.ledger.operator.role in ("管理员", "工作人员")

    # -- background work ------------------------------------------------------------
    def run_in_background(self, title: str, fn, on_done=None, *, cancellable: bool = True,
                          parent=None, on_error=None):
        """Run ``fn(ledger, progress, is_cancelled)`` on a worker thread with its own connection
        to this ledger's file (see :func:`ui.worker.run_in_background`).  Returns the job."""
        from ui.worker import run_in_background

        return run_in_background(parent or self.window, title, fn, on_done,
                                 db_path=self.ledger.path, cancellable=cancellable,
                                 operator=self.ledger.operator, on_error=on_error)

    def notify(self, area: str) -> None:
        """Tell every page that ``area`` changed."""
        self.changed.emit(area)

    def replace_ledger(self, ledger: Ledger) -> None:
        old, self.ledger = self.ledger, ledger
        if old is not None and old is not ledger:
            old.close()
        self.ledger_replaced.emit()
        self.changed.emit("*")
