"""The matters import (SPEC §7): a 民情事项台账 (history included) into the ledger.

One row is one matter.  Its columns become the matter's events, exactly as a clerk
entering the same story by hand would have made them:

- 登记 at 登记时间 (the deadline follows from 事项分级 and 类别 as usual);
- 分派 at 登记时间 when 承办人 is filled (a name not on the staff list is kept by
  name with a warning);
- 办结 at 办结时间 with 办理结果;
- 回访 at 回访时间 with 满意度;
- 作废 at 登记时间 when 状态 is 作废 (the reason: 办理结果, else “导入时状态为作废”); a 作废
  row that also has 办结时间/回访时间/满意度 (history) is imported as 作废 with a warning, those
  values written into the 作废 step's note (the timeline keeps them; it never counts).

The grid must exist (else the row is rejected); 楼栋/单元/房号 are looked up in
that grid and kept as location text with a warning when not found.  Times must be
in order (登记 ≤ 办结 ≤ 回访) and not in the future.  A row matching a matter
already in the ledger (same 登记时间, grid and description) is skipped, so
importing the same file twice — or an export of this ledger — adds nothing.

:func:`export_rows` writes the same columns, so export → import round trips:
the file of a ledger imported into another ledger with the same grids and
households (and re-exported) gives the same file.  What the template has no
column for is not carried: 上报 (escalation and its meeting), 延期, 督办, and the
exact times of 分派 and 作废 (both become the registration time).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from typing import Callable, Iterator

from models.matters import records as M
from models.core import lists
from models.core.errors import LedgerError, ValidationError
from models.core.bulk import deferred_indexes
from models.core.db import Ledger, ts
from models.core.export_title import export_title
from models.core.tabular import write_table
from models.importing import Column, ImportSpec, ImportSummary, RowOutcome
from models.importing.export import in_period, period_text, scoped, template_columns
from models.core.periods import parse_datetime
from models.importing.values import place_cells, text
from models.core.phones import phone_check

#: level of a category when 事项分级 is blank (SPEC §2's glossary)
LEVEL_OF_CATEGORY = {"路灯照明": "小事", "环境卫生": "小事", "噪音扰民": "小事", "安全隐患": "小事",
                     "物业服务": "小事", "邻里纠纷": "私事", "家庭矛盾": "私事", "违章建筑": "大事",
                     "环境治理": "大事"}
CANCELLED_REASON = "导入时状态为作废"

COLUMNS = [
    Column("registered_at", "登记时间", ("登记日期", "反映时间", "受理时间", "发现时间", "日期"), required=True,
           note="必填，如 2026-10-15 09:30。"),
    Column("source", "来源", ("事项来源", "反映渠道", "来源渠道", "渠道"), choices=M.SOURCES,
           note=f"{'、'.join(M.SOURCES)}；不填为 其他。"),
    Column("category", "类别", ("事项类别", "问题类别", "类型", "事项类型", "问题类型"),
           note="如 路灯照明、邻里纠纷；不在类别列表中的记为 其他。"),
    Column("level", "事项分级", ("分级", "事项级别", "级别"), choices=M.LEVELS,
           note="小事、私事 或 大事；不填时按类别判断。"),
    Column("description", "事项描述", ("问题描述", "事项内容", "反映问题", "具体问题", "诉求内容", "内容"),
           required=True, note="必填。"),
    Column("community", "所属社区", ("社区",), note="不填为本台账的社区。"),
    Column("grid", "所属网格", ("网格", "网格名称"), note="必填，网格必须已存在。"),
    Column("building", "楼栋", ("楼号", "楼栋号", "栋号")),
    Column("unit", "单元", ("单元号",)),
    Column("room", "房号", ("门牌号", "室", "房间号")),
    Column("reporter_name", "反映人", ("反映人姓名", "当事人", "报告人", "诉求人")),
    Column("reporter_phone", "联系电话", ("电话", "手机", "联系方式", "反映人电话"), as_text=True),
    Column("assignee_name", "承办人", ("责任人", "处理人", "经办人", "办理人")),
    Column("closed_at", "办结时间", ("办结日期", "完成时间", "处理时间")),
    Column("result", "办理结果", ("处理结果", "办理情况", "处理情况", "调处结果")),
    Column("followed_up_at", "回访时间", ("回访日期",)),
    Column("satisfaction", "满意度", ("回访满意度", "群众满意度", "评价"), choices=M.SATISFACTION),
    Column("status", "状态", ("事项状态",), note="不填；重复或无效的事项填 作废。", choices=("作废",)),
]


def _when(row: RowOutcome, key: str, title: str, now: _dt.datetime) -> _dt.datetime | None:
    value, error = parse_datetime(row.raw.get(key))
    if error:
        row.reject(f"{title}{error}")
        return None
    if value is not None and value > now:
        row.reject(f"{title}“{ts(value)}”晚于当前时间")
        return None
    return value


class MattersSpec(ImportSpec):
    """Matters: one row per matter, closing and follow-up included."""

    kind = "matters"
    title = "民情事项"
    columns = COLUMNS
    min_header_matches = 3
    rules = [
        "一行一个事项。登记时间、事项描述、所属网格必填；所属网格必须是台账中已有的网格。",
        "已办结的事项填写承办人、办结时间和办理结果；已回访的再填写回访时间和满意度。",
        "时间顺序须为 登记时间 ≤ 办结时间 ≤ 回访时间，且不晚于当前时间。",
        "承办人不在工作人员名单中时按姓名保留，并给出提示。",
        "重复或无效的事项在“状态”列填 作废，原因可写在“办理结果”列。",
        "台账中已有的事项（登记时间、网格、事项描述都相同）会跳过，不会重复导入。",
    ]
    template_rows = [
        ["2026-10-15 09:30", "来电", "路灯照明", "小事", "3号楼门前路灯不亮", "", "第一网格", "3号楼", "1单元",
         "301", "张三", "13812345678", "王芳", "2026-10-15 16:00", "已联系物业更换灯泡",
         "2026-10-16 10:00", "满意", ""],
    ]

    def columns_for(self, ledger: Ledger | None) -> list[Column]:
        if ledger is None:
            return list(self.columns)
        sources = OfficeList(ledger, "matter_source", "来源")
        categories = OfficeList(ledger, "matter_category", "类别")
        by_key = {
            "source": dict(choices=tuple(sources.offered),
                           note=f"{'、'.join(sources.offered)}；不填为 {sources.fallback}。"),
            "category": dict(choices=tuple(categories.offered),
                             note=f"{'、'.join(categories.offered)}；不在类别列表中的记为 {categories.fallback}。")}
        return [dataclasses.replace(c, **by_key[c.key]) if c.key in by_key else c for c in self.columns]

    def validate(self, ledger: Ledger, rows: list[RowOutcome]) -> list[RowOutcome]:
        now = ledger.now()
        places = _Places(ledger)
        # the office's lists (设置): what it offers now, and what it has retired
        sources = OfficeList(ledger, "matter_source", "来源")
        categories = OfficeList(ledger, "matter_category", "类别")
        staff = {r["name"]: r["id"] for r in ledger.query(
            "SELECT name, MIN(id) AS id FROM staff WHERE active = 1 GROUP BY name")}
        seen: dict[tuple, RowOutcome] = {}
        for row in rows:
            raw, data = row.raw, row.data
            registered = _when(row, "registered_at", "登记时间", now)
            if registered is None and row.accepted:
                row.reject("缺少登记时间")
            data["registered_at"] = registered
            description = re.sub(r"\s+", " ", text(raw.get("description")))
            if not description:
                row.reject("缺少事项描述")
            data["description"] = description

            source = text(raw.get("source")).replace("热线12345", "12345热线")
            if source == "12345":
                source = "12345热线"
            if source.upper() == "QQ群":
                source = "QQ群"
            if not source:
                source = sources.fallback
                row.warn(f"缺少来源，记为 {source}")
            elif source not in sources.offered:
                row.warn(sources.unknown(source))
                source = sources.fallback
            data["source"] = source

            category = text(raw.get("category"))
            if category not in categories.offered:
                row.warn(categories.unknown(category) if category else f"缺少类别，记为 {categories.fallback}")
                category = categories.fallback
            data["category"] = category

            level = text(raw.get("level"))
            if level and level not in M.LEVELS:
                row.reject(f"事项分级“{level}”无效，应为 小事、私事 或 大事")
            elif not level:
                level = LEVEL_OF_CATEGORY.get(category, "小事")
                row.warn(f"缺少事项分级，按类别记为 {level}")
            data["level"] = level

            places.resolve(row)

            data["reporter_name"] = text(raw.get("reporter_name"))
            checked = phone_check(raw.get("reporter_phone"))
            if checked.error:
                row.warn(f"联系电话有误（{checked.error}），未导入电话")
            elif checked.warning:
                row.warn(f"联系电话：{checked.warning}")
            data["reporter_phone"] = checked.value or ""

            assignee = text(raw.get("assignee_name"))
            data["assignee_name"] = assignee
            data["assignee_staff_id"] = staff.get(assignee) if assignee else None
            if assignee and data["assignee_staff_id"] is None:
                row.warn(f"承办人“{assignee}”不在工作人员名单中，按姓名保留")

            closed = _when(row, "closed_at", "办结时间", now)
            followed = _when(row, "followed_up_at", "回访时间", now)
            result = text(raw.get("result"))
            satisfaction = text(raw.get("satisfaction"))
            status = text(raw.get("status"))
            if status and status != "作废":
                if status in M.STATES:
                    status = ""   # 已办结/已回访 … follow from the times; nothing else to do
                else:
                    row.reject(f"状态“{status}”无效：只能不填或填 作废")
            cancelled = status == "作废"
            if satisfaction and satisfaction not in M.SATISFACTION:
                row.reject(f"满意度“{satisfaction}”无效，应为 满意、基本满意 或 不满意")
            if cancelled:
                kept = cancelled_history(closed, followed, satisfaction)
                if kept:
                    # The ledger says it was voided: it is, and never counts; what the row
                    # also says happened is kept in the 作废 step's note (its timeline).
                    row.warn(f"状态为作废，但填有{'、'.join(w for w, _ in kept)}：按作废导入，"
                             "这些内容记入作废说明，不计入统计")
                result = "；".join([result or CANCELLED_REASON,
                                   "原表" + "，".join(f"{w} {v}" for w, v in kept)] if kept else
                                  [result or CANCELLED_REASON])
                closed = followed = None
                satisfaction = ""
            else:
                if result and closed is None:
                    row.warn("有办理结果但没有办结时间，按未办结导入（办理结果未导入）")
                    result = ""
                if closed is not None:
                    if not assignee:
                        row.reject("已办结的事项必须填写承办人")
                    if not result:
                        row.reject("有办结时间但缺少办理结果")
                    if registered and closed < registered:
                        row.reject("办结时间早于登记时间")
                if satisfaction and followed is None:
                    row.reject("有满意度但缺少回访时间")
                if followed is not None:
                    if closed is None:
                        row.reject("有回访时间但没有办结时间：未办结的事项不能回访")
                    elif followed < closed:
                        row.reject("回访时间早于办结时间")
                    if not satisfaction:
                        row.reject("有回访时间但缺少满意度")
            data.update(closed_at=closed, result=result, followed_up_at=followed,
                        satisfaction=satisfaction or None, cancelled=cancelled)

            if row.accepted and registered is not None and data.get("grid_id"):
                key = (ts(registered), data["grid_id"], description)
                existing = ledger.scalar("SELECT id FROM matters WHERE registered_at = ? AND grid_id = ?"
                                         " AND description = ?", list(key))
                if existing:
                    row.existing_id = existing
                    row.note("台账中已有此事项，将跳过")
                elif key in seen:
                    earlier = seen[key]
                    row.reject(f"与第 {earlier.row_number} 行重复（登记时间、网格、事项描述相同）"
                               if earlier.sheet == row.sheet else
                               f"与工作表“{earlier.sheet}”第 {earlier.row_number} 行重复")
                else:
                    seen[key] = row
        return rows

    def write(self, ledger: Ledger, outcomes: list[RowOutcome], update: bool,
              progress: Callable[[int], None]) -> ImportSummary:
        summary = ImportSummary()
        coming = sum(1 for row in outcomes if row.existing_id is None)
        # The import is one transaction, all or nothing: the operations below need no
        # savepoint each (they made FTS5 write an index segment per matter).  A file that
        # at least doubles the matters builds their secondary indexes once at the end
        # (not matter_events_matter: registering reads a matter's events through it).
        with ledger.bulk_writes(), deferred_indexes(ledger.conn, coming, ("matters", "matter_events"),
                                                    keep=("matter_events_matter",)):
            for done, row in enumerate(outcomes, start=1):
                if row.existing_id is not None:
                    summary.skipped += 1       # history is not overwritten, even with 更新
                else:
                    try:
                        write_history(ledger, row.data)
                    except LedgerError as exc:
                        # a rule the row's checks missed: say which row, so the clerk can mend it
                        # (the import is all or nothing: nothing was written)
                        raise ValidationError(f"{row.where}：{exc}".rstrip("。") + "。本次导入没有写入任何内容，"
                                              "请改正这一行后重新导入。") from exc
                    summary.imported += 1
                progress(done)
        return summary


def write_history(ledger: Ledger, data: dict) -> int:
    """One matter and its events from a validated row: the steps a clerk's hand makes
    (登记, 分派, then 办结 and 回访, or 作废), checked as each would be and written at once
    (:func:`models.matters.records.register_history`)."""
    steps: list[tuple] = []
    if data["cancelled"]:
        steps.append(("作废", data["registered_at"], data["result"] or CANCELLED_REASON, {}))
    else:
        if data["closed_at"] is not None:
            steps.append(("办结", data["closed_at"], "", {"result": data["result"]}))
        if data["followed_up_at"] is not None:
            steps.append(("回访", data["followed_up_at"], "", {"satisfaction": data["satisfaction"]}))
    return M.register_history(ledger, {
        "registered_at": data["registered_at"], "source": data["source"], "category": data["category"],
        "level": data["level"], "description": data["description"], "grid_id": data["grid_id"],
        "building_id": data.get("building_id"), "unit_id": data.get("unit_id"),
        "household_id": data.get("household_id"), "location_text": data.get("location_text", ""),
        "reporter_resident_id": data.get("reporter_resident_id"), "reporter_name": data["reporter_name"],
        "reporter_phone": data["reporter_phone"], "assignee_staff_id": data["assignee_staff_id"],
        "assignee_name": data["assignee_name"]}, steps)


class OfficeList:
    """One of the office's lists (``models.core.lists``) as an import checks a cell against it."""

    def __init__(self, ledger: Ledger, kind: str, title: str):
        items = lists.items(ledger, kind)
        self.offered = [i["name"] for i in items if not i["retired"]]
        self.retired = {i["name"] for i in items if i["retired"]}
        self.title = title
        #: what an unknown value is recorded as: 其他 while the office offers it
        self.fallback = "其他" if "其他" in self.offered else self.offered[-1]

    def unknown(self, value: str) -> str:
        """The warning for a value the list does not offer (recorded as :attr:`fallback`)."""
        if value in self.retired:
            return f"{self.title}“{value}”已停用（可在设置中恢复），记为 {self.fallback}"
        return f"{self.title}“{value}”不在{self.title}列表中，记为 {self.fallback}"


