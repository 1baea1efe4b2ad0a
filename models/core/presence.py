"""Where each resident was, and which grid each building belonged to, on a day (SPEC §3),
in one place for every "as of" count, roster and list.

The source of truth is the history, never the residents' current columns:

* ``residence_spells``: a resident lived in a household (or none) on the days
  ``from_date`` ≤ D < ``to_date``; ``from_date`` NULL means "since before the ledger
  began" (迁入日期不详), ``to_date`` NULL "still there".  A resident is **present at the
  end of day D** when one of their spells covers D: someone who moved out on 31 October is
  no longer counted at the end of October, someone who moved in on 31 October is.
* ``building_grids``: a building belonged to a grid on the days ``from_date`` ≤ D <
  ``to_date`` (NULL: from the beginning / still).  The grid of a household (and of the
  residents in it) on day D is the grid of its building on D (:func:`grid_at_sql`).

Each rule has a Python form and an SQL form, tested against each other on random data
(``tests/models/core/test_presence.py``).  A household is active at D when at least one
resident is present in it at D.
"""

from __future__ import annotations


def covers(from_date: str | None, to_date: str | None, day: str) -> bool:
    """Python form of :func:`covers_sql`: does the span [from, to) cover ``day``?

    Args:
        from_date: ``YYYY-MM-DD`` or None (since the beginning).
        to_date: ``YYYY-MM-DD`` or None (still open).
        day: ``YYYY-MM-DD``.
    """
    return (from_date is None or from_date <= day) and (to_date is None or to_date > day)


def covers_sql(alias: str, day_param: str = ":day") -> str:
    """SQL form of :func:`covers`, for a row aliased ``alias`` with ``from_date``/``to_date``
    (a residence spell or a building's grid spell)."""
    a = alias
    return (f"(({a}.from_date IS NULL OR {a}.from_date <= {day_param})"
            f" AND ({a}.to_date IS NULL OR {a}.to_date > {day_param}))")


def is_present(spells: list[tuple[str | None, str | None]], day: str) -> bool:
    """Python form of :func:`present_sql`: is a resident with these ``(from, to)`` spells
    present at the end of ``day``?"""
    return any(covers(start, end, day) for start, end in spells)


def present_sql(alias: str = "r", day_param: str = ":day") -> str:
    """SQL form of the rule for a ``residents`` row aliased ``alias``: one of its spells
    covers the day bound to ``day_param`` (``YYYY-MM-DD``)."""
    return (f"EXISTS (SELECT 1 FROM residence_spells ps WHERE ps.resident_id = {alias}.id"
            f" AND {covers_sql('ps', day_param)})")


def household_at_sql(alias: str = "r", day_param: str = ":day") -> str:
    """SQL expression: the household of the resident aliased ``alias`` at the end of the day
    (NULL when not present or present without a household)."""
    return (f"(SELECT ps.household_id FROM residence_spells ps WHERE ps.resident_id = {alias}.id"
            f" AND {covers_sql('ps', day_param)} ORDER BY ps.id DESC LIMIT 1)")


def grid_at(spells: list[tuple[int, str | None, str | None]], day: str) -> int | None:
    """Python form of :func:`grid_at_sql`: the grid of a building with these
    ``(grid_id, from, to)`` spells on ``day`` (None when it belonged to none)."""
    for grid_id, start, end in spells:
        if covers(start, end, day):
            return grid_id
    return None


def grid_at_sql(building_expr: str, day_param: str = ":day") -> str:
    """SQL expression: the grid of the building ``building_expr`` (a column or parameter,
    e.g. ``h.building_id``) on the day bound to ``day_param`` — the one definition of "the grid
    of a household/building at date D" (a household's grid is its building's)."""
    return (f"(SELECT bg.grid_id FROM building_grids bg WHERE bg.building_id = {building_expr}"
            f" AND {covers_sql('bg', day_param)} LIMIT 1)")


def grid_households_sql(grid_param: str = ":g", day_param: str = ":day") -> str:
    """SQL subquery: the ids of the households in grid ``grid_param`` on the day (through the
    buildings' grid spells) — for ``h.id IN (…)`` filters of rosters and lists."""
    return (f"(SELECT h2.id FROM building_grids bg JOIN households h2 ON h2.building_id = bg.building_id"
            f" WHERE bg.grid_id = {grid_param} AND {covers_sql('bg', day_param)})")
