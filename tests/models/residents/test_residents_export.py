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
    return list(csv.DictReader(path.open(encoding="utf-8-sig")))


def test_filter_and_sensitive_tags(ledger, two_grids, tmp_path):
    grid2 = ledger.scalar("SELECT id FROM grids WHERE name = '第二网格'")
    out = tmp_path / "g2.csv"
    assert export_residents(ledger, out, ResidentFilter(grid_id=grid2)) == 1
    assert [r["姓名"] for r in _csv(out)] == ["李四"]
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
    assert ws["D2"].value == number[:6] + "********" + number[-4:]
    export_residents(ledger, out, full_ids=True)
    ws = openpyxl.load_workbook(out).active
    assert ws["D2"].value == number and ws["D2"].number_format == "@"
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
