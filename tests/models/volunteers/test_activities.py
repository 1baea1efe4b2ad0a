"""Activities: hours roll-ups (month boundaries, community-wide), photos, summaries, H6 API."""

import datetime as dt
import io

import openpyxl
import pytest
from PIL import Image

from models.volunteers import activities
from models.core import idcard
from models.volunteers import records as volunteers
from models.volunteers.activities import COMMUNITY_WIDE, ActivityData, ActivityFilter
from models.core.errors import ValidationError
from tests.models.vol_helpers import add_resident, grid_id


@pytest.fixture
def world(ledger):
    g1, g2 = grid_id(ledger, "一网格"), grid_id(ledger, "二网格")
    rid = add_resident(ledger, "张秀英", grid="一网格", id_number=idcard.make_id("340104", dt.date(1960, 5, 1), 123))
    vols = {"张秀英": volunteers.volunteer_for_resident(ledger, rid),
            "李医生": volunteers.add_outside_volunteer(ledger, "李医生"),
            "王律师": volunteers.add_outside_volunteer(ledger, "王律师")}
    return {"g1": g1, "g2": g2, "v": vols}


def _act(ledger, day, grid, people, **kw):
    return activities.add_activity(ledger, ActivityData(kw.pop("title", "义诊进社区"), day, grid_id=grid, **kw),
                                   people)


def test_month_boundary_and_community_wide(ledger, world):
    v, g1, g2 = world["v"], world["g1"], world["g2"]
    _act(ledger, "2026-10-31", g1, [(v["张秀英"], 2), (v["李医生"], 3)])
    _act(ledger, "2026-11-01", g1, [(v["张秀英"], 4)])
    _act(ledger, "2026-10-15", g2, [(v["王律师"], 1.5)])
    _act(ledger, "2026-10-20", None, [(v["张秀英"], 6), (v["李医生"], 6)])   # community-wide
    assert activities.grid_hours(ledger, "2026-10") == {g1: 5.0, g2: 1.5}
    assert activities.grid_hours(ledger, "2026-11") == {g1: 4.0}
    assert activities.grid_hours(ledger, "2026-09") == {}
    records = activities.hours_records(ledger, g1, "2026-10")
    assert sum(r["hours"] for r in records) == 5.0
    assert {r["volunteer"] for r in records} == {"张秀英", "李医生"}
    months = {r["month"]: r for r in activities.hours_summary(ledger, "month")}
    assert months["2026-10"]["hours"] == 18.5 and months["2026-10"]["grid_hours"] == 6.5
    assert months["2026-11"]["hours"] == 4.0
    by_grid = activities.hours_summary(ledger, "grid", "2026-10-01", "2026-10-31")
    assert [(r["name"], r["hours"]) for r in by_grid] == [("一网格", 5.0), ("二网格", 1.5),
                                                         ("全社区活动（不计入网格）", 12.0)]
    by_vol = activities.hours_summary(ledger, "volunteer", "2026-10-01", "2026-10-31")
    assert [(r["name"], r["hours"]) for r in by_vol][:1] == [("李医生", 9.0)]


@pytest.mark.parametrize("month", ["2026-13", "2026/10", "", "十月"])
def test_bad_month_is_refused(ledger, month):
    with pytest.raises(ValidationError, match="月份"):
        activities.grid_hours(ledger, month)


