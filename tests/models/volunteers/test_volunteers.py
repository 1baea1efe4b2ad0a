"""Volunteer organisations and volunteers: one identity per person, computed hours."""

import datetime as dt
import json

import pytest

from models.volunteers import activities
from models.core import idcard
from models.volunteers import records as volunteers
from models.volunteers.activities import ActivityData
from models.core.errors import NotFound, ValidationError
from models.volunteers.records import OrgData
from tests.models.vol_helpers import add_resident, grid_id


def test_same_resident_twice_is_one_volunteer(ledger):
    rid = add_resident(ledger, "张秀英", phone="13812345678")
    first = volunteers.volunteer_for_resident(ledger, rid, skills="测血压")
    second = volunteers.volunteer_for_resident(ledger, rid)
    assert first == second
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers") == 1
    vol = volunteers.get_volunteer(ledger, first)
    assert (vol["name"], vol["phone"], vol["kind"]) == ("张秀英", "13812345678", "本社区居民")
    assert vol["address"] == "1号楼1单元101"


def test_outside_person_with_a_residents_id_gets_the_residents_identity(ledger):
    number = idcard.make_id("340104", dt.date(1960, 5, 1), 123)
    rid = add_resident(ledger, "王建国", id_number=number)
    resident_vol = volunteers.volunteer_for_resident(ledger, rid)
    assert volunteers.add_outside_volunteer(ledger, "王建国", id_number=number) == resident_vol
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers") == 1


def test_outside_volunteer_id_is_validated_and_masked_in_audit(ledger):
    with pytest.raises(ValidationError, match="身份证号"):
        volunteers.add_outside_volunteer(ledger, "李医生", id_number="340104196005011230")
    number = idcard.make_id("340104", dt.date(1980, 1, 2), 55)
    vid = volunteers.add_outside_volunteer(ledger, "李医生", phone="139 1234 5678", id_number=number)
    vol = volunteers.get_volunteer(ledger, vid)
    assert vol["kind"] == "社区外人员" and vol["phone"] == "13912345678"
    assert vol["id_masked"] == idcard.mask(number)
    audit = ledger.scalar("SELECT new_value FROM audit_log WHERE table_name = 'volunteers'")
    assert number not in audit and idcard.mask(number) in audit
    # the same outside person again (same ID) is the same volunteer
    assert volunteers.add_outside_volunteer(ledger, "李医生", id_number=number) == vid


@pytest.mark.parametrize("name, phone, message", [
    ("", "", "姓名不能为空"),
    ("赵六", "12345", "联系电话"),
])
def test_outside_volunteer_bad_input(ledger, name, phone, message):
    with pytest.raises(ValidationError, match=message):
        volunteers.add_outside_volunteer(ledger, name, phone=phone)


def test_resident_volunteer_name_follows_the_resident(ledger):
    rid = add_resident(ledger, "刘芳")
    vid = volunteers.volunteer_for_resident(ledger, rid)
    ledger.db.execute("UPDATE residents SET name = '刘芳芳' WHERE id = ?", [rid])
    assert volunteers.get_volunteer(ledger, vid)["name"] == "刘芳芳"
    volunteers.update_volunteer(ledger, vid, name="别的名字", skills="剪纸")
    vol = volunteers.get_volunteer(ledger, vid)
    assert vol["name"] == "刘芳芳" and vol["skills"] == "剪纸"


