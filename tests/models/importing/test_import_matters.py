"""Importing matters and visits: history becomes events, bad rows are listed, exports round trip."""

import openpyxl
import pytest

from models.grids import hierarchy as grids
from models.matters import records as M
from models.visits import records as V
from models.importing import import_file, load_spec
from models.importing import matters as IM, visits as IV
from tests.models.import_books import sheet_book as write_xlsx


@pytest.fixture
def world(ledger, clock):
    clock.set(2026, 11, 20, 9, 0, 0)
    hh = grids.ensure_place(ledger, grids.Place(None, "第一网格", "3号楼", "1单元", "301"))
    hh2 = grids.ensure_place(ledger, grids.Place(None, "第一网格", "3号楼", "1单元", "302"))
    staff = grids.add_staff(ledger, "王芳", "网格员")
    return {"hh": hh, "hh2": hh2, "staff": staff}


def row(**values):
    base = dict.fromkeys(IM.HEADERS, "")
    base.update({"登记时间": "2026-10-15 09:30", "来源": "来电", "类别": "路灯照明", "事项分级": "小事",
                 "事项描述": "3号楼门前路灯不亮", "所属网格": "第一网格", "楼栋": "3号楼", "单元": "1单元",
                 "房号": "301", "反映人": "张三", "联系电话": "13812345678"})
    base.update(values)
    return [base[h] for h in IM.HEADERS]


def comparable(events):
    return [(e["at"], e["action"], e["from_state"], e["to_state"], e["operator"], e["note"], e["data"])
            for e in events]


STORIES = {
    "closed_and_followed": (
        dict(承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="已更换灯泡", 回访时间="2026-10-16 10:00",
             满意度="满意"),
        [("办结", "2026-10-15 16:00", {"result": "已更换灯泡"}),
         ("回访", "2026-10-16 10:00", {"satisfaction": "满意"})]),
    "closed_only": (
        dict(承办人="王芳", 办结时间="2026-10-17 08:00", 办理结果="已修复"),
        [("办结", "2026-10-17 08:00", {"result": "已修复"})]),
    "assigned_open": (dict(承办人="王芳"), []),
    "registered_only": (dict(), []),
    "cancelled": (dict(状态="作废", 办理结果="重复登记"), [("作废", "2026-10-15 09:30", {"note": "重复登记"})]),
    "cancelled_no_reason": (dict(状态="作废"), [("作废", "2026-10-15 09:30", {"note": IM.CANCELLED_REASON})]),
}


@pytest.mark.parametrize("story", list(STORIES))
def test_imported_history_equals_hand_entry(ledger, world, tmp_path, story):
    values, steps = STORIES[story]
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(**values)], title="幸福社区民情事项台账")
    plan, summary = import_file(ledger, path, IM.SPEC)
    assert summary.imported == 1, plan.problems() if hasattr(plan, "problems") else plan
    imported = M.search_page(ledger)[0][0]["id"]

    # the same story by hand
    by_hand = M.register_matter(ledger, {
        "registered_at": "2026-10-15 09:30", "source": "来电", "category": "路灯照明", "level": "小事",
        "description": "3号楼门前路灯不亮（手工）", "household_id": world["hh"], "reporter_name": "张三",
        "reporter_phone": "13812345678",
        **({"assignee_staff_id": world["staff"]} if values.get("承办人") else {})})
    for action, at, data in steps:
        data = dict(data)
        note = data.pop("note", "")
        M.apply_action(ledger, by_hand, action, at=at, note=note, **data)

    assert comparable(M.matter_events(ledger, imported)) == comparable(M.matter_events(ledger, by_hand))
    a, b = M.get_matter(ledger, imported), M.get_matter(ledger, by_hand)
    for key in ("state", "deadline", "closed_at", "result", "followed_up_at", "satisfaction", "cancelled_at",
                "household_id", "assignee_staff_id", "assignee_name", "reporter_name", "reporter_phone",
                "location_text", "level"):
        assert a[key] == b[key], key


