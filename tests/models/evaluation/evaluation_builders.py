"""Builders of the evaluation tests: the hand-computed October of 幸福社区 (SPEC §5).

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

from models.core.idcard import make_id
from models.evaluation.adjustments import add_adjustment
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.residents import records as residents
from models.visits import records as visits
from models.volunteers import activities
from models.volunteers import records as volunteers

MONTH = "2026-10"
CN = "甲乙丙丁戊己庚辛壬癸"  # names must not contain digits
_seq = iter(range(1, 999))


def household(ledger, grid: str, room: str, building: str = "1号楼") -> int:
    return grids.ensure_place(ledger, grids.Place(None, grid, building, "1单元", room))


def resident(ledger, household_id: int, name: str, *, with_id: bool = True, phone: str = "",
             moved_in_on: str | None = None, status: str = "在册", status_date: str | None = None) -> int:
    data = {"name": name, "household_id": household_id, "phone": phone, "moved_in_on": moved_in_on or "不详",
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


#: 一网格's matters m1 … m9 of the table above: (registered at, options, [(action, at, data), …])
A_MATTERS = [
    ("2026-10-08 10:00:00", {}, [("办结", "2026-10-08 18:00:00", {"result": "已清理"}),
                                 ("回访", "2026-10-09 09:00:00", {"satisfaction": "满意"})]),
    ("2026-10-20 22:00:00", {"category": "噪音扰民"}, [("办结", "2026-10-21 00:10:00", {"result": "已劝导"}),
                                                       ("回访", "2026-10-22 09:00:00", {"satisfaction": "不满意"})]),
    ("2026-10-25 09:00:00", {"level": "大事", "category": "违章建筑"}, [("督办", "2026-11-01 09:00:00", {"card": "红牌"})]),
    ("2026-10-05 09:00:00", {"level": "大事", "category": "环境治理"},
     [("办结", "2026-10-28 15:00:00", {"result": "已整治"}), ("回访", "2026-11-02 10:00:00", {"satisfaction": "基本满意"})]),
    ("2026-10-12 09:00:00", {}, [("作废", "2026-10-12 10:00:00", {"note": "重复登记"})]),
    ("2026-10-30 09:00:00", {"source": "巡查走访", "category": "安全隐患"},
     [("作废", "2026-11-03 09:00:00", {"note": "无效信息"})]),
    ("2026-10-15 09:00:00", {"source": "巡查走访", "category": "路灯照明"},
     [("办结", "2026-10-15 17:00:00", {"result": "已修复"}), ("回访", "2026-10-16 09:00:00", {"satisfaction": "基本满意"})]),
    ("2026-09-20 09:00:00", {"level": "大事", "category": "违章建筑"},
     [("延期", "2026-10-15 09:00:00", {"new_deadline": "2026-11-30 23:59:59"})]),
    ("2026-09-10 09:00:00", {"level": "大事", "category": "违章建筑"},
     [("督办", "2026-10-21 09:00:00", {"card": "黄牌"}), ("延期", "2026-11-02 09:00:00", {"new_deadline": "2026-11-30 23:59:59"})]),
]


def build_october(ledger, clock) -> dict:
    """The October 2026 ledger of the module docstring, seen from 2026-11-20."""
    clock.set(2026, 11, 20, 12, 0, 0)
    # m3's 红牌 comes 23 days before its deadline: this office supervises a month ahead
    ledger.set_setting(matters.SUPERVISION_WINDOW_KEY, 30)
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

    ids = []
    for registered_at, options, steps in A_MATTERS:
        matter_id = matter(ledger, A, registered_at, **options)
        for action, at, data in steps:
            act(ledger, matter_id, action, at, **data)
        ids.append(matter_id)

    v1 = volunteers.volunteer_for_resident(ledger, r1)
    v2 = volunteers.add_outside_volunteer(ledger, "志愿者乙")
    activities.add_activity(ledger, activities.ActivityData(title="楼道清扫", on_date="2026-10-18",
                                                            grid_id=A), [(v1, 0.3)])
    activities.add_activity(ledger, activities.ActivityData(title="义诊进社区", on_date="2026-10-19"),
                            [(v1, 2.0), (v2, 2.0)])
    activities.add_activity(ledger, activities.ActivityData(title="十一月活动", on_date="2026-11-01",
                                                            grid_id=A), [(v2, 8.0)])

    add_adjustment(ledger, MONTH, 2, "创建文明楼栋", grid_id=A)
    add_adjustment(ledger, MONTH, "7.25", "协助街道完成专项任务", grid_id=B)
    add_adjustment(ledger, "2026-11", -3, "十一月的扣分", grid_id=A)
    return {"A": A, "B": B, "C": C, "D": D, "matters": ids}


def mixed_households(led) -> list[int]:
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
