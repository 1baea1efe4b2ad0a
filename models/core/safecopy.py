"""Files that are either whole or absent, and verified copies of a ledger.

Everything the program writes that a clerk relies on later — a backup, a restored ledger,
the demo — is written under a temporary name in the *target folder* (:data:`TEMP_PREFIX`),
flushed to the disk (``fsync`` of the file, then of the folder), and only then given its
final name by one atomic rename.  A crash, a full disk or ``kill -9`` at any moment leaves
either the whole file under its name or nothing under it (a stray temporary file at most,
removed by :func:`clean_temps` next time).  Files are created owner-only (POSIX ``0600``).

:func:`copy_verified` is the one way a ledger is copied: SQLite's online backup API on a
read snapshot of the source, a manifest table written into the copy (what it holds), then
``integrity_check``, the schema's migrations and every table's row count compared with the
source's before the copy gets its name.  No Qt, no ledger object: ``models.ledger`` uses
it before migrating, ``models.backup`` for everything else.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from models.core.errors import SQLITE_FULL, SQLITE_IOERR, Cancelled, EnvironmentProblem, classify, sqlite_code
from resources.paths import backup_root

#: temporary files start with this (in the folder of the file they will become)
TEMP_PREFIX = ".gridledger-tmp-"
#: the table a backup carries about itself
MANIFEST_TABLE = "backup_manifest"
#: what a backup's manifest says it is
FORMAT = "gridledger-backup-1"
#: pages copied per step (progress and cancellation between steps)
STEP_PAGES = 4096


# -- whole or absent ---------------------------------------------------------------------------

def owner_only(path: Path) -> None:
    """Make ``path`` readable by its owner only (POSIX 0600; nothing to do on Windows, whose
    per-user data folder is already private)."""
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


def temp_path(folder: Path, suffix: str = ".db") -> Path:
    """Create an empty owner-only temporary file in ``folder`` and return its path."""
    folder = Path(folder)
    for _ in range(100):
        path = folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def fsync_file(path: Path) -> None:
    """Flush ``path``'s contents to the disk."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to the disk; POSIX only (Windows cannot open a folder)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems (network, FAT over FUSE) refuse: nothing more we can do
        pass
    finally:
        os.close(fd)


def publish(tmp: Path, final: Path, *, replace: bool = False) -> None:
    """Give the complete file ``tmp`` its name ``final`` in one atomic step.

    With ``replace=False`` an existing ``final`` is never overwritten (``FileExistsError``):
    a hard link is atomic and refuses an existing name; where links are not supported (FAT
    sticks) a rename, which refuses it on Windows.
    """
    tmp, final = Path(tmp), Path(final)
    fsync_file(tmp)
    if replace:
        os.replace(tmp, final)
    else:
        try:
            os.link(tmp, final)
        except FileExistsError:
            raise
        except OSError:
            if os.name != "nt" and final.exists():
                raise FileExistsError(errno.EEXIST, "exists", str(final)) from None
            os.rename(tmp, final)
        else:
            os.unlink(tmp)
    fsync_dir(final.parent)


