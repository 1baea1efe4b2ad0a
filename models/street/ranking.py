"""The street's 月度评比 and 年度考评 over its communities, from the packages imported.

* Communities are ranked by SPEC §5's formulas over each community's **pooled counts** (the
  package's ``totals.counts``: the sums over its grids plus its community-wide volunteer
  hours) and its own adjustments; every grid of every community is ranked together, by the
  same formulas over the grid's counts and adjustments.  The formulas are
  :mod:`models.evaluation.scoring`'s (the same code the communities use), so a community's
  figures at the street are the ones it would compute itself with the same scheme.
* The scheme is the **street's** (its setting ``evaluation_scheme``, SPEC §5's default when
  unset), one for all communities so that they are compared alike; a community that scored
  itself with another scheme is flagged (``other_scheme``).
* The adjustments are the community's, as published (points and reasons; 督办 cards with
  the community's card points).
* Nothing is recomputed from personal data: the street ledger holds none.

A grid's id at the street is ``community id × 1,000,000 + its id in its own ledger``, so it
is the same from one month to the next (rank changes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from models.core import periods
from models.core.db import Ledger
from models.core.tabular import Column, Progress, check_target, write_table
from models.evaluation.counts import Counts, frac
from models.evaluation.figures import Adjustment, Figures
from models.evaluation.monthly import fill_previous
from models.evaluation.ranking_export import INDICATOR_COLUMNS
from models.evaluation.scheme import LOWEST_GRADE, Scheme, current_scheme
from models.evaluation.scoring import assign_ranks, figures_of, round_half_up
from models.street.registry import require_street, street_name

GRID_ID_BASE = 1_000_000


@dataclass
class Report:
    """One community's package in force for the month (what the 报送情况 column shows)."""

    community: str
    version: int
    published_at: str
    published_by: str
    reason: str
    imported_at: str
    other_scheme: bool


@dataclass
class StreetMonth:
    """The street's month.

    Attributes:
        street_name, month, scheme: the street's scheme the figures were computed with.
        communities: one :class:`Figures` per reporting community (level 社区), in rank order.
        grids: every grid of every reporting community (level 网格), in rank order.
        reports: community name → its :class:`Report`.
        not_reported: registered communities without a package for the month, by name.
    """

    street_name: str
    month: str
    scheme: Scheme
    communities: list[Figures]
    grids: list[Figures]
    reports: dict[str, Report]
    not_reported: list[str]


def _counts(data: dict) -> Counts:
    return Counts(due=data["due"], on_time=data["on_time"], ratings=data["ratings"], satisfied=data["satisfied"],
                  households=data["households"], visited=data["visited"], patrol=data["patrol"],
                  hours=frac(data["hours"]), residents=data["residents"], complete=data["complete"])


def _adjustments(items: list[dict], month: str, grid_id, community_id, name: str) -> list[Adjustment]:
    return [Adjustment(id=None, period=month, grid_id=grid_id, community_id=None if grid_id else community_id,
                       target_name=name, points=a["points"], reason=a["reason"], author="",
                       source=a["source"], at=a.get("at", "")) for a in items]


def street_month(ledger: Ledger, month: str, *, with_previous: bool = False,
                 scheme: Scheme | None = None) -> StreetMonth:
    """The street's 月度评比 of ``month`` (see the module docstring).

    Raises:
        ValidationError: not a street ledger, or a bad month.
    """
    require_street(ledger)
    month = periods.check_month(month)
    scheme = scheme or current_scheme(ledger)
    own_scheme = scheme.to_dict()
    rows = ledger.query(
        "SELECT c.id AS community_id, c.name, p.version, p.published_at, p.published_by, p.reason,"
        "       p.imported_at, p.package"
        "  FROM street_communities c LEFT JOIN street_packages p"
        "    ON p.community_id = c.id AND p.month = ? AND p.superseded_by IS NULL"
        " ORDER BY c.name", [month])
    community_rows: list[Figures] = []
    grid_rows: list[Figures] = []
    reports: dict[str, Report] = {}
    not_reported: list[str] = []
    for r in rows:
        if r["package"] is None:
            not_reported.append(r["name"])
            continue
        package = json.loads(r["package"])
        cid, name = r["community_id"], r["name"]
        reports[name] = Report(name, r["version"], r["published_at"], r["published_by"], r["reason"],
                               r["imported_at"], other_scheme=package["scheme"] != own_scheme)
        totals = package["totals"]
        community_rows.append(figures_of("社区", None, name, cid, name, _counts(totals["counts"]), scheme,
                                         _adjustments(totals["adjustments"], month, None, cid, name)))
        for g in package["grids"]:
            gid = cid * GRID_ID_BASE + g["grid_id"]
            grid_rows.append(figures_of("网格", gid, g["name"], cid, name, _counts(g["counts"]), scheme,
                                        _adjustments(g["adjustments"], month, gid, cid, g["name"])))
    assign_ranks(community_rows)
    assign_ranks(grid_rows)
    result = StreetMonth(street_name(ledger), month, scheme, community_rows, grid_rows, reports, not_reported)
    if with_previous:
        previous = street_month(ledger, periods.previous_month(month), scheme=scheme)
        fill_previous(result, previous)
    return result


