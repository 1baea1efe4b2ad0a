"""Reading the audit log (操作日志): the page's filters, a record's history, the export.

The audit log is written by :meth:`models.core.db.Ledger.audit` (masked; append-only, see
``m003_audit_append_only_authui``).  Only a 管理员 reads it (permission ``audit.view``).

A busy office writes a few million rows a year, so the list is read a page at a time
(keyset paging, newest first, on ``(at, id)``) and each filter has an index that is
already in time order (``audit_log_operator_at``, ``audit_log_action_at``,
``audit_log_table_at``, ``audit_log_at``): the first page of any one filter is an index
range, never a scan of the table.  The text filter (``LIKE``) is the one that may scan; the
newest matches come first and a page stops at its 100th match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from models.core import periods
from models.core.db import Ledger
from models.core.errors import scrub
from models.core.export_title import export_title, searched
from models.core.permissions import require
from models.core.tabular import Column, Progress, check_target, write_table

PAGE = 100

#: record type (``audit_log.table_name``) → what the clerk calls it
RECORD_TYPES: dict[str, str] = {
    "residents": "居民",
    "households": "户",
    "buildings": "楼栋",
    "units": "单元",
    "grids": "网格",
    "communities": "社区",
    "staff": "网格人员",
    "staff_assignments": "人员分工",
    "matters": "民情事项",
    "visits": "走访记录",
    "meetings": "会议",
    "volunteers": "志愿者",
    "volunteer_orgs": "志愿组织",
    "volunteer_org_members": "组织成员",
    "activities": "志愿活动",
    "activity_participants": "活动参与者",
    "attachments": "附件",
    "score_adjustments": "加减分",
    "evaluation_publications": "评比定稿",
    "settings": "设置",
    "office_lists": "设置列表",
    "tags": "人员标签",
    "party_orgs": "党组织",
    "party_members": "党组织成员",
    "meeting_stages": "议事阶段",
    "users": "用户",
    "ledger": "台账文件",
    "audit_log": "操作日志",
    "history": "居住和网格历史",   # an area of the demo (生成演示数据 范围)
}

#: field names kept in old/new values → the clerk's words (unknown names are shown as they are)
FIELD_LABELS: dict[str, str] = {
    "name": "姓名/名称", "gender": "性别", "ethnicity": "民族", "id_number": "身份证号",
    "birth_date": "出生日期", "phone": "电话", "relation": "与户主关系", "residence_type": "人口类型",
    "political_status": "政治面貌", "notes": "备注", "status": "状态", "status_date": "状态日期",
    "moved_in_on": "迁入日期", "tags": "标签", "household_id": "户", "grid_id": "网格",
    "building_id": "楼栋", "unit_id": "单元", "room": "房号", "address": "地址",
    "head_resident_id": "户主", "compound": "小区", "code": "编码", "role": "角色",
    "state": "状态", "description": "事项描述", "source": "来源", "location_text": "地点",
    "reporter_name": "反映人", "reporter_phone": "反映人电话", "category": "类别", "level": "等级",
    "result": "办理结果", "note": "说明", "visited_on": "走访日期", "staff_name": "走访人",
    "content": "内容", "title": "标题", "held_on": "日期", "matter_id": "事项", "matter_ids": "事项",
    "points": "分值", "reason": "原因", "period": "期间", "month": "月份", "file": "文件",
    "rows": "行数", "full_ids": "完整身份证号", "filter": "筛选条件", "skills": "特长",
    "hours": "时长", "volunteer_id": "志愿者", "org_id": "组织", "activity_id": "活动",
    "username": "用户名", "display_name": "显示名", "active": "启用", "grids": "负责网格",
    "sensitive": "可查看敏感信息", "count": "人数", "报表": "报表", "人数": "人数",
    # settings (their keys are the changed "field" of a 设置 row)
    "community_name": "社区名称", "idle_lock_minutes": "锁屏等待分钟数", "activity_types": "活动类型",
    "supervision_window_days": "督办提前天数", "retired": "停用", "deadline_days": "办理时限天数",
    "duty": "职务", "stage": "阶段", "outcome": "结果", "participants": "参与人员",
    "report_issuer": "通报落款单位", "evaluation_scheme": "评比方案", "adjustments": "加减分",
    "demo_accounts": "演示账号", "number": "编号", "author": "给分人",
    # 网格调整, 撤销网格 (issue 11), 待确认 volunteers (issue 15)
    "buildings": "楼栋", "grid": "网格", "from_date": "起始日期", "residents": "居民人数",
    "dissolved_on": "撤销日期", "established_on": "设立日期", "pending": "待确认", "candidates": "候选居民", "merged_into": "合并到志愿者",
    # the demo, imports, the hierarchy
    "households": "户数", "seed": "随机种子", "months": "月数", "areas": "范围", "is_own": "本社区",
    "community_id": "社区", "staff_id": "人员", "resident_id": "居民", "visit_id": "走访",
    "sinking_cadre": "下沉干部", "way": "方式", "type": "类型", "leader": "负责人", "contact": "联系方式",
    "founded_on": "成立日期", "on_date": "日期", "start_time": "开始时间", "end_time": "结束时间",
    "place": "地点", "people_served": "服务人数", "kind": "类别", "topic": "议题", "held_at": "会议时间",
    "host": "主持人", "attendees": "参会人员", "attendance": "参会人数", "resolution": "决议", "stage": "议事阶段",
    "assignee_name": "承办人", "assignee_staff_id": "承办人", "deadline": "办理时限", "card": "督办方式",
    "satisfaction": "满意度", "registered_at": "登记时间", "filename": "文件名", "version": "版本",
}

COLUMNS = [
    Column("时间", "at", True, 20),
    Column("操作人", "operator", True, 12),
    Column("操作", "action", True, 14),
    Column("记录类型", "record_type", True, 12),
    Column("记录编号", "row_id", False, 10),
    Column("内容（原值 → 新值）", "change", True, 80),
]


@dataclass
class AuditFilter:
    """What the 操作日志 page filters by.  Empty fields do not filter.

    Attributes:
        operator: the operator's (display) name, exactly.
        action: the action, exactly (``修改``, ``登录失败`` …).
        table_name: the record type (a key of :data:`RECORD_TYPES`).
        row_id: one record (with ``table_name``).
        date_from, date_to: ``YYYY-MM-DD``, inclusive.
        text: found in the operator, action or the old/new values, as written (``%`` and ``_``
            are plain characters).
    """

    operator: str = ""
    action: str = ""
    table_name: str = ""
    row_id: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    text: str = ""

    def where(self) -> tuple[str, list]:
        """The SQL condition (``WHERE …`` or ``''``) and its parameters.

        Raises:
            ValidationError: a malformed date.
        """
        clauses: list[str] = []
        params: list = []
        for column in ("operator", "action", "table_name"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.row_id is not None:
            clauses.append("row_id = ?")
            params.append(int(self.row_id))
        if self.date_from:
            clauses.append("at >= ?")
            params.append(periods.check_date(self.date_from, "开始日期"))
        if self.date_to:
            clauses.append("at <= ?")
            params.append(periods.check_date(self.date_to, "结束日期") + " 23:59:59")
        text = " ".join((self.text or "").split())
        if text:
            # instr(), not LIKE: LIKE folds the case of every character it compares; over a month
            # of a 2-million-row log instr() took 89 ms against LIKE's 131 ms (medians of 5, same
            # run); the text is matched as written (no wildcards to escape)
            clauses.append("(instr(operator, ?) OR instr(action, ?) OR instr(new_value, ?)"
                           " OR instr(old_value, ?))")
            params += [text] * 4
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def record_type(table_name: str) -> str:
    """The clerk's word for a record type (``residents`` → ``居民``)."""
    return RECORD_TYPES.get(table_name, table_name)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(RECORD_TYPES.get(v, _text(v)) if isinstance(v, str) else _text(v)
                        for v in value) or "（空）"
    if isinstance(value, dict):
        return "，".join(f"{FIELD_LABELS.get(k, k)}={_text(v)}" for k, v in value.items())
    return str(value)