@pytest.mark.parametrize("values,message", [
    (dict(所属网格="第九网格"), "网格“幸福社区第九网格”在台账中不存在"),
    (dict(所属网格=""), "缺少所属网格"),
    (dict(登记时间=""), "缺少登记时间"),
    (dict(登记时间="2026-12-01"), "晚于当前时间"),
    (dict(事项描述=""), "缺少事项描述"),
    (dict(事项分级="中事"), "事项分级“中事”无效"),
    (dict(办结时间="2026-10-15 16:00", 办理结果="好了"), "已办结的事项必须填写承办人"),
    (dict(承办人="王芳", 办结时间="2026-10-15 16:00"), "缺少办理结果"),
    (dict(承办人="王芳", 办结时间="2026-10-14 16:00", 办理结果="好了"), "办结时间早于登记时间"),
    (dict(承办人="王芳", 回访时间="2026-10-16", 满意度="满意"), "未办结的事项不能回访"),
    (dict(承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="好", 满意度="满意"), "缺少回访时间"),
    (dict(承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="好", 回访时间="2026-10-15 10:00",
          满意度="满意"), "回访时间早于办结时间"),
    (dict(承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="好", 回访时间="2026-10-16",
          满意度="还行"), "满意度“还行”无效"),
    (dict(状态="暂缓"), "状态“暂缓”无效"),
    # year 68 once passed as "68-02-19", which sorts after 2026: the whole import then stopped
    (dict(登记时间="0068-02-19", 承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="好"), "年份 68 不合理"),
])
def test_rejected_rows(ledger, world, tmp_path, values, message):
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(事项描述="好的一行"), row(**values)])
    plan, summary = import_file(ledger, path, IM.SPEC)
    rejected = [o for o in plan.outcomes if o.status == "rejected"]
    assert len(rejected) == 1
    assert rejected[0].row_number == 3
    assert any(message in m for m in rejected[0].messages), rejected[0].messages
    assert summary.imported == 1
    assert ledger.scalar("SELECT COUNT(*) FROM matters") == 1


@pytest.mark.parametrize("values,message,check", [
    (dict(承办人="赵临时"), "承办人“赵临时”不在工作人员名单中，按姓名保留",
     lambda m: (m["assignee_staff_id"], m["assignee_name"], m["state"]) == (None, "赵临时", "已分派")),
    (dict(来源="抖音"), "来源“抖音”不在来源列表中", lambda m: m["source"] == "其他"),
    (dict(类别="电梯故障", 事项分级=""), "类别“电梯故障”不在类别列表中", lambda m: (m["category"], m["level"]) == ("其他", "小事")),
    (dict(类别="违章建筑", 事项分级=""), "按类别记为 大事",
     lambda m: (m["level"], m["deadline"]) == ("大事", "2026-11-14 23:59:59")),
    (dict(楼栋="99号楼"), "楼栋“99号楼”不在网格", lambda m: (m["household_id"], m["location_text"]) ==
     (None, "99号楼1单元301")),
    (dict(房号="909"), "房号“909”不在", lambda m: m["building_id"] is not None and m["household_id"] is None),
    (dict(联系电话="12345"), "联系电话有误", lambda m: m["reporter_phone"] == ""),
    (dict(联系电话="0086"), "联系电话有误", lambda m: m["reporter_phone"] == ""),   # once an IndexError
    (dict(联系电话="14012345678"), "号段140不在已知的号段中", lambda m: m["reporter_phone"] == "14012345678"),
])
def test_warned_rows_are_imported(ledger, world, tmp_path, values, message, check):
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(**values)])
    plan, summary = import_file(ledger, path, IM.SPEC)
    outcome = plan.outcomes[0]
    assert outcome.status == "warning"
    assert any(message in m for m in outcome.messages), outcome.messages
    matter = M.get_matter(ledger, ledger.scalar("SELECT id FROM matters"))
    assert check(matter), matter


