"""models.residents.export: the residents export honours the filter, masks, audits, cancels cleanly."""

import csv
import json

import openpyxl
import pytest

from models.residents import records as R
from models.core.errors import ValidationError
from models.core.tabular import ExportCancelled
from models.residents.export import export_residents
from models.residents.records import ResidentFilter
from tests.models.helpers_residents import household, person_id


@pytest.fixture
def two_grids(ledger):
    h1 = household(ledger)
    h2 = household(ledger, room="101", building="9号楼", grid="第二网格")
    a = R.add_resident(ledger, {"name": "张三", "household_id": h1, "id_number": person_id(),
                                "phone": "13812345678", "tags": ["党员", "社区矫正"]})
    b = R.add_resident(ledger, {"name": "李四", "household_id": h2, "id_number": person_id(1990)})
    return a, b


def _csv(path):
    """The rows under the header (the first line is the export's title)."""
    lines = path.open(encoding="utf-8-sig")
    next(lines)
    return list(csv.DictReader(lines))


def _title(path):
    return next(csv.reader(path.open(encoding="utf-8-sig")))[0]


def test_filter_and_sensitive_tags(ledger, two_grids, tmp_path):
    grid2 = ledger.scalar("SELECT id FROM grids WHERE name = '第二网格'")
    out = tmp_path / "g2.csv"
    assert export_residents(ledger, out, ResidentFilter(grid_id=grid2)) == 1
    assert [r["姓名"] for r in _csv(out)] == ["李四"]
    assert "筛选：网格：第二网格" in _title(out) and "共 1 人" in _title(out)
    out = tmp_path / "all.csv"
    assert export_residents(ledger, out) == 2
    assert _csv(out)[0]["特殊人群"] == "党员"
    assert export_residents(ledger, out, ResidentFilter(include_sensitive=True)) == 2
    assert _csv(out)[0]["特殊人群"] == "党员、社区矫正"


def test_masked_by_default_full_when_asked_and_audited(ledger, two_grids, tmp_path):
    number = R.get_resident(ledger, two_grids[0])["id_number"]
    out = tmp_path / "r.xlsx"
    export_residents(ledger, out)
    ws = openpyxl.load_workbook(out).active
    assert ws["D3"].value == number[:6] + "********" + number[-4:]
    assert "身份证号已隐去中间位" in ws["A1"].value and ws["A2"].value == "姓名"
    export_residents(ledger, out, full_ids=True)
    ws = openpyxl.load_workbook(out).active
    assert ws["D3"].value == number and ws["D3"].number_format == "@"
    assert "身份证号完整" in ws["A1"].value
    actions = [(r["action"], json.loads(r["new_value"])["full_ids"])
               for r in ledger.query("SELECT action, new_value FROM audit_log WHERE action LIKE '导出%'")]
    assert actions == [("导出", False), ("导出完整身份证号", True)]


def test_cancel_leaves_no_file_and_keeps_the_old_one(ledger, two_grids, tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("旧文件", encoding="utf-8")
    with pytest.raises(ExportCancelled):
        export_residents(ledger, out, progress=lambda done, total: False)
    assert out.read_text(encoding="utf-8") == "旧文件"
    assert not list(tmp_path.glob("*.part"))


def test_wrong_extension_is_refused(ledger, tmp_path):
    with pytest.raises(ValidationError, match="xlsx"):
        export_residents(ledger, tmp_path / "r.pdf")


@pytest.mark.parametrize("flt, full_ids, shown, hidden", [
    ({}, False, ["幸福社区居民台账", "筛选：全部居民", "共 2 人", "导出：2026-10-15 09:30", "测试员"], []),
    ({"status": "在册", "residence_type": "户籍人口"}, False, ["人员状态：在册", "人口类型：户籍人口"], []),
    ({"tag_id": "党员"}, False, ["标签：党员"], []),
    ({"building_id": "9号楼"}, False, ["楼栋：幸福家园9号楼"], []),
    ({"text": "张三"}, False, ["搜索“张三”"], []),
    ({"text": "ID"}, False, ["MASKED"], ["ID"]),     # a typed ID: masked (no more than the file's own column)
    ({"text": "ID"}, True, ["ID"], []),
    ({"text": "很长" * 40}, False, ["搜索“" + "很长" * 15 + "…”"], ["很长" * 16]),
    # written the other ways the search reads: full-width, in groups (the title once showed them whole)
    ({"text": "FULLWIDTH"}, False, [], ["FULLWIDTH", "ID"]),
    ({"text": "GROUPED"}, False, [], ["GROUPED", "BIRTH"]),
    ({"text": "135 3710 5109"}, False, ["135****5109"], ["3710"]),
])
def test_the_title_line_says_what_the_file_holds(ledger, two_grids, tmp_path, flt, full_ids, shown, hidden):
    number = R.get_resident(ledger, two_grids[0])["id_number"]
    if flt.get("text") == "ID":
        flt = {"text": number}
        shown = [s.replace("ID", number).replace("MASKED", f"搜索“**{number[2:6]}********{number[-4:]}”")
                 for s in shown]
        hidden = [number, number[6:14]] if hidden else []
    elif flt.get("text") in ("FULLWIDTH", "GROUPED"):
        typed = (number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")) if flt["text"] == "FULLWIDTH"
                 else f"{number[:6]} {number[6:14]} {number[14:]}")
        hidden = [typed, number, number[6:14], number[10:14]]
        flt = {"text": typed}
    if "tag_id" in flt:
        flt = {"tag_id": ledger.scalar("SELECT id FROM tags WHERE name = ?", [flt["tag_id"]])}
    if "building_id" in flt:
        flt = {"building_id": ledger.scalar("SELECT id FROM buildings WHERE name = ?", [flt["building_id"]])}
    out = tmp_path / "r.csv"
    export_residents(ledger, out, ResidentFilter(**flt), full_ids=full_ids)
    title = _title(out)
    for part in shown:
        assert part in title
    for part in hidden:
        assert part not in title
