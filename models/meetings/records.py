"""会议: 联席会议 (joint meetings, where big matters are escalated) and 红色议事厅
(council hall deliberations at community / grid / compound level), with their
linked matters and the stage the decision has reached.

A meeting follows one method, a rule table (:data:`METHODS`): 四议两公开 (four
deliberations, then the two publications 决议公开 and 实施结果公开) or the 六步工作法 of the
红色议事厅 (民事民提 → 民事民议 → 民事民决 → 民事民筹 → 民事民办 → 民事民评).  Each stage
reached is a row of ``meeting_stages`` (date, participants, outcome), recorded in order
(:func:`record_stage`); ``meetings.stage`` is the current (last reached) stage, shown in lists.
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
#: 六步工作法 of the 红色议事厅, in order
SIX_STEPS = ("民事民提", "民事民议", "民事民决", "民事民筹", "民事民办", "民事民评")
#: method → its stages, in order (the rule table of deliberation)
METHODS: dict[str, tuple[str, ...]] = {"四议两公开": STAGES, "六步工作法": SIX_STEPS}
#: the method a new meeting of each kind follows unless told otherwise
DEFAULT_METHOD = {"联席会议": "四议两公开", "红色议事厅": "六步工作法"}
#: the stages that are publications (their date is the day of publishing)
PUBLICATIONS = ("决议公开", "实施结果公开")

FIELDS = ("kind", "level", "grid_id", "compound", "held_at", "place", "host", "topic", "attendees",
          "attendance", "resolution", "stage", "method")


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
    method = (data.get("method") or "").strip()
    if not method:   # the meeting's method (a new one: the kind's usual one), unless a stage names another
        method = (old or {}).get("method") or DEFAULT_METHOD[out["kind"]]
        if out["stage"] and out["stage"] not in METHODS.get(method, ()):
            method = next((m for m, stages in METHODS.items() if out["stage"] in stages), method)
    if method not in METHODS:
        raise ValidationError(f"议事方法必须是{'、'.join(METHODS)}之一。", field="method")
    out["method"] = method
    if out["stage"] and out["stage"] not in METHODS[method]:
        raise ValidationError(f"{method}的议事阶段必须是{'、'.join(METHODS[method])}之一。", field="stage")
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
    if "method" in changed and any(r["on_date"] for r in old["stages"]):
        raise ValidationError(f"已按{old['method']}记录了议事阶段，不能改为{record['method']}。", field="method")
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
    ledger.conn.execute("DELETE FROM meeting_stages WHERE meeting_id = ?", [meeting_id])
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


@operation("records.edit", "meetings")
def record_stage(ledger: Ledger, meeting_id: int, stage: str, on_date, *, participants: str = "",
                 outcome: str = "") -> int:
    """Record (or correct) a stage of the meeting's method: its date, participants and outcome.

    Stages are reached in order: a stage needs the one before it recorded, on the same day or
    earlier; none is in the future.  The meeting's current stage becomes the last one reached.

    Returns:
        the stage row's id.

    Raises:
        ValidationError: a stage not of the meeting's method, one out of order, a bad or future
            date, a date before the previous stage's or after the next one's, no outcome.
    """
    meeting = get_meeting(ledger, meeting_id)
    order = METHODS[meeting["method"]]
    if stage not in order:
        raise ValidationError(f"{meeting['method']}的阶段是{'、'.join(order)}，没有“{stage}”。", field="stage")
    day = str(as_datetime(on_date, "日期", "on_date").date())
    if day > ledger.now().strftime("%Y-%m-%d"):
        raise ValidationError("阶段日期不能晚于今天。", field="on_date")
    text = (outcome or "").strip()
    if not text:
        what = "公开的内容和方式" if stage in PUBLICATIONS else "该阶段的结果"
        raise ValidationError(f"请填写{what}。", field="outcome")
    done = {r["stage"]: r for r in meeting["stages"] if r["on_date"]}
    at = order.index(stage)
    # a meeting recorded before stages had rows only says how far it got: those stages count as reached
    reached = order.index(meeting["stage"]) if meeting["stage"] in order else -1
    if at > 0 and order[at - 1] not in done and at - 1 > reached:
        raise ValidationError(f"请先记录上一阶段“{order[at - 1]}”。", field="stage")
    if at > 0 and order[at - 1] in done and day < done[order[at - 1]]["on_date"]:
        raise ValidationError(f"日期不能早于上一阶段“{order[at - 1]}”（{done[order[at - 1]]['on_date']}）。",
                              field="on_date")
    if at + 1 < len(order) and order[at + 1] in done and day > done[order[at + 1]]["on_date"]:
        raise ValidationError(f"日期不能晚于下一阶段“{order[at + 1]}”（{done[order[at + 1]]['on_date']}）。",
                              field="on_date")
    record = {"meeting_id": meeting_id, "stage": stage, "on_date": day,
              "participants": (participants or "").strip(), "outcome": text}
    old = done.get(stage)
    if old:
        ledger.db["meeting_stages"].update(old["id"], ledger.stamp(record, creating=False))
        row_id = old["id"]
        ledger.audit("修改", "meeting_stages", row_id, {k: old[k] for k in record if k in old}, record)
    else:
        row_id = ledger.db["meeting_stages"].insert(ledger.stamp(record, creating=True)).last_rowid
        ledger.audit("新增", "meeting_stages", row_id, None, record)
    current = max([reached, *(order.index(s) for s in [*done, stage])])
    if meeting["stage"] != order[current]:
        ledger.db["meetings"].update(meeting_id, ledger.stamp({"stage": order[current]}, creating=False))
    return row_id


@operation("records.edit", "meetings")
def remove_last_stage(ledger: Ledger, meeting_id: int) -> None:
    """Take back the last stage recorded (a mistake); the current stage goes back one."""
    meeting = get_meeting(ledger, meeting_id)
    done = [r for r in meeting["stages"] if r["on_date"]]
    if not done:
        raise ValidationError("这次会议还没有记录任何阶段。")
    last = done[-1]
    ledger.conn.execute("DELETE FROM meeting_stages WHERE id = ?", [last["id"]])
    previous = done[-2]["stage"] if len(done) > 1 else ""
    ledger.db["meetings"].update(meeting_id, ledger.stamp({"stage": previous}, creating=False))
    ledger.audit("删除", "meeting_stages", last["id"], last, None)


def stage_text(meeting: dict) -> str:
    """The current stage as a list shows it: ``六步工作法 3/6 民事民决`` (blank before the first)."""
    stage, method = meeting.get("stage") or "", meeting.get("method") or "四议两公开"
    order = METHODS.get(method, STAGES)
    if not stage or stage not in order:
        return stage
    return f"{method} {order.index(stage) + 1}/{len(order)} {stage}"


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
    recorded = {r["stage"]: r for r in ledger.query(
        "SELECT id, stage, on_date, participants, outcome FROM meeting_stages WHERE meeting_id = ?", [meeting_id])}
    meeting["stages"] = [recorded.get(s) or {"id": None, "stage": s, "on_date": None, "participants": "",
                                             "outcome": ""} for s in METHODS[meeting["method"]]]
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
        f" mt.held_at, mt.place, mt.host, mt.topic, mt.attendance, mt.resolution, mt.stage, mt.method,"
        f" (SELECT COUNT(*) FROM meeting_matters mm WHERE mm.meeting_id = mt.id) AS matter_count"
        f" FROM meetings mt LEFT JOIN grids g ON g.id = mt.grid_id {where}"
        f" ORDER BY mt.held_at DESC, mt.id DESC", params)
