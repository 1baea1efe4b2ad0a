"""Forms that fit the screen they open on (issue 13).

A 1366×768 screen at 150 % Windows scaling is 911×512 logical pixels: a form laid out for 100 %
(志愿活动 900×720, 评比方案 680×580, 走访记录 680×600) would open with its 保存 button below the
bottom of the screen.  :func:`fit_to_screen` runs for every form as it opens (``ui.widgets.forms``):

- a form larger than the screen's available area is made smaller (a size chosen for 100 % is a
  wish, not a minimum) and centred on the screen;
- a form whose *layout* cannot shrink that far gets its body in a scroll area, with its row of
  buttons (a ``QDialogButtonBox`` at the bottom) kept outside, always visible.

Nothing changes for a form that fits.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFrame, QScrollArea, QVBoxLayout, QWidget

#: property set on a form whose body was put in a scroll area
SCROLLED = "fitScrolled"
#: object name of that scroll area
SCROLL_NAME = "fitScrollArea"


def available_area(widget: QWidget) -> QRect:
    """The available geometry (without the task bar) of the screen ``widget`` opens on."""
    # the screen under the window the form belongs to (QWidget.screen() is not used: with
    # PySide6 6.x calling it on forms as they open made later widget constructors crash)
    anchor = widget.parentWidget().window() if widget.parentWidget() is not None else widget
    screen = QGuiApplication.screenAt(anchor.mapToGlobal(anchor.rect().center())) \
        or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(dialog: QDialog, area: QRect | None = None) -> bool:
    """Make ``dialog`` fit ``area`` (default: :func:`available_area`).  Returns True when it
    had to be changed."""
    area = area or available_area(dialog)
    # the window frame (title bar, borders) takes room too; known once the form has been shown
    frame_w = max(0, dialog.frameGeometry().width() - dialog.width())
    frame_h = max(0, dialog.frameGeometry().height() - dialog.height())
    room_w, room_h = area.width() - frame_w, area.height() - frame_h
    changed = False
    hint = dialog.minimumSizeHint()
    width, height = dialog.width(), dialog.height()
    if (hint.width() > room_w or hint.height() > room_h) and not dialog.property(SCROLLED):
        scroll = _scroll_body(dialog)
        if scroll is not None:
            changed = True
            # room for the vertical scroll bar beside the body, or a horizontal one appears too
            needed = scroll.widget().minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
            width = max(width, needed)
    if changed or width > room_w or height > room_h or dialog.minimumWidth() > room_w \
            or dialog.minimumHeight() > room_h:
        dialog.setMinimumSize(min(dialog.minimumWidth(), room_w), min(dialog.minimumHeight(), room_h))
        dialog.resize(min(width, room_w), min(height, room_h))
        changed = True
    if changed:
        top_left = area.center() - dialog.rect().center()
        dialog.move(max(area.left(), top_left.x()), max(area.top(), top_left.y()))
    return changed


def _scroll_body(dialog: QDialog) -> QScrollArea | None:
    """Put the dialog's layout in a scroll area (returned); a button box at its end stays below it."""
    layout = dialog.layout()
    if layout is None:
        return None
    buttons = []
    last = layout.itemAt(layout.count() - 1) if layout.count() else None
    if last is not None and isinstance(last.widget(), QDialogButtonBox):
        buttons.append(last.widget())
        layout.removeWidget(last.widget())
    margins = layout.contentsMargins()
    body = QWidget()
    body.setLayout(layout)          # Qt takes the layout (and its widgets) off the dialog
    scroll = QScrollArea(dialog)
    scroll.setObjectName(SCROLL_NAME)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(body)
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(0, 0, 0, margins.bottom())
    outer.addWidget(scroll, 1)
    for box in buttons:
        outer.addWidget(box)
        box.setContentsMargins(margins.left(), 0, margins.right(), 0)
    # widgets made for a form already on screen stay hidden until shown
    scroll.show()
    body.show()
    dialog.setProperty(SCROLLED, True)
    return scroll
