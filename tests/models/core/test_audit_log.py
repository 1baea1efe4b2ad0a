"""The audit log: append-only, masked, and read a page at a time with the 操作日志 page's filters."""

import json
import sqlite3

import pytest
import sqlite_utils
from python_calamine import CalamineWorkbook

from models.core import audit_log as A
from models.core.db import Operator
from models.core.errors import ValidationError
from models.core.permissions import PermissionDenied
from models.core.idcard import make_id
from models.core.masking import mask_audit_value, mask_phone, mask_text
from models.ledger import migrate, open_db

NUMBER = make_id("340104", __import__("datetime").date(1961, 2, 3), 11)


def _write(ledger, action="修改", table="residents", row_id=1, old=None, new=None, operator=None):
    if operator:
        ledger.operator = Operator(operator)
    with ledger.write():
        ledger.audit(action, table, row_id, old, new)


# -- append-only ---------------------------------------------------------------------------------
def test_the_ledger_refuses_to_update_or_delete_audit_rows(ledger):
    _write(ledger, new={"name": "张三"})
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        ledger.conn.execute("UPDATE audit_log SET operator = '别人'")
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        ledger.conn.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        ledger.conn.execute("INSERT OR REPLACE INTO audit_log (id, at, operator, action, table_name)"
                            " SELECT id, at, '别人', action, table_name FROM audit_log")
    assert ledger.query("SELECT DISTINCT operator FROM audit_log") == [{"operator": "测试员"}]
    before = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    # appending still works
    _write(ledger, new={"name": "李四"})
    assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == before + 1


def test_migration_makes_an_old_ledger_append_only_with_its_rows_intact(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m003_audit_append_only_authui"])
    db.execute("INSERT INTO audit_log (at, operator, action, table_name, row_id, new_value)"
               " VALUES ('2026-01-02 08:00:00', '老王', '新增', 'residents', 7, '{\"name\": \"张三\"}')")
    db.execute("DELETE FROM audit_log WHERE 0")   # still allowed before the migration
    conn.commit()
    conn.close()

    led = open_db(path, operator=Operator("测试员", role="管理员"))
    assert led.query("SELECT operator, action, row_id, new_value FROM audit_log") == [
        {"operator": "老王", "action": "新增", "row_id": 7, "new_value": '{"name": "张三"}'}]
    with pytest.raises(sqlite3.IntegrityError):
        led.conn.execute("DELETE FROM audit_log")
    indexes = {r["name"] for r in led.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"audit_log_operator_at", "audit_log_action_at", "audit_log_table_at"} <= indexes
    rows, _ = A.search_page(led, A.AuditFilter(operator="老王"))
    assert [r["change"] for r in rows] == ["姓名/名称：张三"]
    led.close()


# -- masking -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("13812345678", "138****5678"),
    ("0551-7654321", "055*-***4321"),
    ("7654321", "***4321"),
    ("110", "***"),
    ("", ""),
    ("138****5678", "138****5678"),          # already masked: unchanged
])
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


def test_mask_text_finds_numbers_inside_notes():
    assert mask_text(f"身份证{NUMBER}，电话13812345678，3号楼") == (
        f"身份证{NUMBER[:6]}********{NUMBER[-4:]}，电话138****5678，3号楼")
    assert mask_text("2026-10-15 09:30:00 第3网格") == "2026-10-15 09:30:00 第3网格"


def test_mask_audit_value_by_field_and_in_text():
    value = {"id_number": NUMBER, "phone": "13812345678", "reporter_phone": "0551-7654321",
             "notes": f"电话 13900001111", "tags": ["低保户"], "rows": 3, "nested": {"身份证号": NUMBER}}
    masked = mask_audit_value(value)
    assert masked == {"id_number": NUMBER[:6] + "********" + NUMBER[-4:], "phone": "138****5678",
                      "reporter_phone": "055*-***4321", "notes": "电话 139****1111", "tags": ["低保户"],
                      "rows": 3, "nested": {"身份证号": NUMBER[:6] + "********" + NUMBER[-4:]}}
    assert mask_audit_value(masked) == masked   # idempotent


def test_every_audit_row_is_masked_whatever_the_caller_passed(ledger):
    _write(ledger, old={"phone": "13812345678"}, new={"phone": "13900001111", "id_number": NUMBER,
                                                      "notes": f"号码{NUMBER}"})
    text = json.dumps(ledger.query("SELECT old_value, new_value FROM audit_log"), ensure_ascii=False)
    assert NUMBER not in text and "13812345678" not in text and "13900001111" not in text
    assert "138****5678" in text and "139****1111" in text