def test_orgs_members_and_their_rules(ledger):
    org = volunteers.add_org(ledger, OrgData("星光艺术团", type="文体娱乐", leader="陈红", founded_on="2019-03-01"))
    with pytest.raises(ValidationError, match="已有名为"):
        volunteers.add_org(ledger, OrgData(" 星光艺术团 "))
    with pytest.raises(ValidationError, match="成立日期"):
        volunteers.add_org(ledger, OrgData("爱心互助加油站", founded_on="2019-02-30"))
    assert volunteers.ensure_org(ledger, "星光艺术团") == org
    vid = volunteers.add_outside_volunteer(ledger, "周老师")
    assert volunteers.add_member(ledger, org, vid) is True
    assert volunteers.add_member(ledger, org, vid) is False
    assert [m["name"] for m in volunteers.org_members(ledger, org)] == ["周老师"]
    assert volunteers.list_orgs(ledger)[0]["members"] == 1
    activities.add_activity(ledger, ActivityData("广场舞展演", "2026-10-03", org_id=org,
                                                 start_time="09:00", end_time="11:00"), [(vid, None)])
    with pytest.raises(ValidationError, match="已组织过 1 次活动"):
        volunteers.delete_org(ledger, org)
    with pytest.raises(ValidationError, match="服务记录"):
        volunteers.delete_volunteer(ledger, vid)
    other = volunteers.add_org(ledger, OrgData("爱心互助加油站"))
    volunteers.add_member(ledger, other, vid)
    volunteers.delete_org(ledger, other)
    assert [o["name"] for o in volunteers.volunteer_orgs(ledger, vid)] == ["星光艺术团"]


def test_total_hours_are_computed_for_any_period(ledger):
    vid = volunteers.add_outside_volunteer(ledger, "孙医生")
    for day, hours in [("2026-09-30", 2), ("2026-10-01", 3), ("2026-10-31", 1.5), ("2026-11-01", 4)]:
        activities.add_activity(ledger, ActivityData("义诊", day), [(vid, hours)])
    assert volunteers.volunteer_hours(ledger, vid) == 10.5
    assert volunteers.volunteer_hours(ledger, vid, "2026-10-01", "2026-10-31") == 4.5
    assert volunteers.volunteer_hours(ledger, vid, "2026-11-01", None) == 4
    history = volunteers.service_history(ledger, vid, "2026-10-01", "2026-10-31")
    assert [h["on_date"] for h in history] == ["2026-10-31", "2026-10-01"]
    listed = volunteers.list_volunteers(ledger, date_from="2026-10-01", date_to="2026-10-31")
    assert (listed[0]["hours"], listed[0]["activities"]) == (4.5, 2)
    with pytest.raises(ValidationError, match="开始日期不能晚于"):
        volunteers.volunteer_hours(ledger, vid, "2026-11-01", "2026-10-01")


def test_find_candidates_prefers_volunteers_then_residents(ledger):
    a = add_resident(ledger, "张伟", room="101", phone="13800000001")
    add_resident(ledger, "张伟", room="102", phone="13800000002")
    vid = volunteers.volunteer_for_resident(ledger, a)
    outside = volunteers.add_outside_volunteer(ledger, "张伟国")
    found = volunteers.find_candidates(ledger, "张伟")
    # the resident volunteer first, the other resident once, the outside volunteer too
    ids = [(c.volunteer_id, c.resident_id) for c in found]
    assert ids.count((vid, a)) == 1
    assert sum(1 for c in found if c.resident_id and c.volunteer_id is None) == 1
    assert any(c.volunteer_id == outside for c in found)
    assert all("138****" in c.label for c in found if c.resident_id)
    new_resident = next(c for c in found if c.volunteer_id is None)
    made = volunteers.volunteer_for_candidate(ledger, new_resident)
    assert volunteers.get_volunteer(ledger, made)["resident_id"] == new_resident.resident_id
    assert volunteers.volunteer_for_candidate(ledger, new_resident) == made


@pytest.fixture
def namesakes(ledger):
    """Four present residents called 李强: two in 一网格 (1号楼, 幸福里8号楼), one in 二网格, one in 三网格."""
    return {
        "a": add_resident(ledger, "李强", grid="一网格", building="1号楼", phone="13800000001",
                          id_number=idcard.make_id("110101", dt.date(1960, 1, 1), 11)),
        "b": add_resident(ledger, "李强", grid="一网格", building="幸福里8号楼", phone="13800000002"),
        "c": add_resident(ledger, "李强", grid="二网格", building="2号楼", phone="13800000003"),
        "d": add_resident(ledger, "李强", grid="三网格", building="13号楼", phone="13800000004"),
    }


