"""Backups are whole or absent and verified; restore cannot wipe the ledger; retention is a table."""

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from models import backup
from models.core import safecopy, sealed
from models.core.db import Operator
from models.core.errors import EnvironmentProblem
from models.core.permissions import PermissionDenied
from models.grids import hierarchy as grids
from models.ledger import open_db

ADMIN = Operator("王主任")
CLERK = Operator("李干事", role="工作人员")


@pytest.fixture
def live(tmp_path, clock):
    path = tmp_path / "live.db"
    led = open_db(path, community_name="幸福社区", operator=ADMIN, clock=clock)
    grids.add_grid(led, "第一网格")
    yield led
    led.close()


def names(path):
    led = open_db(path, create=False)
    try:
        return [g["name"] for g in grids.grids(led)]
    finally:
        led.close()


def audit_actions(path):
    conn = sqlite3.connect(str(path))
    try:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        conn.close()


def test_a_backup_carries_its_manifest_and_verifies(live, tmp_path):
    out = backup.backup(live, tmp_path / "copy.db")
    manifest = safecopy.verify_backup(out)
    assert manifest.source == str(live.path) and manifest.operator == "王主任"
    assert manifest.created_at == live.now_ts() and manifest.counts["grids"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(safecopy.TEMP_PREFIX)] == []
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600


def test_backup_then_restore_keeps_everything(live, tmp_path, clock):
    copy = backup.backup(live, tmp_path / "copy.db")
    grids.add_grid(live, "第二网格")  # made after the backup
    with pytest.raises(EnvironmentProblem, match="已存在"):
        backup.backup(live, copy)
    live.close()

    done = backup.restore(copy, live.path, operator=ADMIN, clock=clock)
    assert names(live.path) == ["第一网格"]
    assert names(done.kept) == ["第一网格", "第二网格"]           # the replaced ledger, dated
    assert "替换前" in done.kept.name
    assert names(done.safety_backup) == ["第一网格", "第二网格"]  # backed up first
    assert audit_actions(live.path)[-1] == "恢复备份"
    assert audit_actions(done.kept)[-1] == "被备份替换"
    restored = open_db(live.path, create=False)
    row = restored.query("SELECT operator, table_name, new_value FROM audit_log WHERE action = '恢复备份'")
    restored.close()
    assert row[0]["operator"] == "王主任" and row[0]["table_name"] == "ledger" and '"from": "copy.db"' in row[0]["new_value"]
    assert not any(p.name.startswith(safecopy.TEMP_PREFIX) for p in tmp_path.iterdir())
    conn = sqlite3.connect(str(live.path))
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'backup_manifest'").fetchone()[0] == 0
    conn.close()


def test_a_second_restore_keeps_the_first_dated_copy(live, tmp_path, clock):
    copy = backup.backup(live, tmp_path / "copy.db")
    live.close()
    first = backup.restore(copy, live.path, operator=ADMIN, clock=clock)
    clock.advance(minutes=1)
    second = backup.restore(copy, live.path, operator=ADMIN, clock=clock)
    assert first.kept.exists() and second.kept.exists() and first.kept != second.kept


@pytest.mark.parametrize("make", [
    lambda p: p.write_bytes(b""),                                   # : > e.db
    lambda p: p.write_bytes(b"garbage" * 1000),
    lambda p: sqlite3.connect(str(p)).execute("CREATE TABLE t (x)"),  # an SQLite file, not a backup
    lambda p: open_db(p, community_name="别的社区").close(),          # a ledger, but no manifest
], ids=["empty", "garbage", "sqlite", "plain-ledger"])
def test_restore_refuses_what_is_not_a_verified_backup(live, tmp_path, clock, make):
    bad = tmp_path / "bad.db"
    make(bad)
    live.close()
    for _ in range(2):
        with pytest.raises(EnvironmentProblem):
            backup.restore(bad, live.path, operator=ADMIN, clock=clock)
    assert names(live.path) == ["第一网格"]
    assert not any("替换前" in p.name or p.name.startswith(safecopy.TEMP_PREFIX) for p in tmp_path.iterdir())


def test_restore_refuses_a_truncated_backup(live, tmp_path, clock):
    copy = backup.backup(live, tmp_path / "copy.db")
    data = copy.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 2])
    live.close()
    with pytest.raises(EnvironmentProblem):
        backup.restore(cut, live.path, operator=ADMIN, clock=clock)
    assert names(live.path) == ["第一网格"]