def remove_quietly(path: Path) -> None:
    """Remove ``path`` and its SQLite side files, if they exist."""
    for p in (Path(path), Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            p.unlink()


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_temps(folder: Path, max_age: float = 3600.0) -> list[Path]:
    """Remove temporary files left in ``folder`` by work that was interrupted: those of a
    process that is gone, or older than ``max_age`` seconds.  Returns what was removed."""
    removed = []
    try:
        entries = list(Path(folder).glob(TEMP_PREFIX + "*"))
    except OSError:
        return removed
    now = time.time()
    for path in entries:
        try:
            pid = int(path.name[len(TEMP_PREFIX):].split("-", 1)[0])
        except ValueError:
            pid = -1
        try:
            old = now - path.stat().st_mtime > max_age
        except OSError:
            continue
        if old or (pid > 0 and pid != os.getpid() and not _pid_alive(pid)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def whole_or_absent(final: Path, *, replace: bool = False, suffix: str | None = None) -> Iterator[Path]:
    """Write a file whole or not at all: yields a temporary path beside ``final``; when the
    block ends normally the file gets its name (:func:`publish`), on any error it is removed.

    Raises:
        EnvironmentProblem: the folder is missing, ``final`` is a folder or exists
            (``replace=False``), the disk is full or read-only (in Chinese).
    """
    final = Path(final)
    if final.is_dir():
        raise EnvironmentProblem(f"“{final}”是一个文件夹，请给出文件名。")
    if not final.parent.is_dir():
        raise EnvironmentProblem(f"文件夹不存在：{final.parent}")
    if not replace and final.exists():
        raise EnvironmentProblem(f"目标文件“{final}”已存在，请换一个文件名。")
    try:
        tmp = temp_path(final.parent, suffix if suffix is not None else (final.suffix or ".tmp"))
    except OSError as exc:
        raise _problem(exc) from exc
    try:
        yield tmp
        publish(tmp, final, replace=replace)
    except FileExistsError as exc:
        remove_quietly(tmp)
        raise EnvironmentProblem(f"目标文件“{final}”已存在，请换一个文件名。") from exc
    except BaseException as exc:
        remove_quietly(tmp)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise _problem(exc) from exc
        raise


def _problem(exc: BaseException) -> BaseException:
    """The clerk's message for a file-system or SQLite error while writing a file."""
    problem = classify(exc)
    if problem is not None:
        return problem
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return EnvironmentProblem("文件超过了系统允许的大小，本次操作未完成。")
    if isinstance(exc, OSError):
        return EnvironmentProblem(f"无法写入文件：{exc.strerror or exc}")
    return exc


# -- verified copies ------------------------------------------------------------------------------

@dataclass
class Manifest:
    """What a backup says about itself (its table :data:`MANIFEST_TABLE`)."""

    source: str
    created_at: str
    operator: str
    reason: str = "手动"
    community: str = ""
    migrations: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def residents(self) -> int:
        return self.counts.get("residents", 0)

    def matters(self) -> int:
        return self.counts.get("matters", 0)


#: tables derived from the others (search indexes, rebuilt from them): not counted, since they
#: are the biggest and a backup restored rebuilds nothing from them (integrity_check covers them)
DERIVED = ("resident_search", "pending_rebuilds")


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Row counts of the ledger's own tables: not SQLite's, not virtual ones or their shadow
    tables (full-text indexes), not :data:`DERIVED`, not the manifest."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%_fts_%' AND name <> ? ORDER BY name",
        [MANIFEST_TABLE])]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            for name in names if name not in DERIVED}


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """``set:name`` of every migration applied to the ledger, in order."""
    try:
        return [f"{s}:{n}" for s, n in conn.execute(
            "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")]
    except sqlite3.OperationalError:
        return []


