"""A month's evaluation: every grid's and community's figures, ranked (SPEC §5).

* :func:`evaluate` computes a month from the ledger now, as of its last second;
* :func:`month_figures` is the month *of record*: its latest publication (定稿) when
  there is one, else computed;
* :func:`months_figures` is several months of record at once (the annual assessment).

Which grids are evaluated: a grid that exists at the end of M (``established_on`` NULL
or ≤ the last day, ``dissolved_on`` NULL or after it).  A grid with no active household
still gets the literal SPEC formulas (every denominator 0 → every score 1).  Community
rows pool the counts of their grids, plus the community-wide volunteer activities; their
adjustments are the rows given to the community itself (cards belong to grids).  A
published month is (re)computed with the scheme stored in its latest publication, other
months with the scheme in force.

Several months at once run their reads on several connections (:mod:`models.core.parallel`):
the page's month and the month before share the households' pass on a second connection
while the first runs the other queries; the annual assessment splits its months into one
run per connection.  The figures are the same either way.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from typing import Callable

from models.core.db import Ledger
from models.core.parallel import connections_for, run_parallel
from models.core import periods
from models.core.periods import check_month, previous_month
from models.evaluation.adjustments import adjustments
from models.evaluation.counts import (Counts, MonthCounts, StaticHouseholds, activity_counts, existing_grids,
                                      households_of_months, month_counts)
from models.evaluation.figures import Adjustment, Figures, MonthEvaluation
from models.evaluation.publications import latest_publication, scheme_for_month
from models.evaluation.scheme import Scheme
from models.evaluation.scoring import assign_ranks, figures_of


def evaluate(ledger: Ledger, month: str, scheme: Scheme | None = None, *,
             with_previous: bool = False, counts: MonthCounts | None = None) -> MonthEvaluation:
    """Compute every grid's (and community's) figures for a month as of its last second.

    Args:
        month: ``YYYY-MM``.
        scheme: defaults to :func:`~models.evaluation.publications.scheme_for_month`.
        with_previous: also fill ``previous_rank``/``rank_change`` from last month's
            figures (published ones when last month is 定稿; else last month is computed
            too, both months' counts at once, see :func:`counts_of_months`).
        counts: the month's counts when the caller has them (a batch); computed here
            otherwise.

    Returns:
        the :class:`MonthEvaluation` (grids and communities in rank order).
    """
    month = check_month(month)
    scheme = scheme or scheme_for_month(ledger, month)
    previous = None
    if with_previous:
        prev = previous_month(month)
        pub = latest_publication(ledger, prev)
        if pub is not None:
            previous = pub.evaluation
        else:
            both = counts_of_months(ledger, [prev, month])
            previous = evaluate(ledger, prev, counts=both[prev])
            counts = both[month]
    bounds = periods.month(month)
    grids = existing_grids(ledger, bounds.last_day)
    if counts is None:
        counts = ledger.remembered(("month_counts", month), lambda: month_counts(ledger, month))
    items = adjustments(ledger, month, scheme)
    by_grid: dict[int, list[Adjustment]] = {}
    by_community: dict[int, list[Adjustment]] = {}
    for a in items:
        if a.grid_id is not None:
            by_grid.setdefault(a.grid_id, []).append(a)
        else:
            by_community.setdefault(a.community_id, []).append(a)

    grid_rows: list[Figures] = []
    pooled: dict[int, Counts] = {}
    names: dict[int, str] = {}
    for g in grids:
        k = counts.grids.get(g["id"], Counts())
        pool = pooled.setdefault(g["community_id"], Counts())
        pool.add(k)
        names[g["community_id"]] = g["community_name"]
        grid_rows.append(figures_of("网格", g["id"], g["name"], g["community_id"], g["community_name"],
                                    k, scheme, by_grid.get(g["id"], [])))
    community_rows = []
    for community_id, pool in pooled.items():
        pool.hours += counts.community_hours.get(community_id, Fraction(0))
        community_rows.append(figures_of("社区", None, names[community_id], community_id,
                                         names[community_id], pool, scheme,
                                         by_community.get(community_id, [])))
    assign_ranks(grid_rows)
    assign_ranks(community_rows)
    result = MonthEvaluation(month=month, as_of=bounds.end_ts, community_name=ledger.community_name,
                             scheme=scheme, grids=grid_rows, communities=community_rows)
    if previous is not None:
        fill_previous(result, previous)
    return result


def counts_of_months(ledger: Ledger, months: list[str]) -> dict[str, MonthCounts]:
    """The counts of a few months (the page's month and the one before): the households of
    every month (sharing the static residents' pass) on a second connection while this one
    runs the other queries (:func:`~models.core.parallel.run_parallel`)."""
    def compute() -> dict[str, MonthCounts]:
        others, households = run_parallel(ledger, [
            lambda led, tick: {m: activity_counts(led, m) for m in months},
            lambda led, tick: households_of_months(led, months),
        ])
        return {m: others[m].add_households(households[m]) for m in months}

    # as of each month's end, from the rows alone: the same while nothing is written (the
    # page shown again, a month and the one before looked at in turn)
    return ledger.remembered(("counts_of_months", tuple(months)), compute)


def fill_previous(result: MonthEvaluation, previous: MonthEvaluation) -> None:
    """Set ``previous_rank`` and ``rank_change`` of ``result``'s rows from ``previous``."""
    grid_ranks = {g.grid_id: g.rank for g in previous.grids}
    community_ranks = {c.community_id: c.rank for c in previous.communities}
    for row in result.grids:
        row.previous_rank = grid_ranks.get(row.grid_id)
        row.rank_change = None if row.previous_rank is None else row.previous_rank - row.rank
    for row in result.communities:
        row.previous_rank = community_ranks.get(row.community_id)
        row.rank_change = None if row.previous_rank is None else row.previous_rank - row.rank


def month_figures(ledger: Ledger, month: str, *, with_previous: bool = False) -> MonthEvaluation:
    """The figures of record for a month: the latest publication if it is 定稿, else computed."""
    month = check_month(month)
    pub = latest_publication(ledger, month)
    if pub is None:
        return evaluate(ledger, month, with_previous=with_previous)
    result = pub.evaluation
    if with_previous:
        fill_previous(result, month_figures(ledger, previous_month(month)))
    return result


def evaluate_batch(ledger: Ledger, months: list[str], done: Callable[[str], None] | None = None,
                   ) -> dict[str, MonthEvaluation]:
    """:func:`evaluate` each of ``months`` on ``ledger``'s connection, sharing the static
    residents' pass (:class:`~models.evaluation.counts.StaticHouseholds`) between them;
    ``done(month)`` after each."""
    out: dict[str, MonthEvaluation] = {}
    with contextlib.ExitStack() as stack:
        static = stack.enter_context(StaticHouseholds(ledger, months)) if len(months) > 1 else None
        for m in months:
            out[m] = evaluate(ledger, m, counts=month_counts(ledger, m, static))
            if done is not None:
                done(m)
    return out


def months_figures(ledger: Ledger, months: list[str],
                   progress: Callable[[int, int], object] | None = None) -> dict[str, MonthEvaluation]:
    """The figures of record of several months (published ones as stored).

    The months that need computing are split into runs of consecutive months, one per
    connection (:func:`~models.core.parallel.connections_for`: one per core, at most
    4, or just the caller's); each run shares one pass over the static residents
    (:func:`evaluate_batch`).

    Args:
        progress: optional ``progress(done, total)``, called on the calling thread.
    """
    out: dict[str, MonthEvaluation] = {}
    todo = []
    for m in months:
        pub = latest_publication(ledger, m)
        if pub is not None:
            out[m] = pub.evaluation
        else:
            todo.append(m)
    done = len(out)
    if progress is not None and done:
        progress(done, len(months))

    def step(_month: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(months))

    runs = _split(todo, connections_for(ledger, len(todo)))
    for found in run_parallel(ledger, [lambda led, tick, run=run: evaluate_batch(led, run, tick)
                                       for run in runs], on_tick=step):
        out.update(found)
    return out


def _split(items: list, parts: int) -> list[list]:
    """``items`` in ``parts`` runs of consecutive items, as even as can be (no empty run)."""
    if not items:
        return []
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for n in range(parts):
        end = start + size + (1 if n < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs
