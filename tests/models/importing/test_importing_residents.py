"""The residents import: exact per-row outcomes (SPEC §7), writing in one transaction,
crash and cancel leave the ledger as it was, updates, and the round trip."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.models.import_books import ledger_book, person_id, row
from models.grids import hierarchy as grids
from models import importing
from models.core.db import Operator
from models.core.errors import Cancelled
from models.core.idcard import check_digit
from models.core.ops import Changes
from models.core.permissions import PermissionDenied
from models.importing import analyse, execute, import_file, load_spec
from models.importing import residents_writer
from models.residents.search import ResidentFilter, search_page

SPEC = load_spec("residents")

ID_A = person_id(1)                       # 男
ID_B = person_id(2, male=False)           # 女
LEGACY_15 = "110101500303121"             # 1950-03-03, sequence 121 (odd: 男)
LEGACY_18 = "11010119500303121" + check_digit("11010119500303121")
ID_X = next(pid for pid in (person_id(n) for n in range(100, 400)) if pid.endswith("X"))
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in person_id(5))
SPACED = f"{person_id(6)[:6]} {person_id(6)[6:14]} {person_id(6)[14:]}"


def _tables(ledger) -> dict[str, int]:
    return {t: ledger.scalar(f"SELECT COUNT(*) FROM {t}") for t in (
        "residents", "households", "units", "buildings", "grids", "communities", "resident_tags",
        "resident_status_events", "resident_search", "audit_log")}


@pytest.fixture
def clerk_file(tmp_path):
    """A sheet shaped like a clerk's ledger with one row of each kind SPEC §7 names."""
    rows = [
        row(1, "张三", id_number=ID_A, tags="独居老人、低保户"),                         # 4 ok
        row(2, "李四", id_number=float(ID_A[:15] + "000")),                             # 5 mangled (float)
        row(3, "王芳", "女", FULL_WIDTH.replace(FULL_WIDTH[-1], FULL_WIDTH[-1])),         # 6 full-width → ok? gender
        row(4, "赵六", id_number=SPACED),                                               # 7 spaced → ok
        row(5, "钱七", id_number=ID_X.lower()),                                          # 8 lowercase x → ok
        row(6, "孙八", id_number=LEGACY_15),                                            # 9 15 digits → ok + note
        row(7, "周九", id_number=ID_A),                                                 # 10 duplicate of row 4
        row(8, "吴十", "女", person_id(8)),                                             # 11 gender vs ID → warning
        row(9, "郑一", id_number=None),                                                 # 12 no ID → warning
        row(10, "冯二", id_number=person_id(10), phone=None),                           # 13 no phone → warning
        row(11, None, id_number=person_id(11)),                                         # 14 no name → rejected
        row(12, "陈三", id_number=ID_A[:17] + ("0" if ID_A[17] != "0" else "1")),        # 15 check digit
        row(13, "褚四", id_number="1.10101199003077E+17"),                              # 16 scientific text
        ["合计", "13人"],                                                                # skipped
    ]
    return ledger_book(tmp_path / "幸福社区居民台账.xlsx", {"一网格": rows})


def test_exact_outcome_of_every_row(ledger, clerk_file):
    plan = analyse(ledger, clerk_file, SPEC)
    got = [(o.row_number, o.data["name"], o.status, o.messages) for o in plan.outcomes]
    mangled = "身份证号被 Excel 当成了数字"
    assert [(n, name, status) for n, name, status, _ in got] == [
        (4, "张三", "ok"), (5, "李四", "rejected"), (6, "王芳", "warning"), (7, "赵六", "ok"),
        (8, "钱七", "ok"), (9, "孙八", "ok"), (10, "周九", "rejected"), (11, "吴十", "warning"),
        (12, "郑一", "warning"), (13, "冯二", "warning"), (14, "", "rejected"), (15, "陈三", "rejected"),
        (16, "褚四", "rejected")]
    by_row = {n: messages for n, _, _, messages in got}
    assert mangled in by_row[5][0] and "文本" in by_row[5][0]
    assert by_row[6] == ["性别“女”与身份证号不符，已按身份证号记为“男”"]
    assert by_row[10] == [f"身份证号 {ID_A[:6]}********{ID_A[-4:]} 与本文件第 4 行重复"]
    assert by_row[11] == ["性别“女”与身份证号不符，已按身份证号记为“男”"]
    assert by_row[12] == ["缺少身份证号"]
    assert by_row[13] == ["缺少联系电话"]
    assert by_row[14] == ["缺少姓名"]
    assert by_row[15] == ["身份证号有误：身份证号校验位不正确，请核对号码是否录错。"]
    assert mangled in by_row[16][0]
    data = {o.row_number: o.data for o in plan.outcomes}
    assert data[6]["id_number"] == person_id(5)
    assert data[7]["id_number"] == person_id(6)
    assert data[8]["id_number"] == ID_X
    assert data[9]["id_number"] == LEGACY_18
    assert plan.outcomes[5].notes == ["15位旧身份证号已升级为18位"]
    assert data[11]["gender"] == "男" and data[11]["birth_date"] == person_id(8)[6:10] + "-" + \
        person_id(8)[10:12] + "-" + person_id(8)[12:14]
    assert plan.counts() == {"ok": 4, "warning": 4, "rejected": 5}


