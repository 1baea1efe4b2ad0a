"""Backups, restores and damage from the command line, with real faults (issue 16).

A full disk is a real one: the command runs in a child process whose file-size limit
(``ulimit -f``, ``RLIMIT_FSIZE``) is below what it must write, so SQLite and Python meet
``EFBIG`` exactly where a full disk would stop them.  A damaged ledger has one page of its
residents table overwritten (:func:`tests.ledger_faults.damage_leaf`).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models.core import safecopy
from models.core.db import Operator
from models.core.idcard import make_id
from models.ledger import open_db
from tests.e2e.cli_helpers import ROOT
from tests.ledger_faults import damage_leaf, fill_residents

resource = pytest.importorskip("resource")  # POSIX only


def count(path: Path, table: str = "residents") -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def big(tmp_path, clock) -> Path:
    """A closed ledger of 9,000 residents (about 4 MiB) (many pages)."""
    path = tmp_path / "台账.db"
    led = open_db(path, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    fill_residents(led, 9000)
    led.close()
    return path


def limited(args, max_bytes: int) -> subprocess.CompletedProcess:
    """``python main.py args…`` with files limited to ``max_bytes`` (a disk that is full)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, env=env,
                          preexec_fn=limit, capture_output=True, text=True, encoding="utf-8", timeout=300)


def no_temps(folder: Path) -> bool:
    return not any(p.name.startswith(safecopy.TEMP_PREFIX) for p in folder.rglob("*"))


def test_disk_full_during_backup_leaves_nothing(big, tmp_path):
    out = tmp_path / "备份.db"
    result = limited(["--db", big, "backup", "--out", out], big.stat().st_size // 2)
    assert result.returncode == 1, result.stderr
    assert "磁盘空间已满" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and no_temps(tmp_path)
    assert count(big) == 9000


def test_disk_full_during_import_writes_nothing(big, tmp_path):
    book = tmp_path / "居民.csv"
    with open(book, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "性别", "身份证号码", "联系电话", "所属网格", "楼栋", "单元", "房号", "与户主关系"])
        for n in range(4000):
            w.writerow(["张" + chr(0x4E00 + n), "男", make_id("110101", dt.date(1950, 1, 1) + dt.timedelta(days=n), 11),
                        "", "第一网格", f"{n % 40 + 1}号楼", "1单元", f"{n % 90 + 101}", "户主"])
    result = limited(["--db", big, "import", "residents", book], 256 * 1024)   # the WAL cannot grow
    assert result.returncode == 1, result.stderr
    assert "本次操作未完成" in result.stderr and "Traceback" not in result.stderr  # EFBIG: SQLite's I/O error
    assert count(big) == 9000
    assert not Path(f"{big}-wal").exists() or open_db(big, create=False).close() is None
    assert count(big) == 9000


@pytest.fixture
def tiny_disk(tmp_path):
    """A real full disk: a 3 MiB tmpfs mounted in ``tmp_path`` (needs root; skipped elsewhere)."""
    where = tmp_path / "小磁盘"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_really_full_disk_during_backup_and_import(big, tiny_disk, tmp_path, cli):
    """ENOSPC from the file system itself: SQLITE_FULL, the clerk's message, nothing left behind."""
    result = cli("--db", big, "backup", "--out", tiny_disk / "备份.db")   # 3 MiB: the ledger is bigger
    assert big.stat().st_size > 3 * 1024 * 1024 or pytest.skip("ledger too small for the disk")
    assert result.returncode == 1 and "磁盘空间已满" in result.stderr
    assert list(tiny_disk.iterdir()) == []
    small = tiny_disk / "台账.db"
    led = open_db(small, community_name="幸福社区")
    fill_residents(led, 100)
    led.close()
    filler = tiny_disk / "占位"
    with open(filler, "wb") as f:     # fill the disk but for a few pages
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    filler.write_bytes(b"\0" * max(0, filler.stat().st_size - 12 * 4096))
    book = tmp_path / "居民.csv"
    with open(book, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "性别", "身份证号码", "所属网格", "楼栋", "单元", "房号", "与户主关系"])
        for n in range(3000):
            w.writerow(["王" + chr(0x4E00 + n), "女", make_id("110101", dt.date(1960, 1, 1) + dt.timedelta(days=n), 12),
                        "第一网格", f"{n % 40 + 1}号楼", "1单元", f"{n % 90 + 101}", "户主"])
    result = cli("--db", small, "import", "residents", book)
    assert result.returncode == 1 and "磁盘空间已满" in result.stderr, result.stderr
    filler.unlink()
    assert count(small) == 100


