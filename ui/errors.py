"""Errors in the window: the clerk's kind in Chinese, our bugs logged and told calmly.

Everything goes through :func:`models.core.errors.classify`: a
:class:`~models.core.errors.LedgerError` is shown as it is, a SQLite error of the
environment's kind (locked by another PC, disk full, read-only, corrupt …) becomes its
Chinese message whether it happened in a write or a read, and anything else is our bug:
logged with its traceback to the log file (:func:`resources.paths.log_file`) and shown
as one calm message saying where the log is.

* :func:`show_error` — an operation the clerk started failed (a worker, ``LedgerOp``).
* :class:`ErrorReporter` — exceptions nobody caught: a slot, a Qt virtual method such
  as a table model fetching its next page on the GUI thread, or a thread.  ``ui.app``
  installs it as ``sys.excepthook`` and ``threading.excepthook``.  It never opens a
  second message while one is up, and does not repeat the same message straight after
  the clerk closed it (a view repainting a locked ledger would otherwise raise it again
  and again).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from models.core import errors as core_errors
from models.core.errors import bug_message, classify
from resources.paths import log_file

#: the title of a message nobody asked for (an exception no operation caught)
UNCAUGHT_TITLE = "网格台账"


def error_text(exc: BaseException) -> str:
    """What the clerk reads for ``exc``: its Chinese message, or the calm bug message."""
    problem = classify(exc)
    return str(problem) if problem is not None else bug_message(log_file())


def log_bug(exc: BaseException, tb: str | None = None) -> None:
    """Write a bug with its traceback (``tb``, e.g. formatted in a worker thread) to the log."""
    core_errors.log_bug(exc, tb)


def show_error(parent: QWidget | None, exc: BaseException, tb: str | None = None,
               title: str = "操作失败") -> None:
    """Tell the clerk that an operation failed; a bug is logged first."""
    if classify(exc) is None:
        log_bug(exc, tb)
    QMessageBox.warning(parent, title, error_text(exc))


class ErrorReporter(QObject):
    """Exceptions nobody caught, from any thread, as one message at a time on the GUI thread.

    Create it on the GUI thread.  :meth:`report` may be called from any thread: a bug is
    logged there and then, the message is queued to the GUI thread and shown without a
    nested event loop (``QMessageBox.open``), since a hook may run inside a paint event.

    Attributes:
        box: the message on screen, or None.
        dropped: messages not shown because one was up or the same one was just closed.

    Signals:
        shown(str): a message went up (its text).
    """

    shown = Signal(str)
    _deliver = Signal(str)

    #: the same message is not shown again within this many seconds of its closing
    QUIET_SECONDS = 10.0

    def __init__(self, parent: QObject | None = None, *,
                 monotonic: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.box: QMessageBox | None = None
        self.dropped = 0
        self._monotonic = monotonic
        self._closed_at: dict[str, float] = {}
        self._deliver.connect(self._show, Qt.QueuedConnection)

    # -- the hooks ----------------------------------------------------------------------
    def report(self, exc_type: type[BaseException], exc: BaseException, tb) -> None:
        """Classify ``exc``; log it when it is a bug; queue its message (any thread)."""
        problem = classify(exc)
        if problem is None:
            text = "".join(traceback.format_exception(exc_type, exc, tb))
            log_bug(exc, text)
            if sys.stderr is not None:  # a console when run from source; none in the frozen app
                print(text, file=sys.stderr, end="")
            self._deliver.emit(bug_message(log_file()))
        else:
            self._deliver.emit(str(problem))

    def excepthook(self, exc_type, exc, tb) -> None:
        """For ``sys.excepthook``: slots, Qt virtual methods, the main thread."""
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc_type, exc, tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """For ``threading.excepthook``: a Python thread that died of an exception."""
        if issubclass(args.exc_type, SystemExit):
            return
        self.report(args.exc_type, args.exc_value, args.exc_traceback)

    # -- the one message ----------------------------------------------------------------------
    @Slot(str)
    def _show(self, text: str) -> None:
        closed = self._closed_at.get(text)
        if self.box is not None or (closed is not None
                                    and self._monotonic() - closed < self.QUIET_SECONDS):
            self.dropped += 1
            return
        box = QMessageBox(QMessageBox.Warning, UNCAUGHT_TITLE, text, QMessageBox.Ok,
                          QApplication.activeWindow())
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(lambda _result, t=text: self._closed(t))
        self.box = box
        box.open()
        self.shown.emit(text)

    def _closed(self, text: str) -> None:
        self.box = None
        self._closed_at[text] = self._monotonic()