def test_accepted_rows_written_with_every_invariant(ledger, clerk_file):
    plan, summary = import_file(ledger, clerk_file, SPEC)
    assert (summary.imported, summary.rejected, summary.warnings, summary.skipped) == (8, 5, 4, 0)
    assert summary.created == {"网格": 1, "楼栋": 1, "单元": 1, "户": 8}
    people = ledger.query("SELECT * FROM residents ORDER BY id")
    assert [p["name"] for p in people] == ["张三", "王芳", "赵六", "钱七", "孙八", "吴十", "郑一", "冯二"]
    zhang = next(p for p in people if p["name"] == "张三")
    household = ledger.query("SELECT * FROM households WHERE id = ?", [zhang["household_id"]])[0]
    assert (zhang["grid_id"], zhang["building_id"]) == (household["grid_id"], household["building_id"])
    assert household["head_resident_id"] == zhang["id"]
    assert zhang["created_by"] == "测试员" and zhang["created_at"] == "2026-10-15 09:30:00"
    assert grids.household_label(ledger, zhang["household_id"]) == "1号楼1单元101"
    tags = [r["name"] for r in ledger.query(
        "SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id WHERE rt.resident_id = ?"
        " ORDER BY t.sort_order", [zhang["id"]])]
    assert tags == ["独居老人", "低保户"]
    events = ledger.query("SELECT event, on_date, note FROM resident_status_events WHERE resident_id = ?",
                          [zhang["id"]])
    assert events == [{"event": "迁入", "on_date": "2026-10-15", "note": "导入（迁入日期不详）"}]
    # Found by the search box at once (the index H1 maintains).
    rows, _ = search_page(ledger, ResidentFilter(text="张三"))
    assert [r["name"] for r in rows] == ["张三"]
    rows, _ = search_page(ledger, ResidentFilter(text=ID_A[-6:]))
    assert [r["name"] for r in rows] == ["张三"]
    # Audited, with masked ID numbers only.
    audit_text = " ".join(r["new_value"] or "" for r in ledger.query("SELECT new_value FROM audit_log"))
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'residents' AND action = '导入'") == 8
    assert ID_A not in audit_text and f"{ID_A[:6]}********{ID_A[-4:]}" in audit_text
    assert ledger.scalar("SELECT COUNT(*) FROM residents WHERE name IN ('李四', '周九', '陈三', '褚四')") == 0


def test_status_dates_address_and_unknown_values(ledger, tmp_path):
    header = ["姓名", "身份证号", "手机", "住址", "所属网格", "人员状态", "变动日期", "迁入日期", "民族", "政治面貌",
              "特殊人群", "人口类型"]
    rows = [["甲", person_id(20), "13800000020", "幸福小区3号楼2单元301室", "第二网格", "迁出", "2024.5.6",
             "2010年3月7日", "汉", "党员", "党员、不存在的标签", "外来"],
            ["乙", person_id(21), "13800000021", "幸福小区3号楼2单元301室", "第二网格", "死亡", None, None,
             "火星族", "群众", None, "户籍"],
            ["丙", person_id(22), "138000", "某某街道", "第二网格", "在册", None, "2099-1-1", None, None, None, None]]
    path = ledger_book(tmp_path / "h.xlsx", {"S": rows}, header=header, title=None)
    plan, summary = import_file(ledger, path, SPEC)
    first, second, third = plan.outcomes
    assert first.status == "warning"
    assert first.messages == ["标签“不存在的标签”不在标签列表中，已忽略（可在设置中添加后重新导入）"]
    assert first.data["place"] == (None, "第二网格", "幸福小区", "3号楼", "2单元", "301")
    assert (first.data["status"], first.data["status_date"], first.data["moved_in_on"]) == (
        "迁出", "2024-05-06", "2010-03-07")
    assert (first.data["ethnicity"], first.data["political_status"], first.data["residence_type"]) == (
        "汉族", "中共党员", "流动人口")
    assert second.messages == ["民族“火星族”不是有效的民族名称，已留空",
                               "人员状态为死亡但没有变动日期，已按导入当天 2026-10-15 记录"]
    assert third.messages == ["联系电话有误：手机号应为11位，现在是6位。（电话已留空）",
                              "迁入日期 2099-01-01 晚于今天，已留空",
                              "缺少楼栋，未关联到户"]
    events = ledger.query("SELECT r.name, e.event, e.on_date FROM resident_status_events e"
                          " JOIN residents r ON r.id = e.resident_id ORDER BY e.id")
    assert [(e["name"], e["event"], e["on_date"]) for e in events] == [
        ("甲", "迁入", "2010-03-07"), ("甲", "迁出", "2024-05-06"),
        ("乙", "迁入", "2026-10-15"), ("乙", "死亡", "2026-10-15"), ("丙", "迁入", "2026-10-15")]
    assert summary.imported == 3


