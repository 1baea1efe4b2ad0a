"""The counts behind each indicator, as of the last second of a month (SPEC §5), in set-based SQL.

Every count is grouped by grid (the community's figures pool them).  The rules they
follow are the module docstring of :mod:`models.evaluation`: what "as of the last
second" means for a matter (closed, cancelled, its deadline), which households are
active, which residents complete.

* :func:`activity_counts`: everything but the households — matters due and on time,
  ratings, patrol matters, volunteer hours, residents without a household;
* :func:`household_counts`: per grid, the active households, their present
  residents, the complete ones and the visited households (most of the work);
  :class:`StaticHouseholds` shares its static half between the months of a batch;
* :func:`month_counts`: the two together, as :class:`MonthCounts`.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from models.core import periods
from models.core.db import Ledger
from models.core.presence import covers_sql

SATISFIED = ("满意", "基本满意")
RATINGS = ("满意", "基本满意", "不满意")
PATROL_SOURCE = "巡查走访"


def frac(value: float | int | None) -> Fraction:
    """An exact fraction of a stored number (REAL columns go through their shortest repr)."""
    if value is None:
        return Fraction(0)
    return _frac(value)


@functools.lru_cache(maxsize=4096)
def _frac(value: float | int) -> Fraction:
    """:func:`frac` of a number, remembered: the scheme's weights and targets and the card
    points come back for every row of every month (a Fraction is immutable, so sharing is safe)."""
    return Fraction(Decimal(repr(float(value)) if isinstance(value, float) else str(value)))


@dataclass
class Counts:
    """One grid's (or, pooled, one community's) counts for a month."""

    due: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0
    households: int = 0
    visited: int = 0
    patrol: int = 0
    hours: Fraction = Fraction(0)
    residents: int = 0
    complete: int = 0

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def month_params(month: str) -> dict:
    """The named parameters of the queries: ``ds``/``de`` the first and last day, ``s``/``t``
    the first and last second, ``nxt`` the first day of the next month."""
    b = periods.month(month)
    return {"ds": b.first_day, "de": b.last_day, "s": b.start_ts, "t": b.end_ts, "nxt": b.next_first_day}


#: per-matter facts as of :t for the matters that may be due in M: closed in M (events), or
#: open at :t — not closed now, or closed after :t, with a current deadline not before the
#: month (models/matters.py only ever moves a deadline later, so the deadline as of :t is
#: never after the current one).  The cache columns only narrow the candidates, through
#: their indexes; every fact is then read from the events, in one pass
#: over each candidate's events).  "The last 延期 at or before :t" is the MAX of
#: ``at || zero-padded id || new_deadline`` (a timestamp is 19 characters, the id 12, so
#: the deadline starts at character 32).  ``m.id IN cand`` (rather than a join) walks the
#: matters in id order, so the per-matter GROUP BY needs no sort.
MATTER_FACTS = """
    WITH cand AS (
        SELECT matter_id AS id FROM matter_events
         WHERE action = '办结' AND at >= :s AND at <= :t
        UNION
        SELECT id FROM matters WHERE closed_at IS NULL AND deadline >= :s AND registered_at <= :t
        UNION
        SELECT id FROM matters WHERE closed_at > :t AND deadline >= :s AND registered_at <= :t
    ),
    facts AS (
        SELECT m.id, m.grid_id, m.number, m.registered_at, m.level, m.category, m.description,
               MIN(CASE WHEN e.action = '办结' AND e.at <= :t THEN e.at END) AS closed_at,
               COALESCE(MAX(e.action = '作废' AND e.at <= :t), 0) AS cancelled,
               COALESCE(
                 substr(MAX(CASE WHEN e.action = '延期' AND e.at <= :t
                            THEN e.at || printf('%012d', e.id) || json_extract(e.data, '$.new_deadline') END), 32),
                 substr(MIN(CASE WHEN e.action = '登记'
                            THEN e.at || printf('%012d', e.id) || json_extract(e.data, '$.deadline') END), 32),
                 substr(MIN(CASE WHEN e.action = '延期'
                            THEN e.at || printf('%012d', e.id) || json_extract(e.data, '$.old_deadline') END), 32),
                 m.deadline) AS deadline
          FROM matters m
          LEFT JOIN matter_events e ON e.matter_id = m.id
         WHERE m.id IN cand AND m.registered_at <= :t {grid_filter}
         GROUP BY m.id
    ),
    due AS (
        SELECT *, CASE WHEN closed_at IS NOT NULL THEN MIN(closed_at, deadline) ELSE deadline END AS due_at,
               (closed_at IS NOT NULL AND closed_at <= deadline) AS on_time
          FROM facts WHERE NOT cancelled
    )
