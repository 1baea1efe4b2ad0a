"""Reading spreadsheets: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv through the csv module.

:func:`open_sheets` recognises the file by its content, not its name (clerks rename
files), and yields one :class:`SheetSource` per sheet.  Every row comes out as a
tuple of cell values (``str``, ``int``, ``float``, ``bool``, ``datetime``, ``time``,
``timedelta`` or ``None`` for an empty cell; no trailing empty cells; ``()`` for an
empty row) with merged cells already filled from their top-left cell, so a
household merged over its members' rows reaches every member.

One reader for every workbook format: python-calamine (Rust calamine) parses the
sheet, gives its merged ranges (.xlsx/.xls) and converts dates; this module only
shapes its rows the way the import expects them (positions from A1, ``None`` for
empty, whole numbers of .xlsx/.ods as ``int``, dates as ``datetime``).  For .ods,
whose merged ranges calamine does not give, they come from the size check's pass
over ``content.xml``.

Calamine holds a sheet as one dense grid from its first to its last used cell, and
a failed allocation ends the whole process.  So before calamine sees a file, a
check that costs a fraction of the reading refuses an absurd one (see the limits
below, which a real ledger never reaches) with one Chinese sentence: the sizes in
the zip directory, every part decompressed once with its CRC checked (a zip whose
directory lies about a part's size is damaged), the last row and column that any
cell of a sheet names (a regular-expression pass over the sheet XML; the BIFF
records of an .xls; the rows and repeats of an .ods), and the merged ranges.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from models.core.errors import LedgerError
from models.core.tabular import FORMULA_STARTS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

#: Limits a real ledger never reaches; a file beyond any of them is refused before it is read.
MAX_ROWS = 1_048_576                 # Excel's own row limit
MAX_COLUMNS = 200
MAX_CELLS = 1 << 24                  # rows × columns of a sheet (calamine's grid: 32 bytes a cell, 512 MB)
MAX_UNPACKED = 200 * 1024 * 1024     # bytes of the whole workbook, decompressed (CSV: of the file)
MAX_MERGES = 500_000                 # merged ranges in one sheet
MAX_CSV_CELL = 131_072               # characters in one CSV cell (the csv module's own limit)
MAX_BROKEN_LINES = 100               # CSV lines with an unbalanced quote listed before the file is refused

_CHUNK = 1 << 22


class ImportFileError(LedgerError):
    """The file cannot be read at all; the message (Chinese) says why and what to do."""


@dataclass
class SheetSource:
    """One sheet of the file.

    Attributes:
        name: the sheet's name (the CSV file's name for a CSV).
        estimated_rows: the sheet's row count (the CSV's line count); for progress.
        merged: merged ranges as 1-based ``(first_row, first_col, last_row, last_col)``.
        rows: a callable returning an iterator of row tuples, starting at row 1.
    """

    name: str
    estimated_rows: int
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    rows: Callable[[], Iterator[tuple]] = lambda: iter(())

    def filled_rows(self) -> Iterator[tuple]:
        """The rows with every merged range filled from its top-left cell."""
        rows = self.rows()
        if not self.merged:
            yield from rows
            return
        starts: dict[int, list[tuple[int, int, int, int]]] = {}
        for rng in sorted(self.merged):
            starts.setdefault(rng[0], []).append(rng)
        active: list[tuple[int, int, int, object]] = []  # (last_row, first_col, last_col, value)
        for number, row in enumerate(rows, start=1):
            if active:
                active = [a for a in active if a[0] >= number]
            opening = starts.get(number)
            if opening:
                for first_row, first_col, last_row, last_col in opening:
                    value = row[first_col - 1] if first_col - 1 < len(row) else None
                    active.append((last_row, first_col, last_col, value))
            if active:
                cells = list(row)
                for last_row, first_col, last_col, value in active:
                    if len(cells) < last_col:
                        cells.extend([None] * (last_col - len(cells)))
                    for col in range(first_col - 1, last_col):
                        cells[col] = value
                row = tuple(cells)
            yield row


class OpenedFile(list):
    """The sheets of an open file (a list of :class:`SheetSource`); ``close()`` releases the file.

    Use as ``with open_sheets(path) as sheets:`` — on Windows an open handle would
    stop the clerk from saving the file in Excel while the program runs.
    """

    def __init__(self, sheets=(), closers=()):
        super().__init__(sheets)
        self._closers = list(closers)

    def close(self) -> None:
        while self._closers:
            try:
                self._closers.pop()()
            except Exception:  # noqa: BLE001 - closing must never hide the real outcome
                pass

    def __enter__(self) -> "OpenedFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_sheets(path: str | Path) -> OpenedFile:
    """Open a spreadsheet and list its sheets (close it after use: ``with open_sheets(p) as s``).

    Raises:
        ImportFileError: missing, empty, encrypted, damaged, absurdly large or not a spreadsheet.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise ImportFileError(f"找不到文件：{path}") from None
    except PermissionError:
        raise ImportFileError(f"无法打开“{path.name}”：文件可能正被 Excel/WPS 打开，请关闭后再试。") from None
    except IsADirectoryError:
        raise ImportFileError(f"“{path.name}”是文件夹，不是表格文件。") from None
    except OSError as exc:
        raise ImportFileError(f"无法读取“{path.name}”：{exc.strerror or exc}") from None
    if not head:
        raise ImportFileError(f"“{path.name}”是空文件，没有任何内容。")
    if head.startswith(ZIP_MAGIC):
        return _zip_sheets(path)
    if head.startswith(OLE_MAGIC):
        return _xls_sheets(path)
    return _csv_sheets(path)


# -- messages -------------------------------------------------------------------------------

def _damaged(path: Path, detail: str = "") -> ImportFileError:
    what = f"（{detail}）" if detail else ""
    return ImportFileError(f"“{path.name}”已损坏或不是 Excel 表格{what}，无法读取。"
                           "请用 Excel/WPS 打开后另存为 .xlsx 再导入。")


def _absurd(path: Path, what: str) -> ImportFileError:
    return ImportFileError(f"“{path.name}”{what}，远超一份台账的大小（最多 {MAX_ROWS:,} 行、{MAX_COLUMNS} 列、"
                           f"解压后 {MAX_UNPACKED // (1024 * 1024)} MB），可能已损坏，无法导入。")


def _encrypted(path: Path) -> ImportFileError:
    return ImportFileError(f"“{path.name}”设置了打开密码（已加密），无法读取。"
                           "请在 Excel/WPS 中取消密码后另存，再导入。")


class _Extent:
    """The last row and column a sheet uses, checked against the limits as they grow.

    ``where`` names the sheet in the messages: ``的工作表“居民”``.
    """

    def __init__(self, path: Path, where: str):
        self.path, self.where = path, where
        self.rows = self.cols = self.merges = 0

    def row(self, number: int) -> None:
        if number > self.rows:
            if number > MAX_ROWS:
                raise _absurd(self.path, f"{self.where}用到了第 {number:,} 行")
            self.rows = number

    def col(self, number: int) -> None:
        if number > self.cols:
            if number > MAX_COLUMNS:
                raise _absurd(self.path, f"{self.where}用到了第 {number:,} 列")
            self.cols = number

    def merge(self) -> None:
        self.merges += 1
        if self.merges > MAX_MERGES:
            raise _absurd(self.path, f"{self.where}有超过 {MAX_MERGES:,} 个合并单元格")

    def check_area(self) -> None:
        if self.rows * self.cols > MAX_CELLS:
            raise _absurd(self.path, f"{self.where}有 {self.rows:,} 行 × {self.cols} 列")


# -- zip: .xlsx/.xlsm and .ods ----------------------------------------------------------------

def _zip_sheets(path: Path) -> OpenedFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged(path) from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            kind = "xlsx"
        elif "content.xml" in names and b"spreadsheet" in _small_member(archive, "mimetype"):
            kind = "ods"
        elif any(n.startswith("xl/") for n in names):
            raise _damaged(path)
        else:
            raise ImportFileError(f"“{path.name}”不是 Excel 表格（可能是 Word 文档或压缩包）。")
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise ImportFileError(f"“{path.name}”是 Excel 二进制工作簿（.xlsb），无法读取。"
                                  "请用 Excel/WPS 打开后另存为 .xlsx 再导入。")
        if any(info.flag_bits & 0x1 for info in infos):
            raise _encrypted(path)
        unpacked = sum(info.file_size for info in infos)
        if unpacked > MAX_UNPACKED:
            raise _absurd(path, f"解压后有 {unpacked / (1024 * 1024):,.0f} MB")
        ods_merges: dict[str, list[tuple[int, int, int, int]]] = {}
        for info in infos:
            if kind == "ods" and info.filename == "content.xml":
                ods_merges = _scan_ods(path, archive, info)
            else:
                _scan_member(path, archive, info, sheet_part=kind == "xlsx")
    return _calamine_sheets(path, kind, ods_merges)


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        with archive.open(name) as src:
            return src.read(256)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return b""


_WORKSHEET = re.compile(rb"<(?:\w+:)?worksheet[\s>]")
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s>/]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_R_ATTR = re.compile(rb'\br="(\d+)"')
_ROW_R = re.compile(rb'<row r="(\d+)"')
_UNNAMED = re.compile(rb'<(?:row|c)(?:>|/>|\s(?!r="))')
_ONE_LETTER_REF = re.compile(rb'r="([A-Z])\d')
_MERGE_REF = re.compile(rb'mergeCell\s[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _letters_to_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _scan_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet_part: bool) -> None:
    """Decompress one part (CRC checked); for a worksheet, check the rows and columns its cells name."""
    try:
        with archive.open(info) as src:
            first = src.read(_CHUNK)
            if not (sheet_part and _WORKSHEET.search(first, 0, 1 << 16)):
                while src.read(_CHUNK):
                    pass
                return
            extent = _scan_sheet_xml(path, _chunks(src, first), exact_columns=False)
        if extent is not None and extent.rows * extent.cols > MAX_CELLS:
            if extent.cols > 26:
                extent.check_area()
            # Only a sheet of over 645,000 rows in A-Z gets here: find its last letter exactly.
            with archive.open(info) as src:
                _scan_sheet_xml(path, _chunks(src, b""), exact_columns=True).check_area()
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError) and "password" in str(exc).lower():
            raise _encrypted(path) from exc
        raise _damaged(path) from exc


def _chunks(src, first: bytes) -> Iterator[bytes]:
    if first:
        yield first
    while chunk := src.read(_CHUNK):
        yield chunk


def _scan_sheet_xml(path: Path, chunks: Iterator[bytes], exact_columns: bool) -> _Extent | None:
    """The rows and columns a sheet's cells name, read in chunks of whole rows.

    Rows: each ``<row>``'s ``r`` (or the one after the previous row), then any cell whose
    reference names a later row than the rows so far (a cell lives in its row, so a real
    file has none).  Columns: every reference past Z; A-Z counts as 26 (``exact_columns``:
    the last letter used, exactly).  Every writer we know puts ``r`` first on each row and
    cell without a prefix, which expressions starting with a literal find at memchr speed;
    other XML (prefixes, no ``r``: cells take the column after the previous one) goes
    through the general expressions, row by row.
    """
    extent: _Extent | None = None
    tail = b""
    next_row = 1
    general = False
    while True:
        chunk = next(chunks, b"")
        buf = tail + chunk
        if chunk:
            cut = buf.rfind(b"row>") + 4          # after a whole </row> (or </x:row>)
            if cut < 4:
                if len(buf) > 16 * _CHUNK:
                    raise _damaged(path)
                tail = buf
                continue
            buf, tail = buf[:cut], buf[cut:]
        if extent is None:
            found = _SHEET_DATA.search(buf)
            if found is None:
                if not chunk:
                    return None
                tail = buf[-64:] + tail
                continue
            extent = _Extent(path, "")
            if not exact_columns:
                extent.col(26)                     # A-Z; the columns below are those past Z
            general = found.group(1) is not None  # a prefix (x:row, x:c)
        if not general and _UNNAMED.search(buf):
            general = True
        if general:
            for match in _ROW_TAG.finditer(buf):
                found = _R_ATTR.search(match.group(1))
                number = int(found.group(1)) if found else next_row
                extent.row(number)
                next_row = number + 1
            _count_unnamed_cells(buf, extent)
        else:
            rows = _ROW_R.findall(buf)
            if rows:
                extent.row(max(map(int, rows)))
        for letters, number, row in _unusual_refs(extent.rows).findall(buf):
            if letters:
                extent.col(_letters_to_number(letters) if len(letters) < 8 else 10 ** 8)
            number = number or row
            if number:
                extent.row(int(number) if len(number) < 12 else 10 ** 12)
        if exact_columns:
            for letter in set(_ONE_LETTER_REF.findall(buf)):
                extent.col(letter[0] - 64)
        for match in _MERGE_REF.finditer(buf):
            extent.merge()
            c1, r1 = match.group(1), match.group(2)
            c2, r2 = match.group(3) or c1, match.group(4) or r1
            if len(c2) > 7 or len(r2) > 9 or (
                    (int(r2) - int(r1) + 1) * (_letters_to_number(c2) - _letters_to_number(c1) + 1) > MAX_CELLS):
                raise _absurd(path, f"有一个覆盖 {c1.decode()}{r1.decode()}:{c2.decode()}{r2.decode()} 的合并单元格")
        if exact_columns or extent.cols > 26:          # (26 alone is only a bound: see _scan_member)
            extent.check_area()
        if not chunk:
            return extent