def test_one_head_per_household(ledger, tmp_path):
    rows = [row(1, "户主甲", id_number=person_id(30), room="101"),
            row(2, "户主乙", id_number=person_id(31), room="101")]
    path = ledger_book(tmp_path / "heads.xlsx", {"S": rows})
    plan, _ = import_file(ledger, path, SPEC)
    assert plan.outcomes[1].messages == ["本文件第 4 行已是该户户主，本行的与户主关系已留空，请核对"]
    assert ledger.scalar("SELECT COUNT(*) FROM residents WHERE relation = '户主'") == 1
    # Importing another head for that household later keeps the ledger's head.
    again = ledger_book(tmp_path / "heads2.xlsx", {"S": [row(1, "户主丙", id_number=person_id(32), room="101")]})
    plan, _ = import_file(ledger, again, SPEC)
    assert plan.outcomes[0].messages == ["该户在台账中已有户主“户主甲”，本行的与户主关系已留空，请核对"]


def test_grid_hierarchy_reused_and_other_communities_created(ledger, tmp_path):
    household = grids.ensure_place(ledger, grids.Place(None, "第一网格", "1号楼", "1单元", "101"))
    header = ["姓名", "身份证号", "电话", "社区", "网格", "楼栋", "单元", "房号", "与户主关系"]
    rows = [["甲", person_id(40), "13800000040", None, "第一网格", "1号楼", "1单元", "101", "配偶"],
            ["乙", person_id(41), "13800000041", "和平社区", "第一网格", "1号楼", "1单元", "101", "户主"]]
    path = ledger_book(tmp_path / "c.xlsx", {"S": rows}, header=header)
    plan, summary = import_file(ledger, path, SPEC)
    first, second = ledger.query("SELECT household_id, grid_id FROM residents ORDER BY id")
    assert first["household_id"] == household
    assert second["household_id"] != household
    assert ledger.scalar("SELECT COUNT(*) FROM communities") == 2
    assert summary.created == {"社区": 1, "网格": 1, "楼栋": 1, "单元": 1, "户": 1}


# -- one transaction: crash and cancel ------------------------------------------------------------

