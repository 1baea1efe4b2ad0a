"""Which ledger file the window works on: the 最近打开 list, opening a file, the file dialogs' filter.

Shared by the application start (``ui.app``), the main window's 文件 menu and the
first-start dialog, so none of them imports another for it.  The per-user default
ledger is :func:`resources.paths.default_db_path` (the command line's too).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

import dataclasses

from models.core.db import NOBODY, Ledger
from models.core.errors import LedgerError
from models import salvage
from models.ledger import open_db
from resources.paths import user_data_dir

LEDGER_FILTER = "网格台账 (*.db *.sqlite *.sqlite3);;所有文件 (*)"
MAX_RECENT = 8


def app_settings() -> QSettings:
    """The window's own settings (recent ledgers, geometry): an ini file in the user's data folder."""
    return QSettings(str(user_data_dir() / "settings.ini"), QSettings.IniFormat)


def recent_ledgers() -> list[Path]:
    """The 最近打开 list, most recent first (files that have gone are still listed)."""
    value = app_settings().value("recent_ledgers", [])
    if isinstance(value, str):
        value = [value]
    return [Path(v) for v in (value or []) if v]


def remember_ledger(path: Path) -> None:
    """Put ``path`` at the top of the 最近打开 list."""
    path = Path(path).resolve()
    items = [path] + [p for p in recent_ledgers() if p != path]
    settings = app_settings()
    settings.setValue("recent_ledgers", [str(p) for p in items[:MAX_RECENT]])
    settings.sync()


def open_ledger_file(path: Path, parent: QWidget | None = None, *, quiet: bool = False,
                     title: str = "无法打开台账") -> Ledger | None:
    """Open an existing ledger; why it cannot be opened is shown in Chinese and gives None.

    Opening runs on the GUI thread: it only reads the header and checks the migrations.
    """
    try:
        return open_db(path, create=False, operator=nobody())
    except LedgerError as exc:
        if quiet:
            return None
        damage = salvage.diagnose(path) if salvage.looks_like_sqlite(path) else None
        if damage is None:
            QMessageBox.warning(parent, title, str(exc))
            return None
    # damaged beyond opening: explain, offer the latest backup or salvage (ui.dialogs.restore)
    from ui.dialogs.restore import answer_damage

    again = answer_damage(damage, parent)
    if again is None:
        return None
    try:
        return open_db(again, create=False, operator=nobody())
    except LedgerError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return None


def nobody():
    """The operator of a ledger the window opened and nobody has logged in to yet (may do nothing)."""
    return dataclasses.replace(NOBODY)


def remembered_user() -> str:
    """The user name last logged in on this PC (the password is never remembered)."""
    return str(app_settings().value("last_user", "") or "")


def remember_user(username: str) -> None:
    settings = app_settings()
    settings.setValue("last_user", username)
    settings.sync()


def log_in_to(ledger: Ledger, parent: QWidget | None = None) -> bool:
    """Ask who works on ``ledger`` (the first 管理员, or the login and a forced password change:
    ``ui.dialogs.login``).  Returns whether someone logged in; the user name is remembered.

    On False the ledger's operator is nobody again and the caller must not use it.
    """
    from ui.context import AppContext
    from ui.dialogs.login import log_in

    ok = log_in(AppContext(ledger), parent, remembered_user())
    if ok and ledger.operator.username:
        remember_user(ledger.operator.username)
    if not ok:
        ledger.operator = nobody()
    return ok
