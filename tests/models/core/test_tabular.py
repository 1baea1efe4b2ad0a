"""models.core.tabular: the one csv/xlsx writer (text columns, BOM, header, formats, progress, cancel,
sheet names, formulas neutralised)."""

import csv
import tempfile
import zipfile

import openpyxl
import pytest

from models.core import tabular
from models.core.errors import EnvironmentProblem, ValidationError
from models.core.tabular import BATCH, Column, ExportCancelled, Sheet, write_sheets, write_table

COLUMNS = [Column("姓名", "name", width=10), ("身份证号", "id", True, 21), Column("分数", "score", number_format="0.00")]
ROWS = [{"name": "张三", "id": "110101199001011234", "score": 1.5}, {"name": "李四", "id": None, "score": None}]


def shown_width(stored):
    """The width Excel shows for a column whose file holds ``stored`` (Excel adds 5 pixels of
    padding to a 7-pixel digit: a column of 21 characters is stored as 21.71)."""
    return round(stored - 5 / 7, 1)


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
    assert shown_width(ws.column_dimensions["B"].width) == 21
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


def test_sheet_names_excel_accepts(tmp_path):
    used = set()
    assert tabular.sheet_title("2026/10:排名?", used) == "2026_10_排名_"
    assert tabular.sheet_title("'引号'", used) == "引号"
    assert tabular.sheet_title("引号", used) == "引号(2)"          # taken (Excel ignores case, so do we)
    assert tabular.sheet_title("Sheet", used) == "Sheet" and tabular.sheet_title("SHEET", used) == "SHEET(2)"
    assert tabular.sheet_title("", used) == "Sheet(3)"
    assert tabular.sheet_title("😀" * 20, used) == "😀" * 15    # 31 UTF-16 units, as Excel counts them
    sheets = [Sheet("甲/乙", COLUMNS, ROWS), Sheet("甲:乙", COLUMNS, ROWS)]
    write_sheets(tmp_path / "t.xlsx", sheets)
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames == ["甲_乙", "甲_乙(2)"]


def test_a_cancelled_xlsx_leaves_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    rows = [{"name": f"人{i}", "id": "110101199001011234"} for i in range(BATCH + 1)]
    with pytest.raises(ExportCancelled):
        write_sheets(tmp_path / "t.xlsx", [Sheet("甲", COLUMNS, rows), Sheet("乙", COLUMNS, rows)],
                     progress=lambda done, total: done < BATCH + 1)
    write_table(tmp_path / "t.xlsx", "甲", COLUMNS, rows)
    assert not list((tmp_path / "temp").iterdir()) and sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx", "temp"]


# -- formulas are neutralised (OWASP CSV injection) ---------------------------------------------

#: text a clerk may have typed that Excel or WPS would otherwise evaluate
FORMULA_LIKE = ['=HYPERLINK("http://x","点我")', "+1+1", "@SUM(A1)", "-2+3", "\t=1", "-", "-5"]
NOTE_COLUMNS = [Column("备注", "note"), Column("电话", "phone", text=True), Column("加减分", "score", number_format="0.00")]


def _note_rows():
    return [{"note": value, "phone": value, "score": -2.5} for value in FORMULA_LIKE]


def test_formula_looking_text_is_a_string_cell_in_xlsx(tmp_path):
    out = tmp_path / "t.xlsx"
    write_table(out, "表", NOTE_COLUMNS, _note_rows() + [{"note": "\r=1", "phone": "\r=1", "score": -1}],
                title_row="=1+1")
    with zipfile.ZipFile(out) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml                                  # no formula anywhere
    assert xml.count('t="inlineStr"') == 1 + 3 + 2 * (len(FORMULA_LIKE) + 1)
    assert "<v>-2.5</v>" in xml and "<v>-1</v>" in xml        # negative numbers stay numbers
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == "=1+1" and ws["A1"].data_type == "s"
    for r, value in enumerate(FORMULA_LIKE, start=3):
        assert [(c.value, c.data_type) for c in ws[r]] == [(value, "s"), (value, "s"), (-2.5, "n")]


def test_formula_looking_text_gets_a_quote_in_csv_and_numbers_stay_numbers(tmp_path):
    out = tmp_path / "t.csv"
    write_table(out, "表", NOTE_COLUMNS, _note_rows() + [{"note": "\r=1", "phone": "110101199001011234", "score": 0}],
                title_row="=1+1")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["'=1+1"] and rows[1] == ["备注", "电话", "加减分"]
    assert rows[2:-1] == [["'" + value, "'" + value, "-2.5"] for value in FORMULA_LIKE]
    assert rows[-1] == ["'\r=1", "\t110101199001011234", "0"]
    assert tabular.csv_text("张三") == "张三" and tabular.csv_text("") == "" and tabular.csv_text("a=1") == "a=1"
    assert tabular.csv_text("'=1") == "''=1" and tabular.csv_text("'张") == "'张"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_formula_looking_text_round_trips_as_text_through_the_import_reader(tmp_path, suffix):
    from models.importing.reader import open_sheets

    out = tmp_path / f"t{suffix}"
    # (XlsxWriter writes a CR as _x000D_; the reader decodes it); a note that itself begins with the
    # quote the csv adds keeps it: '=1 once came back as =1
    values = FORMULA_LIKE + ["\r=1", "a\r\nb", "'=1", "''+2", "'张"]
    write_table(out, "表", NOTE_COLUMNS, [{"note": v, "phone": v, "score": -2.5} for v in values])
    with open_sheets(out) as sheets:
        rows = list(sheets[0].rows())
    assert rows[0] == ("备注", "电话", "加减分") and len(rows) == len(values) + 1
    for value, (note, phone, score) in zip(values, rows[1:]):
        # the text as written (the csv's neutralising quote dropped again), never a formula's result
        assert (note, phone) == (value, value)
        if suffix == ".xlsx":
            assert (note, phone, score) == (value, value, -2.5)
        else:
            assert float(score) == -2.5


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_residents_note_and_a_matters_description_round_trip_through_export_and_import(
        ledger, tmp_path, suffix):
    from models import importing
    from models.grids import hierarchy as grids
    from models.importing import matters as IM
    from models.matters import records as M
    from models.residents import records as R
    from models.residents.export import export_residents
    from tests.models.helpers_residents import household, person_id

    hh = household(ledger)
    note = '=HYPERLINK("http://x","点我")'
    R.add_resident(ledger, {"name": "张三", "household_id": hh, "id_number": person_id(), "notes": note})
    grids.add_staff(ledger, "王芳", "网格员")
    M.register_matter(ledger, {"source": "来电", "category": "其他", "level": "小事", "description": "+1+1",
                               "household_id": hh})

    out = tmp_path / f"r{suffix}"
    export_residents(ledger, out, full_ids=True)
    plan = importing.analyse(ledger, out, importing.load_spec("residents"))
    assert plan.outcomes[0].data["notes"] == note
    out = tmp_path / f"m{suffix}"
    IM.export_matters(ledger, out)
    plan = importing.analyse(ledger, out, IM.SPEC)
    assert plan.outcomes[0].data["description"] == "+1+1"


