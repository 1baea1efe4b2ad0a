"""The idle lock: after ``idle_lock_minutes`` without input the window locks behind the login.

Nothing is closed: every open window (the main window, a half-filled form, a dialog in
``exec()``) stays open with its content; each gets an opaque cover (:class:`_Cover`) that
hides what it shows, and while locked the lock swallows every key, mouse, wheel and
shortcut event that is not meant for the unlock form.  The unlock form sits on the cover
of the window the clerk can type in (the active modal dialog, else the main window).

Only the same user or a 管理员 unlocks it (:func:`models.core.accounts.authenticate`, so
a wrong password counts toward the account's lockout like any login).  The operator of
the window stays the user who was working, also when a 管理员 unlocked.

Idle time comes from an injectable clock (``clock() -> seconds``, monotonic), checked by
a timer: tests advance the clock and call :meth:`IdleLock.check` instead of waiting.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QFormLayout, QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)
from shiboken6 import isValid

from models.core import accounts
from models.core.permissions import ADMIN
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label

SETTING_KEY = "idle_lock_minutes"
DEFAULT_MINUTES = 15
CHECK_EVERY_MS = 15_000

#: input events that count as activity, and that the lock swallows while locked
INPUT_EVENTS = frozenset({
    QEvent.KeyPress, QEvent.KeyRelease, QEvent.MouseButtonPress, QEvent.MouseButtonRelease,
    QEvent.MouseButtonDblClick, QEvent.MouseMove, QEvent.Wheel, QEvent.Shortcut, QEvent.ShortcutOverride,
    QEvent.ContextMenu, QEvent.TabletPress, QEvent.TouchBegin, QEvent.InputMethod,
})


def idle_minutes(ledger) -> int:
    """The ledger's setting ``idle_lock_minutes`` (default 15; 0 or less: never lock)."""
    try:
        return int(ledger.get_setting(SETTING_KEY, DEFAULT_MINUTES))
    except (TypeError, ValueError):
        return DEFAULT_MINUTES


class UnlockForm(QFrame):
    """用户名 + 密码 + 解锁, shown on a cover."""

    def __init__(self, lock: "IdleLock", parent: QWidget):
        super().__init__(parent)
        self.lock = lock
        self.setObjectName("unlockForm")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFixedWidth(360)
        operator = lock.ctx.ledger.operator
        title = QLabel("网格台账已锁定")
        title.setObjectName("pageTitle")
        who = QLabel(f"长时间未操作，窗口已锁定。\n请“{operator.name}”本人或管理员输入密码解锁，\n"
                     "未保存的内容都还在。")
        who.setWordWrap(True)
        self.username_edit = QLineEdit(operator.username or "")
        self.username_edit.setPlaceholderText("用户名")
        self.password_edit = QLineEdit()
        self.password_edit.setPlaceholderText("密码")
        self.password_edit.setEchoMode(QLineEdit.Password)
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setObjectName("primary")
        self.unlock_button.setDefault(True)
        self.error_label = error_label()
        fields = QFormLayout()
        fields.addRow("用户名", self.username_edit)
        fields.addRow("密码", self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(who)
        layout.addLayout(fields)
        layout.addWidget(self.error_label)
        layout.addWidget(self.unlock_button)
        self.unlock_button.clicked.connect(self.submit)
        self.password_edit.returnPressed.connect(self.submit)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)

    def submit(self) -> None:
        self.lock.try_unlock(self.username_edit.text().strip(), self.password_edit.text())

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.clear()
        self.password_edit.setFocus()


