"""Accounts (issue 10): the password rule, argon2id, users as operations, login and lockout."""

import datetime as dt
import json

import pytest

from models.core import accounts as A
from models.core.db import Operator
from models.core.errors import NotFound, ValidationError, WorkflowError
from models.core.permissions import PermissionDenied
from models.grids import hierarchy as H
from models.ledger import open_db

PASSWORD = "good-pass1"


@pytest.fixture
def admin(ledger):
    """The ledger with its first 管理员 ``admin`` logged in."""
    A.create_first_admin(ledger, username="admin", display_name="王主任", password=PASSWORD)
    return ledger


def _grid(ledger, name):
    return H.add_grid(ledger, name)


@pytest.mark.parametrize("username,password,problem", [
    ("admin", "short1", "密码至少需要 8 个字符。"),
    ("admin", "12345678", "密码不能全是数字。"),
    ("zhangsan", "ZhangSan", "密码不能与用户名相同。"),
    ("admin", " abcdefg1", "密码首尾不能是空格。"),
    ("admin", "", "密码至少需要 8 个字符。"),
    ("admin", "abcdefg1", None),
    ("admin", "密码密码密码密码", None),
])
def test_password_rule(username, password, problem):
    assert A.password_problem(username, password) == problem


@pytest.mark.parametrize("username,ok", [("admin", True), ("grid_1", True), ("张三", True),
                                         ("", False), ("a b", False), ("x" * 33, False), ("a;b", False)])
def test_username_rule(username, ok):
    assert (A.username_problem(username) is None) == ok


def test_a_new_ledger_has_no_accounts_until_the_first_admin(ledger):
    assert not A.has_accounts(ledger)
    op = A.create_first_admin(ledger, username="admin", display_name="王主任", password=PASSWORD)
    assert A.has_accounts(ledger)
    assert ledger.operator is op
    assert (op.name, op.role, op.username, op.sees_sensitive, op.must_change_password) == \
        ("王主任", "管理员", "admin", True, False)
    with pytest.raises(WorkflowError):
        A.create_first_admin(ledger, username="other", display_name="别人", password=PASSWORD)


def test_the_first_admin_obeys_the_password_rule_and_nothing_is_written(ledger):
    with pytest.raises(ValidationError) as err:
        A.create_first_admin(ledger, username="admin", display_name="王主任", password="1234")
    assert err.value.field == "password"
    assert not A.has_accounts(ledger)
    assert ledger.operator.name == "测试员"