def test_a_sheet_formula_looking_values_all_text_even_where_the_import_hands_them_back(ledger, tmp_path):
    """The import's error report (the clerk's rows as they were) writes text as text too."""
    from models import importing
    from tests.models.import_books import HEADER, row

    note = '=HYPERLINK("http://x","点我")'
    source = tmp_path / "居民.xlsx"
    rows = [row(1, None, id_number="-2+3", notes=note), row(2, "@SUM(A1)", id_number="+1+1", notes=note)]
    write_table(source, "居民", [Column(h, str(i)) for i, h in enumerate(HEADER)], rows)
    plan = importing.analyse(ledger, source, importing.load_spec("residents"))
    report = tmp_path / "问题清单.xlsx"
    assert importing.write_error_report(plan, report) == 2
    with zipfile.ZipFile(report) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    ws = openpyxl.load_workbook(report).active
    notes = HEADER.index("备注") + 1
    assert [(ws.cell(r, notes).value, ws.cell(r, notes).data_type) for r in (2, 3)] == [(note, "s")] * 2
    assert ws.cell(3, 2).value == "@SUM(A1)" and ws.cell(2, 5).value == "-2+3" and ws.cell(3, 5).value == "+1+1"


def test_write_value_dates_booleans_decimals_and_empty_text_cells(tmp_path):
    import datetime as dt
    from decimal import Decimal

    out = tmp_path / "t.xlsx"
    columns = [Column("值", "v"), Column("文本", "t", text=True)]
    write_table(out, "表", columns, [[dt.date(2026, 1, 2), 7], [dt.datetime(2026, 1, 2, 3, 4, 5), True],
                                     [True, ""], [Decimal("1.5"), None], [-3, -3]])
    ws = openpyxl.load_workbook(out).active
    assert [(c.value, c.number_format) for c in ws["A"][1:]] == [
        (dt.datetime(2026, 1, 2), "yyyy-mm-dd"), (dt.datetime(2026, 1, 2, 3, 4, 5), "yyyy-mm-dd hh:mm:ss"),
        (True, "General"), (1.5, "General"), (-3, "General")]
    assert [c.value for c in ws["B"][1:]] == ["7", "True", None, None, "-3"]    # a text column holds text


def test_xlsx_workbook_writes_nothing_when_the_block_fails_and_reports_an_unwritable_file(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with tabular.xlsx_workbook(tmp_path / "t.xlsx") as workbook:
            workbook.add_worksheet().write_string(0, 0, "半截")
            1 / 0
    assert not (tmp_path / "t.xlsx").exists()
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(OSError):
        with tabular.xlsx_workbook(tmp_path / "dir.xlsx") as workbook:
            workbook.add_worksheet()


@pytest.mark.parametrize("batch", [1, 2])
def test_csv_batches_come_out_as_if_every_cell_had_been_looked_at(tmp_path, monkeypatch, batch):
    """The csv writer looks at the cells of a batch only when a quick look at csv.writer's text
    says it may need to; one or two rows per batch here, so a row the look overlooks shows."""
    import random

    pieces = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", ",", '"', "'", " ", "张", "x", "X", "*", "1", "0",
              "٣", "²", "①", "１", "12345678901", "110101199001011234", "1101011990010112", "13812345678"]
    rnd = random.Random(15)

    def value():
        kind = rnd.random()
        if kind < 0.1:
            return None
        if kind < 0.15:
            return rnd.choice([-5, 0, 12345678901234, -2.5, 1e-7])
        return "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))

    columns = [Column("甲", "a"), Column("乙", "b", text=True), Column("丙", "c"), Column("丁", "d", text=True)]
    rows = [[value() for _ in columns] for _ in range(4000)]
    monkeypatch.setattr(tabular, "CSV_BATCH", batch)
    write_table(tmp_path / "t.csv", "表", columns, rows, title_row="=标题")

    with open(tmp_path / "expected.csv", "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerows([["'=标题"], ["甲", "乙", "丙", "丁"]])
        writer.writerows(tabular._csv_cells(r, (1, 3)) for r in rows)
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    changed = sum(tabular._csv_cells(r, (1, 3)) != r for r in rows)
    assert 1000 < changed < 3000        # both kinds of row were there
