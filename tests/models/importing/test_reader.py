"""The reader (models/importing/reader.py): python-calamine for .xlsx/.xlsm/.xls/.ods, csv for CSV.

- Every workbook the import tests build reads as it did with the readers before
  (openpyxl and a regular-expression cell reader for .xlsx, xlrd for .xls): their rows
  were captured, file and rows, in ``reader_cases.zip`` before the change.
- Values calamine gives for XML other writers produce, sheets not starting at A1, .ods.
- Hostile and broken files: each refused with one Chinese sentence, in under 5 s, with
  nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from models.importing import ImportFileError, import_file, load_spec
from models.importing import reader
from models.importing.reader import open_sheets
from tests.models.import_books import ledger_book, person_id, row

SPEC = load_spec("residents")
CASES = Path(__file__).with_name("reader_cases.zip")


# -- every test workbook reads as before -------------------------------------------------------

def _decode(value):
    if isinstance(value, dict):
        (kind, text), = value.items()
        if kind == "datetime":
            return dt.datetime.fromisoformat(text)
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind == "time":
            return dt.time.fromisoformat(text)
        return dt.timedelta(seconds=text)
    return value


def _cases():
    with zipfile.ZipFile(CASES) as archive:
        return json.loads(archive.read("expected.json"))


def _comparable(rows, *, before: bool):
    """Rows as both readers must agree on them.

    What the rows of the readers before may differ in, and why (nothing the import reads):
    an explicit empty cell or row at the end (openpyxl and xlrd kept cells the file lists
    without a value; calamine knows a row by its values); an empty text ``""`` (``None``
    now, as CSV always had it); an error cell such as ``#N/A`` (python-calamine gives it
    empty, as the .xls reader did); a whole number as ``float`` (``1.5E3`` in the XML, every
    number of xlrd; ``int`` now, equal in value — ``values.text`` writes both the same); the
    date serial 0 (xlrd: 1899-12-31; calamine: the time 00:00, as openpyxl read it).
    """
    out = []
    for values in rows:
        cells = []
        for value in values:
            if before:
                value = _decode(value)
                if value == "" or (isinstance(value, str) and value in ("#N/A", "#VALUE!", "#DIV/0!", "#REF!")):
                    value = None
                elif value == dt.datetime(1899, 12, 31):
                    value = dt.time(0, 0)
            if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                value = int(value)
            cells.append((type(value).__name__, value))
        while cells and cells[-1][1] is None:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["file"])
def test_every_test_workbook_reads_as_before(tmp_path, case):
    path = tmp_path / case["file"].split("-", 1)[1]
    with zipfile.ZipFile(CASES) as archive:
        path.write_bytes(archive.read("files/" + case["file"]))
    if "error" in case:
        with pytest.raises(ImportFileError) as info:
            open_sheets(path)
        assert str(info.value) == case["error"]
        return
    with open_sheets(path) as sheets:
        got = [(sheet.name, _comparable(sheet.filled_rows(), before=False)) for sheet in sheets]
    assert got == [(sheet["name"], _comparable(sheet["rows"], before=True)) for sheet in case["sheets"]]


def test_the_cases_cover_every_format_and_merges():
    cases = _cases()
    names = [case["file"] for case in cases]
    assert any(n.endswith(".xls") for n in names) and any(n.endswith(".csv") for n in names)
    assert sum(1 for case in cases if "error" in case) >= 8
    assert len(cases) > 100


# -- values ----------------------------------------------------------------------------------

SHEET_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:F9"/>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:r><x:t>富</x:t></x:r><x:r><x:t xml:space="preserve">文本 </x:t></x:r><x:rPh sb="0" eb="1"><x:t>ふ</x:t></x:rPh></x:is></x:c><x:c r="C1" t="str"><x:f>A1&amp;"x"</x:f><x:v>富文本 x&amp;y</x:v></x:c><x:c r="D1" t="e"><x:v>#N/A</x:v></x:c><x:c r="E1" t="b"><x:v>1</x:v></x:c><x:c r="F1" s="1"><x:v>32939</x:v></x:c></x:row>
<x:row r="3" spans="1:3"/>
<x:row><x:c t="inlineStr"><x:is><x:t>无坐标</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c><x:c r="E4"><x:v/></x:c><x:c r="F4" s="1"/></x:row>
<x:row r="6"><x:c r="B6" t="inlineStr"><x:is><x:t/></x:is></x:c><x:c r="C6"><x:v>1.5E3</x:v></x:c><x:c r="D6" t="d"><x:v>2024-05-06T07:08:09</x:v></x:c></x:row>
<x:row r="7"><x:c r="A7" t="s"><x:v>0</x:v></x:c><x:c r="B7" t="s"><x:v>1</x:v></x:c><x:c r="C7" t="s"><x:v>0</x:v></x:c></x:row>
</x:sheetData></x:worksheet>"""