def test_a_backup_whose_rows_disagree_with_its_manifest_is_refused(live, tmp_path):
    copy = backup.backup(live, tmp_path / "copy.db")
    conn = sqlite3.connect(str(copy))
    with conn:
        conn.execute("DELETE FROM grids")
    conn.close()
    with pytest.raises(EnvironmentProblem, match="记录数"):
        safecopy.verify_backup(copy)


def test_only_an_administrator_restores(live, tmp_path, clock):
    copy = backup.backup(live, tmp_path / "copy.db")
    live.close()
    with pytest.raises(PermissionDenied, match="只有管理员可以从备份恢复台账"):
        backup.restore(copy, live.path, operator=CLERK, clock=clock)


def test_restore_missing_file(tmp_path):
    with pytest.raises(EnvironmentProblem, match="找不到"):
        backup.restore(tmp_path / "nope.db", tmp_path / "live.db", operator=ADMIN)


def test_restore_into_a_missing_folder_is_refused(live, tmp_path):
    copy = backup.backup(live, tmp_path / "copy.db")
    with pytest.raises(EnvironmentProblem, match="文件夹不存在"):
        backup.restore(copy, tmp_path / "没有" / "live.db", operator=ADMIN)
    assert not (tmp_path / "没有").exists()


@pytest.mark.parametrize("where,message", [("dir", "文件夹"), ("missing", "文件夹不存在")])
def test_backup_to_a_folder_or_a_missing_folder_is_refused(live, tmp_path, where, message):
    out = tmp_path if where == "dir" else tmp_path / "没有" / "copy.db"
    with pytest.raises(EnvironmentProblem, match=message):
        backup.backup(live, out)
    assert not (tmp_path / "没有").exists()


def test_a_cancelled_backup_leaves_nothing(live, tmp_path):
    from models.core.errors import Cancelled

    with pytest.raises(Cancelled):
        backup.backup(live, tmp_path / "copy.db", is_cancelled=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file() and p.suffix == ".db") == ["live.db"]
    assert not any(p.name.startswith(safecopy.TEMP_PREFIX) for p in tmp_path.iterdir())


