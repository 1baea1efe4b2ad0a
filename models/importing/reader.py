"""Reading spreadsheets: .xlsx/.xlsm (openpyxl read-only + a fast cell reader), legacy .xls (xlrd), .csv.

:func:`open_sheets` recognises the file by its content, not its name (clerks rename
files), and yields one :class:`SheetSource` per sheet.  Every row comes out as a
tuple of cell values with merged cells already filled from their top-left cell, so
a household merged over its members' rows reaches every member.

For .xlsx, openpyxl (read-only) opens the workbook: relationships, sheet names and
states, shared strings, number formats (which styles are dates), the date epoch.
The rows themselves stream through :func:`fast_rows`, which reads the sheet XML
with a few regular expressions and openpyxl's conversions — the same values as
``iter_rows(values_only=True)`` at about 2.5 times the speed — and hands the rest
of a sheet to openpyxl whenever it meets XML it does not handle.

openpyxl's read-only mode does not expose merged ranges, so they are read from
the sheet's XML directly (the ``<mergeCells>`` element after ``<sheetData>``),
streaming the decompressed part in chunks: cheap next to parsing the cells.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from models.core.errors import LedgerError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class ImportFileError(LedgerError):
    """The file cannot be read at all; the message (Chinese) says why and what to do."""


@dataclass
class SheetSource:
    """One sheet of the file.

    Attributes:
        name: the sheet's name (the CSV file's name for a CSV).
        estimated_rows: the row count the file declares (0 when unknown); for progress.
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
        ImportFileError: missing, empty, encrypted, damaged or not a spreadsheet.
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
        return _xlsx_sheets(path)
    if head.startswith(OLE_MAGIC):
        return _xls_sheets(path)
    return _csv_sheets(path)


# -- xlsx -----------------------------------------------------------------------------------

def _xlsx_sheets(path: Path) -> OpenedFile:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object, not the name: openpyxl refuses names not ending in .xlsx, and
    # clerks' files arrive renamed (.xls, .csv, no extension).
    handle = open(path, "rb")
    try:
        workbook = _load_unsized(handle)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        handle.close()
        if _is_word_or_other_zip(path):
            raise ImportFileError(f"“{path.name}”不是 Excel 表格（可能是 Word 文档或压缩包）。") from exc
        raise ImportFileError(f"“{path.name}”已损坏或不是 Excel 表格，无法读取。"
                              "请用 Excel/WPS 打开后另存为 .xlsx 再导入。") from exc
    sheets = []
    for ws in workbook.worksheets:
        # A wrong <dimension> (some exporters write "A1") would make openpyxl stop at row 1.
        ws.reset_dimensions()
        sheets.append(SheetSource(
            name=ws.title, estimated_rows=_estimate_rows(workbook, ws),
            merged=_xlsx_merged_ranges(workbook, ws),
            rows=(lambda ws=ws: fast_rows(workbook, ws))))
    return OpenedFile(sheets, [handle.close, workbook.close])


def _load_unsized(handle):
    """``openpyxl.load_workbook(handle, read_only=True, data_only=True)`` without the size pre-scan.

    A read-only worksheet reads its ``<dimension>`` when it is created; when the
    element is missing (openpyxl's own write-only files, some exporters) that
    "quick look" parses the whole sheet — a quarter of the reading time of a
    100,000-row file — and we reset the dimensions anyway (a wrong one would cut
    the sheet short).  So the sheets are created without it; if openpyxl's reader
    ever changes shape, the plain ``load_workbook`` is used.
    """
    import openpyxl

    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    except ImportError:  # pragma: no cover - another openpyxl layout
        return openpyxl.load_workbook(handle, read_only=True, data_only=True)

    class UnsizedWorksheet(ReadOnlyWorksheet):
        def _get_size(self):
            """No pre-scan: see :func:`_load_unsized`."""

    class Reader(ExcelReader):
        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                    continue
                ws = UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    try:
        reader = Reader(handle, read_only=True, data_only=True)
    except (AttributeError, TypeError):  # pragma: no cover - another openpyxl layout
        handle.seek(0)
        return openpyxl.load_workbook(handle, read_only=True, data_only=True)
    reader.read()
    return reader.wb


# -- the cell reader ---------------------------------------------------------------------
#
# openpyxl's read-only parser turns every cell into an element tree node, a dict and,
# for inline strings, a descriptor-checked Text object: most of the time of a big
# import.  The cell grammar of SpreadsheetML is small, so rows are read here with a
# few regular expressions over the decompressed XML, using openpyxl's own shared
# strings, date styles and conversions, with the same results as
# ``ws.iter_rows(values_only=True)`` (tests/models/test_importing.py compares them).
# Anything unexpected (a CDATA section, a cell the expressions do not account for)
# hands the rest of the sheet to openpyxl from that row on.

class _Unsupported(Exception):
    """The fast reader met XML it does not handle; openpyxl takes over."""


_PREFIX = re.compile(rb"<(\w+:)?sheetData[\s>/]")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_COLUMN_CACHE: dict[str, int] = {}


def _column_of(letters: str) -> int:
    number = _COLUMN_CACHE.get(letters)
    if number is None:
        number = 0
        for ch in letters:
            number = number * 26 + (ord(ch) - 64)
        _COLUMN_CACHE[letters] = number
    return number


def _patterns(prefix: str):
    p = re.escape(prefix)
    return (re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S),
            re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S),
            re.compile(rf"<{p}v>(.*?)</{p}v>|<{p}v/>", re.S),
            re.compile(rf"<{p}t\b[^>]*?(?:/>|>(.*?)</{p}t>)", re.S),
            re.compile(rf"<{p}rPh\b.*?</{p}rPh>", re.S),
            re.compile(rf"<{p}c[\s>/]"))


def fast_rows(workbook, ws) -> Iterator[tuple]:
    """Every row of a read-only sheet as a tuple of values, from row 1, gaps filled."""
    import html

    from openpyxl.utils.datetime import from_excel, from_ISO8601

    archive = getattr(workbook, "_archive", None)
    part = getattr(ws, "_worksheet_path", None)
    shared = getattr(ws, "_shared_strings", None)
    dates = getattr(workbook, "_date_formats", None)
    deltas = getattr(workbook, "_timedelta_formats", set())
    if archive is None or part is None or shared is None or dates is None:
        yield from ws.iter_rows(values_only=True)
        return
    epoch = workbook.epoch
    unescape = html.unescape
    next_row = 1
    try:
        with archive.open(part) as src:
            buf = b""
            patterns = None
            done = False
            while not done:
                chunk = src.read(1 << 20)
                if not chunk:
                    done = True
                buf += chunk
                if patterns is None:
                    found = _PREFIX.search(buf)
                    if found is None:
                        if done:
                            return
                        continue
                    prefix = (found.group(1) or b"").decode("ascii")
                    patterns = _patterns(prefix)
                    row_re, cell_re, v_re, t_re, rph_re, c_tag = patterns
                    end_row = f"</{prefix}row>".encode()
                    end_data = f"</{prefix}sheetData>".encode()
                    buf = buf[found.start():]
                stop = buf.find(end_data)
                if stop >= 0:
                    region, buf, done = buf[:stop], b"", True
                elif done:
                    region, buf = buf, b""
                else:
                    cut = buf.rfind(end_row)
                    if cut < 0:
                        continue
                    cut += len(end_row)
                    region, buf = buf[:cut], buf[cut:]
                text = region.decode("utf-8")
                if "<![CDATA[" in text:
                    raise _Unsupported(next_row)
                for row_match in row_re.finditer(text):
                    attrs, body = row_match.group(1), row_match.group(2) or ""
                    if "'" in attrs:
                        raise _Unsupported(next_row)      # single-quoted attributes: openpyxl's job
                    found_r = _ROW_NUMBER.search(attrs)
                    if found_r is None and "r=" in attrs:
                        raise _Unsupported(next_row)      # e.g. r="6.0"
                    number = int(found_r.group(1)) if found_r else next_row
                    if number < next_row:
                        raise _Unsupported(next_row)
                    while next_row < number:
                        yield ()
                        next_row += 1
                    cells = cell_re.findall(body)
                    if len(cells) != len(c_tag.findall(body)):
                        raise _Unsupported(number)
                    values: list = []
                    column = 0
                    for cell_attrs, content in cells:
                        pairs = _ATTR.findall(cell_attrs)
                        if len(pairs) != cell_attrs.count("="):
                            raise _Unsupported(number)    # quotes or spacing the expression does not read
                        a = dict(pairs)
                        ref = a.get("r")
                        if ref:
                            letters = ref.rstrip("0123456789")
                            column = _column_of(letters)
                        else:
                            column += 1
                        kind = a.get("t", "n")
                        value = None
                        if kind == "inlineStr":
                            if content:
                                if "rPh" in content:
                                    content = rph_re.sub("", content)
                                value = "".join(t_re.findall(content))
                                if "&" in value:
                                    value = unescape(value)
                        elif content:
                            v = v_re.search(content)
                            raw = v.group(1) if v else None
                            if raw:
                                if kind == "n":
                                    value = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
                                    style = a.get("s")
                                    if style and int(style) in dates:
                                        try:
                                            value = from_excel(value, epoch, timedelta=int(style) in deltas)
                                        except (OverflowError, ValueError):
                                            value = "#VALUE!"
                                elif kind == "s":
                                    value = shared[int(raw)]
                                elif kind == "b":
                                    value = bool(int(raw))
                                elif kind == "d":
                                    value = from_ISO8601(raw)
                                else:          # str (a formula's text), e (an error such as #N/A)
                                    value = unescape(raw) if "&" in raw else raw
                        if column > len(values):
                            values.extend([None] * (column - len(values)))
                        values[column - 1] = value
                    yield tuple(values)
                    next_row = number + 1
    except (_Unsupported, ValueError, IndexError, KeyError, UnicodeDecodeError) as exc:
        start = exc.args[0] if isinstance(exc, _Unsupported) else next_row
        # openpyxl reads the rest (it parses from the top but yields from ``start`` on).
        for row in ws.iter_rows(min_row=start, values_only=True):
            yield tuple(row)


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")


def _estimate_rows(workbook, ws) -> int:
    """The sheet's row count for the progress bar: its ``<dimension>``, else extrapolated
    from the rows in the first 64 KB of its XML.  0 when unknown."""
    part = getattr(ws, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if not part or archive is None:
        return 0
    try:
        size = archive.getinfo(part).file_size
        with archive.open(part) as src:
            head = src.read(1 << 16)
    except (KeyError, OSError, zipfile.BadZipFile):
        return 0
    found = _DIMENSION.search(head[:4096])
    if found:
        return int(found.group(1))
    rows = len(_ROW_TAG.findall(head))
    if not rows or not head:
        return 0
    return int(rows * size / len(head))


def _is_word_or_other_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return not any(n.startswith("xl/") for n in names)


_MERGE_START = re.compile(rb"<(?:\w+:)?mergeCells[\s>]")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _xlsx_merged_ranges(workbook, ws) -> list[tuple[int, int, int, int]]:
    """Merged ranges of ``ws`` read from its XML (``<mergeCells>`` follows ``<sheetData>``)."""
    part = getattr(ws, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if not part or archive is None:
        return []
    tail = b""
    found = None
    try:
        with archive.open(part) as src:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                if found is not None:
                    found += chunk
                    continue
                buf = tail + chunk
                match = _MERGE_START.search(buf)
                if match:
                    found = buf[match.start():]
                else:
                    tail = buf[-32:]
    except (KeyError, OSError, zipfile.BadZipFile):
        return []
    if not found:
        return []
    ranges = []
    for c1, r1, c2, r2 in _MERGE_REF.findall(found):
        first_row, last_row = int(r1), int(r2)
        first_col, last_col = _column_number(c1), _column_number(c2)
        if last_row >= first_row and last_col >= first_col:
            ranges.append((first_row, first_col, last_row, last_col))
    return ranges


# -- xls ------------------------------------------------------------------------------------

def _xls_sheets(path: Path) -> OpenedFile:
    import xlrd

    if _ole_is_encrypted_ooxml(path):
        raise ImportFileError(f"“{path.name}”设置了打开密码（已加密），无法读取。"
                              "请在 Excel/WPS 中取消密码后另存，再导入。")
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except NotImplementedError:
        # formatting_info is not implemented for some BIFF versions; merged cells are lost then.
        book = _open_xls_plain(path)
    except xlrd.XLRDError as exc:
        raise _xls_error(path, exc) from exc
    except Exception as exc:  # noqa: BLE001 - xlrd raises assorted errors on damaged files
        raise ImportFileError(f"“{path.name}”已损坏或不是 Excel 表格，无法读取。") from exc
    sheets = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        merged = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in getattr(sheet, "merged_cells", [])]
        sheets.append(SheetSource(name=sheet.name, estimated_rows=sheet.nrows, merged=merged,
                                  rows=(lambda sheet=sheet: _xls_rows(book, sheet))))
    return OpenedFile(sheets, [book.release_resources])


def _open_xls_plain(path: Path):
    import xlrd

    try:
        return xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        raise _xls_error(path, exc) from exc
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(f"“{path.name}”已损坏或不是 Excel 表格，无法读取。") from exc


def _xls_error(path: Path, exc: Exception) -> ImportFileError:
    if "encrypt" in str(exc).lower():
        return ImportFileError(f"“{path.name}”设置了打开密码（已加密），无法读取。"
                               "请在 Excel/WPS 中取消密码后另存，再导入。")
    return ImportFileError(f"“{path.name}”不是可识别的 Excel 表格，无法读取。"
                           "请用 Excel/WPS 打开后另存为 .xlsx 再导入。")


def _xls_rows(book, sheet) -> Iterator[tuple]:
    import xlrd

    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        values = sheet.row_values(r)
        row = []
        for kind, value in zip(types, values):
            if kind == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate_as_datetime(value, book.datemode)
                except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                    pass
            elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind == xlrd.XL_CELL_ERROR:
                value = None
            row.append(value)
        yield tuple(row)


def _ole_is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container holding ``EncryptionInfo``/``EncryptedPackage``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 16)
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data


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
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(f"“{path.name}”不是 Excel 表格或 CSV 文本文件，无法读取。")
    content = decode_text(data)
    if content is None:
        raise ImportFileError(f"“{path.name}”不是 Excel 表格或 CSV 文本文件（无法识别文字编码）。")
    if not content.strip():
        raise ImportFileError(f"“{path.name}”是空文件，没有任何内容。")
    head = content[:8192]
    if head.lstrip().startswith(("%PDF", "<html", "<!DOCTYPE", "{\\rtf")):
        raise ImportFileError(f"“{path.name}”不是 Excel 表格或 CSV 文件，无法读取。")
    delimiter = _sniff_delimiter(head)
    lines = content.count("\n") + 1

    def rows() -> Iterator[tuple]:
        reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
        for row in reader:
            yield tuple(cell if cell != "" else None for cell in row)

    return OpenedFile([SheetSource(name=path.stem, estimated_rows=lines, rows=rows)])


def _sniff_delimiter(head: str) -> str:
    lines = [line for line in head.splitlines()[:30] if line.strip()]
    best, best_score = ",", 0
    for candidate in (",", "\t", ";", "|"):
        counts = [line.count(candidate) for line in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def cell_as_python(value: object) -> object:
    """Normalise odd cell types (``time`` → text) so specs see str/int/float/datetime/None."""
    if isinstance(value, _dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, _dt.timedelta):
        return str(value)
    return value