CANCELLED_WITH_TIMES = [
    # (cells, what the 作废 event's note keeps)
    (dict(状态="作废", 承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="重复登记"),
     "重复登记；原表办结时间 2026-10-15 16:00"),
    (dict(状态="作废", 承办人="王芳", 办结时间="2026-10-15 16:00", 办理结果="已修好", 回访时间="2026-10-16 10:00",
          满意度="满意"),
     "已修好；原表办结时间 2026-10-15 16:00，回访时间 2026-10-16 10:00，满意度 满意"),
    (dict(状态="作废", 回访时间="2026-10-16 10:00"), IM.CANCELLED_REASON + "；原表回访时间 2026-10-16 10:00"),
    (dict(状态="作废", 满意度="不满意"), IM.CANCELLED_REASON + "；原表满意度 不满意"),
]


@pytest.mark.parametrize("values, note", CANCELLED_WITH_TIMES)
def test_cancelled_matter_with_times_is_imported_as_cancelled(ledger, world, tmp_path, values, note):
    """A historical 作废 row with 办结/回访 times: imported as 作废, the times kept in its timeline
    (the 作废 step's note), a warning; it never counts as closed or followed up."""
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(**values)])
    plan, summary = import_file(ledger, path, IM.SPEC)
    outcome = plan.outcomes[0]
    assert outcome.status == "warning", outcome.messages
    assert any("按作废导入" in m for m in outcome.messages), outcome.messages
    assert summary.imported == 1
    matter = M.get_matter(ledger, ledger.scalar("SELECT id FROM matters"))
    assert matter["state"] == "作废"
    assert (matter["closed_at"], matter["followed_up_at"], matter["satisfaction"]) == (None, None, None)
    events = M.matter_events(ledger, matter["id"])
    assert [e["action"] for e in events if e["action"] != "分派"] == ["登记", "作废"]
    assert events[-1]["note"] == note
    assert events[-1]["at"] == "2026-10-15 09:30:00"


def test_reimport_skips_and_duplicates_in_file_rejected(ledger, world, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(), row(事项描述="另一件"), row()])
    plan, summary = import_file(ledger, path, IM.SPEC)
    assert (summary.imported, summary.rejected) == (2, 1)
    assert "与第 2 行重复" in plan.outcomes[2].messages[0]
    plan, summary = import_file(ledger, write_xlsx(tmp_path / "n.xlsx", IM.HEADERS, [row()]), IM.SPEC)
    assert (summary.imported, summary.skipped) == (0, 1)
    assert ledger.scalar("SELECT COUNT(*) FROM matters") == 2


def test_reporter_linked_to_resident_of_household(ledger, world, tmp_path):
    ledger.conn.execute("INSERT INTO residents (household_id, grid_id, name, phone, created_at, updated_at)"
                        " VALUES (?, 1, '张三', '13900000000', 'x', 'x')", [world["hh"]])
    import_file(ledger, write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row()]), IM.SPEC)
    matter = M.get_matter(ledger, ledger.scalar("SELECT id FROM matters"))
    assert matter["reporter_resident_id"] is not None
    assert matter["reporter_phone"] == "13812345678"   # the file's number wins


def test_matters_export_round_trip(ledger, world, tmp_path, clock):
    rows = [row(**values) for values, _ in STORIES.values()]
    rows = [r[:4] + [f"事项{i}"] + r[5:] for i, r in enumerate(rows)]
    rows.append(row(事项描述="无楼栋", 楼栋="", 单元="", 房号=""))
    rows.append(row(事项描述="楼外", 楼栋="小区东门岗亭", 单元="", 房号=""))
    import_file(ledger, write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, rows), IM.SPEC)
    exported = list(IM.export_rows(ledger))
    assert len(exported) == len(rows)
    out = write_xlsx(tmp_path / "export.xlsx", IM.HEADERS, exported)

    from models.core.db import Operator
    from models.ledger import open_db

    fresh = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    grids.ensure_place(fresh, grids.Place(None, "第一网格", "3号楼", "1单元", "301"))
    grids.add_staff(fresh, "王芳", "网格员")
    plan, summary = import_file(fresh, out, IM.SPEC)
    assert summary.imported == len(rows) and summary.rejected == 0
    assert list(IM.export_rows(fresh)) == exported
    original = [comparable(M.matter_events(ledger, i)) for i in range(1, len(rows) + 1)]
    again = [comparable(M.matter_events(fresh, i)) for i in range(1, len(rows) + 1)]
    assert again == original
    fresh.close()


