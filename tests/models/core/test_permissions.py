"""The permission table (SPEC §3), tested as a table: every role × every action."""

import pytest

from models.core import permissions as P
from models.core.db import Operator
from models.core.errors import WorkflowError

ADMIN, CLERK, GRID, SUPERVISOR = "管理员", "工作人员", "网格员", "督导员"
WRITERS = {ADMIN, CLERK, GRID}
OFFICE = {ADMIN, CLERK}

#: the rules as the specification states them, written out independently of the table
EXPECTED = {
    "records.edit": WRITERS,
    **{f"matter.{a}": WRITERS for a in ("登记", "修改", "分派", "上报", "办结", "回访", "延期", "作废")},
    "matter.督办": {ADMIN, SUPERVISOR},
    "personal.see_sensitive": OFFICE,
    "personal.full_ids": OFFICE,
    "evaluation.adjust": OFFICE,
    "evaluation.publish": OFFICE,
    "evaluation.scheme": OFFICE,
    "reports.issuer": OFFICE,
    "ledger.restore": {ADMIN},        # issue 16: a restore replaces the whole ledger
    "backup.configure": {ADMIN},
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
        operator = Operator("某人", role=role)

    if role in EXPECTED[action]:
        P.require(Ledger(), action)
    else:
        with pytest.raises(P.PermissionDenied) as err:
            P.require(Ledger(), action)
        assert isinstance(err.value, WorkflowError)   # shown to the clerk as it is
        assert str(err.value) == P.refusal(role, action)


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
