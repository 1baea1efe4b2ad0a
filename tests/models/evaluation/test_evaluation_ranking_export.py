"""The ranking export of SPEC §8: its rows, and the csv / xlsx the one tabular writer makes of them."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from models.core.errors import ValidationError
from models.evaluation.ranking_export import RANKING_COLUMNS, export_ranking, ranking_rows
from tests.models.evaluation.evaluation_builders import MONTH

EXPECTED = [(1, "三网格", 100.0), (2, "一网格", 67.25), (2, "二网格", 67.25), (4, "四网格", 66.67)]


def test_ranking_rows_have_spec_columns(ledger, october):
    rows = ranking_rows(ledger, MONTH)
    assert list(rows[0]) == RANKING_COLUMNS == ["排名", "社区", "网格", "按期办结率", "群众满意率", "走访覆盖率",
                                                "问题发现", "志愿服务", "台账完整率", "加减分", "总分"]
    assert [(r["排名"], r["网格"], r["总分"]) for r in rows] == EXPECTED
    a = rows[1]
    assert (a["按期办结率"], a["群众满意率"], a["走访覆盖率"], a["问题发现"], a["志愿服务"], a["台账完整率"],
            a["加减分"]) == (0.5, 0.6667, 0.6667, 1.0, 0.75, 0.75, 1.0)


def test_export_csv_for_excel(ledger, october, tmp_path):
    out = tmp_path / "排名.csv"
    assert export_ranking(ledger, out, MONTH) == 4
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")   # the BOM Excel needs for the Chinese
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows.pop(0) == ["幸福社区2026-10 网格月度评比排名　未定稿，按当前台账计算，仅供参考　共 4 个网格"
                           "　导出：2026-11-20 12:00　测试员"]
    assert rows[0] == RANKING_COLUMNS
    assert rows[2] == ["2", "幸福社区", "一网格", "0.5", "0.6667", "0.6667", "1.0", "0.75", "0.75", "1.0", "67.25"]


def test_export_xlsx_with_number_formats(ledger, october, tmp_path):
    out = tmp_path / "排名.xlsx"
    seen = []
    export_ranking(ledger, out, MONTH, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4)
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "2026-10排名" and ws.freeze_panes == "A3"
    assert ws["A1"].value.startswith("幸福社区2026-10 网格月度评比排名　未定稿") and ws["A1"].font.bold
    assert [c.value for c in ws[2]] == RANKING_COLUMNS and ws["A2"].font.bold
    assert [(r[0].value, r[2].value, r[10].value) for r in ws.iter_rows(min_row=3)] == EXPECTED
    assert {ws.cell(3, c).number_format for c in range(4, 10)} == {"0.0000"}
    assert ws["J3"].number_format == ws["K3"].number_format == "0.00"
    # the widths Excel shows (stored with 5 pixels of padding, 6 → 6.71; equal neighbours share a <col>)
    widths = {n: round(d.width - 5 / 7, 1) for d in ws.column_dimensions.values() for n in range(d.min, d.max + 1)}
    assert [widths[n] for n in (1, 4, 7, 11)] == [6, 11, 10, 8]


def test_export_refuses_other_file_types_before_computing(ledger, october, tmp_path):
    with pytest.raises(ValidationError, match="只能导出为 .xlsx 或 .csv"):
        export_ranking(ledger, tmp_path / "排名.pdf", MONTH)
    assert list(tmp_path.iterdir()) == []