def test_export_month_filter(ledger, world, tmp_path):
    rows = [row(), row(登记时间="2026-11-02 10:00", 事项描述="十一月")]
    import_file(ledger, write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, rows), IM.SPEC)
    assert [r[4] for r in IM.export_rows(ledger, "2026-11")] == ["十一月"]
    assert [r[4] for r in IM.export_rows(ledger, "2026-10")] == ["3号楼门前路灯不亮"]


@pytest.mark.parametrize("date_from, date_to, expected, said", [
    ("2026-11-02", "2026-11-02", ["十一月"], "登记日期：2026-11-02 至 2026-11-02"),   # the last day counts whole
    ("2026-10-16", None, ["十一月"], "登记日期：2026-10-16 至 今"),
    (None, "2026-11-01", ["3号楼门前路灯不亮"], "登记日期：最早 至 2026-11-01"),
    (None, None, ["3号楼门前路灯不亮", "十一月"], "全部月份"),
    ("2026-10-01", "9999-12-31", ["3号楼门前路灯不亮", "十一月"], "登记日期：2026-10-01 至 9999-12-31"),  # no overflow
])
def test_export_a_period_as_the_page_filters_it(ledger, world, tmp_path, clock, date_from, date_to, expected, said):
    import csv

    rows = [row(), row(登记时间="2026-11-02 10:00", 事项描述="十一月")]
    import_file(ledger, write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, rows), IM.SPEC)
    out = tmp_path / "out.csv"
    assert IM.export_matters(ledger, out, date_from=date_from, date_to=date_to) == len(expected)
    lines = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert [r[4] for r in lines[2:]] == expected
    assert f"民情事项台账　{said}　共 {len(expected)} 件" in lines[0][0]


# -- visits ----------------------------------------------------------------------------------

def vrow(**values):
    base = {"走访日期": "2026-10-15", "走访人": "王芳", "所属社区": "", "所属网格": "第一网格", "楼栋": "3号楼",
            "单元": "1单元", "房号": "301", "走访方式": "入户", "情况记录": "了解情况"}
    base.update(values)
    return [base[h] for h in IV.HEADERS]


def test_visits_grouped_into_one_visit(ledger, world, tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", IV.HEADERS,
                      [vrow(), vrow(房号="302"), vrow(走访方式="电话", 房号="302")])
    plan, summary = import_file(ledger, path, IV.SPEC)
    assert summary.imported == 3
    assert ledger.scalar("SELECT COUNT(*) FROM visits") == 2
    visit = V.get_visit(ledger, 1)
    assert visit["household_ids"] == [world["hh"], world["hh2"]]
    assert (visit["staff_id"], visit["way"]) == (world["staff"], "入户")


