"""The hierarchy community → grid → building → unit → household, and the staff.

All writes go through these functions, inside ``ledger.write()``, stamped with the
operator and audited.  What the 网格管理 page does (add, rename, staff and their
assignments) are operations (:func:`models.core.ops.operation`: ``records.edit``);
``ensure_*`` functions find-or-create by name inside the import engine's and the demo
generator's own transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.core import limits, scope
from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError
from models.core.ops import operation
from models.core.presence import covers_sql, present_sql

STAFF_ROLES = ("督导员", "网格长", "网格员", "楼栋长")


def _clean(name: str | None, what: str) -> str:
    text = (name or "").strip()
    if not text:
        raise ValidationError(f"{what}名称不能为空。", field="name")
    _check_length(text, what)
    return text


def _check_length(text: str, what: str) -> None:
    """A name longer than the limits table allows (a pasted cell, a hostile file) is refused."""
    limit = limits.limit_of(limits.LEVELS.get(what, "name"))
    if len(text) > limit:
        raise ValidationError(f"{what}名称有 {len(text):,} 个字，超过上限 {limit} 个字"
                              "（可能填错了列或粘贴了多余内容）。", field="name")


def _insert(ledger: Ledger, table: str, record: dict) -> int:
    row = ledger.stamp(record, creating=True)
    rowid = ledger.db[table].insert(row).last_rowid
    ledger.audit("新增", table, rowid, None, record)
    return rowid


def _find_or_insert(ledger: Ledger, table: str, record: dict) -> int:
    """The id of the row of ``table`` with exactly ``record``'s values (inserted when missing)."""
    where = " AND ".join(f"{column} = ?" for column in record)
    found = ledger.scalar(f"SELECT id FROM {table} WHERE {where}", list(record.values()))
    if found:
        return found
    with ledger.write():
        return _insert(ledger, table, record)


def _rename(ledger: Ledger, table: str, row_id: int, new_name: str, what: str) -> None:
    new_name = _clean(new_name, what)
    old = ledger.conn.execute(f"SELECT name FROM {table} WHERE id = ?", [row_id]).fetchone()
    if old is None:
        raise NotFound(f"{what}不存在（编号 {row_id}）。")
    try:
        ledger.db[table].update(row_id, ledger.stamp({"name": new_name}, creating=False))
    except Exception as exc:  # sqlite3.IntegrityError: UNIQUE
        if "UNIQUE" in str(exc):
            raise ValidationError(f"已有同名的{what}“{new_name}”。", field="name") from exc
        raise
    ledger.audit("修改", table, row_id, {"name": old[0]}, {"name": new_name})


# -- communities ----------------------------------------------------------------------

def set_own_community(ledger: Ledger, name: str) -> int:
    """Name the ledger's own community (stored in settings and in ``communities``)."""
    name = _clean(name, "社区")
    with ledger.write():
        own = ledger.conn.execute("SELECT id FROM communities WHERE is_own = 1").fetchone()
        if own:
            _rename(ledger, "communities", own[0], name, "社区")
            community_id = own[0]
        else:
            existing = ledger.conn.execute("SELECT id FROM communities WHERE name = ?", [name]).fetchone()
            if existing:
                ledger.db.execute("UPDATE communities SET is_own = 1 WHERE id = ?", [existing[0]])
                community_id = existing[0]
            else:
                community_id = _insert(ledger, "communities", {"name": name, "is_own": 1})
        ledger.set_setting("community_name", name)
    return community_id


def own_community_id(ledger: Ledger) -> int | None:
    return ledger.scalar("SELECT id FROM communities WHERE is_own = 1")


def ensure_community(ledger: Ledger, name: str | None) -> int:
    """The community called ``name`` (created when missing); blank means the ledger's own."""
    text = (name or "").strip()
    if not text:
        own = own_community_id(ledger)
        if own is None:
            raise ValidationError("台账尚未设置本社区名称。")
        return own
    _check_length(text, "社区")
    found = ledger.scalar("SELECT id FROM communities WHERE name = ?", [text])
    if found:
        return found
    with ledger.write():
        return _insert(ledger, "communities", {"name": text, "is_own": 0})