SHARED_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="2">
<si><t>共享&amp;文本</t></si><si><r><t>王</t></r><r><rPr><b/></rPr><t>芳</t></r><rPh sb="0" eb="1"><t>wang</t></rPh></si></sst>"""


def crafted_book(folder: Path, sheet_xml: str | bytes, shared_xml: str | bytes = SHARED_XML,
                 name: str = "crafted.xlsx") -> Path:
    """An .xlsx whose first sheet (and shared strings) are the given XML; style 1 is a date."""
    base = folder / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = dt.date(2020, 1, 1)
    wb.save(base)
    path = folder / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode("utf-8") if isinstance(sheet_xml, str) else sheet_xml
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                    b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            out.writestr(item, data)
        out.writestr("xl/sharedStrings.xml", shared_xml)
    return path


def _rows(path) -> list[list[tuple]]:
    with open_sheets(path) as sheets:
        return [list(sheet.filled_rows()) for sheet in sheets]


CRAFTED_ROWS = [
    ("富文本 ", None, "富文本 x&y", None, True, dt.datetime(1990, 3, 7)),   # rich text without its phonetic run
    (), (),
    ("无坐标", 7),                                                          # a row and cells without r
    (),
    (None, None, 1500, dt.datetime(2024, 5, 6, 7, 8, 9)),                  # ISO date cell
    ("共享&文本", "王芳", "共享&文本"),
]


@pytest.mark.parametrize("old, new", [
    (None, None),
    ("<x:t>无坐标</x:t>", "<x:t><![CDATA[无坐标]]></x:t>"),                  # CDATA
    ('<x:c r="C6">', "<x:c r='C6'>"),                                       # single quotes
    ('<x:c r="D6" t="d">', '<x:c r = "D6" t="d">'),                          # spaces around =
    ('<x:row r="6">', "<x:row r='6'>"),
])
def test_values_of_other_writers_xml(tmp_path, old, new):
    xml = SHEET_XML if old is None else SHEET_XML.replace(old, new)
    assert old is None or old in SHEET_XML
    assert _rows(crafted_book(tmp_path, xml)) == [CRAFTED_ROWS]


def test_openpyxl_values_sheets_and_merges(tmp_path):
    path = tmp_path / "v.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for values in [["文本", 1, 2.5, -3, 1e-7, 12345678901234, True, False, None, "  空格  ", "a&b<c>\"d'"],
                   [],
                   [None, None, "第三列", dt.datetime(2015, 3, 7, 8, 30), dt.date(1990, 3, 7), "=1+1",
                    "换行\n文本", dt.time(8, 30)],
                   ["身份证", "110101199003071234", 1.10101199003077e17, "0551-1234567", "１２３"]]:
        ws.append(values)
    ws.merge_cells("A5:C6")
    ws["A5"] = "合并"
    ws["E9"] = "远处的单元格"
    wb.create_sheet("空表")
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["B2"] = "在"
    wb.save(path)
    with open_sheets(path) as sheets:
        assert [s.name for s in sheets] == ["Sheet", "空表", "隐藏"]
        assert sheets[0].merged == [(5, 1, 6, 3)] and sheets[0].estimated_rows == 9
        first, empty, third = (list(s.filled_rows()) for s in sheets)
    assert first == [
        ("文本", 1, 2.5, -3, 1e-7, 12345678901234, True, False, None, "  空格  ", "a&b<c>\"d'"),
        (),
        (None, None, "第三列", dt.datetime(2015, 3, 7, 8, 30), dt.datetime(1990, 3, 7), None, "换行\n文本",
         dt.time(8, 30)),
        ("身份证", "110101199003071234", 1.10101199003077e17, "0551-1234567", "１２３"),
        ("合并", "合并", "合并"), ("合并", "合并", "合并"), (), (),
        (None, None, None, None, "远处的单元格"),
    ]
    assert empty == [] and third == [(), (None, "在")]


def test_a_sheet_starting_below_and_right_of_a1(tmp_path):
    """Positions count from A1 whatever the used area (python-calamine gives it from its corner)."""
    path = tmp_path / "off.xlsx"
    wb = openpyxl.Workbook()
    wb.active["C3"] = "户主"
    wb.active["D5"] = 1
    wb.active.merge_cells("C3:C4")
    wb.save(path)
    assert _rows(path) == [[(), (), (None, None, "户主"), (None, None, "户主"), (None, None, None, 1)]]


def test_xls_values_and_merges(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("居民")
    sheet.write_merge(0, 0, 0, 2, "台账")
    sheet.write(1, 0, "姓名")
    sheet.write(1, 1, "出生日期")
    sheet.write(2, 0, "张三")
    sheet.write(2, 1, dt.date(1990, 3, 7), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(2, 2, 13800000001)
    sheet.write(2, 3, 2.5)
    sheet.write(2, 4, True)
    other = book.add_sheet("第二张")
    other.write_merge(2, 4, 1, 2, "户")
    path = tmp_path / "renamed.xlsx"                  # content decides, not the name
    book.save(str(path))
    with open_sheets(path) as sheets:
        # a range fills the rows the sheet has (here only row 3), as xlrd's did
        assert [(s.name, s.merged) for s in sheets] == [("居民", [(1, 1, 1, 3)]), ("第二张", [(3, 2, 3, 3)])]
        assert list(sheets[0].filled_rows()) == [
            ("台账", "台账", "台账"), ("姓名", "出生日期"),
            ("张三", dt.datetime(1990, 3, 7), 13800000001, 2.5, True)]
        assert list(sheets[1].filled_rows()) == [(), (), (None, "户", "户")]


def ods_book(path: Path, tables: str) -> Path:
    """A minimal .ods: ``tables`` is the XML of its ``<table:table>`` elements."""
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet>' + tables + '</office:spreadsheet></office:body>'
               '</office:document-content>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                         '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                         '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                         '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                         'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _ods_cell(value=None, **attrs) -> str:
    extra = "".join(f' table:{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    if value is None:
        return f"<table:table-cell{extra}/>"
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"{extra}>'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p></table:table-cell>'


def test_ods_values_and_merges_from_content_xml(tmp_path):
    """calamine gives no merged ranges for .ods: they come from the size check's pass."""
    path = ods_book(tmp_path / "a.ods", (
        '<table:table table:name="甲"><table:table-row>' + _ods_cell("户主") + _ods_cell(3)
        + _ods_cell("幸福里", number_columns_spanned=2, number_rows_spanned=2) + "<table:covered-table-cell/>"
        + "</table:table-row><table:table-row>" + _ods_cell() + _ods_cell(4.5)
        + '<table:covered-table-cell table:number-columns-repeated="2"/></table:table-row>'
        # LibreOffice's filler up to the sheet's end: empty, repeated a million times
        + '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
          'table:number-columns-repeated="1024"/></table:table-row></table:table>'))
    with open_sheets(path) as sheets:
        assert [(s.name, s.merged) for s in sheets] == [("甲", [(1, 3, 2, 4)])]
        assert list(sheets[0].filled_rows()) == [("户主", 3, "幸福里", "幸福里"), (None, 4.5, "幸福里", "幸福里")]


# -- hostile and broken files -------------------------------------------------------------------

HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _sheet(body: str, after: str = "") -> str:
    header = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{t}</t></is></c>'
                     for i, t in enumerate(["姓名", "公民身份号码", "所属网格"]))
    first = (f'<c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
             f'<c r="B2" t="inlineStr"><is><t>{person_id(1)}</t></is></c>')
    return f'{HEAD}<sheetData><row r="1">{header}</row><row r="2">{first}</row>{body}</sheetData>{after}</worksheet>'


def _patch_entry(path: Path, name: str, **fields: int) -> None:
    """Overwrite fields of ``name``'s local header and central-directory entry (what a zip says of
    a part: its method, CRC and sizes)."""
    data = bytearray(path.read_bytes())
    offsets = {b"PK\x03\x04": {"method": 8, "crc": 14, "compressed": 18, "size": 22, "name": 26, "start": 30},
               b"PK\x01\x02": {"method": 10, "crc": 16, "compressed": 20, "size": 24, "name": 28, "start": 46}}
    for signature, at_ in offsets.items():
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + at_["name"])[0]
            if bytes(data[at + at_["start"]:at + at_["start"] + length]) == name.encode():
                for key, value in fields.items():
                    struct.pack_into("<H" if key == "method" else "<I", data, at + at_[key], value)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _zip_bomb(folder: Path) -> Path:
    """1.5 GB of whitespace in the sheet XML, 1.5 MB on disk, sizes and CRC true.

    Built without compressing 1.5 GB: after a full flush deflate starts afresh, so every
    16 MB block of spaces compresses to the same bytes.
    """
    xml = _sheet("").encode()
    cut = xml.index(b"</sheetData>")
    block, blocks = b" " * (1 << 24), 90
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(xml[:cut]) + packer.flush(zlib.Z_FULL_FLUSH)
    body = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(xml[cut:]) + packer.flush()
    crc = zlib.crc32(xml[:cut])
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(xml[cut:], crc)
    raw = head + body * blocks + tail
    path = crafted_book(folder, "<placeholder/>", name="zipbomb.xlsx")
    # the same parts, the sheet stored as the raw deflate stream, then marked as deflated
    stored = folder / "bomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stored, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                out.writestr(zipfile.ZipInfo(item.filename), raw, compress_type=zipfile.ZIP_STORED)
            else:
                out.writestr(item, src.read(item.filename))
    _patch_entry(stored, "xl/worksheets/sheet1.xml", method=8, crc=crc,
                 size=len(xml) + blocks * len(block))
    return stored


def _lying_zip(folder: Path) -> Path:
    """A sheet of 30 MB whose zip entry claims 3,000 bytes: the directory lies about the size."""
    path = crafted_book(folder, _sheet("").replace("</sheetData>", " " * 30_000_000 + "</sheetData>"),
                        name="lying.xlsx")
    _patch_entry(path, "xl/worksheets/sheet1.xml", size=3000)
    return path


def _xls_with_cell_at(folder: Path, row: int, col: int) -> Path:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("居民")
    sheet.write(0, 0, "姓名")
    sheet.write(1, 1, 123456.789)
    path = folder / "far.xls"
    book.save(str(path))
    data = bytearray(path.read_bytes())
    at = data.find(struct.pack("<d", 123456.789)) - 10      # the NUMBER record: type, size, row, col, xf
    assert data[at:at + 2] == b"\x03\x02"
    struct.pack_into("<HH", data, at + 4, row, col)
    path.write_bytes(bytes(data))
    return path


def _csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _sparse_csv(folder: Path, size: int) -> Path:
    path = _csv(folder, "huge.csv", "姓名,公民身份号码\n")
    with open(path, "r+b") as fh:
        fh.truncate(size)                       # (sparse: no disk used)
    return path


GOOD_CSV_ROWS = "".join(f"李{n},{person_id(n)},第一网格\n" for n in range(2, 6))

