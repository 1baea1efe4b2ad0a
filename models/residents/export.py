"""The residents export (.xlsx / .csv), written by the one tabular writer ``models.core.tabular``.

ID numbers and phones stay *text* in both formats (see ``models.core.tabular``).
ID numbers are masked unless ``full_ids`` is asked for; a full-ID export is
recorded in the audit log (who, when, which file, how many rows).  A failed or
cancelled export leaves no half-written file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from models.core.db import Ledger
from models.core.idcard import mask
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


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i:i + BATCH]


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
