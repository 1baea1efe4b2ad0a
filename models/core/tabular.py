"""The one tabular writer: every .xlsx / .csv export of the program goes through here.

Both formats open cleanly in Excel and WPS:

* a csv is UTF-8 with a BOM (so Excel reads the Chinese); in a *text* column a long
  digit string (an ID number) is written after a tab character, which Excel keeps as
  text instead of ``1.10101E+17`` (``models.core.idcard.check_id`` strips it again on
  import);
* an xlsx is written by XlsxWriter in ``constant_memory`` mode (one row in memory at a
  time; the writer's own speed sets the pace, see docs/performance.md); the text
  columns are strings with the text number format (``@``, on the cells and on the
  column, so what the clerk types below stays text too), the header is bold and
  frozen, the columns have their widths; other columns may carry a number format
  (``0.00``);
* the file is written to ``<name>.part`` and renamed at the end, so a failed or
  cancelled export never leaves half a file behind (an existing file stays as it was).

Formulas are neutralised (OWASP "CSV injection"): a text value that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return — a resident's note
``=HYPERLINK(...)``, a matter description ``+1+1`` — is never evaluated by Excel or WPS:

* in an xlsx every text value is a string cell (XlsxWriter's ``write_string``, never
  ``write()``, which would turn ``=…`` into a formula), so it shows exactly as written;
* in a csv it gets a leading single quote (``'=HYPERLINK(...)``), which Excel and WPS
  show as text.  The rule has no exceptions for text: ``-`` alone and ``-5`` written as
  text are quoted too (one rule is easier to trust than a list of harmless cases; in
  an xlsx nothing is visible at all).  Numbers (``int``/``float``) are numbers in both
  formats, negative ones included — only text is ever neutralised.  A csv read back
  (``models.importing``) gives the quoted text as it stands in the file.

A table is columns (:class:`Column`) and rows; a row is a dict keyed by the columns'
keys, or a sequence in the columns' order.
"""

from __future__ import annotations

import csv
import datetime as _dt
import errno
import io
import os
import re
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from numbers import Real
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from models.core.safecopy import owner_only
from models.core.errors import Cancelled, EnvironmentProblem, ValidationError

#: progress(done, total) → return False to cancel.
Progress = Callable[[int, int], "bool | None"]

FORMATS = (".xlsx", ".csv")
#: progress is reported (and cancelling checked) every BATCH rows, and at the end
BATCH = 2000
#: rows a csv is written by at a time (few enough to stay in the processor's cache)
CSV_BATCH = 200


class Column(NamedTuple):
    """One column: its header, the row key it shows, text or not, width in characters.

    ``(header, key, text, width)`` tuples are accepted wherever a Column is.
    """

    header: str
    key: str
    text: bool = False
    width: float = 12
    number_format: str | None = None


@dataclass
class Sheet:
    """One sheet of an xlsx (or the whole csv): a table with an optional title line above it."""

    title: str
    columns: Sequence[Column | tuple]
    rows: Iterable[Mapping | Sequence]
    title_row: str | None = None


class ExportCancelled(Cancelled):
    """The clerk cancelled the export; nothing was written."""

    def __init__(self):
        super().__init__("已取消导出，没有生成文件。")