def communities(ledger: Ledger) -> list[dict]:
    return ledger.query("SELECT id, name, is_own FROM communities ORDER BY is_own DESC, name")


# -- grids, buildings, units, households -----------------------------------------------

def ensure_grid(ledger: Ledger, community_id: int, name: str) -> int:
    return _find_or_insert(ledger, "grids", {"community_id": community_id, "name": _clean(name, "网格")})


@operation("records.edit", "grids")
def add_grid(ledger: Ledger, name: str, community_id: int | None = None, code: str | None = None) -> int:
    name = _clean(name, "网格")
    community_id = community_id or ensure_community(ledger, None)
    if ledger.scalar("SELECT 1 FROM grids WHERE community_id = ? AND name = ?", [community_id, name]):
        raise ValidationError(f"已有同名的网格“{name}”。", field="name")
    return _insert(ledger, "grids", {"community_id": community_id, "name": name, "code": code})


@operation("records.edit", "grids")
def rename_grid(ledger: Ledger, grid_id: int, name: str) -> None:
    _rename(ledger, "grids", grid_id, name, "网格")


def ensure_building(ledger: Ledger, grid_id: int, name: str, compound: str = "") -> int:
    compound = (compound or "").strip()
    _check_length(compound, "小区")
    # a new building is in its grid from the beginning: the trigger ``buildings_grid_history``
    # of core m003 writes its ``building_grids`` row, for every writer
    return _find_or_insert(ledger, "buildings", {"grid_id": grid_id, "name": _clean(name, "楼栋"),
                                                 "compound": compound})


def _insert_building(ledger: Ledger, record: dict) -> int:
    """A new building, in its grid from the beginning (the trigger ``buildings_grid_history``
    of core m003 writes its ``building_grids`` row, for every writer)."""
    return _insert(ledger, "buildings", record)


@operation("records.edit", "grids")
def rename_building(ledger: Ledger, building_id: int, name: str) -> None:
    _rename(ledger, "buildings", building_id, name, "楼栋")


def ensure_unit(ledger: Ledger, building_id: int, name: str | None) -> int:
    name = (name or "").strip()
    _check_length(name, "单元")
    return _find_or_insert(ledger, "units", {"building_id": building_id, "name": name})


@operation("records.edit", "grids")
def rename_unit(ledger: Ledger, unit_id: int, name: str) -> None:
    _rename(ledger, "units", unit_id, name, "单元")


def ensure_household(ledger: Ledger, unit_id: int, room: str, address: str = "") -> int:
    room = _clean(room, "房号")
    found = ledger.scalar("SELECT id FROM households WHERE unit_id = ? AND room = ?", [unit_id, room])
    if found:
        return found
    building_id, grid_id = ledger.conn.execute(
        "SELECT b.id, b.grid_id FROM units u JOIN buildings b ON b.id = u.building_id WHERE u.id = ?",
        [unit_id]).fetchone()
    with ledger.write():
        return _insert(ledger, "households", {"unit_id": unit_id, "building_id": building_id,
                                              "grid_id": grid_id, "room": room, "address": address})


@operation("records.edit", "grids")
def rename_household(ledger: Ledger, household_id: int, room: str) -> None:
    room = _clean(room, "房号")
    old = ledger.scalar("SELECT room FROM households WHERE id = ?", [household_id])
    if old is None:
        raise NotFound(f"户不存在（编号 {household_id}）。")
    try:
        ledger.db["households"].update(household_id, ledger.stamp({"room": room}, creating=False))
    except Exception as exc:
        if "UNIQUE" in str(exc):
            raise ValidationError(f"该单元已有房号“{room}”。", field="room") from exc
        raise
    ledger.audit("修改", "households", household_id, {"room": old}, {"room": room})