def _unusual_refs(rows: int) -> re.Pattern:
    """References past column Z (groups 1, 2: letters, row) or in A-Z past row ``rows`` (group 3)."""
    digits = str(max(rows, 1))
    greater = [rb"[1-9]\d{%d,}" % len(digits), rb"0\d*"]      # (leading zeros: checked as numbers)
    for i, ch in enumerate(digits):
        if ch != "9":
            greater.append(b"%s[%d-9]\\d{%d}" % (digits[:i].encode(), int(ch) + 1, len(digits) - i - 1))
    return re.compile(rb'r="([A-Z]{2,})(\d+)"|r="[A-Z](' + b"|".join(greater) + rb')"')


def _count_unnamed_cells(buf: bytes, extent: _Extent) -> None:
    """Cells without ``r`` take the column after the previous one: bound them row by row."""
    for body in re.findall(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", buf, re.S):
        cells = len(re.findall(rb"<(?:\w+:)?c[\s>/]", body))
        named = [_letters_to_number(m) for m in re.findall(rb'\sr="([A-Z]{1,7})\d', body)]
        extent.col(max(named, default=0) + cells)


# -- .ods: content.xml -----------------------------------------------------------------------

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _scan_ods(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, list]:
    """Rows, columns and merged ranges of every table of an .ods (calamine gives no merges for it)."""
    import xml.etree.ElementTree as ET

    table_tag, row_tag = _ODS_TABLE + "table", _ODS_TABLE + "table-row"
    cell_tags = {_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"}
    rows_rep, cols_rep = _ODS_TABLE + "number-rows-repeated", _ODS_TABLE + "number-columns-repeated"
    rows_span, cols_span = _ODS_TABLE + "number-rows-spanned", _ODS_TABLE + "number-columns-spanned"
    value_type = _ODS_OFFICE + "value-type"
    merges: dict[str, list] = {}
    extent: _Extent | None = None
    row = col = repeat = 0
    row_used = False
    try:
        with archive.open(info) as src:
            for event, elem in ET.iterparse(src, events=("start", "end")):
                tag = elem.tag
                if event == "start":
                    if tag == table_tag:
                        name = elem.get(_ODS_TABLE + "name") or f"Sheet{len(merges) + 1}"
                        extent, row = _Extent(path, f"的工作表“{name}”"), 0
                        sheet_merges = merges[name] = []
                    elif tag == row_tag and extent is not None:
                        col, row_used = 0, False
                        repeat = _count(elem.get(rows_rep))
                    continue
                if extent is None:
                    continue
                if tag in cell_tags:
                    span = _count(elem.get(cols_rep))
                    if elem.get(value_type) is not None or len(elem) or (elem.text or "").strip():
                        extent.col(col + span)
                        row_used = True
                    rs, cs = _count(elem.get(rows_span)), _count(elem.get(cols_span))
                    if rs > 1 or cs > 1:
                        extent.merge()
                        extent.row(row + rs)
                        extent.col(col + cs)
                        sheet_merges.append((row + 1, col + 1, row + rs, col + cs))
                    col += span
                    elem.clear()
                elif tag == row_tag:
                    if row_used:
                        extent.row(row + repeat)
                    row += repeat
                    extent.check_area()
                    elem.clear()
                elif tag == table_tag:
                    extent = None
                    elem.clear()
    except ImportFileError:
        raise
    except (ET.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged(path) from exc
    return merges


def _count(value: str | None) -> int:
    if not value:
        return 1
    try:
        number = int(value)
    except ValueError:
        return 1
    return max(number, 1)


# -- .xls: the BIFF records of the Workbook stream ------------------------------------------

#: BIFF8 cell records, all starting with row (u16), column (u16): FORMULA, BLANK, NUMBER,
#: LABEL, BOOLERR, RK, LABELSST, RSTRING, and the BIFF2-4 forms; MULRK/MULBLANK end with
#: their last column.
_BIFF_CELLS = frozenset({0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0406,
                         0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0206})
_BIFF_MULTI = frozenset({0x00BD, 0x00BE})
_BIFF_BOF = frozenset({0x0809, 0x0409, 0x0209, 0x0009})
_BIFF_MERGE = 0x00E5


def _xls_sheets(path: Path) -> OpenedFile:
    import olefile

    if _ole_is_encrypted_ooxml(path):
        raise _encrypted(path)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
                raise _encrypted(path)
            stream = next((name for name in ("Workbook", "Book", "WORKBOOK", "BOOK") if ole.exists(name)), None)
            if stream is None:
                raise ImportFileError(f"“{path.name}”不是可识别的 Excel 表格（可能是 Word 文档或其他 Office 文件），"
                                      "无法读取。请用 Excel/WPS 打开后另存为 .xlsx 再导入。")
            if ole.get_size(stream) > MAX_UNPACKED:
                raise _absurd(path, f"有 {ole.get_size(stream) / (1024 * 1024):,.0f} MB")
            data = ole.openstream(stream).read()
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - olefile raises assorted errors on damaged files
        raise _damaged(path) from exc
    try:
        _scan_biff(path, data)
    except (IndexError, struct.error) as exc:
        raise _damaged(path) from exc
    del data
    return _calamine_sheets(path, "xls", {})


def _ole_is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container holding ``EncryptionInfo``/``EncryptedPackage``
    (their names in the directory, UTF-16): found even when the container itself is damaged."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 16)
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data


def _scan_biff(path: Path, data: bytes) -> None:
    """The last row and column of every sheet's cell records, and its merged ranges."""
    unpack = struct.Struct("<HHHH").unpack_from
    cells, multi = _BIFF_CELLS, _BIFF_MULTI
    end = len(data) - 8
    pos = 0
    sheet = -1                                  # the first BOF opens the workbook globals
    extent = _Extent(path, "")
    rows = cols = 0
    while pos <= end:
        kind, size, row, col = unpack(data, pos)
        if kind in cells:
            if row > rows:
                rows = row
            if col > cols:
                cols = col
        elif kind in multi and size >= 6:
            last = data[pos + 2 + size] | data[pos + 3 + size] << 8
            if row > rows:
                rows = row
            if last > cols:
                cols = last
        elif kind in _BIFF_BOF:
            extent.row(rows + 1 if rows else 0)
            extent.col(cols + 1 if cols else 0)
            extent.check_area()
            sheet += 1
            extent, rows, cols = _Extent(path, f"的第 {sheet} 个工作表"), 0, 0
        elif kind == _BIFF_MERGE:
            for _ in range(row):                      # the record's first u16 is its count
                extent.merge()
        pos += 4 + size
    extent.row(rows + 1 if rows else 0)
    extent.col(cols + 1 if cols else 0)
    extent.check_area()


# -- calamine ---------------------------------------------------------------------------------

def _calamine_sheets(path: Path, kind: str, ods_merges: dict[str, list]) -> OpenedFile:
    import python_calamine as pc

    try:
        # From the bytes, not the name: calamine picks the format by the file's extension, and
        # clerks' files arrive renamed.  It reads the whole file at once: no handle stays open.
        with open(path, "rb") as handle:
            book = pc.CalamineWorkbook.from_filelike(handle)
    except pc.PasswordError as exc:
        raise _encrypted(path) from exc
    except (pc.CalamineError, OSError, ValueError) as exc:
        raise _calamine_error(path, exc) from exc
    sheets = []
    try:
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = book.get_sheet_by_index(index)
                merged = _merged_ranges(sheet, ods_merges.get(meta.name, []))
            except pc.CalamineError as exc:
                raise _calamine_error(path, exc, meta.name) from exc
            start = sheet.start
            height = (start[0] + sheet.height) if start is not None else 0
            # A range only fills rows the sheet has; past column 200 it would fill nothing read.
            merged = [(r1, c1, min(r2, height), min(c2, MAX_COLUMNS)) for r1, c1, r2, c2 in merged
                      if r1 <= height and c1 <= MAX_COLUMNS]
            sheets.append(SheetSource(name=meta.name, estimated_rows=height, merged=merged,
                                      rows=(lambda sheet=sheet: _sheet_rows(sheet))))
    except BaseException:
        book.close()
        raise
    return OpenedFile(sheets, [book.close])


def _calamine_error(path: Path, exc: Exception, sheet: str | None = None) -> ImportFileError:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return _encrypted(path)
    where = f"工作表“{sheet}”中有无法识别的内容" if sheet else ""
    return _damaged(path, where)


def _merged_ranges(sheet, given: list) -> list[tuple[int, int, int, int]]:
    ranges = sheet.merged_cell_ranges
    if ranges is None:                      # .ods: from the size check's pass over content.xml
        return list(given)
    return [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in ranges if r2 >= r1 and c2 >= c1]


def _sheet_rows(sheet) -> Iterator[tuple]:
    """The sheet's rows from row 1: empty cells ``None`` (no trailing ones), dates as ``datetime``,
    whole numbers below 10**15 as ``int`` (as the earlier openpyxl reader gave them for .xlsx)."""
    start = sheet.start
    if start is None:
        return
    # iter_rows starts at row 1 (empty rows above the used area included) but at the used
    # area's first column: put the columns before it back.
    lead = [None] * start[1]
    date, combine, midnight = _dt.date, _dt.datetime.combine, _dt.time()
    for values in sheet.iter_rows():
        cells = lead + values if lead else values
        for i, value in enumerate(cells):
            kind = type(value)
            if kind is str:
                if not value:
                    cells[i] = None
            elif kind is float:
                if value.is_integer() and -1e15 < value < 1e15:
                    cells[i] = int(value)
            elif kind is date:
                cells[i] = combine(value, midnight)
        while cells and cells[-1] is None:
            cells.pop()
        yield tuple(cells)


# -- csv ------------------------------------------------------------------------------------

#: Tried in order; GB18030 is a superset of GBK and GB2312 (what Chinese Excel writes).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(data: bytes) -> str | None:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_sheets(path: Path) -> OpenedFile:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(f"无法读取“{path.name}”：{exc.strerror or exc}") from None
    if size > MAX_UNPACKED:
        raise _absurd(path, f"有 {size / (1024 * 1024):,.0f} MB")
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(f"“{path.name}”不是 Excel 表格或 CSV 文本文件，无法读取。")
    content = decode_text(data)
    del data
    if content is None:
        raise ImportFileError(f"“{path.name}”不是 Excel 表格或 CSV 文本文件（无法识别文字编码）。")
    if not content.strip():
        raise ImportFileError(f"“{path.name}”是空文件，没有任何内容。")
    head = content[:8192]
    if head.lstrip().startswith(("%PDF", "<html", "<!DOCTYPE", "{\\rtf")):
        raise ImportFileError(f"“{path.name}”不是 Excel 表格或 CSV 文件，无法读取。")
    delimiter = _sniff_delimiter(head)
    lines = content.count("\n") + 1
    return OpenedFile([SheetSource(name=path.stem, estimated_rows=lines,
                                   rows=lambda: _csv_rows(path, content, delimiter))])


class BrokenRow(tuple):
    """A CSV line the csv module could not read as a record (an unbalanced quote): its cells
    split plainly, and ``message``, the clerk's reason.  The engine lists it as rejected;
    the lines after it are read as usual."""

    message: str = ""

    def __new__(cls, cells, message: str):
        row = super().__new__(cls, cells)
        row.message = message
        return row


def _csv_rows(path: Path, content: str, delimiter: str) -> Iterator[tuple]:
    """The CSV's rows.

    A record the csv module cannot read (an unbalanced quote: a field over the size limit,
    text after a closing quote, no closing quote before the end) or one whose quoted cell
    swallowed whole lines is not allowed to take the rows after it: its first line becomes a
    :class:`BrokenRow` (listed as rejected, with the line number) and reading goes on from
    the next line.  An absurd file (rows, columns) ends in one Chinese sentence.
    """
    lines = list(io.StringIO(content, newline=""))
    start = 0
    number = 0
    broken_rows = 0
    while start < len(lines):
        at = [start]                              # index of the next line the reader takes

        def source(first=start):
            for index in range(first, len(lines)):
                at[0] = index + 1
                yield lines[index]

        reader = csv.reader(source(), delimiter=delimiter, strict=True)
        record = start                            # index of the line the next record starts on
        broken = None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                broken = _broken_reason(record + 1, at[0] - record - 1, str(exc))
                break
            if at[0] - record > 1 and any("\n" in cell and _swallowed_rows(cell, delimiter) for cell in row):
                broken = _broken_reason(record + 1, at[0] - record - 1, "swallowed")
                break
            number += 1
            if number > MAX_ROWS:
                raise _absurd(path, f"有超过 {MAX_ROWS:,} 行")
            if len(row) > MAX_COLUMNS and any(row[MAX_COLUMNS:]):
                raise _absurd(path, f"第 {record + 1} 行有 {len(row):,} 列")
            record = at[0]
            # our csv export writes a formula-looking text as '=…: the quote goes again (round trip)
            yield tuple((cell[1:] if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_STARTS else cell)
                        if cell != "" else None for cell in row)
        number += 1
        broken_rows += 1
        if broken_rows > MAX_BROKEN_LINES:
            raise ImportFileError(f"“{path.name}”中引号没有配对的行超过 {MAX_BROKEN_LINES} 行，"
                                  "不像是正常的 CSV 文件，无法读取；请在 Excel/WPS 中打开检查后另存为 CSV 再导入。")
        text = lines[record].rstrip("\r\n")
        cells = [cell[:MAX_CSV_CELL] or None for cell in text.split(delimiter)[:MAX_COLUMNS]]
        yield BrokenRow(cells, broken)
        start = record + 1


def _swallowed_rows(cell: str, delimiter: str) -> bool:
    """A quoted cell holding whole rows: a line of it after the first has two or more delimiters
    (a note written over several lines has its commas, if any, as text, rarely two on one line)."""
    return any(part.count(delimiter) >= 2 for part in cell.split("\n")[1:])


def _broken_reason(line: int, more_lines: int, message: str) -> str:
    """Why the CSV record starting on ``line`` is not read, for the problem list."""
    if "field larger than field limit" in message:
        return (f"第 {line} 行有一个超过 {MAX_CSV_CELL:,} 个字符的单元格（常见原因是引号没有配对），"
                "本行未导入；请检查该行的引号后重新导入")
    if "unexpected end of data" in message or message == "swallowed" or more_lines >= 1:
        return (f"第 {line} 行的引号没有配对（会把后面的行并进一个单元格），本行未导入，后面的行照常读取；"
                "请检查该行的引号后重新导入")
    return (f"第 {line} 行的引号用法不对（结束的引号后面紧跟着其他文字），本行未导入；"
            "请检查该行的引号后重新导入")


def _sniff_delimiter(head: str) -> str:
    lines = [line for line in head.splitlines()[:30] if line.strip()]
    best, best_score = ",", 0
    for candidate in (",", "\t", ";", "|"):
        counts = [line.count(candidate) for line in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best