RESOLUTION = [
    # (phone, id, grid, place, expected: a resident key, or "pending" with the candidate keys)
    ("13800000003", "", None, "", "c"),                      # the phone settles it at once
    ("", "ID:a", "二网格", "", "a"),                         # the ID number too, whatever the grid
    ("", "", "二网格", "", "c"),                             # the only one in the activity's grid
    ("", "", "一网格", "幸福里8号楼门前", "b"),              # two in the grid: the place names one's building
    ("", "", "一网格", "1号楼活动室", "a"),
    ("", "", None, "幸福里8号楼", "b"),                      # community-wide: the building decides
    ("", "", "一网格", "", ("pending", {"a", "b"})),         # two in the grid, nothing more: 待确认
    ("", "", "一网格", "3号楼", ("pending", {"a", "b"})),    # 3号楼 does not name 13号楼
    ("", "", None, "", ("pending", {"a", "b", "c", "d"})),   # the community: four
    ("", "", "四网格", "", ("pending", {"a", "b", "c", "d"})),  # nobody in that grid: the community
    ("13900000000", "", None, "", ("pending", {"a", "b", "c", "d"})),  # a phone nobody has settles nothing
]


@pytest.mark.parametrize("phone, id_number, grid, place, expected", RESOLUTION)
def test_resolve_name_by_phone_id_grid_building_community(ledger, namesakes, phone, id_number, grid, place,
                                                          expected):
    grid_id(ledger, "四网格")
    if id_number:
        id_number = ledger.scalar("SELECT id_number FROM residents WHERE id = ?", [namesakes[id_number[3:]]])
    gid = grid_id(ledger, grid) if grid else None
    cand = volunteers.resolve_name(ledger, "李强", phone, gid, id_number=id_number, place=place)
    if isinstance(expected, tuple):
        assert cand.pending and cand.resident_id is None
        assert set(cand.candidates) == {namesakes[k] for k in expected[1]}
    else:
        assert not cand.pending and cand.resident_id == namesakes[expected]


def test_resolve_name_outside_volunteers_and_one_resident(ledger):
    only = add_resident(ledger, "陈静", room="101")
    assert volunteers.resolve_name(ledger, "陈静").resident_id == only
    assert volunteers.resolve_name(ledger, "外来人").volunteer_id is None
    out = volunteers.add_outside_volunteer(ledger, "外来人")
    assert volunteers.resolve_name(ledger, "外来人").volunteer_id == out


def test_resolve_name_a_phone_or_id_of_an_outside_volunteer_names_them(ledger):
    """The row's phone was weighed only among residents: an outside 陈静 with her own phone in the row
    was taken for the resident 陈静."""
    resident = add_resident(ledger, "陈静", room="101", phone="13800000001")
    outside = volunteers.add_outside_volunteer(ledger, "陈静", phone="13900000009")
    assert volunteers.resolve_name(ledger, "陈静", phone="13900000009").volunteer_id == outside
    assert volunteers.resolve_name(ledger, "陈静", phone="13800000001").resident_id == resident
    assert volunteers.resolve_name(ledger, "陈静").resident_id == resident     # no phone: the resident
    assert volunteers.resolve_name(ledger, "陈静", phone="13700000000").resident_id == resident


def _served(ledger, vid, title, on_date="2026-10-03", hours=2.0, grid=None):
    return activities.add_activity(ledger, ActivityData(title, on_date, grid_id=grid), [(vid, hours)])