@dataclass(frozen=True)
class Place:
    """A household's place in the hierarchy, resolved by names (import, demo)."""

    community: str | None
    grid: str
    building: str
    unit: str
    room: str
    compound: str = ""


def ensure_place(ledger: Ledger, place: Place) -> int:
    """Find or create every level of ``place`` and return the household id."""
    community_id = ensure_community(ledger, place.community)
    grid_id = ensure_grid(ledger, community_id, place.grid)
    building_id = ensure_building(ledger, grid_id, place.building, place.compound)
    unit_id = ensure_unit(ledger, building_id, place.unit)
    return ensure_household(ledger, unit_id, place.room)


def household_label(ledger: Ledger, household_id: int) -> str:
    """``3号楼1单元301`` — how a clerk names a household."""
    row = ledger.conn.execute(
        "SELECT b.compound, b.name, u.name, h.room FROM households h"
        " JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id WHERE h.id = ?",
        [household_id]).fetchone()
    if row is None:
        raise NotFound(f"户不存在（编号 {household_id}）。")
    compound, building, unit, room = row
    return f"{compound}{building}{unit}{room}"


#: 在册 on every screen (issue 13: the grid page and the residents page disagreed by the residents
#: without a household): a resident whose status is 在册 — the residents page's 在册 filter
REGISTERED_SQL = "{r}.status = '在册'"


def registered_without_grid(ledger: Ledger) -> int:
    """在册 residents not in any grid (no household yet): counted in the ledger's total, in no grid."""
    return ledger.scalar(f"SELECT COUNT(*) FROM residents r WHERE {REGISTERED_SQL.format(r='r')}"
                         f" AND r.grid_id IS NULL AND {scope.grid_sql(ledger, 'r.grid_id')}")


def grid_summaries(ledger: Ledger, on_date: str | None = None) -> list[dict]:
    """Every grid (a 网格员: theirs) with its building and household counts and its 在册 residents
    (:data:`REGISTERED_SQL`; ``on_date`` is not used: 在册 is today's register), and its
    ``established_on``/``dissolved_on`` (a grid closed by 撤销网格 is still listed)."""
    return ledger.query(
        f"""
        SELECT g.id, g.name, c.name AS community, g.established_on, g.dissolved_on,
               (SELECT COUNT(*) FROM buildings b WHERE b.grid_id = g.id) AS buildings,
               (SELECT COUNT(*) FROM households h WHERE h.grid_id = g.id) AS households,
               (SELECT COUNT(*) FROM residents r WHERE r.grid_id = g.id
                  AND {REGISTERED_SQL.format(r='r')}) AS residents
        FROM grids g JOIN communities c ON c.id = g.community_id
        WHERE {scope.grid_sql(ledger, "g.id")}
        ORDER BY c.is_own DESC, c.name, g.id
        """)


def grids(ledger: Ledger) -> list[dict]:
    """Every grid (a 网格员: the grids of their account), for the pickers."""
    return ledger.query("SELECT g.id, g.name, g.community_id, c.name AS community FROM grids g"
                        " JOIN communities c ON c.id = g.community_id"
                        f" WHERE {scope.grid_sql(ledger, 'g.id')} ORDER BY c.is_own DESC, c.name, g.id")


def buildings(ledger: Ledger, grid_id: int) -> list[dict]:
    return ledger.query("SELECT id, name, compound FROM buildings WHERE grid_id = ? ORDER BY id", [grid_id])


def units(ledger: Ledger, building_id: int) -> list[dict]:
    return ledger.query("SELECT id, name FROM units WHERE building_id = ? ORDER BY id", [building_id])


def households(ledger: Ledger, unit_id: int) -> list[dict]:
    return ledger.query("SELECT id, room, head_resident_id FROM households WHERE unit_id = ? ORDER BY room",
                        [unit_id])


# -- staff --------------------------------------------------------------------------------

