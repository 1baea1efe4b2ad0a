"""走访 / 民情日志 (visits): a staff member's household visits, several households at once.

One visit row holds the date, who, how (入户 / 电话 / 微信) and notes; its
households are rows of ``visit_households``.  All households of one visit must
lie in one grid (the visit is counted for that grid's 走访覆盖率, SPEC §5).  A
problem found on a visit becomes a matter with source 巡查走访 in one step
(:func:`visit_problem_to_matter`).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from models.core import lists
from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core import scope
from models.core.filters import ListFilter, like_pattern
from models.core.ops import Changes, operation
from models.matters import records as matters
from models.matters.records import SEARCH_CAP, has_search_index, match_expression, search_tokens

WAYS = ("入户", "电话", "微信")


def as_date(value, what: str = "走访日期") -> str:
    """``YYYY-MM-DD`` from a date, datetime or text (``/`` and ``.`` accepted)."""
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value or "").strip().replace("/", "-").replace(".", "-")[:10]
    try:
        return _dt.datetime.strptime(text, "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise ValidationError(f"{what}“{value}”不是有效日期（应为 2026-10-15 这样的格式）。",
                              field="visited_on") from None


def ways(ledger: Ledger) -> list[str]:
    """The 走访方式 offered for new visits (the office's list, ``models.core.lists``; always
    some of :data:`WAYS`, which the schema accepts)."""
    return lists.names(ledger, "visit_way")


def _check(ledger: Ledger, visited_on, staff_id, staff_name, way, household_ids, kept_way: str = "") -> tuple:
    day = as_date(visited_on)
    if day > ledger.now().strftime("%Y-%m-%d"):
        raise ValidationError("走访日期不能晚于今天。", field="visited_on")
    offered = ways(ledger)
    if way not in offered and not (way == kept_way and way in WAYS):   # a retired way stays on old visits
        raise ValidationError(f"走访方式必须是{'、'.join(offered)}之一。", field="way")
    name = (staff_name or "").strip()
    if staff_id:
        found = ledger.scalar("SELECT name FROM staff WHERE id = ?", [staff_id])
        if found is None:
            raise ValidationError("所选的走访人不在工作人员名单中。", field="staff_id")
        name = name or found
    if not name:
        raise ValidationError("请选择或填写走访人。", field="staff_id")
    ids = list(dict.fromkeys(int(h) for h in household_ids or []))
    if not ids:
        raise ValidationError("请至少选择一户。", field="household_ids")
    marks = ",".join("?" * len(ids))
    rows = ledger.conn.execute(f"SELECT id, grid_id FROM households WHERE id IN ({marks})", ids).fetchall()
    if len(rows) != len(ids):
        raise ValidationError("所选的户中有不存在的户。", field="household_ids")
    grid_ids = {r[1] for r in rows}
    if len(grid_ids) > 1:
        raise ValidationError("一条走访记录中的住户必须属于同一网格，请分网格记录。", field="household_ids")
    return day, staff_id or None, name, ids, grid_ids.pop()


@operation("records.edit", "visits")
def record_visit(ledger: Ledger, *, visited_on, staff_id: int | None = None, staff_name: str = "",
                 way: str, household_ids: list[int], notes: str = "") -> int:
    """Record one visit to one or more households of one grid.  Returns the visit id.

    Raises:
        ValidationError: bad date (or in the future), way, staff, or households
            (none, unknown, or spread over several grids).
    """
    day, staff_id, name, ids, grid_id = _check(ledger, visited_on, staff_id, staff_name, way, household_ids)
    scope.require_grid(ledger, grid_id, "所走访的住户")        # a 网格员 records visits in their grids only
    record = ledger.stamp({"visited_on": day, "staff_id": staff_id, "staff_name": name, "way": way,
                           "grid_id": grid_id, "notes": (notes or "").strip()}, creating=True)
    visit_id = ledger.db["visits"].insert(record).last_rowid
    ledger.conn.executemany("INSERT INTO visit_households (visit_id, household_id) VALUES (?, ?)",
                            [(visit_id, h) for h in ids])
    if has_search_index(ledger.conn, "visit_fts"):
        ledger.conn.execute("INSERT INTO visit_fts (rowid, body) VALUES (?, ?)",
                            [visit_id, search_tokens(record["notes"], name)])
    ledger.audit("新增", "visits", visit_id, None,
                 {"visited_on": day, "staff_name": name, "way": way, "households": ids})
    return visit_id


@operation("records.edit", "visits")
def update_visit(ledger: Ledger, visit_id: int, *, visited_on=None, staff_id: int | None = None,
                 staff_name: str | None = None, way: str | None = None,
                 household_ids: list[int] | None = None, notes: str | None = None) -> None:
    """Correct a visit; arguments left as None keep their value."""
    old = get_visit(ledger, visit_id)
    day, sid, name, ids, grid_id = _check(
        ledger, visited_on if visited_on is not None else old["visited_on"],
        staff_id if staff_id is not None else old["staff_id"],
        staff_name if staff_name is not None else (old["staff_name"] if staff_id is None else ""),
        way if way is not None else old["way"],
        household_ids if household_ids is not None else old["household_ids"], kept_way=old["way"])
    new = {"visited_on": day, "staff_id": sid, "staff_name": name, "way": way or old["way"],
           "grid_id": grid_id, "notes": (notes if notes is not None else old["notes"]).strip()}
    ledger.db["visits"].update(visit_id, ledger.stamp(new, creating=False))
    if ((new["notes"], new["staff_name"]) != (old["notes"], old["staff_name"])
            and has_search_index(ledger.conn, "visit_fts")):
        ledger.conn.execute("INSERT INTO visit_fts (visit_fts, rowid, body) VALUES ('delete', ?, ?)",
                            [visit_id, search_tokens(old["notes"], old["staff_name"])])
        ledger.conn.execute("INSERT INTO visit_fts (rowid, body) VALUES (?, ?)",
                            [visit_id, search_tokens(new["notes"], new["staff_name"])])
    if ids != old["household_ids"]:
        ledger.conn.execute("DELETE FROM visit_households WHERE visit_id = ?", [visit_id])
        ledger.conn.executemany("INSERT INTO visit_households (visit_id, household_id) VALUES (?, ?)",
                                [(visit_id, h) for h in ids])
    ledger.audit("修改", "visits", visit_id,
                 {k: old[k] for k in new} | {"households": old["household_ids"]},
                 new | {"households": ids})


@operation("records.edit", "visits")
def delete_visit(ledger: Ledger, visit_id: int) -> None:
    """Delete a visit entered by mistake (the UI confirms first); audited.

    Raises:
        NotFound: no such visit.
        ValidationError: matters were registered from it (they point at it).
    """
    old = get_visit(ledger, visit_id)
    if old["matter_ids"]:
        raise ValidationError(f"这次走访已登记了 {len(old['matter_ids'])} 件事项，不能删除；可以修改走访内容。")
    if has_search_index(ledger.conn, "visit_fts"):
        ledger.conn.execute("INSERT INTO visit_fts (visit_fts, rowid, body) VALUES ('delete', ?, ?)",
                            [visit_id, search_tokens(old["notes"], old["staff_name"])])
    ledger.conn.execute("DELETE FROM visit_households WHERE visit_id = ?", [visit_id])
    ledger.conn.execute("DELETE FROM visits WHERE id = ?", [visit_id])
    ledger.audit("删除", "visits", visit_id,
                 {"visited_on": old["visited_on"], "staff_name": old["staff_name"], "way": old["way"],
                  "households": old["household_ids"], "notes": old["notes"]}, None)


def get_visit(ledger: Ledger, visit_id: int) -> dict:
    """A visit with ``grid_name``, ``household_ids``, ``households`` (id, label) and ``matter_ids``."""
    visit = ledger.one("SELECT v.*, g.name AS grid_name FROM visits v JOIN grids g ON g.id = v.grid_id"
                       " WHERE v.id = ?", [visit_id], missing=f"走访记录不存在（编号 {visit_id}）。")
    scope.require_grid(ledger, visit["grid_id"], "这条走访记录")
    visit["households"] = ledger.query(
        "SELECT h.id, b.compound || b.name || u.name || h.room AS label FROM visit_households vh"
        " JOIN households h ON h.id = vh.household_id JOIN units u ON u.id = h.unit_id"
        " JOIN buildings b ON b.id = h.building_id WHERE vh.visit_id = ? ORDER BY h.id", [visit_id])
    visit["household_ids"] = [h["id"] for h in visit["households"]]
    visit["matter_ids"] = [r[0] for r in ledger.conn.execute(
        "SELECT id FROM matters WHERE visit_id = ? ORDER BY id", [visit_id])]
    return visit


@operation("matter.登记", "matters", "visits")
def visit_problem_to_matter(ledger: Ledger, visit_id: int, data: dict) -> int:
    """Register a problem found on a visit as a matter (source 巡查走访) in one step.

    ``data`` takes the keys of :func:`models.matters.records.register_matter`; ``household_id``
    defaults to the visit's household when it visited exactly one (else the grid
    of the visit), ``registered_at`` to now.  The household must be one of the visit's.
    Without an assignee the matter is assigned to the visitor (who found it and
    usually settles it on the spot); pass ``assign_to_visitor=False`` to leave it
    unassigned.
    """
    visit = get_visit(ledger, visit_id)
    data = dict(data)
    data["source"] = "巡查走访"
    data["visit_id"] = visit_id
    household_id = data.get("household_id")
    if household_id:
        if household_id not in visit["household_ids"]:
            raise ValidationError("所选的户不在这次走访的住户中。", field="household_id")
    elif len(visit["household_ids"]) == 1 and not data.get("building_id"):
        data["household_id"] = visit["household_ids"][0]
    data["grid_id"] = data.get("grid_id") or visit["grid_id"]
    assign_to_visitor = data.pop("assign_to_visitor", True)
    if assign_to_visitor and not data.get("assignee_staff_id") and not data.get("assignee_name"):
        data["assignee_staff_id"] = visit["staff_id"]
        data["assignee_name"] = visit["staff_name"]
    return matters.register_matter(ledger, data)


@operation("records.edit")
def save_visit(ledger: Ledger, visit_id: int | None, values: dict, problem: dict | None = None) -> Changes:
    """记录走访 (or correct visit ``visit_id``), and register the problem found on it, all or nothing.

    Args:
        visit_id: the visit to correct, or None for a new one.
        values: :func:`record_visit`'s keyword arguments (for a correction, those that change).
        problem: when the clerk ticked 发现问题: :func:`visit_problem_to_matter`'s ``data``.

    Returns:
        ``Changes`` of 走访 (and 民情事项 when a problem was registered); ``result`` is
        ``(visit_id, matter_id or None)``.
    """
    if visit_id:
        update_visit(ledger, visit_id, **values)
    else:
        visit_id = record_visit(ledger, **values)
    if problem is None:
        return Changes.of("visits", result=(visit_id, None))
    matter_id = visit_problem_to_matter(ledger, visit_id, problem)
    return Changes.of("visits", "matters", result=(visit_id, matter_id))


def households_of_building(ledger: Ledger, building_id: int) -> list[dict]:
    """Every household of a building for the tick-rooms list: id, unit, room, head name."""
    return ledger.query(
        "SELECT h.id, u.name AS unit, h.room, COALESCE(r.name, '') AS head_name, h.grid_id"
        " FROM households h JOIN units u ON u.id = h.unit_id"
        " LEFT JOIN residents r ON r.id = h.head_resident_id"
        " WHERE h.building_id = ? ORDER BY u.name, length(h.room), h.room", [building_id])


# -- searching ---------------------------------------------------------------------------

@dataclass
class VisitFilter(ListFilter):
    """What the 走访日志 list shows (the period is the visit's date)."""

    staff_id: int | None = None
    way: str | None = None


def rebuild_search_index(conn) -> None:
    """Fill ``visit_fts`` from scratch (migration, repair)."""
    if not has_search_index(conn, "visit_fts"):
        return
    conn.execute("INSERT INTO visit_fts (visit_fts) VALUES ('delete-all')")
    cursor = conn.execute("SELECT id, notes, staff_name FROM visits")
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            break
        conn.executemany("INSERT INTO visit_fts (rowid, body) VALUES (?, ?)",
                         [(r[0], search_tokens(r[1], r[2])) for r in rows])


def _plan(ledger: Ledger, flt: VisitFilter, for_count: bool = False) -> tuple[str, list[str], list] | None:
    """FROM, clauses and parameters; None when the text search cannot match anything.

    The text is checked with LIKE on the notes and the visitor's name (exact);
    ``visit_fts`` says how many visits can match: few → start from them, many →
    walk the list's index (see :func:`models.matters.records._plan`)."""
    clauses, params = flt.period_clauses("v.visited_on")
    equal, equal_params = flt.equal_clauses("v", "grid_id", "staff_id", "way")
    scoped, scoped_params = scope.grid_clauses(ledger, "v.grid_id")     # a 网格员: their grids only
    clauses, params = clauses + equal + scoped, params + equal_params + scoped_params
    source = "visits v"
    text = flt.search_text()
    if text:
        like = like_pattern(text)
        clauses.append("(v.notes LIKE ? ESCAPE '\\' OR v.staff_name LIKE ? ESCAPE '\\')")
        params += [like, like]
        match = match_expression(text) if has_search_index(ledger.conn, "visit_fts") else None
        if match is not None:
            candidates = ledger.scalar("SELECT COUNT(*) FROM (SELECT rowid FROM visit_fts WHERE visit_fts"
                                       " MATCH ? LIMIT ?)", [match, SEARCH_CAP + 1])
            if not candidates:
                return None
            if candidates <= SEARCH_CAP or for_count:
                source = "(SELECT rowid AS fts_id FROM visit_fts WHERE visit_fts MATCH ?) c CROSS JOIN visits v"
                clauses.insert(0, "v.id = c.fts_id")
                params.insert(0, match)
    return source, clauses, params


def search_page(ledger: Ledger, flt: VisitFilter | None = None, after: tuple | None = None,
                limit: int = 100) -> tuple[list[dict], tuple | None]:
    """One page of visits, newest first (keyset on visited_on, id).

    Rows: id, visited_on, staff_id, staff_name, way, grid_id, grid_name, notes,
    household_count, households (labels, the first few joined by '、'), matter_count.
    """
    plan = _plan(ledger, flt or VisitFilter())
    if plan is None:
        return [], None
    source, clauses, params = plan
    if after is not None:
        clauses.append("(v.visited_on, v.id) < (?, ?)")
        params += list(after)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = ledger.query(
        f"SELECT v.id, v.visited_on, v.staff_id, v.staff_name, v.way, v.grid_id, g.name AS grid_name, v.notes"
        f" FROM {source} JOIN grids g ON g.id = v.grid_id {where}"
        f" ORDER BY v.visited_on DESC, v.id DESC LIMIT ?", [*params, limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        labels = [r[0] for r in ledger.conn.execute(
            "SELECT b.compound || b.name || u.name || h.room FROM visit_households vh"
            " JOIN households h ON h.id = vh.household_id JOIN units u ON u.id = h.unit_id"
            " JOIN buildings b ON b.id = h.building_id WHERE vh.visit_id = ? ORDER BY h.id", [row["id"]])]
        row["household_count"] = len(labels)
        row["households"] = "、".join(labels[:5]) + ("等" if len(labels) > 5 else "")
        row["matter_count"] = ledger.scalar("SELECT COUNT(*) FROM matters WHERE visit_id = ?", [row["id"]])
    cursor = (rows[-1]["visited_on"], rows[-1]["id"]) if more and rows else None
    return rows, cursor


def count(ledger: Ledger, flt: VisitFilter | None = None, cap: int | None = None) -> int:
    """How many visits the filter shows (counting stops at ``cap`` when given)."""
    plan = _plan(ledger, flt or VisitFilter(), for_count=True)
    if plan is None:
        return 0
    source, clauses, params = plan
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    if cap is None:
        return ledger.scalar(f"SELECT COUNT(*) FROM {source} {where}", params) or 0
    return ledger.scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} {where} LIMIT ?)", [*params, cap]) or 0
