"""Logging in to a ledger in the window (issue 10): the first 管理员, the login, changing a password.

- :class:`CreateAdminDialog`: a ledger without accounts (new, or made before accounts existed)
  gets its 管理员: user name, display name, password typed twice.  Done = logged in.
- :class:`LoginDialog`: every opening of a ledger.  The user name is remembered per PC
  (``ui.ledger_files``), never the password; a locked account's message says until when; a
  demo ledger lists its demo accounts.
- :class:`ChangePasswordDialog`: the user's own password (菜单 文件 ▸ 修改密码, and forced at the
  first login or after a 管理员 reset it).

The work is ``models.core.accounts`` run through :class:`ui.ops.LedgerOp`; the dialogs only
collect what the clerk typed and show the Chinese messages.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from models import demo
from models.core import accounts
from models.core.errors import LedgerError
from ui import ops
from ui.context import AppContext


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.Password)
    edit.setMaxLength(128)
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    return label


class _AccountDialog(QDialog):
    """What the three dialogs share: a form, an error line, OK/cancel and one operation at a time."""

    def __init__(self, ctx: AppContext, title: str, ok_text: str, cancel_text: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.button(QDialogButtonBox.Cancel).setText(cancel_text)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.setMinimumWidth(440)

    def finish_layout(self) -> None:
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def submit(self) -> None:  # pragma: no cover - every dialog defines it
        raise NotImplementedError

    def show_error(self, error: LedgerError) -> None:
        self.error.setText(str(error))
        self.ok_button.setEnabled(True)

    def run(self, fn, on_success) -> None:
        self.error.clear()
        ops.LedgerOp(self.ctx, fn, parent=self, title=self.windowTitle()) \
            .success(on_success).failure(self.show_error).disabling(self.ok_button).run()


class CreateAdminDialog(_AccountDialog):
    """The first 管理员 of a ledger without accounts.  Accepted = logged in as them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "创建管理员账号", "创建并登录", "退出", parent)
        intro = QLabel("这个台账还没有任何账号。请先创建管理员账号：管理员可以添加其他用户、"
                       "分配角色和网格。请牢记密码，密码只以加密形式保存，无法找回。")
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.username = QLineEdit()
        self.username.setPlaceholderText("登录时输入，例如 admin")
        self.username.setMaxLength(accounts.MAX_USERNAME_LENGTH)
        self.display_name = QLineEdit()
        self.display_name.setPlaceholderText("打印在报表“制表人”处，例如 王主任")
        self.display_name.setMaxLength(32)
        self.password = _password_edit()
        self.password.setPlaceholderText(f"至少 {accounts.MIN_PASSWORD_LENGTH} 位，不能全是数字")
        self.password2 = _password_edit()
        self.form.addRow("用户名：", self.username)
        self.form.addRow("显示名：", self.display_name)
        self.form.addRow("密码：", self.password)
        self.form.addRow("再次输入密码：", self.password2)
        self.finish_layout()
        self.username.setFocus()

    def submit(self) -> None:
        username, display = self.username.text().strip(), self.display_name.text().strip()
        password = self.password.text()
        problem = (accounts.username_problem(username)
                   or ("请填写显示名（打印在报表“制表人”处的名字）。" if not display else None)
                   or accounts.password_problem(username, password)
                   or ("两次输入的密码不一致。" if password != self.password2.text() else None))
        if problem:
            self.error.setText(problem)
            return

        def done(changes) -> None:
            self.ctx.ledger.operator = changes.result
            self.accept()

        self.run(lambda ledger: accounts.create_first_admin.op(
            ledger, username=username, display_name=display, password=password), done)


