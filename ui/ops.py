"""The one background mechanism of the window (after Anki's ``CollectionOp``).

Every piece of work the window hands to the ledger — a form's save, a workflow step, a
count that may take a while, an import, a report — goes through :class:`LedgerOp`::

    LedgerOp(ctx, lambda ledger: matters.register_matter.op(ledger, data), parent=self) \\
        .success(lambda changes: self.saved.emit(changes.result)) \\
        .failure(self.show_field_error) \\
        .run()

* ``fn(ledger)`` runs on a worker thread, on a connection of its own to the ledger file
  that carries the window's operator and clock (``fn(ledger, progress, is_cancelled)``
  with ``progress=True``: a progress dialog in Chinese appears after a short delay,
  with 取消 when ``cancellable=True``).  Worker connections are opened once and reused
  by the next operation; they are closed when another ledger is opened.
* The result comes back on the GUI thread.  A :class:`~models.core.ops.Changes` result
  makes ``ctx.changed`` emit for each area it names (pages refresh themselves), then
  ``success(cb)`` gets the result.
* Errors are sorted by :func:`models.core.errors.classify`: the clerk's kind (bad input,
  a refused action, a locked or full disk …) goes to ``failure(cb)`` when one is given
  (a form shows it next to the field), else it is shown as it is in a message box;
  anything else is our bug: logged with its traceback and shown as one calm message
  saying where the log is.  ``finished`` is emitted at the end in every case (a widget
  waiting for the work puts itself back there).
* The executor is pluggable: :func:`set_executor(SYNCHRONOUS) <set_executor>` runs every
  operation inline on the calling thread with ``ctx.ledger`` itself (the UI tests do, on
  in-memory ledgers); everything else is the same code.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from models.core.db import Ledger, Operator
from models.core.errors import Cancelled, LedgerError, classify
from models.core.ops import AREAS, Changes
from models.ledger import open_db
from ui.errors import show_error

log = logging.getLogger("gridledger")

#: operations started and not yet delivered (keeps them alive; the window asks before closing)
RUNNING: set["LedgerOp"] = set()

#: how long work may take before its progress dialog appears
PROGRESS_DELAY_MS = 300
#: any other operation still running after this long shows a busy window (issue 13: a backup of a
#: 75 MB ledger ran for seconds with nothing on screen)
BUSY_DELAY_MS = 500


# -- executors -------------------------------------------------------------------------------

class _Threaded:
    """Run on Qt's global thread pool (the application waits for it before it quits)."""

    name = "threaded"

    def submit(self, op: "LedgerOp") -> None:
        QThreadPool.globalInstance().start(_Task(op))


class _Synchronous:
    """Run inline on the calling thread, with the window's own ledger (tests)."""

    name = "synchronous"

    def submit(self, op: "LedgerOp") -> None:
        op._deliver(op._execute(on_worker=False))


THREADED = _Threaded()
SYNCHRONOUS = _Synchronous()
_executor: _Threaded | _Synchronous = THREADED


def set_executor(executor: _Threaded | _Synchronous) -> _Threaded | _Synchronous:
    """Use ``executor`` (:data:`THREADED` or :data:`SYNCHRONOUS`) for every operation from now on.

    Returns:
        the executor used until now (to put it back).
    """
    global _executor
    if executor not in (THREADED, SYNCHRONOUS):
        raise ValueError(f"unknown executor {executor!r}")
    previous, _executor = _executor, executor
    return previous


def current_executor() -> _Threaded | _Synchronous:
    return _executor


class _Task(QRunnable):
    def __init__(self, op: "LedgerOp"):
        super().__init__()
        self._op = op

    def run(self) -> None:
        op = self._op
        op._worked.emit(op._execute(on_worker=True))   # queued: delivered on the GUI thread


# -- worker connections --------------------------------------------------------------------

