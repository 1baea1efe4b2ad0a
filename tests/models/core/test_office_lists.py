"""The office's own lists (设置): rules as a table; changing a list never changes past records."""

from __future__ import annotations

import pytest

from models.core import lists
from models.core.db import Operator
from models.core.errors import ValidationError
from models.core.permissions import PermissionDenied, may
from models.grids import hierarchy as grids
from models.matters import records as M
from models.residents import records as R
from models.visits import records as V
from models.volunteers import activities


@pytest.fixture
def hh(ledger):
    return grids.ensure_place(ledger, grids.Place(None, "一网格", "3号楼", "1单元", "301"))


def _id(ledger, kind, name):
    return next(i["id"] for i in lists.items(ledger, kind) if i["name"] == name)


def _matter(ledger, hh, **extra):
    data = {"source": "来电", "category": "路灯照明", "level": "小事", "description": "路灯不亮",
            "household_id": hh} | extra
    return M.register_matter(ledger, data)


def test_a_new_ledger_starts_with_the_lists_it_used_before(ledger):
    assert lists.names(ledger, "matter_category") == list(M.DEFAULT_CATEGORIES)
    assert lists.names(ledger, "matter_source") == list(M.SOURCES)
    assert lists.names(ledger, "activity_type") == activities.DEFAULT_ACTIVITY_TYPES
    assert lists.names(ledger, "visit_way") == list(V.WAYS)
    assert lists.LEVELS == M.LEVELS
    assert lists.category_rule(ledger, "违章建筑") == {"level": "大事", "deadline_days": None}
    assert lists.idle_lock_minutes(ledger) == 15


#: (call, message): every refusal of the rules
REFUSALS = [
    (lambda led: lists.add_item(led, "matter_source", "  "), "名称不能为空"),
    (lambda led: lists.add_item(led, "matter_source", "来电"), "已经在列表中"),
    (lambda led: lists.add_item(led, "matter_source", "甲" * 21), "最多 20 个字"),
    (lambda led: lists.add_item(led, "visit_way", "视频"), "只能停用或恢复，不能新增"),
    (lambda led: lists.add_item(led, "nonsense", "x"), "没有这个列表"),
    (lambda led: lists.add_item(led, "matter_category", "电梯故障", level="急事"), "事项分级必须是"),
    (lambda led: lists.add_item(led, "matter_category", "电梯故障", deadline_days="三十"), "不是整数"),
    (lambda led: lists.add_item(led, "matter_category", "电梯故障", deadline_days=0), "1 到 365"),
    (lambda led: lists.set_names(led, "activity_type", [" "]), "不能为空"),
    (lambda led: lists.set_idle_lock_minutes(led, "abc"), "不是整数分钟"),
    (lambda led: lists.set_idle_lock_minutes(led, 241), "0 到 240"),
    (lambda led: lists.add_tag(led, "党员"), "已经存在"),
    (lambda led: M.set_supervision_window(led, -1), "0 到 60"),
]


@pytest.mark.parametrize("call, message", REFUSALS)
def test_refusals(ledger, call, message):
    before = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(ValidationError, match=message):
        call(ledger)
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == before


def test_the_last_item_in_use_cannot_be_retired(ledger):
    for way in ("电话", "微信"):
        lists.retire_item(ledger, _id(ledger, "visit_way", way))
    with pytest.raises(ValidationError, match="至少要保留一项在用"):
        lists.retire_item(ledger, _id(ledger, "visit_way", "入户"))


def test_retiring_a_category_keeps_past_matters_and_stops_new_ones(ledger, hh):
    old = _matter(ledger, hh, category="噪音扰民")
    item = _id(ledger, "matter_category", "噪音扰民")
    with pytest.raises(ValidationError, match="已有 1 条记录使用“噪音扰民”，不能改名"):
        lists.rename_item(ledger, item, "噪声扰民")
    with pytest.raises(ValidationError, match="不能删除，可以停用"):
        lists.delete_item(ledger, item)
    lists.retire_item(ledger, item)
    assert "噪音扰民" not in M.categories(ledger)
    assert M.get_matter(ledger, old)["category"] == "噪音扰民"
    M.update_matter(ledger, old, {"description": "夜间施工噪音", "category": "噪音扰民"})   # kept as it was
    with pytest.raises(ValidationError, match="不在类别列表中"):
        _matter(ledger, hh, category="噪音扰民")
    assert lists.items(ledger, "matter_category")[2] | {} == {
        "id": item, "name": "噪音扰民", "sort_order": 2, "retired": 1, "level": "小事", "deadline_days": None,
        "used": 1}
    lists.restore_item(ledger, item)
    _matter(ledger, hh, category="噪音扰民")
    actions = [r["action"] for r in ledger.query("SELECT action FROM audit_log WHERE table_name = 'office_lists'")]
    assert actions == ["停用", "恢复"]


