"""Long work off the GUI thread (import, export, report, backup, demo).

:func:`run_in_background` runs ``fn(ledger, progress, is_cancelled)`` in a
``QThread`` with its *own* connection to the ledger file (SQLite connections
must not cross threads), shows a cancellable progress dialog in Chinese and,
when the work ends, calls ``on_done(result)`` on the GUI thread.

Errors speak Chinese (after qutebrowser's two kinds of error): a
:class:`~models.core.errors.LedgerError` is shown as it is; anything else is our bug,
logged with its traceback to the log file and shown as a short message.
"""

from __future__ import annotations

import logging
import threading
import traceback
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from models.core.db import Operator
from models.ledger import open_db
from models.core.errors import LedgerError
from resources.paths import log_file

log = logging.getLogger("gridledger")

#: jobs still running; keeps Python wrappers alive until their thread ends
_RUNNING: set["BackgroundJob"] = set()


def error_text(exc: BaseException) -> str:
    """What the clerk reads for ``exc`` (a LedgerError's own message, else a generic one)."""
    if isinstance(exc, LedgerError):
        return str(exc)
    return ("程序内部出错，本次操作没有完成。\n"
            f"详细信息已记录到日志文件：{log_file()}\n请把该文件发给技术支持人员。")


def log_bug(exc: BaseException, tb: str | None = None) -> None:
    """Write a bug (an exception that is not a LedgerError) with its traceback to the log."""
    text = tb or "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("未处理的异常：%s\n%s", exc, text)


def show_error(parent: QWidget | None, exc: BaseException, tb: str | None = None,
               title: str = "操作失败") -> None:
    """Log a bug (not a LedgerError) and tell the clerk in Chinese."""
    if not isinstance(exc, LedgerError):
        log_bug(exc, tb)
    QMessageBox.warning(parent, title, error_text(exc))


class _Progress:
    """The ``progress`` callable handed to ``fn``; thread-safe (emits a queued signal).

    Accepts ``progress(done, total)``, ``progress(done, total, "text")``,
    ``progress("text")`` or ``progress(fraction)`` with 0 ≤ fraction ≤ 1.
    """

    def __init__(self, signal):
        self._signal = signal

    def __call__(self, done: Any = None, total: Any = None, text: str | None = None) -> None:
        if isinstance(done, str):
            done, text = None, done
        if isinstance(done, float) and total is None and 0.0 <= done <= 1.0:
            done, total = int(done * 1000), 1000
        self._signal.emit(-1 if done is None else int(done), -1 if total is None else int(total),
                          text or "")


class _Task(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)

    def __init__(self, fn: Callable, db_path: Path | str, operator: Operator | None):
        super().__init__()
        self._fn = fn
        self._db_path = db_path
        self._operator = operator
        self.cancel_event = threading.Event()

    @Slot()
    def run(self) -> None:
        ledger = None
        try:
            ledger = open_db(self._db_path, operator=self._operator, check_same_thread=False)
            result = self._fn(ledger, _Progress(self.progressed), self.cancel_event.is_set)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the GUI thread
            self.failed.emit(exc, traceback.format_exc())
        else:
            self.succeeded.emit(result)
        finally:
            if ledger is not None:
                ledger.close()


class BackgroundJob(QObject):
    """One running piece of work.  Signals let tests and callers wait for it.

    Signals:
        finished(): emitted on the GUI thread after ``on_done`` (or the error
            message, or a cancellation) has been handled.
    """

    finished = Signal()

    def __init__(self, parent: QWidget | None, title: str, fn: Callable, on_done: Callable | None,
                 db_path: Path | str, operator: Operator | None, cancellable: bool,
                 on_error: Callable | None = None):
        super().__init__()
        self.title = title
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancelled = False
        self._parent = parent
        self._on_done = on_done
        self._on_error = on_error
        self._cancellable = cancellable
        self._thread = QThread()
        self._task = _Task(fn, db_path, operator)
        self._task.moveToThread(self._thread)
        self._thread.started.connect(self._task.run)
        self._task.progressed.connect(self._on_progress, Qt.QueuedConnection)
        self._task.succeeded.connect(self._on_succeeded, Qt.QueuedConnection)
        self._task.failed.connect(self._on_failed, Qt.QueuedConnection)

        self.dialog = QProgressDialog(f"{title}……", "取消" if cancellable else None, 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(360)
        if cancellable:
            self.dialog.canceled.connect(self.cancel)
        else:
            self.dialog.setCancelButton(None)

    def start(self) -> "BackgroundJob":
        _RUNNING.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop; ``fn`` sees ``is_cancelled()`` become True."""
        self.cancelled = True
        self._task.cancel_event.set()
        self.dialog.setLabelText("正在取消……")

    def wait(self, msecs: int) -> bool:
        """Block until the worker thread ends (at most ``msecs``); True when it ended."""
        return self._thread.wait(msecs)

    def is_running(self) -> bool:
        return self in _RUNNING

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.cancelled:
            return
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(max(0, min(done, total)))
        if text:
            self.dialog.setLabelText(text)
        elif total > 0:
            self.dialog.setLabelText(f"{self.title}……（{done}/{total}）")

    def _end(self) -> None:
        self._thread.quit()
        self._thread.wait()
        if self._cancellable:  # closing a QProgressDialog emits canceled(); the work is over by now
            self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()
        _RUNNING.discard(self)

    @Slot(object)
    def _on_succeeded(self, result: Any) -> None:
        self.result = result
        self._end()
        try:
            if not self.cancelled and self._on_done is not None:
                self._on_done(result)
        except Exception as exc:  # noqa: BLE001 - a bug in the callback must not vanish
            show_error(self._parent, exc)
        finally:
            self.finished.emit()

    @Slot(object, str)
    def _on_failed(self, exc: BaseException, tb: str) -> None:
        self.error = exc
        self._end()
        try:
            if self.cancelled:
                return  # the work stopped because it was asked to
            if self._on_error is not None:
                self._on_error(exc)
            show_error(self._parent, exc, tb, title=f"{self.title}失败")
        finally:
            self.finished.emit()


def run_in_background(parent: QWidget | None, title: str, fn: Callable, on_done: Callable | None, *,
                      db_path: Path | str, cancellable: bool = True, operator: Operator | None = None,
                      on_error: Callable | None = None) -> BackgroundJob:
    """Run ``fn(ledger, progress, is_cancelled)`` in a worker thread.

    Args:
        parent: the window the progress dialog belongs to.
        title: what is being done, in Chinese ("导出居民").
        fn: the work; gets its own :class:`~models.core.db.Ledger` on ``db_path``, a
            ``progress(done, total, text)`` callable and ``is_cancelled()``.  It
            should return soon after ``is_cancelled()`` becomes True (returning
            or raising — either way ``on_done`` is not called).
        on_done: called with ``fn``'s result on the GUI thread, unless cancelled.
        db_path: the ledger file (an in-memory ledger cannot be shared).
        cancellable: show a 取消 button.
        operator: who writes (defaults to the OS account name).
        on_error: called with the exception before the error message is shown.

    Returns:
        the running :class:`BackgroundJob` (its ``finished`` signal fires at the end).
    """
    if db_path is None:
        raise LedgerError("内存中的台账不能在后台处理。")
    job = BackgroundJob(parent, title, fn, on_done, db_path, operator, cancellable, on_error)
    return job.start()
