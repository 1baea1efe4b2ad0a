"""``main.py audit export --from … --to … --out F.xlsx``: the 操作日志 of a period, masked."""

from __future__ import annotations

import datetime as dt

from python_calamine import CalamineWorkbook

from models.core.db import Operator
from models.ledger import open_db


def _ledger_with_log(path):
    moments = iter([dt.datetime(2026, 9, 30, 17, 0), dt.datetime(2026, 10, 8, 9, 0),
                    dt.datetime(2026, 10, 9, 9, 0), dt.datetime(2026, 10, 12, 9, 0)])
    now = [dt.datetime(2026, 9, 1)]
    led = open_db(path, operator=Operator("王芳"), clock=lambda: now[0], community_name="幸福社区")
    for moment in moments:
        now[0] = moment
        with led.write():
            led.audit("修改", "residents", 7, {"phone": "13812345678"}, {"phone": "13900001111"})
    led.close()


def test_audit_export_writes_the_period_masked(cli, tmp_path):
    path = tmp_path / "ledger.db"
    _ledger_with_log(path)
    out = tmp_path / "日志.xlsx"
    done = cli("--db", path, "audit", "export", "--from", "2026-10-01", "--to", "2026-10-09", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "已导出操作日志 2 条" in done.stdout
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0][0].startswith("幸福社区操作日志　2026-10-01 至 2026-10-09　共 2 条　导出：")
    assert [r[0] for r in rows[2:]] == ["2026-10-09 09:00:00", "2026-10-08 09:00:00"]
    assert {r[1] for r in rows[2:]} == {"王芳"}
    assert rows[2][5] == "电话：138****5678 → 139****1111"
    text = repr(rows)
    assert "13812345678" not in text and "13900001111" not in text


def test_audit_export_usage_errors(cli, tmp_path):
    path = tmp_path / "ledger.db"
    _ledger_with_log(path)
    done = cli("--db", path, "audit", "export", "--from", "十月", "--out", tmp_path / "a.xlsx")
    assert done.returncode == 2 and "--from 应为 YYYY-MM-DD" in done.stderr
    done = cli("--db", path, "audit", "export", "--out", tmp_path / "a.pdf")
    assert done.returncode == 2 and ".xlsx 或 .csv" in done.stderr
    done = cli("--db", path, "audit", "--out", tmp_path / "a.xlsx")
    assert done.returncode == 2
    assert not (tmp_path / "a.xlsx").exists()


def test_only_an_administrator_exports_the_log(cli, tmp_path, monkeypatch):
    from models.core import accounts

    path = tmp_path / "ledger.db"
    _ledger_with_log(path)
    out = tmp_path / "日志.xlsx"
    assert cli("--db", path, "audit", "export", "--out", out).returncode == 0   # creates the 管理员 admin
    led = open_db(path, operator=Operator("管理员"))
    accounts.create_user(led, username="clerk", display_name="王芳", role="工作人员", password="clerk2026",
                         must_change_password=False)
    exported_by = led.query("SELECT operator FROM audit_log WHERE action = '导出操作日志'")
    led.close()
    assert exported_by == [{"operator": "admin"}]   # the logged-in account, not the OS user
    monkeypatch.setenv("GRIDLEDGER_USER", "clerk")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "clerk2026")
    again = tmp_path / "再导.xlsx"
    done = cli("--db", path, "audit", "export", "--out", again)
    assert done.returncode == 1
    assert "只有管理员可以查看操作日志" in done.stderr
    assert not again.exists()