def test_check_explains_damage_and_salvage_recovers_the_rest(big, tmp_path, cli):
    assert cli("--db", big, "restore", "--list").returncode == 0
    open_db(big, create=False).close()
    lost = damage_leaf(big, "residents")
    result = cli("--db", big, "check")
    assert result.returncode == 1
    assert "台账文件已损坏" in result.stderr and "salvage" in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "抢救.db"
    result = cli("--db", big, "salvage", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "residents" in result.stdout                    # named as a table with unreadable rows
    assert count(out) == 9000 - lost and lost > 0
    assert count(out, "settings") == count(big, "settings")
    assert no_temps(tmp_path)


def test_check_names_the_latest_backup_of_a_damaged_ledger(big, tmp_path, cli, clock):
    from models import backup

    led = open_db(big, create=False, clock=clock)
    made = backup.auto_backup(led, "打开", interval=None)
    led.close()
    damage_leaf(big, "residents")
    result = cli("--db", big, "check")
    assert result.returncode == 1 and str(made) in result.stderr and "2026-10-15 09:30" in result.stderr


def test_import_into_a_missing_folder_or_file_creates_nothing(tmp_path, cli):
    book = tmp_path / "有误.csv"
    book.write_text("姓名,性别,身份证号码\n张三,男,123\n", encoding="utf-8")
    for db in (tmp_path / "没有" / "台账.db", tmp_path / "打错.db"):
        result = cli("--db", db, "import", "residents", book)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert not db.exists()
    assert not (tmp_path / "没有").exists()


def test_restore_into_a_missing_folder_is_refused(big, tmp_path, cli):
    out = tmp_path / "备份.db"
    assert cli("--db", big, "backup", "--out", out).returncode == 0
    result = cli("--db", tmp_path / "没有" / "台账.db", "restore", out, "--yes")
    assert result.returncode == 1 and "文件夹不存在" in result.stderr


def test_backup_out_a_folder_is_refused(big, tmp_path, cli):
    result = cli("--db", big, "backup", "--out", tmp_path)
    assert result.returncode == 1 and "文件夹" in result.stderr and "Traceback" not in result.stderr


def test_full_id_export_from_a_read_only_ledger_is_refused(big, tmp_path, cli, monkeypatch):
    """Read-only as SQLite sees it (``query_only``: the tests run as root, who ignores file modes)."""
    import cli.exporting as exporting   # imported before the patch: it holds its own open_ledger

    real = exporting.open_ledger

    def read_only(args, **options):
        led = real(args, **options)
        led.conn.execute("PRAGMA query_only = ON")
        return led

    monkeypatch.setattr(exporting, "open_ledger", read_only)
    out = tmp_path / "居民.csv"
    result = cli("--db", big, "export", "residents", "--out", out, "--full-ids")
    assert result.returncode == 1 and "只读" in result.stderr
    assert not out.exists()


def test_a_password_protected_backup_round_trip(big, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_BACKUP_PASSWORD", "社区2026")
    result = cli("--db", big, "backup", "--out", tmp_path / "U盘备份", "--encrypt")
    assert result.returncode == 0 and "已加密" in result.stdout
    sealed_file = tmp_path / "U盘备份.glenc"
    assert sealed_file.exists()
    monkeypatch.setenv("GRIDLEDGER_BACKUP_PASSWORD", "不对")
    wrong = cli("--db", big, "restore", sealed_file, "--yes")
    assert wrong.returncode == 1 and "密码不正确" in wrong.stderr
    monkeypatch.setenv("GRIDLEDGER_BACKUP_PASSWORD", "社区2026")
    done = cli("--db", big, "restore", sealed_file, "--yes")
    assert done.returncode == 0, done.stderr
    assert "恢复后：居民 9,000 人，事项 0 件（当前：居民 9,000 人，事项 0 件）" in done.stdout


def test_restore_lists_the_automatic_backups(big, cli, clock):
    from models import backup

    led = open_db(big, create=False, clock=clock, operator=Operator("王主任"))
    backup.auto_backup(led, "打开", interval=None)
    led.close()
    result = cli("--db", big, "restore", "--list")
    assert result.returncode == 0
    assert "2026-10-15 09:30:00  打开" in result.stdout and "王主任" in result.stdout and "9,000" in result.stdout


def test_check_on_a_missing_ledger_offers_its_latest_backup(big, cli, clock):
    from models import backup

    led = open_db(big, create=False, clock=clock)
    made = backup.auto_backup(led, "关闭", interval=None)
    led.close()
    big.rename(big.with_name("改了名.db"))
    result = cli("--db", big, "check")
    assert result.returncode == 1 and "找不到台账文件" in result.stderr and str(made) in result.stderr
    assert not big.exists()       # check creates nothing


def test_backup_of_a_damaged_ledger_explains_the_damage(big, tmp_path, cli):
    damage_leaf(big, "residents")
    result = cli("--db", big, "backup", "--out", tmp_path / "备份.db")
    assert result.returncode == 1 and "台账文件已损坏" in result.stderr and "salvage" in result.stderr
    assert not (tmp_path / "备份.db").exists() and no_temps(tmp_path)