def test_hours_default_to_the_span_and_follow_it(ledger, world):
    v = world["v"]
    aid = _act(ledger, "2026-10-10", world["g1"], [(v["张秀英"], None), (v["李医生"], 1)],
               start_time="9:00", end_time="11：30")
    act = activities.get_activity(ledger, aid)
    assert (act["start_time"], act["end_time"], act["span_hours"]) == ("09:00", "11:30", 2.5)
    assert {p["name"]: p["hours"] for p in act["participants"]} == {"张秀英": 2.5, "李医生": 1}
    data = ActivityData("义诊进社区", "2026-10-10", start_time="09:00", end_time="12:00", grid_id=world["g1"])
    activities.update_activity(ledger, aid, data)
    hours = {p["name"]: p["hours"] for p in activities.participants(ledger, aid)}
    assert hours == {"张秀英": 3.0, "李医生": 1}      # the default follows, the typed one stays
    activities.add_participant(ledger, aid, v["王律师"])
    assert volunteers.volunteer_hours(ledger, v["王律师"]) == 3.0
    activities.remove_participant(ledger, aid, v["王律师"])
    assert volunteers.volunteer_hours(ledger, v["王律师"]) == 0


@pytest.mark.parametrize("changes, message", [
    ({"title": " "}, "活动名称"),
    ({"on_date": "2026-02-30"}, "不是有效日期"),
    ({"on_date": ""}, "活动日期"),
    ({"start_time": "11:00", "end_time": "10:00"}, "结束时间必须晚于"),
    ({"start_time": "25:00"}, "时间"),
    ({"people_served": -3}, "负数"),
    ({"people_served": "很多"}, "整数"),
])
def test_activity_validation(ledger, changes, message):
    fields = dict(title="法律小讲堂", on_date="2026-10-10")
    fields.update(changes)
    with pytest.raises(ValidationError, match=message):
        activities.add_activity(ledger, ActivityData(**fields))


@pytest.mark.parametrize("hours, message", [(-1, "不合理"), (25, "不合理"), ("两小时", "不是数字")])
def test_participant_hours_validation(ledger, world, hours, message):
    with pytest.raises(ValidationError, match=message):
        _act(ledger, "2026-10-10", None, [(world["v"]["李医生"], hours)])


def test_no_span_needs_typed_hours(ledger, world):
    with pytest.raises(ValidationError, match="起止时间"):
        _act(ledger, "2026-10-10", None, [(world["v"]["李医生"], None)])


@pytest.mark.parametrize("date_text", ["2026/10/9", "2026年10月9日", "2026.10.09", "2026-10-09 00:00:00"])
def test_activity_dates_as_clerks_type_them(ledger, date_text):
    aid = activities.add_activity(ledger, ActivityData("环境清洁", date_text))
    assert activities.get_activity(ledger, aid)["on_date"] == "2026-10-09"


def test_list_filters_paging_and_totals(ledger, world):
    v, g1 = world["v"], world["g1"]
    org = volunteers.add_org(ledger, volunteers.OrgData("星光艺术团"))
    ids = [_act(ledger, f"2026-10-{d:02d}", g1 if d % 2 else None, [(v["李医生"], 1)],
                org_id=org if d < 5 else None, type="文艺演出" if d == 3 else "义诊进社区")
           for d in range(1, 11)]
    everything = ActivityFilter()
    first = activities.activities_page(ledger, everything, limit=4)
    rest = activities.activities_page(ledger, everything, after=(first[-1]["on_date"], first[-1]["id"]), limit=50)
    assert [r["id"] for r in first + rest] == list(reversed(ids))
    assert len(activities.activities_page(ledger, ActivityFilter(grid_id=COMMUNITY_WIDE))) == 5
    assert len(activities.activities_page(ledger, ActivityFilter(grid_id=g1, org_id=org))) == 2
    assert len(activities.activities_page(ledger, ActivityFilter(type="文艺演出"))) == 1
    week = ActivityFilter(date_from="2026-10-03", date_to="2026-10-09")
    assert activities.activities_totals(ledger, week) == {"activities": 7, "people_served": 0,
                                                          "hours": 7.0, "volunteers": 7}
    assert activities.activities_page(ledger, week)[0]["grid"] == "一网格"
    activities.delete_activity(ledger, ids[0])
    assert activities.activities_totals(ledger, everything)["activities"] == 9