@pytest.mark.parametrize("values,message,status", [
    (dict(房号="909"), "户“第一网格3号楼1单元909”在台账中不存在", "rejected"),
    (dict(所属网格="第九网格"), "在台账中不存在", "rejected"),
    (dict(走访日期="2026-12-01"), "晚于今天", "rejected"),
    (dict(走访人=""), "缺少走访人", "rejected"),
    (dict(走访方式="飞鸽传书"), "走访方式“飞鸽传书”无效", "rejected"),
    (dict(房号=""), "缺少楼栋或房号", "rejected"),
    (dict(走访人="钱志愿"), "走访人“钱志愿”不在工作人员名单中，按姓名保留", "warning"),
    (dict(走访方式=""), "缺少走访方式，记为 入户", "warning"),
])
def test_visit_rows_checked(ledger, world, tmp_path, values, message, status):
    plan, summary = import_file(ledger, write_xlsx(tmp_path / "v.xlsx", IV.HEADERS, [vrow(**values)]), IV.SPEC)
    outcome = plan.outcomes[0]
    assert outcome.status == status and outcome.row_number == 2
    assert any(message in m for m in outcome.messages), outcome.messages
    assert ledger.scalar("SELECT COUNT(*) FROM visits") == (1 if status == "warning" else 0)


def test_visits_round_trip_and_reimport(ledger, world, tmp_path, clock):
    V.record_visit(ledger, visited_on="2026-10-15", staff_id=world["staff"], way="入户",
                   household_ids=[world["hh"], world["hh2"]], notes="宣传反诈")
    V.record_visit(ledger, visited_on="2026-11-02", staff_name="钱志愿", way="微信",
                   household_ids=[world["hh2"]], notes="")
    exported = list(IV.export_rows(ledger))
    assert exported == [
        ["2026-10-15", "王芳", "幸福社区", "第一网格", "3号楼", "1单元", "301", "入户", "宣传反诈"],
        ["2026-10-15", "王芳", "幸福社区", "第一网格", "3号楼", "1单元", "302", "入户", "宣传反诈"],
        ["2026-11-02", "钱志愿", "幸福社区", "第一网格", "3号楼", "1单元", "302", "微信", ""]]
    assert [r[0] for r in IV.export_rows(ledger, "2026-11")] == ["2026-11-02"]
    path = write_xlsx(tmp_path / "v.xlsx", IV.HEADERS, exported)
    plan, summary = import_file(ledger, path, IV.SPEC)
    assert (summary.imported, summary.skipped) == (0, 3)

    from models.core.db import Operator
    from models.ledger import open_db

    fresh = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    grids.ensure_place(fresh, grids.Place(None, "第一网格", "3号楼", "1单元", "301"))
    grids.ensure_place(fresh, grids.Place(None, "第一网格", "3号楼", "1单元", "302"))
    grids.add_staff(fresh, "王芳", "网格员")
    plan, summary = import_file(fresh, path, IV.SPEC)
    assert summary.imported == 3
    assert list(IV.export_rows(fresh)) == exported
    fresh.close()


def test_specs_found_by_kind():
    assert load_spec("matters") is IM.SPEC
    assert load_spec("visits") is IV.SPEC
    assert [c.title for c in IM.SPEC.columns] == [
        "登记时间", "来源", "类别", "事项分级", "事项描述", "所属社区", "所属网格", "楼栋", "单元", "房号",
        "反映人", "联系电话", "承办人", "办结时间", "办理结果", "回访时间", "满意度", "状态"]
    assert [c.title for c in IV.SPEC.columns] == [
        "走访日期", "走访人", "所属社区", "所属网格", "楼栋", "单元", "房号", "走访方式", "情况记录"]


def test_template_written(tmp_path):
    from models.importing import write_template

    path = write_template(IM.SPEC, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    headers = [c.value for c in next(wb.worksheets[0].iter_rows(max_row=1))]
    assert headers[:5] == ["登记时间", "来源", "类别", "事项分级", "事项描述"]


# -- the office's own lists (设置 → 事项来源 / 事项类别 / 走访方式) -----------------------------

def _item_id(ledger, kind, name):
    return ledger.scalar("SELECT id FROM office_lists WHERE kind = ? AND name = ?", [kind, name])


def test_matters_import_takes_the_sources_the_office_added_and_retired(ledger, world, tmp_path):
    from models.core import lists

    lists.add_item(ledger, "matter_source", "网格通APP")
    lists.retire_item(ledger, _item_id(ledger, "matter_source", "微信群"))
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [
        row(来源="网格通APP", 事项描述="一"), row(来源="微信群", 事项描述="二"), row(来源="来电", 事项描述="三")])
    plan, summary = import_file(ledger, path, IM.SPEC)
    assert summary.imported == 3
    by_text = {r["description"]: r["source"] for r in ledger.query("SELECT description, source FROM matters")}
    assert by_text == {"一": "网格通APP", "二": "其他", "三": "来电"}
    first, second, third = plan.outcomes
    assert first.status == "ok" and third.status == "ok"
    assert any("“微信群”已停用" in m for m in second.messages), second.messages


