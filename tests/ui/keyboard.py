"""A clerk's keyboard for the window's tests: every key goes to the widget that has the focus.

``Keyboard(qtbot)`` sends keys and typed text to ``QApplication.focusWidget()`` (as the
operating system would) and counts the keystrokes (a character typed counts as one key).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


class Keyboard:
    """Keys to the focused widget, counted.

    Attributes:
        keys: keystrokes sent so far (a chord such as Ctrl+S is one).
        started: ``time.perf_counter()`` when the keyboard was made.
    """

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.keys = 0
        self.started = time.perf_counter()

    def target(self):
        popup = QApplication.activePopupWidget()     # an open list (suggestions, a drop-down) takes the keys
        if popup is not None:
            return popup.focusWidget() or popup
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def press(self, key, modifier=Qt.NoModifier, times: int = 1) -> None:
        """Press ``key`` (with ``modifier``) ``times`` times on whatever has the focus."""
        for _ in range(times):
            QTest.keyClick(self.target(), key, modifier)
            self.keys += 1
            QApplication.processEvents()

    def type(self, text: str) -> None:
        """Type ``text`` character by character on whatever has the focus."""
        for ch in text:
            widget = self.target()
            for kind in (QEvent.KeyPress, QEvent.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))
            self.keys += 1
            QApplication.processEvents()

    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def tab_to(self, widget, limit: int = 30) -> None:
        """Press Tab until ``widget`` (or a child of it) has the focus."""
        for _ in range(limit):
            focus = self.target()
            if focus is widget or widget.isAncestorOf(focus):
                return
            self.press(Qt.Key_Tab)
        raise AssertionError(f"Tab never reached {widget!r}; the focus is on {self.target()!r}")