@pytest.mark.parametrize("text, titles", [
    ("义诊", {"义诊进社区", "义诊 100% 覆盖"}),
    ("100%", {"义诊 100% 覆盖"}),          # % is a character searched for, not a wildcard
    ("%", {"义诊 100% 覆盖"}),
    ("_", {"旧衣_回收"}),
    ("  义诊   100%  ", {"义诊 100% 覆盖"}),   # spaces as typed: runs are one space
    ("东门广场", {"旧衣_回收"}),               # the place is searched too
])
def test_list_search_is_literal_text_in_title_or_place(ledger, world, text, titles):
    for title, place in (("义诊进社区", ""), ("义诊 100% 覆盖", ""), ("旧衣_回收", "东门广场"), ("普法讲座", "")):
        _act(ledger, "2026-10-05", None, [], title=title, place=place)
    assert {a["title"] for a in activities.activities_page(ledger, ActivityFilter(text=text))} == titles
    assert activities.activities_totals(ledger, ActivityFilter(text=text))["activities"] == len(titles)


def _image_bytes(size=(3000, 2000), fmt="PNG", mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128)).save(out, fmt)
    return out.getvalue()


def test_photo_round_trip(ledger, world, tmp_path):
    aid = _act(ledger, "2026-10-10", None, [])
    path = tmp_path / "义诊现场.png"
    path.write_bytes(_image_bytes())
    att = activities.add_attachment(ledger, aid, path)
    sheet = activities.add_attachment(ledger, aid, _image_bytes((800, 1200), "PNG", "RGBA"),
                                      filename="签到表.png", kind="签到表")
    listed = activities.attachments(ledger, aid)
    assert [(a["kind"], a["filename"]) for a in listed] == [("照片", "义诊现场.jpg"), ("签到表", "签到表.jpg")]
    full = activities.attachment_data(ledger, att)
    with Image.open(io.BytesIO(full["data"])) as img:
        assert img.format == "JPEG" and img.size == (1600, 1067) == (full["width"], full["height"])
    with Image.open(io.BytesIO(listed[0]["thumbnail"])) as thumb:
        assert max(thumb.size) == 240
    with Image.open(io.BytesIO(activities.attachment_data(ledger, sheet)["data"])) as img:
        assert img.size == (800, 1200)          # small images are not enlarged
    assert activities.get_activity(ledger, aid)["attachments"] == 2
    activities.delete_attachment(ledger, att)
    assert len(activities.attachments(ledger, aid)) == 1
    activities.delete_activity(ledger, aid)
    assert ledger.scalar("SELECT COUNT(*) FROM attachments") == 0


def test_photo_size_limit_and_non_image(ledger, tmp_path, monkeypatch):
    aid = _act(ledger, "2026-10-10", None, [])
    big = tmp_path / "大照片.jpg"
    with open(big, "wb") as fh:
        fh.truncate(activities.MAX_INPUT_BYTES + 1)
    with pytest.raises(ValidationError, match="超过 20 MB 的上限"):
        activities.add_attachment(ledger, aid, big)
    with pytest.raises(ValidationError, match="超过 20 MB"):
        activities.add_attachment(ledger, aid, b"\0" * (activities.MAX_INPUT_BYTES + 1), filename="x.jpg")
    text = tmp_path / "通知.docx"
    text.write_bytes(b"PK\x03\x04 not an image at all")
    with pytest.raises(ValidationError, match="不是能识别的图片文件"):
        activities.add_attachment(ledger, aid, text)
    with pytest.raises(ValidationError, match="附件类型"):
        activities.add_attachment(ledger, aid, _image_bytes((10, 10)), filename="a.png", kind="视频")
    assert ledger.scalar("SELECT COUNT(*) FROM attachments") == 0