def check_target(out: str | Path) -> str:
    """The format of ``out`` (``.xlsx`` / ``.csv``), or a ValidationError in Chinese."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(f"只能导出为 .xlsx 或 .csv 文件（现在是“{Path(out).name}”）。", field="out")
    return suffix


def write_table(out: str | Path, sheet_title: str, columns: Sequence[Column | tuple],
                rows: Iterable[Mapping | Sequence], total: int | None = None,
                progress: Progress | None = None, is_cancelled: Callable[[], bool] | None = None,
                title_row: str | None = None) -> int:
    """Write one table to ``out`` (.xlsx or .csv, by its suffix).

    Args:
        out: the file; its folder is created when missing.
        sheet_title: the xlsx sheet's name (made one Excel accepts: :func:`sheet_title`).
        columns: :class:`Column` s (or ``(header, key, text, width)`` tuples).
        rows: dicts keyed by the columns' keys, or sequences in column order.
        total: the number of rows, for ``progress`` (``len(rows)`` when omitted and known).
        progress: ``progress(done, total)``; return False to cancel.
        is_cancelled: another way to cancel (``ui.ops`` passes its own).
        title_row: a title line above the header (xlsx: bold, the header row below it).

    Returns:
        the number of rows written.

    Raises:
        ValidationError: ``out`` is not .xlsx / .csv.
        ExportCancelled: cancelled; nothing was written.
        EnvironmentProblem: the file cannot be written (open in Excel, no permission …).
    """
    return write_sheets(out, [Sheet(sheet_title, columns, rows, title_row)], total, progress, is_cancelled)


def write_sheets(out: str | Path, sheets: Sequence[Sheet], total: int | None = None,
                 progress: Progress | None = None, is_cancelled: Callable[[], bool] | None = None) -> int:
    """Like :func:`write_table`, several sheets into one xlsx (a csv holds exactly one).

    Returns the number of rows written, all sheets together.
    """
    out = Path(out)
    suffix = check_target(out)
    if suffix == ".csv" and len(sheets) != 1:
        raise ValidationError("这份表格有多个工作表，只能导出为 .xlsx 文件。", field="out")
    if total is None:
        sizes = [len(s.rows) for s in sheets if hasattr(s.rows, "__len__")]
        total = sum(sizes) if len(sizes) == len(sheets) else 0
    tick = _Ticker(total, progress, is_cancelled)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            _write_csv(tmp, sheets[0], tick)
        else:
            _write_xlsx(tmp, sheets, tick)
        tick.done()
        owner_only(tmp)  # exports hold personal data: readable by their owner only
        os.replace(tmp, out)
    except PermissionError as exc:
        raise EnvironmentProblem(f"无法写入“{out}”：文件可能正在 Excel 中打开，请关闭后重试。") from exc
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EFBIG):
            raise EnvironmentProblem(f"磁盘空间已满，“{out.name}”未导出。请清理磁盘后重试。") from exc
        raise EnvironmentProblem(f"无法写入“{out}”：{exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return tick.count


class _Ticker:
    """Counts rows, reports progress every :data:`BATCH` rows and stops when cancelled."""

    def __init__(self, total: int, progress: Progress | None, is_cancelled: Callable[[], bool] | None):
        self.total, self.progress, self.is_cancelled = total, progress, is_cancelled
        self.count = 0

    def row(self) -> None:
        self.count += 1
        if self.count % BATCH == 0:
            self._report()

    def rows(self, n: int) -> None:
        """``n`` rows more (at most :data:`BATCH`): reported like ``n`` calls of :meth:`row`."""
        before, self.count = self.count, self.count + n
        if self.count // BATCH > before // BATCH:
            self._report()

    def done(self) -> None:
        self._report()

    def _report(self) -> None:
        if self.is_cancelled is not None and self.is_cancelled():
            raise ExportCancelled()
        if self.progress is not None and self.progress(self.count, self.total) is False:
            raise ExportCancelled()


def _columns(columns: Sequence[Column | tuple]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(*c) for c in columns]


#: the first characters that make Excel / WPS read a cell as a formula (OWASP: CSV injection)
FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_text(value: str) -> str:
    """``value`` as a csv cell that Excel and WPS show as text: a leading ``'`` when it
    begins with one of :data:`FORMULA_STARTS` (``"=1+1"`` → ``"'=1+1"``), or with quotes and
    then one (``"'=1"`` → ``"''=1"``: the import drops exactly one again), else unchanged."""
    first = value[:1]
    if first == "'":
        first = value.lstrip("'")[:1]
    return "'" + value if first in FORMULA_STARTS and first else value


def sheet_title(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts, from ``name``: ``[]:*?/\\`` become ``_``, no ``'`` at
    either end, at most 31 characters, and unique among ``used`` (ignoring case; the
    result is added to it) with ``(2)``, ``(3)`` … when taken."""
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    title = _cut(title, 31) or "Sheet"
    base, n = title, 2
    while title.lower() in used:
        suffix = f"({n})"
        title = _cut(base, 31 - len(suffix)) + suffix
        n += 1
    used.add(title.lower())
    return title


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units (how Excel counts a sheet name's length)."""
    while len(text.encode("utf-16-le")) > 2 * limit:
        text = text[:-1]
    return text


def _values(row: Mapping | Sequence, keys: list[str]) -> Sequence:
    """A row's values in column order (a list or tuple is taken as it is)."""
    kind = row.__class__
    if kind is list or kind is tuple:
        return row
    return [row.get(k) for k in keys] if isinstance(row, Mapping) else list(row)


#: a value that begins with 11 decimal digits, in text joined by newlines after a newline
_ELEVEN_DIGITS = re.compile(r"\n\d{11}")


def _may_need_cells(text: str, values: list, text_at: tuple[int, ...]) -> bool:
    """Whether a batch of rows (``values``, which csv.writer wrote as ``text``) may hold a cell
    that :func:`_csv_cells` changes.  Never wrong that way round (a false alarm only costs time),
    and quick, mostly in C, for the usual batch: a field that begins like a formula shows in
    ``text`` as one of the rare ``=``, ``+``, ``@``, tab, a quote (a field holding a carriage
    return, a comma or a quote is quoted), an apostrophe (``'-1`` gets a second one), or as a
    ``-`` at a line's start or after a comma; a
    long digit string in a text column begins with 11 decimal digits."""
    if "=" in text or "+" in text or "@" in text or "\t" in text or '"' in text or "'" in text:
        return True
    if text.startswith("-") or ",-" in text or "\n-" in text:
        return True
    for i in text_at:
        try:
            column = [row[i] for row in values]
        except IndexError:                      # a short row
            return True
        longer = [v for v in column if v.__class__ is str and len(v) > 11]
        if longer and _ELEVEN_DIGITS.search("\n" + "\n".join(longer)):
            return True
    return False


def _csv_cells(values: Sequence, text_at: tuple[int, ...]) -> list:
    """One row's csv cells: text neutralised (:func:`csv_text`) and, in a text column, a long
    digit string (an ID number) after a tab, which Excel keeps as text instead of 1.1E+17."""
    cells = [csv_text(v) if v.__class__ is str else v for v in values]
    for i in text_at:
        v = cells[i] if i < len(cells) else None
        if v.__class__ is str and len(v) > 11 and v[:-1].isdecimal():
            cells[i] = "\t" + v
    return cells


def _write_csv(path: Path, sheet: Sheet, tick: _Ticker) -> None:
    columns = _columns(sheet.columns)
    keys = [c.key for c in columns]
    width = len(columns)
    text_at = tuple(i for i, c in enumerate(columns) if c.text)
    rows = iter(sheet.rows)
    batch = io.StringIO()
    write_batch = csv.writer(batch).writerows
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writerow = csv.writer(fh).writerow
        if sheet.title_row:
            writerow([csv_text(sheet.title_row)])
        writerow([csv_text(c.header) for c in columns])
        # CSV_BATCH rows at a time through csv.writer's C loop; a Python look at every cell (10
        # million of them for 500,000 residents) only for a batch that may need it
        while chunk := list(islice(rows, CSV_BATCH)):
            values = [v if v.__class__ is list and len(v) == width else _values(v, keys)[:width] for v in chunk]
            batch.seek(0)
            batch.truncate()
            write_batch(values)
            if _may_need_cells(batch.getvalue(), values, text_at):
                batch.seek(0)
                batch.truncate()
                write_batch([_csv_cells(v, text_at) for v in values])
            fh.write(batch.getvalue())      # (None is written as an empty cell)
            tick.rows(len(chunk))


@contextmanager
def xlsx_workbook(path: str | Path, constant_memory: bool = True):
    """An XlsxWriter workbook that is written to ``path`` at the end of the ``with`` block
    (and not at all when the block raises).

    ``constant_memory``: rows are written to disk as they come (each sheet's rows in
    order), so memory stays flat however long the sheet; the rows wait in temporary
    files in a folder of our own, removed whatever happens.  Text is never turned into
    a formula, a link or a number, even by ``write()``; still, write values with
    :func:`write_value` (or ``write_string``), the way every writer here does.

    Raises:
        OSError: the file cannot be written (XlsxWriter's FileCreateError unwrapped).
    """
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    with tempfile.TemporaryDirectory(prefix="gridledger-xlsx-", ignore_cleanup_errors=True) as tmpdir:
        workbook = xlsxwriter.Workbook(str(path), {
            "constant_memory": constant_memory, "tmpdir": tmpdir, "nan_inf_to_errors": True,
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        try:
            yield workbook
        except BaseException:
            if constant_memory:
                for worksheet in workbook.worksheets():    # close the rows' temporary files
                    worksheet._opt_close()
            raise
        try:
            workbook.close()
        except FileCreateError as exc:
            raise exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc)) from exc


def write_value(ws, row: int, col: int, value, cell_format=None, date_format=None) -> None:
    """Write a Python value into an XlsxWriter cell so that Excel and WPS show it as it is.

    Text is a string cell whatever it begins with (``=``, ``+``, ``-``, ``@`` … never a
    formula); ``int``/``float``/``Decimal`` a number; ``bool`` TRUE/FALSE; a date or a
    datetime a date in ``cell_format`` or else ``date_format`` (XlsxWriter needs one);
    None and ``""`` nothing but ``cell_format`` (so a text column stays text); anything
    else its ``str()``.
    """
    if isinstance(value, str):
        if value:
            ws.write_string(row, col, value, cell_format)
        elif cell_format is not None:
            ws.write_blank(row, col, None, cell_format)
    elif value is None:
        if cell_format is not None:
            ws.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (Real, Decimal)):      # int, float, an int subclass, a Fraction, a Decimal
        ws.write_number(row, col, value if value.__class__ in (int, float) else float(value), cell_format)
    elif isinstance(value, (_dt.datetime, _dt.date)):
        ws.write_datetime(row, col, value, cell_format or date_format)
    else:
        write_value(ws, row, col, str(value), cell_format)