def test_confirm_pending_volunteer_makes_it_the_resident(ledger, namesakes):
    pending = volunteers.add_pending_volunteer(ledger, "李强", "", (namesakes["a"], namesakes["b"]))
    _served(ledger, pending, "清洁家园", hours=2.5)
    listed = volunteers.pending_volunteers(ledger)
    assert [(p["name"], p["hours"], p["services"]) for p in listed] == [("李强", 2.5, ["2026-10-03 清洁家园"])]
    assert [c["resident_id"] for c in listed[0]["candidates"]] == [namesakes["a"], namesakes["b"]]
    assert all("138****" in c["label"] for c in listed[0]["candidates"])
    assert not any(str(ledger.scalar("SELECT id_number FROM residents WHERE id = ?", [namesakes["a"]])) in c["label"]
                   for c in listed[0]["candidates"])
    with pytest.raises(ValidationError, match="不是“李强”的候选人"):
        volunteers.confirm_volunteer(ledger, pending, namesakes["c"])
    changes = volunteers.confirm_volunteer.op(ledger, pending, namesakes["b"])
    assert changes.areas == {"volunteers"} and changes.result == pending
    assert volunteers.volunteer_for_resident(ledger, namesakes["b"]) == pending
    assert volunteers.volunteer_hours(ledger, pending) == 2.5
    assert volunteers.pending_volunteers(ledger) == [] and volunteers.count_pending(ledger) == 0
    with pytest.raises(NotFound, match="已不存在"):
        volunteers.confirm_volunteer(ledger, pending, namesakes["b"])


def test_confirm_pending_volunteer_merges_into_the_residents_identity(ledger, namesakes):
    known = volunteers.volunteer_for_resident(ledger, namesakes["a"])
    _served(ledger, known, "义诊", on_date="2026-10-01", hours=1.0)
    org = volunteers.add_org(ledger, OrgData("巡防队"))
    pending = volunteers.add_pending_volunteer(ledger, "李强", "", (namesakes["a"], namesakes["b"]))
    shared = _served(ledger, pending, "清洁家园", hours=2.0)
    volunteers.join_org(ledger, org, volunteers.Candidate("李强", "李强", volunteer_id=pending))
    assert volunteers.confirm_volunteer(ledger, pending, namesakes["a"]) == known
    assert volunteers.volunteer_hours(ledger, known) == 3.0
    assert [o["name"] for o in volunteers.volunteer_orgs(ledger, known)] == ["巡防队"]
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers WHERE id = ?", [pending]) == 0
    # two people in the same activity cannot be one
    other = volunteers.add_pending_volunteer(ledger, "李强", "", (namesakes["a"], namesakes["b"]))
    activities.add_participant(ledger, shared, other, 1.0)
    with pytest.raises(ValidationError, match="不是同一个人"):
        volunteers.confirm_volunteer(ledger, other, namesakes["a"])
    assert volunteers.count_pending(ledger) == 1


def test_pending_hours_count_for_the_activitys_grid(ledger, namesakes):
    """SPEC §5: the 志愿服务 indicator counts hours of activities in the grid, whoever served:
    a 待确认 volunteer's hours count there before and after the clerk settles who it was."""
    g1 = grid_id(ledger, "一网格")
    pending = volunteers.add_pending_volunteer(ledger, "李强", "", (namesakes["a"], namesakes["b"]))
    _served(ledger, pending, "清洁家园", hours=2.5, grid=g1)
    assert activities.grid_hours(ledger, "2026-10") == {g1: 2.5}
    volunteers.confirm_volunteer(ledger, pending, namesakes["a"])
    assert activities.grid_hours(ledger, "2026-10") == {g1: 2.5}


def test_m003_upgrade_keeps_volunteers_and_adds_pending(tmp_path):
    import sqlite_utils

    from models.ledger import migrate

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrate(db, stop_before=["m003_pending_volunteers_importfix"])
    assert "pending" not in db["volunteers"].columns_dict
    db["volunteers"].insert({"name": "周老师", "phone": "13912345678", "created_at": "x", "updated_at": "x"})
    db.conn.commit()
    migrate(db)
    assert list(db.query("SELECT name, phone, pending, resident_id FROM volunteers")) == \
        [{"name": "周老师", "phone": "13912345678", "pending": 0, "resident_id": None}]
    assert db["volunteer_candidates"].exists()


