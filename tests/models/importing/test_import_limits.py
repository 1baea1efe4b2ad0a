"""Field length limits and malformed rows (issue 15): a value over its field's limit is refused
with a Chinese sentence (never creating a grid named by it); a row with text only outside the
mapped columns is listed as rejected, never silently dropped with exit 0."""

from __future__ import annotations

import time

import pytest

from cli import run
from models.core import limits
from models.core.errors import ValidationError
from models.grids import hierarchy as grids
from models.importing import STRAY_ROW, import_file, load_spec
from tests.models.import_books import person_id, sheet_book

HEADER = ["序号", "姓名", "身份证号", "联系电话", "所属网格", "楼栋", "单元", "房号", "与户主关系", "备注"]


def _row(n, name="张三", grid="第一网格", building="1号楼", notes=""):
    return [n, name, person_id(n), f"138000000{n:02d}", grid, building, "1单元", f"{100 + n}", "户主", notes]


def _grids(ledger):
    return [r["name"] for r in ledger.query("SELECT name FROM grids ORDER BY id")]


@pytest.mark.parametrize("level", ["网格", "楼栋", "房号", "社区"])
def test_a_fifty_megabyte_name_never_creates_a_place(ledger, level):
    huge = "网" * (50 << 20)
    community = grids.own_community_id(ledger) or grids.ensure_community(ledger, None)
    started = time.perf_counter()
    with pytest.raises(ValidationError, match=f"{level}名称有 52,428,800 个字，超过上限"):
        if level == "网格":
            grids.ensure_grid(ledger, community, huge)
        elif level == "楼栋":
            grids.ensure_building(ledger, grids.ensure_grid(ledger, community, "第一网格"), huge)
        elif level == "房号":
            grids.ensure_place(ledger, grids.Place(None, "第一网格", "1号楼", "1单元", huge))
        else:
            grids.ensure_community(ledger, huge)
    assert time.perf_counter() - started < 5
    assert ledger.scalar("SELECT COUNT(*) FROM grids WHERE length(name) > 100") == 0
    assert ledger.scalar("SELECT COUNT(*) FROM buildings WHERE length(name) > 100") == 0


LONG = [
    # (cells changed, the message, imported?)
    (dict(grid="网" * 5_000_000), "超过上限 50 个字", False),    # (an .xlsx cell keeps 32,767)
    (dict(grid="网" * 51), "“所属网格”有 51 个字，超过上限 50 个字", False),
    (dict(building="楼" * 51), "“楼栋”有 51 个字，超过上限 50 个字", False),
    (dict(name="张" * 41), "“姓名”有 41 个字，超过上限 40 个字", False),
    (dict(notes="备" * 6000), "“备注”超过 5000 字，已截断", True),
    (dict(grid="网" * 50), None, True),                       # at the limit: fine
]


@pytest.mark.parametrize("change, message, imported", LONG)
def test_cells_over_their_fields_limit(ledger, tmp_path, change, message, imported):
    path = sheet_book(tmp_path / "居民.xlsx", HEADER, [_row(1), _row(2, **{"name": "李四", **change})])
    started = time.perf_counter()
    plan, summary = import_file(ledger, path, load_spec("residents"))
    assert time.perf_counter() - started < 30
    outcome = plan.outcomes[1]
    if message:
        assert any(message in m for m in outcome.messages), outcome.messages
    assert outcome.accepted is imported
    assert summary.imported == (2 if imported else 1)
    assert all(len(name) <= limits.limit_of("grid") for name in _grids(ledger))
    if not imported:
        # the cell is emptied: neither the rules nor the error report handle the long value
        assert all(not isinstance(c, str) or len(c) <= 50 for c in outcome.cells)


def test_every_kind_limits_its_fields(ledger, tmp_path):
    from models.importing import matters as IM

    grids.ensure_place(ledger, grids.Place(None, "第一网格", "3号楼", "1单元", "301"))
    base = dict.fromkeys(IM.HEADERS, "")
    base.update({"登记时间": "2026-10-15 09:30", "来源": "来电", "类别": "路灯照明", "事项分级": "小事",
                 "事项描述": "漏" * 5001, "所属网格": "第一网格"})
    path = sheet_book(tmp_path / "m.xlsx", IM.HEADERS, [[base[h] for h in IM.HEADERS]])
    plan, summary = import_file(ledger, path, IM.SPEC)
    assert summary.imported == 0
    assert any("“事项描述”有 5,001 个字，超过上限 5000 个字" in m for m in plan.outcomes[0].messages)


def test_a_row_with_text_only_outside_the_mapped_columns_is_listed(ledger, tmp_path):
    rows = [_row(1),
            [2, None, None, None, None, None, None, None, None, None, "李四", "第一网格"],   # shifted right
            [3],                                                                           # an empty template row
            _row(4, name="王五")]
    path = sheet_book(tmp_path / "居民.xlsx", HEADER, rows)
    plan, summary = import_file(ledger, path, load_spec("residents"))
    assert summary.imported == 2
    assert [(o.row_number, o.messages[0]) for o in plan.rejected()] == [(3, STRAY_ROW)]
    assert plan.skipped_rows == 1


def test_the_cli_never_exits_0_with_a_malformed_row(ledger_path, tmp_path, capsys):
    rows = [_row(1), [2, None, None, None, None, None, None, None, None, None, "李四", "第一网格"]]
    path = sheet_book(tmp_path / "居民.xlsx", HEADER, rows)
    assert run(["--db", str(ledger_path), "import", "residents", str(path)]) == 1
    out = capsys.readouterr().out
    assert "第 3 行" in out and "不在可识别的列中" in out
