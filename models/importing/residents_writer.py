"""Bulk writing of imported residents (runs inside the import's one transaction).

One ``executemany`` per table instead of one ``add_resident`` per row, so a
100,000-row file goes in within the benchmark's bar, while keeping what
``models.residents.records`` guarantees for every resident it writes:

- ``created_*``/``updated_*`` stamps with the operator;
- ``grid_id``/``building_id`` copied from the household;
- a status event per change (迁入 with the move-in date when known, 迁出/死亡 with
  the status date);
- tags, the household head (户主) when the household has none;
- one audit row per new record, ID numbers masked;
- the resident search index (``models.residents.search.token_rows``, the bulk loaders' hook).

People already in the ledger are updated through ``models.residents.records.update_resident``
(one at a time: updates are few and carry their own audit of old and new values).
"""

from __future__ import annotations

import json
from typing import Callable

from models.grids import hierarchy as grids_mod
from models.core.bulk import DEFER_INDEXES_FROM, deferred_indexes
from models.core.db import Ledger
from models.core.idcard import mask
from models.importing import ImportSummary, RowOutcome, chunked
from models.residents.search import token_rows

#: Rows per ``executemany`` round (bounded memory for the parameter lists).
BATCH = 2000

#: ``json.dumps(..., ensure_ascii=False)`` builds an encoder per call; one is enough.
_to_json = json.JSONEncoder(ensure_ascii=False).encode

RESIDENT_FIELDS = ("name", "gender", "ethnicity", "id_number", "birth_date", "phone", "relation",
                   "residence_type", "political_status", "notes", "status", "status_date", "moved_in_on")


#: The tables a residents import fills, whose secondary indexes it may rebuild (see :func:`deferred_indexes`).
BULK_TABLES = ("residents", "resident_status_events", "residence_spells", "audit_log", "resident_tags")


