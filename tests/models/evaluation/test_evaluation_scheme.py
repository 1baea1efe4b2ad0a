"""The 评比方案 as data: its validation table, where it is kept, and the month it applies to."""

from __future__ import annotations

import json

import pytest

from models.core.errors import ValidationError
from models.core.issuer import issuer_name
from models.evaluation import monthly, publishing
from models.evaluation.publications import scheme_for_month
from models.evaluation.scheme import (CARDS, INDICATOR_KEYS, current_scheme, default_scheme, save_scheme,
                                      validate_scheme)
from tests.models.evaluation.evaluation_builders import MONTH


def _scheme_with(**changes):
    data = default_scheme().to_dict()
    for key, value in changes.items():
        if key in ("card_points", "grades", "indicators"):
            data[key] = value
        else:
            ind_key, attr = key.split("__")
            for ind in data["indicators"]:
                if ind["key"] == ind_key:
                    ind[attr] = value
    return data


@pytest.mark.parametrize("changes, message", [
    ({"on_time__weight": 31}, "等于 100，现在是 101"),
    ({"on_time__weight": -30, "satisfaction__weight": 85}, "负数"),
    ({"on_time__weight": "三十"}, "不是数字"),
    ({"on_time__weight": ""}, "不能为空"),
    ({"on_time__weight": True}, "不能为空"),
    ({"discovery__target": 0}, "大于 0"),
    ({"volunteer__target": -5}, "大于 0"),
    ({"volunteer__target": None}, "不能为空"),
    ({"on_time__name": " "}, "名称不能为空"),
    ({"on_time__key": "speed"}, "未知的评比指标“speed”"),
    ({"indicators": default_scheme().to_dict()["indicators"] * 2}, "重复"),
    ({"indicators": []}, "没有指标"),
    ({"card_points": {"黄牌": 1, "红牌": -2}}, "不能是正数"),
    ({"card_points": {"黄牌": "一分", "红牌": -2}}, "不是数字"),
    ({"grades": [["优秀", 80], ["良好", 90], ["合格", 60]]}, "从高到低"),
    ({"grades": [["优秀", 90], ["优秀", 80]]}, "重复"),
    ({"grades": [["优秀", 90], ["不合格", 50]]}, "重复"),
    ({"grades": [["优秀", 90], ["合格", -1]]}, "负数"),
    ({"grades": [["", 90]]}, "等次名称不能为空"),
    ({"grades": [["优秀"]]}, "格式不正确"),
    ({"grades": []}, "分数线"),
    ({"indicators": default_scheme().to_dict()["indicators"][:5]}, "缺少指标"),
])
def test_scheme_validation_refuses_nonsense(changes, message):
    with pytest.raises(ValidationError, match=message):
        validate_scheme(_scheme_with(**changes))


@pytest.mark.parametrize("changes, check", [
    ({}, lambda s: s == default_scheme()),
    ({"on_time__weight": "25.5", "satisfaction__weight": 29.5},
     lambda s: (s.indicator("on_time").weight, s.indicator("satisfaction").weight) == (25.5, 29.5)),
    ({"discovery__target": "2"}, lambda s: s.indicator("discovery").target == 2.0),
    ({"card_points": {"黄牌": "-0.5"}}, lambda s: s.card_points == {"黄牌": -0.5, "红牌": 0.0}),
    ({"grades": [["甲等", 85], ["乙等", 70.5]]}, lambda s: s.grade(85) == "甲等" and s.grade(70) == "不合格"),
    ({"on_time__name": " 办结及时率 "}, lambda s: s.indicator("on_time").name == "办结及时率"),
])
def test_scheme_validation_accepts_and_normalises(changes, check):
    scheme = validate_scheme(_scheme_with(**changes))
    assert check(scheme)
    assert [ind.key for ind in scheme.indicators] == list(INDICATOR_KEYS)   # SPEC order, whatever the input's
    assert validate_scheme(scheme.to_dict()) == scheme


def test_scheme_missing_indicator_and_roundtrip(ledger):
    data = default_scheme().to_dict()
    data["indicators"] = data["indicators"][:5]
    data["indicators"][0]["weight"] = 35
    with pytest.raises(ValidationError, match="缺少指标：台账完整率"):
        validate_scheme(data)
    ok = _scheme_with(on_time__weight=25.5, satisfaction__weight=29.5, discovery__target=2)
    saved = save_scheme(ledger, ok)
    assert validate_scheme(saved.to_dict()) == saved == current_scheme(ledger)
    assert saved.indicator("discovery").target == 2.0
    assert any("目标 2" in line for line in saved.describe())


def test_describe_names_every_indicator_card_and_grade():
    lines = default_scheme().describe()
    assert lines[0] == "1. 按期办结率（30 分）"
    assert lines[3] == "4. 问题发现（10 分）：目标 1 件/百户，达到目标得满分"
    assert lines[6] == "督办：黄牌 -1 分，红牌 -2 分（计入发牌当月所在网格）"
    assert lines[7] == "年度等次：优秀 ≥ 90，良好 ≥ 80，合格 ≥ 60，其余为不合格"


def test_card_points_are_kept_once_in_the_scheme(ledger, october):
    data = default_scheme().to_dict()
    data["card_points"] = {"黄牌": -1.5, "红牌": -3}
    save_scheme(ledger, data)
    assert current_scheme(ledger).card_points == {"黄牌": -1.5, "红牌": -3.0}
    assert ledger.get_setting("card_points") is None   # no second copy
    assert monthly.evaluate(ledger, MONTH).grid(october["A"]).total == 66.75
    items = [a for a in monthly.evaluate(ledger, MONTH).grid(october["A"]).adjustment_items if a.source == "督办"]
    assert [(a.points, a.reason[:4]) for a in items] == [(-1.5, "督办黄牌")]
    assert set(CARDS) == set(current_scheme(ledger).card_points)


def test_published_month_keeps_its_scheme(ledger, october):
    publishing.publish(ledger, MONTH)
    data = default_scheme().to_dict()
    data["indicators"][0]["weight"] = 20
    data["indicators"][1]["weight"] = 35
    save_scheme(ledger, data)
    assert scheme_for_month(ledger, MONTH).indicator("on_time").weight == 30
    assert publishing.diff_against_published(ledger, MONTH) == []
    assert scheme_for_month(ledger, "2026-09").indicator("on_time").weight == 20
    stored = json.loads(ledger.scalar("SELECT scheme FROM evaluation_publications"))
    assert stored["indicators"][0]["weight"] == 30


def test_save_scheme_stores_the_issuer_with_the_scheme_or_nothing(ledger):
    data = default_scheme().to_dict()
    data["indicators"][0]["weight"] = 31
    data["indicators"][1]["weight"] = 24
    with pytest.raises(ValidationError, match="不能为空"):
        save_scheme(ledger, data, issuer=" ")
    assert current_scheme(ledger).indicator("on_time").weight == 30  # the scheme was not stored either
    save_scheme(ledger, data, issuer="幸福社区党群服务中心")
    assert current_scheme(ledger).indicator("on_time").weight == 31
    assert issuer_name(ledger) == "幸福社区党群服务中心"
    save_scheme(ledger, default_scheme())  # no issuer given: left as it is
    assert issuer_name(ledger) == "幸福社区党群服务中心"


def test_save_scheme_op_says_what_changed(ledger):
    changes = save_scheme.op(ledger, default_scheme())
    assert changes.areas == {"evaluation", "settings"} and changes.result == default_scheme()
