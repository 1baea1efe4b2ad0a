"""民情事项: the transition table, deadlines, derivation from events, numbering, lists, home."""

import datetime as dt
import itertools

import pytest

from models.grids import hierarchy as grids
from models.core import lists
from models.matters import records as M
from models.ledger import migrate
from models.core.errors import NotFound, ValidationError, WorkflowError
from models.core.permissions import PermissionDenied
from tests.ui.matters_helpers import old_ledger, old_matter

# The workflow of SPEC §4 written out by hand (not copied from the code under test):
# for each (state, action) the resulting state, "big" when only 大事 may do it, absent = refused.
EXPECTED = {
    ("登记", "分派"): "已分派", ("登记", "延期"): "登记", ("登记", "督办"): "登记", ("登记", "作废"): "作废",
    ("已分派", "分派"): "已分派", ("已分派", "上报"): ("已上报", "big"), ("已分派", "办结"): "已办结",
    ("已分派", "延期"): "已分派", ("已分派", "督办"): "已分派", ("已分派", "作废"): "作废",
    ("已上报", "分派"): "已上报", ("已上报", "办结"): "已办结", ("已上报", "延期"): "已上报",
    ("已上报", "督办"): "已上报", ("已上报", "作废"): "作废",
    ("已办结", "回访"): "已回访",
}


def expected(state, action, level):
    outcome = EXPECTED.get((state, action))
    if isinstance(outcome, tuple):
        return outcome[0] if level == "大事" else None
    return outcome


@pytest.fixture
def place(ledger):
    hh = grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", "1单元", "301"))
    staff = grids.add_staff(ledger, "王芳", "网格员")
    return {"household_id": hh, "staff_id": staff}


def new_matter(ledger, place, level="小事", **extra):
    data = {"source": "来电", "category": "路灯照明", "level": level, "description": "3号楼门前路灯不亮",
            "household_id": place["household_id"]}
    data.update(extra)
    return M.register_matter(ledger, data)


VALID_DATA = {
    "分派": {"assignee_name": "李强"},
    "上报": {},
    "办结": {"result": "已更换灯泡"},
    "回访": {"satisfaction": "满意"},
    "延期": {"new_deadline": dt.datetime(2027, 1, 31, 23, 59, 59), "note": "等待配件"},
    "督办": {"card": "黄牌", "note": "超期未办"},
    "作废": {"note": "重复登记"},
}


def bring_to(ledger, place, state, level):
    """A matter of ``level`` in ``state``, reached through real actions."""
    matter_id = new_matter(ledger, place, level)
    path = {"登记": [], "已分派": ["分派"], "已上报": ["分派", "上报"], "已办结": ["分派", "办结"],
            "已回访": ["分派", "办结", "回访"], "作废": ["作废"]}[state]
    for action in path:
        M.apply_action(ledger, matter_id, action, **VALID_DATA[action])
    assert M.get_matter(ledger, matter_id)["state"] == state
    return matter_id


REACHABLE = [(s, lv) for s, lv in itertools.product(M.STATES, M.LEVELS) if not (s == "已上报" and lv != "大事")]


