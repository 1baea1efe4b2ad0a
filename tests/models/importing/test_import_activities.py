"""The volunteer-service import: grouping (name+date+place = one activity), blank grid, matching."""

import pytest

from models.volunteers import activities
from models.volunteers import records as volunteers
from models.importing import import_file, load_spec
from tests.models.import_books import sheet_book
from tests.models.vol_helpers import add_resident, grid_id

HEADER = ["活动名称", "活动类型", "活动日期", "地点", "所属社区", "所属网格", "组织单位", "志愿者姓名",
          "服务时长(小时)", "服务人数"]


def _xlsx(path, rows, header=HEADER, title=True):
    return sheet_book(path, header, rows, "幸福社区志愿服务台账（2026年10月）" if title else None)


@pytest.fixture
def spec():
    return load_spec("activities")


@pytest.fixture
def people(ledger):
    grid_id(ledger, "一网格")
    grid_id(ledger, "二网格")
    return {"张秀英": add_resident(ledger, "张秀英", phone="13800000001"),
            "李强1": add_resident(ledger, "李强", room="102", phone="13800000002"),
            "李强2": add_resident(ledger, "李强", grid="二网格", room="201", phone="13800000003")}


def test_grouping_rule_and_blank_grid(ledger, spec, people, tmp_path):
    rows = [
        ["重阳义诊", "义诊进社区", "2026-10-10", "广场", "", "一网格", "爱心互助加油站", "张秀英", 2, 50],
        ["重阳义诊", "义诊进社区", "2026-10-10", "广场", "", "一网格", "爱心互助加油站", "周医生", 3, 50],
        ["重阳义诊", "义诊进社区", "2026-10-10", "活动室", "", "一网格", "", "张秀英", 1, 10],   # other place
        ["重阳义诊", "义诊进社区", "2026-10-11", "广场", "", "一网格", "", "张秀英", 1, ""],     # other day
        ["法律小讲堂", "法律小讲堂", "2026年10月12日", "会议室", "", "", "", "王律师", "1.5小时", 20],
        ["合计", "", "", "", "", "", "", "", 8.5, 130],
    ]
    plan, summary = import_file(ledger, _xlsx(tmp_path / "志愿服务.xlsx", rows), spec)
    assert plan.rejected() == [] and summary.imported == 5
    assert summary.created == {"活动": 4, "志愿者": 2, "志愿组织": 1}
    acts = activities.activities_page(ledger, activities.ActivityFilter())
    assert sorted((a["title"], a["on_date"], a["place"], a["volunteers"], a["hours"]) for a in acts) == [
        ("法律小讲堂", "2026-10-12", "会议室", 1, 1.5),
        ("重阳义诊", "2026-10-10", "广场", 2, 5.0),
        ("重阳义诊", "2026-10-10", "活动室", 1, 1.0),
        ("重阳义诊", "2026-10-11", "广场", 1, 1.0),
    ]
    lecture = next(a for a in acts if a["title"] == "法律小讲堂")
    assert lecture["grid_id"] is None and lecture["grid"] == "全社区"
    g1 = grid_id(ledger, "一网格")
    assert activities.grid_hours(ledger, "2026-10") == {g1: 7.0}
    # the resident kept one identity across three activities; outside people were registered
    zhang = volunteers.volunteer_for_resident(ledger, people["张秀英"])
    assert volunteers.volunteer_hours(ledger, zhang) == 4.0
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers") == 3
    warned = {o.raw.get("volunteer"): o.messages for o in plan.outcomes if o.status == "warning"}
    assert "居民台账中没有“周医生”，将登记为社区外志愿者" in warned["周医生"]


