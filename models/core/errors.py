"""The two kinds of error (after qutebrowser's misc/sql.py).

``LedgerError`` and its subclasses carry a message in Chinese meant for the clerk:
bad input, an action the workflow forbids, a locked or unreadable file.  Anything
else that escapes models/ is our bug and is logged with a traceback.
"""

import errno


class LedgerError(Exception):
    """An error whose message (Chinese) can be shown to the clerk as it is."""


class ValidationError(LedgerError):
    """Input that breaks a rule of SPEC §7. ``field`` names the offending field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(LedgerError):
    """A record the caller named does not exist."""


class WorkflowError(LedgerError):
    """An action the matter workflow (or another rule table) does not allow."""


class EnvironmentProblem(LedgerError):
    """Disk full, file locked, read-only or not a ledger: the environment's fault."""


class Cancelled(LedgerError):
    """The clerk cancelled a long operation; nothing was written."""


# -- the environment's faults, by SQLite's primary result code -------------------------
# (https://www.sqlite.org/rescode.html; Python 3.11+ exposes ``sqlite_errorcode``)
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26

#: primary code → the clerk's message
ENVIRONMENT_MESSAGES: dict[int, str] = {
    SQLITE_BUSY: "台账文件正被其他程序或其他电脑占用，请稍后再试。",
    SQLITE_LOCKED: "台账文件正被其他程序或其他电脑占用，请稍后再试。",
    SQLITE_FULL: "磁盘空间已满，本次修改未保存。请清理磁盘后重试。",
    SQLITE_READONLY: "台账文件是只读的（可能在光盘或受保护的文件夹中），无法保存修改。",
    SQLITE_PERM: "没有访问台账文件的权限，请检查文件夹的权限设置。",
    SQLITE_IOERR: "读写台账文件时出错（磁盘或网络故障），本次操作未完成。请检查磁盘或网络后重试。",
    SQLITE_CORRUPT: "台账文件已损坏。请从备份恢复，或联系技术人员。",
    SQLITE_CANTOPEN: "无法打开台账文件：文件夹不存在或没有权限。",
    SQLITE_NOTADB: "这个文件不是网格台账文件，或文件已损坏。",
}


def sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of ``exc`` (None when it carries none)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def classify(exc: BaseException) -> LedgerError | None:
    """Sort an exception into the clerk's kind or ours.

    Returns:
        ``exc`` itself when it is already a :class:`LedgerError`; an
        :class:`EnvironmentProblem` for SQLite errors that are the environment's fault
        (busy/locked, full, read-only, I/O, corrupt, not a database …) and for disk-full
        or permission ``OSError``s; ``None`` for everything else — our bug, to be logged
        with its traceback.
    """
    if isinstance(exc, LedgerError):
        return exc
    code = sqlite_code(exc)
    if code in ENVIRONMENT_MESSAGES:
        problem = EnvironmentProblem(ENVIRONMENT_MESSAGES[code])
        problem.__cause__ = exc
        return problem
    if isinstance(exc, OSError) and not isinstance(exc, (FileNotFoundError, IsADirectoryError)):
        if exc.errno == errno.ENOSPC:
            return EnvironmentProblem("磁盘空间已满，本次操作未完成。请清理磁盘后重试。")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = f"：{exc.filename}" if exc.filename else ""
            return EnvironmentProblem(f"没有写入权限{where}。请换一个文件夹，或检查文件是否被打开。")
    return None
