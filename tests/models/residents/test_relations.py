"""Relations to the 户主 that the ages make unlikely: a warning (issue 13), tested as a table."""

import pytest

from models.grids import hierarchy as grids_model
from models.residents import records as residents_model
from models.residents.relations import AGE_RULES, implausible_relation
from tests.ui.ui_helpers import make_id


@pytest.mark.parametrize("relation, birth, head_birth, warned", [
    ("子", "1972-05-01", "1979-03-01", "比户主张三（1979年生）大7岁"),    # the case seen
    ("子", "2005-05-01", "1979-03-01", None),
    ("女", "1985-01-01", "1979-03-01", "小6岁"),
    ("父亲", "1950-01-01", "1979-03-01", None),
    ("母亲", "1975-01-01", "1979-03-01", "大4岁"),
    ("孙子", "2000-01-01", "1960-01-01", None),
    ("孙女", "1980-01-01", "1960-01-01", "小20岁"),
    ("祖父", "1960-01-01", "1979-01-01", "大19岁"),
    ("配偶", "1940-01-01", "1979-01-01", None),          # no rule: never warned
    ("子", None, "1979-01-01", None),                     # an unknown birth date: nothing to say
    ("子", "1979-01-01", "1979-01-01", "同龄"),
])
def test_implausible_relations(relation, birth, head_birth, warned):
    message = implausible_relation(relation, birth, "张三", head_birth)
    if warned is None:
        assert message is None
    else:
        assert warned in message and f"“{relation}”" in message and "请核对" in message


def test_every_rule_names_a_relation_of_the_list():
    assert set(AGE_RULES) <= set(residents_model.RELATIONS)


def test_the_resident_rules_warn_and_still_save(ledger):
    household = grids_model.ensure_place(ledger, grids_model.Place(None, "第一网格", "1号楼", "1单元", "101"))
    residents_model.add_resident(ledger, {"name": "张三", "id_number": make_id("19790301", 11),
                                          "household_id": household, "relation": "户主"})
    son = {"name": "张大", "id_number": make_id("19720501", 31), "household_id": household, "relation": "子"}
    warnings = residents_model.resident_warnings(ledger, son)
    assert "大7岁" in warnings["relation"]
    new_id = residents_model.add_resident(ledger, son)        # a warning, not a refusal
    assert residents_model.get_resident(ledger, new_id)["relation"] == "子"