def test_audit_records_org_changes(ledger):
    org = volunteers.add_org(ledger, OrgData("平安巡防队"))
    volunteers.update_org(ledger, org, OrgData("平安巡防队", leader="老马"))
    row = ledger.query("SELECT old_value, new_value FROM audit_log WHERE table_name = 'volunteer_orgs'"
                       " AND action = '修改'")[0]
    assert json.loads(row["old_value"]) == {"leader": ""} and json.loads(row["new_value"]) == {"leader": "老马"}


def test_m002_upgrade_keeps_members_and_adds_the_index(tmp_path):
    import sqlite_utils

    from models.ledger import migrate

    def indexes() -> set[str]:
        return {i.name for i in db["volunteer_org_members"].indexes}

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrate(db, stop_before=["m002_org_members_by_volunteer"])
    assert "volunteer_org_members_volunteer" not in indexes()
    for table, row in (("volunteer_orgs", {"name": "星光艺术团", "created_at": "x", "updated_at": "x"}),
                       ("volunteers", {"name": "周老师", "created_at": "x", "updated_at": "x"}),
                       ("volunteer_org_members", {"org_id": 1, "volunteer_id": 1})):
        db[table].insert(row)
    db.conn.commit()
    migrate(db)
    assert "volunteer_org_members_volunteer" in indexes()
    assert list(db.query("SELECT org_id, volunteer_id FROM volunteer_org_members")) == \
        [{"org_id": 1, "volunteer_id": 1}]
    plan = " ".join(r["detail"] for r in db.query(
        "EXPLAIN QUERY PLAN SELECT org_id FROM volunteer_org_members WHERE volunteer_id = 1"))
    assert "volunteer_org_members_volunteer" in plan


# -- operations: what the clerk's buttons call -------------------------------------------

def test_save_org_creates_then_edits_and_reports_the_change(ledger):
    changes = volunteers.save_org.op(ledger, None, OrgData("星光艺术团", leader="老马"))
    org = changes.result
    assert changes.areas == {"volunteers"} and volunteers.get_org(ledger, org)["leader"] == "老马"
    assert volunteers.save_org(ledger, org, OrgData("星光艺术团", leader="小马")) == org
    assert volunteers.get_org(ledger, org)["leader"] == "小马"
    with pytest.raises(ValidationError, match="已有名为"):
        volunteers.save_org(ledger, None, OrgData("星光艺术团"))


def test_save_volunteer_registers_a_resident_with_organisations_in_one_step(ledger):
    rid = add_resident(ledger, "张秀英", phone="13812345678")
    choir, patrol = (volunteers.add_org(ledger, OrgData(n)) for n in ("合唱团", "巡防队"))
    cand = next(c for c in volunteers.find_candidates(ledger, "张秀英") if c.resident_id == rid)
    changes = volunteers.save_volunteer.op(ledger, None, volunteers.VolunteerData(skills="测血压"),
                                           {choir: True, patrol: False}, cand)
    vid = changes.result
    assert changes.areas == {"volunteers"}
    vol = volunteers.get_volunteer(ledger, vid)
    assert (vol["name"], vol["skills"], [o["name"] for o in vol["orgs"]]) == ("张秀英", "测血压", ["合唱团"])
    # editing: memberships follow the boxes; organisations not named stay as they are
    volunteers.save_volunteer(ledger, vid, volunteers.VolunteerData("别的名字", skills="剪纸"), {patrol: True})
    vol = volunteers.get_volunteer(ledger, vid)
    assert (vol["name"], vol["skills"]) == ("张秀英", "剪纸")
    assert [o["name"] for o in vol["orgs"]] == ["合唱团", "巡防队"]
    volunteers.save_volunteer(ledger, vid, volunteers.VolunteerData(), {choir: False})
    assert [o["name"] for o in volunteers.volunteer_orgs(ledger, vid)] == ["巡防队"]


