"""Real faults for the tests of errors by kind: a ledger another PC holds, a corrupt one.

A ledger on a network share runs in rollback-journal mode, where a writer blocks
readers: ``shared_file`` is such a ledger (five residents, a 50 ms busy wait instead of
5 s) and :func:`locked` is the other PC, holding ``BEGIN EXCLUSIVE``.  ``user_dir`` sends
settings and the log to a temporary user folder and closes the log afterwards.

Import the fixtures into a test module: ``from tests.ledger_faults import shared_file``.
"""

import contextlib
import sqlite3
from pathlib import Path

import pytest

from models.core import db as dbmod
from models.core import errors as core_errors
from models.core.db import Operator
from models.ledger import open_db

BUSY = "台账文件正被其他程序或其他电脑占用，请稍后再试。"
RESIDENTS = ("张三", "李四", "王五", "赵六", "钱七")


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    """The user's data folder (settings, log file) in ``tmp_path``; the log is closed afterwards."""
    home = tmp_path / "userdata"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home))
    yield home / "GridLedger"
    for handler in [h for h in core_errors.log.handlers if getattr(h, "gridledger_log", False)]:
        core_errors.log.removeHandler(handler)
        handler.close()


@pytest.fixture
def shared_file(tmp_path, monkeypatch, clock) -> Path:
    """A closed ledger file in rollback-journal mode with five residents, and a short busy wait."""
    monkeypatch.setattr(dbmod, "is_network_path", lambda p: True)
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "share.db"
    led = open_db(path, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    with led.write():
        for name in RESIDENTS:
            led.db["residents"].insert(led.stamp({"name": name, "status": "在册"}, creating=True))
    led.close()
    return path


@contextlib.contextmanager
def locked(path: Path):
    """Another PC writing to ``path`` (a connection holding ``BEGIN EXCLUSIVE``)."""
    other = sqlite3.connect(str(path))
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield other
    finally:
        other.rollback()
        other.close()


def corrupt_table(path: Path, table: str) -> None:
    """Overwrite the first page of ``table`` in the (closed) ledger file with garbage."""
    conn = sqlite3.connect(str(path))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)


def fill_residents(ledger, n: int) -> None:
    """``n`` residents (名字 居民0 …, no household), in one transaction."""
    with ledger.write():
        ledger.db["residents"].insert_all(
            (ledger.stamp({"name": f"居民{i}", "status": "在册", "notes": "备注" * 20}, creating=True)
             for i in range(n)), batch_size=1000)


def _table_leaves(f, page_size: int, page: int) -> list[tuple[int, int]]:
    """(page number, cells) of every leaf page of the table b-tree rooted at ``page``."""
    f.seek((page - 1) * page_size)
    data = f.read(page_size)
    head = 100 if page == 1 else 0
    kind, cells = data[head], int.from_bytes(data[head + 3:head + 5], "big")
    if kind == 0x0D:
        return [(page, cells)]
    assert kind == 0x05, f"page {page} is not a table b-tree page"
    children = [int.from_bytes(data[p:p + 4], "big") for p in
                (int.from_bytes(data[head + 12 + 2 * i:head + 14 + 2 * i], "big") for i in range(cells))]
    children.append(int.from_bytes(data[head + 8:head + 12], "big"))
    return [leaf for child in children for leaf in _table_leaves(f, page_size, child)]


def damage_leaf(path: Path, table: str) -> int:
    """Overwrite a leaf page in the middle of ``table`` (closed ledger) with garbage; the root and
    every other page stay readable.  Returns the number of rows that page held."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        leaves = _table_leaves(f, page_size, root)
        assert len(leaves) > 2, "the table must span several pages"
        page, cells = leaves[len(leaves) // 2]
        f.seek((page - 1) * page_size)
        f.write(b"\xa5" * page_size)
    return cells