def describe_change(old_json: str | None, new_json: str | None) -> str:
    """One line for a change: ``电话：138****5678 → 055*-***4321；标签：（空） → 低保户``."""
    old = json.loads(old_json) if old_json else None
    new = json.loads(new_json) if new_json else None

    def fields(value: Any) -> str:
        if isinstance(value, dict):
            return "；".join(f"{FIELD_LABELS.get(k, k)}：{_text(v)}" for k, v in value.items())
        return _text(value)

    if not isinstance(old, dict) or not isinstance(new, dict):
        if old is None and new is None:
            return ""
        if old is None:
            return fields(new)
        if new is None:
            return "原值：" + fields(old)
        return f"{_text(old)} → {_text(new)}"
    parts = []
    for key in list(dict.fromkeys([*old, *new])):
        label = FIELD_LABELS.get(key, key)
        if key in old and key in new:
            parts.append(f"{label}：{_text(old[key])} → {_text(new[key])}")
        elif key in new:
            parts.append(f"{label}：{_text(new[key])}")
        else:
            parts.append(f"{label}：{_text(old[key])} → （无）")
    return "；".join(parts)


def _present(row: dict) -> dict:
    row = dict(row)
    row["record_type"] = record_type(row["table_name"])
    row["change"] = describe_change(row.get("old_value"), row.get("new_value"))
    return row


_SELECT = "SELECT id, at, operator, user_id, action, table_name, row_id, old_value, new_value FROM audit_log"