def test_save_volunteer_is_all_or_nothing(ledger):
    choir = volunteers.add_org(ledger, OrgData("合唱团"))
    with pytest.raises(ValidationError, match="联系电话"):
        volunteers.save_volunteer(ledger, None, volunteers.VolunteerData("钱律师", phone="12345"), {choir: True})
    with pytest.raises(NotFound, match="志愿组织不存在"):
        volunteers.save_volunteer(ledger, None, volunteers.VolunteerData("钱律师"), {choir: True, 999: True})
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers") == 0
    assert ledger.scalar("SELECT COUNT(*) FROM volunteer_org_members") == 0
    vid = volunteers.save_volunteer(ledger, None, volunteers.VolunteerData("钱律师", phone="13912345678"),
                                    {choir: True})
    assert volunteers.get_volunteer(ledger, vid)["kind"] == "社区外人员"


def test_join_org_makes_a_resident_a_volunteer_and_a_member_once(ledger):
    rid = add_resident(ledger, "李建国")
    org = volunteers.add_org(ledger, OrgData("爱心互助加油站"))
    cand = next(c for c in volunteers.find_candidates(ledger, "李建国") if c.resident_id == rid)
    changes = volunteers.join_org.op(ledger, org, cand)
    assert changes.result is True and changes.areas == {"volunteers"}
    again = next(c for c in volunteers.find_candidates(ledger, "李建国") if c.resident_id == rid)
    assert volunteers.join_org(ledger, org, again) is False
    assert [m["name"] for m in volunteers.org_members(ledger, org)] == ["李建国"]
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers") == 1


def test_a_supervisor_changes_nothing(ledger):
    from models.core.db import Operator
    from models.core.permissions import PermissionDenied

    vid = volunteers.add_outside_volunteer(ledger, "周医生")
    org = volunteers.add_org(ledger, OrgData("合唱团"))
    before = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    ledger.operator = Operator("督导员甲", role="督导员")
    attempts = [
        lambda: volunteers.save_org.op(ledger, None, OrgData("巡防队")),
        lambda: volunteers.delete_org.op(ledger, org),
        lambda: volunteers.join_org.op(ledger, org, volunteers.Candidate("周医生", "周医生", volunteer_id=vid)),
        lambda: volunteers.remove_member.op(ledger, org, vid),
        lambda: volunteers.save_volunteer.op(ledger, vid, volunteers.VolunteerData(skills="针灸")),
        lambda: volunteers.delete_volunteer.op(ledger, vid),
        lambda: activities.save_activity.op(ledger, None, ActivityData("义诊", "2026-10-01"), [(vid, 2)]),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="督导员"):
            attempt()
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == before


@pytest.mark.parametrize("text", ["张" * 20000, "a\x00b", "%", "_", "\\", "周" + "某" * 300])
def test_volunteer_searches_take_any_text(ledger, text):
    """A pasted page or a control character in the search box finds nothing odd and never ends in
    "LIKE or GLOB pattern too complex" (issue 15); % and _ match themselves."""
    volunteers.add_outside_volunteer(ledger, "周某", "13812345678")
    assert volunteers.list_volunteers(ledger, text) == []
    assert volunteers.count_volunteers(ledger, text) == 0
    assert volunteers.find_candidates(ledger, text) == []


def test_volunteer_search_drops_invisible_characters(ledger):
    vid = volunteers.add_outside_volunteer(ledger, "周某", "13812345678")
    assert [v["id"] for v in volunteers.list_volunteers(ledger, "\u200b周\x00某 ")] == [vid]
    assert [c.volunteer_id for c in volunteers.find_candidates(ledger, "\ufeff周某")] == [vid]
