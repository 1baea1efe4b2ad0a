"""Operations: the ``operation`` decorator, and every user action of the record areas
refusing a role the permission table does not allow — before anything is written."""

import pytest

from models.core.db import Operator
from models.core.errors import ValidationError
from models.core.ops import NOTHING, Changes, operation
from models.core.permissions import PermissionDenied
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.meetings import records as meetings
from models.residents import records as residents
from models.visits import records as visits
from tests.ui.matters_helpers import build_place, register


# -- the decorator ---------------------------------------------------------------------------

@operation("records.edit", "grids")
def _add_two_grids(ledger, first, second):
    a = grids.add_grid(ledger, first)
    b = grids.add_grid(ledger, second)   # a duplicate name fails here, after the first insert
    return [a, b]


@operation("records.edit")
def _says_what_changed(ledger, touched_matters):
    return Changes.of("visits", *(["matters"] if touched_matters else []), result="done")


def _grid_names(ledger):
    return [g["name"] for g in grids.grids(ledger)]


def test_an_operation_returns_its_result_and_op_wraps_it_in_changes(ledger):
    ids = _add_two_grids(ledger, "一网格", "二网格")
    assert _grid_names(ledger) == ["一网格", "二网格"] and len(ids) == 2
    changes = _add_two_grids.op(ledger, "三网格", "四网格")
    assert changes == Changes.of("grids") and changes.areas == {"grids"}
    assert len(changes.result) == 2 and bool(changes)
    assert _add_two_grids.permissions == ("records.edit",) and _add_two_grids.areas == {"grids"}
    assert _add_two_grids.__name__ == "_add_two_grids" and _add_two_grids.op.__name__ == "_add_two_grids.op"


def test_an_operation_is_one_transaction(ledger):
    with pytest.raises(ValidationError):
        _add_two_grids(ledger, "一网格", "一网格")
    assert _grid_names(ledger) == []   # the first grid was rolled back with the failure


def test_an_operation_refuses_before_it_reads_or_writes(ledger):
    ledger.operator = Operator("督导", role="督导员")
    with pytest.raises(PermissionDenied, match="只有管理员、工作人员或网格员可以修改台账"):
        _add_two_grids(ledger, "一网格", "二网格")
    with pytest.raises(PermissionDenied):
        _add_two_grids.op(ledger, "一网格", "二网格")
    assert _grid_names(ledger) == []


def test_an_operation_may_say_itself_what_changed(ledger):
    assert _says_what_changed.op(ledger, True) == Changes.of("visits", "matters")
    assert _says_what_changed.op(ledger, False).areas == {"visits"}
    assert _says_what_changed(ledger, False).result == "done"


def test_changes_know_their_areas():
    assert not NOTHING and NOTHING.areas == frozenset()
    assert Changes.of("matters", result=1) == Changes.of("matters", result=2)   # what changed, not the result
    with pytest.raises(ValueError, match="unknown areas"):
        Changes.of("matter")
    with pytest.raises(ValueError):
        operation("records.edit", "residnets")


# -- every action of the record areas, as the wrong role ----------------------------------

@pytest.fixture
def place(ledger):
    built = build_place(ledger)
    built["matter"] = register(ledger, built, "违建", level="大事", category="违章建筑",
                               assignee_staff_id=built["worker"])
    built["resident"] = residents.add_resident(ledger, {"name": "张三", "household_id": built["rooms"]["101"],
                                                        "relation": "户主", "moved_in_on": "不详"})
    built["spouse"] = residents.add_resident(ledger, {"name": "李梅", "household_id": built["rooms"]["101"],
                                                      "relation": "配偶", "moved_in_on": "不详"})
    built["visit"] = visits.record_visit(ledger, visited_on="2026-10-14", staff_id=built["worker"], way="入户",
                                         household_ids=[built["rooms"]["101"]])
    built["meeting"] = meetings.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-14 10:00",
                                                     "topic": "停车难"})
    return built


