"""The hierarchy and staff: find-or-create, renames, counts, assignments."""

import pytest

from models.grids import hierarchy as grids
from models.core.errors import ValidationError


def test_ensure_place_creates_each_level_once(ledger):
    place = grids.Place(None, "第一网格", "3号楼", "1单元", "301", compound="阳光小区")
    hid = grids.ensure_place(ledger, place)
    assert grids.ensure_place(ledger, place) == hid
    assert grids.household_label(ledger, hid) == "阳光小区3号楼1单元301"
    assert ledger.scalar("SELECT COUNT(*) FROM grids") == 1
    row = ledger.query("SELECT grid_id, building_id FROM households WHERE id = ?", [hid])[0]
    assert row["grid_id"] == ledger.scalar("SELECT id FROM grids WHERE name = '第一网格'")


def test_other_community_named_in_place(ledger):
    hid = grids.ensure_place(ledger, grids.Place("和平社区", "一网格", "1号楼", "", "101"))
    assert [c["name"] for c in grids.communities(ledger)] == ["幸福社区", "和平社区"]
    assert grids.household_label(ledger, hid) == "1号楼101"


def test_grid_names_unique_and_not_blank(ledger):
    grids.add_grid(ledger, "第一网格")
    with pytest.raises(ValidationError, match="同名"):
        grids.add_grid(ledger, "第一网格")
    with pytest.raises(ValidationError, match="不能为空"):
        grids.add_grid(ledger, "  ")


def test_rename_is_audited(ledger):
    gid = grids.add_grid(ledger, "第一网格")
    grids.rename_grid(ledger, gid, "一网格")
    audit = ledger.query("SELECT old_value, new_value FROM audit_log WHERE table_name='grids' AND action='修改'")
    assert audit and "第一网格" in audit[0]["old_value"] and "一网格" in audit[0]["new_value"]


def test_staff_assignment(ledger):
    gid = grids.add_grid(ledger, "第一网格")
    bid = grids.ensure_building(ledger, gid, "1号楼")
    chief = grids.add_staff(ledger, "王网格长", "网格长")
    keeper = grids.add_staff(ledger, "李楼长", "楼栋长", sinking_cadre=True)
    grids.assign_staff(ledger, chief, grid_id=gid)
    grids.assign_staff(ledger, keeper, building_id=bid)
    with pytest.raises(ValidationError):
        grids.assign_staff(ledger, chief, grid_id=gid)
    with pytest.raises(ValidationError, match="角色"):
        grids.add_staff(ledger, "某人", "组长")
    team = grids.staff_of_grid(ledger, gid)
    assert [(s["name"], s["role"], s["building"]) for s in team] == [
        ("王网格长", "网格长", ""), ("李楼长", "楼栋长", "1号楼")]
    grids.unassign_staff(ledger, team[1]["assignment_id"])
    assert len(grids.staff_of_grid(ledger, gid)) == 1
