"""Opening a ledger: the one place for connection rules, migrations and the write context.

A *ledger* is one SQLite file.  :func:`open_db` returns a :class:`Ledger`, the facade
every models/ function takes as its first argument (after Anki's ``Collection``).  It
holds the sqlite-utils ``Database``, the operator whose name goes on every write, and
the clock (injectable, so tests can stand at 23:59:59 on the last day of a month).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from models.core.errors import SQLITE_NOTADB, EnvironmentProblem, NotFound, classify, sqlite_code
from models.core.masking import mask_audit_value

#: Timestamps are local wall-clock time, as the clerk reads them, to the second.
TS_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

BUSY_TIMEOUT_MS = 5000

#: index writes gathered inside Ledger.bulk_writes before they are written (see execute_later)
LATER_BATCH = 5000


def ts(value: _dt.datetime) -> str:
    """Format a datetime the way every timestamp column stores it (``YYYY-MM-DD HH:MM:SS``).

    ``isoformat`` gives the same text as ``strftime(TS_FORMAT)`` for the naive datetimes
    of years 1000–9999 the ledger holds, three times faster (an import formats hundreds of
    thousands)."""
    if value.tzinfo is None and value.year >= 1000:
        return value.isoformat(" ", "seconds")
    return value.strftime(TS_FORMAT)


def parse_ts(value: str) -> _dt.datetime:
    """Parse a stored timestamp (``YYYY-MM-DD HH:MM:SS``)."""
    return _dt.datetime.strptime(value, TS_FORMAT)


def default_operator() -> str:
    """The operator name used until users log in: the OS account name."""
    try:
        return getpass.getuser() or "管理员"
    except Exception:  # noqa: BLE001 - no login name on some Windows service accounts
        return "管理员"


@dataclass
class Operator:
    """Who is reading and writing: the logged-in user (``models.core.accounts.authenticate``).

    ``open_db(path, operator=Operator(...))`` is the trusted in-process API (tests, the demo,
    maintenance scripts): the operator given is believed.  The command line and the window
    log in instead, and their operator comes from the account.

    Attributes:
        name: the display name, written on every event, 定稿, adjustment, audit row and
            printout (制表人).
        user_id: the account's id; None for an operator that is not an account.
        role: one of ``models.core.permissions.ROLES`` (None: not logged in, may do nothing).
        grid_ids: the grids a 网格员 covers (every read is limited to them); ignored for the
            other roles.  None for a 网格员 means none.
        sensitive: whether 重点人员 tags and full ID numbers may be seen (可查看敏感信息);
            None means the role's default (on for 管理员 only).
        username: the account's login name.
        must_change_password: the account must change its password before working.
    """

    name: str
    user_id: int | None = None
    role: str | None = "管理员"
    grid_ids: frozenset[int] | None = None
    sensitive: bool | None = None
    username: str | None = None
    must_change_password: bool = False

    @property
    def sees_sensitive(self) -> bool:
        """Whether this operator may see 重点人员 tags and full ID numbers."""
        return self.role == "管理员" if self.sensitive is None else bool(self.sensitive)

    @property
    def scoped_grids(self) -> frozenset[int] | None:
        """The grids this operator's reads are limited to; None: every grid (not a 网格员)."""
        if self.role != "网格员":
            return None
        return frozenset(self.grid_ids or ())


#: the operator of a ledger opened by the command line or the window before anyone logged in
NOBODY = Operator("未登录", role=None)


