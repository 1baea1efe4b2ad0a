"""Backup is a verified consistent copy; restore keeps the replaced ledger as .bak."""

import pytest

from models import backup
from models.grids import hierarchy as grids
from models.core.db import Operator
from models.ledger import open_db
from models.core.errors import EnvironmentProblem


def test_backup_then_restore(tmp_path):
    path = tmp_path / "live.db"
    led = open_db(path, community_name="幸福社区")
    grids.add_grid(led, "第一网格")
    copy = backup.backup(led, tmp_path / "copy.db")
    grids.add_grid(led, "第二网格")  # made after the backup
    with pytest.raises(EnvironmentProblem, match="已存在"):
        backup.backup(led, copy)
    led.close()

    backup.restore(copy, path, operator=Operator("管理员甲"))
    restored = open_db(path)
    assert [g["name"] for g in grids.grids(restored)] == ["第一网格"]
    row = restored.query("SELECT operator, table_name, new_value FROM audit_log WHERE action = '恢复备份'")
    assert row == [{"operator": "管理员甲", "table_name": "ledger", "new_value": f'{{"file": "{copy}"}}'}]
    restored.close()
    previous = open_db(tmp_path / "live.db.bak")
    assert [g["name"] for g in grids.grids(previous)] == ["第一网格", "第二网格"]
    previous.close()


def test_restore_refuses_garbage(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    target = tmp_path / "live.db"
    open_db(target, community_name="幸福社区").close()
    with pytest.raises(EnvironmentProblem):
        backup.restore(bad, target)
    assert open_db(target).community_name == "幸福社区"


def test_restore_missing_file(tmp_path):
    with pytest.raises(EnvironmentProblem, match="找不到"):
        backup.restore(tmp_path / "nope.db", tmp_path / "live.db")


def test_a_backup_is_audited_for_good(tmp_path):
    """backup() commits its audit row itself: the window's worker and the command line add nothing."""
    path = tmp_path / "live.db"
    led = open_db(path, community_name="幸福社区")
    backup.backup(led, tmp_path / "copy.db")
    assert not led.conn.in_transaction
    led.close()
    again = open_db(path, create=False)
    rows = again.query("SELECT action, new_value FROM audit_log WHERE action = '备份'")
    again.close()
    assert len(rows) == 1 and "copy.db" in rows[0]["new_value"]
