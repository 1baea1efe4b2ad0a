"""How a command ends when something goes wrong: in Chinese, never with a traceback on screen.

The environment's faults (a ledger locked by another PC, a corrupt file), found while
*reading*, print ``错误：…`` and exit 1 like a rejected input.  Our bugs are logged with
their traceback and exit 70 (EX_SOFTWARE), so that no test or batch script can take a bug
for a rejected input; pytest shows the logged traceback of a failing test.
"""

import sqlite3

import pytest

import cli
from cli import maintenance
from models.core import db as dbmod
from models.core import errors
from models.core.db import Operator
from models.ledger import open_db
from models.residents import search


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    home = tmp_path / "userdata"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("LOCALAPPDATA", str(home))
    yield home / "GridLedger"
    for handler in [h for h in errors.log.handlers if getattr(h, "gridledger_log", False)]:
        errors.log.removeHandler(handler)
        handler.close()


@pytest.fixture
def shared_ledger(tmp_path, monkeypatch, clock):
    """A ledger file in rollback-journal mode (as on a network share) with two residents."""
    monkeypatch.setattr(dbmod, "is_network_path", lambda p: True)
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "share.db"
    led = open_db(path, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    with led.write():
        for name in ("张三", "李四"):
            led.db["residents"].insert(led.stamp({"name": name, "status": "在册"}, creating=True))
    led.close()
    return path


def test_a_ledger_locked_during_a_read_is_the_clerks_message(shared_ledger, monkeypatch, capsys, user_dir):
    def export_while_another_pc_writes(args):
        ledger = open_db(args.db, create=False)
        other = sqlite3.connect(args.db)
        other.execute("BEGIN EXCLUSIVE")
        try:
            search.search_page(ledger, search.ResidentFilter())  # a read, not a write
        finally:
            other.rollback()
            other.close()
            ledger.close()
        return cli.EXIT_OK

    monkeypatch.setattr(maintenance, "run_check", export_while_another_pc_writes)
    assert cli.run(["--db", str(shared_ledger), "check"]) == cli.EXIT_REJECTED
    err = capsys.readouterr().err
    assert err == "错误：台账文件正被其他程序或其他电脑占用，请稍后再试。\n"
    assert not (user_dir / "logs" / "gridledger.log").exists()  # not a bug: nothing logged


def test_check_on_a_corrupt_ledger_says_restore_from_backup(shared_ledger, capsys, user_dir):
    conn = sqlite3.connect(str(shared_ledger))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'residents'").fetchone()[0]
    conn.close()
    with open(shared_ledger, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)
    status = cli.run(["--db", str(shared_ledger), "check"])
    captured = capsys.readouterr()
    assert status == cli.EXIT_REJECTED
    assert "错误：台账文件已损坏。请从备份恢复" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_a_bug_is_logged_with_its_traceback_and_told_calmly(shared_ledger, monkeypatch, capsys, user_dir,
                                                            caplog):
    def broken(args):
        return {}["grid"]

    monkeypatch.setattr(maintenance, "run_check", broken)
    assert cli.run(["--db", str(shared_ledger), "check"]) == 70
    err = capsys.readouterr().err
    log_path = user_dir / "logs" / "gridledger.log"
    assert err.startswith("错误：程序内部出错，本次操作没有完成。") and str(log_path) in err
    assert "Traceback" not in err and "KeyError" not in err
    logged = log_path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "KeyError: 'grid'" in logged and "in broken" in logged
    assert "KeyError" in caplog.text  # a failing test shows it