def test_summaries_export_to_xlsx(ledger, world, tmp_path):
    v = world["v"]
    org = volunteers.add_org(ledger, volunteers.OrgData("爱心互助加油站"))
    _act(ledger, "2026-10-10", world["g1"], [(v["张秀英"], 2), (v["李医生"], 2)], org_id=org, people_served=30)
    _act(ledger, "2026-10-12", None, [(v["王律师"], 1)])
    out = activities.write_summaries_xlsx(ledger, tmp_path / "统计.xlsx", "2026-10-01", "2026-10-31")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["按志愿者", "按组织", "按网格", "按月份"]
    org_sheet = [list(r) for r in wb["按组织"].iter_rows(values_only=True)]
    assert org_sheet[0][0] == "幸福社区志愿服务时长统计（按组织）　统计期间：2026-10-01 至 2026-10-31　导出：2026-10-15 09:30　测试员"
    assert org_sheet[1] == ["志愿组织", "组织活动（次）", "参与人次", "服务时长（小时）", "服务人数"]
    assert org_sheet[2] == ["爱心互助加油站", 1, 2, 4, 30]
    assert org_sheet[3] == ["（未填组织）", 1, 1, 1, 0]
    assert org_sheet[-1][0] == "合计" and org_sheet[-1][3] == 5


def test_service_ledger_and_certificate(ledger, world):
    v = world["v"]
    _act(ledger, "2026-10-10", world["g1"], [(v["张秀英"], 2), (v["李医生"], 3)], place="社区广场")
    _act(ledger, "2026-09-10", None, [(v["张秀英"], 1)], title="政策宣传")
    rows = activities.service_ledger(ledger, "2026-10-01", "2026-10-31")
    assert len(rows) == 1 and rows[0]["hours"] == 5 and rows[0]["grid"] == "一网格"
    assert rows[0]["participants"] == [{"name": "张秀英", "hours": 2.0}, {"name": "李医生", "hours": 3.0}]
    cert = activities.volunteer_certificate_data(ledger, v["张秀英"], "2026-01-01", "2026-12-31")
    assert cert["name"] == "张秀英" and cert["id_masked"] == "340104********1232"
    assert cert["total_hours"] == 3 and [a["title"] for a in cert["activities"]] == ["政策宣传", "义诊进社区"]
    assert cert["issuer"] == "幸福社区居民委员会"


def test_export_rows_in_template_columns(ledger, world):
    v = world["v"]
    _act(ledger, "2026-10-10", world["g1"], [(v["李医生"], 3)], place="广场", start_time="09:00", end_time="12:00")
    _act(ledger, "2026-11-02", None, [])
    rows = activities.export_rows(ledger, "2026-10")
    assert rows == [["义诊进社区", "其他", "2026-10-10", "广场", "幸福社区", "一网格", "", "李医生", 3.0, 0,
                     "09:00", "12:00", ""]]
    assert activities.export_rows(ledger)[-1][5:9] == ["", "", "", ""]



@pytest.fixture
def export_world(ledger, world):
    """Five activities in October/November over two grids, two organisations and two types."""
    v, g1, g2 = world["v"], world["g1"], world["g2"]
    star = volunteers.add_org(ledger, volunteers.OrgData("星光艺术团"))
    aid = volunteers.add_org(ledger, volunteers.OrgData("爱心互助加油站"))
    _act(ledger, "2026-10-05", g1, [(v["李医生"], 3), (v["张秀英"], 2)], title="义诊进社区", type="义诊",
         org_id=aid, place="广场")
    _act(ledger, "2026-10-12", g2, [(v["王律师"], 2)], title="法律小讲堂", type="普法", org_id=aid, place="活动室")
    _act(ledger, "2026-10-19", None, [(v["张秀英"], 4)], title="重阳文艺汇演", type="文体", org_id=star,
         place="广场")
    _act(ledger, "2026-10-26", g1, [(v["王律师"], 1)], title="普法进楼栋", type="普法", place="3号楼")
    _act(ledger, "2026-11-02", g1, [(v["李医生"], 2)], title="义诊回访", type="义诊", org_id=aid, place="广场")
    return {"star": star, "aid": aid, "g1": g1, "g2": g2}