# -- reading -------------------------------------------------------------------------------------
@pytest.fixture
def busy(ledger, clock):
    """A log of 250 rows over 2026-10-01..03 by three operators (after the new ledger's own rows,
    by 测试员 on 2026-10-15)."""
    for i in range(250):
        clock.set(2026, 10, 1 + i % 3, 8, 0, i % 60)
        who = ["王芳", "李强", "赵敏"][i % 3]
        _write(ledger, action="修改" if i % 5 else "删除", table="residents" if i % 2 else "matters",
               row_id=i % 7, old={"phone": "13812345678"}, new={"notes": f"第{i}次"}, operator=who)
    ledger.operator = Operator("管理员甲", role="管理员")
    return ledger


def _all_pages(ledger, flt, limit=40):
    rows, after = A.search_page(ledger, flt, limit=limit)
    out = list(rows)
    while after is not None:
        rows, after = A.search_page(ledger, flt, after=after, limit=limit)
        out += rows
    return out


def test_keyset_pages_give_every_row_once_newest_first(busy):
    rows = _all_pages(busy, A.AuditFilter())
    assert len(rows) == busy.scalar("SELECT COUNT(*) FROM audit_log") == len({r["id"] for r in rows})
    assert len([r for r in rows if r["operator"] != "测试员"]) == 250
    keys = [(r["at"], r["id"]) for r in rows]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.parametrize("flt, expected", [
    (A.AuditFilter(operator="李强"), lambda i: i % 3 == 1),
    (A.AuditFilter(action="删除"), lambda i: i % 5 == 0),
    (A.AuditFilter(table_name="matters"), lambda i: i % 2 == 0),
    (A.AuditFilter(date_from="2026-10-02", date_to="2026-10-02"), lambda i: i % 3 == 1),
    (A.AuditFilter(date_from="2026-10-03", date_to="2026-10-14"), lambda i: i % 3 == 2),
    (A.AuditFilter(date_to="2026-10-01"), lambda i: i % 3 == 0),
    (A.AuditFilter(text="第12次"), lambda i: i == 12),
    (A.AuditFilter(text="第12"), lambda i: i == 12 or 120 <= i <= 129),
    (A.AuditFilter(operator="王芳", action="删除", table_name="residents"), lambda i: i % 3 == 0 and i % 5 == 0
     and i % 2 == 1),
    (A.AuditFilter(table_name="residents", row_id=3), lambda i: i % 2 == 1 and i % 7 == 3),
])
def test_filters_find_exactly_the_matching_rows(busy, flt, expected):
    rows = _all_pages(busy, flt)
    assert sorted(int(json.loads(r["new_value"])["notes"][1:-1]) for r in rows) == [
        i for i in range(250) if expected(i)]
    assert A.count(busy, flt) == len(rows)


def test_rows_carry_the_clerks_words(busy):
    row = A.search_page(busy, A.AuditFilter(table_name="residents"), limit=1)[0][0]
    assert row["record_type"] == "居民"
    assert row["change"].startswith("电话：138****5678 → （无）；备注：")


def test_describe_change():
    assert A.describe_change('{"state": "待分派"}', '{"state": "办理中"}') == "状态：待分派 → 办理中"
    assert A.describe_change(None, '{"file": "a.xlsx", "rows": 3}') == "文件：a.xlsx；行数：3"
    assert A.describe_change('{"name": "甲"}', None) == "原值：姓名/名称：甲"
    assert A.describe_change(None, None) == ""


def test_a_records_history_oldest_first(busy):
    history = A.record_history(busy, "matters", 2)
    keys = [(r["at"], r["id"]) for r in history]
    assert keys == sorted(keys)
    assert {(r["table_name"], r["row_id"]) for r in history} == {("matters", 2)}
    assert len(history) == len([i for i in range(250) if i % 2 == 0 and i % 7 == 2])


def test_filter_choices(busy):
    choices = A.filter_choices(busy)
    assert choices.operators == sorted(["王芳", "李强", "赵敏", "测试员"])
    assert {"修改", "删除"} <= set(choices.actions)
    assert choices.actions == sorted(set(choices.actions))
    assert {("matters", "民情事项"), ("residents", "居民")} <= set(choices.record_types)


def test_bad_dates_are_refused_in_chinese(busy):
    with pytest.raises(ValidationError, match="开始日期"):
        A.search_page(busy, A.AuditFilter(date_from="2026-13-01"))