def test_constants_match_spec():
    assert M.STATES == ("登记", "已分派", "已上报", "已办结", "已回访", "作废")
    assert M.ACTIONS == ("分派", "上报", "办结", "回访", "延期", "督办", "作废")
    assert set(M.TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("state,level", list(itertools.product(M.STATES, M.LEVELS)))
def test_allowed_actions_table(state, level):
    allowed = M.allowed_actions({"state": state, "level": level})
    assert allowed == [a for a in M.ACTIONS if expected(state, a, level) is not None]


@pytest.mark.parametrize("state,level,action",
                         [(s, lv, a) for (s, lv) in REACHABLE for a in M.ACTIONS])
def test_every_state_action_level(ledger, place, state, level, action):
    ledger.set_setting(M.SUPERVISION_WINDOW_KEY, 60)   # the state table alone (the window: below)
    matter_id = bring_to(ledger, place, state, level)
    events_before = len(M.matter_events(ledger, matter_id))
    want = expected(state, action, level)
    if want is None:
        with pytest.raises(WorkflowError) as err:
            M.apply_action(ledger, matter_id, action, **VALID_DATA[action])
        message = str(err.value)
        assert "不能" in message and action in message or "只有大事" in message
        assert len(M.matter_events(ledger, matter_id)) == events_before
        assert M.get_matter(ledger, matter_id)["state"] == state
    else:
        M.apply_action(ledger, matter_id, action, **VALID_DATA[action])
        matter = M.get_matter(ledger, matter_id)
        assert matter["state"] == want
        events = M.matter_events(ledger, matter_id)
        assert len(events) == events_before + 1
        last = events[-1]
        assert (last["action"], last["from_state"], last["to_state"], last["operator"]) == (
            action, state, want, "测试员")


@pytest.mark.parametrize("state,action,message", [
    ("已办结", "分派", "已办结的事项不能再分派"),
    ("已回访", "回访", "已回访，不能重复回访"),
    ("作废", "办结", "已作废的事项不能再办结"),
    ("登记", "办结", "尚未分派承办人"),
    ("已分派", "回访", "尚未办结，不能回访"),
])
def test_refusal_messages(ledger, place, state, action, message):
    matter_id = bring_to(ledger, place, state, "大事")
    with pytest.raises(WorkflowError, match=message):
        M.apply_action(ledger, matter_id, action, **VALID_DATA[action])


def test_escalating_small_matter_names_the_rule(ledger, place):
    matter_id = bring_to(ledger, place, "已分派", "小事")
    with pytest.raises(WorkflowError, match="只有大事才能上报"):
        M.apply_action(ledger, matter_id, "上报")


@pytest.mark.parametrize("action,data,field", [
    ("办结", {}, "result"),
    ("办结", {"result": "  "}, "result"),
    ("回访", {"satisfaction": "还行"}, "satisfaction"),
    ("延期", {"new_deadline": dt.datetime(2027, 1, 1)}, "note"),
    ("延期", {"new_deadline": dt.datetime(2026, 10, 15, 12, 0), "note": "x"}, "new_deadline"),
    ("延期", {"note": "x"}, "new_deadline"),
    ("督办", {"card": "绿牌"}, "card"),
    ("作废", {}, "note"),
    ("分派", {}, "assignee_staff_id"),
    ("上报", {"meeting_id": 999}, "meeting_id"),
])
def test_missing_or_bad_action_data(ledger, place, action, data, field):
    state = "已办结" if action == "回访" else "已分派"
    matter_id = bring_to(ledger, place, state, "大事")
    with pytest.raises(ValidationError) as err:
        M.apply_action(ledger, matter_id, action, **data)
    assert err.value.field == field
    assert len(M.matter_events(ledger, matter_id)) == (3 if state == "已办结" else 2)


def test_unknown_matter(ledger):
    with pytest.raises(NotFound):
        M.apply_action(ledger, 42, "分派", assignee_name="x")


# -- deadlines ---------------------------------------------------------------------------

@pytest.mark.parametrize("level,category,registered,deadline", [
    ("小事", "路灯照明", dt.datetime(2026, 10, 31, 23, 59, 30), dt.datetime(2026, 10, 31, 23, 59, 59)),
    ("私事", "家庭矛盾", dt.datetime(2026, 10, 31, 0, 0, 0), dt.datetime(2026, 10, 31, 23, 59, 59)),
    ("小事", "噪音扰民", dt.datetime(2026, 12, 31, 23, 59, 59), dt.datetime(2026, 12, 31, 23, 59, 59)),
    ("大事", "违章建筑", dt.datetime(2026, 10, 15, 10, 0, 0), dt.datetime(2026, 11, 14, 23, 59, 59)),
    ("大事", "违章建筑", dt.datetime(2026, 10, 31, 23, 59, 30), dt.datetime(2026, 11, 30, 23, 59, 59)),
    ("大事", "环境治理", dt.datetime(2026, 12, 15, 8, 0, 0), dt.datetime(2027, 1, 14, 23, 59, 59)),
    ("大事", "其他", dt.datetime(2028, 1, 31, 9, 0, 0), dt.datetime(2028, 3, 1, 23, 59, 59)),  # leap year
])
def test_deadline_rules(ledger, level, category, registered, deadline):
    assert M.compute_deadline(ledger, level, category, registered) == deadline


def test_deadline_days_configurable_per_category(ledger):
    ledger.set_setting("matter_deadline_days", {"违章建筑": 60, "默认": 20})
    reg = dt.datetime(2026, 10, 15, 10, 0)
    assert M.compute_deadline(ledger, "大事", "违章建筑", reg) == dt.datetime(2026, 12, 14, 23, 59, 59)
    assert M.compute_deadline(ledger, "大事", "环境治理", reg) == dt.datetime(2026, 11, 4, 23, 59, 59)
    assert M.compute_deadline(ledger, "小事", "违章建筑", reg) == dt.datetime(2026, 10, 15, 23, 59, 59)
    ledger.set_setting("matter_deadline_days", 10)
    assert M.compute_deadline(ledger, "大事", "其他", reg) == dt.datetime(2026, 10, 25, 23, 59, 59)


def test_registered_just_before_midnight_is_overdue_a_minute_later(ledger, place, clock):
    clock.set(2026, 10, 31, 23, 59, 30)
    matter_id = new_matter(ledger, place, "小事", assignee_staff_id=place["staff_id"])
    matter = M.get_matter(ledger, matter_id)
    assert matter["deadline"] == "2026-10-31 23:59:59"
    assert not matter["is_overdue"]
    assert M.count(ledger, M.MatterFilter(due_today=True)) == 1
    clock.set(2026, 11, 1, 0, 0, 30)
    assert M.get_matter(ledger, matter_id)["is_overdue"]
    assert M.count(ledger, M.MatterFilter(overdue=True)) == 1
    assert M.count(ledger, M.MatterFilter(due_today=True)) == 0


def test_extension_moves_deadline_and_keeps_old_one(ledger, place):
    matter_id = bring_to(ledger, place, "已分派", "大事")
    M.apply_action(ledger, matter_id, "延期", new_deadline="2026-12-31", note="需住建部门现场认定")
    matter = M.get_matter(ledger, matter_id)
    assert matter["deadline"] == "2026-12-31 23:59:59"
    last = M.matter_events(ledger, matter_id)[-1]
    assert last["data"] == {"new_deadline": "2026-12-31 23:59:59", "old_deadline": "2026-11-14 23:59:59"}
    assert last["note"] == "需住建部门现场认定"


# -- derive_state as a table -----------------------------------------------------------------

def ev(action, at, **data):
    return {"action": action, "at": at, "data": data or None}


REG = ev("登记", "2026-10-01 09:00:00", deadline="2026-10-01 23:59:59")
BASE = {"state": "登记", "deadline": "2026-10-01 23:59:59", "closed_at": None, "result": "",
        "followed_up_at": None, "satisfaction": None, "cancelled_at": None, "supervision": "",
        "assignee_staff_id": None, "assignee_name": ""}


@pytest.mark.parametrize("events,changes", [
    ([REG], {}),
    ([REG, ev("分派", "2026-10-01 09:05:00", assignee_staff_id=3, assignee_name="王芳")],
     {"state": "已分派", "assignee_staff_id": 3, "assignee_name": "王芳"}),
    ([REG, ev("分派", "2026-10-01 09:05:00", assignee_name="王芳"),
      ev("办结", "2026-10-01 16:00:00", result="已修复"),
      ev("回访", "2026-10-02 10:00:00", satisfaction="基本满意")],
     {"state": "已回访", "assignee_name": "王芳", "closed_at": "2026-10-01 16:00:00", "result": "已修复",
      "followed_up_at": "2026-10-02 10:00:00", "satisfaction": "基本满意"}),
    ([REG, ev("延期", "2026-10-01 12:00:00", new_deadline="2026-10-05 23:59:59",
              old_deadline="2026-10-01 23:59:59")],
     {"deadline": "2026-10-05 23:59:59"}),
    ([REG, ev("督办", "2026-10-03 08:00:00", card="红牌"), ev("督办", "2026-10-04 08:00:00", card="黄牌"),
      ev("督办", "2026-10-05 08:00:00", card="普通")],
     {"supervision": "红牌"}),
    ([REG, ev("作废", "2026-10-01 10:00:00")], {"state": "作废", "cancelled_at": "2026-10-01 10:00:00"}),
    # events given out of order are applied in time order
    ([ev("办结", "2026-10-01 16:00:00", result="好了"), ev("分派", "2026-10-01 09:05:00", assignee_name="甲"),
      REG],
     {"state": "已办结", "assignee_name": "甲", "closed_at": "2026-10-01 16:00:00", "result": "好了"}),
    # equal times keep the given order
    ([REG, ev("分派", "2026-10-01 09:00:00", assignee_name="甲"), ev("上报", "2026-10-01 09:00:00")],
     {"state": "已上报", "assignee_name": "甲"}),
])
def test_derive_state(events, changes):
    assert M.derive_state(events) == BASE | changes


@pytest.mark.parametrize("events", [
    [],
    [ev("分派", "2026-10-01 09:00:00", assignee_name="甲")],
    [REG, REG],
    [REG, ev("办结", "2026-10-01 10:00:00", result="x")],
    [REG, ev("作废", "2026-10-01 10:00:00"), ev("分派", "2026-10-01 11:00:00", assignee_name="甲")],
])
def test_derive_state_refuses_broken_histories(events):
    with pytest.raises(WorkflowError):
        M.derive_state(events)


def test_cache_matches_derivation_after_actions(ledger, place):
    matter_id = bring_to(ledger, place, "已回访", "大事")
    matter = M.get_matter(ledger, matter_id)
    derived = M.derive_state(M.matter_events(ledger, matter_id))
    assert {k: matter[k] for k in derived} == derived


# -- registration ---------------------------------------------------------------------------

def test_numbering_per_month(ledger, place, clock):
    clock.set(2026, 11, 2, 9, 0, 0)
    first = new_matter(ledger, place, registered_at=dt.datetime(2026, 10, 30, 8, 0))
    second = new_matter(ledger, place, registered_at="2026-10-31 23:59:30")
    third = new_matter(ledger, place, registered_at="2026-11-01 00:00:00")
    fourth = new_matter(ledger, place)
    numbers = [M.get_matter(ledger, m)["number"] for m in (first, second, third, fourth)]
    assert numbers == ["2026-10-0001", "2026-10-0002", "2026-11-0001", "2026-11-0002"]


def test_numbering_beyond_9999(ledger, place):
    ledger.conn.execute("UPDATE matters SET number = number")  # no-op, table exists
    matter_id = new_matter(ledger, place)
    ledger.conn.execute("UPDATE matters SET number = '2026-10-9999' WHERE id = ?", [matter_id])
    a = new_matter(ledger, place)
    b = new_matter(ledger, place)
    assert [M.get_matter(ledger, m)["number"] for m in (a, b)] == ["2026-10-10000", "2026-10-10001"]


def test_register_derives_place_and_writes_events(ledger, place):
    matter_id = new_matter(ledger, place, "大事", assignee_staff_id=place["staff_id"])
    matter = M.get_matter(ledger, matter_id)
    assert matter["grid_name"] == "一网格"
    assert matter["location_text"] == matter["household_label"] == "3号楼1单元301"
    assert matter["assignee_name"] == "王芳"
    assert matter["state"] == "已分派"
    events = M.matter_events(ledger, matter_id)
    assert [e["action"] for e in events] == ["登记", "分派"]
    assert events[0]["data"] == {"deadline": "2026-11-14 23:59:59"}
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'matters'") == 1


@pytest.mark.parametrize("write, change, field", [
    ("登记", {"source": "电报"}, "source"),
    ("登记", {"category": "外星人"}, "category"),
    ("登记", {"level": "中事"}, "level"),
    ("登记", {"description": " "}, "description"),
    ("登记", {"household_id": 999}, "household_id"),
    ("登记", {"household_id": None, "grid_id": None}, "grid_id"),
    ("登记", {"registered_at": "2026-10-16 09:00"}, "registered_at"),
    ("登记", {"registered_at": "昨天"}, "registered_at"),
    ("登记", {"assignee_staff_id": 77}, "assignee_staff_id"),
    ("修改", {"source": "飞鸽传书"}, "source"),
    ("修改", {"category": "不存在的类别"}, "category"),
    ("修改", {"description": "  "}, "description"),
    ("修改", {"reporter_phone": "12345"}, "reporter_phone"),
    ("修改", {"reporter_resident_id": 99999}, "reporter_resident_id"),
])
def test_bad_input_is_refused_naming_its_field_and_nothing_is_written(ledger, place, write, change, field):
    matter_id = new_matter(ledger, place)
    before = (M.get_matter(ledger, matter_id), ledger.scalar("SELECT COUNT(*) FROM matters"),
              ledger.scalar("SELECT COUNT(*) FROM audit_log"))
    with pytest.raises(ValidationError) as err:
        if write == "登记":
            new_matter(ledger, place, **change)
        else:
            M.update_matter(ledger, matter_id, change)
    assert err.value.field == field
    assert (M.get_matter(ledger, matter_id), ledger.scalar("SELECT COUNT(*) FROM matters"),
            ledger.scalar("SELECT COUNT(*) FROM audit_log")) == before


def test_household_of_another_grid_is_refused(ledger, place):
    other = grids.ensure_grid(ledger, grids.own_community_id(ledger), "二网格")
    with pytest.raises(ValidationError, match="不属于所选网格"):
        new_matter(ledger, place, grid_id=other)


def test_configured_categories(ledger, place):
    lists.set_names(ledger, "matter_category", ["路灯照明", "电梯故障"])
    assert M.categories(ledger) == ["路灯照明", "电梯故障"]
    new_matter(ledger, place, category="电梯故障")
    with pytest.raises(ValidationError):
        new_matter(ledger, place, category="环境卫生")


def test_action_time_cannot_go_back_or_forward(ledger, place, clock):
    matter_id = new_matter(ledger, place)
    with pytest.raises(ValidationError, match="不能早于"):
        M.apply_action(ledger, matter_id, "分派", at="2026-10-14 08:00", assignee_name="甲")
    with pytest.raises(ValidationError, match="不能晚于当前"):
        M.apply_action(ledger, matter_id, "分派", at="2026-10-16 08:00", assignee_name="甲")


def test_escalation_links_meeting(ledger, place):
    from models.meetings import records as meetings

    meeting = meetings.add_meeting(ledger, {"kind": "联席会议", "held_at": "2026-10-15 09:00",
                                            "topic": "违建整治"})
    matter_id = bring_to(ledger, place, "已分派", "大事")
    M.apply_action(ledger, matter_id, "上报", meeting_id=meeting, note="提交联席会议")
    assert M.get_matter(ledger, matter_id)["meeting_ids"] == [meeting]
    assert M.matter_events(ledger, matter_id)[-1]["data"] == {"meeting_id": meeting}


def test_update_matter(ledger, place):
    matter_id = new_matter(ledger, place)
    M.update_matter(ledger, matter_id, {"description": "路灯闪烁", "reporter_name": "张三"})
    assert M.get_matter(ledger, matter_id)["description"] == "路灯闪烁"
    with pytest.raises(ValidationError):
        M.update_matter(ledger, matter_id, {"level": "大事"})


def test_update_matter_is_audited_and_searchable(ledger, place):
    import json

    matter_id = new_matter(ledger, place)
    M.update_matter(ledger, matter_id, {"source": "微信群", "location_text": "小区东门",
                                        "reporter_phone": "138 0000 1234"})
    m = M.get_matter(ledger, matter_id)
    assert (m["source"], m["location_text"], m["reporter_phone"]) == ("微信群", "小区东门", "13800001234")
    row = ledger.query("SELECT operator, old_value, new_value FROM audit_log"
                       " WHERE table_name = 'matters' AND action = '修改' AND row_id = ?", [matter_id])
    assert len(row) == 1
    assert json.loads(row[0]["old_value"])["source"] == "来电"
    assert json.loads(row[0]["new_value"]) == {"source": "微信群", "location_text": "小区东门",
                                               "reporter_phone": "138****1234"}  # phones masked in the audit log
    assert M.count(ledger, M.MatterFilter(text="东门")) == 1
    edits = M.matter_edits(ledger, matter_id)
    assert [(e["operator"], e["old"]["source"], e["new"]["source"]) for e in edits] == [
        (ledger.operator.name, "来电", "微信群")]
    # nothing changed: nothing written, nothing audited
    M.update_matter(ledger, matter_id, {"source": "微信群"})
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE action = '修改' AND row_id = ?", [matter_id]) == 1


def test_update_matter_refused_for_supervisor_and_cancelled(ledger, place):
    from models.core.db import Operator

    cancelled = bring_to(ledger, place, "作废", "小事")
    with pytest.raises(WorkflowError, match="已作废"):
        M.update_matter(ledger, cancelled, {"description": "改一下"})
    matter_id = new_matter(ledger, place)
    ledger.operator = Operator("督导", role="督导员")
    with pytest.raises(WorkflowError, match="督导员"):
        M.update_matter(ledger, matter_id, {"description": "改一下"})
    assert M.get_matter(ledger, matter_id)["description"] == "3号楼门前路灯不亮"


# -- lists and the home screen ------------------------------------------------------------------

@pytest.fixture
def busy(ledger, place, clock):
    """Twelve matters over two days and two grids, in various states."""
    other_hh = grids.ensure_place(ledger, grids.Place(None, "二网格", "8号楼", "2单元", "502"))
    clock.set(2026, 10, 14, 9, 0, 0)
    ids = {}
    for i in range(6):
        ids[f"old{i}"] = new_matter(ledger, place, "小事", description=f"昨日事项{i}",
                                    assignee_staff_id=place["staff_id"] if i % 2 else None)
    clock.set(2026, 10, 15, 9, 0, 0)
    for i in range(4):
        ids[f"new{i}"] = new_matter(ledger, place, "大事" if i == 0 else "私事", category="邻里纠纷",
                                    description=f"今日纠纷{i}", reporter_name="赵六")
    ids["other"] = new_matter(ledger, place, "小事", household_id=other_hh, source="微信群",
                              description="二网格垃圾未清运", category="环境卫生")
    M.apply_action(ledger, ids["old1"], "办结", result="已处理")
    M.apply_action(ledger, ids["old3"], "办结", result="已处理")
    M.apply_action(ledger, ids["old3"], "回访", satisfaction="满意")
    M.apply_action(ledger, ids["old5"], "作废", note="重复")
    clock.set(2026, 10, 15, 10, 0, 0)
    return ids


@pytest.mark.parametrize("flt,expected_keys", [
    (M.MatterFilter(), None),
    (M.MatterFilter(overdue=True), {"old0", "old2", "old4"}),
    (M.MatterFilter(due_today=True), {"new1", "new2", "new3", "other"}),
    (M.MatterFilter(awaiting_follow_up=True), {"old1"}),
    (M.MatterFilter(state="作废"), {"old5"}),
    (M.MatterFilter(level="大事"), {"new0"}),
    (M.MatterFilter(category="环境卫生"), {"other"}),
    (M.MatterFilter(source="微信群"), {"other"}),
    (M.MatterFilter(text="纠纷"), {"new0", "new1", "new2", "new3"}),
    (M.MatterFilter(text="赵"), {"new0", "new1", "new2", "new3"}),
    (M.MatterFilter(text="2026-10-001"), {"new3", "other"}),
    (M.MatterFilter(text="100%"), set()),
    (M.MatterFilter(date_from="2026-10-15", date_to="2026-10-15"),
     {"new0", "new1", "new2", "new3", "other"}),
    (M.MatterFilter(date_to="2026-10-14"), {f"old{i}" for i in range(6)}),
])
def test_filters(ledger, busy, flt, expected_keys):
    expected_ids = set(busy.values()) if expected_keys is None else {busy[k] for k in expected_keys}
    rows, cursor = M.search_page(ledger, flt)
    assert {r["id"] for r in rows} == expected_ids
    assert cursor is None
    assert M.count(ledger, flt) == len(expected_ids)


def test_grid_and_assignee_filters(ledger, busy, place):
    grid_id = M.get_matter(ledger, busy["other"])["grid_id"]
    assert [r["id"] for r in M.search_page(ledger, M.MatterFilter(grid_id=grid_id))[0]] == [busy["other"]]
    assignee = {r["id"] for r in M.search_page(ledger, M.MatterFilter(assignee_staff_id=place["staff_id"]))[0]}
    assert assignee == {busy["old1"], busy["old3"], busy["old5"]}


@pytest.mark.parametrize("sort,descending", [("registered_at", True), ("registered_at", False),
                                             ("deadline", True), ("number", False)])
def test_keyset_paging_visits_every_row_once(ledger, busy, sort, descending):
    seen, cursor, pages = [], None, 0
    while True:
        rows, cursor = M.search_page(ledger, M.MatterFilter(), sort=sort, descending=descending,
                                     after=cursor, limit=5)
        seen += rows
        pages += 1
        if cursor is None:
            break
    assert pages == 3
    assert sorted(r["id"] for r in seen) == sorted(busy.values())
    keys = [(r[sort], r["id"]) for r in seen]
    assert keys == sorted(keys, reverse=descending)


def test_overdue_flag_in_rows(ledger, busy):
    rows, _ = M.search_page(ledger, M.MatterFilter())
    flagged = {r["id"] for r in rows if r["is_overdue"]}
    assert flagged == {busy["old0"], busy["old2"], busy["old4"]}


def test_home_summary(ledger, busy):
    summary = M.home_summary(ledger)
    assert summary["overdue"]["count"] == 3
    assert {r["id"] for r in summary["overdue"]["rows"]} == {busy["old0"], busy["old2"], busy["old4"]}
    assert all(r["is_overdue"] for r in summary["overdue"]["rows"])
    assert summary["due_today"]["count"] == 4
    assert [r["id"] for r in summary["awaiting_follow_up"]["rows"]] == [busy["old1"]]
    assert summary["month"] == "2026-10"
    assert summary["by_level"] == {"小事": 6, "私事": 3, "大事": 1}   # the cancelled one is left out
    assert summary["by_category"]["邻里纠纷"] == 4
    assert summary["by_category"]["环境卫生"] == 1
    trend = summary["trend"]
    assert [t["month"] for t in trend][0] == "2025-11" and trend[-1]["month"] == "2026-10"
    assert trend[-1] == {"month": "2026-10", "registered": 10, "closed": 2, "on_time": 0}


def test_on_time_closure_in_trend(ledger, place, clock):
    matter_id = new_matter(ledger, place, assignee_staff_id=place["staff_id"])
    M.apply_action(ledger, matter_id, "办结", result="好了")
    assert M.home_summary(ledger)["trend"][-1]["on_time"] == 1


def test_m002_upgrade_keeps_data(tmp_path):
    db = old_ledger(tmp_path / "old.db", "m002_matter_visit_index")
    assert "matters_visit" not in {i.name for i in db["matters"].indexes}
    old_matter(db, "旧事项")
    migrate(db)
    assert "matters_visit" in {i.name for i in db["matters"].indexes}
    assert [r["description"] for r in db.query("SELECT description FROM matters")] == ["旧事项"]


@pytest.mark.parametrize("cap", [5000, 1, 0])
@pytest.mark.parametrize("text,keys", [
    ("纠纷", {"new0", "new1", "new2", "new3"}),
    ("纠", {"new0", "new1", "new2", "new3"}),
    ("今日纠纷2", {"new2"}),
    ("赵六", {"new0", "new1", "new2", "new3"}),
    ("3号楼1单元", {f"old{i}" for i in range(6)} | {"new0", "new1", "new2", "new3"}),
    ("垃圾未清运", {"other"}),
    ("纠纷今日", set()),
    ("（", set()),
])
def test_text_search_routes_agree(ledger, busy, monkeypatch, cap, text, keys):
    """Candidates from matter_fts (few) and walking the list index (many) give the same rows."""
    monkeypatch.setattr(M, "SEARCH_CAP", cap)
    flt = M.MatterFilter(text=text)
    assert {r["id"] for r in M.search_page(ledger, flt)[0]} == {busy[k] for k in keys}
    assert M.count(ledger, flt) == len(keys)
    assert M.count(ledger, flt, cap=2) == min(2, len(keys))


def test_search_index_follows_edits(ledger, busy):
    M.update_matter(ledger, busy["other"], {"description": "二网格井盖缺失", "reporter_name": "钱七"})
    assert M.count(ledger, M.MatterFilter(text="垃圾")) == 0
    assert [r["id"] for r in M.search_page(ledger, M.MatterFilter(text="井盖"))[0]] == [busy["other"]]
    assert M.count(ledger, M.MatterFilter(text="钱七")) == 1
    ledger.conn.execute("INSERT INTO matter_fts (matter_fts) VALUES ('integrity-check')")


def test_m003_upgrade_indexes_old_matters(tmp_path):
    db = old_ledger(tmp_path / "old.db", "m003_matter_list_indexes")
    assert not db["matter_fts"].exists()
    old_matter(db, "楼道漏水", reporter_name="孙八")
    migrate(db)
    assert "matters_state_registered" in {i.name for i in db["matters"].indexes}
    from models.core.db import Ledger

    ledger = Ledger(db, None)
    assert M.count(ledger, M.MatterFilter(text="漏水")) == 1
    assert M.count(ledger, M.MatterFilter(text="孙")) == 1


@pytest.mark.parametrize("role,action,allowed", [
    ("管理员", "督办", True), ("督导员", "督办", True), ("工作人员", "督办", False), ("网格员", "督办", False),
    ("督导员", "办结", False), ("督导员", "作废", False), ("网格员", "办结", True), ("工作人员", "分派", True),
])
def test_roles(ledger, place, role, action, allowed):
    from models.core.db import Operator

    matter_id = bring_to(ledger, place, "已分派", "小事")
    every_grid = frozenset(r["id"] for r in ledger.query("SELECT id FROM grids"))
    ledger.operator = Operator("某人", role=role, grid_ids=every_grid)
    assert (action in M.allowed_actions(M.get_matter(ledger, matter_id), role)) == allowed
    if allowed:
        M.apply_action(ledger, matter_id, action, **VALID_DATA[action])
        assert M.matter_events(ledger, matter_id)[-1]["operator"] == "某人"
    else:
        with pytest.raises(WorkflowError, match="督导员"):
            M.apply_action(ledger, matter_id, action, **VALID_DATA[action])


def test_supervisor_cannot_register(ledger, place):
    from models.core.db import Operator

    ledger.operator = Operator("督导", role="督导员")
    with pytest.raises(PermissionDenied, match="可以登记事项（当前角色：督导员）"):
        new_matter(ledger, place)
    assert ledger.scalar("SELECT COUNT(*) FROM matters") == 0


def test_reporter_phone_checked_and_normalised(ledger, place):
    with pytest.raises(ValidationError) as err:
        new_matter(ledger, place, reporter_phone="12345")
    assert err.value.field == "reporter_phone"
    matter_id = new_matter(ledger, place, reporter_phone="138 1234 5678")
    assert M.get_matter(ledger, matter_id)["reporter_phone"] == "13812345678"


def test_search_without_fts5_falls_back_to_like(ledger, busy, monkeypatch):
    """A Python whose SQLite lacks FTS5 still finds the same matters (LIKE alone)."""
    monkeypatch.setattr(M, "_FTS5", False)
    assert M.count(ledger, M.MatterFilter(text="纠纷")) == 4
    assert {r["id"] for r in M.search_page(ledger, M.MatterFilter(text="赵"))[0]} == {
        busy[k] for k in ("new0", "new1", "new2", "new3")}
    matter_id = M.register_matter(ledger, {"source": "来电", "category": "其他", "level": "小事",
                                           "description": "无全文索引时登记", "grid_id": 1})
    assert [r["id"] for r in M.search_page(ledger, M.MatterFilter(text="全文索引"))[0]] == [matter_id]


def test_m005_upgrade_keeps_data_and_orders_awaiting_by_closing(ledger, place, clock, tmp_path):
    db = old_ledger(tmp_path / "old.db", "m005_awaiting_follow_up_index")
    old_matter(db, "旧事项", state="已办结", closed_at="2026-10-01 10:00:00")
    migrate(db)
    assert "matters_state_closed" in {i.name for i in db["matters"].indexes}
    assert [r["description"] for r in db.query("SELECT description FROM matters")] == ["旧事项"]

    # registered first but closed last: listed last
    first = new_matter(ledger, place, "大事", assignee_name="甲")
    second = new_matter(ledger, place, "小事", assignee_name="乙")
    clock.advance(minutes=5)
    M.apply_action(ledger, second, "办结", result="好")
    clock.advance(minutes=5)
    M.apply_action(ledger, first, "办结", result="好")
    assert [r["id"] for r in M.home_summary(ledger)["awaiting_follow_up"]["rows"]] == [second, first]


@pytest.mark.parametrize("existing, expected", [
    ([], "2026-10-0001"),
    (["2026-10-0001", "2026-10-0042"], "2026-10-0043"),
    (["2026-10-9998", "2026-10-9999"], "2026-10-10000"),
    (["2026-10-9999", "2026-10-10000", "2026-10-10001"], "2026-10-10002"),
    (["2026-09-0500", "2026-11-0007"], "2026-10-0001"),        # other months do not count
])
def test_next_number_is_the_months_numeric_maximum_plus_one(ledger, place, existing, expected):
    for n, number in enumerate(existing):
        matter_id = new_matter(ledger, place, registered_at=f"2026-10-0{n + 1} 09:00")
        ledger.conn.execute("UPDATE matters SET number = ? WHERE id = ?", [number, matter_id])
    assert M.next_number(ledger, dt.datetime(2026, 10, 20, 9, 0)) == expected


# -- a whole history at once (the import's path) ------------------------------------------

#: (level, assignee, steps as (action, hours after registration, note, data))
HISTORIES = [
    ("小事", "", []),
    ("小事", "王芳", []),
    ("小事", "王芳", [("办结", 3, "", {"result": "已更换灯泡"})]),
    ("私事", "王芳", [("办结", 3, "", {"result": "已调解"}), ("回访", 27, "", {"satisfaction": "基本满意"})]),
    ("小事", "", [("作废", 0, "重复登记", {})]),
    ("小事", "王芳", [("作废", 1, "", {"reason": "无效信息"})]),
    ("大事", "王芳", [("延期", 2, "等待配件", {"new_deadline": "2026-12-31 23:59:59"}), ("上报", 5, "", {}),
                    ("分派", 6, "", {"assignee_name": "李强"}), ("办结", 30, "", {"result": "已拆除"}),
                    ("回访", 50, "", {"satisfaction": "满意"})]),
    ("小事", "王芳", [("督办", 40, "超期未办", {"card": "黄牌"}), ("督办", 41, "", {"card": "普通"}),
                    ("办结", 45, "", {"result": "已处理"})]),
]


def _story(matter_id, ledger):
    matter = {k: v for k, v in M.get_matter(ledger, matter_id).items() if k not in ("id", "number")}
    events = [{k: v for k, v in e.items() if k not in ("id", "matter_id")} for e in M.matter_events(ledger, matter_id)]
    return matter, events


@pytest.mark.parametrize("level,assignee,steps", HISTORIES)
def test_a_history_at_once_is_the_same_matter_as_step_by_step(ledger, place, level, assignee, steps):
    registered = dt.datetime(2026, 10, 12, 9, 0)
    data = {"registered_at": registered, "source": "来电", "category": "路灯照明", "level": level,
            "description": "3号楼门前路灯不亮", "household_id": place["household_id"], "assignee_name": assignee}
    by_hand = M.register_matter(ledger, data)
    for action, hours, note, extra in steps:
        M.apply_action(ledger, by_hand, action, at=registered + dt.timedelta(hours=hours), note=note, **extra)
    at_once = M.register_history(ledger, data, [(action, registered + dt.timedelta(hours=hours), note, extra)
                                                for action, hours, note, extra in steps])
    assert _story(at_once, ledger) == _story(by_hand, ledger)
    audit = ledger.query("SELECT action, new_value FROM audit_log WHERE table_name = 'matters' AND row_id = ?",
                         [at_once])
    assert [a["action"] for a in audit] == ["登记"]            # one audit row, naming the final state
    assert M.get_matter(ledger, at_once)["state"] in audit[0]["new_value"]


@pytest.mark.parametrize("steps,error,message", [
    ([("回访", 2, "", {"satisfaction": "满意"})], WorkflowError, "尚未办结"),
    ([("办结", 2, "", {"result": "好"}), ("作废", 3, "重复", {})], WorkflowError, "不能再作废"),
    ([("上报", 2, "", {})], WorkflowError, "只有大事"),
    ([("办结", 3, "", {"result": "好"}), ("回访", 2, "", {"satisfaction": "满意"})], ValidationError, "不能早于"),
    ([("办结", -1, "", {"result": "好"})], ValidationError, "不能早于"),
    ([("办结", 24 * 10, "", {"result": "好"})], ValidationError, "不能晚于当前"),
    ([("办结", 2, "", {})], ValidationError, "办理结果"),
    ([("作废", 2, "", {})], ValidationError, "作废必须填写原因"),
    ([("结案", 2, "", {})], WorkflowError, "未知的操作"),
])
def test_a_broken_history_is_refused_and_nothing_is_written(ledger, place, steps, error, message):
    registered = dt.datetime(2026, 10, 12, 9, 0)
    before = ledger.scalar("SELECT COUNT(*) FROM matter_events"), ledger.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(error, match=message):
        M.register_history(ledger, {"registered_at": registered, "source": "来电", "category": "路灯照明",
                                    "level": "小事", "description": "路灯", "household_id": place["household_id"],
                                    "assignee_name": "王芳"},
                           [(a, registered + dt.timedelta(hours=h), n, d) for a, h, n, d in steps])
    assert ledger.scalar("SELECT COUNT(*) FROM matters") == 0
    assert (ledger.scalar("SELECT COUNT(*) FROM matter_events"),
            ledger.scalar("SELECT COUNT(*) FROM audit_log")) == before


def test_a_history_needs_the_permission_of_each_step(ledger, place):
    from models.core.db import Operator

    ledger.operator = Operator("网格员甲", role="网格员")
    refused = [s for s in M.ACTIONS if not M.may("网格员", f"matter.{s}")]
    assert refused, "the permission table gives a 网格员 every action: pick another role"
    with pytest.raises(PermissionDenied):
        M.register_history(ledger, {"source": "来电", "category": "路灯照明", "level": "大事",
                                    "description": "路灯", "household_id": place["household_id"]},
                           [(refused[0], ledger.now(), "原因", {})])
    assert ledger.scalar("SELECT COUNT(*) FROM matters") == 0
