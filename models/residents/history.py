"""Residence spells: where each resident lived when (the source of every "as of" count).

A spell is one stay of a resident in one household (or in none): ``from_date`` (NULL:
since before the ledger began, 迁入日期不详) to ``to_date`` (NULL: still there; the day
they left otherwise), with why it began (迁入 / 户内调整 / 返回) and ended (迁出 / 死亡 /
户内调整).  The presence rule on spells is ``models.core.presence``.

Every write path that moves a resident goes through these functions, inside the caller's
transaction; the residents' ``household_id``/``grid_id``/``building_id``/``status``/
``status_date``/``moved_in_on`` are a cache of the current (last) spell, rewritten by the
same operation.  Moving out and coming back are two spells, never an overwrite, so no
later fact changes a past month.
"""

from __future__ import annotations

from models.core.db import Ledger
from models.core.errors import ValidationError

#: what the clerk types (and the form offers) for "moved in before the ledger began"
UNKNOWN = "不详"

BEGINS = ("迁入", "户内调整", "返回")
ENDS = ("迁出", "死亡", "户内调整")


def spells(ledger: Ledger, resident_id: int) -> list[dict]:
    """The resident's spells in the order they were lived (then recorded)."""
    return ledger.query(
        "SELECT id, household_id, from_date, to_date, began, ended FROM residence_spells"
        " WHERE resident_id = ? ORDER BY COALESCE(from_date, ''), id", [resident_id])


def open_spell(ledger: Ledger, resident_id: int) -> dict | None:
    """The spell still open (the resident is on the roll), or None."""
    rows = ledger.query("SELECT id, household_id, from_date, to_date, began, ended FROM residence_spells"
                        " WHERE resident_id = ? AND to_date IS NULL ORDER BY id DESC LIMIT 1", [resident_id])
    return rows[0] if rows else None


def last_spell(ledger: Ledger, resident_id: int) -> dict | None:
    """The latest spell (open or closed), or None for a resident without any."""
    found = spells(ledger, resident_id)
    return found[-1] if found else None


def begin(ledger: Ledger, resident_id: int, household_id: int | None, from_date: str | None,
          began: str) -> int:
    """Open a spell (``from_date`` None: since before the ledger began)."""
    if began not in BEGINS:
        raise ValueError(began)
    return ledger.db.execute(
        "INSERT INTO residence_spells (resident_id, household_id, from_date, to_date, began, ended,"
        " created_at, created_by) VALUES (?, ?, ?, NULL, ?, NULL, ?, ?)",
        [resident_id, household_id, from_date, began, ledger.now_ts(), ledger.operator.name]).lastrowid


def end(ledger: Ledger, spell: dict, to_date: str, ended: str, what: str) -> None:
    """Close ``spell`` on ``to_date`` (refused before the spell's start: ``what`` names the date)."""
    if ended not in ENDS:
        raise ValueError(ended)
    if spell["from_date"] and to_date < spell["from_date"]:
        raise ValidationError(f"{what}不能早于{spell['from_date']}（{spell['began']}日期）。", field="on_date")
    ledger.db.execute("UPDATE residence_spells SET to_date = ?, ended = ? WHERE id = ?",
                      [to_date, ended, spell["id"]])


def reopen(ledger: Ledger, spell: dict) -> None:
    """Undo the end of ``spell`` (a move-out or death recorded by mistake)."""
    ledger.db.execute("UPDATE residence_spells SET to_date = NULL, ended = NULL WHERE id = ?", [spell["id"]])


def move(ledger: Ledger, resident_id: int, household_id: int | None, on_date: str) -> None:
    """The resident lives in ``household_id`` from ``on_date``: the open spell ends that day
    (户内调整) and a new one begins.  A move on the day the open spell began replaces its
    household (nobody lived zero days anywhere)."""
    current = open_spell(ledger, resident_id)
    if current is None:
        raise ValidationError("该居民已不在册，不能调整户。请先恢复在册。", field="household_id")
    if current["from_date"] == on_date:
        ledger.db.execute("UPDATE residence_spells SET household_id = ? WHERE id = ?",
                          [household_id, current["id"]])
        return
    end(ledger, current, on_date, "户内调整", "调整日期")
    begin(ledger, resident_id, household_id, on_date, "户内调整")


def stay_start(ledger: Ledger, resident_id: int) -> dict | None:
    """The spell that began the resident's current (or last) stay in the community: the last
    one begun by 迁入 or 返回."""
    found = [s for s in spells(ledger, resident_id) if s["began"] in ("迁入", "返回")]
    return found[-1] if found else None


def set_stay_start(ledger: Ledger, resident_id: int, from_date: str | None) -> None:
    """Correct the move-in date of the current stay (the form's 迁入日期)."""
    first = stay_start(ledger, resident_id)
    if first is None:
        return
    if from_date and first["to_date"] and first["to_date"] < from_date:
        raise ValidationError(f"迁入日期不能晚于 {first['to_date']}（之后已有变动）。", field="moved_in_on")
    ledger.db.execute("UPDATE residence_spells SET from_date = ? WHERE id = ?", [from_date, first["id"]])


def seed_from_rows(conn, resident_ids: list[int], default_from: str | None, at: str, by: str) -> None:
    """One spell per resident written in bulk (import, demo) from its columns: from the move-in
    date (``default_from`` when there is none: the import's date, or None for "already lived
    here"; a row already gone before that date: since the beginning), to the status date when
    not 在册."""
    sql = ("INSERT INTO residence_spells (resident_id, household_id, from_date, to_date, began, ended,"
           " created_at, created_by)"
           " SELECT id, household_id, COALESCE(moved_in_on, CASE WHEN status <> '在册' AND status_date < :dflt"
           " THEN NULL ELSE :dflt END),"
           " CASE WHEN status = '在册' THEN NULL ELSE COALESCE(status_date, moved_in_on, :dflt, '0001-01-01') END,"
           " '迁入', CASE WHEN status = '在册' THEN NULL ELSE status END, :at, :by"
           " FROM residents WHERE id = :id")
    if not resident_ids:
        return
    first, last = min(resident_ids), max(resident_ids)
    if last - first + 1 == len(resident_ids) == len(set(resident_ids)):
        # a bulk loader's batch is a run of consecutive new ids: one statement for all of it
        conn.execute(sql.replace("WHERE id = :id", "WHERE id BETWEEN :first AND :last"),
                     {"dflt": default_from, "at": at, "by": by, "first": first, "last": last})
        return
    conn.executemany(sql, [{"dflt": default_from, "at": at, "by": by, "id": rid} for rid in resident_ids])