@operation("records.edit", "grids")
def add_staff(ledger: Ledger, name: str, role: str, phone: str = "", *,
              sinking_cadre: bool = False, resident_id: int | None = None) -> int:
    name = _clean(name, "人员")
    if role not in STAFF_ROLES:
        raise ValidationError(f"角色必须是{'、'.join(STAFF_ROLES)}之一。", field="role")
    return _insert(ledger, "staff", {"name": name, "role": role, "phone": phone,
                                     "sinking_cadre": int(sinking_cadre), "resident_id": resident_id})


@operation("records.edit", "grids")
def assign_staff(ledger: Ledger, staff_id: int, *, grid_id: int | None = None,
                 building_id: int | None = None) -> int:
    """Assign a staff member to a grid (督导员/网格长/网格员) or a building (楼栋长)."""
    if (grid_id is None) == (building_id is None):
        raise ValidationError("请指定一个网格或一个楼栋。")
    exists = ledger.scalar("SELECT 1 FROM staff_assignments WHERE staff_id = ? AND grid_id IS ?"
                           " AND building_id IS ?", [staff_id, grid_id, building_id])
    if exists:
        raise ValidationError("该人员已分配到这里。")
    rowid = ledger.db["staff_assignments"].insert(
        {"staff_id": staff_id, "grid_id": grid_id, "building_id": building_id}).last_rowid
    ledger.audit("分配", "staff_assignments", rowid, None,
                 {"staff_id": staff_id, "grid_id": grid_id, "building_id": building_id})
    return rowid


@operation("records.edit", "grids")
def unassign_staff(ledger: Ledger, assignment_id: int) -> None:
    old = ledger.one("SELECT * FROM staff_assignments WHERE id = ?", [assignment_id], missing="该分配记录不存在。")
    ledger.db.execute("DELETE FROM staff_assignments WHERE id = ?", [assignment_id])
    ledger.audit("取消分配", "staff_assignments", assignment_id, old, None)


def staff_of_grid(ledger: Ledger, grid_id: int) -> list[dict]:
    """Staff assigned to the grid or to one of its buildings, with where."""
    return ledger.query(
        """
        SELECT a.id AS assignment_id, s.id, s.name, s.role, s.phone, s.sinking_cadre,
               COALESCE(b.compound || b.name, '') AS building
        FROM staff_assignments a JOIN staff s ON s.id = a.staff_id
        LEFT JOIN buildings b ON b.id = a.building_id
        WHERE a.grid_id = ? OR b.grid_id = ?
        ORDER BY CASE s.role WHEN '督导员' THEN 0 WHEN '网格长' THEN 1 WHEN '网格员' THEN 2 ELSE 3 END, s.name
        """, [grid_id, grid_id])


def all_staff(ledger: Ledger) -> list[dict]:
    return ledger.query("SELECT id, name, role, phone, sinking_cadre, active FROM staff ORDER BY role, name")


def find_staff_by_name(ledger: Ledger, name: str) -> int | None:
    return ledger.scalar("SELECT id FROM staff WHERE name = ? AND active = 1 ORDER BY id LIMIT 1",
                         [(name or "").strip()])


# -- additions for the 网格管理 page: create with validation, places, assignments ---------------

@operation("records.edit", "grids")
def add_building(ledger: Ledger, grid_id: int, name: str, compound: str = "") -> int:
    """A new building in a grid; refuses a duplicate name in the same compound."""
    name = _clean(name, "楼栋")
    compound = (compound or "").strip()
    if not ledger.scalar("SELECT 1 FROM grids WHERE id = ?", [grid_id]):
        raise NotFound(f"网格不存在（编号 {grid_id}）。")
    if ledger.scalar("SELECT 1 FROM buildings WHERE grid_id = ? AND compound = ? AND name = ?",
                     [grid_id, compound, name]):
        raise ValidationError(f"该网格已有楼栋“{compound}{name}”。", field="name")
    return _insert_building(ledger, {"grid_id": grid_id, "name": name, "compound": compound})