def test_same_file_twice_adds_nothing_and_update_changes_hours(ledger, spec, people, tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", [["清洁家园", "环境清洁", "2026-10-03", "小区", "", "一网格", "", "张秀英", 2, 0]])
    import_file(ledger, path, spec)
    plan, summary = import_file(ledger, path, spec)
    assert (summary.imported, summary.skipped) == (0, 1)
    path2 = _xlsx(tmp_path / "b.xlsx", [["清洁家园", "环境清洁", "2026-10-03", "小区", "", "一网格", "", "张秀英", 3, 0],
                                        ["清洁家园", "环境清洁", "2026-10-03", "小区", "", "一网格", "", "王阿姨", 3, 0]])
    _plan, summary = import_file(ledger, path2, spec, update=True)
    assert (summary.imported, summary.updated) == (1, 1)
    assert activities.activities_totals(ledger, activities.ActivityFilter()) == \
        {"activities": 1, "people_served": 0, "hours": 6.0, "volunteers": 2}


@pytest.mark.parametrize("row, message", [
    (["", "", "2026-10-03", "", "", "", "", "张秀英", 1, ""], "缺少活动名称"),
    (["演出", "", "", "", "", "", "", "张秀英", 1, ""], "缺少活动日期"),
    (["演出", "", "2026-13-40", "", "", "", "", "张秀英", 1, ""], "活动日期"),
    (["演出", "", "2026-12-01", "", "", "", "", "张秀英", 1, ""], "晚于今天"),
    (["演出", "", "2026-10-03", "", "", "九网格", "", "张秀英", 1, ""], "网格“九网格”不存在"),
    (["演出", "", "2026-10-03", "", "外星社区", "", "", "张秀英", 1, ""], "社区“外星社区”不在台账中"),
    (["演出", "", "2026-10-03", "", "", "", "", "张秀英", "", ""], "缺少服务时长"),
    (["演出", "", "2026-10-03", "", "", "", "", "张秀英", 30, ""], "不合理"),
    (["演出", "", "2026-10-03", "", "", "", "", "张秀英", "两小时", ""], "不是数字"),
])
def test_rejected_rows(ledger, spec, people, tmp_path, row, message):
    plan, summary = import_file(ledger, _xlsx(tmp_path / "x.xlsx", [row]), spec)
    assert len(plan.rejected()) == 1 and summary.imported == 0
    assert any(message in m for m in plan.rejected()[0].messages), plan.rejected()[0].messages
    assert ledger.scalar("SELECT COUNT(*) FROM activities") == 0


@pytest.mark.parametrize("served, stored, warned", [
    (30, 30, False), ("", 0, False), (-1, 0, True), (2.5, 0, True),
    (100000, 100000, False), (100001, 0, True),
    (1e20, 0, True), ("100000000000000000000", 0, True),      # once an OverflowError from SQLite (exit 70)
])
def test_people_served_within_reason(ledger, spec, people, tmp_path, served, stored, warned):
    row = ["演出", "", "2026-10-03", "", "", "一网格", "", "张秀英", 1, served]
    plan, summary = import_file(ledger, _xlsx(tmp_path / "x.xlsx", [row]), spec)
    assert summary.imported == 1
    assert ledger.scalar("SELECT people_served FROM activities") == stored
    assert any("服务人数" in m for m in plan.outcomes[0].messages) == warned


def test_activity_form_refuses_an_absurd_people_served(ledger, people):
    from models.core.errors import ValidationError

    with pytest.raises(ValidationError, match="服务人数.*过大"):
        activities.add_activity(ledger, activities.ActivityData(title="演出", on_date="2026-10-03",
                                                              people_served=10 ** 20))


def test_phone_or_grid_picks_the_right_namesake(ledger, spec, people, tmp_path):
    rows = [["演出", "", "2026-10-03", "礼堂", "", "", "", "李强", 1, ""],
            ["巡逻", "", "2026-10-04", "二区", "", "二网格", "", "李强", 1, ""]]
    path = _xlsx(tmp_path / "p.xlsx", rows, header=HEADER + ["联系电话"])
    ws_rows = [r + ["13800000002"] if i == 0 else r + [""] for i, r in enumerate(rows)]
    path = _xlsx(tmp_path / "p.xlsx", ws_rows, header=HEADER + ["联系电话"])
    plan, summary = import_file(ledger, path, spec)
    assert plan.rejected() == []
    got = {r["title"]: r["resident_id"] for r in ledger.query(
        "SELECT a.title, v.resident_id FROM activity_participants p JOIN activities a ON a.id = p.activity_id"
        " JOIN volunteers v ON v.id = p.volunteer_id")}
    assert got == {"演出": people["李强1"], "巡逻": people["李强2"]}


def test_ambiguous_name_keeps_the_row_and_its_hours_as_pending(ledger, spec, people, tmp_path):
    """Two residents called 李强, in 一网格 and 二网格: a community-wide activity cannot tell them
    apart; the row is imported, its hours kept on a 待确认 volunteer with both as candidates."""
    rows = [["演出", "", "2026-10-03", "礼堂", "", "", "", "李强", 2, ""],
            ["巡逻", "", "2026-10-04", "礼堂", "", "", "", "李强", 1.5, ""],      # the same 待确认 person
            ["巡逻", "", "2026-10-05", "二区", "", "二网格", "", "李强", 1, ""]]   # the grid settles this one
    path = _xlsx(tmp_path / "p.xlsx", rows)
    plan, summary = import_file(ledger, path, spec)
    assert plan.rejected() == [] and summary.imported == 3
    assert summary.created["待确认志愿者"] == 1
    assert "记为“待确认”" in plan.outcomes[0].messages[0]
    listed = volunteers.pending_volunteers(ledger)
    assert [(p["name"], p["hours"], p["activities"]) for p in listed] == [("李强", 3.5, 2)]
    assert {c["resident_id"] for c in listed[0]["candidates"]} == {people["李强1"], people["李强2"]}
    # importing the same file again adds nothing, before and after the clerk settles it
    _plan, again = import_file(ledger, path, spec)
    assert (again.imported, again.skipped) == (0, 3)
    volunteers.confirm_volunteer(ledger, listed[0]["id"], people["李强1"])
    _plan, again = import_file(ledger, path, spec)
    assert (again.imported, again.skipped) == (0, 3)
    assert volunteers.count_pending(ledger) == 0
    assert volunteers.volunteer_hours(ledger, volunteers.volunteer_for_resident(ledger, people["李强1"])) == 3.5


@pytest.mark.parametrize("extra, expected", [
    ({"联系电话": "13800000003"}, "李强2"),
    ({"身份证号": "ID"}, "李强1"),
    ({"身份证号": "110101199001011234"}, None),     # invalid: warned, not used, 待确认
])
def test_phone_or_id_column_settles_a_namesake(ledger, spec, people, tmp_path, extra, expected):
    from models.core import idcard
    import datetime as dt

    id_number = idcard.make_id("110101", dt.date(1970, 5, 6), 21)
    ledger.conn.execute("UPDATE residents SET id_number = ? WHERE id = ?", [id_number, people["李强1"]])
    header = HEADER + list(extra)
    values = [id_number if v == "ID" else v for v in extra.values()]
    path = _xlsx(tmp_path / "p.xlsx", [["演出", "", "2026-10-03", "礼堂", "", "", "", "李强", 1, ""] + values],
                 header=header)
    plan, summary = import_file(ledger, path, spec)
    assert summary.imported == 1
    who = ledger.scalar("SELECT v.resident_id FROM activity_participants p JOIN volunteers v ON v.id = p.volunteer_id")
    assert who == (people[expected] if expected else None)
    if expected is None:
        assert any("身份证号有误" in m for m in plan.outcomes[0].messages)
        assert volunteers.count_pending(ledger) == 1


def test_duplicate_volunteer_in_one_activity_is_rejected(ledger, spec, people, tmp_path):
    rows = [["演出", "", "2026-10-03", "礼堂", "", "", "", "张秀英", 1, ""],
            ["演出", "", "2026-10-03", "礼堂", "", "", "", "张秀英", 2, ""]]
    plan, _ = import_file(ledger, _xlsx(tmp_path / "d.xlsx", rows), spec)
    assert [o.row_number for o in plan.rejected()] == [4]
    assert "与第 3 行重复" in plan.rejected()[0].messages[0]


def test_hours_from_times_and_conflicting_group_fields(ledger, spec, people, tmp_path):
    header = HEADER + ["开始时间", "结束时间"]
    rows = [["演出", "文艺演出", "2026-10-03", "礼堂", "", "一网格", "", "张秀英", "", 80, "14:00", "16:30"],
            ["演出", "文艺演出", "2026-10-03", "礼堂", "", "二网格", "", "赵老师", 1, "", "", ""]]
    plan, _ = import_file(ledger, _xlsx(tmp_path / "t.xlsx", rows, header=header), spec)
    assert plan.rejected() == []
    assert any("所属网格与同一活动的第 3 行不同" in m for m in plan.outcomes[1].messages)
    act = activities.get_activity(ledger, activities.activities_page(ledger, activities.ActivityFilter())[0]["id"])
    assert (act["grid"], act["start_time"], act["people_served"]) == ("一网格", "14:00", 80)
    assert sorted(p["hours"] for p in act["participants"]) == [1.0, 2.5]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_round_trips(ledger, spec, people, tmp_path, clock, suffix):
    org = volunteers.add_org(ledger, volunteers.OrgData("星光艺术团"))
    vid = volunteers.volunteer_for_resident(ledger, people["张秀英"])
    out_vid = volunteers.add_outside_volunteer(ledger, "周医生", phone="13912345678")
    activities.add_activity(ledger, activities.ActivityData("广场舞展演", "2026-10-03", type="文艺演出", place="广场",
                                                            grid_id=grid_id(ledger, "一网格"), org_id=org,
                                                            start_time="19:00", end_time="21:00",
                                                            people_served=120), [(vid, None), (out_vid, 1.5)])
    activities.add_activity(ledger, activities.ActivityData("政策宣传", "2026-10-05", place="门口"), [])
    path = tmp_path / f"导出{suffix}"
    assert activities.export_activities(ledger, path, month="2026-10") == 3
    before = activities.export_rows(ledger)

    from models.core.db import Operator
    from models.ledger import open_db
    other = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    try:
        grid_id(other, "一网格")
        add_resident(other, "张秀英", phone="13800000001")
        plan, summary = import_file(other, path, spec)
        assert plan.rejected() == [] and summary.imported == 3
        assert activities.export_rows(other) == before
        _plan, again = import_file(other, path, spec)          # the same file again adds nothing
        assert (again.imported, again.skipped) == (0, 3)
        assert activities.export_rows(other) == before
    finally:
        other.close()


def test_namesakes_with_different_candidates_are_two_pending_people(ledger, spec, people, tmp_path):
    """李强 of a 一网格 activity (candidates: the two of 一网格) and 李强 of a community-wide one
    (all three) may be two people: two 待确认 entries, each re-used by a later import."""
    third = add_resident(ledger, "李强", grid="一网格", room="109", phone="13800000009")
    rows = [["巡逻", "", "2026-10-04", "一区", "", "一网格", "", "李强", 1, ""],
            ["演出", "", "2026-10-03", "礼堂", "", "", "", "李强", 2, ""],
            ["清扫", "", "2026-10-05", "一区", "", "一网格", "", "李强", 1.5, ""]]
    plan, summary = import_file(ledger, _xlsx(tmp_path / "n.xlsx", rows), spec)
    assert summary.imported == 3 and summary.created["待确认志愿者"] == 2
    listed = {p["hours"]: {c["resident_id"] for c in p["candidates"]} for p in volunteers.pending_volunteers(ledger)}
    assert listed == {2.5: {people["李强1"], third}, 2.0: {people["李强1"], people["李强2"], third}}
    more = [["讲座", "", "2026-10-06", "一区", "", "一网格", "", "李强", 1, ""]]
    _plan, again = import_file(ledger, _xlsx(tmp_path / "m.xlsx", more), spec)
    assert again.imported == 1 and volunteers.count_pending(ledger) == 2


def test_reimporting_an_export_keeps_an_outside_volunteer_who_shares_a_residents_name(ledger, spec, people,
                                                                                       tmp_path):
    """The export names the volunteer; read back, 张秀英 of outside the community was resolved to the
    resident 张秀英 and recorded a second time on the same activity."""
    outsider = volunteers.add_outside_volunteer(ledger, "张秀英", phone="13900000009")
    act = activities.add_activity(ledger, activities.ActivityData(title="义诊", on_date="2026-10-05",
                                                                  grid_id=grid_id(ledger, "一网格")))
    activities.add_participant(ledger, act, outsider, 2)
    out = tmp_path / "out.xlsx"
    activities.export_activities(ledger, out, month="2026-10")
    plan, summary = import_file(ledger, out, spec)
    assert (summary.imported, summary.skipped) == (0, 1)
    assert ledger.scalar("SELECT COUNT(*) FROM activity_participants") == 1
    # with 更新 and other hours: that participant's hours change, no one is added
    plan, summary = import_file(ledger, _xlsx(tmp_path / "u.xlsx", [
        ["义诊", "", "2026-10-05", "", "", "一网格", "", "张秀英", 3, ""]]), spec, update=True)
    assert summary.updated == 1
    assert ledger.query("SELECT volunteer_id, hours FROM activity_participants") == [
        {"volunteer_id": outsider, "hours": 3.0}]


def test_an_outside_volunteers_earlier_row_elsewhere_does_not_decide_the_activity_they_are_on(
        ledger, spec, people, tmp_path):
    """The name was resolved once per person: a first row on another activity cached the resident
    张秀英, and the row of the activity the outsider is on then added the resident as well."""
    outsider = volunteers.add_outside_volunteer(ledger, "张秀英", phone="13900000009")
    act = activities.add_activity(ledger, activities.ActivityData(title="义诊", on_date="2026-10-05",
                                                                  grid_id=grid_id(ledger, "一网格")))
    activities.add_participant(ledger, act, outsider, 2)
    rows = [["巡逻", "", "2026-10-03", "", "", "一网格", "", "张秀英", 1, ""],
            ["义诊", "", "2026-10-05", "", "", "一网格", "", "张秀英", 2, ""]]
    plan, summary = import_file(ledger, _xlsx(tmp_path / "x.xlsx", rows), spec)
    assert (summary.imported, summary.skipped) == (1, 1)
    assert ledger.scalar("SELECT COUNT(*) FROM activity_participants WHERE activity_id = ?", [act]) == 1
