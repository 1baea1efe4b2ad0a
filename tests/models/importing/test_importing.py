"""The import engine: reading every format, finding headers, merged cells, skipping rows,
dates, unreadable files, the error report and the template (SPEC §7)."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from tests.models.import_books import HEADER, ledger_book, person_id, row
from models import importing
from models.importing import ImportFileError, analyse, inspect_file, load_spec
from models.importing.values import parse_number, text

SPEC = load_spec("residents")


# -- header matching ------------------------------------------------------------------------

@pytest.mark.parametrize("header, key", [
    ("姓名", "name"), ("姓  名", "name"), ("*姓名", "name"), ("姓名：", "name"),
    ("身份证号", "id_number"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
    ("证件号码", "id_number"), ("身份证号码（18位）", "id_number"), ("身份证号(必填)", "id_number"),
    ("联系电话", "phone"), ("电话", "phone"), ("手机", "phone"), ("手机号", "phone"), ("联系方式", "phone"),
    ("所属网格", "grid"), ("网格", "grid"), ("楼栋", "building"), ("楼号", "building"), ("单元", "unit"),
    ("房号", "room"), ("门牌号", "room"), ("室", "room"), ("住址", "address"), ("现居住地址", "address"),
    ("与户主关系", "relation"), ("人员类别", "residence_type"), ("人口类型", "residence_type"),
    ("政治面貌", "political_status"), ("特殊人群", "tags"), ("人员标签", "tags"), ("迁入日期", "moved_in_on"),
    ("人员状态", "status"), ("变动日期", "status_date"), ("迁出日期", "status_date"),
    ("所属社区", "community"), ("社区", "community"), ("备注", "notes"),
    ("序号", None), ("问题说明", None), ("", None), (None, None),
])
def test_header_synonyms(header, key):
    assert SPEC.match_header(header) == key


def test_header_found_under_title_rows(tmp_path):
    path = ledger_book(tmp_path / "a.xlsx", {"一网格": [row(1, "张三", id_number=person_id(1))]})
    [layout] = inspect_file(path, SPEC)
    assert layout.header_row == 3
    assert layout.headers == HEADER
    assert layout.mapping[1] == "name" and layout.mapping[4] == "id_number" and 0 not in layout.mapping
    assert layout.sample[0][1] == "张三"


def test_two_level_header_with_merged_group_title(tmp_path):
    """"住址" merged over 楼栋/单元/房号 on the row below; 姓名 merged over both header rows."""
    path = tmp_path / "two.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["居民台账"])
    ws.append(["姓名", "身份证号", "住址", None, None, "联系电话"])
    ws.append([None, None, "楼栋", "单元", "房号", None])
    ws.append(["王五", person_id(3), "2号楼", "1单元", "201", "13900000000"])
    for rng in ("A2:A3", "B2:B3", "C2:E2", "F2:F3"):
        ws.merge_cells(rng)
    wb.save(path)
    [layout] = inspect_file(path, SPEC)
    assert layout.header_row == 3
    assert set(layout.mapping.values()) == {"name", "id_number", "building", "unit", "room", "phone"}


def test_merged_household_cells_fill_every_member(tmp_path, ledger):
    rows = [row(1, "张三", id_number=person_id(1), building="3号楼", unit="1单元", room="301"),
            row(2, "李梅", "女", person_id(2, male=False), relation="配偶", building=None, unit=None, room=None),
            row(3, "张小明", id_number=person_id(3), relation="子", building=None, unit=None, room=None),
            row(4, "王五", id_number=person_id(4), building="3号楼", unit="1单元", room="302")]
    # Rows 4-6 of the sheet are one household: 楼栋 (I), 单元 (J), 房号 (K) merged over them... in
    # HEADER order 楼栋 is column H, 单元 I, 房号 J.
    path = ledger_book(tmp_path / "m.xlsx", {"一网格": rows}, merges={"一网格": ["H4:H6", "I4:I6", "J4:J6"]})
    plan = analyse(ledger, path, SPEC)
    places = [o.data["place"] for o in plan.outcomes]
    assert places[0] == places[1] == places[2] == (None, "第一网格", "", "3号楼", "1单元", "301")
    assert places[3][-1] == "302"


def test_every_sheet_read_and_messages_keyed_by_sheet(tmp_path, ledger):
    path = ledger_book(tmp_path / "s.xlsx", {
        "一网格": [row(1, "张三", id_number=person_id(1))],
        "二网格": [row(1, "李四", id_number=person_id(2), grid="第二网格"), row(2, None, id_number=person_id(3))],
    })
    wb = openpyxl.load_workbook(path)
    lists = wb.create_sheet("下拉选项")
    for value in ("户籍人口", "常住人口", "流动人口"):
        lists.append([value])
    wb.save(path)
    plan = analyse(ledger, path, SPEC)
    assert [(o.sheet, o.row_number, o.status) for o in plan.outcomes] == [
        ("一网格", 4, "ok"), ("二网格", 4, "ok"), ("二网格", 5, "rejected")]
    assert plan.rejected()[0].where == "工作表“二网格”第 5 行"
    assert any("下拉选项" in note for note in plan.notes)


def test_blank_total_footer_and_repeated_header_rows_skipped(tmp_path, ledger):
    rows = [row(1, "张三", id_number=person_id(1)),
            [None] * 16,
            ["小计", None, None, None, None, None, None, None, None, None, None, None, None, None, None, "1人"],
            HEADER,
            row(2, "李四", id_number=person_id(2)),
            ["合 计", "2人"],
            ["总计：2人"],
            ["填表人：王芳", None, None, None, "审核人：李强"],
            [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None, None]]
    path = ledger_book(tmp_path / "t.xlsx", {"Sheet1": rows})
    plan = analyse(ledger, path, SPEC)
    assert [(o.row_number, o.data["name"]) for o in plan.outcomes] == [(4, "张三"), (8, "李四")]
    assert plan.skipped_rows >= 5


# -- formats ----------------------------------------------------------------------------------

CSV_TEXT = ("幸福社区居民名单\n"
            "姓名,性别,身份证号,联系电话,所属网格,楼栋,单元,房号\n"
            f"张三,男,{person_id(1)},13800000001,第一网格,1号楼,1单元,101\n"
            f"李四,女,{person_id(2, male=False)},13800000002,第一网格,1号楼,1单元,102\n"
            "合计,2人,,,,,,\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_detected(tmp_path, ledger, encoding):
    path = tmp_path / "r.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    plan = analyse(ledger, path, SPEC)
    assert [(o.row_number, o.data["name"], o.status) for o in plan.outcomes] == [
        (3, "张三", "ok"), (4, "李四", "ok")]


def test_csv_with_tabs_and_an_xlsx_named_csv(tmp_path, ledger):
    tabbed = tmp_path / "tabs.txt"
    tabbed.write_text(CSV_TEXT.replace(",", "\t"), encoding="gbk")
    assert len(analyse(ledger, tabbed, SPEC).outcomes) == 2
    renamed = ledger_book(tmp_path / "really_xlsx.csv", {"S": [row(1, "张三", id_number=person_id(1))]})
    assert [o.data["name"] for o in analyse(ledger, renamed, SPEC).outcomes] == ["张三"]


def test_legacy_xls_with_merged_cells_and_dates(tmp_path, ledger):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("居民")
    sheet.write_merge(0, 0, 0, 6, "幸福社区居民台账")
    for c, title in enumerate(["姓名", "身份证号码", "手机号", "网格", "楼号", "房号", "迁入日期"]):
        sheet.write(1, c, title)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(2, 0, "张三")
    sheet.write(2, 1, person_id(1))
    sheet.write(2, 2, 13800000001)          # a number cell, as Excel stores it
    sheet.write_merge(2, 3, 3, 3, "第一网格")
    sheet.write_merge(2, 3, 4, 4, "5号楼")
    sheet.write_merge(2, 3, 5, 5, "501")
    sheet.write(2, 6, dt.date(2015, 3, 7), date_style)
    sheet.write(3, 0, "李梅")
    sheet.write(3, 1, person_id(2, male=False))
    sheet.write(3, 2, "13800000002")
    sheet.write(3, 6, "2016.4.8")
    path = tmp_path / "old.xls"
    book.save(str(path))
    plan = analyse(ledger, path, SPEC)
    first, second = plan.outcomes
    assert (first.row_number, first.status, first.data["phone"], first.data["moved_in_on"]) == (
        3, "ok", "13800000001", "2015-03-07")
    assert second.data["place"] == first.data["place"] == (None, "第一网格", "", "5号楼", "", "501")
    assert second.data["moved_in_on"] == "2016-04-08"


# -- unreadable files: one clear message -----------------------------------------------------

def _encrypted_like(path):
    # An encrypted .xlsx is an OLE container with EncryptionInfo / EncryptedPackage streams.
    data = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    data += "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(bytes(data) + b"\x00" * 2048)


def _docx_like(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")


def _no_header(path):
    wb = openpyxl.Workbook()
    wb.active.append(["购物清单"])
    wb.active.append(["苹果", "3斤"])
    wb.save(path)


def _empty_book(path):
    openpyxl.Workbook().save(path)


@pytest.mark.parametrize("name, make, words", [
    ("empty.xlsx", lambda p: p.write_bytes(b""), "空文件"),
    ("random.xlsx", lambda p: p.write_bytes(bytes(range(256)) * 40), "不是"),
    ("report.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "不是"),
    ("locked.xlsx", _encrypted_like, "加密"),
    ("letter.xlsx", _docx_like, "不是 Excel"),
    ("broken.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), "损坏"),
    ("list.xlsx", _no_header, "没有找到可识别的表头"),
    ("blank.xlsx", _empty_book, "没有任何数据"),
    ("blank.csv", lambda p: p.write_text("\n\n", encoding="utf-8"), "空文件"),
    # a text file renamed .xlsx: said so (it once read only 没有找到可识别的表头)
    ("notes.xlsx", lambda p: p.write_text("会议记录\n今天讨论了垃圾分类\n", encoding="utf-8"),
     "扩展名是 .xlsx，内容却不是 Excel 表格"),
])
def test_unreadable_files_give_one_clear_message(tmp_path, ledger, name, make, words):
    path = tmp_path / name
    make(path)
    with pytest.raises(ImportFileError) as info:
        analyse(ledger, path, SPEC)
    assert words in str(info.value)
    with pytest.raises(ImportFileError):
        inspect_file(path, SPEC)


def test_missing_file(tmp_path, ledger):
    with pytest.raises(ImportFileError, match="找不到文件"):
        analyse(ledger, tmp_path / "nope.xlsx", SPEC)


# -- values (dates: tests/models/core/test_periods.py) ------------------------------------------

def test_numbers_and_text():
    assert parse_number("2.5小时") == (2.5, None)
    assert parse_number(3) == (3.0, None)
    assert parse_number("三") == (None, "“三”不是数字")
    assert text(301.0) == "301" and text(None) == "" and text("\u3000张三 ") == "张三"


# -- the error report and the template ----------------------------------------------------------

def test_error_report_lists_problem_rows_and_reimports_after_fixing(tmp_path, ledger):
    rows = [row(1, "张三", id_number=person_id(1)),
            row(2, None, id_number=person_id(2)),                     # rejected: no name
            row(3, "王五", id_number=person_id(3), phone=None),        # warning: no phone
            row(4, "赵六", id_number="110101199003071235")]           # rejected: bad check digit
    path = ledger_book(tmp_path / "e.xlsx", {"一网格": rows})
    plan = analyse(ledger, path, SPEC)
    report = tmp_path / "问题清单.xlsx"
    assert importing.write_error_report(plan, report) == 3
    ws = openpyxl.load_workbook(report).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][-1] == "问题说明"
    assert values[0][4] == "身份证号"          # the standard title for the mapped column
    assert [r[1] for r in values[1:]] == [None, "王五", "赵六"]
    assert values[1][-1].startswith("【未导入】原第 5 行：缺少姓名")
    assert "缺少联系电话" in values[2][-1]
    assert ws.cell(row=2, column=5).number_format == "@" and ws.cell(row=2, column=5).value == person_id(2)

    # The clerk fills in the name, fixes the ID and imports the same file again.
    wb = openpyxl.load_workbook(report)
    ws = wb.active
    ws.cell(row=2, column=2).value = "李四"
    ws.cell(row=4, column=5).value = person_id(4)
    wb.save(report)
    again = analyse(ledger, report, SPEC)
    assert [(o.data["name"], o.status) for o in again.outcomes] == [
        ("李四", "ok"), ("王五", "warning"), ("赵六", "ok")]


def test_template_has_the_standard_headers_and_imports(tmp_path, ledger):
    path = importing.write_template(SPEC, tmp_path / "居民导入模板.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [c.title for c in SPEC.columns]
    id_col = [c.title for c in SPEC.columns].index("身份证号") + 1
    assert ws.cell(row=2, column=id_col).number_format == "@"
    assert "填写说明" in wb.sheetnames
    assert any(dv.formula1 == '"男,女"' for dv in ws.data_validations.dataValidation)
    ws.append(["张三", "男", "汉族", person_id(7), None, "13800000007", None, "第一网格", None, "1号楼",
               "1单元", "101", None, "户主"])
    wb.save(path)
    plan = analyse(ledger, path, SPEC)
    assert [(o.data["name"], o.status) for o in plan.outcomes] == [("张三", "ok")]
    assert any("说明页" in note for note in plan.notes)


def test_load_spec_by_kind_and_reference():
    assert load_spec("residents") is load_spec("models.importing.residents:SPEC")
    with pytest.raises(KeyError):
        load_spec("nonsense")