def test_a_backup_the_audit_log_cannot_record_is_not_kept(live, tmp_path):
    """A read-only ledger (query_only: tests run as root, who ignores file modes)."""
    live.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(EnvironmentProblem, match="只读"):
        backup.backup(live, tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()


def test_a_backup_is_audited_for_good(live, tmp_path):
    """backup() commits its audit row itself: the window's worker and the command line add nothing."""
    backup.backup(live, tmp_path / "copy.db")
    assert not live.conn.in_transaction
    rows = live.query("SELECT action, new_value FROM audit_log WHERE action = '备份'")
    assert len(rows) == 1 and "copy.db" in rows[0]["new_value"]


# -- password-protected backups --------------------------------------------------------------------

def test_a_sealed_backup_needs_its_password(live, tmp_path, clock):
    out = backup.backup(live, tmp_path / "u盘.glenc", password="正确密码123")
    raw = out.read_bytes()
    assert sealed.is_sealed(out) and b"SQLite format 3" not in raw and "第一网格".encode() not in raw
    with pytest.raises(sealed.PasswordNeeded):
        backup.inspect_backup(out)
    with pytest.raises(sealed.WrongPassword, match="密码不正确"):
        backup.inspect_backup(out, "错误密码")
    assert backup.inspect_backup(out, "正确密码123").counts["grids"] == 1
    grids.add_grid(live, "第二网格")
    live.close()
    backup.restore(out, live.path, operator=ADMIN, clock=clock, password="正确密码123")
    assert names(live.path) == ["第一网格"]


def test_a_cut_sealed_backup_is_refused(live, tmp_path):
    out = backup.backup(live, tmp_path / "u盘.glenc", password="pw")
    cut = tmp_path / "cut.glenc"
    cut.write_bytes(out.read_bytes()[:-100])
    with pytest.raises(sealed.WrongPassword):
        backup.inspect_backup(cut, "pw")


# -- automatic backups and retention -------------------------------------------------------------

def test_automatic_backups_at_most_once_per_interval(live, clock, backup_dir):
    first = backup.auto_backup(live, "打开")
    assert first is not None and first.parent.parent == backup_dir
    assert backup.auto_backup(live, "关闭") is None          # within the hour
    clock.advance(hours=2)
    second = backup.auto_backup(live, "关闭")
    assert second is not None and "关闭" in second.name
    assert backup.last_backup(live).path == second
    assert backup.backup_status(live) == (f"最近备份：{clock.value:%Y-%m-%d %H:%M}（关闭）", False)
    clock.advance(days=4)
    text, warn = backup.backup_status(live)
    assert warn and "已超过 3 天没有备份" in text


def test_automatic_backup_also_into_a_second_folder(live, clock, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()
    backup.configure_backups(live, second=str(stick))
    made = backup.auto_backup(live, "每日", interval=None)
    assert (stick / made.name).exists()
    safecopy.verify_backup(stick / made.name)


def test_only_an_administrator_configures_backups(live):
    live.operator = CLERK
    with pytest.raises(PermissionDenied):
        backup.configure_backups(live, rule={"days": 3})


D = dt.datetime
NOW = D(2026, 10, 31, 18, 0)


@pytest.mark.parametrize("taken,kept", [      # NOW is Saturday 2026-10-31; the default rule 7 days/8 weeks/12 months
    (D(2026, 10, 31, 9, 0), True),     # today
    (D(2026, 10, 25, 23, 59), True),   # the 7th day back: every backup of the last 7 days
    (D(2026, 10, 25, 8, 0), True),
    (D(2026, 10, 24, 12, 0), False),   # 8th day back; its week's newest is 10-25 23:59, October's 10-31
    (D(2026, 10, 24, 8, 0), False),
    (D(2026, 9, 7, 10, 0), True),      # newest of the week of 09-07, the 8th week back
    (D(2026, 9, 6, 10, 0), False),     # its week (08-31) is the 9th back; September's newest is 09-07
    (D(2026, 8, 31, 10, 0), True),     # newest of August
    (D(2026, 8, 1, 10, 0), False),     # an older one of August
    (D(2025, 11, 30, 10, 0), True),    # newest of November 2025, the 12th month back
    (D(2025, 10, 31, 10, 0), False),   # the 13th month back
])
def test_retention_rule(taken, kept):
    times = [D(2026, 10, 31, 9, 0), D(2026, 10, 25, 23, 59), D(2026, 10, 25, 8, 0),
             D(2026, 10, 24, 12, 0), D(2026, 10, 24, 8, 0), D(2026, 9, 7, 10, 0), D(2026, 9, 6, 10, 0),
             D(2026, 8, 31, 10, 0), D(2026, 8, 1, 10, 0), D(2025, 11, 30, 10, 0), D(2025, 10, 31, 10, 0)]
    assert (taken in backup.to_keep(times, NOW)) is kept


def test_retention_always_keeps_the_newest():
    old = D(2020, 1, 1)
    assert backup.to_keep([old], NOW) == {old}
    assert backup.to_keep([], NOW) == set()


def test_prune_deletes_what_the_rule_drops(tmp_path):
    for t in (D(2026, 10, 31, 9), D(2026, 8, 1, 10), D(2026, 8, 31, 10)):
        (tmp_path / backup.backup_name(Path("台账.db"), t, "每日")).write_bytes(b"x")
    (tmp_path / "别的文件.db").write_bytes(b"x")
    removed = backup.prune(tmp_path, NOW)
    assert [p.name for p in removed] == ["台账_20260801-100000_每日.db"]
    assert (tmp_path / "别的文件.db").exists()


def test_a_migration_is_preceded_by_a_backup(tmp_path, clock, backup_dir):
    from models import ledger as ledger_mod

    path = tmp_path / "old.db"
    db = __import__("sqlite_utils").Database(str(path))
    last = ledger_mod._migration_sets()[-1]._migrations[-1].name
    ledger_mod.migrate(db, stop_before=[last])
    db.execute("INSERT INTO settings (key, value, updated_at, updated_by)"
               " VALUES ('旧设置', '1', '2026-01-01 00:00:00', 'x')")
    db.conn.commit()
    db.close()
    led = open_db(path, create=False, clock=clock)
    led.close()
    made = list(backup_dir.rglob("*_升级前.db"))
    assert len(made) == 1
    manifest = safecopy.verify_backup(made[0])
    assert f"gridledger.evaluation:{last}" not in manifest.migrations and manifest.counts["settings"] == 1
    open_db(path, create=False, clock=clock).close()   # nothing pending: no second backup
    assert len(list(backup_dir.rglob("*_升级前.db"))) == 1
