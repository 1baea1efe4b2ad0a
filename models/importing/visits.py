"""The visits import (SPEC §7): a 走访 / 民情日志 sheet into the ledger.

One row is one household visited.  Rows with the same 走访日期, 走访人, 所属网格,
走访方式 and 情况记录 are one visit to several households (that is how
:func:`export_rows` writes a visit, so export → import round trips).  The
household must exist (else the row is rejected, with its row number); a 走访人
not on the staff list is kept by name with a warning.  A household already
recorded for the same visit in the ledger is skipped.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator

from models.visits import records as V
from models.core.db import Ledger
from models.core.export_title import export_title
from models.core.tabular import write_table
from models.importing import Column, ImportSpec, ImportSummary, RowOutcome
from models.importing.export import in_period, period_text, scoped, template_columns
from models.importing.values import no_spaces, place_cells, text

COLUMNS = [
    Column("visited_on", "走访日期", ("日期", "走访时间", "时间"), required=True, note="必填，如 2026-10-15。"),
    Column("staff_name", "走访人", ("走访人员", "网格员", "走访者", "工作人员"), required=True, note="必填。"),
    Column("community", "所属社区", ("社区",), note="不填为本台账的社区。"),
    Column("grid", "所属网格", ("网格", "网格名称"), note="必填，网格必须已存在。"),
    Column("building", "楼栋", ("楼号", "楼栋号", "栋号")),
    Column("unit", "单元", ("单元号",)),
    Column("room", "房号", ("门牌号", "室", "房间号")),
    Column("way", "走访方式", ("方式", "走访形式"), choices=V.WAYS, note="入户、电话 或 微信；不填为 入户。"),
    Column("notes", "情况记录", ("走访情况", "走访内容", "情况说明", "备注", "民情记录")),
]

_WAY_ALIASES = {"入户": "入户", "上门": "入户", "入户走访": "入户", "走访": "入户", "电话": "电话",
                "电话走访": "电话", "电访": "电话", "微信": "微信", "微信走访": "微信", "视频": "微信"}


def _offered_ways(ledger: Ledger) -> tuple[list[str], str]:
    """The office's 走访方式 (设置) and the one a blank cell means: 入户 while it is offered."""
    ways = V.ways(ledger)
    return ways, "入户" if "入户" in ways else ways[0]


