"""Residents import synonyms (issue 15): 现住地址, 民族 as GB/T 3304 codes, 户主 blocks with
blank (not merged) address cells, 户号 as the household key."""

from __future__ import annotations

import pytest

from models.importing import import_file, load_spec
from models.residents.records import ETHNIC_CODES, ETHNICITIES, normalise_ethnicity
from tests.models.import_books import person_id, sheet_book


def test_the_ethnic_code_table_has_the_56_groups_in_gb_t_3304_order():
    assert len([c for c in ETHNIC_CODES if int(c) <= 56]) == 56
    assert [ETHNIC_CODES[f"{i:02d}"] for i in range(1, 57)] == list(ETHNICITIES[:56])
    assert (ETHNIC_CODES["01"], ETHNIC_CODES["03"], ETHNIC_CODES["56"]) == ("汉族", "回族", "基诺族")


@pytest.mark.parametrize("raw, expected", [
    ("03-回族", "回族"), ("03", "回族"), ("3", "回族"), (3, "回族"), ("03回族", "回族"), ("03 - 回族", "回族"),
    ("01-汉", "汉族"), ("1", "汉族"), ("56", "基诺族"), ("97", "其他"), ("98", "外国血统"),
    ("回族", "回族"), ("回", "回族"), ("汉族", "汉族"), ("", ""),
    ("03-汉族", "03-汉族"),       # code and name disagree: left as written (the import warns)
    ("99", "99"), ("57", "57"),   # no such code
])
def test_ethnicity_in_code_form(raw, expected):
    assert normalise_ethnicity(raw) == expected


HEADER = ["姓名", "民族", "身份证号", "联系电话", "所属网格", "现住地址", "与户主关系"]


def _import(ledger, tmp_path, rows, header=HEADER):
    path = sheet_book(tmp_path / "居民.xlsx", header, rows, title="幸福社区居民信息台账")
    return import_file(ledger, path, load_spec("residents"))


def _households(ledger) -> dict[str, str]:
    return {r["name"]: r["place"] for r in ledger.query(
        "SELECT r.name, b.compound || b.name || '/' || u.name || '/' || h.room AS place FROM residents r"
        " LEFT JOIN households h ON h.id = r.household_id LEFT JOIN units u ON u.id = h.unit_id"
        " LEFT JOIN buildings b ON b.id = h.building_id")}


def test_current_address_synonym_and_ethnic_codes(ledger, tmp_path):
    plan, summary = _import(ledger, tmp_path, [
        ["张三", "03-回族", person_id(1), "13800000001", "第一网格", "幸福小区3号楼1单元301室", "户主"],
        ["李四", "01", person_id(2), "13800000002", "第一网格", "幸福小区3号楼1单元302室", "户主"],
    ])
    assert summary.imported == 2 and plan.rejected() == []
    assert plan.layouts[0].mapping[5] == "address"
    assert _households(ledger) == {"张三": "幸福小区3号楼/1单元/301", "李四": "幸福小区3号楼/1单元/302"}
    assert {r["name"]: r["ethnicity"] for r in ledger.query("SELECT name, ethnicity FROM residents")} == \
        {"张三": "回族", "李四": "汉族"}


BLOCK = [
    # (name, relation, address) — members under a 户主 with blank address cells
    ("张三", "户主", "幸福小区3号楼1单元301室"),
    ("王芳", "配偶", ""),
    ("张小明", "子", ""),
    ("李四", "户主", "幸福小区3号楼1单元302室"),
    ("李小红", "女", ""),
    ("赵六", "其他", "幸福小区5号楼1单元101室"),    # its own address: a new block, no head
    ("赵小六", "子", ""),                          # under a non-户主 row: not filled
    ("孙七", "户主", ""),                          # a 户主 without address: nothing to fill
    ("孙小七", "子", ""),
]


def test_members_under_a_head_with_blank_address_cells_are_filled_down(ledger, tmp_path):
    rows = [[name, "汉族", person_id(10 + i), f"1380000{i:04d}", "第一网格", address, relation]
            for i, (name, relation, address) in enumerate(BLOCK)]
    plan, summary = _import(ledger, tmp_path, rows)
    assert summary.imported == len(BLOCK)
    places = _households(ledger)
    assert places["王芳"] == places["张小明"] == places["张三"] == "幸福小区3号楼/1单元/301"
    assert places["李小红"] == places["李四"] == "幸福小区3号楼/1单元/302"
    assert places["赵小六"] is None and places["孙小七"] is None and places["孙七"] is None
    assert ledger.scalar("SELECT COUNT(*) FROM households") == 3


def test_household_number_is_the_household_key(ledger, tmp_path):
    header = ["户号", "姓名", "身份证号", "联系电话", "所属网格", "楼栋", "单元", "房号", "与户主关系"]
    rows = [
        ["H001", "张三", person_id(40), "13800000040", "第一网格", "3号楼", "1单元", "301", "户主"],
        ["H002", "李四", person_id(41), "13800000041", "第一网格", "3号楼", "1单元", "302", "户主"],
        ["H001", "王芳", person_id(42), "13800000042", "", "", "", "", "配偶"],   # far from its head
        ["H002", "李小红", person_id(43), "13800000043", "", "", "", "", "女"],
        ["H001", "张小明", person_id(44), "13800000044", "第一网格", "3号楼", "1单元", "309", "子"],  # differs
    ]
    plan, summary = _import(ledger, tmp_path, rows, header=header)
    assert summary.imported == 5
    places = _households(ledger)
    assert places["王芳"] == places["张三"] == "3号楼/1单元/301"
    assert places["李小红"] == places["李四"] == "3号楼/1单元/302"
    assert places["张小明"] == "3号楼/1单元/309"
    warned = next(o for o in plan.outcomes if o.data.get("name") == "张小明")
    assert any("户号“H001”" in m for m in warned.messages), warned.messages
