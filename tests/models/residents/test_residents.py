"""Residents: validation, writes with history and audit, households, never deleted."""

import json

import pytest

from models.residents import records as R
from models.core.errors import NotFound, ValidationError
from models.grids.hierarchy import household_label
from tests.models.helpers_residents import household, person_id


@pytest.fixture
def home(ledger):
    return household(ledger)


def _add(ledger, **data):
    data.setdefault("name", "张三")
    data.setdefault("moved_in_on", "不详")     # an old resident (the default is today)
    return R.add_resident(ledger, data)


def test_add_derives_birth_and_gender_and_normalises(ledger, home):
    number = person_id(1975, 2, 3, male=False)
    rid = _add(ledger, name="李 娜", id_number=number.lower() if number.endswith("X") else " " + number,
               phone="138 1234 5678", household_id=home, relation="妻子", ethnicity="回",
               political_status="党员", tags="党员、残疾人")
    r = R.get_resident(ledger, rid)
    assert (r["name"], r["gender"], r["birth_date"], r["id_number"]) == ("李娜", "女", "1975-02-03", number)
    assert (r["phone"], r["relation"], r["ethnicity"], r["political_status"]) == \
        ("13812345678", "配偶", "回族", "中共党员")
    assert r["tags"] == ["残疾人", "党员"]          # in the tag list's order
    assert r["household_label"] == "幸福家园3号楼1单元301" and r["grid_name"] == "第一网格"
    assert r["id_masked"] == number[:6] + "********" + number[-4:]
    assert (r["created_by"], r["created_at"]) == ("测试员", "2026-10-15 09:30:00")


def test_gender_contradicting_the_id_is_a_warning_and_the_id_wins(ledger, home):
    data = {"name": "王五", "id_number": person_id(male=True), "gender": "女", "household_id": home,
            "phone": "13812345678", "relation": "户主"}
    assert R.validate_resident(ledger, data) == {}
    assert "与身份证号不符" in R.resident_warnings(ledger, data)["gender"]
    rid = R.add_resident(ledger, data)
    assert R.get_resident(ledger, rid)["gender"] == "男"


@pytest.mark.parametrize("data, field, fragment", [
    ({"name": ""}, "name", "姓名"),
    ({"name": "张3"}, "name", "数字"),
    ({"id_number": "110101199003071234"}, "id_number", "校验位"),
    ({"id_number": 1.10101199003077E+17}, "id_number", "文本"),
    ({"phone": "12345"}, "phone", "11位"),
    ({"gender": "未知"}, "gender", "男"),
    ({"ethnicity": "火星族"}, "ethnicity", "民族"),
    ({"residence_type": "其他人口"}, "residence_type", "人口类型"),
    ({"political_status": "党外人士"}, "political_status", "政治面貌"),
    ({"moved_in_on": "2030-01-01"}, "moved_in_on", "晚于今天"),
    ({"moved_in_on": "2024-02-30"}, "moved_in_on", "不是有效的日期"),
    ({"household_id": 9999}, "household_id", "不存在"),
    ({"tags": ["不存在的标签"]}, "tags", "标签"),
    ({"status": "迁出"}, "status_date", "变动日期"),
])
def test_validation_errors_in_chinese(ledger, data, field, fragment):
    full = {"name": "张三"}
    full.update(data)
    errors = R.validate_resident(ledger, full)
    assert fragment in errors[field]
    with pytest.raises(ValidationError) as exc:
        R.add_resident(ledger, full)
    assert field in exc.value.errors


def test_warnings_for_missing_id_phone_household(ledger):
    warnings = R.resident_warnings(ledger, {"name": "赵六"})
    assert {"id_number", "phone", "household_id"} <= warnings.keys()
    assert R.validate_resident(ledger, {"name": "赵六"}) == {}


@pytest.mark.parametrize("data, field, warning", [
    ({"id_number": "110101196002071000"}, "id_number", "尾号为000，可能被Excel改动过，请核对。"),
    ({"phone": "14012345678"}, "phone", "手机号“14012345678”的号段140不在已知的号段中，请核对。"),
    ({"phone": "0551-1234567"}, "phone", "固定电话“0551-1234567”的区号或号码位数与已知的不符，请核对。"),
])
def test_a_kept_but_suspect_id_or_phone_is_a_warning(ledger, data, field, warning):
    full = {"name": "张三", **data}
    assert R.validate_resident(ledger, full) == {}
    assert R.resident_warnings(ledger, full)[field] == warning


