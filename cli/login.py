"""Logging in on the command line (issue 10): ``--user``/``GRIDLEDGER_USER``, the password from a
prompt without echo or ``GRIDLEDGER_PASSWORD``.

Every command that opens a ledger logs in through :func:`log_in` (``cli.open_ledger`` calls it):
the account's role, grids and 可查看敏感信息 flag then apply exactly as in the window.  A
ledger without any account (a path that did not exist yet, or an old ledger) gets its 管理员
from the same two values, so scripts keep working::

    GRIDLEDGER_USER=admin GRIDLEDGER_PASSWORD=… python main.py --db new.db import residents F.xlsx

An account that must change its password (new, or reset by a 管理员) is asked for a new one
on a terminal, or takes it from ``GRIDLEDGER_NEW_PASSWORD``.
"""

from __future__ import annotations

import getpass
import os
import sys

from models.core import accounts
from models.core.db import Ledger, Operator
from models.core.errors import LedgerError

USER_VARIABLE = "GRIDLEDGER_USER"
PASSWORD_VARIABLE = "GRIDLEDGER_PASSWORD"
#: the logged-in account's new password when it must change it (first login, after a reset)
NEW_PASSWORD_VARIABLE = "GRIDLEDGER_NEW_PASSWORD"
#: the password ``user add`` / ``user reset-password`` give to another account
USER_PASSWORD_VARIABLE = "GRIDLEDGER_USER_PASSWORD"


class LoginNeeded(LedgerError):
    """A value needed to log in is missing and there is no terminal to ask on."""


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def username(args) -> str:
    """The user name: ``--user``, else ``GRIDLEDGER_USER``, else asked on the terminal."""
    name = (getattr(args, "user", None) or os.environ.get(USER_VARIABLE) or "").strip()
    if name:
        return name
    if _interactive():
        name = input("用户名：").strip()
        if name:
            return name
    raise LoginNeeded(f"请用 --user 或环境变量 {USER_VARIABLE} 指定用户名。")


def ask_password(prompt: str, variable: str, *, twice: bool = False) -> str:
    """A password from ``variable``, else typed (no echo; ``twice`` asks again to confirm)."""
    value = os.environ.get(variable)
    if value:
        return value
    if not _interactive():
        raise LoginNeeded(f"请在终端中输入密码，或用环境变量 {variable} 提供。")
    first = getpass.getpass(prompt)
    if twice and getpass.getpass("再输入一次：") != first:
        raise LoginNeeded("两次输入的密码不一致。")
    return first


def log_in(ledger: Ledger, args) -> Operator:
    """Log ``ledger`` in as the command line's user (creating the 管理员 of a ledger without accounts).

    Raises:
        LoginRefused: a wrong user name or password, a locked or disabled account (exit 1).
        LoginNeeded: no user name or password and no terminal to ask on.
    """
    name = username(args)
    if not accounts.has_accounts(ledger):
        password = ask_password(f"台账还没有账号，将创建管理员“{name}”。设置密码：", PASSWORD_VARIABLE, twice=True)
        operator = accounts.create_first_admin(ledger, username=name, display_name=name, password=password)
        print(f"已创建管理员账号“{name}”。", file=sys.stderr)
        return operator
    password = ask_password(f"{name} 的密码：", PASSWORD_VARIABLE)
    operator = accounts.authenticate(ledger, name, password)
    if operator.must_change_password:
        new = os.environ.get(NEW_PASSWORD_VARIABLE)
        if not new:
            if not _interactive():
                raise accounts.LoginRefused(
                    f"账号“{name}”首次登录（或密码被重置后）必须先修改密码：请在终端中运行并按提示修改，"
                    f"或用环境变量 {NEW_PASSWORD_VARIABLE} 提供新密码。")
            new = ask_password("首次登录须修改密码。新密码：", NEW_PASSWORD_VARIABLE, twice=True)
        accounts.change_own_password(ledger, password, new)
        print("密码已修改。", file=sys.stderr)
    return ledger.operator