def search_page(ledger: Ledger, flt: AuditFilter | None = None, *, after: tuple[str, int] | None = None,
                limit: int = PAGE) -> tuple[list[dict], tuple[str, int] | None]:
    """One page of the log, newest first.

    Args:
        flt: the filters (none: everything).
        after: the cursor of the previous page (``None``: the first page).
        limit: rows per page.

    Returns:
        the rows (the columns of ``audit_log`` plus ``record_type`` and ``change``, the
        clerk's words) and the cursor of the next page (``None`` when this was the last).

    Raises:
        PermissionDenied: the operator may not read the log (管理员 only).
    """
    require(ledger, "audit.view")
    where, params = (flt or AuditFilter()).where()
    if after is not None:
        # (at, id) < cursor, written so that the time index serves it as a range
        where += (" AND " if where else "WHERE ") + "at <= ? AND (at < ? OR id < ?)"
        params = params + [after[0], after[0], after[1]]
    rows = ledger.query(f"{_SELECT} {where} ORDER BY at DESC, id DESC LIMIT ?", params + [limit])
    cursor = (rows[-1]["at"], rows[-1]["id"]) if len(rows) == limit else None
    return [_present(r) for r in rows], cursor


def record_history(ledger: Ledger, table_name: str, row_id: int) -> list[dict]:
    """Everything done to one record, oldest first (rows as :func:`search_page` gives them)."""
    require(ledger, "audit.view")
    rows = ledger.query(f"{_SELECT} WHERE table_name = ? AND row_id = ? ORDER BY at, id",
                        [table_name, int(row_id)])
    return [_present(r) for r in rows]


def _distinct(ledger: Ledger, column: str) -> list[str]:
    """The distinct values of an indexed column, one index seek each (a skip scan)."""
    sql = (f"WITH RECURSIVE v(x) AS (SELECT MIN({column}) FROM audit_log"
           f" UNION ALL SELECT (SELECT MIN({column}) FROM audit_log WHERE {column} > v.x) FROM v"
           f" WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL")
    return [r[0] for r in ledger.conn.execute(sql)]


@dataclass
class FilterChoices:
    """What the page's drop-downs offer: operators, actions and record types that occur."""

    operators: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    record_types: list[tuple[str, str]] = field(default_factory=list)   # (table_name, 中文)


def filter_choices(ledger: Ledger) -> FilterChoices:
    """The operators, actions and record types present in the log (for the filters)."""
    require(ledger, "audit.view")
    return FilterChoices(_distinct(ledger, "operator"), _distinct(ledger, "action"),
                         [(t, record_type(t)) for t in _distinct(ledger, "table_name")])


def iter_rows(ledger: Ledger, flt: AuditFilter | None = None, batch: int = 2000) -> Iterator[dict]:
    """Every row matching ``flt``, newest first, read ``batch`` rows at a time."""
    after = None
    while True:
        rows, after = search_page(ledger, flt, after=after, limit=batch)
        yield from rows
        if after is None:
            return


def count(ledger: Ledger, flt: AuditFilter | None = None) -> int:
    """How many rows match ``flt``."""
    require(ledger, "audit.view")
    where, params = (flt or AuditFilter()).where()
    return ledger.scalar(f"SELECT COUNT(*) FROM audit_log {where}", params)


def _title_details(flt: AuditFilter) -> list[str]:
    """The period and filters of an export, for its title line."""
    parts = [f"{flt.date_from or '最早'} 至 {flt.date_to or '最近'}" if flt.date_from or flt.date_to else "全部日期"]
    if flt.operator:
        parts.append(f"操作人：{flt.operator}")
    if flt.action:
        parts.append(f"操作：{flt.action}")
    if flt.table_name:
        parts.append(f"记录：{RECORD_TYPES.get(flt.table_name, flt.table_name)}"
                     + (f" #{flt.row_id}" if flt.row_id is not None else ""))
    if flt.text.strip():   # (the log itself holds IDs masked; a typed one is masked the same way here)
        parts.append(searched(scrub(flt.text)))
    return parts


def _filter_summary(flt: AuditFilter) -> dict:
    return {k: v for k, v in vars(flt).items() if v not in (None, "")}


def export_audit(ledger: Ledger, out: str | Path, flt: AuditFilter | None = None,
                 progress: Progress | None = None,
                 is_cancelled: Callable[[], bool] | None = None) -> int:
    """Export the rows matching ``flt`` to ``out`` (.xlsx or .csv), masked as the log holds them.

    The export itself becomes an audit row (导出操作日志: the file, the rows, the filters).
    Like every export it reads outside a write transaction (others keep writing while a
    year of log is written out) and writes only its audit row in one.

    Returns:
        the number of rows written.

    Raises:
        PermissionDenied: not a 管理员.
        ValidationError: ``out`` is not .xlsx / .csv, or a malformed date.
        ExportCancelled: cancelled; nothing was written.
    """
    require(ledger, "audit.view")
    flt = flt or AuditFilter()
    out = Path(out)
    check_target(out)
    total = count(ledger, flt)
    title = export_title(ledger, "操作日志", *_title_details(flt), f"共 {total} 条")
    written = write_table(out, "操作日志", COLUMNS, iter_rows(ledger, flt), total, progress, is_cancelled,
                          title_row=title)
    with ledger.write():
        ledger.audit("导出操作日志", "audit_log", None, None,
                     {"file": str(out), "rows": written, "filter": _filter_summary(flt)})
    return written
