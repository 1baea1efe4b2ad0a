"""How a command ends when something goes wrong: in Chinese, never with a traceback on screen.

The environment's faults (a ledger locked by another PC, a corrupt file), found while
*reading*, print ``错误：…`` and exit 1 like a rejected input.  Our bugs are logged with
their traceback and exit 70 (EX_SOFTWARE), so that no test or batch script can take a bug
for a rejected input; pytest shows the logged traceback of a failing test.
"""

import cli
from cli import maintenance
from models.ledger import open_db
from models.residents import search
from tests.ledger_faults import BUSY, corrupt_table, locked, shared_file, user_dir  # noqa: F401 - fixtures


def test_a_ledger_locked_during_a_read_is_the_clerks_message(shared_file, monkeypatch, capsys, user_dir):
    def export_while_another_pc_writes(args):
        ledger = open_db(args.db, create=False)
        try:
            with locked(args.db):
                search.search_page(ledger, search.ResidentFilter())  # a read, not a write
        finally:
            ledger.close()
        return cli.EXIT_OK

    monkeypatch.setattr(maintenance, "run_check", export_while_another_pc_writes)
    assert cli.run(["--db", str(shared_file), "check"]) == cli.EXIT_REJECTED
    assert capsys.readouterr().err == f"错误：{BUSY}\n"
    assert not (user_dir / "logs" / "gridledger.log").exists()  # not a bug: nothing logged


def test_check_on_a_corrupt_ledger_says_restore_from_backup(shared_file, capsys, user_dir):
    corrupt_table(shared_file, "residents")
    status = cli.run(["--db", str(shared_file), "check"])
    captured = capsys.readouterr()
    assert status == cli.EXIT_REJECTED
    assert "错误：台账文件已损坏。请从备份恢复" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_a_bug_is_logged_with_its_traceback_and_told_calmly(shared_file, monkeypatch, capsys, user_dir,
                                                            caplog):
    def broken(args):
        return {}["grid"]

    monkeypatch.setattr(maintenance, "run_check", broken)
    assert cli.run(["--db", str(shared_file), "check"]) == 70
    err = capsys.readouterr().err
    log_path = user_dir / "logs" / "gridledger.log"
    assert err.startswith("错误：程序内部出错，本次操作没有完成。") and str(log_path) in err
    assert "Traceback" not in err and "KeyError" not in err
    logged = log_path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "KeyError: 'grid'" in logged and "in broken" in logged
    assert "KeyError" in caplog.text  # a failing test shows it
