"""Where resource files and the user's own files live, frozen (PyInstaller) or not.

``resource_path("qss", "app.qss")`` finds a file shipped in ``resources/``; in a
PyInstaller onedir build the folder sits under ``sys._MEIPASS`` (build.spec copies
it there as ``resources``).  No Qt here, so the command line can use it too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _base() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """The path of a shipped resource file, e.g. ``resource_path("fonts", "x.ttf")``."""
    return _base().joinpath(*parts)


def docs_path(*parts: str) -> Path:
    """A file of the shipped ``docs/`` folder, e.g. ``docs_path("user-guide.md")``.

    build.spec copies ``docs/`` next to ``resources/`` (``sys._MEIPASS/docs`` when frozen);
    from the source tree it is the repository's ``docs/``."""
    frozen = getattr(sys, "_MEIPASS", None)
    base = Path(frozen) / "docs" if frozen else Path(__file__).resolve().parent.parent / "docs"
    return base.joinpath(*parts)


def user_data_dir() -> Path:
    """The per-user folder of GridLedger (default ledger, demo ledger, logs)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "GridLedger"


def default_db_path() -> Path:
    """The per-user default ledger file (used when no ``--db`` is given and no ledger is recent)."""
    return user_data_dir() / "网格台账.db"


def log_file() -> Path:
    """The log file bugs are written to (with their traceback)."""
    return user_data_dir() / "logs" / "gridledger.log"


def backup_root() -> Path:
    """The folder of automatic backups (one sub-folder per ledger): ``backups`` in the user's
    data folder, or ``GRIDLEDGER_BACKUP_DIR`` when set (tests, a clerk's own choice)."""
    override = os.environ.get("GRIDLEDGER_BACKUP_DIR")
    return Path(override) if override else user_data_dir() / "backups"
