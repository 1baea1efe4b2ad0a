"""A small place for the matters/visits/meetings tests: grids, rooms, staff; an old ledger file."""

import sqlite_utils

from models.grids import hierarchy as grids_model
from models.ledger import migrate
from models.matters import records as matters_model


def build_place(ledger) -> dict:
    """Two grids; 第一网格 has 1号楼 (1单元 101–104, 2单元 201) and staff 张网格长, 李网格员."""
    community = grids_model.ensure_community(ledger, None)
    g1 = grids_model.add_grid(ledger, "第一网格", community)
    g2 = grids_model.add_grid(ledger, "第二网格", community)
    b1 = grids_model.ensure_building(ledger, g1, "1号楼")
    u1 = grids_model.ensure_unit(ledger, b1, "1单元")
    u2 = grids_model.ensure_unit(ledger, b1, "2单元")
    rooms = {r: grids_model.ensure_household(ledger, u1, r) for r in ("101", "102", "103", "104")}
    rooms["201"] = grids_model.ensure_household(ledger, u2, "201")
    b2 = grids_model.ensure_building(ledger, g2, "8号楼")
    u3 = grids_model.ensure_unit(ledger, b2, "1单元")
    other = grids_model.ensure_household(ledger, u3, "301")
    head = grids_model.add_staff(ledger, "张网格长", "网格长", "13900000001")
    grids_model.assign_staff(ledger, head, grid_id=g1)
    worker = grids_model.add_staff(ledger, "李网格员", "网格员", "13900000002")
    grids_model.assign_staff(ledger, worker, grid_id=g1)
    return {"grid1": g1, "grid2": g2, "building1": b1, "unit1": u1, "rooms": rooms, "other": other,
            "head": head, "worker": worker}


def register(ledger, place, description="路灯不亮", level="小事", category="路灯照明", **extra) -> int:
    data = {"source": "来电", "category": category, "level": level, "description": description,
            "household_id": place["rooms"]["101"]}
    data.update(extra)
    return matters_model.register_matter(ledger, data)


#: the stamp columns of a row written straight into an old ledger
OLD_STAMP = {"created_at": "x", "updated_at": "x"}


def old_ledger(path, before: str) -> sqlite_utils.Database:
    """A ledger file made before migration ``before``, with 幸福社区 and its 一网格 (upgrade tests)."""
    db = sqlite_utils.Database(path)
    migrate(db, stop_before=[before])
    db["communities"].insert({"name": "幸福社区", "is_own": 1, **OLD_STAMP})
    db["grids"].insert({"community_id": 1, "name": "一网格", **OLD_STAMP})
    return db


def old_matter(db: sqlite_utils.Database, description: str, **columns) -> None:
    """A small matter of 2026-10-01 in 一网格, written into an old ledger as it stood."""
    db["matters"].insert({"number": "2026-10-0001", "registered_at": "2026-10-01 09:00:00", "source": "来电",
                          "category": "其他", "level": "小事", "description": description, "grid_id": 1,
                          "deadline": "2026-10-01 23:59:59", **columns, **OLD_STAMP})
