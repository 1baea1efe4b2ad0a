"""Rows and columns of widgets in one call: ``hbox("日期", date_from, "至", date_to, STRETCH, button)``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QLayout, QSplitter, QVBoxLayout, QWidget

#: an item of :func:`hbox`/:func:`vbox`: the room left over
STRETCH = None


Margins = int | tuple[int, int, int, int] | None   #: all four, (left, top, right, bottom), or Qt's default


def _fill(box: QBoxLayout, items, margins: Margins) -> QBoxLayout:
    if margins is not None:
        box.setContentsMargins(*((margins,) * 4 if isinstance(margins, int) else margins))
    for item in items:
        item, stretch = item if isinstance(item, tuple) else (item, 0)
        if item is STRETCH:
            box.addStretch(1)
        elif isinstance(item, str):
            box.addWidget(QLabel(item), stretch)
        elif isinstance(item, QLayout):
            box.addLayout(item, stretch)
        else:
            box.addWidget(item, stretch)
    return box


def hbox(*items, parent: QWidget | None = None, margins: Margins = None) -> QHBoxLayout:
    """A row: widgets and layouts in order, a string as a label, :data:`STRETCH` for the room left,
    ``(item, stretch)`` for an item that takes a share of the room."""
    return _fill(QHBoxLayout(parent) if parent is not None else QHBoxLayout(), items, margins)


def vbox(*items, parent: QWidget | None = None, margins: Margins = None) -> QVBoxLayout:
    """A column of items, as :func:`hbox`."""
    return _fill(QVBoxLayout(parent) if parent is not None else QVBoxLayout(), items, margins)


def panel(*items, margins: Margins = 0) -> QWidget:
    """A widget holding a column of items (no margins unless given)."""
    widget = QWidget()
    vbox(*items, parent=widget, margins=margins)
    return widget


def hsplit(*widgets: QWidget, stretch: tuple[int, ...] = (), sizes: list[int] | None = None) -> QSplitter:
    """Widgets side by side, the clerk may move the border; ``stretch``: their shares when the window grows."""
    splitter = QSplitter(Qt.Horizontal)
    for widget in widgets:
        splitter.addWidget(widget)
    for index, factor in enumerate(stretch):
        splitter.setStretchFactor(index, factor)
    if sizes:
        splitter.setSizes(sizes)
    return splitter