@operation("records.edit", "grids")
def add_unit(ledger: Ledger, building_id: int, name: str) -> int:
    """A new unit (stairwell) in a building; refuses a duplicate name."""
    name = _clean(name, "单元")
    if not ledger.scalar("SELECT 1 FROM buildings WHERE id = ?", [building_id]):
        raise NotFound(f"楼栋不存在（编号 {building_id}）。")
    if ledger.scalar("SELECT 1 FROM units WHERE building_id = ? AND name = ?", [building_id, name]):
        raise ValidationError(f"该楼栋已有“{name}”。", field="name")
    return _insert(ledger, "units", {"building_id": building_id, "name": name})


@operation("records.edit", "grids")
def add_household(ledger: Ledger, unit_id: int, room: str, address: str = "") -> int:
    """A new household (dwelling) in a unit; refuses a room number the unit already has."""
    room = _clean(room, "房号")
    if ledger.scalar("SELECT 1 FROM households WHERE unit_id = ? AND room = ?", [unit_id, room]):
        raise ValidationError(f"该单元已有房号“{room}”。", field="room")
    if not ledger.scalar("SELECT 1 FROM units WHERE id = ?", [unit_id]):
        raise NotFound(f"单元不存在（编号 {unit_id}）。")
    return ensure_household(ledger, unit_id, room, address)


def household_place(ledger: Ledger, household_id: int) -> dict:
    """``{grid_id, building_id, unit_id, community_id}`` of a household."""
    return ledger.one("SELECT h.grid_id, h.building_id, h.unit_id, g.community_id FROM households h"
                      " JOIN grids g ON g.id = h.grid_id WHERE h.id = ?", [household_id],
                      missing=f"户不存在（编号 {household_id}）。")


def staff_assignments(ledger: Ledger) -> list[dict]:
    """Every active staff member with where they are assigned (``places``: 网格/楼栋 names, joined)."""
    return ledger.query(
        """
        SELECT s.id, s.name, s.role, s.phone, s.sinking_cadre,
               COALESCE((SELECT group_concat(COALESCE(g.name, bg.name || ' ' || b.compound || b.name), '、')
                         FROM staff_assignments a
                         LEFT JOIN grids g ON g.id = a.grid_id
                         LEFT JOIN buildings b ON b.id = a.building_id
                         LEFT JOIN grids bg ON bg.id = b.grid_id
                         WHERE a.staff_id = s.id), '') AS places
        FROM staff s WHERE s.active = 1
        ORDER BY CASE s.role WHEN '督导员' THEN 0 WHEN '网格长' THEN 1 WHEN '网格员' THEN 2 ELSE 3 END, s.name
        """)


# -- grid history: 网格调整 (re-division) and closing a grid ---------------------------------
# Which grid a building belongs to is kept with dates (table ``building_grids``; the rule
# "the grid of a building at date D" is models.core.presence.grid_at_sql).  ``buildings.grid_id``,
# ``households.grid_id`` and ``residents.grid_id`` are a cache of today's grid, rewritten by the
# same operation.

def _redivision_day(ledger: Ledger, on_date) -> str:
    from models.core.periods import parse_date

    day, err = parse_date(on_date)
    if err:
        raise ValidationError(f"调整日期：{err}", field="on_date")
    if not day:
        raise ValidationError("请填写调整日期。", field="on_date")
    if day > ledger.now().date().isoformat():
        raise ValidationError("调整日期不能晚于今天。", field="on_date")
    return day


