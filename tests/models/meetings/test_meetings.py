"""会议: joint meetings and council halls, their linked matters and 四议两公开 stage."""

import pytest

from models.grids import hierarchy as grids
from models.matters import records as matters
from models.meetings import records as MT
from models.core.errors import NotFound, ValidationError


@pytest.fixture
def matter(ledger):
    hh = grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", "1单元", "301"))
    return matters.register_matter(ledger, {"source": "来访", "category": "违章建筑", "level": "大事",
                                            "description": "顶楼违建", "household_id": hh,
                                            "assignee_name": "王芳"})


def test_add_and_get_meeting(ledger, matter):
    meeting_id = MT.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-15 14:30", "place": "社区三楼会议室",
                                         "host": "书记", "topic": "顶楼违建处置", "attendance": 12,
                                         "attendees": "城管、住建、物业", "resolution": "限期拆除",
                                         "stage": "两委会商议"}, matter_ids=[matter])
    meeting = MT.get_meeting(ledger, meeting_id)
    assert meeting["held_at"] == "2026-10-15 14:30:00"
    assert meeting["level"] == "社区"
    assert [m["number"] for m in meeting["matters"]] == ["2026-10-0001"]
    # linking alone does not escalate
    assert matters.get_matter(ledger, matter)["state"] == "已分派"
    assert MT.list_meetings(ledger)[0]["matter_count"] == 1


@pytest.mark.parametrize("data,field", [
    ({"kind": "座谈会"}, "kind"),
    ({"level": "街道"}, "level"),
    ({"level": "网格"}, "grid_id"),
    ({"level": "小区"}, "compound"),
    ({"held_at": ""}, "held_at"),
    ({"held_at": "下周"}, "held_at"),
    ({"topic": ""}, "topic"),
    ({"attendance": "很多"}, "attendance"),
    ({"stage": "随便议"}, "stage"),
    ({"grid_id": 99, "level": "网格"}, "grid_id"),
])
def test_bad_meetings_rejected(ledger, data, field):
    base = {"kind": "红色议事厅", "held_at": "2026-10-15 19:00", "topic": "加装电梯"}
    with pytest.raises(ValidationError) as err:
        MT.add_meeting(ledger, base | data)
    if field:
        assert err.value.field == field


def test_levels_need_their_place(ledger):
    grid = grids.ensure_grid(ledger, grids.own_community_id(ledger), "一网格")
    a = MT.add_meeting(ledger, {"kind": "红色议事厅", "level": "网格", "grid_id": grid, "held_at": "2026-10-10",
                                "topic": "楼道清理"})
    b = MT.add_meeting(ledger, {"kind": "红色议事厅", "level": "小区", "compound": "阳光小区",
                                "held_at": "2026-10-12 19:00", "topic": "停车位", "stage": "党组织提议"})
    assert MT.get_meeting(ledger, a)["grid_name"] == "一网格"
    assert [m["id"] for m in MT.list_meetings(ledger, kind="红色议事厅")] == [b, a]
    assert [m["id"] for m in MT.list_meetings(ledger, date_from="2026-10-11")] == [b]
    assert [m["id"] for m in MT.list_meetings(ledger, date_to="2026-10-10")] == [a]
    assert [m["id"] for m in MT.list_meetings(ledger, grid_id=grid)] == [a]


def test_update_and_links(ledger, matter):
    meeting_id = MT.add_meeting(ledger, {"kind": "红色议事厅", "held_at": "2026-10-15", "topic": "违建"})
    MT.link_matter(ledger, meeting_id, matter)
    MT.link_matter(ledger, meeting_id, matter)  # twice is harmless
    assert MT.get_meeting(ledger, meeting_id)["matter_ids"] == [matter]
    MT.update_meeting(ledger, meeting_id, {"stage": "居民代表会议决议", "resolution": "同意"}, matter_ids=[])
    meeting = MT.get_meeting(ledger, meeting_id)
    assert (meeting["stage"], meeting["resolution"], meeting["matter_ids"]) == ("居民代表会议决议", "同意", [])
    MT.link_matter(ledger, meeting_id, matter)
    MT.unlink_matter(ledger, meeting_id, matter)
    assert MT.get_meeting(ledger, meeting_id)["matter_ids"] == []
    with pytest.raises(ValidationError):
        MT.link_matter(ledger, meeting_id, 999)
    with pytest.raises(NotFound):
        MT.get_meeting(ledger, 999)
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'meetings'") >= 4


def test_stages_are_the_four_deliberations_and_two_publications():
    assert len(MT.STAGES) == 6
    assert MT.STAGES[:4] == ("党组织提议", "两委会商议", "党员大会审议", "居民代表会议决议")


def test_delete_meeting(ledger, matter):
    linked = MT.add_meeting(ledger, {"kind": "红色议事厅", "held_at": "2026-10-15", "topic": "录错"},
                            matter_ids=[matter])
    MT.delete_meeting(ledger, linked)
    with pytest.raises(NotFound):
        MT.get_meeting(ledger, linked)
    assert matters.get_matter(ledger, matter)["meeting_ids"] == []
    joint = MT.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-15", "topic": "违建"})
    matters.apply_action(ledger, matter, "上报", meeting_id=joint)
    with pytest.raises(ValidationError, match="已上报到这次会议"):
        MT.delete_meeting(ledger, joint)
