"""Presence at the end of day D and the grid of a building on D (SPEC §3), in Python and SQL.

The rules live in models/core/presence.py over the history tables (residence spells, the
buildings' grid spells); each table row is checked in both forms, and random histories
compare the two forms day by day.
"""

import random

import pytest

from models.core.presence import covers, covers_sql, grid_at, grid_at_sql, is_present, present_sql
from models.residents import records as R
from tests.models.helpers_residents import household


@pytest.mark.parametrize("start, end, day, inside", [
    (None, None, "1990-01-01", True),                 # since before the ledger began, still there
    ("2026-11-01", None, "2026-10-31", False),        # moved in 1 Nov: not present end of Oct
    ("2026-11-01", None, "2026-11-30", True),
    ("2026-10-31", None, "2026-10-31", True),         # moved in on the last day: present
    (None, "2026-10-31", "2026-10-31", False),        # moved out 31 Oct: gone at end of Oct
    (None, "2026-10-31", "2026-10-30", True),
    (None, "2026-11-01", "2026-10-31", True),         # moved out 1 Nov: still counted in Oct
    ("2026-03-01", "2026-10-15", "2026-02-28", False),
    ("2026-03-01", "2026-10-15", "2026-06-30", True),
    ("2026-03-01", "2026-03-01", "2026-03-01", False),  # in and out the same day: never at a day's end
])
def test_a_span_covers_a_day_in_python_and_sql(ledger, start, end, day, inside):
    assert covers(start, end, day) is inside
    row = ledger.conn.execute(f"SELECT {covers_sql('s', ':day')} FROM (SELECT :f AS from_date, :t AS to_date) s",
                              {"f": start, "t": end, "day": day}).fetchone()
    assert bool(row[0]) is inside


def _random_date(rng):
    return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _random_spells(rng, n):
    """``n`` spells in a row, as moves make them: each begins where the last ended (or later)."""
    out, day = [], None if rng.random() < 0.5 else _random_date(rng)
    for i in range(n):
        end = None
        if i < n - 1 or rng.random() < 0.5:
            end = max(day or "2026-01-01", _random_date(rng))
        out.append((day, end))
        if end is None:
            break
        day = end if rng.random() < 0.6 else max(end, _random_date(rng))
    return out


def test_presence_in_python_and_sql_agree_on_random_histories(ledger):
    rng = random.Random(20261103)
    home = household(ledger)
    people = {}
    with ledger.write():
        for k in range(60):
            rid = ledger.db["residents"].insert(ledger.stamp({"name": f"居民{chr(0x4e00 + k)}",
                                                              "household_id": home}, creating=True)).last_rowid
            spells = _random_spells(rng, rng.randint(1, 4))
            for start, end in spells:
                ledger.db.execute("INSERT INTO residence_spells (resident_id, household_id, from_date, to_date,"
                                  " began, created_at) VALUES (?, ?, ?, ?, '迁入', '')", [rid, home, start, end])
            people[rid] = spells
    days = sorted({_random_date(rng) for _ in range(40)} | {"2026-01-01", "2026-12-31"})
    for day in days:
        in_sql = {r[0] for r in ledger.conn.execute(f"SELECT r.id FROM residents r WHERE {present_sql('r', ':day')}",
                                                     {"day": day})}
        in_python = {rid for rid, spells in people.items() if is_present(spells, day)}
        assert in_sql == in_python, day


def test_grid_of_a_building_in_python_and_sql_agree_on_random_redivisions(ledger):
    rng = random.Random(7)
    home = household(ledger)
    building = ledger.scalar("SELECT building_id FROM households WHERE id = ?", [home])
    ledger.db.execute("DELETE FROM building_grids")
    community = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
    grid_ids = [ledger.db["grids"].insert(ledger.stamp({"community_id": community, "name": f"调整网格{k}"},
                                                       creating=True)).last_rowid for k in range(5)]
    spells, day = [], None
    for k in range(5):   # five grids in turn, each from the day the last one ended
        end = None if k == 4 else max(day or "2026-01-01", _random_date(rng))
        spells.append((grid_ids[k], day, end))
        day = end
    for grid, start, end in spells:
        ledger.db.execute("INSERT INTO building_grids (building_id, grid_id, from_date, to_date, created_at)"
                          " VALUES (?, ?, ?, ?, '')", [building, grid, start, end])
    for day in sorted({_random_date(rng) for _ in range(60)}):
        sql = ledger.scalar(f"SELECT {grid_at_sql(':b', ':day')}", {"b": building, "day": day})
        assert sql == grid_at(spells, day), day


def _present_at(ledger, day):
    return {r["name"] for r in ledger.query(f"SELECT name FROM residents r WHERE {present_sql('r', ':day')}",
                                            {"day": day})}


def test_month_end_counts_follow_the_recorded_dates(ledger, clock):
    clock.set(2026, 11, 20, 10, 0, 0)
    home = household(ledger)
    R.add_resident(ledger, {"name": "老住户", "household_id": home, "moved_in_on": "不详"})
    leaver = R.add_resident(ledger, {"name": "迁出者", "household_id": home, "moved_in_on": "不详"})
    R.add_resident(ledger, {"name": "新来者", "household_id": home, "moved_in_on": "2026-11-01"})
    deceased = R.add_resident(ledger, {"name": "逝者", "household_id": home, "moved_in_on": "2001-05-01"})
    R.add_resident(ledger, {"name": "今天登记", "household_id": home})      # no date: from today
    R.move_out(ledger, leaver, "2026-10-31")
    R.record_death(ledger, deceased, "2026-11-15")
    assert _present_at(ledger, "2026-09-30") == {"老住户", "迁出者", "逝者"}
    assert _present_at(ledger, "2026-10-30") == {"老住户", "迁出者", "逝者"}
    assert _present_at(ledger, "2026-10-31") == {"老住户", "逝者"}
    assert _present_at(ledger, "2026-11-14") == {"老住户", "新来者", "逝者"}
    assert _present_at(ledger, "2026-11-19") == {"老住户", "新来者"}
    assert _present_at(ledger, "2026-11-20") == {"老住户", "新来者", "今天登记"}
    # a correction restores the past exactly
    R.restore_active(ledger, leaver, "2026-10-31", "误登记")
    assert _present_at(ledger, "2026-10-31") == {"老住户", "迁出者", "逝者"}
