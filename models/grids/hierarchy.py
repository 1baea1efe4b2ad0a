"""The hierarchy community → grid → building → unit → household, and the staff.

All writes go through these functions, inside ``ledger.write()``, stamped with the
operator and audited.  What the 网格管理 page does (add, rename, staff and their
assignments) are operations (:func:`models.core.ops.operation`: ``records.edit``);
``ensure_*`` functions find-or-create by name inside the import engine's and the demo
generator's own transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.core import scope
from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError
from models.core.ops import operation
from models.core.presence import present_sql

STAFF_ROLES = ("督导员", "网格长", "网格员", "楼栋长")


def _clean(name: str | None, what: str) -> str:
    text = (name or "").strip()
    if not text:
        raise ValidationError(f"{what}名称不能为空。", field="name")
    return text


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
    return _find_or_insert(ledger, "buildings", {"grid_id": grid_id, "name": _clean(name, "楼栋"),
                                                 "compound": (compound or "").strip()})


@operation("records.edit", "grids")
def rename_building(ledger: Ledger, building_id: int, name: str) -> None:
    _rename(ledger, "buildings", building_id, name, "楼栋")


def ensure_unit(ledger: Ledger, building_id: int, name: str | None) -> int:
    return _find_or_insert(ledger, "units", {"building_id": building_id, "name": (name or "").strip()})


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


def grid_summaries(ledger: Ledger, on_date: str | None = None) -> list[dict]:
    """Every grid (a 网格员: theirs) with its building, household and present-resident counts."""
    on_date = on_date or ledger.now().strftime("%Y-%m-%d")
    return ledger.query(
        f"""
        SELECT g.id, g.name, c.name AS community,
               (SELECT COUNT(*) FROM buildings b WHERE b.grid_id = g.id) AS buildings,
               (SELECT COUNT(*) FROM households h WHERE h.grid_id = g.id) AS households,
               (SELECT COUNT(*) FROM residents r WHERE r.grid_id = g.id
                  AND {present_sql('r', ':d')}) AS residents
        FROM grids g JOIN communities c ON c.id = g.community_id
        WHERE {scope.grid_sql(ledger, "g.id")}
        ORDER BY c.is_own DESC, c.name, g.id
        """, {"d": on_date})


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
    return _insert(ledger, "buildings", {"grid_id": grid_id, "name": name, "compound": compound})


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