def _write_xlsx(path: Path, sheets: Sequence[Sheet], tick: _Ticker) -> None:
    with xlsx_workbook(path) as workbook:
        _fill_sheets(workbook, sheets, tick)


def _fill_sheets(workbook, sheets: Sequence[Sheet], tick: _Ticker) -> None:
    bold = workbook.add_format({"bold": True})
    big_bold = workbook.add_format({"bold": True, "font_size": 13})
    text_format = workbook.add_format({"num_format": "@"})
    number_formats: dict[str, object] = {}
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    used: set[str] = set()
    for sheet in sheets:
        columns = _columns(sheet.columns)
        ws = workbook.add_worksheet(sheet_title(sheet.title, used))
        formats = []
        for i, column in enumerate(columns):
            if column.text:
                formats.append(text_format)
            elif column.number_format:
                if column.number_format not in number_formats:
                    number_formats[column.number_format] = workbook.add_format({"num_format": column.number_format})
                formats.append(number_formats[column.number_format])
            else:
                formats.append(None)
            ws.set_column(i, i, column.width, text_format if column.text else None)
        r = 0
        if sheet.title_row:
            ws.write_string(0, 0, sheet.title_row, big_bold)
            r = 1
        ws.freeze_panes(r + 1, 0)
        for i, column in enumerate(columns):
            ws.write_string(r, i, column.header, bold)
        write_string, write_number = ws.write_string, ws.write_number
        keys = [c.key for c in columns]
        cells = list(zip(range(len(columns)), [c.text for c in columns], formats))
        for row in sheet.rows:
            r += 1
            # (the common cases inline: this loop runs 10 million times for 500,000 residents;
            # the column's text format is on the column already, so an empty cell is skipped)
            for (i, text, fmt), value in zip(cells, _values(row, keys)):
                kind = value.__class__
                if kind is str:
                    if value:
                        write_string(r, i, value, fmt)
                elif value is None:
                    pass
                elif text:
                    write_string(r, i, str(value), fmt)
                elif kind is int or kind is float:
                    write_number(r, i, value, fmt)
                else:
                    write_value(ws, r, i, value, fmt,
                                datetime_format if isinstance(value, _dt.datetime) else date_format)
            tick.row()
