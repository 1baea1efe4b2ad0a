"""The 督办 window: a 督办 needs an open matter that is overdue or due within N days (a setting)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.core.errors import WorkflowError
from models.grids import hierarchy as grids
from models.matters import records as M


@pytest.fixture
def big_matter(ledger, clock):
    """A big matter registered 2026-10-15 09:30: due at the end of 2026-11-14 (30 days)."""
    hh = grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", "1单元", "301"))
    matter_id = M.register_matter(ledger, {"source": "来电", "category": "违章建筑", "level": "大事",
                                           "description": "楼顶加盖", "household_id": hh})
    assert M.get_matter(ledger, matter_id)["deadline"] == "2026-11-14 23:59:59"
    return matter_id


#: (window days, day of the 督办, accepted?)
WINDOW_TABLE = [
    (3, dt.datetime(2026, 10, 20, 9, 0), False),     # 25 days ahead
    (3, dt.datetime(2026, 11, 10, 9, 0), False),     # 4 days ahead
    (3, dt.datetime(2026, 11, 11, 0, 0), True),      # 3 days ahead: the 14th is within
    (3, dt.datetime(2026, 11, 14, 23, 0), True),     # due today
    (3, dt.datetime(2026, 11, 20, 9, 0), True),      # overdue
    (0, dt.datetime(2026, 11, 13, 9, 0), False),     # 0: overdue or due today only
    (0, dt.datetime(2026, 11, 14, 9, 0), True),
    (30, dt.datetime(2026, 10, 16, 9, 0), True),     # a wide window
]


@pytest.mark.parametrize("days, when, accepted", WINDOW_TABLE)
def test_the_window_table(ledger, clock, big_matter, days, when, accepted):
    ledger.set_setting(M.SUPERVISION_WINDOW_KEY, days)
    clock.set(when.year, when.month, when.day, when.hour, when.minute)
    if accepted:
        M.apply_action(ledger, big_matter, "督办", card="黄牌", note="请抓紧")
        assert M.get_matter(ledger, big_matter)["supervision"] == "黄牌"
    else:
        with pytest.raises(WorkflowError, match=f"既未超期，也不在到期前 {days} 天内"):
            M.apply_action(ledger, big_matter, "督办", card="黄牌", note="请抓紧")
        assert M.get_matter(ledger, big_matter)["supervision"] == ""


def test_the_default_window_is_three_days(ledger):
    assert M.supervision_window_days(ledger) == M.DEFAULT_SUPERVISION_WINDOW_DAYS == 3


def test_a_closed_matter_is_never_supervised(ledger, clock, big_matter):
    M.apply_action(ledger, big_matter, "分派", assignee_name="李强")
    M.apply_action(ledger, big_matter, "办结", result="已拆除")
    clock.set(2026, 11, 20, 9, 0)   # past the deadline: the state still refuses
    with pytest.raises(WorkflowError, match="不能再督办"):
        M.apply_action(ledger, big_matter, "督办", card="红牌", note="迟了")


def test_an_extension_moves_the_window(ledger, clock, big_matter):
    clock.set(2026, 11, 13, 9, 0)
    M.apply_action(ledger, big_matter, "延期", new_deadline="2026-12-31", note="等待审批")
    with pytest.raises(WorkflowError, match="2026-12-31"):
        M.apply_action(ledger, big_matter, "督办", card="普通", note="关注")
