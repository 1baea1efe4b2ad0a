"""Exports to .xlsx / .csv that open cleanly in Excel and WPS.

Both formats keep ID numbers and phones as *text*: in xlsx the cells are strings
with the text number format (``@``), so Excel never turns an ID into
``1.10101E+17``; a csv is UTF-8 with a BOM (so Excel reads the Chinese) and a
full ID number is written after a tab character, which Excel keeps as text
(``models.core.idcard.check_id`` strips it again on import).

ID numbers are masked unless ``full_ids`` is asked for; a full-ID export is
recorded in the audit log (who, when, which file, how many rows).  The file is
written to a temporary name and renamed at the end, so a failed or cancelled
export never leaves half a file behind.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Callable, Iterable, Sequence

from models.core.db import Ledger
from models.core.errors import LedgerError, ValidationError
from models.core.idcard import mask

#: progress(done, total) → return False to cancel.
Progress = Callable[[int, int], "bool | None"]

FORMATS = (".xlsx", ".csv")
BATCH = 2000


class ExportCancelled(LedgerError):
    """The clerk cancelled the export; nothing was written."""

    def __init__(self):
        super().__init__("已取消导出，没有生成文件。")


#: (header, row key, text column?, width) — headers match the import template.
RESIDENT_COLUMNS = (
    ("姓名", "name", False, 10), ("性别", "gender", False, 6), ("民族", "ethnicity", False, 8),
    ("身份证号", "id_number", True, 21), ("出生日期", "birth_date", False, 12),
    ("联系电话", "phone", True, 16), ("所属社区", "community", False, 12), ("所属网格", "grid", False, 12),
    ("小区", "compound", False, 14), ("楼栋", "building", False, 8), ("单元", "unit", False, 8),
    ("房号", "room", True, 8), ("与户主关系", "relation", False, 10), ("人口类型", "residence_type", False, 10),
    ("政治面貌", "political_status", False, 12), ("特殊人群", "tags", False, 20),
    ("迁入日期", "moved_in_on", False, 12), ("人员状态", "status", False, 8),
    ("变动日期", "status_date", False, 12), ("备注", "notes", False, 24),
)

_EXPORT_SQL = """
SELECT r.id, r.name, r.gender, r.ethnicity, r.id_number, r.birth_date, r.phone,
       COALESCE(c.name, '') AS community, COALESCE(g.name, '') AS grid, COALESCE(b.compound, '') AS compound,
       COALESCE(b.name, '') AS building, COALESCE(u.name, '') AS unit, COALESCE(h.room, '') AS room,
       r.relation, r.residence_type, r.political_status,
       (SELECT group_concat(name, '、') FROM (
            SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id
            WHERE rt.resident_id = r.id AND (t.sensitive = 0 OR ?) ORDER BY t.sort_order, t.id)) AS tags,
       r.moved_in_on, r.status, r.status_date, r.notes
FROM residents r
LEFT JOIN households h ON h.id = r.household_id
LEFT JOIN units u ON u.id = h.unit_id
LEFT JOIN buildings b ON b.id = r.building_id
LEFT JOIN grids g ON g.id = r.grid_id
LEFT JOIN communities c ON c.id = g.community_id
WHERE r.id IN ({ids})
"""


def check_target(out: Path) -> str:
    """The format of ``out`` (``.xlsx`` / ``.csv``), or a ValidationError in Chinese."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError(f"只能导出为 .xlsx 或 .csv 文件（现在是“{Path(out).name}”）。", field="out")
    return suffix


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i:i + BATCH]


def write_table(out: Path, sheet_title: str, columns: Sequence[tuple], rows: Iterable[dict],
                total: int, progress: Progress | None = None) -> int:
    """Write ``rows`` (dicts keyed by the columns' keys) to ``out`` (.xlsx or .csv).

    ``columns`` are ``(header, key, is_text, width)``; text columns stay text in
    Excel.  Other exporters may use this too.  Returns the number of rows written.
    """
    out = Path(out)
    suffix = check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    written = 0
    try:
        if suffix == ".csv":
            written = _write_csv(tmp, columns, rows, total, progress)
        else:
            written = _write_xlsx(tmp, sheet_title, columns, rows, total, progress)
        os.replace(tmp, out)
    except PermissionError as exc:
        raise LedgerError(f"无法写入“{out}”：文件可能正在 Excel 中打开，请关闭后重试。") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return written


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ExportCancelled()


def _write_csv(path: Path, columns, rows, total, progress) -> int:
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c[0] for c in columns])
        for row in rows:
            out = []
            for _header, key, is_text, _w in columns:
                value = row.get(key)
                value = "" if value is None else value
                if is_text and isinstance(value, str) and len(value) > 11 and value[:-1].isdigit():
                    value = "\t" + value        # Excel keeps it as text instead of 1.1E+17
                out.append(value)
            writer.writerow(out)
            n += 1
            if n % BATCH == 0:
                _tick(progress, n, total)
    _tick(progress, n, total)
    return n


def _write_xlsx(path: Path, title: str, columns, rows, total, progress) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column[3]
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column[0])
        cell.font = bold
        header.append(cell)
    ws.append(header)
    n = 0
    for row in rows:
        out = []
        for _header, key, is_text, _w in columns:
            value = row.get(key)
            if is_text:
                cell = WriteOnlyCell(ws, value="" if value is None else str(value))
                cell.number_format = "@"
                out.append(cell)
            else:
                out.append("" if value is None else value)
        ws.append(out)
        n += 1
        if n % BATCH == 0:
            _tick(progress, n, total)
    _tick(progress, n, total)
    wb.save(path)
    return n


def export_residents(ledger: Ledger, out: Path, flt=None, full_ids: bool = False,
                     progress: Progress | None = None) -> int:
    """Export the residents matching ``flt`` (all when None) to ``out``.

    Args:
        out: a ``.xlsx`` or ``.csv`` path.
        flt: a :class:`models.residents.search.ResidentFilter` (the residents page passes its own);
            ``flt.include_sensitive`` decides whether 重点人员 tags are exported.
        full_ids: export full ID numbers (audited); masked otherwise.
        progress: ``progress(done, total)``; return False to cancel.

    Returns:
        the number of residents written.
    """
    from models.residents import search

    out = Path(out)
    check_target(out)
    flt = flt or search.ResidentFilter()
    ids = list(search.iter_ids(ledger, flt))
    total = len(ids)

    def rows() -> Iterable[dict]:
        for chunk in _batches(ids):
            sql = _EXPORT_SQL.format(ids=",".join("?" * len(chunk)))
            by_id = {r["id"]: r for r in ledger.query(sql, [int(flt.include_sensitive)] + chunk)}
            for rid in chunk:
                row = by_id[rid]
                if not full_ids:
                    row["id_number"] = mask(row["id_number"])
                row["tags"] = row["tags"] or ""
                yield row

    written = write_table(out, "居民台账", RESIDENT_COLUMNS, rows(), total, progress)
    with ledger.write():
        ledger.audit("导出完整身份证号" if full_ids else "导出", "residents", None, None,
                     {"file": str(out), "rows": written, "full_ids": bool(full_ids),
                      "filter": {k: v for k, v in vars(flt).items() if v not in (None, "", False)}})
    return written