def _many(tmp_path, n=60):
    rows = [row(i, f"居民{chr(0x4e00 + i)}", id_number=person_id(i), room=str(100 + i // 3)) for i in range(1, n + 1)]
    return ledger_book(tmp_path / "many.xlsx", {"S": rows})


def test_crash_part_way_leaves_the_ledger_exactly_as_before(ledger_path, tmp_path, monkeypatch, clock):
    from models.core.db import Operator
    from models.ledger import open_db

    ledger = open_db(ledger_path, operator=Operator("测试员"), clock=clock)
    import_file(ledger, ledger_book(tmp_path / "first.xlsx", {"S": [row(1, "原有", id_number=person_id(499))]}),
                SPEC)
    before = _tables(ledger)
    real = residents_writer.token_rows
    calls = {"n": 0}

    def failing(*args):              # called once per resident written
        calls["n"] += 1
        if calls["n"] > 45:
            raise RuntimeError("模拟断电")
        return real(*args)

    monkeypatch.setattr(residents_writer, "token_rows", failing)
    monkeypatch.setattr(residents_writer, "BATCH", 10)
    with pytest.raises(RuntimeError, match="模拟断电"):
        import_file(ledger, _many(tmp_path), SPEC)
    assert calls["n"] == 46
    assert _tables(ledger) == before
    ledger.close()
    reopened = open_db(ledger_path, create=False)
    assert _tables(reopened) == before
    reopened.close()


def test_cancel_writes_nothing(ledger, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 5)
    before = _tables(ledger)
    seen = []

    def progress(done, total, label):
        seen.append((done, label))

    plan = analyse(ledger, _many(tmp_path), SPEC)
    with pytest.raises(importing.ImportCancelled) as cancelled:
        execute(ledger, plan, progress=progress, is_cancelled=lambda: len(seen) > 6)
    assert isinstance(cancelled.value, Cancelled)   # the window's operations stop quietly on it
    assert any(label == "正在写入" and done > 0 for done, label in seen)
    assert _tables(ledger) == before
    assert not ledger.conn.in_transaction
    assert importing.ImportSummary(cancelled=True).lines() == ["导入已取消，台账没有任何改动。"]


@pytest.mark.parametrize("counts, said", [
    ({"imported": 3, "warnings": 2}, "其中 2 条带有警告（已导入，请核对）。"),
    ({"imported": 3, "warnings": 2, "dry_run": True}, "其中 2 条带有警告，请核对。"),
    ({"skipped": 8, "warnings": 3}, "其中 3 条带有警告，请核对。"),        # re-imported: nothing written
    ({"imported": 1, "skipped": 2, "warnings": 3}, "其中 3 条带有警告，请核对。"),
])
def test_the_summary_says_imported_only_when_it_was(counts, said):
    assert importing.ImportSummary(**counts).lines()[1] == said


def test_an_import_is_an_operation_that_changes_everything(ledger, clerk_file):
    plan = analyse(ledger, clerk_file, SPEC)
    changes = execute.op(ledger, plan)
    assert changes == Changes.of("*")   # grids, households … as well as residents: every page refreshes
    assert isinstance(changes.result, importing.ImportSummary) and changes.result.imported > 0
    assert execute.permissions == ("records.edit",)


def test_a_supervisor_may_not_import_and_nothing_is_read(ledger, clerk_file, monkeypatch):
    plan = analyse(ledger, clerk_file, SPEC)
    before = _tables(ledger)
    ledger.operator = Operator("赵督导", role="督导员")
    monkeypatch.setattr(importing, "analyse", lambda *a, **k: pytest.fail("the file was read"))
    with pytest.raises(PermissionDenied, match="只有管理员、工作人员或网格员可以修改台账"):
        import_file(ledger, clerk_file, SPEC)
    with pytest.raises(PermissionDenied):
        execute(ledger, plan)
    assert _tables(ledger) == before
    monkeypatch.undo()
    assert import_file(ledger, clerk_file, SPEC, dry_run=True)[1].dry_run   # checking a file: allowed


def test_cancel_while_reading(ledger, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 5)
    with pytest.raises(importing.ImportCancelled):
        analyse(ledger, _many(tmp_path), SPEC, is_cancelled=lambda: True)


# -- people already in the ledger ---------------------------------------------------------------

def test_existing_people_skipped_or_updated(ledger, tmp_path):
    import_file(ledger, ledger_book(tmp_path / "a.xlsx", {"S": [row(1, "张三", id_number=ID_A),
                                                               row(2, "李四", "女", ID_B)]}), SPEC)
    changed = ledger_book(tmp_path / "b.xlsx", {"S": [row(1, "张三", id_number=ID_A, phone="13900000009"),
                                                      row(2, "李四", "女", ID_B, room="777"),
                                                      row(3, "王五", id_number=person_id(3))]})
    plan, summary = import_file(ledger, changed, SPEC)
    assert [o.notes for o in plan.outcomes] == [["台账中已有此人（身份证号相同）"]] * 2 + [[]]
    assert (summary.imported, summary.skipped, summary.updated) == (1, 2, 0)
    assert ledger.scalar("SELECT phone FROM residents WHERE id_number = ?", [ID_A]) == "13800000000"

    plan, summary = import_file(ledger, changed, SPEC, update=True)
    assert (summary.imported, summary.skipped, summary.updated) == (0, 1, 2)     # 王五: nothing to change
    assert ledger.scalar("SELECT phone FROM residents WHERE id_number = ?", [ID_A]) == "13900000009"
    li = ledger.query("SELECT household_id, grid_id FROM residents WHERE id_number = ?", [ID_B])[0]
    assert grids.household_label(ledger, li["household_id"]) == "1号楼1单元777"
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 3
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE action = '修改' AND table_name = 'residents'") == 2
    # (王五 was unchanged: update_resident writes nothing, not even an audit row)


def test_dry_run_counts_without_writing(ledger, clerk_file):
    before = _tables(ledger)
    plan, summary = import_file(ledger, clerk_file, SPEC, dry_run=True)
    assert summary.dry_run and summary.imported == 8 and summary.rejected == 5
    assert _tables(ledger) == before


# -- round trip: export → import gives the same people ------------------------------------------

@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_export_then_import(ledger, tmp_path, clock, suffix):
    exporting = pytest.importorskip("models.residents.export")
    from models.core.db import Operator
    from models.ledger import open_db

    source = ledger_book(tmp_path / "src.xlsx", {"S": [
        row(1, "张三", id_number=ID_A, tags="独居老人", moved_in="2015-03-07"),
        row(2, "李四", "女", ID_B, relation="配偶", room="101", political="中共党员"),
        row(3, "王五", id_number=None, phone="0551-1234567", kind="流动人口"),
    ]})
    import_file(ledger, source, SPEC)
    out = tmp_path / f"export{suffix}"
    exporting.export_residents(ledger, out, full_ids=True)
    fresh = open_db(None, operator=Operator("测试员"), clock=clock, community_name="幸福社区")
    plan, summary = import_file(fresh, out, SPEC)
    assert summary.rejected == 0 and summary.imported == 3

    def people(led):
        return led.query(
            "SELECT r.name, r.gender, r.id_number, r.birth_date, r.phone, r.relation, r.residence_type,"
            " r.political_status, r.status, r.moved_in_on, g.name AS grid, b.name AS building, u.name AS unit,"
            " h.room, (SELECT group_concat(t.name) FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id"
            " WHERE rt.resident_id = r.id) AS tags"
            " FROM residents r LEFT JOIN households h ON h.id = r.household_id LEFT JOIN units u ON u.id = h.unit_id"
            " LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN grids g ON g.id = h.grid_id ORDER BY r.name")

    assert people(fresh) == people(ledger)
    fresh.close()

    # A masked export cannot be imported: the clerk is told why.
    masked = tmp_path / f"masked{suffix}"
    exporting.export_residents(ledger, masked)
    plan = analyse(ledger, masked, SPEC)
    assert [o.status for o in plan.outcomes] == ["rejected", "rejected", "warning"]
    assert "已打码" in plan.outcomes[0].messages[0]


def test_update_that_the_residents_rules_refuse_becomes_a_warning(ledger, tmp_path):
    import_file(ledger, ledger_book(tmp_path / "a.xlsx", {"S": [
        row(1, "户主甲", id_number=person_id(50), room="101"),
        row(2, "成员乙", id_number=person_id(51), room="101", relation="子")]}), SPEC)
    # The file now says 成员乙 is the head, while 户主甲 still is in the ledger.
    plan, summary = import_file(ledger, ledger_book(tmp_path / "b.xlsx", {"S": [
        row(2, "成员乙", id_number=person_id(51), room="101", relation="户主")]}), SPEC, update=True)
    assert plan.outcomes[0].status == "warning"
    assert "已有户主“户主甲”" in plan.outcomes[0].messages[0]
    assert (summary.updated, summary.skipped) == (0, 1) and ledger.scalar(
        "SELECT relation FROM residents WHERE id_number = ?", [person_id(51)]) == "子"


def test_birth_date_column_used_without_id(ledger, tmp_path):
    header = ["姓名", "出生日期", "电话", "网格", "楼栋", "房号"]
    path = ledger_book(tmp_path / "b.xlsx", {"S": [["甲", dt.datetime(1960, 5, 4), "13800000000", "一", "1", "1"],
                                                   ["乙", "1960年5月", "13800000001", "一", "1", "2"]]},
                       header=header)
    plan = analyse(ledger, path, SPEC)
    assert plan.outcomes[0].data["birth_date"] == "1960-05-04"
    assert plan.outcomes[1].messages[1].startswith("出生日期“1960年5月”不是有效的日期")


@pytest.mark.parametrize("cell, expected, status", [
    (float(LEGACY_15), LEGACY_18, "ok"),             # a 15-digit number survives Excel's float
    (float(ID_A), None, "rejected"),                 # 18 digits as a float: the tail is lost
    (int(ID_A), None, "rejected"),                   # an 18-digit number cell comes back as a float
    (ID_A[:3] + chr(ord(ID_A[3]) + 0xFEE0) + ID_A[4:], ID_A, "ok"),   # one full-width digit
    (" " + ID_A[:6] + "\u3000" + ID_A[6:] + " ", ID_A, "ok"),        # ideographic space inside
])
def test_numeric_and_odd_id_cells(ledger, tmp_path, cell, expected, status):
    path = ledger_book(tmp_path / "n.xlsx", {"S": [row(1, "张三", id_number=cell)]})
    [outcome] = analyse(ledger, path, SPEC).outcomes
    assert outcome.status == status
    if expected:
        assert outcome.data["id_number"] == expected


@pytest.mark.parametrize("id_number, phone, status, stored_id, stored_phone, message", [
    ("110101196002071000", "13800000000", "warning", "110101196002071000", "13800000000",
     "身份证号 110101********1000 尾号为000，可能被Excel改动过，请核对"),
    ("\ufeff" + ID_A[:6] + "\u200b" + ID_A[6:], "13800000000", "ok", ID_A, "13800000000", None),
    ("11010519491231٠٠٢X", "13800000000", "rejected", None, "13800000000",
     "身份证号有误：身份证号中有非标准的数字字符（如阿拉伯文、其他文字的数字或带圈数字），请用0-9重新录入。"),
    (ID_A, "14012345678", "warning", ID_A, "14012345678", "联系电话：手机号“14012345678”的号段140不在已知的号段中，请核对。"),
    (ID_A, "+86 (0)532 25670904", "ok", ID_A, "0532-25670904", None),
    (ID_A, "0086", "warning", ID_A, "", "联系电话有误：电话号码“0086”不完整：区号或国家代码后面没有号码。（电话已留空）"),
])
def test_warnings_of_the_id_and_phone_checks_reach_the_row(ledger, tmp_path, id_number, phone, status, stored_id,
                                                            stored_phone, message):
    path = ledger_book(tmp_path / "w.xlsx", {"S": [row(1, "张三", None, id_number=id_number, phone=phone)]})
    [outcome] = analyse(ledger, path, SPEC).outcomes
    assert outcome.status == status
    assert outcome.messages == ([message] if message else [])
    if status != "rejected":
        assert (outcome.data["id_number"], outcome.data["phone"]) == (stored_id, stored_phone)


def _indexes(ledger) -> list[tuple]:
    return ledger.conn.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()


@pytest.mark.parametrize("threshold", [1, 10 ** 9], ids=["indexes-rebuilt", "indexes-kept"])
def test_a_big_import_rebuilds_indexes_and_writes_the_same(ledger, tmp_path, monkeypatch, threshold):
    """From DEFER_INDEXES_FROM new people on, the secondary indexes of the filled tables are
    dropped and created again at the end: the same indexes afterwards, the same rows, the
    search finds the imported people (its index is filled row by row, never dropped)."""
    import_file(ledger, ledger_book(tmp_path / "first.xlsx", {"S": [row(1, "原有", id_number=person_id(499))]}),
                SPEC)
    indexes = _indexes(ledger)
    monkeypatch.setattr(residents_writer, "DEFER_INDEXES_FROM", threshold)
    plan, summary = import_file(ledger, _many(tmp_path), SPEC)
    assert summary.imported == len(plan.accepted()) > 40
    assert _indexes(ledger) == indexes
    assert ledger.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    people = ledger.query("SELECT id, name, id_number FROM residents WHERE name <> '原有' ORDER BY id")
    assert len(people) == summary.imported
    for person in people[::7]:
        found, _ = search_page(ledger, ResidentFilter(text=person["id_number"][-6:]))
        assert person["id"] in [r["id"] for r in found]
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'residents' AND action = '导入'") \
        == summary.imported + 1
    assert ledger.scalar("SELECT COUNT(*) FROM residence_spells") == summary.imported + 1
    # the queries that lean on the rebuilt indexes use them again
    plan_text = " ".join(r[3] for r in ledger.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM residents WHERE name = ? ORDER BY id", ["原有"]))
    assert "residents_name" in plan_text


def test_deferred_indexes_keep_a_table_larger_than_the_import(ledger):
    """A table already holding as many rows as are coming keeps its indexes (only a table
    that the import at least doubles is worth rebuilding)."""
    with ledger.write():
        conn = ledger.conn
        audit_rows = ledger.scalar("SELECT COUNT(*) FROM audit_log")
        with residents_writer.deferred_indexes(conn, rows_coming=max(audit_rows, 1),
                                               tables=("residents", "audit_log"), at_least=1):
            seen = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "residents_name" not in seen                       # empty table: dropped
        assert ("audit_log_at" in seen) == (audit_rows >= 1)      # as many rows as coming: kept
        assert "sqlite_autoindex_residents_1" in seen             # UNIQUE (id_number) always stays
    assert "residents_name" in {r[0] for r in ledger.conn.execute("SELECT name FROM sqlite_master")}


def test_deferred_indexes_keep_the_named_ones_and_small_loads_drop_nothing(ledger):
    def indexes():
        return {r[0] for r in ledger.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}

    with ledger.write():
        with residents_writer.deferred_indexes(ledger.conn, 10, ("residents",), keep=("residents_name",),
                                               at_least=1):
            seen = indexes()
        assert "residents_name" in seen and "residents_gender" not in seen
        with residents_writer.deferred_indexes(ledger.conn, 10, ("residents",), at_least=11):
            assert "residents_gender" in indexes()         # fewer rows than at_least: nothing dropped


def test_a_crash_inside_a_bulk_import_brings_the_indexes_back(ledger, tmp_path, monkeypatch):
    indexes = _indexes(ledger)
    monkeypatch.setattr(residents_writer, "DEFER_INDEXES_FROM", 1)
    monkeypatch.setattr(residents_writer, "BATCH", 10)
    real = residents_writer.token_rows
    calls = {"n": 0}

    def failing(*args):
        calls["n"] += 1
        if calls["n"] > 25:
            raise RuntimeError("模拟断电")
        return real(*args)

    monkeypatch.setattr(residents_writer, "token_rows", failing)
    with pytest.raises(RuntimeError, match="模拟断电"):
        import_file(ledger, _many(tmp_path), SPEC)
    assert _indexes(ledger) == indexes
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 0


def test_a_retired_tag_is_not_given_to_new_people_but_stays_with_those_who_have_it(ledger, tmp_path):
    """停用 tags (设置 → 人员标签) are kept by the residents who have them and given to nobody
    else, as the resident form does: an import does the same."""
    from models.core import lists

    import_file(ledger, ledger_book(tmp_path / "a.xlsx", {"S": [
        row(1, "老张", id_number=person_id(60), tags="独居老人、低保户")]}), SPEC)
    lists.retire_tag(ledger, ledger.scalar("SELECT id FROM tags WHERE name = '独居老人'"))
    plan, summary = import_file(ledger, ledger_book(tmp_path / "b.xlsx", {"S": [
        row(1, "老张", id_number=person_id(60), tags="独居老人、低保户", phone="13900000001"),
        row(2, "小王", id_number=person_id(61), tags="独居老人、低保户")]}), SPEC, update=True)
    assert (summary.imported, summary.updated) == (1, 1)

    def tags_of(number):
        return sorted(r[0] for r in ledger.conn.execute(
            "SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id JOIN residents r"
            " ON r.id = rt.resident_id WHERE r.id_number = ?", [number]))

    assert tags_of(person_id(60)) == ["低保户", "独居老人"]          # kept by the one who had it
    assert tags_of(person_id(61)) == ["低保户"]                      # not given to a new resident
    new_row = plan.outcomes[1]
    assert new_row.status == "warning"
    assert any("“独居老人”已停用" in m for m in new_row.messages), new_row.messages
    assert plan.outcomes[0].status == "ok", plan.outcomes[0].messages


def test_someone_who_may_not_see_重点人员_tags_does_not_set_them_by_import(ledger, tmp_path):
    """The resident form lets nobody set a sensitive tag they may not see (issue 10); nor does an import."""
    grid = grids.ensure_grid(ledger, grids.ensure_community(ledger, None), "第一网格")
    ledger.operator = Operator("网格员甲", role="网格员", grid_ids=(grid,))
    plan, summary = import_file(ledger, ledger_book(tmp_path / "a.xlsx", {"S": [
        row(1, "老李", id_number=person_id(70), tags="社区矫正、低保户")]}), SPEC)
    assert summary.imported == 1
    tags = [r[0] for r in ledger.conn.execute(
        "SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id")]
    assert tags == ["低保户"]
    messages = plan.outcomes[0].messages
    assert any("社区矫正" not in m and "无权设置" in m for m in messages), messages   # the tag is not echoed


def test_a_person_without_an_id_number_is_found_again_by_name_and_household(ledger, tmp_path):
    """Re-importing the same sheet once added everyone without an ID number again (and the copy of
    a 户主 lost the relation): such a row is the person of the same name in the same household who
    has no ID number either."""
    book = ledger_book(tmp_path / "a.xlsx", {"居民": [
        row(1, "张三", id_number=person_id(1960)), row(2, "李四", room="101", relation="配偶"),
        row(3, "王小五", room="102"), row(4, "王小五", room="103", relation="子"),
    ]})
    plan, summary = import_file(ledger, book, SPEC)
    assert summary.imported == 4
    plan, summary = import_file(ledger, book, SPEC)
    assert (summary.imported, summary.skipped) == (0, 4)
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 4
    assert any("同户同名" in n for o in plan.outcomes for n in o.notes)
    changed = ledger_book(tmp_path / "b.xlsx", {"居民": [row(2, "李四", room="101", relation="配偶",
                                                          phone="13900000002")]})
    plan, summary = import_file(ledger, changed, SPEC, update=True)
    assert (summary.imported, summary.updated) == (0, 1)
    assert ledger.scalar("SELECT phone FROM residents WHERE name = '李四'") == "13900000002"
    # another household, or a person with an ID number: a new resident as before
    other = ledger_book(tmp_path / "c.xlsx", {"居民": [row(5, "李四", room="104")]})
    assert import_file(ledger, other, SPEC)[1].imported == 1


def test_update_counts_only_the_people_it_changed(ledger, tmp_path):
    """'--update' once said 更新 387 条 for a file that changed nobody."""
    rows = [row(1, "张三", id_number=person_id(1960)), row(2, "李四", id_number=person_id(1961), room="101",
                                                         relation="配偶")]
    book = ledger_book(tmp_path / "a.xlsx", {"居民": rows})
    import_file(ledger, book, SPEC)
    audits = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    summary = import_file(ledger, book, SPEC, update=True)[1]
    assert (summary.updated, summary.skipped) == (0, 2)
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == audits       # nothing written at all
    rows[1][5] = "13900000002"
    summary = import_file(ledger, ledger_book(tmp_path / "b.xlsx", {"居民": rows}), SPEC, update=True)[1]
    assert (summary.updated, summary.skipped) == (1, 1)


def test_a_grid_the_ledger_lacks_is_announced_on_its_first_row(ledger, tmp_path):
    """A typo (第9网格 for 第九网格) silently made a new grid, which then stood in every ranking; the
    summary page was the only place that said so."""
    import_file(ledger, ledger_book(tmp_path / "a.xlsx", {"S": [row(1, "张三", id_number=person_id(1960)),
                                                                row(2, "李四", id_number=person_id(1961))]}), SPEC)
    first = ledger_book(tmp_path / "b.xlsx", {"S": [
        row(3, "王五", id_number=person_id(1962), grid="第9网格"), row(4, "赵六", id_number=person_id(1963), grid="第9网格"),
        row(5, "钱七", id_number=person_id(1964))]})
    plan = analyse(ledger, first, SPEC)
    new_grid = [m for o in plan.outcomes for m in o.messages if "第9网格" in m]
    assert new_grid == ["网格“第9网格”台账中还没有，将新建（若是笔误，请改成已有的网格名称后再导入）"]
    assert plan.outcomes[0].status == "warning" and plan.outcomes[1].status == "ok"
    # a rejected first row creates nothing: the warning goes to the first row that will
    rejected_first = ledger_book(tmp_path / "c.xlsx", {"S": [
        row(3, "王五", id_number=person_id(1962)[:-1] + ("0" if person_id(1962)[-1] != "0" else "1"), grid="第9网格"),
        row(4, "赵六", id_number=person_id(1963), grid="第9网格")]})
    plan = analyse(ledger, rejected_first, SPEC)
    assert plan.outcomes[0].status == "rejected"
    assert [m for m in plan.outcomes[0].messages if "第9网格" in m] == []
    assert any("第9网格" in m for m in plan.outcomes[1].messages)


def test_the_first_import_into_an_empty_ledger_creates_its_grids_without_warnings(ledger, tmp_path):
    plan = analyse(ledger, ledger_book(tmp_path / "a.xlsx", {"S": [row(1, "张三", id_number=person_id(1960))]}),
                   SPEC)
    assert plan.outcomes[0].status == "ok" and plan.outcomes[0].notes == []