def redivision_preview(ledger: Ledger, building_ids: list[int], on_date: str) -> dict:
    """What a 网格调整 of ``building_ids`` from ``on_date`` would move: the buildings (with
    their grid now), the households and the residents present at the end of that day.

    Returns:
        ``{"buildings": [{id, label, grid}], "households": n, "residents": n,
        "rows": [{"building", "households", "residents"}]}`` (one row per building).
    """
    day = _redivision_day(ledger, on_date)
    ids = sorted({int(b) for b in building_ids})
    if not ids:
        return {"buildings": [], "households": 0, "residents": 0, "rows": []}
    marks = ",".join("?" * len(ids))
    rows = ledger.query(
        f"""
        SELECT b.id, b.compound || b.name AS label, g.name AS grid,
               (SELECT COUNT(*) FROM households h WHERE h.building_id = b.id) AS households,
               (SELECT COUNT(*) FROM residence_spells s JOIN households h ON h.id = s.household_id
                 WHERE h.building_id = b.id AND {covers_sql('s', '?')}) AS residents
          FROM buildings b JOIN grids g ON g.id = b.grid_id
         WHERE b.id IN ({marks}) ORDER BY g.id, b.compound, b.name, b.id
        """, [day, day, *ids])
    return {"buildings": [{"id": r["id"], "label": r["label"], "grid": r["grid"]} for r in rows],
            "households": sum(r["households"] for r in rows),
            "residents": sum(r["residents"] for r in rows),
            "rows": [{"building": f"{r['grid']} {r['label']}", "households": r["households"],
                      "residents": r["residents"]} for r in rows]}


