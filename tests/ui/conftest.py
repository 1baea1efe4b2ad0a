"""Helpers and fixtures shared by the window's tests.

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
from ui.context import AppContext
from ui.pages import matters as matters_page


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
    for dialog in list(matters_page._OPEN_DETAILS):
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