@pytest.mark.parametrize("flt_args,titles", [
    ({}, ["义诊进社区", "义诊进社区", "法律小讲堂", "重阳文艺汇演", "普法进楼栋"]),
    ({"grid": "g1"}, ["义诊进社区", "义诊进社区", "普法进楼栋"]),
    ({"grid": COMMUNITY_WIDE}, ["重阳文艺汇演"]),
    ({"org": "aid"}, ["义诊进社区", "义诊进社区", "法律小讲堂"]),
    ({"type": "普法"}, ["法律小讲堂", "普法进楼栋"]),
    ({"text": "广场"}, ["义诊进社区", "义诊进社区", "重阳文艺汇演"]),      # text matches title or place
    ({"text": "普法"}, ["普法进楼栋"]),
    ({"grid": "g1", "type": "普法", "text": "楼栋"}, ["普法进楼栋"]),
    ({"grid": "g2", "org": "star"}, []),
])
def test_export_applies_the_lists_filters(ledger, export_world, tmp_path, flt_args, titles):
    grid = flt_args.get("grid")
    flt = ActivityFilter(date_from="2026-10-01", date_to="2026-10-31",
                         grid_id=export_world.get(grid, grid) if grid else None,
                         org_id=export_world[flt_args["org"]] if "org" in flt_args else None,
                         type=flt_args.get("type"), text=flt_args.get("text", ""))
    rows = activities.export_rows(ledger, flt=flt)
    assert [r[0] for r in rows] == titles
    # the export holds exactly the activities the list shows for the same filter
    listed = {(a["on_date"], a["title"]) for a in activities.activities_page(ledger, flt)}
    assert {(r[2], r[0]) for r in rows} == listed
    out = tmp_path / "志愿服务.xlsx"
    assert activities.export_activities(ledger, out, flt=flt) == len(titles)
    sheet = openpyxl.load_workbook(out).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]] == titles
    # the title line says which activities these are
    title = sheet["A1"].value
    assert title.startswith("幸福社区志愿服务活动记录　活动日期：2026-10-01 至 2026-10-31") and sheet["A2"].value == "活动名称"
    expected = {"grid": "网格：", "org": "组织：", "type": f"类型：{flt_args.get('type')}", "text": "搜索“"}
    for key, part in expected.items():
        assert (part in title) == (key in flt_args and flt_args[key] != COMMUNITY_WIDE), (key, title)
    assert ("社区级活动" in title) == (flt_args.get("grid") == COMMUNITY_WIDE)
    assert f"共 {len(titles)} 行" in title


def test_export_without_a_filter_keeps_its_old_behaviour(ledger, export_world, tmp_path):
    everything = activities.export_rows(ledger)
    assert len(everything) == 6
    assert activities.export_rows(ledger, "2026-11") == [r for r in everything if r[2].startswith("2026-11")]
    assert len(activities.export_rows(ledger, None, "2026-10-10", "2026-10-26")) == 3
    # month / dates given with a filter replace the filter's own dates; its other filters stay
    flt = ActivityFilter(date_from="2026-10-01", date_to="2026-10-31", org_id=export_world["aid"])
    assert [r[0] for r in activities.export_rows(ledger, "2026-11", flt=flt)] == ["义诊回访"]
    assert flt.date_from == "2026-10-01"           # the caller's filter is not changed
    assert activities.export_activities(ledger, tmp_path / "a.csv", month="2026-10") == 5
    with pytest.raises(ValidationError):
        activities.export_rows(ledger, flt=ActivityFilter(date_from="2026-11-01", date_to="2026-10-01"))

def test_activity_types_are_configurable(ledger):
    assert "义诊进社区" in activities.activity_types(ledger)
    activities.set_activity_types(ledger, ["读书会", " 读书会", "其他"])
    assert activities.activity_types(ledger) == ["读书会", "其他"]
    with pytest.raises(ValidationError):
        activities.set_activity_types(ledger, [" "])


