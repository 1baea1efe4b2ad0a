"""Long work with a progress dialog: the older call shape, on top of :mod:`ui.ops`.

New code uses :class:`ui.ops.LedgerOp` (or ``ctx.run_in_background``) directly; this module
keeps :func:`run_in_background` and the names callers import from here working.  There
is one background mechanism: everything below is a :class:`~ui.ops.LedgerOp`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QWidget

from models.core.db import Operator
from ui.errors import error_text, log_bug, show_error  # noqa: F401 - re-exported for older callers
from ui.ops import RUNNING as _RUNNING  # noqa: F401 - the window asks about running work before closing
from ui.ops import LedgerOp, run_on_file, run_with_callbacks

#: the old name of a running piece of work
BackgroundJob = LedgerOp


def run_in_background(parent: QWidget | None, title: str, fn: Callable, on_done: Callable | None, *,
                      db_path: Path | str, cancellable: bool = True, operator: Operator | None = None,
                      on_error: Callable | None = None) -> LedgerOp:
    """Run ``fn(ledger, progress, is_cancelled)`` on its own connection to the file ``db_path``.

    Args:
        parent: the window the progress dialog belongs to.
        title: what is being done, in Chinese ("生成演示台账").
        fn: the work; gets a :class:`~models.core.db.Ledger` on ``db_path``, a
            ``progress(done, total, text)`` callable and ``is_cancelled()``.
        on_done: called with ``fn``'s result on the GUI thread, unless cancelled.
        db_path: the ledger file (created when missing).
        cancellable: show a 取消 button.
        operator: who writes (defaults to the OS account name).
        on_error: called with the exception before the error message is shown.

    Returns:
        the running operation (its ``finished`` signal fires at the end).
    """
    return run_with_callbacks(run_on_file(parent, db_path, fn, operator=operator, title=title,
                                          cancellable=cancellable), on_done, on_error)