class Ledger:
    """An open ledger file.

    Attributes:
        db: the sqlite-utils ``Database``.  Reads may use ``db.query``; writes must
            happen inside :meth:`write` so they are atomic and audited.
        path: the file, or ``None`` for an in-memory ledger (tests).
        operator: who is writing now.
        clock: returns "now"; replace it in tests.
    """

    def __init__(self, db: sqlite_utils.Database, path: Path | None,
                 operator: Operator | None = None,
                 clock: Callable[[], _dt.datetime] | None = None):
        self.db = db
        self.path = path
        self.operator = operator or Operator(default_operator())
        self.clock = clock or (lambda: _dt.datetime.now().replace(microsecond=0))
        self._flat = False        # nested write() blocks without savepoints (see bulk_writes)
        self._later: list[tuple[str, list]] | None = None   # index writes gathered by bulk_writes
        self._bulk_memo: dict[Any, Any] | None = None        # see during_bulk
        self._memo: dict[Any, Any] = {}
        self._memo_mark: tuple[int, int] | None = None

    # -- basics -----------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def now(self) -> _dt.datetime:
        """The current time as the ledger sees it (seconds precision)."""
        return self.clock().replace(microsecond=0)

    def now_ts(self) -> str:
        return ts(self.now())

    def close(self) -> None:
        self.db.close()

    # -- reads remembered while nothing changed ---------------------------------------------
    def unchanged_mark(self) -> tuple[int, int]:
        """A pair that stays the same exactly while nothing has been written to the ledger:
        SQLite's ``data_version`` (changes when *another* connection, in this process or
        another, commits) and this connection's ``total_changes`` (every row it inserted,
        updated or deleted, committed or not, temporary tables included)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes

    def remembered(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, or what it returned for ``key`` before if the ledger has not changed
        since (:meth:`unchanged_mark`).  For pure reads whose result depends on the ledger's
        rows alone (the counts of a month as of its end), never on "now".  Everything
        remembered is forgotten at the first change; the caller must not modify the result.
        Inside a transaction nothing is remembered (a rollback would not show)."""
        if self.conn.in_transaction:
            # what a transaction shows may yet be rolled back, which moves neither number
            return compute()
        before = self.unchanged_mark()
        if before != self._memo_mark:
            self._memo.clear()          # what is left is valid as of ``before``
        elif key in self._memo:
            return self._memo[key]
        value = compute()
        after = self.unchanged_mark()
        if after[0] == before[0]:
            # a pure read moves total_changes only by its own temporary tables: what was
            # remembered stays valid
            self._memo_mark = after
            self._memo[key] = value
        else:
            # another connection committed meanwhile: keep nothing
            self._memo.clear()
            self._memo_mark = None
        return value

    def query(self, sql: str, params: Any = None) -> list[dict]:
        """Run a read query and return all rows as dicts (duplicate column names made
        unique as sqlite-utils does: ``name``, ``name_2``).

        On the connection directly: sqlite-utils 4 wraps every ``db.query`` in a savepoint,
        and inside a write transaction each savepoint makes FTS5 flush its pending terms
        into a new index segment (an import of 100,000 matters read a few rows per matter).
        """
        cursor = self.conn.execute(sql, params or [])
        if cursor.description is None:
            return []
        keys = dedupe_keys(d[0] for d in cursor.description)
        return [dict(zip(keys, row)) for row in cursor]

    def scalar(self, sql: str, params: Any = None) -> Any:
        row = self.conn.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def one(self, sql: str, params: Any = None, *, missing: str) -> dict:
        """The first row ``sql`` selects, as a dict: a record looked up by its id.

        Raises:
            NotFound: there is none; ``missing`` is the clerk's message
                (``"会议记录不存在（编号 7）。"``).
        """
        rows = self.query(sql, params)
        if not rows:
            raise NotFound(missing)
        return rows[0]

    # -- writing ----------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator["Ledger"]:
        """A transaction (a savepoint when nested).  Everything or nothing is written.

        A SQLite error of the environment's kind (locked, disk full, read-only …, see
        :func:`models.core.errors.classify`) leaves as an ``EnvironmentProblem``.
        """
        try:
            with self._transaction():
                yield self
        except sqlite3.Error as exc:
            problem = classify(exc)
            if problem is None:
                raise
            raise problem from exc

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator["Ledger"]:
        """Inside an open transaction: nested :meth:`write` blocks run without savepoints.

        Only for a caller that lets any error roll the whole transaction back (an import:
        all or nothing).  Each savepoint makes FTS5 flush its pending terms into a new
        index segment, so 100,000 matters each registered in a savepoint wrote 100,000
        segments and merged them over and over.  Index writes made with
        :meth:`execute_later` inside it are written together when it ends.
        """
        if not self.conn.in_transaction:
            raise RuntimeError("bulk_writes() needs an open transaction")
        was, self._flat = self._flat, True
        gathered, self._later = self._later, ([] if self._later is None else self._later)
        if gathered is None:
            self._bulk_memo = {}
        try:
            yield self
            if gathered is None:
                self._flush_later()
        finally:
            self._flat = was
            if gathered is None:
                self._later = None
                self._bulk_memo = None

    def during_bulk(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered under ``key`` until the :meth:`bulk_writes` block ends;
        outside one, computed on every call.

        For what an import reads once per row but never changes: the office's lists,
        whether a search table exists (20,000 matters asked the same two questions
        40,000 times).  Callers must not write what they remember here.
        """
        memo = self._bulk_memo
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def execute_later(self, sql: str, params: list) -> None:
        """Run an index write (FTS5) now, or, inside :meth:`bulk_writes`, once at its end in one
        ``executemany`` per statement (same transaction).  FTS5 flushes its pending terms
        into a new segment whenever a later statement of the transaction opens a statement
        savepoint (an UPDATE does), so an import that inserted one matter's text at a time
        wrote and merged one segment per matter."""
        if self._later is None:
            self.conn.execute(sql, params)
        else:
            self._later.append((sql, params))
            if len(self._later) >= LATER_BATCH:
                self._flush_later()     # bounded memory: one FTS5 segment per batch, not per row

    def _flush_later(self) -> None:
        later, self._later = self._later or [], []
        by_sql: dict[str, list] = {}
        for sql, params in later:
            by_sql.setdefault(sql, []).append(params)
        for sql, rows in by_sql.items():
            self.conn.executemany(sql, rows)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` at the top level, a savepoint inside.

        An operation reads before it writes.  A deferred ``BEGIN`` would take its snapshot
        at the first read, and if another connection (the window's worker, a second PC)
        commits in between, the first write fails at once with SQLITE_BUSY_SNAPSHOT,
        which no busy timeout can wait out.  ``IMMEDIATE`` takes the write lock first, so
        concurrent writers queue on the busy timeout instead.
        """
        conn = self.conn
        if conn.in_transaction:
            if self._flat:
                yield
                return
            with self.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def stamp(self, record: dict, *, creating: bool) -> dict:
        """Add ``updated_at``/``updated_by`` (and ``created_*`` when creating) to a row dict."""
        now = self.now_ts()
        record = dict(record)
        record["updated_at"] = now
        record["updated_by"] = self.operator.name
        if creating:
            record.setdefault("created_at", now)
            record["created_by"] = self.operator.name
        return record

    def audit(self, action: str, table: str, row_id: int | None,
              old: dict | None = None, new: dict | None = None) -> None:
        """Record one change in the audit log (who, when, what, old and new value).

        The audit log must not become a second copy of the personal data it protects:
        ``old`` and ``new`` go through :func:`models.core.masking.mask_audit_value` (ID
        numbers and phones masked, also inside free text) whatever the caller did.  The
        table is append-only (triggers refuse UPDATE and DELETE).
        """
        old = None if old is None else mask_audit_value(old)
        new = None if new is None else mask_audit_value(new)
        self.db.execute(
            "INSERT INTO audit_log (at, operator, user_id, action, table_name, row_id, old_value, new_value)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [self.now_ts(), self.operator.name, self.operator.user_id, action, table, row_id,
             _json_or_none(old), _json_or_none(new)],
        )

    # -- settings ---------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        old = self.get_setting(key)
        with self.write():
            self.db.execute(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                [key, json.dumps(value, ensure_ascii=False), self.now_ts(), self.operator.name],
            )
            self.audit("设置", "settings", None, {key: old}, {key: value})

    @property
    def community_name(self) -> str:
        return self.get_setting("community_name", "")


