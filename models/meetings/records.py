"""会议: 联席会议 (joint meetings, where big matters are escalated) and 红色议事厅
(council hall deliberations at community / grid / compound level), with their
linked matters and the 四议两公开 stage the decision has reached.
"""

from __future__ import annotations

from models.core.db import Ledger, ts
from models.core import scope
from models.core.errors import ValidationError
from models.core.ops import operation
from models.matters import records as matters
from models.matters.records import as_datetime

KINDS = ("联席会议", "红色议事厅")
MEETING_LEVELS = ("社区", "网格", "小区")
#: 四议两公开: four deliberations, two publications, in order
STAGES = ("党组织提议", "两委会商议", "党员大会审议", "居民代表会议决议", "决议公开", "实施结果公开")

FIELDS = ("kind", "level", "grid_id", "compound", "held_at", "place", "host", "topic", "attendees",
          "attendance", "resolution", "stage")


def _clean(ledger: Ledger, data: dict, old: dict | None = None) -> dict:
    merged = {k: (old or {}).get(k) for k in FIELDS}
    merged.update({k: v for k, v in data.items() if k in FIELDS})
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError(f"未知的会议字段：{'、'.join(sorted(unknown))}。")
    out = {}
    out["kind"] = (merged["kind"] or "").strip()
    if out["kind"] not in KINDS:
        raise ValidationError(f"会议类型必须是{'、'.join(KINDS)}之一。", field="kind")
    out["level"] = (merged["level"] or "社区").strip()
    if out["level"] not in MEETING_LEVELS:
        raise ValidationError(f"会议层级必须是{'、'.join(MEETING_LEVELS)}之一。", field="level")
    out["grid_id"] = merged["grid_id"] or None
    out["compound"] = (merged["compound"] or "").strip()
    if out["level"] == "网格" and not out["grid_id"]:
        raise ValidationError("网格层级的会议请选择网格。", field="grid_id")
    if out["level"] == "小区" and not out["compound"]:
        raise ValidationError("小区层级的会议请填写小区名称。", field="compound")
    if out["grid_id"] and not ledger.scalar("SELECT 1 FROM grids WHERE id = ?", [out["grid_id"]]):
        raise ValidationError("所选的网格不存在。", field="grid_id")
    if not merged["held_at"]:
        raise ValidationError("请填写会议时间。", field="held_at")
    out["held_at"] = ts(as_datetime(merged["held_at"], "会议时间", "held_at"))
    out["topic"] = (merged["topic"] or "").strip()
    if not out["topic"]:
        raise ValidationError("请填写会议议题。", field="topic")
    for key in ("place", "host", "attendees", "resolution"):
        out[key] = (merged[key] or "").strip()
    try:
        out["attendance"] = int(merged["attendance"] or 0)
    except (TypeError, ValueError):
        raise ValidationError("参会人数必须是整数。", field="attendance") from None
    if out["attendance"] < 0:
        raise ValidationError("参会人数不能为负数。", field="attendance")
    out["stage"] = (merged["stage"] or "").strip()
    if out["stage"] and out["stage"] not in STAGES:
        raise ValidationError(f"议事阶段必须是{'、'.join(STAGES)}之一。", field="stage")
    return out


def _check_matters(ledger: Ledger, matter_ids) -> list[int]:
    ids = list(dict.fromkeys(int(m) for m in matter_ids or []))
    for matter_id in ids:
        if not ledger.scalar("SELECT 1 FROM matters WHERE id = ?", [matter_id]):
            raise ValidationError(f"关联的事项不存在（编号 {matter_id}）。", field="matter_ids")
    return ids


@operation("records.edit", "meetings")
def add_meeting(ledger: Ledger, data: dict, matter_ids=()) -> int:
    """Record a meeting (and link matters to it).  Returns its id.

    ``data``: kind, level (default 社区), grid_id (网格 level), compound (小区 level),
    held_at, place, host, topic, attendees, attendance, resolution, stage.
    Linking does not change a matter's state: escalating is the 上报 action
    (:func:`escalate`, or :func:`models.matters.records.apply_action` with ``meeting_id``).
    """
    record = _clean(ledger, data)
    ids = _check_matters(ledger, matter_ids)
    meeting_id = ledger.db["meetings"].insert(ledger.stamp(record, creating=True)).last_rowid
    ledger.conn.executemany("INSERT OR IGNORE INTO meeting_matters (meeting_id, matter_id) VALUES (?, ?)",
                            [(meeting_id, m) for m in ids])
    ledger.audit("新增", "meetings", meeting_id, None, record | {"matter_ids": ids})
    return meeting_id


@operation("records.edit", "meetings")
def update_meeting(ledger: Ledger, meeting_id: int, data: dict, matter_ids=None) -> None:
    """Change a meeting's fields; when ``matter_ids`` is given it replaces the linked matters."""
    old = get_meeting(ledger, meeting_id)
    record = _clean(ledger, data, old)
    ids = _check_matters(ledger, matter_ids) if matter_ids is not None else None
    changed = {k: v for k, v in record.items() if old[k] != v}
    if changed:
        ledger.db["meetings"].update(meeting_id, ledger.stamp(changed, creating=False))
    if ids is not None and ids != old["matter_ids"]:
        ledger.conn.execute("DELETE FROM meeting_matters WHERE meeting_id = ?", [meeting_id])
        ledger.conn.executemany("INSERT INTO meeting_matters (meeting_id, matter_id) VALUES (?, ?)",
                                [(meeting_id, m) for m in ids])
        changed["matter_ids"] = ids
    if changed:
        ledger.audit("修改", "meetings", meeting_id, {k: old.get(k) for k in changed}, changed)


