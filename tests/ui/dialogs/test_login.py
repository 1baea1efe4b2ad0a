"""The window's login (issue 10): first start → create the 管理员 → log in; wrong passwords and the
lockout (which survives reopening); the forced password change; the remembered user name."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from models import demo
from models.core import accounts as A
from models.core.db import Operator
from models.ledger import open_db
from ui import app as app_module
from ui import ledger_files
from ui.context import AppContext
from ui.dialogs import first_start
from ui.dialogs import login as L

pytestmark = pytest.mark.real_login


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    home = tmp_path / "userdata"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home))
    return home


def _open(path, clock):
    return open_db(path, create=False, clock=clock, operator=ledger_files.nobody())


def _fill(dialog, **texts):
    for name, text in texts.items():
        getattr(dialog, name).setText(text)
    dialog.ok_button.click()


def test_first_start_creates_the_admin_then_they_log_in(qtbot, tmp_path, typer, user_dir, clock):
    # first start: a new ledger (the first-start dialog), then its 管理员
    start = first_start.FirstStartDialog(prefill_path=tmp_path / "台账.db")
    qtbot.addWidget(start)
    typer(start.form.community, "红旗社区")
    start.create_button.click()
    ledger = start.ledger
    ledger.clock = clock
    assert ledger.operator.role is None                       # nobody until someone logs in
    create = L.CreateAdminDialog(AppContext(ledger))
    qtbot.addWidget(create)
    typer(create.username, "admin")
    typer(create.display_name, "王主任")
    typer(create.password, "12345678")
    typer(create.password2, "12345678")
    create.ok_button.click()
    assert create.error.text() == "密码不能全是数字。" and not A.has_accounts(ledger)
    create.password.setText("good-pass1")
    create.ok_button.click()
    assert create.error.text() == "两次输入的密码不一致。"
    create.password2.setText("good-pass1")
    create.ok_button.click()
    assert create.result() == QDialog.Accepted
    assert (ledger.operator.name, ledger.operator.role) == ("王主任", "管理员")
    ledger.close()

    # the next opening: the login
    ledger = _open(tmp_path / "台账.db", clock)
    dialog = L.LoginDialog(AppContext(ledger), remembered="admin")
    qtbot.addWidget(dialog)
    assert dialog.username.text() == "admin" and dialog.demo_hint is None
    typer(dialog.password, "good-pass1")
    dialog.ok_button.click()
    assert dialog.result() == QDialog.Accepted
    assert ledger.operator.username == "admin" and ledger.operator.name == "王主任"
    ledger.close()


def test_five_wrong_passwords_lock_and_the_lock_survives_reopening(qtbot, tmp_path, clock):
    path = tmp_path / "lock.db"
    led = open_db(path, clock=clock)
    A.create_first_admin(led, username="admin", display_name="王主任", password="good-pass1")
    led.close()
    ledger = _open(path, clock)
    dialog = L.LoginDialog(AppContext(ledger), remembered="admin")
    qtbot.addWidget(dialog)
    for attempt in range(A.LOCKOUT_TRIES):
        _fill(dialog, password="wrong-pass1")
        assert dialog.result() != QDialog.Accepted
        assert dialog.password.text() == ""                   # cleared for the next try
    until = clock.value + dt.timedelta(minutes=A.LOCKOUT_MINUTES)
    assert "已锁定" in dialog.error.text() and until.strftime("%Y-%m-%d %H:%M") in dialog.error.text()
    ledger.close()

    ledger = _open(path, clock)                               # the program started again
    again = L.LoginDialog(AppContext(ledger), remembered="admin")
    qtbot.addWidget(again)
    _fill(again, password="good-pass1")
    assert again.result() != QDialog.Accepted and "已锁定" in again.error.text()
    clock.advance(minutes=A.LOCKOUT_MINUTES, seconds=1)
    _fill(again, password="good-pass1")
    assert again.result() == QDialog.Accepted
    ledger.close()


def test_first_login_forces_the_password_change(qtbot, ledger, monkeypatch):
    A.create_first_admin(ledger, username="admin", display_name="王主任", password="good-pass1")
    A.create_user(ledger, username="clerk", display_name="李干事", role="工作人员", password="first-pass1")
    ledger.operator = ledger_files.nobody()
    ctx = AppContext(ledger)

    def login_exec(dialog):
        _fill(dialog, username="clerk", password="first-pass1")
        return dialog.result()

    shown = []

    def change_exec(dialog):
        shown.append(dialog.buttons.button(QDialogButtonBox.Cancel).text())
        _fill(dialog, old="first-pass1", new="second-pass2", new2="second-pass")
        assert dialog.error.text() == "两次输入的新密码不一致。"
        _fill(dialog, old="first-pass1", new="second-pass2", new2="second-pass2")
        return dialog.result()

    monkeypatch.setattr(L.LoginDialog, "exec", login_exec)
    monkeypatch.setattr(L.ChangePasswordDialog, "exec", change_exec)
    assert L.log_in(ctx)
    assert shown == ["退出"]                                   # forced: cancelling means not logging in
    assert ledger.operator.name == "李干事" and not ledger.operator.must_change_password
    assert not A.find_user(ledger, "clerk").must_change_password

    monkeypatch.setattr(L.ChangePasswordDialog, "exec", lambda dialog: QDialog.Rejected)
    ledger.operator = Operator("王主任", user_id=A.find_user(ledger, "admin").id, role="管理员")
    A.reset_password(ledger, A.find_user(ledger, "clerk").id, "reset-pass1")
    monkeypatch.setattr(L.LoginDialog, "exec", lambda d: (_fill(d, username="clerk", password="reset-pass1"),
                                                          d.result())[1])
    assert not L.log_in(ctx)


def test_a_wrong_old_password_is_said_in_the_dialog(qtbot, ledger):
    A.create_first_admin(ledger, username="admin", display_name="王主任", password="good-pass1")
    dialog = L.ChangePasswordDialog(AppContext(ledger))
    qtbot.addWidget(dialog)
    _fill(dialog, old="not-it-123", new="other-pass2", new2="other-pass2")
    assert dialog.error.text() == "原密码不正确。" and dialog.result() != QDialog.Accepted
    _fill(dialog, old="good-pass1", new="other-pass2", new2="other-pass2")
    assert dialog.result() == QDialog.Accepted
    assert A.authenticate(ledger, "admin", "other-pass2")


def test_a_demo_ledger_lists_its_accounts(qtbot, ledger):
    A.create_first_admin(ledger, username="admin", display_name="王主任", password=demo.DEMO_PASSWORD)
    ledger.set_setting(demo.DEMO_SETTING, True)
    dialog = L.LoginDialog(AppContext(ledger))
    qtbot.addWidget(dialog)
    text = dialog.demo_hint.text()
    assert "demo1234" in text and all(name in text for name, _d, _r in demo.DEMO_USERS)


def test_the_user_name_is_remembered_never_the_password(qtbot, tmp_path, user_dir, clock, monkeypatch):
    path = tmp_path / "t.db"
    led = open_db(path, clock=clock)
    A.create_first_admin(led, username="admin", display_name="王主任", password="good-pass1")
    led.close()
    seen = []

    def login_exec(dialog):
        seen.append(dialog.username.text())
        _fill(dialog, username="admin", password="good-pass1")
        return dialog.result()

    monkeypatch.setattr(L.LoginDialog, "exec", login_exec)
    for _ in range(2):
        ledger = _open(path, clock)
        assert ledger_files.log_in_to(ledger)
        ledger.close()
    assert seen == ["", "admin"]
    ini = next(user_dir.rglob("settings.ini")).read_text(encoding="utf-8")
    assert "admin" in ini and "good-pass1" not in ini


def test_giving_up_the_login_opens_no_window(monkeypatch, tmp_path, user_dir, clock):
    import sys
    from types import SimpleNamespace

    path = tmp_path / "t.db"
    led = open_db(path, clock=clock)
    A.create_first_admin(led, username="admin", display_name="王主任", password="good-pass1")
    led.close()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(L.LoginDialog, "exec", lambda self: QDialog.Rejected)
    monkeypatch.setattr(app_module, "MainWindow", lambda *a, **k: pytest.fail("no window without a login"))
    assert app_module.run_gui(SimpleNamespace(db=str(path))) == 0


def test_only_the_startup_benchmark_logs_the_window_in_from_the_environment(monkeypatch, tmp_path, user_dir, clock):
    import sys
    from types import SimpleNamespace

    path = tmp_path / "t.db"
    led = open_db(path, clock=clock)
    A.create_first_admin(led, username="admin", display_name="王主任", password="good-pass1")
    led.close()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setenv("GRIDLEDGER_USER", "admin")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "good-pass1")
    seen = []
    monkeypatch.setattr(app_module, "MainWindow", lambda ctx, start_page=None: seen.append(ctx.ledger.operator)
                        or SimpleNamespace(first_page_shown=SimpleNamespace(connect=lambda s: None),
                                           showMaximized=lambda: None))
    monkeypatch.setattr(app_module, "create_application", lambda: SimpleNamespace(exec=lambda: 0))
    asked = []
    monkeypatch.setattr(L.LoginDialog, "exec", lambda self: asked.append(1) or QDialog.Rejected)
    assert app_module.run_gui(SimpleNamespace(db=str(path))) == 0
    assert asked == [1] and seen == []                 # the environment alone logs nobody in
    monkeypatch.setenv(app_module.STARTUP_MARK_ENV, "quit")
    assert app_module.run_gui(SimpleNamespace(db=str(path))) == 0
    assert asked == [1] and [op.username for op in seen] == ["admin"]
