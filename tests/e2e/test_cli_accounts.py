"""The command line's accounts (issue 10): --user/GRIDLEDGER_USER, GRIDLEDGER_PASSWORD, a new
ledger's 管理员, wrong passwords and the lockout, role rules, ``user …`` and the demo's accounts."""

from __future__ import annotations

import json

import pytest

from models.core import accounts as A
from models.core.db import Operator
from models.grids import hierarchy as H
from models.ledger import open_db
from tests.e2e.test_cli_import import GOOD, _book

PASSWORD = "demo1234"        # tests/conftest.py's GRIDLEDGER_PASSWORD


def _community_book(path):
    """GOOD with a 所属社区 column: a brand-new ledger knows no community yet."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "身份证号码", "联系电话", "所属网格", "楼栋", "单元", "房号", "与户主关系", "所属社区"])
    for row in GOOD:
        ws.append(row + ["幸福社区"])
    wb.save(path)
    return path


def _audit(path, action):
    led = open_db(path, create=False)
    try:
        return led.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action])
    finally:
        led.close()


def test_a_new_ledger_path_is_created_with_its_admin(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_USER", "boss")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "boss-pass1")
    db = tmp_path / "new.db"
    done = cli("--db", db, "import", "residents", _community_book(tmp_path / "good.xlsx"))
    assert done.returncode == 0, done.stderr
    assert "已创建管理员账号“boss”" in done.stderr
    led = open_db(db, create=False)
    users = A.list_users(led)
    assert [(u.username, u.role, u.sensitive) for u in users] == [("boss", "管理员", True)]
    assert {r["created_by"] for r in led.query("SELECT created_by FROM residents")} == {"boss"}
    led.close()
    again = cli("--db", db, "check")
    assert again.returncode == 0 and "已创建" not in again.stderr
    assert len(_audit(db, "登录成功")) == 1


def test_a_bad_first_password_leaves_no_ledger(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "1234")
    db = tmp_path / "new.db"
    done = cli("--db", db, "import", "residents", _book(tmp_path / "good.xlsx", GOOD))
    assert done.returncode == 1
    assert "密码至少需要 8 个字符" in done.stderr
    assert not db.exists()


def test_no_user_and_no_terminal_exits_1(cli, ledger_path, monkeypatch):
    assert cli("--db", ledger_path, "check").returncode == 0          # creates admin
    monkeypatch.delenv("GRIDLEDGER_USER")
    done = cli("--db", ledger_path, "check")
    assert done.returncode == 1 and "GRIDLEDGER_USER" in done.stderr
    monkeypatch.delenv("GRIDLEDGER_PASSWORD")
    done = cli("--db", ledger_path, "--user", "admin", "check")
    assert done.returncode == 1 and "GRIDLEDGER_PASSWORD" in done.stderr


def test_wrong_password_exit_1_and_the_lockout_across_runs(cli, ledger_path, monkeypatch):
    assert cli("--db", ledger_path, "check").returncode == 0
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "wrong-pass1")
    for attempt in range(A.LOCKOUT_TRIES):
        done = cli("--db", ledger_path, "check")
        assert done.returncode == 1
    assert "用户名或密码错误" in cli("--db", ledger_path, "--user", "nobody", "check").stderr
    assert "已锁定" in done.stderr and "以后再试" in done.stderr
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", PASSWORD)
    locked = cli("--db", ledger_path, "check")
    assert locked.returncode == 1 and "已锁定" in locked.stderr
    assert len(_audit(ledger_path, "账号锁定")) == 1


def test_user_commands_and_a_grid_users_first_login(cli, ledger_path, monkeypatch):
    led = open_db(ledger_path, operator=Operator("测试员"))
    H.add_grid(led, "第一网格")
    H.add_grid(led, "第二网格")
    led.close()
    monkeypatch.setenv("GRIDLEDGER_USER_PASSWORD", "first-pass1")
    done = cli("--db", ledger_path, "user", "add", "zhang", "--role", "网格员", "--grids", "第一网格,第二网格",
               "--display", "张网格员")
    assert done.returncode == 0, done.stderr
    assert "已新增用户“zhang”" in done.stdout
    assert cli("--db", ledger_path, "user", "add", "li", "--role", "网格员", "--grids", "第九网格").returncode == 1
    listing = cli("--db", ledger_path, "user", "list")
    assert "zhang  张网格员  网格员  在用  网格：第一网格、第二网格  须修改密码" in listing.stdout
    assert "共 2 个账号。" in listing.stdout

    monkeypatch.setenv("GRIDLEDGER_USER", "zhang")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "first-pass1")
    must = cli("--db", ledger_path, "check")
    assert must.returncode == 1 and "必须先修改密码" in must.stderr
    monkeypatch.setenv("GRIDLEDGER_NEW_PASSWORD", "second-pass2")
    assert cli("--db", ledger_path, "check").returncode == 0
    monkeypatch.delenv("GRIDLEDGER_NEW_PASSWORD")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "second-pass2")
    assert cli("--db", ledger_path, "check").returncode == 0
    refused = cli("--db", ledger_path, "user", "list")            # a 网格员 manages nobody
    refused = cli("--db", ledger_path, "user", "disable", "admin")
    assert refused.returncode == 1 and "只有管理员可以管理用户" in refused.stderr

    monkeypatch.setenv("GRIDLEDGER_USER", "admin")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", PASSWORD)
    assert cli("--db", ledger_path, "user", "grant-sensitive", "zhang").returncode == 0
    assert cli("--db", ledger_path, "user", "disable", "zhang").returncode == 0
    assert cli("--db", ledger_path, "user", "disable", "admin").returncode == 1   # the last 管理员
    monkeypatch.setenv("GRIDLEDGER_USER_PASSWORD", "reset-pass1")
    assert cli("--db", ledger_path, "user", "reset-password", "zhang").returncode == 0
    listing = cli("--db", ledger_path, "user", "list").stdout
    assert "zhang  张网格员  网格员  已停用" in listing and "可查看敏感信息  须修改密码" in listing
    actions = [r["action"] for r in _audit(ledger_path, "授予敏感信息权限") + _audit(ledger_path, "停用用户")
               + _audit(ledger_path, "重置密码")]
    assert actions == ["授予敏感信息权限", "停用用户", "重置密码"]
    assert "reset-pass1" not in json.dumps(_audit(ledger_path, "重置密码"), ensure_ascii=False)


def test_a_supervisors_import_is_refused(cli, ledger_path, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_USER_PASSWORD", "super-pass1")
    assert cli("--db", ledger_path, "user", "add", "super", "--role", "督导员").returncode == 0
    monkeypatch.setenv("GRIDLEDGER_USER", "super")
    monkeypatch.setenv("GRIDLEDGER_PASSWORD", "super-pass1")
    monkeypatch.setenv("GRIDLEDGER_NEW_PASSWORD", "super-pass2")
    done = cli("--db", ledger_path, "import", "residents", _book(tmp_path / "good.xlsx", GOOD))
    assert done.returncode == 1
    assert "督导员" in done.stderr
    led = open_db(ledger_path, create=False)
    assert led.scalar("SELECT COUNT(*) FROM residents") == 0
    led.close()


def test_demo_creates_and_prints_its_accounts(cli, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    done = cli("--db", db, "demo", "--households", "30", "--months", "2")
    assert done.returncode == 0, done.stderr
    assert "演示账号（密码都是 demo1234" in done.stdout
    for name in ("admin", "clerk", "grid1", "super"):
        assert name in done.stdout
    led = open_db(db, create=False)
    users = {u.username: u for u in A.list_users(led)}
    assert {n: u.role for n, u in users.items()} == {"admin": "管理员", "clerk": "工作人员", "grid1": "网格员",
                                                    "super": "督导员"}
    assert users["grid1"].grid_ids == (led.scalar("SELECT MIN(id) FROM grids"),)
    assert not any(u.must_change_password for u in users.values())
    led.close()
    for name in ("clerk", "grid1", "super"):
        monkeypatch.setenv("GRIDLEDGER_USER", name)
        assert cli("--db", db, "check").returncode in (0, 1)
        assert not _audit(db, "登录失败")


def test_a_grid_users_export_holds_only_their_grid_and_no_full_ids(cli, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    assert cli("--db", db, "demo", "--households", "60", "--months", "1").returncode == 0
    led = open_db(db, create=False)
    first = led.scalar("SELECT MIN(id) FROM grids")
    mine = {r["name"] for r in led.query("SELECT name FROM residents WHERE grid_id = ?", [first])}
    others = {r["name"] for r in led.query("SELECT name FROM residents WHERE grid_id <> ?", [first])} - mine
    led.close()
    assert mine and others
    monkeypatch.setenv("GRIDLEDGER_USER", "grid1")
    out = tmp_path / "居民.csv"
    done = cli("--db", db, "export", "residents", "--out", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert all(name in text for name in mine) and not any(name in text for name in others)
    refused = cli("--db", db, "export", "residents", "--out", tmp_path / "全.csv", "--full-ids")
    assert refused.returncode == 1 and "完整身份证号" in refused.stderr
    assert not (tmp_path / "全.csv").exists()
