"""用户管理: a 管理员 adds a 网格员, resets a password, changes a role, grants 可查看敏感信息, disables."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from models.core import accounts
from models.core.db import Operator
from tests.ui.matters_helpers import build_place
from ui.context import AppContext
from ui.pages.users import NewUserDialog, UsersPage

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def admin(ledger):
    build_place(ledger)
    return accounts.create_first_admin(ledger, username="admin", display_name="管理员甲", password="demo1234x")


@pytest.fixture
def page(qtbot, ledger, admin):
    widget = UsersPage(AppContext(ledger))
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def answers(monkeypatch):
    """QMessageBox.question answers Yes; warnings are collected."""
    seen = {"questions": [], "warnings": []}
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a: seen["questions"].append(text) or QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: seen["warnings"].append(text))
    return seen


def _table(page) -> list[tuple]:
    m = page.model
    return [tuple(m.data(m.index(r, c)) for c in range(m.columnCount())) for r in range(m.rowCount())]


def _add(page, qtbot, typer, *, username="wangfang", display="王芳", role="网格员", grids=("第一网格",),
         password="grid2026a", confirm=None) -> NewUserDialog:
    dialog = page.new_user()
    qtbot.addWidget(dialog)
    typer(dialog.username_edit, username)
    typer(dialog.display_edit, display)
    dialog.role_box.setCurrentText(role)
    dialog.grids.check(grids)
    typer(dialog.password_edit, password)
    typer(dialog.confirm_edit, password if confirm is None else confirm)
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    return dialog


def test_add_a_grid_worker_who_must_change_the_password(page, qtbot, typer, ledger):
    dialog = _add(page, qtbot, typer, confirm="grid2026b")
    assert dialog.error_label.text() == "两次输入的密码不一致。" and dialog.isVisible()
    dialog.confirm_edit.clear()
    typer(dialog.confirm_edit, "grid2026a")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert not dialog.isVisible()
    rows = {r[0]: r for r in _table(page)}
    assert rows["wangfang"] == ("wangfang", "王芳", "网格员", "第一网格", "否", "需修改密码")
    assert rows["admin"][2:] == ("管理员", "全部", "是", "在用")
    operator = accounts.authenticate(ledger, "wangfang", "grid2026a")
    assert operator.must_change_password and operator.role == "网格员"


@pytest.mark.parametrize("fields, message", [
    ({"password": "12345678"}, "密码不能全是数字。"),
    ({"password": "short1"}, "密码至少需要 8 个字符。"),
    ({"username": "wang fang"}, "用户名只能包含汉字、字母、数字、下划线、点和减号，不能有空格。"),
    ({"username": "admin"}, "用户名“admin”已被使用。"),
    ({"grids": ()}, "网格员至少要负责一个网格。"),
    ({"display": ""}, "请填写显示名（打印在报表“制表人”处的名字）。"),
])
def test_clear_chinese_messages(page, qtbot, typer, fields, message):
    dialog = _add(page, qtbot, typer, **fields)
    assert dialog.isVisible() and dialog.error_label.text() == message
    assert [r[0] for r in _table(page)] == ["admin"]


def test_reset_password_change_role_grant_sensitive_disable(page, qtbot, typer, ledger, answers):
    _add(page, qtbot, typer)
    page.select("wangfang")
    assert page.active_button.text() == "停用" and page.sensitive_button.text() == "授予敏感信息权限"

    dialog = page.reset_password()
    qtbot.addWidget(dialog)
    typer(dialog.password_edit, "newpass2026")
    typer(dialog.confirm_edit, "newpass2026")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert accounts.authenticate(ledger, "wangfang", "newpass2026").must_change_password
    ledger.operator = Operator("管理员甲", user_id=1, role="管理员")

    page.select("wangfang")
    dialog = page.change_role()
    qtbot.addWidget(dialog)
    dialog.role_box.setCurrentText("工作人员")
    assert not dialog.grids.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert {r[0]: r for r in _table(page)}["wangfang"][2:4] == ("工作人员", "全部")

    page.select("wangfang")
    qtbot.mouseClick(page.sensitive_button, Qt.LeftButton)
    assert "查看敏感信息" in answers["questions"][-1]
    assert {r[0]: r for r in _table(page)}["wangfang"][4] == "是"
    assert page.sensitive_button.text() == "收回敏感信息权限"

    qtbot.mouseClick(page.active_button, Qt.LeftButton)
    assert {r[0]: r for r in _table(page)}["wangfang"][5] == "已停用"
    assert page.active_button.text() == "启用"
    actions = [r["action"] for r in ledger.query("SELECT action FROM audit_log WHERE table_name = 'users'"
                                                   " AND operator = '管理员甲' ORDER BY id")]
    assert actions[-4:] == ["重置密码", "修改角色", "授予敏感信息权限", "停用用户"]


def test_the_last_administrator_cannot_be_disabled(page, qtbot, answers, ledger):
    ledger.operator = Operator("维护人员", role="管理员")   # not the admin account itself
    page.select("admin")
    qtbot.mouseClick(page.active_button, Qt.LeftButton)
    assert answers["warnings"] == ["至少要保留一个在用的管理员账号。"]
    assert _table(page)[0][5] == "在用"


def test_model_passes_the_model_tester(page, qtmodeltester):
    qtmodeltester.check(page.model)


@pytest.mark.parametrize("role", ["工作人员", "网格员", "督导员"])
def test_other_roles_can_do_nothing_here(ledger, admin, qtbot, role):
    ledger.operator = Operator("某人", role=role)
    widget = UsersPage(AppContext(ledger))
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 0
    assert not any(b.isEnabled() for b in (widget.new_button, *widget.record_buttons))
    assert widget.new_user() is None
    assert "只有管理员可以管理用户" in widget.count_label.text()


def test_an_administrator_cannot_disable_themself_and_a_role_change_applies_at_once(ledger, admin, qtbot, typer,
                                                                                  answers):
    ctx = AppContext(ledger)
    page = UsersPage(ctx)
    qtbot.addWidget(page)
    accounts.create_user(ledger, username="second", display_name="管理员乙", role="管理员", password="second2026")
    page.refresh()
    page.select("admin")
    qtbot.mouseClick(page.active_button, Qt.LeftButton)
    assert answers["warnings"] == ["不能停用自己正在使用的账号；请由另一位管理员停用。"]
    assert {r[0]: r for r in _table(page)}["admin"][5] == "在用"
    # the 管理员 makes themself a 工作人员: the window's operator follows, 用户管理 is closed to them
    dialog = page.change_role()
    qtbot.addWidget(dialog)
    dialog.role_box.setCurrentText("工作人员")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert ledger.operator.role == "工作人员"
    assert not page.new_button.isEnabled() and page.model.rowCount() == 0