class _WorkerConnections:
    """Connections the workers use on the window's ledger file.

    Opening a ledger checks its migrations; a connection is therefore kept once opened
    and handed to the next operation (one at a time), with the window's operator and
    clock set afresh each time.  When another ledger is opened, the idle connections to
    the old one are closed at once and busy ones when their operation ends.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._owner: Ledger | None = None
        self._idle: list[Ledger] = []

    def acquire(self, ledger: Ledger) -> Ledger:
        with self._lock:
            stale = []
            if self._owner is not ledger:
                stale, self._idle, self._owner = self._idle, [], ledger
            worker = self._idle.pop() if self._idle else None
        for old in stale:
            old.close()
        if worker is None:
            worker = open_db(ledger.path, operator=ledger.operator, clock=ledger.clock, create=False,
                             check_same_thread=False)
        worker.operator, worker.clock = ledger.operator, ledger.clock
        return worker

    def release(self, ledger: Ledger, worker: Ledger, healthy: bool) -> None:
        if healthy and worker.conn.in_transaction:
            worker.conn.rollback()   # what the work left uncommitted is not kept
        with self._lock:
            keep = healthy and self._owner is ledger
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.close()

    def close(self, ledger: Ledger | None = None) -> None:
        """Close the idle connections (to ``ledger`` only, when given)."""
        with self._lock:
            stale = []
            if ledger is None or self._owner is ledger:
                stale, self._idle, self._owner = self._idle, [], None
        for old in stale:
            old.close()

    def idle(self) -> int:
        return len(self._idle)


_CONNECTIONS = _WorkerConnections()


def close_worker_connections(ledger: Ledger | None = None) -> None:
    """Close the workers' idle connections (to ``ledger``; all when None): another
    ledger was opened, or the window is closing."""
    _CONNECTIONS.close(ledger)


class _WindowLedger:
    """Where an operation of the window runs: ``ctx.ledger`` (inline) or a worker connection to its file."""

    def __init__(self, ctx):
        self.ctx = ctx

    def check(self, executor) -> None:
        if executor is THREADED and self.ctx.ledger.path is None:
            raise ValueError("an in-memory ledger cannot be shared with a worker thread: "
                             "use ui.ops.set_executor(ui.ops.SYNCHRONOUS) (tests)")

    @contextlib.contextmanager
    def open(self, on_worker: bool) -> Iterator[Ledger]:
        ledger = self.ctx.ledger
        if not on_worker:
            yield ledger
            return
        worker = _CONNECTIONS.acquire(ledger)
        healthy = False
        try:
            yield worker
            healthy = True
        finally:
            _CONNECTIONS.release(ledger, worker, healthy)


class _LedgerFile:
    """A ledger file that is not the window's (the demo being built): opened for the one operation."""

    def __init__(self, path: Path | str, operator: Operator | None):
        self.path, self.operator, self.ctx = path, operator, None

    def check(self, executor) -> None:
        if self.path is None:
            raise ValueError("a background operation needs a ledger file")

    @contextlib.contextmanager
    def open(self, on_worker: bool) -> Iterator[Ledger]:
        ledger = open_db(self.path, operator=self.operator, check_same_thread=not on_worker)
        try:
            yield ledger
        finally:
            ledger.close()


class _Detached:
    """Work on ledger *files* that must not be open in this process meanwhile (a restore
    replacing the window's file, salvaging a damaged one): ``fn`` gets ``None``."""

    ctx = None

    def check(self, executor) -> None:
        pass

    @contextlib.contextmanager
    def open(self, on_worker: bool) -> Iterator[None]:
        yield None


# -- the operation -------------------------------------------------------------------------

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


@dataclass
class _Outcome:
    result: Any = None
    error: BaseException | None = None
    traceback: str = ""


