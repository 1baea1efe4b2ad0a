"""网格调整 and 撤销网格 (issue 11): buildings change grid from a date; the past keeps the old one."""

import json

import pytest

from models.core.errors import ValidationError
from models.core.permissions import PermissionDenied
from models.core.db import Operator
from models.evaluation import counts, monthly
from models.grids import hierarchy as grids
from models.residents import history
from models.residents import records as residents
from tests.models.evaluation.evaluation_builders import grid_id, household, resident


@pytest.fixture
def town(ledger, clock):
    clock.set(2026, 10, 10, 9, 0, 0)
    resident(ledger, household(ledger, "一网格", "101", building="1号楼"), "甲")
    resident(ledger, household(ledger, "一网格", "101", building="2号楼"), "乙")
    resident(ledger, household(ledger, "一网格", "102", building="2号楼"), "丙")
    resident(ledger, household(ledger, "二网格", "101", building="9号楼"), "丁")
    clock.set(2026, 11, 20, 9, 0, 0)
    return {name: ledger.scalar("SELECT id FROM buildings WHERE name = ?", [name]) for name in ("1号楼", "2号楼", "9号楼")}


def test_preview_names_what_moves_and_the_operation_writes_history_caches_and_one_audit_row(ledger, town):
    preview = grids.redivision_preview(ledger, [town["2号楼"]], "2026-11-15")
    assert (preview["households"], preview["residents"]) == (2, 2)
    assert preview["rows"] == [{"building": "一网格 2号楼", "households": 2, "residents": 2}]
    done = grids.redivide(ledger, [town["2号楼"]], "2026-11-15", grid_id=grid_id(ledger, "二网格"))
    two = grid_id(ledger, "二网格")
    assert done["grid_id"] == two
    assert [(h["grid"], h["from_date"], h["to_date"]) for h in grids.grid_history(ledger, town["2号楼"])] == [
        ("一网格", None, "2026-11-15"), ("二网格", "2026-11-15", None)]
    # today's cache follows: building, households, residents
    assert ledger.scalar("SELECT grid_id FROM buildings WHERE id = ?", [town["2号楼"]]) == two
    assert {r["grid_id"] for r in ledger.query("SELECT grid_id FROM households WHERE building_id = ?",
                                                [town["2号楼"]])} == {two}
    assert {r["grid_id"] for r in ledger.query("SELECT grid_id FROM residents WHERE building_id = ?",
                                                [town["2号楼"]])} == {two}
    audit = ledger.query("SELECT action, new_value FROM audit_log WHERE action = '网格调整'")
    assert len(audit) == 1 and json.loads(audit[0]["new_value"])["residents"] == 2
    names = {g["id"]: g["name"] for g in grids.grids(ledger)}
    assert {names[g]: v[:2] for g, v in counts.household_counts(ledger, "2026-10").items()} == {
        "一网格": (3, 3), "二网格": (1, 1)}
    assert {names[g]: v[:2] for g, v in counts.household_counts(ledger, "2026-11").items()} == {
        "一网格": (1, 1), "二网格": (3, 3)}


def test_a_new_grid_starts_in_its_month_and_a_closed_grid_is_gone_from_later_months(ledger, town, clock):
    grids.redivide(ledger, [town["9号楼"]], "2026-11-15", new_grid_name="三网格")
    grids.redivide(ledger, [town["1号楼"], town["2号楼"]], "2026-11-15", new_grid_name="四网格")
    with pytest.raises(ValidationError, match="还有 1 栋楼"):
        grids.close_grid(ledger, grid_id(ledger, "二网格"), "2026-11-14")
    grids.close_grid(ledger, grid_id(ledger, "一网格"), "2026-11-15")
    grids.close_grid(ledger, grid_id(ledger, "二网格"), "2026-11-15")
    october = [g.name for g in monthly.evaluate(ledger, "2026-10").grids]
    november = [g.name for g in monthly.evaluate(ledger, "2026-11").grids]
    assert sorted(october) == ["一网格", "二网格"]
    assert sorted(november) == ["三网格", "四网格"]
    assert {g.name: g.residents for g in monthly.evaluate(ledger, "2026-11").grids} == {"三网格": 1, "四网格": 3}


