"""A search box that searches as the clerk types, without querying on every keystroke."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from ui.widgets.forms import KEEPS_ENTER

DEBOUNCE_MS = 150


class SearchEdit(QLineEdit):
    """A line edit with a clear button that emits ``search`` once typing pauses.

    Signals:
        search(str): the stripped text, ``delay_ms`` after the last change (at once on Enter).
    """

    search = Signal(str)

    def __init__(self, placeholder: str = "搜索", parent: QWidget | None = None, delay_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self.setProperty(KEEPS_ENTER, True)   # Enter searches (in a form too: it does not move on)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._fire)
        self._last: str | None = None
        self.textChanged.connect(lambda _t: self._timer.start())
        self.returnPressed.connect(self._fire)

    def _fire(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search.emit(text)

    def take(self) -> str:
        """The stripped text now, for a caller that searches by itself: a pending ``search``
        for it is dropped (no second query once the typing pauses)."""
        self._timer.stop()
        self._last = self.text().strip()
        return self._last

    def pending(self) -> bool:
        """True while a search is waiting for the typing to pause."""
        return self._timer.isActive()