MEETING = {"kind": "联席会议", "held_at": "2026-10-15 09:00", "topic": "违建"}

#: (name, call) — every operation of residents, grids, matters, visits and meetings
OPERATIONS = [
    # in a household of the grids (a 网格员 may not register a resident outside them: issue 10)
    ("add_resident", lambda l, p: residents.add_resident(l, {"name": "李四", "household_id": p["rooms"]["102"],
                                                             "relation": "户主"})),
    ("update_resident", lambda l, p: residents.update_resident(l, p["resident"], {"phone": "13800138000"})),
    ("move_out", lambda l, p: residents.move_out(l, p["resident"], "2026-10-01")),
    ("record_death", lambda l, p: residents.record_death(l, p["resident"], "2026-10-01")),
    ("move_to_household", lambda l, p: residents.move_to_household(l, p["resident"], p["rooms"]["102"], "户主",
                                                                   "2026-10-01")),
    ("set_household_head", lambda l, p: residents.set_household_head(l, p["rooms"]["101"], p["spouse"])),
    ("add_grid", lambda l, p: grids.add_grid(l, "三网格")),
    ("rename_grid", lambda l, p: grids.rename_grid(l, p["grid1"], "一网格")),
    ("add_building", lambda l, p: grids.add_building(l, p["grid1"], "9号楼")),
    ("add_unit", lambda l, p: grids.add_unit(l, p["building1"], "3单元")),
    ("add_household", lambda l, p: grids.add_household(l, p["unit1"], "105")),
    ("rename_household", lambda l, p: grids.rename_household(l, p["rooms"]["104"], "104A")),
    ("add_staff", lambda l, p: grids.add_staff(l, "赵六", "网格员")),
    ("assign_staff", lambda l, p: grids.assign_staff(l, p["worker"], grid_id=p["grid2"])),
    ("register_matter", lambda l, p: register(l, p)),
    ("update_matter", lambda l, p: matters.update_matter(l, p["matter"], {"description": "违建（已核实）"})),
    ("apply_action 办结", lambda l, p: matters.apply_action(l, p["matter"], "办结", result="已拆除")),
    ("record_visit", lambda l, p: visits.record_visit(l, visited_on="2026-10-15", staff_id=p["worker"], way="电话",
                                                      household_ids=[p["rooms"]["102"]])),
    ("save_visit with a problem", lambda l, p: visits.save_visit(
        l, None, {"visited_on": "2026-10-15", "staff_id": p["worker"], "way": "入户",
                  "household_ids": [p["rooms"]["102"]]},
        {"category": "环境卫生", "level": "小事", "description": "楼道堆物"})),
    ("visit_problem_to_matter", lambda l, p: visits.visit_problem_to_matter(
        l, p["visit"], {"category": "环境卫生", "level": "小事", "description": "楼道堆物"})),
    ("update_visit", lambda l, p: visits.update_visit(l, p["visit"], notes="补记")),
    ("delete_visit", lambda l, p: visits.delete_visit(l, p["visit"])),
    ("add_meeting", lambda l, p: meetings.add_meeting(l, MEETING)),
    ("update_meeting", lambda l, p: meetings.update_meeting(l, p["meeting"], {"place": "会议室"})),
    ("link_matter", lambda l, p: meetings.link_matter(l, p["meeting"], p["matter"])),
    ("escalate", lambda l, p: meetings.escalate(l, p["matter"], new_meeting=MEETING)),
    ("delete_meeting", lambda l, p: meetings.delete_meeting(l, p["meeting"])),
]


def _audit_rows(ledger):
    return ledger.scalar("SELECT COUNT(*) FROM audit_log")


