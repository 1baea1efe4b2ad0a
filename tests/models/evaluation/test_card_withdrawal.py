"""Cancelling (作废) a matter withdraws its 督办 cards' points, with a note, in the adjustments."""

from __future__ import annotations

import pytest

from models.evaluation import adjustments, monthly
from models.evaluation.scheme import default_scheme, save_scheme
from models.grids import hierarchy as grids
from models.matters import records as M


@pytest.fixture
def late_matter(ledger, clock):
    """A small matter registered 2026-10-15, overdue from 2026-10-16."""
    hh = grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", "1单元", "301"))
    return M.register_matter(ledger, {"source": "来电", "category": "路灯照明", "level": "小事",
                                      "description": "路灯不亮", "household_id": hh})


def _cards(ledger, month):
    return [(a.points, a.reason) for a in adjustments.adjustments(ledger, month) if a.source == "督办"]


def test_card_and_withdrawal_in_the_same_month_both_show_and_cancel_out(ledger, clock, late_matter):
    clock.set(2026, 10, 20, 9, 0)
    M.apply_action(ledger, late_matter, "督办", card="黄牌", note="超期未办")
    clock.set(2026, 10, 22, 9, 0)
    M.apply_action(ledger, late_matter, "作废", note="重复登记")
    rows = _cards(ledger, "2026-10")
    assert [p for p, _ in rows] == [-1.0, 1.0]
    assert "撤销督办黄牌扣分" in rows[1][1] and "2026-10-22 作废（重复登记）" in rows[1][1]
    clock.set(2026, 11, 20, 9, 0)
    grid = monthly.month_figures(ledger, "2026-10").grids[0]
    assert grid.adjustments == 0


def test_a_withdrawal_next_month_gives_back_what_the_card_cost(ledger, clock, late_matter):
    clock.set(2026, 10, 20, 9, 0)
    M.apply_action(ledger, late_matter, "督办", card="红牌", note="超期")
    M.apply_action(ledger, late_matter, "督办", card="普通", note="再催")
    data = default_scheme().to_dict()
    data["card_points"] = {"黄牌": -1, "红牌": -5}
    clock.set(2026, 11, 2, 9, 0)
    save_scheme(ledger, data)
    M.apply_action(ledger, late_matter, "作废", note="无效信息")
    # October is not published (定稿): it is scored with the scheme in force, and so is its refund
    october = _cards(ledger, "2026-10")
    november = _cards(ledger, "2026-11")
    assert [p for p, _ in october] == [-5.0]
    assert [p for p, _ in november] == [5.0]
    assert "红牌" in november[0][1] and "2026-10-20 的红牌不再扣分" in november[0][1]


def test_a_matter_never_cancelled_keeps_its_card(ledger, clock, late_matter):
    clock.set(2026, 10, 20, 9, 0)
    M.apply_action(ledger, late_matter, "督办", card="黄牌", note="超期未办")
    M.apply_action(ledger, late_matter, "分派", assignee_name="李强")
    M.apply_action(ledger, late_matter, "办结", result="已修好")
    assert [p for p, _ in _cards(ledger, "2026-10")] == [-1.0]