@operation("grids.redivide", "grids", "residents")
def redivide(ledger: Ledger, building_ids: list[int], on_date: str, *, grid_id: int | None = None,
             new_grid_name: str | None = None) -> dict:
    """网格调整: the buildings belong to ``grid_id`` (or to a new grid ``new_grid_name``,
    established that day) from ``on_date``; every month ending before that day keeps their
    old grid.  One audit row lists what moved.

    Returns:
        the preview's figures plus ``grid_id`` (the target grid).

    Raises:
        ValidationError: no building, no or two targets, a date in the future or before a
            building's last change, a building already in the target grid, or a name the
            target grid already has.
    """
    day = _redivision_day(ledger, on_date)
    ids = sorted({int(b) for b in building_ids})
    if not ids:
        raise ValidationError("请选择要调整的楼栋。", field="buildings")
    new_name = (new_grid_name or "").strip()
    if (grid_id is None) == (not new_name):
        raise ValidationError("请选择调入的网格，或填写新网格的名称（二选一）。", field="grid")
    preview = redivision_preview(ledger, ids, day)
    if len(preview["buildings"]) != len(ids):
        raise NotFound("所选楼栋有的已不存在，请刷新后重试。")
    if grid_id is None:
        community_id = ensure_community(ledger, None)
        if ledger.scalar("SELECT 1 FROM grids WHERE community_id = ? AND name = ?", [community_id, new_name]):
            raise ValidationError(f"已有同名的网格“{new_name}”，请直接选择它。", field="grid")
        grid_id = _insert(ledger, "grids", {"community_id": community_id, "name": new_name,
                                            "established_on": day})
    else:
        target = ledger.one("SELECT id, name, established_on, dissolved_on FROM grids WHERE id = ?", [grid_id],
                            missing=f"网格不存在（编号 {grid_id}）。")
        if target["dissolved_on"] and target["dissolved_on"] <= day:
            raise ValidationError(f"网格“{target['name']}”已于 {target['dissolved_on']} 撤销。", field="grid")
        if target["established_on"] and target["established_on"] > day:
            raise ValidationError(f"网格“{target['name']}”{target['established_on']} 才设立。", field="grid")
    target_name = ledger.scalar("SELECT name FROM grids WHERE id = ?", [grid_id])
    moved = []
    for building_id in ids:
        current = ledger.one("SELECT id, grid_id, from_date FROM building_grids WHERE building_id = ?"
                             " AND to_date IS NULL ORDER BY id DESC LIMIT 1", [building_id],
                             missing=f"楼栋（编号 {building_id}）没有所属网格记录。")
        b = ledger.one("SELECT compound, name FROM buildings WHERE id = ?", [building_id],
                       missing=f"楼栋不存在（编号 {building_id}）。")
        label = b["compound"] + b["name"]
        if current["grid_id"] == grid_id:
            raise ValidationError(f"楼栋“{label}”已在“{target_name}”。", field="buildings")
        if current["from_date"] and day < current["from_date"]:
            raise ValidationError(f"楼栋“{label}”{current['from_date']} 才调整过，调整日期不能早于这一天。",
                                  field="on_date")
        if ledger.scalar("SELECT 1 FROM buildings WHERE grid_id = ? AND compound = ? AND name = ?",
                         [grid_id, b["compound"], b["name"]]):
            raise ValidationError(f"“{target_name}”已有同名楼栋“{label}”，请先改名。", field="buildings")
        if current["from_date"] == day:      # a second change the same day replaces the first
            ledger.db.execute("UPDATE building_grids SET grid_id = ? WHERE id = ?", [grid_id, current["id"]])
        else:
            ledger.db.execute("UPDATE building_grids SET to_date = ? WHERE id = ?", [day, current["id"]])
            ledger.db.execute("INSERT INTO building_grids (building_id, grid_id, from_date, to_date, created_at,"
                              " created_by) VALUES (?, ?, ?, NULL, ?, ?)",
                              [building_id, grid_id, day, ledger.now_ts(), ledger.operator.name])
        moved.append({"building_id": building_id, "from_grid_id": current["grid_id"]})
        stamp = [ledger.now_ts(), ledger.operator.name]
        ledger.db.execute("UPDATE buildings SET grid_id = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                          [grid_id, *stamp, building_id])
        ledger.db.execute("UPDATE households SET grid_id = ? WHERE building_id = ?", [grid_id, building_id])
        ledger.db.execute("UPDATE residents SET grid_id = ? WHERE building_id = ?", [grid_id, building_id])
    ledger.audit("网格调整", "grids", grid_id, {"buildings": moved},
                 {"grid_id": grid_id, "grid": target_name, "from_date": day, "buildings": ids,
                  "households": preview["households"], "residents": preview["residents"]})
    return dict(preview, grid_id=grid_id)


@operation("grids.redivide", "grids")
def close_grid(ledger: Ledger, grid_id: int, on_date: str) -> None:
    """撤销网格: the grid no longer exists from ``on_date`` (it appears in no month ending on or
    after that day).  Its buildings must have been moved to other grids by then (网格调整)."""
    day = _redivision_day(ledger, on_date)
    grid = ledger.one("SELECT id, name, established_on, dissolved_on FROM grids WHERE id = ?", [grid_id],
                      missing=f"网格不存在（编号 {grid_id}）。")
    if grid["dissolved_on"]:
        raise ValidationError(f"网格“{grid['name']}”已于 {grid['dissolved_on']} 撤销。", field="grid")
    if grid["established_on"] and day <= grid["established_on"]:
        raise ValidationError("撤销日期必须晚于网格设立日期。", field="on_date")
    left = ledger.scalar(f"SELECT COUNT(*) FROM building_grids bg WHERE bg.grid_id = ?"
                         f" AND (bg.to_date IS NULL OR bg.to_date > ?)", [grid_id, day])
    if left:
        raise ValidationError(f"网格“{grid['name']}”在 {day} 还有 {left} 栋楼，请先用“网格调整”把它们调到其他网格。",
                              field="grid")
    ledger.db["grids"].update(grid_id, ledger.stamp({"dissolved_on": day}, creating=False))
    ledger.audit("撤销网格", "grids", grid_id, {"dissolved_on": None}, {"dissolved_on": day})


def grid_history(ledger: Ledger, building_id: int) -> list[dict]:
    """The grids a building belonged to, oldest first: grid_id, grid, from_date, to_date."""
    return ledger.query("SELECT bg.grid_id, g.name AS grid, bg.from_date, bg.to_date FROM building_grids bg"
                        " JOIN grids g ON g.id = bg.grid_id WHERE bg.building_id = ?"
                        " ORDER BY COALESCE(bg.from_date, ''), bg.id", [building_id])