def _setting(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    except sqlite3.Error:
        return default
    return default if row is None else json.loads(row[0])


def read_manifest(conn: sqlite3.Connection) -> Manifest | None:
    """The manifest of a backup, or None when the file carries none (not a backup)."""
    try:
        rows = dict(conn.execute(f"SELECT key, value FROM {MANIFEST_TABLE}").fetchall())
    except sqlite3.Error:
        return None
    if rows.get("format") != FORMAT:
        return None
    try:
        return Manifest(source=rows["source"], created_at=rows["created_at"], operator=rows["operator"],
                        reason=rows.get("reason", ""), community=rows.get("community", ""),
                        migrations=json.loads(rows["migrations"]), counts=json.loads(rows["counts"]))
    except (KeyError, ValueError):
        return None


def peek_manifest(path: Path) -> Manifest | None:
    """The manifest of the backup at ``path`` without verifying it (for listing many backups
    quickly); None when it is not a readable backup."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return read_manifest(conn)
    finally:
        conn.close()


def _write_manifest(conn: sqlite3.Connection, manifest: Manifest) -> None:
    conn.execute(f"CREATE TABLE {MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    values = {"format": FORMAT, "source": manifest.source, "created_at": manifest.created_at,
              "operator": manifest.operator, "reason": manifest.reason, "community": manifest.community,
              "migrations": json.dumps(manifest.migrations), "counts": json.dumps(manifest.counts)}
    conn.executemany(f"INSERT INTO {MANIFEST_TABLE} (key, value) VALUES (?, ?)", list(values.items()))


def verify_backup(path: Path, expected: Manifest | None = None) -> Manifest:
    """Check that ``path`` is a whole ledger backup: a manifest, ``integrity_check`` ok, and
    the migrations and row counts the manifest (and ``expected``, when given) names.

    Returns:
        the manifest.

    Raises:
        EnvironmentProblem: not a backup, damaged, or not what it says it holds (Chinese).
    """
    path = Path(path)
    if not path.is_file():
        raise EnvironmentProblem(f"找不到备份文件：{path}")
    if path.stat().st_size == 0:
        raise EnvironmentProblem(f"“{path.name}”是空文件，不是台账备份。")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise EnvironmentProblem(f"无法打开备份文件“{path.name}”。") from exc
    try:
        manifest = read_manifest(conn)
        if manifest is None:
            raise EnvironmentProblem(f"“{path.name}”不是网格台账的备份文件（没有备份说明），不能用来恢复。")
        problems = [line for (line,) in conn.execute("PRAGMA integrity_check") if line != "ok"]
        if problems:
            raise EnvironmentProblem(f"备份文件“{path.name}”已损坏，不能使用：{problems[0]}")
        if applied_migrations(conn) != manifest.migrations:
            raise EnvironmentProblem(f"备份文件“{path.name}”的结构与其说明不符，不能使用。")
        counts = table_counts(conn)
        if counts != manifest.counts:
            raise EnvironmentProblem(f"备份文件“{path.name}”的记录数与其说明不符（文件不完整），不能使用。")
        if expected is not None and (manifest.counts != expected.counts
                                     or manifest.migrations != expected.migrations):
            raise EnvironmentProblem("备份副本与台账不一致，备份未完成。")
        return manifest
    except sqlite3.Error as exc:
        raise EnvironmentProblem(f"“{path.name}”不是有效的台账备份，或文件已损坏。") from exc
    finally:
        conn.close()


Progress = Callable[[int, int, str], None]


def copy_verified(source: sqlite3.Connection, out: Path, manifest: Manifest, *,
                  progress: Progress | None = None, is_cancelled: Callable[[], bool] | None = None) -> Manifest:
    """Copy the ledger open on ``source`` to ``out``, whole or not at all, and verify the copy.

    The counts and migrations are read on the same read snapshot the copy is taken from,
    so writers elsewhere (the window's worker, a second PC) cannot make them disagree.
    Call it outside a write transaction.

    Args:
        manifest: source, time, operator and reason; its counts and migrations are filled here.
        progress: ``progress(done_pages, total_pages, text)``.
        is_cancelled: checked between steps; cancelling leaves nothing behind.

    Returns:
        the manifest written into the copy.

    Raises:
        EnvironmentProblem: disk full, read-only, folder missing, ``out`` exists, the copy
            does not verify (in Chinese).
        Cancelled: the clerk cancelled.
    """
    out = Path(out)
    with whole_or_absent(out) as tmp:
        dest = sqlite3.connect(str(tmp))
        try:
            # no journal, no syncs while copying: the copy is verified and fsync'd before it gets
            # its name, and a crash before that leaves only a temporary file
            dest.execute("PRAGMA journal_mode = OFF")
            dest.execute("PRAGMA synchronous = OFF")
            began = not source.in_transaction
            if began:
                source.execute("BEGIN")
            try:
                manifest.counts = table_counts(source)   # the read snapshot the copy is taken from
                manifest.migrations = applied_migrations(source)

                def step(status, remaining, total):
                    if is_cancelled is not None and is_cancelled():
                        raise Cancelled("已取消备份，没有留下不完整的文件。")
                    if progress is not None:
                        progress(total - remaining, total, "正在复制台账……")

                source.backup(dest, pages=STEP_PAGES, progress=step)
            finally:
                if began and source.in_transaction:
                    source.execute("ROLLBACK")
            dest.execute("PRAGMA journal_mode = DELETE")   # a backup is one file, also on a stick
            with dest:
                _write_manifest(dest, manifest)
        except sqlite3.Error as exc:
            if sqlite_code(exc) in (SQLITE_FULL, SQLITE_IOERR):   # writing the copy: the target disk
                raise EnvironmentProblem(f"无法写入备份文件（磁盘空间已满或无法写入）：{out.parent}。"
                                         "备份未完成，没有留下不完整的文件。") from exc
            raise
        finally:
            dest.close()
        if progress is not None:
            progress(0, 0, "正在校验备份……")
        verify_backup(tmp, expected=manifest)
    return manifest


# -- where backups go -----------------------------------------------------------------------------

def ledger_backup_folder(ledger_path: Path) -> Path:
    """The automatic backups of the ledger at ``ledger_path``: a folder of their own under the
    user's backups folder, named after the ledger (and a short hash of its full path, so two
    ledgers called alike do not share one)."""
    resolved = str(Path(ledger_path).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:8]
    return backup_root() / f"{Path(ledger_path).stem}-{digest}"


#: ``<ledger>_<YYYYMMDD-HHMMSS>_<reason>.db`` (``.glenc`` when protected with a password)
BACKUP_NAME = re.compile(r"^(?P<stem>.+)_(?P<ts>\d{8}-\d{6})_(?P<reason>[^_.]+)\.(?P<ext>db|glenc)$")
STAMP = "%Y%m%d-%H%M%S"


def backup_name(ledger_path: Path, taken, reason: str, *, encrypted: bool = False) -> str:
    """The file name of an automatic backup of the ledger at ``ledger_path`` taken at ``taken``."""
    return f"{Path(ledger_path).stem}_{taken.strftime(STAMP)}_{reason}{'.glenc' if encrypted else '.db'}"