@pytest.mark.parametrize("name,call", OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_a_supervisor_only_looks(ledger, place, name, call):
    before = _audit_rows(ledger)
    ledger.operator = Operator("督导", role="督导员")
    with pytest.raises(PermissionDenied, match="（当前角色：督导员）"):
        call(ledger, place)
    assert _audit_rows(ledger) == before   # nothing was written


@pytest.mark.parametrize("name,call", OPERATIONS, ids=[name for name, _ in OPERATIONS])
@pytest.mark.parametrize("role", ["管理员", "工作人员", "网格员"])
def test_the_office_and_grid_staff_may(ledger, place, name, call, role):
    before = _audit_rows(ledger)
    ledger.operator = Operator("某人", role=role, grid_ids=frozenset(r["id"] for r in ledger.query("SELECT id FROM grids")))
    call(ledger, place)
    assert _audit_rows(ledger) > before
    assert ledger.scalar("SELECT operator FROM audit_log ORDER BY id DESC LIMIT 1") == "某人"


@pytest.mark.parametrize("role,allowed", [("管理员", True), ("督导员", True), ("工作人员", False), ("网格员", False)])
def test_only_a_supervisor_or_the_administrator_issues_a_card(ledger, place, role, allowed):
    ledger.set_setting(matters.SUPERVISION_WINDOW_KEY, 60)   # the role alone decides here
    ledger.operator = Operator("某人", role=role, grid_ids=frozenset(r["id"] for r in ledger.query("SELECT id FROM grids")))
    if allowed:
        matters.apply_action(ledger, place["matter"], "督办", card="黄牌", note="超期")
        assert matters.get_matter(ledger, place["matter"])["supervision"] == "黄牌"
    else:
        with pytest.raises(PermissionDenied, match="只有管理员或督导员可以督办事项"):
            matters.apply_action(ledger, place["matter"], "督办", card="黄牌", note="超期")
        assert matters.get_matter(ledger, place["matter"])["supervision"] == ""


def test_escalating_to_a_new_meeting_is_one_step(ledger, place):
    changes = meetings.escalate.op(ledger, place["matter"], new_meeting=MEETING, note="需多部门协调")
    assert changes.areas == {"matters", "meetings"}
    meeting = meetings.get_meeting(ledger, changes.result)
    assert meeting["topic"] == "违建" and meeting["matter_ids"] == [place["matter"]]
    assert matters.get_matter(ledger, place["matter"])["state"] == "已上报"


def test_a_refused_escalation_leaves_no_meeting_behind(ledger, place):
    small = register(ledger, place, "路灯", assignee_staff_id=place["worker"])   # 上报 is for 大事 only
    before = len(meetings.list_meetings(ledger))
    with pytest.raises(Exception, match="只有大事才能上报"):
        meetings.escalate(ledger, small, new_meeting=MEETING)
    assert len(meetings.list_meetings(ledger)) == before
    with pytest.raises(ValidationError):
        meetings.escalate(ledger, place["matter"])   # neither a meeting nor a new one


def test_saving_a_visit_with_a_problem_is_one_step(ledger, place):
    values = {"visited_on": "2026-10-15", "staff_id": place["worker"], "way": "入户",
              "household_ids": [place["rooms"]["103"]]}
    problem = {"category": "环境卫生", "level": "小事", "description": "楼道堆物"}
    changes = visits.save_visit.op(ledger, None, values, problem)
    visit_id, matter_id = changes.result
    assert changes.areas == {"visits", "matters"}
    assert matters.get_matter(ledger, matter_id)["visit_id"] == visit_id
    corrected = visits.save_visit.op(ledger, visit_id, {"notes": "已提醒清理"})
    assert corrected.areas == {"visits"} and corrected.result == (visit_id, None)
    assert visits.get_visit(ledger, visit_id)["notes"] == "已提醒清理"
    # a bad problem leaves no visit behind
    count = visits.count(ledger)
    with pytest.raises(ValidationError):
        visits.save_visit(ledger, None, values, dict(problem, description=""))
    assert visits.count(ledger) == count