class VisitsSpec(ImportSpec):
    """Visits: one row per household visited."""

    kind = "visits"
    title = "走访记录"
    columns = COLUMNS
    min_header_matches = 3
    rules = [
        "一行一户。同一天、同一走访人、同一网格、同一方式和情况记录的多行合并为一次走访。",
        "所走访的户（所属网格 + 楼栋 + 单元 + 房号）必须已在台账中，否则该行不导入。",
        "走访人不在工作人员名单中时按姓名保留，并给出提示。",
        "台账中已有的走访（同一天、同一走访人、同一户）会跳过。",
    ]
    template_rows = [
        ["2026-10-15", "王芳", "", "第一网格", "3号楼", "1单元", "301", "入户", "走访独居老人，身体状况良好"],
    ]

    def columns_for(self, ledger: Ledger | None) -> list[Column]:
        if ledger is None:
            return list(self.columns)
        ways, default = _offered_ways(ledger)
        return [dataclasses.replace(c, choices=tuple(ways), note=f"{'、'.join(ways)}；不填为 {default}。")
                if c.key == "way" else c for c in self.columns]

    def validate(self, ledger: Ledger, rows: list[RowOutcome]) -> list[RowOutcome]:
        today = ledger.now().strftime("%Y-%m-%d")
        own = ledger.community_name or ""
        grids = {(r["community"], r["grid"]): r["id"] for r in ledger.query(
            "SELECT c.name AS community, g.name AS grid, g.id FROM grids g JOIN communities c"
            " ON c.id = g.community_id")}
        staff = {r["name"]: r["id"] for r in ledger.query(
            "SELECT name, MIN(id) AS id FROM staff WHERE active = 1 GROUP BY name")}
        warned_staff: set[str] = set()
        offered_ways, default_way = _offered_ways(ledger)
        conn = ledger.conn
        for row in rows:
            raw, data = row.raw, row.data
            day = data["visited_on"] = row.past_date("visited_on", "走访日期", today, "走访日期“{day}”晚于今天")
            name = no_spaces(text(raw.get("staff_name")))
            if not name:
                row.reject("缺少走访人")
            data["staff_name"] = name
            data["staff_id"] = staff.get(name)
            if name and data["staff_id"] is None:
                row.warn(f"走访人“{name}”不在工作人员名单中，按姓名保留")
                warned_staff.add(name)
            way = _WAY_ALIASES.get(text(raw.get("way")).replace(" ", ""))
            if way is None and text(raw.get("way")):
                row.reject(f"走访方式“{text(raw.get('way'))}”无效，应为{'、'.join(offered_ways)}之一")
            elif way is None:
                way = default_way
                row.warn(f"缺少走访方式，记为 {way}")
            elif way not in offered_ways:
                row.reject(f"走访方式“{way}”已停用（可在设置中恢复），应为{'、'.join(offered_ways)}之一")
            data["way"] = way
            data["notes"] = text(raw.get("notes"))

            community, grid, building, unit, room = place_cells(raw, own)
            data["household_id"] = data["grid_id"] = None
            grid_id = grids.get((community, grid))
            where = f"{grid}{building}{unit}{room}"
            if not grid:
                row.reject("缺少所属网格")
            elif grid_id is None:
                row.reject(f"网格“{community}{grid}”在台账中不存在")
            elif not (building and room):
                row.reject("缺少楼栋或房号，无法确定走访的户")
            else:
                found = conn.execute(
                    "SELECT h.id FROM households h JOIN buildings b ON b.id = h.building_id"
                    " JOIN units u ON u.id = h.unit_id WHERE b.grid_id = ?"
                    " AND (b.compound || b.name = ? OR b.name = ?) AND u.name = ? AND h.room = ?"
                    " ORDER BY b.compound || b.name = ? DESC, h.id",
                    [grid_id, building, building, unit, room, building]).fetchone()
                if found is None:
                    row.reject(f"户“{where}”在台账中不存在")
                else:
                    data["household_id"], data["grid_id"] = found[0], grid_id
            if row.accepted:
                existing = conn.execute(
                    "SELECT v.id FROM visits v JOIN visit_households vh ON vh.visit_id = v.id"
                    " WHERE v.visited_on = ? AND v.staff_name = ? AND vh.household_id = ?",
                    [day, name, data["household_id"]]).fetchone()
                if existing:
                    row.existing_id = existing[0]
                    row.note("台账中已有这次走访，将跳过")
        return rows

    def write(self, ledger: Ledger, outcomes: list[RowOutcome], update: bool,
              progress: Callable[[int], None]) -> ImportSummary:
        summary = ImportSummary()
        groups: dict[tuple, list[int]] = {}
        for row in outcomes:
            if row.existing_id is not None:
                summary.skipped += 1
                continue
            d = row.data
            key = (d["visited_on"], d["staff_name"], d["staff_id"], d["grid_id"], d["way"], d["notes"])
            households = groups.setdefault(key, [])
            if d["household_id"] not in households:
                households.append(d["household_id"])
            summary.imported += 1
        done = summary.skipped
        for (day, name, staff_id, _grid, way, notes), households in groups.items():
            V.record_visit(ledger, visited_on=day, staff_id=staff_id, staff_name=name, way=way,
                           household_ids=households, notes=notes)
            done += len(households)
            progress(done)
        summary.created = {"走访记录": len(groups)} if groups else {}
        return summary


SPEC = VisitsSpec()


# -- export --------------------------------------------------------------------------------

HEADERS = [c.title for c in COLUMNS]


def export_rows(ledger: Ledger, month: str | None = None, date_from: str | None = None,
                date_to: str | None = None) -> Iterator[list]:
    """One row per household visited (visits in ``month``, or from ``date_from`` to ``date_to``, when
    given), oldest first."""
    where, params = scoped(ledger, *in_period("v.visited_on", month, date_from, date_to), "v.grid_id")
    cursor = ledger.conn.execute(
        f"""SELECT v.visited_on, v.staff_name, c.name, g.name, b.compound || b.name, u.name, h.room, v.way, v.notes
            FROM visits v JOIN grids g ON g.id = v.grid_id JOIN communities c ON c.id = g.community_id
            JOIN visit_households vh ON vh.visit_id = v.id JOIN households h ON h.id = vh.household_id
            JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id
            {where} ORDER BY v.visited_on, v.id, h.id""", params)
    for row in cursor:
        yield list(row)


#: the export's columns: the template's, 情况记录 wider
EXPORT_COLUMNS = template_columns(COLUMNS, {"notes": 24})


def export_visits(ledger: Ledger, out, month: str | None = None, progress=None, *,
                  date_from: str | None = None, date_to: str | None = None) -> int:
    """``export visits``: one row per household visited (in ``month``, or from ``date_from`` to
    ``date_to``), in the import template's columns.

    Returns the number of rows written.
    """
    where, params = scoped(ledger, *in_period("v.visited_on", month, date_from, date_to), "v.grid_id")
    total = ledger.scalar(f"SELECT COUNT(*) FROM visit_households vh JOIN visits v ON v.id = vh.visit_id {where}",
                          params)
    title = export_title(ledger, "入户走访记录", period_text("走访", month, date_from, date_to), f"共 {total} 户次")
    return write_table(out, "走访记录", EXPORT_COLUMNS, export_rows(ledger, month, date_from, date_to), total,
                       progress, title_row=title)
