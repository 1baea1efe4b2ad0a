"""The one tabular writer: every .xlsx / .csv export of the program goes through here.

Both formats open cleanly in Excel and WPS:

* a csv is UTF-8 with a BOM (so Excel reads the Chinese); in a *text* column a long
  digit string (an ID number) is written after a tab character, which Excel keeps as
  text instead of ``1.10101E+17`` (``models.core.idcard.check_id`` strips it again on
  import);
* in an xlsx the text columns are strings with the text number format (``@``), the
  header is bold and frozen, the columns have their widths; other columns may carry
  a number format (``0.00``);
* the file is written to ``<name>.part`` and renamed at the end, so a failed or
  cancelled export never leaves half a file behind (an existing file stays as it was).

A table is columns (:class:`Column`) and rows; a row is a dict keyed by the columns'
keys, or a sequence in the columns' order.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from models.core.errors import Cancelled, EnvironmentProblem, ValidationError

#: progress(done, total) → return False to cancel.
Progress = Callable[[int, int], "bool | None"]

FORMATS = (".xlsx", ".csv")
#: progress is reported (and cancelling checked) every BATCH rows, and at the end
BATCH = 2000


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
        sheet_title: the xlsx sheet's name (cut to 31 characters).
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
        os.replace(tmp, out)
    except PermissionError as exc:
        raise EnvironmentProblem(f"无法写入“{out}”：文件可能正在 Excel 中打开，请关闭后重试。") from exc
    except OSError as exc:
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

    def done(self) -> None:
        self._report()

    def _report(self) -> None:
        if self.is_cancelled is not None and self.is_cancelled():
            raise ExportCancelled()
        if self.progress is not None and self.progress(self.count, self.total) is False:
            raise ExportCancelled()


def _columns(columns: Sequence[Column | tuple]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(*c) for c in columns]


def _values(row: Mapping | Sequence, columns: list[Column]) -> list:
    if isinstance(row, Mapping):
        return [row.get(c.key) for c in columns]
    return list(row)


def _write_csv(path: Path, sheet: Sheet, tick: _Ticker) -> None:
    columns = _columns(sheet.columns)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        if sheet.title_row:
            writer.writerow([sheet.title_row])
        writer.writerow([c.header for c in columns])
        for row in sheet.rows:
            out = []
            for column, value in zip(columns, _values(row, columns)):
                value = "" if value is None else value
                if column.text and isinstance(value, str) and len(value) > 11 and value[:-1].isdigit():
                    value = "\t" + value        # Excel keeps it as text instead of 1.1E+17
                out.append(value)
            writer.writerow(out)
            tick.row()


def _write_xlsx(path: Path, sheets: Sequence[Sheet], tick: _Ticker) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    try:
        _fill_sheets(wb, sheets, tick)
    except BaseException:
        for ws in wb.worksheets:    # end openpyxl's row writers, or they complain when collected
            ws.close()
        raise
    wb.save(path)


def _fill_sheets(wb, sheets: Sequence[Sheet], tick: _Ticker) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for sheet in sheets:
        columns = _columns(sheet.columns)
        ws = wb.create_sheet(title=sheet.title[:31])
        for i, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.freeze_panes = "A3" if sheet.title_row else "A2"   # (write-only: before the first row)
        if sheet.title_row:
            title = WriteOnlyCell(ws, value=sheet.title_row)
            title.font = Font(bold=True, size=13)
            ws.append([title])
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.header)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            out = []
            for column, value in zip(columns, _values(row, columns)):
                if column.text:
                    cell = WriteOnlyCell(ws, value="" if value is None else str(value))
                    cell.number_format = "@"
                    out.append(cell)
                elif column.number_format and value is not None:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = column.number_format
                    out.append(cell)
                else:
                    out.append("" if value is None else value)
            ws.append(out)
            tick.row()