def test_duplicate_id_names_the_other_person(ledger, home):
    number = person_id()
    _add(ledger, name="张三", id_number=number, household_id=home)
    errors = R.validate_resident(ledger, {"name": "张三丰", "id_number": number})
    assert "张三" in errors["id_number"] and "幸福家园3号楼1单元301" in errors["id_number"]


def test_second_head_refused_while_the_first_is_on_the_roll(ledger, home):
    first = _add(ledger, name="户主甲", household_id=home, relation="户主")
    assert ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [home]) == first
    assert "已有户主" in R.validate_resident(ledger, {"name": "乙", "household_id": home, "relation": "户主"})[
        "relation"]
    R.move_out(ledger, first, "2026-10-01")
    assert R.validate_resident(ledger, {"name": "乙", "household_id": home, "relation": "户主"}) == {}


def test_update_changes_only_given_fields_and_audits_masked(ledger, home):
    number = person_id()
    rid = _add(ledger, id_number=number, household_id=home, phone="13812345678")
    R.update_resident(ledger, rid, {"phone": "0551-7654321", "tags": ["低保户"]})
    r = R.get_resident(ledger, rid)
    assert r["phone"] == "0551-7654321" and r["id_number"] == number and r["tags"] == ["低保户"]
    rows = ledger.query("SELECT action, old_value, new_value FROM audit_log WHERE table_name = 'residents'")
    assert [x["action"] for x in rows] == ["新增", "修改"]
    assert number not in json.dumps(rows, ensure_ascii=False)
    assert json.loads(rows[1]["new_value"]) == {"phone": "055*-***4321", "tags": ["低保户"]}  # phones masked too
    assert json.loads(rows[1]["old_value"])["phone"] == "138****5678"
    assert json.loads(rows[0]["new_value"])["id_number"] == number[:6] + "********" + number[-4:]


def test_update_rejects_bad_input(ledger, home):
    rid = _add(ledger, household_id=home)
    with pytest.raises(ValidationError) as exc:
        R.update_resident(ledger, rid, {"id_number": "123"})
    assert exc.value.field == "id_number"
    with pytest.raises(NotFound):
        R.update_resident(ledger, 999, {"name": "x"})


def test_move_out_death_restore_write_events(ledger, home):
    rid = _add(ledger, household_id=home, moved_in_on="2020-05-01")
    R.move_out(ledger, rid, "2026-10-01", "迁往外地")
    with pytest.raises(ValidationError, match="已是“迁出”"):
        R.record_death(ledger, rid, "2026-10-02")
    R.restore_active(ledger, rid, "2026-10-01", "误操作")       # a correction: move-in date kept
    assert R.get_resident(ledger, rid)["moved_in_on"] == "2020-05-01"
    R.record_death(ledger, rid, "2026-10-10")
    r = R.get_resident(ledger, rid)
    assert (r["status"], r["status_date"]) == ("死亡", "2026-10-10")
    events = [(e["event"], e["on_date"]) for e in R.status_history(ledger, rid)]
    assert events == [("迁入", "2020-05-01"), ("迁出", "2026-10-01"), ("恢复在册", "2026-10-01"),
                      ("死亡", "2026-10-10")]
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 1     # never deleted


def test_restore_after_a_real_return_sets_the_new_move_in(ledger, home):
    rid = _add(ledger, household_id=home)
    R.move_out(ledger, rid, "2026-03-01")
    R.restore_active(ledger, rid, "2026-09-01")
    r = R.get_resident(ledger, rid)
    assert (r["status"], r["status_date"], r["moved_in_on"]) == ("在册", None, "2026-09-01")


@pytest.mark.parametrize("day, fragment", [("2026-10-16", "晚于今天"), ("", "请填写"), ("2026-13-01", "不是有效的日期"),
                                           ("2019-01-01", "早于迁入日期")])
def test_status_dates_are_checked(ledger, home, day, fragment):
    rid = _add(ledger, household_id=home, moved_in_on="2020-05-01")
    with pytest.raises(ValidationError, match=fragment):
        R.move_out(ledger, rid, day)


