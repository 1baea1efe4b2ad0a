"""models.core.export_title: the title line of every export (issue 15) — subject, details, a
网格员's grids, the ledger's time and who."""

import dataclasses

import pytest

from models.core.export_title import export_title
from models.grids import hierarchy as H


@pytest.fixture
def seven_grids(ledger):
    return [H.add_grid(ledger, f"第{n}网格") for n in "一二三四五六七"]


@pytest.mark.parametrize("role, grids, expected", [
    ("管理员", None, "幸福社区民情事项台账　登记月份：2026-10　导出：2026-10-15 09:30　测试员"),
    ("网格员", [], "幸福社区民情事项台账　登记月份：2026-10　范围：无负责网格　导出：2026-10-15 09:30　测试员"),
    ("网格员", [0, 1], "幸福社区民情事项台账　登记月份：2026-10　范围：第一网格、第二网格　导出：2026-10-15 09:30　测试员"),
    ("网格员", list(range(7)),
     "幸福社区民情事项台账　登记月份：2026-10　范围：第一网格、第二网格、第三网格、第四网格、第五网格 等 7 个网格"
     "　导出：2026-10-15 09:30　测试员"),
])
def test_the_title_line(ledger, seven_grids, role, grids, expected):
    if grids is not None:
        ids = frozenset(seven_grids[i] for i in grids)
        ledger.operator = dataclasses.replace(ledger.operator, role=role, grid_ids=ids)
    assert export_title(ledger, "民情事项台账", "登记月份：2026-10", "") == expected
