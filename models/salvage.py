"""A damaged ledger explained, and what can still be read salvaged into a new ledger.

Why not sqlite3's ``.recover``: it lives in the ``sqlite3`` shell (and in SQLite's recovery
extension, which Python's ``sqlite3`` module does not expose; ``apsw`` does not expose it
either), and shipping a second SQLite program with the Windows build for one rare path is
more than it is worth.  Instead :func:`salvage` copies the damaged ledger table by table
through Python's own SQLite, by **rowid ranges**: a range that meets a damaged page fails
with ``SQLITE_CORRUPT`` and is split in two until the readable rows around the damage are
all read and only the unreadable ones are skipped.  The rows go into a new ledger with the
schema of the day (the search indexes are rebuilt), written whole or not at all.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from models.core import safecopy
from models.core.errors import SQLITE_CORRUPT, SQLITE_NOTADB, EnvironmentProblem, sqlite_code
from models.ledger import REBUILDS, open_db

log = logging.getLogger("gridledger")

#: tables the new ledger fills itself (migrations, rebuild marks, indexes rebuilt afterwards)
NOT_COPIED = {"_sqlite_migrations", "pending_rebuilds", "resident_search", safecopy.MANIFEST_TABLE}


@dataclass
class Damage:
    """What is wrong with a ledger file, in the clerk's words."""

    path: Path
    problems: list[str]   # in Chinese, for the clerk
    readable: bool  # whether salvage can read anything (the file's header and schema are intact)
    details: list[str] = field(default_factory=list)   # SQLite's own words (English), for the log

    def explanation(self) -> str:
        head = f"台账文件“{self.path.name}”已损坏，部分数据无法读取。" if self.readable else \
            f"台账文件“{self.path.name}”已损坏或不是台账文件，无法读取。"
        return head + "\n这通常是断电、U盘拔出或磁盘故障造成的。"


def looks_like_sqlite(path: Path) -> bool:
    """Whether ``path`` starts like an SQLite file (a ledger, maybe damaged) rather than some
    other file picked by mistake."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def diagnose(path: Path, *, quick: bool = True) -> Damage | None:
    """Check the ledger file at ``path`` with SQLite's own check; None when it is healthy.

    ``quick`` runs ``quick_check`` (pages and records, not index contents), fast enough to run
    after every opening in the background.  A missing file is a :class:`Damage` too.
    """
    path = Path(path)
    if not path.is_file():
        return Damage(path, [f"找不到台账文件：{path}"], False)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return Damage(path, ["无法打开文件"], False)
    try:
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            return Damage(path, ["文件头或表结构无法读取"], False) if sqlite_code(exc) in (
                SQLITE_CORRUPT, SQLITE_NOTADB) else None
        try:
            lines = [line for (line,) in conn.execute(f"PRAGMA {'quick_check' if quick else 'integrity_check'}")]
        except sqlite3.DatabaseError as exc:
            lines = [str(exc)]
        details = [line for line in lines if line != "ok"]
        if not details:
            return None
        log.warning("台账文件 %s 损坏：%s", path.name, "; ".join(details[:20]))
        return Damage(path, [f"SQLite 自检发现 {len(details)} 处损坏（详细信息已记入日志文件）。"], True, details)
    finally:
        conn.close()


@dataclass
class Salvaged:
    """What :func:`salvage` recovered: rows per table, and the tables with rows lost."""

    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    lossy: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"已抢救到新台账 {self.out.name}：居民 {self.rows.get('residents', 0):,} 人，" \
               f"事项 {self.rows.get('matters', 0):,} 件，共 {sum(self.rows.values()):,} 条记录。"
        if self.lossy:
            text += f"\n以下表有无法读取的记录：{'、'.join(self.lossy)}。请核对后再使用新台账。"
        return text


def _readable_rows(conn: sqlite3.Connection, select: str, lo: int, hi: int, out: list) -> bool:
    """Append the rows of ``select`` with rowids in [lo, hi] to ``out``; split ranges that meet
    damage down to single rowids, which are looked up by ``rowid = ?`` (a range scan would step
    on into the next, damaged, page after its last row).  Returns False when some rowid in the
    range could not be read."""
    pending, whole = [(lo, hi)], True
    while pending:
        a, b = pending.pop()
        try:
            if a == b:
                rows = conn.execute(select + " WHERE rowid = ?", [a]).fetchall()
            else:
                rows = conn.execute(select + " WHERE rowid BETWEEN ? AND ?", [a, b]).fetchall()
        except sqlite3.DatabaseError:
            if a >= b:
                whole = False
                continue
            mid = (a + b) // 2
            pending.extend([(mid + 1, b), (a, mid)])
            continue
        out.extend(rows)
    return whole


def salvage(source: Path, out: Path, *, progress=None) -> Salvaged:
    """Copy what can be read of the damaged ledger ``source`` into a new ledger ``out``.

    Raises:
        EnvironmentProblem: nothing can be read (the header or the schema is damaged), ``out``
            exists, the disk is full (Chinese).
    """
    source, out = Path(source), Path(out)
    try:
        old = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        old_tables = {name: [c[1] for c in old.execute(f'PRAGMA table_info("{name}")')]
                      for (name,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                                 " AND sql NOT LIKE 'CREATE VIRTUAL%'").fetchall()}
    except sqlite3.DatabaseError as exc:
        raise EnvironmentProblem(f"台账文件“{source.name}”的表结构已无法读取，没有可以抢救的数据。"
                                 "请从备份恢复。") from exc
    result = Salvaged(out)
    try:
        with safecopy.whole_or_absent(out) as tmp:
            tmp.unlink()
            new = open_db(tmp, community_name=None, backup_first=False)
            try:
                conn = new.conn
                conn.execute("PRAGMA foreign_keys = OFF")
                tables = [r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    " AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%_fts_%' ORDER BY name")]
                for n, table in enumerate(t for t in tables if t not in NOT_COPIED and t in old_tables):
                    if progress is not None:
                        progress(n, len(tables), f"正在抢救：{table}")
                    new_cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
                    cols = [c for c in new_cols if c in old_tables[table]]
                    col_list = ", ".join(f'"{c}"' for c in cols)
                    rows: list = []
                    try:
                        bounds = old.execute(f'SELECT MIN(rowid), MAX(rowid) FROM "{table}"').fetchone()
                    except sqlite3.DatabaseError:
                        result.lossy.append(table)
                        bounds = None
                    if bounds and bounds[0] is not None:
                        whole = _readable_rows(old, f'SELECT {col_list} FROM "{table}"',
                                               bounds[0], bounds[1], rows)
                        if not whole:
                            result.lossy.append(table)
                    with conn:
                        conn.execute(f'DELETE FROM "{table}"')
                        conn.executemany(f'INSERT OR REPLACE INTO "{table}" ({col_list}) VALUES'
                                         f' ({", ".join("?" for _ in cols)})', rows)
                    result.rows[table] = len(rows)
                for name, rebuild in REBUILDS.items():
                    with conn:
                        rebuild(conn)
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                new.close()
            safecopy.remove_quietly(Path(f"{tmp}-wal"))
    finally:
        old.close()
    return result