def test_move_between_households_follows_grid_and_head(ledger, home):
    other = household(ledger, room="101", building="9号楼", grid="第二网格", compound="阳光花园")
    head = _add(ledger, name="户主甲", household_id=home, relation="户主")
    child = _add(ledger, name="儿子乙", household_id=home, relation="子")
    R.move_to_household(ledger, head, other, "户主", "2026-10-01")
    r = R.get_resident(ledger, head)
    grid2, building2 = ledger.query("SELECT grid_id, building_id FROM households WHERE id = ?", [other])[0].values()
    assert (r["household_id"], r["grid_id"], r["building_id"]) == (other, grid2, building2)
    assert ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [home]) is None
    assert ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [other]) == head
    R.set_household_head(ledger, home, child)
    members = R.household_members(ledger, home)
    assert [(m["name"], m["relation"], m["is_head"]) for m in members] == [("儿子乙", "户主", True)]
    assert R.status_history(ledger, head)[-1]["event"] == "户内调整"
    from models.checks import ledger_problems

    assert ledger_problems(ledger) == []


def test_update_household_moves_denormalised_grid(ledger, home):
    other = household(ledger, room="101", building="9号楼", grid="第二网格")
    rid = _add(ledger, household_id=home)
    R.update_resident(ledger, rid, {"household_id": other})
    grid2 = ledger.scalar("SELECT grid_id FROM households WHERE id = ?", [other])
    assert R.get_resident(ledger, rid)["grid_id"] == grid2
    assert R.search_page(ledger, R.ResidentFilter(text="9号楼"))[0][0]["id"] == rid


def test_head_changing_relation_leaves_the_household_headless(ledger, home):
    rid = _add(ledger, household_id=home, relation="户主")
    R.update_resident(ledger, rid, {"relation": "配偶"})
    assert ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [home]) is None
    R.update_resident(ledger, rid, {"relation": "户主"})
    assert ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [home]) == rid


def test_set_head_refuses_non_members_and_gone(ledger, home):
    other = household(ledger, room="302")
    a = _add(ledger, household_id=home, relation="户主")
    b = _add(ledger, name="李四", household_id=other)
    with pytest.raises(ValidationError, match="不是这一户"):
        R.set_household_head(ledger, home, b)
    R.move_out(ledger, a, "2026-10-01")
    with pytest.raises(ValidationError, match="不能设为户主"):
        R.set_household_head(ledger, home, a)


def test_household_members_head_first(ledger, home):
    _add(ledger, name="孙女", household_id=home, relation="孙女", id_number=person_id(2015, male=False))
    _add(ledger, name="户主", household_id=home, relation="户主", id_number=person_id(1950))
    _add(ledger, name="配偶", household_id=home, relation="配偶", id_number=person_id(1952, male=False))
    assert [m["name"] for m in R.household_members(ledger, home)] == ["户主", "配偶", "孙女"]
    assert all("*" in m["id_masked"] for m in R.household_members(ledger, home))


def test_tag_list_hides_sensitive_unless_allowed(ledger):
    normal = {t["name"] for t in R.tag_list(ledger, False)}
    everything = {t["name"] for t in R.tag_list(ledger, True)}
    assert "社区矫正" not in normal and "社区矫正" in everything and "党员" in normal


def test_import_style_historical_record(ledger, home):
    rid = _add(ledger, household_id=home, status="已迁出", status_date="2025/3/1", moved_in_on="20100101")
    r = R.get_resident(ledger, rid)
    assert (r["status"], r["status_date"], r["moved_in_on"]) == ("迁出", "2025-03-01", "2010-01-01")
    assert [e["event"] for e in R.status_history(ledger, rid)] == ["迁入", "迁出"]


@pytest.mark.parametrize("raw, expected", [
    ("2024-03-01", "2024-03-01"), ("2024/3/1", "2024-03-01"), ("2024.3.1", "2024-03-01"),
    ("20240301", "2024-03-01"), ("2024年3月1日", "2024-03-01"), (45352, "2024-03-01"),
    (None, None), ("", None),
])
def test_parse_date(raw, expected):
    assert R.parse_date(raw) == (expected, None)


def test_parse_date_errors():
    assert "“明天”不是有效的日期（请写成" in R.parse_date("明天")[1]       # one parser: models.core.periods
    assert R.parse_date("2023-02-29") == (None, "“2023-02-29”不是有效的日期")


def test_birth_date_without_id(ledger, home):
    rid = _add(ledger, household_id=home, birth_date="1960-01-02")
    assert R.get_resident(ledger, rid)["birth_date"] == "1960-01-02"
    assert "晚于今天" in R.validate_resident(ledger, {"name": "甲", "birth_date": "2030-01-01"})["birth_date"]