def _json_or_none(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def is_network_path(path: Path) -> bool:
    """True when ``path`` is on a network share, where WAL must not be used."""
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return True
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive:
            DRIVE_REMOTE = 4
            return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE
        return False
    try:
        real = os.path.realpath(text)
        best, fstype = "", ""
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) >= 3 and real.startswith(parts[1]) and len(parts[1]) > len(best):
                    best, fstype = parts[1], parts[2]
        return fstype in {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "9p"}
    except OSError:
        return False


def configure(conn: sqlite3.Connection, *, wal: bool) -> None:
    """The connection rules: foreign keys, no loss on power cut, wait when busy."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    else:
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    # A generous page cache keeps paging and search snappy on a 500k-resident ledger.
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA temp_store = MEMORY")


def connect(path: str | Path | None, *, migrate: Callable[[sqlite_utils.Database], None],
            operator: Operator | None = None,
            clock: Callable[[], _dt.datetime] | None = None,
            create: bool = True, check_same_thread: bool = True) -> Ledger:
    """Open a ledger file with the connection rules and bring its schema up to date.

    Use :func:`models.ledger.open_db`, which passes every area's migrations.

    Args:
        path: the ledger file; ``None`` or ``":memory:"`` for an in-memory ledger.
        operator: who writes; defaults to the OS account name.
        clock: "now" provider, for tests.
        migrate: creates or upgrades the schema (every area's migrations).
        create: when False, a missing file is an error instead of a new ledger.
        check_same_thread: pass False for a connection used by a worker thread.

    Returns:
        the open :class:`Ledger`.

    Raises:
        EnvironmentProblem: the file is missing (with ``create=False``), locked,
            read-only, corrupt or not a ledger (any SQLite error
            :func:`~models.core.errors.classify` knows).
    """
    in_memory = path is None or str(path) == ":memory:"
    file_path = None if in_memory else Path(path)
    if file_path is not None and not create and not file_path.exists():
        raise EnvironmentProblem(f"找不到台账文件：{file_path}")
    conn = None
    new_file = file_path is not None and not file_path.exists()
    try:
        conn = sqlite3.connect(":memory:" if in_memory else str(file_path),
                               timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=check_same_thread)
        conn.execute("PRAGMA schema_version")  # reads the header: fails early on a non-ledger file
        if new_file and os.name == "posix":
            os.chmod(file_path, 0o600)  # personal data: the owner only (SQLite's side files follow)
        configure(conn, wal=not in_memory and not is_network_path(file_path))
        db = sqlite_utils.Database(conn, execute_plugins=False)
        migrate(db)
    except BaseException as exc:
        if conn is not None:
            conn.close()  # a half-opened file must not stay locked (Windows keeps the handle)
        if not isinstance(exc, sqlite3.Error):
            raise
        if sqlite_code(exc) == SQLITE_NOTADB:  # name the file: the clerk may have picked the wrong one
            raise EnvironmentProblem(f"“{file_path}”不是网格台账文件，或文件已损坏。") from exc
        problem = classify(exc)
        if problem is None:
            raise
        raise problem from exc
    return Ledger(db, file_path, operator=operator, clock=clock)


def integrity_check(ledger: Ledger) -> list[str]:
    """SQLite's own checks plus foreign keys.  Returns problems in Chinese (empty = healthy)."""
    problems = []
    for (line,) in ledger.conn.execute("PRAGMA integrity_check"):
        if line != "ok":
            problems.append(f"数据库结构损坏：{line}")
    for row in ledger.conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"表 {row[0]} 第 {row[1]} 行引用了不存在的 {row[2]} 记录")
    return problems
