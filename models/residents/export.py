"""The residents export (.xlsx / .csv), written by the one tabular writer ``models.core.tabular``.

ID numbers and phones stay *text* in both formats (see ``models.core.tabular``).
ID numbers are masked unless ``full_ids`` is asked for; a full-ID export is
recorded in the audit log (who, when, which file, how many rows).  A failed or
cancelled export leaves no half-written file behind.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterable

from models.core.db import Ledger
from models.core.errors import scrub
from models.core.export_title import export_title, searched
from models.core.idcard import mask
from models.core.permissions import require
from models.core.tabular import BATCH, Progress, check_target, write_table

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

#: one batch of residents (``{where}``: which ones, on ``r.id``), in RESIDENT_COLUMNS order with the
#: ids of their grid, building and unit; the places' names come from :func:`_places` (a few
#: thousand rows read once, instead of four joins for each of 500,000 residents)
_EXPORT_SQL = """
SELECT r.id, r.name, r.gender, r.ethnicity, r.id_number, r.birth_date, r.phone,
       r.grid_id, r.building_id, h.unit_id, h.room,
       r.relation, r.residence_type, r.political_status, r.moved_in_on, r.status, r.status_date, r.notes
FROM residents r LEFT JOIN households h ON h.id = r.household_id
WHERE {where}
"""

#: the batch's tags (sensitive ones only when asked for), in the order the ledger lists them
_TAGS_SQL = """
SELECT rt.resident_id, t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id
WHERE {where} AND (t.sensitive = 0 OR ?)
ORDER BY rt.resident_id, t.sort_order, t.id
"""


def _places(ledger: Ledger) -> tuple[dict, dict, dict]:
    """grid id → (community, grid), building id → (compound, building), unit id → unit: the names."""
    grids = {gid: (community or "", grid) for gid, grid, community in ledger.conn.execute(
        "SELECT g.id, g.name, c.name FROM grids g LEFT JOIN communities c ON c.id = g.community_id")}
    buildings = {bid: (compound, name) for bid, compound, name in ledger.conn.execute(
        "SELECT id, compound, name FROM buildings")}
    units = dict(ledger.conn.execute("SELECT id, name FROM units"))
    return grids, buildings, units


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i:i + BATCH]


def export_rows(ledger: Ledger, ids: list[int], full_ids: bool = False,
                include_sensitive: bool = False) -> Iterable[list]:
    """The residents ``ids`` as rows of :data:`RESIDENT_COLUMNS`, in that order; ID numbers
    masked unless ``full_ids``; 重点人员 tags only with ``include_sensitive``."""
    grids, buildings, units = _places(ledger)
    no_place = ("", "")
    for chunk in _batches(ids):
        lo, hi = min(chunk), max(chunk)
        if hi - lo < 2 * len(chunk):    # dense (the whole ledger, a grid): a range instead of 2,000 parameters
            where, params = "{id} BETWEEN ? AND ?", [lo, hi]
        else:
            where, params = "{id} IN (" + ",".join("?" * len(chunk)) + ")", chunk
        by_id = {row[0]: row for row in ledger.conn.execute(
            _EXPORT_SQL.format(where=where.format(id="r.id")), params)}
        tags: dict[int, list[str]] = {}
        for rid, tag in ledger.conn.execute(_TAGS_SQL.format(where=where.format(id="rt.resident_id")),
                                            params + [int(include_sensitive)]):
            tags.setdefault(rid, []).append(tag)
        for rid in chunk:
            (_, name, gender, ethnicity, id_number, birth_date, phone, grid_id, building_id, unit_id, room,
             relation, residence_type, political_status, moved_in_on, status, status_date, notes) = by_id[rid]
            community, grid = grids.get(grid_id, no_place)
            compound, building = buildings.get(building_id, no_place)
            yield [name, gender, ethnicity, id_number if full_ids else mask(id_number), birth_date, phone,
                   community, grid, compound, building, units.get(unit_id, ""), room or "",
                   relation, residence_type, political_status, "、".join(tags.get(rid, ())),
                   moved_in_on, status, status_date, notes]


#: digits (and an ID's X) of five or more in a row: only their last four are shown in the title
_LONG_NUMBER = re.compile(r"[0-9Xx]{5,}")


def filter_details(ledger: Ledger, flt, total: int, full_ids: bool) -> list[str]:
    """The title line's details of a residents export: the filter (or 全部居民), how many,
    and whether ID numbers are full."""
    parts = []
    if flt.text.strip():
        text = " ".join(flt.text.split())
        if not full_ids:
            # an ID number or phone typed in the search box is not shown whole by a masked file, however
            # it was written (full-width, in groups: the search reads them all): masked as the bug log
            # masks them, then any other run of five digits or more keeps only its last four
            text = scrub(unicodedata.normalize("NFKC", text))
            text = _LONG_NUMBER.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)
        parts.append(searched(text))
    for label, sql, value in (
            ("网格", "SELECT name FROM grids WHERE id = ?", flt.grid_id),
            ("楼栋", "SELECT compound || name FROM buildings WHERE id = ?", flt.building_id),
            ("标签", "SELECT name FROM tags WHERE id = ?", flt.tag_id)):
        if value is not None:
            parts.append(f"{label}：{ledger.scalar(sql, [value]) or '（已删除）'}")
    if flt.residence_type:
        parts.append(f"人口类型：{flt.residence_type}")
    if flt.status:
        parts.append(f"人员状态：{flt.status}")
    return ["筛选：" + ("，".join(parts) if parts else "全部居民"), f"共 {total} 人",
            "身份证号完整" if full_ids else "身份证号已隐去中间位"]


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
    flt = flt or search.ResidentFilter()
    # full IDs and 重点人员 tags only for an account allowed them (issue 10), refused before any work
    if full_ids:
        require(ledger, "personal.full_ids")
    if flt.include_sensitive:
        require(ledger, "personal.see_sensitive")
    check_target(out)
    ids = list(search.iter_ids(ledger, flt))
    total = len(ids)

    rows = export_rows(ledger, ids, full_ids, flt.include_sensitive)
    title = export_title(ledger, "居民台账", *filter_details(ledger, flt, total, full_ids))
    written = write_table(out, "居民台账", RESIDENT_COLUMNS, rows, total, progress, title_row=title)
    try:
        with ledger.write():
            ledger.audit("导出完整身份证号" if full_ids else "导出", "residents", None, None,
                         {"file": str(out), "rows": written, "full_ids": bool(full_ids),
                          "filter": {k: v for k, v in vars(flt).items() if v not in (None, "", False)}})
    except BaseException:
        out.unlink(missing_ok=True)  # an export the audit log cannot record is not done (read-only ledger)
        raise
    return written