def test_an_unused_item_may_be_corrected_moved_and_deleted(ledger):
    item = lists.add_item(ledger, "matter_source", "市长信箱")
    lists.rename_item(ledger, item, "市长热线")
    lists.move_item(ledger, item, -2)
    assert lists.names(ledger, "matter_source")[-3:] == ["市长热线", "12345热线", "其他"]
    lists.delete_item(ledger, item)
    assert "市长热线" not in lists.names(ledger, "matter_source")


def test_a_category_rule_sets_new_matters_only(ledger, hh, clock):
    before = _matter(ledger, hh, category="违章建筑", level="大事")
    assert M.get_matter(ledger, before)["deadline"] == "2026-11-14 23:59:59"
    lists.set_category_rule(ledger, _id(ledger, "matter_category", "违章建筑"), "大事", 10)
    after = _matter(ledger, hh, category="违章建筑", level="大事")
    assert M.get_matter(ledger, after)["deadline"] == "2026-10-25 23:59:59"
    assert M.get_matter(ledger, before)["deadline"] == "2026-11-14 23:59:59"
    new = lists.add_item(ledger, "matter_category", "电梯故障", level="私事", deadline_days="45")
    assert lists.category_rule(ledger, "电梯故障") == {"level": "私事", "deadline_days": 45}
    assert M.default_level(ledger, "电梯故障") == "私事" and M.deadline_days(ledger, "电梯故障") == 45
    assert new == _id(ledger, "matter_category", "电梯故障")


def test_a_retired_visit_way_stays_on_old_visits(ledger, hh):
    visit = V.record_visit(ledger, visited_on="2026-10-10", staff_name="王芳", way="微信", household_ids=[hh])
    lists.retire_item(ledger, _id(ledger, "visit_way", "微信"))
    V.update_visit(ledger, visit, notes="补记")
    assert V.get_visit(ledger, visit)["way"] == "微信"
    with pytest.raises(ValidationError, match="走访方式必须是入户、电话之一"):
        V.record_visit(ledger, visited_on="2026-10-11", staff_name="王芳", way="微信", household_ids=[hh])


def _tags_of(ledger, resident_id):
    return {r["name"] for r in ledger.query("SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id"
                                            " WHERE rt.resident_id = ?", [resident_id])}


def test_tags_in_use_are_retired_not_deleted(ledger, hh):
    person = R.add_resident(ledger, {"name": "张三", "household_id": hh, "tags": ["党员", "低保户"]})
    tag = next(t["id"] for t in lists.tags(ledger) if t["name"] == "低保户")
    with pytest.raises(ValidationError, match="不能删除，可以停用"):
        lists.delete_tag(ledger, tag)
    with pytest.raises(ValidationError, match="不能改名"):
        lists.update_tag(ledger, tag, name="低保家庭")
    lists.retire_tag(ledger, tag)
    R.update_resident(ledger, person, {"tags": ["党员", "低保户"]})      # kept where it is
    assert _tags_of(ledger, person) == {"党员", "低保户"}
    other = R.add_resident(ledger, {"name": "李四", "household_id": hh})
    with pytest.raises(ValidationError, match="已停用"):
        R.update_resident(ledger, other, {"tags": ["低保户"]})
    new = lists.add_tag(ledger, "低保边缘户", sensitive=True)
    lists.update_tag(ledger, new, name="低保边缘家庭", sensitive=False)
    lists.move_tag(ledger, new, -100)
    first = lists.tags(ledger)[0]
    assert (first["name"], first["sensitive"], first["used"]) == ("低保边缘家庭", 0, 0)
    lists.delete_tag(ledger, new)


def test_activity_types_retire_rather_than_disappear(ledger):
    activities.set_activity_types(ledger, ["读书会", "义诊进社区"])
    assert activities.activity_types(ledger) == ["读书会", "义诊进社区"]
    retired = {i["name"] for i in lists.items(ledger, "activity_type") if i["retired"]}
    assert "法律小讲堂" in retired


@pytest.mark.parametrize("role", ["管理员", "工作人员", "网格员", "督导员"])
def test_only_the_office_edits_the_lists(ledger, role):
    allowed = may(role, "settings.edit")       # the permission table decides (管理员 since issue 10)
    ledger.operator = Operator("某人", role=role)
    if allowed:
        lists.add_item(ledger, "matter_source", "市长信箱")
        lists.set_idle_lock_minutes(ledger, 30)
        M.set_supervision_window(ledger, 5)
        assert (lists.idle_lock_minutes(ledger), M.supervision_window_days(ledger)) == (30, 5)
    else:
        for call in (lambda: lists.add_item(ledger, "matter_source", "市长信箱"),
                     lambda: lists.set_idle_lock_minutes(ledger, 30), lambda: M.set_supervision_window(ledger, 5)):
            with pytest.raises(PermissionDenied, match="修改设置"):
                call()
