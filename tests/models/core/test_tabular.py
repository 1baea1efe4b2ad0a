"""models.core.tabular: the one csv/xlsx writer (text columns, BOM, header, formats, progress, cancel)."""

import csv

import openpyxl
import pytest

from models.core.errors import EnvironmentProblem, ValidationError
from models.core.tabular import BATCH, Column, ExportCancelled, Sheet, write_sheets, write_table

COLUMNS = [Column("姓名", "name", width=10), ("身份证号", "id", True, 21), Column("分数", "score", number_format="0.00")]
ROWS = [{"name": "张三", "id": "110101199001011234", "score": 1.5}, {"name": "李四", "id": None, "score": None}]


def test_csv_has_a_bom_and_keeps_long_digit_strings_text(tmp_path):
    out = tmp_path / "t.csv"
    assert write_table(out, "表", COLUMNS, ROWS) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(raw.decode("utf-8-sig").splitlines())) == [
        ["姓名", "身份证号", "分数"], ["张三", "\t110101199001011234", "1.5"], ["李四", "", ""]]


def test_xlsx_text_cells_bold_frozen_header_widths_and_number_formats(tmp_path):
    out = tmp_path / "t.xlsx"
    assert write_table(out, "一个很长很长很长很长很长很长很长很长很长很长很长很长很长的标题", COLUMNS, ROWS) == 2
    ws = openpyxl.load_workbook(out).active
    assert len(ws.title) == 31
    assert [c.value for c in ws[1]] == ["姓名", "身份证号", "分数"] and ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 21
    assert ws["B2"].value == "110101199001011234" and ws["B2"].number_format == "@"
    assert ws["C2"].value == 1.5 and ws["C2"].number_format == "0.00"
    assert [c.value for c in ws[3]] == ["李四", None, None]


def test_rows_may_be_sequences_and_a_title_row_goes_above_the_header(tmp_path):
    out = tmp_path / "t.xlsx"
    write_table(out, "表", COLUMNS, [["王五", "13800000000", 2]], title_row="标题（2026年10月）")
    ws = openpyxl.load_workbook(out).active
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["标题（2026年10月）", None, None], ["姓名", "身份证号", "分数"], ["王五", "13800000000", 2]]
    assert ws.freeze_panes == "A3" and ws["A1"].font.b


def test_several_sheets_in_one_workbook_but_not_in_a_csv(tmp_path):
    sheets = [Sheet("甲", COLUMNS, ROWS), Sheet("乙", COLUMNS, ROWS[:1])]
    assert write_sheets(tmp_path / "t.xlsx", sheets) == 3
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames == ["甲", "乙"]
    with pytest.raises(ValidationError, match="多个工作表"):
        write_sheets(tmp_path / "t.csv", sheets)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_progress_every_batch_and_cancel_keeps_the_old_file(tmp_path, suffix):
    rows = [{"name": f"人{i}"} for i in range(BATCH * 2 + 5)]
    seen = []
    out = tmp_path / f"t{suffix}"
    assert write_table(out, "表", COLUMNS, iter(rows), total=len(rows),
                       progress=lambda done, total: seen.append((done, total))) == len(rows)
    assert seen == [(BATCH, len(rows)), (2 * BATCH, len(rows)), (len(rows), len(rows))]

    out.write_text("旧文件", encoding="utf-8")
    with pytest.raises(ExportCancelled, match="已取消导出"):
        write_table(out, "表", COLUMNS, rows, progress=lambda done, total: done < BATCH)
    with pytest.raises(ExportCancelled):
        write_table(out, "表", COLUMNS, rows, is_cancelled=lambda: True)
    assert out.read_text(encoding="utf-8") == "旧文件"
    assert not list(tmp_path.glob("*.part"))


def test_wrong_suffix_and_unwritable_target(tmp_path):
    with pytest.raises(ValidationError, match=r"\.xlsx 或 \.csv"):
        write_table(tmp_path / "t.pdf", "表", COLUMNS, ROWS)
    (tmp_path / "dir.csv").mkdir()          # a folder where the file should go
    with pytest.raises(EnvironmentProblem, match="无法写入"):
        write_table(tmp_path / "dir.csv", "表", COLUMNS, ROWS)
    assert not list(tmp_path.glob("*.part"))