def test_only_an_argon2id_hash_is_stored_and_the_password_is_never_audited(admin):
    A.create_user(admin, username="clerk", display_name="李干事", role="工作人员", password="clerk-pass1")
    hashes = [r["password_hash"] for r in admin.query("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    dump = json.dumps(admin.query("SELECT * FROM audit_log"), ensure_ascii=False)
    assert "clerk-pass1" not in dump and PASSWORD not in dump and "$argon2" not in dump
    assert "新增用户" in dump


def test_the_real_hasher_is_argon2id_with_the_default_cost():
    from argon2 import Type
    # tests/conftest.py swaps in a cheap hasher; the module's own default must stay the strong one
    assert A.DEFAULT_HASHER.type is Type.ID
    assert A.DEFAULT_HASHER.memory_cost >= 65536 and A.DEFAULT_HASHER.time_cost >= 3


def test_create_user_with_grids_and_defaults(admin):
    g1, g2 = _grid(admin, "第一网格"), _grid(admin, "第二网格")
    uid = A.create_user(admin, username="grid1", display_name="张网格", role="网格员",
                        password="grid-pass1", grid_ids=[g2, g1])
    user = A.get_user(admin, uid)
    assert (user.role, user.grid_ids, user.sensitive, user.must_change_password, user.active) == \
        ("网格员", (g1, g2), False, True, True)
    assert A.find_user(admin, "GRID1").id == uid
    assert [u.username for u in A.list_users(admin)] == ["admin", "grid1"]
    op = user.operator()
    assert op.scoped_grids == frozenset({g1, g2}) and not op.sees_sensitive


@pytest.mark.parametrize("fields,field", [
    ({"username": "a b"}, "username"),
    ({"username": "ADMIN"}, "username"),          # taken, case-insensitively
    ({"display_name": " "}, "display_name"),
    ({"role": "访客"}, "role"),
    ({"password": "12345678"}, "password"),
    ({"role": "网格员", "grid_ids": []}, "grid_ids"),
    ({"role": "网格员", "grid_ids": [999]}, "grid_ids"),
])
def test_create_user_refuses_bad_fields(admin, fields, field):
    data = {"username": "newbie", "display_name": "新人", "role": "工作人员", "password": "newbie-pass1",
            **fields}
    with pytest.raises(ValidationError) as err:
        A.create_user(admin, **data)
    assert err.value.field == field
    assert len(A.list_users(admin)) == 1


@pytest.mark.parametrize("role", ["工作人员", "网格员", "督导员", None])
def test_only_an_admin_manages_users(admin, role):
    uid = A.create_user(admin, username="clerk", display_name="李干事", role="工作人员", password="clerk-pass1")
    admin.operator = Operator("某人", role=role, grid_ids=frozenset())
    calls = [lambda: A.create_user(admin, username="x1", display_name="x", role="工作人员", password="x-pass-123"),
             lambda: A.disable_user(admin, uid), lambda: A.reset_password(admin, uid, "other-pass1"),
             lambda: A.change_role(admin, uid, "督导员"), lambda: A.set_sensitive(admin, uid, True)]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert A.get_user(admin, uid).role == "工作人员" and A.get_user(admin, uid).active


def test_login_success_returns_the_accounts_operator_and_is_audited(admin, clock):
    uid = A.create_user(admin, username="clerk", display_name="李干事", role="工作人员",
                        password="clerk-pass1", must_change_password=False)
    admin.operator = Operator("陌生人", role=None)
    op = A.authenticate(admin, " Clerk ", "clerk-pass1")
    assert (op.name, op.user_id, op.role, op.must_change_password) == ("李干事", uid, "工作人员", False)
    assert admin.operator == op
    row = admin.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert (row["action"], row["operator"], row["user_id"]) == ("登录成功", "李干事", uid)


def test_wrong_name_and_wrong_password_say_the_same_and_are_audited(admin):
    with pytest.raises(A.LoginRefused) as unknown:
        A.authenticate(admin, "nobody", PASSWORD)
    with pytest.raises(A.LoginRefused) as wrong:
        A.authenticate(admin, "admin", "wrong-pass1")
    assert str(unknown.value) == A.WRONG
    assert str(wrong.value).startswith(A.WRONG) and "再输错 4 次" in str(wrong.value)
    actions = [r["action"] for r in admin.query("SELECT action FROM audit_log WHERE action LIKE '登录%'")]
    assert actions == ["登录失败", "登录失败"]
    assert "wrong-pass1" not in json.dumps(admin.query("SELECT * FROM audit_log"), ensure_ascii=False)


def test_five_wrong_passwords_lock_for_15_minutes_even_across_reopening(tmp_path, clock):
    path = tmp_path / "lock.db"
    led = open_db(path, clock=clock, community_name="幸福社区")
    A.create_first_admin(led, username="admin", display_name="王主任", password=PASSWORD)
    led.close()
    for attempt in range(A.LOCKOUT_TRIES):
        led = open_db(path, clock=clock)       # every attempt a new program start
        with pytest.raises(A.LoginRefused) as err:
            A.authenticate(led, "admin", "wrong-pass1")
        led.close()
        clock.advance(seconds=10)
    until = clock.value - dt.timedelta(seconds=10) + dt.timedelta(minutes=15)
    assert err.value.locked_until == until
    assert until.strftime("%Y-%m-%d %H:%M") in str(err.value) and "锁定" in str(err.value)
    led = open_db(path, clock=clock)
    with pytest.raises(A.LoginRefused) as locked:      # even the right password, while locked
        A.authenticate(led, "admin", PASSWORD)
    assert locked.value.locked_until == until
    assert "账号锁定" in [r["action"] for r in led.query("SELECT action FROM audit_log")]
    clock.value = until + dt.timedelta(seconds=1)
    assert A.authenticate(led, "admin", PASSWORD).username == "admin"
    with pytest.raises(A.LoginRefused) as again:       # the count starts again from zero
        A.authenticate(led, "admin", "wrong-pass1")
    assert "再输错 4 次" in str(again.value)
    led.close()


def test_a_success_resets_the_count(admin):
    for _ in range(A.LOCKOUT_TRIES - 1):
        with pytest.raises(A.LoginRefused):
            A.authenticate(admin, "admin", "wrong-pass1")
    A.authenticate(admin, "admin", PASSWORD)
    with pytest.raises(A.LoginRefused) as err:
        A.authenticate(admin, "admin", "wrong-pass1")
    assert err.value.locked_until is None


def test_first_login_must_change_the_password(admin):
    A.create_user(admin, username="clerk", display_name="李干事", role="工作人员", password="first-pass1")
    op = A.authenticate(admin, "clerk", "first-pass1")
    assert op.must_change_password
    with pytest.raises(ValidationError) as wrong_old:
        A.change_own_password(admin, "not-it-123", "second-pass2")
    assert wrong_old.value.field == "old"
    with pytest.raises(ValidationError) as same:
        A.change_own_password(admin, "first-pass1", "first-pass1")
    assert same.value.field == "new"
    with pytest.raises(ValidationError) as weak:
        A.change_own_password(admin, "first-pass1", "clerk")
    assert weak.value.field == "new"
    A.change_own_password(admin, "first-pass1", "second-pass2")
    assert not admin.operator.must_change_password
    assert not A.authenticate(admin, "clerk", "second-pass2").must_change_password
    with pytest.raises(A.LoginRefused):
        A.authenticate(admin, "clerk", "first-pass1")


def test_change_own_password_needs_a_login(ledger):
    with pytest.raises(WorkflowError):
        A.change_own_password(ledger, "a", "b")


def test_reset_password_forces_a_change_and_lifts_the_lock(admin):
    uid = A.create_user(admin, username="clerk", display_name="李干事", role="工作人员",
                        password="first-pass1", must_change_password=False)
    for _ in range(A.LOCKOUT_TRIES):
        with pytest.raises(A.LoginRefused):
            A.authenticate(admin, "clerk", "wrong-pass1")
    assert A.get_user(admin, uid).locked_until is not None
    A.authenticate(admin, "admin", PASSWORD)
    A.reset_password(admin, uid, "reset-pass1")
    user = A.get_user(admin, uid)
    assert user.locked_until is None and user.must_change_password
    assert A.authenticate(admin, "clerk", "reset-pass1").must_change_password


def test_disable_keeps_the_account_and_refuses_its_login(admin):
    uid = A.create_user(admin, username="clerk", display_name="李干事", role="工作人员", password="clerk-pass1")
    A.disable_user(admin, uid)
    assert not A.get_user(admin, uid).active
    with pytest.raises(A.LoginRefused) as err:
        A.authenticate(admin, "clerk", "clerk-pass1")
    assert "停用" in str(err.value)
    A.authenticate(admin, "admin", PASSWORD)
    A.enable_user(admin, uid)
    assert A.authenticate(admin, "clerk", "clerk-pass1").user_id == uid


def test_at_least_one_active_admin_remains(admin):
    me = admin.operator.user_id
    with pytest.raises(WorkflowError):
        A.disable_user(admin, me)
    with pytest.raises(WorkflowError):
        A.change_role(admin, me, "工作人员")
    assert A.get_user(admin, me).active and A.get_user(admin, me).role == "管理员"
    other = A.create_user(admin, username="admin2", display_name="副主任", role="管理员", password="admin2-pass")
    A.change_role(admin, me, "工作人员")          # another admin remains: allowed
    A.authenticate(admin, "admin2", "admin2-pass")
    with pytest.raises(WorkflowError):
        A.disable_user(admin, other)              # now admin2 is the last one
    assert A.get_user(admin, other).active


def test_change_role_and_grids(admin):
    g1, g2 = _grid(admin, "第一网格"), _grid(admin, "第二网格")
    uid = A.create_user(admin, username="u", display_name="小王", role="工作人员", password="u-pass-123")
    with pytest.raises(ValidationError):
        A.change_role(admin, uid, "网格员")
    A.change_role(admin, uid, "网格员", [g2])
    assert A.get_user(admin, uid).grid_ids == (g2,)
    A.change_role(admin, uid, "网格员", [g1, g2])
    assert A.get_user(admin, uid).grid_ids == (g1, g2)
    A.change_role(admin, uid, "督导员", [g1])
    assert A.get_user(admin, uid).grid_ids == ()
    rows = admin.query("SELECT old_value, new_value FROM audit_log WHERE action = '修改角色' ORDER BY id")
    assert json.loads(rows[0]["new_value"]) == {"角色": "网格员", "网格": "第二网格"}


def test_sensitive_flag_default_and_grant(admin):
    uid = A.create_user(admin, username="clerk", display_name="李干事", role="工作人员", password="clerk-pass1")
    assert not A.get_user(admin, uid).sensitive
    A.set_sensitive(admin, uid, True)
    assert A.get_user(admin, uid).sensitive
    assert A.get_user(admin, uid).operator().sees_sensitive
    A.set_sensitive(admin, uid, False)
    assert [r["action"] for r in admin.query("SELECT action FROM audit_log WHERE table_name = 'users'"
                                              " AND action LIKE '%敏感%' ORDER BY id")] == \
        ["授予敏感信息权限", "收回敏感信息权限"]


def test_refresh_operator_follows_the_admins_changes(admin):
    g1 = _grid(admin, "第一网格")
    uid = A.create_user(admin, username="u", display_name="小王", role="网格员", password="u-pass-123",
                        grid_ids=[g1], must_change_password=False)
    admin_op = admin.operator
    A.authenticate(admin, "u", "u-pass-123")
    admin.operator, mine = admin_op, admin.operator
    A.change_role(admin, uid, "工作人员")
    admin.operator = mine
    assert A.refresh_operator(admin).role == "工作人员"
    admin.operator = admin_op
    A.disable_user(admin, uid)
    admin.operator = mine
    with pytest.raises(A.LoginRefused):
        A.refresh_operator(admin)


def test_get_user_missing(admin):
    with pytest.raises(NotFound):
        A.get_user(admin, 999)
    with pytest.raises(NotFound):
        A.user_id_by_name(admin, "nobody")