"""

CANCELLED_BY_T = ("EXISTS (SELECT 1 FROM matter_events c WHERE c.matter_id = {m}.id"
                   " AND c.action = '作废' AND c.at <= :t)")

RATINGS_SQL = """
    SELECT m.grid_id, m.id AS matter_id, m.number, m.category, e.at,
           COALESCE(json_extract(e.data, '$.satisfaction'), m.satisfaction) AS satisfaction
      FROM matter_events e JOIN matters m ON m.id = e.matter_id
     WHERE e.action = '回访' AND e.at >= :s AND e.at <= :t {grid_filter}
       AND NOT EXISTS (SELECT 1 FROM matter_events c WHERE c.matter_id = e.matter_id
                        AND c.action = '作废' AND c.at <= :t)
"""


#: a co-routine, not a temporary table, for the per-household pass (twice as fast on
#: 500,000 residents); the hint needs SQLite 3.35 (Python 3.11+ on Windows ships newer)
_NOT_MATERIALIZED = "NOT MATERIALIZED" if sqlite3.sqlite_version_info >= (3, 35) else ""


def existing_grids(ledger: Ledger, last_day: str) -> list[dict]:
    """The grids that exist at the end of ``last_day``, in the order rows are listed."""
    return ledger.query(
        """
        SELECT g.id, g.name, g.community_id, c.name AS community_name
          FROM grids g JOIN communities c ON c.id = g.community_id
         WHERE (g.established_on IS NULL OR g.established_on <= :de)
           AND (g.dissolved_on IS NULL OR g.dissolved_on > :de)
         ORDER BY c.is_own DESC, c.name, g.id
        """, {"de": last_day})


def household_counts_one_pass(ledger: Ledger, month: str) -> dict[int, tuple[int, int, int, int]]:
    """Per grid: (active households, present residents with a household, complete ones,
    active households visited in the month), as of the end of ``month``.

    One pass over the residence spells covering the month's last day (``models.core.presence``),
    grouped by household: a co-routine feeding the per-grid sums, each household in the grid of
    its building on that day (``building_grids``).  Phones and ID numbers are stored normalised
    by models/residents (``check_phone``, GB 11643), so "has a phone" is ``phone <> ''`` and
    "valid ID" an 18-character number.
    """
    p = month_params(month)
    sql = f"""
        WITH hh AS {_NOT_MATERIALIZED} (
            SELECT s.household_id AS hid, COUNT(*) AS n,
                   SUM(s.has_id) AS n_id, MAX(s.has_phone) AS has_phone
              FROM residence_spells s
             WHERE s.household_id IS NOT NULL AND {covers_sql('s', ':de')}
             GROUP BY s.household_id
        ),
        visited AS (
            SELECT vh.household_id FROM visits v JOIN visit_households vh ON vh.visit_id = v.id
             WHERE v.visited_on >= :ds AND v.visited_on < :nxt
        )
        SELECT bg.grid_id, COUNT(*), SUM(hh.n), SUM(CASE WHEN hh.has_phone THEN hh.n_id ELSE 0 END),
               SUM(hh.hid IN (SELECT household_id FROM visited))
          FROM hh JOIN households h ON h.id = hh.hid
          JOIN building_grids bg ON bg.building_id = h.building_id AND {covers_sql('bg', ':de')}
         GROUP BY bg.grid_id
    """
    return {row[0]: tuple(v or 0 for v in row[1:]) for row in ledger.conn.execute(sql, p)}


#: a spell covering every month end (no dates to check), and the others: the WHERE clauses
#: of the partial indexes of models/core/schema.py m003 (kept for older callers and tests);
#: a batch of months splits the spells by its own first and last month end instead
STATIC = "s.from_date IS NULL AND s.to_date IS NULL"
DYNAMIC = "(s.from_date IS NOT NULL OR s.to_date IS NOT NULL)"

#: the widest batch: a spell covers both ends exactly when it has no dates (:data:`STATIC`)
_EVER = ("0000-00-00", "9999-12-31")

_static_tables = itertools.count(1)   # names of the temporary tables (one per batch)


class StaticHouseholds:
    """The spells of a batch of months split once into a *static* half (spells covering the
    batch's first and last month end, hence every month end in between) summed per household
    and per building, and the few *dynamic* spells (beginning or ending inside the batch),
    copied out; see :func:`household_counts`.  Temporary tables (in memory, on ``ledger``'s
    connection only, never in the ledger file) shared by the months of the batch.  Use as a
    context manager (the tables are dropped on exit).

    Without ``months`` the static half is the spells without dates (present at every month
    end, :data:`STATIC`), valid for any month.

    Tables: ``table`` (``hid`` household id, the key; ``building_id``; ``n`` static residents;
    ``n_id`` of them with an 18-character ID number; ``has_phone``), ``buildings``
    (``building_id``; ``households``, ``n``, ``complete``: the sums of ``table`` per building)
    and ``dynamic`` (the other spells with a household: ``household_id``, ``from_date``,
    ``to_date``, ``has_id``, ``has_phone``).  The grid is not stored: it is the building's
    grid of each month end.
    """

    def __init__(self, ledger: Ledger, months: list[str] | None = None):
        self.conn = ledger.conn
        if months:
            ends = sorted(periods.month(m).last_day for m in months)
            self.lo, self.hi = ends[0], ends[-1]
        else:
            self.lo, self.hi = _EVER
        n = next(_static_tables)
        self.table = f"temp.evaluation_static_{n}"
        self.buildings = f"temp.evaluation_static_buildings_{n}"
        self.dynamic = f"temp.evaluation_dynamic_{n}"
        # the INSERT opens a transaction (Python's sqlite3 does, before any INSERT): one the
        # caller did not have is ended here, or the connection would go on reading an old
        # snapshot of the ledger (the rows written are in the temporary tables only)
        ours = not self.conn.in_transaction
        span = {"lo": self.lo, "hi": self.hi}
        self.conn.execute(f"CREATE TABLE {self.table} (hid INTEGER PRIMARY KEY, building_id INTEGER,"
                          " n INTEGER NOT NULL, n_id INTEGER NOT NULL, has_phone INTEGER NOT NULL)")
        # one pass over the spells in household order (residence_spells_month_end, core m004)
        self.conn.execute(
            f"""
            INSERT INTO {self.table} (hid, building_id, n, n_id, has_phone)
            SELECT st.hid, h.building_id, st.n, st.n_id, st.has_phone
              FROM (SELECT s.household_id AS hid, COUNT(*) AS n,
                           COALESCE(SUM(s.has_id), 0) AS n_id, MAX(s.has_phone) AS has_phone
                      FROM residence_spells s
                     WHERE s.household_id IS NOT NULL AND {covers_sql('s', ':lo')} AND {covers_sql('s', ':hi')}
                     GROUP BY s.household_id) st
              JOIN households h ON h.id = st.hid
            """, span)
        self.conn.execute(f"CREATE TABLE {self.buildings} (building_id INTEGER PRIMARY KEY,"
                          " households INTEGER NOT NULL, n INTEGER NOT NULL, complete INTEGER NOT NULL)")
        self.conn.execute(
            f"""
            INSERT INTO {self.buildings} (building_id, households, n, complete)
            SELECT building_id, COUNT(*), SUM(n), SUM(CASE WHEN has_phone THEN n_id ELSE 0 END)
              FROM {self.table} GROUP BY building_id
            """)
        self.conn.execute(f"CREATE TABLE {self.dynamic} (household_id INTEGER NOT NULL, from_date TEXT,"
                          " to_date TEXT, has_id INTEGER NOT NULL, has_phone INTEGER NOT NULL)")
        # the rest: NOT (covers lo AND covers hi) is (from > lo OR to <= hi) since lo <= hi (a
        # NULL date compares to NULL: no such term); two ranges of core m004's partial indexes
        self.conn.execute(
            f"""
            INSERT INTO {self.dynamic} (household_id, from_date, to_date, has_id, has_phone)
            SELECT s.household_id, s.from_date, s.to_date, s.has_id, s.has_phone
              FROM residence_spells s
             WHERE s.household_id IS NOT NULL AND (s.from_date > :lo OR s.to_date <= :hi)
            """, span)
        if ours:
            self.conn.commit()

    def covers(self, last_day: str) -> bool:
        """Whether the split is valid for a month ending on ``last_day`` (inside the batch)."""
        return self.lo <= last_day <= self.hi

    def close(self) -> None:
        if self.table:
            for table in (self.table, self.buildings, self.dynamic):
                self.conn.execute(f"DROP TABLE IF EXISTS {table}")
            self.table = ""

    def __enter__(self) -> "StaticHouseholds":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def household_counts(ledger: Ledger, month: str, static: StaticHouseholds | None = None,
                      ) -> dict[int, tuple[int, int, int, int]]:
    """Per grid: (active households, present residents with a household, complete ones,
    active households visited in the month), as of the end of ``month``.

    Without ``static`` (or a ``static`` of a batch that does not hold ``month``):
    :func:`household_counts_one_pass` (one month alone).  With it (a batch of months: the
    annual assessment, a month and the one before) the *static* spells (present at every
    month end of the batch: most of them) were summed once per household and per building
    (:class:`StaticHouseholds`).  Per month only the batch's few *dynamic* spells are checked
    against the month end and summed per household, then merged: a household with a static
    resident is active (counted once, in its building's static sums); a dynamic-only
    household is active when it has a present resident; a household's present residents are
    the static plus the present dynamic ones, and they are complete (valid ID) when either
    side has a phone.  Visited: the active households in the month's visits.  Each building
    counts in its grid of the month end.  Same figures as the single pass.
    """
    p = month_params(month)
    if static is None or not static.covers(p["de"]):
        return household_counts_one_pass(ledger, month)
    sql = f"""
        WITH d AS {_NOT_MATERIALIZED} (
            SELECT s.household_id AS hid, COUNT(*) AS n,
                   COALESCE(SUM(s.has_id), 0) AS n_id, MAX(s.has_phone) AS has_phone
              FROM {static.dynamic} s
             WHERE {covers_sql('s', ':de')}
             GROUP BY s.household_id
        ),
        vis AS (
            SELECT vh.household_id AS hid FROM visits v
              JOIN visit_households vh ON vh.visit_id = v.id
             WHERE v.visited_on >= :ds AND v.visited_on < :nxt
        ),
        u AS (
            SELECT building_id, households, n, complete, 0 AS visited FROM {static.buildings}
            UNION ALL
            SELECT s.building_id, 0, 0, 0, COUNT(*) FROM {static.table} s
             WHERE s.hid IN (SELECT hid FROM vis) GROUP BY s.building_id
            UNION ALL
            SELECT h.building_id, s.hid IS NULL, d.n,
                   CASE WHEN s.has_phone THEN d.n_id WHEN d.has_phone THEN d.n_id + COALESCE(s.n_id, 0)
                        ELSE 0 END,
                   s.hid IS NULL AND d.hid IN (SELECT hid FROM vis)
              FROM d JOIN households h ON h.id = d.hid LEFT JOIN {static.table} s ON s.hid = d.hid
        ),
        per_building AS (
            SELECT building_id, SUM(households) AS households, SUM(n) AS n, SUM(complete) AS complete,
                   SUM(visited) AS visited
              FROM u GROUP BY building_id
        )
        SELECT bg.grid_id, SUM(pb.households), SUM(pb.n), SUM(pb.complete), SUM(pb.visited)
          FROM per_building pb
          JOIN building_grids bg ON bg.building_id = pb.building_id AND {covers_sql('bg', ':de')}
         GROUP BY bg.grid_id
    """
    return {row[0]: tuple(v or 0 for v in row[1:]) for row in ledger.conn.execute(sql, p)}


@dataclass
class MonthCounts:
    """A month's counts: per grid, and the hours of community-wide activities per community.

    Attributes:
        grids: ``{grid_id: Counts}`` (grids with nothing to count are missing).
        community_hours: hours of the activities without a grid, by community (its
            ``community_id``, else the ledger's own community).
    """

    grids: dict[int, Counts] = field(default_factory=dict)
    community_hours: dict[int, Fraction] = field(default_factory=dict)

    def of(self, grid_id: int) -> Counts:
        """The counts of ``grid_id``, created empty when missing."""
        found = self.grids.get(grid_id)
        if found is None:
            found = self.grids[grid_id] = Counts()
        return found

    def add_households(self, households: dict[int, tuple[int, int, int, int]]) -> "MonthCounts":
        """Add :func:`household_counts` (active households, their present residents, the
        complete ones, the visited households) to the grids' counts; returns ``self``."""
        for grid_id, (n_households, residents, complete, visited) in households.items():
            k = self.of(grid_id)
            k.households, k.complete, k.visited = n_households, complete, visited
            k.residents += residents
        return self


def activity_counts(ledger: Ledger, month: str) -> MonthCounts:
    """Every count of ``month`` except the households' (:func:`household_counts`): matters
    due and on time, ratings, patrol matters, volunteer hours, and the present residents
    without a household (counted as residents, never complete)."""
    p = month_params(month)
    counts = MonthCounts()
    c = counts.of
    # 1 按期办结率
    for grid_id, due, on_time in ledger.conn.execute(
            MATTER_FACTS.format(grid_filter="") +
            " SELECT grid_id, COUNT(*), SUM(on_time) FROM due"
            " WHERE due_at >= :s AND due_at <= :t GROUP BY grid_id", p):
        c(grid_id).due, c(grid_id).on_time = due, on_time or 0
    # 2 群众满意率
    for grid_id, ratings, satisfied in ledger.conn.execute(
            "SELECT grid_id, COUNT(*), SUM(satisfaction IN ('满意', '基本满意')) FROM ("
            + RATINGS_SQL.format(grid_filter="") + ") WHERE satisfaction IN ('满意', '基本满意', '不满意')"
            " GROUP BY grid_id", p):
        c(grid_id).ratings, c(grid_id).satisfied = ratings, satisfied or 0
    # 6 台账完整率: residents without a household (incomplete)
    # CROSS JOIN: from the (few) spells without a household, through their partial index,
    # never from every resident of every grid
    for grid_id, residents in ledger.conn.execute(
            "SELECT r.grid_id, COUNT(*) FROM residence_spells s CROSS JOIN residents r ON r.id = s.resident_id"
            f" WHERE s.household_id IS NULL AND r.grid_id IS NOT NULL AND {covers_sql('s', ':de')}"
            " GROUP BY r.grid_id", p):
        c(grid_id).residents += residents
    # 4 问题发现
    for grid_id, patrol in ledger.conn.execute(
            "SELECT m.grid_id, COUNT(*) FROM matters m"
            " WHERE m.registered_at >= :s AND m.registered_at <= :t AND m.source = '巡查走访'"
            f" AND NOT {CANCELLED_BY_T.format(m='m')} GROUP BY m.grid_id", p):
        c(grid_id).patrol = patrol
    # 5 志愿服务
    own = ledger.scalar("SELECT id FROM communities WHERE is_own = 1")
    for grid_id, community_id, hours in ledger.conn.execute(
            "SELECT a.grid_id, a.community_id, SUM(p.hours) FROM activities a"
            " JOIN activity_participants p ON p.activity_id = a.id"
            " WHERE a.on_date >= :ds AND a.on_date < :nxt GROUP BY a.grid_id, a.community_id", p):
        # hours are stored to 2 decimals; rounding the float sum to 6 drops its binary noise
        hours = frac(round(hours or 0.0, 6))
        if grid_id is not None:
            c(grid_id).hours += hours
        else:
            key = community_id or own
            if key is not None:
                counts.community_hours[key] = counts.community_hours.get(key, Fraction(0)) + hours
    return counts


def households_of_months(ledger: Ledger, months: list[str]) -> dict[str, dict]:
    """:func:`household_counts` of each of ``months``; a batch of more than one shares
    the static residents' pass (:class:`StaticHouseholds`)."""
    if len(months) == 1:
        return {months[0]: household_counts(ledger, months[0])}
    with StaticHouseholds(ledger, months) as static:
        return {month: household_counts(ledger, month, static) for month in months}


def month_counts(ledger: Ledger, month: str, static: StaticHouseholds | None = None) -> MonthCounts:
    """All the counts of ``month`` on ``ledger``'s connection (see :func:`household_counts`
    for ``static``)."""
    return activity_counts(ledger, month).add_households(household_counts(ledger, month, static))
