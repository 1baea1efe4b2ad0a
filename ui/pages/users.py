"""用户管理 (管理员 only): the ledger's accounts, on :mod:`models.core.accounts`.

新增用户 (user name, display name, role, the grids a 网格员 covers, 可查看敏感信息, a first
password that must be changed at the first login), 修改角色/网格, 重置密码, 停用/启用,
授予/收回 可查看敏感信息.  Accounts are never deleted: the records they wrote keep their
name.  Every change is an operation (``users.manage``) and an audit row; the rules (the
password rule, at least one active 管理员 …) and their Chinese messages are the model's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QWidget)

from models.core import accounts
from models.core.permissions import ADMIN, GRID_STAFF, ROLES
from models.grids import hierarchy as grids_model
from ui.models.rows_model import Column, RowsTableModel, row_id
from ui.ops import LedgerOp
from ui.widgets.dialog_parts import error_label, line_edit, save_cancel_buttons, show_save_error
from ui.widgets.layout import hbox, vbox
from ui.widgets.list_page import action_button, list_view, page_head

USERS_ACTION = "users.manage"


def _state(user: accounts.User, now) -> str:
    if not user.active:
        return "已停用"
    if user.locked_until is not None and user.locked_until > now:
        return f"锁定至 {user.locked_until.strftime('%m-%d %H:%M')}"
    return "需修改密码" if user.must_change_password else "在用"


def _row(user: accounts.User, grid_names: dict[int, str], now) -> dict:
    """What the list shows of an account."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "grids": "、".join(grid_names.get(g, str(g)) for g in user.grid_ids) if user.role == GRID_STAFF
            else "全部", "sensitive": "是" if user.sensitive else "否", "state": _state(user, now),
            "active": user.active}


def _grey_when_disabled(row: dict):
    return None if row["active"] else QColor("gray")


COLUMNS = [
    Column("用户名", "username", raw=row_id, foreground=_grey_when_disabled),
    Column("显示名（制表人）", "display_name", foreground=_grey_when_disabled),
    Column("角色", "role", foreground=_grey_when_disabled),
    Column("负责网格", "grids", foreground=_grey_when_disabled),
    Column("可查看敏感信息", "sensitive", foreground=_grey_when_disabled),
    Column("状态", "state", foreground=_grey_when_disabled),
]