@pytest.mark.parametrize("args, message", [
    (dict(building_ids=[], on_date="2026-11-15", grid_id=1), "请选择要调整的楼栋"),
    (dict(building_ids=["2号楼"], on_date="2026-12-01", grid_id=2), "不能晚于今天"),
    (dict(building_ids=["2号楼"], on_date="2026-11-15"), "二选一"),
    (dict(building_ids=["2号楼"], on_date="2026-11-15", grid_id=1), "已在“一网格”"),
    (dict(building_ids=["2号楼"], on_date="2026-11-15", new_grid_name="二网格"), "已有同名的网格"),
])
def test_redivision_refusals(ledger, town, args, message):
    args = dict(args, building_ids=[town[b] for b in args["building_ids"]])
    with pytest.raises(ValidationError, match=message):
        grids.redivide(ledger, **args)


def test_a_building_cannot_change_grid_before_its_last_change_and_a_grid_staff_member_may_not(ledger, town):
    grids.redivide(ledger, [town["2号楼"]], "2026-11-15", grid_id=grid_id(ledger, "二网格"))
    with pytest.raises(ValidationError, match="2026-11-15 才调整过"):
        grids.redivide(ledger, [town["2号楼"]], "2026-11-10", grid_id=grid_id(ledger, "一网格"))
    ledger.operator = Operator("网格员小王", role="网格员")
    with pytest.raises(PermissionDenied):
        grids.redivide(ledger, [town["1号楼"]], "2026-11-16", grid_id=grid_id(ledger, "二网格"))


def test_spells_carry_the_residents_id_and_phone_facts_through_every_edit(ledger, town):
    rid = ledger.scalar("SELECT id FROM residents WHERE name = '甲'")
    assert [(s["has_id"], s["has_phone"]) for s in ledger.query(
        "SELECT has_id, has_phone FROM residence_spells WHERE resident_id = ?", [rid])] == [(1, 0)]
    residents.update_resident(ledger, rid, {"phone": "13800000009"})
    residents.move_to_household(ledger, rid, household(ledger, "一网格", "102", building="2号楼"), "其他",
                                "2026-11-18")
    assert [(s["has_id"], s["has_phone"]) for s in ledger.query(
        "SELECT has_id, has_phone FROM residence_spells WHERE resident_id = ? ORDER BY id", [rid])] == [(1, 1), (1, 1)]
    assert [(s["from_date"], s["to_date"], s["began"], s["ended"]) for s in history.spells(ledger, rid)] == [
        (None, "2026-11-18", "迁入", "户内调整"), ("2026-11-18", None, "户内调整", None)]


def test_rosters_of_a_past_day_use_the_grid_and_household_of_that_day(ledger, town):
    from models.reporting.data import resident_roster, special_roster

    rid = ledger.scalar("SELECT id FROM residents WHERE name = '甲'")
    residents.update_resident(ledger, rid, {"tags": ["党员"]})
    grids.redivide(ledger, [town["1号楼"]], "2026-11-15", grid_id=grid_id(ledger, "二网格"))
    one, two = grid_id(ledger, "一网格"), grid_id(ledger, "二网格")

    def people(grid, day):
        return sorted(r.name for g in resident_roster(ledger, grid, as_of=day).groups for r in g.rows)

    assert people(one, "2026-11-14") == ["丙", "乙", "甲"] and people(two, "2026-11-14") == ["丁"]
    assert people(one, "2026-11-15") == ["丙", "乙"] and people(two, "2026-11-15") == ["丁", "甲"]
    tag = ledger.scalar("SELECT id FROM tags WHERE name = '党员'")

    def party(grid, day):
        return [r.name for g in special_roster(ledger, tag_ids=[tag], grid_id=grid, as_of=day).groups for r in g.rows]

    assert party(one, "2026-11-14") == ["甲"] and party(one, "2026-11-15") == []
    assert party(two, "2026-11-15") == ["甲"]
