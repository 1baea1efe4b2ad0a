"""年度考评: the mean of the months a grid served someone, the year's adjustments, grade and rank."""

from __future__ import annotations

import pytest

from models.core.errors import ValidationError
from models.evaluation import monthly, publishing
from models.evaluation.adjustments import add_adjustment
from models.evaluation.annual import assess_year
from models.visits import records as visits
from tests.models.evaluation.evaluation_builders import grid_id, household, resident


def test_annual_mean_adjustments_and_grade(ledger, clock):
    """Moved in 2026-07-01: Jan–Jun have no household (left out), Jul–Dec 60 each, Aug 80 (a visit)."""
    clock.set(2027, 1, 15, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001", moved_in_on="2026-07-01")
    visits.record_visit(ledger, visited_on="2026-08-03", staff_name="王网格员", way="入户", household_ids=[h])
    g = grid_id(ledger, "一网格")
    add_adjustment(ledger, "2026", 10, "年度专项工作突出", grid_id=g)
    found = assess_year(ledger, 2026)
    assert len(found.months) == 12
    (row,) = found.rows
    assert [row.monthly[f"2026-{m:02d}"] for m in range(1, 13)] == [None] * 6 + [60.0, 80.0] + [60.0] * 4
    assert row.months_counted == 6 and row.mean == 63.33
    assert row.adjustments == 10 and row.total == 73.33 and row.grade == "合格" and row.rank == 1
    assert [a.reason for a in row.adjustment_items] == ["年度专项工作突出"]
    assert found.grade_counts == [("优秀", 0), ("良好", 0), ("合格", 1), ("不合格", 0)]


def test_annual_counts_only_ended_months(ledger, clock):
    clock.set(2026, 3, 10, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    assert assess_year(ledger, 2026).months == ["2026-01", "2026-02"]
    clock.set(2026, 12, 31, 23, 59, 59)     # the last second of the year: December has not ended
    assert assess_year(ledger, "2026").months[-1] == "2026-11"
    with pytest.raises(ValidationError, match="四位数字"):
        assess_year(ledger, "26")


def test_annual_counts_only_the_months_a_grid_existed(ledger, clock):
    """Established 2026-06-15 (exists at the end of June), dissolved 2026-09-10 (gone at the end of
    September): June, July, August count."""
    clock.set(2027, 1, 15, 9, 0, 0)
    h = household(ledger, "临时网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    g = grid_id(ledger, "临时网格")
    ledger.db["grids"].update(g, {"established_on": "2026-06-15", "dissolved_on": "2026-09-10"})
    visits.record_visit(ledger, visited_on="2026-07-03", staff_name="王网格员", way="入户", household_ids=[h])
    (row,) = assess_year(ledger, 2026).rows
    assert [m for m, v in row.monthly.items() if v is not None] == ["2026-06", "2026-07", "2026-08"]
    assert row.months_counted == 3 and row.mean == 66.67 and row.grade == "合格"
    assert [g.name for g in monthly.evaluate(ledger, "2026-09").grids] == []


def test_annual_uses_the_published_totals_of_published_months(ledger, clock):
    clock.set(2027, 1, 15, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    publishing.publish(ledger, "2026-03")
    add_adjustment(ledger, "2026-03", 12, "定稿后补录", grid_id=grid_id(ledger, "一网格"))
    (row,) = assess_year(ledger, 2026).rows
    assert row.monthly["2026-03"] == 60.0   # not 72: March is 定稿 without it
    publishing.publish(ledger, "2026-03", reason="补录")
    (row,) = assess_year(ledger, 2026).rows
    assert row.monthly["2026-03"] == 72.0 and row.mean == 61.0


def test_a_year_without_any_work_is_not_graded(ledger, clock):
    """Residents alone (no matter, visit, activity or 加减分 in 2025): 本年度无数据, no grades."""
    clock.set(2026, 10, 15, 9, 0, 0)
    h = household(ledger, "一网格", "101")
    resident(ledger, h, "张一", phone="13800000001")
    found = assess_year(ledger, 2025)
    assert (found.has_data, found.rows, len(found.months)) == (False, [], 12)
    assert [n for _, n in found.grade_counts] == [0, 0, 0, 0]
    visits.record_visit(ledger, visited_on="2025-12-03", staff_name="王网格员", way="入户", household_ids=[h])
    found = assess_year(ledger, 2025)
    assert found.has_data and [r.grade for r in found.rows] == ["合格"]