@pytest.mark.parametrize("role", ["工作人员", "网格员", "督导员"])
def test_only_an_administrator_reads_the_log(busy, role, tmp_path):
    busy.operator = Operator("某人", role=role)
    for call in (lambda: A.search_page(busy), lambda: A.record_history(busy, "matters", 1),
                 lambda: A.filter_choices(busy), lambda: A.export_audit(busy, tmp_path / "x.xlsx")):
        with pytest.raises(PermissionDenied, match="只有管理员可以查看操作日志"):
            call()
    assert not (tmp_path / "x.xlsx").exists()


def test_export_writes_the_filtered_log_masked_and_is_audited(busy, tmp_path):
    out = tmp_path / "日志.xlsx"
    flt = A.AuditFilter(operator="赵敏", date_from="2026-10-03", date_to="2026-10-03")
    assert A.export_audit(busy, out, flt) == A.count(busy, flt) == 83
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[0][0].startswith("幸福社区操作日志　2026-10-03 至 2026-10-03　操作人：赵敏　共 83 条　导出：")
    assert sheet[1] == [c.header for c in A.COLUMNS]
    body = sheet[2:]
    assert len(body) == 83 and {r[1] for r in body} == {"赵敏"}
    assert "13812345678" not in json.dumps(sheet, ensure_ascii=False)
    last = busy.query("SELECT operator, action, table_name, new_value FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert (last["operator"], last["action"], last["table_name"]) == ("管理员甲", "导出操作日志", "audit_log")
    assert json.loads(last["new_value"])["rows"] == 83


def test_export_refuses_a_wrong_format(busy, tmp_path):
    with pytest.raises(ValidationError, match="xlsx"):
        A.export_audit(busy, tmp_path / "x.pdf")


def test_text_is_matched_as_written(ledger):
    _write(ledger, new={"notes": "完成率 100%"})
    _write(ledger, new={"notes": "完成率 1000"})
    _write(ledger, new={"notes": "a_b"})
    _write(ledger, new={"notes": "axb"})
    notes = lambda flt: [json.loads(r["new_value"])["notes"] for r in A.search_page(ledger, flt)[0]]  # noqa: E731
    assert notes(A.AuditFilter(text="100%")) == ["完成率 100%"]
    assert notes(A.AuditFilter(text="a_b")) == ["a_b"]
    assert notes(A.AuditFilter(text="  完成率   100% ")) == ["完成率 100%"]


def test_a_demo_ledgers_log_names_every_field_in_chinese(tmp_path):
    """The 操作日志 of a demo ledger (its accounts, settings, the demo itself) and of a day's work
    on it (a matter registered, a 加分) shows no field key, only the clerk's words."""
    import re

    from models.demo import build_demo
    from models.evaluation import adjustments
    from models.matters import records as matters

    ledger = open_db(tmp_path / "demo.db", operator=Operator("演示管理员"), community_name="幸福社区")
    build_demo(ledger, households=20, seed=1, months=1)
    ledger.operator = Operator("王主任", role="管理员")
    grid = ledger.scalar("SELECT MIN(id) FROM grids")
    matters.register_matter.op(ledger, {"source": "来电", "category": "环境卫生", "level": "小事",
                                        "description": "垃圾未清运", "grid_id": grid})
    adjustments.add_adjustment.op(ledger, "2026-09", 1, "协助人口普查", grid_id=grid)
    from models.grids import hierarchy as grids_model
    from models.volunteers import records as volunteers

    building = ledger.scalar("SELECT MIN(id) FROM buildings WHERE grid_id = ?", [grid])
    grids_model.redivide.op(ledger, [building], "2026-10-01", new_grid_name="新网格")
    two = [r["id"] for r in ledger.query("SELECT id FROM residents ORDER BY id LIMIT 2")]
    with ledger.write():
        volunteers.add_pending_volunteer(ledger, "同名", "", tuple(two))
    ledger.operator = Operator("管理员", role="管理员")
    rows, _ = A.search_page(ledger, A.AuditFilter(), limit=100)
    assert {"登记", "新增", "网格调整", "生成演示数据"} <= {row["action"] for row in rows}
    for row in rows:
        assert not re.search(r"[A-Za-z_]+：", row["change"]), row["change"]
        if row["action"] == "生成演示数据":
            assert not re.search(r"[A-Za-z]", row["change"]), row["change"]
    ledger.close()


def test_export_title_names_the_filters_and_masks_a_typed_id(busy, tmp_path):
    out = tmp_path / "日志.csv"
    flt = A.AuditFilter(action="修改", table_name="residents", text="11010519491231002X")
    A.export_audit(busy, out, flt)
    title = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "全部日期　操作：修改　记录：居民　搜索“110105********002X”" in title
    assert "11010519491231002X" not in title
