"""Connection rules, migrations from empty, settings, audit, environment errors."""

import datetime as dt
import sqlite3

import pytest

from models import ledger as ledger_mod
from models.core import db as dbmod
from models.core.db import Operator, integrity_check, ts
from models.ledger import open_db
from models.core.errors import EnvironmentProblem, NotFound


def test_new_ledger_has_every_migration_and_rules(tmp_path):
    led = open_db(tmp_path / "a.db", community_name="幸福社区")
    applied = {(r["migration_set"], r["name"]) for r in led.query("SELECT * FROM _sqlite_migrations")}
    for migrations in ledger_mod._migration_sets():
        for m in migrations._migrations:
            assert (migrations.name, m.name) in applied
    assert led.scalar("PRAGMA foreign_keys") == 1
    assert led.scalar("PRAGMA synchronous") == 2  # FULL
    assert led.scalar("PRAGMA journal_mode") == "wal"
    assert led.scalar("PRAGMA busy_timeout") == dbmod.BUSY_TIMEOUT_MS
    assert led.community_name == "幸福社区"
    assert integrity_check(led) == []
    led.close()


def test_reopening_keeps_data_and_applies_nothing_twice(tmp_path):
    path = tmp_path / "a.db"
    open_db(path, community_name="幸福社区").close()
    led = open_db(path)
    assert led.community_name == "幸福社区"
    names = [r["name"] for r in led.query("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))
    led.close()


def test_network_share_uses_rollback_journal(tmp_path, monkeypatch):
    monkeypatch.setattr(dbmod, "is_network_path", lambda p: True)
    led = open_db(tmp_path / "share.db", community_name="幸福社区")
    assert led.scalar("PRAGMA journal_mode") == "delete"
    led.close()


@pytest.mark.parametrize("path,expected", [("\\\\server\\share\\a.db", True), ("//server/share/a.db", True)])
def test_unc_paths_are_network(path, expected):
    from pathlib import PureWindowsPath

    assert dbmod.is_network_path(PureWindowsPath(path) if path.startswith("\\") else path) is expected


def test_not_a_ledger_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "照片.jpg"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(EnvironmentProblem, match="照片.jpg”不是网格台账文件"):  # the clerk may have picked it
        open_db(bad)


def test_missing_file_without_create(tmp_path):
    with pytest.raises(EnvironmentProblem, match="找不到台账文件"):
        open_db(tmp_path / "none.db", create=False)


def test_settings_round_trip_and_audit(ledger, clock):
    ledger.set_setting("x", {"a": [1, "中文"]})
    assert ledger.get_setting("x") == {"a": [1, "中文"]}
    assert ledger.get_setting("missing", 5) == 5
    row = ledger.query("SELECT * FROM audit_log WHERE action = '设置' ORDER BY id DESC LIMIT 1")[0]
    assert row["operator"] == "测试员"
    assert row["at"] == "2026-10-15 09:30:00"


def test_one_is_the_row_or_the_clerks_not_found(ledger):
    community = ledger.one("SELECT id, name FROM communities ORDER BY id LIMIT 1", missing="无")
    assert set(community) == {"id", "name"}
    assert ledger.one("SELECT name FROM communities WHERE id = ?", [community["id"]], missing="无") == {
        "name": community["name"]}
    with pytest.raises(NotFound, match="^社区不存在（编号 -1）。$"):
        ledger.one("SELECT * FROM communities WHERE id = ?", [-1], missing="社区不存在（编号 -1）。")


def test_write_is_all_or_nothing(ledger):
    before = ledger.scalar("SELECT COUNT(*) FROM communities")
    with pytest.raises(RuntimeError):
        with ledger.write():
            ledger.db["communities"].insert(ledger.stamp({"name": "临时社区"}, creating=True))
            raise RuntimeError("boom")
    assert ledger.scalar("SELECT COUNT(*) FROM communities") == before


def test_locked_file_becomes_chinese_message(tmp_path):
    path = tmp_path / "lock.db"
    led = open_db(path, community_name="幸福社区")
    led.conn.execute(f"PRAGMA busy_timeout = 50")
    other = sqlite3.connect(str(path))
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(EnvironmentProblem, match="占用"):
            with led.write():
                led.db.execute("INSERT INTO tags (name) VALUES ('新标签')")
    finally:
        other.rollback()
        other.close()
        led.close()


def test_operator_defaults_to_os_user(tmp_path):
    led = open_db(None)
    assert led.operator.name
    led.close()
    led = open_db(None, operator=Operator("张三", user_id=3, role="工作人员"))
    assert led.operator.role == "工作人员"
    led.close()


def test_bulk_writes_runs_nested_writes_without_savepoints_and_rolls_back_whole(ledger):
    import pytest as _pytest

    statements = []
    with _pytest.raises(RuntimeError, match="open transaction"):
        with ledger.bulk_writes():
            pass
    ledger.conn.set_trace_callback(statements.append)
    try:
        with _pytest.raises(ZeroDivisionError):
            with ledger.write():
                with ledger.bulk_writes():
                    with ledger.write():
                        ledger.conn.execute("INSERT INTO settings (key, value) VALUES ('bulk_a', '1')")
                    with ledger.write():
                        ledger.query("SELECT key FROM settings")
                        1 / 0
    finally:
        ledger.conn.set_trace_callback(None)
    assert not any("SAVEPOINT" in s.upper() for s in statements), statements
    assert ledger.scalar("SELECT COUNT(*) FROM settings WHERE key = 'bulk_a'") == 0
    # outside bulk_writes a nested write is a savepoint again
    with ledger.write():
        with ledger.write():
            assert ledger.conn.in_transaction


def test_query_reads_on_the_connection_with_unique_column_names(ledger):
    statements = []
    ledger.conn.set_trace_callback(statements.append)
    try:
        rows = ledger.query("SELECT 1 AS a, 2 AS a, 3 AS b")
    finally:
        ledger.conn.set_trace_callback(None)
    assert rows == [{"a": 1, "a_2": 2, "b": 3}]
    assert statements == ["SELECT 1 AS a, 2 AS a, 3 AS b"]


def test_execute_later_runs_now_outside_bulk_writes_and_at_its_end_inside(ledger):
    ledger.conn.execute("CREATE TABLE later_t (v INTEGER)")
    ledger.execute_later("INSERT INTO later_t VALUES (?)", [1])
    assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 1
    with ledger.write():
        with ledger.bulk_writes():
            ledger.execute_later("INSERT INTO later_t VALUES (?)", [2])
            ledger.execute_later("INSERT INTO later_t VALUES (?)", [3])
            assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 1      # gathered
        assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 3          # written at the end
    import pytest as _pytest
    with _pytest.raises(ZeroDivisionError):
        with ledger.write():
            with ledger.bulk_writes():
                ledger.execute_later("INSERT INTO later_t VALUES (?)", [4])
                1 / 0
    assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 3
    ledger.execute_later("INSERT INTO later_t VALUES (?)", [5])            # not left in gathering mode
    assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 4


def test_execute_later_writes_every_batch_so_memory_stays_bounded(ledger, monkeypatch):
    monkeypatch.setattr(dbmod, "LATER_BATCH", 3)
    ledger.conn.execute("CREATE TABLE later_t (v INTEGER)")
    with ledger.write():
        with ledger.bulk_writes():
            for v in range(7):
                ledger.execute_later("INSERT INTO later_t VALUES (?)", [v])
            assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 6      # two whole batches written
        assert ledger.scalar("SELECT COUNT(*) FROM later_t") == 7


# -- reads remembered while the ledger is unchanged ------------------------------------------------

def _counter(ledger):
    calls = []

    def compute():
        calls.append(1)
        # a pure read may fill a temporary table of its own: that is no change to the ledger
        ours = not ledger.conn.in_transaction
        ledger.conn.execute("CREATE TEMP TABLE IF NOT EXISTS scratch (x)")
        ledger.conn.execute("INSERT INTO temp.scratch VALUES (1)")
        if ours:
            ledger.conn.commit()  # as StaticHouseholds does: no snapshot of its own left open
        return ledger.scalar("SELECT COUNT(*) FROM settings")
    return calls, compute


def test_a_read_is_remembered_until_this_connection_writes(tmp_path):
    led = open_db(tmp_path / "a.db")
    calls, compute = _counter(led)
    first = led.remembered("n", compute)
    assert led.remembered("n", compute) == first and len(calls) == 1
    assert led.remembered("other", lambda: "x") == "x"
    assert led.remembered("n", compute) == first and len(calls) == 1      # both kept
    with led.write():
        led.set_setting("新设置", "1")
    assert led.remembered("n", compute) == first + 1 and len(calls) == 2
    led.close()


def test_a_commit_of_another_connection_is_seen(tmp_path):
    path = tmp_path / "a.db"
    led, other = open_db(path), open_db(path)
    calls, compute = _counter(led)
    first = led.remembered("n", compute)
    with other.write():
        other.set_setting("别处写的", "1")
    assert led.remembered("n", compute) == first + 1 and len(calls) == 2
    led.close()
    other.close()


def test_a_write_left_uncommitted_is_a_change_too(tmp_path):
    led = open_db(tmp_path / "a.db")
    calls, compute = _counter(led)
    first = led.remembered("n", compute)
    led.conn.execute("BEGIN")
    led.conn.execute("INSERT INTO settings (key, value) VALUES ('未提交', '1')")
    assert led.remembered("n", compute) == first + 1
    led.conn.rollback()
    assert led.remembered("n", compute) == first and len(calls) == 3
    led.close()


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 10, 15, 9, 30), dt.datetime(2026, 10, 15, 9, 30, 5, 999999), dt.datetime(1900, 1, 1),
    dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(999, 1, 2, 3, 4, 5),
    dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
])
def test_ts_is_the_stored_format(value):
    assert ts(value) == value.strftime("%Y-%m-%d %H:%M:%S")


def test_during_bulk_remembers_only_inside_bulk_writes(ledger):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert ledger.during_bulk("k", compute) == 1 and ledger.during_bulk("k", compute) == 2
    with ledger.write():
        with ledger.bulk_writes():
            assert [ledger.during_bulk("k", compute) for _ in range(3)] == [3, 3, 3]
            with ledger.bulk_writes():                       # nested: the same block
                assert ledger.during_bulk("k", compute) == 3
    assert ledger.during_bulk("k", compute) == 4            # forgotten when the block ends
