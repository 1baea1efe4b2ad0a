"""Ledger.write(): one transaction that takes the write lock before its first read."""

import pytest

from models.core.db import Operator
from models.core.errors import EnvironmentProblem
from models.ledger import open_db


@pytest.fixture
def two_connections(tmp_path, clock):
    path = tmp_path / "t.db"
    first = open_db(path, operator=Operator("甲"), clock=clock, community_name="幸福社区")
    second = open_db(path, operator=Operator("乙"), clock=clock, create=False)
    second.conn.execute("PRAGMA busy_timeout = 50")
    yield first, second
    second.close()
    first.close()


def test_an_operation_that_reads_then_writes_is_not_broken_by_another_writer(two_connections):
    first, second = two_connections
    with first.write():
        first.scalar("SELECT COUNT(*) FROM settings")      # reads first, as operations do
        # the other connection must wait (here: give up after its short timeout) …
        with pytest.raises(EnvironmentProblem, match="占用"):
            second.set_setting("x", 1)
        # … so this write cannot meet a snapshot that someone else has moved on
        first.set_setting("y", 2)
    assert second.get_setting("y") == 2
    assert second.get_setting("x") is None


def test_nested_writes_are_savepoints_and_an_inner_failure_keeps_the_outer_work(ledger):
    with ledger.write():
        ledger.set_setting("outer", 1)
        with pytest.raises(RuntimeError):
            with ledger.write():
                ledger.set_setting("inner", 1)
                raise RuntimeError("boom")
    assert ledger.get_setting("outer") == 1
    assert ledger.get_setting("inner") is None


def test_a_failed_transaction_writes_nothing(ledger):
    with pytest.raises(RuntimeError):
        with ledger.write():
            ledger.set_setting("gone", 1)
            raise RuntimeError("boom")
    assert ledger.get_setting("gone") is None
    assert not ledger.conn.in_transaction


def test_run_script_keeps_the_transaction_and_splits_only_whole_statements():
    import sqlite3

    import sqlite_utils

    from models.core.schema import run_script

    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    db.conn.execute("BEGIN")
    run_script(db, """
        CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'a;b');  -- a comment; with a semicolon
        CREATE TABLE log (msg TEXT); INSERT INTO t (note) VALUES ('x;y');
        CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
            INSERT INTO log VALUES ('one');
            INSERT INTO log VALUES ('two');
        END;
        INSERT INTO t (note) VALUES ('z')
    """)
    assert db.conn.in_transaction  # nothing committed behind the migration's back
    assert [r[0] for r in db.conn.execute("SELECT note FROM t ORDER BY id")] == ["x;y", "z"]
    assert [r[0] for r in db.conn.execute("SELECT msg FROM log")] == ["one", "two"]
    db.conn.execute("ROLLBACK")
    assert db.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
