"""The two kinds of error (after qutebrowser's misc/sql.py).

``LedgerError`` and its subclasses carry a message in Chinese meant for the clerk:
bad input, an action the workflow forbids, a locked or unreadable file.  Anything
else that escapes models/ is our bug and is logged with a traceback.

Where an error crosses to the clerk (the command line's ``cli.run``, the window's
``ui.errors``/``ui.app`` hooks, ``Ledger.write`` and ``connect``), it goes through
:func:`classify`: SQLite errors are sorted by their *result code*, never by their
message text, so a lock or an I/O error during a read is the environment's fault
just as during a write.  What :func:`classify` does not know is a bug:
:func:`log_bug` writes it with its traceback to the log file (:func:`setup_logging`)
and the clerk reads :func:`bug_message`.  No Qt here: the command line uses it too.
"""

import errno
import logging
import logging.handlers
import re
import unicodedata
import traceback
from pathlib import Path

from models.core.idcard import mask


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


# -- our bugs: logged with their traceback, told calmly -----------------------------------

log = logging.getLogger("gridledger")

#: what looks like an ID number (18 characters, or a legacy 15-digit one, whole or written in
#: groups 6-8-4) or a mainland mobile number (11 digits from 13…19, whole or 3-4-4) in a logged
#: text, once every digit of any script is an ASCII one (:func:`_ascii_digits`)
_PERSONAL_NUMBER = re.compile(
    r"(?<![0-9])(?:(?P<id>[0-9]{17}[0-9Xx]|[0-9]{15})"
    r"|(?P<id6>[0-9]{6})(?P<sep>[ -])(?P<id8>[0-9]{8})(?P=sep)(?P<id4>[0-9]{3}[0-9Xx])"
    r"|(?P<m3>1[3-9][0-9])(?P<msep>[ -]?)(?P<m4>[0-9]{4})(?P=msep)(?P<mtail>[0-9]{4}))(?![0-9Xx])")


def bug_message(log_path: Path | str) -> str:
    """What the clerk reads when a bug stopped an operation (the same words everywhere)."""
    return ("程序内部出错，本次操作没有完成。\n"
            f"详细信息已记录到日志文件：{log_path}\n请把该文件发给技术支持人员。")


def setup_logging(path: Path) -> bool:
    """Send the ``gridledger`` log (bugs with their traceback) to a rotating file at ``path``.

    One log file per process: calling it again with another path moves the log there
    (tests give each test its own user folder).  Returns False when the file cannot be
    created (a read-only profile): the log then goes nowhere but the console.
    """
    path = Path(path).absolute()
    ours = [h for h in log.handlers if getattr(h, "gridledger_log", False)]
    if any(h.baseFilename == str(path) for h in ours):
        return True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError:
        return False
    for old in ours:
        log.removeHandler(old)
        old.close()
    handler.gridledger_log = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return True


def scrub(text: str) -> str:
    """``text`` with anything shaped like an ID number or a mobile number masked (the log is not
    personal data)."""
    plain = _ascii_digits(text)        # the same length: positions in it are positions in text
    out, at = [], 0
    for m in _PERSONAL_NUMBER.finditer(plain):
        if m.group("id"):
            masked = mask(m.group("id").upper())
        elif m.group("id6"):
            masked = mask((m.group("id6") + m.group("id8") + m.group("id4")).upper())
        else:
            masked = f"{m.group('m3')}****{m.group('mtail')}"
        out += [text[at:m.start()], masked]
        at = m.end()
    out.append(text[at:])
    return "".join(out)


def _ascii_digits(text: str) -> str:
    """``text`` with every digit of any script (Arabic-Indic ٣, full-width ３, Ethiopic ፫ …) an
    ASCII digit and a full-width Ｘ an X: one character for one, so the positions stay."""
    if text.isascii():
        return text
    return "".join(c if c < "\x80" else _ASCII_DIGIT.get(c) or _digit(c) for c in text)


_ASCII_DIGIT = {"Ｘ": "X", "ｘ": "x"}


def _digit(c: str) -> str:
    d = unicodedata.digit(c, None)
    return c if d is None else str(d)


def log_bug(exc: BaseException, tb: str | None = None) -> None:
    """Log a bug: the exception and its traceback (source lines, never local variables).

    ``tb`` is a traceback already formatted elsewhere (a worker thread's); by default
    the exception's own.  ID-shaped numbers in the text are masked, in case a message
    quoted a value.
    """
    text = tb or "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("未处理的异常：%s\n%s", scrub(f"{type(exc).__name__}: {exc}"), scrub(text))