@operation("records.edit", "meetings")
def link_matter(ledger: Ledger, meeting_id: int, matter_id: int) -> None:
    """Link a matter to a meeting (no-op when already linked)."""
    get_meeting(ledger, meeting_id)
    _check_matters(ledger, [matter_id])
    cur = ledger.conn.execute("INSERT OR IGNORE INTO meeting_matters (meeting_id, matter_id) VALUES (?, ?)",
                              [meeting_id, matter_id])
    if cur.rowcount:
        ledger.audit("关联事项", "meetings", meeting_id, None, {"matter_id": matter_id})


@operation("records.edit", "meetings")
def unlink_matter(ledger: Ledger, meeting_id: int, matter_id: int) -> None:
    cur = ledger.conn.execute("DELETE FROM meeting_matters WHERE meeting_id = ? AND matter_id = ?",
                              [meeting_id, matter_id])
    if cur.rowcount:
        ledger.audit("取消关联", "meetings", meeting_id, {"matter_id": matter_id}, None)


@operation("records.edit", "meetings")
def delete_meeting(ledger: Ledger, meeting_id: int) -> None:
    """Delete a meeting entered by mistake (the UI confirms first); audited.

    Raises:
        NotFound: no such meeting.
        ValidationError: a matter was escalated (上报) to it: that event names it.
    """
    old = get_meeting(ledger, meeting_id)
    escalated = ledger.scalar("SELECT COUNT(*) FROM matter_events WHERE action = '上报'"
                              " AND json_extract(data, '$.meeting_id') = ?", [meeting_id])
    if escalated:
        raise ValidationError(f"有 {escalated} 件事项已上报到这次会议，不能删除；可以修改会议内容。")
    ledger.conn.execute("DELETE FROM meeting_matters WHERE meeting_id = ?", [meeting_id])
    ledger.conn.execute("DELETE FROM meetings WHERE id = ?", [meeting_id])
    ledger.audit("删除", "meetings", meeting_id, {k: old[k] for k in FIELDS} | {"matter_ids": old["matter_ids"]},
                 None)


@operation("matter.上报", "matters", "meetings")
def escalate(ledger: Ledger, matter_id: int, *, meeting_id: int | None = None,
             new_meeting: dict | None = None, note: str = "") -> int:
    """上报联席会议: escalate a big matter to a joint meeting, existing or new, in one step.

    Args:
        meeting_id: an existing meeting; or None with ``new_meeting`` (:func:`add_meeting`'s
            ``data``), which is recorded first.
        note: the escalation's note.

    Returns:
        the meeting's id.

    Raises:
        ValidationError: neither a meeting nor a new meeting's fields, or bad fields.
        WorkflowError: the matter's state or level does not allow 上报.
    """
    if meeting_id is None:
        if new_meeting is None:
            raise ValidationError("请选择联席会议，或填写新会议。", field="meeting_id")
        meeting_id = add_meeting(ledger, new_meeting)
    matters.apply_action(ledger, matter_id, "上报", note=note, meeting_id=meeting_id)
    return meeting_id


def get_meeting(ledger: Ledger, meeting_id: int) -> dict:
    """A meeting with ``grid_name``, ``matter_ids`` and ``matters`` (id, number, description, state, level)."""
    meeting = ledger.one("SELECT mt.*, COALESCE(g.name, '') AS grid_name FROM meetings mt"
                         " LEFT JOIN grids g ON g.id = mt.grid_id WHERE mt.id = ?", [meeting_id],
                         missing=f"会议记录不存在（编号 {meeting_id}）。")
    meeting["matters"] = ledger.query(
        "SELECT m.id, m.number, m.description, m.state, m.level, m.category FROM meeting_matters mm"
        " JOIN matters m ON m.id = mm.matter_id WHERE mm.meeting_id = ? ORDER BY m.registered_at, m.id",
        [meeting_id])
    meeting["matter_ids"] = [m["id"] for m in meeting["matters"]]
    return meeting


def list_meetings(ledger: Ledger, date_from: str | None = None, date_to: str | None = None,
                  kind: str | None = None, grid_id: int | None = None) -> list[dict]:
    """Meetings newest first, with ``grid_name`` and ``matter_count``.  Dates inclusive."""
    clauses, params = [], []
    if date_from:
        clauses.append("mt.held_at >= ?")
        params.append(str(date_from)[:10])
    if date_to:
        clauses.append("mt.held_at <= ?")
        params.append(str(date_to)[:10] + " 23:59:59")
    if kind:
        clauses.append("mt.kind = ?")
        params.append(kind)
    if grid_id:
        clauses.append("mt.grid_id = ?")
        params.append(grid_id)
    scoped, scoped_params = scope.grid_clauses(ledger, "mt.grid_id")   # a 网格员: their grids only
    clauses, params = clauses + scoped, params + scoped_params
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return ledger.query(
        f"SELECT mt.id, mt.kind, mt.level, mt.grid_id, COALESCE(g.name, '') AS grid_name, mt.compound,"
        f" mt.held_at, mt.place, mt.host, mt.topic, mt.attendance, mt.resolution, mt.stage,"
        f" (SELECT COUNT(*) FROM meeting_matters mm WHERE mm.meeting_id = mt.id) AS matter_count"
        f" FROM meetings mt LEFT JOIN grids g ON g.id = mt.grid_id {where}"
        f" ORDER BY mt.held_at DESC, mt.id DESC", params)
