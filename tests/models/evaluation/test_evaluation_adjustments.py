"""加减分: manual adjustments of a grid or a community (validated, audited), and who may give them."""

from __future__ import annotations

import pytest

from models.core.errors import NotFound, ValidationError
from models.core.issuer import set_report_issuer
from models.core.permissions import PermissionDenied
from models.evaluation import adjustments, monthly, publishing
from models.evaluation.scheme import default_scheme, save_scheme
from models.grids import hierarchy as grids
from tests.models.evaluation.evaluation_builders import MONTH


@pytest.mark.parametrize("period, points, reason, message", [
    ("2026-10", 1, "  ", "原因"),
    ("2026-13", 1, "理由", "月份"),
    ("26", 1, "理由", "月份"),
    ("2026-10", 0, "理由", "不为 0"),
    ("2026-10", "abc", "理由", "不是数字"),
    ("2026-10", "NaN", "理由", "不为 0"),
    ("2026-10", 101, "理由", "100"),
    ("2026-10", "1.005", "理由", "两位小数"),
])
def test_adjustment_validation(ledger, october, period, points, reason, message):
    with pytest.raises(ValidationError, match=message):
        adjustments.add_adjustment(ledger, period, points, reason, grid_id=october["A"])


@pytest.mark.parametrize("period, expected", [("2026-10", "2026-10"), (" 2026 ", "2026"), ("2026-01", "2026-01")])
def test_adjustment_periods_are_a_month_or_a_year(period, expected):
    assert adjustments.check_period(period) == expected


def test_adjustment_needs_exactly_one_target_and_can_be_removed(ledger, october):
    with pytest.raises(ValidationError):
        adjustments.add_adjustment(ledger, MONTH, 1, "理由")
    with pytest.raises(NotFound):
        adjustments.add_adjustment(ledger, MONTH, 1, "理由", grid_id=9999)
    changes = adjustments.add_adjustment.op(ledger, MONTH, -0.5, "台账不规范", grid_id=october["D"],
                                            author="刘督导")
    assert changes.areas == {"evaluation"}
    rid = changes.result
    d = monthly.evaluate(ledger, MONTH).grid(october["D"])
    assert d.adjustments == -0.5 and d.total == 66.17
    assert d.adjustment_items[0].author == "刘督导"
    adjustments.remove_adjustment(ledger, rid)
    assert monthly.evaluate(ledger, MONTH).grid(october["D"]).total == 66.67
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'score_adjustments'") >= 2
    with pytest.raises(NotFound):
        adjustments.remove_adjustment(ledger, rid)


def test_adjustments_of_a_month_list_manual_rows_and_cards_in_time_order(ledger, october):
    items = adjustments.adjustments(ledger, MONTH)
    # the card's 督办 on 21 October, the manual rows entered on 20 November
    assert [(a.source, a.target_name, a.points, a.at[:10]) for a in items] == [
        ("督办", "一网格", -1.0, "2026-10-21"), ("手工", "一网格", 2.0, "2026-11-20"),
        ("手工", "二网格", 7.25, "2026-11-20")]
    card = items[0]
    assert card.id is None and card.reason.startswith("督办黄牌：事项 ") and card.matter_number in card.reason
    assert adjustments.adjustments(ledger, "2026") == []   # the year's own rows only


@pytest.mark.parametrize("points, total", [
    # 64.6130… (the pooled figures of test_evaluation_monthly) + points, rounded half-up once
    (1.5, 66.11),    # 66.1130… → 66.11
    (-2.25, 62.36),  # 62.3630… → 62.36
    (0.39, 65.0),    # 65.0030… → 65.00
])
def test_community_adjustment_counts_in_the_community_total_only(ledger, october, points, total):
    community_id = grids.own_community_id(ledger)
    before = {g.grid_id: g.total for g in monthly.evaluate(ledger, MONTH).grids}
    adjustments.add_adjustment(ledger, MONTH, points, "社区整体工作获街道表彰", community_id=community_id,
                               author="刘主任")
    result = monthly.evaluate(ledger, MONTH)
    (community,) = result.communities
    assert (community.manual_adjustments, community.card_adjustments) == (points, 0.0)
    assert community.adjustments == points and community.total == total
    (item,) = community.adjustment_items
    assert (item.grid_id, item.community_id, item.target_name, item.author) == (
        None, community_id, "幸福社区", "刘主任")
    # the grids keep their own figures: a community's points are not shared out
    assert {g.grid_id: g.total for g in result.grids} == before
    # and the adjustment is listed with the month's adjustments
    assert [a.target_name for a in adjustments.adjustments(ledger, MONTH) if a.community_id] == ["幸福社区"]


def test_community_adjustment_needs_an_existing_community(ledger, october):
    with pytest.raises(NotFound, match="社区不存在"):
        adjustments.add_adjustment(ledger, MONTH, 1, "理由", community_id=9999)
    with pytest.raises(ValidationError):
        adjustments.add_adjustment(ledger, MONTH, 1, "理由", grid_id=october["A"],
                                   community_id=grids.own_community_id(ledger))


#: every scoring action and the row of the permission table it needs
SCORING_ACTIONS = {
    "加减分": lambda ledger, o: adjustments.add_adjustment(ledger, MONTH, 1, "理由", grid_id=o["A"]),
    "删除加减分": lambda ledger, o: adjustments.remove_adjustment(ledger, 1),
    "定稿": lambda ledger, o: publishing.publish(ledger, MONTH),
    "修改评比方案": lambda ledger, o: save_scheme(ledger, default_scheme()),
    "修改通报落款单位": lambda ledger, o: set_report_issuer(ledger, "幸福社区党委"),
}
REFUSED = {"加减分": "加减分", "删除加减分": "加减分", "定稿": "定稿", "修改评比方案": "修改评比方案",
           "修改通报落款单位": "修改通报落款单位"}


#: issue 10: the scheme is the 管理员's alone; scoring, 定稿 and the issuer are the office's
ONLY_ADMIN = {"修改评比方案"}


@pytest.mark.parametrize("role, office", [("管理员", True), ("工作人员", True), ("网格员", False), ("督导员", False)])
@pytest.mark.parametrize("what", list(SCORING_ACTIONS))
def test_only_office_roles_score_publish_and_change_the_scheme(ledger, october, role, office, what):
    ledger.operator.role = role
    audits = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    allowed = office and (role == "管理员" or what not in ONLY_ADMIN)
    who = "管理员" if what in ONLY_ADMIN else "管理员或工作人员"
    if allowed:
        SCORING_ACTIONS[what](ledger, october)
        assert ledger.scalar("SELECT COUNT(*) FROM audit_log") > audits
    else:
        with pytest.raises(PermissionDenied, match=f"只有{who}可以{REFUSED[what]}（当前角色：{role}）"):
            SCORING_ACTIONS[what](ledger, october)
        assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == audits
        assert monthly.evaluate(ledger, MONTH).grid(october["A"]).total == 67.25  # reading is for everyone