def test_matters_import_falls_back_to_an_offered_source_when_其他_is_retired(ledger, world, tmp_path):
    from models.core import lists

    lists.retire_item(ledger, _item_id(ledger, "matter_source", "其他"))
    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(来源="")])
    plan, summary = import_file(ledger, path, IM.SPEC)
    assert summary.imported == 1, plan.outcomes[0].messages
    source = ledger.scalar("SELECT source FROM matters")
    assert source in M.sources(ledger)
    assert any(f"记为 {source}" in m for m in plan.outcomes[0].messages)


def test_visits_import_takes_the_ways_the_office_offers(ledger, world, tmp_path):
    from models.core import lists

    lists.retire_item(ledger, _item_id(ledger, "visit_way", "微信"))
    plan, summary = import_file(ledger, write_xlsx(tmp_path / "v.xlsx", IV.HEADERS,
                                                   [vrow(走访方式="微信"), vrow(房号="302")]), IV.SPEC)
    assert summary.imported == 1
    rejected = plan.outcomes[0]
    assert rejected.status == "rejected"
    assert any("走访方式“微信”已停用" in m for m in rejected.messages), rejected.messages


def test_templates_offer_the_offices_lists(ledger, world, tmp_path):
    from models.core import lists
    from models.importing import write_template

    lists.add_item(ledger, "matter_source", "网格通APP")
    lists.retire_item(ledger, _item_id(ledger, "matter_source", "微信群"))
    lists.retire_item(ledger, _item_id(ledger, "visit_way", "微信"))
    for spec, column, present, absent in ((IM.SPEC, "来源", "网格通APP", "微信群"), (IV.SPEC, "走访方式", "电话", "微信")):
        path = write_template(spec, tmp_path / f"{spec.kind}.xlsx", ledger)
        wb = openpyxl.load_workbook(path)
        sheet, notes = wb.worksheets
        index = [c.value for c in sheet[1]].index(column)
        offered = [v for v in sheet.data_validations.dataValidation
                   if any(r.min_col == index + 1 for r in v.sqref.ranges)]
        assert len(offered) == 1
        choices = offered[0].formula1.strip('"').split(",")
        assert present in choices and absent not in choices
        note = next(row[2].value for row in notes.iter_rows(min_row=2) if row[0].value == column)
        assert present in note and absent not in note


def test_a_row_the_write_refuses_is_named(ledger, world, tmp_path, monkeypatch):
    """A rule the row checks miss once stopped the import with the rule's message alone (which row?)."""
    from models.core.errors import ValidationError

    path = write_xlsx(tmp_path / "m.xlsx", IM.HEADERS, [row(事项描述="好的一行"), row(事项描述="坏的一行")])
    real = IM.write_history

    def refuse_the_second(ledger, data):
        if data["description"] == "坏的一行":
            raise ValidationError("操作时间不能早于该事项上一步的时间。")
        return real(ledger, data)

    monkeypatch.setattr(IM, "write_history", refuse_the_second)
    with pytest.raises(ValidationError, match="第 3 行：操作时间不能早于该事项上一步的时间。本次导入没有写入任何内容"):
        import_file(ledger, path, IM.SPEC)
    assert ledger.scalar("SELECT COUNT(*) FROM matters") == 0