class Hierarchy:
    """Find-or-create communities, grids, buildings, units and households by name, with caches.

    Communities and grids (a handful per file) go through ``models.grids.hierarchy``; buildings,
    units and households (thousands per file) are inserted here directly, stamped and
    audited the same way, without a savepoint and a table introspection per row.
    """

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.created = {"社区": 0, "网格": 0, "楼栋": 0, "单元": 0, "户": 0}
        self._community: dict[str | None, int] = {}
        self._grid: dict[tuple[int, str], int] = {}
        self._building: dict[tuple[int, str, str], int] = {}
        self._unit: dict[tuple[int, str], int] = {}
        self._households: dict[int, dict[str, int]] = {}
        self._stamp = ledger.stamp({}, creating=True)
        self._next_household: int | None = None
        self._pending: list[tuple] = []
        self._pending_audit: list[tuple] = []

    def _ensure(self, what: str, sql: str, params: list, create: Callable[[], int]) -> int:
        found = self.ledger.scalar(sql, params)
        if found is not None:
            return found
        self.created[what] += 1
        return create()

    def community(self, name: str | None) -> int:
        if name not in self._community:
            if name is None:
                self._community[name] = grids_mod.ensure_community(self.ledger, None)
            else:
                self._community[name] = self._ensure(
                    "社区", "SELECT id FROM communities WHERE name = ?", [name],
                    lambda: grids_mod.ensure_community(self.ledger, name))
        return self._community[name]

    def grid(self, community_id: int, name: str) -> int:
        key = (community_id, name)
        if key not in self._grid:
            self._grid[key] = self._ensure(
                "网格", "SELECT id FROM grids WHERE community_id = ? AND name = ?", [community_id, name],
                lambda: grids_mod.ensure_grid(self.ledger, community_id, name))
        return self._grid[key]

    def _insert(self, what: str, table: str, record: dict) -> int:
        """Insert a stamped row and audit it, as ``models.grids.hierarchy`` does (without a savepoint each)."""
        row = {**record, **self._stamp}
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        rowid = self.ledger.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                         list(row.values())).lastrowid
        self.ledger.audit("新增", table, rowid, None, record)
        self.created[what] += 1
        return rowid

    def building(self, grid_id: int, compound: str, name: str) -> int:
        key = (grid_id, compound, name)
        found = self._building.get(key)
        if found is None:
            found = self.ledger.scalar("SELECT id FROM buildings WHERE grid_id = ? AND compound = ? AND name = ?",
                                       [grid_id, compound, name])
            if found is None:
                found = self._insert("楼栋", "buildings", {"grid_id": grid_id, "name": name, "compound": compound})
            self._building[key] = found
        return found

    def unit(self, building_id: int, name: str) -> int:
        key = (building_id, name)
        found = self._unit.get(key)
        if found is None:
            found = self.ledger.scalar("SELECT id FROM units WHERE building_id = ? AND name = ?", [building_id, name])
            if found is None:
                found = self._insert("单元", "units", {"building_id": building_id, "name": name})
                self._households[found] = {}
            else:
                self._households[found] = dict(self.ledger.conn.execute(
                    "SELECT room, id FROM households WHERE unit_id = ?", [found]).fetchall())
            self._unit[key] = found
        return found

    def household(self, place: tuple, address: str = "") -> tuple[int, int, int]:
        """``(household_id, building_id, grid_id)`` of a place tuple
        ``(community, grid, compound, building, unit, room)``."""
        community, grid, compound, building, unit, room = place
        grid_id = self.grid(self.community(community), grid)
        building_id = self.building(grid_id, compound, building)
        unit_id = self.unit(building_id, unit)
        rooms = self._households[unit_id]
        household_id = rooms.get(room)
        if household_id is None:
            # New households (tens of thousands) get their ids here and are inserted in
            # bulk by flush_households(), before the residents that refer to them.
            if self._next_household is None:
                self._next_household = (self.ledger.scalar("SELECT MAX(id) FROM households") or 0) + 1
            household_id = self._next_household
            self._next_household += 1
            stamp = self._stamp
            self._pending.append((household_id, unit_id, building_id, grid_id, room, address,
                                  stamp["created_at"], stamp["created_by"], stamp["updated_at"],
                                  stamp["updated_by"]))
            self._pending_audit.append((stamp["created_at"], stamp["created_by"], self.ledger.operator.user_id,
                                        household_id, _to_json(
                                            {"unit_id": unit_id, "building_id": building_id, "grid_id": grid_id,
                                             "room": room, "address": address})))
            rooms[room] = household_id
            self.created["户"] += 1
        return household_id, building_id, grid_id

    def flush_households(self) -> None:
        """Insert the households created since the last flush (and their audit rows)."""
        if self._pending:
            self.ledger.conn.executemany(
                "INSERT INTO households (id, unit_id, building_id, grid_id, room, address,"
                " created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._pending)
            self.ledger.conn.executemany(
                "INSERT INTO audit_log (at, operator, user_id, action, table_name, row_id, old_value, new_value)"
                " VALUES (?, ?, ?, '新增', 'households', ?, NULL, ?)", self._pending_audit)
            self._pending.clear()
            self._pending_audit.clear()


def write_residents(ledger: Ledger, outcomes: list[RowOutcome], update: bool,
                    progress: Callable[[int], None], present_since: str | None = "") -> ImportSummary:
    """Insert new residents in bulk; update or skip the ones already in the ledger.

    Args:
        present_since: where the residence spell of a new row without 迁入日期 begins:
            ``""`` the import's date (the default: they are counted from today on, no
            published month changes), ``None`` since before the ledger began (the clerk
            ticked "这些人早已居住"), or a ``YYYY-MM-DD`` date (``--present-since``).
    """
    summary = ImportSummary()
    places = Hierarchy(ledger)
    stamp = ledger.stamp({}, creating=True)
    conn = ledger.conn
    today = ledger.now().strftime("%Y-%m-%d")
    default_from = today if present_since == "" else present_since
    from models.residents import history

    # The file was checked earlier (the wizard's preview): someone may have added
    # people since.  Look again so a same-ID person is skipped/updated, not a crash.
    by_number = {o.data["id_number"]: o for o in outcomes
                 if o.existing_id is None and o.data.get("id_number")}
    for part in chunked(list(by_number), 500):
        marks = ",".join("?" * len(part))
        for rid, number in conn.execute(f"SELECT id, id_number FROM residents WHERE id_number IN ({marks})",
                                        part):
            by_number[number].existing_id = rid

    new_rows: list[RowOutcome] = []
    existing: list[RowOutcome] = []
    for outcome in outcomes:
        (existing if outcome.existing_id is not None else new_rows).append(outcome)

    next_id = (ledger.scalar("SELECT MAX(id) FROM residents") or 0) + 1
    tag_ids = {r["name"]: r["id"] for r in ledger.query("SELECT id, name FROM tags")}
    resident_params: list[tuple] = []
    tag_params: list[tuple] = []
    event_params: list[tuple] = []
    audit_params: list[tuple] = []
    head_params: list[tuple] = []
    token_params: list[tuple] = []
    at, by = stamp["created_at"], stamp["created_by"]
    user_id = ledger.operator.user_id
    done = 0

    def flush() -> None:
        places.flush_households()
        if resident_params:
            conn.executemany(
                "INSERT INTO residents (id, household_id, grid_id, building_id, name, gender, ethnicity,"
                " id_number, birth_date, phone, relation, residence_type, political_status, notes, status,"
                " status_date, moved_in_on, created_at, created_by, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", resident_params)
            history.seed_from_rows(conn, [p[0] for p in resident_params], default_from, at, by)
        if tag_params:
            conn.executemany("INSERT OR IGNORE INTO resident_tags (resident_id, tag_id) VALUES (?, ?)", tag_params)
        if event_params:
            conn.executemany(
                "INSERT INTO resident_status_events (resident_id, event, on_date, note, household_id,"
                " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", event_params)
        if head_params:
            conn.executemany("UPDATE households SET head_resident_id = ? WHERE id = ?"
                             " AND head_resident_id IS NULL", head_params)
        if token_params:
            conn.executemany("INSERT OR IGNORE INTO resident_search (token, resident_id) VALUES (?, ?)",
                             token_params)
        if audit_params:
            conn.executemany(
                "INSERT INTO audit_log (at, operator, user_id, action, table_name, row_id, old_value, new_value)"
                " VALUES (?, ?, ?, '导入', 'residents', ?, NULL, ?)", audit_params)
        for params in (resident_params, tag_params, event_params, head_params, token_params, audit_params):
            params.clear()

    with deferred_indexes(conn, len(new_rows), BULK_TABLES, at_least=DEFER_INDEXES_FROM):
        for outcome in new_rows:
            data = outcome.data
            household_id = building_id = grid_id = None
            if data.get("place"):
                household_id, building_id, grid_id = places.household(data["place"], data.get("address", ""))
            rid = next_id
            next_id += 1
            resident_params.append((
                rid, household_id, grid_id, building_id, data["name"], data["gender"], data["ethnicity"],
                data["id_number"], data["birth_date"], data["phone"], data["relation"], data["residence_type"],
                data["political_status"], data["notes"], data["status"], data["status_date"],
                data["moved_in_on"], at, by, at, by))
            for tag in data.get("tags", ()):
                tag_params.append((rid, tag_ids[tag]))
            # The same events add_resident writes: 迁入 (today when the date is unknown), then the status.
            event_params.append((rid, "迁入", data["moved_in_on"] or today,
                                 "导入" if data["moved_in_on"] else "导入（迁入日期不详）", household_id, at, by))
            if data["status"] != "在册":
                event_params.append((rid, data["status"], data["status_date"], "导入时已" + data["status"],
                                     household_id, at, by))
            token_params.extend(token_rows(rid, data["name"], data["id_number"], data["phone"]))
            if household_id is not None and data["relation"] == "户主" and data["status"] == "在册":
                head_params.append((rid, household_id))
            audit_params.append((at, by, user_id, rid, _to_json(
                {"name": data["name"], "id_number": mask(data["id_number"]), "household_id": household_id,
                 "status": data["status"]})))
            done += 1
            if done % BATCH == 0:
                flush()
            progress(done)
        flush()
    summary.imported = len(new_rows)

    for outcome in existing:
        if update and _update_existing(ledger, places, outcome, today):
            summary.updated += 1
        else:
            summary.skipped += 1
        done += 1
        progress(done)
    summary.created = {what: n for what, n in places.created.items() if n}
    return summary


def _update_existing(ledger: Ledger, places: Hierarchy, outcome: RowOutcome, today: str) -> bool:
    """Update a person already in the ledger with the file's non-blank values.

    Goes through ``models.residents.records.update_resident`` (its own audit of old and new
    values, events, search index).  A change that module refuses (e.g. a second
    户主 for the household) leaves that person as they were, with a warning.
    """
    from models.residents import records as residents_mod
    from models.core.errors import LedgerError

    data = outcome.data
    changes = {k: data[k] for k in ("name", "gender", "ethnicity", "birth_date", "phone", "relation",
                                    "residence_type", "political_status", "notes", "moved_in_on")
               if data.get(k) not in (None, "")}
    if data.get("id_number"):
        changes.pop("birth_date", None)
    if data.get("status_given"):
        changes["status"] = data["status"]
        changes["status_date"] = data["status_date"]
    if data.get("place"):
        changes["household_id"] = places.household(data["place"], data.get("address", ""))[0]
        places.flush_households()
    if data.get("tags"):
        changes["tags"] = data["tags"]
    try:
        # a move to another household takes effect on the row's 变动日期 (else today): a new
        # residence spell from that day, so the months before it stay as published
        return residents_mod.update_resident(ledger, outcome.existing_id, changes,
                                             moved_on=data.get("moved_on") or today)
    except LedgerError as exc:
        outcome.warn(f"台账中已有此人，但未能更新：{exc}")
        return False