def test_demo_generates_a_year_of_volunteer_life(ledger):
    from models.demo import build_demo

    build_demo(ledger, households=150, seed=7, months=12)
    assert ledger.scalar("SELECT COUNT(*) FROM volunteer_orgs") >= 8
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers WHERE resident_id IS NULL") >= 3
    assert ledger.scalar("SELECT COUNT(*) FROM volunteers WHERE resident_id IS NOT NULL") >= 10
    months = {r["month"] for r in activities.hours_summary(ledger, "month")}
    assert len(months) == 12
    assert ledger.scalar("SELECT COUNT(*) FROM activities WHERE grid_id IS NULL") >= 12   # community-wide
    assert ledger.scalar("SELECT MAX(on_date) FROM activities") <= ledger.now().date().isoformat()
    assert ledger.scalar("SELECT COUNT(*) FROM attachments") == 2
    assert ledger.scalar("SELECT COUNT(*) FROM activities a WHERE NOT EXISTS"
                         " (SELECT 1 FROM activity_participants p WHERE p.activity_id = a.id)") == 0
    # hours follow the span (or a little less), never typed out of range
    assert ledger.scalar("SELECT MIN(hours) FROM activity_participants") >= 0.5
    assert ledger.scalar("SELECT MAX(hours) FROM activity_participants") <= 3
    assert integrity_ok(ledger)


def integrity_ok(ledger):
    from models.core.db import integrity_check

    return integrity_check(ledger) == []


def test_camera_photo_is_turned_upright_and_downscaled(ledger):
    aid = _act(ledger, "2026-10-10", None, [])
    exif = Image.Exif()
    exif[0x0112] = 6                       # "rotate 90° clockwise to view": a phone held upright
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 200, 10)).save(out, "JPEG", exif=exif.tobytes())
    att = activities.add_attachment(ledger, aid, out.getvalue(), filename="IMG_0001.JPG")
    row = activities.attachment_data(ledger, att)
    assert (row["width"], row["height"], row["filename"]) == (1200, 1600, "IMG_0001.jpg")


def test_save_activity_is_one_operation_all_or_nothing(ledger, world):
    v, g1 = world["v"], world["g1"]
    newcomer = volunteers.Candidate("周医生", "周医生 · 社区外人员")
    photo = activities.NewAttachment("现场.png", "照片", activities.prepare_image(_image_bytes((400, 300)), "现场.png"))
    changes = activities.save_activity.op(ledger, None, ActivityData("义诊", "2026-10-03", grid_id=g1,
                                                                     start_time="09:00", end_time="11:00"),
                                          [(v["李医生"], None), (newcomer, 1.5)], [photo])
    aid = changes.result
    assert changes.areas == {"volunteers"}
    act = activities.get_activity(ledger, aid)
    assert sorted((p["name"], p["hours"]) for p in act["participants"]) == [("周医生", 1.5), ("李医生", 2.0)]
    assert [a["kind"] for a in activities.attachments(ledger, aid)] == ["照片"]
    # a photo of another activity cannot be removed here: nothing of the save is kept
    other = activities.add_activity(ledger, ActivityData("演出", "2026-10-04"))
    stray = activities.add_attachment(ledger, other, _image_bytes((400, 300)), "别处.png")
    counts = [ledger.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("volunteers", "activity_participants",
                                                                     "attachments", "audit_log")]
    with pytest.raises(ValidationError, match="不属于这次活动"):
        activities.save_activity(ledger, aid, ActivityData("义诊（改）", "2026-10-03", grid_id=g1),
                                 [(volunteers.Candidate("吴律师", "吴律师"), 1)], [], [stray])
    assert [ledger.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("volunteers", "activity_participants",
                                                                  "attachments", "audit_log")] == counts
    assert activities.get_activity(ledger, aid)["title"] == "义诊"
    assert activities.delete_activity.op(ledger, aid).areas == {"volunteers"}
