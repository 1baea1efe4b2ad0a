"""Helpers for the window's tests."""

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication



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
