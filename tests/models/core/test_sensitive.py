"""重点人员 tags and full ID numbers only for accounts with 可查看敏感信息 (issue 10), below the UI:
显示完整号码 is an audited operation; exports stay masked unless chosen, and the choice is audited
with the count of records."""

import json

import pytest

from models.core.db import Operator
from models.core.idcard import mask
from models.core.permissions import PermissionDenied
from models.residents import export as RE
from models.residents import records as R
from models.residents import search as S
from tests.models.helpers_residents import household, person_id


@pytest.fixture
def person(ledger):
    number = person_id()
    rid = R.add_resident(ledger, {"name": "赵六", "gender": "男", "id_number": number,
                                  "household_id": household(ledger), "relation": "户主",
                                  "tags": ["独居老人", "社区矫正"]})
    return {"id": rid, "number": number}


CASES = [  # operator, sees tags, sees full IDs
    (Operator("管理员甲", role="管理员"), True, True),
    (Operator("管理员乙", role="管理员", sensitive=False), False, False),
    (Operator("干事甲", role="工作人员"), False, False),
    (Operator("干事乙", role="工作人员", sensitive=True), True, True),
    (Operator("督导甲", role="督导员", sensitive=True), True, False),
    (Operator("督导乙", role="督导员"), False, False),
]


@pytest.mark.parametrize("operator,tags,full", CASES, ids=[c[0].name for c in CASES])
def test_tags_and_full_ids_follow_the_flag(ledger, person, operator, tags, full, tmp_path):
    ledger.operator = operator
    shown = R.get_resident(ledger, person["id"])["tags"]
    assert ("社区矫正" in shown) == tags and "独居老人" in shown
    rows, _ = S.search_page(ledger, S.ResidentFilter(include_sensitive=True))
    assert ("社区矫正" in rows[0]["tags"]) == tags
    assert rows[0]["id_masked"] == mask(person["number"]) and person["number"] not in json.dumps(rows)
    before = ledger.scalar("SELECT COUNT(*) FROM audit_log")
    if full:
        assert R.reveal_id_number(ledger, person["id"]) == person["number"]
        row = ledger.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")[0]
        assert (row["action"], row["operator"], row["row_id"]) == ("查看完整身份证号", operator.name, person["id"])
        assert person["number"] not in row["new_value"]
        assert RE.export_residents(ledger, tmp_path / "全.csv", full_ids=True) == 1
        assert person["number"] in (tmp_path / "全.csv").read_text(encoding="utf-8-sig")
        audit = ledger.query("SELECT new_value FROM audit_log WHERE action = '导出完整身份证号'")
        assert json.loads(audit[0]["new_value"])["rows"] == 1
    else:
        with pytest.raises(PermissionDenied):
            R.reveal_id_number(ledger, person["id"])
        with pytest.raises(PermissionDenied):
            RE.export_residents(ledger, tmp_path / "全.csv", full_ids=True)
        assert not (tmp_path / "全.csv").exists()
        assert ledger.scalar("SELECT COUNT(*) FROM audit_log") == before
    RE.export_residents(ledger, tmp_path / "脱敏.csv")
    assert person["number"] not in (tmp_path / "脱敏.csv").read_text(encoding="utf-8-sig")


def test_someone_without_the_flag_keeps_the_hidden_tags_when_editing(ledger, person):
    ledger.operator = Operator("干事甲", role="工作人员")
    R.update_resident(ledger, person["id"], {"tags": ["独居老人", "残疾人"]})
    ledger.operator = Operator("管理员甲", role="管理员")
    assert set(R.get_resident(ledger, person["id"])["tags"]) == {"独居老人", "残疾人", "社区矫正"}
    ledger.operator = Operator("干事甲", role="工作人员")
    R.update_resident(ledger, person["id"], {"tags": ["吸毒人员"]})       # cannot set one either
    ledger.operator = Operator("管理员甲", role="管理员")
    assert set(R.get_resident(ledger, person["id"])["tags"]) == {"社区矫正"}