HOSTILE = {
    "a zip bomb (1.5 GB of whitespace)": (_zip_bomb, "解压后有 1,440 MB"),
    "a zip whose directory lies about a part's size": (_lying_zip, "已损坏"),
    "a sheet claiming 2·10⁹ rows": (
        lambda d: crafted_book(d, _sheet('<row r="2000000000"><c r="A2000000000"><v>1</v></c></row>')),
        "用到了第 2,000,000,000 行"),
    "a cell in row 2·10⁹ inside row 3": (
        lambda d: crafted_book(d, _sheet('<row r="3"><c r="A2000000000"><v>1</v></c></row>')),
        "用到了第 2,000,000,000 行"),
    "rows × columns beyond 2^24 cells": (
        lambda d: crafted_book(d, _sheet('<row r="1000000"><c r="GR1000000"><v>1</v></c></row>')),
        "有 1,000,000 行 × 200 列"),
    "a shared-string index out of range": (
        lambda d: crafted_book(d, _sheet('<row r="3"><c r="A3" t="s"><v>99</v></c></row>')), "已损坏"),
    "an XML entity in sharedStrings": (
        lambda d: crafted_book(d, _sheet('<row r="3"><c r="A3" t="s"><v>0</v></c></row>'),
                               '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                               '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst xmlns="http://schemas.'
                               'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                               '<si><t>&b;</t></si></sst>'), "已损坏"),
    "a merge A2:XFD200000": (
        lambda d: crafted_book(d, _sheet("", '<mergeCells count="1"><mergeCell ref="A2:XFD200000"/></mergeCells>')),
        "A2:XFD200000 的合并单元格"),
    "a cell reference ZZZZZZ5": (
        lambda d: crafted_book(d, _sheet('<row r="5"><c r="ZZZZZZ5"><v>1</v></c></row>')), "用到了第 321,272,406 列"),
    "a row of 300 cells without r": (
        lambda d: crafted_book(d, _sheet('<row r="3">' + "<c><v>1</v></c>" * 300 + "</row>")), "用到了第 300 列"),
    '<c t="b"><v>abc</v>': (
        lambda d: crafted_book(d, _sheet('<row r="3"><c r="C3" t="b"><v>abc</v></c></row>')), "已损坏"),
    "invalid bytes in the XML": (
        lambda d: crafted_book(d, _sheet('<row r="3"><c r="C3" t="inlineStr"><is><t>X</t></is></c></row>')
                               .encode().replace(b">X<", b">\xff\xfe\x00<")), "已损坏"),
    ".xls with a cell in column 65,536": (lambda d: _xls_with_cell_at(d, 1, 65535), "用到了第 65,536 列"),
    ".xls with a cell in column 5,001": (lambda d: _xls_with_cell_at(d, 65535, 5000), "用到了第 5,001 列"),
    ".ods repeating a row 2 million times": (
        lambda d: ods_book(d / "rep.ods", '<table:table table:name="a"><table:table-row '
                           'table:number-rows-repeated="2000000">' + _ods_cell("x", number_columns_repeated=10)
                           + "</table:table-row></table:table>"), "用到了第 2,000,000 行"),
    ".ods repeating a cell 10⁸ times": (
        lambda d: ods_book(d / "rep.ods", '<table:table table:name="a"><table:table-row>'
                           + _ods_cell("x", number_columns_repeated=100_000_000) + "</table:table-row></table:table>"),
        "用到了第 100,000,000 列"),
    "a CSV of 201 MB": (lambda d: _sparse_csv(d, 201 << 20), "有 201 MB"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_end_in_one_chinese_sentence_within_seconds(tmp_path, ledger, name):
    make, words = HOSTILE[name]
    path = make(tmp_path)
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as info:
        import_file(ledger, path, SPEC)
    elapsed = time.perf_counter() - started
    message = str(info.value)
    assert words in message
    assert "\n" not in message and "Traceback" not in message and "Error" not in message
    assert elapsed < 5, f"{name}: {elapsed:.1f} s"
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 0
    assert ledger.scalar("SELECT COUNT(*) FROM grids") == 0


NAMED = ["李一", "李三", "李二", "李四"]
NAMED_ROWS = "".join(f"{name},{person_id(20 + n)},第一网格\n" for n, name in enumerate(NAMED))
BROKEN_CSV = {
    # name: (file, the rejected line's message, names imported)
    "a CSV cell over 131,072 characters": (
        lambda d: _csv(d, "long.csv", "姓名,公民身份号码,所属网格\n张三,\"" + "长" * 140_000 + "\",第一网格\n"
                       + NAMED_ROWS),
        "第 2 行有一个超过 131,072 个字符的单元格", NAMED),
    "a CSV quote that would swallow the valid rows after it": (
        lambda d: _csv(d, "quote.csv", "姓名,公民身份号码,所属网格\n张三,\"" + person_id(1) + ",第一网格\n"
                       + NAMED_ROWS + "王五,\"x\",第二网格\n"),
        "第 2 行的引号没有配对", NAMED),
    "a CSV quote never closed": (
        lambda d: _csv(d, "open.csv", "姓名,公民身份号码,所属网格\n" + NAMED_ROWS + "张三,\"" + person_id(1)
                       + ",第一网格\n"), "第 6 行的引号没有配对", NAMED),
    "text after a closing quote": (
        lambda d: _csv(d, "after.csv", "姓名,公民身份号码,所属网格\n" + '张三,"1"2,第一网格\n' + NAMED_ROWS),
        "第 2 行的引号用法不对", NAMED),
}


@pytest.mark.parametrize("name", list(BROKEN_CSV))
def test_a_broken_csv_line_is_reported_and_never_takes_the_valid_rows(tmp_path, ledger, name):
    """Issue 15: an unbalanced quote once swallowed 3 valid rows into 1 rejected row; now the
    line is listed as rejected with its line number and every other row is read."""
    make, words, imported = BROKEN_CSV[name]
    started = time.perf_counter()
    plan, summary = import_file(ledger, make(tmp_path), SPEC)
    assert time.perf_counter() - started < 5
    rejected = [o for o in plan.rejected() if any(words in m for m in o.messages)]
    assert len(rejected) == 1, [o.messages for o in plan.rejected()]
    assert sorted(r["name"] for r in ledger.query("SELECT name FROM residents")) == imported
    assert summary.imported == len(imported)


def test_a_csv_with_many_broken_quotes_is_refused_within_seconds(tmp_path, ledger):
    path = _csv(tmp_path, "many.csv", "姓名,公民身份号码\n" + "".join(f'张{n},"{"x" * 2000}\n' for n in range(300)))
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="引号没有配对的行超过 100 行"):
        import_file(ledger, path, SPEC)
    assert time.perf_counter() - started < 5
    assert ledger.scalar("SELECT COUNT(*) FROM residents") == 0


def test_a_long_narrow_sheet_has_its_columns_counted_exactly(tmp_path):
    """700,000 rows × "A-Z" would pass the cell limit: the letters used (A-C) are counted instead."""
    path = crafted_book(tmp_path, _sheet('<row r="700000"><c r="C700000"><v>1</v></c></row>'))
    with open_sheets(path) as sheets:
        assert sheets[0].estimated_rows == 700_000


def test_odd_but_readable_cells_are_read_as_text_and_checked_as_such(tmp_path, ledger):
    """``<c t="d">notadate`` is text to calamine: the row's date is refused like a typed one."""
    xml = _sheet('<row r="3"><c r="A3" t="inlineStr"><is><t>李四</t></is></c>'
                 f'<c r="B3" t="inlineStr"><is><t>{person_id(2)}</t></is></c>'
                 '<c r="D3" t="d"><v>notadate</v></c></row>')
    xml = xml.replace("<t>所属网格</t></is></c>", "<t>所属网格</t></is></c>"
                      '<c r="D1" t="inlineStr"><is><t>迁入日期</t></is></c>')
    plan, summary = import_file(ledger, crafted_book(tmp_path, xml), SPEC, dry_run=True)
    assert [o.raw.get("moved_in_on") for o in plan.outcomes] == [None, "notadate"]
    assert any("notadate" in m for m in plan.outcomes[1].messages)


def test_a_multi_line_note_in_a_csv_is_not_taken_for_a_broken_quote(tmp_path):
    path = _csv(tmp_path, "note.csv", '姓名,备注\n张三,"第一行，有逗号, 一个\n第二行"\n李四,\n')
    assert _rows(path) == [[("姓名", "备注"), ("张三", "第一行，有逗号, 一个\n第二行"), ("李四", None)]]


def test_a_real_ledger_is_nowhere_near_the_limits(tmp_path):
    """100 columns, merged households: read in full, nothing refused."""
    path = ledger_book(tmp_path / "wide.xlsx", {"一网格": [row(n, f"居民{n}", id_number=person_id(n))
                                                       + [f"附加{n}"] * 84 for n in range(300)]},
                       merges={"一网格": ["G4:G9", "A1:CV1"]})
    with open_sheets(path) as sheets:
        rows = list(sheets[0].filled_rows())
    assert len(rows) == 303 and len(rows[3]) == 100 and rows[8][6] == rows[3][6]
    assert reader.MAX_COLUMNS >= 100
