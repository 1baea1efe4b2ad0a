"""The permission table (SPEC §3), tested as a table: every role × every action."""

import pytest

from models.core import permissions as P
from models.core.db import Operator
from models.core.errors import WorkflowError

ADMIN, CLERK, GRID, SUPERVISOR = "管理员", "工作人员", "网格员", "督导员"
WRITERS = {ADMIN, CLERK, GRID}
OFFICE = {ADMIN, CLERK}
EVERYONE = {ADMIN, CLERK, GRID, SUPERVISOR}

#: the rules as the specification states them, written out independently of the table
EXPECTED = {
    "records.edit": WRITERS,
    "grids.redivide": OFFICE,          # 网格调整 changes which grid is scored for what (issue 11)
    **{f"matter.{a}": WRITERS for a in ("登记", "修改", "分派", "上报", "办结", "回访", "延期", "作废")},
    "matter.督办": {ADMIN, SUPERVISOR},
    "personal.see_sensitive": EVERYONE,      # … and the account's 可查看敏感信息 flag
    "personal.full_ids": OFFICE,             # … and the flag: never a 网格员 or 督导员
    "evaluation.adjust": OFFICE,
    "evaluation.publish": OFFICE,
    "evaluation.scheme": {ADMIN},
    "reports.issuer": OFFICE,
    "users.manage": {ADMIN},
    "audit.view": {ADMIN},
    "ledger.restore": {ADMIN},
    "settings.edit": {ADMIN},
    # issue 12: the package a community sends its street office, and the street's own work
    "evaluation.package": OFFICE,
    "street.manage": OFFICE,
    "street.import": OFFICE,
}


def test_the_table_has_exactly_the_expected_actions():
    assert set(P.PERMISSIONS) == set(EXPECTED)
    assert P.ROLES == (ADMIN, CLERK, GRID, SUPERVISOR)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", [ADMIN, CLERK, GRID, SUPERVISOR, None, "访客"])
def test_may(role, action):
    assert P.may(role, action) == (role in EXPECTED[action])


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", [ADMIN, CLERK, GRID, SUPERVISOR])
def test_require_follows_may(role, action):
    class Ledger:
        operator = Operator("某人", role=role, sensitive=True)

    if role in EXPECTED[action]:
        P.require(Ledger(), action)
    else:
        with pytest.raises(P.PermissionDenied) as err:
            P.require(Ledger(), action)
        assert isinstance(err.value, WorkflowError)   # shown to the clerk as it is
        assert str(err.value) == P.refusal(role, action)


@pytest.mark.parametrize("action", sorted(P.FLAGGED))
@pytest.mark.parametrize("role", [ADMIN, CLERK, GRID, SUPERVISOR])
@pytest.mark.parametrize("flag", [True, False, None])
def test_sensitive_rows_need_the_accounts_flag(role, action, flag):
    operator = Operator("某人", role=role, sensitive=flag)
    sees = flag if flag is not None else role == ADMIN      # default: on for 管理员 only
    assert P.allowed(operator, action) == (role in EXPECTED[action] and sees)
    if role in EXPECTED[action] and not sees:
        assert "可查看敏感信息" in P.refusal_for(operator, action)


@pytest.mark.parametrize("role,action,message", [
    (SUPERVISOR, "matter.登记", "只有管理员、工作人员或网格员可以登记事项（当前角色：督导员）。"),
    (CLERK, "matter.督办", "只有管理员或督导员可以督办事项（当前角色：工作人员）。"),
    (GRID, "evaluation.adjust", "只有管理员或工作人员可以加减分（当前角色：网格员）。"),
    (None, "records.edit", "只有管理员、工作人员或网格员可以修改台账（当前角色：未登录）。"),
])
def test_refusal_names_who_may_in_chinese(role, action, message):
    assert P.refusal(role, action) == message


def test_an_unknown_action_is_a_bug():
    with pytest.raises(KeyError):
        P.may(ADMIN, "matters.登记")


def test_the_user_guide_prints_the_table_as_it_is():
    """docs/user-guide.md's role table is generated from the permission table (issue 10)."""
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[3] / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert P.markdown_table() in guide