class LoginDialog(_AccountDialog):
    """登录.  Accepted = ``ctx.ledger.operator`` is the account (maybe still to change its password)."""

    def __init__(self, ctx: AppContext, remembered: str = "", parent: QWidget | None = None):
        super().__init__(ctx, "登录网格台账", "登录", "退出", parent)
        ledger = ctx.ledger
        where = QLabel(f"台账：{ledger.community_name or '（未设置社区）'}\n{ledger.path or ''}")
        where.setWordWrap(True)
        where.setObjectName("hint")
        self.layout_.addWidget(where)
        self.username = QLineEdit(remembered)
        self.username.setMaxLength(accounts.MAX_USERNAME_LENGTH)
        self.password = _password_edit()
        self.form.addRow("用户名：", self.username)
        self.form.addRow("密码：", self.password)
        if demo.is_demo_ledger(ledger):
            lines = "\n".join(f"{name}　{role}　{display}" for name, display, role in demo.DEMO_USERS)
            self.demo_hint = QLabel(f"演示台账的账号（密码都是 {demo.DEMO_PASSWORD}）：\n{lines}")
            self.demo_hint.setObjectName("hint")
            self.demo_hint.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.layout_.addWidget(self.demo_hint)
        else:
            self.demo_hint = None
        self.finish_layout()
        (self.password if remembered else self.username).setFocus()

    def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self.error.setText("请输入用户名。")
            return
        if not password:
            self.error.setText("请输入密码。")
            return

        def done(operator) -> None:
            self.ctx.ledger.operator = operator
            self.accept()

        def refused(error: LedgerError) -> None:
            self.show_error(error)
            self.password.clear()
            self.password.setFocus()

        self.error.clear()
        ops.LedgerOp(self.ctx, lambda ledger: accounts.authenticate(ledger, username, password),
                     parent=self, title="登录").success(done).failure(refused) \
            .disabling(self.ok_button).run()


class ChangePasswordDialog(_AccountDialog):
    """The logged-in user's own password.  ``forced``: the first login (cancel = not logged in)."""

    def __init__(self, ctx: AppContext, forced: bool = False, parent: QWidget | None = None):
        super().__init__(ctx, "修改密码", "修改", "退出" if forced else "取消", parent)
        if forced:
            note = QLabel(f"“{ctx.ledger.operator.name}”，这是您第一次登录（或管理员刚重置了您的密码），"
                          "请先设置自己的新密码。")
            note.setWordWrap(True)
            self.layout_.addWidget(note)
        self.old = _password_edit()
        self.new = _password_edit()
        self.new.setPlaceholderText(f"至少 {accounts.MIN_PASSWORD_LENGTH} 位，不能全是数字")
        self.new2 = _password_edit()
        self.form.addRow("原密码：", self.old)
        self.form.addRow("新密码：", self.new)
        self.form.addRow("再次输入新密码：", self.new2)
        self.finish_layout()
        self.old.setFocus()

    def submit(self) -> None:
        old, new = self.old.text(), self.new.text()
        if new != self.new2.text():
            self.error.setText("两次输入的新密码不一致。")
            return
        problem = accounts.password_problem(self.ctx.ledger.operator.username or "", new)
        if problem:
            self.error.setText(problem)
            return

        def done(_changes) -> None:
            self.ctx.ledger.operator.must_change_password = False
            self.accept()

        self.run(lambda ledger: accounts.change_own_password.op(ledger, old, new), done)


def log_in(ctx: AppContext, parent: QWidget | None = None, remembered: str = "") -> bool:
    """Log ``ctx.ledger`` in: the first 管理员, or the login (then a forced password change).

    Returns:
        whether someone is logged in (False: the clerk gave up; the ledger must not be used).
    """
    if not accounts.has_accounts(ctx.ledger):
        return CreateAdminDialog(ctx, parent).exec() == QDialog.Accepted
    if LoginDialog(ctx, remembered, parent).exec() != QDialog.Accepted:
        return False
    if ctx.ledger.operator.must_change_password:
        return ChangePasswordDialog(ctx, forced=True, parent=parent).exec() == QDialog.Accepted
    return True
