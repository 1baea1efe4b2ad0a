"""The annual assessment (年度考评, SPEC §5): each grid's year from its monthly totals.

A grid's mean is over the months of the year that have ended by now in which it was
evaluated *with at least one active household* (a month in which it did not exist or
served nobody is shown as None and left out); each month uses its figures of record
(published if 定稿).  Total = mean + the year's adjustments (period ``YYYY``),
rounded half-up to 2 decimals; grade by the thresholds of the scheme in force.

A year whose ended months hold no work at all (no matter registered, no visit, no
volunteer activity, no 加减分 given: :func:`year_has_data`) is not graded: every grid would score its
empty denominators and be graded by accident; the assessment then has no rows and
``has_data`` False, and the printout says 本年度无数据.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from models.core import periods
from models.core.db import Ledger
from models.evaluation.adjustments import adjustments
from models.evaluation.counts import frac
from models.evaluation.figures import Adjustment
from models.evaluation.monthly import months_figures
from models.evaluation.scheme import LOWEST_GRADE, Scheme, current_scheme
from models.evaluation.scoring import assign_ranks, round_half_up


@dataclass
class AnnualRow:
    """One grid in the annual assessment.

    Attributes:
        monthly: ``{"YYYY-MM": total or None}`` for every month of ``AnnualAssessment.months``
            (None = not evaluated that month: not existing, or no households).
        months_counted: how many monthly totals the mean is over.
        mean: mean of the monthly totals, rounded half-up to 2 decimals.
        adjustments: the year's adjustment points (period ``YYYY``).
        total: mean + adjustments, rounded half-up to 2 decimals.
        grade: 优秀 / 良好 / 合格 / 不合格 (thresholds from the scheme).
        rank: by total, equal totals share a rank.
    """

    grid_id: int
    name: str
    community_name: str
    monthly: dict[str, float | None]
    months_counted: int
    mean: float
    adjustments: float
    total: float
    grade: str
    rank: int = 0
    adjustment_items: list[Adjustment] = field(default_factory=list)


@dataclass
class AnnualAssessment:
    """A year's assessment: the grid × month matrix, means, adjustments, grades and ranks.

    Attributes:
        year: the year.
        months: the months of the year that have ended (``YYYY-MM``), the matrix's columns.
        rows: every assessed grid, in rank order.
        adjustments: the year's adjustments (period ``YYYY``).
        grade_counts: ``[(grade, number of grids), …]``, best grade first, every grade listed.
        scheme: the scheme in force (its grade thresholds were used).
    """

    year: int
    months: list[str]
    rows: list[AnnualRow]
    adjustments: list[Adjustment]
    grade_counts: list[tuple[str, int]]
    scheme: Scheme
    has_data: bool = True


def year_has_data(ledger: Ledger, months: list[str]) -> bool:
    """Whether any matter was registered, any visit made, any volunteer activity held or any
    加减分 given for ``months`` (consecutive ``YYYY-MM`` of one year, in order) or their year."""
    if not months:
        return False
    first, last = periods.month(months[0]), periods.month(months[-1])
    return bool(ledger.scalar(
        "SELECT EXISTS (SELECT 1 FROM matters WHERE registered_at >= ? AND registered_at <= ?)"
        " OR EXISTS (SELECT 1 FROM visits WHERE visited_on >= ? AND visited_on <= ?)"
        " OR EXISTS (SELECT 1 FROM activities WHERE on_date >= ? AND on_date <= ?)"
        " OR EXISTS (SELECT 1 FROM score_adjustments WHERE period = ? OR (period >= ? AND period <= ?))",
        [first.start_ts, last.end_ts, first.first_day, last.last_day, first.first_day, last.last_day,
         months[0][:4], months[0], months[-1]]))


def assess_year(ledger: Ledger, year: int | str, *,
                progress: Callable[[int, int], object] | None = None) -> AnnualAssessment:
    """The 年度考评 of ``year`` (see the module docstring); a grid with no counted month
    is not assessed (not listed).

    Args:
        progress: optional ``progress(done, total)`` over the months computed.

    Raises:
        ValidationError: ``year`` is not four digits.
    """
    year = periods.check_year(year)
    now = ledger.now_ts()
    months = [m for m in periods.months_of_year(year) if periods.month(m).end_ts < now]
    scheme = current_scheme(ledger)
    grade_names = [g for g, _ in scheme.grades] + [LOWEST_GRADE]
    if not year_has_data(ledger, months):
        return AnnualAssessment(year=year, months=months, rows=[], adjustments=adjustments(ledger, str(year)),
                                grade_counts=[(g, 0) for g in grade_names], scheme=scheme, has_data=False)
    figures_by_month = months_figures(ledger, months, progress=progress)
    matrix: dict[int, dict[str, float | None]] = {}
    info: dict[int, tuple[str, str]] = {}
    for month in months:
        figures = figures_by_month[month]
        for g in figures.grids:
            info[g.grid_id] = (g.name, g.community_name)
            matrix.setdefault(g.grid_id, {})[month] = g.total if g.households > 0 else None
    yearly = adjustments(ledger, str(year))
    by_grid: dict[int, list[Adjustment]] = {}
    for a in yearly:
        if a.grid_id is not None:
            by_grid.setdefault(a.grid_id, []).append(a)
    rows = []
    for grid_id, (name, community) in info.items():
        monthly = {m: matrix[grid_id].get(m) for m in months}
        values = [frac(v) for v in monthly.values() if v is not None]
        if not values:
            continue
        mean = sum(values, Fraction(0)) / len(values)
        adj = sum((frac(a.points) for a in by_grid.get(grid_id, [])), Fraction(0))
        total = round_half_up(mean + adj)
        rows.append(AnnualRow(grid_id=grid_id, name=name, community_name=community, monthly=monthly,
                              months_counted=len(values), mean=round_half_up(mean),
                              adjustments=float(adj), total=total, grade=scheme.grade(total),
                              adjustment_items=by_grid.get(grid_id, [])))
    assign_ranks(rows)
    grade_counts = [(g, sum(1 for r in rows if r.grade == g)) for g in grade_names]
    return AnnualAssessment(year=year, months=months, rows=rows, adjustments=yearly,
                            grade_counts=grade_counts, scheme=scheme)
