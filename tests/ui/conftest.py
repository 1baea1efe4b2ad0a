"""Helpers and fixtures shared by the window's tests.

Operations (``ui.ops.LedgerOp``) run inline on the test's thread with ``ctx.ledger``
itself (the synchronous executor): the production code path, with the executor as the
only difference.  A test on a ledger file (fixture ``ledger_path``) or marked
``threaded`` runs them on the real worker thread, as the window does.

``ctx`` (an AppContext on the ``ledger``), ``place`` (two grids with rooms and staff,
see ``tests.ui.matters_helpers.build_place``), ``warnings`` (QMessageBox.warning
texts, patched), ``close_matter_windows`` (closes matter windows left open; use it
with ``pytest.mark.usefixtures``) and ``typer``.  A test module may define its own
``ctx`` or ``page``.
"""

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui.matters_helpers import build_place
from ui import ops
from ui.context import AppContext
from ui.dialogs import matter_detail
from ui.widgets import forms


def pytest_configure(config):
    config.addinivalue_line("markers", "real_login: the login dialogs really run (no quiet_login)")
    config.addinivalue_line("markers", "threaded: run ui.ops operations on the worker thread (a test on a "
                                       "ledger file, fixture ledger_path, does without the marker)")


@pytest.fixture(autouse=True)
def form_rules(qapp, monkeypatch):
    """The form rules the application installs (ui.app.create_application): Enter moves on, …

    A form closed with changes asks 保存/不保存/取消 in a modal box; here it answers 不保存
    (a test that cares patches ``forms.ask_unsaved`` itself).
    """
    monkeypatch.setattr(forms, "ask_unsaved", lambda dialog: "discard")
    return forms.install(qapp)


@pytest.fixture(autouse=True)
def ops_executor(request):
    """The synchronous executor, or the worker thread for a test on a ledger file."""
    threaded = request.node.get_closest_marker("threaded") or "ledger_path" in request.fixturenames
    previous = ops.set_executor(ops.THREADED if threaded else ops.SYNCHRONOUS)
    yield ops.current_executor()
    ops.set_executor(previous)
    ops.close_worker_connections()


@pytest.fixture
def ctx(ledger):
    return AppContext(ledger)


@pytest.fixture
def place(ledger):
    return build_place(ledger)


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: seen.append(text))
    return seen


@pytest.fixture
def close_matter_windows():
    yield
    for dialog in list(matter_detail.OPEN_DETAILS):
        dialog.close()


def type_text(widget, text: str) -> None:
    """Type ``text`` into ``widget`` key by key, as a clerk (or an input method) would.

    ``qtbot.keyClicks`` asserts on non-ASCII characters (QTest's key table is ASCII),
    so Chinese text is sent as key events carrying the character.
    """
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))


@pytest.fixture
def typer():
    return type_text


@pytest.fixture(autouse=True)
def quiet_login(request, monkeypatch):
    """Opening a ledger asks who logs in (a modal dialog); tests not about it log in as the
    first 管理员 without the dialog.  Tests marked ``real_login`` drive the dialogs themselves."""
    if request.node.get_closest_marker("real_login"):
        return
    from tests.ui.ui_helpers import log_in_quietly
    from ui.dialogs import login

    monkeypatch.setattr(login, "log_in", log_in_quietly)