class GridChecklist(QListWidget):
    """The grids, each with a check box (the grids a 网格员 covers)."""

    def __init__(self, ledger, checked=(), parent=None):
        super().__init__(parent)
        self.setMaximumHeight(120)
        for grid in grids_model.grids(ledger):
            item = QListWidgetItem(grid["name"])
            item.setData(Qt.UserRole, grid["id"])
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if grid["id"] in checked else Qt.Unchecked)
            self.addItem(item)

    def checked_ids(self) -> list[int]:
        return [self.item(i).data(Qt.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.Checked]

    def check(self, names) -> None:
        """Tick the grids called ``names`` (tests, keyboard-free)."""
        for i in range(self.count()):
            if self.item(i).text() in names:
                self.item(i).setCheckState(Qt.Checked)


def _role_box(current: str | None = None) -> QComboBox:
    box = QComboBox()
    box.addItems(list(ROLES))
    if current:
        box.setCurrentText(current)
    return box


def _password_edit(placeholder: str) -> QLineEdit:
    edit = line_edit(placeholder)
    edit.setEchoMode(QLineEdit.Password)
    return edit


class _UserDialog(QDialog):
    """What the account dialogs share: the error line, 保存/取消, running one operation."""

    def _finish_form(self, form: QFormLayout, hint: str | None = None) -> None:
        self.error_label = error_label()
        self.buttons, self.save_button = save_cancel_buttons(self, self.save)
        items = [form]
        if hint:
            label = QLabel(hint)
            label.setObjectName("hint")
            label.setWordWrap(True)
            items.append(label)
        vbox(*items, self.error_label, self.buttons, parent=self)

    def _say(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _run(self, work, title: str) -> LedgerOp:
        return (LedgerOp(self.ctx, work, parent=self, title=title)
                .success(lambda _changes: self.accept())
                .failure(lambda exc: show_save_error(self, exc))
                .disabling(self.save_button).run())


class NewUserDialog(_UserDialog):
    """新增用户."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("新增用户")
        self.setMinimumWidth(460)
        self.username_edit = line_edit("登录用的名字，如 wangfang")
        self.display_edit = line_edit("打印在报表“制表人”处，如 王芳")
        self.role_box = _role_box("工作人员")
        self.grids = GridChecklist(ctx.ledger)
        self.sensitive_check = QCheckBox("可查看敏感信息（重点人员标签、完整身份证号）")
        self.password_edit = _password_edit("至少 8 位，不能全是数字，不能与用户名相同")
        self.confirm_edit = _password_edit("再输入一次")
        form = QFormLayout()
        form.addRow("用户名", self.username_edit)
        form.addRow("显示名", self.display_edit)
        form.addRow("角色", self.role_box)
        form.addRow("负责网格", self.grids)
        form.addRow("", self.sensitive_check)
        form.addRow("初始密码", self.password_edit)
        form.addRow("确认密码", self.confirm_edit)
        self._finish_form(form, "用户首次登录时必须修改这个初始密码。")
        self.role_box.currentTextChanged.connect(self._role_changed)
        self._role_changed(self.role_box.currentText())

    def _role_changed(self, role: str) -> None:
        self.grids.setEnabled(role == GRID_STAFF)
        self.sensitive_check.setChecked(role == ADMIN)

    def save(self) -> LedgerOp | None:
        if self.password_edit.text() != self.confirm_edit.text():
            self._say("两次输入的密码不一致。")
            return None
        values = dict(username=self.username_edit.text().strip(), display_name=self.display_edit.text().strip(),
                      role=self.role_box.currentText(), password=self.password_edit.text(),
                      grid_ids=self.grids.checked_ids(), sensitive=self.sensitive_check.isChecked(),
                      must_change_password=True)
        return self._run(lambda ledger: accounts.create_user.op(ledger, **values), "新增用户")


class RoleDialog(_UserDialog):
    """修改角色/网格 of one account."""

    def __init__(self, ctx, user: accounts.User, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setWindowTitle(f"修改角色 — {user.display_name}（{user.username}）")
        self.setMinimumWidth(420)
        self.role_box = _role_box(user.role)
        self.grids = GridChecklist(ctx.ledger, user.grid_ids)
        form = QFormLayout()
        form.addRow("角色", self.role_box)
        form.addRow("负责网格", self.grids)
        self._finish_form(form, "网格员只能看到并处理所负责网格的居民、事项和走访。")
        self.role_box.currentTextChanged.connect(lambda role: self.grids.setEnabled(role == GRID_STAFF))
        self.grids.setEnabled(user.role == GRID_STAFF)

    def save(self) -> LedgerOp:
        user_id, role, grid_ids = self.user.id, self.role_box.currentText(), self.grids.checked_ids()
        return self._run(lambda ledger: accounts.change_role.op(ledger, user_id, role, grid_ids), "修改角色")


class ResetPasswordDialog(_UserDialog):
    """重置密码: a new password the user must change at the next login."""

    def __init__(self, ctx, user: accounts.User, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setWindowTitle(f"重置密码 — {user.display_name}（{user.username}）")
        self.setMinimumWidth(420)
        self.password_edit = _password_edit("至少 8 位，不能全是数字，不能与用户名相同")
        self.confirm_edit = _password_edit("再输入一次")
        form = QFormLayout()
        form.addRow("新密码", self.password_edit)
        form.addRow("确认密码", self.confirm_edit)
        self._finish_form(form, "用户下次登录时必须修改这个密码；账号若已锁定，同时解除锁定。")

    def save(self) -> LedgerOp | None:
        if self.password_edit.text() != self.confirm_edit.text():
            self._say("两次输入的密码不一致。")
            return None
        user_id, password = self.user.id, self.password_edit.text()
        return self._run(lambda ledger: accounts.reset_password.op(ledger, user_id, password), "重置密码")


class UsersPage(QWidget):
    """用户管理."""

    REFRESH_AREAS = ("users", "grids", "*")

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
        self.new_button = action_button("新增用户", self.new_user, primary=True)
        self.role_button = action_button("修改角色/网格…", self.change_role)
        self.password_button = action_button("重置密码…", self.reset_password)
        self.active_button = action_button("停用", self.toggle_active)
        self.sensitive_button = action_button("授予敏感信息权限", self.toggle_sensitive)
        self.record_buttons = (self.role_button, self.password_button, self.active_button, self.sensitive_button)
        head = page_head("用户管理", *self.record_buttons, self.new_button)
        self.users: list[accounts.User] = []
        self.model = RowsTableModel(COLUMNS, self)
        self.view = list_view(self.model, (120, 140, 80, 260, 110, 120), stretch=3,
                              open_row=lambda _id: self.change_role())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        hint = QLabel("账号只能停用、不能删除（记录保留其姓名）；至少保留一个在用的管理员。")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        vbox(head, (self.view, 1), hbox((self.count_label, 1), hint), parent=self)
        ctx.changed.connect(self._on_changed)
        self.refresh()

    # -- showing ---------------------------------------------------------------------------
    def _on_changed(self, area: str) -> None:
        if area == "users":
            self._reread_own_account()
        if area in self.REFRESH_AREAS:
            self.refresh()

    def _reread_own_account(self) -> None:
        """A 管理员 who changed their own role works on with the new one at once (the pages they
        may no longer see are hidden)."""
        ledger = self.ctx.ledger
        before = ledger.operator
        if before.user_id is None:
            return
        after = accounts.refresh_operator(ledger)
        if (after.role, after.sensitive) != (before.role, before.sensitive) and self.ctx.window is not None:
            self.ctx.window.apply_roles()

    def refresh(self) -> None:
        if not self.ctx.may(USERS_ACTION):
            self.users = []
            self.model.set_rows([])
            for button in (self.new_button, *self.record_buttons):
                self.ctx.enable_if_allowed(button, USERS_ACTION)
            self.count_label.setText(self.ctx.refusal(USERS_ACTION))
            return
        ledger = self.ctx.ledger
        current = self.current_user()
        names = {g["id"]: g["name"] for g in grids_model.grids(ledger)}
        users = accounts.list_users(ledger)
        self.users = users
        now = ledger.now()
        self.model.set_rows([_row(u, names, now) for u in users])
        if current is not None:
            row = next((i for i, u in enumerate(users) if u.id == current.id), -1)
            if row >= 0:
                self.view.setCurrentIndex(self.model.index(row, 0))
        active = sum(u.active for u in users)
        self.count_label.setText(f"共 {len(users)} 个账号，{active} 个在用")
        self._update_buttons()

    def current_user(self) -> accounts.User | None:
        index = self.view.currentIndex()
        return self.users[index.row()] if index.isValid() and index.row() < len(self.users) else None

    def select(self, username: str) -> None:
        """Make the account ``username`` the current row."""
        for row, user in enumerate(self.users):
            if user.username == username:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return

    def _update_buttons(self) -> None:
        user = self.current_user()
        allowed = self.ctx.may(USERS_ACTION)
        self.new_button.setEnabled(allowed)
        for button in self.record_buttons:
            button.setEnabled(allowed and user is not None)
        self.active_button.setText("启用" if user is not None and not user.active else "停用")
        self.sensitive_button.setText("收回敏感信息权限" if user is not None and user.sensitive
                                      else "授予敏感信息权限")

    # -- actions ---------------------------------------------------------------------------
    def _open(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.open()
        return dialog

    def new_user(self) -> QDialog | None:
        return self._open(NewUserDialog(self.ctx, self)) if self.ctx.may(USERS_ACTION) else None

    def change_role(self) -> QDialog | None:
        user = self.current_user()
        return self._open(RoleDialog(self.ctx, user, self)) if user is not None else None

    def reset_password(self) -> QDialog | None:
        user = self.current_user()
        return self._open(ResetPasswordDialog(self.ctx, user, self)) if user is not None else None

    def _confirm_and_run(self, title: str, question: str, work) -> LedgerOp | None:
        if QMessageBox.question(self, title, question) != QMessageBox.Yes:
            return None
        return (LedgerOp(self.ctx, work, parent=self, title=title)
                .failure(lambda exc: QMessageBox.warning(self, title, str(exc))).run())

    def toggle_active(self) -> LedgerOp | None:
        user = self.current_user()
        if user is None:
            return None
        user_id = user.id
        if user.active and user_id == self.ctx.ledger.operator.user_id:
            QMessageBox.warning(self, "停用用户", "不能停用自己正在使用的账号；请由另一位管理员停用。")
            return None
        if user.active:
            return self._confirm_and_run(
                "停用用户", f"停用“{user.display_name}（{user.username}）”？\n停用后不能再登录，"
                           "其经手的记录仍保留其姓名；以后可以重新启用。",
                lambda ledger: accounts.disable_user.op(ledger, user_id))
        return self._confirm_and_run("启用用户", f"重新启用“{user.display_name}（{user.username}）”？",
                                     lambda ledger: accounts.enable_user.op(ledger, user_id))

    def toggle_sensitive(self) -> LedgerOp | None:
        user = self.current_user()
        if user is None:
            return None
        user_id, allowed = user.id, not user.sensitive
        if allowed:
            question = (f"允许“{user.display_name}”查看敏感信息？\n包括重点人员标签和完整身份证号；"
                        "查看和导出完整号码都会记入操作日志。")
        else:
            question = f"收回“{user.display_name}”查看敏感信息的权限？"
        return self._confirm_and_run("敏感信息权限", question,
                                     lambda ledger: accounts.set_sensitive.op(ledger, user_id, allowed))
