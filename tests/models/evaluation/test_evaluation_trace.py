"""计分依据: the records behind one grid's figure explain its counts row by row."""

from __future__ import annotations

import pytest

from models.core.errors import ValidationError
from models.evaluation import monthly
from models.evaluation.trace import trace
from tests.models.evaluation.evaluation_builders import MONTH


@pytest.mark.parametrize("key, rows, counted", [
    ("on_time", 6, 3), ("satisfaction", 3, 2), ("visit_coverage", 3, 2), ("completeness", 4, 3),
])
def test_trace_rows_explain_the_counts(ledger, october, key, rows, counted):
    traced = trace(ledger, MONTH, october["A"], key)
    assert len(traced) == rows
    assert sum(1 for r in traced if r["计入分子"] == "计入分子") == counted
    assert all(r["计入分子"] == "计入分子" or r["计入分子"].startswith("不计入：") for r in traced)
    ind = monthly.evaluate(ledger, MONTH).grid(october["A"]).indicators[key]
    assert (counted, rows) == (ind.numerator, ind.denominator)


def test_trace_details(ledger, october):
    A = october["A"]
    late = {r["结果"] for r in trace(ledger, MONTH, A, "on_time")}
    assert late == {"按期办结", "逾期办结", "逾期未办结"}
    houses = {r["户"]: r["计入分子"] for r in trace(ledger, MONTH, A, "visit_coverage")}
    assert houses == {"1号楼1单元101": "计入分子", "1号楼1单元104": "不计入：本月未走访", "1号楼1单元105": "计入分子"}
    assert people_missing_id_reason(ledger, A) == "不计入：缺身份证号"
    people = {r["姓名"]: r for r in trace(ledger, MONTH, A, "completeness")}
    assert people["赵无证"]["缺项"] == "身份证号"
    assert people["张二"]["计入分子"] == "计入分子" and people["张二"]["联系电话"] == "（同户有电话）"
    assert "*" in people["张一"]["身份证号"]
    assert len(trace(ledger, MONTH, A, "discovery")) == 2
    (activity,) = trace(ledger, MONTH, A, "volunteer")
    assert activity["活动名称"] == "楼道清扫" and activity["服务时长（小时）"] == "0.3"
    adj = trace(ledger, MONTH, A, "adjustments")
    assert sorted(r["分值"] for r in adj) == ["-1", "2"]
    with pytest.raises(ValidationError):
        trace(ledger, MONTH, A, "nonsense")


def people_missing_id_reason(ledger, grid_id):
    """The 计入分子 cell of 赵无证 (no ID number) in the completeness trace."""
    people = {r["姓名"]: r for r in trace(ledger, MONTH, grid_id, "completeness")}
    return people["赵无证"]["计入分子"]
