"""Backup and restore: ``VACUUM INTO`` a copy, then ``PRAGMA integrity_check`` it."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import datetime as _dt
from typing import Callable

from models.core.db import Ledger, Operator
from models.ledger import open_db
from models.core.errors import EnvironmentProblem


def _check_copy(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise EnvironmentProblem(f"“{path}”不是有效的台账备份：{exc}") from exc
    finally:
        conn.close()
    if result != "ok":
        raise EnvironmentProblem(f"备份文件“{path}”已损坏：{result}")


def backup(ledger: Ledger, out: Path) -> Path:
    """Write a consistent copy of the open ledger to ``out``, verify it, and audit it.

    Call it outside a transaction: ``VACUUM INTO`` cannot run inside one.  The audit
    row is written in a transaction of its own after the copy is verified.

    Returns:
        ``out``.
    """
    out = Path(out)
    if out.exists():
        raise EnvironmentProblem(f"目标文件“{out}”已存在，请换一个文件名。")
    out.parent.mkdir(parents=True, exist_ok=True)
    ledger.conn.execute("VACUUM INTO ?", [str(out)])
    _check_copy(out)
    with ledger.write():
        ledger.audit("备份", "ledger", None, None, {"file": str(out)})
    return out


def restore(source: Path, target: Path, *, operator: Operator | None = None,
            clock: Callable[[], _dt.datetime] | None = None) -> None:
    """Replace ``target`` with a verified copy of ``source``; the old file is kept as ``.bak``.

    The restored ledger's audit log gets a row 恢复备份 (who, when, from which file); the
    replaced ledger's own log stays in the ``.bak``.

    Args:
        operator: who restores (the logged-in 管理员); the default operator otherwise.
        clock: "now" for the audit row.
    """
    source, target = Path(source), Path(target)
    if not source.exists():
        raise EnvironmentProblem(f"找不到备份文件：{source}")
    _check_copy(source)
    tmp = target.with_name(target.name + ".restoring")
    shutil.copyfile(source, tmp)
    _check_copy(tmp)
    open_db(tmp, create=False).close()  # a backup from an older version is upgraded here, not in place
    if target.exists():
        bak = target.with_name(target.name + ".bak")
        if bak.exists():
            bak.unlink()
        os.replace(target, bak)
        for suffix in ("-wal", "-shm"):
            side = Path(str(target) + suffix)
            if side.exists():
                side.unlink()
    os.replace(tmp, target)
    ledger = open_db(target, operator=operator, clock=clock, create=False)
    try:
        with ledger.write():
            ledger.audit("恢复备份", "ledger", None, None, {"file": str(source)})
    finally:
        ledger.close()