def cancelled_history(closed: _dt.datetime | None, followed: _dt.datetime | None,
                      satisfaction: str) -> list[tuple[str, str]]:
    """What a 作废 row also says happened: [(办结时间, 2026-10-15 16:00), …] for its note."""
    out = []
    if closed is not None:
        out.append(("办结时间", closed.strftime("%Y-%m-%d %H:%M")))
    if followed is not None:
        out.append(("回访时间", followed.strftime("%Y-%m-%d %H:%M")))
    if satisfaction:
        out.append(("满意度", satisfaction))
    return out


class _Places:
    """社区/网格/楼栋/单元/房号 of a row → ids.  The grid must exist; finer levels are optional."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.own = ledger.community_name or ""
        self.grids = {(r["community"], r["grid"]): r["id"] for r in ledger.query(
            "SELECT c.name AS community, g.name AS grid, g.id FROM grids g JOIN communities c"
            " ON c.id = g.community_id")}

    def resolve(self, row: RowOutcome) -> None:
        raw, data = row.raw, row.data
        community, grid, building, unit, room = place_cells(raw, self.own)
        data.update(grid_id=None, building_id=None, unit_id=None, household_id=None,
                    location_text=f"{building}{unit}{room}", reporter_resident_id=None)
        if not grid:
            row.reject("缺少所属网格")
            return
        grid_id = self.grids.get((community, grid))
        if grid_id is None:
            row.reject(f"网格“{community}{grid}”在台账中不存在，请先建立网格或改正网格名称")
            return
        data["grid_id"] = grid_id
        if not building:
            if unit or room:
                row.warn("缺少楼栋，位置按文字保留")
            return
        conn = self.ledger.conn
        found = find_buildings(conn, grid_id, building)
        if not found:
            row.warn(f"楼栋“{building}”不在网格“{grid}”中，位置按文字保留")
            return
        data["building_id"] = found[0]
        if not (unit or room):
            return
        # "1号楼" may name buildings of several compounds: take the one that has the unit (and room).
        best = None
        for building_id in found:
            unit_row = conn.execute("SELECT id FROM units WHERE building_id = ? AND name = ?",
                                    [building_id, unit]).fetchone()
            if unit_row is None:
                continue
            household = conn.execute("SELECT id FROM households WHERE unit_id = ? AND room = ?",
                                      [unit_row[0], room]).fetchone() if room else None
            if best is None or household is not None:
                best = (building_id, unit_row[0], household[0] if household else None)
            if household is not None:
                break
        if best is None:
            row.warn(f"单元“{unit or '（空）'}”不在楼栋“{building}”中，位置按文字保留")
            return
        data["building_id"], data["unit_id"], household_id = best
        if not room:
            return
        if household_id is None:
            row.warn(f"房号“{room}”不在“{building}{unit}”中，位置按文字保留")
            return
        data["household_id"] = household_id
        data["location_text"] = ""   # register_matter names the household
        reporter = text(raw.get("reporter_name"))
        if reporter:
            resident = conn.execute("SELECT id FROM residents WHERE household_id = ? AND name = ?",
                                    [household_id, reporter]).fetchone()
            data["reporter_resident_id"] = resident[0] if resident else None


def find_buildings(conn, grid_id: int, name: str) -> list[int]:
    """Buildings of a grid called ``name`` (``南山苑1号楼`` or just ``1号楼``), exact full names first."""
    return [r[0] for r in conn.execute(
        "SELECT id FROM buildings WHERE grid_id = ? AND (compound || name = ? OR name = ?)"
        " ORDER BY compound || name = ? DESC, id", [grid_id, name, name, name])]


SPEC = MattersSpec()


# -- export --------------------------------------------------------------------------------

HEADERS = [c.title for c in COLUMNS]


def export_rows(ledger: Ledger, month: str | None = None, date_from: str | None = None,
                date_to: str | None = None) -> Iterator[list]:
    """Every matter (registered in ``month``, ``YYYY-MM``, or from ``date_from`` to ``date_to`` when
    given) as a template row, oldest first."""
    where, params = scoped(ledger, *in_period("m.registered_at", month, date_from, date_to), "m.grid_id")
    cursor = ledger.conn.execute(
        f"""SELECT m.registered_at, m.source, m.category, m.level, m.description, c.name, g.name,
                   COALESCE(b.compound || b.name, ''), COALESCE(u.name, ''), COALESCE(h.room, ''),
                   m.reporter_name, m.reporter_phone, m.assignee_name, m.closed_at, m.result,
                   m.followed_up_at, m.satisfaction, m.state, m.location_text, m.building_id,
                   (SELECT note FROM matter_events e WHERE e.matter_id = m.id AND e.action = '作废')
            FROM matters m JOIN grids g ON g.id = m.grid_id JOIN communities c ON c.id = g.community_id
            LEFT JOIN households h ON h.id = m.household_id
            LEFT JOIN buildings b ON b.id = m.building_id
            LEFT JOIN units u ON u.id = COALESCE(m.unit_id, h.unit_id)
            {where} ORDER BY m.registered_at, m.id""", params)
    for (registered, source, category, level, description, community, grid, building, unit, room,
         reporter, phone, assignee, closed, result, followed, satisfaction, state, location, building_id,
         cancel_note) in cursor:
        if building_id is None and location:
            building = location     # free-text location: keep it in 楼栋 so nothing is lost
        cancelled = state == "作废"
        if cancelled:
            result = "" if cancel_note == CANCELLED_REASON else (cancel_note or "")
        yield [registered, source, category, level, description, community, grid, building, unit, room,
               reporter, phone, assignee, closed or "", result, followed or "", satisfaction or "",
               "作废" if cancelled else ""]


#: the export's columns: the template's, description and result wider
EXPORT_COLUMNS = template_columns(COLUMNS, {"description": 20, "result": 20})


def export_matters(ledger: Ledger, out, month: str | None = None, progress=None, *,
                   date_from: str | None = None, date_to: str | None = None) -> int:
    """``export matters``: every matter (registered in ``month``) in the import template's columns.

    Importing the file into another ledger (with the same grids and households)
    recreates the same events; importing it into this ledger adds nothing.
    Returns the number of rows written.
    """
    where, params = scoped(ledger, *in_period("registered_at", month, date_from, date_to), "grid_id")
    total = ledger.scalar(f"SELECT COUNT(*) FROM matters {where}", params)
    title = export_title(ledger, "民情事项台账", period_text("登记", month, date_from, date_to), f"共 {total} 件")
    return write_table(out, "民情事项", EXPORT_COLUMNS, export_rows(ledger, month, date_from, date_to), total,
                       progress, title_row=title)