def reported_months(ledger: Ledger) -> list[str]:
    """The months with at least one package imported, newest first."""
    return [r["month"] for r in ledger.query("SELECT DISTINCT month FROM street_packages ORDER BY month DESC")]


# -- 年度考评 over communities --------------------------------------------------------------
@dataclass
class StreetAnnualRow:
    """One community's year: its monthly totals (None = not reported), mean, grade, rank."""

    community: str
    monthly: dict[str, float | None]
    months_counted: int
    mean: float
    total: float
    grade: str
    rank: int = 0


@dataclass
class StreetAnnual:
    """The street's 年度考评: community × month matrix, means, grades, ranks."""

    street_name: str
    year: int
    months: list[str]
    rows: list[StreetAnnualRow]
    grade_counts: list[tuple[str, int]]
    scheme: Scheme
    not_reported: dict[str, list[str]] = field(default_factory=dict)


def street_year(ledger: Ledger, year: int | str) -> StreetAnnual:
    """年度考评 of the street's communities: the mean of each community's monthly totals over
    the months of ``year`` that have ended and that it reported, rounded half-up to 2
    decimals, graded by the street's scheme; a community that reported no month is not
    assessed (it is listed in ``not_reported`` for every month).

    Raises:
        ValidationError: not a street ledger, or a bad year.
    """
    require_street(ledger)
    year = periods.check_year(year)
    now = ledger.now_ts()
    months = [m for m in periods.months_of_year(year) if periods.month(m).end_ts < now]
    scheme = current_scheme(ledger)
    matrix: dict[str, dict[str, float | None]] = {}
    missing: dict[str, list[str]] = {}
    for m in months:
        sm = street_month(ledger, m, scheme=scheme)
        for c in sm.communities:
            matrix.setdefault(c.name, {})[m] = c.total
        for name in sm.not_reported:
            matrix.setdefault(name, {})
            missing.setdefault(name, []).append(m)
    rows = []
    for name, monthly in matrix.items():
        values = [frac(v) for v in monthly.values() if v is not None]
        if not values:
            continue
        mean = sum(values, Fraction(0)) / len(values)
        total = round_half_up(mean)
        rows.append(StreetAnnualRow(name, {m: monthly.get(m) for m in months}, len(values), total, total,
                                    scheme.grade(total)))
    assign_ranks(rows)
    grade_names = [g for g, _ in scheme.grades] + [LOWEST_GRADE]
    counts = [(g, sum(1 for r in rows if r.grade == g)) for g in grade_names]
    return StreetAnnual(street_name(ledger), year, months, rows, counts, scheme, missing)


# -- the ranking export -------------------------------------------------------------------
def _columns(level: str) -> tuple[Column, ...]:
    first = (Column("排名", "排名", width=6), Column("社区", "社区", width=14))
    if level == "grid":
        first += (Column("网格", "网格", width=14),)
    return (*first,
            *(Column(header, header, width=11, number_format="0.0000") for header, _key in INDICATOR_COLUMNS),
            Column("加减分", "加减分", width=8, number_format="0.00"),
            Column("总分", "总分", width=8, number_format="0.00"))


def ranking_rows(result: StreetMonth, level: str) -> list[dict]:
    """The street ranking export (SPEC §8's columns; ``level`` ``grid`` or ``community``)."""
    out = []
    for row in (result.grids if level == "grid" else result.communities):
        item = {"排名": row.rank, "社区": row.community_name}
        if level == "grid":
            item["网格"] = row.name
        for column, key in INDICATOR_COLUMNS:
            item[column] = round(row.indicators[key].score, 4)
        item["加减分"] = round_half_up(row.adjustments)
        item["总分"] = row.total
        out.append(item)
    return out


def export_street_ranking(ledger: Ledger, out: str | Path, month: str, level: str = "grid",
                          progress: Progress | None = None) -> int:
    """Write the street's ranking of ``month`` (communities or every grid) to ``out``.

    Returns:
        the number of rows.
    """
    check_target(out)
    result = street_month(ledger, month)
    title = f"{result.street_name}{month}{'社区' if level == 'community' else '网格'}排名"
    reported = f"已报送 {len(result.reports)} 个社区" + (
        f"，未报送：{'、'.join(result.not_reported)}" if result.not_reported else "")
    line = "　".join([title, reported, f"导出：{ledger.now():%Y-%m-%d %H:%M}", ledger.operator.name or ""]).rstrip("　")
    return write_table(out, title, _columns(level), ranking_rows(result, level), progress=progress, title_row=line)
