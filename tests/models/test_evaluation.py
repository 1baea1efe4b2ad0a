"""The monthly evaluation against hand-computed tables (SPEC §5).

The main fixture is October 2026 in 幸福社区, evaluated from 2026-11-20 (so
November's events exist and must be ignored).  Grids:

* 一网格 (A) — the busy one, every corner case; hand-computed below.
* 二网格 (B) — one complete household, nothing else: 30+25+0+0+0+5 = 60, +7.25 manual → 67.25
  (ties with A).
* 三网格 (C) — no households at all: every denominator 0 → every score 1 → 100.
* 四网格 (D) — 3 households, 1 visited: 30+25+20/3+0+0+5 = 66.666… → 66.67.
* 五网格 — established 2026-11-01: not evaluated in October.
* 六网格 — dissolved 2026-10-31: gone at the end of October, not evaluated.

Grid A, October (as of 2026-10-31 23:59:59):

households   A1: 2 present (张一 ID+phone, 张二 ID no phone → complete via the household phone)
             A2: moved in 2026-11-05 → not present, household not active
             A3: moved out 2026-10-31 → not present at the end of 31 Oct, not active
             A4: 1 present, no ID → incomplete
             A5: moved out 2026-11-03 → still present at the end of October, complete
             → active households 3 (A1, A4, A5), present residents 4, complete 3
visits       A1 (10-10), A3 (10-12, inactive: not counted), A5 (10-05 and 10-20: once),
             A4 (11-02: November) → visited 2 / 3
matters      m1 small 10-08 10:00 closed 10-08 18:00          due Oct, on time; 回访 10-09 满意
             m2 small 10-20 22:00 closed 10-21 00:10          due Oct, LATE (after midnight); 回访 10-22 不满意
             m3 big   10-25, deadline 11-24, open             due Nov (not Oct); 红牌 11-01 (Nov)
             m4 big   10-05, deadline 11-04, closed 10-28     due Oct (closed early), on time; 回访 11-02 (Nov)
             m5 small 10-12 cancelled 10-12                   never counts
             m6 small 10-30 巡查走访, open, cancelled 11-03   counts for Oct: due Oct, late; discovery
             m7 small 10-15 巡查走访 closed same day          due Oct, on time; 回访 10-16 基本满意
             m8 big   09-20, deadline 10-20, 延期 10-15 → 11-30   due Nov (as of end Oct)
             m9 big   09-10, deadline 10-10, 延期 11-02 → 11-30   due Oct as of end Oct, late; 黄牌 10-21
             → on time 3 / due 6 = 0.5 → 15
             → ratings 2 / 3 → 25 × 2/3
             → visits 2/3 → 20 × 2/3            (the two thirds add up to exactly 30)
             → discovery: 2 patrol matters (m6, m7) per 3 households = 66.67/100 ≥ 1 → 10
             → volunteer: 0.3 h per 4 residents = 7.5 per 100 ÷ 10 = 0.75 → 7.5
             → completeness 3/4 → 3.75
             Σ = 15 + 30 + 10 + 7.5 + 3.75 = 66.25; 黄牌 −1, manual +2 → 67.25
ranking      C 100 (1), A 67.25 (2), B 67.25 (2), D 66.67 (4)
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models.volunteers import activities
from models.evaluation import compute as ev
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.residents import records as residents
from models.visits import records as visits
from models.volunteers import records as volunteers
from models.core.errors import NotFound, ValidationError
from models.core.idcard import make_id
from models.evaluation.scheme import default_scheme, save_scheme, validate_scheme

MONTH = "2026-10"
CN = "甲乙丙丁戊己庚辛壬癸"  # names must not contain digits
_seq = iter(range(1, 999))


def household(ledger, grid: str, room: str, building: str = "1号楼") -> int:
    return grids.ensure_place(ledger, grids.Place(None, grid, building, "1单元", room))


def resident(ledger, household_id: int, name: str, *, with_id: bool = True, phone: str = "",
             moved_in_on: str | None = None, status: str = "在册", status_date: str | None = None) -> int:
    data = {"name": name, "household_id": household_id, "phone": phone, "moved_in_on": moved_in_on,
            "id_number": make_id("110101", dt.date(1980, 1, 1), next(_seq)) if with_id else None}
    if status != "在册":
        data.update(status=status, status_date=status_date)
    return residents.add_resident(ledger, data)


def matter(ledger, grid_id: int, at: str, level: str = "小事", source: str = "来电",
           category: str = "环境卫生") -> int:
    return matters.register_matter(ledger, {
        "registered_at": at, "source": source, "category": category, "level": level,
        "description": f"{category}问题", "grid_id": grid_id, "assignee_name": "王网格员"})


def act(ledger, matter_id: int, action: str, at: str, **data) -> None:
    if action in ("延期", "作废"):
        data.setdefault("note", "测试原因")
    matters.apply_action(ledger, matter_id, action, at=at, **data)


def grid_id(ledger, name: str) -> int:
    return ledger.scalar("SELECT id FROM grids WHERE name = ?", [name])


@pytest.fixture
def october(ledger, clock):
    """The October 2026 ledger of the module docstring, seen from 2026-11-20."""
    clock.set(2026, 11, 20, 12, 0, 0)
    a1 = household(ledger, "一网格", "101")
    a2 = household(ledger, "一网格", "102")
    a3 = household(ledger, "一网格", "103")
    a4 = household(ledger, "一网格", "104")
    a5 = household(ledger, "一网格", "105")
    A = grid_id(ledger, "一网格")
    r1 = resident(ledger, a1, "张一", phone="13800000001")
    resident(ledger, a1, "张二")
    resident(ledger, a2, "李新", phone="13800000002", moved_in_on="2026-11-05")
    resident(ledger, a3, "王走", phone="13800000003", status="迁出", status_date="2026-10-31")
    resident(ledger, a4, "赵无证", with_id=False, phone="13800000004")
    resident(ledger, a5, "钱晚走", phone="13800000005", status="迁出", status_date="2026-11-03")

    b1 = household(ledger, "二网格", "201")
    resident(ledger, b1, "孙乙", phone="13900000001")
    B = grid_id(ledger, "二网格")
    C = grids.ensure_grid(ledger, grids.own_community_id(ledger), "三网格")
    d = [household(ledger, "四网格", f"40{n}") for n in range(1, 4)]
    for n, h in enumerate(d):
        resident(ledger, h, f"周{'甲乙丙'[n]}", phone=f"1370000000{n}")
    D = grid_id(ledger, "四网格")
    e = household(ledger, "五网格", "501")
    resident(ledger, e, "吴五", phone="13600000001")
    ledger.db["grids"].update(grid_id(ledger, "五网格"), {"established_on": "2026-11-01"})
    f = household(ledger, "六网格", "601")
    resident(ledger, f, "郑六", phone="13600000002")
    ledger.db["grids"].update(grid_id(ledger, "六网格"), {"dissolved_on": "2026-10-31"})

    for day, hh in [("2026-10-10", [a1]), ("2026-10-12", [a3]), ("2026-10-05", [a5]),
                    ("2026-10-20", [a5]), ("2026-11-02", [a4]), ("2026-10-08", [d[0]])]:
        visits.record_visit(ledger, visited_on=day, staff_name="王网格员", way="入户", household_ids=hh)

    m1 = matter(ledger, A, "2026-10-08 10:00:00")
    act(ledger, m1, "办结", "2026-10-08 18:00:00", result="已清理")
    act(ledger, m1, "回访", "2026-10-09 09:00:00", satisfaction="满意")
    m2 = matter(ledger, A, "2026-10-20 22:00:00", category="噪音扰民")
    act(ledger, m2, "办结", "2026-10-21 00:10:00", result="已劝导")
    act(ledger, m2, "回访", "2026-10-22 09:00:00", satisfaction="不满意")
    m3 = matter(ledger, A, "2026-10-25 09:00:00", level="大事", category="违章建筑")
    act(ledger, m3, "督办", "2026-11-01 09:00:00", card="红牌")
    m4 = matter(ledger, A, "2026-10-05 09:00:00", level="大事", category="环境治理")
    act(ledger, m4, "办结", "2026-10-28 15:00:00", result="已整治")
    act(ledger, m4, "回访", "2026-11-02 10:00:00", satisfaction="基本满意")
    m5 = matter(ledger, A, "2026-10-12 09:00:00")
    act(ledger, m5, "作废", "2026-10-12 10:00:00", note="重复登记")
    m6 = matter(ledger, A, "2026-10-30 09:00:00", source="巡查走访", category="安全隐患")
    act(ledger, m6, "作废", "2026-11-03 09:00:00", note="无效信息")
    m7 = matter(ledger, A, "2026-10-15 09:00:00", source="巡查走访", category="路灯照明")
    act(ledger, m7, "办结", "2026-10-15 17:00:00", result="已修复")
    act(ledger, m7, "回访", "2026-10-16 09:00:00", satisfaction="基本满意")
    m8 = matter(ledger, A, "2026-09-20 09:00:00", level="大事", category="违章建筑")
    act(ledger, m8, "延期", "2026-10-15 09:00:00", new_deadline="2026-11-30 23:59:59")
    m9 = matter(ledger, A, "2026-09-10 09:00:00", level="大事", category="违章建筑")
    act(ledger, m9, "督办", "2026-10-21 09:00:00", card="黄牌")
    act(ledger, m9, "延期", "2026-11-02 09:00:00", new_deadline="2026-11-30 23:59:59")

    v1 = volunteers.volunteer_for_resident(ledger, r1)
    v2 = volunteers.add_outside_volunteer(ledger, "志愿者乙")
    activities.add_activity(ledger, activities.ActivityData(title="楼道清扫", on_date="2026-10-18",
                                                            grid_id=A), [(v1, 0.3)])
    activities.add_activity(ledger, activities.ActivityData(title="义诊进社区", on_date="2026-10-19"),
                            [(v1, 2.0), (v2, 2.0)])
    activities.add_activity(ledger, activities.ActivityData(title="十一月活动", on_date="2026-11-01",
                                                            grid_id=A), [(v2, 8.0)])

    ev.add_adjustment(ledger, MONTH, 2, "创建文明楼栋", grid_id=A)
    ev.add_adjustment(ledger, MONTH, "7.25", "协助街道完成专项任务", grid_id=B)
    ev.add_adjustment(ledger, "2026-11", -3, "十一月的扣分", grid_id=A)
    return {"A": A, "B": B, "C": C, "D": D, "matters": [m1, m2, m3, m4, m5, m6, m7, m8, m9]}


# -- the hand-computed table -------------------------------------------------------------------

EXPECTED_A = {  # key: (numerator, denominator, score)
    "on_time": (3, 6, 0.5),
    "satisfaction": (2, 3, 2 / 3),
    "visit_coverage": (2, 3, 2 / 3),
    "discovery": (2, 3, 1.0),
    "volunteer": (0.3, 4, 0.75),
    "completeness": (3, 4, 0.75),
}


def test_grid_a_indicators_match_hand_computed_table(ledger, october):
    result = ev.evaluate(ledger, MONTH)
    a = result.grid(october["A"])
    assert (a.households, a.residents) == (3, 4)
    for key, (num, den, score) in EXPECTED_A.items():
        ind = a.indicators[key]
        assert (ind.numerator, ind.denominator) == pytest.approx((num, den)), key
        assert ind.score == pytest.approx(score), key
    assert a.indicators["volunteer"].value == pytest.approx(7.5)
    assert a.indicators["discovery"].value == pytest.approx(66.6667)
    assert (a.manual_adjustments, a.card_adjustments, a.adjustments) == (2.0, -1.0, 1.0)
    assert a.total == 67.25


def test_ranking_with_ties_and_which_grids_are_evaluated(ledger, october):
    result = ev.evaluate(ledger, MONTH)
    table = [(g.name, g.total, g.rank) for g in result.grids]
    assert table == [("三网格", 100.0, 1), ("一网格", 67.25, 2), ("二网格", 67.25, 2), ("四网格", 66.67, 4)]


def test_empty_grid_scores_one_everywhere(ledger, october):
    c = ev.evaluate(ledger, MONTH).grid(october["C"])
    assert all(i.score == 1.0 and i.denominator == 0 for i in c.indicators.values())


def test_community_figures_pool_counts_and_count_community_wide_activities(ledger, october):
    result = ev.evaluate(ledger, MONTH)
    (community,) = result.communities
    ind = community.indicators
    assert (community.households, community.residents) == (7, 8)
    assert (ind["on_time"].numerator, ind["on_time"].denominator) == (3, 6)
    assert (ind["visit_coverage"].numerator, ind["visit_coverage"].denominator) == (3, 7)
    assert (ind["completeness"].numerator, ind["completeness"].denominator) == (7, 8)
    # 0.3 h of 一网格 + 4 h of the community-wide 义诊进社区; grids never get the latter
    assert ind["volunteer"].numerator == pytest.approx(4.3)
    assert sum(g.indicators["volunteer"].numerator for g in result.grids) == pytest.approx(0.3)
    # 30×0.5 + 25×2/3 + 20×3/7 + 10×1 + 10×1 + 5×7/8 = 15 + 16.667 + 8.571 + 20 + 4.375
    # = 64.6130… → 64.61; no community adjustments (the grids' adjustments are theirs)
    assert community.total == 64.61


def test_november_sees_the_big_matter_and_the_red_card(ledger, october):
    result = ev.evaluate(ledger, "2026-11")
    a = result.grid(october["A"])
    # due in November (as of 30 Nov): m3 (open, deadline 11-24: late), m8 and m9 (deadline 11-30, open: late)
    assert (a.indicators["on_time"].numerator, a.indicators["on_time"].denominator) == (0, 3)
    assert (a.indicators["satisfaction"].numerator, a.indicators["satisfaction"].denominator) == (1, 1)
    assert a.card_adjustments == -2.0 and a.manual_adjustments == -3.0


def test_cancelled_before_month_end_never_counts_but_cancelled_after_does(ledger, october):
    numbers = {r["编号"] for r in ev.trace(ledger, MONTH, october["A"], "on_time")}
    m5, m6 = october["matters"][4], october["matters"][5]
    number = lambda mid: ledger.scalar("SELECT number FROM matters WHERE id = ?", [mid])  # noqa: E731
    assert number(m5) not in numbers
    assert number(m6) in numbers


def test_figures_do_not_change_when_later_events_arrive(ledger, october, clock):
    before = ev.evaluate(ledger, MONTH)
    clock.set(2026, 12, 5, 9, 0, 0)
    m3 = october["matters"][2]
    act(ledger, m3, "办结", "2026-12-01 09:00:00", result="拆除")
    after = ev.evaluate(ledger, MONTH)
    assert [(g.grid_id, g.total) for g in after.grids] == [(g.grid_id, g.total) for g in before.grids]


# -- traceability -------------------------------------------------------------------------------

@pytest.mark.parametrize("key, rows, counted", [
    ("on_time", 6, 3), ("satisfaction", 3, 2), ("visit_coverage", 3, 2), ("completeness", 4, 3),
])
def test_trace_rows_explain_the_counts(ledger, october, key, rows, counted):
    traced = ev.trace(ledger, MONTH, october["A"], key)
    assert len(traced) == rows
    assert sum(1 for r in traced if r["计入"] == "是") == counted


def test_trace_details(ledger, october):
    A = october["A"]
    late = {r["结果"] for r in ev.trace(ledger, MONTH, A, "on_time")}
    assert late == {"按期办结", "逾期办结", "逾期未办结"}
    houses = {r["户"]: r["计入"] for r in ev.trace(ledger, MONTH, A, "visit_coverage")}
    assert houses == {"1号楼1单元101": "是", "1号楼1单元104": "否", "1号楼1单元105": "是"}
    people = {r["姓名"]: r for r in ev.trace(ledger, MONTH, A, "completeness")}
    assert people["赵无证"]["缺项"] == "身份证号"
    assert people["张二"]["计入"] == "是" and people["张二"]["联系电话"] == "（同户有电话）"
    assert "*" in people["张一"]["身份证号"]
    assert len(ev.trace(ledger, MONTH, A, "discovery")) == 2
    (activity,) = ev.trace(ledger, MONTH, A, "volunteer")
    assert activity["活动名称"] == "楼道清扫" and activity["服务时长（小时）"] == "0.3"
    adj = ev.trace(ledger, MONTH, A, "adjustments")
    assert sorted(r["分值"] for r in adj) == ["-1", "2"]
    with pytest.raises(ValidationError):
        ev.trace(ledger, MONTH, A, "nonsense")


# -- adjustments ------------------------------------------------------------------------------

@pytest.mark.parametrize("period, points, reason, message", [
    ("2026-10", 1, "  ", "原因"),
    ("2026-13", 1, "理由", "月份"),
    ("2026-10", 0, "理由", "不为 0"),
    ("2026-10", "abc", "理由", "不是数字"),
    ("2026-10", 101, "理由", "100"),
    ("2026-10", "1.005", "理由", "两位小数"),
])
def test_adjustment_validation(ledger, october, period, points, reason, message):
    with pytest.raises(ValidationError, match=message):
        ev.add_adjustment(ledger, period, points, reason, grid_id=october["A"])


def test_adjustment_needs_exactly_one_target_and_can_be_removed(ledger, october):
    with pytest.raises(ValidationError):
        ev.add_adjustment(ledger, MONTH, 1, "理由")
    with pytest.raises(NotFound):
        ev.add_adjustment(ledger, MONTH, 1, "理由", grid_id=9999)
    rid = ev.add_adjustment(ledger, MONTH, -0.5, "台账不规范", grid_id=october["D"], author="刘督导")
    d = ev.evaluate(ledger, MONTH).grid(october["D"])
    assert d.adjustments == -0.5 and d.total == 66.17
    assert d.adjustment_items[0].author == "刘督导"
    ev.remove_adjustment(ledger, rid)
    assert ev.evaluate(ledger, MONTH).grid(october["D"]).total == 66.67
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'score_adjustments'") >= 2
    with pytest.raises(NotFound):
        ev.remove_adjustment(ledger, rid)


def test_card_points_come_from_the_scheme(ledger, october):
    data = default_scheme().to_dict()
    data["card_points"] = {"黄牌": -1.5, "红牌": -3}
    save_scheme(ledger, data)
    assert ledger.get_setting("card_points") == {"黄牌": -1.5, "红牌": -3.0}
    assert ev.evaluate(ledger, MONTH).grid(october["A"]).total == 66.75
    ledger.set_setting("card_points", {"黄牌": -0.5, "红牌": -2})  # changed from the matters side
    assert ev.evaluate(ledger, MONTH).grid(october["A"]).total == 67.75


# -- rounding ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("55.625", 55.63), ("89.995", 90.0), ("66.664999", 66.66), ("-1.005", -1.01), ("70", 70.0),
])
def test_round_half_up(value, expected):
    assert ev.round_half_up(value) == expected


def test_total_rounds_half_up_once(ledger, clock):
    """One grid, 8 single-person households, 1 complete: 30 + 25 + 0 + 0 + 0 + 5/8 = 55.625 → 55.63."""
    clock.set(2026, 11, 20, 12, 0, 0)
    for n in range(8):
        h = household(ledger, "一网格", f"{n + 1}01")
        resident(ledger, h, f"居民{CN[n]}", with_id=(n == 0), phone="13800000000")
    (g,) = ev.evaluate(ledger, MONTH).grids
    assert g.indicators["completeness"].score == 0.125
    assert g.total == 55.63  # Python's round(55.625, 2) gives 55.62


def test_targets_cap_and_scale(ledger, october):
    data = default_scheme().to_dict()
    for ind in data["indicators"]:
        if ind["key"] == "discovery":
            ind["target"] = 100
    save_scheme(ledger, data)
    a = ev.evaluate(ledger, MONTH).grid(october["A"])
    assert a.indicators["discovery"].score == pytest.approx(2 / 3)
    # 15 + 30 + 10×2/3 + 7.5 + 3.75 + 1 = 63.9166… → 63.92
    assert a.total == 63.92


# -- publish / diff / republish -----------------------------------------------------------------

def test_publish_diff_and_republish(ledger, october):
    with pytest.raises(ValidationError, match="尚未结束"):
        ev.publish(ledger, "2026-11")
    pub = ev.publish(ledger, MONTH)
    assert pub.version == 1 and ev.published_version(ledger, MONTH) == 1
    assert ev.diff_against_published(ledger, MONTH) == []
    with pytest.raises(ValidationError, match="原因"):
        ev.publish(ledger, MONTH)

    ev.add_adjustment(ledger, MONTH, -2, "迟报材料", grid_id=october["B"])
    diffs = {(d.name, d.field): (d.published, d.current) for d in ev.diff_against_published(ledger, MONTH)}
    assert diffs[("二网格", "adjustments")] == (7.25, 5.25)
    assert diffs[("二网格", "total")] == (67.25, 65.25)
    assert diffs[("二网格", "rank")] == (2, 4)  # now below 四网格 (66.67)
    # the figures of record stay the published ones until republished
    assert ev.month_figures(ledger, MONTH).grid(october["B"]).total == 67.25
    assert ev.ranking_rows(ledger, MONTH)[2]["总分"] == 67.25

    pub2 = ev.publish(ledger, MONTH, reason="补录扣分")
    assert pub2.version == 2 and pub2.reason == "补录扣分"
    assert [p.version for p in ev.publications(ledger, MONTH)] == [1, 2]
    assert ev.publications(ledger, MONTH)[0].evaluation.grid(october["B"]).total == 67.25
    assert ev.month_figures(ledger, MONTH).grid(october["B"]).total == 65.25
    assert ev.diff_against_published(ledger, MONTH) == []


def test_published_month_keeps_its_scheme(ledger, october):
    ev.publish(ledger, MONTH)
    data = default_scheme().to_dict()
    data["indicators"][0]["weight"] = 20
    data["indicators"][1]["weight"] = 35
    save_scheme(ledger, data)
    assert ev.scheme_for_month(ledger, MONTH).indicator("on_time").weight == 30
    assert ev.diff_against_published(ledger, MONTH) == []
    assert ev.scheme_for_month(ledger, "2026-09").indicator("on_time").weight == 20
    stored = json.loads(ledger.scalar("SELECT scheme FROM evaluation_publications"))
    assert stored["indicators"][0]["weight"] == 30


# -- annual ---------------------------------------------------------------------------------------

def test_annual_mean_adjustments_and_grade(ledger, clock):
    """Moved in 2026-07-01: Jan–Jun have no household (left out), Jul–Dec 60 each, Aug 80 (a visit)."""
    clock.set(2027, 1, 15, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001", moved_in_on="2026-07-01")
    visits.record_visit(ledger, visited_on="2026-08-03", staff_name="王网格员", way="入户", household_ids=[h])
    g = grid_id(ledger, "一网格")
    ev.add_adjustment(ledger, "2026", 10, "年度专项工作突出", grid_id=g)
    data = ev.annual_data(ledger, 2026)
    assert len(data.months) == 12
    (row,) = data.rows
    assert [row.monthly[f"2026-{m:02d}"] for m in range(1, 13)] == [None] * 6 + [60.0, 80.0] + [60.0] * 4
    assert row.months_counted == 6 and row.mean == 63.33
    assert row.adjustments == 10 and row.total == 73.33 and row.grade == "合格"
    assert dict(data.grade_counts)["合格"] == 1


def test_annual_counts_only_ended_months(ledger, clock):
    clock.set(2026, 3, 10, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    assert ev.annual_data(ledger, 2026).months == ["2026-01", "2026-02"]
    with pytest.raises(ValidationError):
        ev.annual_data(ledger, "26")


@pytest.mark.parametrize("score, grade", [
    (100, "优秀"), (90, "优秀"), (89.99, "良好"), (80, "良好"), (79.99, "合格"), (60, "合格"), (59.99, "不合格"),
])
def test_grades(score, grade):
    assert default_scheme().grade(score) == grade


# -- the scheme -----------------------------------------------------------------------------------

def _scheme_with(**changes):
    data = default_scheme().to_dict()
    for key, value in changes.items():
        if key in ("card_points", "grades", "indicators"):
            data[key] = value
        else:
            ind_key, attr = key.split("__")
            for ind in data["indicators"]:
                if ind["key"] == ind_key:
                    ind[attr] = value
    return data


@pytest.mark.parametrize("changes, message", [
    ({"on_time__weight": 31}, "等于 100，现在是 101"),
    ({"on_time__weight": -30, "satisfaction__weight": 85}, "负数"),
    ({"on_time__weight": "三十"}, "不是数字"),
    ({"on_time__weight": ""}, "不能为空"),
    ({"discovery__target": 0}, "大于 0"),
    ({"volunteer__target": -5}, "大于 0"),
    ({"on_time__name": " "}, "名称不能为空"),
    ({"card_points": {"黄牌": 1, "红牌": -2}}, "不能是正数"),
    ({"grades": [["优秀", 80], ["良好", 90], ["合格", 60]]}, "从高到低"),
    ({"grades": [["优秀", 90], ["优秀", 80]]}, "重复"),
    ({"grades": [["优秀", 90], ["合格", -1]]}, "负数"),
    ({"grades": []}, "分数线"),
    ({"indicators": default_scheme().to_dict()["indicators"][:5]}, "缺少指标"),
])
def test_scheme_validation_refuses_nonsense(changes, message):
    with pytest.raises(ValidationError, match=message):
        validate_scheme(_scheme_with(**changes))


def test_scheme_missing_indicator_and_roundtrip(ledger):
    data = default_scheme().to_dict()
    data["indicators"] = data["indicators"][:5]
    data["indicators"][0]["weight"] = 35
    with pytest.raises(ValidationError, match="缺少指标：台账完整率"):
        validate_scheme(data)
    ok = _scheme_with(on_time__weight=25.5, satisfaction__weight=29.5, discovery__target=2)
    saved = save_scheme(ledger, ok)
    assert validate_scheme(saved.to_dict()) == saved
    assert saved.indicator("discovery").target == 2.0
    assert any("目标 2" in line for line in saved.describe())


# -- export and report data ------------------------------------------------------------------------

def test_ranking_rows_have_spec_columns(ledger, october):
    rows = ev.ranking_rows(ledger, MONTH)
    assert list(rows[0]) == ev.RANKING_COLUMNS
    assert [(r["排名"], r["网格"], r["总分"]) for r in rows] == [
        (1, "三网格", 100.0), (2, "一网格", 67.25), (2, "二网格", 67.25), (4, "四网格", 66.67)]
    a = rows[1]
    assert (a["按期办结率"], a["群众满意率"], a["走访覆盖率"], a["问题发现"], a["志愿服务"], a["台账完整率"],
            a["加减分"]) == (0.5, 0.6667, 0.6667, 1.0, 0.75, 0.75, 1.0)


def test_bulletin_data(ledger, october):
    data = ev.monthly_bulletin_data(ledger, MONTH)
    assert data.title == "幸福社区2026年10月网格月度评比通报"
    assert [r.name for r in data.red_list] == ["三网格", "一网格", "二网格"]
    assert [r.name for r in data.black_list] == ["四网格"]
    assert data.indicator_names == ["按期办结率", "群众满意率", "走访覆盖率", "问题发现", "志愿服务", "台账完整率"]
    assert {a.reason for a in data.adjustments} >= {"创建文明楼栋", "协助街道完成专项任务"}
    assert any(a.source == "督办" and a.points == -1 for a in data.adjustments)
    assert data.published_version is None
    assert dict(data.summary)["参评网格"] == "4 个"
    # September: 三网格 100 (1); the others had households but no activity
    assert data.rows[1].previous_rank is not None and data.rows[1].rank_change_text
    assert any("黄牌" in line for line in data.scheme_lines)


def test_scorecard_data(ledger, october):
    data = ev.scorecard_data(ledger, MONTH)
    card = next(c for c in data.cards if c.figures.grid_id == october["A"])
    on_time = card.lines[0]
    assert (on_time.name, on_time.numerator, on_time.denominator, on_time.score) == ("按期办结率", 3, 6, 0.5)
    assert on_time.numerator_label == "按期办结件数"
    assert len(card.adjustments) == 2


def test_rank_change_against_published_previous_month(ledger, october):
    ev.publish(ledger, "2026-09")
    oct_ = ev.evaluate(ledger, MONTH, with_previous=True)
    sept = ev.month_figures(ledger, "2026-09")
    for g in oct_.grids:
        assert g.previous_rank == sept.grid(g.grid_id).rank
        assert g.rank_change == g.previous_rank - g.rank


def test_months_computed_concurrently_on_a_file_match_one_by_one(ledger_path, clock, monkeypatch):
    from models.core.db import Operator
    from models.ledger import open_db

    clock.set(2027, 1, 15, 9, 0, 0)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        homes = [household(led, "一网格", f"10{n}") for n in range(3)] + [household(led, "二网格", "201")]
        for n, h in enumerate(homes):
            resident(led, h, f"居民{CN[n]}", phone="13800000000" if n % 2 else "")
        for month, h in ((3, homes[0]), (5, homes[1]), (5, homes[3]), (9, homes[2])):
            visits.record_visit(led, visited_on=f"2026-{month:02d}-10", staff_name="王网格员", way="入户",
                                household_ids=[h])
        ev.publish(led, "2026-02")
        monkeypatch.setattr("os.cpu_count", lambda: 4)
        seen = []
        together = ev.months_figures(led, [f"2026-{m:02d}" for m in range(1, 13)],
                                     progress=lambda done, total: seen.append((done, total)))
        assert together["2026-02"].published_version == 1
        for month, result in together.items():
            alone = ev.evaluate(led, month)
            assert [(g.grid_id, g.total, g.rank) for g in result.grids] == \
                   [(g.grid_id, g.total, g.rank) for g in alone.grids], month
        assert seen[-1] == (12, 12) and len(seen) == 12
    finally:
        led.close()


@pytest.mark.parametrize("role, allowed", [("管理员", True), ("工作人员", True), ("网格员", False), ("督导员", False)])
def test_only_office_roles_score_publish_and_change_the_scheme(ledger, october, role, allowed):
    from models.core.errors import WorkflowError

    ledger.operator.role = role
    actions = [lambda: ev.add_adjustment(ledger, MONTH, 1, "理由", grid_id=october["A"]),
               lambda: ev.publish(ledger, MONTH),
               lambda: save_scheme(ledger, default_scheme())]
    for action in actions:
        if allowed:
            action()
        else:
            with pytest.raises(WorkflowError, match="只有管理员或工作人员"):
                action()
    if not allowed:
        assert ev.published_version(ledger, MONTH) is None
        assert ev.evaluate(ledger, MONTH).grid(october["A"]).total == 67.25  # reading is for everyone


def test_red_and_black_lists_keep_ties_together(ledger, clock):
    """Totals 80, 70, 60, 60, 50, 40, 40: red = ranks 1–3 (+ the tie), black = the last 3 places."""
    clock.set(2026, 11, 20, 12, 0, 0)
    points = [80, 70, 60, 60, 50, 40, 40]
    for n, p in enumerate(points):
        h = household(ledger, f"网格{n}", "101")
        resident(ledger, h, f"居民{CN[n]}", phone="13800000000")  # 30 + 25 + 0 + 0 + 0 + 5 = 60
        if p != 60:
            ev.add_adjustment(ledger, MONTH, p - 60, "调整", grid_id=grid_id(ledger, f"网格{n}"))
    data = ev.monthly_bulletin_data(ledger, MONTH)
    assert [(r.name, r.rank) for r in data.red_list] == [("网格0", 1), ("网格1", 2), ("网格2", 3), ("网格3", 3)]
    assert [(r.name, r.rank) for r in data.black_list] == [("网格4", 5), ("网格5", 6), ("网格6", 6)]


def test_annual_counts_only_the_months_a_grid_existed(ledger, clock):
    """Established 2026-06-15 (exists at the end of June), dissolved 2026-09-10 (gone at the end of
    September): June, July, August count."""
    clock.set(2027, 1, 15, 9, 0, 0)
    h = household(ledger, "临时网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    g = grid_id(ledger, "临时网格")
    ledger.db["grids"].update(g, {"established_on": "2026-06-15", "dissolved_on": "2026-09-10"})
    (row,) = ev.annual_data(ledger, 2026).rows
    assert [m for m, v in row.monthly.items() if v is not None] == ["2026-06", "2026-07", "2026-08"]
    assert row.months_counted == 3 and row.mean == 60.0 and row.grade == "合格"
    assert [g.name for g in ev.evaluate(ledger, "2026-09").grids] == []


# -- the batch path (static residents summed once, schema_evaluation m002) ----------------------

def _mixed_households(led):
    """Households that mix static residents (no move-in date, 在册) with dynamic ones, with
    the phone and the valid IDs on either side, plus dynamic-only and empty households."""
    h = [household(led, "一网格", f"7{n:02d}") for n in range(9)] + [household(led, "二网格", "801")]
    resident(led, h[0], "静甲", phone="13800000010")                        # static, phone
    resident(led, h[0], "动甲", with_id=False, moved_in_on="2026-09-10")     # joins in September
    resident(led, h[1], "静乙")                                              # static, no phone
    resident(led, h[1], "动乙", phone="13800000011", moved_in_on="2026-10-02")  # brings the phone
    resident(led, h[1], "动乙二", phone="13800000012", status="迁出", status_date="2026-09-15")
    resident(led, h[2], "静丙", with_id=False)                                # static, no ID, no phone
    resident(led, h[2], "动丙", status="死亡", status_date="2026-10-20")     # no phone either
    resident(led, h[3], "动丁", phone="13800000013", moved_in_on="2026-10-31")  # dynamic only
    resident(led, h[4], "动戊", phone="13800000014", status="迁出", status_date="2026-09-30")
    resident(led, h[5], "静己", phone="13800000015")                          # static only
    gone = resident(led, h[6], "动庚", status="迁出", status_date="2026-01-01")
    led.db["residents"].update(gone, {"status_date": None})                # gone without a date
    resident(led, h[7], "动辛", moved_in_on="2026-08-01")
    resident(led, h[7], "动辛二", phone="13800000016", moved_in_on="2026-11-01")
    resident(led, h[9], "静壬", phone="13800000017")
    resident(led, h[9], "动壬", moved_in_on="2026-10-15", status="迁出", status_date="2026-11-20")
    # h[8]: nobody at all
    for day, homes in [("2026-09-05", h[:9]), ("2026-10-09", [h[0], h[2], h[4], h[6], h[8]]),
                       ("2026-10-09", [h[9]]), ("2026-10-30", [h[1], h[3], h[7]]),
                       ("2026-11-03", [h[0], h[4], h[7]])]:
        visits.record_visit(led, visited_on=day, staff_name="王网格员", way="入户", household_ids=homes)
    return h


@pytest.mark.parametrize("month", ["2026-08", "2026-09", "2026-10", "2026-11"])
def test_batch_household_counts_match_the_single_pass(ledger, clock, month):
    clock.set(2026, 12, 5, 9, 0, 0)
    _mixed_households(ledger)
    alone = {g: c for g, c in ev._household_counts(ledger, month).items() if any(c)}
    with ev._StaticHouseholds(ledger) as static:
        batch = {g: c for g, c in ev._household_counts(ledger, month, static).items() if any(c)}
    assert batch == alone
    assert ledger.query("SELECT name FROM sqlite_temp_master WHERE type = 'table'") == []


def test_month_with_previous_and_a_batch_match_months_computed_alone(ledger, clock):
    clock.set(2026, 12, 5, 9, 0, 0)
    _mixed_households(ledger)
    months = ["2026-09", "2026-10", "2026-11"]
    alone = {m: ev.evaluate(ledger, m) for m in months}
    together = ev.months_figures(ledger, months)
    for m in months:
        assert together[m].figures_dict() == alone[m].figures_dict(), m
    page = ev.evaluate(ledger, "2026-10", with_previous=True)
    assert page.figures_dict()["grids"] == [
        dict(g, previous_rank=p.rank, rank_change=p.rank - g["rank"])
        for g in alone["2026-10"].figures_dict()["grids"]
        for p in alone["2026-09"].grids if p.grid_id == g["grid_id"]]
    one = page.grid(grid_id(ledger, "一网格"))
    # present at the end of October: 静甲 动甲 | 静乙 动乙 | 静丙 | 动丁 | 静己 | 动辛 (8 in 6 households)
    assert (one.households, one.residents) == (6, 8)
    assert one.indicators["completeness"].numerator == 5      # 动甲 no ID; 静丙 no phone in the household
    assert one.indicators["visit_coverage"].numerator == 5    # h0 h1 h2 h3 h7 (h4 h6 h8 inactive)
    assert ledger.query("SELECT name FROM sqlite_temp_master WHERE type = 'table'") == []


def test_m002_adds_the_resident_indexes_to_an_older_ledger(tmp_path):
    import sqlite3

    import sqlite_utils

    from models.core.db import Operator
    from models.ledger import migrate, open_db

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, stop_before=["m002_evaluation_resident_indexes"])
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "evaluation_residents_static" not in names
    db.conn.close()
    led = open_db(path, operator=Operator("测试员"), community_name="幸福社区")
    try:
        h = household(led, "一网格", "101")
        resident(led, h, "静甲", phone="13800000001")
        resident(led, h, "动甲", moved_in_on="2026-09-01")
        led.close()
        db = sqlite_utils.Database(sqlite3.connect(path))
        db.execute("DROP INDEX evaluation_residents_static")
        db.execute("DROP INDEX evaluation_residents_dynamic")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_evaluation_resident_indexes'")
        db.conn.commit()
        db.conn.close()
        led = open_db(path, operator=Operator("测试员"))
        names = {r["name"] for r in led.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"evaluation_residents_static", "evaluation_residents_dynamic"} <= names
        assert [r["name"] for r in led.query("SELECT name FROM residents ORDER BY id")] == ["静甲", "动甲"]
        plan = " ".join(r[3] for r in led.conn.execute(
            "EXPLAIN QUERY PLAN SELECT r.household_id, COUNT(*) FROM residents r"
            f" WHERE {ev._DYNAMIC} AND r.household_id IS NOT NULL GROUP BY r.household_id"))
        assert "evaluation_residents_dynamic" in plan
        with ev._StaticHouseholds(led) as static:
            assert ev._household_counts(led, "2026-10", static) == ev._household_counts(led, "2026-10")
    finally:
        led.close()


def test_on_a_file_the_households_are_counted_on_a_worker_connection(ledger_path, clock, monkeypatch):
    from models.core.db import Operator
    from models.ledger import open_db

    clock.set(2026, 12, 5, 9, 0, 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    led = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    try:
        _mixed_households(led)
        memory = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
        try:
            _mixed_households(memory)
            for month in ("2026-09", "2026-10", "2026-11"):
                assert ev.evaluate(led, month, with_previous=True).figures_dict() == \
                    ev.evaluate(memory, month, with_previous=True).figures_dict(), month
        finally:
            memory.close()
        threads = []
        real = ev._household_counts

        def spy(ledger, month, *args):
            # the thread that does the counting (recorded where it runs, so no race)
            threads.append(__import__("threading").current_thread().name)
            return real(ledger, month, *args)

        monkeypatch.setattr(ev, "_household_counts", spy)
        alone = ev.evaluate(led, "2026-10", with_previous=True)
        assert threads and all(name.startswith("evaluation-households") for name in threads), threads
        with led.write():   # inside a write transaction: same connection (sees its own rows)
            h = household(led, "一网格", "999")
            led.db["residents"].insert(led.stamp({"name": "未提交", "household_id": h, "grid_id":
                                                  grid_id(led, "一网格")}, creating=True))
            inside = ev.evaluate(led, "2026-10", with_previous=True).grid(grid_id(led, "一网格"))
            assert inside.residents == alone.grid(grid_id(led, "一网格")).residents + 1
            assert inside.households == alone.grid(grid_id(led, "一网格")).households + 1
    finally:
        led.close()


# -- community-level 加减分 and the issuing body (通报落款单位) ----------------------------------

@pytest.mark.parametrize("points, total", [
    # 64.6130… (see the pooled figures above) + points, rounded half-up once
    (1.5, 66.11),    # 66.1130… → 66.11
    (-2.25, 62.36),  # 62.3630… → 62.36
    (0.39, 65.0),    # 65.0030… → 65.00
])
def test_community_adjustment_counts_in_the_community_total_only(ledger, october, points, total):
    community_id = grids.own_community_id(ledger)
    before = {g.grid_id: g.total for g in ev.evaluate(ledger, MONTH).grids}
    ev.add_adjustment(ledger, MONTH, points, "社区整体工作获街道表彰", community_id=community_id, author="刘主任")
    result = ev.evaluate(ledger, MONTH)
    (community,) = result.communities
    assert (community.manual_adjustments, community.card_adjustments) == (points, 0.0)
    assert community.adjustments == points and community.total == total
    (item,) = community.adjustment_items
    assert (item.grid_id, item.community_id, item.target_name, item.author) == (
        None, community_id, "幸福社区", "刘主任")
    # the grids keep their own figures: a community's points are not shared out
    assert {g.grid_id: g.total for g in result.grids} == before
    # and the adjustment is listed with the month's adjustments
    assert [a.target_name for a in ev.adjustments(ledger, MONTH) if a.community_id] == ["幸福社区"]


def test_community_adjustment_after_publishing_shows_as_a_difference(ledger, october):
    ev.publish(ledger, MONTH)
    ev.add_adjustment(ledger, MONTH, 1.5, "补录社区加分", community_id=grids.own_community_id(ledger))
    assert ev.diff_against_published(ledger, MONTH) == [
        ev.Difference(None, "幸福社区（全社区）", "adjustments", "加减分", 0.0, 1.5),
        ev.Difference(None, "幸福社区（全社区）", "total", "总分", 64.61, 66.11)]
    assert ev.month_figures(ledger, MONTH).communities[0].total == 64.61  # of record until republished
    ev.publish(ledger, MONTH, reason="补录社区加分")
    assert ev.diff_against_published(ledger, MONTH) == []
    assert ev.month_figures(ledger, MONTH).communities[0].total == 66.11


def test_community_adjustment_needs_an_existing_community(ledger, october):
    with pytest.raises(NotFound, match="社区不存在"):
        ev.add_adjustment(ledger, MONTH, 1, "理由", community_id=9999)
    with pytest.raises(ValidationError):
        ev.add_adjustment(ledger, MONTH, 1, "理由", grid_id=october["A"],
                          community_id=grids.own_community_id(ledger))


def test_report_issuer_defaults_to_the_residents_committee_and_can_be_set(ledger, october):
    from models.reporting import data as rd

    assert rd.issuer_name(ledger) == "幸福社区居民委员会"
    assert ev.monthly_bulletin_data(ledger, MONTH).issuing_body == "幸福社区居民委员会"
    audits = ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings'")
    assert rd.set_report_issuer(ledger, "幸福社区居民委员会") == "幸福社区居民委员会"  # unchanged: no write
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings'") == audits
    assert ledger.get_setting("report_issuer") is None
    assert rd.set_report_issuer(ledger, "  幸福街道幸福社区居民委员会 ") == "幸福街道幸福社区居民委员会"
    assert ledger.get_setting("report_issuer") == "幸福街道幸福社区居民委员会"
    assert rd.issuer_name(ledger) == "幸福街道幸福社区居民委员会"
    assert ev.monthly_bulletin_data(ledger, MONTH).issuing_body == "幸福街道幸福社区居民委员会"
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'settings'") == audits + 1


@pytest.mark.parametrize("text, message", [
    ("", "不能为空"),
    ("   ", "不能为空"),
    ("委" * 41, "最多 40 个字（现有 41 个）"),
    ("幸福社区\n居民委员会", "只能写一行"),
])
def test_report_issuer_refuses_bad_names(ledger, text, message):
    from models.reporting import data as rd

    with pytest.raises(ValidationError, match=message.replace("（", "\\（").replace("）", "\\）")):
        rd.set_report_issuer(ledger, text)
    assert ledger.get_setting("report_issuer") is None


def test_report_issuer_accepts_forty_characters_and_only_from_the_office(ledger):
    from models.reporting import data as rd
    from models.core.errors import WorkflowError

    assert rd.set_report_issuer(ledger, "委" * 40) == "委" * 40
    ledger.operator.role = "督导员"
    with pytest.raises(WorkflowError):
        rd.set_report_issuer(ledger, "另一个单位")
    assert rd.issuer_name(ledger) == "委" * 40


def test_save_scheme_stores_the_issuer_with_the_scheme_or_nothing(ledger):
    from models.reporting import data as rd
    from models.evaluation.scheme import current_scheme

    data = default_scheme().to_dict()
    data["indicators"][0]["weight"] = 31
    data["indicators"][1]["weight"] = 24
    with pytest.raises(ValidationError, match="不能为空"):
        save_scheme(ledger, data, issuer=" ")
    assert current_scheme(ledger).indicator("on_time").weight == 30  # the scheme was not stored either
    save_scheme(ledger, data, issuer="幸福社区党群服务中心")
    assert current_scheme(ledger).indicator("on_time").weight == 31
    assert rd.issuer_name(ledger) == "幸福社区党群服务中心"
    save_scheme(ledger, default_scheme())  # no issuer given: left as it is
    assert rd.issuer_name(ledger) == "幸福社区党群服务中心"