class LedgerOp(QObject):
    """One piece of work on the ledger, off the GUI thread.  See the module docstring.

    Args:
        ctx: the window's :class:`~ui.context.AppContext` (its ledger, its ``changed`` signal).
        fn: ``fn(ledger)``, or ``fn(ledger, progress, is_cancelled)`` with ``progress=True``.
        parent: the widget messages and the progress dialog belong to.
        title: what is being done, in Chinese ("导出居民名单"): the progress dialog's
            title and the error message's ("导出居民名单失败").
        progress: show a progress dialog (after :data:`PROGRESS_DELAY_MS`) and hand
            ``fn`` a ``progress`` callable and ``is_cancelled``.
        cancellable: the progress dialog has a 取消 button.
        on_progress: ``on_progress(done, total, text)`` on the GUI thread instead of a dialog
            (work the clerk did not start: an automatic backup reports in the status line);
            ``fn`` is called as with ``progress=True``.

    Attributes:
        result, error: what ``fn`` returned or raised (once delivered).
        cancelled: :meth:`cancel` was called; ``success`` is then not called.
        dialog: the progress dialog (``progress=True``), until the work ends.

    Signals:
        finished(): emitted on the GUI thread after the result (or error, or a
            cancellation) has been handled.
    """

    finished = Signal()
    _progressed = Signal(int, int, str)
    _worked = Signal(object)

    def __init__(self, ctx, fn: Callable, *, parent: QWidget | None = None, title: str | None = None,
                 progress: bool = False, cancellable: bool = False,
                 on_progress: Callable[[int, int, str], None] | None = None):
        super().__init__()
        self._where = ctx if isinstance(ctx, (_LedgerFile, _Detached)) else _WindowLedger(ctx)
        self._progress_to = on_progress
        progress = progress or on_progress is not None
        self._fn = fn
        self._parent = parent
        self.title = title or ""
        self._with_progress = progress
        self._cancellable = cancellable and progress
        self._on_success: Callable | None = None
        self._on_failure: Callable | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancelled = False
        self.dialog: QProgressDialog | None = None
        self._quiet = False
        self._busy: list[tuple[QWidget, bool]] = []
        self._cancel_event = threading.Event()
        self._work_ended = threading.Event()
        self._progressed.connect(self._on_progress, Qt.QueuedConnection)
        self._worked.connect(self._deliver, Qt.QueuedConnection)

    # -- building --------------------------------------------------------------------------
    def success(self, callback: Callable[[Any], None] | None) -> "LedgerOp":
        """Call ``callback(result)`` on the GUI thread when ``fn`` returns (not when cancelled)."""
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[LedgerError], None] | None) -> "LedgerOp":
        """Call ``callback(error)`` with the clerk's kind of error instead of showing it (a bug
        is always logged and shown; see the module)."""
        self._on_failure = callback
        return self

    def quiet(self) -> "LedgerOp":
        """No busy window however long it runs: a read the page shows by itself when it ends
        (a count, a page's figures), which the clerk did not ask for with a button."""
        self._quiet = True
        return self

    def disabling(self, *widgets: QWidget) -> "LedgerOp":
        """Disable ``widgets`` while the work runs (a second click does not save twice); they
        are put back as they were at the end."""
        self._busy = [(w, w.isEnabled()) for w in widgets]
        return self

    def run(self) -> "LedgerOp":
        """Start the work (with the current executor).  Returns this operation."""
        executor = _executor
        self._where.check(executor)
        RUNNING.add(self)
        for widget, _enabled in self._busy:
            widget.setEnabled(False)
        if self._with_progress and self._progress_to is None:
            self.dialog = self._progress_dialog()
        elif executor is not SYNCHRONOUS and not self._quiet and self._progress_to is None:
            # inline work blocks the window anyway; work reporting to the status line
            # (an automatic backup) is the clerk's to ignore: no window at all
            self.dialog = self._progress_dialog(BUSY_DELAY_MS)
        executor.submit(self)
        return self

    # -- while it runs ---------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop; ``fn`` sees ``is_cancelled()`` become True."""
        self.cancelled = True
        self._cancel_event.set()
        if self.dialog is not None:
            self.dialog.setLabelText("正在取消……")

    def is_running(self) -> bool:
        return self in RUNNING

    def wait(self, msecs: int) -> bool:
        """Block until ``fn`` has ended (at most ``msecs``); True when it has."""
        return self._work_ended.wait(msecs / 1000)

    def _progress_dialog(self, delay_ms: int = PROGRESS_DELAY_MS) -> QProgressDialog:
        title = self.title or "正在处理"
        dialog = QProgressDialog(f"{title}……", "取消" if self._cancellable else None, 0, 0, self._parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(delay_ms)
        # QProgressDialog shows itself only from setValue(); work that reports no steps (a backup:
        # one VACUUM INTO) would never show it, so it is shown after the delay in any case
        QTimer.singleShot(delay_ms, dialog, dialog.show)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(360)
        if self._cancellable:
            dialog.canceled.connect(self.cancel)
        else:
            dialog.setCancelButton(None)
        return dialog

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self._progress_to is not None and not self.cancelled:
            self._progress_to(done, total, text)
            return
        dialog = self.dialog
        if self.cancelled or dialog is None:
            return   # cancelling, or a report queued before the work ended
        if total > 0:
            dialog.setMaximum(total)
            # (a modal dialog's setValue processes events: the end may be delivered in there and
            # take the dialog away; the rest of this report is then moot)
            dialog.setValue(max(0, min(done, total)))
            if self.dialog is not dialog:
                return
        if text:
            dialog.setLabelText(text)
        elif total > 0:
            dialog.setLabelText(f"{self.title}……（{done}/{total}）")

    # -- the work (on the worker thread, or inline) ----------------------------------------
    def _execute(self, on_worker: bool) -> _Outcome:
        try:
            with self._where.open(on_worker) as ledger:
                if self._with_progress:
                    return _Outcome(self._fn(ledger, _Progress(self._progressed), self._cancel_event.is_set))
                return _Outcome(self._fn(ledger))
        except BaseException as exc:  # noqa: BLE001 - every failure is reported on the GUI thread
            return _Outcome(error=exc, traceback=traceback.format_exc())
        finally:
            self._work_ended.set()

    # -- delivery (GUI thread) ---------------------------------------------------------------
    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        self._close_dialog()
        try:
            if outcome.error is None:
                self.result = outcome.result
                self._announce(outcome.result)
                if not self.cancelled and self._on_success is not None and self._parent_alive():
                    self._on_success(outcome.result)
            else:
                self._failed(outcome.error, outcome.traceback)
        except Exception as exc:  # noqa: BLE001 - a bug in a callback must not vanish
            show_error(self._message_parent(), exc, title=self._error_title())
        finally:
            for widget, enabled in self._busy:
                if isValid(widget):
                    widget.setEnabled(enabled)
            RUNNING.discard(self)
            self.finished.emit()

    def _announce(self, result: Any) -> None:
        """Tell every page what changed (``"*"`` alone stands for everything)."""
        ctx = self._where.ctx
        if ctx is None or not isinstance(result, Changes) or not result:
            return
        areas = ["*"] if "*" in result.areas else [a for a in AREAS if a in result.areas]
        for area in areas:
            ctx.changed.emit(area)

    def _failed(self, exc: BaseException, tb: str) -> None:
        self.error = exc
        if self.cancelled or isinstance(exc, Cancelled):
            return   # the work stopped because it was asked to
        problem = classify(exc)
        if problem is None:   # our bug: logged with its traceback, one calm message
            show_error(self._message_parent(), exc, tb, title=self._error_title())
        elif self._on_failure is not None:
            if self._parent_alive():
                self._on_failure(problem)
        elif self._parent_alive():
            show_error(self._parent, problem, title=self._error_title())

    def _error_title(self) -> str:
        return f"{self.title}失败" if self.title else "操作失败"

    def _parent_alive(self) -> bool:
        return self._parent is None or isValid(self._parent)

    def _message_parent(self) -> QWidget | None:
        return self._parent if self._parent is not None and isValid(self._parent) else None

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        if self._cancellable:   # closing a QProgressDialog emits canceled(); the work is over by now
            dialog.canceled.disconnect(self.cancel)
        dialog.close()
        dialog.deleteLater()


def run_on_file(parent: QWidget | None, path: Path | str, fn: Callable, *, operator: Operator | None = None,
                title: str | None = None, cancellable: bool = True) -> LedgerOp:
    """A :class:`LedgerOp` (with progress) on a ledger file that is not the window's — the
    demo ledger being built at first start.  Call ``.success(...)``/``.run()`` on it."""
    return LedgerOp(_LedgerFile(path, operator), fn, parent=parent, title=title, progress=True,
                    cancellable=cancellable)


def run_detached(parent: QWidget | None, fn: Callable, *, title: str | None = None,
                 cancellable: bool = False, quiet: bool = False) -> LedgerOp:
    """A :class:`LedgerOp` (with progress) that opens no ledger: ``fn(None, progress, is_cancelled)``
    works on files itself (restore, salvage).  ``quiet``: no progress dialog (a check the
    clerk did not ask for).  Call ``.success(...)``/``.run()`` on it."""
    return LedgerOp(_Detached(), fn, parent=parent, title=title, progress=True, cancellable=cancellable,
                    on_progress=(lambda *a: None) if quiet else None)
