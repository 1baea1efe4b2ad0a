"""The idle lock: after the idle minutes the window locks behind the login, keeping a half-filled form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow

from models.core import accounts
from models.core.db import Operator
from tests.ui.matters_helpers import build_place
from ui.context import AppContext
from ui.idle_lock import IdleLock, idle_minutes
from ui.pages.visits import VisitDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


class Seconds:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value

    def advance(self, minutes: float) -> None:
        self.value += minutes * 60


@pytest.fixture
def people(ledger):
    place = build_place(ledger)
    accounts.create_first_admin(ledger, username="admin", display_name="管理员甲", password="admin2026")
    accounts.create_user(ledger, username="clerk", display_name="王芳", role="工作人员", password="clerk2026",
                         must_change_password=False)
    accounts.create_user(ledger, username="other", display_name="李强", role="工作人员", password="other2026",
                         must_change_password=False)
    accounts.authenticate(ledger, "clerk", "clerk2026")     # 王芳 is working
    return place


@pytest.fixture
def seconds():
    return Seconds()


@pytest.fixture
def setup(qtbot, ledger, people, seconds, typer):
    """The window with a half-filled 记录走访 form open (non-modal), and the lock on a test clock."""
    ctx = AppContext(ledger)
    window = QMainWindow()
    window.setCentralWidget(QLineEdit("窗口里的内容"))
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    lock = IdleLock(ctx, window, clock=seconds, check_every_ms=0)
    form = VisitDialog(ctx, window)
    qtbot.addWidget(form)
    form.open()
    typer(form.notes_edit, "独居老人，电视坏了")
    return ctx, window, lock, form


def _type_into(widget, text):
    for ch in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))


def test_locks_after_the_idle_minutes_and_keeps_the_half_filled_form(setup, seconds, ledger, typer):
    ctx, window, lock, form = setup
    assert idle_minutes(ledger) == 15
    seconds.advance(14)
    assert not lock.check()
    _type_into(form.notes_edit, "。")          # activity: the idle time starts again
    seconds.advance(14)
    assert not lock.check()
    seconds.advance(1.5)
    assert lock.check() and lock.is_locked
    # nothing closed, every window covered, the form's text kept but not reachable
    assert form.isVisible() and window.isVisible()
    covered = {c.parentWidget() for c in lock.covers}
    assert {window, form} <= covered and all(c.isVisible() for c in lock.covers)
    _type_into(form.notes_edit, "不该出现")
    assert form.notes_edit.toPlainText() == "独居老人，电视坏了。"
    assert lock.form.username_edit.text() == "clerk"

    # a wrong password: refused, counted toward the lockout
    typer(lock.form.password_edit, "wrong-pass")
    lock.form.submit()
    assert lock.is_locked and "用户名或密码错误" in lock.form.error_label.text()
    assert ledger.scalar("SELECT failed_logins FROM users WHERE username = 'clerk'") == 1
    # another clerk's right password does not unlock
    lock.form.username_edit.setText("other")
    typer(lock.form.password_edit, "other2026")
    lock.form.submit()
    assert lock.is_locked and lock.form.error_label.text() == "只有“王芳”本人或管理员可以解锁。"
    # the same user does
    lock.form.username_edit.setText("clerk")
    typer(lock.form.password_edit, "clerk2026")
    lock.form.submit()
    assert not lock.is_locked and lock.covers == []
    assert ledger.operator.name == "王芳"
    assert form.isVisible() and form.notes_edit.toPlainText() == "独居老人，电视坏了。"
    _type_into(form.notes_edit, "已报修")
    assert form.notes_edit.toPlainText().endswith("已报修")


def test_an_administrator_unlocks_and_the_window_keeps_its_user(setup, seconds, ledger, typer):
    ctx, window, lock, form = setup
    seconds.advance(16)
    assert lock.check()
    lock.form.username_edit.setText("admin")
    typer(lock.form.password_edit, "admin2026")
    lock.form.submit()
    assert not lock.is_locked
    assert (ledger.operator.name, ledger.operator.role) == ("王芳", "工作人员")
    actions = [r["operator"] + r["action"] for r in ledger.query("SELECT operator, action FROM audit_log"
                                                                 " WHERE action LIKE '登录%' ORDER BY id")]
    assert actions[-1] == "管理员甲登录成功"


def test_the_setting_decides_and_zero_never_locks(setup, seconds, ledger):
    ctx, window, lock, form = setup
    ledger.set_setting("idle_lock_minutes", 5)
    seconds.advance(5)
    assert lock.check()
    lock.unlock()
    ledger.set_setting("idle_lock_minutes", 0)
    seconds.advance(600)
    assert not lock.check()


def test_nobody_logged_in_nothing_to_lock(qtbot, ledger, seconds):
    ledger.operator = Operator("测试员")        # no account: nobody could unlock
    window = QMainWindow()
    qtbot.addWidget(window)
    lock = IdleLock(AppContext(ledger), window, clock=seconds, check_every_ms=0)
    seconds.advance(60)
    assert not lock.check()


def test_the_main_window_locks_and_unlocks_on_its_own_ledger_file(qtbot, ledger_path, clock):
    """The window's lock, on a ledger file: the password is checked on the worker connection."""
    from models.ledger import open_db
    from ui.main_window import MainWindow

    ledger = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    accounts.create_first_admin(ledger, username="admin", display_name="管理员甲", password="admin2026")
    ctx = AppContext(ledger)
    window = MainWindow(ctx, start_page="visits")
    qtbot.addWidget(window)
    window.show()
    # the opening backup (a worker thread) ends first: the lock is what is tested here
    qtbot.waitUntil(lambda: window._auto_backup_op is None, timeout=10000)
    seconds = Seconds()
    window.idle_lock.clock = seconds
    window.idle_lock.last_activity = seconds()
    seconds.advance(15)
    assert window.idle_lock.check()
    page = window.page("visits")
    assert all(c.isVisible() for c in window.idle_lock.covers)
    window.idle_lock.form.password_edit.setText("admin2026")
    window.idle_lock.form.submit()
    qtbot.waitUntil(lambda: not window.idle_lock.is_locked, timeout=10000)
    assert page.isVisible() and window.idle_lock.covers == []
    ledger.close()


def test_a_window_opening_while_locked_is_covered_and_a_modal_one_takes_the_form(setup, seconds, qtbot, typer):
    from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

    ctx, window, lock, form = setup
    seconds.advance(16)
    assert lock.check()
    message = QDialog(window)
    QVBoxLayout(message).addWidget(QLabel("导出完成：张三 13812345678"))
    message.setModal(True)
    qtbot.addWidget(message)
    message.show()                      # e.g. the message at the end of an export
    qtbot.waitUntil(lambda: any(c.parentWidget() is message for c in lock.covers))
    assert lock.form.parentWidget().parentWidget() is message
    typer(lock.form.password_edit, "clerk2026")
    lock.form.submit()
    assert not lock.is_locked and message.isVisible() and form.isVisible()