class _Cover(QWidget):
    """An opaque sheet over one window's whole content (its size follows the window)."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("idleCover")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet("#idleCover { background: palette(window); }")
        self.form: UnlockForm | None = None
        self.fit()

    def fit(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        if self.form is not None:
            self.form.adjustSize()
            self.form.move((self.width() - self.form.width()) // 2, max(0, (self.height() - self.form.height()) // 3))


class IdleLock(QObject):
    """Watches the application's input and locks ``window`` after the idle minutes.

    Args:
        ctx: the window's context (its ledger: the operator, the setting).
        window: the main window.
        clock: ``() -> seconds`` (monotonic); tests pass their own.
        check_every_ms: how often the timer checks (0: no timer; tests call :meth:`check`).

    Signals:
        locked(), unlocked(): the window was locked / unlocked.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, ctx, window: QWidget, *, clock: Callable[[], float] = time.monotonic,
                 check_every_ms: int = CHECK_EVERY_MS):
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.clock = clock
        self.last_activity = clock()
        self.is_locked = False
        self.covers: list[_Cover] = []
        self.form: UnlockForm | None = None
        self._busy = False
        QApplication.instance().installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        if check_every_ms > 0:
            self.timer.start(check_every_ms)

    # -- watching ------------------------------------------------------------------------------
    def applies(self) -> bool:
        """Locking needs someone logged in (an account) and a positive setting."""
        ledger = self.ctx.ledger
        return ledger is not None and ledger.operator.user_id is not None and idle_minutes(ledger) > 0

    def check(self) -> bool:
        """Lock when idle long enough; returns whether the window is locked."""
        if not self.is_locked and self.applies():
            if self.clock() - self.last_activity >= idle_minutes(self.ctx.ledger) * 60:
                self.lock()
        return self.is_locked

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in INPUT_EVENTS:
            if not self.is_locked:
                self.last_activity = self.clock()
                return False
            return not self._for_the_form(obj)
        if self.is_locked and kind == QEvent.FocusIn and isinstance(obj, QWidget) and not self._for_the_form(obj) \
                and self.form is not None:
            QTimer.singleShot(0, self._refocus)   # Tab must not walk into the covered window
        if self.is_locked and kind == QEvent.Show and isinstance(obj, QWidget) and obj.isWindow() \
                and not isinstance(obj, _Cover) and obj.windowType() not in (Qt.ToolTip, Qt.Popup) \
                and not any(c.parentWidget() is obj for c in self.covers):
            QTimer.singleShot(0, lambda w=obj: self._cover_new_window(w))
        if self.is_locked and kind == QEvent.Resize and isinstance(obj, QWidget):
            for cover in self.covers:
                if cover.parentWidget() is obj:
                    cover.fit()
        return False

    def _cover_new_window(self, window: QWidget) -> None:
        """A window that opened while locked (a message at the end of some work) is covered too;
        when it is modal the unlock form moves onto it, the only window that takes input."""
        if not self.is_locked or any(c.parentWidget() is window for c in self.covers):
            return
        cover = _Cover(window)
        self.covers.append(cover)
        cover.show()
        if window.isModal() or QApplication.activeModalWidget() is window:
            old = self.form.parentWidget()
            self.form.setParent(cover)
            old.form, cover.form = None, self.form
            self.form.show()
        cover.fit()
        self.form.password_edit.setFocus()

    def _refocus(self) -> None:
        if self.form is not None:
            self.form.password_edit.setFocus()

    def _for_the_form(self, obj) -> bool:
        if self.form is None or not isinstance(obj, QObject):
            return False
        node = obj
        while node is not None:
            if node is self.form:
                return True
            node = node.parent()
        return False

    # -- locking -------------------------------------------------------------------------------
    def _windows(self) -> list[QWidget]:
        # from the windows on screen (QWindow), not QApplication.topLevelWidgets(): that list
        # also holds every hidden window the program ever made, and wrapping them all made the
        # tests crash now and then (PySide6 wrappers of widgets Qt had deleted)
        shown = []
        for handle in QGuiApplication.topLevelWindows():
            if not handle.isVisible():
                continue
            w = QWidget.find(handle.winId())
            if w is None or not isValid(w) or isinstance(w, _Cover) or w.windowType() in (Qt.ToolTip, Qt.Popup):
                continue
            shown.append(w)
        if self.window not in shown and self.window.isVisible():
            shown.append(self.window)
        return shown

    def lock(self) -> None:
        """Cover every open window and show the unlock form (nothing is closed)."""
        if self.is_locked:
            return
        self.is_locked = True
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()   # an open drop-down list would show through
        windows = self._windows() or [self.window]
        self.covers = [_Cover(w) for w in windows]
        host = QApplication.activeModalWidget()
        host_cover = next((c for c in self.covers if c.parentWidget() is host), None) or \
            next((c for c in self.covers if c.parentWidget() is self.window), self.covers[0])
        self.form = UnlockForm(self, host_cover)
        host_cover.form = self.form
        for cover in self.covers:
            cover.show()
            cover.fit()
        self.form.show()
        host_cover.fit()
        self.form.password_edit.setFocus()
        self.locked.emit()

    def try_unlock(self, username: str, password: str) -> LedgerOp | None:
        """Check the password (same user or a 管理员) on the worker; unlock when right."""
        if self._busy or not self.is_locked:
            return None
        if not username or not password:
            self.form.show_error("请输入用户名和密码。")
            return None
        working = self.ctx.ledger.operator

        def work(ledger):
            kept = ledger.operator
            try:
                return accounts.authenticate(ledger, username, password)
            finally:
                ledger.operator = kept   # the window keeps working as the user who was working

        def done(who) -> None:
            self._busy = False
            if who.user_id == working.user_id or who.role == ADMIN:
                self.unlock()
            else:
                self.form.show_error(f"只有“{working.name}”本人或管理员可以解锁。")

        def failed(exc) -> None:
            self._busy = False
            if self.form is not None:
                self.form.show_error(str(exc))

        self._busy = True
        return LedgerOp(self.ctx, work, parent=self.form, title="解锁").success(done).failure(failed).run()

    def unlock(self) -> None:
        """Remove the covers: every window shows again as it was."""
        for cover in self.covers:
            cover.hide()
            cover.deleteLater()
        self.covers = []
        self.form = None
        self.is_locked = False
        self.last_activity = self.clock()
        self.unlocked.emit()
